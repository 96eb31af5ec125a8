"""RDFC-1.0 canonical N-Quads with a blank-node-poisoning guard.

`canonicalize_nquads(nquads)` parses with pyoxigraph, labels blank nodes per RDFC-1.0 and
serialises canonical N-Quads: one quad a line, each line ending in "\\n", lines sorted by code
point. Graphs whose blank nodes all have unique first-degree hashes (every credential we hold) are
labelled here directly; others go through pyld's URDNA2015 for the N-degree step. pyoxigraph 0.5's
own RDFC_1_0 is NOT used: it disagrees with pyld and jsonld.js on graphs that need the N-degree
step.

RDFC-1.0 is exponential in the worst case ("blank-node poisoning": an n-clique of blank nodes makes
the N-degree step try every permutation), and neither pyld nor pyoxigraph has a limit. Before
running it we therefore compute the first-degree partition ourselves (step 4 of RDFC-1.0: blank
nodes whose first-degree hashes collide need the N-degree step) and estimate the N-degree work from
it; input over the budget is refused with `CanonicalizationError(code="RDFC_POISONED")`, as rdf-
canonize (the Node implementation) refuses it with its `maxWorkFactor` / `maxDeepIterations`
limits.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from pyld.canon import URDNA2015

from microdegree.vc.errors import CanonicalizationError

__all__ = ["DEFAULT_MAX_BLANK_NODES", "DEFAULT_MAX_WORK", "canonicalize_nquads", "estimate_work"]

DEFAULT_MAX_BLANK_NODES = 1000
#: Budget for the N-degree estimate (see `estimate_work`). A 5-clique of blank nodes (~0.2 s in
#: pyld) estimates at 14,400 and passes; a 6-clique (~0.9 s in pyld) at 518,400 and is refused.
#: Most credentials estimate at 0 (unique first-degree hashes); the OB spec full example at 36.
DEFAULT_MAX_WORK = 20_000

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_ESCAPES = {
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    0x22: '\\"',
    0x5C: "\\\\",
}
_ESCAPE_TABLE: dict[int, str] = {
    **{c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F]},
    **_ESCAPES,
}


def canonicalize_nquads(
    nquads: str,
    *,
    max_blank_nodes: int = DEFAULT_MAX_BLANK_NODES,
    max_work: int = DEFAULT_MAX_WORK,
) -> str:
    """Canonical N-Quads (RDFC-1.0, SHA-256) of an N-Quads document.

    Raises `CanonicalizationError` with code `RDFC_PARSE_ERROR` for malformed N-Quads and
    `RDFC_POISONED` when the input has more than `max_blank_nodes` blank nodes or its estimated
    N-degree work exceeds `max_work` (checked before any N-degree hashing runs).
    """
    quads = parse_nquads(nquads)
    check_poisoning(quads, max_blank_nodes=max_blank_nodes, max_work=max_work)
    labels = _canonical_labels(quads)
    # A set: RDF datasets have no duplicate quads (pyld's to_rdf can emit duplicates).
    lines = {_serialize_quad(q, labels=labels) for q in quads}
    return "".join(sorted(lines))


def parse_nquads(nquads: str) -> list[ox.Quad]:
    """Parse N-Quads with pyoxigraph (strict); `RDFC_PARSE_ERROR` when malformed."""
    try:
        return list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    except (SyntaxError, ValueError) as exc:
        raise CanonicalizationError(
            f"The N-Quads could not be parsed: {exc}", code="RDFC_PARSE_ERROR"
        ) from exc


def _canonical_labels(quads: list[ox.Quad]) -> dict[str, str]:
    """Map every blank node id to its canonical `c14nN` label.

    When every first-degree hash is unique (every credential we have seen), RDFC-1.0 reduces to
    "issue labels in hash order", done here directly. Otherwise the N-degree step runs in pyld's
    URDNA2015 (bounded by `check_poisoning`): pyoxigraph 0.5's RDFC_1_0 gives different labels
    than pyld and jsonld.js on such graphs (e.g. the OB spec's complete OpenBadgeCredential).
    """
    mentions = _mentions(quads)
    hashes = {
        name: hashlib.sha256(
            "".join(sorted(_serialize_quad(q, focus=name) for q in qs)).encode()
        ).hexdigest()
        for name, qs in mentions.items()
    }
    if len(set(hashes.values())) == len(hashes):
        ordered = sorted(hashes, key=hashes.__getitem__)
        return {name: f"c14n{i}" for i, name in enumerate(ordered)}
    return _labels_from_pyld(quads)


def _labels_from_pyld(quads: list[ox.Quad]) -> dict[str, str]:
    # Rename blank nodes first: pyld's URDNA2015 skips input labels already starting "_:c14n".
    names: dict[str, str] = {}
    dataset: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def term(t: object) -> dict[str, Any]:
        if isinstance(t, ox.BlankNode):
            return {"type": "blank node", "value": names.setdefault(t.value, f"_:i{len(names)}")}
        if isinstance(t, ox.NamedNode):
            return {"type": "IRI", "value": t.value}
        assert isinstance(t, ox.Literal)
        out: dict[str, Any] = {"type": "literal", "value": t.value, "datatype": t.datatype.value}
        if t.language is not None:
            out["language"] = t.language
        return out

    for quad in quads:
        graph = quad.graph_name
        key = "@default" if isinstance(graph, ox.DefaultGraph) else term(graph)["value"]
        dataset[key].append(
            {
                "subject": term(quad.subject),
                "predicate": term(quad.predicate),
                "object": term(quad.object),
            }
        )
    algorithm = URDNA2015()
    algorithm.main(dict(dataset), {"format": "application/n-quads"})
    issued: dict[str, str] = algorithm.canonical_issuer.existing
    return {name: issued[alias].removeprefix("_:") for name, alias in names.items()}


def check_poisoning(quads: list[ox.Quad], *, max_blank_nodes: int, max_work: int) -> None:
    """Raise `RDFC_POISONED` if canonicalising `quads` could take too long."""
    blank_count = len(_blank_nodes(quads))
    if blank_count > max_blank_nodes:
        raise CanonicalizationError(
            f"The document has {blank_count} blank nodes; at most {max_blank_nodes} are "
            "canonicalised (blank-node poisoning guard).",
            code="RDFC_POISONED",
        )
    work = estimate_work(quads, limit=max_work)
    if work > max_work:
        raise CanonicalizationError(
            "The document's blank nodes are too symmetric to canonicalise in bounded time "
            f"(estimated N-degree work {work} > {max_work}); refusing it as blank-node poisoning.",
            code="RDFC_POISONED",
        )


def estimate_work(quads: Iterable[ox.Quad], *, limit: int | None = None) -> int:
    """Estimate the RDFC-1.0 N-degree work for `quads` (0 when every first-degree hash is unique).

    RDFC-1.0 step 4 issues canonical labels to blank nodes with a unique first-degree hash; only the
    rest go through "Hash N-Degree Quads", which for each related-node group of size m tries m!
    orderings and recurses into unlabelled neighbours. The estimate is, summed over every blank node
    with a shared first-degree hash: (product of m! over its groups of related shared-hash blank
    nodes) x (size of its connected component of shared-hash blank nodes, for the recursion depth).
    Counting stops early once `limit` is exceeded.
    """
    mentions = _mentions(quads)
    if not mentions:
        return 0

    # First-degree partition: the sorted quads with this node as _:a and every other as _:z are
    # exactly what RDFC-1.0 hashes, so equal tuples <=> equal first-degree hashes.
    first_degree: dict[str, tuple[str, ...]] = {
        name: tuple(sorted(_serialize_quad(q, focus=name) for q in qs))
        for name, qs in mentions.items()
    }
    group_sizes: dict[tuple[str, ...], int] = defaultdict(int)
    for key in first_degree.values():
        group_sizes[key] += 1
    shared = {name for name, key in first_degree.items() if group_sizes[key] > 1}
    if not shared:
        return 0

    component = _component_sizes(shared, mentions)
    total = 0
    for name in sorted(shared):
        related: dict[tuple[str, str, tuple[str, ...]], set[str]] = defaultdict(set)
        for quad in mentions[name]:
            predicate = str(quad.predicate)
            for position, term in zip("sog", _components(quad), strict=True):
                other = _blank_id(term)
                if other is not None and other != name and other in shared:
                    related[(position, predicate, first_degree[other])].add(other)
        product = 1
        for members in related.values():
            product *= math.factorial(min(len(members), 20))
            if limit is not None and product > limit:
                return limit + 1
        total += product * component[name]
        if limit is not None and total > limit:
            return limit + 1
    return total


def _mentions(quads: Iterable[ox.Quad]) -> dict[str, list[ox.Quad]]:
    """Blank node id -> the quads it occurs in (each quad once per node)."""
    mentions: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in quads:
        for name in {_blank_id(t) for t in _components(quad)}:
            if name is not None:
                mentions[name].append(quad)
    return mentions


def _component_sizes(shared: set[str], mentions: dict[str, list[ox.Quad]]) -> dict[str, int]:
    """Size of each shared-hash blank node's connected component among shared-hash blank nodes."""
    sizes: dict[str, int] = {}
    for start in shared:
        if start in sizes:
            continue
        seen = {start}
        stack = [start]
        while stack:
            node = stack.pop()
            for quad in mentions[node]:
                for term in _components(quad):
                    other = _blank_id(term)
                    if other is not None and other in shared and other not in seen:
                        seen.add(other)
                        stack.append(other)
        for node in seen:
            sizes[node] = len(seen)
    return sizes


def _components(quad: ox.Quad) -> tuple[object, object, object]:
    return (quad.subject, quad.object, quad.graph_name)


def _blank_id(term: object) -> str | None:
    return term.value if isinstance(term, ox.BlankNode) else None


def _blank_nodes(quads: Iterable[ox.Quad]) -> set[str]:
    names: set[str] = set()
    for quad in quads:
        for term in _components(quad):
            name = _blank_id(term)
            if name is not None:
                names.add(name)
    return names


def _serialize_term(term: object, focus: str | None, labels: dict[str, str] | None) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        if focus is not None:
            return "_:a" if term.value == focus else "_:z"
        if labels is not None:
            return f"_:{labels[term.value]}"
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        text = '"' + term.value.translate(_ESCAPE_TABLE) + '"'
        if term.language is not None:
            return f"{text}@{term.language}"
        datatype = term.datatype.value
        if datatype in (_XSD_STRING, _RDF_LANG_STRING):
            return text
        return f"{text}^^<{datatype}>"
    raise CanonicalizationError(  # RDF-star triple terms cannot come out of JSON-LD
        f"Unsupported RDF term {term!r} in N-Quads.", code="RDFC_PARSE_ERROR"
    )


def _serialize_quad(
    quad: ox.Quad, focus: str | None = None, labels: dict[str, str] | None = None
) -> str:
    parts = [
        _serialize_term(quad.subject, focus, labels),
        _serialize_term(quad.predicate, focus, labels),
        _serialize_term(quad.object, focus, labels),
    ]
    if not isinstance(quad.graph_name, ox.DefaultGraph):
        parts.append(_serialize_term(quad.graph_name, focus, labels))
    return " ".join(parts) + " .\n"

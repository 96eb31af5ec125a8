"""RDFC-1.0 canonical N-Quads with a blank-node-poisoning guard.

`canonicalize_nquads(nquads)` parses N-Quads, labels blank nodes per RDFC-1.0 and serialises
canonical N-Quads: one quad a line, each line ending in "\\n", lines sorted by code point, literals
escaped as RDFC-1.0 (and rdf-canonize 5) escape them. Graphs whose blank nodes all have unique
first-degree hashes (every credential we hold but one) are labelled here directly; others go through
pyld's URDNA2015 for the N-degree step.

pyoxigraph 0.5 is not used here although it is faster: its RDFC_1_0 labels blank nodes differently
from pyld and jsonld.js on graphs that need the N-degree step (the OB spec's complete
OpenBadgeCredential example), and its parser lower-cases language tags ("en-US" -> "en-us"), which
changes the signed bytes. The parser below keeps every term exactly.

RDFC-1.0 is exponential in the worst case ("blank-node poisoning": an n-clique of blank nodes makes
the N-degree step try every permutation), and pyld has no limit. Before any N-degree hashing we
therefore compute the first-degree partition (step 4 of RDFC-1.0: blank nodes whose first-degree
hashes collide need the N-degree step) and estimate the N-degree work from it; input over the budget
is refused with `CanonicalizationError(code="RDFC_POISONED")`, as rdf-canonize (the Node
implementation) refuses it with its `maxWorkFactor` / `maxDeepIterations` limits.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from pyld.canon import URDNA2015

from microdegree.vc.errors import CanonicalizationError

__all__ = [
    "DEFAULT_MAX_BLANK_NODES",
    "DEFAULT_MAX_WORK",
    "Quad",
    "Term",
    "canonicalize_nquads",
    "check_poisoning",
    "estimate_work",
    "parse_nquads",
]

DEFAULT_MAX_BLANK_NODES = 1000
#: Budget for the N-degree estimate (see `estimate_work`). A 5-clique of blank nodes (~0.2 s in
#: pyld) estimates at 14,400 and passes; a 6-clique (~0.9 s in pyld) at 518,400 and is refused.
#: Most credentials estimate at 0 (unique first-degree hashes); the OB spec full example at 36.
DEFAULT_MAX_WORK = 20_000

#: ("I", iri) | ("B", blank node id without "_:") | ("L", lexical form, datatype IRI, language|None)
Term = tuple[str, ...]
#: subject, predicate, object, graph name (None: the default graph)
Quad = tuple[Term, Term, Term, Term | None]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# Canonical N-Quads literal escapes (RDFC-1.0 §4.3 / RDF 1.2 N-Quads canonical form; rdf-canonize).
_ESCAPE_TABLE: dict[int, str] = {
    **{c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F]},
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    0x22: '\\"',
    0x5C: "\\\\",
}

# --- N-Quads parsing (W3C RDF 1.1 N-Quads grammar) -----------------------------------------------

_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
# "Unrolled" loops (plain run, then escape + plain run): no per-character alternation.
_IRI_CHAR = r"[^\x00-\x20<>\"{}|^`\\]"
_IRI = rf"<({_IRI_CHAR}*(?:(?:{_UCHAR}){_IRI_CHAR}*)*)>"
_PN = "A-Za-z0-9_\u00c0-\U000effff"
_BNODE = rf"_:([{_PN}](?:[{_PN}\-.\u00b7]*[{_PN}\-\u00b7])?)"
_STRING_CHAR = r'[^"\\\n\r]'
_STRING_ESCAPE = r"\\[tbnrf\"'\\]|" + _UCHAR
_LITERAL = (
    rf'"({_STRING_CHAR}*(?:(?:{_STRING_ESCAPE}){_STRING_CHAR}*)*)"'
    rf"(?:@([a-zA-Z]+(?:-[a-zA-Z0-9]+)*)|\^\^{_IRI})?"
)
_WS = r"[ \t]*"
_SUBJECT = rf"(?:{_IRI}|{_BNODE})"
_OBJECT = rf"(?:{_IRI}|{_BNODE}|{_LITERAL})"
_QUAD = re.compile(
    rf"^{_WS}{_SUBJECT}{_WS}{_IRI}{_WS}{_OBJECT}{_WS}(?:{_SUBJECT}{_WS})?\.{_WS}(?:#.*)?$"
)
_BLANK_LINE = re.compile(rf"^{_WS}(?:#.*)?$")
_UNESCAPE = re.compile(r"\\(?:([tbnrf\"'\\])|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))")
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(text: str | None) -> str:
    if not text or "\\" not in text:
        return text or ""

    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return _ECHAR[match.group(1)]
        code = int(match.group(2) or match.group(3), 16)
        if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            raise ValueError(f"invalid code point escape {match.group(0)}")
        return chr(code)

    return _UNESCAPE.sub(replace, text)


def parse_nquads(nquads: str) -> list[Quad]:
    """Parse N-Quads exactly (no IRI or language-tag normalisation); `RDFC_PARSE_ERROR` if bad."""
    quads: list[Quad] = []
    for number, line in enumerate(nquads.split("\n"), start=1):
        line = line.removesuffix("\r")
        match = _QUAD.match(line)
        if match is None:
            if _BLANK_LINE.match(line):
                continue
            raise CanonicalizationError(
                f"The N-Quads could not be parsed (line {number}: {line[:80]!r}).",
                code="RDFC_PARSE_ERROR",
            )
        g = match.groups()
        try:
            subject: Term = ("I", _unescape(g[0])) if g[0] is not None else ("B", g[1])
            predicate: Term = ("I", _unescape(g[2]))
            obj: Term
            if g[3] is not None:
                obj = ("I", _unescape(g[3]))
            elif g[4] is not None:
                obj = ("B", g[4])
            elif g[6] is not None:
                obj = ("L", _unescape(g[5]), _RDF_LANG_STRING, g[6])
            else:
                datatype = _unescape(g[7]) if g[7] is not None else _XSD_STRING
                obj = ("L", _unescape(g[5]), datatype, "")
            graph: Term | None = None
            if g[8] is not None:
                graph = ("I", _unescape(g[8]))
            elif g[9] is not None:
                graph = ("B", g[9])
        except ValueError as exc:
            raise CanonicalizationError(
                f"The N-Quads could not be parsed (line {number}: {exc}).", code="RDFC_PARSE_ERROR"
            ) from exc
        quads.append((subject, predicate, obj, graph))
    return quads


# --- canonicalisation ----------------------------------------------------------------------------


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
    mentions = _mentions(quads)
    _check_blank_node_count(len(mentions), max_blank_nodes)
    hashes = {
        name: hashlib.sha256(
            "".join(sorted(_serialize_quad(q, focus=name) for q in qs)).encode()
        ).hexdigest()
        for name, qs in mentions.items()
    }
    if len(set(hashes.values())) == len(hashes):
        # Every first-degree hash is unique (RDFC-1.0 step 4 labels them all; no N-degree work):
        # canonical labels are issued in hash order.
        ordered = sorted(hashes, key=hashes.__getitem__)
        labels = {name: f"c14n{i}" for i, name in enumerate(ordered)}
    else:
        _check_work(quads, max_work)
        labels = _labels_from_pyld(quads)
    # A set: RDF datasets have no duplicate quads (pyld's to_rdf can emit duplicates).
    lines = {_serialize_quad(q, labels=labels) for q in quads}
    return "".join(sorted(lines))


def check_poisoning(quads: list[Quad], *, max_blank_nodes: int, max_work: int) -> None:
    """Raise `RDFC_POISONED` if canonicalising `quads` could take too long."""
    _check_blank_node_count(len(_mentions(quads)), max_blank_nodes)
    _check_work(quads, max_work)


def _check_blank_node_count(count: int, max_blank_nodes: int) -> None:
    if count > max_blank_nodes:
        raise CanonicalizationError(
            f"The document has {count} blank nodes; at most {max_blank_nodes} are "
            "canonicalised (blank-node poisoning guard).",
            code="RDFC_POISONED",
        )


def _check_work(quads: list[Quad], max_work: int) -> None:
    work = estimate_work(quads, limit=max_work)
    if work > max_work:
        raise CanonicalizationError(
            "The document's blank nodes are too symmetric to canonicalise in bounded time "
            f"(estimated N-degree work {work} > {max_work}); refusing it as blank-node poisoning.",
            code="RDFC_POISONED",
        )


def estimate_work(quads: Iterable[Quad], *, limit: int | None = None) -> int:
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
            predicate = quad[1][1]
            for position, term in zip("sog", (quad[0], quad[2], quad[3]), strict=True):
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


def _labels_from_pyld(quads: list[Quad]) -> dict[str, str]:
    """Canonical labels from pyld's URDNA2015 (= RDFC-1.0) for graphs needing the N-degree step."""
    # Rename blank nodes first: pyld's URDNA2015 skips input labels already starting "_:c14n".
    names: dict[str, str] = {}
    dataset: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def term(t: Term) -> dict[str, Any]:
        if t[0] == "B":
            return {"type": "blank node", "value": names.setdefault(t[1], f"_:i{len(names)}")}
        if t[0] == "I":
            return {"type": "IRI", "value": t[1]}
        out: dict[str, Any] = {"type": "literal", "value": t[1], "datatype": t[2]}
        if t[3]:
            out["language"] = t[3]
        return out

    for subject, predicate, obj, graph in quads:
        key = "@default" if graph is None else term(graph)["value"]
        dataset[key].append(
            {"subject": term(subject), "predicate": term(predicate), "object": term(obj)}
        )
    algorithm = URDNA2015()
    algorithm.main(dict(dataset), {"format": "application/n-quads"})
    issued: dict[str, str] = algorithm.canonical_issuer.existing
    return {name: issued[alias].removeprefix("_:") for name, alias in names.items()}


def _mentions(quads: Iterable[Quad]) -> dict[str, list[Quad]]:
    """Blank node id -> the quads it occurs in (each quad once per node)."""
    mentions: dict[str, list[Quad]] = defaultdict(list)
    for quad in quads:
        for name in {_blank_id(quad[0]), _blank_id(quad[2]), _blank_id(quad[3])}:
            if name is not None:
                mentions[name].append(quad)
    return mentions


def _component_sizes(shared: set[str], mentions: dict[str, list[Quad]]) -> dict[str, int]:
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
                for term in (quad[0], quad[2], quad[3]):
                    other = _blank_id(term)
                    if other is not None and other in shared and other not in seen:
                        seen.add(other)
                        stack.append(other)
        for node in seen:
            sizes[node] = len(seen)
    return sizes


def _blank_id(term: Term | None) -> str | None:
    return term[1] if term is not None and term[0] == "B" else None


def _serialize_term(term: Term, focus: str | None, labels: dict[str, str] | None) -> str:
    kind = term[0]
    if kind == "I":
        return f"<{term[1]}>"
    if kind == "B":
        if focus is not None:
            return "_:a" if term[1] == focus else "_:z"
        if labels is not None:
            return f"_:{labels[term[1]]}"
        return f"_:{term[1]}"
    text = '"' + term[1].translate(_ESCAPE_TABLE) + '"'
    if term[3]:
        return f"{text}@{term[3]}"
    if term[2] == _XSD_STRING:
        return text
    return f"{text}^^<{term[2]}>"


def _serialize_quad(
    quad: Quad, focus: str | None = None, labels: dict[str, str] | None = None
) -> str:
    subject, predicate, obj, graph = quad
    parts = [
        _serialize_term(subject, focus, labels),
        _serialize_term(predicate, focus, labels),
        _serialize_term(obj, focus, labels),
    ]
    if graph is not None:
        parts.append(_serialize_term(graph, focus, labels))
    return " ".join(parts) + " .\n"

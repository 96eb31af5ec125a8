"""RDFC-1.0 for the common case where every blank node has a unique first-degree hash.

RDFC-1.0 (W3C REC 2024-05-21) step 4 issues canonical labels, in code-point order of the hash, to
the blank nodes whose first-degree hash is unique; only the others need the expensive N-degree
step (and only they can be used for blank-node poisoning). Credentials nearly always fall in the
easy case, which takes a few dozen SHA-256 calls here and no parse at all. Anything else (a shared
first-degree hash, too many blank nodes) goes to `microdegree.vc.rdfc.canonicalize_nquads`, which
runs the full algorithm under its poisoning bound.

Quads come from `_emit` as tuples of N-Quads terms already in canonical form (IRIs raw, literals
escaped exactly as canonical N-Quads escape them), so serialising is string concatenation.
"""

from __future__ import annotations

from collections.abc import Callable
from hashlib import sha256

__all__ = ["Quad", "canonicalize"]

Quad = tuple[str, str, str, str | None]

#: `vc.rdfc` refuses more blank nodes than this; such documents are left to it.
MAX_BLANK_NODES = 1000


def _line(quad: Quad) -> str:
    subject, predicate, obj, graph = quad
    if graph is None:
        return f"{subject} {predicate} {obj} .\n"
    return f"{subject} {predicate} {obj} {graph} .\n"


def nquads_text(quads: list[Quad]) -> str:
    return "".join(_line(q) for q in quads)


def canonicalize(quads: list[Quad], general: Callable[[str], str]) -> str:
    """Canonical N-Quads of the (deduplicated) quads; `general` handles the hard cases."""
    quads = list(dict.fromkeys(quads))  # an RDF dataset is a set
    mentions: dict[str, list[Quad]] = {}
    for quad in quads:
        subject, _, obj, graph = quad
        if subject[0] == "_":
            mentions.setdefault(subject, []).append(quad)
        if obj[0] == "_" and obj != subject:
            mentions.setdefault(obj, []).append(quad)
        if graph is not None and graph[0] == "_" and graph != subject and graph != obj:
            mentions.setdefault(graph, []).append(quad)
    if len(mentions) > MAX_BLANK_NODES:
        return general(nquads_text(quads))

    by_hash: dict[str, str] = {}
    for node, node_quads in mentions.items():
        lines = sorted([_focus_line(q, node) for q in node_quads])
        digest = sha256("".join(lines).encode("utf-8")).hexdigest()
        if digest in by_hash:  # shared first-degree hash: needs the N-degree step
            return general(nquads_text(quads))
        by_hash[digest] = node
    labels = {by_hash[digest]: f"_:c14n{i}" for i, digest in enumerate(sorted(by_hash))}
    return "".join(sorted([_line(_relabel(q, labels)) for q in quads]))


def _focus_line(quad: Quad, node: str) -> str:
    """The quad as RDFC-1.0 hashes it for `node`: `node` as _:a, other blank nodes as _:z."""
    subject, predicate, obj, graph = quad
    if subject[0] == "_":
        subject = "_:a" if subject == node else "_:z"
    if obj[0] == "_":
        obj = "_:a" if obj == node else "_:z"
    if graph is None:
        return f"{subject} {predicate} {obj} .\n"
    if graph[0] == "_":
        graph = "_:a" if graph == node else "_:z"
    return f"{subject} {predicate} {obj} {graph} .\n"


def _relabel(quad: Quad, labels: dict[str, str]) -> Quad:
    subject, predicate, obj, graph = quad
    return (
        labels.get(subject, subject),
        predicate,
        labels.get(obj, obj),
        None if graph is None else labels.get(graph, graph),
    )

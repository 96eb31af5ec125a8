"""RDF canonicalisation dispatcher: the fast path first, the general library when it declines.

`canonicalize(doc)` returns RDFC-1.0 canonical N-Quads of a JSON-LD document using only bundled
contexts. The fast path (`microdegree.vc._fast`) answers for the documents it fully covers and returns
None for anything else; the general path (`microdegree.vc.jsonld`, pyld in safe mode) then answers.
Either way the result is byte-identical; tests prove it on the vectors and on generated documents.
"""

from __future__ import annotations

from typing import Any

from microdegree.vc import _fast, jsonld


def canonicalize(document: dict[str, Any], *, fast: bool = True) -> str:
    """Canonical N-Quads (RDFC-1.0) of `document`; raises `CanonicalizationError` / `ContextError`."""
    if fast:
        result = _fast.try_canonicalize(document)
        if result is not None:
            return result
    return jsonld.canonicalize_general(document)

"""RDF canonicalisation dispatcher: the fast path first, the general library when it declines.

`canonicalize(doc)` returns RDFC-1.0 canonical N-Quads of a JSON-LD document using only bundled
contexts. The fast path (`microdegree.vc._fast`) answers for the documents it fully covers and
returns None for anything else; the general path (`microdegree.vc.jsonld`, pyld in safe mode)
then answers. Either way the result is byte-identical; tests prove it on the vectors and on
generated documents.

`use(mode)` switches the path for benchmarks and cross-checks: "fast" (default: fast, else general),
"general" (pyld safe-mode expansion + RDFC), "pyld" (pyld end to end, the reference baseline).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from microdegree.vc import _fast, jsonld

Mode = Literal["fast", "general", "pyld"]
_mode: Mode = "fast"


def canonicalize(document: dict[str, Any], *, fast: bool = True) -> str:
    """Canonical N-Quads (RDFC-1.0) of `document`.

    Raises `CanonicalizationError` or `ContextError`.
    """
    if _mode == "pyld":
        return jsonld.canonicalize_pyld_only(document)
    if fast and _mode == "fast":
        result = _fast.try_canonicalize(document)
        if result is not None:
            return result
    return jsonld.canonicalize_general(document)


def mode() -> Mode:
    return _mode


@contextmanager
def use(new_mode: Mode) -> Iterator[None]:
    """Temporarily select the canonicalisation path (not thread-safe: for tests and benchmarks)."""
    global _mode
    previous = _mode
    _mode = new_mode
    try:
        yield
    finally:
        _mode = previous

"""Fast canonicalisation for documents that use only the bundled contexts (issue 3).

`try_canonicalize(doc)` returns canonical N-Quads, or None when the fast path does not cover the
document (the caller then uses the general library). Never a wrong answer: every construct it does
not reproduce exactly as pyld would is declined, and every decline is counted by reason
(`stats()`), so a drop in coverage shows up in benchmarks and tests.

How: the document's `@context` list is processed once by pyld itself and memoised (as are the
property- and type-scoped contexts derived from it); the document is then walked once, writing
quads directly (`_emit`). RDFC-1.0's common case (every blank node with a unique first-degree hash)
is done in `_rdfc`; anything else goes to `microdegree.vc.rdfc`, which also applies the
blank-node-poisoning bound. Small documents such as proof configurations are answered from a
bounded cache keyed by their exact JSON. Counters are approximate under threads.
See docs/adr/0003-fast-canonicalisation.md.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from typing import Any

import orjson

from microdegree.vc._fast import _rdfc
from microdegree.vc._fast._context import Decline, context_urls, root
from microdegree.vc._fast._emit import to_quads
from microdegree.vc.errors import VcError
from microdegree.vc.rdfc import canonicalize_nquads

__all__ = ["reset_stats", "stats", "try_canonicalize"]

#: Documents whose sorted-key JSON is at most this long are cached (a proof configuration: ~300 B).
_CACHE_MAX_KEY = 2048
_CACHE_SIZE = 512
_KEY_OPTIONS = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)

_stats: Counter[str] = Counter()
_cache: OrderedDict[bytes, str] = OrderedDict()
_cache_lock = threading.Lock()


def try_canonicalize(document: dict[str, Any]) -> str | None:
    """Canonical N-Quads of `document`, or None when the fast path declines it."""
    key = _cache_key(document)
    if key is not None:
        with _cache_lock:
            hit = _cache.get(key)
            if hit is not None:
                _cache.move_to_end(key)
        if hit is not None:
            _stats["fast"] += 1
            _stats["fast:cached"] += 1
            return hit
    try:
        result = _canonicalize(document)
    except Decline as decline:
        _count_fallback(decline.reason)
        return None
    except RecursionError:
        _count_fallback("too-deep")
        return None
    except Exception as exc:  # an input we did not foresee: the general path judges it
        _count_fallback(f"internal:{type(exc).__name__}")
        return None
    _stats["fast"] += 1
    if key is not None:
        with _cache_lock:
            _cache[key] = result
            if len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return result


def _canonicalize(document: dict[str, Any]) -> str:
    if not isinstance(document, dict):
        raise Decline("not-an-object")
    if "@context" not in document:
        raise Decline("no-context")
    top = root(context_urls(document["@context"]))
    return _rdfc.canonicalize(to_quads(document, top), _general_rdfc)


def _general_rdfc(nquads: str) -> str:
    """The full RDFC-1.0 (with the poisoning bound) for graphs with shared first-degree hashes."""
    _stats["rdfc:general"] += 1
    try:
        return canonicalize_nquads(nquads)
    except VcError as exc:  # malformed term (IRI, language tag) or the poisoning bound
        raise Decline(f"rdfc:{exc.code}") from None


def _cache_key(document: Any) -> bytes | None:
    """Sorted-key JSON of a small, plain-JSON document (the cache key), else None."""
    try:
        key = orjson.dumps(document, option=_KEY_OPTIONS)
    except TypeError:  # big integers, non-string keys, non-JSON objects
        return None
    if len(key) > _CACHE_MAX_KEY or not _plain_json(document, key):
        return None
    return key


def _plain_json(document: Any, key: bytes) -> bool:
    """Only JSON types: orjson would also write UUIDs, enums, tuples... as JSON, and those must
    miss. The JSON read back equals the document exactly when it holds nothing else (subclasses,
    dataclasses and datetimes already raised above); one C-level comparison instead of a walk."""
    try:
        return bool(orjson.loads(key) == document)
    except (TypeError, ValueError):
        return False


def _count_fallback(reason: str) -> None:
    _stats["fallback"] += 1
    _stats[f"fallback:{reason}"] += 1


def stats() -> dict[str, int]:
    """Counters since the last reset: "fast", "fast:cached", "fallback", "fallback:<reason>"."""
    return dict(_stats)


def reset_stats() -> None:
    """Zero the counters and empty the small-document cache."""
    _stats.clear()
    with _cache_lock:
        _cache.clear()

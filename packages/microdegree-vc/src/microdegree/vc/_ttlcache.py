"""A small thread-safe LRU cache whose entries expire (for the caching resolver and fetcher)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TTLCache(Generic[K, V]):
    """At most `max_entries` values, each kept until its own expiry time (clock units)."""

    def __init__(self, max_entries: int = 1024) -> None:
        self._max = max_entries
        self._entries: OrderedDict[K, tuple[float, float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, now: float, ttl: float | None = None) -> V | None:
        """The value if it has not expired (by `ttl` after it was stored, when given)."""
        with self._lock:
            hit = self._entries.get(key)
            if hit is None or (hit[0] + ttl if ttl is not None else hit[1]) <= now:
                return None
            self._entries.move_to_end(key)
            return hit[2]

    def put(self, key: K, value: V, now: float, ttl: float) -> None:
        with self._lock:
            self._entries[key] = (now, now + ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

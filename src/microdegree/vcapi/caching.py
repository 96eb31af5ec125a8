"""What the verify endpoints keep between requests, and for how long.

The verification app's resolver and status fetcher (`verification.services.tools`) answer this
platform's own DIDs, status lists and registry from the database on every call (always fresh,
several queries per verification). Under load the API keeps each answer for a bounded time:

* status lists (ours and other hosts'): the list's own `ttl` (ms), else `STATUS_TTL`, at most
  `MAX_TTL`; our own lists are also forgotten the moment one of their bits changes in this
  process (`issuing.StatusList` saved), so a revocation through this server shows in the very
  next verification, and in other processes within the list's ttl;
* DID documents: `DID_TTL` (did:web has no ttl of its own), forgotten at once when one of our
  institutions' keys changes in this process;
* issuer registry answers: `REGISTRY_TTL`;
* what this platform's records say of its own credentials (a suspension the credential does not
  carry, ADR 0006): `STATUS_TTL`, like a status list, and forgotten at once when an award's
  state changes in this process.

No verdict therefore outlives a revocation by more than the list's ttl (60 s for our lists).
Each cache takes a `clock` (tests inject one) and is a bounded LRU.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from microdegree.vc import did as did_mod
from microdegree.vc.fetch import Fetcher, FetchResponse
from microdegree.vc.registry import IssuerRegistry, RegistryEntry

STATUS_TTL = 60.0
MAX_TTL = 3600.0
DID_TTL = 60.0
REGISTRY_TTL = 60.0

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
_MISSING = object()


class Expiring(Generic[K, V]):
    """A thread-safe LRU of at most `max_entries` values, each with its own expiry."""

    def __init__(self, clock: Callable[[], float], max_entries: int = 1024) -> None:
        self._clock = clock
        self._max = max_entries
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> Any:
        """The value, or `_MISSING` when absent or expired."""
        now = self._clock()
        with self._lock:
            hit = self._entries.get(key)
            if hit is None or hit[0] <= now:
                return _MISSING
            self._entries.move_to_end(key)
            return hit[1]

    def put(self, key: K, value: V, ttl: float) -> None:
        if ttl <= 0:
            return
        with self._lock:
            self._entries[key] = (self._clock() + ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def list_ttl(document: Any, default: float) -> float:
    """A status list credential's `ttl` in seconds (capped), else `default`."""
    subject = document.get("credentialSubject") if isinstance(document, dict) else None
    if isinstance(subject, list) and subject:
        subject = subject[0]
    ttl = subject.get("ttl") if isinstance(subject, dict) else None
    if isinstance(ttl, bool) or not isinstance(ttl, int | float) or ttl < 0:
        return min(default, MAX_TTL)
    return min(ttl / 1000.0, MAX_TTL)


class CachedStatusFetcher:
    """Keeps each fetched status list for its ttl; `fetches` counts the misses."""

    def __init__(self, inner: Fetcher, *, default_ttl: float = STATUS_TTL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._inner = inner
        self._default = default_ttl
        self._cache: Expiring[tuple[str, str], FetchResponse] = Expiring(clock)
        self.fetches = 0

    def get(self, url: str, *, accept: str = "application/json") -> FetchResponse:
        hit = self._cache.get((url, accept))
        if hit is not _MISSING:
            return hit  # type: ignore[no-any-return]
        self.fetches += 1
        response = self._inner.get(url, accept=accept)
        try:
            ttl = list_ttl(response.json(), self._default)
        except Exception:  # an unreadable body is the verifier's problem, not the cache's
            ttl = 0.0
        self._cache.put((url, accept), response, ttl)
        return response

    def clear(self) -> None:
        self._cache.clear()


class CachedRegistry:
    """An issuer registry whose answers (known or not) are kept for `ttl` seconds."""

    def __init__(self, inner: IssuerRegistry, *, ttl: float = REGISTRY_TTL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._inner = inner
        self._ttl = ttl
        self._cache: Expiring[str, RegistryEntry | None] = Expiring(clock)
        self.name = getattr(inner, "name", "registry")

    def lookup(self, issuer_id: str) -> RegistryEntry | None:
        hit = self._cache.get(issuer_id)
        if hit is not _MISSING:
            return hit  # type: ignore[no-any-return]
        entry = self._inner.lookup(issuer_id)
        self._cache.put(issuer_id, entry, self._ttl)
        return entry

    def clear(self) -> None:
        self._cache.clear()


class CachedRecords:
    """The issuer's records (`vc.verify.IssuerRecords`), each answer kept for `ttl` seconds."""

    def __init__(self, inner: Callable[[dict[str, Any]], str | None], *,
                 ttl: float = STATUS_TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self._inner = inner
        self._ttl = ttl
        self._cache: Expiring[tuple[str, str], str | None] = Expiring(clock)

    def __call__(self, document: dict[str, Any]) -> str | None:
        issuer = document.get("issuer")
        issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
        credential_id = document.get("id")
        if not isinstance(issuer_id, str) or not isinstance(credential_id, str):
            return None
        key = (issuer_id, credential_id)
        hit = self._cache.get(key)
        if hit is not _MISSING:
            return hit  # type: ignore[no-any-return]
        state = self._inner(document)
        self._cache.put(key, state, self._ttl)
        return state

    def clear(self) -> None:
        self._cache.clear()


@dataclass
class Kit:
    """What one verification needs; shared by all requests of a process."""

    resolver: did_mod.CachingResolver
    status_fetcher: CachedStatusFetcher
    registry: CachedRegistry
    records: CachedRecords

    def clear(self) -> None:
        self.resolver.clear()
        self.status_fetcher.clear()
        self.registry.clear()
        self.records.clear()


def build_kit(resolver: did_mod.Resolver, status_fetcher: Fetcher, registry: IssuerRegistry, *,
              clock: Callable[[], float] = time.monotonic, did_ttl: float = DID_TTL,
              status_ttl: float = STATUS_TTL, registry_ttl: float = REGISTRY_TTL,
              records: Callable[[dict[str, Any]], str | None] | None = None) -> Kit:
    """`records` defaults to this platform's (`verification.services.platform_state`)."""
    if records is None:
        from microdegree.verification.services import platform_state

        records = platform_state
    return Kit(
        resolver=did_mod.CachingResolver(resolver, ttl_seconds=did_ttl, clock=clock),
        status_fetcher=CachedStatusFetcher(status_fetcher, default_ttl=status_ttl, clock=clock),
        registry=CachedRegistry(registry, ttl=registry_ttl, clock=clock),
        records=CachedRecords(records, ttl=status_ttl, clock=clock),
    )

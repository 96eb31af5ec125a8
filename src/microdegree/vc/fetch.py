"""Outbound HTTP for DID documents, key URLs and status lists, guarded against SSRF.

`SafeFetcher` resolves the host once, refuses non-public addresses (unless `allow_private`),
connects to the vetted address itself (so a second DNS answer cannot swap it: no rebinding),
verifies TLS against the host name, follows redirects only within the same origin, and enforces a
total deadline and a byte cap while streaming. Host-name lookup itself (`getaddrinfo`) cannot be
interrupted by the deadline; the system resolver's own timeout applies to it.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import orjson

from microdegree.vc._ttlcache import TTLCache
from microdegree.vc.errors import FetchError

DEFAULT_USER_AGENT = "microdegree-verifier/1.0"
_CHUNK = 65536
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class HTTPStatusError(FetchError):
    """The server answered with a non-2xx status (`code` FETCH_HTTP_ERROR)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message, code="FETCH_HTTP_ERROR")
        self.status = status


@dataclass
class FetchResponse:
    url: str
    status: int
    content_type: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        """The body parsed as JSON; FetchError FETCH_INVALID_JSON if it is not JSON."""
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError as exc:
            raise FetchError(f"{self.url} did not return JSON: {exc}",
                             code="FETCH_INVALID_JSON") from exc


class Fetcher(Protocol):
    def get(self, url: str, *, accept: str = "application/json") -> FetchResponse: ...


def is_public_address(ip: IPAddress | str) -> bool:
    """True iff `ip` is a globally routable unicast address (the only kind fetched by default).

    Refused: private, loopback, link-local, multicast, reserved, unspecified, CGNAT
    (100.64.0.0/10), site-local, documentation/benchmark ranges, and IPv6 forms that embed a
    refused IPv4 address (IPv4-mapped, 6to4, NAT64, Teredo).
    """
    addr = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.scope_id:
            return False
        if addr.ipv4_mapped is not None:  # ::ffff:a.b.c.d reaches a.b.c.d and nothing else
            return is_public_address(addr.ipv4_mapped)
        embedded: ipaddress.IPv4Address | None = addr.sixtofour
        if embedded is None and addr in _NAT64:
            embedded = ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
        if embedded is None and addr.teredo is not None:
            embedded = addr.teredo[1]
        if embedded is not None and not is_public_address(embedded):
            return False
        if addr.is_site_local:
            return False
    if isinstance(addr, ipaddress.IPv4Address) and addr in _CGNAT:
        return False
    return not (
        addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_multicast
        or addr.is_reserved or addr.is_unspecified or not addr.is_global
    )


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to a given IP that still speaks (Host, SNI, cert) to `host`."""

    def __init__(self, host: str, port: int, ip: str, timeout: float,
                 context: ssl.SSLContext | None) -> None:
        super().__init__(host, port, timeout=timeout)
        self._ip = ip
        self._context = context

    def connect(self) -> None:
        sock = socket.create_connection((self._ip, self.port), timeout=self.timeout)
        if self._context is not None:
            try:
                sock = self._context.wrap_socket(sock, server_hostname=self.host)
            except BaseException:
                sock.close()
                raise
        self.sock = sock


class SafeFetcher:
    """GET with SSRF guards; see the module docstring. Thread-safe (no shared state)."""

    def __init__(
        self,
        *,
        timeout: float = 5.0,
        max_bytes: int = 2_000_000,
        max_redirects: int = 3,
        allow_private: bool = False,
        allow_http: bool = False,
        user_agent: str = DEFAULT_USER_AGENT,
        verify_tls: bool = True,
        ssl_context: ssl.SSLContext | None = None,
        resolve: Callable[[str, int], list[str]] | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.allow_private = allow_private
        self.allow_http = allow_http
        self.user_agent = user_agent
        if ssl_context is None:
            ssl_context = ssl.create_default_context()
            if not verify_tls:
                ssl_context.check_hostname = False
                ssl_context.verify_mode = ssl.CERT_NONE
        self.ssl_context = ssl_context
        self._resolve = resolve or _getaddrinfo

    # --- public ---------------------------------------------------------------------------

    def get(self, url: str, *, accept: str = "application/json") -> FetchResponse:
        deadline = time.monotonic() + self.timeout
        current = url
        origin = self._origin(url)
        for _ in range(self.max_redirects + 1):
            response, location = self._get_once(current, accept, deadline)
            if location is None:
                assert response is not None
                return response
            target = urljoin(current, location)
            if self._origin(target) != origin:
                raise FetchError(f"{current} redirects to another host ({target}).",
                                 code="FETCH_REDIRECT_REFUSED")
            current = target
        raise FetchError(f"{url} redirected more than {self.max_redirects} times.",
                         code="FETCH_TOO_MANY_REDIRECTS")

    def addresses(self, host: str, port: int) -> list[str]:
        """The vetted addresses of `host`; FETCH_ADDRESS_REFUSED if any of them is not public."""
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            try:
                found = self._resolve(host, port)
            except OSError as exc:
                raise FetchError(f"{host} could not be resolved: {exc}",
                                 code="FETCH_DNS_ERROR") from exc
        else:
            found = [str(literal)]
        if not found:
            raise FetchError(f"{host} has no address.", code="FETCH_DNS_ERROR")
        if not self.allow_private:
            for ip in found:
                if not is_public_address(ip):
                    raise FetchError(f"{host} resolves to the non-public address {ip}.",
                                     code="FETCH_ADDRESS_REFUSED")
        return found

    # --- internals ------------------------------------------------------------------------

    def _origin(self, url: str) -> tuple[str, str, int]:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise FetchError(f"{url!r} is not a valid URL.", code="FETCH_URL_INVALID") from exc
        scheme = parts.scheme.lower()
        if scheme not in {"https", "http"} or (scheme == "http" and not self.allow_http):
            raise FetchError(f"Only https URLs are fetched, not {url!r}.",
                             code="FETCH_SCHEME_REFUSED")
        if not parts.hostname:
            raise FetchError(f"{url!r} has no host.", code="FETCH_URL_INVALID")
        if parts.username is not None or parts.password is not None:
            raise FetchError("URLs with credentials are not fetched.", code="FETCH_URL_INVALID")
        default = 443 if scheme == "https" else 80
        return scheme, parts.hostname.lower(), port or default

    def _remaining(self, deadline: float, url: str) -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise FetchError(f"{url} took longer than {self.timeout} s.", code="FETCH_TIMEOUT")
        return left

    def _get_once(
        self, url: str, accept: str, deadline: float
    ) -> tuple[FetchResponse | None, str | None]:
        scheme, host, port = self._origin(url)
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        context = self.ssl_context if scheme == "https" else None
        last_error: OSError | None = None
        for ip in self.addresses(host, port):
            conn = _PinnedConnection(host, port, ip, self._remaining(deadline, url), context)
            try:
                return self._exchange(conn, url, target, accept, deadline)
            except TimeoutError as exc:
                raise FetchError(f"{url} took longer than {self.timeout} s.",
                                 code="FETCH_TIMEOUT") from exc
            except ssl.SSLError as exc:
                raise FetchError(f"TLS with {host} failed: {exc}", code="FETCH_TLS_ERROR") from exc
            except (ConnectionRefusedError, ConnectionResetError, OSError) as exc:
                last_error = exc
                if isinstance(exc, ConnectionRefusedError):
                    continue
                raise FetchError(f"{url} could not be fetched: {exc}",
                                 code="FETCH_FAILED") from exc
            except http.client.HTTPException as exc:
                raise FetchError(f"{url} sent a malformed response: {exc}",
                                 code="FETCH_FAILED") from exc
            finally:
                conn.close()
        raise FetchError(f"{url} could not be fetched: {last_error}", code="FETCH_FAILED")

    def _exchange(
        self, conn: _PinnedConnection, url: str, target: str, accept: str, deadline: float
    ) -> tuple[FetchResponse | None, str | None]:
        conn.request("GET", target, headers={
            "Accept": accept,
            "Accept-Encoding": "identity",
            "User-Agent": self.user_agent,
            "Connection": "close",
        })
        if conn.sock is not None:
            conn.sock.settimeout(self._remaining(deadline, url))
        resp = conn.getresponse()
        try:
            headers = {k.lower(): v for k, v in resp.getheaders()}
            if resp.status in _REDIRECTS and "location" in headers:
                return None, headers["location"]
            if not 200 <= resp.status < 300:
                raise HTTPStatusError(f"{url} answered HTTP {resp.status}.", status=resp.status)
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise FetchError(f"{url} is larger than {self.max_bytes} bytes.",
                                 code="FETCH_TOO_LARGE")
            chunks: list[bytes] = []
            size = 0
            while True:
                if conn.sock is not None:
                    conn.sock.settimeout(self._remaining(deadline, url))
                chunk = resp.read1(_CHUNK) if hasattr(resp, "read1") else resp.read(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(f"{url} is larger than {self.max_bytes} bytes.",
                                     code="FETCH_TOO_LARGE")
                chunks.append(chunk)
                self._remaining(deadline, url)
        finally:
            resp.close()
        content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        return FetchResponse(url=url, status=resp.status, content_type=content_type,
                             body=b"".join(chunks), headers=headers), None


def _getaddrinfo(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for info in infos:
        ip = str(info[4][0]).split("%", 1)[0] if info[0] == socket.AF_INET6 else str(info[4][0])
        if ip not in seen:
            seen.append(ip)
    return seen


class CachingFetcher:
    """Caches successful GETs (LRU, `max_entries`) for `ttl_seconds`, or a per-URL `set_ttl`."""

    def __init__(
        self,
        inner: Fetcher,
        ttl_seconds: float = 300,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = 1024,
    ) -> None:
        self._inner = inner
        self._ttl = ttl_seconds
        self._clock = clock
        # (url, accept) -> response; per-URL ttl overrides, bounded the same way
        self._cache: TTLCache[tuple[str, str], FetchResponse] = TTLCache(max_entries)
        self._ttl_overrides: TTLCache[str, float] = TTLCache(max_entries)

    def set_ttl(self, url: str, seconds: float) -> None:
        """Keep `url` for `seconds` after it was fetched (e.g. a status list's `ttl`)."""
        self._ttl_overrides.put(url, seconds, 0.0, float("inf"))

    def get(self, url: str, *, accept: str = "application/json") -> FetchResponse:
        key = (url, accept)
        now = self._clock()
        ttl = self._ttl_overrides.get(url, 0.0)
        ttl = self._ttl if ttl is None else ttl
        hit = self._cache.get(key, now, ttl)
        if hit is not None:
            return hit
        response = self._inner.get(url, accept=accept)
        self._cache.put(key, response, now, ttl)
        return response

"""Outbound HTTP for DID documents, key URLs, status lists and the OB API client, guarded
against SSRF.

`SafeFetcher` resolves the host once, refuses non-public addresses (unless `allow_private`),
connects to the vetted address itself (so a second DNS answer cannot swap it: no rebinding),
verifies TLS against the host name, and enforces a total deadline (per read, too) and a byte cap
on the declared and on the streamed length. `get` follows redirects only within the same origin
and raises `HTTPStatusError` on a non-2xx answer; `request` sends any method with a body and
extra headers, follows no redirect and returns the answer whatever its status.

`http_hosts` names loopback hosts (`localhost`, `localhost:8000`) reached over plain http, a
local demo or test server: an https URL for such a host (a did:web always means https) is fetched
over http, and its addresses must be loopback. Every other host keeps every guard.

Host-name lookup (`getaddrinfo`, or the injected `resolve`) runs in a small shared thread pool
and is waited for only until the deadline: a hanging resolver costs the caller at most its
timeout (the lookup thread itself ends when the system resolver gives up).
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import orjson

from microdegree.vc._ttlcache import TTLCache
from microdegree.vc.errors import FetchError
from microdegree.vc.urls import UrlError, parse_url

DEFAULT_USER_AGENT = "microdegree-verifier/1.0"
_CHUNK = 65536
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Set by the fetcher whatever the caller passes (Content-Length comes from the body).
_GUARDED_HEADERS = frozenset(
    {"accept-encoding", "connection", "host", "content-length", "transfer-encoding"}
)
_METHOD = re.compile(r"[A-Z]{1,16}")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}")  # an RFC 9110 token
_HEADER_VALUE = re.compile(r"[\x20-\x7e\t]{0,8000}")  # printable ASCII: no CR, LF, NUL

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_HOST_PORT = re.compile(
    r"^(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9.\-]+))(?::(?P<port>\d{1,5}))?$"
)


def parse_http_host(value: str) -> tuple[str, int | None]:
    """`HOST[:PORT]` of a loopback host for `SafeFetcher(http_hosts=...)`; ValueError otherwise.

    Accepted hosts: `localhost`, a name under `.localhost`, or a loopback address (127.0.0.0/8,
    `[::1]`); the port, when given, is the only one allowed.
    """
    match = _HOST_PORT.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{value!r} is not HOST or HOST:PORT.")
    host = (match["v6"] or match["name"]).lower().rstrip(".")
    port = int(match["port"]) if match["port"] else None
    if port is not None and not 0 < port < 65536:
        raise ValueError(f"{value!r} has no valid port.")
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost" or host.endswith(".localhost")
    if not loopback:
        raise ValueError(f"{host!r} is not a loopback host (localhost, 127.0.0.1, [::1]); "
                         "plain http is allowed for those only.")
    return host, port


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
    """HTTP with SSRF guards; see the module docstring. Thread-safe (no shared mutable state
    but the host-name lookup pool)."""

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
        http_hosts: Iterable[str] = (),
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
        #: loopback (host, port or None for any port) fetched over plain http (`parse_http_host`)
        self.http_hosts = frozenset(parse_http_host(h) for h in http_hosts)

    # --- public ---------------------------------------------------------------------------

    def get(self, url: str, *, accept: str = "application/json") -> FetchResponse:
        """GET `url`, following same-origin redirects; HTTPStatusError on a non-2xx answer."""
        deadline = time.monotonic() + self.timeout
        current = url
        origin = self._origin(url)
        headers = self._headers(accept, None)
        for _ in range(self.max_redirects + 1):
            response, location = self._once("GET", current, b"", headers, deadline, strict=True)
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

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        accept: str = "application/json",
    ) -> FetchResponse:
        """One `method` request to `url` with every guard of `get`; no redirect is followed.

        The response is returned whatever its status (a 3xx or 4xx too): the caller reads
        `status`. `headers` are sent as well (e.g. Authorization, Content-Type; an Accept or
        User-Agent among them replaces the default); Accept-Encoding, Connection, Host,
        Content-Length and Transfer-Encoding are the fetcher's own and are ignored.
        """
        deadline = time.monotonic() + self.timeout
        if not _METHOD.fullmatch(method):
            raise FetchError(f"{method!r} is not an HTTP method this fetcher sends.",
                             code="FETCH_METHOD_INVALID")
        sent = self._headers(accept, headers)
        response, _ = self._once(method, url, body, sent, deadline, strict=False)
        assert response is not None
        return response

    def addresses(self, host: str, port: int, *, deadline: float | None = None) -> list[str]:
        """The vetted addresses of `host`; FETCH_ADDRESS_REFUSED if any of them is not public.

        The lookup is given up at `deadline` (a `time.monotonic()` value; by default the
        fetcher's timeout from now) with FETCH_TIMEOUT.
        """
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            if deadline is None:
                deadline = time.monotonic() + self.timeout
            found = self._lookup(host, port, deadline)
        else:
            found = [str(literal)]
        if not found:
            raise FetchError(f"{host} has no address.", code="FETCH_DNS_ERROR")
        if self._plain_http(host, port):
            for ip in found:
                if not ipaddress.ip_address(ip).is_loopback:
                    raise FetchError(f"{host} resolves to {ip}, not a loopback address.",
                                     code="FETCH_ADDRESS_REFUSED")
        elif not self.allow_private:
            for ip in found:
                if not is_public_address(ip):
                    raise FetchError(f"{host} resolves to the non-public address {ip}.",
                                     code="FETCH_ADDRESS_REFUSED")
        return found

    # --- internals ------------------------------------------------------------------------

    def _lookup(self, host: str, port: int, deadline: float) -> list[str]:
        """Resolve on a daemon thread of its own, given up at the deadline: a lookup that
        hangs (a slow or hostile nameserver) holds only its own thread, never other lookups,
        and never the interpreter's exit."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise FetchError(f"Resolving {host} took longer than {self.timeout} s.",
                             code="FETCH_TIMEOUT")
        answer: list[list[str] | OSError] = []

        def resolve() -> None:
            try:
                answer.append(self._resolve(host, port))
            except OSError as exc:
                answer.append(exc)

        thread = threading.Thread(target=resolve, name="safefetch-dns", daemon=True)
        thread.start()
        thread.join(left)
        if not answer:
            raise FetchError(f"Resolving {host} took longer than {self.timeout} s.",
                             code="FETCH_TIMEOUT")
        if isinstance(answer[0], OSError):
            raise FetchError(f"{host} could not be resolved: {answer[0]}",
                             code="FETCH_DNS_ERROR") from answer[0]
        return answer[0]

    def _headers(self, accept: str, extra: Mapping[str, str] | None) -> dict[str, str]:
        sent = {"Accept": accept, "Accept-Encoding": "identity", "User-Agent": self.user_agent,
                "Connection": "close"}
        for name, value in (extra or {}).items():
            key = name.lower()
            if key in _GUARDED_HEADERS:
                continue
            if not _HEADER_NAME.fullmatch(name) or not _HEADER_VALUE.fullmatch(value):
                # (the value is not echoed: it may be a token)
                raise FetchError(f"The {name!r} header has a value that cannot be sent.",
                                 code="FETCH_HEADER_INVALID")
            for old in [old for old in sent if old.lower() == key]:
                del sent[old]
            sent[name] = value
        return sent

    def _plain_http(self, host: str, port: int) -> bool:
        host = host.lower().strip("[]")
        return (host, port) in self.http_hosts or (host, None) in self.http_hosts

    def _origin(self, url: str) -> tuple[str, str, int]:
        try:
            parsed = parse_url(url, what="The URL")
        except UrlError as exc:
            if exc.code == "URL_SCHEME_REFUSED":
                raise FetchError(f"Only https URLs are fetched, not {url!r}.",
                                 code="FETCH_SCHEME_REFUSED") from exc
            raise FetchError(exc.message, code="FETCH_URL_INVALID") from exc
        if parsed.has_userinfo:  # (parse_url refuses them; kept for clarity)
            raise FetchError("URLs with credentials are not fetched.", code="FETCH_URL_INVALID")
        scheme, host, port = parsed.scheme, parsed.host.lower(), parsed.port
        default = 443 if scheme == "https" else 80
        if self.http_hosts and self._plain_http(host, port or default):
            return "http", host, port or 80  # a named loopback host: plain http, even for https
        if scheme == "http" and not self.allow_http:
            raise FetchError(f"Only https URLs are fetched, not {url!r}.",
                             code="FETCH_SCHEME_REFUSED")
        return scheme, host, port or default

    def _remaining(self, deadline: float, url: str) -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise FetchError(f"{url} took longer than {self.timeout} s.", code="FETCH_TIMEOUT")
        return left

    def _once(
        self, method: str, url: str, body: bytes, headers: Mapping[str, str], deadline: float,
        *, strict: bool,
    ) -> tuple[FetchResponse | None, str | None]:
        """One exchange with the first vetted address that accepts the connection.

        `strict` (the `get` way): a redirect gives (None, location) and a non-2xx answer raises
        HTTPStatusError; otherwise every answer is returned as it is.
        """
        scheme, host, port = self._origin(url)
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        context = self.ssl_context if scheme == "https" else None
        last_error: OSError | None = None
        for ip in self.addresses(host, port, deadline=deadline):
            conn = _PinnedConnection(host, port, ip, self._remaining(deadline, url), context)
            try:
                return self._exchange(conn, method, url, target, body, headers, deadline,
                                      strict=strict)
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
            except ValueError as exc:  # (UnicodeEncodeError too) a target http.client refuses
                raise FetchError(f"{url!r} cannot be requested: {exc}",
                                 code="FETCH_URL_INVALID") from exc
            finally:
                conn.close()
        raise FetchError(f"{url} could not be fetched: {last_error}", code="FETCH_FAILED")

    def _exchange(
        self, conn: _PinnedConnection, method: str, url: str, target: str, body: bytes,
        sent: Mapping[str, str], deadline: float, *, strict: bool,
    ) -> tuple[FetchResponse | None, str | None]:
        conn.request(method, target, body=body or None, headers=dict(sent))
        if conn.sock is not None:
            conn.sock.settimeout(self._remaining(deadline, url))
        resp = conn.getresponse()
        try:
            headers = {k.lower(): v for k, v in resp.getheaders()}
            if strict and resp.status in _REDIRECTS and "location" in headers:
                return None, headers["location"]
            if strict and not 200 <= resp.status < 300:
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

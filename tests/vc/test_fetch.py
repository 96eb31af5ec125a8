"""SafeFetcher against real servers on 127.0.0.1: SSRF guard, redirects, caps, deadline, TLS."""

from __future__ import annotations

import datetime
import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from microdegree.vc.errors import FetchError
from microdegree.vc.fetch import (
    CachingFetcher,
    FetchResponse,
    HTTPStatusError,
    SafeFetcher,
    is_public_address,
)

Route = Callable[[BaseHTTPRequestHandler, "Server"], None]


# --- a tiny real server -----------------------------------------------------------------------


class Server:
    """A threaded HTTP(S) server on 127.0.0.1 whose paths map to route functions."""

    def __init__(self, routes: Mapping[str, Route] | None = None,
                 tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.hits: list[tuple[str, dict[str, str]]] = []
        # (method, path, raw header lines, body) of every request, for `request` tests
        self.requests: list[tuple[str, str, list[tuple[str, str]], bytes]] = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def handle_any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.requests.append((self.command, self.path, list(self.headers.items()),
                                        body))
                server.hits.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path.split("?", 1)[0])
                if route is None:
                    send(self, 404, b"not here", "text/plain")
                else:
                    route(self, server)

            do_GET = do_POST = do_PUT = do_DELETE = handle_any

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.tls = tls is not None
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}{path}"

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str,
         headers: Mapping[str, str] | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def json_route(doc: Any, content_type: str = "application/json") -> Route:
    def route(handler: BaseHTTPRequestHandler, server: Server) -> None:
        send(handler, 200, json.dumps(doc).encode(), content_type)
    return route


def redirect_route(location: str | Callable[[Server], str], status: int = 302) -> Route:
    def route(handler: BaseHTTPRequestHandler, server: Server) -> None:
        target = location(server) if callable(location) else location
        send(handler, status, b"", "text/plain", {"Location": target})
    return route


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    yield srv
    srv.close()


def local_fetcher(**kwargs: Any) -> SafeFetcher:
    options: dict[str, Any] = {"allow_private": True, "allow_http": True, "timeout": 2.0}
    options.update(kwargs)
    return SafeFetcher(**options)


# --- address classifier -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "ip",
    [
        "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
        "169.254.169.254", "100.64.0.1", "100.127.255.254", "0.0.0.0", "224.0.0.1",
        "239.255.255.250", "240.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1",
        "::1", "::", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1", "fec0::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
        "2002:7f00:1::", "2002:a00:1::", "64:ff9b::a00:1", "64:ff9b::7f00:1", "2001:db8::1",
    ],
)
def test_non_public_addresses_refused(ip: str) -> None:
    assert not is_public_address(ip)
    assert not is_public_address(ipaddress.ip_address(ip))


@pytest.mark.parametrize(
    "ip", ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8",
           "2002:808:808::", "100.128.0.1", "172.32.0.1"],
)
def test_public_addresses_allowed(ip: str) -> None:
    assert is_public_address(ip)


# --- refusals before any connection -----------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:{port}/doc", "http://localhost:{port}/doc",
            "http://[::1]:{port}/doc", "http://10.0.0.1:{port}/doc",
            "http://169.254.169.254/latest/meta-data/", "http://[fc00::1]/x",
            "http://[::ffff:127.0.0.1]:{port}/doc"],
)
def test_private_targets_refused_end_to_end(server: Server, url: str) -> None:
    server.routes["/doc"] = json_route({"secret": True})
    fetcher = SafeFetcher(allow_http=True, timeout=0.5)
    with pytest.raises(FetchError) as info:
        fetcher.get(url.format(port=server.port))
    assert info.value.code == "FETCH_ADDRESS_REFUSED"
    assert server.hits == []


def test_any_private_answer_refuses_the_host(server: Server) -> None:
    """A name with one public and one private address is refused as a whole."""
    fetcher = SafeFetcher(allow_http=True, resolve=lambda host, port: ["8.8.8.8", "127.0.0.1"])
    with pytest.raises(FetchError) as info:
        fetcher.get(f"http://mixed.example:{server.port}/doc")
    assert info.value.code == "FETCH_ADDRESS_REFUSED"


def test_connects_to_the_vetted_address_and_keeps_the_host_name(server: Server) -> None:
    """The address checked is the address used: the name is resolved once, then pinned."""
    server.routes["/doc"] = json_route({"ok": 1})
    calls: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["127.0.0.1"]

    response = local_fetcher(resolve=resolve).get(f"http://issuer.example:{server.port}/doc")
    assert response.json() == {"ok": 1}
    assert calls == ["issuer.example"]
    assert server.hits[0][1]["host"] == f"issuer.example:{server.port}"


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://example.com/did.json", "FETCH_SCHEME_REFUSED"),
        ("ftp://example.com/did.json", "FETCH_SCHEME_REFUSED"),
        ("file:///etc/passwd", "FETCH_SCHEME_REFUSED"),
        ("https://user:pw@example.com/", "FETCH_URL_INVALID"),
        ("https:///nohost", "FETCH_URL_INVALID"),
        ("https://example.com:99999/", "FETCH_URL_INVALID"),
    ],
)
def test_bad_urls_refused(url: str, code: str) -> None:
    with pytest.raises(FetchError) as info:
        SafeFetcher().get(url)
    assert info.value.code == code


def test_http_refused_unless_allowed(server: Server) -> None:
    server.routes["/doc"] = json_route({"a": 1})
    with pytest.raises(FetchError) as info:
        SafeFetcher(allow_private=True).get(server.url("/doc"))
    assert info.value.code == "FETCH_SCHEME_REFUSED"
    assert server.hits == []
    assert local_fetcher().get(server.url("/doc")).json() == {"a": 1}


# --- fetching ---------------------------------------------------------------------------------


def test_allowed_fetch_returns_body_and_headers(server: Server) -> None:
    server.routes["/did.json"] = json_route({"id": "x"}, "application/did+json; charset=utf-8")
    response = local_fetcher(user_agent="test-agent").get(
        server.url("/did.json?v=1"), accept="application/did+json"
    )
    assert isinstance(response, FetchResponse)
    assert response.status == 200
    assert response.json() == {"id": "x"}
    assert response.content_type == "application/did+json"
    assert response.headers["content-type"].startswith("application/did+json")
    path, headers = server.hits[0]
    assert path == "/did.json?v=1"
    assert headers["accept"] == "application/did+json"
    assert headers["user-agent"] == "test-agent"


def test_http_error_status(server: Server) -> None:
    with pytest.raises(HTTPStatusError) as info:
        local_fetcher().get(server.url("/missing"))
    assert info.value.code == "FETCH_HTTP_ERROR"
    assert info.value.status == 404


def test_invalid_json_body(server: Server) -> None:
    server.routes["/x"] = lambda h, s: send(h, 200, b"<html>", "text/html")
    response = local_fetcher().get(server.url("/x"))
    with pytest.raises(FetchError) as info:
        response.json()
    assert info.value.code == "FETCH_INVALID_JSON"


def test_connection_refused(server: Server) -> None:
    port = server.port
    server.close()
    with pytest.raises(FetchError) as info:
        local_fetcher().get(f"http://127.0.0.1:{port}/")
    assert info.value.code == "FETCH_FAILED"


# --- redirects --------------------------------------------------------------------------------


def test_same_host_redirect_followed(server: Server) -> None:
    server.routes["/old"] = redirect_route("/new", 301)
    server.routes["/new"] = json_route({"moved": True})
    response = local_fetcher().get(server.url("/old"))
    assert response.json() == {"moved": True}
    assert response.url == server.url("/new")
    assert [p for p, _ in server.hits] == ["/old", "/new"]


def test_redirect_to_another_host_refused(server: Server) -> None:
    server.routes["/old"] = redirect_route(lambda s: s.url("/new", host="localhost"))
    server.routes["/new"] = json_route({"moved": True})
    with pytest.raises(FetchError) as info:
        local_fetcher().get(server.url("/old"))
    assert info.value.code == "FETCH_REDIRECT_REFUSED"
    assert [p for p, _ in server.hits] == ["/old"]


def test_redirect_to_metadata_service_refused(server: Server) -> None:
    server.routes["/old"] = redirect_route("http://169.254.169.254/latest/meta-data/")
    with pytest.raises(FetchError) as info:
        local_fetcher().get(server.url("/old"))
    assert info.value.code == "FETCH_REDIRECT_REFUSED"


def test_redirect_limit(server: Server) -> None:
    server.routes["/loop"] = redirect_route("/loop")
    with pytest.raises(FetchError) as info:
        local_fetcher(max_redirects=2).get(server.url("/loop"))
    assert info.value.code == "FETCH_TOO_MANY_REDIRECTS"
    assert len(server.hits) == 3


# --- size and time ----------------------------------------------------------------------------


def test_declared_size_over_cap(server: Server) -> None:
    server.routes["/big"] = lambda h, s: send(h, 200, b"x" * 5000, "application/json")
    with pytest.raises(FetchError) as info:
        local_fetcher(max_bytes=1000).get(server.url("/big"))
    assert info.value.code == "FETCH_TOO_LARGE"
    assert len(local_fetcher(max_bytes=5000).get(server.url("/big")).body) == 5000


def test_streamed_size_over_cap_without_length(server: Server) -> None:
    def endless(handler: BaseHTTPRequestHandler, srv: Server) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.end_headers()
        try:
            for _ in range(200):
                handler.wfile.write(b"y" * 10_000)
        except OSError:
            pass

    server.routes["/stream"] = endless
    with pytest.raises(FetchError) as info:
        local_fetcher(max_bytes=50_000).get(server.url("/stream"))
    assert info.value.code == "FETCH_TOO_LARGE"


# Each slow-server test runs through `get` and through `request` (same deadline and reads).
FETCHES = {
    "get": lambda fetcher, url: fetcher.get(url),
    "request": lambda fetcher, url: fetcher.request("POST", url, body=b"x"),
}


def _trickle(handler: BaseHTTPRequestHandler, srv: Server) -> None:
    """One byte every 0.05 s: each within the socket timeout, the whole body not."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.end_headers()
    try:
        for _ in range(40):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            if srv.release.wait(0.05):
                return
    except OSError:
        pass


@pytest.mark.parametrize("how", FETCHES)
def test_silent_server_times_out(server: Server, how: str) -> None:
    server.routes["/slow"] = lambda h, s: (s.release.wait(3), send(h, 200, b"{}", "text/plain"))
    with pytest.raises(FetchError) as info:
        FETCHES[how](local_fetcher(timeout=0.3), server.url("/slow"))
    assert info.value.code == "FETCH_TIMEOUT"


@pytest.mark.parametrize("how", FETCHES)
def test_trickling_server_hits_the_total_deadline(server: Server, how: str) -> None:
    """Each byte arrives well within the socket timeout, but the whole body does not."""
    server.routes["/trickle"] = _trickle
    with pytest.raises(FetchError) as info:
        FETCHES[how](local_fetcher(timeout=0.4), server.url("/trickle"))
    assert info.value.code == "FETCH_TIMEOUT"


# --- TLS --------------------------------------------------------------------------------------


def make_cert(tmp: Path, name: str) -> tuple[Path, Path, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_path, key_path = tmp / f"{name}.crt", tmp / f"{name}.key"
    cert_path.write_bytes(pem)
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))
    return cert_path, key_path, pem


def tls_server(tmp: Path, name: str) -> tuple[Server, ssl.SSLContext]:
    cert_path, key_path, pem = make_cert(tmp, name)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert_path, key_path)
    client_ctx = ssl.create_default_context(cadata=pem.decode())
    return Server(tls=server_ctx), client_ctx


def pin_localhost(host: str, port: int) -> list[str]:
    assert host == "localhost"
    return ["127.0.0.1"]


@pytest.fixture
def tls_localhost(tmp_path: Path) -> Iterator[tuple[Server, ssl.SSLContext]]:
    srv, ctx = tls_server(tmp_path, "localhost")
    yield srv, ctx
    srv.close()


def test_tls_fetch_with_trusted_certificate(tls_localhost: tuple[Server, ssl.SSLContext]) -> None:
    srv, ctx = tls_localhost
    srv.routes["/.well-known/did.json"] = json_route({"id": "did:web:localhost"})
    fetcher = SafeFetcher(allow_private=True, ssl_context=ctx, resolve=pin_localhost, timeout=2)
    response = fetcher.get(srv.url("/.well-known/did.json", host="localhost"))
    assert response.json() == {"id": "did:web:localhost"}


def test_tls_untrusted_certificate_refused(tls_localhost: tuple[Server, ssl.SSLContext]) -> None:
    srv, _ = tls_localhost
    srv.routes["/x"] = json_route({})
    fetcher = SafeFetcher(allow_private=True, resolve=pin_localhost, timeout=2)
    with pytest.raises(FetchError) as info:
        fetcher.get(srv.url("/x", host="localhost"))
    assert info.value.code == "FETCH_TLS_ERROR"
    assert srv.hits == []
    insecure = SafeFetcher(allow_private=True, resolve=pin_localhost, timeout=2,
                           verify_tls=False)
    assert insecure.get(srv.url("/x", host="localhost")).json() == {}


def test_tls_certificate_for_another_name_refused(tmp_path: Path) -> None:
    srv, ctx = tls_server(tmp_path, "other.example")
    try:
        srv.routes["/x"] = json_route({})
        fetcher = SafeFetcher(allow_private=True, ssl_context=ctx, resolve=pin_localhost,
                              timeout=2)
        with pytest.raises(FetchError) as info:
            fetcher.get(srv.url("/x", host="localhost"))
        assert info.value.code == "FETCH_TLS_ERROR"
    finally:
        srv.close()


# --- caching ----------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_caching_fetcher_ttl_and_override(server: Server) -> None:
    server.routes["/list"] = json_route({"n": 1})
    server.routes["/other"] = json_route({"n": 2})
    clock = Clock()
    cache = CachingFetcher(local_fetcher(), ttl_seconds=60, clock=clock)
    assert cache.get(server.url("/list")).json() == {"n": 1}
    clock.now += 59
    cache.get(server.url("/list"))
    assert len(server.hits) == 1
    clock.now += 2
    cache.get(server.url("/list"))
    assert len(server.hits) == 2
    cache.set_ttl(server.url("/other"), 5)
    cache.get(server.url("/other"))
    clock.now += 6
    cache.get(server.url("/other"))
    assert [p for p, _ in server.hits].count("/other") == 2


def test_caching_fetcher_does_not_cache_errors_and_bounds_entries(server: Server) -> None:
    clock = Clock()
    cache = CachingFetcher(local_fetcher(), ttl_seconds=60, clock=clock, max_entries=2)
    for _ in range(2):
        with pytest.raises(FetchError):
            cache.get(server.url("/gone"))
    assert len(server.hits) == 2
    for name in ("a", "b", "c"):
        server.routes[f"/{name}"] = json_route(name)
        cache.get(server.url(f"/{name}"))
    cache.get(server.url("/a"))  # evicted (oldest) -> fetched again
    cache.get(server.url("/c"))  # still cached
    assert [p for p, _ in server.hits][2:] == ["/a", "/b", "/c", "/a"]


# --- request: any method, no redirects, the answer whatever its status ------------------------


def header_values(raw: list[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in raw if key.lower() == name]


def test_request_post_sends_method_body_and_headers(server: Server) -> None:
    server.routes["/token"] = lambda h, s: send(h, 201, b'{"access_token": "t"}',
                                                "application/json")
    response = local_fetcher(user_agent="test-agent").request(
        "POST", server.url("/token?x=1"), body=b"grant_type=code&code=abc",
        headers={"Authorization": "Bearer secret",
                 "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 201
    assert response.json() == {"access_token": "t"}
    assert response.content_type == "application/json"
    method, path, raw, body = server.requests[0]
    assert (method, path, body) == ("POST", "/token?x=1", b"grant_type=code&code=abc")
    assert header_values(raw, "authorization") == ["Bearer secret"]
    assert header_values(raw, "content-type") == ["application/x-www-form-urlencoded"]
    assert header_values(raw, "content-length") == [str(len(body))]
    assert header_values(raw, "accept") == ["application/json"]
    assert header_values(raw, "user-agent") == ["test-agent"]


def test_request_get_without_body(server: Server) -> None:
    server.routes["/credentials"] = json_route({"credentials": []})
    response = local_fetcher().request("GET", server.url("/credentials"),
                                       headers={"Authorization": "Bearer t"})
    assert response.json() == {"credentials": []}
    method, _, raw, body = server.requests[0]
    assert (method, body) == ("GET", b"")
    assert header_values(raw, "content-length") == []


def test_request_guard_headers_cannot_be_overridden(server: Server) -> None:
    server.routes["/x"] = json_route({})
    fetcher = local_fetcher(resolve=lambda host, port: ["127.0.0.1"])
    fetcher.request("POST", f"http://issuer.example:{server.port}/x", body=b"abc", headers={
        "Host": "internal.example", "accept-encoding": "gzip", "CONNECTION": "keep-alive",
        "Content-Length": "999", "Transfer-Encoding": "chunked", "accept": "text/plain",
    })
    _, _, raw, body = server.requests[0]
    assert body == b"abc"
    assert header_values(raw, "host") == [f"issuer.example:{server.port}"]
    assert header_values(raw, "accept-encoding") == ["identity"]
    assert header_values(raw, "connection") == ["close"]
    assert header_values(raw, "content-length") == ["3"]
    assert header_values(raw, "transfer-encoding") == []
    assert header_values(raw, "accept") == ["text/plain"]  # not a guard: replaced, once


@pytest.mark.parametrize("method", ["get", "POST\r\nX-Injected: 1", "", "PO ST"])
def test_request_bad_method_refused(server: Server, method: str) -> None:
    with pytest.raises(FetchError) as info:
        local_fetcher().request(method, server.url("/x"))
    assert info.value.code == "FETCH_METHOD_INVALID"
    assert server.requests == []


@pytest.mark.parametrize("headers", [
    {"Authorization": "Bearer a\r\nX-Evil: 1"},  # a token with a line break
    {"Authorization": "Bearer t\u00e9"},  # outside ASCII
    {"Bad Name": "x"},
])
def test_request_header_that_cannot_be_sent_is_refused(server: Server, headers) -> None:
    """A remote host's token goes into a header: one that cannot be sent is a FetchError
    (never a ValueError from http.client), and the value is not echoed."""
    with pytest.raises(FetchError) as info:
        local_fetcher().request("GET", server.url("/x"), headers=headers)
    assert info.value.code == "FETCH_HEADER_INVALID"
    assert "Evil" not in str(info.value)
    assert server.requests == []


@pytest.mark.parametrize("how", ["url", "redirect"])
def test_a_target_http_client_refuses_is_a_fetch_error(server: Server, how: str) -> None:
    server.routes["/moved"] = lambda h, s: send(h, 302, b"", "text/plain",
                                                {"Location": "/caf\u00e9"})
    url = server.url("/caf\u00e9") if how == "url" else server.url("/moved")
    with pytest.raises(FetchError) as info:
        local_fetcher().get(url)
    assert info.value.code == "FETCH_URL_INVALID"


def test_request_returns_client_errors(server: Server) -> None:
    server.routes["/register"] = lambda h, s: send(h, 400, b'{"error": "invalid_client"}',
                                                   "application/json")
    response = local_fetcher().request("POST", server.url("/register"), body=b"{}")
    assert response.status == 400
    assert response.json() == {"error": "invalid_client"}
    missing = local_fetcher().request("GET", server.url("/missing"))
    assert (missing.status, missing.body) == (404, b"not here")


def test_request_does_not_follow_redirects(server: Server) -> None:
    server.routes["/old"] = redirect_route("/new", 302)
    server.routes["/new"] = json_route({"moved": True})
    response = local_fetcher().request("POST", server.url("/old"), body=b"x")
    assert response.status == 302
    assert response.headers["location"] == "/new"
    assert [p for p, _ in server.hits] == ["/old"]


def test_request_private_address_refused_unless_allowed(server: Server) -> None:
    server.routes["/x"] = json_route({"secret": True})
    for url in (server.url("/x"), f"http://issuer.example:{server.port}/x"):
        refusing = SafeFetcher(allow_http=True, timeout=0.5,
                               resolve=lambda host, port: ["127.0.0.1"])
        with pytest.raises(FetchError) as info:
            refusing.request("POST", url, body=b"x")
        assert info.value.code == "FETCH_ADDRESS_REFUSED"
    assert server.requests == []
    allowing = local_fetcher(resolve=lambda host, port: ["127.0.0.1"])
    assert allowing.request("POST", f"http://issuer.example:{server.port}/x").status == 200


def test_request_http_refused_unless_allowed(server: Server) -> None:
    server.routes["/x"] = json_route({"a": 1})
    with pytest.raises(FetchError) as info:
        SafeFetcher(allow_private=True).request("POST", server.url("/x"), body=b"x")
    assert info.value.code == "FETCH_SCHEME_REFUSED"
    assert server.requests == []
    assert local_fetcher().request("POST", server.url("/x")).json() == {"a": 1}


def chunked_route(total: int, status: int = 200) -> Route:
    def route(handler: BaseHTTPRequestHandler, srv: Server) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        try:
            for _ in range(total // 10_000):
                handler.wfile.write(b"2710\r\n" + b"z" * 10_000 + b"\r\n")
            handler.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass
    return route


def close_delimited_route(total: int, status: int = 200) -> Route:
    def route(handler: BaseHTTPRequestHandler, srv: Server) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.end_headers()
        try:
            for _ in range(total // 10_000):
                handler.wfile.write(b"y" * 10_000)
        except OSError:
            pass
    return route


def declared_route(total: int, status: int = 200) -> Route:
    return lambda h, s: send(h, status, b"x" * total, "application/json")


@pytest.mark.parametrize("status", [200, 400])
@pytest.mark.parametrize("make", [declared_route, chunked_route, close_delimited_route])
def test_request_body_over_cap(server: Server, make: Callable[[int, int], Route],
                               status: int) -> None:
    server.routes["/big"] = make(200_000, status)
    with pytest.raises(FetchError) as info:
        local_fetcher(max_bytes=50_000).request("POST", server.url("/big"), body=b"q")
    assert info.value.code == "FETCH_TOO_LARGE"
    server.routes["/small"] = make(20_000, status)
    response = local_fetcher(max_bytes=50_000).request("POST", server.url("/small"))
    assert (response.status, len(response.body)) == (status, 20_000)


def test_request_over_tls(tls_localhost: tuple[Server, ssl.SSLContext]) -> None:
    srv, ctx = tls_localhost
    srv.routes["/token"] = json_route({"ok": True})
    fetcher = SafeFetcher(allow_private=True, ssl_context=ctx, resolve=pin_localhost, timeout=2)
    response = fetcher.request("POST", srv.url("/token", host="localhost"), body=b"a=b")
    assert response.json() == {"ok": True}
    assert srv.requests[0][3] == b"a=b"


# --- host-name lookup is bounded by the deadline ----------------------------------------------


@pytest.mark.parametrize("how", ["get", "request"])
def test_hanging_resolver_times_out(server: Server, how: str) -> None:
    release = threading.Event()

    def hang(host: str, port: int) -> list[str]:
        release.wait(5)
        return ["127.0.0.1"]

    fetcher = local_fetcher(timeout=0.3, resolve=hang)
    url = f"http://slow-dns.example:{server.port}/x"
    call: Callable[[], FetchResponse] = (
        (lambda: fetcher.get(url)) if how == "get"
        else (lambda: fetcher.request("POST", url, body=b"x"))
    )
    try:
        with pytest.raises(FetchError) as info:
            call()
    finally:
        release.set()
    assert info.value.code == "FETCH_TIMEOUT"
    assert "slow-dns.example" in info.value.message
    assert server.requests == []


def test_hanging_system_resolver_times_out(server: Server,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The default resolver (socket.getaddrinfo) is bounded the same way."""
    release = threading.Event()
    real = socket.getaddrinfo

    def hang(*args: Any, **kwargs: Any) -> Any:
        release.wait(5)
        return real(*args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", hang)
    try:
        with pytest.raises(FetchError) as info:
            local_fetcher(timeout=0.3).get(f"http://localhost:{server.port}/x")
    finally:
        release.set()
    assert info.value.code == "FETCH_TIMEOUT"


def test_resolver_failure_is_a_dns_error(server: Server) -> None:
    def fail(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(FetchError) as info:
        local_fetcher(resolve=fail).request("GET", "http://nowhere.example/x")
    assert info.value.code == "FETCH_DNS_ERROR"
    with pytest.raises(FetchError) as info:
        local_fetcher(resolve=lambda host, port: []).get("http://nowhere.example/x")
    assert info.value.code == "FETCH_DNS_ERROR"


def test_lookups_work_after_timeouts(server: Server) -> None:
    """Lookups given up on do not block later ones (queued ones are dropped)."""
    server.routes["/x"] = json_route({"ok": 1})
    release = threading.Event()

    def hang(host: str, port: int) -> list[str]:
        release.wait(5)
        return ["127.0.0.1"]

    try:
        for _ in range(3):
            with pytest.raises(FetchError):
                local_fetcher(timeout=0.1, resolve=hang).get(f"http://a.example:{server.port}/x")
    finally:
        release.set()
    fetcher = local_fetcher(resolve=lambda host, port: ["127.0.0.1"])
    assert fetcher.get(f"http://b.example:{server.port}/x").json() == {"ok": 1}

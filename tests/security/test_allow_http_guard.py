"""`--allow-http HOST[:PORT]` (CLI) / `SafeFetcher(http_hosts=...)` opens plain http for the one
named loopback host and nothing else: a credential pointing the verifier at another port, another
loopback name or a private address is still refused (SSRF guard intact). The attacks go over real
HTTP to a recording server on loopback: it must never be hit."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from microdegree import cli
from microdegree.vc import did, proofs
from microdegree.vc.errors import FetchError
from microdegree.vc.fetch import SafeFetcher
from microdegree.vc.keys import Ed25519Key
from tests.samples import sample_credential


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        body = b'{"secret": "internal"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def internal() -> Iterator[int]:
    """An 'internal service' on loopback that records every request."""
    _Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _signed_pointing_at(status_url: str, tmp_path: Path) -> Path:
    key = Ed25519Key.generate()
    issuer = did.did_key(key)
    doc = sample_credential(issuer, status_list=status_url)
    signed = proofs.sign(doc, key, verification_method=f"{issuer}#{key.public_multibase}")
    path = tmp_path / "attack.json"
    path.write_text(json.dumps(signed))
    return path


@pytest.mark.parametrize("target", [
    "http://127.0.0.1:{port}/status/1",  # the same loopback, not by the named name
    "http://localhost:{port}/status/1",  # the named name, another port
    "https://localhost:{port}/status/1",
])
def test_cli_with_allow_http_does_not_fetch_other_loopback_urls(internal, target, tmp_path,
                                                                 capsys):
    path = _signed_pointing_at(target.format(port=internal), tmp_path)
    named = f"localhost:{internal + 1 if internal < 65535 else internal - 1}"
    code = cli.main(["verify", "--json", str(path), "--allow-http", named])
    report = json.loads(capsys.readouterr().out)[0]
    assert _Recorder.hits == []
    assert "STATUS_OK" not in {c["code"] for c in report["checks"]}
    assert code in (cli.EXIT_OK, cli.EXIT_INVALID)


def test_the_named_host_itself_is_fetched(internal, tmp_path, capsys):
    # the control: the recorder is reachable, so the refusals above are the guard's doing
    path = _signed_pointing_at(f"http://localhost:{internal}/status/1", tmp_path)
    cli.main(["verify", "--json", str(path), "--allow-http", f"localhost:{internal}"])
    capsys.readouterr()
    assert _Recorder.hits == ["/status/1"]


def test_fetcher_refuses_everything_but_the_named_loopback_host(internal):
    fetcher = SafeFetcher(http_hosts=[f"localhost:{internal}"], timeout=2)
    assert fetcher.get(f"http://localhost:{internal}/a").json() == {"secret": "internal"}
    # https for the named host is fetched over http (a did:web always says https)
    assert fetcher.get(f"https://localhost:{internal}/b").status == 200
    for url in (f"http://127.0.0.1:{internal}/c", "http://10.0.0.1/", "http://example.org/",
                "http://192.168.1.1:80/", f"http://localhost:{internal + 1}/d"):
        with pytest.raises(FetchError) as excinfo:
            fetcher.get(url)
        assert excinfo.value.code in {"FETCH_SCHEME_REFUSED", "FETCH_ADDRESS_REFUSED"}, url
    assert _Recorder.hits == ["/a", "/b"]


def test_a_named_host_that_resolves_elsewhere_is_refused(internal):
    # "localhost" answered by a hostile resolver with a public or private address
    for answer in ("93.184.216.34", "10.1.2.3"):
        fetcher = SafeFetcher(http_hosts=["localhost"], timeout=2,
                              resolve=lambda host, port, a=answer: [a])
        with pytest.raises(FetchError) as excinfo:
            fetcher.get(f"http://localhost:{internal}/x")
        assert excinfo.value.code == "FETCH_ADDRESS_REFUSED"
    assert _Recorder.hits == []


@pytest.mark.parametrize("value", ["example.org", "10.0.0.1", "[::ffff:10.0.0.1]", "0.0.0.0"])
def test_only_loopback_hosts_can_be_named(value):
    with pytest.raises(ValueError, match="loopback"):
        SafeFetcher(http_hosts=[value])

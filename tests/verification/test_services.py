"""verify_for_people: platform credentials from the database, did:key, and a did:web issuer on
"another host" (a local TLS server) whose status list is cached for its ttl."""

from __future__ import annotations

import json

import pytest

from microdegree.issuing import services as issuing
from microdegree.vc import did
from microdegree.verification import services
from microdegree.verification.bake import bake_png
from microdegree.verification.registry import PLATFORM_REGISTRY
from microdegree.verification.summary import label, verdict
from tests.vc.test_fetch import Server, json_route, tls_server
from tests.verification.helpers import (
    key_credential,
    key_from,
    tiny_png,
    unsigned,
    vc_jwt,
    web_credential,
    web_status_list,
)

pytestmark = pytest.mark.django_db


def _outcomes(report):
    return {c.code: c.outcome.value for c in report.checks}


def test_platform_credential_verifies_from_the_database(issued):
    report = services.verify_for_people(issued.document)
    assert report.verified, [(c.code, c.message) for c in report.checks]
    codes = _outcomes(report)
    assert codes["STATUS_OK"] == "pass"
    assert codes["ISSUER_KNOWN"] == "pass"
    known = next(c for c in report.checks if c.code == "ISSUER_KNOWN")
    assert known.details["registry"] == PLATFORM_REGISTRY
    assert verdict(report) == "Verified"


def test_platform_revocation_shows_at_once(issued):
    assert services.verify_for_people(issued.document).verified
    issuing.revoke(None, issued, "Issued in error")
    report = services.verify_for_people(issued.document)
    assert not report.verified
    assert _outcomes(report)["STATUS_REVOKED"] == "fail"
    assert verdict(report) == "Not verified"


def test_platform_suspension_when_credentials_embed_it(course, settings):
    settings.MICRODEGREE_ISSUING_EMBED_SUSPENSION = True
    cred = issuing.issue_credential(None, course, recipient_email="b@example.org",
                                    send_email=False)
    issuing.suspend(None, cred, "Under review")
    report = services.verify_for_people(cred.document)
    assert not report.verified
    suspended = next(c for c in report.checks if c.code == "STATUS_SUSPENDED")
    assert label(suspended) == "Suspension"
    issuing.unsuspend(None, cred, "Cleared")
    assert services.verify_for_people(cred.document).verified


def test_did_key_credential_is_verified_with_an_unknown_issuer_warning():
    report = services.verify_for_people(json.dumps(key_credential()))
    assert report.verified
    assert _outcomes(report)["ISSUER_UNKNOWN"] == "warn"
    assert verdict(report).startswith("Verified, with warnings: known issuer: The issuer did:key")


def test_did_key_issuer_on_the_operator_list(tmp_path, settings):
    cred = key_credential()
    path = tmp_path / "trusted.json"
    path.write_text(json.dumps([{"id": cred["issuer"]["id"], "name": "Partner Academy"}]))
    settings.MICRODEGREE_TRUSTED_ISSUERS_FILE = str(path)
    report = services.verify_for_people(cred)
    known = next(c for c in report.checks if c.code == "ISSUER_KNOWN")
    assert known.details == {"registry": "operator trusted list (trusted.json)",
                             "issuerName": "Partner Academy"}


def test_tampered_and_unreadable_input():
    cred = key_credential()
    cred["name"] = "Forged"
    report = services.verify_for_people(cred)
    assert not report.verified
    garbage = services.verify_for_people(b"\x00\x01 not a credential")
    assert [c.code for c in garbage.checks] == ["UNRECOGNISED_FORMAT"]


def test_baked_png_and_vc_jwt():
    key = key_from(9)
    cred = key_credential(key)
    report = services.verify_for_people(bake_png(tiny_png(), cred))
    assert report.verified
    jwt_report = services.verify_for_people(vc_jwt(unsigned(cred), key))
    codes = _outcomes(jwt_report)
    assert codes["JWS_SIGNATURE_VALID"] == "pass"
    assert "PROOF_MISSING" not in codes
    assert jwt_report.verified


def test_presentation_lists_each_credential():
    vp = {"@context": ["https://www.w3.org/ns/credentials/v2"],
          "type": ["VerifiablePresentation"],
          "verifiableCredential": [key_credential(key_from(1)), key_credential(key_from(2))]}
    verification = services.verify_input(json.dumps(vp))
    assert verification.summary.kind == "presentation"
    assert len(verification.nested) == 2
    assert verification.nested[0].summary.name == "Data Literacy for Public Policy"
    assert "PRESENTATION_UNSIGNED" in _outcomes(verification.report)


# --- another host over TLS -------------------------------------------------------------------


@pytest.fixture
def other_host(tmp_path, settings):
    srv, _ = tls_server(tmp_path, "localhost")
    settings.MICRODEGREE_VERIFY_ALLOW_PRIVATE = True  # the "other host" is on 127.0.0.1
    settings.MICRODEGREE_VERIFY_CA_FILE = str(tmp_path / "localhost.crt")
    yield srv
    srv.close()


class OtherIssuer:
    def __init__(self, srv: Server, ttl_ms: int | None) -> None:
        self.srv = srv
        self.key = key_from(21)
        self.did = f"did:web:localhost%3A{srv.port}:issuers:ext"
        self.status_url = srv.url("/status/1", host="localhost")
        self.ttl_ms = ttl_ms
        srv.routes["/issuers/ext/did.json"] = json_route(
            did.did_web_document(self.did, [("key-1", self.key.public_multibase)]),
            "application/did+json")
        self.publish(set())

    def publish(self, revoked: set[int]) -> None:
        self.srv.routes["/status/1"] = json_route(
            web_status_list(self.key, self.did, self.status_url, revoked, self.ttl_ms),
            "application/vc+ld+json")

    def credential(self, index: int = 42):
        return web_credential(self.key, self.did, self.status_url, index)

    def status_hits(self) -> int:
        return sum(1 for path, _ in self.srv.hits if path == "/status/1")


def test_other_host_did_web_and_status_list(other_host):
    issuer = OtherIssuer(other_host, ttl_ms=60_000)
    report = services.verify_for_people(issuer.credential())
    assert report.verified, [(c.code, c.message) for c in report.checks]
    codes = _outcomes(report)
    assert codes["STATUS_OK"] == "pass"
    assert codes["ISSUER_UNKNOWN"] == "warn"
    # cached for the list's ttl: a second verification costs no refetch
    services.verify_for_people(issuer.credential())
    assert issuer.status_hits() == 1
    did_hits = [p for p, _ in other_host.hits if p.endswith("did.json")]
    assert len(did_hits) == 1


def test_other_host_revocation_is_seen_after_the_ttl(other_host):
    issuer = OtherIssuer(other_host, ttl_ms=0)
    assert services.verify_for_people(issuer.credential()).verified
    issuer.publish({42})
    report = services.verify_for_people(issuer.credential())
    assert _outcomes(report)["STATUS_REVOKED"] == "fail"
    assert issuer.status_hits() == 2


def test_other_host_refused_without_the_loopback_setting(other_host, settings):
    issuer = OtherIssuer(other_host, ttl_ms=0)
    settings.MICRODEGREE_VERIFY_ALLOW_PRIVATE = False
    report = services.verify_for_people(issuer.credential())
    assert not report.verified
    proof = next(c for c in report.checks if c.name == "proof")
    assert proof.code == "FETCH_ADDRESS_REFUSED"
    assert other_host.hits == []


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class _Lists:
    """An outside fetcher returning a list credential with the given ttl (ms), counting calls."""

    def __init__(self, ttl_ms):
        self.ttl_ms = ttl_ms
        self.calls = 0

    def get(self, url, *, accept="application/json"):
        from microdegree.vc.fetch import FetchResponse

        self.calls += 1
        subject = {} if self.ttl_ms is None else {"ttl": self.ttl_ms}
        body = json.dumps({"credentialSubject": subject}).encode()
        return FetchResponse(url=url, status=200, content_type="application/json", body=body)


@pytest.mark.parametrize(("ttl_ms", "fresh_until"), [
    (None, 60.0),  # no ttl: the short default
    (5_000, 5.0),  # the list's own ttl
    (86_400_000, 3600.0),  # a day is capped at an hour
])
def test_status_cache_honours_the_list_ttl(ttl_ms, fresh_until):
    clock, lists = _Clock(), _Lists(ttl_ms)
    fetcher = services.StatusFetcher(lists, default_ttl=60.0, clock=clock)
    url = "https://lists.example/1"
    fetcher.get(url)
    clock.now = fresh_until - 0.01
    fetcher.get(url)
    assert lists.calls == 1
    clock.now = fresh_until + 0.01
    fetcher.get(url)
    assert lists.calls == 2


def test_status_cache_is_bounded():
    lists = _Lists(60_000)
    fetcher = services.StatusFetcher(lists, clock=_Clock(), max_entries=3)
    for n in range(10):
        fetcher.get(f"https://lists.example/{n}")
    fetcher.get("https://lists.example/0")
    assert lists.calls == 11
    assert len(fetcher._entries) == 3


def test_a_clr_signed_by_the_platform_did_verifies_here(issued, make_user):
    from microdegree.records import platform as records_platform

    learner = make_user("clr-holder@example.org")
    clr = records_platform.build_clr(learner, [issued], [], email="clr-holder@example.org")
    assert clr["issuer"]["id"] == records_platform.platform_did()
    report = services.verify_for_people(json.dumps(clr))
    assert report.verified, [(c.code, c.message) for c in report.checks]
    assert [r.verified for r in report.nested] == [True]

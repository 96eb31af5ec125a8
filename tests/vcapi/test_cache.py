"""Repeated verifications refetch nothing; no verdict outlives a revocation by more than the ttl.

An issuer on another host (did:web and its status list served by a counting fake fetcher) and
this platform's own credentials, through POST /credentials/verify with an injected clock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db.models.signals import post_save

from microdegree.issuing.models import StatusList
from microdegree.vc import did as did_mod
from microdegree.vc import proofs
from microdegree.vc.builders import status_list_credential
from microdegree.vc.errors import FetchError
from microdegree.vc.fetch import FetchResponse
from microdegree.vc.keys import Ed25519Key
from microdegree.vc.status import BitstringStatusList, status_entry
from microdegree.vcapi import caching
from microdegree.vcapi import services as vcapi_services
from microdegree.verification import services as verification_services
from microdegree.verification.registry import platform_registry

from .conftest import VC_V2, codes

pytestmark = pytest.mark.django_db

HOST = "issuer.other.example"
DID = f"did:web:{HOST}"
LIST_URL = f"https://{HOST}/status/1"
LIST_TTL_MS = 30_000


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Host:
    """The other host: its DID document and status list, and every URL fetched from it."""

    key: Ed25519Key = field(default_factory=Ed25519Key.generate)
    bits: BitstringStatusList = field(default_factory=BitstringStatusList)
    hits: list[str] = field(default_factory=list)

    @property
    def vm(self) -> str:
        return f"{DID}#key-1"

    def get(self, url: str, *, accept: str = "application/json") -> FetchResponse:
        self.hits.append(url)
        if url == f"https://{HOST}/.well-known/did.json":
            body: Any = did_mod.did_web_document(DID, [("key-1", self.key.public_multibase)])
        elif url == LIST_URL:
            body = proofs.sign(status_list_credential(
                issuer=DID, list_url=LIST_URL, status_list=self.bits, purpose="revocation",
                valid_from="2026-01-01T00:00:00Z", ttl=LIST_TTL_MS,
            ), self.key, verification_method=self.vm)
        else:
            raise FetchError(f"{url} not found", code="FETCH_HTTP_ERROR")
        return FetchResponse(url=url, status=200, content_type="application/json",
                             body=json.dumps(body).encode(), headers={})

    def credential(self, index: int) -> dict[str, Any]:
        unsigned = {"@context": [VC_V2], "type": ["VerifiableCredential"], "issuer": DID,
                    "id": f"urn:uuid:00000000-0000-4000-8000-{index:012d}",
                    "validFrom": "2026-01-01T00:00:00Z",
                    "credentialSubject": {"id": "did:example:ada"},
                    "credentialStatus": status_entry(LIST_URL, index, "revocation")}
        return proofs.sign(unsigned, self.key, verification_method=self.vm)

    def count(self, suffix: str) -> int:
        return sum(1 for url in self.hits if url.endswith(suffix))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def host(clock) -> Host:
    """Installs a kit whose outside world is `host` and whose caches run on `clock`."""
    other = Host()
    resolver = verification_services.PlatformResolver(did_mod.WebResolver(other))
    fetcher = verification_services.StatusFetcher(other, clock=clock)
    vcapi_services.use_kit(caching.build_kit(resolver, fetcher, platform_registry(),
                                             clock=clock))
    return other


def test_repeated_verifications_fetch_nothing_again(api, host, clock):
    first, second = host.credential(7), host.credential(8)
    for _ in range(5):
        for vc in (first, second):
            response = api.verify(vc)
            assert response.status_code == 200, response.json()
            assert "status" in response.json()["checks"]
    assert host.count("/did.json") == 1
    assert host.count("/status/1") == 1

    clock.now += LIST_TTL_MS / 1000 + 1  # the list's own ttl (30 s) has passed
    assert api.verify(first).status_code == 200
    assert host.count("/status/1") == 2
    assert host.count("/did.json") == 1  # DID documents: DID_TTL (60 s)

    clock.now += caching.DID_TTL
    assert api.verify(first).status_code == 200
    assert host.count("/did.json") == 2


def test_no_verdict_outlives_a_revocation_by_more_than_the_ttl(api, host, clock):
    vc = host.credential(7)
    assert api.verify(vc).status_code == 200
    revoked_at = clock.now
    host.bits.set(7)  # the other host revokes

    clock.now = revoked_at + LIST_TTL_MS / 1000 - 1
    assert api.verify(vc).status_code == 200  # still the cached list: within the ttl
    clock.now = revoked_at + LIST_TTL_MS / 1000 + 0.001
    after = api.verify(vc)
    assert after.status_code == 422
    assert "STATUS_REVOKED" in codes(after)


def test_a_list_without_ttl_is_kept_for_the_default(clock):
    @dataclass
    class Plain:
        calls: int = 0

        def get(self, url: str, *, accept: str = "application/json") -> FetchResponse:
            self.calls += 1
            body = json.dumps({"credentialSubject": {"type": "BitstringStatusList"}}).encode()
            return FetchResponse(url=url, status=200, content_type="application/json",
                                 body=body, headers={})

    inner = Plain()
    cached = caching.CachedStatusFetcher(inner, clock=clock)
    cached.get(LIST_URL)
    clock.now += caching.STATUS_TTL - 1
    cached.get(LIST_URL)
    assert inner.calls == 1
    clock.now += 2
    cached.get(LIST_URL)
    assert inner.calls == 2
    assert cached.fetches == 2


def test_a_list_asking_for_a_day_is_kept_an_hour_at_most():
    subject = {"credentialSubject": {"ttl": 86_400_000}}
    assert caching.list_ttl(subject, 60) == caching.MAX_TTL
    assert caching.list_ttl({"credentialSubject": {"ttl": -5}}, 60) == 60
    assert caching.list_ttl({"credentialSubject": [{"ttl": 5000}]}, 60) == 5


# --- this platform's own credentials ------------------------------------------------------


@pytest.fixture
def own_kit(clock):
    tools = verification_services.tools()
    vcapi_services.use_kit(caching.build_kit(tools.resolver, tools.status_fetcher,
                                             platform_registry(), clock=clock))


def test_own_credentials_verify_without_a_query_once_warm(api, token, credential, own_kit,
                                                          django_assert_num_queries):
    vc = api.issued(credential, token, credentialStatus={"statusPurpose": "revocation"})
    assert api.verify(vc).status_code == 200  # warms the caches (DID, list, registry)
    with django_assert_num_queries(0):
        for _ in range(3):
            assert api.verify(vc).status_code == 200


def test_a_revocation_in_another_process_shows_within_the_lists_ttl(api, token, credential,
                                                                    own_kit, clock):
    """This process hears nothing of it (no signal), so only the ttl bounds the stale verdict."""
    from microdegree.issuing import statuslists
    from microdegree.vcapi.models import ApiCredential

    vc = api.issued(credential, token, credentialStatus={"statusPurpose": "revocation"})
    assert api.verify(vc).status_code == 200
    stored = ApiCredential.objects.get(credential_id=vc["id"])
    post_save.disconnect(vcapi_services._status_list_changed, sender=StatusList)
    try:
        statuslists.set_status(stored.status_list, stored.status_index, 1)
    finally:
        post_save.connect(vcapi_services._status_list_changed, sender=StatusList)
    ttl = statuslists.TTL_SECONDS
    clock.now += ttl - 1
    assert api.verify(vc).status_code == 200
    clock.now += 2
    after = api.verify(vc)
    assert after.status_code == 422
    assert "STATUS_REVOKED" in codes(after)


def test_a_rotated_key_is_seen_at_once(api, token, credential, own_kit, institution):
    from microdegree.institutions import services as inst_services

    old = api.issued(credential, token)
    assert api.verify(old).status_code == 200
    inst_services.rotate_key(None, institution)
    credential["id"] = "urn:uuid:11111111-2222-4333-8444-555555555555"
    new = api.issued(credential, token)
    assert new["proof"][0]["verificationMethod"].endswith("#key-2")
    assert api.verify(new).status_code == 200  # the new key, not a cached DID document
    assert api.verify(old).status_code == 200  # retired keys stay in the document

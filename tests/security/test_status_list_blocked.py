"""Attack: make a revoked credential verify by making its issuer's status list unreachable.

The holder of a revoked credential cannot change its status entry (it is signed), but can make
the list unreachable for the verifier (a blocked or downed server). The verifier must then say
"not verified" (STATUS_RETRIEVAL_ERROR, Bitstring Status List 1.0 section 3.2), not
"verified, status unknown". Over HTTP: the status list on a real loopback server, the VC API on
the live server. Before the fix the second answer was 200 `verified: true`.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from microdegree.vc import did, proofs
from microdegree.vc.fetch import SafeFetcher
from microdegree.vc.verify import verify
from tests.samples import sample_credential
from tests.vc.helpers import CREATED, key_from, status_list_credential, vm_of
from tests.vc.test_fetch import Server, json_route


def _verify(live_server: Any, credential: dict[str, Any], **options: Any) -> tuple[int, Any]:
    body = {"verifiableCredential": credential, **({"options": options} if options else {})}
    request = urllib.request.Request(f"{live_server.url}/credentials/verify",
                                     data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture
def loopback_fetching(settings):
    settings.MICRODEGREE_VERIFY_ALLOW_PRIVATE = True
    settings.MICRODEGREE_VERIFY_ALLOW_HTTP = True


def test_blocking_the_status_list_does_not_unrevoke(live_server, loopback_fetching):
    key = key_from(3)
    server = Server()
    try:
        list_url = server.url("/status/1")
        # the issuer revoked index 94567 (the sample credential's index)
        server.routes["/status/1"] = json_route(
            status_list_credential(key, {94567}, url=list_url), "application/vc+ld+json")
        doc = sample_credential(did.did_key(key), status_list=list_url)
        credential = proofs.sign(doc, key, verification_method=vm_of(key), created=CREATED)
        # while the list is up, anyone reading it sees the revocation (not through the API, so
        # that the API has no cached copy: it meets the list only once it is blocked)
        fetcher = SafeFetcher(allow_private=True, allow_http=True, timeout=5)
        assert verify(credential, status_fetcher=fetcher).has("STATUS_REVOKED")
    finally:
        server.close()  # the attacker takes the list offline
    status, body = _verify(live_server, credential)
    assert status == 422
    assert body["verified"] is False
    assert [e["code"] for e in body["errors"]] == ["STATUS_RETRIEVAL_ERROR"]
    # only a caller that explicitly accepts an unknown status gets 200, with the warning
    status, body = _verify(live_server, credential, acceptUnknownStatus=True)
    assert status == 200
    assert [w["code"] for w in body["warnings"]][:1] == ["STATUS_RETRIEVAL_ERROR"]

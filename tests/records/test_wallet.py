"""Send to wallet: the VC API exchange (DIDAuthentication with a challenge, then delivery)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings

from microdegree.records.models import WalletExchange
from microdegree.vc import did as vc_did
from microdegree.vc import proofs
from microdegree.vc.keys import Ed25519Key

from .conftest import award

pytestmark = pytest.mark.django_db

ADA = "ada@example.org"


def did_auth(key: Ed25519Key, challenge: str, domain: str) -> dict:
    holder = vc_did.did_key(key)
    vp = {"@context": ["https://www.w3.org/ns/credentials/v2"],
          "type": ["VerifiablePresentation"], "holder": holder}
    return proofs.sign(vp, key, verification_method=f"{holder}#{key.public_multibase}",
                       proof_purpose="authentication", challenge=challenge, domain=domain)


def _start(client, institution, pathway, sign_in):
    _, (stats, _, _) = pathway
    cred = award(stats, ADA)
    sign_in(ADA)
    page = client.post(f"/me/credentials/p-{cred.uuid}/wallet")
    assert page.status_code == 200
    exchange = WalletExchange.objects.get()
    path = f"/wallet/exchanges/{exchange.exchange_id}"
    html = page.content.decode()
    assert f"{settings.PUBLIC_URL}{path}" in html
    start = html.index("https://lcw.app/request.html?request=")
    request = json.loads(parse_qs(urlsplit(
        html[start:html.index('"', start)].replace("&amp;", "&")).query)["request"][0])
    assert request["protocols"]["vcapi"] == f"{settings.PUBLIC_URL}{path}"
    return cred, path


def _post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_a_wallet_collects_the_credential(client, institution, pathway, sign_in):
    cred, path = _start(client, institution, pathway, sign_in)
    wallet = client.__class__(enforce_csrf_checks=True)  # a wallet has no session or CSRF token
    request = _post(wallet, path, {}).json()["verifiablePresentationRequest"]
    assert request["query"] == [{"type": "DIDAuthentication"}]
    key = Ed25519Key.from_seed(b"\x03" * 32)
    # a presentation for another challenge is refused
    wrong = _post(wallet, path, {"verifiablePresentation": did_auth(key, "other",
                                                                     request["domain"])})
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "DID_AUTH_FAILED"
    answer = _post(wallet, path, {"verifiablePresentation": did_auth(
        key, request["challenge"], request["domain"])})
    assert answer.status_code == 200
    [delivered] = answer.json()["verifiablePresentation"]["verifiableCredential"]
    assert delivered == json.loads(cred.document)
    assert WalletExchange.objects.get().holder == vc_did.did_key(key)
    # single use
    assert _post(wallet, path, {}).status_code == 404


def test_a_bound_did_must_be_the_holder(client, institution, pathway, sign_in):
    own = Ed25519Key.from_seed(b"\x04" * 32)
    _, path = _start(client, institution, pathway, sign_in)
    client.post("/me/did", {"did": vc_did.did_key(own)})
    request = _post(client, path, {}).json()["verifiablePresentationRequest"]
    other = Ed25519Key.from_seed(b"\x06" * 32)
    response = _post(client, path, {"verifiablePresentation": did_auth(
        other, request["challenge"], request["domain"])})
    assert response.status_code == 403
    response = _post(client, path, {"verifiablePresentation": did_auth(
        own, request["challenge"], request["domain"])})
    assert response.status_code == 200


def test_unknown_or_expired_exchanges_are_404(client, institution, pathway, sign_in):
    from datetime import timedelta

    from django.utils import timezone

    _, path = _start(client, institution, pathway, sign_in)
    assert _post(client, "/wallet/exchanges/nope", {}).status_code == 404
    WalletExchange.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _post(client, path, {}).status_code == 404
    assert client.post(path, "not json", content_type="application/json").status_code in (400,
                                                                                         404)

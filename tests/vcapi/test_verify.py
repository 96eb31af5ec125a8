"""POST /credentials/verify and /presentations/verify through the real API."""

from __future__ import annotations

import copy

import pytest

from microdegree.vc import did_key, proofs
from microdegree.vc.keys import Ed25519Key

from .conftest import VC_V2, codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def vc(api, token, credential):
    return api.issued(credential, token, credentialStatus={
        "statusPurpose": ["revocation", "suspension"]})


def test_a_tampered_credential_is_422_with_the_problem(api, vc):
    tampered = copy.deepcopy(vc)
    tampered["credentialSubject"]["name"] = "Eve"
    response = api.verify(tampered)
    assert response.status_code == 422
    body = response.json()
    assert body["verified"] is False
    assert "PROOF_INVALID_SIGNATURE" in codes(response)
    assert "proof" not in body["checks"]
    [error] = [e for e in body["errors"] if e["code"] == "PROOF_INVALID_SIGNATURE"]
    assert error["detail"]
    assert error["title"] == "proof"


def test_an_unsigned_credential_is_422(api, credential):
    response = api.verify(credential)
    assert response.status_code == 422
    assert "PROOF_MISSING" in codes(response)


def test_an_expired_credential_is_422(api, token, credential):
    credential.update(validFrom="2020-01-01T00:00:00Z", validUntil="2021-01-01T00:00:00Z")
    response = api.verify(api.issued(credential, token))
    assert response.status_code == 422
    assert "EXPIRED" in " ".join(codes(response))


def test_an_unknown_issuer_verifies_with_a_warning(api):
    key = Ed25519Key.generate()
    issuer = did_key(key)
    credential = {"@context": [VC_V2], "type": ["VerifiableCredential"], "issuer": issuer,
                  "credentialSubject": {"id": "did:example:ada"}}
    signed = proofs.sign(credential, key, verification_method=f"{issuer}#{key.public_multibase}")
    response = api.verify(signed)
    assert response.status_code == 200
    assert "ISSUER_UNKNOWN" in [w["code"] for w in response.json()["warnings"]]


@pytest.mark.parametrize(
    "body",
    [{}, {"verifiableCredential": "text"}, {"verifiableCredential": [1]},
     {"verifiableCredential": {}, "options": "x"}],
)
def test_malformed_verify_requests_are_400(api, body):
    response = api.post("/credentials/verify", body)
    assert response.status_code == 400
    assert response.json()["code"] == "REQUEST_INVALID"


def test_a_presentation_sent_as_a_credential_is_400(api, vc):
    vp = {"@context": [VC_V2], "type": ["VerifiablePresentation"], "verifiableCredential": [vc]}
    assert api.verify(vp).status_code == 400
    assert api.verify_presentation(vc).status_code == 400


# --- presentations ------------------------------------------------------------------------


@pytest.fixture
def holder():
    key = Ed25519Key.generate()
    return key, did_key(key)


def _presentation(holder_did, *credentials):
    return {"@context": [VC_V2], "type": ["VerifiablePresentation"], "holder": holder_did,
            "verifiableCredential": list(credentials)}


def _sign(vp, holder, **kwargs):
    key, holder_did = holder
    return proofs.sign(vp, key, verification_method=f"{holder_did}#{key.public_multibase}",
                       proof_purpose="authentication", **kwargs)


def test_a_signed_presentation_answers_the_challenge(api, vc, holder):
    vp = _sign(_presentation(holder[1], vc), holder, challenge="c-123",
               domain="verifier.example")
    response = api.verify_presentation(vp, challenge="c-123", domain="verifier.example")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["verified"]
    assert "presentation.challenge" in body["checks"]
    assert body["report"]["nested"][0]["verified"]


@pytest.mark.parametrize(
    ("options", "code"),
    [({"challenge": "other"}, "CHALLENGE_MISMATCH"),
     ({"challenge": "c-123", "domain": "evil.example"}, "DOMAIN_MISMATCH")],
)
def test_a_presentation_for_another_challenge_or_domain_is_422(api, vc, holder, options, code):
    vp = _sign(_presentation(holder[1], vc), holder, challenge="c-123",
               domain="verifier.example")
    response = api.verify_presentation(vp, **options)
    assert response.status_code == 422
    assert code in codes(response)


def test_a_presentation_signed_by_someone_else_is_422(api, vc, holder):
    other = Ed25519Key.generate()
    vp = _sign(_presentation(holder[1], vc), (other, did_key(other)), challenge="c")
    response = api.verify_presentation(vp, challenge="c")
    assert response.status_code == 422
    assert "HOLDER_MISMATCH" in codes(response)


def test_an_unsigned_presentation_verifies_the_credentials_inside(api, vc, token, credential):
    second = api.issued(credential, token)
    response = api.verify_presentation(_presentation("did:example:ada", vc, second))
    assert response.status_code == 200
    body = response.json()
    assert [w["code"] for w in body["warnings"]] == ["PRESENTATION_UNSIGNED"]
    assert len(body["report"]["nested"]) == 2
    assert all(n["verified"] for n in body["report"]["nested"])


def test_a_bad_credential_inside_fails_the_presentation_and_says_where(api, vc):
    tampered = copy.deepcopy(vc)
    tampered["credentialSubject"]["name"] = "Eve"
    response = api.verify_presentation(_presentation("did:example:ada", vc, tampered))
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["code"] == "PROOF_INVALID_SIGNATURE"
    assert error["path"] == "$.verifiableCredential[1]"


def test_an_unsigned_presentation_cannot_answer_a_challenge(api, vc):
    response = api.verify_presentation(_presentation("did:example:ada", vc), challenge="c-1")
    assert response.status_code == 422
    assert "PRESENTATION_UNSIGNED" in codes(response)

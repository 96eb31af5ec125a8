"""Issue 13 section 3 through the VC API: language and direction, relatedResource, proof chains.

* `name` / `description` as language value objects with `@language` and `@direction` (VC 2.0
  section 11.1) are issued with both cryptosuites and verify;
* eddsa-jcs-2022 needs no RDF: a credential only RDF canonicalisation refuses is issued with JCS;
* `relatedResource` is refused at issuance when malformed or when the digest of a context we hold
  does not match its published bytes, accepted when right, and a mismatch fails verification;
* a notary's chained proof (`previousProof`, its own did:key) on an issued credential verifies.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from microdegree.vc import did, proofs, related
from microdegree.vc.contexts import context_bytes
from microdegree.vc.keys import Ed25519Key

from .conftest import codes

pytestmark = pytest.mark.django_db

V2 = "https://www.w3.org/ns/credentials/v2"
SUITES = ["eddsa-rdfc-2022", "eddsa-jcs-2022"]
ARABIC = "\u0634\u0647\u0627\u062f\u0629 \u0627\u0644\u0628\u064a\u0627\u0646\u0627\u062a"


def _problem_codes(response: Any) -> list[str]:
    body = response.json()
    return [p["code"] for p in body.get("problems", [])] or [body["code"]]


# --- language and direction ---------------------------------------------------------------------


@pytest.mark.parametrize("suite", SUITES)
def test_language_and_direction_are_issued_and_verify(api, token, credential, suite):
    credential["name"] = [{"@value": ARABIC, "@language": "ar", "@direction": "rtl"},
                          {"@value": "Data Literacy", "@language": "en", "@direction": "ltr"}]
    credential["description"] = {"@value": "\u05ea\u05d9\u05d0\u05d5\u05e8", "@language": "he",
                                 "@direction": "rtl"}
    vc = api.issued(credential, token, cryptosuite=suite)
    assert vc["name"] == credential["name"]
    assert vc["description"] == credential["description"]
    assert api.verify(vc).status_code == 200
    # the direction is signed: changing it breaks the proof
    flipped = copy.deepcopy(vc)
    flipped["name"][0]["@direction"] = "ltr"
    assert "PROOF_INVALID_SIGNATURE" in codes(api.verify(flipped))


def test_a_direction_that_is_not_ltr_or_rtl_is_refused(api, token, credential):
    credential["name"] = {"@value": "x", "@language": "en", "@direction": "up"}
    response = api.issue(credential, token)
    assert response.status_code == 400
    assert response.json()["code"].startswith("JSONLD_")


def test_jcs_issuance_does_not_fail_an_rdf_only_check(api, token, credential):
    """1,001 blank nodes: RDF canonicalisation refuses them (its poisoning guard), JCS has no
    RDF at all, so only the safe-mode JSON-LD expansion applies."""
    credential["evidence"] = [{"type": "https://example.org/vocab#Evidence",
                               "https://example.org/vocab#n": i} for i in range(1001)]
    refused = api.issue(credential, token, cryptosuite="eddsa-rdfc-2022")
    assert refused.status_code == 400
    assert refused.json()["code"] == "RDFC_POISONED"
    vc = api.issued(credential, token, cryptosuite="eddsa-jcs-2022")
    assert vc["proof"][0]["cryptosuite"] == "eddsa-jcs-2022"
    assert api.verify(vc).status_code == 200
    # an undefined term is still refused with JCS: the JSON-LD stays valid JSON-LD
    credential["id"] = "urn:uuid:9a1d7c36-2f4b-4a57-9e0b-6b5f0d8f3c21"
    credential["credentialSubject"]["undefinedTerm"] = "x"
    undefined = api.issue(credential, token, cryptosuite="eddsa-jcs-2022")
    assert (undefined.status_code, undefined.json()["code"]) == (400, "JSONLD_UNDEFINED_TERM")


# --- relatedResource ----------------------------------------------------------------------------


def _v2_resource(**digest: str) -> dict[str, str]:
    return {"id": V2, **digest}


@pytest.mark.parametrize(("resources", "code"), [
    ("https://www.w3.org/ns/credentials/v2", "RELATED_RESOURCE_INVALID"),
    ([V2], "RELATED_RESOURCE_INVALID"),
    ([{"digestSRI": related.sri_digest(b"x")}], "RELATED_RESOURCE_INVALID"),
    ([{"id": V2}], "RELATED_RESOURCE_NO_DIGEST"),
    ([{"id": "https://example.org/logo.png", "digestSRI": related.sri_digest(b"logo")},
      {"id": "https://example.org/logo.png", "digestSRI": related.sri_digest(b"logo")}],
     "RELATED_RESOURCE_DUPLICATE"),
    ([_v2_resource(digestSRI=related.sri_digest(b"not the published context"))],
     "RELATED_RESOURCE_MISMATCH"),
    ([_v2_resource(digestMultibase=related.multibase_digest(b"not it either"))],
     "RELATED_RESOURCE_MISMATCH"),
])
def test_bad_related_resources_are_refused_at_issuance(api, token, credential, resources, code):
    credential["relatedResource"] = resources
    response = api.issue(credential, token)
    assert response.status_code == 400
    assert code in _problem_codes(response)


@pytest.mark.parametrize("suite", SUITES)
def test_correct_related_resources_are_issued_and_verify(api, token, credential, suite):
    published = context_bytes(V2)
    credential["relatedResource"] = [
        _v2_resource(digestSRI=related.sri_digest(published),
                     digestMultibase=related.multibase_digest(published)),
        {"id": "https://example.org/logo.png", "digestSRI": related.sri_digest(b"logo"),
         "mediaType": "image/png"},
    ]
    vc = api.issued(credential, token, cryptosuite=suite)
    body = api.verify(vc).json()
    assert body["verified"], body
    assert "related" in body["checks"]
    check = next(c for c in body["report"]["checks"] if c["check"] == "related")
    assert check["details"]["checked"] == [V2]


def test_a_related_resource_mismatch_fails_verification(api):
    key = Ed25519Key.from_seed(bytes([21]) * 32)
    issuer = did.did_key(key)
    document = {
        "@context": [V2], "type": ["VerifiableCredential"], "issuer": issuer,
        "validFrom": "2026-01-15T00:00:00Z", "credentialSubject": {"id": "did:example:learner"},
        "relatedResource": [_v2_resource(digestSRI=related.sri_digest(b"a forged context"))],
    }
    signed = proofs.sign(document, key, verification_method=f"{issuer}#{key.public_multibase}")
    response = api.verify(signed)
    assert response.status_code == 422
    assert codes(response) == ["RELATED_RESOURCE_MISMATCH"]
    assert V2 in response.json()["errors"][0]["detail"]


# --- proof chains -------------------------------------------------------------------------------


@pytest.mark.parametrize("suite", SUITES)
def test_a_notarys_chained_proof_on_an_issued_credential_verifies(api, token, credential,
                                                                   institution, suite):
    vc = api.issued(credential, token, cryptosuite=suite)
    notary = Ed25519Key.from_seed(bytes([42]) * 32)
    notary_did = did.did_key(notary)
    issuer_proof = vc["proof"][0]
    issuer_proof_id = "urn:uuid:7f1f3b2a-9c1d-4e0b-8a4c-2d9e6f1a0b3c"
    # the chain names the issuer's proof by id: an issuer proof without one cannot be named,
    # so this chain is over a copy whose issuer proof was made with an id
    assert "id" not in issuer_proof
    unsigned = {k: v for k, v in vc.items() if k != "proof"}
    from microdegree.institutions import services as inst_services

    key, method = inst_services.signer_for(institution)
    with_id = proofs.sign(unsigned, key, verification_method=method, suite=suite,
                          proof_id=issuer_proof_id)
    chained = proofs.sign(with_id, notary, verification_method=f"{notary_did}#"
                          f"{notary.public_multibase}", suite=suite,
                          previous_proof=issuer_proof_id)
    response = api.verify(chained)
    body = response.json()
    assert response.status_code == 200, body
    party = next(c for c in body["report"]["checks"] if c["code"] == "PROOF_BY_OTHER_PARTY")
    assert party["details"]["controller"] == notary_did
    assert {"proof", "proof[1]", "issuer.key", "proof.party[1]"} <= set(body["checks"])
    # the notary's proof alone does not make it the issuer's credential
    only_notary = proofs.sign(unsigned, notary, verification_method=f"{notary_did}#"
                              f"{notary.public_multibase}", suite=suite)
    assert "KEY_NOT_ISSUERS" in codes(api.verify(only_notary))

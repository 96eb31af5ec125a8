"""POST /credentials/issue: signing, storage, options, and every 400 a malformed credential gets."""

from __future__ import annotations

import copy
import json

import pytest

from microdegree.vcapi.models import ApiCredential
from tests.samples import sample_credential

from .conftest import CREDENTIAL, VC_V2

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_issue_then_verify(api, token, institution, credential, suite):
    response = api.issue(credential, token, cryptosuite=suite)
    assert response.status_code == 201
    vc = response.json()["verifiableCredential"]
    assert vc["issuer"] == institution.did
    assert vc["id"].startswith("urn:uuid:")
    assert vc["validFrom"].endswith("Z")
    [proof] = vc["proof"]
    assert proof["cryptosuite"] == suite
    assert proof["verificationMethod"].startswith(institution.did + "#")
    stored = ApiCredential.objects.get(credential_id=vc["id"])
    assert stored.institution == institution
    assert json.loads(stored.document) == vc
    assert response.content == b'{"verifiableCredential":' + stored.document.encode() + b"}"

    verified = api.verify(vc)
    assert verified.status_code == 200, verified.json()
    body = verified.json()
    assert body["verified"] is True
    assert {"proof", "issuer.key", "validity"} <= set(body["checks"])
    assert body["errors"] == []
    assert body["report"]["issuer"] == institution.did


def test_the_issuer_may_be_named_as_an_object(api, token, institution, credential):
    credential["issuer"] = {"id": institution.did, "name": "Example University"}
    vc = api.issued(credential, token)
    assert vc["issuer"]["name"] == "Example University"
    assert api.verify(vc).status_code == 200


def _badge(institution):
    """The sample Open Badge with the institution's issuer profile (its web site and e-mail as
    registered: the VC API signs no other, tests/security/test_issuer_profile.py)."""
    credential = sample_credential(issuer=institution.did, status_list=None)
    institution.url, institution.email = "https://uni.example/", "registrar@uni.example"
    institution.save(update_fields=["url", "email"])
    return credential


def test_an_ob_credential_with_a_status_entry(api, token, institution):
    credential = _badge(institution)
    credential.pop("id")
    vc = api.issued(credential, token, credentialStatus={"type": "BitstringStatusListEntry"})
    entry = vc["credentialStatus"]
    assert isinstance(entry, dict)  # one entry: an object, as the OB schema wants
    assert entry["statusPurpose"] == "revocation"
    assert entry["statusListCredential"].endswith(f"/status/{institution.slug}/revocation/1")
    body = api.verify(vc).json()
    assert body["verified"], body
    assert {"schema", "status", "issuer.registry"} <= set(body["checks"])


def test_both_status_purposes(api, token, credential):
    vc = api.issued(credential, token,
                    credentialStatus={"statusPurpose": ["revocation", "suspension"]})
    assert [e["statusPurpose"] for e in vc["credentialStatus"]] == ["revocation", "suspension"]
    stored = ApiCredential.objects.get(credential_id=vc["id"])
    assert stored.status_list is not None
    assert stored.suspension_list is not None
    assert api.verify(vc).status_code == 200


def test_a_given_id_is_kept_and_cannot_be_issued_twice(api, token, credential):
    credential["id"] = "https://uni.example/credentials/42"
    assert api.issued(credential, token)["id"] == credential["id"]
    again = api.issue(credential, token)
    assert again.status_code == 409
    assert again.json()["code"] == "CREDENTIAL_ID_TAKEN"


def test_another_institutions_did_is_refused(api, token, other_institution, credential):
    credential["issuer"] = other_institution.did
    response = api.issue(credential, token)
    assert response.status_code == 400
    assert response.json()["code"] == "ISSUER_MISMATCH"


# --- authentication -----------------------------------------------------------------------


def test_issue_needs_a_token(api, credential):
    response = api.issue(credential, None)
    assert response.status_code == 401
    assert response.json()["code"] == "AUTHENTICATION_REQUIRED"
    assert api.issue(credential, "mdt_not-a-token").status_code == 401
    assert api.post("/credentials/issue", {"credential": credential}, "").status_code == 401


def test_a_viewer_token_cannot_issue(api, viewer_token, credential):
    response = api.issue(credential, viewer_token)
    assert response.status_code == 403


def test_a_revoked_token_cannot_issue(api, institution, credential):
    from microdegree.issuing import services
    from microdegree.issuing.models import ApiToken

    token, raw = services.create_api_token(None, institution, "soon revoked")
    services.revoke_api_token(None, ApiToken.objects.get(pk=token.pk))
    assert api.issue(credential, raw).status_code == 401


# --- 400s ---------------------------------------------------------------------------------


def _without(key):
    def change(c):
        del c[key]
    return change


def _set(*path, value):
    def change(c):
        target = c
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    return change


BAD = {
    "context missing": (_without("@context"), "CONTEXT_MISSING"),
    "context not a list": (_set("@context", value=VC_V2), "CONTEXT_INVALID"),
    "context v1 with v2 dates": (_set("@context", value=["https://www.w3.org/2018/credentials/v1"]),
                                 "JSONLD_UNDEFINED_TERM"),  # 1.1 is issued; its terms checked
    "context other first": (_set("@context", value=[
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", VC_V2]), "CONTEXT_INVALID"),
    "context unknown": (_set("@context", value=[VC_V2, "https://evil.example/ctx.json"]),
                        "CONTEXT_UNKNOWN"),
    "type missing": (_without("type"), "TYPE_INVALID"),
    "type without VC": (_set("type", value=["VerifiablePresentation"]), "TYPE_INVALID"),
    "type not strings": (_set("type", value=[1]), "TYPE_INVALID"),
    "issuer not a URL": (_set("issuer", value="Example University"), "ISSUER_INVALID"),
    "issuer empty": (_set("issuer", value=""), "ISSUER_INVALID"),
    "issuer object without id": (_set("issuer", value={"name": "X"}), "ISSUER_INVALID"),
    "issuer null": (_set("issuer", value=None), "ISSUER_INVALID"),
    "subject missing": (_without("credentialSubject"), "SUBJECT_MISSING"),
    "subject empty": (_set("credentialSubject", value={}), "SUBJECT_MISSING"),
    "subject a string": (_set("credentialSubject", value="Ada"), "SUBJECT_MISSING"),
    "validFrom a date": (_set("validFrom", value="2026-01-15"), "VALIDITY_INVALID"),
    "validFrom no zone": (_set("validFrom", value="2026-01-15T00:00:00"), "VALIDITY_INVALID"),
    "validFrom nonsense": (_set("validFrom", value="yesterday"), "VALIDITY_INVALID"),
    "validUntil a number": (_set("validUntil", value=20260115), "VALIDITY_INVALID"),
    "validFrom impossible": (_set("validFrom", value="2026-02-30T00:00:00Z"), "VALIDITY_INVALID"),
    "inverted": (lambda c: c.update(validFrom="2026-06-01T00:00:00Z",
                                    validUntil="2026-01-01T00:00:00Z"), "VALIDITY_INVERTED"),
    "credentialStatus without type": (_set("credentialStatus", value={
        "id": "https://uni.example/status/1#3"}), "ENTRY_TYPE_MISSING"),
    "evidence without type": (_set("evidence", value=[{"id": "https://uni.example/e/1"}]),
                              "ENTRY_TYPE_MISSING"),
    "termsOfUse without type": (_set("termsOfUse", value={"id": "https://uni.example/tou"}),
                                "ENTRY_TYPE_MISSING"),
    "refreshService without type": (_set("refreshService", value={
        "id": "https://uni.example/refresh"}), "ENTRY_TYPE_MISSING"),
    "credentialSchema without type": (_set("credentialSchema", value=[{
        "id": "https://uni.example/schema.json"}]), "ENTRY_TYPE_MISSING"),
    "evidence a string": (_set("evidence", value="https://uni.example/e/1"),
                          "ENTRY_TYPE_MISSING"),
    "id not a URL": (_set("id", value="credential-42"), "ID_INVALID"),
    "id with a space": (_set("id", value="urn:uuid:1 2"), "ID_INVALID"),
    "subject id not a URL": (_set("credentialSubject", "id", value="ada"), "ID_INVALID"),
    "undefined term": (_set("credentialSubject", "favouriteColour", value="green"),
                       "JSONLD_UNDEFINED_TERM"),
    "undefined top-level term": (_set("grade", value="A"), "JSONLD_UNDEFINED_TERM"),
    "undefined type": (_set("type", value=["VerifiableCredential", "UniversityDegree"]),
                       "JSONLD_RELATIVE_IRI"),
    "already signed": (_set("proof", value={"type": "DataIntegrityProof"}), "PROOF_PRESENT"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed_credentials_are_400(api, token, case):
    change, code = BAD[case]
    credential = copy.deepcopy(CREDENTIAL)
    change(credential)
    response = api.issue(credential, token)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == code, body
    assert body["message"]
    assert code in [p["code"] for p in body["problems"]]
    assert not ApiCredential.objects.exists()


def test_an_ob_credential_failing_its_json_schema_is_400(api, token, institution):
    credential = _badge(institution)
    credential["credentialSubject"]["achievement"]["name"] = ["not", "a", "string"]
    response = api.issue(credential, token)
    assert response.status_code == 400
    assert response.json()["code"] == "SCHEMA_INVALID"
    assert "achievement.name" in response.json()["message"]


def test_all_problems_are_listed(api, token):
    response = api.issue({"@context": [VC_V2], "type": "Thing", "issuer": "x", "id": "y"},
                         token)
    codes = {p["code"] for p in response.json()["problems"]}
    assert {"TYPE_INVALID", "ISSUER_INVALID", "SUBJECT_MISSING", "ID_INVALID"} <= codes


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({}, "$.credential"),
        ({"credential": "text"}, "$.credential"),
        ({"credential": CREDENTIAL, "options": {"cryptosuite": "ecdsa-rdfc-2019"}},
         "$.options.cryptosuite"),
        ({"credential": CREDENTIAL, "options": {"unknown": 1}}, "$.options.unknown"),
        ({"credential": CREDENTIAL, "options": {"credentialStatus": {
            "statusPurpose": "refresh"}}}, "$.options.credentialStatus"),
    ],
)
def test_malformed_requests_are_400(api, token, body, path):
    response = api.post("/credentials/issue", body, token)
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "REQUEST_INVALID"
    assert any(p["path"].startswith(path) for p in payload["problems"]), payload


def test_a_body_that_is_not_json_is_400(api, token):
    response = api.client.post("/credentials/issue", b"{nope", content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400
    assert response.json()["code"] == "REQUEST_INVALID"


def test_issuing_is_audited(api, token, institution, credential):
    from microdegree.audit.models import AuditEntry

    vc = api.issued(credential, token)
    entry = AuditEntry.objects.get(action="vcapi.credential_issued")
    assert entry.institution_id == institution.pk
    assert entry.after["credential_id"] == vc["id"]
    assert entry.actor_label.startswith("api-token:")


@pytest.mark.parametrize(("change", "code", "path", "sentence"), [
    ({"creditsEarned": 50}, "CREDITS_EXCEED_ACHIEVEMENT", "$.credentialSubject.creditsEarned",
     "50 is more than the 5 credits “Data Literacy for Public Policy” offers; give at most 5."),
    ({"result": [{"type": ["Result"], "resultDescription": "urn:uuid:rd-grade", "value": "12"}]},
     "RESULT_OUT_OF_RANGE", "$.credentialSubject.result[0].value",
     "12 is outside the results “Data Literacy for Public Policy” gives (a number from 1 to "
     "10)."),
])
def test_claims_beyond_the_achievement_are_400(api, token, institution, change, code, path,
                                               sentence):
    """Issue 16, point 1: what the awarding service refuses, the VC API refuses too."""
    credential = _badge(institution)
    credential["credentialSubject"].update(change)
    response = api.issue(credential, token)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == code
    assert body["message"] == f"{path}: {sentence}"
    assert [(p["code"], p["path"]) for p in body["problems"]] == [(code, path)]
    assert not ApiCredential.objects.exists()

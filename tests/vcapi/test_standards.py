"""VC API issuance the standards ask for (issue 13 §3): did:key issuers, VC 1.1 credentials with
both cryptosuites, and Bitstring Status List message entries (statusSize > 1, statusMessage,
statusReference). Each credential is issued over HTTP, verified by our verifier through
`POST /credentials/verify`, and by Digital Bazaar's @digitalbazaar/vc (tests/node) when Node and
its packages are installed."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from microdegree.audit.models import AuditEntry
from microdegree.institutions import services as inst_services
from tests.vcapi.conftest import CREDENTIAL

VC_V1 = "https://www.w3.org/2018/credentials/v1"
NODE_DIR = Path(__file__).resolve().parents[1] / "node"
NODE = shutil.which("node")
HAVE_NODE = NODE is not None and (NODE_DIR / "node_modules" / "@digitalbazaar" / "vc").is_dir()

pytestmark = pytest.mark.django_db


def node_verify(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Digital Bazaar's vc.verifyCredential on each item (see tests/node/README.md)."""
    assert NODE is not None
    proc = subprocess.run([NODE, str(NODE_DIR / "verify.mjs")], input=json.dumps(items),
                          capture_output=True, text=True, timeout=300, cwd=NODE_DIR,
                          check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results: list[dict[str, Any]] = json.loads(proc.stdout)
    return results


def did_documents(client: Any, inst: Any) -> dict[str, Any]:
    return {inst.web_did: json.loads(client.get(f"/issuers/{inst.slug}/did.json").content)}


def v11_credential() -> dict[str, Any]:
    return {"@context": [VC_V1],
            "type": ["VerifiableCredential"],
            "credentialSubject": {"id": "did:example:ada"},
            "expirationDate": "2036-01-01T00:00:00Z"}


# --- did:key issuers ---------------------------------------------------------------------------


@pytest.fixture
def key_institution(institution, admin_user):
    owner = institution.members.get(role="owner").user
    return inst_services.choose_did_method(owner, institution, "key")


def test_did_key_is_chosen_at_registration(client, make_user):
    from microdegree.institutions.models import Institution

    owner = make_user("founder@college.example")
    client.force_login(owner)
    response = client.post("/institutions/register", {
        "name": "Laptop College", "country_code": "PT", "did_method": "key"})
    assert response.status_code == 302, response.content
    inst = Institution.objects.get(slug="laptop-college")
    assert inst.did.startswith("did:key:z6Mk")
    entry = AuditEntry.objects.get(action="institution.registered", institution_id=inst.pk)
    assert entry.after["did_method"] == "key"
    form = client.get("/institutions/register").content.decode()
    assert 'value="key"' in form


def test_an_owner_chooses_did_key_and_it_is_audited(key_institution, make_user):
    key = key_institution.keys.get()
    assert key_institution.did == f"did:key:{key.public_multibase}"
    entry = AuditEntry.objects.filter(action="institution.did_method_changed").get()
    assert (entry.before["did_method"], entry.after["did_method"]) == ("web", "key")
    stranger = make_user("stranger@example.org")
    with pytest.raises(inst_services.NotFound):
        inst_services.choose_did_method(stranger, key_institution, "web")


def test_vc_api_issues_as_did_key_and_it_verifies(api, client, key_institution, token):
    vc = api.issued(copy.deepcopy(CREDENTIAL), token,
                    credentialStatus={"statusPurpose": "revocation"})
    key = key_institution.keys.get()
    assert vc["issuer"] == f"did:key:{key.public_multibase}"
    assert vc["proof"][0]["verificationMethod"] == (
        f"did:key:{key.public_multibase}#{key.public_multibase}")
    answer = api.verify(vc)
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["verified"] is True
    assert "status" in body["checks"]
    assert key_institution.name in json.dumps(body["report"])
    assert not body["warnings"], body["warnings"]  # the registry knows the did:key's owner


def test_rotating_a_did_key_issuer_changes_its_id_and_old_credentials_still_verify(
        api, key_institution, token):
    status = {"statusPurpose": "revocation"}
    before = api.issued(copy.deepcopy(CREDENTIAL), token, credentialStatus=status)
    inst_services.rotate_key(None, key_institution)
    after = api.issued(copy.deepcopy(CREDENTIAL), token, credentialStatus=status)
    assert before["issuer"] != after["issuer"]
    # each credential's status list is published under its own issuer id (the list's key)
    assert (before["credentialStatus"]["statusListCredential"]
            != after["credentialStatus"]["statusListCredential"])
    for vc in (before, after):
        body = api.verify(vc).json()
        assert body["verified"] is True, body["errors"]
        assert not body["warnings"], body["warnings"]
        assert "status" in body["checks"]
    assert api.status(before["id"], "revoked", token).status_code == 200
    revoked = api.verify(before)
    assert revoked.status_code == 422
    assert [e["code"] for e in revoked.json()["errors"]] == ["STATUS_REVOKED"]
    assert api.verify(after).json()["verified"] is True


def test_switching_to_did_key_keeps_earlier_did_web_credentials_whole(api, institution, token,
                                                                      admin_user):
    status = {"statusPurpose": "revocation"}
    web = api.issued(copy.deepcopy(CREDENTIAL), token, credentialStatus=status)
    inst_services.choose_did_method(admin_user, institution, "key")
    key = api.issued(copy.deepcopy(CREDENTIAL), token, credentialStatus=status)
    assert web["issuer"].startswith("did:web:")
    assert key["issuer"].startswith("did:key:")
    for vc in (web, key):
        body = api.verify(vc).json()
        assert body["verified"] is True, body["errors"]
        assert not body["warnings"], body["warnings"]


def test_platform_awards_of_a_did_key_issuer_verify(key_institution):
    from microdegree.catalog import services as catalog
    from microdegree.issuing import services as issuing
    from microdegree.vcapi import services as vcapi

    course = catalog.create_definition(
        None, key_institution, name="Course stats", slug="stats", description="Stats.",
        criteria_narrative="Pass the exam.", credits_available=5)
    cred = issuing.issue_credential(None, course, recipient_email="lin@example.org",
                                    send_email=False)
    document = json.loads(cred.document)
    assert document["issuer"]["id"] == key_institution.did
    assert document["issuer"]["id"].startswith("did:key:z6Mk")
    report = vcapi.verify(document)
    assert report.verified, report.to_json()
    assert not report.warnings, [c.code for c in report.warnings]
    issuing.revoke(None, cred, "test")
    assert [c.code for c in vcapi.verify(document).errors] == ["STATUS_REVOKED"]


# --- VC 1.1 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_vc_api_issues_vc_11_when_the_credential_is_11(api, institution, token, suite):
    vc = api.issued(v11_credential(), token, cryptosuite=suite,
                    credentialStatus={"statusPurpose": "revocation"})
    assert vc["@context"] == [VC_V1, "https://www.w3.org/ns/credentials/status/v1",
                              "https://w3id.org/security/data-integrity/v2"]
    assert "issuanceDate" in vc
    assert "validFrom" not in vc
    assert vc["proof"][0]["cryptosuite"] == suite
    body = api.verify(vc).json()
    assert body["verified"] is True, body["errors"]
    assert "status" in body["checks"]


def test_vc_11_dates_are_checked_by_their_11_names(api, token):
    credential = {**v11_credential(), "issuanceDate": "2037-01-01T00:00:00Z"}
    response = api.issue(credential, token)
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDITY_INVERTED"
    assert "expirationDate is before issuanceDate" in response.json()["message"]


# --- status messages ----------------------------------------------------------------------------

MESSAGES = [{"status": "0x0", "message": "valid"},
            {"status": "0x1", "message": "pending review"},
            {"status": "0x2", "message": "under appeal"},
            {"status": "0x3", "message": "withdrawn by the learner"}]


def test_message_status_round_trip(api, client, institution, token):
    vc = api.issued(copy.deepcopy(CREDENTIAL), token, credentialStatus={
        "statusPurpose": ["revocation", "message"], "statusSize": 2,
        "statusMessage": MESSAGES, "statusReference": "https://example.edu/status-codes"})
    revocation, message = vc["credentialStatus"]
    assert revocation["statusPurpose"] == "revocation"
    assert message["statusPurpose"] == "message"
    assert message["statusSize"] == 2
    assert message["statusMessage"] == MESSAGES
    assert message["statusReference"] == "https://example.edu/status-codes"
    assert "/status/example-uni/message/" in message["statusListCredential"]
    path = message["statusListCredential"].removeprefix(settings.PUBLIC_URL)
    served = client.get(path)
    assert served.status_code == 200
    assert json.loads(served.content)["credentialSubject"]["statusPurpose"] == "message"

    first = api.verify(vc).json()
    assert first["verified"] is True
    assert not first["warnings"]

    changed = api.post("/credentials/status", {
        "credentialId": vc["id"],
        "credentialStatus": [{"type": "BitstringStatusListCredential",
                              "statusPurpose": "message", "status": "0x2"}]}, token)
    assert changed.status_code == 200, changed.content
    assert changed.json() == {"credentialId": vc["id"], "state": "active",
                              "messageStatus": "0x2"}
    later = api.verify(vc).json()
    assert later["verified"] is True  # a message is the issuer's word, not a failure
    [warning] = later["warnings"]
    assert warning["code"] == "STATUS_MESSAGE"
    assert "under appeal" in warning["detail"]
    assert AuditEntry.objects.filter(action="vcapi.credential_message").count() == 1

    too_big = api.post("/credentials/status", {
        "credentialId": vc["id"],
        "credentialStatus": [{"statusPurpose": "message", "status": "0x4"}]}, token)
    assert too_big.status_code == 400
    assert too_big.json()["code"] == "STATUS_INVALID"


@pytest.mark.parametrize(("status", "code"), [
    ({"statusPurpose": "message", "statusSize": 2}, "STATUS_MESSAGE_ERROR"),
    ({"statusPurpose": "message", "statusSize": 2, "statusMessage": MESSAGES[:3]},
     "STATUS_MESSAGE_ERROR"),
    ({"statusPurpose": "revocation", "statusSize": 2, "statusMessage": MESSAGES},
     "REQUEST_INVALID"),
    ({"statusPurpose": "message", "statusReference": "not a url"}, "STATUS_REFERENCE_INVALID"),
])
def test_bad_message_options_are_400(api, token, status, code):
    response = api.issue(copy.deepcopy(CREDENTIAL), token, credentialStatus=status)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code


# --- Digital Bazaar -----------------------------------------------------------------------------


@pytest.mark.node
@pytest.mark.skipif(not HAVE_NODE, reason="needs node and tests/node/node_modules "
                    "(scripts/ensure_node_deps.sh)")
def test_digital_bazaar_verifies_did_key_vc_11_and_message_credentials(api, client, institution,
                                                                       token, admin_user):
    issued = {}
    for suite in ("eddsa-rdfc-2022", "eddsa-jcs-2022"):
        issued[f"v1.1 {suite}"] = api.issued(v11_credential(), token, cryptosuite=suite)
    issued["message"] = api.issued(copy.deepcopy(CREDENTIAL), token, credentialStatus={
        "statusPurpose": "message", "statusSize": 2, "statusMessage": MESSAGES,
        "statusReference": "https://example.edu/status-codes"})
    documents = did_documents(client, institution)
    inst_services.choose_did_method(admin_user, institution, "key")
    issued["did:key"] = api.issued(copy.deepcopy(CREDENTIAL), token)
    results = node_verify([{"credential": vc, "documents": documents}
                           for vc in issued.values()])
    for name, result in zip(issued, results, strict=True):
        assert result["verified"] is True, (name, result)

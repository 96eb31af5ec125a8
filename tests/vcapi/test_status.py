"""POST /credentials/status: revoke, suspend, unsuspend through the API; tenants stay apart."""

from __future__ import annotations

import json

import pytest

from microdegree.issuing.models import IssuedCredential
from microdegree.vcapi.models import ApiCredential

from .conftest import codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def vc(api, token, credential):
    return api.issued(credential, token, credentialStatus={
        "statusPurpose": ["revocation", "suspension"]})


@pytest.fixture
def awarded(institution):
    """A credential awarded the platform's own way (catalogue achievement, e-mail recipient)."""
    from microdegree.catalog import services as catalog
    from microdegree.issuing import services as issuing

    course = catalog.create_definition(
        None, institution, name="Data Literacy", slug="data-literacy",
        description="Read and question quantitative evidence.", criteria_narrative="Pass.",
        credits_available=5, validity_months=24)
    return issuing.issue_credential(None, course, recipient_email="ada@example.org",
                                    send_email=False)


def test_revocation_shows_in_the_next_verification(api, token, vc):
    assert api.verify(vc).status_code == 200
    response = api.status(vc["id"], "revoked", token)
    assert response.status_code == 200
    assert response.json() == {"credentialId": vc["id"], "state": "revoked"}
    after = api.verify(vc)
    assert after.status_code == 422
    assert "STATUS_REVOKED" in codes(after)
    again = api.status(vc["id"], "unsuspended", token)
    assert again.status_code == 409
    assert again.json()["code"] == "ALREADY_REVOKED"


def test_suspension_comes_and_goes(api, token, vc):
    assert api.status(vc["id"], "suspended", token).json()["state"] == "suspended"
    suspended = api.verify(vc)
    assert suspended.status_code == 422
    assert "STATUS_SUSPENDED" in codes(suspended)
    assert api.status(vc["id"], "suspended", token).status_code == 409
    assert api.status(vc["id"], "unsuspended", token).json()["state"] == "active"
    assert api.verify(vc).status_code == 200
    assert ApiCredential.objects.get(credential_id=vc["id"]).state == "active"


def test_a_credential_without_a_status_entry_cannot_change(api, token, credential):
    plain = api.issued(credential, token)
    response = api.status(plain["id"], "revoked", token)
    assert response.status_code == 409
    assert response.json()["code"] == "STATUS_NOT_AVAILABLE"
    credential["id"] = "urn:uuid:0b8f6f3e-8d1c-4f7e-9a3b-1a2b3c4d5e6f"
    only_revocable = api.issued(credential, token,
                                credentialStatus={"statusPurpose": "revocation"})
    assert api.status(only_revocable["id"], "suspended", token).status_code == 409


def test_platform_awards_change_status_through_the_api_too(api, token, awarded):
    document = json.loads(awarded.document)
    assert api.verify(document).status_code == 200
    response = api.status(awarded.credential_id, "revoked", token)
    assert response.json()["state"] == "revoked"
    awarded.refresh_from_db()
    assert awarded.state == IssuedCredential.State.REVOKED
    after = api.verify(document)
    assert after.status_code == 422
    assert "STATUS_REVOKED" in codes(after)


def test_tenants_never_touch_each_others_credentials(api, token, other_token, vc, awarded):
    for credential_id in (vc["id"], awarded.credential_id):
        response = api.status(credential_id, "revoked", other_token)
        assert response.status_code == 404
        assert response.json() == {"code": "NOT_FOUND", "message": "No such credential."}
    missing = api.status("urn:uuid:00000000-0000-4000-8000-000000000000", "revoked", other_token)
    assert missing.json() == response.json()  # "not yours" looks exactly like "missing"
    assert ApiCredential.objects.get(credential_id=vc["id"]).state == "active"
    awarded.refresh_from_db()
    assert awarded.state == "active"
    assert api.verify(vc).status_code == 200


def test_status_changes_need_an_issuer_token(api, viewer_token, vc):
    assert api.status(vc["id"], "revoked", None).status_code == 401
    assert api.status(vc["id"], "revoked", "mdt_wrong").status_code == 401
    assert api.status(vc["id"], "revoked", viewer_token).status_code == 403
    assert ApiCredential.objects.get(credential_id=vc["id"]).state == "active"


@pytest.mark.parametrize(
    "body",
    [{}, {"credentialId": "urn:x"}, {"credentialId": "urn:x", "credentialStatus": []},
     {"credentialId": "urn:x", "credentialStatus": [{"status": "deleted"}]},
     {"credentialId": "urn:x", "credentialStatus": ["revoked"]},
     {"credentialId": "", "credentialStatus": [{"status": "revoked"}]}],
)
def test_malformed_status_requests_are_400(api, token, body):
    response = api.post("/credentials/status", body, token)
    assert response.status_code == 400
    assert response.json()["code"] == "REQUEST_INVALID"


def test_status_changes_are_audited(api, token, vc, institution):
    from microdegree.audit.models import AuditEntry

    api.status(vc["id"], "suspended", token)
    entry = AuditEntry.objects.get(action="vcapi.credential_suspend")
    assert entry.institution_id == institution.pk
    assert entry.before == {"state": "active"}
    assert entry.after == {"state": "suspended"}

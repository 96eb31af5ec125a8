"""Pages and JSON API through the real views: roles, tenant isolation, errors as 4xx JSON."""

from __future__ import annotations

import json

import pytest

from microdegree.audit.models import AuditEntry
from microdegree.institutions import services as inst_services
from microdegree.issuing import services
from microdegree.issuing.models import IssuedCredential

pytestmark = pytest.mark.django_db

EMAIL = "learner@example.org"


def _post_json(client, url, data, **headers):
    return client.post(url, data=json.dumps(data), content_type="application/json", **headers)


# --- pages ----------------------------------------------------------------------------------


def test_award_form_issues_and_shows_the_credential(client, institution, course, issuer):
    client.force_login(issuer)
    url = f"/institutions/{institution.slug}/credentials/award/{course.definition.slug}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {
        "recipient_email": EMAIL, "recipient_name": "Lin", "narrative": "Well done",
        "result": "A", "evidence_url": "https://example.org/e", "credits_earned": "5",
        "activity_start": "2026-09-01", "activity_end": "2026-12-01",
    })
    assert response.status_code == 302
    cred = IssuedCredential.objects.get()
    assert response["Location"].endswith(f"/credentials/{cred.uuid}/")
    assert cred.result_value == "A"
    assert cred.credits_earned == 5
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert b"Revoke permanently" in detail.content
    bad = client.post(url, {"recipient_email": "nope"})
    assert bad.status_code == 400
    assert IssuedCredential.objects.count() == 1


def test_list_filters_by_state_and_achievement(client, institution, course, issuer):
    from tests.issuing.conftest import make_course

    other = make_course(institution, "other-course")
    a = services.issue_credential(None, course, recipient_email="a@example.org",
                                  send_email=False)
    services.issue_credential(None, other, recipient_email="b@example.org", send_email=False)
    services.revoke(None, a, "x")
    client.force_login(issuer)
    base = f"/institutions/{institution.slug}/credentials/"
    everything = client.get(base)
    assert f"{base}award/data-literacy/".encode() in everything.content
    assert b"a@example.org" in everything.content
    assert b"b@example.org" in everything.content
    revoked = client.get(base, {"state": "revoked"})
    assert b"a@example.org" in revoked.content
    assert b"b@example.org" not in revoked.content
    by_course = client.get(base, {"achievement": "other-course"})
    assert b"b@example.org" in by_course.content
    assert b"a@example.org" not in by_course.content


def test_status_buttons_need_a_reason_and_the_issuer_role(client, institution, course, issuer,
                                                          make_user):
    cred = services.issue_credential(None, course, recipient_email=EMAIL, send_email=False)
    viewer = make_user("viewer@uni.example")
    inst_services.set_member(None, institution, viewer, "viewer")
    base = f"/institutions/{institution.slug}/credentials/{cred.uuid}"
    client.force_login(viewer)
    assert client.get(f"{base}/").status_code == 200  # viewers read
    assert b"Revoke permanently" not in client.get(f"{base}/").content
    assert client.get(f"{base}/revoke/").status_code == 403
    assert client.post(f"{base}/revoke/", {"reason": "x"}).status_code == 403
    client.force_login(issuer)
    client.post(f"{base}/suspend/", {"reason": ""})
    cred.refresh_from_db()
    assert cred.state == "active"  # no reason: refused with a message
    assert client.post(f"{base}/suspend/", {"reason": "check"}).status_code == 302
    cred.refresh_from_db()
    assert cred.state == "suspended"
    client.post(f"{base}/unsuspend/", {"reason": "ok"})
    client.post(f"{base}/revoke/", {"reason": "fraud", "confirm": "permanent"})
    cred.refresh_from_db()
    assert cred.state == "revoked"


def test_other_institutions_staff_get_404(client, institution, other_institution, course):
    cred = services.issue_credential(None, course, recipient_email=EMAIL, send_email=False)
    stranger = other_institution.members.get(role="owner").user
    client.force_login(stranger)
    assert client.get(f"/institutions/{institution.slug}/credentials/").status_code == 404
    assert client.get(
        f"/institutions/{institution.slug}/credentials/{cred.uuid}/").status_code == 404
    # their own institution's URL with our credential's uuid: also 404
    assert client.get(
        f"/institutions/{other_institution.slug}/credentials/{cred.uuid}/").status_code == 404
    assert client.post(f"/institutions/{institution.slug}/credentials/{cred.uuid}/revoke/",
                       {"reason": "x"}).status_code == 404
    api = client.get(f"/api/v1/institutions/{institution.slug}/credentials/{cred.uuid}")
    assert api.status_code == 404
    assert api.json()["code"] == "NOT_FOUND"
    revoke = _post_json(client, f"/api/v1/credentials/{cred.uuid}/revoke", {"reason": "x"})
    assert revoke.status_code == 404
    cred.refresh_from_db()
    assert cred.state == "active"


def test_pages_need_a_login(client, institution):
    response = client.get(f"/institutions/{institution.slug}/credentials/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_pending_approvals_page(client, institution, pathway, issuer):
    institution.approve_microdegrees = True
    institution.save()
    _, versions = pathway
    for version in versions:
        services.issue_credential(None, version, recipient_email=EMAIL, send_email=False)
    client.force_login(issuer)
    page = client.get(f"/institutions/{institution.slug}/credentials/pending/")
    assert b"Data Science Microdegree" in page.content
    from microdegree.issuing.models import PendingMicrodegree

    pending = PendingMicrodegree.objects.get()
    response = client.post(
        f"/institutions/{institution.slug}/credentials/pending/{pending.pk}/approve/")
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.state == "approved"


# --- JSON API -------------------------------------------------------------------------------


def test_api_awards_with_an_idempotency_key(client, institution, course, issuer, check):
    client.force_login(issuer)
    url = f"/api/v1/institutions/{institution.slug}/credentials"
    body = {"achievement": course.definition.slug, "recipient_email": EMAIL,
            "recipient_name": "Lin", "credits_earned": 5, "result": "9"}
    first = _post_json(client, url, body, HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == 201, first.content
    data = first.json()
    cred = IssuedCredential.objects.get(uuid=data["id"])
    assert data["credential"] == json.loads(cred.document)
    assert cred.document.encode() in first.content  # spliced verbatim
    again = _post_json(client, url, body, HTTP_IDEMPOTENCY_KEY="abc-1")
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == data["id"]
    assert IssuedCredential.objects.count() == 1
    assert check(cred.document, institution).verified
    listing = client.get(url, {"state": "active"})
    assert listing.json()["total"] == 1
    assert listing["X-Total-Count"] == "1"


def test_api_listing_pages_and_survives_huge_numbers(client, institution, course, issuer):
    for n in range(3):
        services.issue_credential(None, course, recipient_email=f"p{n}@example.org",
                                  send_email=False)
    client.force_login(issuer)
    url = f"/api/v1/institutions/{institution.slug}/credentials"
    page = client.get(url, {"limit": 2, "offset": 1}).json()
    assert (page["total"], len(page["items"]), page["offset"]) == (3, 2, 1)
    for params in ({"offset": 2**64}, {"limit": 2**64}, {"offset": -(2**70), "limit": -5}):
        response = client.get(url, params)
        assert response.status_code == 200, (params, response.content)
        assert response.json()["total"] == 3
    assert client.get(url, {"offset": 2**64}).json()["items"] == []
    bad = client.get(url, {"limit": "many"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "PAGING_INVALID"


def test_api_errors_are_json_4xx(client, institution, course, issuer, make_user):
    url = f"/api/v1/institutions/{institution.slug}/credentials"
    anonymous = _post_json(client, url, {})
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "AUTHENTICATION_REQUIRED"
    client.force_login(issuer)
    cases = [
        (client.post(url, data="{nope", content_type="application/json"), 400, "JSON_INVALID"),
        (_post_json(client, url, {"achievement": "missing", "recipient_email": EMAIL}), 400,
         "ACHIEVEMENT_UNKNOWN"),
        (_post_json(client, url, {"achievement": course.definition.slug,
                                  "recipient_email": "bad"}), 400, "EMAIL_INVALID"),
        (_post_json(client, url, {"achievement": course.definition.slug, "recipient_email":
                                  EMAIL, "colour": "red"}), 400, "FIELD_UNKNOWN"),
        (client.put(url), 405, "METHOD_NOT_ALLOWED"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, response.content
        assert response.json()["code"] == code
        assert response.json()["message"]
    viewer = make_user()
    inst_services.set_member(None, institution, viewer, "viewer")
    client.force_login(viewer)
    denied = _post_json(client, url, {"achievement": course.definition.slug,
                                      "recipient_email": EMAIL})
    assert denied.status_code == 403
    assert denied.json()["code"] == "PERMISSION_DENIED"


def test_api_status_changes(client, institution, course, issuer, check):
    cred = services.issue_credential(None, course, recipient_email=EMAIL, send_email=False)
    client.force_login(issuer)
    base = f"/api/v1/credentials/{cred.uuid}"
    missing_reason = _post_json(client, f"{base}/suspend", {})
    assert missing_reason.status_code == 400
    assert missing_reason.json()["code"] == "REASON_REQUIRED"
    assert _post_json(client, f"{base}/suspend", {"reason": "x"}).json()["state"] == "suspended"
    assert _post_json(client, f"{base}/unsuspend", {"reason": "y"}).json()["state"] == "active"
    revoked = _post_json(client, f"{base}/revoke", {"reason": "z"})
    assert revoked.status_code == 200
    assert revoked.json()["state"] == "revoked"
    conflict = _post_json(client, f"{base}/unsuspend", {"reason": "y"})
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "ALREADY_REVOKED"
    assert _post_json(client, f"{base}/explode", {"reason": "y"}).status_code == 404
    assert "STATUS_REVOKED" in {c.code for c in check(cred.document, institution).checks}


def test_api_bearer_tokens(client, institution, other_institution, course, issuer):
    token, raw = services.create_api_token(issuer, institution, "registrar system")
    assert raw.startswith("mdt_")
    assert raw not in token.token_hash
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    url = f"/api/v1/institutions/{institution.slug}/credentials"
    created = _post_json(client, url, {"achievement": course.definition.slug,
                                       "recipient_email": EMAIL}, **auth)
    assert created.status_code == 201, created.content
    uuid = created.json()["id"]
    assert client.get(f"{url}/{uuid}", **auth).status_code == 200
    entry = AuditEntry.objects.get(action="issuing.credential_issued")
    assert entry.actor_label.startswith("api-token:")
    # the token works only for its own institution
    other = f"/api/v1/institutions/{other_institution.slug}/credentials"
    assert client.get(other, **auth).status_code == 404
    # a read-only token cannot revoke; a revoked or unknown token is refused
    _, read_only = services.create_api_token(issuer, institution, "dashboard", role="viewer")
    refused = _post_json(client, f"/api/v1/credentials/{uuid}/revoke", {"reason": "x"},
                         HTTP_AUTHORIZATION=f"Bearer {read_only}")
    assert refused.status_code == 403
    services.revoke_api_token(issuer, token)
    assert client.get(url, **auth).status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION="Bearer mdt_nope").status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION="Basic abc").status_code == 401


def test_api_session_posts_need_csrf(institution, course, issuer):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(issuer)
    response = _post_json(strict, f"/api/v1/institutions/{institution.slug}/credentials",
                          {"achievement": course.definition.slug, "recipient_email": EMAIL})
    assert response.status_code == 403
    assert response.json()["code"] == "CSRF_FAILED"
    assert IssuedCredential.objects.count() == 0


def test_reissue_button(client, institution, course, issuer):
    cred = services.issue_credential(None, course, recipient_email=EMAIL, recipient_name="Lin",
                                     send_email=False)
    client.force_login(issuer)
    response = client.post(f"/institutions/{institution.slug}/credentials/{cred.uuid}/reissue/",
                           {"recipient_name": "Lin Wei", "recipient_email": EMAIL,
                            "reason": "Name change", "confirm": "permanent"})
    assert response.status_code == 302
    cred.refresh_from_db()
    assert cred.state == "revoked"
    assert response["Location"].endswith(f"/credentials/{cred.superseded_by.uuid}/")
    old_page = client.get(f"/institutions/{institution.slug}/credentials/{cred.uuid}/")
    assert b"Superseded by" in old_page.content


def test_reissue_without_the_confirmation_revokes_nothing(client, institution, course, issuer):
    """Re-issuing revokes the current credential: like revoking, it needs the confirmation."""
    cred = services.issue_credential(None, course, recipient_email=EMAIL, recipient_name="Lin",
                                     send_email=False)
    client.force_login(issuer)
    url = f"/institutions/{institution.slug}/credentials/{cred.uuid}/"
    page = client.get(url).content.decode()
    assert 'name="confirm" value="permanent" required' in page
    response = client.post(f"{url}reissue/", {"recipient_name": "Lin Wei",
                                              "recipient_email": EMAIL, "reason": "Name change"},
                           follow=True)
    assert "Nothing was re-issued" in response.content.decode()
    cred.refresh_from_db()
    assert cred.state == "active"
    assert cred.superseded_by is None

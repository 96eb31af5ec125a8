"""The JSON API: 201 with the report, 422 with row errors, Idempotency-Key, confirm, progress."""

from __future__ import annotations

import json

import pytest

from microdegree.bulk.models import BulkJob
from microdegree.issuing import services as issuing
from microdegree.issuing.models import IssuedCredential

pytestmark = pytest.mark.django_db

URL = "/api/v1/institutions/example-uni/bulk-jobs"


@pytest.fixture
def token(institution, issuer):
    return issuing.create_api_token(issuer, institution, "LMS")[1]


def post(client, url, body=None, token=None, **headers):
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


ROWS = [{"email": "a@example.org", "name": "Ann", "result": "B+", "credits": 4},
        {"email": "b@example.org", "activity_end": "2025-06-30"}]


def test_create_confirm_progress(client, course, token, immediate_tasks,
                                 django_capture_on_commit_callbacks):
    response = post(client, URL, {"achievement": "data-literacy", "rows": ROWS}, token,
                    HTTP_IDEMPOTENCY_KEY="batch-1")
    assert response.status_code == 201, response.content
    body = response.json()
    job_id = body["job"]["id"]
    assert body["job"]["state"] == "validated"
    assert body["job"]["total"] == 2
    assert body["report"] == {"ok": True, "total": 2, "valid_rows": 2, "invalid_rows": 0,
                              "columns": [], "warnings": [], "errors": [], "errors_total": 0,
                              "errors_truncated": False}
    assert response["Location"] == f"{URL}/{job_id}"
    # the same key again: the same job, 200
    again = post(client, URL, {"achievement": "data-literacy", "rows": ROWS}, token,
                 HTTP_IDEMPOTENCY_KEY="batch-1")
    assert again.status_code == 200
    assert again.json()["job"]["id"] == job_id
    assert again["Idempotent-Replayed"] == "true"
    # the same key for another batch: a conflict
    other = post(client, URL, {"achievement": "data-literacy", "rows": ROWS[:1]}, token,
                 HTTP_IDEMPOTENCY_KEY="batch-1")
    assert other.status_code == 409
    assert other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = post(client, f"{URL}/{job_id}/confirm", token=token)
    assert confirmed.status_code == 202
    progress = client.get(f"{URL}/{job_id}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert {k: progress[k] for k in ("state", "total", "issued", "failed", "percent")} == {
        "state": "done", "total": 2, "issued": 2, "failed": 0, "percent": 100}
    cred = IssuedCredential.objects.get(recipient_email="a@example.org")
    assert (cred.result_value, cred.credits_earned, cred.recipient_name) == ("B+", 4, "Ann")
    # confirming twice issues nothing more
    assert post(client, f"{URL}/{job_id}/confirm", token=token).status_code == 202
    assert IssuedCredential.objects.count() == 2
    listing = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [j["id"] for j in listing["items"]] == [job_id]


def test_row_errors_are_422(client, course, token):
    rows = [{"email": "ok@example.org"}, {"email": "broken"}, {"email": "ok@example.org"},
            {"email": "c@example.org", "shoe": 42}]
    response = post(client, URL, {"achievement": "data-literacy", "rows": rows}, token)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "BATCH_INVALID"
    assert sorted((e["row"], e["column"], e["code"]) for e in body["report"]["errors"]) == [
        (2, "email", "EMAIL_INVALID"), (3, "email", "DUPLICATE_RECIPIENT"),
        (4, "shoe", "FIELD_UNKNOWN")]
    job_id = body["job"]["id"]
    response = post(client, f"{URL}/{job_id}/confirm", token=token)
    assert response.status_code == 422
    assert response.json()["code"] == "BATCH_INVALID"


@pytest.mark.parametrize(("body", "code"), [
    ({"rows": ROWS}, "ACHIEVEMENT_UNKNOWN"),
    ({"achievement": "nope", "rows": ROWS}, "ACHIEVEMENT_UNKNOWN"),
    ({"achievement": "data-literacy", "version": 9, "rows": ROWS}, "VERSION_UNKNOWN"),
    ({"achievement": "data-literacy"}, "ROWS_REQUIRED"),
    ({"achievement": "data-literacy", "rows": ROWS, "colour": 1}, "FIELD_UNKNOWN"),
    ({"achievement": "data-literacy", "rows": {"email": "a@example.org"}}, "ROWS_INVALID"),
    ({"achievement": "data-literacy", "rows": "a@example.org"}, "ROWS_INVALID"),
])
def test_bad_requests_are_4xx(client, course, token, body, code):
    response = post(client, URL, body, token)
    assert 400 <= response.status_code < 500
    assert response.json()["code"] == code


def test_empty_rows_and_non_json(client, course, token):
    response = post(client, URL, {"achievement": "data-literacy", "rows": []}, token)
    assert response.status_code == 422
    assert response.json()["code"] == "EMPTY"
    response = client.post(URL, b"{nope", content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400
    assert response.json()["code"] == "JSON_INVALID"


def test_auth_and_tenants(client, course, token, institution, other_institution, issuer):
    assert post(client, URL, {"achievement": "data-literacy", "rows": ROWS}).status_code == 401
    viewer_token = issuing.create_api_token(issuer, institution, "read", role="viewer")[1]
    response = post(client, URL, {"achievement": "data-literacy", "rows": ROWS}, viewer_token)
    assert response.status_code == 403
    job_id = post(client, URL, {"achievement": "data-literacy", "rows": ROWS},
                  token).json()["job"]["id"]
    other_token = issuing.create_api_token(None, other_institution, "theirs")[1]
    assert client.get(f"{URL}/{job_id}",
                      HTTP_AUTHORIZATION=f"Bearer {other_token}").status_code == 404
    other_url = f"/api/v1/institutions/other-college/bulk-jobs/{job_id}"
    assert client.get(other_url, HTTP_AUTHORIZATION=f"Bearer {other_token}").status_code == 404
    assert post(client, f"{other_url}/confirm", token=other_token).status_code == 404
    assert BulkJob.objects.get().state == "validated"


def test_session_auth_needs_csrf(client, course, issuer):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(issuer)
    response = post(csrf_client, URL, {"achievement": "data-literacy", "rows": ROWS})
    assert response.status_code == 403
    assert response.json()["code"] == "CSRF_FAILED"
    client.force_login(issuer)
    assert post(client, URL, {"achievement": "data-literacy", "rows": ROWS}).status_code == 201

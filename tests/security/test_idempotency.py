"""Idempotency-Key and concurrent duplicates on the issuing API and the VC API, over real HTTP.

Attacks (issue 12 point 10, issue 14 point 7): a client that retries a request at once (several
copies in flight with one `Idempotency-Key`) must get one credential, one 201 and replays (200,
`Idempotent-Replayed: true`, the same body), never several 201s that look like several awards;
the same key with another body is refused (422), never answered with the first credential; and
eight simultaneous VC API issues with one client-chosen `id` give one 201 and seven 409s, never a
500. Threads send the requests to the live server; on PostgreSQL they really run concurrently
(on SQLite they are sent one after the other, see `at_once`, and the answers must be the same).
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from typing import Any

import pytest
from django.db import connection

from microdegree.issuing.models import IdempotentRequest, IssuedCredential
from microdegree.vcapi.models import ApiCredential

pytestmark = pytest.mark.django_db(transaction=True)

VC_V2 = "https://www.w3.org/ns/credentials/v2"


@pytest.fixture
def course(institution):
    from microdegree.catalog import services as catalog

    return catalog.create_definition(
        None, institution, name="Course data-literacy", slug="data-literacy",
        description="The course.", criteria_narrative="Pass the exam.", credits_available=5)


@pytest.fixture
def token(institution) -> str:
    from microdegree.issuing import services

    return services.create_api_token(None, institution, "retrying client")[1]


def post(url: str, body: Any, token: str, key: str | None = None
         ) -> tuple[int, dict[str, str], bytes]:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers,
                                     method="POST")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def at_once(count: int, send: Any) -> list[tuple[int, dict[str, str], bytes]]:
    """`count` threads that call `send()` together (a barrier), each with its own connection.

    On SQLite the live server's threads share one in-memory test database whose shared-cache
    table locks do not wait, so there the copies go one after the other (SQLite serialises
    writers anyway); the answers must be the same."""
    if connection.vendor == "sqlite":
        return [send() for _ in range(count)]
    barrier = threading.Barrier(count)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(send())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not errors, errors
    assert len(results) == count
    return results


def statuses(results: list[tuple[int, dict[str, str], bytes]]) -> list[int]:
    return sorted(status for status, _, _ in results)


# --- the issuing API ---------------------------------------------------------------------------


def test_concurrent_awards_with_one_key_issue_once_and_replay(live_server, institution, course,
                                                              token):
    url = f"{live_server.url}/api/v1/institutions/{institution.slug}/credentials"
    body = {"achievement": course.definition.slug, "recipient_email": "lin@example.org",
            "credits_earned": 5}
    results = at_once(6, lambda: post(url, body, token, key="retry-42"))
    assert statuses(results) == [200] * 5 + [201], [r[2][:300] for r in results]
    [first] = [r for r in results if r[0] == 201]
    replays = [r for r in results if r[0] == 200]
    assert all(r[1].get("Idempotent-Replayed") == "true" for r in replays)
    assert "Idempotent-Replayed" not in first[1]
    assert all(r[2] == first[2] for r in replays)  # the same body, byte for byte
    assert IssuedCredential.objects.count() == 1
    assert json.loads(first[2])["id"] == str(IssuedCredential.objects.get().uuid)
    assert IdempotentRequest.objects.filter(key="retry-42").count() == 1


def test_the_same_key_with_another_award_is_refused(live_server, institution, course, token):
    url = f"{live_server.url}/api/v1/institutions/{institution.slug}/credentials"
    body = {"achievement": course.definition.slug, "recipient_email": "lin@example.org"}
    status, _, _ = post(url, body, token, key="k-1")
    assert status == 201
    again, headers, _ = post(url, {**body}, token, key="k-1")
    assert again == 200
    assert headers.get("Idempotent-Replayed") == "true"
    other, _, content = post(url, {**body, "recipient_email": "mallory@example.org"}, token,
                             key="k-1")
    assert other == 422, content
    answer = json.loads(content)
    assert answer["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert "different request" in answer["message"]
    assert IssuedCredential.objects.count() == 1
    assert not IssuedCredential.objects.filter(recipient_email="mallory@example.org").exists()


def test_a_replay_needs_the_issuer_role(live_server, institution, course, token):
    from microdegree.issuing import services

    viewer = services.create_api_token(None, institution, "viewer", role="viewer")[1]
    url = f"{live_server.url}/api/v1/institutions/{institution.slug}/credentials"
    body = {"achievement": course.definition.slug, "recipient_email": "lin@example.org"}
    assert post(url, body, token, key="k-2")[0] == 201
    status, _, content = post(url, body, viewer, key="k-2")
    assert status == 403, content


def test_a_malformed_key_is_400(live_server, institution, course, token):
    url = f"{live_server.url}/api/v1/institutions/{institution.slug}/credentials"
    body = {"achievement": course.definition.slug, "recipient_email": "lin@example.org"}
    status, _, content = post(url, body, token, key="x" * 201)
    assert status == 400
    assert json.loads(content)["code"] == "IDEMPOTENCY_KEY_INVALID"
    assert IssuedCredential.objects.count() == 0


# --- the VC API --------------------------------------------------------------------------------


def credential(**extra: Any) -> dict[str, Any]:
    return {"@context": [VC_V2], "type": ["VerifiableCredential"],
            "credentialSubject": {"id": "did:example:ada", "name": "Ada"}, **extra}


def test_eight_simultaneous_issues_of_one_id_are_one_201_and_seven_409(live_server, institution,
                                                                       token):
    url = f"{live_server.url}/credentials/issue"
    # A first issue warms the server up (contexts, schemas, the key), so that the eight below
    # reach the existence check together rather than queued behind the first one's loading.
    assert post(url, {"credential": credential()}, token)[0] == 201
    body = {"credential": credential(id="urn:uuid:7f0e4c52-8f3e-4b7e-9a43-3c1b1f0f2a11")}
    results = at_once(8, lambda: post(url, body, token))
    assert statuses(results) == [201] + [409] * 7, [r[2][:300] for r in results]
    for status, _, content in results:
        if status == 409:
            assert json.loads(content)["code"] == "CREDENTIAL_ID_TAKEN"
    assert ApiCredential.objects.filter(credential_id=body["credential"]["id"]).count() == 1


def test_vc_api_replays_an_idempotent_issue(live_server, institution, token):
    url = f"{live_server.url}/credentials/issue"
    body = {"credential": credential(), "options": {
        "credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "revocation"}}}
    results = at_once(4, lambda: post(url, body, token, key="vc-retry-1"))
    assert statuses(results) == [200, 200, 200, 201], [r[2][:300] for r in results]
    [first] = [r for r in results if r[0] == 201]
    for status, headers, content in results:
        if status == 200:
            assert headers.get("Idempotent-Replayed") == "true"
            assert content == first[2]
    assert ApiCredential.objects.count() == 1  # no id in the request, still one credential
    issued = json.loads(first[2])["verifiableCredential"]
    assert issued["id"] == ApiCredential.objects.get().credential_id

    other = {**body, "credential": credential(name="Another")}
    status, _, content = post(url, other, token, key="vc-retry-1")
    assert status == 422, content
    assert json.loads(content)["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert ApiCredential.objects.count() == 1


def test_a_key_with_any_json_body_is_never_a_500(live_server, institution, token):
    url = f"{live_server.url}/credentials/issue"
    huge = credential(credentialSubject={"id": "did:example:ada", "rank": 2725867331312456192})
    status, _, content = post(url, {"credential": huge}, token, key="big-1")
    assert status in (201, 400), content  # whatever the credential's fate: an answer, not a 500
    again, _, _ = post(url, {"credential": huge}, token, key="big-1")
    assert again == (200 if status == 201 else 400)

"""Events recorded with the action, delivered by the worker: signed (verified here with hmac
alone), retried with backoff, never blocking the action, one task per transaction."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from microdegree.issuing import services as issuing
from microdegree.webhooks import services
from microdegree.webhooks.models import Delivery, Event
from tests.webhooks.conftest import ready_webhook_tasks, run_worker, verify_signature

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "learner@example.org"


@pytest.fixture
def subscribed(institution, receiver, loopback_allowed):
    def make(*events: str):
        return services.create_subscription(None, institution, url=receiver.url,
                                            events=events or ("credential.issued",))
    return make


def _token(institution) -> str:
    return issuing.create_api_token(None, institution, "lms", role="issuer")[1]


def _award_over_api(client, institution, course, email=EMAIL):
    return client.post(
        f"/api/v1/institutions/{institution.slug}/credentials",
        data=json.dumps({"achievement": course.definition.slug, "recipient_email": email,
                         "recipient_name": "Lin"}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {_token(institution)}")


def test_an_api_award_is_delivered_signed_by_the_worker(client, institution, course,
                                                        receiver, subscribed):
    _sub, secret = subscribed("credential.issued")
    response = _award_over_api(client, institution, course)
    assert response.status_code == 201, response.content
    # the award is answered; nothing has been sent yet, one task is queued for the workers
    assert receiver.arrived == 0
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("pending", 0)
    assert ready_webhook_tasks() == 1

    run_worker()

    [got] = receiver.requests
    assert got.path == "/hooks/microdegree"
    assert got.headers["content-type"] == "application/json"
    assert verify_signature(secret, got)
    assert got.headers["webhook-id"] == f"msg_{delivery.event_id.hex}"
    assert abs(int(got.headers["webhook-timestamp"]) - timezone.now().timestamp()) < 300
    body = json.loads(got.body)
    assert body["type"] == "credential.issued"
    credential = body["data"]["credential"]
    assert credential["uuid"] == response.json()["id"]
    assert credential["recipient"]["email"] == EMAIL
    assert credential["achievement"]["slug"] == course.definition.slug
    assert credential["state"] == "active"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)


def test_a_tampered_body_does_not_verify(institution, course, receiver, subscribed):
    _sub, secret = subscribed("credential.issued")
    issuing.issue_credential(None, course, recipient_email=EMAIL, send_email=False)
    run_worker()
    [got] = receiver.requests
    assert verify_signature(secret, got)
    got.body = got.body.replace(b"active", b"revoked")
    assert not verify_signature(secret, got)
    other_secret = services.create_subscription(None, institution, url=receiver.url,
                                                events=["credential.revoked"])[1]
    assert not verify_signature(other_secret, receiver.requests[0])


def test_revoke_suspend_and_unsuspend_are_delivered(institution, course, receiver, subscribed):
    _sub, secret = subscribed("credential.revoked", "credential.suspended",
                             "credential.unsuspended")
    first = issuing.issue_credential(None, course, recipient_email=EMAIL, send_email=False)
    second = issuing.issue_credential(None, course, recipient_email="b@example.org",
                                      send_email=False)
    issuing.suspend(None, first, "exam under review")
    issuing.unsuspend(None, first, "review closed")
    issuing.revoke(None, second, "plagiarism")
    run_worker()
    bodies = [json.loads(r.body) for r in receiver.requests]
    assert all(verify_signature(secret, r) for r in receiver.requests)
    seen = {(b["type"], b["data"]["credential"]["uuid"]) for b in bodies}
    assert seen == {("credential.suspended", str(first.uuid)),
                    ("credential.unsuspended", str(first.uuid)),
                    ("credential.revoked", str(second.uuid))}  # (issued: not subscribed)
    revoked = next(b for b in bodies if b["type"] == "credential.revoked")
    assert revoked["data"]["credential"]["state"] == "revoked"
    assert revoked["data"]["credential"]["stateReason"] == "plagiarism"


def test_completing_a_microdegree_is_delivered(institution, pathway, receiver, subscribed):
    _degree, courses = pathway
    _sub, secret = subscribed("microdegree.completed")
    parts = [issuing.issue_credential(None, c, recipient_email=EMAIL, send_email=False)
             for c in courses]
    run_worker()
    [got] = receiver.requests
    assert verify_signature(secret, got)
    body = json.loads(got.body)
    assert body["type"] == "microdegree.completed"
    assert body["data"]["credential"]["achievement"]["slug"] == "data-science"
    assert body["data"]["credential"]["recipient"]["email"] == EMAIL
    assert body["data"]["components"] == sorted(p.credential_id for p in parts)


def test_a_failed_delivery_is_retried_with_backoff(institution, course, receiver, subscribed):
    receiver.statuses = [500, 200]
    _sub, secret = subscribed("credential.issued")
    issuing.issue_credential(None, course, recipient_email=EMAIL, send_email=False)
    run_worker()
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
    assert delivery.last_error == "HTTP 500"
    wait = delivery.next_attempt_at - delivery.last_attempt_at
    assert wait == timedelta(seconds=60)
    retry = DBTaskResult.objects.get(task_path__endswith="deliver_webhooks", status="READY")
    assert retry.run_after == delivery.next_attempt_at  # a deferred task, not run yet
    run_worker()
    assert len(receiver.requests) == 1

    # a minute later (moved, not waited for)
    Delivery.objects.update(next_attempt_at=timezone.now())
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_worker()
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]  # receivers de-duplicate
    assert verify_signature(secret, second)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 2, 200)


def test_gives_up_after_six_attempts_over_about_a_day(institution, course, receiver, subscribed):
    receiver.statuses = [503]
    subscribed("credential.issued")
    issuing.issue_credential(None, course, recipient_email=EMAIL, send_email=False)
    waits = []
    for _ in range(6):
        Delivery.objects.update(next_attempt_at=timezone.now())
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        run_worker()
        delivery = Delivery.objects.get()
        if delivery.next_attempt_at is not None:
            waits.append(delivery.next_attempt_at - delivery.last_attempt_at)
    assert len(receiver.requests) == 6
    assert (delivery.state, delivery.attempts) == ("failed", 6)
    assert [w.total_seconds() for w in waits] == [60, 360, 2160, 12960, 77760]
    assert timedelta(hours=20) < sum(waits, timedelta()) < timedelta(hours=30)


def test_a_hanging_receiver_does_not_hold_up_the_award(client, institution, course, receiver,
                                                       subscribed, settings):
    receiver.hang = True
    settings.MICRODEGREE_WEBHOOKS_TIMEOUT = 1.0
    subscribed("credential.issued")
    response = _award_over_api(client, institution, course)
    assert response.status_code == 201
    assert receiver.arrived == 0  # answered without a connection to the receiver
    run_worker()  # the worker waits for the receiver, up to its timeout
    assert receiver.arrived == 1
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, None)
    assert "took longer than" in delivery.last_error


def test_a_batch_queues_one_task_not_one_per_credential(institution, course, receiver,
                                                        subscribed):
    subscribed("credential.issued")
    rows = [{"recipient_email": f"l{i}@example.org"} for i in range(40)]
    issuing.issue_many(None, course, rows, send_email=False)
    assert Delivery.objects.count() == 40
    assert ready_webhook_tasks() == 1
    run_worker()
    assert len(receiver.requests) == 40
    assert {json.loads(r.body)["data"]["credential"]["recipient"]["email"]
            for r in receiver.requests} == {r["recipient_email"] for r in rows}


def test_nothing_is_recorded_without_a_subscription_or_when_the_action_fails(
        institution, course, receiver, subscribed):
    issuing.issue_credential(None, course, recipient_email=EMAIL, send_email=False)
    assert Event.objects.count() == 0
    assert ready_webhook_tasks() == 0
    subscribed("credential.issued")

    def award_then_fail():
        with transaction.atomic():
            issuing.issue_credential(None, course, recipient_email="x@example.org",
                                     send_email=False)
            raise RuntimeError("the action fails after the award")

    with pytest.raises(RuntimeError):
        award_then_fail()
    assert Event.objects.count() == 0
    assert ready_webhook_tasks() == 0
    run_worker()
    assert receiver.arrived == 0


def test_a_paused_subscription_records_nothing_and_its_waiting_deliveries_resume(
        institution, course, receiver, subscribed):
    sub, _secret = subscribed("credential.issued")
    issuing.issue_credential(None, course, recipient_email=EMAIL, send_email=False)
    services.set_active(None, sub, False)
    issuing.issue_credential(None, course, recipient_email="b@example.org", send_email=False)
    run_worker()
    assert receiver.arrived == 0
    assert Delivery.objects.count() == 1
    services.set_active(None, sub, True)
    run_worker()
    assert [json.loads(r.body)["data"]["credential"]["recipient"]["email"]
            for r in receiver.requests] == [EMAIL]


def test_a_standard_webhooks_library_verifies_the_delivery(institution, course, receiver,
                                                           subscribed):
    """Receivers need no code of ours: the Standard Webhooks reference library (Python)
    accepts the delivery as sent, and refuses it with another secret or a changed body."""
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError

    _sub, secret = subscribed("credential.issued")
    cred = issuing.issue_credential(None, course, recipient_email=EMAIL, send_email=False)
    run_worker()
    [got] = receiver.requests
    parsed = Webhook(secret).verify(got.body, got.headers)
    assert parsed["data"]["credential"]["id"] == cred.credential_id
    other = services.create_subscription(None, institution, url=receiver.url,
                                         events=["credential.revoked"])[1]
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(got.body, got.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(got.body.replace(b"active", b"revoked"), got.headers)


def test_the_send_webhooks_command_sends_what_is_due(institution, course, receiver,
                                                      subscribed):
    """A delivery whose task was lost (here: the queued task deleted) still goes out."""
    from io import StringIO

    from django.core.management import call_command

    _sub, secret = subscribed("credential.issued")
    issuing.issue_credential(None, course, recipient_email=EMAIL, send_email=False)
    DBTaskResult.objects.all().delete()
    run_worker()
    assert receiver.arrived == 0
    out = StringIO()
    call_command("send_webhooks", stdout=out)
    assert out.getvalue().startswith("1 delivered, 0 failed")
    assert verify_signature(secret, receiver.requests[0])


def test_a_bulk_job_queues_one_webhook_task_per_chunk(institution, course, receiver,
                                                      subscribed, settings, tmp_path,
                                                      monkeypatch):
    """The real path: a CSV job confirmed, run by the worker in chunks of 3; each chunk's
    transaction records its events and queues one delivery task."""
    from microdegree.bulk import services as bulk
    from tests.bulk.conftest import csv_of

    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("MICRODEGREE_BULK_CHUNK_SIZE", "3")
    monkeypatch.setenv("MICRODEGREE_BULK_PARALLEL", "1")
    _sub, secret = subscribed("credential.issued")
    job, report, _ = bulk.prepare_job(None, course, csv_of(7), filename="seven.csv")
    assert report.ok
    bulk.confirm_job("tester", job)
    run_worker()
    job.refresh_from_db()
    assert job.state == "done"
    assert len(receiver.requests) == 7
    assert all(verify_signature(secret, r) for r in receiver.requests)
    tasks = DBTaskResult.objects.filter(task_path__endswith="deliver_webhooks")
    assert tasks.count() == 3  # chunks of 3, 3 and 1 rows
    assert Delivery.objects.filter(state="delivered").count() == 7

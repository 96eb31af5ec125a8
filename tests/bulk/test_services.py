"""Prepare, confirm and process: validated first, issued once, resumable after a crash."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from microdegree.audit.models import AuditEntry
from microdegree.bulk import services
from microdegree.bulk.models import BulkJob, BulkRow
from microdegree.institutions.errors import Conflict, Invalid
from microdegree.issuing import services as issuing
from microdegree.issuing.models import IssuedCredential

from .conftest import csv_of

pytestmark = pytest.mark.django_db


def run(job, **kwargs):
    """Confirm (without a worker) and process the job in-process."""
    job = services.confirm_job("tester", job)
    services.process_job(job.pk, **kwargs)
    job.refresh_from_db()
    return job


def test_prepare_stores_the_batch_and_issues_nothing(issuer, course):
    job, report, created = services.prepare_job(issuer, course, csv_of(3), filename="a.csv")
    assert created
    assert report.ok
    assert (job.state, job.total, job.invalid_count, job.source) == ("validated", 3, 0, "csv")
    assert job.can_confirm
    assert list(job.rows.values_list("row_number", "state")) == [
        (2, "pending"), (3, "pending"), (4, "pending")]
    assert IssuedCredential.objects.count() == 0
    assert AuditEntry.objects.filter(action="bulk.job_prepared", object_id=str(job.pk)).exists()


def test_confirm_and_process_issues_each_row_once(issuer, course, mailoutbox, immediate_tasks,
                                                  django_capture_on_commit_callbacks):
    job, _, _ = services.prepare_job(issuer, course, csv_of(5))
    job = services.confirm_job(issuer, job)
    assert job.state == "queued"
    with django_capture_on_commit_callbacks(execute=True):
        result = services.process_job(job.pk, size=2)
    assert result["state"] == "done"
    assert (result["issued"], result["failed"], result["percent"]) == (5, 0, 100)
    job.refresh_from_db()
    assert job.started_at
    assert job.finished_at
    creds = IssuedCredential.objects.filter(institution=course.definition.institution)
    assert creds.count() == 5
    keys = set(creds.values_list("idempotency_key", flat=True))
    assert keys == {services.row_key(job, n) for n in range(2, 7)}
    row = job.rows.get(row_number=2)
    assert row.state == "issued"
    assert row.credential.recipient_email == "learner1@example.org"
    document = json.loads(row.credential.document)
    proof = document["proof"][0] if isinstance(document["proof"], list) else document["proof"]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert "learner1@example.org" not in row.credential.document  # a salted hash only
    assert (row.credential.credits_earned, row.credential.result_value) == (5, "A")
    assert len(mailoutbox) == 5
    # running it again (a duplicate task, a successor run) issues nothing more
    services.process_job(job.pk)
    assert creds.count() == 5
    assert AuditEntry.objects.filter(action="bulk.job_finished", object_id=str(job.pk)).count() == 1


def test_the_same_batch_again_is_the_same_job(issuer, course):
    job, _, _ = services.prepare_job(issuer, course, csv_of(3))
    run(job)
    again, _, created = services.prepare_job(issuer, course,
                                             csv_of(3).replace(b",", b";"))  # same rows
    assert not created
    assert again.pk == job.pk
    assert again.state == "done"
    services.confirm_job(issuer, again)  # a no-op on a done job
    assert IssuedCredential.objects.count() == 3
    other, _, created = services.prepare_job(issuer, course, csv_of(4))
    assert created
    assert other.pk != job.pk


def test_idempotency_key(issuer, course):
    rows = [{"email": "a@example.org"}, {"email": "b@example.org"}]
    job, _, created = services.prepare_job(issuer, course, rows, idempotency_key="k1")
    assert created
    assert job.source == "api"
    again, _, created = services.prepare_job(issuer, course, rows, idempotency_key="k1")
    assert again.pk == job.pk
    assert not created
    with pytest.raises(Conflict) as exc:
        services.prepare_job(issuer, course, rows[:1], idempotency_key="k1")
    assert exc.value.code == "IDEMPOTENCY_KEY_REUSED"


def test_a_batch_with_invalid_rows_cannot_be_confirmed(issuer, course):
    job, report, _ = services.prepare_job(
        issuer, course, b"email,end\na@example.org,2025-01-01\nbad,2025-99-01\n")
    assert not report.ok
    assert job.invalid_count == 1
    assert not job.can_confirm
    assert job.rows.get(row_number=3).state == "invalid"
    assert "not a valid e-mail" in job.rows.get(row_number=3).error
    with pytest.raises(Invalid) as exc:
        services.confirm_job(issuer, job)
    assert (exc.value.code, exc.value.status) == ("BATCH_INVALID", 422)


def test_unreadable_batch_is_rejected_with_its_report(issuer, course):
    with pytest.raises(services.BatchRejected) as exc:
        services.prepare_job(issuer, course, b"name\nAda\n")
    assert exc.value.status == 422
    assert exc.value.code == "COLUMN_MISSING"
    assert BulkJob.objects.count() == 0


def test_microdegrees_are_not_issued_in_bulk(issuer, institution):
    from microdegree.catalog import services as catalog

    degree = catalog.create_definition(None, institution, name="Degree", slug="degree",
                                       kind="microdegree", description="d",
                                       criteria_narrative="c")
    with pytest.raises(Invalid) as exc:
        services.prepare_job(issuer, degree, csv_of(1))
    assert exc.value.code == "MICRODEGREE_NOT_BULK"


def test_crash_after_storing_before_marking_issues_nothing_twice(issuer, course):
    """A worker stored row 3's credential and died before marking the row: the row's
    idempotency key finds the stored credential, nothing is signed twice."""
    job, _, _ = services.prepare_job(issuer, course, csv_of(4))
    job = services.confirm_job(issuer, job)
    row = job.rows.get(row_number=3)
    stored = issuing.issue_credential(
        issuer, course, recipient_email=row.data["recipient_email"],
        idempotency_key=services.row_key(job, 3), send_email=False)
    # and another worker's claim on row 4 has expired (it was killed)
    job.rows.filter(row_number=4).update(claimed_until=timezone.now() - timedelta(seconds=1))
    services.process_job(job.pk)
    job.refresh_from_db()
    assert job.state == "done"
    assert job.issued_count == 4
    assert IssuedCredential.objects.count() == 4
    assert job.rows.get(row_number=3).credential_id == stored.pk


def test_rows_claimed_by_a_live_worker_are_left_alone(issuer, course):
    job, _, _ = services.prepare_job(issuer, course, csv_of(3))
    job = services.confirm_job(issuer, job)
    job.rows.filter(row_number=2).update(claimed_until=timezone.now() + timedelta(minutes=1))
    result = services.process_job(job.pk)
    assert result["state"] == "running"
    assert result["issued"] == 2
    job.rows.filter(row_number=2).update(claimed_until=None)  # the lease ends
    assert services.process_job(job.pk)["state"] == "done"
    assert IssuedCredential.objects.count() == 3


def test_cancel_stops_issuing(issuer, course):
    job, _, _ = services.prepare_job(issuer, course, csv_of(3))
    job = services.confirm_job(issuer, job)
    services.cancel_job(issuer, job)
    assert services.process_job(job.pk)["state"] == "cancelled"
    assert IssuedCredential.objects.count() == 0
    with pytest.raises(Conflict):
        services.cancel_job(issuer, job)
    # a cancelled batch can be uploaded again as a new job
    again, _, created = services.prepare_job(issuer, course, csv_of(3))
    assert created
    assert again.pk != job.pk


def test_a_job_fails_cleanly_and_resumes(issuer, course, admin_user):
    from microdegree.institutions.models import Institution

    job, _, _ = services.prepare_job(issuer, course, csv_of(3))
    job = services.confirm_job(issuer, job)
    inst = course.definition.institution
    Institution.objects.filter(pk=inst.pk).update(status="suspended")
    result = services.process_job(job.pk)
    assert result["state"] == "failed"
    assert "not approved" in result["error"]
    Institution.objects.filter(pk=inst.pk).update(status="approved")
    job = services.resume_job(issuer, job)
    assert job.state == "queued"
    assert job.error == ""
    assert services.process_job(job.pk)["state"] == "done"
    assert BulkRow.objects.filter(job=job, state="issued").count() == 3


def test_confirm_enqueues_the_task(issuer, course, immediate_tasks,
                                   django_capture_on_commit_callbacks):
    job, _, _ = services.prepare_job(issuer, course, csv_of(3))
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_job(issuer, job)
    job.refresh_from_db()
    assert job.state == "done"
    assert job.issued_count == 3
    assert job.task_id


def test_each_chunk_queues_its_emails_in_its_own_transaction(issuer, course):
    from django_tasks_db.models import DBTaskResult

    job, _, _ = services.prepare_job(issuer, course, csv_of(5))
    job = services.confirm_job(issuer, job)
    services.process_job(job.pk, size=2)
    mail_tasks = DBTaskResult.objects.filter(task_path__endswith="send_bulk_emails")
    assert sorted(len(t.args_kwargs["args"][0]) for t in mail_tasks) == [1, 2, 2]
    ids = sorted(i for t in mail_tasks for i in t.args_kwargs["args"][0])
    assert ids == sorted(IssuedCredential.objects.values_list("pk", flat=True))


def test_bulk_credentials_verify_and_can_be_revoked(issuer, course, client):
    """What a job issues is an ordinary credential: it verifies against the served DID document
    and the live status list, and revoking it shows at once."""
    from dataclasses import dataclass

    from django.conf import settings

    from microdegree.vc import did as vc_did
    from microdegree.vc.fetch import FetchResponse
    from microdegree.vc.verify import verify

    @dataclass
    class ClientFetcher:
        def get(self, url: str, *, accept: str = "application/json") -> FetchResponse:
            response = client.get(url[len(settings.PUBLIC_URL):], HTTP_ACCEPT=accept)
            assert response.status_code == 200
            return FetchResponse(url=url, status=200, content_type=response["Content-Type"],
                                 body=response.content, headers=dict(response.headers))

    inst = course.definition.institution
    job, _, _ = services.prepare_job(issuer, course, csv_of(2))
    run(job)
    served = json.loads(client.get(f"/issuers/{inst.slug}/did.json").content)
    resolver = vc_did.StaticResolver({inst.did: served})
    cred = job.rows.get(row_number=2).credential
    report = verify(cred.document, resolver=resolver, status_fetcher=ClientFetcher())
    assert report.verified, [(c.code, c.message) for c in report.checks]
    issuing.revoke(issuer, cred, "Issued in error.")
    report = verify(cred.document, resolver=resolver, status_fetcher=ClientFetcher())
    assert not report.verified
    other = job.rows.get(row_number=3).credential
    assert verify(other.document, resolver=resolver, status_fetcher=ClientFetcher()).verified

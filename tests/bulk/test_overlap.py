"""The writer thread (PostgreSQL, outside a transaction): chunk N is stored while chunk N+1 is
signed. Same results as the sequential loop: every row issued once, linked, audited; a cancel
stops it; an error in the writer fails the job and a resume finishes it without duplicates."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from microdegree.audit.models import AuditEntry
from microdegree.bulk import services
from microdegree.bulk.services import processing
from microdegree.issuing.models import IssuedCredential

from .conftest import csv_of

pytestmark = pytest.mark.django_db(transaction=True)

ROWS, CHUNK = 23, 5


def _job(issuer, course):
    job, _, _ = services.prepare_job(issuer, course, csv_of(ROWS), send_email=False)
    return services.confirm_job(issuer, job)


@pytest.fixture
def stores(monkeypatch):
    """Which thread stored each chunk (the real _store_chunk runs)."""
    seen: list[str] = []
    real = processing._store_chunk

    def recording(*args, **kwargs):
        seen.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(processing, "_store_chunk", recording)
    return seen


def _assert_issued_once(job):
    job.refresh_from_db()
    creds = IssuedCredential.objects.filter(institution_id=job.institution_id)
    keys = sorted(creds.values_list("idempotency_key", flat=True))
    assert keys == sorted(services.row_key(job, n) for n in range(2, ROWS + 2))
    assert job.rows.filter(state="issued", credential__isnull=False).count() == ROWS
    assert job.rows.values("credential").distinct().count() == ROWS
    assert AuditEntry.objects.filter(action="issuing.credential_issued").count() == ROWS
    assert (job.state, job.issued_count) == ("done", ROWS)


def test_the_job_is_issued_once_whichever_loop_runs(issuer, course, stores):
    job = _job(issuer, course)
    services.process_job(job.pk, size=CHUNK)
    _assert_issued_once(job)
    assert len(stores) == 5
    on_writer = all(name.startswith("bulk-writer") for name in stores)
    assert on_writer == (connection.vendor == "postgresql")  # SQLite: the sequential loop
    assert services.overlap_enabled() == (connection.vendor == "postgresql")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the writer runs on PostgreSQL")
def test_a_cancel_stops_the_writer_loop(issuer, course, monkeypatch):
    job = _job(issuer, course)
    real = processing._store_chunk

    def cancel_after_first(*args, **kwargs):
        stored = real(*args, **kwargs)
        services.cancel_job("tester", job)
        return stored

    monkeypatch.setattr(processing, "_store_chunk", cancel_after_first)
    services.process_job(job.pk, size=CHUNK)
    job.refresh_from_db()
    assert job.state == "cancelled"
    assert job.issued_count == CHUNK  # the chunk signed meanwhile was not stored
    assert IssuedCredential.objects.count() == CHUNK
    # the chunk signed meanwhile and the one claimed ahead are not left leased
    assert job.rows.filter(state="pending").count() == ROWS - CHUNK
    assert not job.rows.filter(state="pending", claimed_until__isnull=False).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the writer runs on PostgreSQL")
def test_an_error_in_the_writer_fails_the_job_and_resume_finishes_it(issuer, course,
                                                                     monkeypatch):
    job = _job(issuer, course)
    real = processing._store_chunk
    calls = {"n": 0}

    def fail_second(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(processing, "_store_chunk", fail_second)
    with pytest.raises(RuntimeError):
        services.process_job(job.pk, size=CHUNK, lease=1)
    job.refresh_from_db()
    assert job.state == "failed"
    assert job.issued_count == CHUNK
    assert not job.rows.filter(state="pending", claimed_until__isnull=False).exists()
    monkeypatch.setattr(processing, "_store_chunk", real)
    services.resume_job("tester", job)
    services.process_job(job.pk, size=CHUNK)
    _assert_issued_once(job)

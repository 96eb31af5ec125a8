"""A job of any size: status lists extend themselves with random indices, claims start at the
worker's cursor (not at the job's first row), and a job stopped at any point of a chunk
(cancelled, or its worker killed before, during or after storing) resumes with every row issued
exactly once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from microdegree.bulk import services
from microdegree.bulk.models import BulkRow
from microdegree.bulk.services import processing
from microdegree.issuing import statuslists
from microdegree.issuing.models import IssuedCredential, StatusList

from .conftest import csv_of

pytestmark = pytest.mark.django_db

SIZE = 64  # entries per status list in these tests (the spec's 131,072 in production)


@pytest.fixture
def small_lists(settings):
    settings.STATUS_LIST_SIZE = SIZE


def _job(issuer, course, n):
    job, report, _ = services.prepare_job(issuer, course, csv_of(n), send_email=False)
    assert report.ok
    return services.confirm_job(issuer, job)


def _assert_each_row_issued_once(job, n):
    job.refresh_from_db()
    creds = IssuedCredential.objects.filter(institution=job.institution)
    assert job.state == "done"
    assert job.issued_count == n
    assert creds.count() == n
    assert sorted(creds.values_list("idempotency_key", flat=True)) == sorted(
        services.row_key(job, r) for r in range(2, n + 2))  # (line 1 is the header)
    assert BulkRow.objects.filter(job=job, state="issued").count() == n
    assert BulkRow.objects.filter(job=job).values("credential").distinct().count() == n
    assert creds.values("status_list", "status_index").distinct().count() == n
    assert creds.values("suspension_list", "suspension_index").distinct().count() == n


def test_status_lists_extend_with_random_indices_across_them(issuer, course, small_lists):
    """200 credentials with lists of 64 entries (57 usable each): four lists of each purpose,
    opened as the previous one fills up, no (list, index) twice, indices random in each."""
    job = _job(issuer, course, 200)
    services.process_job(job.pk, size=16)
    _assert_each_row_issued_once(job, 200)
    for purpose in ("revocation", "suspension"):
        lists = list(StatusList.objects.filter(purpose=purpose).order_by("sequence"))
        assert [sl.sequence for sl in lists] == [1, 2, 3, 4]
        assert all(sl.size == SIZE for sl in lists)
        assert sum(sl.used for sl in lists) == 200
        assert all(sl.used <= int(SIZE * statuslists.FULL_THRESHOLD) for sl in lists)
    creds = IssuedCredential.objects.order_by("pk")  # the order they were issued in
    for sl in StatusList.objects.filter(purpose="revocation"):
        indices = [c.status_index for c in creds if c.status_list_id == sl.pk]
        assert all(0 <= i < SIZE for i in indices)
        # random, not sequential: in issue order they are not the list's first entries in order
        assert indices != sorted(indices)
        assert indices != list(range(len(indices)))
        assert max(indices) - min(indices) > SIZE // 2  # spread over the whole list


def test_allocation_takes_a_chunk_across_two_lists_in_one_go(institution, small_lists):
    """A chunk larger than what the open list has left is served from it and the next one."""
    first = statuslists.allocate_indices(institution, "revocation", 50)
    second = statuslists.allocate_indices(institution, "revocation", 50)
    assert {sl.sequence for sl, _ in first} == {1}
    assert {sl.sequence for sl, _ in second} == {1, 2}  # 7 left in list 1, 43 from list 2
    pairs = [(sl.pk, i) for sl, i in first + second]
    assert len(set(pairs)) == 100


def test_claims_start_at_the_cursor_and_pick_up_rows_left_behind_at_the_end(issuer, course):
    job = _job(issuer, course, 30)
    cursor = processing.Cursor()
    first = processing._claim(job, 10, 60, cursor)
    second = processing._claim(job, 10, 60, cursor)
    # row numbers are the CSV's line numbers: line 1 is the header
    assert [r.row_number for r in first] == list(range(2, 12))
    assert [r.row_number for r in second] == list(range(12, 22))
    # the first chunk's worker died: its lease is released; the cursor goes on first ...
    BulkRow.objects.filter(job=job, row_number__lt=12).update(claimed_until=None)
    third = processing._claim(job, 10, 60, cursor)
    assert [r.row_number for r in third] == list(range(22, 32))
    # ... and, with nothing after it, the rows left behind are claimed once at the end
    fourth = processing._claim(job, 10, 60, cursor)
    assert [r.row_number for r in fourth] == list(range(2, 12))
    assert processing._claim(job, 10, 60, cursor) == []  # the rest is leased to live workers


class Killed(BaseException):
    """A worker killed at this point (BaseException: nothing in the job catches it)."""


@pytest.mark.parametrize("where", ["after_signing", "inside_store", "after_store"])
@pytest.mark.parametrize("chunks_done", [0, 2])
def test_a_worker_killed_at_a_chunk_boundary_leaves_nothing_half_issued(
        issuer, course, monkeypatch, where, chunks_done):
    """Killed after signing chunk k+1 (before storing it), inside its store transaction (its
    credentials inserted, not committed) or just after it committed: chunks 1..k (and k+1 in
    the last case) are issued, nothing else is stored; another worker resumes once the lease
    ends and every row is issued exactly once."""
    job = _job(issuer, course, 20)
    size = 4
    monkeypatch.setenv("MICRODEGREE_BULK_OVERLAP", "0")
    real_store, real_store_issued = processing._store_chunk, processing.issuing.store_issued
    stored = []

    def store_chunk(*args, **kwargs):
        if len(stored) == chunks_done and where == "after_signing":
            raise Killed
        result = real_store(*args, **kwargs)
        stored.append(1)
        if len(stored) == chunks_done + 1 and where == "after_store":
            raise Killed
        return result

    def store_issued(*args, **kwargs):
        result = real_store_issued(*args, **kwargs)
        if len(stored) == chunks_done and where == "inside_store":
            raise Killed
        return result

    monkeypatch.setattr(processing, "_store_chunk", store_chunk)
    monkeypatch.setattr(processing.issuing, "store_issued", store_issued)
    with pytest.raises(Killed):
        services.process_job(job.pk, size=size)
    expected = size * (chunks_done + (1 if where == "after_store" else 0))
    assert IssuedCredential.objects.count() == expected
    assert BulkRow.objects.filter(job=job, state="issued").count() == expected
    job.refresh_from_db()
    assert job.issued_count == expected
    assert job.state == "running"
    # the killed worker's leases end; another worker resumes the job
    BulkRow.objects.filter(job=job, state="pending").exclude(claimed_until=None).update(
        claimed_until=timezone.now() - timedelta(seconds=1))
    monkeypatch.setattr(processing, "_store_chunk", real_store)
    monkeypatch.setattr(processing.issuing, "store_issued", real_store_issued)
    assert services.process_job(job.pk, size=size)["state"] == "done"
    _assert_each_row_issued_once(job, 20)


def test_cancel_stops_at_a_chunk_boundary_and_issues_nothing_more(issuer, course, monkeypatch):
    job = _job(issuer, course, 20)
    monkeypatch.setenv("MICRODEGREE_BULK_OVERLAP", "0")
    real = processing._prepare_chunk
    calls = []

    def prepare_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # the person cancels while the third chunk is being signed
            services.cancel_job(issuer, job)
        return real(*args, **kwargs)

    monkeypatch.setattr(processing, "_prepare_chunk", prepare_chunk)
    assert services.process_job(job.pk, size=4)["state"] == "cancelled"
    job.refresh_from_db()
    assert job.issued_count == 8  # two whole chunks; the third was signed and not stored
    assert IssuedCredential.objects.count() == 8
    assert BulkRow.objects.filter(job=job, state="issued").count() == 8
    assert BulkRow.objects.filter(job=job, state="pending").count() == 12
    assert not BulkRow.objects.filter(job=job, state="pending").exclude(
        claimed_until=None).exists()  # the cancelled chunk's rows were released
    assert services.process_job(job.pk, size=4)["state"] == "cancelled"
    assert IssuedCredential.objects.count() == 8


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs PostgreSQL: SQLite serialises all writers")
def test_concurrent_allocations_extend_the_lists_without_sharing_an_index(institution,
                                                                        small_lists):
    """Four workers' chunks allocated at once while lists fill up and new ones open: no
    (list, index) twice, no list past its capacity, and each list's count matches its bitmap."""
    barrier = threading.Barrier(4)
    results: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(6):
                results.extend((sl.pk, i) for sl, i in statuslists.allocate_indices(
                    institution, "revocation", 10))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(results) == 240
    assert len(set(results)) == 240
    lists = StatusList.objects.filter(purpose="revocation").order_by("sequence")
    assert [sl.sequence for sl in lists] == list(range(1, len(lists) + 1))
    assert len(lists) >= 5  # 240 entries, 57 usable in each list of 64
    for sl in lists:
        assert sl.used <= int(SIZE * statuslists.FULL_THRESHOLD)
        assert sl.used == sum(bin(b).count("1") for b in bytes(sl.allocated))
        assert sl.used == sum(1 for pk, _ in results if pk == sl.pk)

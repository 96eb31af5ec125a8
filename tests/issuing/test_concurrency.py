"""Parallel revocations on PostgreSQL: each thread has its own connection; no bit is lost."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from microdegree.issuing import services, statuslists
from microdegree.issuing.models import IssuedCredential, StatusList

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL: SQLite serialises all writers, so there is no "
                              "concurrent row lock to test (run with DATABASE_URL=postgres://...)"),
]

THREADS = 20


def test_parallel_revocations_never_lose_a_bit(institution, course):
    rows = [{"recipient_email": f"learner{i}@example.org"} for i in range(THREADS)]
    creds = services.issue_many(None, course, rows, send_email=False)
    assert len({c.status_list_id for c in creds}) == 1
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def revoke(pk: int) -> None:
        try:
            cred = IssuedCredential.objects.get(pk=pk)
            barrier.wait(timeout=30)
            services.revoke(None, cred, "parallel")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=revoke, args=(c.pk,)) for c in creds]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    status_list = StatusList.objects.get(pk=creds[0].status_list_id)
    assert all(statuslists.get_status(status_list, c.status_index) == 1 for c in creds)
    assert status_list.version == 1 + THREADS
    assert IssuedCredential.objects.filter(state="revoked").count() == THREADS


def test_parallel_allocations_never_share_an_index(institution):
    barrier = threading.Barrier(8)
    results: list[list[int]] = []
    errors: list[BaseException] = []

    def allocate() -> None:
        try:
            barrier.wait(timeout=30)
            results.append([i for _, i in statuslists.allocate_indices(
                institution, "revocation", 50)])
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=allocate) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    every = [i for batch in results for i in batch]
    assert len(every) == 400
    assert len(set(every)) == 400
    assert StatusList.objects.get(institution=institution, purpose="revocation").used == 400


def test_parallel_requests_with_one_idempotency_key_issue_once(institution, course):
    barrier = threading.Barrier(6)
    results: list[int] = []
    errors: list[BaseException] = []

    def issue() -> None:
        try:
            barrier.wait(timeout=30)
            cred = services.issue_credential(None, course, recipient_email="same@example.org",
                                             idempotency_key="retry-1", send_email=False)
            results.append(cred.pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(results) == 6
    assert len(set(results)) == 1
    assert IssuedCredential.objects.count() == 1

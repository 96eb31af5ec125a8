"""The reference deployment in small (docs/operations.md, "Reference deployment"): two web
processes and three workers, each its own process, against one PostgreSQL, issue one job. The
batch is sent to one web process, confirmed on the other, its progress read from both; the
three workers share it. No credential, idempotency key or status index twice; the count right.
PostgreSQL only (SQLite is one machine's database)."""

from __future__ import annotations

import contextlib
import sys
import time

import pytest

from microdegree.bulk.models import BulkJob, BulkRow, WorkerHeartbeat
from microdegree.issuing import services as issuing
from microdegree.issuing.models import IssuedCredential
from tests.faults._support import Process, app_env, http, postgres_only, served, start

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]

ROWS = 3000
URL = "/api/v1/institutions/example-uni/bulk-jobs"


def _database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    host, port = s.get("HOST") or "127.0.0.1", s.get("PORT") or 5432
    return f"postgres://{s.get('USER') or 'postgres'}@{host}:{port}/{s['NAME']}"


@contextlib.contextmanager
def _workers(env, tmp_path, n):
    workers: list[Process] = []
    try:
        for i in range(n):
            workers.append(start(
                [sys.executable, "-m", "microdegree.manage", "worker", "--no-reload",
                 "--no-startup-delay", "--interval", "0.2", "--worker-id", f"scale-{i}"],
                env, tmp_path / f"worker-{i}.log"))
        yield workers
    finally:
        for worker in workers:
            worker.stop()


def _wait(predicate, timeout, what, processes):
    deadline = time.monotonic() + timeout
    while not predicate():
        for p in processes:
            if p.proc.poll() is not None:
                pytest.fail(f"{p.log_path.name} exited before {what}:\n"
                            + p.log_path.read_text(errors="replace")[-3000:])
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_two_web_processes_and_three_workers_issue_one_job(course, issuer, institution,
                                                           tmp_path):
    token = issuing.create_api_token(issuer, institution, "LMS")[1]
    auth = {"Authorization": f"Bearer {token}"}
    env = app_env(tmp_path, _database_url(), MICRODEGREE_BULK_CHUNK_SIZE="100",
                  MICRODEGREE_BULK_PARALLEL="3", MICRODEGREE_DEBUG="0")
    rows = [{"email": f"learner{i}@example.org", "name": f"Learner {i}", "result": "A"}
            for i in range(ROWS)]
    with (served(env, tmp_path) as web_a, served(env, tmp_path) as web_b,
          _workers(env, tmp_path, 3) as workers):
        _wait(lambda: WorkerHeartbeat.objects.count() == 3, 120, "the workers to start",
              workers)
        created = http("POST", web_a.base_url + URL, {"achievement": "data-literacy",
                                                      "rows": rows, "send_email": False},
                       headers=auth, timeout=120)
        assert created.status == 201, created.body[:500]
        job_id = created.json()["job"]["id"]
        confirmed = http("POST", f"{web_b.base_url}{URL}/{job_id}/confirm", headers=auth)
        assert confirmed.status == 202, confirmed.body[:500]
        seen = []

        def done() -> bool:
            web = (web_a, web_b)[len(seen) % 2]
            answer = http("GET", f"{web.base_url}{URL}/{job_id}", headers=auth)
            assert answer.status == 200
            seen.append(answer.json())
            return seen[-1]["state"] == "done"

        _wait(done, 300, "the job to finish", [web_a, web_b, *workers])
    assert seen[-1]["issued"] == ROWS
    assert seen[-1]["percent"] == 100
    job = BulkJob.objects.get(uuid=job_id)
    creds = IssuedCredential.objects.filter(institution=institution)
    assert creds.count() == ROWS
    assert creds.values("credential_id").distinct().count() == ROWS
    assert creds.values("idempotency_key").distinct().count() == ROWS
    assert creds.values("status_list", "status_index").distinct().count() == ROWS
    assert creds.values("suspension_list", "suspension_index").distinct().count() == ROWS
    assert BulkRow.objects.filter(job=job, state="issued").count() == ROWS
    assert BulkRow.objects.filter(job=job).values("credential").distinct().count() == ROWS
    # the workers shared the job (each chunk is marked with the worker that stored it)
    sharing = set(BulkRow.objects.filter(job=job).values_list("claimed_by", flat=True))
    assert len(sharing) >= 2, sharing
    assert sharing <= {"scale-0", "scale-1", "scale-2"}


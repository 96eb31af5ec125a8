"""Task workers (`./scripts/worker`) under faults: a database outage mid-job does not end the
worker and the job still finishes, every row issued once; a SIGKILLed worker's leased rows are
taken over by the next worker at once, not when their (here ten-minute) lease ends.
PostgreSQL only: a scratch database, a TCP proxy the test cuts, the test's own processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.bulk.test_worker import HELPER, _env, _run, scratch_database
from tests.faults._support import ROOT, TcpProxy, postgres_only

pytestmark = postgres_only

ROWS = 160


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(ROOT / "scripts" / "worker"), "--no-startup-delay", "--interval", "0.2"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(30)


def _wait(predicate, timeout: float, what: str, worker: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}) before {what}:\n"
                        + log.read_text(errors="replace")[-3000:])
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}:\n"
                        + log.read_text(errors="replace")[-3000:])
        time.sleep(0.1)


def _issued_once(job: int, env: dict[str, str]) -> None:
    result = json.loads(_run([HELPER, "check", str(job)], env).strip().splitlines()[-1])
    assert result == {
        "state": "done", "total": ROWS, "issued_count": ROWS, "failed_count": 0,
        "credentials": ROWS, "distinct_keys": ROWS, "expected_keys": True,
        "rows": {"issued": ROWS}, "distinct_row_credentials": ROWS,
        "distinct_status_indices": ROWS,
    }


def test_a_database_outage_mid_job_neither_ends_the_worker_nor_loses_the_job(tmp_path):
    with scratch_database(tmp_path) as (database_url, query):
        env = _env(tmp_path, database_url)
        _run(["-m", "microdegree.manage", "migrate", "-v", "0"], env)
        job = int(_run([HELPER, "setup", str(ROWS)], env).strip().splitlines()[-1])
        parts = urlsplit(database_url)
        proxy = TcpProxy((parts.hostname or "127.0.0.1", parts.port or 5432))
        proxied = parts._replace(netloc=f"{parts.username or 'postgres'}@127.0.0.1:{proxy.port}")
        worker_env = {**env, "DATABASE_URL": proxied.geturl(), "MICRODEGREE_LOG_FORMAT": "json"}
        log = tmp_path / "worker.log"

        def issued() -> int:
            return query(f"SELECT count(*) FROM bulk_bulkrow WHERE job_id = {job} "
                         "AND state = 'issued'")[0]

        worker = _worker(worker_env, log)
        try:
            _wait(lambda: issued() >= 12, 180, "some rows were issued", worker, log)
            proxy.cut()
            time.sleep(8)  # heartbeats, the job's writes and the task loop all fail meanwhile
            assert worker.poll() is None, log.read_text(errors="replace")[-3000:]
            assert issued() < ROWS, "the job finished before the outage"
            proxy.restore()
            _wait(lambda: query(f"SELECT state FROM bulk_bulkjob WHERE id = {job}")[0] == "done",
                  180, "the job to finish after the outage", worker, log)
            assert worker.poll() is None
        finally:
            _stop(worker)
            proxy.close()
        assert "database unavailable" in log.read_text(errors="replace")
        _issued_once(job, env)


def test_a_killed_workers_rows_are_taken_over_before_their_lease_ends(tmp_path):
    with scratch_database(tmp_path) as (database_url, query):
        env = {**_env(tmp_path, database_url), "MICRODEGREE_BULK_LEASE_SECONDS": "600"}
        _run(["-m", "microdegree.manage", "migrate", "-v", "0"], env)
        job = int(_run([HELPER, "setup", str(ROWS)], env).strip().splitlines()[-1])
        log = tmp_path / "worker.log"

        def issued() -> int:
            return query(f"SELECT count(*) FROM bulk_bulkrow WHERE job_id = {job} "
                         "AND state = 'issued'")[0]

        first = _worker(env, log)
        try:
            _wait(lambda: issued() >= 12, 180, "some rows were issued", first, log)
        finally:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(30)
        assert issued() < ROWS, "the job finished before the worker was killed"
        leased = query(f"SELECT count(*) FROM bulk_bulkrow WHERE job_id = {job} AND state = "
                       "'pending' AND claimed_until > now() + interval '5 minutes'")[0]
        assert leased > 0  # the dead worker's rows: the lease alone would hold them ten minutes

        second = _worker(env, log)
        try:  # (the wait's bound is well inside the ten-minute lease)
            _wait(lambda: query(f"SELECT state FROM bulk_bulkjob WHERE id = {job}")[0] == "done",
                  240, "the job to finish", second, log)
        finally:
            _stop(second)
        _issued_once(job, env)

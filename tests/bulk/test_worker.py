"""The real worker (`python -m microdegree.manage db_worker`) runs bulk jobs; killing it with
SIGKILL mid-job and starting it again finishes the job with every row issued exactly once.

Runs in subprocesses against a scratch database of the same kind as the test run's (a SQLite
file, or a scratch PostgreSQL database when DATABASE_URL names PostgreSQL), since the worker
must see the data: pytest-django's test database is private to this process.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

HELPER = str(Path(__file__).with_name("_worker_job.py"))
ROWS = 160
CHUNK = 4


def _database_url() -> str:
    return os.environ.get("MICRODEGREE_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""


@contextmanager
def scratch_database(tmp_path: Path):
    """(DATABASE_URL for the subprocesses, a function running one SQL query)."""
    url = _database_url()
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlsplit(url)
        name = f"microdegree_killtest_{secrets.token_hex(4)}"
        admin = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        scratch = urlunsplit(parts._replace(path=f"/{name}"))

        def query(sql: str) -> tuple:
            with psycopg.connect(scratch) as conn:
                return conn.execute(sql).fetchone()

        try:
            yield scratch, query
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path / "worker.sqlite3"

        def query(sql: str) -> tuple:
            conn = sqlite3.connect(path, timeout=30)
            try:
                return conn.execute(sql).fetchone()
            finally:
                conn.close()

        yield f"sqlite:///{path}", query


def _env(tmp_path: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MICRODEGREE_", "PYTEST"))}
    env.update({
        "DATABASE_URL": database_url,
        "MICRODEGREE_DATA_DIR": str(tmp_path / "data"),
        "MICRODEGREE_DEBUG": "1",  # development secrets from the data folder (web/checks.py)
        "MICRODEGREE_BULK_CHUNK_SIZE": str(CHUNK),
        "MICRODEGREE_BULK_LEASE_SECONDS": "2",
        "MICRODEGREE_BULK_PARALLEL": "1",
        "MICRODEGREE_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "DJANGO_SETTINGS_MODULE": "microdegree.settings",
    })
    return env


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    """`python -m microdegree.manage db_worker`, the one command that runs workers."""
    with log.open("ab") as out:  # the child keeps its own descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "microdegree.manage", "db_worker", "--no-reload",
             "--no-startup-delay", "--interval", "0.2"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _wait(predicate, timeout: float, what: str, worker: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}) before {what}:\n"
                        + log.read_text(errors="replace")[-3000:])
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}:\n"
                        + log.read_text(errors="replace")[-3000:])
        time.sleep(0.05)


def test_kill_a_worker_mid_job_and_start_it_again(tmp_path):
    with scratch_database(tmp_path) as (database_url, query):
        env = _env(tmp_path, database_url)
        _run(["-m", "microdegree.manage", "migrate", "-v", "0"], env)
        job = int(_run([HELPER, "setup", str(ROWS)], env).strip().splitlines()[-1])
        log = tmp_path / "worker.log"

        def issued() -> int:
            return query(f"SELECT issued_count FROM bulk_bulkjob WHERE id = {job}")[0]

        def state() -> str:
            return query(f"SELECT state FROM bulk_bulkjob WHERE id = {job}")[0]

        first = _worker(env, log)
        try:
            _wait(lambda: issued() >= 3 * CHUNK, 180, "some rows were issued", first, log)
        finally:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(30)
        at_kill = issued()
        assert at_kill < ROWS, "the job finished before the worker was killed"
        assert state() == "running"

        second = _worker(env, log)
        try:
            _wait(lambda: state() == "done", 300, "the job to finish", second, log)
        finally:
            second.send_signal(signal.SIGTERM)
            try:
                second.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(second.pid, signal.SIGKILL)
                second.wait(30)

        result = json.loads(_run([HELPER, "check", str(job)], env).strip().splitlines()[-1])
        assert result == {
            "state": "done", "total": ROWS, "issued_count": ROWS, "failed_count": 0,
            "credentials": ROWS, "distinct_keys": ROWS, "expected_keys": True,
            "rows": {"issued": ROWS}, "distinct_row_credentials": ROWS,
            "distinct_status_indices": ROWS,
        }

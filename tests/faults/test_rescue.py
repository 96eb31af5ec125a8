"""`bulk.workers.rescue`, which every worker runs when it starts and with each heartbeat: a dead
worker's leased rows are released and its job queued again at once (not when the lease ends); a
live worker's rows are left alone; a running job nobody touched for three leases is queued again
and stops looking stalled. Any database; the dead worker is a real process that has exited."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from microdegree.bulk import services, workers
from microdegree.bulk.models import BulkJob, BulkRow, WorkerHeartbeat
from tests.bulk.conftest import course, csv_of, issuer  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _queued_runs(job: BulkJob) -> int:
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return sum(1 for t in DBTaskResult.objects.filter(status=TaskResultStatus.READY)
               if t.task_path.endswith("process_bulk_job") and t.args_kwargs["args"] == [job.pk])


def _running_job(issuer, course, holder: str) -> BulkJob:  # noqa: F811
    job, _, _ = services.prepare_job(issuer, course, csv_of(6))
    job = services.confirm_job(issuer, job)
    now = timezone.now()
    BulkJob.objects.filter(pk=job.pk).update(state=BulkJob.State.RUNNING, heartbeat_at=now)
    first_four = list(BulkRow.objects.filter(job=job).order_by("row_number")
                      .values_list("pk", flat=True)[:4])
    BulkRow.objects.filter(pk__in=first_four).update(
        claimed_until=now + timedelta(minutes=10), claimed_by=holder)
    job.refresh_from_db()
    return job


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def test_a_dead_workers_rows_are_released_and_its_job_queued_at_once(issuer, course):  # noqa: F811
    job = _running_job(issuer, course, "dead-worker")
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="dead-worker", host=socket.gethostname(),
                                   pid=_dead_pid(), started_at=now, beat_at=now)
    before = _queued_runs(job)
    done = workers.rescue(me="this-worker")
    assert done["workers"] == 1
    assert done["rows"] == 4
    assert not BulkRow.objects.filter(job=job, claimed_until__isnull=False).exists()
    assert not WorkerHeartbeat.objects.filter(worker_id="dead-worker").exists()
    assert _queued_runs(job) == before + 1


def test_a_live_workers_rows_are_left_alone(issuer, course):  # noqa: F811
    job = _running_job(issuer, course, "live-worker")
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="live-worker", host=socket.gethostname(),
                                   pid=os.getpid(), started_at=now, beat_at=now)
    before = _queued_runs(job)
    assert workers.rescue(me="this-worker") == {"workers": 0, "rows": 0, "jobs": 0}
    assert BulkRow.objects.filter(job=job, claimed_by="live-worker",
                                  claimed_until__isnull=False).count() == 4
    assert _queued_runs(job) == before


def test_a_worker_silent_too_long_is_dead_wherever_it_ran(issuer, course):  # noqa: F811
    job = _running_job(issuer, course, "far-worker")
    long_ago = timezone.now() - timedelta(seconds=workers.dead_after_seconds() + 5)
    WorkerHeartbeat.objects.create(worker_id="far-worker", host="another-machine", pid=1,
                                   started_at=long_ago, beat_at=long_ago)
    assert workers.rescue(me="this-worker")["rows"] == 4
    assert not BulkRow.objects.filter(job=job, claimed_until__isnull=False).exists()


def test_a_stalled_running_job_is_queued_again(issuer, course):  # noqa: F811
    job = _running_job(issuer, course, "")
    stale = timezone.now() - timedelta(seconds=3 * services.lease_seconds() + 5)
    BulkJob.objects.filter(pk=job.pk).update(heartbeat_at=stale)
    job.refresh_from_db()
    assert services.progress(job)["stalled"] is True
    before = _queued_runs(job)
    assert workers.rescue(me="this-worker")["jobs"] == 1
    assert _queued_runs(job) == before + 1
    job.refresh_from_db()
    assert services.progress(job)["stalled"] is False

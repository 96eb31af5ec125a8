"""Task workers that survive database outages and take over the work of dead workers.

`microdegree worker` (`./scripts/worker`) runs django-tasks' database worker loop under
`SupervisedWorker`: a database error (server restarting, connection dropped) no longer ends the
process; it logs, closes its connections and tries again with backoff (1 s doubling to 30 s).

Every worker writes a heartbeat row (`WorkerHeartbeat`) every `MICRODEGREE_WORKER_HEARTBEAT`
seconds (default 5) from a thread of its own, and leases bulk rows under its id
(`BulkRow.claimed_by`). A worker is known dead when its heartbeat is older than
`MICRODEGREE_WORKER_DEAD_AFTER` seconds (default 20), or at once when it ran on this host and its
process is gone (a SIGKILL, an out-of-memory kill). `rescue()`, run by every worker when it
starts or reconnects and then with each heartbeat, releases a dead worker's leased rows, fails
its abandoned task rows, and queues their jobs again now, without waiting for the lease
(`MICRODEGREE_BULK_LEASE_SECONDS`, default 60). A running job nobody has touched for three
leases (its worker's last write failed, or its worker was killed before it could reschedule it)
is queued again too: it shows as stalled on its page meanwhile, and never stays "running".
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from datetime import timedelta
from typing import Any

from django.db import close_old_connections, connections, transaction
from django.utils import timezone

from microdegree import config
from microdegree.errors import DATABASE_ERRORS

log = logging.getLogger("microdegree.worker")

_current = ""


def current_worker() -> str:
    """The id of the worker this process is (empty when tasks run inline, e.g. in tests)."""
    return _current


def heartbeat_seconds() -> float:
    return float(config.env("WORKER_HEARTBEAT") or 5)


def dead_after_seconds() -> float:
    return float(config.env("WORKER_DEAD_AFTER") or 20)


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def beat(worker_id: str, started_at: Any) -> None:
    from microdegree.bulk.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"host": socket.gethostname(), "pid": os.getpid(), "started_at": started_at,
                  "beat_at": timezone.now()})


def forget(worker_id: str) -> None:
    from microdegree.bulk.models import WorkerHeartbeat

    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def rescue(*, me: str = "") -> dict[str, int]:
    """Take over the work of dead workers and requeue stalled jobs; returns what was done."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from microdegree.bulk import services
    from microdegree.bulk.models import BulkJob, BulkRow, WorkerHeartbeat
    from microdegree.bulk.tasks import process_bulk_job

    now = timezone.now()
    host = socket.gethostname()
    stale = now - timedelta(seconds=dead_after_seconds())
    done = {"workers": 0, "rows": 0, "jobs": 0}
    with transaction.atomic():
        dead = []
        for beat_row in (WorkerHeartbeat.objects.select_for_update(skip_locked=True)
                         .exclude(worker_id=me)):
            if beat_row.beat_at < stale or (beat_row.host == host and _process_gone(beat_row.pid)):
                dead.append(beat_row)
        dead_ids = [w.worker_id for w in dead]
        job_ids: set[int] = set()
        if dead_ids:
            held = BulkRow.objects.filter(state=BulkRow.State.PENDING, claimed_by__in=dead_ids)
            job_ids.update(held.values_list("job_id", flat=True).distinct())
            done["rows"] = held.update(claimed_until=None, claimed_by="")
            running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
            abandoned = [t.pk for t in running.only("id", "worker_ids")
                         if t.worker_ids and t.worker_ids[-1] in dead_ids]
            if abandoned:  # their task rows would say "running" forever
                DBTaskResult.objects.filter(pk__in=abandoned).update(
                    status=TaskResultStatus.FAILED, finished_at=now,
                    exception_class_path="microdegree.bulk.workers.WorkerDied",
                    traceback="The worker running this task died; its work was taken over.")
            WorkerHeartbeat.objects.filter(pk__in=[w.pk for w in dead]).delete()
            done["workers"] = len(dead)
            log.warning("took over from dead worker(s) %s: %s leased row(s) released",
                        ", ".join(dead_ids), done["rows"])
        # running jobs nobody has touched for three leases (see services.is_stalled)
        stalled_before = now - timedelta(seconds=3 * services.lease_seconds())
        stalled = BulkJob.objects.select_for_update(skip_locked=True).filter(
            state=BulkJob.State.RUNNING, heartbeat_at__lt=stalled_before)
        job_ids.update(stalled.values_list("pk", flat=True))
        if job_ids:
            active = BulkJob.objects.filter(
                pk__in=job_ids, state__in=(BulkJob.State.QUEUED, BulkJob.State.RUNNING))
            active_ids = list(active.values_list("pk", flat=True))
            active.update(heartbeat_at=now)  # requeued now: not stalled again for three leases
            for job_id in active_ids:
                process_bulk_job.enqueue(job_id)
            done["jobs"] = len(active_ids)
            if active_ids:
                log.warning("requeued bulk job(s) %s", active_ids)
    return done


class _Heartbeat(threading.Thread):
    def __init__(self, worker_id: str) -> None:
        super().__init__(name="worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopped = threading.Event()

    def run(self) -> None:
        every = heartbeat_seconds()
        while not self.stopped.is_set():
            try:
                close_old_connections()
                beat(self.worker_id, self.started_at)
                rescue(me=self.worker_id)
            except DATABASE_ERRORS as exc:
                log.warning("heartbeat failed (database unavailable: %s)", exc)
                connections.close_all()
            except Exception:
                log.exception("heartbeat failed")
            self.stopped.wait(every)
        connections.close_all()


def start_heartbeat(worker_id: str) -> _Heartbeat:
    global _current
    _current = worker_id
    heart = _Heartbeat(worker_id)
    beat(worker_id, heart.started_at)
    heart.start()
    return heart


def stop_heartbeat(heart: _Heartbeat | None) -> None:
    global _current
    _current = ""
    if heart is not None:
        heart.stopped.set()
        with contextlib.suppress(*DATABASE_ERRORS):  # (else its heartbeat goes stale)
            forget(heart.worker_id)


def close_quietly() -> None:
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except DATABASE_ERRORS:
            conn.connection = None

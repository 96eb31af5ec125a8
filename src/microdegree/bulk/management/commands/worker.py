"""`python -m microdegree.manage worker` (= `./scripts/worker`): django-tasks' database worker,
supervised: it lives through database outages and takes over dead workers' work
(see microdegree.bulk.workers). Same options as `db_worker`."""

from __future__ import annotations

import logging
import time
from typing import Any

from django_tasks_db.management.commands import db_worker

from microdegree.bulk import workers
from microdegree.errors import DATABASE_ERRORS

log = logging.getLogger("microdegree.worker")


class SupervisedWorker(db_worker.Worker):
    """Runs the library's loop again after a database error, with backoff (1 s doubling to
    30 s), instead of exiting; heartbeats and rescues meanwhile (bulk.workers)."""

    def run(self) -> None:
        heart: workers._Heartbeat | None = None
        delay = 1.0
        try:
            while self.running:
                try:
                    if heart is None:
                        heart = workers.start_heartbeat(self.worker_id)
                    workers.rescue(me=self.worker_id)
                    delay = 1.0
                    super().run()
                    return  # --batch or --max-tasks: done
                except DATABASE_ERRORS as exc:
                    if not self.running:
                        return
                    log.warning("database unavailable (%s: %s); worker %s retries in %.0f s",
                                type(exc).__name__, exc, self.worker_id, delay,
                                extra={"worker_id": self.worker_id})
                    workers.close_quietly()
                    time.sleep(delay)
                    delay = min(delay * 2, 30.0)
        finally:
            workers.stop_heartbeat(heart)


class Command(db_worker.Command):
    help = "Run a supervised database background worker (survives database outages)"

    def handle(self, *args: Any, **options: Any) -> None:
        original = db_worker.Worker
        db_worker.Worker = SupervisedWorker  # type: ignore[misc]  # the library builds it by name
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original  # type: ignore[misc]

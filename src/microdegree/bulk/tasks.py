"""The background task (django-tasks). Workers: `python -m microdegree.manage db_worker`."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def process_bulk_job(job_id: int) -> dict[str, Any]:
    """Issue a confirmed bulk job's pending rows (resumable, idempotent: see services)."""
    from microdegree.bulk.services import process_job

    return process_job(job_id)

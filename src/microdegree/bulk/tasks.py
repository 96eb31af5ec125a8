"""The background task (django-tasks). Workers: `python -m microdegree.manage db_worker`."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from microdegree.issuing.mail import send_award_emails


@task()
def process_bulk_job(job_id: int) -> dict[str, Any]:
    """Issue a confirmed bulk job's pending rows (resumable, idempotent: see services)."""
    from microdegree.bulk.services import process_job

    return process_job(job_id)


@task(priority=-10)
def send_bulk_emails(credential_ids: list[int]) -> int:
    """The award e-mails of one stored chunk (a separate task: a slow or failing mail server
    never holds up issuing, and is retried on its own)."""
    return send_award_emails(credential_ids)

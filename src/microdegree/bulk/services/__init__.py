"""Bulk issuance: prepare (validate) a batch, confirm it, and process it in a background worker.

`jobs` prepares, confirms, cancels and resumes; `processing` is the worker. Every public name is
importable from here.

- `prepare_job` validates every row first and stores the batch with its report; nothing is issued.
  The same batch again (same rows, same achievement version) or the same idempotency key maps to
  the same job, so uploading or posting twice never issues twice.
- `confirm_job` queues a job whose rows are all valid: it enqueues `tasks.process_bulk_job` (the
  django-tasks database backend; run workers with `python -m microdegree.manage db_worker`).
- `process_job` is resumable and idempotent. It claims chunks of pending rows with a lease, signs
  them outside any long transaction (the issuing layer opens the key once and allocates status
  indices in bulk), then stores a chunk and marks its rows in ONE transaction. Each row is issued
  under the idempotency key `bulk:<job uuid>:<row number>` (unique per institution in the
  database), so no crash anywhere can issue a row twice; a killed worker's claimed rows return to
  the pool when their lease ends. Every run first schedules a deferred successor run of the same
  job (after one lease), so a job whose worker was killed is picked up again as soon as any worker
  runs; a successor that finds the job finished does nothing and schedules nothing.
- Award e-mails go out from a separate task per chunk (`tasks.send_bulk_emails`), written in the
  chunk's own transaction (database backend), so a slow mail server never slows issuing.
"""

from microdegree.bulk.services.jobs import (
    BatchRejected,
    Prepared,
    RowState,
    State,
    blocked_reason,
    cancel_job,
    chunk_size,
    confirm_job,
    is_stalled,
    job_for,
    lease_seconds,
    next_step,
    parallel_tasks,
    prepare_job,
    prepare_stream,
    progress,
    resume_job,
    row_key,
)
from microdegree.bulk.services.processing import Claimed, overlap_enabled, process_job

__all__ = [
    "BatchRejected",
    "Claimed",
    "Prepared",
    "RowState",
    "State",
    "blocked_reason",
    "cancel_job",
    "chunk_size",
    "confirm_job",
    "is_stalled",
    "job_for",
    "lease_seconds",
    "next_step",
    "overlap_enabled",
    "parallel_tasks",
    "prepare_job",
    "prepare_stream",
    "process_job",
    "progress",
    "resume_job",
    "row_key",
]

"""Bulk jobs: prepare (validate and store a batch with its report), confirm, cancel, resume;
the settings and read access the worker (`processing`) shares."""

from __future__ import annotations

import math
import uuid as uuid_mod
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any, NamedTuple

from django.db import IntegrityError, transaction
from django.utils import timezone

from microdegree import config
from microdegree.audit.services import actor_label, log_action
from microdegree.bulk import csvparse
from microdegree.bulk.models import BulkJob, BulkRow
from microdegree.catalog.models import AchievementVersion
from microdegree.institutions.errors import (
    Conflict,
    Invalid,
    NotFound,
    PermissionDenied,
)
from microdegree.institutions.models import Institution
from microdegree.issuing import services as issuing

State = BulkJob.State
RowState = BulkRow.State


class BatchRejected(Invalid):
    """The batch cannot even be read (not CSV, too large, no email column): 422 with the report."""

    status = 422

    def __init__(self, report: csvparse.Report) -> None:
        first = report.file_problems[0] if report.file_problems else report.problems[0]
        super().__init__(first.message, code=first.code)
        self.report = report


class Prepared(NamedTuple):
    job: BulkJob
    report: csvparse.Report
    created: bool  # False: an existing job was returned (same batch or same idempotency key)


# --- settings -------------------------------------------------------------------------------


def chunk_size() -> int:
    """Rows per chunk. 500: a chunk's fixed costs (claim, status-index allocation, row locks,
    the row-to-credential UPDATE, counters, the e-mail task) cost ~0.04 ms per credential at
    200 rows and ~0.015 ms at 500 (bench/bulk_issue.py); a chunk of 500 signs in well under a
    second, far inside the lease, and a job of 10,000 rows still has 20 chunks to share."""
    return max(1, int(config.env("BULK_CHUNK_SIZE") or 500))


def lease_seconds() -> float:
    return max(1.0, float(config.env("BULK_LEASE_SECONDS") or 60))


def parallel_tasks() -> int:
    """How many tasks a confirmed job is split into (one per worker that should share it)."""
    return max(1, int(config.env("BULK_PARALLEL") or 2))


def row_key(job: BulkJob, row_number: int) -> str:
    """The issuing idempotency key of one row: stable across retries and restarts."""
    return f"bulk:{job.uuid}:{row_number}"


# --- access ---------------------------------------------------------------------------------


def job_for(inst: Institution, job_uuid: Any) -> BulkJob:
    """The institution's job, or the same 404 for "missing" and "another institution's"."""
    try:
        value = uuid_mod.UUID(str(job_uuid))
    except ValueError:
        value = None
    job = (BulkJob.objects.select_related("achievement_version__definition", "institution")
           .filter(institution=inst, uuid=value).first() if value else None)
    if job is None:
        raise NotFound("No such bulk job.")
    return job


def progress(job: BulkJob) -> dict[str, Any]:
    """What a progress bar and the API show."""
    version = job.achievement_version
    return {
        "id": str(job.uuid),
        "state": job.state,
        "source": job.source,
        "achievement": version.definition.slug,
        "version": version.number,
        "total": job.total,
        "invalid": job.invalid_count,
        "issued": job.issued_count,
        "failed": job.failed_count,
        "processed": job.processed,
        "percent": job.percent,
        "can_confirm": job.can_confirm,
        "stalled": is_stalled(job),
        "error": job.error,
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "confirmed_at": job.confirmed_at.isoformat() if job.confirmed_at else None,
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def is_stalled(job: BulkJob) -> bool:
    """Queued or running, but no worker has touched it for three leases (no worker running?)."""
    if not job.is_active:
        return False
    last = job.heartbeat_at or job.confirmed_at
    return last is not None and timezone.now() - last > timedelta(seconds=3 * lease_seconds())


# --- prepare --------------------------------------------------------------------------------


def _check_version(version: AchievementVersion) -> Institution:
    inst = version.definition.institution
    if not inst.is_approved:
        raise PermissionDenied("The institution is not approved yet, so it cannot award.",
                               code="INSTITUTION_NOT_APPROVED")
    if version.definition.is_microdegree:
        raise Invalid("A microdegree is awarded automatically when its pathway is complete; "
                      "it cannot be issued in bulk.", code="MICRODEGREE_NOT_BULK")
    return inst


def prepare_job(
    actor: Any,
    version: AchievementVersion,
    data: bytes | Sequence[Mapping[str, Any]],
    *,
    source: str | None = None,
    idempotency_key: str | None = None,
    filename: str = "",
    send_email: bool = True,
) -> Prepared:
    """Validate a batch (CSV bytes or a list of row objects) and store it as a job awaiting
    confirmation. Returns the job, its report and whether it is new.

    Raises `BatchRejected` (422) when the batch cannot be read at all; a batch with invalid rows
    is stored (its report names them) but cannot be confirmed.
    """
    inst = _check_version(version)
    if isinstance(data, bytes | bytearray):
        report = csvparse.parse_csv(bytes(data))
        source = source or "csv"
    else:
        report = csvparse.parse_rows(data)
        source = source or "api"
    if report.file_problems:
        raise BatchRejected(report)
    _check_limits(version, report)
    key = (idempotency_key or "").strip()[:200] or None
    content_hash = report.content_hash()
    existing = _existing(inst, version, key, content_hash)
    if existing is not None:
        return Prepared(existing, csvparse.Report.from_summary(existing.report), False)
    try:
        with transaction.atomic():
            job = _create(actor, inst, version, report, source=source, key=key,
                          content_hash=content_hash, filename=filename, send_email=send_email)
    except IntegrityError:  # a concurrent upload of the same batch or key won the race
        existing = _existing(inst, version, key, content_hash)
        if existing is None:
            raise
        return Prepared(existing, csvparse.Report.from_summary(existing.report), False)
    return Prepared(job, report, True)


def _check_limits(version: AchievementVersion, report: csvparse.Report) -> None:
    """Each row's credits and result against what the achievement offers (the issuing layer's
    own check, so a batch is refused up front with the row and column named)."""
    limits = issuing.achievement_limits(version)
    bad = report.invalid_rows
    for number, data in report.rows:
        if number in bad:
            continue
        found = limits.problem(data.get("credits_earned"), data.get("result"))
        if found is not None:
            report.problems.append(csvparse.Problem(
                number, csvparse.COLUMN_LABEL[found.field], found.code, found.message))


def _existing(inst: Institution, version: AchievementVersion, key: str | None,
              content_hash: str) -> BulkJob | None:
    if key:
        job = BulkJob.objects.filter(institution=inst, idempotency_key=key).first()
        if job is not None:
            if job.content_hash != content_hash or job.achievement_version_id != version.pk:
                raise Conflict("This idempotency key was already used for a different batch.",
                               code="IDEMPOTENCY_KEY_REUSED")
            return job
    return (BulkJob.objects.filter(institution=inst, achievement_version=version,
                                   content_hash=content_hash)
            .exclude(state=State.CANCELLED).first())


def _create(actor: Any, inst: Institution, version: AchievementVersion,
            report: csvparse.Report, *, source: str, key: str | None, content_hash: str,
            filename: str, send_email: bool) -> BulkJob:
    errors: dict[int, list[str]] = {}
    for problem in report.row_problems:
        assert problem.row is not None
        errors.setdefault(problem.row, []).append(problem.message)
    user = actor if getattr(actor, "is_authenticated", False) else None
    job = BulkJob.objects.create(
        institution=inst, achievement_version=version, created_by=user,
        created_by_label=actor_label(actor), source=source, filename=filename[:255],
        idempotency_key=key, content_hash=content_hash, total=report.total,
        invalid_count=len(report.invalid_rows), report=report.summary(), send_email=send_email,
    )
    BulkRow.objects.bulk_create(
        [BulkRow(job=job, row_number=number, data=data,
                 state=RowState.INVALID if number in errors else RowState.PENDING,
                 error=" ".join(errors.get(number, [])))
         for number, data in report.rows],
        batch_size=1000,
    )
    log_action(actor, "bulk.job_prepared", job, institution_id=inst.pk,
               after={"source": source, "total": job.total, "invalid": job.invalid_count,
                      "achievement_version": version.pk, "content_hash": content_hash,
                      "idempotency_key": key, "filename": job.filename})
    return job


# --- confirm, cancel, resume ----------------------------------------------------------------


def _enqueue(job_pk: int, count: int) -> None:
    from microdegree.bulk.tasks import process_bulk_job

    ids = [str(process_bulk_job.enqueue(job_pk).id) for _ in range(count)]
    BulkJob.objects.filter(pk=job_pk).update(task_id=ids[0][:64])


def _tasks_for(job: BulkJob) -> int:
    pending = job.rows.filter(state=RowState.PENDING).count()
    return max(1, min(parallel_tasks(), math.ceil(pending / chunk_size())))


def confirm_job(actor: Any, job: BulkJob) -> BulkJob:
    """Queue a validated job for issuing (confirming a queued, running or done job is a no-op)."""
    with transaction.atomic():
        locked = BulkJob.objects.select_for_update().get(pk=job.pk)
        if locked.state in (State.QUEUED, State.RUNNING, State.DONE):
            return locked
        if locked.state != State.VALIDATED:
            raise Conflict(f"This job is {locked.get_state_display().lower()}; it cannot be "
                           "confirmed.", code="JOB_NOT_CONFIRMABLE")
        if locked.invalid_count:
            raise Invalid(f"{locked.invalid_count} row(s) have errors; correct the file and "
                          "upload it again.", code="BATCH_INVALID", status=422)
        if not locked.total:
            raise Invalid("The batch has no rows.", code="EMPTY", status=422)
        _check_version(locked.achievement_version)
        locked.state = State.QUEUED
        locked.confirmed_at = timezone.now()
        locked.confirmed_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.confirmed_by_label = actor_label(actor)
        locked.save(update_fields=["state", "confirmed_at", "confirmed_by", "confirmed_by_label"])
        log_action(actor, "bulk.job_confirmed", locked, institution_id=locked.institution_id,
                   before={"state": State.VALIDATED}, after={"state": locked.state,
                                                             "total": locked.total})
        count = _tasks_for(locked)
        transaction.on_commit(lambda: _enqueue(locked.pk, count))
    job.refresh_from_db()
    return job


def cancel_job(actor: Any, job: BulkJob) -> BulkJob:
    """Stop a job: credentials already issued stay issued; the remaining rows are not issued."""
    with transaction.atomic():
        locked = BulkJob.objects.select_for_update().get(pk=job.pk)
        if locked.is_finished:
            raise Conflict(f"This job is already {locked.get_state_display().lower()}.",
                           code="JOB_FINISHED")
        before = locked.state
        locked.state = State.CANCELLED
        locked.finished_at = timezone.now()
        locked.save(update_fields=["state", "finished_at"])
        log_action(actor, "bulk.job_cancelled", locked, institution_id=locked.institution_id,
                   before={"state": before},
                   after={"state": locked.state, "issued": locked.issued_count})
    job.refresh_from_db()
    return job


def resume_job(actor: Any, job: BulkJob) -> BulkJob:
    """Queue a failed or stalled job again; it continues with the rows not yet issued."""
    with transaction.atomic():
        locked = BulkJob.objects.select_for_update().get(pk=job.pk)
        if locked.state not in (State.FAILED, State.QUEUED, State.RUNNING):
            raise Conflict("Only a failed or stalled job can be resumed.", code="JOB_NOT_RESUMABLE")
        before = locked.state
        locked.state = State.QUEUED if before == State.FAILED else before
        locked.error = ""
        locked.finished_at = None
        locked.heartbeat_at = timezone.now()
        locked.save(update_fields=["state", "error", "finished_at", "heartbeat_at"])
        # only the leased rows are written (a few chunks), not every pending row of a big job
        locked.rows.filter(state=RowState.PENDING).exclude(claimed_until=None).update(
            claimed_until=None)
        log_action(actor, "bulk.job_resumed", locked, institution_id=locked.institution_id,
                   before={"state": before}, after={"state": locked.state})
        count = _tasks_for(locked)
        transaction.on_commit(lambda: _enqueue(locked.pk, count))
    job.refresh_from_db()
    return job

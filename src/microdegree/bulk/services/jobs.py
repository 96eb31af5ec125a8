"""Bulk jobs: prepare (validate and store a batch with its report), confirm, cancel, resume;
the settings and read access the worker (`processing`) shares."""

from __future__ import annotations

import io
import math
import uuid as uuid_mod
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any, NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import Count, Min
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext as _

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
        raise NotFound(_("No such bulk job."))
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
        "valid": job.valid_count,
        "can_confirm": job.can_confirm,
        "can_issue_valid": job.can_issue_valid,
        "next_step": next_step(job),
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
        raise PermissionDenied(_("The institution is not approved yet, so it cannot award."),
                               code="INSTITUTION_NOT_APPROVED")
    if version.definition.is_microdegree:
        raise Invalid(_("A microdegree is awarded automatically when its pathway is complete; "
                        "it cannot be issued in bulk."), code="MICRODEGREE_NOT_BULK")
    return inst


def insert_batch() -> int:
    """Rows written per INSERT while a batch streams in (memory stays flat)."""
    return max(1, int(config.env("BULK_INSERT_BATCH") or 2000))


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
    is stored (its report names them, its rows carry their problems); only its valid rows can be
    issued, and only when the confirmation says so (`confirm_job(valid_only=True)`).
    """
    if isinstance(data, bytes | bytearray):
        return prepare_stream(actor, version, io.BytesIO(data), fmt="csv",
                              gzipped=data[:2] == b"\x1f\x8b", source=source or "csv",
                              idempotency_key=idempotency_key, filename=filename,
                              send_email=send_email)
    rows = data
    return _prepare(actor, version, lambda report: csvparse.object_records(rows),
                    source=source or "api", idempotency_key=idempotency_key,
                    filename=filename, send_email=send_email)


def prepare_stream(
    actor: Any,
    version: AchievementVersion,
    binary: Any,
    *,
    fmt: str = "csv",
    gzipped: bool = False,
    source: str = "api",
    idempotency_key: str | None = None,
    filename: str = "",
    send_email: bool = True,
) -> Prepared:
    """`prepare_job` for a batch read as a stream (a file object: an upload on disk, a request
    body): CSV or JSON lines (`fmt` "jsonl"), optionally gzip-compressed. Rows are validated as
    they are read and written in batches of `insert_batch()`, so memory does not grow with the
    batch; the report keeps counts and the first problems, every invalid row keeps its own."""
    reader = csvparse.jsonl_records if fmt == "jsonl" else csvparse.csv_records

    def records(report: csvparse.Report) -> Any:
        return reader(binary, report, gzipped=gzipped)

    return _prepare(actor, version, records, source=source, idempotency_key=idempotency_key,
                    filename=filename, send_email=send_email)


class _Replay(Exception):
    """The batch (or its key) is known: undo the new job, return the old one."""

    def __init__(self, job: BulkJob) -> None:
        super().__init__(str(job.uuid))
        self.job = job


def _prepare(actor: Any, version: AchievementVersion,
             records: Callable[[csvparse.Report], Iterable[csvparse.Record]], *, source: str,
             idempotency_key: str | None, filename: str, send_email: bool) -> Prepared:
    inst = _check_version(version)
    key = (idempotency_key or "").strip()[:200] or None
    intake = csvparse.Intake()
    try:
        with transaction.atomic():
            job = _stream_into_job(actor, inst, version, intake, records, source=source,
                                   key=key, filename=filename, send_email=send_email)
    except csvparse.Unreadable as exc:
        raise BatchRejected(intake.report) from exc
    except _Replay as replay:
        return Prepared(replay.job, csvparse.Report.from_summary(replay.job.report), False)
    except IntegrityError:  # a concurrent upload of the same batch or key won the race
        existing = _existing(inst, version, key, intake.content_hash())
        if existing is None:
            raise
        return Prepared(existing, csvparse.Report.from_summary(existing.report), False)
    return Prepared(job, intake.report, True)


def _row_error(problems: Iterable[csvparse.Problem]) -> str:
    """How a row's problems are kept on the row (and in the rejected-rows CSV): each with its
    column, as `column: sentence`, one a line (values in sentences are quoted with repr, so a
    line break is never part of one)."""
    return "\n".join(f"{p.column}: {p.message}" if p.column else p.message for p in problems)


def _stream_into_job(actor: Any, inst: Institution, version: AchievementVersion,
                     intake: csvparse.Intake,
                     records: Callable[[csvparse.Report], Iterable[csvparse.Record]], *,
                     source: str, key: str | None, filename: str, send_email: bool) -> BulkJob:
    user = actor if getattr(actor, "is_authenticated", False) else None
    job = BulkJob.objects.create(
        institution=inst, achievement_version=version, created_by=user,
        created_by_label=actor_label(actor), source=source, filename=filename[:255],
        content_hash=f"streaming-{uuid_mod.uuid4().hex}", send_email=send_email,
    )
    size = insert_batch()
    limits = issuing.achievement_limits(version)
    batch: list[BulkRow] = []
    for number, data, problems in intake.rows(records(intake.report)):
        if not problems:
            problems = _limit_problems(limits, number, data)
            if problems:
                intake.add(problems, newly_invalid=1)
        batch.append(BulkRow(job=job, row_number=number, data=data,
                             state=RowState.INVALID if problems else RowState.PENDING,
                             error=_row_error(problems)))
        if len(batch) >= size:
            BulkRow.objects.bulk_create(batch)
            batch = []
    BulkRow.objects.bulk_create(batch)
    content_hash = intake.content_hash()  # the rows' own hash: known before the duplicate pass
    existing = _existing(inst, version, key, content_hash)
    if existing is not None:
        raise _Replay(existing)
    _mark_duplicates(job, intake)
    report = intake.report
    job.content_hash, job.idempotency_key = content_hash, key
    job.total, job.invalid_count, job.report = report.total, report.invalid_count, report.summary()
    job.save(update_fields=["content_hash", "idempotency_key", "total", "invalid_count",
                            "report"])
    log_action(actor, "bulk.job_prepared", job, institution_id=inst.pk,
               after={"source": source, "total": job.total, "invalid": job.invalid_count,
                      "achievement_version": version.pk, "content_hash": content_hash,
                      "idempotency_key": key, "filename": job.filename})
    return job


def _mark_duplicates(job: BulkJob, intake: csvparse.Intake) -> None:
    """A valid row whose recipient (e-mail address) an earlier valid row already has is invalid.
    Found in the database after the rows are in, so memory grows only with the repeats."""
    intake.second_pass()
    email = KT("data__recipient_email")
    first_row = dict(
        BulkRow.objects.filter(job=job, state=RowState.PENDING).annotate(email=email)
        .values("email").annotate(first=Min("row_number"), n=Count("pk")).filter(n__gt=1)
        .order_by().values_list("email", "first"))
    if not first_row:
        return
    repeats: list[tuple[int, int, str]] = []
    emails = list(first_row)
    for start in range(0, len(emails), 500):
        found = (BulkRow.objects.filter(job=job, state=RowState.PENDING)
                 .filter(data__recipient_email__in=emails[start:start + 500])
                 .annotate(email=email).values_list("row_number", "pk", "email"))
        repeats += [(n, pk, e) for n, pk, e in found if n != first_row[e]]
    repeats.sort()
    for start in range(0, len(repeats), insert_batch()):
        part = repeats[start:start + insert_batch()]
        problems = [csvparse.duplicate(n, e, first_row[e]) for n, _, e in part]
        BulkRow.objects.bulk_update(
            [BulkRow(pk=pk, state=RowState.INVALID, error=_row_error([p]))
             for (_, pk, _), p in zip(part, problems, strict=True)], ["state", "error"])
        intake.add(problems, newly_invalid=len(part))


def _limit_problems(limits: Any, number: int, data: dict[str, Any]) -> list[csvparse.Problem]:
    """The row's credits and result against what the achievement offers (the issuing layer's
    own check, so a batch is refused up front with the row and column named)."""
    found = limits.problem(data.get("credits_earned"), data.get("result"))
    if found is None:
        return []
    return [csvparse.Problem(number, csvparse.COLUMN_LABEL[found.field], found.code,
                             found.message)]


def _existing(inst: Institution, version: AchievementVersion, key: str | None,
              content_hash: str) -> BulkJob | None:
    if key:
        job = BulkJob.objects.filter(institution=inst, idempotency_key=key).first()
        if job is not None:
            if job.content_hash != content_hash or job.achievement_version_id != version.pk:
                raise Conflict(_("This idempotency key was already used for a different batch."),
                               code="IDEMPOTENCY_KEY_REUSED")
            return job
    return (BulkJob.objects.filter(institution=inst, achievement_version=version,
                                   content_hash=content_hash)
            .exclude(state=State.CANCELLED).first())


# --- confirm, cancel, resume ----------------------------------------------------------------


def _enqueue(job_pk: int, count: int) -> None:
    from microdegree.bulk.tasks import process_bulk_job

    ids = [str(process_bulk_job.enqueue(job_pk).id) for _ in range(count)]
    BulkJob.objects.filter(pk=job_pk).update(task_id=ids[0][:64])


def _tasks_for(job: BulkJob) -> int:
    pending = job.rows.filter(state=RowState.PENDING).count()
    return max(1, min(parallel_tasks(), math.ceil(pending / chunk_size())))


def blocked_reason(job: BulkJob) -> str:
    """What to do with a batch that cannot be confirmed as it is (empty when it can)."""
    if job.state != State.VALIDATED or not job.invalid_count:
        return ""
    if not job.valid_count:
        return ngettext("%(invalid)s row has problems and none can be issued: fix the file and "
                        "upload it again.",
                        "%(invalid)s rows have problems and none can be issued: fix the file "
                        "and upload it again.", job.invalid_count) % {
                            "invalid": f"{job.invalid_count:,}"}
    valid = ngettext("the %(valid)s valid row", "the %(valid)s valid rows",
                     job.valid_count) % {"valid": f"{job.valid_count:,}"}
    return ngettext("%(invalid)s row has problems: fix it and upload the file again, or issue "
                    "%(valid)s.",
                    "%(invalid)s rows have problems: fix them and upload the file again, or "
                    "issue %(valid)s.", job.invalid_count) % {
                        "invalid": f"{job.invalid_count:,}", "valid": valid}


def next_step(job: BulkJob) -> str:
    """One sentence: where the job is and what, if anything, the registrar should do."""
    if job.state == State.VALIDATED:
        if job.invalid_count:
            return blocked_reason(job)
        return ngettext("The row is valid: confirm to issue it.",
                        "All %(total)s rows are valid: confirm to issue them.",
                        job.total) % {"total": f"{job.total:,}"}
    if is_stalled(job):
        return gettext("No worker has worked on this job for a while: start a worker "
                       "(python -m microdegree.manage db_worker), then resume the job.")
    if job.state == State.FAILED:
        return gettext("The job stopped: resume it to issue the rows not yet issued.")
    return ""


def confirm_job(actor: Any, job: BulkJob, *, valid_only: bool = False) -> BulkJob:
    """Queue a validated job for issuing (confirming a queued, running or done job is a no-op).

    A batch with invalid rows is confirmed only with `valid_only`: its valid rows are issued,
    the invalid ones never are (they stay on the job, for the rejected-rows CSV)."""
    with transaction.atomic():
        locked = BulkJob.objects.select_for_update().get(pk=job.pk)
        if locked.state in (State.QUEUED, State.RUNNING, State.DONE):
            return locked
        if locked.state != State.VALIDATED:
            raise Conflict(_("This job is %(state)s; it cannot be confirmed.")
                           % {"state": locked.get_state_display().lower()},
                           code="JOB_NOT_CONFIRMABLE")
        if locked.invalid_count and not (valid_only and locked.valid_count):
            raise Invalid(blocked_reason(locked), code="BATCH_INVALID", status=422)
        if not locked.total:
            raise Invalid(gettext("The batch has no rows."), code="EMPTY", status=422)
        _check_version(locked.achievement_version)
        locked.state = State.QUEUED
        locked.confirmed_at = timezone.now()
        locked.confirmed_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.confirmed_by_label = actor_label(actor)
        locked.save(update_fields=["state", "confirmed_at", "confirmed_by", "confirmed_by_label"])
        log_action(actor, "bulk.job_confirmed", locked, institution_id=locked.institution_id,
                   before={"state": State.VALIDATED},
                   after={"state": locked.state, "total": locked.total,
                          "to_issue": locked.valid_count, "invalid": locked.invalid_count,
                          "valid_only": bool(valid_only and locked.invalid_count)})
        count = _tasks_for(locked)
        transaction.on_commit(lambda: _enqueue(locked.pk, count))
    job.refresh_from_db()
    return job


def cancel_job(actor: Any, job: BulkJob) -> BulkJob:
    """Stop a job: credentials already issued stay issued; the remaining rows are not issued."""
    with transaction.atomic():
        locked = BulkJob.objects.select_for_update().get(pk=job.pk)
        if locked.is_finished:
            raise Conflict(_("This job is already %(value)s.")
                           % {"value": locked.get_state_display().lower()},
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
            raise Conflict(_("Only a failed or stalled job can be resumed."),
                           code="JOB_NOT_RESUMABLE")
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

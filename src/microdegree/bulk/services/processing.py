"""The bulk worker: `process_job` claims chunks of pending rows with a lease, signs them outside
any long transaction, then stores a chunk and marks its rows in ONE transaction (overlapped on
PostgreSQL: chunk N is stored by a writer thread while chunk N+1 is signed). See the package's
docstring for why no crash can issue a row twice."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import timedelta
from typing import Any, NamedTuple, TypeVar

from django.db import connection, connections, transaction
from django.db.models import CharField, Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from microdegree import config
from microdegree.audit.services import log_action
from microdegree.bulk.models import BulkJob, BulkRow
from microdegree.bulk.services.jobs import (
    RowState,
    State,
    chunk_size,
    lease_seconds,
    progress,
    row_key,
)
from microdegree.bulk.workers import current_worker
from microdegree.catalog import services as catalog_services
from microdegree.errors import DATABASE_ERRORS
from microdegree.institutions.errors import DomainError, Invalid
from microdegree.issuing import services as issuing
from microdegree.issuing.models import IssuedCredential

log = logging.getLogger(__name__)
T = TypeVar("T")


def _schedule_successor(job: BulkJob, lease: float) -> None:
    """A deferred run of this job after one lease: it resumes the job if this worker dies."""
    from microdegree.bulk.tasks import process_bulk_job

    if not process_bulk_job.get_backend().supports_defer:
        return
    when = timezone.now() + timedelta(seconds=lease + 1)
    process_bulk_job.using(run_after=when).enqueue(job.pk)


def _enqueue_mail(credential_ids: list[int]) -> None:
    """Queue the chunk's e-mails. With the database backend the task row is written in the
    chunk's own transaction: stored credentials and their e-mail task commit together."""
    from django_tasks_db.backend import DatabaseBackend

    from microdegree.bulk.tasks import send_bulk_emails

    if isinstance(send_bulk_emails.get_backend(), DatabaseBackend):
        send_bulk_emails.enqueue(credential_ids)
    else:
        transaction.on_commit(lambda: send_bulk_emails.enqueue(credential_ids))


class Claimed(NamedTuple):
    """A leased row: what signing and storing need of it (no model instance per row)."""

    pk: int
    row_number: int
    data: dict[str, Any]


class Cursor:
    """Where a worker's next claim starts: just after the last row it claimed.

    Claiming from the start of the job each time would walk, in the (job, state, row_number)
    index, past every row already issued: an UPDATE of `state` leaves the row's old "pending"
    entry in that index until VACUUM, so a claim's scan (and PostgreSQL's CPU per credential)
    grew with the rows already done. From the cursor, a claim reads its own chunk and at most
    the chunks other workers hold ahead of it. When nothing is left after the cursor, one claim
    from the start picks up rows left behind (a dead worker's released lease, a cancelled
    chunk): a single walk over the job at its end, not one per chunk.
    """

    def __init__(self) -> None:
        self.after = -1  # row_number of the last row claimed


def _claim(job: BulkJob, size: int, lease: float, cursor: Cursor | None = None
           ) -> list[Claimed]:
    """Up to `size` pending rows nobody holds (or whose holder's lease ended), leased to us."""
    after = cursor.after if cursor is not None else -1
    rows = _claim_after(job, size, lease, after)
    if not rows and after >= 0:  # rows left behind the cursor: once, at the job's end
        rows = _claim_after(job, size, lease, -1)
    if rows and cursor is not None:
        cursor.after = rows[-1].row_number
    return rows


def _claim_after(job: BulkJob, size: int, lease: float, after: int) -> list[Claimed]:
    now = timezone.now()
    with transaction.atomic():
        # Index (job, state, row_number): the range condition starts the scan at the cursor
        qs = (BulkRow.objects.filter(job_id=job.pk, state=RowState.PENDING,
                                     row_number__gt=after)
              .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
              .order_by("row_number"))
        rows = [Claimed(*r) for r in qs.select_for_update(skip_locked=True, of=("self",))
                .values_list("pk", "row_number", "data")[:size]]
        if rows:  # (the job's heartbeat moves when a chunk is stored: no lock on the job here)
            BulkRow.objects.filter(pk__any=[r.pk for r in rows]).update(
                claimed_until=now + timedelta(seconds=lease), claimed_by=current_worker())
    return rows


def _prepare_chunk(job: BulkJob, rows: Sequence[Claimed], signer: issuing.Signer
                   ) -> tuple[list[tuple[Claimed, dict[str, Any]]], list[tuple[Claimed, str]]]:
    """Sign a chunk (no transaction held); a row the issuing layer refuses fails on its own."""
    version = job.achievement_version
    awards = [{**r.data, "idempotency_key": row_key(job, r.row_number)} for r in rows]
    try:
        prepared = issuing.prepare_issue(version, awards, signer=signer)
    except Invalid:  # a row the issuing layer refuses; anything else stops the job
        pass
    else:
        return list(zip(rows, prepared, strict=True)), []
    ok: list[tuple[Claimed, dict[str, Any]]] = []
    failed: list[tuple[Claimed, str]] = []
    for row, award in zip(rows, awards, strict=True):
        try:
            ok.append((row, issuing.prepare_issue(version, [award], signer=signer)[0]))
        except Invalid as exc:
            failed.append((row, exc.message))
    return ok, failed


def _store_chunk(job: BulkJob, actor: Any, ok: list[tuple[Claimed, dict[str, Any]]],
                 failed: list[tuple[Claimed, str]], check_pathways: bool) -> bool:
    """Store signed credentials and mark their rows in one transaction; False if cancelled.

    Only the chunk's own rows are locked (not the job row), so workers sharing a job store their
    chunks concurrently on PostgreSQL; the job's counters are bumped last, just before commit.
    A cancel that lands while a chunk is being signed lets at most that chunk through.
    """
    with transaction.atomic():
        state = BulkJob.objects.filter(pk=job.pk).values_list("state", flat=True).first()
        if state not in (State.QUEUED, State.RUNNING):
            return False
        pks = [r.pk for r, _ in ok] + [r.pk for r, _ in failed]
        # order_by(): no join to the job (Meta.ordering names it), so only rows are locked
        pending = set(BulkRow.objects.select_for_update(of=("self",)).order_by()
                      .filter(pk__any=pks, state=RowState.PENDING).values_list("pk", flat=True))
        ok = [(r, p) for r, p in ok if r.pk in pending]  # another worker finished the others
        failed = [(r, m) for r, m in failed if r.pk in pending]
        # keys_unused: a pending row normally has no credential yet (a row and its credential
        # commit together, and we hold the pending rows' locks); if one has (a key also used
        # through the API), the insert resolves it row by row: see store_issued.
        creds = issuing.store_issued(actor, job.achievement_version, [p for _, p in ok],
                                     send_email=False, check_pathways=check_pathways,
                                     keys_unused=True)
        assert len(creds) == len(ok)
        if job.send_email and creds:
            _enqueue_mail([c.pk for c in creds])
        # One UPDATE links each row to its credential through the row's idempotency key (the
        # same unique key that makes issuing idempotent; far cheaper than a per-row CASE).
        BulkRow.objects.filter(pk__any=[r.pk for r, _ in ok]).update(
            state=RowState.ISSUED, claimed_until=None, error="",
            credential=Subquery(IssuedCredential.objects.filter(
                institution_id=job.institution_id,
                idempotency_key=Concat(Value(f"bulk:{job.uuid}:"),
                                       Cast(OuterRef("row_number"), CharField())),
            ).values("pk")[:1]))
        for row, message in failed:
            BulkRow.objects.filter(pk=row.pk).update(state=RowState.FAILED, claimed_until=None,
                                                     error=message)
        BulkJob.objects.filter(pk=job.pk).update(
            issued_count=F("issued_count") + len(ok), failed_count=F("failed_count") + len(failed),
            heartbeat_at=timezone.now())
    return True


def overlap_enabled() -> bool:
    """Whether chunk N is stored by a writer thread while chunk N+1 is signed.

    Only on PostgreSQL (SQLite has one writer at a time: nothing to overlap) and only outside a
    transaction: the writer thread has its own connection, which could not see the caller's
    uncommitted rows. `MICRODEGREE_BULK_OVERLAP=0` turns it off.
    """
    return (config.env_bool("BULK_OVERLAP", True)
            and connection.vendor == "postgresql" and not connection.in_atomic_block)


def _in_writer(call: Callable[..., T], *args: Any) -> T:
    """Run `call` on the writer thread; a failure closes the thread's connection so that a
    broken one is not reused by the next chunk."""
    try:
        return call(*args)
    except BaseException:
        connections.close_all()
        raise


def _release(rows: Sequence[Claimed]) -> None:
    """Give leased rows that are still pending back at once instead of when the lease ends
    (chunks claimed or signed but not stored, because the job was cancelled or stopped)."""
    if rows:
        BulkRow.objects.filter(pk__any=[r.pk for r in rows], state=RowState.PENDING).update(
            claimed_until=None)


def _run_overlapped(job: BulkJob, actor: Any, signer: issuing.Signer, size: int, lease: float,
                    check_pathways: bool) -> None:
    """Sign on this thread; claim and store on a writer thread, a chunk ahead and behind.

    Claiming (a locking SELECT and an UPDATE) and storing are mostly waiting for the database
    (COPY, index updates, the commit's WAL flush), during which psycopg releases the GIL, so
    the waits hide behind the signing of the chunk in hand. The writer runs its work in order:
    claim 1, claim 2, store 1, claim 3, store 2, ... Every guarantee is the sequential loop's:
    each chunk is stored by `_store_chunk` in its own transaction, rows stay leased until
    stored, and a crash anywhere leaves at most three chunks of leased rows that return to the
    pool when their lease ends (nothing is issued twice: the idempotency keys). At most one
    chunk more is signed after a cancel, and never stored; the rows claimed but not stored are
    released at once when the loop ends, by a cancel or an error.
    """
    cursor = Cursor()  # (used by the writer thread only)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-writer") as writer:
        storing: Future[bool] | None = None
        claiming: Future[list[Claimed]] | None = writer.submit(
            _in_writer, _claim, job, size, lease, cursor)
        previous: list[Claimed] = []  # the chunk being stored
        current: list[Claimed] = []  # the chunk being signed
        done = False
        try:
            while claiming is not None and (rows := claiming.result()):
                current = rows
                claiming = writer.submit(_in_writer, _claim, job, size, lease, cursor)
                ok, failed = _prepare_chunk(job, rows, signer)
                if storing is not None and not storing.result():
                    storing = None
                    break  # cancelled
                storing = writer.submit(_in_writer, _store_chunk, job, actor, ok, failed,
                                        check_pathways)
                previous, current = rows, []
            else:
                claiming = None  # nothing left to claim: nothing held ahead
                done = storing is None or storing.result()
        finally:
            if storing is not None:
                wait([storing])
            ahead: list[Claimed] = []
            if claiming is not None:
                wait([claiming])
                ahead = claiming.result() if claiming.exception() is None else []
            if not done:  # cancelled or stopped: rows claimed and not stored go back now
                try:
                    writer.submit(_in_writer, _release, previous + current + ahead).result()
                except Exception:  # (their lease still ends; nothing is lost)
                    log.warning("bulk job %s: leased rows not released", job.uuid,
                                exc_info=True)
            writer.submit(connections.close_all).result()  # the writer thread's connection


def _start(job: BulkJob) -> bool:
    now = timezone.now()
    with transaction.atomic():
        locked = BulkJob.objects.select_for_update().get(pk=job.pk)
        if locked.state not in (State.QUEUED, State.RUNNING):
            return False
        if locked.state == State.QUEUED:
            locked.state = State.RUNNING
            locked.started_at = locked.started_at or now
            locked.heartbeat_at = now
            locked.save(update_fields=["state", "started_at", "heartbeat_at"])
            log_action(_actor(locked), "bulk.job_started", locked,
                       institution_id=locked.institution_id, before={"state": State.QUEUED},
                       after={"state": State.RUNNING})
    # Freeze the version before anything is signed: an edit from now on makes version N+1, so
    # the Achievement signed into every chunk is the one stored (a no-op once awarded).
    catalog_services.mark_awarded(job.achievement_version)
    return True


def _actor(job: BulkJob) -> Any:
    return job.confirmed_by or job.confirmed_by_label or "bulk-worker"


def _finish(job: BulkJob) -> None:
    """Mark the job done once no row is pending (whichever worker stores the last chunk)."""
    with transaction.atomic():
        locked = BulkJob.objects.select_for_update().get(pk=job.pk)
        if locked.state != State.RUNNING or locked.rows.filter(state=RowState.PENDING).exists():
            return
        counts = dict(locked.rows.values_list("state").annotate(n=Count("id")))
        locked.issued_count = counts.get(RowState.ISSUED, 0)
        locked.failed_count = counts.get(RowState.FAILED, 0)
        locked.state = State.DONE
        locked.finished_at = timezone.now()
        locked.save(update_fields=["issued_count", "failed_count", "state", "finished_at"])
        log_action(_actor(locked), "bulk.job_finished", locked,
                   institution_id=locked.institution_id, before={"state": State.RUNNING},
                   after={"state": State.DONE, "issued": locked.issued_count,
                          "failed": locked.failed_count})


def _fail(job: BulkJob, message: str) -> None:
    with transaction.atomic():
        locked = BulkJob.objects.select_for_update().get(pk=job.pk)
        if locked.is_finished:
            return
        before = locked.state
        locked.state, locked.error, locked.finished_at = State.FAILED, message, timezone.now()
        locked.save(update_fields=["state", "error", "finished_at"])
        log_action(_actor(locked), "bulk.job_failed", locked,
                   institution_id=locked.institution_id, before={"state": before},
                   after={"state": State.FAILED, "issued": locked.issued_count}, note=message)


def process_job(job_id: int, *, size: int | None = None, lease: float | None = None
                ) -> dict[str, Any]:
    """Issue the job's pending rows, chunk by chunk; safe to run several times, concurrently, or
    again after a crash. Returns the job's progress."""
    size = size or chunk_size()
    lease = lease or lease_seconds()
    job = (BulkJob.objects.select_related("achievement_version__definition__institution",
                                          "confirmed_by").filter(pk=job_id).first())
    if job is None:
        return {"state": "missing"}
    if job.state not in (State.QUEUED, State.RUNNING):
        return progress(job)
    _schedule_successor(job, lease)
    if not _start(job):
        return progress(job)
    version = job.achievement_version
    actor = _actor(job)
    try:
        signer = issuing.prepare_signer(version.definition.institution)
        check_pathways = bool(catalog_services.pathways_containing(version.definition))
        if overlap_enabled():
            _run_overlapped(job, actor, signer, size, lease, check_pathways)
        else:
            cursor = Cursor()
            while rows := _claim(job, size, lease, cursor):
                ok, failed = _prepare_chunk(job, rows, signer)
                if not _store_chunk(job, actor, ok, failed, check_pathways):
                    _release(rows)  # cancelled: the chunk's rows go back at once
                    break
    except DomainError as exc:  # e.g. the institution was suspended or lost its key
        _fail(job, exc.message)
    except DATABASE_ERRORS:
        # The database went away: nothing to record now, and nothing is lost. The job stays
        # running and resumes by itself (the successor run, or a worker's rescue once it has
        # been untouched for three leases); its page says "stalled" meanwhile.
        log.warning("bulk job %s interrupted: database unavailable", job.uuid, exc_info=True)
        raise
    except Exception:
        log.exception("bulk job %s stopped", job.uuid)
        _fail(job, "An unexpected error stopped the job; resume it to continue with the rows "
                   "not yet issued.")
        raise
    else:
        _finish(job)
    job.refresh_from_db()
    return progress(job)

"""Bulk issuance end to end: a generated CSV through the real job path into PostgreSQL.

    uv run python bench/bulk_issue.py                        # 10,000 then 100,000 rows, 2 workers
    uv run python bench/bulk_issue.py --sizes 10000 --million --no-core    # the 1M run
    uv run python bench/bulk_issue.py --rows 1000 --workers 1 # a quick run
    uv run python bench/bulk_issue.py --sizes 10000,40000 --explain   # with the chunk's plans

What runs, per size, on a fresh scratch database (`microdegree_bench`, created and dropped):
migrations, an approved institution and a course; `prepare_job` (parse and validate the CSV,
store the rows; not timed); W real worker processes (`python -m microdegree.manage worker`) are
started and left idle, as in production; then `confirm_job` enqueues the job's tasks and the
workers sign, allocate status indices and store until the job is done. E-mails are composed by
their own tasks (after the job: lower priority) and handed to Django's dummy mail backend.

It prints, per size: credentials/second from confirm to job done (and to the last e-mail task),
each worker's peak memory (VmHWM, read before it stops), the workers' CPU
per credential, the CPU per credential of the PostgreSQL backends serving the database (from
/proc), what was issued (credentials, distinct ids, keys and status entries: all must equal the
rows), the load average; and at the end the cost curve with each size's CPU per credential
against the first size's. Unless `--no-core`, the core's single-core signing rate is measured
too (five rounds before and five after the job). `--explain` replays the last two chunks of each
size in this process and prints EXPLAIN (ANALYZE, BUFFERS) of every statement they run.
`--profile FILE` runs the job in-process under cProfile instead. On a shared machine compare
ratios measured in one run, not rates.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _machine import machine_busy  # bench/_machine.py (the script's folder is on the path)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/microdegree_bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000",
                        help="comma-separated batch sizes, one fresh database each "
                             "(default 10000,100000)")
    parser.add_argument("--million", action="store_true", help="add a 1,000,000-row run")
    parser.add_argument("--rows", type=int, help="one size only (same as --sizes N)")
    parser.add_argument("--workers", type=int, default=2, choices=(1, 2, 3, 4))
    parser.add_argument("--chunk", type=int, default=500, help="rows per chunk (default 500, "
                        "the platform's default)")
    parser.add_argument("--no-core", action="store_true",
                        help="skip the single-core signing-rate rounds (saves ~1 min a size)")
    parser.add_argument("--explain", action="store_true",
                        help="after each size, replay its last two chunks in this process and "
                             "print EXPLAIN (ANALYZE, BUFFERS) of every query a chunk runs")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                 DEFAULT_URL))
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--profile", metavar="FILE",
                        help="instead of worker processes, run the job and its e-mail tasks "
                             "in this process under cProfile (writer thread off, so every "
                             "cost is on one thread) and write the stats to FILE")
    args = parser.parse_args()
    sizes = [args.rows] if args.rows else [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.million and 1_000_000 not in sizes:
        sizes.append(1_000_000)

    import psycopg

    parts = urlsplit(args.database_url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))

    def fresh_database() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')

    fresh_database()
    data_dir = tempfile.mkdtemp(prefix="microdegree-bench-")
    os.environ.update({
        "DATABASE_URL": args.database_url,
        "MICRODEGREE_DATA_DIR": data_dir,
        "MICRODEGREE_DEBUG": "0",  # DEBUG keeps every SQL query in memory
        "MICRODEGREE_SECRET_KEY": secrets.token_urlsafe(50),
        "MICRODEGREE_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "MICRODEGREE_ALLOWED_HOSTS": "localhost",
        "MICRODEGREE_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "MICRODEGREE_BULK_PARALLEL": str(args.workers),
        "MICRODEGREE_BULK_CHUNK_SIZE": str(args.chunk),
        "MICRODEGREE_BULK_MAX_ROWS": str(max(max(sizes), 50_000)),
        "DJANGO_SETTINGS_MODULE": "microdegree.settings",
    })
    import django

    django.setup()
    from django.db import connections

    results: dict[int, dict[str, float]] = {}
    try:
        for rows in sizes:
            if results:  # a fresh database for each size
                connections.close_all()
                fresh_database()
                from django.contrib.contenttypes.models import ContentType

                ContentType.objects.clear_cache()
            print(f"\n=== {rows:,} rows, {args.workers} worker(s) ===", flush=True)
            results[rows] = run(args, rows, args.workers, name)
        if not args.profile:
            summary(results, args.workers)
    finally:
        connections.close_all()
        shutil.rmtree(data_dir, ignore_errors=True)
        if not args.keep:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def summary(results: dict[int, dict[str, float]], n_workers: int) -> None:
    """The cost curve: one line per size, and each size's CPU per credential against the
    smallest's (the ratio is what to compare on a shared machine, not the rates)."""
    print(f"\n=== cost curve, {n_workers} worker(s) ===")
    print(f"{'rows':>10} {'cred/s':>8} {'worker peak':>11} {'worker ms/cred':>14} "
          f"{'postgres ms/cred':>16} {'both ms/cred':>12} {'vs first':>8} {'load':>5}")
    first = None
    for rows, r in results.items():
        both = r["worker_cpu"] + r["pg_cpu"]
        first = first or both
        print(f"{rows:>10,} {r['e2e']:>8,.0f} {r['peak_mib']:>7,.0f} MiB "
              f"{r['worker_cpu'] * 1e3:>14.3f} {r['pg_cpu'] * 1e3:>16.3f} {both * 1e3:>12.3f} "
              f"{both / first:>7.2f}x {r['load']:>5.2f}")


class PostgresCpu:
    """CPU seconds used by the PostgreSQL backends serving database `name` (the workers' and
    the bench's connections), read from /proc/<pid>/stat of each backend that
    pg_stat_activity lists, sampled every 0.2 s by a thread so that backends which end during
    the run still count (up to their last sample). The bench's own sampling backend is left
    out. Shared background processes (WAL writer, checkpointer) are not counted: the machine's
    total is printed beside it."""

    def __init__(self, url: str, name: str) -> None:
        import threading

        import psycopg

        self.conn = psycopg.connect(url, autocommit=True)
        self.me = self.conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        self.name = name
        self.seen: dict[int, float] = {}
        self.start: dict[int, float] = {}
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _sample(self) -> dict[int, float]:
        pids = [r[0] for r in self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> %s",
            (self.name, self.me))]
        return {pid: _cpu_seconds(pid) for pid in pids}

    def _loop(self) -> None:
        while not self.stop_event.wait(0.2):
            for pid, cpu in self._sample().items():
                self.seen[pid] = max(cpu, self.seen.get(pid, 0.0))
                self.start.setdefault(pid, 0.0)  # a backend started during the run: from 0

    def begin(self) -> None:
        self.start = self._sample()
        self.seen = dict(self.start)
        self.thread.start()

    def end(self) -> float:
        for pid, cpu in self._sample().items():
            self.seen[pid] = max(cpu, self.seen.get(pid, 0.0))
        self.stop_event.set()
        self.thread.join()
        self.conn.close()
        return sum(cpu - self.start.get(pid, 0.0) for pid, cpu in self.seen.items())


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _high_water_kb(pid: int) -> int:
    """The process's RSS high-water mark so far (VmHWM, Linux /proc; 0 elsewhere)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def sign_rates(version, signer, rounds: int = 5, per_round: int = 1500) -> list[float]:
    """The core's single-core signing rate for this credential shape, in `rounds` rounds of
    `per_round` distinct documents each (as in a real batch: each has its own id, salt, recipient
    and status index), built beforehand and not timed. The same core call the job makes
    (`proofs.sign` with the institution's key and suite), warmed up first. Rounds rather than
    one figure: on a shared machine a single ~1 s measurement moves by 10-20%; the spread of
    the rounds before and after the job is printed with the median the ratio uses."""
    from datetime import UTC, datetime

    from microdegree.issuing import services as issuing
    from microdegree.vc import proofs
    from microdegree.vc.status import status_entry

    def doc(i: int) -> dict:
        return issuing.build_credential(
            version, recipient_email=f"someone{i}@example.org", recipient_name=f"Some One {i}",
            salt=secrets.token_hex(16), credential_id=f"urn:uuid:{uuid.uuid4()}",
            issued_at=datetime.now(UTC).replace(microsecond=0),
            status_entries=[status_entry("http://localhost:8000/status/bench-u/revocation/1",
                                         1000 + i, "revocation")],
            credits_earned=5, result=str(i % 10 + 1), narrative="Passed the final assessment.",
            activity_start=datetime(2025, 9, 1, tzinfo=UTC),
            activity_end=datetime(2025, 12, 15, tzinfo=UTC),
        )

    def sign(document: dict) -> None:
        proofs.sign(document, signer.key, verification_method=signer.verification_method,
                    suite=signer.suite)

    for i in range(200):  # warm up (caches, allocator)
        sign(doc(-1 - i))
    rates = []
    for _ in range(rounds):
        docs = [doc(i) for i in range(per_round)]
        start = time.perf_counter()
        for document in docs:
            sign(document)
        rates.append(per_round / (time.perf_counter() - start))
    return rates


def run(args: argparse.Namespace, n_rows: int, n_workers: int, db_name: str
        ) -> dict[str, float]:
    """One pass with `n_workers` worker processes; returns its figures."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from microdegree.bulk import services
    from microdegree.bulk.models import BulkJob
    from microdegree.catalog import services as catalog
    from microdegree.institutions import services as inst_services
    from microdegree.issuing import services as issuing
    from microdegree.issuing.models import IssuedCredential, StatusList

    call_command("migrate", verbosity=0)
    users = get_user_model().objects
    admin = users.create_user("admin", "admin@example.org", "x", is_staff=True, is_superuser=True)
    owner = users.create_user("owner", "owner@example.org", "x")
    inst = inst_services.register_institution(owner, name="Bench University", country_code="NL",
                                              owner=owner, slug="bench-u")
    inst_services.approve_institution(admin, inst)
    version = catalog.create_definition(
        owner, inst, name="Data Literacy", slug="data-literacy",
        description="A short course in reading data.", criteria_narrative="Pass the exam.",
        credits_available=5, ects=5)
    signer = issuing.prepare_signer(inst)
    print(f"suite {inst.suite}; {n_rows:,} rows; {n_workers} worker(s); chunk {args.chunk}")

    core_before = [] if args.no_core else sign_rates(version, signer)

    csv = "email,name,identifier,result,narrative,credits_earned,activity_start,activity_end\n"
    csv += "".join(
        f"learner{i}@example.org,Learner {i},S-{100000 + i},{i % 10 + 1},"
        f"Passed the final assessment.,5,2025-09-01,2025-12-15\n" for i in range(n_rows))
    started = time.perf_counter()
    job, report, _ = services.prepare_job(owner, version, csv.encode(), filename="bench.csv")
    prepare_s = time.perf_counter() - started
    assert report.ok, report.problems[:3]
    if args.profile:
        return profile(args, owner, job)
    # Workers are long-running processes: start them, wait until they poll the queue, then
    # confirm (as a person would) and time confirm -> job done.
    log_dir = Path(os.environ["MICRODEGREE_DATA_DIR"])
    workers = []
    for i in range(n_workers):
        with (log_dir / f"worker-{i}.log").open("wb") as out:
            workers.append(subprocess.Popen(
                [sys.executable, "-m", "microdegree.manage", "worker", "--no-reload",
                 "--no-startup-delay", "--interval", "0.1", "--worker-id", f"bench-{i}"],
                stdout=out, stderr=subprocess.STDOUT))
    deadline = time.monotonic() + 120
    while not all(b"Starting worker" in (log_dir / f"worker-{i}.log").read_bytes()
                  for i in range(n_workers)):
        if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
            sys.exit("the workers did not start: see " + str(log_dir))
        time.sleep(0.1)
    time.sleep(1)  # let the machine settle after the imports
    load = os.getloadavg()
    startup_cpu = {w.pid: _cpu_seconds(w.pid) for w in workers}
    machine_before = machine_busy()
    pg_cpu = PostgresCpu(os.environ["DATABASE_URL"], db_name)
    pg_cpu.begin()
    started = time.perf_counter()
    services.confirm_job(owner, job)
    mail_tasks = DBTaskResult.objects.filter(task_path__endswith="send_bulk_emails")
    job_s_wall = None
    job_cpu: dict[int, float] = {}
    machine_job = 0.0
    while True:
        if job_s_wall is None and BulkJob.objects.filter(pk=job.pk, state="done").exists():
            job_s_wall = time.perf_counter() - started
            job_cpu = {w.pid: _cpu_seconds(w.pid) for w in workers}
            machine_job = machine_busy() - machine_before
            pg_job = pg_cpu.end()
        if job_s_wall is not None and not mail_tasks.exclude(status="SUCCESSFUL").exists():
            break
        if any(w.poll() is not None for w in workers):
            sys.exit("a worker exited: see " + str(log_dir))
        time.sleep(0.05)
    all_s = time.perf_counter() - started
    wall_s = job_s_wall
    peak_kb: dict[int, int] = {}
    cpu_s: dict[int, float] = {}
    # The workers' own high-water mark, read while they run. Not ru_maxrss: on Linux that
    # keeps the high-water of the process before exec, i.e. of this bench process forked to
    # start the worker, which holds the whole generated CSV and its report (it grows with the
    # batch, ~2 KB a row: the "worker memory growing with the batch" of issue 17 was this).
    hwm_kb = {w.pid: _high_water_kb(w.pid) for w in workers}
    for worker in workers:
        worker.send_signal(signal.SIGTERM)  # graceful: the worker is idle
        _, status, usage = os.wait4(worker.pid, 0)  # reaps it, with its resource usage
        worker.returncode = os.waitstatus_to_exitcode(status)
        peak_kb[worker.pid] = usage.ru_maxrss
        cpu_s[worker.pid] = usage.ru_utime + usage.ru_stime
    job.refresh_from_db()
    if job.state != BulkJob.State.DONE:  # a worker exited early: finish in-process (reported)
        print(f"job is {job.state} after the workers exited; finishing in-process")
        services.process_job(job.pk)
        job.refresh_from_db()
    job_s = (job.finished_at - job.started_at).total_seconds()

    core_after = [] if args.no_core else sign_rates(version, signer)
    core = statistics.median(core_before + core_after) if core_before else 0.0

    creds = IssuedCredential.objects.filter(institution=inst)
    n = creds.count()
    distinct = creds.values("idempotency_key").distinct().count()
    distinct_ids = creds.values("credential_id").distinct().count()
    revocation = creds.values("status_list_id", "status_index").distinct().count()
    suspension = creds.values("suspension_list_id", "suspension_index").distinct().count()
    lists = dict(StatusList.objects.filter(institution=inst).values_list("purpose")
                 .annotate(n=Count("id")))
    print(f"issued {n:,} credentials: {distinct:,} distinct idempotency keys, "
          f"{distinct_ids:,} distinct credential ids, {revocation:,} distinct revocation and "
          f"{suspension:,} distinct suspension entries; status lists {lists}; state {job.state}")
    counts = (n, distinct, distinct_ids, revocation, suspension, job.issued_count)
    assert all(c == n_rows for c in counts), counts  # nothing lost, nothing twice

    e2e = n_rows / wall_s
    per_worker = e2e / n_workers
    print(f"prepare (parse, validate, store {n_rows:,} rows; not timed below): {prepare_s:.2f} s "
          f"({n_rows / prepare_s:,.0f} rows/s)")
    print(f"end to end (confirm -> job done, workers running): {wall_s:.1f} s = "
          f"{e2e:,.1f} credentials/s ({per_worker:,.1f} per worker); inside the job: "
          f"{n_rows / job_s:,.1f}/s")
    print(f"until the e-mail tasks are done too: {all_s:.1f} s = "
          f"{n_rows / all_s:,.1f} credentials/s")
    every = core_before + core_after
    if every:
        print(f"core proofs.sign, one core, same run, {len(every)} rounds: before "
              + ", ".join(f"{r:,.0f}" for r in core_before) + "; after "
              + ", ".join(f"{r:,.0f}" for r in core_after)
              + f" /s; median {core:,.1f}/s (min {min(every):,.0f}, max {max(every):,.0f}, "
              f"spread {(max(every) - min(every)) / core:.0%} of the median)")
        print(f"ratio per worker / core: {per_worker / core:.0%} (target >= 50%)")
    peak_mib = max(hwm_kb.values()) / 1024
    print("worker peak memory while working (VmHWM, the RSS high-water, read before they "
          "stop): " + ", ".join(f"{kb / 1024:,.0f} MiB" for kb in hwm_kb.values())
          + "; ru_maxrss (the bench's own memory when it forked them included): "
          + ", ".join(f"{kb / 1024:,.0f} MiB" for kb in peak_kb.values()))
    print("worker CPU time (user+sys), start-up included: "
          + ", ".join(f"{cpu:.1f} s" for cpu in cpu_s.values())
          + f" of {all_s:.1f} s; {os.cpu_count()} cores; load average at confirm "
          + ", ".join(f"{x:.2f}" for x in load))
    for worker in workers:
        if worker.returncode:
            print(f"worker exited with {worker.returncode}")
    cpu_per_cred = sum(cpu_s[p] - startup_cpu[p] for p in cpu_s) / n_rows
    job_cpu_per_cred = sum(job_cpu[p] - startup_cpu[p] for p in cpu_s) / n_rows
    pg_per_cred = pg_job / n_rows
    print(f"worker CPU per credential from confirm to job done (signing and storing; the "
          f"e-mail tasks mostly run after): {job_cpu_per_cred * 1e3:.3f} ms"
          + (f" = {1 / core / job_cpu_per_cred:.0%} of it signing at the core's median rate"
             if core else ""))
    print(f"worker CPU per credential after start-up (e-mail tasks included): "
          f"{cpu_per_cred * 1e3:.3f} ms")
    print(f"PostgreSQL backends of this database, CPU per credential from confirm to job "
          f"done: {pg_per_cred * 1e3:.3f} ms")
    cores = os.cpu_count() or 1
    machine_per_cred = machine_job / n_rows
    print(f"machine from confirm to job done: {machine_job / wall_s:.2f} of {cores} cores busy "
          f"({machine_job / wall_s / cores:.0%}); all processes (other sessions' included) "
          f"{machine_per_cred * 1e3:.2f} ms CPU per credential")
    if args.explain:
        explain_last_chunks(job, owner, min(2 * args.chunk, n_rows))
    return {"e2e": e2e, "core": core, "load": load[0], "machine": machine_per_cred,
            "busy": machine_job / wall_s / cores, "worker_cpu": job_cpu_per_cred,
            "pg_cpu": pg_per_cred, "peak_mib": peak_mib}


def explain_last_chunks(job, owner, count: int) -> None:
    """Replay the job's last `count` rows (two chunks) as a worker would, in this process,
    with every statement first run under EXPLAIN (ANALYZE, BUFFERS) in a savepoint that is
    rolled back: the plans are those of the job's end, with all its other rows issued (and
    their dead index entries still there), which is where a scan of the job's rows shows."""
    from django.db import connection, transaction

    from microdegree.bulk import services
    from microdegree.bulk.models import BulkJob, BulkRow
    from microdegree.issuing.models import IssuedCredential

    last = BulkRow.objects.filter(job=job).order_by("-row_number")[:count]
    numbers = list(last.values_list("row_number", flat=True))
    with transaction.atomic():
        rows = BulkRow.objects.filter(job=job, row_number__in=numbers)
        cred_ids = list(rows.values_list("credential_id", flat=True))
        rows.update(state="pending", credential=None, claimed_until=None, claimed_by="")
        IssuedCredential.objects.filter(pk__in=cred_ids).delete()
        BulkJob.objects.filter(pk=job.pk).update(
            state="running", finished_at=None, issued_count=job.issued_count - len(numbers))
    plans: list[tuple[str, list[str]]] = []

    def explain(execute, sql, params, many, context):
        head = sql.lstrip().split(None, 1)[0].upper()
        if not many and head in ("SELECT", "UPDATE", "INSERT", "DELETE", "WITH"):
            cursor = context["cursor"].cursor  # the driver's cursor: no wrappers again
            outer = connection.in_atomic_block
            cursor.execute("SAVEPOINT bench_explain" if outer else "BEGIN")
            try:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                plan = [r[0] for r in cursor.fetchall()]
                plans.append((f"{sql}  -- {params!r}"[:600], plan))
            finally:
                cursor.execute("ROLLBACK TO SAVEPOINT bench_explain" if outer else "ROLLBACK")
        return execute(sql, params, many, context)

    os.environ["MICRODEGREE_BULK_OVERLAP"] = "0"  # one thread, one connection: all captured
    try:
        with connection.execute_wrapper(explain):
            services.process_job(job.pk)
    finally:
        os.environ.pop("MICRODEGREE_BULK_OVERLAP", None)
    job.refresh_from_db()
    print(f"\n--- EXPLAIN (ANALYZE, BUFFERS) of the {len(plans)} statements of the last "
          f"{len(numbers)} rows' chunks (job now {job.state}, {job.issued_count:,} issued) ---")
    for sql, plan in plans:
        print("\n" + sql)
        print("\n".join("    " + line for line in plan))


def profile(args: argparse.Namespace, owner, job) -> dict[str, float]:
    """One worker's work (job, then its e-mail tasks) in this process under cProfile."""
    import cProfile
    import pstats

    from django_tasks_db.models import DBTaskResult

    from microdegree.bulk import services
    from microdegree.bulk.tasks import send_bulk_emails

    os.environ["MICRODEGREE_BULK_OVERLAP"] = "0"
    services.confirm_job(owner, job)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    services.process_job(job.pk)
    job_s = time.perf_counter() - started
    for result in DBTaskResult.objects.filter(task_path__endswith="send_bulk_emails"):
        send_bulk_emails.call(*result.args_kwargs["args"])
    profiler.disable()
    all_s = time.perf_counter() - started
    profiler.dump_stats(args.profile)
    print(f"profiled: job {job_s:.1f} s, with e-mails {all_s:.1f} s for {args.rows:,} rows "
          f"({all_s / args.rows * 1e3:.2f} ms per credential under the profiler); "
          f"stats in {args.profile}")
    pstats.Stats(args.profile).sort_stats("tottime").print_stats(25)
    return {"e2e": args.rows / all_s, "core": 1.0, "load": os.getloadavg()[0], "machine": 0.0,
            "busy": 0.0, "worker_cpu": 0.0}


if __name__ == "__main__":
    main()

"""Bulk issuance end to end: a generated CSV through the real job path into PostgreSQL.

    uv run python bench/bulk_issue.py                 # 10,000 rows, one worker
    uv run python bench/bulk_issue.py --workers 2     # one worker, then two, and the scaling
    uv run python bench/bulk_issue.py --rows 1000     # a quick run

What runs: a scratch database (`microdegree_bench`, created and dropped), migrations, an approved
institution and a course; `prepare_job` (parse and validate the CSV, store the rows); W real
worker processes (`python -m microdegree.manage db_worker`) are started and left idle, as in
production; then `confirm_job` enqueues the django-tasks task in the database and the workers
sign, allocate status indices and store until the job is done. E-mails are composed by their own
tasks and handed to Django's dummy mail backend.

It prints credentials/second end to end (confirm to job done; and to the last e-mail task) and
per worker, each worker's peak memory (ru_maxrss) and CPU time, and the core's own single-core
signing rate (`microdegree.vc.proofs.sign` of distinct credentials of the same shape, measured in
the same run in five rounds before and five after the job; the median and the spread are
printed) with the ratio. `--profile FILE` runs the job in-process under cProfile instead.
With `--workers N` (N > 1) it runs the whole thing twice on a fresh database, with one worker
and with N, and prints the scaling factor (N workers' rate / one worker's). Figures on a shared
machine move with its load: the load average at confirm is printed with each pass.
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
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1, choices=(1, 2, 3, 4))
    parser.add_argument("--chunk", type=int, default=500, help="rows per chunk (default 500, "
                        "the platform's default)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                 DEFAULT_URL))
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--profile", metavar="FILE",
                        help="instead of worker processes, run the job and its e-mail tasks "
                             "in this process under cProfile (writer thread off, so every "
                             "cost is on one thread) and write the stats to FILE")
    args = parser.parse_args()

    import psycopg

    parts = urlsplit(args.database_url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
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
        "MICRODEGREE_BULK_MAX_ROWS": str(max(args.rows, 50_000)),
        "DJANGO_SETTINGS_MODULE": "microdegree.settings",
    })
    import django

    django.setup()
    from django.db import connections

    passes = [1, args.workers] if args.workers > 1 else [1]
    results: dict[int, dict[str, float]] = {}
    try:
        for workers in passes:
            if results:  # a fresh database for each pass
                connections.close_all()
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    conn.execute(f'CREATE DATABASE "{name}"')
                from django.contrib.contenttypes.models import ContentType

                ContentType.objects.clear_cache()
            os.environ["MICRODEGREE_BULK_PARALLEL"] = str(workers)
            print(f"\n=== {workers} worker(s) ===")
            results[workers] = run(args, workers)
        if len(passes) > 1:
            one, many = results[1], results[args.workers]
            print(f"\n=== summary: {args.rows:,} rows ===")
            for w in passes:
                r = results[w]
                print(f"{w} worker(s): {r['e2e']:,.1f} credentials/s end to end, "
                      f"{r['e2e'] / w:,.1f} per worker = {r['e2e'] / w / r['core']:.0%} of the "
                      f"core's {r['core']:,.1f}/s (load average {r['load']:.2f})")
            cores = os.cpu_count() or 1
            print(f"scaling {args.workers} workers / 1: {many['e2e'] / one['e2e']:.2f}x "
                  f"(ideal {args.workers:.2f}x; {cores} cores shared with PostgreSQL)")
            if one["machine"] > 0:
                # What the cores allow: one worker's run costs the whole machine
                # `machine` CPU-seconds per credential, so `cores` cores issue at most
                # cores / machine credentials per second, however many workers run.
                ceiling = min(float(args.workers),
                              cores / one["machine"] / one["e2e"])
                print(f"this machine's {cores} cores allow at most {ceiling:.2f}x at the "
                      f"one-worker run's {one['machine'] * 1e3:.2f} ms of machine CPU per "
                      f"credential (workers + PostgreSQL); {args.workers} workers reached "
                      f"{many['e2e'] / one['e2e'] / ceiling:.0%} of that with the cores "
                      f"{many['busy']:.0%} busy")
            if many["worker_cpu"] > 0:
                # Whether workers slow each other down (locks, status lists), apart from
                # sharing cores: the work each credential costs a worker, one vs N workers.
                print(f"worker CPU per credential: {one['worker_cpu'] * 1e3:.3f} ms with one "
                      f"worker, {many['worker_cpu'] * 1e3:.3f} ms with {args.workers}: with a "
                      f"core each (and PostgreSQL elsewhere) {args.workers} workers would issue "
                      f"{args.workers * one['worker_cpu'] / many['worker_cpu']:.2f}x one "
                      f"worker's rate")
    finally:
        connections.close_all()
        shutil.rmtree(data_dir, ignore_errors=True)
        if not args.keep:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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


def run(args: argparse.Namespace, n_workers: int) -> dict[str, float]:
    """One pass with `n_workers` worker processes; returns its figures."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from microdegree.bulk import services
    from microdegree.bulk.models import BulkJob
    from microdegree.catalog import services as catalog
    from microdegree.institutions import services as inst_services
    from microdegree.issuing import services as issuing
    from microdegree.issuing.models import IssuedCredential

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
    print(f"suite {inst.suite}; {args.rows:,} rows; {n_workers} worker(s); chunk {args.chunk}")

    core_before = sign_rates(version, signer)

    csv = "email,name,identifier,result,narrative,credits_earned,activity_start,activity_end\n"
    csv += "".join(
        f"learner{i}@example.org,Learner {i},S-{100000 + i},{i % 10 + 1},"
        f"Passed the final assessment.,5,2025-09-01,2025-12-15\n" for i in range(args.rows))
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
                [sys.executable, "-m", "microdegree.manage", "db_worker", "--no-reload",
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
        if job_s_wall is not None and not mail_tasks.exclude(status="SUCCESSFUL").exists():
            break
        if any(w.poll() is not None for w in workers):
            sys.exit("a worker exited: see " + str(log_dir))
        time.sleep(0.05)
    all_s = time.perf_counter() - started
    wall_s = job_s_wall
    peak_kb: dict[int, int] = {}
    cpu_s: dict[int, float] = {}
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

    core_after = sign_rates(version, signer)
    core = statistics.median(core_before + core_after)

    creds = IssuedCredential.objects.filter(institution=inst)
    n = creds.count()
    distinct = creds.values("idempotency_key").distinct().count()
    assert n == distinct == args.rows == job.issued_count, (n, distinct, job.issued_count)

    e2e = args.rows / wall_s
    per_worker = e2e / n_workers
    print(f"prepare (parse, validate, store {args.rows:,} rows): {prepare_s:.2f} s "
          f"({args.rows / prepare_s:,.0f} rows/s)")
    print(f"issued {n:,} credentials, {distinct:,} distinct idempotency keys, state {job.state}")
    print(f"end to end (confirm -> job done, workers running): {wall_s:.1f} s = "
          f"{e2e:,.1f} credentials/s ({per_worker:,.1f} per worker); inside the job: "
          f"{args.rows / job_s:,.1f}/s")
    print(f"until the e-mail tasks are done too: {all_s:.1f} s = "
          f"{args.rows / all_s:,.1f} credentials/s")
    every = core_before + core_after
    print(f"core proofs.sign, one core, same run, {len(every)} rounds: before "
          + ", ".join(f"{r:,.0f}" for r in core_before) + "; after "
          + ", ".join(f"{r:,.0f}" for r in core_after)
          + f" /s; median {core:,.1f}/s (min {min(every):,.0f}, max {max(every):,.0f}, "
          f"spread {(max(every) - min(every)) / core:.0%} of the median)")
    print(f"ratio per worker / core: {per_worker / core:.0%} (target >= 50%)")
    print("worker peak memory (ru_maxrss): "
          + ", ".join(f"{kb / 1024:,.0f} MiB" for kb in peak_kb.values()))
    print("worker CPU time (user+sys), start-up included: "
          + ", ".join(f"{cpu:.1f} s" for cpu in cpu_s.values())
          + f" of {all_s:.1f} s; {os.cpu_count()} cores; load average at confirm {load[0]:.2f}")
    for worker in workers:
        if worker.returncode:
            print(f"worker exited with {worker.returncode}")
    cpu_per_cred = sum(cpu_s[p] - startup_cpu[p] for p in cpu_s) / args.rows
    job_cpu_per_cred = sum(job_cpu[p] - startup_cpu[p] for p in cpu_s) / args.rows
    print(f"worker CPU per credential from confirm to job done (signing and storing; the "
          f"e-mail tasks mostly run after): {job_cpu_per_cred * 1e3:.2f} ms = "
          f"{1 / core / job_cpu_per_cred:.0%} of it signing at the core's median rate")
    print(f"worker CPU per credential after start-up (e-mail tasks included): "
          f"{cpu_per_cred * 1e3:.2f} ms; core signing: {1e3 / core:.2f} ms "
          f"(CPU time moves less with the machine's load than rates do)")
    cores = os.cpu_count() or 1
    machine_per_cred = machine_job / args.rows
    print(f"machine from confirm to job done: {machine_job / wall_s:.2f} of {cores} cores busy "
          f"({machine_job / wall_s / cores:.0%}); all processes {machine_per_cred * 1e3:.2f} ms "
          f"CPU per credential, of which workers {job_cpu_per_cred * 1e3:.2f} ms, PostgreSQL "
          f"and the rest {(machine_per_cred - job_cpu_per_cred) * 1e3:.2f} ms")
    return {"e2e": e2e, "core": core, "load": load[0], "machine": machine_per_cred,
            "busy": machine_job / wall_s / cores, "worker_cpu": job_cpu_per_cred}


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

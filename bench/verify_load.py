"""POST /credentials/verify under load, beside the core's in-process verify rate.

    uv run python bench/verify_load.py                       # 2,000 requests, 32 clients
    uv run python bench/verify_load.py --workers 2 --threads 4
    uv run python bench/verify_load.py --database-url postgres://postgres@127.0.0.1:5432/vl

What runs: a scratch data folder and database (SQLite in it by default, or the PostgreSQL URL
given, created and dropped), migrations, an approved institution with an API token, and one
OpenBadgeCredential (the ~3 KB sample shape, with a revocation status entry) issued through the
VC API's service. Then gunicorn serves `microdegree.wsgi` on 127.0.0.1 (DEBUG off, secrets set
as production requires) and a second process drives `POST /credentials/verify` with that
credential over keep-alive HTTP/1.1 connections (asyncio, raw sockets), `--concurrency` at a
time, `--requests` in all, after a warm-up. Every response must be 200 with `verified: true`.

It prints requests/s, p50/p90/p99 latency and the error count, and the core's own rate
(`microdegree.vc.verify.verify` of the same credential with its DID document and signed status
list at hand, one thread), measured in the same run before and after the load, and the ratio.
Both sides verify everything: proof, key binding, JSON Schema, dates, and the status list
credential's own proof. The server's status lists and DID documents come from its caches
(`microdegree.vcapi.caching`), as they would in production.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _machine import machine_busy  # bench/_machine.py (the script's folder is on the path)

HOST = "127.0.0.1"


# --- the load generator (runs in its own process) -----------------------------------------------


async def _one_connection(port: int, request: bytes, todo: list[int], latencies: list[float],
                          errors: list[str]) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        while todo:
            todo.pop()
            started = time.perf_counter()
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            close = False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
                elif name.strip().lower() == b"connection" and b"close" in value.lower():
                    close = True
            body = await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if status != 200 or not body.startswith(b'{"verified":true'):
                errors.append(f"{status} {body[:200]!r}")
            if close:  # the server ended keep-alive: open a new connection
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, port)
    finally:
        writer.close()


async def _drive(port: int, body: bytes, total: int, concurrency: int) -> dict[str, object]:
    request = (
        f"POST /credentials/verify HTTP/1.1\r\nHost: localhost:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Connection: keep-alive\r\n\r\n"
    ).encode() + body
    todo = list(range(total))
    latencies: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    await asyncio.gather(*(_one_connection(port, request, todo, latencies, errors)
                           for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {"elapsed": elapsed, "latencies": latencies, "errors": errors}


def client_main(port: int, body_file: str, total: int, concurrency: int, warmup: int) -> None:
    import resource

    body = Path(body_file).read_bytes()
    if warmup:
        asyncio.run(_drive(port, body, warmup, concurrency))
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    result = asyncio.run(_drive(port, body, total, concurrency))
    after = resource.getrusage(resource.RUSAGE_SELF)
    result["client_cpu"] = (after.ru_utime + after.ru_stime) - (cpu.ru_utime + cpu.ru_stime)
    print(json.dumps(result))


# --- set-up, the in-process baseline, the server ------------------------------------------------


def _setup_environment(args: argparse.Namespace, data_dir: str, port: int) -> None:
    database_url = args.database_url or f"sqlite:///{data_dir}/bench.sqlite3"
    if args.database_url:
        import psycopg

        parts = urlsplit(args.database_url)
        admin = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{parts.path.lstrip("/")}"')
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "microdegree.settings",
        "DATABASE_URL": database_url,
        "MICRODEGREE_DATA_DIR": data_dir,
        "MICRODEGREE_DEBUG": "false",
        "MICRODEGREE_SECRET_KEY": secrets.token_urlsafe(50),
        "MICRODEGREE_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "MICRODEGREE_PUBLIC_URL": f"http://localhost:{port}",
        "MICRODEGREE_ALLOWED_HOSTS": "localhost,127.0.0.1",
        "MICRODEGREE_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    })


def _prepare() -> tuple[dict[str, object], dict[str, object], object]:
    """Migrate, create an institution and token, issue the credential; returns it with the
    resolver document and the signed status list the in-process baseline uses."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from _samples import sample_credential  # bench/_samples.py: tests/samples.py

    from microdegree.institutions import services as inst_services
    from microdegree.issuing import services as issuing_services
    from microdegree.issuing import statuslists
    from microdegree.vcapi import services as vcapi_services

    users = get_user_model()
    admin = users.objects.create_user("admin", "admin@bench.example", "x", is_staff=True,
                                      is_superuser=True)
    owner = users.objects.create_user("owner", "owner@bench.example", "x")
    # the sample's issuer profile, as registered (the VC API signs no other)
    inst = inst_services.register_institution(owner, name="Example University", country_code="NL",
                                              owner=owner, slug="bench", url="https://uni.example/",
                                              email="registrar@uni.example")
    inst_services.approve_institution(admin, inst)
    token, _ = issuing_services.create_api_token(None, inst, "bench")
    credential = sample_credential(issuer=inst.did, status_list=None)
    credential.pop("id")
    stored = vcapi_services.issue(token, credential, status_purposes=["revocation"])
    document = json.loads(stored.document)
    status_text, _ = statuslists.published(stored.status_list)
    return document, inst_services.did_document(inst), status_text


def _in_process_rate(document: dict[str, object], did_document: dict[str, object],
                     status_text: str, seconds: float) -> tuple[float, float]:
    """Verifications per second (wall clock) and CPU seconds per verification, one thread."""
    from microdegree.vc.did import StaticResolver
    from microdegree.vc.fetch import FetchResponse
    from microdegree.vc.verify import verify

    class ListAtHand:
        def get(self, url: str, *, accept: str = "application/json") -> FetchResponse:
            return FetchResponse(url=url, status=200, content_type="application/vc+ld+json",
                                 body=status_text.encode(), headers={})

    resolver = StaticResolver({str(did_document["id"]): did_document})
    fetcher = ListAtHand()
    report = verify(document, resolver=resolver, status_fetcher=fetcher)
    assert report.verified, report.to_json()
    for _ in range(50):  # warm-up
        verify(document, resolver=resolver, status_fetcher=fetcher)
    count = 0
    started, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() - started < seconds:
        verify(document, resolver=resolver, status_fetcher=fetcher)
        count += 1
    return count / (time.perf_counter() - started), (time.process_time() - cpu) / count


def _wait_until_up(port: int, server: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/api/openapi.json", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in time")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User+system CPU of a process and its children so far (Linux /proc)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--worker-class", default="gthread", choices=("gthread", "sync"))
    parser.add_argument("--baseline-seconds", type=float, default=5.0)
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL URL to create and drop (default: SQLite)")
    parser.add_argument("--client", nargs=5, metavar=("PORT", "BODY", "N", "C", "WARMUP"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        port, body, total, concurrency, warmup = args.client
        client_main(int(port), body, int(total), int(concurrency), int(warmup))
        return

    data_dir = tempfile.mkdtemp(prefix="microdegree-verify-load-")
    port = _free_port()
    server: subprocess.Popen[bytes] | None = None
    try:
        _setup_environment(args, data_dir, port)
        document, did_document, status_text = _prepare()
        body_file = Path(data_dir) / "request.json"
        body_file.write_text(json.dumps({"verifiableCredential": document}))
        print(f"credential: {len(json.dumps(document)):,} bytes, "
              f"{document['proof'][0]['cryptosuite']}, with a revocation status entry")

        before = _in_process_rate(document, did_document, status_text, args.baseline_seconds)

        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "microdegree.wsgi", "--bind", f"{HOST}:{port}",
             "--workers", str(args.workers), "--threads", str(args.threads),
             "--worker-class", args.worker_class, "--keep-alive", "30", "--backlog", "256",
             "--log-level", "warning"],
            env=os.environ.copy(),
        )
        _wait_until_up(port, server)
        # Warm the workers (first requests load the JSON Schemas, contexts and caches), so
        # that the server CPU counted below is the measured requests' only.
        subprocess.run(
            [sys.executable, __file__, "--client", str(port), str(body_file),
             str(args.warmup), str(args.concurrency), "0"],
            check=True, capture_output=True, text=True,
        )
        cpu_before = _cpu_seconds(server.pid)
        machine_before = machine_busy()
        out = subprocess.run(
            [sys.executable, __file__, "--client", str(port), str(body_file),
             str(args.requests), str(args.concurrency), "0"],
            check=True, capture_output=True, text=True,
        ).stdout
        server_cpu = _cpu_seconds(server.pid) - cpu_before
        machine_cpu = machine_busy() - machine_before
        result = json.loads(out)

        after = _in_process_rate(document, did_document, status_text, args.baseline_seconds)
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)
        if args.database_url:
            import psycopg

            parts = urlsplit(args.database_url)
            admin = urlunsplit(parts._replace(path="/postgres"))
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')

    latencies = sorted(result["latencies"])
    errors = result["errors"]
    done = len(latencies)
    rate = done / result["elapsed"]
    in_process = statistics.mean([before[0], after[0]])
    in_process_cpu = statistics.mean([before[1], after[1]])

    def pct(p: float) -> float:
        return latencies[min(done - 1, int(p / 100 * done))] * 1000

    print(f"gunicorn: {args.workers} worker(s) x {args.threads} threads ({args.worker_class}), "
          f"{os.cpu_count()} CPUs on this machine")
    print(f"HTTP  POST /credentials/verify: {done:,} requests, {args.concurrency} concurrent "
          f"clients, {result['elapsed']:.2f} s")
    print(f"      {rate:,.0f} requests/s   p50 {pct(50):.1f} ms   p90 {pct(90):.1f} ms   "
          f"p99 {pct(99):.1f} ms   errors {len(errors)}")
    print(f"      CPU per request: server {server_cpu / done * 1000:.2f} ms, load generator "
          f"{result['client_cpu'] / done * 1000:.2f} ms")
    print(f"in-process microdegree.vc.verify.verify: {before[0]:,.0f}/s before, "
          f"{after[0]:,.0f}/s after (one thread), {in_process_cpu * 1000:.2f} ms CPU each")
    print(f"ratio HTTP / in-process: {rate / in_process:.0%} (target >= 60%); CPU per "
          f"verification in-process / over HTTP (server + load generator): "
          f"{in_process_cpu * done / (server_cpu + result['client_cpu']):.0%}")
    elsewhere = machine_cpu - server_cpu - result["client_cpu"]
    available = (os.cpu_count() or 1) * result["elapsed"]
    print(f"other processes on this machine used {max(elsewhere, 0):.1f} of the "
          f"{available:.1f} CPU-seconds during the HTTP run"
          + (" (figures are lower than on a quiet machine)" if elsewhere > 0.1 * available
             else ""))
    if errors:
        print("first errors:", *errors[:3], sep="\n  ")
        raise SystemExit(1)


if __name__ == "__main__":
    main()

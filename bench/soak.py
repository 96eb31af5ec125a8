"""Soak: mixed traffic from N clients for M minutes against the production processes, then a
consistency check of everything they were told.

    uv run python bench/soak.py --database-url postgres://postgres@127.0.0.1:5432/soak
    uv run python bench/soak.py --clients 16 --minutes 5 --web-processes 2 --task-workers 2

What runs: a scratch PostgreSQL database (created, migrated and dropped), an approved institution
with an API token, `./scripts/serve` (waitress, `--web-processes` x `--threads`, DEBUG off) and
`--task-workers` x `./scripts/worker`. Each client thread keeps one HTTP/1.1 connection and loops:
VC API issue (with revocation and suspension entries), verify one of its credentials, change the
status of one (suspend, unsuspend, revoke), or read a public page (home, catalogue, verify, a
status list). It remembers every 201 and what each status change should have left.

Afterwards: every credential answered 201 is stored exactly once (by id, in the database), and
each credential's served status lists (fetched over HTTP, `/status/...`) say what the clients
were told: revoked -> the revocation bit; suspended -> the suspension bit and not the revocation
bit; active -> neither. Printed: requests per kind and status, requests/s, p50/p95/p99 latency
per kind, 5xx and unexpected answers, the web processes' memory (RSS) at the start and the end,
and the consistency counts. Exit status 1 when any check fails or any 5xx was seen.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "type": ["VerifiableCredential"],
    "credentialSubject": {"id": "did:example:learner", "name": "Soak"},
}
PAGES = ["/", "/catalogue", "/verify", "/catalogue/institutions"]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _admin_url(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def _prepare(env: dict[str, str]) -> dict[str, str]:
    """Migrate and create the institution and token (in a subprocess with `env`)."""
    code = """
import json, django
django.setup()
from django.contrib.auth import get_user_model
from django.core.management import call_command
call_command("migrate", verbosity=0)
from microdegree.institutions import services as inst
from microdegree.issuing import services as issuing
users = get_user_model().objects
admin = users.create_user("admin", "admin@soak.example", "x", is_staff=True, is_superuser=True)
owner = users.create_user("owner", "owner@soak.example", "x")
i = inst.register_institution(owner, name="Soak University", country_code="NL", owner=owner,
                              slug="soak")
inst.approve_institution(admin, i)
print(json.dumps({"token": issuing.create_api_token(None, i, "soak", role="issuer")[1]}))
"""
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=False,
                          capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise SystemExit("setting up failed:\n" + done.stderr[-3000:])
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


class Client(threading.Thread):
    def __init__(self, port: int, token: str, until: float, seed: int) -> None:
        super().__init__(daemon=True)
        self.port, self.token, self.until = port, token, until
        self.rng = random.Random(seed)
        self.conn: http.client.HTTPConnection | None = None
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.unexpected: list[str] = []
        self.issued: dict[str, dict[str, Any]] = {}  # id -> document
        self.state: dict[str, str] = {}  # id -> what the answers say it is now

    def _call(self, kind: str, method: str, path: str, body: Any = None,
              auth: bool = False) -> tuple[int, bytes]:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if auth:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self.conn.close()
                self.conn = None
                if attempt:
                    self.statuses[(kind, 0)] += 1
                    self.unexpected.append(f"{kind} {path}: {type(exc).__name__}")
                    return 0, b""
                continue  # a kept connection the server closed: once more on a new one
            self.latency[kind].append(time.perf_counter() - started)
            self.statuses[(kind, response.status)] += 1
            return response.status, payload
        return 0, b""

    def run(self) -> None:
        while time.monotonic() < self.until:
            roll = self.rng.random()
            if roll < 0.30 or not self.issued:
                self.issue()
            elif roll < 0.65:
                self.verify()
            elif roll < 0.80:
                self.change_status()
            else:
                self.page()
        if self.conn is not None:
            self.conn.close()

    def issue(self) -> None:
        status, body = self._call("issue", "POST", "/credentials/issue", {
            "credential": CREDENTIAL,
            "options": {"credentialStatus": {"type": "BitstringStatusListEntry",
                                             "statusPurpose": ["revocation", "suspension"]}}},
            auth=True)
        if status == 201:
            vc = json.loads(body)["verifiableCredential"]
            if vc["id"] in self.issued:
                self.unexpected.append(f"issue: id {vc['id']} answered twice")
            self.issued[vc["id"]] = vc
            self.state[vc["id"]] = "active"
        else:
            self.unexpected.append(f"issue: {status} {body[:200]!r}")

    def verify(self) -> None:
        cred_id = self.rng.choice(list(self.issued))
        status, body = self._call("verify", "POST", "/credentials/verify",
                                  {"verifiableCredential": self.issued[cred_id]})
        if status not in (200, 422):
            self.unexpected.append(f"verify: {status} {body[:200]!r}")

    def change_status(self) -> None:
        candidates = [c for c, s in self.state.items() if s != "revoked"]
        if not candidates:
            return
        cred_id = self.rng.choice(candidates)
        now = self.state[cred_id]
        wanted = self.rng.choice(["revoked", "suspended"] if now == "active"
                                 else ["revoked", "unsuspended"])
        status, body = self._call("status", "POST", "/credentials/status", {
            "credentialId": cred_id,
            "credentialStatus": [{"type": "BitstringStatusListCredential", "status": wanted}]},
            auth=True)
        if status == 200:
            self.state[cred_id] = {"revoked": "revoked", "suspended": "suspended",
                                   "unsuspended": "active"}[wanted]
        else:
            self.unexpected.append(f"status: {status} {body[:200]!r}")

    def page(self) -> None:
        if self.issued and self.rng.random() < 0.3:
            vc = self.issued[self.rng.choice(list(self.issued))]
            path = urlsplit(vc["credentialStatus"][0]["statusListCredential"]).path
        else:
            path = self.rng.choice(PAGES)
        status, _ = self._call("page", "GET", path)
        if status != 200:
            self.unexpected.append(f"page {path}: {status}")


def _rss_kib(pgid: int) -> int:
    """Resident memory of every process in the process group (the web server's)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
            for line in (stat.parent / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total


def _check(port: int, clients: list[Client], database_url: str) -> dict[str, int]:
    """Every 201 stored once; every served list says what the clients were told."""
    import psycopg

    from microdegree.vc import status as status_mod

    issued = {cid: vc for c in clients for cid, vc in c.issued.items()}
    state = {cid: s for c in clients for cid, s in c.state.items()}
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("SELECT credential_id, count(*) FROM vcapi_apicredential "
                            "GROUP BY credential_id").fetchall()
    stored = dict(rows)
    result = {"answered_201": len(issued), "stored": len(stored),
              "missing": sum(1 for cid in issued if cid not in stored),
              "duplicated": sum(1 for n in stored.values() if n > 1),
              "not_answered_but_stored": sum(1 for cid in stored if cid not in issued)}
    lists: dict[str, Any] = {}
    conn = http.client.HTTPConnection(HOST, port, timeout=60)

    def served(url: str) -> Any:
        if url not in lists:
            conn.request("GET", urlsplit(url).path)
            lists[url] = json.loads(conn.getresponse().read())
        return lists[url]

    wrong = Counter[str]()
    for cid, vc in issued.items():
        bits = {}
        for entry in vc["credentialStatus"]:
            found = status_mod.check_entry(entry, served(entry["statusListCredential"]))
            bits[entry["statusPurpose"]] = found.code != "STATUS_OK"
        expected = state[cid]
        if expected == "revoked":
            ok = bits["revocation"]
        elif expected == "suspended":
            ok = bits["suspension"] and not bits["revocation"]
        else:
            ok = not bits["revocation"] and not bits["suspension"]
        if not ok:
            wrong[expected] += 1
    conn.close()
    result.update({f"lists_wrong_{k}": v for k, v in wrong.items()})
    result["states"] = dict(Counter(state.values()))  # type: ignore[assignment]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True,
                        help="a PostgreSQL URL naming a scratch database to create and drop")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--web-processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--task-workers", type=int, default=2)
    args = parser.parse_args()

    import psycopg

    name = urlsplit(args.database_url).path.lstrip("/")
    with psycopg.connect(_admin_url(args.database_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    data_dir = tempfile.mkdtemp(prefix="microdegree-soak-")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICRODEGREE_")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "microdegree.settings",
        "DATABASE_URL": args.database_url,
        "MICRODEGREE_DATA_DIR": data_dir,
        "MICRODEGREE_DEBUG": "0",
        "MICRODEGREE_SECRET_KEY": secrets.token_urlsafe(50),
        "MICRODEGREE_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "MICRODEGREE_PUBLIC_URL": f"http://localhost:{port}",
        "MICRODEGREE_ALLOWED_HOSTS": "localhost,127.0.0.1",
        "MICRODEGREE_PORT": str(port),
        "MICRODEGREE_WEB_PROCESSES": str(args.web_processes),
        "MICRODEGREE_WEB_THREADS": str(args.threads),
        "MICRODEGREE_LOG_LEVEL": "WARNING",
        "MICRODEGREE_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    })
    procs: list[subprocess.Popen[bytes]] = []
    log = Path(data_dir) / "processes.log"
    try:
        token = _prepare(env)["token"]
        with log.open("ab") as out:
            server = subprocess.Popen([str(ROOT / "scripts" / "serve")], env=env, cwd=ROOT,
                                      stdout=out, stderr=subprocess.STDOUT,
                                      start_new_session=True)
            procs.append(server)
            for _ in range(args.task_workers):
                procs.append(subprocess.Popen([str(ROOT / "scripts" / "worker")], env=env,
                                              cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                              start_new_session=True))
        deadline = time.monotonic() + 90
        while True:
            try:
                probe = http.client.HTTPConnection(HOST, port, timeout=5)
                probe.request("GET", "/")
                probe.getresponse().read()
                probe.close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("./scripts/serve did not start:\n" + log.read_text()) from None
                time.sleep(0.3)
        rss_start = _rss_kib(server.pid)
        started = time.monotonic()
        clients = [Client(port, token, started + args.minutes * 60, seed)
                   for seed in range(args.clients)]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        elapsed = time.monotonic() - started
        rss_end = _rss_kib(server.pid)
        os.environ.update(env)  # (the status module is the core's: no Django needed)
        consistency = _check(port, clients, args.database_url)
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        with psycopg.connect(_admin_url(args.database_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    statuses: Counter[tuple[str, int]] = Counter()
    latency: dict[str, list[float]] = defaultdict(list)
    unexpected: list[str] = []
    for client in clients:
        statuses.update(client.statuses)
        unexpected.extend(client.unexpected)
        for kind, values in client.latency.items():
            latency[kind].extend(values)
    total = sum(statuses.values())
    errors_5xx = sum(n for (_, code), n in statuses.items() if code >= 500 or code == 0)
    print(f"soak: {args.clients} clients, {elapsed / 60:.1f} min, ./scripts/serve "
          f"{args.web_processes} x {args.threads} threads, {args.task_workers} task workers, "
          "PostgreSQL")
    print(f"requests: {total:,} ({total / elapsed:,.0f}/s); 5xx or no answer: {errors_5xx}; "
          f"unexpected answers: {len(unexpected)}")
    for kind in sorted(latency):
        values = sorted(latency[kind])
        codes = ", ".join(f"{code}: {n:,}" for (k, code), n in sorted(statuses.items())
                          if k == kind)
        print(f"  {kind:<7} {len(values):>7,}  p50 {1000 * statistics.median(values):6.1f} ms  "
              f"p95 {1000 * values[int(0.95 * (len(values) - 1))]:6.1f} ms  "
              f"p99 {1000 * values[int(0.99 * (len(values) - 1))]:6.1f} ms  ({codes})")
    print(f"web processes' memory: {rss_start / 1024:.0f} MiB at the start, "
          f"{rss_end / 1024:.0f} MiB at the end")
    print("consistency:", json.dumps(consistency))
    for line in unexpected[:10]:
        print("  unexpected:", line)
    failed = (errors_5xx or consistency["missing"] or consistency["duplicated"]
              or consistency["not_answered_but_stored"]
              or any(k.startswith("lists_wrong") for k in consistency))
    if failed:
        print(f"the processes' log (JSON lines, with tracebacks): {log}")
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

"""Fault injection: a TCP proxy between the app and PostgreSQL that a test cuts and restores, and
the real production processes (`./scripts/serve`, `./scripts/worker`) started on it."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="fault injection needs PostgreSQL "
                                   "(the PostgreSQL run of ./scripts/test runs it)")


class TcpProxy:
    """127.0.0.1:<port> -> the database server. `cut()` drops every connection and refuses new
    ones (accepted, then closed at once) until `restore()`; `drop()` drops the current ones only
    (a database restart the app has not noticed)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            pair = (client, upstream)
            with self._lock:
                self._pairs.add(pair)
            threading.Thread(target=self._pump, args=(client, upstream, pair), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, pair), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, pair: Any) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            self._close_pair(pair)

    def _close_pair(self, pair: tuple[socket.socket, socket.socket]) -> None:
        with self._lock:
            self._pairs.discard(pair)
        for sock in pair:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def drop(self) -> None:
        with self._lock:
            pairs = list(self._pairs)
        for pair in pairs:
            self._close_pair(pair)

    def cut(self) -> None:
        self.up = False
        self.drop()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self._closed = True
        self.cut()
        self.listener.close()

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self._pairs)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def app_env(tmp_path: Path, database_url: str | None, **extra: str) -> dict[str, str]:
    """The environment of a production process of this test: its database, the test's keys."""
    from django.conf import settings

    from microdegree import config

    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MICRODEGREE_", "DATABASE_URL", "PYTEST", "DJANGO"))}
    env.update({
        "MICRODEGREE_DATA_DIR": str(tmp_path / "data"),
        "MICRODEGREE_DEBUG": "0",
        "MICRODEGREE_SECRET_KEY": settings.SECRET_KEY,
        "MICRODEGREE_MASTER_KEY": base64.b64encode(config.master_key()).decode(),
        "MICRODEGREE_PUBLIC_URL": settings.PUBLIC_URL,
        "MICRODEGREE_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MICRODEGREE_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "MICRODEGREE_LOG_FORMAT": "json",
        "MICRODEGREE_RETRY_AFTER": "7",
    })
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(extra)
    return env


def proxied_database_url(proxy: TcpProxy) -> str:
    from django.db import connection

    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    return f"postgres://{user}@127.0.0.1:{proxy.port}/{s['NAME']}"


@dataclass
class Process:
    proc: subprocess.Popen[bytes]
    log_path: Path
    handle: Any = None
    base_url: str = ""

    def log_lines(self) -> list[dict[str, Any]]:
        lines = []
        for raw in self.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                value = json.loads(raw)
                if isinstance(value, dict):
                    lines.append(value)
        return lines

    def stop(self) -> None:
        self._stop()
        if self.handle is not None:
            self.handle.close()

    def _stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)

    def kill(self) -> None:
        """SIGKILL, as an out-of-memory killer or a pulled plug would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)


def start(command: list[str], env: dict[str, str], log_path: Path) -> Process:
    handle = log_path.open("wb")
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                            start_new_session=True)
    return Process(proc=proc, log_path=log_path, handle=handle)


@contextlib.contextmanager
def served(env: dict[str, str], tmp_path: Path, *, processes: int = 1, threads: int = 4
           ) -> Iterator[Process]:
    """`./scripts/serve` on a free port, until the block ends."""
    port = free_port()
    env = {**env, "MICRODEGREE_PORT": str(port), "MICRODEGREE_WEB_PROCESSES": str(processes),
           "MICRODEGREE_WEB_THREADS": str(threads)}
    server = start([str(ROOT / "scripts" / "serve")], env, tmp_path / f"serve-{port}.log")
    server.base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if server.proc.poll() is not None:
                raise RuntimeError("./scripts/serve exited:\n" + server.log_path.read_text())
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("./scripts/serve did not start") from None
                time.sleep(0.2)
        yield server
    finally:
        server.stop()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def http(method: str, url: str, body: Any = None, *, headers: dict[str, str] | None = None,
         timeout: float = 30) -> Answer:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        **({"Content-Type": "application/json"} if data is not None else {}),
        **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(response.status, {k.lower(): v for k, v in response.headers.items()},
                          response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read())

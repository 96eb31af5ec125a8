"""Webhook test support: a real HTTP receiver on loopback that records what it is sent, the
worker run in-process (the real `db_worker --batch` over the database task backend), and the
issuing fixtures."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.management import call_command

from tests.issuing.conftest import (  # noqa: F401 - fixtures
    _fast_password_hashing,
    course,
    issuer,
    make_course,
    other_institution,
    pathway,
)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each POST with the next status of `statuses` (the last one repeats); with
    `hang`, holds every request until the test ends."""

    statuses: list[int] = field(default_factory=lambda: [200])
    hang: bool = False
    requests: list[Received] = field(default_factory=list)
    arrived: int = 0
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def next_status(self) -> int:
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            receiver.arrived += 1
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if receiver.hang:
                receiver.release.wait(30)
                return
            receiver.requests.append(Received(self.path, {k.lower(): v for k, v in
                                                          self.headers.items()}, body))
            status = receiver.next_status()
            answer = b'{"ok": true}' if status < 300 else b'{"error": "try later"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def start_receiver() -> Iterator[Receiver]:
    """A receiver listening on 127.0.0.1 (a free port) until the block ends."""
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/microdegree"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with start_receiver() as state:
        yield state


@pytest.fixture
def loopback_allowed(settings):
    """The test-only allowance: deliver to loopback over plain http (off by default)."""
    settings.MICRODEGREE_WEBHOOKS_ALLOW_PRIVATE = True
    settings.MICRODEGREE_WEBHOOKS_TIMEOUT = 2.0


def run_worker() -> None:
    """What `./scripts/worker --batch` does: run every ready task, then return."""
    call_command("worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def verify_signature(secret: str, received: Received) -> bool:
    """Standard Webhooks v1, computed here with hmac alone (not with the platform's code)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = (f"{received.headers['webhook-id']}.{received.headers['webhook-timestamp']}."
              .encode() + received.body)
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    sent = [s.removeprefix("v1,") for s in received.headers["webhook-signature"].split()
            if s.startswith("v1,")]
    return any(hmac.compare_digest(expected, s) for s in sent)


def ready_webhook_tasks() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().filter(task_path__endswith="deliver_webhooks").count()

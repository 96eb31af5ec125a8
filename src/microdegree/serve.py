"""The production web server (`./scripts/serve`): waitress in N processes sharing one socket.

Why waitress (docs/adr/0019-faults-web-server-workers.md): its I/O thread reads each request
completely (headers and body, buffered) before a worker thread sees it, so slow or idle clients
hold only a socket, never a worker; gunicorn's sync and gthread workers give such a client a
worker (or a thread) until its request is read. Several processes use the cores; each has a
pool of threads.

Configuration (environment):

| variable | default | meaning |
|---|---|---|
| `PORT` or `MICRODEGREE_PORT` | 8000 | the port |
| `MICRODEGREE_HOST` | 127.0.0.1 | the address to listen on (0.0.0.0 in a container) |
| `MICRODEGREE_WEB_PROCESSES` | 2 | processes (one per core is a good start) |
| `MICRODEGREE_WEB_THREADS` | 8 | request threads per process |
| `MICRODEGREE_WEB_CONNECTIONS` | 1000 | open connections per process before new ones wait |
| `MICRODEGREE_WEB_IDLE_TIMEOUT` | 60 | seconds a connection may sit without sending anything |

The parent process restarts a child that dies and stops them all on SIGTERM or SIGINT.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import time
from types import FrameType
from typing import Any

log = logging.getLogger("microdegree.serve")


def _int(name: str, default: int) -> int:
    raw = os.environ.get(f"MICRODEGREE_{name}")
    return int(raw) if raw else default


def settings_from_env() -> dict[str, Any]:
    return {
        "host": os.environ.get("MICRODEGREE_HOST", "127.0.0.1"),
        "port": int(os.environ.get("MICRODEGREE_PORT") or os.environ.get("PORT") or 8000),
        "processes": max(1, _int("WEB_PROCESSES", 2)),
        "threads": max(1, _int("WEB_THREADS", 8)),
        "connections": max(1, _int("WEB_CONNECTIONS", 1000)),
        "idle_timeout": max(1, _int("WEB_IDLE_TIMEOUT", 60)),
    }


def _application() -> Any:
    """`microdegree.wsgi`'s application: it runs the system checks first (a production
    configuration web/checks.py refuses stops the server before it serves)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microdegree.settings")
    from microdegree.wsgi import application

    return application


def _serve(app: Any, sock: socket.socket, conf: dict[str, Any]) -> None:
    from waitress import serve

    serve(app, sockets=[sock], threads=conf["threads"], connection_limit=conf["connections"],
          channel_timeout=conf["idle_timeout"], ident="microdegree",
          # request size limits are Django's (DATA_UPLOAD_MAX_MEMORY_SIZE) and the proxy's
          max_request_body_size=64 * 1024 * 1024,
          # Pass X-Forwarded-* through untouched: the platform alone decides whom to believe
          # (MICRODEGREE_TRUSTED_PROXIES: web/security.py, web/client_ip.py). Waitress would
          # otherwise drop them, and behind a TLS proxy every request would redirect to https.
          clear_untrusted_proxy_headers=False)


def _spawn(app: Any, sock: socket.socket, conf: dict[str, Any]) -> int:
    pid = os.fork()
    if pid == 0:  # the child: default signal handling, serve until killed
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        try:
            _serve(app, sock, conf)
        finally:
            os._exit(0)
    return pid


def main() -> None:
    conf = settings_from_env()
    app = _application()  # import (and check) the project once, before forking
    sock = socket.create_server((conf["host"], conf["port"]), backlog=2048)
    log.info("serving on http://%s:%s with %s processes x %s threads", conf["host"],
             conf["port"], conf["processes"], conf["threads"])
    if conf["processes"] == 1:
        _serve(app, sock, conf)
        return
    children: dict[int, float] = {}
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(conf["processes"]):
        children[_spawn(app, sock, conf)] = time.monotonic()
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        started = children.pop(pid, None)
        if stopping or started is None:
            continue
        log.error("web process %s exited (status %s); starting another", pid, status)
        if time.monotonic() - started < 1:
            time.sleep(1)  # one crashing at start-up must not spin
        children[_spawn(app, sock, conf)] = time.monotonic()
    sock.close()
    sys.exit(0)


if __name__ == "__main__":
    main()

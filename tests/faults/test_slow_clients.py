"""Slow clients do not take `./scripts/serve` down: 50 connections trickling one header line at
a time (a slowloris) while normal requests keep being answered. Any database (the server gets
its own migrated SQLite file, or the test's PostgreSQL database)."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading

import pytest

from tests.faults._support import ON_POSTGRES, ROOT, app_env, http, served

SLOW_CLIENTS = 50


@pytest.fixture
def database_url(request, tmp_path):
    if ON_POSTGRES:
        request.getfixturevalue("transactional_db")
        from django.db import connection

        s = connection.settings_dict
        return (f"postgres://{s.get('USER') or 'postgres'}@{s.get('HOST') or '127.0.0.1'}:"
                f"{s.get('PORT') or 5432}/{s['NAME']}")
    env = app_env(tmp_path, None)
    subprocess.run([sys.executable, "-m", "microdegree.manage", "migrate", "--noinput", "-v", "0"],
                   cwd=ROOT, env=env, check=True, timeout=300)
    return None


def _trickle(port: int, stop: threading.Event, opened: list[socket.socket]) -> None:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    opened.append(sock)
    sock.sendall(b"GET /catalogue HTTP/1.1\r\nHost: localhost\r\n")
    n = 0
    while not stop.wait(2):  # one more header line every two seconds, never the blank line
        n += 1
        try:
            sock.sendall(f"X-Slow-{n}: {'a' * 10}\r\n".encode())
        except OSError:
            return


def test_slow_clients_do_not_starve_normal_requests(database_url, tmp_path):
    env = app_env(tmp_path, database_url)
    with served(env, tmp_path, processes=2, threads=4) as server:
        port = int(server.base_url.rsplit(":", 1)[1])
        assert http("GET", f"{server.base_url}/catalogue").status == 200
        stop = threading.Event()
        opened: list[socket.socket] = []
        threads = [threading.Thread(target=_trickle, args=(port, stop, opened), daemon=True)
                   for _ in range(SLOW_CLIENTS)]
        try:
            for thread in threads:
                thread.start()
            # the slow clients hold their connections for the whole run, a normal request at a
            # time goes in between them: each must be answered (generous timeout, no timing)
            for _ in range(12):
                answer = http("GET", f"{server.base_url}/catalogue", timeout=15)
                assert answer.status == 200
                stop.wait(1)
            assert len(opened) == SLOW_CLIENTS
        finally:
            stop.set()
            for thread in threads:
                thread.join(5)
            for sock in opened:
                sock.close()

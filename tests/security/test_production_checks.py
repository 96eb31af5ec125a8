"""Issue 12, point 6: safe production defaults, and checks that refuse unsafe ones.

The documented production configuration (the `sh` block of docs/operations.md, "Production")
passes `manage.py check --deploy` with no issue and serves over a real socket behind a
TLS-terminating proxy; each unsafe variation is refused by a system check, in-process and,
for the secrets, by the real command and the WSGI entry point.
"""

from __future__ import annotations

import base64
import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import override_settings

from microdegree import config
from microdegree.web import checks

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_HOST = "credentials.uni.example"


def documented_environment(tmp_path: Path) -> dict[str, str]:
    """The production variables exactly as docs/operations.md lists them, with the secret
    files and the data folder put in `tmp_path`."""
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    section = text.split("## Production", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "docs/operations.md has no sh block in its Production section"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MICRODEGREE_", "PYTEST", "DATABASE_URL", "DJANGO_"))}
    for line in block.group(1).splitlines():
        name, _, value = line.partition("=")
        env[name.strip()] = value.strip()
    secret_dir = tmp_path / "secrets"
    secret_dir.mkdir()
    (secret_dir / "microdegree_secret_key").write_text(secrets.token_urlsafe(50))
    (secret_dir / "microdegree_master_key").write_text(
        base64.b64encode(secrets.token_bytes(32)).decode())
    for name, value in env.items():
        env[name] = value.replace("/run/secrets", str(secret_dir)).replace(
            "/var/lib/microdegree", str(tmp_path / "data"))
    env["DJANGO_SETTINGS_MODULE"] = "microdegree.settings"
    return env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "microdegree.manage", *args], env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def _issue_ids(output: str) -> set[str]:
    return set(re.findall(r"\(([a-z0-9_.]+\.[EWI]\d+)\)", output))


def test_documented_production_configuration_passes_check_deploy(tmp_path):
    env = documented_environment(tmp_path)
    assert env["MICRODEGREE_PUBLIC_URL"] == f"https://{PUBLIC_HOST}"
    assert "MICRODEGREE_DEBUG" not in env  # production is the default
    done = _manage(env, "check", "--deploy")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert not _issue_ids(output), output
    assert "System check identified no issues (0 silenced)." in output


def test_secrets_from_the_data_folder_are_refused_in_production(tmp_path):
    env = documented_environment(tmp_path)
    del env["MICRODEGREE_SECRET_KEY_FILE"], env["MICRODEGREE_MASTER_KEY_FILE"]
    done = _manage(env, "migrate")  # any command: it does not start
    assert done.returncode != 0
    assert {"microdegree.E001", "microdegree.E002"} <= _issue_ids(done.stderr)
    assert "Traceback" not in done.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@pytest.fixture
def production_server(tmp_path):
    """The documented production command (`./scripts/serve`: `python -m microdegree.serve`)
    with the documented configuration on a free loopback port; the test plays the
    TLS-terminating proxy."""
    env = documented_environment(tmp_path)
    port = _free_port()
    env.update(MICRODEGREE_PORT=str(port), MICRODEGREE_WEB_PROCESSES="1",
               MICRODEGREE_WEB_THREADS="2")
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "microdegree.serve"], env=env, stdout=out,
            stderr=subprocess.STDOUT, cwd=tmp_path, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the server did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_production_server_behind_a_tls_proxy(production_server):
    port = production_server
    proxied = {"Host": PUBLIC_HOST, "X-Forwarded-Proto": "https",
               "X-Forwarded-For": "203.0.113.9"}
    page = _get(port, "/verify", proxied)
    assert page.status == 200
    assert page.getheader("Strict-Transport-Security") == \
        "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in page.getheader("Content-Security-Policy")
    cookies = page.headers.get_all("Set-Cookie") or []
    assert cookies  # the form's CSRF cookie
    assert all("; Secure" in cookie for cookie in cookies), cookies
    # plain HTTP (the proxy says so, or says nothing) is sent to https
    plain = _get(port, "/verify", {"Host": PUBLIC_HOST})
    assert plain.status == 301
    assert plain.getheader("Location") == f"https://{PUBLIC_HOST}/verify"
    # another host is refused
    assert _get(port, "/verify", {**proxied, "Host": "attacker.example"}).status == 400


def test_wsgi_entry_point_refuses_an_unsafe_production(tmp_path):
    env = documented_environment(tmp_path)
    env["MICRODEGREE_PUBLIC_URL"] = "http://credentials.uni.example"
    done = subprocess.run([sys.executable, "-c", "import microdegree.wsgi"], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode != 0
    assert "microdegree.E003" in done.stderr


# --- each check, in-process -----------------------------------------------------------------

GOOD = {"DEBUG": False, "PUBLIC_URL": f"https://{PUBLIC_HOST}", "ALLOWED_HOSTS": [PUBLIC_HOST],
        "MICRODEGREE_EMAIL_CONFIGURED": True}


@pytest.fixture
def explicit_secrets(monkeypatch, tmp_path):
    key_file = tmp_path / "master"
    key_file.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
    monkeypatch.setenv("MICRODEGREE_SECRET_KEY", secrets.token_urlsafe(50))
    monkeypatch.delenv("MICRODEGREE_SECRET_KEY_FILE", raising=False)
    monkeypatch.delenv("MICRODEGREE_MASTER_KEY", raising=False)
    monkeypatch.setenv("MICRODEGREE_MASTER_KEY_FILE", str(key_file))
    return key_file


def _ids(**overrides) -> set[str]:
    with override_settings(**{**GOOD, **overrides}):
        return {error.id for error in checks.production_settings()}


def test_a_safe_production_passes(explicit_secrets):
    assert _ids() == set()


def test_http_public_url_is_refused(explicit_secrets):
    assert _ids(PUBLIC_URL=f"http://{PUBLIC_HOST}") == {"microdegree.E003"}
    # loopback only (the benchmarks run production settings there): nobody else is served
    assert _ids(PUBLIC_URL="http://localhost:8000", ALLOWED_HOSTS=["localhost"]) == set()


def test_debug_for_a_public_host_is_refused(explicit_secrets):
    assert _ids(DEBUG=True) == {"microdegree.E004"}
    # the demo: DEBUG on localhost is development, and production checks do not apply
    assert _ids(DEBUG=True, PUBLIC_URL="http://localhost:8000") == set()


def test_console_mail_is_refused(explicit_secrets):
    assert _ids(MICRODEGREE_EMAIL_CONFIGURED=False) == {"microdegree.E005"}


def test_any_host_is_refused(explicit_secrets):
    assert _ids(ALLOWED_HOSTS=[PUBLIC_HOST, "*"]) == {"microdegree.E006"}


def test_secrets_must_be_explicit(explicit_secrets, monkeypatch):
    monkeypatch.delenv("MICRODEGREE_SECRET_KEY")
    assert _ids() == {"microdegree.E001"}
    monkeypatch.setenv("MICRODEGREE_SECRET_KEY_FILE", str(explicit_secrets))
    assert config.secret_source("SECRET_KEY") == config.FILE
    assert _ids() == set()
    monkeypatch.delenv("MICRODEGREE_MASTER_KEY_FILE")
    assert _ids() == {"microdegree.E002"}


def test_a_malformed_master_key_is_refused(explicit_secrets):
    explicit_secrets.write_text(base64.b64encode(b"too short").decode())
    with override_settings(**GOOD):
        errors = [e for e in checks.production_settings() if e.id == "microdegree.E002"]
    assert len(errors) == 1
    assert "32 bytes" in errors[0].msg


def test_a_missing_secret_file_is_refused(explicit_secrets, monkeypatch, tmp_path):
    monkeypatch.setenv("MICRODEGREE_MASTER_KEY_FILE", str(tmp_path / "missing"))
    with override_settings(**GOOD):
        errors = [e for e in checks.production_settings() if e.id == "microdegree.E002"]
    assert len(errors) == 1
    assert "cannot read" in errors[0].msg

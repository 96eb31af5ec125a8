"""The README's CLI verifies a credential downloaded from the demo, did:web key and status list
included (issue 13 §1): the demo serves http on localhost, so `--allow-http localhost:PORT` lets
the CLI fetch that one loopback host over plain http (did:web's https URL too). A live server
plays the demo; the credential comes from its API over real HTTP."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from microdegree import cli
from microdegree.issuing.models import IssuedCredential
from microdegree.web.management.commands.demo import COURSES, REVOKE, SLUG, build_demo

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(live_server, settings):
    settings.PUBLIC_URL = live_server.url
    return live_server, build_demo()


def download(server, token: str, email: str, slug: str, tmp_path: Path) -> Path:
    cred = IssuedCredential.objects.get(recipient_email=email,
                                        achievement_version__definition__slug=slug)
    request = urllib.request.Request(
        f"{server.url}/api/v1/institutions/{SLUG}/credentials/{cred.uuid}",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        body = answer.read()
    path = tmp_path / f"{cred.uuid}.json"
    path.write_bytes(body)
    return path


def run(argv: list[str], capsys) -> tuple[int, list[dict[str, Any]]]:
    code = cli.main(["verify", "--json", *argv])
    out = capsys.readouterr().out
    return code, json.loads(out)


def codes(report: dict[str, Any]) -> set[str]:
    return {c["code"] for c in report["checks"]}


def test_the_cli_verifies_a_demo_download_with_allow_http(demo, tmp_path, capsys):
    server, result = demo
    host = urlsplit(server.url).netloc  # localhost:PORT, as the demo's localhost:8000
    path = download(server, result.token, "ana@learner.example", COURSES[0][0], tmp_path)
    document = json.loads(path.read_text())
    assert document["issuer"]["id"].startswith("did:web:localhost%3A")

    code, reports = run([str(path), "--allow-http", host], capsys)
    report = reports[0]
    assert code == cli.EXIT_OK, report
    assert report["verified"] is True
    assert "PROOF_VALID" in codes(report)
    assert "STATUS_OK" in codes(report)  # the status list was fetched and read

    # without the flag: did:web (https) and the status list (http) cannot be fetched
    code, reports = run([str(path)], capsys)
    assert code == cli.EXIT_INVALID
    assert reports[0]["verified"] is False


def test_the_cli_reads_the_demo_revocation(demo, tmp_path, capsys):
    server, result = demo
    host = urlsplit(server.url).netloc
    path = download(server, result.token, REVOKE[0], COURSES[REVOKE[1]][0], tmp_path)
    code, reports = run([str(path), "--allow-http", host], capsys)
    assert code == cli.EXIT_INVALID
    assert "STATUS_REVOKED" in codes(reports[0])


@pytest.mark.parametrize("value", ["example.org", "10.0.0.1", "uni.example:8000", "localhost:x"])
def test_allow_http_takes_loopback_hosts_only(value, tmp_path, capsys):
    path = tmp_path / "c.json"
    path.write_text("{}")
    assert cli.main(["verify", str(path), "--allow-http", value]) == cli.EXIT_USAGE
    assert "--allow-http" in capsys.readouterr().err

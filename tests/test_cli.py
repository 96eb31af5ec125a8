"""The microdegree command: verify, keygen, sign, and clear one-line errors."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from microdegree.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_keygen_sign_verify_round_trip(tmp_path, capsys):
    keyfile = tmp_path / "key.json"
    code, _, err = run(capsys, "keygen", "-o", str(keyfile))
    assert code == 0, err
    assert stat.S_IMODE(os.stat(keyfile).st_mode) == 0o600
    key = json.loads(keyfile.read_text())
    assert key["publicKeyMultibase"].startswith("z6Mk")
    assert key["controller"].startswith("did:key:z6Mk")

    from tests.samples import sample_credential

    unsigned = tmp_path / "cred.json"
    unsigned.write_text(json.dumps(sample_credential(key["controller"], status_list=None)))
    for suite in ("eddsa-rdfc-2022", "eddsa-jcs-2022"):
        signed = tmp_path / f"signed-{suite}.json"
        code, _, err = run(
            capsys,
            "sign",
            str(unsigned),
            "--key",
            str(keyfile),
            "--suite",
            suite,
            "-o",
            str(signed),
        )
        assert code == 0, err
        assert json.loads(signed.read_text())["proof"][0]["cryptosuite"] == suite
        code, out, _ = run(capsys, "verify", "--offline", str(signed))
        assert code == 0, out
        assert "VERIFIED" in out
        assert "PROOF_VALID" in out


def test_verify_exits_non_zero_if_any_file_fails(tmp_path, capsys):
    good = sorted((EXAMPLES / "credentials").glob("*.json"))[0]
    bad = tmp_path / "bad.json"
    doc = json.loads(good.read_text())
    doc["name"] = "Forged"
    bad.write_text(json.dumps(doc))
    code, out, _ = run(capsys, "verify", "--offline", "--accept-unknown-status", str(good),
                       str(bad))
    assert code == 1
    assert f"{bad}: NOT VERIFIED" in out
    assert f"{good}: VERIFIED" in out


def test_verify_json_output(capsys):
    files = sorted((EXAMPLES / "credentials").glob("*.json"))
    code, out, _ = run(
        capsys,
        "verify",
        "--offline",
        "--accept-unknown-status",
        "--json",
        "--registry",
        str(EXAMPLES / "registry.json"),
        *map(str, files),
    )
    assert code == 0
    reports = json.loads(out)
    assert [r["file"] for r in reports] == [str(f) for f in files]
    assert all(r["verified"] for r in reports)
    assert all(
        "ISSUER_KNOWN" in [c["code"] for c in r["checks"]]
        for r in reports
        if r["documentType"] != "VerifiablePresentation"
    )


def test_bundled_demo_credentials_verify_and_tampered_ones_fail(capsys):
    creds = sorted((EXAMPLES / "credentials").glob("*.json"))
    tampered = sorted((EXAMPLES / "tampered").glob("*.json"))
    assert creds
    assert tampered
    assert run(capsys, "verify", "--offline", "--accept-unknown-status", *map(str, creds))[0] == 0
    for path in tampered:
        assert run(capsys, "verify", "--offline", str(path))[0] == 1, path


def test_unknown_status_fails_unless_accepted(tmp_path, capsys):
    with_status = EXAMPLES / "credentials" / "ob-data-literacy.json"
    code, out, _ = run(capsys, "verify", "--offline", str(with_status))
    assert code == 1
    assert "NOT VERIFIED" in out
    assert "[FAIL]" in out
    assert "STATUS_UNKNOWN" in out
    code, out, _ = run(capsys, "verify", "--offline", "--accept-unknown-status", str(with_status))
    assert code == 0
    assert "[warn]" in out
    assert "STATUS_UNKNOWN" in out
    # --strict is about the issuer: with no registry it is unknown, and that fails; the status
    # stays an accepted warning
    code, out, _ = run(capsys, "verify", "--offline", "--accept-unknown-status", "--strict",
                       str(with_status))
    assert code == 1
    assert "[FAIL]" in out
    assert "ISSUER_UNKNOWN" in out
    assert "[warn]" in out


def test_unreachable_status_list_is_a_retrieval_error(tmp_path, capsys):
    import socket

    from microdegree.vc import did as did_mod
    from microdegree.vc import proofs as proofs_mod
    from microdegree.vc.keys import Ed25519Key
    from tests.samples import sample_credential

    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    key = Ed25519Key.from_seed(bytes([5]) * 32)
    issuer = did_mod.did_key(key)
    doc = sample_credential(issuer, status_list=f"https://127.0.0.1:{port}/status/1")
    signed = proofs_mod.sign(doc, key, verification_method=f"{issuer}#{key.public_multibase}")
    path = tmp_path / "cred.json"
    path.write_text(json.dumps(signed))
    code, out, _ = run(capsys, "verify", "--allow-private", str(path))
    assert code == 1
    assert "STATUS_RETRIEVAL_ERROR" in out
    code, out, _ = run(capsys, "verify", "--allow-private", "--accept-unknown-status", str(path))
    assert code == 0
    assert "[warn]" in out
    assert "STATUS_RETRIEVAL_ERROR" in out


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read"),
        ("{broken", "NOT VERIFIED"),
    ],
)
def test_bad_files_give_a_line_not_a_traceback(tmp_path, capsys, content, expected):
    path = tmp_path / "input.json"
    if content is not None:
        path.write_text(content)
    code, out, err = run(capsys, "verify", "--offline", str(path))
    assert code != 0
    assert expected in out + err
    assert "Traceback" not in out + err


def test_sign_with_a_bad_key_file_is_a_one_line_error(tmp_path, capsys):
    cred = tmp_path / "c.json"
    cred.write_text("{}")
    key = tmp_path / "k.json"
    key.write_text('{"publicKeyMultibase": "zNotAKey"}')
    code, _, err = run(capsys, "sign", str(cred), "--key", str(key))
    assert code == 2
    assert err.startswith("microdegree: error:")
    assert len(err.strip().splitlines()) == 1


def test_installed_entry_point_runs():
    creds = sorted((EXAMPLES / "credentials").glob("*.json"))
    result = subprocess.run(
        [sys.executable, "-m", "microdegree.cli", "verify", "--offline", "--accept-unknown-status",
         *map(str, creds)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr

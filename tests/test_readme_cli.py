"""The README's command-line example runs as written (issue 16, point 15): its lines are read
from the README (so this fails when the README drifts), run from a copy of the repository's
root through the real `microdegree` entry point, and the credential it signs verifies; `sign`
warns, with the fix, when the credential's issuer is not the key's controller."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

from microdegree.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def readme_cli_lines() -> list[str]:
    """The commands of the first ```sh block under "## The command line"."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## The command line\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block, "the README's command-line section has no ```sh block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def _run(line: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    words = shlex.split(line, comments=True)
    assert words[:3] == ["uv", "run", "microdegree"], line
    output = None
    if ">" in words:  # a shell redirection of stdout to a file
        at = words.index(">")
        output, words = cwd / words[at + 1], words[:at]
    # the installed entry point, as `uv run microdegree` runs it (uv itself is not needed)
    command = [sys.executable, "-c", "from microdegree.cli import main; raise SystemExit(main())",
               *words[3:]]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120,
                          check=False)
    if output is not None:
        output.write_text(done.stdout, encoding="utf-8")
    return done


def test_the_readme_cli_lines_run_and_the_signed_credential_verifies(tmp_path):
    (tmp_path / "examples").symlink_to(EXAMPLES, target_is_directory=True)
    lines = readme_cli_lines()
    assert [shlex.split(line)[3] for line in lines] == ["keygen", "sign", "verify"]
    results = [_run(line, tmp_path) for line in lines]
    for line, done in zip(lines, results, strict=True):
        assert done.returncode == 0, (line, done.stdout, done.stderr)
    assert (tmp_path / "issuer-key.json").is_file()
    signed = json.loads((tmp_path / "signed.json").read_text())
    proofs = signed["proof"] if isinstance(signed["proof"], list) else [signed["proof"]]
    assert [p["cryptosuite"] for p in proofs] == ["eddsa-rdfc-2022"]
    assert "warning:" not in results[1].stderr  # the example's issuer is the key's controller
    assert results[2].stdout.startswith("signed.json: VERIFIED")
    assert "(KEY_BOUND_TO_ISSUER)" in results[2].stdout
    unsigned = shlex.split(lines[1])[4]
    assert (ROOT / unsigned).is_file()  # a file committed in the repository


def test_sign_warns_when_the_issuer_is_not_the_keys_controller(tmp_path, capsys):
    keyfile = tmp_path / "mine.json"
    assert main(["keygen", "-o", str(keyfile)]) == 0
    mine = json.loads(keyfile.read_text())["controller"]
    demo = json.loads((EXAMPLES / "keys" / "demo-issuer-key.json").read_text())["controller"]
    capsys.readouterr()
    assert main(["sign", str(EXAMPLES / "unsigned" / "ob-credential.json"), "--key",
                 str(keyfile), "-o", str(tmp_path / "signed.json")]) == 0
    err = capsys.readouterr().err
    assert (f"warning: the issuer is {demo} but the key belongs to {mine}: set issuer.id to "
            f"{mine} or sign with {demo}'s key") in err
    assert (tmp_path / "signed.json").is_file()  # still signed: a warning, not a refusal
    # a did:web key file names its controller; the issuer as a plain string is compared too
    credential = json.loads((EXAMPLES / "unsigned" / "ob-credential.json").read_text())
    credential["issuer"] = "did:web:uni.example"
    key = json.loads(keyfile.read_text())
    key["controller"], key["id"] = "did:web:other.example", "did:web:other.example#key-1"
    (tmp_path / "web-key.json").write_text(json.dumps(key))
    (tmp_path / "cred.json").write_text(json.dumps(credential))
    assert main(["sign", str(tmp_path / "cred.json"), "--key", str(tmp_path / "web-key.json"),
                 "-o", str(tmp_path / "out.json")]) == 0
    assert ("the issuer is did:web:uni.example but the key belongs to did:web:other.example: "
            "set issuer.id to did:web:other.example or sign with did:web:uni.example's key"
            ) in capsys.readouterr().err
    key["controller"], key["id"] = "did:web:uni.example", "did:web:uni.example#key-1"
    (tmp_path / "web-key.json").write_text(json.dumps(key))
    assert main(["sign", str(tmp_path / "cred.json"), "--key", str(tmp_path / "web-key.json"),
                 "-o", str(tmp_path / "out.json")]) == 0
    assert "warning" not in capsys.readouterr().err

"""The command-line demo (`scripts/demo --cli`) keeps working beside the platform demo."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_scripts_demo_cli_exits_0():
    done = subprocess.run([str(ROOT / "scripts" / "demo"), "--cli"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "And a tampered one, which must fail" in done.stdout

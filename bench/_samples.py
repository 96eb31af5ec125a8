"""The benchmarks' credential: the tests' ~3 KB sample (tests/samples.py, test support, not part
of the core distribution), importable from a bench script run as `python bench/<script>.py`."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tests.samples import sample_credential  # noqa: E402 - needs the repository root on the path

__all__ = ["sample_credential"]

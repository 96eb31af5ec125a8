"""What the benches read of this machine (Linux /proc; zeros elsewhere)."""

from __future__ import annotations

import os
from pathlib import Path


def machine_busy() -> float:
    """CPU seconds every process on this machine has used so far (/proc/stat): the measured
    processes, PostgreSQL, the bench itself, and anything else."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        user, nice, system = (int(v) for v in fields[:3])
        irq, softirq, steal = (int(v) for v in fields[5:8])
    except (OSError, ValueError):
        return 0.0
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")

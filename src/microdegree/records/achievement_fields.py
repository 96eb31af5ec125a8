"""Reading fields of an Open Badges achievement from credential JSON. Django-free, so both the
learner record (`records.record`) and the recognition engine's pure `recognition.facts` read
EQF levels the same way from one place."""

from __future__ import annotations

from typing import Any

EQF_FRAMEWORKS = ("European Qualifications Framework", "EQF")


def as_list(value: Any) -> list[Any]:
    """JSON-LD lets one value stand for a one-item list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def eqf_level(achievement: dict[str, Any]) -> int | None:
    """The achievement's EQF level: the `eqfLevel` extension, else an EQF alignment's code."""
    level = achievement.get("eqfLevel")
    if isinstance(level, int) and not isinstance(level, bool):
        return level
    for alignment in as_list(achievement.get("alignment")):
        if isinstance(alignment, dict) and alignment.get("targetFramework") in EQF_FRAMEWORKS:
            code = str(alignment.get("targetCode") or "")
            if code.isdigit():
                return int(code)
    return None

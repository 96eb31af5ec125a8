"""What a credential claims against what its achievement offers: credits and results.

An OB 3.0 Achievement says how many credits it offers (`creditsAvailable`) and what its results
mean (`resultDescription`: `allowedValue`, `valueMin` / `valueMax`, rubric levels). A credential
that claims more credits than its achievement offers, or a result outside its description, is
wrong: the issuing side refuses it, the verifying side counts at most what the achievement offers.

Framework-free and sentence-free: each problem is a `ClaimProblem` (a code, the field, the value
and the limit); the platform words it in the reader's language. `scheme_description` reads the
two grading-scheme shapes the catalogue suggests ("Pass/Fail", "1-10, 5.5 to pass") as the
structured parts of a ResultDescription (docs/adr/0031-credits-and-results-checked.md).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from microdegree.vc.credits import CreditsInvalid, parse_credits

CREDITS_EXCEED = "CREDITS_EXCEED_ACHIEVEMENT"
RESULT_OUT_OF_RANGE = "RESULT_OUT_OF_RANGE"


@dataclass(frozen=True)
class ClaimProblem:
    """One claim outside what the achievement offers.

    `kind`: "credits" (more than `limit` credits), "allowed" (not one of `allowed`), "range"
    (a number outside `minimum`..`maximum`, either may be None) or "number" (not a number
    where a number in that range is expected). `field` is the OB property ("creditsEarned",
    "result"); `index` the result's position when there are several."""

    code: str
    kind: str
    field: str
    value: str
    limit: float | None = None
    allowed: tuple[str, ...] = ()
    minimum: str | None = None
    maximum: str | None = None
    index: int = 0


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(str(value).strip().replace(",", "."))
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def _shown(value: float) -> str:
    return str(int(value)) if value.is_integer() else f"{value:g}"


def credits_problem(earned: Any, available: Any) -> ClaimProblem | None:
    """Credits earned above the credits available; None when within, or either is absent or
    not a valid amount (an invalid amount is `parse_credits`' refusal, not this one's)."""
    try:
        have, offered = parse_credits(earned), parse_credits(available)
    except CreditsInvalid:
        return None
    if have is None or offered is None or have <= offered:
        return None
    return ClaimProblem(code=CREDITS_EXCEED, kind="credits", field="creditsEarned",
                        value=_shown(have), limit=offered)


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple) else [value]
    return [str(v) for v in items if isinstance(v, str | int | float) and not isinstance(v, bool)]


def _levels(description: Mapping[str, Any]) -> list[str]:
    """The rubric levels' ids and names: a result's value may name either."""
    out: list[str] = []
    levels = description.get("rubricCriterionLevel")
    for level in levels if isinstance(levels, list) else []:
        if isinstance(level, Mapping):
            out += [str(level[k]) for k in ("id", "name", "level")
                    if isinstance(level.get(k), str)]
    return out


def result_problem(value: Any, description: Mapping[str, Any], *,
                   index: int = 0) -> ClaimProblem | None:
    """A result value outside its ResultDescription (allowed values and rubric levels, compared
    case-insensitively; or the numeric range `valueMin`..`valueMax`); None when within, or when
    the description states no limit. An empty value is no claim."""
    text = str(value).strip() if isinstance(value, str | int | float) else ""
    if not text:
        return None
    allowed = _strings(description.get("allowedValue") or []) + _levels(description)
    if allowed:
        if text.casefold() in {a.strip().casefold() for a in allowed}:
            return None
        return ClaimProblem(code=RESULT_OUT_OF_RANGE, kind="allowed", field="result",
                            value=text, allowed=tuple(allowed), index=index)
    low, high = description.get("valueMin"), description.get("valueMax")
    low_n, high_n = _number(low), _number(high)
    if low_n is None and high_n is None:
        return None
    minimum = str(low) if low_n is not None else None
    maximum = str(high) if high_n is not None else None
    number = _number(text)
    if number is None:
        return ClaimProblem(code=RESULT_OUT_OF_RANGE, kind="number", field="result", value=text,
                            minimum=minimum, maximum=maximum, index=index)
    if (low_n is not None and number < low_n) or (high_n is not None and number > high_n):
        return ClaimProblem(code=RESULT_OUT_OF_RANGE, kind="range", field="result", value=text,
                            minimum=minimum, maximum=maximum, index=index)
    return None


_NUMBER = r"[0-9]+(?:[.,][0-9]+)?"
_RANGE = re.compile(rf"^\s*({_NUMBER})\s*(?:-|\u2013|to)\s*({_NUMBER})\s*"
                    rf"(?:[,;(]\s*({_NUMBER})\s*(?:to pass|needed to pass|pass(?:es)?)\s*\)?)?"
                    r"\s*$", re.IGNORECASE)
_CHOICES = re.compile(r"^\s*[^/\s][^/]*(?:/[^/]+)+$")


def scheme_description(scheme: str) -> dict[str, Any]:
    """The structured parts of a ResultDescription read from a grading-scheme text.

    "1-10, 5.5 to pass" -> valueMin "1", valueMax "10", requiredValue "5.5";
    "Pass/Fail" (two or more words between slashes) -> allowedValue ["Pass", "Fail"];
    anything else -> {} (a free-text scheme: no limit a machine can check).
    """
    text = (scheme or "").strip()
    found = _RANGE.match(text)
    if found:
        low, high, needed = (g.replace(",", ".") if g else g for g in found.groups())
        if float(low) < float(high):
            out: dict[str, Any] = {"valueMin": low, "valueMax": high}
            if needed is not None and float(low) <= float(needed) <= float(high):
                out["requiredValue"] = needed
            return out
        return {}
    if _CHOICES.match(text):
        choices = [c.strip() for c in text.split("/")]
        if all(choices) and all(len(c) <= 40 for c in choices):
            return {"allowedValue": choices}
    return {}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []


def _description_for(result: Mapping[str, Any],
                     descriptions: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    ref = result.get("resultDescription")
    if isinstance(ref, str) and ref:
        return next((d for d in descriptions if d.get("id") == ref), None)
    return descriptions[0] if len(descriptions) == 1 else None


def credential_problems(document: Mapping[str, Any]) -> list[ClaimProblem]:
    """Every claim of an OB credential's subject outside its own achievement: `creditsEarned`
    above `creditsAvailable`, and each `result` outside the `resultDescription` it names (or
    the only one there is)."""
    problems: list[ClaimProblem] = []
    for subject in _as_list(document.get("credentialSubject")):
        if not isinstance(subject, Mapping):
            continue
        achievement = subject.get("achievement")
        if not isinstance(achievement, Mapping):
            continue
        found = credits_problem(subject.get("creditsEarned"), achievement.get("creditsAvailable"))
        if found:
            problems.append(found)
        descriptions = [d for d in _as_list(achievement.get("resultDescription"))
                        if isinstance(d, Mapping)]
        for n, result in enumerate(_as_list(subject.get("result"))):
            if not isinstance(result, Mapping) or "value" not in result:
                continue
            description = _description_for(result, descriptions)
            if description is not None and (
                    found := result_problem(result["value"], description, index=n)):
                problems.append(found)
    return problems

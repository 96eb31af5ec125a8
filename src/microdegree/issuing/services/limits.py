"""An award's credits and result against what its achievement offers: the one check every way
of issuing goes through (the award form, the issuing API, bulk CSV and JSON rows through
`prepare_issue` and the bulk report, the VC API through `claim_sentence`).

Credits earned above the achievement's credits available are refused
(`CREDITS_EXCEED_ACHIEVEMENT`), and so is a result outside its result description
(`RESULT_OUT_OF_RANGE`): the grading scheme's allowed values or numeric range
(`microdegree.vc.claims`, docs/adr/0031-credits-and-results-checked.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

from microdegree.catalog.models import AchievementVersion
from microdegree.issuing.errors import Invalid
from microdegree.vc.claims import (
    ClaimProblem,
    credits_problem,
    result_problem,
    scheme_description,
)

# The AwardRow field each OB property is given in.
ROW_FIELD = {"creditsEarned": "credits_earned", "result": "result"}


class OutsideAchievement(Invalid):
    """Credits or a result the achievement does not offer; `field` is the AwardRow field."""

    def __init__(self, message: str, *, code: str, field: str) -> None:
        super().__init__(message, code=code)
        self.field = field


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _range(problem: ClaimProblem) -> str:
    if problem.minimum is not None and problem.maximum is not None:
        return gettext("from %(min)s to %(max)s") % {"min": problem.minimum,
                                                     "max": problem.maximum}
    if problem.minimum is not None:
        return gettext("of at least %(min)s") % {"min": problem.minimum}
    return gettext("of at most %(max)s") % {"max": problem.maximum}


def claim_sentence(problem: ClaimProblem, name: str, label: str | None = None) -> str:
    """The sentence for one problem naming the achievement, after the field's name (`label`,
    else its form label; "" for none, where the field is named beside it)."""
    if problem.kind == "credits":
        sentence = gettext(
            "%(value)s is more than the %(limit)s credits “%(name)s” offers; give at most "
            "%(limit)s."
        ) % {"value": problem.value, "limit": _number(problem.limit or 0), "name": name}
        label = gettext("Credits earned") if label is None else label
    else:
        if problem.kind == "allowed":
            sentence = gettext(
                "“%(value)s” is not a result “%(name)s” allows; use one of: %(allowed)s."
            ) % {"value": problem.value, "name": name, "allowed": ", ".join(problem.allowed)}
        elif problem.kind == "number":
            sentence = gettext(
                "“%(value)s” is not a number; “%(name)s” gives a number %(range)s."
            ) % {"value": problem.value, "name": name, "range": _range(problem)}
        else:
            sentence = gettext(
                "%(value)s is outside the results “%(name)s” gives (a number %(range)s)."
            ) % {"value": problem.value, "name": name, "range": _range(problem)}
        label = gettext("Result") if label is None else label
    return gettext("%(field)s: %(sentence)s") % {"field": label, "sentence": sentence} \
        if label else sentence


@dataclass(frozen=True)
class AchievementLimits:
    """What one achievement version offers: read once per batch, checked per row."""

    name: str
    credits_available: float | None
    result_description: Mapping[str, Any] = field(default_factory=dict)

    def problem(self, credits_earned: Any, result: Any) -> OutsideAchievement | None:
        found = (credits_problem(credits_earned, self.credits_available)
                 or result_problem(result, self.result_description))
        if found is None:
            return None
        return OutsideAchievement(claim_sentence(found, self.name), code=found.code,
                                  field=ROW_FIELD[found.field])

    def check(self, credits_earned: Any, result: Any) -> None:
        """Raise `OutsideAchievement` (a 400 with its code and sentence) for credits above the
        credits available or a result outside the result description."""
        found = self.problem(credits_earned, result)
        if found is not None:
            raise found


def achievement_limits(version: AchievementVersion) -> AchievementLimits:
    """The limits of `version`: its credits available and the result description its grading
    scheme makes (the same one `catalog.achievement` puts in the Achievement)."""
    return AchievementLimits(name=version.name, credits_available=version.credits_available,
                             result_description=scheme_description(version.grade_scheme))


def capped_credits(version: AchievementVersion, credits: float | None) -> float | None:
    """Credits the platform sums itself (a microdegree's components) at most the credits the
    microdegree offers: a learner who holds more parts than the rule needs earns what the
    microdegree offers, not the parts' sum."""
    if credits is None or version.credits_available is None:
        return credits
    return min(credits, version.credits_available)

"""The evaluation engine: verified credential facts + a program's agreements → a proposal with a
reason for every credential, the cap, the totals and the residency saved.

Pure: no database access (the caller turns models into `ProgramTerms` / `AgreementTerms` with
`terms.py`), so the same function serves applications, the "What is it worth?" page and tests.
Only Django's translation function is used, for the sentences.

Rules, in order, for each credential:
1. the same credential given twice counts once (DUPLICATE for the later copies);
2. a credential that does not verify counts for nothing (REVOKED, EXPIRED, PROOF_INVALID, ...);
3. every agreement is tried; a named agreement only concerns the achievements it names, a
   criteria agreement concerns everything. The largest value wins (MATCHED); otherwise the
   reason is the first unmet condition of the closest agreement (fewest unmet conditions);
4. a microdegree and its own component credentials never both count: the side giving more
   credit counts (the microdegree on a tie), the other is ALREADY_COUNTED;
5. the sum is capped at `max_recognised_fraction` times the program's total credits.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from microdegree.recognition.facts import CredentialFacts, Verdict

ECTS = "ects"
US_CREDIT_HOUR = "us-credit-hour"
DAYS_PER_YEAR = 365.25


class Code:
    MATCHED = "MATCHED"
    DUPLICATE = "DUPLICATE"
    ALREADY_COUNTED = "ALREADY_COUNTED"
    NO_AGREEMENT = "NO_AGREEMENT"
    UNKNOWN_ISSUER = "UNKNOWN_ISSUER"
    TYPE_MISMATCH = "TYPE_MISMATCH"
    LEVEL_TOO_LOW = "LEVEL_TOO_LOW"
    CREDITS_TOO_LOW = "CREDITS_TOO_LOW"
    MISSING_COMPETENCY = "MISSING_COMPETENCY"
    BELOW_MIN_GRADE = "BELOW_MIN_GRADE"
    TOO_OLD = "TOO_OLD"
    AGREEMENT_NOT_VALID = "AGREEMENT_NOT_VALID"


VERDICT_CODES = {
    Verdict.UNREADABLE: "UNREADABLE",
    Verdict.PROOF_INVALID: "PROOF_INVALID",
    Verdict.REVOKED: "REVOKED",
    Verdict.SUSPENDED: "SUSPENDED",
    Verdict.EXPIRED: "EXPIRED",
    Verdict.NOT_YET_VALID: "NOT_YET_VALID",
    Verdict.STATUS_UNKNOWN: "STATUS_UNKNOWN",
    Verdict.NOT_APPLICANT: "NOT_APPLICANT",
    Verdict.NOT_VERIFIED: "NOT_VERIFIED",
}


def _verdict_sentence(code: str) -> str:
    return {
        "UNREADABLE": _("It could not be read as a credential."),
        "PROOF_INVALID": _("Its signature does not verify, so it may have been altered."),
        "REVOKED": _("The issuer has revoked it."),
        "SUSPENDED": _("The issuer has suspended it."),
        "EXPIRED": _("It has expired."),
        "NOT_YET_VALID": _("It is not valid yet."),
        "STATUS_UNKNOWN": _("Its revocation status could not be checked."),
        "NOT_APPLICANT": _("It was not issued to you (the recipient is someone else)."),
        "NOT_VERIFIED": _("It does not verify."),
    }[code]


@dataclass(frozen=True)
class ProgramTerms:
    """A program as the engine needs it (credits in its own unit)."""

    name: str
    credit_unit: str
    total_credits: float
    duration_terms: int
    duration_months: int
    residency_terms: int
    residency_months: int
    max_recognised_fraction: float
    ects_per_us_credit_hour: float = 2.0
    modules: dict[str, str] = field(default_factory=dict)  # code -> name

    def from_ects(self, ects: float) -> float:
        """ECTS → the program's unit."""
        return ects if self.credit_unit == ECTS else ects / self.ects_per_us_credit_hour

    def to_other_unit(self, credits: float) -> tuple[float, str]:
        """Credits in the program's unit → (value, unit) in the other unit, for display."""
        if self.credit_unit == ECTS:
            return credits / self.ects_per_us_credit_hour, US_CREDIT_HOUR
        return credits * self.ects_per_us_credit_hour, ECTS

    @property
    def credits_per_term(self) -> float:
        return self.total_credits / self.duration_terms


_VERSIONED = re.compile(r"^(https?://[^?#]+/achievements/[^/?#]+/[^/?#]+)/v[1-9][0-9]*/?$")


def achievement_series(achievement_id: str) -> str:
    """An achievement id without its version: this platform's ids end in `/vN`
    (`https://host/achievements/INSTITUTION/SLUG/v2` -> `.../SLUG`); any other id is its own
    series (the issuer's ids for versions cannot be known). ADR: agreements across versions."""
    found = _VERSIONED.match(achievement_id or "")
    return found.group(1) if found else achievement_id


@dataclass(frozen=True)
class AgreementTerms:
    """One agreement: named achievements (issuer DID, achievement id) or criteria, and a value.
    `None` / empty criteria do not constrain."""

    id: int
    name: str
    source_kind: str = "named"  # "named" | "criteria"
    named: tuple[tuple[str, str], ...] = ()
    registry: str = "trusted"  # "trusted" | "platform" | "any" (any signature that verifies)
    achievement_type: str = ""
    min_eqf_level: int | None = None
    min_nqf_level: int | None = None
    min_credits: float | None = None  # program unit
    competencies: tuple[str, ...] = ()
    min_result: float | None = None
    max_age_years: float | None = None
    value_kind: str = "fixed"  # "fixed" | "factor"
    value_credits: float | None = None
    value_factor: float | None = None
    exempted_modules: tuple[str, ...] = ()  # module codes
    valid_from: date | None = None
    valid_until: date | None = None
    conditions: str = ""

    pin_versions: bool = False  # False: a named achievement in any of its versions

    def names(self, facts: CredentialFacts) -> bool:
        if self.pin_versions:
            return (facts.issuer_id, facts.achievement_id) in self.named
        series = achievement_series(facts.achievement_id)
        return any(issuer == facts.issuer_id and achievement_series(named) == series
                   for issuer, named in self.named)


@dataclass
class Unmet:
    code: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass
class Attempt:
    """One agreement tried against one credential."""

    agreement: AgreementTerms
    credits: float = 0.0
    unmet: list[Unmet] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return not self.unmet


@dataclass
class CredentialResult:
    facts: CredentialFacts
    code: str
    message: str
    counted: bool = False
    credits: float = 0.0
    agreement: AgreementTerms | None = None
    exempted_modules: tuple[str, ...] = ()
    attempts: list[Attempt] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "position": self.facts.position,
            "credential": self.facts.to_json(),
            "counted": self.counted,
            "code": self.code,
            "message": self.message,
            "credits": _round(self.credits),
            "agreement": ({"id": self.agreement.id, "name": self.agreement.name,
                           "conditions": self.agreement.conditions}
                          if self.agreement else None),
            "exempted_modules": list(self.exempted_modules),
            "unmet": [
                {"agreement": a.agreement.name, "agreement_id": a.agreement.id,
                 "conditions": [u.to_json() for u in a.unmet]}
                for a in self.attempts if a.unmet
            ],
        }


@dataclass
class Proposal:
    program: ProgramTerms
    results: list[CredentialResult]
    credits_before_cap: float
    cap: float
    recognised: float
    capped: bool
    still_needed: float
    exempted_modules: list[str]
    terms_equivalent: float
    terms_saved: int
    months_saved: int
    evaluated_on: date

    def to_json(self) -> dict[str, Any]:
        p = self.program
        other_value, other_unit = p.to_other_unit(self.recognised)
        return {
            "program": {
                "name": p.name, "credit_unit": p.credit_unit,
                "total_credits": _round(p.total_credits),
                "ects_per_us_credit_hour": p.ects_per_us_credit_hour,
                "credits_per_term": _round(p.credits_per_term),
                "duration_terms": p.duration_terms, "duration_months": p.duration_months,
                "residency_terms": p.residency_terms, "residency_months": p.residency_months,
                "max_recognised_fraction": p.max_recognised_fraction,
            },
            "evaluated_on": self.evaluated_on.isoformat(),
            "credentials": [r.to_json() for r in self.results],
            "credits_before_cap": _round(self.credits_before_cap),
            "cap": _round(self.cap),
            "capped": self.capped,
            "recognised": _round(self.recognised),
            "recognised_other_unit": {"value": _round(other_value), "unit": other_unit},
            "still_needed": _round(self.still_needed),
            "exempted_modules": [
                {"code": c, "name": p.modules.get(c, c)} for c in self.exempted_modules
            ],
            "residency": {
                "terms_equivalent": round(self.terms_equivalent, 2),
                "terms_saved": self.terms_saved,
                "months_saved": self.months_saved,
                "terms_remaining": max(p.residency_terms - self.terms_saved, 0),
                "months_remaining": max(p.residency_months - self.months_saved, 0),
            },
        }


def _round(value: float) -> float:
    rounded = round(value + 0.0, 2)
    return int(rounded) if float(rounded).is_integer() else rounded


def _fmt(value: float) -> str:
    return f"{_round(value):g}"


def unit_label(unit: str, value: float | None = None) -> str:
    if unit == ECTS:
        return _("ECTS")
    return _("US credit hour") if value == 1 else _("US credit hours")


# --- one agreement ----------------------------------------------------------------------------


def _age_years(facts: CredentialFacts, on: date) -> float | None:
    if facts.issued_at is None:
        return None
    issued = facts.issued_at.date() if isinstance(facts.issued_at, datetime) else facts.issued_at
    return (on - issued).days / DAYS_PER_YEAR


def _check_window(a: AgreementTerms, on: date) -> list[Unmet]:
    if a.valid_from and on < a.valid_from:
        return [Unmet(Code.AGREEMENT_NOT_VALID,
                      _("The agreement applies from %(date)s.") % {"date": a.valid_from})]
    if a.valid_until and on > a.valid_until:
        return [Unmet(Code.AGREEMENT_NOT_VALID,
                      _("The agreement ended on %(date)s.") % {"date": a.valid_until})]
    return []


def _check_registry(a: AgreementTerms, facts: CredentialFacts) -> list[Unmet]:
    if a.registry == "platform" and facts.registry != "platform":
        return [Unmet(Code.UNKNOWN_ISSUER,
                      _("The agreement needs an issuer on this platform; %(issuer)s is not "
                        "one.") % {"issuer": facts.issuer_id or _("the issuer")})]
    if a.registry == "trusted" and facts.registry is None:
        return [Unmet(Code.UNKNOWN_ISSUER,
                      _("The issuer %(issuer)s is not in any registry the agreement trusts.")
                      % {"issuer": facts.issuer_id or "?"})]
    return []


def _check_criteria(a: AgreementTerms, facts: CredentialFacts, program: ProgramTerms
                    ) -> list[Unmet]:
    unmet: list[Unmet] = []
    if a.achievement_type and facts.achievement_type != a.achievement_type:
        unmet.append(Unmet(Code.TYPE_MISMATCH,
                           _("The agreement needs a %(want)s; this is a %(have)s.")
                           % {"want": a.achievement_type,
                              "have": facts.achievement_type or _("credential of no type")}))
    if a.min_eqf_level is not None and (facts.eqf_level or 0) < a.min_eqf_level:
        unmet.append(Unmet(Code.LEVEL_TOO_LOW,
                           _("Level too low: EQF %(have)s, the agreement needs EQF %(want)s or "
                             "higher.") % {"have": facts.eqf_level or _("none stated"),
                                          "want": a.min_eqf_level}))
    if a.min_nqf_level is not None and (facts.nqf_level or 0) < a.min_nqf_level:
        unmet.append(Unmet(Code.LEVEL_TOO_LOW,
                           _("Level too low: NQF %(have)s, the agreement needs NQF %(want)s or "
                             "higher.") % {"have": facts.nqf_level or _("none stated"),
                                          "want": a.min_nqf_level}))
    if a.min_credits is not None:
        have = program.from_ects(facts.credits_ects or 0)
        if have + 1e-9 < a.min_credits:
            unit = unit_label(program.credit_unit)
            unmet.append(Unmet(Code.CREDITS_TOO_LOW,
                               _("Credits too low: %(have)s %(unit)s, the agreement needs at "
                                 "least %(want)s.") % {"have": _fmt(have), "unit": unit,
                                                      "want": _fmt(a.min_credits)}))
    missing = [c for c in a.competencies if c not in facts.competencies]
    if missing:
        unmet.append(Unmet(Code.MISSING_COMPETENCY,
                           _("Missing competency: %(list)s.") % {"list": ", ".join(missing)}))
    return unmet


def _check_common(a: AgreementTerms, facts: CredentialFacts, on: date) -> list[Unmet]:
    unmet: list[Unmet] = []
    if a.min_result is not None and (facts.result is None or facts.result < a.min_result):
        unmet.append(Unmet(Code.BELOW_MIN_GRADE,
                           _("Below the minimum grade: %(have)s, the agreement needs at least "
                             "%(want)s.") % {"have": facts.result_text or _("no grade stated"),
                                            "want": _fmt(a.min_result)}))
    if a.max_age_years is not None:
        age = _age_years(facts, on)
        if age is None or age > a.max_age_years:
            unmet.append(Unmet(Code.TOO_OLD,
                               _("Too old: issued %(years)s years ago, the agreement accepts at "
                                 "most %(max)s.") % {"years": _fmt(age) if age is not None
                                                     else "?", "max": _fmt(a.max_age_years)}))
    return unmet


def _value(a: AgreementTerms, facts: CredentialFacts, program: ProgramTerms
           ) -> tuple[float, list[Unmet]]:
    if a.value_kind == "factor":
        if facts.credits_ects is None:
            return 0.0, [Unmet(Code.CREDITS_TOO_LOW,
                               _("The credential states no credits, and this agreement gives "
                                 "its credits times %(factor)s.") % {"factor": a.value_factor})]
        return program.from_ects(facts.credits_ects) * (a.value_factor or 0), []
    return float(a.value_credits or 0), []


def try_agreement(a: AgreementTerms, facts: CredentialFacts, program: ProgramTerms,
                  on: date) -> Attempt | None:
    """The attempt, or None when the agreement does not concern this credential at all."""
    if a.source_kind == "named":
        if not a.names(facts):
            return None
        unmet = _check_window(a, on) + _check_common(a, facts, on)
    else:
        unmet = (_check_window(a, on) + _check_registry(a, facts)
                 + _check_criteria(a, facts, program) + _check_common(a, facts, on))
    credits, value_unmet = _value(a, facts, program)
    return Attempt(agreement=a, credits=credits, unmet=unmet + value_unmet)


# --- one credential ---------------------------------------------------------------------------


def _one(facts: CredentialFacts, agreements: Sequence[AgreementTerms], program: ProgramTerms,
         on: date) -> CredentialResult:
    if facts.verdict != Verdict.OK:
        code = VERDICT_CODES.get(facts.verdict, "NOT_VERIFIED")
        message = _verdict_sentence(code)
        if facts.verdict_message and code in ("NOT_VERIFIED", "PROOF_INVALID", "UNREADABLE"):
            message = f"{message} {facts.verdict_message}"
        return CredentialResult(facts=facts, code=code, message=message)
    attempts = [t for a in agreements if (t := try_agreement(a, facts, program, on)) is not None]
    matched = [t for t in attempts if t.matched]
    if matched:
        best = max(matched, key=lambda t: (t.credits, -t.agreement.id))
        unit = unit_label(program.credit_unit, best.credits)
        return CredentialResult(
            facts=facts, code=Code.MATCHED, counted=True, credits=best.credits,
            agreement=best.agreement, exempted_modules=best.agreement.exempted_modules,
            attempts=attempts,
            message=_("Recognised under “%(agreement)s”: %(credits)s %(unit)s.")
            % {"agreement": best.agreement.name, "credits": _fmt(best.credits), "unit": unit},
        )
    if not attempts:
        if facts.registry is None:
            return CredentialResult(
                facts=facts, code=Code.UNKNOWN_ISSUER, attempts=attempts,
                message=_("The issuer %(issuer)s is unknown here and no agreement names this "
                          "achievement.") % {"issuer": facts.issuer_id or "?"})
        return CredentialResult(
            facts=facts, code=Code.NO_AGREEMENT, attempts=attempts,
            message=_("No agreement of this program covers this achievement."))
    closest = min(attempts, key=lambda t: (len(t.unmet), -t.credits))
    first = closest.unmet[0]
    return CredentialResult(facts=facts, code=first.code, attempts=attempts,
                            agreement=closest.agreement,
                            message=f"{first.message} ({closest.agreement.name})")


def _resolve_components(results: list[CredentialResult], program: ProgramTerms) -> None:
    """A microdegree and its own parts never both count: keep the side worth more."""
    by_id = {r.facts.key: r for r in results if r.counted}
    for whole in [r for r in results if r.counted and r.facts.component_ids]:
        if not whole.counted:
            continue  # already set aside in favour of a larger microdegree
        parts = [by_id[i] for i in whole.facts.component_ids if i in by_id and by_id[i].counted
                 and by_id[i] is not whole]
        if not parts:
            continue
        parts_value = sum(p.credits for p in parts)
        if whole.credits >= parts_value:
            for part in parts:
                part.counted, part.code = False, Code.ALREADY_COUNTED
                part.message = _(
                    "Already counted: it is a part of the microdegree “%(whole)s”, which is "
                    "recognised for %(value)s (its parts would give %(parts)s).") % {
                    "whole": whole.facts.name, "value": _fmt(whole.credits),
                    "parts": _fmt(parts_value)}
                part.credits, part.exempted_modules = 0.0, ()
        else:
            whole.counted, whole.code = False, Code.ALREADY_COUNTED
            whole.message = _(
                "Already counted: its own parts are recognised separately for %(parts)s, more "
                "than the %(value)s the microdegree would give.") % {
                "parts": _fmt(parts_value), "value": _fmt(whole.credits)}
            whole.credits, whole.exempted_modules = 0.0, ()


def evaluate(facts: Sequence[CredentialFacts], agreements: Sequence[AgreementTerms],
             program: ProgramTerms, *, on: date) -> Proposal:
    """The proposal for `facts` (in the order given) under `agreements` on the day `on`."""
    results: list[CredentialResult] = []
    seen: dict[str, CredentialFacts] = {}
    for item in facts:
        first = seen.get(item.key)
        if first is not None:
            results.append(CredentialResult(
                facts=item, code=Code.DUPLICATE,
                message=_("Already counted: the same credential as number %(n)s.")
                % {"n": first.position + 1}))
            continue
        seen[item.key] = item
        results.append(_one(item, agreements, program, on))
    _resolve_components(results, program)
    counted = [r for r in results if r.counted]
    before_cap = sum(r.credits for r in counted)
    cap = program.total_credits * program.max_recognised_fraction
    recognised = min(before_cap, cap, program.total_credits)
    exempted = list(dict.fromkeys(c for r in counted for c in r.exempted_modules
                                  if c in program.modules))
    terms_equivalent = recognised / program.credits_per_term if program.credits_per_term else 0
    terms_saved = min(math.floor(terms_equivalent + 1e-9), program.residency_terms)
    months_per_term = program.duration_months / program.duration_terms
    months_saved = min(round(terms_saved * months_per_term), program.residency_months)
    return Proposal(
        program=program, results=results, credits_before_cap=before_cap, cap=cap,
        recognised=recognised, capped=before_cap > cap + 1e-9,
        still_needed=max(program.total_credits - recognised, 0.0), exempted_modules=exempted,
        terms_equivalent=terms_equivalent, terms_saved=terms_saved, months_saved=months_saved,
        evaluated_on=on,
    )

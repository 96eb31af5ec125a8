"""What the engine needs to know about one credential, read from its JSON and its verification
report. Pure (no Django): the verification itself happens in `checking.py`.

Credits in credentials are taken as ECTS (the platform's convention: `creditsEarned`, else the
achievement's `creditsAvailable`, else its EU `ECTS` element), each a finite number of zero or
more (`microdegree.vc.credits`): anything else raises `CreditsInvalid`. Credits earned above the
achievement's `creditsAvailable` count as `creditsAvailable`, with a warning (`credits_claimed`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from microdegree.records.achievement_fields import EQF_FRAMEWORKS, eqf_level
from microdegree.records.achievement_fields import as_list as _as_list
from microdegree.vc.claims import credits_problem
from microdegree.vc.credits import parse_credits
from microdegree.vc.report import Outcome, Report
from microdegree.vc.verify import STATUS_UNDETERMINED, parse_datetime

PLATFORM_REGISTRY = "Microdegree platform"


class Verdict:
    """Why a credential cannot count at all, before any agreement is looked at."""

    OK = "ok"
    UNREADABLE = "unreadable"
    PROOF_INVALID = "proof_invalid"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    STATUS_UNKNOWN = "status_unknown"
    NOT_APPLICANT = "not_applicant"
    NOT_VERIFIED = "not_verified"


@dataclass
class CredentialFacts:
    """One credential as the engine sees it. `key` identifies it for double counting (its
    `id`, or a digest of its text when it has none)."""

    key: str
    position: int = 0
    verdict: str = Verdict.OK
    verdict_message: str = ""
    name: str = ""
    issuer_id: str = ""
    issuer_name: str = ""
    registry: str | None = None  # "platform", "trusted" or None (issuer unknown)
    registry_name: str = ""  # the registry that knows the issuer ("Microdegree platform", ...)
    registered_name: str = ""  # the issuer's name in that registry (else only self-declared)
    achievement_id: str = ""
    achievement_name: str = ""
    achievement_type: str = ""
    eqf_level: int | None = None
    nqf_level: int | None = None
    credits_ects: float | None = None
    # The creditsEarned the credential claims when it is above its achievement's
    # creditsAvailable (then credits_ects is creditsAvailable: at most what the achievement
    # offers counts, and the reader is warned); None otherwise.
    credits_claimed: float | None = None
    result: float | None = None
    result_text: str = ""
    competencies: list[str] = field(default_factory=list)
    issued_at: datetime | None = None
    component_ids: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key, "position": self.position, "verdict": self.verdict,
            "verdict_message": self.verdict_message, "name": self.name,
            "issuer_id": self.issuer_id, "issuer_name": self.issuer_name,
            "registry": self.registry, "registry_name": self.registry_name,
            "registered_name": self.registered_name, "achievement_id": self.achievement_id,
            "achievement_name": self.achievement_name,
            "achievement_type": self.achievement_type, "eqf_level": self.eqf_level,
            "nqf_level": self.nqf_level, "credits_ects": self.credits_ects,
            "credits_claimed": self.credits_claimed,
            "result": self.result_text or None,
            "issued_at": self.issued_at.isoformat() if self.issued_at else None,
            "component_ids": self.component_ids,
        }


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for item in value.values():
            if isinstance(item, str):
                return item
    return ""


def _number(value: Any) -> float | None:
    """A grade as a number; None when it is none (text, NaN or infinite: no grade stated)."""
    if isinstance(value, bool):
        return None
    number: float | None = None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            return None
    return number if number is not None and math.isfinite(number) else None


def credits_of(subject: dict[str, Any], achievement: dict[str, Any]) -> float | None:
    """The credential's credits in ECTS: `creditsEarned`, else `creditsAvailable`, else `ECTS`;
    never more than `creditsAvailable` (see `claimed_credits`).

    Every one of the three that is present must be a finite number of zero or more, else
    `CreditsInvalid` (a 4xx with its sentence where credentials are evaluated).
    """
    earned = parse_credits(subject.get("creditsEarned"), "creditsEarned")
    available = parse_credits(achievement.get("creditsAvailable"), "creditsAvailable")
    ects = parse_credits(achievement.get("ECTS"), "ECTS")
    if earned is not None and available is not None and earned > available:
        return available
    for value in (earned, available, ects):
        if value is not None:
            return value
    return None


def claimed_credits(subject: dict[str, Any], achievement: dict[str, Any]) -> float | None:
    """The `creditsEarned` a credential claims above its achievement's `creditsAvailable`
    (another issuer's credential can: this platform refuses to issue one), else None."""
    found = credits_problem(subject.get("creditsEarned"), achievement.get("creditsAvailable"))
    return parse_credits(subject.get("creditsEarned")) if found else None


def _subject(document: dict[str, Any]) -> dict[str, Any]:
    for subject in _as_list(document.get("credentialSubject")):
        if isinstance(subject, dict):
            return subject
    return {}


def _achievement(document: dict[str, Any]) -> dict[str, Any]:
    achievement = _subject(document).get("achievement")
    return achievement if isinstance(achievement, dict) else {}


def _nqf(achievement: dict[str, Any]) -> int | None:
    found = re.search(r"\d+", str(achievement.get("nqfLevel") or ""))
    return int(found.group()) if found else None


def _competencies(achievement: dict[str, Any]) -> list[str]:
    out = []
    for alignment in _as_list(achievement.get("alignment")):
        if not isinstance(alignment, dict) or alignment.get("targetFramework") in EQF_FRAMEWORKS:
            continue
        url = alignment.get("targetUrl")
        if isinstance(url, str) and url:
            out.append(url)
    return out


def _issued_at(document: dict[str, Any]) -> datetime | None:
    for name in ("awardedDate", "validFrom", "issuanceDate"):
        value = document.get(name)
        if isinstance(value, str):
            try:
                return parse_datetime(value)
            except ValueError:
                continue
    return None


def _result(subject: dict[str, Any]) -> tuple[float | None, str]:
    for result in _as_list(subject.get("result")):
        if isinstance(result, dict) and "value" in result:
            return _number(result["value"]), str(result["value"])
    return None, ""


def _components(document: dict[str, Any]) -> list[str]:
    """Ids of component credentials a microdegree names as evidence (docs/adr/0004)."""
    out = []
    for evidence in _as_list(document.get("evidence")):
        if (isinstance(evidence, dict) and isinstance(evidence.get("id"), str)
                and evidence.get("genre") == "Component credential"):
            out.append(evidence["id"])
    return out


def _issuer(document: dict[str, Any]) -> tuple[str, str]:
    issuer = document.get("issuer")
    if isinstance(issuer, str):
        return issuer, ""
    if isinstance(issuer, dict):
        return str(issuer.get("id") or ""), _text(issuer.get("name"))
    return "", ""


def _registry(report: Report) -> tuple[str | None, str, str]:
    """("platform" | "trusted" | None, the registry's name, the issuer's name there)."""
    for check in report.checks:
        if check.code == "ISSUER_KNOWN":
            name = str(check.details.get("registry") or "")
            known = str(check.details.get("issuerName") or "")
            return ("platform" if name == PLATFORM_REGISTRY else "trusted"), name, known
    return None, "", ""


PROOF_CODES = ("PROOF_", "KEY_", "JWS_", "JWT_")


def verdict_of(report: Report) -> tuple[str, str]:
    """The first reason the report gives for not trusting the credential, else OK."""
    for check in report.checks:
        if check.outcome is not Outcome.FAIL:
            continue
        if check.code == "STATUS_REVOKED":
            return Verdict.REVOKED, check.message
        if check.code == "STATUS_SUSPENDED":
            return Verdict.SUSPENDED, check.message
    for check in report.checks:
        if check.outcome is not Outcome.FAIL or check.code in STATUS_UNDETERMINED:
            continue
        if check.code == "EXPIRED":
            return Verdict.EXPIRED, check.message
        if check.code == "NOT_YET_VALID":
            return Verdict.NOT_YET_VALID, check.message
        if check.code.startswith(PROOF_CODES) or check.name.startswith("proof"):
            return Verdict.PROOF_INVALID, check.message
        if check.name == "input":
            return Verdict.UNREADABLE, check.message
        return Verdict.NOT_VERIFIED, check.message
    for check in report.checks:
        if check.code in STATUS_UNDETERMINED:  # a retrieval error included (a failure by default)
            return Verdict.STATUS_UNKNOWN, check.message
    return Verdict.OK, ""


def facts_of(document: dict[str, Any] | None, report: Report, *, key: str,
             position: int = 0) -> CredentialFacts:
    """The facts of a verified (or failed) credential; `key` is used when it has no id."""
    verdict, message = verdict_of(report)
    if document is None:
        return CredentialFacts(key=key, position=position, verdict=verdict or Verdict.UNREADABLE,
                               verdict_message=message)
    subject = _subject(document)
    achievement = _achievement(document)
    issuer_id, issuer_name = _issuer(document)
    credits = credits_of(subject, achievement)
    claimed = claimed_credits(subject, achievement)
    result, result_text = _result(subject)
    registry, registry_name, registered_name = _registry(report)
    if registered_name == issuer_id:  # a trusted list of bare DIDs names nobody
        registered_name = ""
    doc_id = document.get("id")
    return CredentialFacts(
        key=doc_id if isinstance(doc_id, str) and doc_id else key,
        position=position,
        verdict=verdict,
        verdict_message=message,
        name=_text(document.get("name")) or _text(achievement.get("name")),
        issuer_id=issuer_id,
        issuer_name=issuer_name,
        registry=registry,
        registry_name=registry_name,
        registered_name=registered_name,
        achievement_id=str(achievement.get("id") or ""),
        achievement_name=_text(achievement.get("name")),
        achievement_type=str(achievement.get("achievementType") or ""),
        eqf_level=eqf_level(achievement),
        nqf_level=_nqf(achievement),
        credits_ects=credits,
        credits_claimed=claimed,
        result=result,
        result_text=result_text,
        competencies=_competencies(achievement),
        issued_at=_issued_at(document),
        component_ids=_components(document),
    )

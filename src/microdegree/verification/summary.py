"""What a person reads: a credential's summary, the verdict, and a plain label for each check."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from microdegree.vc.report import Check, Outcome, Report
from microdegree.vc.verify import STATUS_UNDETERMINED, parse_datetime

VERIFIED = "Verified"
NOT_VERIFIED = "Not verified"
NOT_FULLY_CHECKED = "Could not be fully checked"

# The three verdict levels a page shows (never green above a warning or a failure).
LEVEL_VERIFIED = "verified"
LEVEL_INCOMPLETE = "not_fully_checked"  # nothing failed, but the status could not be determined
LEVEL_FAILED = "not_verified"

LABELS = {
    "input": "Input",
    "internal": "Verifier",
    "structure": "Format",
    "schema": "Schema",
    "related": "Related resources",
    "proof": "Signature",
    "proof.jwt": "JWT claims",
    "issuer.key": "Issuer's key",
    "proof.party": "Other signer",
    "validity": "Dates",
    "status": "Revocation and suspension",
    "issuer.registry": "Known issuer",
    "issuer.name": "Issuer's name",
    "recipient": "Recipient",
    "nested": "Nested credentials",
    "presentation.challenge": "Presentation challenge",
    "presentation.domain": "Presentation domain",
    "presentation.holder": "Presentation holder",
}
STATUS_LABELS = {"revocation": "Revocation", "suspension": "Suspension"}


def label(check: Check) -> str:
    """A short heading for a check ("Signature", "Revocation", "Known issuer", ...)."""
    if check.name == "status":
        purpose = check.details.get("statusPurpose")
        if isinstance(purpose, str) and purpose in STATUS_LABELS:
            return STATUS_LABELS[purpose]
        if check.code == "STATUS_UNKNOWN":
            return "Status"
    base, _, index = check.name.partition("[")
    text = LABELS.get(base, base.replace(".", " ").capitalize())
    return f"{text} {int(index.rstrip(']')) + 1}" if index.rstrip("]").isdigit() else text


def all_warnings(report: Report) -> list[Check]:
    out = list(report.warnings)
    for child in report.nested:
        out.extend(all_warnings(child))
    return out


def all_errors(report: Report) -> list[Check]:
    out = list(report.errors)
    for child in report.nested:
        out.extend(all_errors(child))
    return out


def undetermined(check: Check) -> bool:
    """Whether the check says only that the status could not be determined."""
    return check.name == "status" and check.code in STATUS_UNDETERMINED


def level(report: Report) -> str:
    """verified, not_fully_checked (every problem is a status that could not be determined:
    neither green nor red) or not_verified (anything else failed)."""
    errors = all_errors(report)
    if errors and not all(undetermined(c) for c in errors):
        return LEVEL_FAILED
    if errors or any(undetermined(c) for c in all_warnings(report)):
        return LEVEL_INCOMPLETE
    return LEVEL_VERIFIED


def _listed(checks: list[Check]) -> str:
    return "; ".join(dict.fromkeys(label(c).lower() + ": " + c.message for c in checks))


def verdict(report: Report) -> str:
    """"Verified", "Verified, with warnings: ...", "Could not be fully checked: ..." or "Not
    verified": a warning is never hidden."""
    found = level(report)
    if found == LEVEL_FAILED:
        return NOT_VERIFIED
    if found == LEVEL_INCOMPLETE:
        return f"{NOT_FULLY_CHECKED}: {_listed(all_errors(report) + all_warnings(report))}"
    warnings = all_warnings(report)
    if warnings:
        return f"{VERIFIED}, with warnings: {_listed(warnings)}"
    return VERIFIED


# --- summary ----------------------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str | None:
    """A plain string, or the first value of a language map."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for item in value.values():
            if isinstance(item, str):
                return item
    return None


def _types(value: Any) -> list[str]:
    return [t for t in _as_list(value) if isinstance(t, str)]


def safe_image(value: Any) -> str | None:
    """An image URL an <img> may load: https/http, or a data: URI of an image."""
    url = value.get("id") if isinstance(value, dict) else value
    if not isinstance(url, str) or len(url) > 1_000_000:
        return None
    lowered = url.lower()
    if lowered.startswith(("https://", "http://", "data:image/")):
        return url
    return None


def _number(value: Any) -> float | int | None:
    """A number to show; None for anything else, NaN and infinities too (never shown or sent)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int):
        return value
    return (int(value) if value.is_integer() else value) if math.isfinite(value) else None


@dataclass
class Summary:
    kind: str  # "credential" or "presentation"
    types: list[str] = field(default_factory=list)
    id: str | None = None
    name: str | None = None
    description: str | None = None
    issuer_id: str | None = None
    issuer_name: str | None = None
    issuer_url: str | None = None
    holder: str | None = None
    recipient_name: str | None = None
    recipient_id: str | None = None
    achievement_name: str | None = None
    achievement_type: str | None = None
    achievement_description: str | None = None
    criteria: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    awarded: datetime | None = None
    credits: float | int | None = None
    credits_available: float | int | None = None
    ects: float | int | None = None
    level: str | None = None
    result: str | None = None
    image: str | None = None

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("valid_from", "valid_until", "awarded"):
            if out[key] is not None:
                out[key] = out[key].isoformat()
        return {k: v for k, v in out.items() if v not in (None, [])}


def _level(achievement: dict[str, Any]) -> str | None:
    eqf = achievement.get("eqfLevel")
    if isinstance(eqf, int) and not isinstance(eqf, bool):
        return f"EQF level {eqf}"
    for alignment in _as_list(achievement.get("alignment")):
        if isinstance(alignment, dict) and alignment.get("targetFramework") in (
            "European Qualifications Framework", "EQF"
        ):
            return _text(alignment.get("targetName"))
    nqf = achievement.get("nqfLevel")
    return f"NQF level {nqf}" if isinstance(nqf, str | int) and nqf != "" else None


def _recipient_name(subject: dict[str, Any]) -> str | None:
    for identity in _as_list(subject.get("identifier")):
        if (isinstance(identity, dict) and identity.get("identityType") == "name"
                and identity.get("hashed") is False):
            return _text(identity.get("identityHash"))
    return _text(subject.get("name"))


def summarise(document: dict[str, Any], *, show_recipient: bool = True) -> Summary:
    types = _types(document.get("type"))
    if "VerifiablePresentation" in types:
        holder = document.get("holder")
        return Summary(kind="presentation", types=types, id=_text(document.get("id")),
                       holder=_text(holder.get("id") if isinstance(holder, dict) else holder))
    issuer = document.get("issuer")
    issuer_obj = issuer if isinstance(issuer, dict) else {}
    subjects = [s for s in _as_list(document.get("credentialSubject")) if isinstance(s, dict)]
    subject = subjects[0] if subjects else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, dict) else {}
    criteria = achievement.get("criteria")
    results = [r for r in _as_list(subject.get("result")) if isinstance(r, dict)]
    start = document.get("validFrom", document.get("issuanceDate"))
    end = document.get("validUntil", document.get("expirationDate"))
    return Summary(
        kind="credential",
        types=types,
        id=_text(document.get("id")),
        name=_text(document.get("name")) or _text(achievement.get("name")),
        description=_text(document.get("description")) or _text(achievement.get("description")),
        issuer_id=_text(issuer_obj.get("id")) if issuer_obj else _text(issuer),
        issuer_name=_text(issuer_obj.get("name")),
        issuer_url=safe_image(issuer_obj.get("url")),  # same rule: http(s) only
        recipient_name=_recipient_name(subject) if show_recipient else None,
        recipient_id=_text(subject.get("id")) if show_recipient else None,
        achievement_name=_text(achievement.get("name")),
        achievement_type=_text(achievement.get("achievementType")),
        achievement_description=_text(achievement.get("description")),
        criteria=_text(criteria.get("narrative")) if isinstance(criteria, dict) else None,
        valid_from=parse_datetime(start),
        valid_until=parse_datetime(end),
        awarded=parse_datetime(document.get("awardedDate")),
        credits=_number(subject.get("creditsEarned")),
        credits_available=_number(achievement.get("creditsAvailable")),
        ects=_number(achievement.get("ECTS")),
        level=_level(achievement),
        result=_text(results[0].get("value")) if results else None,
        image=(safe_image(document.get("image")) or safe_image(subject.get("image"))
               or safe_image(achievement.get("image"))),
    )


def nested_documents(document: dict[str, Any]) -> list[Any]:
    """The nested documents in the order the core's verifier reports them."""
    if "VerifiablePresentation" in _types(document.get("type")):
        return _as_list(document.get("verifiableCredential"))
    if "VerifiableCredential" not in _types(document.get("type")):
        return []
    nested: list[Any] = []
    subjects = _as_list(document.get("credentialSubject"))
    for subject in subjects:
        if isinstance(subject, dict):
            nested.extend(_as_list(subject.get("verifiableCredential")))
    nested.extend(_as_list(document.get("endorsement")))
    for subject in subjects:
        achievement = subject.get("achievement") if isinstance(subject, dict) else None
        if isinstance(achievement, dict):
            nested.extend(_as_list(achievement.get("endorsement")))
    return nested


def check_rows(report: Report) -> list[dict[str, str]]:
    """One row per check for a template: label, outcome, message (skipped checks left out)."""
    return [
        {"label": label(c), "outcome": c.outcome.value, "message": c.message, "code": c.code}
        for c in report.checks if c.outcome is not Outcome.SKIP
    ]

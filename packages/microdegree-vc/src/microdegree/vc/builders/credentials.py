"""OpenBadgeCredential (AchievementCredential) and EndorsementCredential."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from microdegree.vc.builders import _common as c
from microdegree.vc.builders.achievement import Achievement, Alignment, Image
from microdegree.vc.builders.identity import IdentityObject
from microdegree.vc.builders.profile import Profile, profile_ref
from microdegree.vc.errors import BuildError
from microdegree.vc.schema import OB_ACHIEVEMENT_CREDENTIAL, OB_ENDORSEMENT_CREDENTIAL

SCHEMA_VALIDATOR_TYPE = "1EdTechJsonSchemaValidator2019"
RESULT_STATUSES = ("Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional",
                   "Withdrew")


@dataclass(frozen=True, kw_only=True)
class Result:
    """A learner's result against a ResultDescription (grade, status, rubric level)."""

    result_description: str | None = None  # the ResultDescription id
    value: str | None = None
    achieved_level: str | None = None
    status: str | None = None
    alignment: Sequence[Alignment] = ()

    def to_dict(self) -> dict[str, Any]:
        if self.result_description is not None:
            c.check_iri(self.result_description, "Result resultDescription")
        if self.achieved_level is not None:
            c.check_iri(self.achieved_level, "Result achievedLevel")
        if self.value is not None and not isinstance(self.value, str):
            raise BuildError(f"Result value is a string (got {self.value!r}).",
                             code="BUILD_INVALID_VALUE")
        if self.status is not None:
            c.check_enum(self.status, RESULT_STATUSES, "Result status", extensible=False)
        return c.drop_none({
            "type": ["Result"], "resultDescription": self.result_description,
            "value": self.value, "achievedLevel": self.achieved_level, "status": self.status,
            "alignment": [a.to_dict() for a in self.alignment],
        })


@dataclass(frozen=True, kw_only=True)
class Evidence:
    id: str | None = None
    narrative: str | None = None
    name: str | None = None
    description: str | None = None
    genre: str | None = None
    audience: str | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.id is not None:
            c.check_iri(self.id, "Evidence id")
        return c.drop_none({
            "id": self.id, "type": ["Evidence"], "narrative": self.narrative, "name": self.name,
            "description": self.description, "genre": self.genre, "audience": self.audience,
        })


def schema_entry(url: str) -> dict[str, str]:
    return {"id": c.check_iri(url, "credentialSchema id"), "type": SCHEMA_VALIDATOR_TYPE}


def check_status_entries(
    entries: Sequence[Mapping[str, Any]], credential_schema: Sequence[str] | None = None
) -> Any:
    """credentialStatus: one object for one entry; an array for several (e.g. revocation +
    suspension), which VCDM 2.0 allows but BOTH flavours of the 1EdTech OB/CLR schemas reject
    (`credentialStatus` is a single object there), so that needs `credential_schema=None`."""
    if len(entries) > 1 and any(_is_1edtech_schema(u) for u in credential_schema or ()):
        raise BuildError(
            "The 1EdTech OB/CLR JSON Schemas allow only one credentialStatus entry; use a single "
            "entry, or pass credential_schema=None to issue several (VCDM 2.0 allows it).",
            code="BUILD_SCHEMA_CONFLICT",
        )
    out = []
    for entry in entries:
        entry = dict(entry)
        if not isinstance(entry.get("type"), str):
            raise BuildError("Each credentialStatus entry needs a type.",
                             code="BUILD_MISSING_FIELD")
        c.check_iri(entry.get("id"), "credentialStatus id")
        out.append(entry)
    if not out:
        return None
    return out[0] if len(out) == 1 else out


def _is_1edtech_schema(url: str) -> bool:
    return url.startswith(("https://purl.imsglobal.org/spec/ob/", "https://purl.imsglobal.org/spec/clr/"))


def envelope(
    *,
    types: Sequence[str],
    issuer: Profile | Mapping[str, Any] | str,
    credential_id: str | None,
    valid_from: Any,
    valid_until: Any,
    name: str | None,
    description: str | None,
    image: Image | str | None,
    awarded_date: Any,
    evidence: Sequence[Evidence],
    endorsement: Sequence[Mapping[str, Any]],
    credential_status: Sequence[Mapping[str, Any]],
    credential_schema: Sequence[str] | None,
    refresh_service: Mapping[str, Any] | None,
    terms_of_use: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """The fields every OB/CLR credential shares, in a stable order (subject added later)."""
    credential_id = c.check_iri(credential_id or c.new_id(), "credential id")
    start = c.check_datetime(valid_from if valid_from is not None else c.now(), "validFrom")
    until = None
    if valid_until is not None:
        until = c.check_datetime(valid_until, "validUntil")
        if c.parse_datetime(until) <= c.parse_datetime(start):
            raise BuildError(f"validUntil ({until}) must be after validFrom ({start}).",
                             code="BUILD_INVALID_DATE")
    awarded = c.check_datetime(awarded_date, "awardedDate") if awarded_date is not None else None
    if refresh_service is not None:
        c.check_iri(refresh_service.get("id"), "refreshService id")
        c.check_text(refresh_service.get("type"), "refreshService type")
    for item in terms_of_use:
        c.check_text(item.get("type"), "termsOfUse type")
    return c.drop_none({
        "id": credential_id,
        "type": ["VerifiableCredential", *types],
        "name": name,
        "description": description,
        "image": c.image(image),
        "issuer": profile_ref(issuer, "issuer"),
        "validFrom": start,
        "validUntil": until,
        "awardedDate": awarded,
        "evidence": [e.to_dict() for e in evidence],
        "endorsement": [dict(e) for e in endorsement],
        "credentialStatus": check_status_entries(credential_status, credential_schema),
        "credentialSchema": [schema_entry(u) for u in credential_schema or ()],
        "refreshService": dict(refresh_service) if refresh_service is not None else None,
        "termsOfUse": [dict(t) for t in terms_of_use],
    })


def subject_identity(subject_id: str | None, identifier: Sequence[Any],
                     what: str) -> dict[str, Any]:
    if subject_id is None and not identifier:
        raise BuildError(f"The {what} needs an id (e.g. a DID) or at least one identifier "
                         "(see hash_identity).", code="BUILD_MISSING_FIELD")
    out: dict[str, Any] = {}
    if subject_id is not None:
        out["id"] = c.check_iri(subject_id, f"{what} id")
    if identifier:
        out["identifier"] = [c.as_dict(i, f"{what} identifier") for i in identifier]
    return out


def with_context(document: dict[str, Any], base: tuple[str, ...]) -> dict[str, Any]:
    return {"@context": c.contexts_for(document, base), **document}


@dataclass(frozen=True, kw_only=True)
class OpenBadgeCredential:
    """An OB 3.0 AchievementCredential for one learner (unsigned; sign with `proofs.sign`)."""

    issuer: Profile | Mapping[str, Any] | str
    achievement: Achievement
    subject_id: str | None = None
    identifier: Sequence[Mapping[str, Any] | IdentityObject] = ()
    credential_id: str | None = None
    valid_from: Any = None
    valid_until: Any = None
    awarded_date: Any = None
    name: str | None = None
    description: str | None = None
    image: Image | str | None = None
    credits_earned: float | None = None
    result: Sequence[Result] = ()
    narrative: str | None = None
    activity_start_date: Any = None
    activity_end_date: Any = None
    license_number: str | None = None
    role: str | None = None
    term: str | None = None
    source: Profile | Mapping[str, Any] | None = None
    subject_image: Image | str | None = None
    evidence: Sequence[Evidence] = ()
    endorsement: Sequence[Mapping[str, Any]] = ()
    credential_status: Sequence[Mapping[str, Any]] = ()
    credential_schema: Sequence[str] | None = field(
        default_factory=lambda: [OB_ACHIEVEMENT_CREDENTIAL]
    )
    refresh_service: Mapping[str, Any] | None = None
    terms_of_use: Sequence[Mapping[str, Any]] = ()

    def to_dict(self) -> dict[str, Any]:
        achievement = self.achievement.to_dict()
        start = end = None
        if self.activity_start_date is not None:
            start = c.check_datetime(self.activity_start_date, "activityStartDate")
        if self.activity_end_date is not None:
            end = c.check_datetime(self.activity_end_date, "activityEndDate")
        if start and end and c.parse_datetime(end) < c.parse_datetime(start):
            raise BuildError("activityEndDate must not be before activityStartDate.",
                             code="BUILD_INVALID_DATE")
        if self.credits_earned is not None:
            c.check_number(self.credits_earned, "creditsEarned")
        subject = {
            "type": ["AchievementSubject"],
            **subject_identity(self.subject_id, self.identifier, "credential subject"),
            **c.drop_none({
                "activityStartDate": start,
                "activityEndDate": end,
                "creditsEarned": self.credits_earned,
                "licenseNumber": self.license_number,
                "narrative": self.narrative,
                "role": self.role,
                "term": self.term,
                "source": profile_ref(self.source, "source") if self.source is not None
                else None,
                "image": c.image(self.subject_image, "subject image"),
                "result": [r.to_dict() for r in self.result],
            }),
            "achievement": achievement,
        }
        doc = envelope(
            types=["OpenBadgeCredential"], issuer=self.issuer, credential_id=self.credential_id,
            valid_from=self.valid_from, valid_until=self.valid_until,
            name=self.name if self.name is not None else self.achievement.name,
            description=self.description, image=self.image, awarded_date=self.awarded_date,
            evidence=self.evidence, endorsement=self.endorsement,
            credential_status=self.credential_status,
            credential_schema=self.credential_schema, refresh_service=self.refresh_service,
            terms_of_use=self.terms_of_use,
        )
        doc = insert_subject(doc, subject)
        return with_context(doc, c.OB_CONTEXTS)


def insert_subject(doc: dict[str, Any], subject: dict[str, Any]) -> dict[str, Any]:
    """Put credentialSubject right after the dates (reads like the spec examples)."""
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if key in ("evidence", "endorsement", "credentialStatus", "credentialSchema",
                   "refreshService", "termsOfUse") and "credentialSubject" not in out:
            out["credentialSubject"] = subject
        out[key] = value
    out.setdefault("credentialSubject", subject)
    return out


def achievement_credential(**kwargs: Any) -> dict[str, Any]:
    """`OpenBadgeCredential(**kwargs).to_dict()`: the unsigned credential as a plain dict."""
    return OpenBadgeCredential(**kwargs).to_dict()


def endorsement_credential(
    *,
    issuer: Profile | Mapping[str, Any] | str,
    subject_id: str,
    name: str,
    endorsement_comment: str | None = None,
    credential_id: str | None = None,
    valid_from: Any = None,
    valid_until: Any = None,
    awarded_date: Any = None,
    description: str | None = None,
    image: Image | str | None = None,
    evidence: Sequence[Evidence] = (),
    credential_status: Sequence[Mapping[str, Any]] = (),
    credential_schema: Sequence[str] | None = (OB_ENDORSEMENT_CREDENTIAL,),
    refresh_service: Mapping[str, Any] | None = None,
    terms_of_use: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """An EndorsementCredential: e.g. a QA body endorsing an Achievement or an issuer Profile."""
    c.check_text(name, "EndorsementCredential name")
    subject = c.drop_none({
        "id": c.check_iri(subject_id, "endorsement subject id"),
        "type": ["EndorsementSubject"],
        "endorsementComment": endorsement_comment,
    })
    doc = envelope(
        types=["EndorsementCredential"], issuer=issuer, credential_id=credential_id,
        valid_from=valid_from, valid_until=valid_until, name=name, description=description,
        image=image, awarded_date=awarded_date, evidence=evidence, endorsement=(),
        credential_status=credential_status, credential_schema=credential_schema,
        refresh_service=refresh_service, terms_of_use=terms_of_use,
    )
    return with_context(insert_subject(doc, subject), c.OB_CONTEXTS)

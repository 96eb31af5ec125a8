"""ClrCredential: a signed envelope around signed AchievementCredentials (a microdegree)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from microdegree.vc.builders import _common as c
from microdegree.vc.builders.achievement import Achievement, Image
from microdegree.vc.builders.credentials import (
    Evidence,
    envelope,
    insert_subject,
    subject_identity,
    with_context,
)
from microdegree.vc.builders.identity import IdentityObject
from microdegree.vc.builders.profile import Profile
from microdegree.vc.errors import BuildError
from microdegree.vc.schema import CLR_CREDENTIAL

ASSOCIATION_TYPES = ("exactMatchOf", "isChildOf", "isParentOf", "isPartOf", "isPeerOf",
                     "isRelatedTo", "precedes", "replacedBy")


@dataclass(frozen=True, kw_only=True)
class Association:
    """How two achievements relate, e.g. a course microcredential `isPartOf` the microdegree."""

    association_type: str
    source_id: str
    target_id: str

    def to_dict(self) -> dict[str, Any]:
        c.check_enum(self.association_type, ASSOCIATION_TYPES, "associationType",
                     extensible=False)
        return {
            "type": "Association",
            "associationType": self.association_type,
            "sourceId": c.check_iri(self.source_id, "Association sourceId"),
            "targetId": c.check_iri(self.target_id, "Association targetId"),
        }


def _check_signed(credential: Any, index: int) -> dict[str, Any]:
    if not isinstance(credential, Mapping):
        raise BuildError(f"verifiableCredential[{index}] is not a credential object.",
                         code="BUILD_INVALID_VALUE")
    if "@context" not in credential or not credential.get("proof"):
        raise BuildError(
            f"verifiableCredential[{index}] must be a full signed credential with its own "
            "@context and proof (sign it before wrapping it in a CLR).",
            code="BUILD_UNSIGNED_CREDENTIAL",
        )
    return dict(credential)  # verbatim: never re-serialised field by field


def clr_credential(
    *,
    issuer: Profile | Mapping[str, Any] | str,
    name: str,
    verifiable_credential: Sequence[Mapping[str, Any]],
    subject_id: str | None = None,
    identifier: Sequence[Mapping[str, Any] | IdentityObject] = (),
    achievement: Sequence[Achievement] = (),
    association: Sequence[Association] = (),
    partial: bool | None = None,
    credential_id: str | None = None,
    valid_from: Any = None,
    valid_until: Any = None,
    awarded_date: Any = None,
    description: str | None = None,
    image: Image | str | None = None,
    evidence: Sequence[Evidence] = (),
    endorsement: Sequence[Mapping[str, Any]] = (),
    credential_status: Sequence[Mapping[str, Any]] = (),
    credential_schema: Sequence[str] | None = (CLR_CREDENTIAL,),
    refresh_service: Mapping[str, Any] | None = None,
    terms_of_use: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """A CLR 2.0 ClrCredential (unsigned): nested signed credentials kept verbatim."""
    c.check_text(name, "ClrCredential name")
    if not verifiable_credential:
        raise BuildError("A CLR needs at least one signed credential.",
                         code="BUILD_MISSING_FIELD")
    if partial is not None and not isinstance(partial, bool):
        raise BuildError("partial must be true or false.", code="BUILD_INVALID_VALUE")
    nested = [_check_signed(vc, i) for i, vc in enumerate(verifiable_credential)]
    achievements = [a.to_dict() for a in achievement]
    known_ids = {a["id"] for a in achievements} | {
        _achievement_id(vc) for vc in nested
    }
    associations = [a.to_dict() for a in association]
    for assoc in associations:
        for key in ("sourceId", "targetId"):
            if assoc[key] not in known_ids:
                raise BuildError(
                    f"Association {key} {assoc[key]!r} names no achievement in this CLR.",
                    code="BUILD_INVALID_VALUE",
                )
    subject = {
        "type": ["ClrSubject"],
        **subject_identity(subject_id, identifier, "CLR subject"),
        **c.drop_none({"achievement": achievements, "association": associations}),
        "verifiableCredential": nested,
    }
    doc = envelope(
        types=["ClrCredential"], issuer=issuer, credential_id=credential_id,
        valid_from=valid_from, valid_until=valid_until, name=name, description=description,
        image=image, awarded_date=awarded_date, evidence=evidence, endorsement=endorsement,
        credential_status=credential_status, credential_schema=credential_schema,
        refresh_service=refresh_service, terms_of_use=terms_of_use,
    )
    if partial is not None:
        doc = {**doc, "partial": partial}
    return with_context(insert_subject(doc, subject), c.CLR_CONTEXTS)


def _achievement_id(credential: Mapping[str, Any]) -> Any:
    subjects = credential.get("credentialSubject")
    for subject in subjects if isinstance(subjects, list) else [subjects]:
        if isinstance(subject, Mapping):
            achievement = subject.get("achievement")
            if isinstance(achievement, Mapping):
                return achievement.get("id")
    return None

"""Building unsigned credentials: `build_credential` (pure), and `Batch`, which reuses a
checked template per row shape (`issuing.template`) so a batch builds each shape once."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from microdegree import config
from microdegree.catalog.achievement import achievement_builder, issuer_profile
from microdegree.catalog.models import AchievementVersion
from microdegree.institutions.models import Institution
from microdegree.issuing import template
from microdegree.issuing.models import IssuedCredential
from microdegree.issuing.services._common import add_months, iso, json_number, normalise_email
from microdegree.issuing.services.limits import capped_credits
from microdegree.issuing.services.rows import AwardRow
from microdegree.vc import builders as b
from microdegree.vc.builders.identity import hash_identity, plain_identity
from microdegree.vc.schema import OB_ACHIEVEMENT_CREDENTIAL
from microdegree.vc.status import status_entry

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuiltAchievement:
    """An Achievement built and checked once per batch (the core builder only calls to_dict)."""

    document: dict[str, Any]
    name: str

    def to_dict(self) -> dict[str, Any]:
        return self.document


def issuer_without_address(inst: Institution) -> b.Profile:
    """The issuer Profile without the address: `achievement.creator` (the same institution)
    already states it in the same credential, and two identical address nodes would give the
    RDFC canonicaliser equal first-degree blank-node hashes, pushing every credential off the
    core's fast path (about 3x slower to sign)."""
    full = issuer_profile(inst)
    return b.Profile(id=full.id, name=full.name, url=full.url, email=full.email)


def build_credential(
    version: AchievementVersion,
    *,
    recipient_email: str,
    recipient_name: str | None = None,
    recipient_did: str | None = None,
    salt: str,
    credential_id: str,
    issued_at: datetime,
    status_entries: Sequence[dict[str, Any]],
    credits_earned: float | None = None,
    result: str | None = None,
    narrative: str | None = None,
    evidence_url: str | None = None,
    activity_start: datetime | date | None = None,
    activity_end: datetime | date | None = None,
    components: Sequence[IssuedCredential] = (),
    achievement: Any = None,
    issuer: b.Profile | None = None,
) -> dict[str, Any]:
    """The unsigned OB 3.0 AchievementCredential (no database writes), built by the core.

    The recipient is a salted `sha256$` IdentityObject of the e-mail address (never the plain
    address), plus an unhashed `name` IdentityObject only when a name is given. A microdegree
    names each component credential as an `evidence` entry whose `id` is that credential's id,
    and carries the summed `creditsEarned`, at most its `creditsAvailable`
    (docs/adr/0004-microdegree-components.md).
    `achievement` (an object with `to_dict()`) and `issuer` let a batch build them once.
    """
    inst = version.definition.institution
    identifiers = [hash_identity(normalise_email(recipient_email), salt, "emailAddress")]
    if recipient_name:
        identifiers.append(plain_identity(recipient_name, "name"))
    if components and credits_earned is None:  # at most what the microdegree offers
        credits_earned = capped_credits(version, sum(c.credits_earned or 0 for c in components))
    evidence: list[b.Evidence] = []
    if evidence_url:
        evidence.append(b.Evidence(id=evidence_url, name="Evidence"))
    for part in components:
        part_name = part.achievement_version.name
        credits = (f", {json_number(part.credits_earned)} credits"
                   if part.credits_earned is not None else "")
        evidence.append(b.Evidence(
            id=part.credential_id, name=part_name, genre="Component credential",
            description=f"Component credential: {part_name}{credits}.",
        ))
    return b.OpenBadgeCredential(
        issuer=issuer or issuer_without_address(inst),
        achievement=achievement or achievement_builder(version),
        subject_id=recipient_did or None,
        identifier=identifiers,
        credential_id=credential_id,
        valid_from=iso(issued_at),
        valid_until=(iso(add_months(issued_at, version.validity_months))
                     if version.validity_months else None),
        awarded_date=iso(issued_at),
        name=version.name,
        credits_earned=json_number(credits_earned),
        result=[b.Result(value=str(result), status="Completed")] if result else (),
        narrative=narrative or None,
        activity_start_date=iso(activity_start) if activity_start is not None else None,
        activity_end_date=iso(activity_end) if activity_end is not None else None,
        evidence=evidence,
        credential_status=[dict(e) for e in status_entries],
        credential_schema=_schema_for(status_entries),
    ).to_dict()


def _row_values(row: AwardRow) -> dict[str, Any]:
    """The builder's per-row arguments (besides salt, id, status and components)."""
    return {
        "recipient_email": row.recipient_email,
        "recipient_name": row.recipient_name or None,
        "recipient_did": row.recipient_did or None,
        "credits_earned": row.credits_earned,
        "result": row.result or None,
        "narrative": row.narrative or None,
        "evidence_url": row.evidence_url or None,
        "activity_start": row.activity_start,
        "activity_end": row.activity_end,
    }


def _schema_for(status_entries: Sequence[Mapping[str, Any]]) -> list[str] | None:
    # The OB schemas allow one credentialStatus object (see `embed_suspension`).
    return [OB_ACHIEVEMENT_CREDENTIAL] if len(status_entries) <= 1 else None


class Batch:
    """Builds a batch's unsigned credentials: `build_credential` for the first row of each row
    shape, then that shape's template (`issuing.template`) once it reproduced the builder's
    output for that row, byte for byte as JSON. Rows with components always use the builder."""

    def __init__(self, version: AchievementVersion, *, issued_at: datetime,
                 achievement: Any, issuer: b.Profile) -> None:
        self.version, self.issued_at = version, issued_at
        self.achievement, self.issuer = achievement, issuer
        self.templates: dict[template.Shape, template.CredentialTemplate | None] = {}

    def _builder(self, row: AwardRow, *, salt: str, credential_id: str,
                 status_entries: Sequence[dict[str, Any]],
                 components: Sequence[IssuedCredential] = ()) -> dict[str, Any]:
        return build_credential(
            self.version, **_row_values(row), salt=salt, credential_id=credential_id,
            issued_at=self.issued_at, status_entries=status_entries, components=components,
            achievement=self.achievement, issuer=self.issuer)

    def build(self, row: AwardRow, *, salt: str, credential_id: str,
              status_entries: Sequence[dict[str, Any]],
              components: Sequence[IssuedCredential] = ()) -> dict[str, Any]:
        if components or not use_templates():
            return self._builder(row, salt=salt, credential_id=credential_id,
                                 status_entries=status_entries, components=components)
        shape = template.shape_of(row)
        if shape not in self.templates:
            built = self._builder(row, salt=salt, credential_id=credential_id,
                                  status_entries=status_entries)
            self.templates[shape] = self._template(shape, len(status_entries))
            if self.templates[shape] is not None and self._fill(
                shape, row, salt, credential_id, status_entries
            ) != built:
                log.warning("credential template differs from the builder; using the builder")
                self.templates[shape] = None
            return built
        if self.templates[shape] is None:
            return self._builder(row, salt=salt, credential_id=credential_id,
                                 status_entries=status_entries)
        return self._fill(shape, row, salt, credential_id, status_entries)

    def _fill(self, shape: template.Shape, row: AwardRow, salt: str, credential_id: str,
              status_entries: Sequence[dict[str, Any]]) -> dict[str, Any]:
        compiled = self.templates[shape]
        assert compiled is not None
        return compiled.fill(template.slot_values(
            shape, email=normalise_email(row.recipient_email), salt=salt,
            credential_id=credential_id, status_entries=[dict(e) for e in status_entries],
            credential_schema=_schema_for(status_entries),
            name=row.recipient_name or None, did=row.recipient_did or None,
            credits=json_number(row.credits_earned), result=row.result or None,
            narrative=row.narrative or None, evidence=row.evidence_url or None,
            start=iso(row.activity_start) if row.activity_start is not None else None,
            end=iso(row.activity_end) if row.activity_end is not None else None,
        ))

    def _template(self, shape: template.Shape, entries: int
                  ) -> template.CredentialTemplate | None:
        s = template.Sentinels.new()
        status = [status_entry(f"https://status{n}.{s.salt}.invalid/list", n, "revocation")
                  for n in range(entries)]
        unsigned = build_credential(
            self.version, recipient_email=s.email, salt=s.salt, credential_id=s.credential_id,
            issued_at=self.issued_at, status_entries=status,
            recipient_name=s.name if shape.name else None,
            recipient_did=s.did if shape.did else None,
            credits_earned=s.credits if shape.credits else None,
            result=s.result if shape.result else None,
            narrative=s.narrative if shape.narrative else None,
            evidence_url=s.evidence if shape.evidence else None,
            activity_start=s.start if shape.start else None,
            activity_end=s.end if shape.end else None,
            achievement=self.achievement, issuer=self.issuer)
        slots: dict[Any, str] = {
            s.credential_id: "credential_id", s.salt: "salt",
            hash_identity(s.email, s.salt, "emailAddress")["identityHash"]: "identity_hash",
        }
        for on, value, name in (
            (shape.name, s.name, "name"), (shape.did, s.did, "did"),
            (shape.credits, s.credits, "credits"), (shape.result, s.result, "result"),
            (shape.narrative, s.narrative, "narrative"),
            (shape.evidence, s.evidence, "evidence"),
            (shape.start, iso(s.start), "start"), (shape.end, iso(s.end), "end"),
        ):
            if on:
                slots[value] = name
        try:
            return template.CredentialTemplate(unsigned, slots)
        except template.TemplateError:
            log.warning("no credential template for this shape; using the builder",
                        exc_info=True)
            return None


def use_templates() -> bool:
    """`MICRODEGREE_ISSUING_TEMPLATES=0` builds every credential with the builder."""
    return config.env_bool("ISSUING_TEMPLATES", True)

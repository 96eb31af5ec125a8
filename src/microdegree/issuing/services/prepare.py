"""Preparing a batch: validate the rows, allocate status indices in bulk, build and sign.

Nothing is stored here: `prepare_issue` returns JSON-serialisable dicts that a job may persist
and `awarding.store_issued` stores later.
"""

from __future__ import annotations

import secrets
import uuid as uuid_mod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from microdegree.catalog.achievement import achievement_builder
from microdegree.catalog.models import AchievementVersion
from microdegree.institutions import services as inst_services
from microdegree.institutions.models import Institution
from microdegree.issuing import doctext, statuslists
from microdegree.issuing.errors import Invalid
from microdegree.issuing.models import IssuedCredential
from microdegree.issuing.services._common import (
    add_months,
    check_can_award,
    embed_suspension,
    iso,
    json_number,
)
from microdegree.issuing.services.building import Batch, BuiltAchievement, issuer_without_address
from microdegree.issuing.services.limits import achievement_limits, capped_credits
from microdegree.issuing.services.rows import AwardRow, PreparedAward, validate_row
from microdegree.vc import proofs
from microdegree.vc.status import status_entry


@dataclass(frozen=True)
class Signer:
    """An institution's decrypted key, its verification method and suite: open once per batch."""

    institution: Institution
    key: Any
    verification_method: str
    suite: str

    def sign(self, document: dict[str, Any]) -> dict[str, Any]:
        return proofs.sign(document, self.key, verification_method=self.verification_method,
                             suite=self.suite)


def prepare_signer(inst: Institution) -> Signer:
    key, vm = inst_services.signer_for(inst)
    return Signer(institution=inst, key=key, verification_method=vm, suite=inst.suite)


def prepare_issue(
    version: AchievementVersion,
    rows: Sequence[AwardRow | Mapping[str, Any]],
    *,
    signer: Signer | None = None,
    issued_at: datetime | None = None,
) -> list[dict[str, Any]]:
    """Validate, allocate status indices (in bulk), build and sign: one dict per row.

    Each dict is JSON-serialisable: `uuid`, `credential_id`, `salt`, `issued_at`, `valid_until`,
    `status_list_id`, `status_index`, `suspension_list_id`, `suspension_index`, `document` (the
    exact signed text to store) and `row` (the validated row). Nothing is stored yet: pass the
    list to `store_issued`. Allocated indices of rows never stored are simply never used.
    """
    inst = check_can_award(version)
    signer = signer or prepare_signer(inst)
    if signer.institution.pk != inst.pk:
        raise Invalid("The signer belongs to another institution.", code="SIGNER_MISMATCH")
    valid = [validate_row(r) for r in rows]
    if not valid:
        return []
    limits = achievement_limits(version)
    for row in valid:  # credits and result within what the achievement offers
        limits.check(row.credits_earned, row.result)
    if version.definition.is_microdegree and any(not r.components for r in valid):
        raise Invalid("A microdegree is awarded with its component credentials (it is awarded "
                      "automatically when its pathway is complete).", code="COMPONENTS_REQUIRED")
    built = achievement_builder(version)
    achievement = BuiltAchievement(document=built.to_dict(), name=built.name)
    issuer = issuer_without_address(inst)
    moment = (issued_at or timezone.now()).astimezone(UTC).replace(microsecond=0)
    valid_until = (add_months(moment, version.validity_months)
                   if version.validity_months else None)
    with transaction.atomic():  # one commit for both lists (always revocation first: no deadlock)
        revocation = statuslists.allocate_indices(inst, "revocation", len(valid))
        suspension = statuslists.allocate_indices(inst, "suspension", len(valid))
    parts_by_pk = _components(inst, {pk for r in valid for pk in r.components})
    with_suspension = embed_suspension()
    batch = Batch(version, issued_at=moment, achievement=achievement, issuer=issuer)
    # Each row's uuid4 and salt from one read of the CSPRNG (os.urandom, as uuid4 and
    # token_hex read it): one syscall per batch instead of two per row.
    randomness = secrets.token_bytes(32 * len(valid))
    issued_iso = iso(moment)  # the batch's shared values, formatted once
    until_iso = iso(valid_until) if valid_until else None
    urls: dict[int, str] = {}  # StatusList.url per list (a property that formats each time)
    out: list[dict[str, Any]] = []  # PreparedAward dicts
    document_text = doctext.BatchText()
    for n, (row, (rev_list, rev_index), (sus_list, sus_index)) in enumerate(zip(
        valid, revocation, suspension, strict=True
    )):
        drawn = randomness[32 * n:32 * n + 32]
        cred_uuid = uuid_mod.UUID(bytes=drawn[:16], version=4)  # = uuid.uuid4()
        credential_id = f"urn:uuid:{cred_uuid}"
        salt = drawn[16:].hex()  # = secrets.token_hex(16)
        rev_url = urls.get(rev_list.pk) or urls.setdefault(rev_list.pk, rev_list.url)
        entries = [status_entry(rev_url, rev_index, "revocation")]
        if with_suspension:
            sus_url = urls.get(sus_list.pk) or urls.setdefault(sus_list.pk, sus_list.url)
            entries.append(status_entry(sus_url, sus_index, "suspension"))
        parts = [parts_by_pk[pk] for pk in row.components]
        unsigned = batch.build(row, salt=salt, credential_id=credential_id,
                               status_entries=entries, components=parts)
        signed = signer.sign(unsigned)
        credits = row.credits_earned
        if credits is None and parts:
            credits = capped_credits(version, sum(p.credits_earned or 0 for p in parts))
        prepared = PreparedAward({
            "uuid": str(cred_uuid),
            "credential_id": credential_id,
            "salt": salt,
            "issued_at": issued_iso,
            "valid_until": until_iso,
            "credits_earned": credits,
            "status_list_id": rev_list.pk,
            "status_index": rev_index,
            "suspension_list_id": sus_list.pk,
            "suspension_index": sus_index,
            "document": document_text(signed, credits=json_number(credits)),
            "row": row.as_dict(),
        })
        prepared.validated = row
        out.append(prepared)
    return out


def _components(inst: Institution, pks: Iterable[int]) -> dict[int, IssuedCredential]:
    pks = set(pks)
    if not pks:
        return {}
    found = {
        c.pk: c for c in IssuedCredential.objects.select_related("achievement_version")
        .filter(pk__in=pks, institution=inst)
    }
    if set(found) != pks:
        raise Invalid("A component credential does not exist at this institution.",
                      code="COMPONENT_UNKNOWN")
    return found

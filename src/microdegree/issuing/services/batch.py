"""Batch storing: the steps `awarding.store_issued` takes to turn prepared awards into rows.

`stored_under_keys` (idempotency keys already used), `plan` (one new instance per row, or the
stored credential for a key already used, or a pointer to the first row with the same key),
`_insert` (one bulk insert, COPY on PostgreSQL; one savepoint per row after a concurrent key
clash), `resolve` (one stored credential per prepared row, in order).
"""

from __future__ import annotations

import functools
import uuid as uuid_mod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from microdegree.catalog.models import AchievementVersion
from microdegree.institutions.models import Institution
from microdegree.issuing import copyinsert
from microdegree.issuing.errors import Conflict
from microdegree.issuing.models import IssuedCredential
from microdegree.issuing.services.rows import AwardRow


@dataclass
class Plan:
    """What storing does with each prepared row, in the rows' order."""

    #: the stored credential (a key already used), a new instance, or None for a key repeated
    #: in this batch (it resolves to the first row with that key)
    results: list[IssuedCredential | None] = field(default_factory=list)
    #: the new instances to insert, each with its row
    new: list[tuple[IssuedCredential, AwardRow]] = field(default_factory=list)
    #: each idempotency key of the batch: the index of its first row
    first_row: dict[str, int] = field(default_factory=dict)


def stored_under_keys(inst: Institution, rows: Sequence[AwardRow]
                      ) -> dict[str, IssuedCredential]:
    """The credentials already stored under the rows' idempotency keys, by key."""
    keys = [r.idempotency_key for r in rows if r.idempotency_key]
    return {
        c.idempotency_key: c
        for c in IssuedCredential.objects.filter(institution=inst, idempotency_key__in=keys)
    }


class _NewCredential:
    """Builds a prepared row's unsaved `IssuedCredential` (fast constructor, relations cached)."""

    def __init__(self, actor: Any, inst: Institution, version: AchievementVersion) -> None:
        self.inst, self.version = inst, version
        self.user = actor if getattr(actor, "is_authenticated", False) else None
        self.when = functools.lru_cache(maxsize=8)(parse_datetime)  # a batch shares its dates
        self.cache_institution = IssuedCredential.institution.field.set_cached_value
        self.cache_version = IssuedCredential.achievement_version.field.set_cached_value
        self.cache_user = IssuedCredential.issued_by.field.set_cached_value

    def __call__(self, item: Mapping[str, Any], row: AwardRow) -> IssuedCredential:
        when, user = self.when, self.user
        cred = copyinsert.new_instance(IssuedCredential, {
            "uuid": uuid_mod.UUID(item["uuid"]),
            "institution_id": self.inst.pk,
            "achievement_version_id": self.version.pk,
            "recipient_email": row.recipient_email,
            "recipient_name": row.recipient_name,
            "recipient_identifier": row.recipient_identifier,
            "recipient_did": row.recipient_did,
            "identity_salt": item["salt"],
            "document": item["document"],
            "credential_id": item["credential_id"],
            "issued_at": when(item["issued_at"]),
            "valid_from": when(item["issued_at"]),
            "valid_until": when(item["valid_until"]) if item["valid_until"] else None,
            "credits_earned": item.get("credits_earned", row.credits_earned),
            "result_value": row.result,
            "narrative": row.narrative,
            "evidence_url": row.evidence_url,
            "status_list_id": item["status_list_id"],
            "status_index": item["status_index"],
            "suspension_list_id": item["suspension_list_id"],
            "suspension_index": item["suspension_index"],
            "idempotency_key": row.idempotency_key,
            "issued_by_id": user.pk if user is not None else None,
        })
        # what IssuedCredential(institution=..., ...) would cache on the instance
        self.cache_institution(cred, self.inst)
        self.cache_version(cred, self.version)
        if user is not None:
            self.cache_user(cred, user)
        return cred


def plan(actor: Any, inst: Institution, version: AchievementVersion,
         prepared: Sequence[Mapping[str, Any]], rows: Sequence[AwardRow],
         existing: Mapping[str, IssuedCredential]) -> Plan:
    """Decide each row: the stored credential for a key already used (the same award, or a
    Conflict), nothing for a key repeated in the batch (the first one wins), else a new one."""
    out = Plan()
    new_credential = _NewCredential(actor, inst, version)
    for item, row in zip(prepared, rows, strict=True):
        key = row.idempotency_key
        if key and key in existing:
            out.results.append(existing_for_key(inst, key, row, version, existing[key]))
            continue
        if key and key in out.first_row:  # the same key twice in one batch: first one wins
            out.results.append(None)
            continue
        if key:
            out.first_row[key] = len(out.results)
        cred = new_credential(item, row)
        out.results.append(cred)
        out.new.append((cred, row))
    return out


def resolve(planned: Plan, rows: Sequence[AwardRow],
            stored: Mapping[uuid_mod.UUID, IssuedCredential]) -> list[IssuedCredential]:
    """One credential per row: what `_insert` stored (or found stored) for each new instance;
    a key repeated in the batch resolves to its first row's."""
    results = list(planned.results)
    for index, maybe in enumerate(results):
        if maybe is None:  # the same key twice in one batch resolves to its first row
            key = rows[index].idempotency_key
            assert key is not None
            maybe = results[planned.first_row[key]]
        assert maybe is not None
        results[index] = stored.get(maybe.uuid, maybe)
    return [c for c in results if c is not None]


def existing_for_key(inst: Institution, key: str, row: AwardRow,
                     version: AchievementVersion,
                     existing: IssuedCredential | None = None) -> IssuedCredential:
    """The credential already stored under `key`: the same award, or a Conflict."""
    if existing is None:
        existing = IssuedCredential.objects.get(institution=inst, idempotency_key=key)
    if (existing.recipient_email != row.recipient_email
            or existing.achievement_version_id != version.pk):
        raise Conflict(
            _("This idempotency key was already used for a different award."),
            code="IDEMPOTENCY_KEY_REUSED",
        )
    return existing


def insert(inst: Institution, version: AchievementVersion,
           new: list[tuple[IssuedCredential, AwardRow]]) -> dict[uuid_mod.UUID, IssuedCredential]:
    """Bulk insert; on a concurrent idempotency-key clash fall back to one savepoint per row."""
    if not new:
        return {}
    out: dict[uuid_mod.UUID, IssuedCredential] = {}
    try:
        with transaction.atomic():
            copyinsert.insert_rows(IssuedCredential, [c for c, _ in new])
    except IntegrityError:
        for cred, row in new:
            try:
                with transaction.atomic():
                    cred.save(force_insert=True)
            except IntegrityError:
                cred.pk = None
                if not row.idempotency_key:
                    raise
                out[cred.uuid] = existing_for_key(inst, row.idempotency_key, row, version)
                continue
            out[cred.uuid] = cred
    else:
        if any(c.pk is None for c, _ in new):  # a backend that returns no ids
            by_uuid = {c.uuid: c for c in IssuedCredential.objects.filter(
                uuid__in=[c.uuid for c, _ in new])}
            for cred, _row in new:
                cred.pk = by_uuid[cred.uuid].pk
        out = {c.uuid: c for c, _ in new}
    through = IssuedCredential.components.through
    links = [
        through(from_issuedcredential_id=out[c.uuid].pk, to_issuedcredential_id=pk)
        for c, row in new for pk in row.components
        if out[c.uuid] is c  # freshly inserted, not an idempotent replay
    ]
    if links:
        through.objects.bulk_create(links, ignore_conflicts=True)
    return out

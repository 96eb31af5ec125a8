"""Awarding: store prepared credentials, issue one or many, award completed pathways.

`store_issued`, `issue_credential` and `pathway_check` call one another (an award may complete
a microdegree, whose award is an award), so they live together; the steps are elsewhere:
`prepare` (validate, allocate, build, sign), `batch` (the rows stored), `issued_audit` (their
audit entries), `pathways` (which microdegrees are completed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.db import transaction

from microdegree.catalog import services as catalog_services
from microdegree.catalog.models import AchievementVersion
from microdegree.institutions.models import Institution
from microdegree.issuing import mail
from microdegree.issuing.models import IssuedCredential, PendingMicrodegree
from microdegree.issuing.services import batch, issued_audit
from microdegree.issuing.services import pathways as _pathways
from microdegree.issuing.services._common import check_can_award
from microdegree.issuing.services.limits import capped_credits
from microdegree.issuing.services.prepare import prepare_issue
from microdegree.issuing.services.rows import AwardRow, validate_row, validated
from microdegree.webhooks import payloads as hook_data
from microdegree.webhooks.outbox import emit


def store_issued(
    actor: Any,
    version: AchievementVersion,
    prepared: Sequence[dict[str, Any]],
    *,
    send_email: bool = True,
    check_pathways: bool = True,
    keys_unused: bool = False,
) -> list[IssuedCredential]:
    """Store prepared credentials verbatim in one transaction; one result per prepared row.

    A row whose idempotency key is already stored returns the stored credential instead (nothing is
    issued twice). Then: the version is marked awarded, each award is audited, e-mails go out after
    commit, and microdegrees the recipients now complete are awarded (or queued for approval).

    `keys_unused=True` skips the look-up of stored keys before the insert: for a caller that
    knows its keys are not stored yet (the bulk worker, which holds its rows locked while they
    are pending). Idempotency does not depend on it: the keys are unique in the database, so a
    key that is stored after all makes the bulk insert fail and `batch.insert` resolves each row
    on its own (the stored credential for the same award, a Conflict for another), as here.
    """
    inst = check_can_award(version)
    with transaction.atomic():
        rows = [validated(p) for p in prepared]
        existing = {} if keys_unused else batch.stored_under_keys(inst, rows)
        planned = batch.plan(actor, inst, version, prepared, rows, existing)
        stored = batch.insert(inst, version, planned.new)
        fresh = [c for c, _ in planned.new if stored[c.uuid] is c]
        results = batch.resolve(planned, rows, stored)
        _after_storing(actor, inst, version, fresh, send_email=send_email,
                       check_pathways=check_pathways)
    return results


def _after_storing(actor: Any, inst: Institution, version: AchievementVersion,
                   fresh: Sequence[IssuedCredential], *, send_email: bool,
                   check_pathways: bool) -> None:
    """What follows newly stored credentials, in their transaction: the version is marked
    awarded, each is audited, e-mails go out after commit, pathways are checked."""
    if fresh and version.awarded_at is None:  # (once awarded, a version never changes)
        catalog_services.mark_awarded(version)
    issued_audit.write(actor, inst, fresh)
    emit("credential.issued", inst, lambda: hook_data.credentials(fresh))
    emit("microdegree.completed", inst, lambda: hook_data.microdegrees(version, fresh))
    if send_email and fresh:
        ids = [c.pk for c in fresh]
        transaction.on_commit(lambda: mail.send_award_emails(ids))
    if check_pathways and fresh:
        containing = catalog_services.pathways_containing(version.definition)
        if containing:  # looked up once per batch: most achievements are in no pathway
            for email in dict.fromkeys(c.recipient_email for c in fresh):
                pathway_check(actor, inst, version, email, send_email=send_email,
                              pathways=containing)


def issue_many(
    actor: Any,
    version: AchievementVersion,
    rows: Sequence[AwardRow | Mapping[str, Any]],
    *,
    send_email: bool = True,
    check_pathways: bool = True,
) -> list[IssuedCredential]:
    """Issue several credentials of one version in one transaction (key opened once)."""
    with transaction.atomic():
        prepared = prepare_issue(version, rows)
        return store_issued(actor, version, prepared, send_email=send_email,
                            check_pathways=check_pathways)


def issue_credential(
    actor: Any,
    version: AchievementVersion,
    *,
    recipient_email: str,
    recipient_name: str = "",
    recipient_identifier: str = "",
    recipient_did: str = "",
    credits_earned: float | None = None,
    result: str = "",
    narrative: str = "",
    evidence_url: str = "",
    activity_start: datetime | date | str | None = None,
    activity_end: datetime | date | str | None = None,
    components: Sequence[IssuedCredential | int] = (),
    idempotency_key: str | None = None,
    send_email: bool = True,
    check_pathways: bool = True,
) -> IssuedCredential:
    """Award `version` to one recipient: signed, stored verbatim, e-mailed, pathways checked.

    With an `idempotency_key` already used at this institution for the same award, returns the
    stored credential and issues nothing (a different award under the same key is a Conflict).
    """
    row = validate_row({
        "recipient_email": recipient_email, "recipient_name": recipient_name,
        "recipient_identifier": recipient_identifier, "recipient_did": recipient_did,
        "credits_earned": credits_earned, "result": result, "narrative": narrative,
        "evidence_url": evidence_url, "activity_start": activity_start,
        "activity_end": activity_end, "idempotency_key": idempotency_key,
        "components": list(components),
    })
    inst = check_can_award(version)
    with transaction.atomic():
        if row.idempotency_key and IssuedCredential.objects.filter(
            institution=inst, idempotency_key=row.idempotency_key
        ).exists():
            return batch.existing_for_key(inst, row.idempotency_key, row, version)
        prepared = prepare_issue(version, [row])
        return store_issued(actor, version, prepared, send_email=send_email,
                            check_pathways=check_pathways)[0]


def pathway_check(
    actor: Any, inst: Institution, version: AchievementVersion, email: str, *,
    send_email: bool = True, pathways: Sequence[AchievementVersion] | None = None,
) -> list[IssuedCredential | PendingMicrodegree]:
    """Award (or queue for approval) every microdegree containing `version` that `email` completes.

    Only the recipient's valid credentials at the microdegree's institution count. A microdegree
    already held (not revoked) or already waiting for approval is not awarded again. `pathways`
    (catalog.services.pathways_containing of the version's definition) saves the look-up.
    """
    out: list[IssuedCredential | PendingMicrodegree] = []
    for done in _pathways.completed(inst, version, email, pathways=pathways):
        credits = capped_credits(done.version, done.credits)
        if done.needs_approval:
            out.append(_pathways.queue_microdegree(actor, done.version, email, done.name,
                                                   done.parts, credits or 0.0))
        else:
            out.append(issue_credential(
                actor, done.version, recipient_email=email, recipient_name=done.name,
                credits_earned=credits, components=done.parts, send_email=send_email,
            ))
    return out

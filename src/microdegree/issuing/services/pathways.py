"""Pathways (microdegrees): which microdegrees a recipient now completes, and the queue of
those that wait for approval. Awarding them is `awarding.pathway_check`'s (an award may
complete a pathway, and awarding a microdegree is an award); deciding a queued one is
`approvals`'."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from microdegree.audit.services import log_action
from microdegree.catalog import rules as catalog_rules
from microdegree.catalog import services as catalog_services
from microdegree.catalog.models import AchievementVersion
from microdegree.institutions.models import Institution
from microdegree.issuing.models import IssuedCredential, PendingMicrodegree
from microdegree.issuing.services._common import State, normalise_email


def valid_credentials(inst: Institution, email: str) -> list[IssuedCredential]:
    """The recipient's active, unexpired credentials at `inst` (newest first)."""
    now = timezone.now()
    return list(
        IssuedCredential.objects.select_related("achievement_version")
        .filter(institution=inst, recipient_email=normalise_email(email), state=State.ACTIVE,
                valid_from__lte=now)
        .exclude(valid_until__lt=now)
        .order_by("-issued_at", "-id")
    )


def _holdings(creds: Sequence[IssuedCredential]) -> tuple[dict[int, float],
                                                           dict[int, IssuedCredential]]:
    holdings: dict[int, float] = {}
    best: dict[int, IssuedCredential] = {}
    for cred in creds:
        definition_id = cred.achievement_version.definition_id
        credits = cred.credits_earned
        if credits is None:
            credits = cred.achievement_version.credits_available or 0.0
        if definition_id not in holdings or credits > holdings[definition_id]:
            holdings[definition_id] = float(credits)
            best[definition_id] = cred
    return holdings, best


def holdings_by_learner(inst: Institution,
                        definitions: Collection[int]) -> list[dict[int, float]]:
    """Each current learner's holdings at `inst` among `definitions` (definition id -> the most
    credits earned, valid credentials only; learners holding none are left out): what the rule
    editor counts "would qualify" against, as `completed` evaluates one learner."""
    now = timezone.now()
    rows = (IssuedCredential.objects
            .filter(institution=inst, state=State.ACTIVE, valid_from__lte=now,
                    achievement_version__definition_id__in=list(definitions))
            .exclude(valid_until__lt=now)
            .values_list("recipient_email", "achievement_version__definition_id",
                         "credits_earned", "achievement_version__credits_available"))
    by_learner: dict[str, dict[int, float]] = {}
    for email, definition_id, earned, available in rows.iterator():
        credits = float(earned if earned is not None else available or 0.0)
        held = by_learner.setdefault(email, {})
        held[definition_id] = max(credits, held.get(definition_id, credits))
    return list(by_learner.values())


@dataclass(frozen=True)
class Completed:
    """A microdegree the recipient completes: to award, or to queue when `needs_approval`."""

    version: AchievementVersion
    name: str  # the recipient's name, from their credentials
    parts: list[IssuedCredential]
    credits: float
    needs_approval: bool


def completed(inst: Institution, version: AchievementVersion, email: str, *,
              pathways: Sequence[AchievementVersion] | None = None) -> Iterator[Completed]:
    """Every microdegree containing `version` that `email` completes, checked one at a time as
    the caller asks for the next (so an award made for one counts when the next is checked).

    Only the recipient's valid credentials at the microdegree's institution count. A microdegree
    already held (not revoked) or already waiting for approval is not due again. `pathways`
    (catalog.services.pathways_containing of the version's definition) saves the look-up.
    """
    if pathways is None:
        pathways = catalog_services.pathways_containing(version.definition)
    for md_version in pathways:
        md_inst = md_version.definition.institution
        if md_inst.pk != inst.pk or not md_version.rule:
            continue
        held = IssuedCredential.objects.filter(
            institution=md_inst, recipient_email=normalise_email(email),
            achievement_version__definition=md_version.definition,
        ).exclude(state=State.REVOKED)
        if held.exists() or PendingMicrodegree.objects.filter(
            achievement_version__definition=md_version.definition,
            recipient_email=normalise_email(email), state=PendingMicrodegree.State.PENDING,
        ).exists():
            continue
        creds = valid_credentials(md_inst, email)
        holdings, best = _holdings(creds)
        result = catalog_rules.evaluate(md_version.rule, holdings)
        if not result.satisfied:
            continue
        yield Completed(
            version=md_version,
            name=next((c.recipient_name for c in creds if c.recipient_name), ""),
            parts=[best[d] for d in result.components if d in best],
            credits=result.credits,
            needs_approval=md_inst.approve_microdegrees,
        )


def queue_microdegree(actor: Any, version: AchievementVersion, email: str, name: str,
                      parts: Sequence[IssuedCredential], credits: float) -> PendingMicrodegree:
    """Queue a completed microdegree for approval (`approvals` decides it)."""
    pending = PendingMicrodegree.objects.create(
        institution=version.definition.institution, achievement_version=version,
        recipient_email=normalise_email(email), recipient_name=name, credits=credits,
    )
    pending.components.set(parts)
    log_action(actor, "issuing.microdegree_pending", pending,
               institution_id=pending.institution_id,
               after={"recipient": pending.recipient_email, "version": version.pk,
                      "components": [p.credential_id for p in parts], "credits": credits})
    return pending

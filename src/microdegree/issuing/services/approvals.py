"""Deciding a microdegree queued for approval: approve (it is awarded) or reject."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microdegree.audit.services import log_action
from microdegree.issuing.errors import Conflict, Invalid
from microdegree.issuing.models import IssuedCredential, PendingMicrodegree
from microdegree.issuing.services.awarding import issue_credential
from microdegree.issuing.services.pathways import valid_credentials


def approve_microdegree(actor: Any, pending: PendingMicrodegree) -> IssuedCredential:
    """Issue a queued microdegree (its components must still be valid)."""
    with transaction.atomic():
        locked = PendingMicrodegree.objects.select_for_update().get(pk=pending.pk)
        if locked.state != PendingMicrodegree.State.PENDING:
            raise Conflict(_("This microdegree was already decided."), code="ALREADY_DECIDED")
        parts = list(locked.components.select_related("achievement_version"))
        valid_ids = {c.pk for c in valid_credentials(locked.institution, locked.recipient_email)}
        if any(p.pk not in valid_ids for p in parts):
            raise Conflict(_("A component credential is no longer valid (revoked, suspended or "
                             "expired)."), code="COMPONENT_INVALID")
        cred = issue_credential(
            actor, locked.achievement_version, recipient_email=locked.recipient_email,
            recipient_name=locked.recipient_name, credits_earned=locked.credits,
            components=parts, check_pathways=True,
        )
        locked.state = PendingMicrodegree.State.APPROVED
        locked.decided_at = timezone.now()
        locked.decided_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.credential = cred
        locked.save()
        log_action(actor, "issuing.microdegree_approved", locked,
                   institution_id=locked.institution_id,
                   before={"state": PendingMicrodegree.State.PENDING},
                   after={"state": locked.state, "credential_id": cred.credential_id})
    pending.state = locked.state
    return cred


def reject_microdegree(actor: Any, pending: PendingMicrodegree, reason: str) -> PendingMicrodegree:
    if not (reason or "").strip():
        raise Invalid(_("Give a reason."), code="REASON_REQUIRED")
    with transaction.atomic():
        locked = PendingMicrodegree.objects.select_for_update().get(pk=pending.pk)
        if locked.state != PendingMicrodegree.State.PENDING:
            raise Conflict(_("This microdegree was already decided."), code="ALREADY_DECIDED")
        locked.state = PendingMicrodegree.State.REJECTED
        locked.decided_at = timezone.now()
        locked.decided_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.save()
        log_action(actor, "issuing.microdegree_rejected", locked,
                   institution_id=locked.institution_id,
                   before={"state": PendingMicrodegree.State.PENDING},
                   after={"state": locked.state}, note=reason.strip())
    return locked

"""Status changes: revoke, suspend, unsuspend (each moves the credential's bits with
`statuslists.move_to`), and reissue (a corrected copy; the old one is revoked)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from microdegree.audit.services import log_action
from microdegree.issuing import statuslists
from microdegree.issuing.errors import Conflict, Invalid
from microdegree.issuing.models import IssuedCredential
from microdegree.issuing.services._common import State
from microdegree.issuing.services.awarding import issue_credential, pathway_check
from microdegree.webhooks import payloads as hook_data
from microdegree.webhooks.outbox import emit


def _snapshot(cred: IssuedCredential) -> dict[str, Any]:
    return {"state": cred.state, "reason": cred.state_reason,
            "credential_id": cred.credential_id}


def _change_state(actor: Any, cred: IssuedCredential, reason: str, action: str) -> IssuedCredential:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Give a reason.", code="REASON_REQUIRED")
    with transaction.atomic():
        locked = IssuedCredential.objects.select_for_update().get(pk=cred.pk)
        before = _snapshot(locked)
        statuslists.move_to(locked, "active" if action == "unsuspended" else action)
        locked.state_reason = reason
        locked.state_changed_at = timezone.now()
        locked.save(update_fields=["state", "state_reason", "state_changed_at"])
        log_action(actor, f"issuing.credential_{action}", locked,
                   institution_id=locked.institution_id, before=before, after=_snapshot(locked))
        emit(f"credential.{action}", locked.institution_id, lambda: hook_data.credential(locked))
        if action == "unsuspended":  # valid again: it may complete a pathway now
            pathway_check(actor, locked.institution, locked.achievement_version,
                          locked.recipient_email)
    cred.state, cred.state_reason = locked.state, locked.state_reason
    cred.state_changed_at = locked.state_changed_at
    return locked


def revoke(actor: Any, credential: IssuedCredential, reason: str) -> IssuedCredential:
    """Revoke for good: sets the credential's bit in its revocation list."""
    return _change_state(actor, credential, reason, "revoked")


def suspend(actor: Any, credential: IssuedCredential, reason: str) -> IssuedCredential:
    return _change_state(actor, credential, reason, "suspended")


def unsuspend(actor: Any, credential: IssuedCredential, reason: str) -> IssuedCredential:
    return _change_state(actor, credential, reason, "unsuspended")


def reissue(
    actor: Any, credential: IssuedCredential, *, reason: str,
    recipient_email: str | None = None, recipient_name: str | None = None,
    send_email: bool = True,
) -> IssuedCredential:
    """A corrected copy (e.g. a changed name or e-mail address) of an active credential.

    The new credential has the same achievement version, result, evidence and components; the
    old one is revoked with `reason` and points to its successor (`superseded_by`).
    """
    if not (reason or "").strip():
        raise Invalid("Give a reason.", code="REASON_REQUIRED")
    with transaction.atomic():
        old = IssuedCredential.objects.select_for_update().select_related(
            "achievement_version").get(pk=credential.pk)
        if old.state == State.REVOKED:
            raise Conflict("A revoked credential cannot be re-issued.", code="ALREADY_REVOKED")
        new = issue_credential(
            actor, old.achievement_version,
            recipient_email=recipient_email or old.recipient_email,
            recipient_name=old.recipient_name if recipient_name is None else recipient_name,
            recipient_identifier=old.recipient_identifier, recipient_did=old.recipient_did,
            credits_earned=old.credits_earned, result=old.result_value,
            narrative=old.narrative, evidence_url=old.evidence_url,
            components=list(old.components.all()), send_email=send_email,
            check_pathways=False,
        )
        revoke(actor, old, f"Superseded by {new.credential_id}: {reason.strip()}")
        IssuedCredential.objects.filter(pk=old.pk).update(superseded_by=new)
        log_action(actor, "issuing.credential_reissued", old, institution_id=old.institution_id,
                   before={"credential_id": old.credential_id,
                           "recipient": old.recipient_email, "name": old.recipient_name},
                   after={"credential_id": new.credential_id,
                          "recipient": new.recipient_email, "name": new.recipient_name},
                   note=reason.strip())
    credential.refresh_from_db()
    return new

"""Name and address changes: the learner asks for a corrected credential, staff decide, and
approval calls `issuing.services.reissue`."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from microdegree.audit.services import log_action
from microdegree.base.links import public_link
from microdegree.base.notify import notify
from microdegree.institutions.services import staff_addresses
from microdegree.issuing.models import IssuedCredential
from microdegree.records import auth
from microdegree.records import record as record_mod
from microdegree.records.models import (
    ReissueRequest,
)
from microdegree.records.services.accounts import RecordError, owned


def request_reissue(user: Any, item_key: str, *, reason: str, new_name: str = "",
                    new_email: str = "") -> ReissueRequest:
    """Ask the issuer to re-issue a credential of the learner's record with a new name and/or
    one of the learner's other verified addresses."""
    credential, _ = owned(user, item_key)
    if credential is None:
        raise RecordError(gettext("Only credentials issued on this platform can be re-issued "
                                  "here; ask their issuer."), code="NOT_PLATFORM", status=409)
    new_name = (new_name or "").strip()
    new_email = auth.normalise_email(new_email)
    reason = (reason or "").strip()
    if not reason:
        raise RecordError(gettext("Say why the credential should change."), code="REASON_REQUIRED")
    if new_email and new_email not in record_mod.verified_emails(user):
        raise RecordError(gettext("Confirm the new address first (add it under your addresses)."),
                          code="EMAIL_NOT_VERIFIED")
    if new_email == credential.recipient_email:
        new_email = ""
    if new_name == credential.recipient_name:
        new_name = ""
    if not new_name and not new_email:
        raise RecordError(gettext("Give a new name or another of your addresses."),
                          code="NO_CHANGE")
    if credential.state == IssuedCredential.State.REVOKED:
        raise RecordError(gettext("A revoked credential cannot be re-issued."),
                          code="ALREADY_REVOKED", status=409)
    with transaction.atomic():
        if ReissueRequest.objects.filter(credential=credential,
                                         state=ReissueRequest.State.PENDING).exists():
            raise RecordError(gettext("A request for this credential is already waiting."),
                              code="ALREADY_REQUESTED", status=409)
        req = ReissueRequest.objects.create(
            user=user, credential=credential, institution=credential.institution,
            new_name=new_name, new_email=new_email, reason=reason)
        log_action(user, "records.reissue_requested", req,
                   institution_id=credential.institution_id,
                   after={"credential_id": credential.credential_id,
                          "name_change": bool(new_name), "email_change": bool(new_email)})
        inst = credential.institution
        # staff who can decide hear of it (after the commit), in the institution's language
        notify("records/email/reissue_requested", {
            "institution": inst, "request": req, "credential": credential,
            "url": public_link(f"/institutions/{inst.slug}/reissue-requests/"),
        }, staff_addresses(inst, role="issuer"), language=inst.language)
    return req


def decide_reissue(actor: Any, req: ReissueRequest, *, approve: bool,
                   note: str = "") -> ReissueRequest:
    """Staff decision (the caller checked the issuer role): approval re-issues through
    `issuing.services.reissue`, which revokes the old credential and links it to the new one."""
    from microdegree.issuing import services as issuing

    with transaction.atomic():
        locked = ReissueRequest.objects.select_for_update().get(pk=req.pk)
        if locked.state != ReissueRequest.State.PENDING:
            raise RecordError(gettext("This request has already been decided."), code="DECIDED",
                              status=409)
        if approve:
            new = issuing.reissue(
                actor, locked.credential, reason=f"Learner's request: {locked.reason}",
                recipient_email=locked.new_email or None,
                recipient_name=locked.new_name or None,
            )
            locked.new_credential = new
            locked.state = ReissueRequest.State.DONE
        else:
            if not note.strip():
                raise RecordError(gettext("Say why the request is declined."),
                                  code="REASON_REQUIRED")
            locked.state = ReissueRequest.State.REJECTED
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.decision_note = note.strip()
        locked.save()
        log_action(actor, f"records.reissue_{locked.state}", locked,
                   institution_id=locked.institution_id,
                   after={"old": locked.credential.credential_id,
                          "new": locked.new_credential.credential_id
                          if locked.new_credential else None})
    return locked

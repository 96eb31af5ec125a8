"""A DID for the learner: bound to the record, so credentials can name it as the subject."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from microdegree.audit.services import log_action
from microdegree.records import auth
from microdegree.records.models import (
    LearnerDid,
    LearnerEmail,
)
from microdegree.records.services.accounts import RecordError, refresh_addressed


def bind_did(user: Any, did: str = "") -> tuple[LearnerDid, dict[str, Any] | None]:
    """Bind the learner's own did:key, or (no `did`) a new one generated for them.

    A generated key's secret is returned once as a Multikey key file and never stored. An own
    did:key is checked for form only (no proof of control yet: see ADR 0005).
    """
    from microdegree.vc import did as vc_did
    from microdegree.vc.errors import VcError
    from microdegree.vc.keys import Ed25519Key

    keyfile: dict[str, Any] | None = None
    did = (did or "").strip()
    if did:
        try:
            vc_did.did_key_document(did)
        except VcError as exc:
            raise RecordError(gettext("Give an Ed25519 did:key (did:key:z6Mk…)."),
                              code="DID_INVALID") from exc
    else:
        key = Ed25519Key.generate()
        did = vc_did.did_key(key)
        keyfile = key.to_keyfile()
    with transaction.atomic():
        if LearnerDid.objects.filter(did=did).exclude(user=user).exists():
            raise RecordError(gettext("This DID is bound to another record."), code="DID_TAKEN",
                              status=409)
        before = LearnerDid.objects.filter(user=user).first()
        LearnerDid.objects.filter(user=user).delete()
        bound = LearnerDid.objects.create(user=user, did=did, generated=keyfile is not None)
        log_action(user, "records.did_bound", bound,
                   before={"did": before.did} if before else None,
                   after={"did": did, "generated": bound.generated})
        refresh_addressed(user)
    return bound, keyfile


def unbind_did(user: Any) -> None:
    with transaction.atomic():
        bound = LearnerDid.objects.filter(user=user).first()
        if bound is None:
            raise RecordError(gettext("No DID is bound."), code="NOT_FOUND", status=404)
        log_action(user, "records.did_unbound", bound, before={"did": bound.did})
        bound.delete()
        refresh_addressed(user)


def did_for_email(email: str) -> str | None:
    """The DID of the learner who verified `email`, for issuers to name in new credentials
    (`issuing.services.issue_credential(recipient_did=...)`), or None."""
    owner = LearnerEmail.objects.filter(email=auth.normalise_email(email),
                                        verified_at__isnull=False).values("user_id").first()
    if owner is None:
        return None
    bound = LearnerDid.objects.filter(user_id=owner["user_id"]).first()
    return bound.did if bound else None

"""Access helpers (the credential, or the same 404 for "missing" and "not yours") and the
award e-mail sent again."""

from __future__ import annotations

import uuid as uuid_mod
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from microdegree.audit.services import log_action
from microdegree.institutions import services as inst_services
from microdegree.institutions.models import Institution
from microdegree.issuing import mail
from microdegree.issuing.errors import Conflict, NotFound
from microdegree.issuing.models import IssuedCredential


def resend_award_email(actor: Any, credential: IssuedCredential) -> IssuedCredential:
    """E-mail the award again to the credential's recipient, with a fresh claim link (a new
    expiry). The caller checked that `actor` may award at the institution. Staff never see
    the link: it is for the recipient's mailbox only."""
    if credential.state == IssuedCredential.State.REVOKED:
        raise Conflict(_("A revoked credential is not sent again."), code="ALREADY_REVOKED")
    with transaction.atomic():
        log_action(actor, "issuing.award_email_resent", credential,
                   institution_id=credential.institution_id,
                   after={"credential_id": credential.credential_id,
                          "claim_link_days": mail.claim_link_days()})
        pk = credential.pk
        transaction.on_commit(lambda: mail.send_award_emails([pk]))
    return credential


def credential_for(user: Any, slug: str, cred_uuid: Any, *, role: str = "viewer"
                   ) -> IssuedCredential:
    """The credential if `user` has `role` at its institution; the same 404 otherwise."""
    inst = inst_services.institution_for(user, slug, role=role)
    cred = _by_uuid(cred_uuid, inst)
    if cred is None:
        raise NotFound(_("No such credential."))
    return cred


def credential_by_uuid_for(user: Any, cred_uuid: Any, *, role: str = "viewer"
                           ) -> IssuedCredential:
    cred = _by_uuid(cred_uuid, None)
    if cred is None:
        raise NotFound(_("No such credential."))
    inst_services.institution_for(user, cred.institution.slug, role=role)
    return cred


def _by_uuid(cred_uuid: Any, inst: Institution | None) -> IssuedCredential | None:
    try:
        value = uuid_mod.UUID(str(cred_uuid))
    except ValueError:
        return None
    qs = IssuedCredential.objects.select_related("institution", "achievement_version",
                                                 "achievement_version__definition")
    if inst is not None:
        qs = qs.filter(institution=inst)
    return qs.filter(uuid=value).first()

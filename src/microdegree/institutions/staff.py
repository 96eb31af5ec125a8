"""Owners manage their staff: invite by e-mail, change a role, remove; the invitee accepts.

Every write is one transaction with one audit entry (`institution.invitation_sent`,
`_revoked`, `_accepted`, `institution.member_set`, `institution.member_removed`). Only owners
(and platform operators) act, and only on their own institution's members and invitations:
another institution's member or invitation is the same 404 as a missing one. The last owner
can be neither demoted nor removed (`services._keep_an_owner`). Why invitations are links with
a hashed token, and how an invitee without a staff account gets one:
docs/adr/0032-staff-invitations.md.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy

from microdegree.audit.services import log_action
from microdegree.base.links import public_link
from microdegree.base.tokens import token_hash
from microdegree.institutions.errors import Conflict, Invalid, NotFound, PermissionDenied
from microdegree.institutions.models import Institution, Invitation, Membership
from microdegree.institutions.services import (
    institution_for,
    lock_institution,
    remove_member,
    set_member,
)

log = logging.getLogger(__name__)

INVITATION_DAYS = 7  # how long an invitation link works
MAX_PENDING = 25  # pending invitations per institution (an owner cannot mass-mail strangers)
Role = Membership.Role
ROLE_LABELS = {Role.VIEWER: pgettext_lazy("role", "viewer"),
               Role.ISSUER: pgettext_lazy("role", "issuer"),
               Role.OWNER: pgettext_lazy("role", "owner")}


def _owner_only(actor: Any, inst: Institution) -> None:
    """Owners of `inst` and platform operators; others get institution_for's 404 or 403."""
    institution_for(actor, inst.slug, role="owner")


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise Invalid(gettext("Enter a valid e-mail address."), code="EMAIL_INVALID") from exc
    return email


def _clean_role(role: str) -> str:
    if role not in Role.values:
        raise Invalid(gettext("Choose a role: viewer, issuer or owner."), code="ROLE_INVALID")
    return role


def pending_invitations(inst: Institution) -> list[Invitation]:
    return list(Invitation.objects.filter(
        institution=inst, accepted_at__isnull=True, revoked_at__isnull=True,
        expires_at__gt=timezone.now()).select_related("invited_by"))


# --- invitations ----------------------------------------------------------------------------


def invite(actor: Any, inst: Institution, email: str, role: str) -> tuple[Invitation, bool]:
    """Invite `email` as `role`: the invitation and whether its e-mail went out.

    A pending invitation to the same address is withdrawn (its link stops working) and
    replaced: inviting again is how an owner resends. Someone already on the staff is not
    invited (change their role instead)."""
    email, role = _clean_email(email), _clean_role(role)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        _owner_only(actor, inst)
        lock_institution(inst)
        if Membership.objects.filter(institution=inst, user__email__iexact=email).exists():
            raise Conflict(gettext("%(email)s is already on the staff: change their role "
                                   "instead.") % {"email": email}, code="ALREADY_MEMBER")
        now = timezone.now()
        replaced = [i for i in pending_invitations(inst) if i.email == email]
        if len(pending_invitations(inst)) - len(replaced) >= MAX_PENDING:
            raise Conflict(gettext("%(n)d invitations are pending: withdraw some before "
                                   "inviting more.") % {"n": MAX_PENDING},
                           code="TOO_MANY_PENDING")
        for old in replaced:
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
            log_action(actor, "institution.invitation_revoked", old, institution_id=inst.pk,
                       before={"email": old.email, "role": old.role},
                       note="replaced by a new invitation")
        invitation = Invitation.objects.create(
            institution=inst, email=email, role=role, token_hash=token_hash(token),
            invited_by=actor if getattr(actor, "is_authenticated", False) else None,
            expires_at=now + timedelta(days=INVITATION_DAYS))
        log_action(actor, "institution.invitation_sent", invitation, institution_id=inst.pk,
                   after={"email": email, "role": role,
                          "expires_at": invitation.expires_at.isoformat()})
    # sent after the commit: a rolled-back invitation sends nothing
    return invitation, _send_invitation(invitation, token, actor)


def invitation_url(token: str) -> str:
    return public_link(f"/invitations/{token}")


def _send_invitation(invitation: Invitation, token: str, actor: Any) -> bool:
    inst = invitation.institution
    context = {"institution": inst, "role": ROLE_LABELS[Role(invitation.role)],
               "url": invitation_url(token), "days": INVITATION_DAYS,
               "inviter": getattr(actor, "email", "") or gettext("An owner")}
    body = render_to_string("institutions/email/invitation.txt", context)
    subject = gettext("Join %(name)s on Microdegree") % {"name": inst.name}
    try:
        mail.EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email]).send()
    except OSError:  # the invitation stands; inviting again sends a fresh link
        log.exception("Could not send the staff invitation %s", invitation.pk)
        return False
    return True


def revoke_invitation(actor: Any, inst: Institution, invitation_id: int) -> Invitation:
    """Withdraw a pending invitation: its link stops working."""
    with transaction.atomic():
        _owner_only(actor, inst)
        invitation = Invitation.objects.select_for_update().filter(
            institution=inst, pk=invitation_id).first()
        if invitation is None:
            raise NotFound(gettext("No such invitation."))
        if invitation.state_at(timezone.now()) != Invitation.State.PENDING:
            raise Conflict(gettext("This invitation is no longer pending."),
                           code="INVITATION_NOT_PENDING")
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        log_action(actor, "institution.invitation_revoked", invitation, institution_id=inst.pk,
                   before={"email": invitation.email, "role": invitation.role})
    return invitation


def invitation_for_token(token: str, *, lock: bool = False) -> Invitation:
    """The invitation a link names, if it can still be accepted; else a 404 or a 410 that says
    why (withdrawn, used, expired). `lock`: row-locked until the transaction ends."""
    rows = Invitation.objects.select_related("institution")
    if lock:
        rows = rows.select_for_update(of=("self",))
    invitation = rows.filter(token_hash=token_hash(token or "")).first()
    if invitation is None:
        raise NotFound(gettext("This invitation link is not valid."), code="INVITATION_INVALID")
    state = invitation.state_at(timezone.now())
    if state == Invitation.State.ACCEPTED:
        raise Conflict(gettext("This invitation has already been accepted. Sign in to work "
                               "for %(name)s.") % {"name": invitation.institution.name},
                       code="INVITATION_USED", status=410)
    if state == Invitation.State.REVOKED:
        raise Conflict(gettext("This invitation was withdrawn. Ask an owner of %(name)s for a "
                               "new one.") % {"name": invitation.institution.name},
                       code="INVITATION_WITHDRAWN", status=410)
    if state == Invitation.State.EXPIRED:
        raise Conflict(gettext("This invitation has expired. Ask an owner of %(name)s to "
                               "invite you again.") % {"name": invitation.institution.name},
                       code="INVITATION_EXPIRED", status=410)
    return invitation


def account_for(invitation: Invitation) -> Any:
    """The staff account of the invited address that signs in with a password, or None
    (the invitee then chooses a password on the invitation page)."""
    for user in get_user_model().objects.filter(email__iexact=invitation.email).order_by("pk"):
        if user.has_usable_password():
            return user
    return None


def accept(user: Any, token: str) -> Membership:
    """The signed-in `user` accepts: they must be the invited address's account."""
    with transaction.atomic():
        invitation = invitation_for_token(token, lock=True)  # pending under the lock: one use
        if (getattr(user, "email", "") or "").lower() != invitation.email:
            raise PermissionDenied(gettext(
                "This invitation is for %(email)s: sign out, then open the link again and "
                "sign in with that address.") % {"email": invitation.email},
                code="INVITATION_OTHER_ACCOUNT")
        if not user.has_usable_password():  # a learner record (signed in by e-mailed link)
            raise PermissionDenied(gettext(
                "This invitation is for a staff account: sign out of your learning record, "
                "open the link again and choose a password."),
                code="INVITATION_NEEDS_STAFF_ACCOUNT")
        inst = invitation.institution
        lock_institution(inst)
        if Membership.objects.filter(institution=inst, user=user).exists():
            raise Conflict(gettext("You are already on the staff of %(name)s.")
                           % {"name": inst.name}, code="ALREADY_MEMBER")
        member = Membership.objects.create(institution=inst, user=user, role=invitation.role)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        log_action(user, "institution.invitation_accepted", invitation, institution_id=inst.pk,
                   after={"user": str(user.email), "role": invitation.role})
    return member


def accept_with_new_password(token: str, password: str, *, name: str = "") -> tuple[Any,
                                                                                    Membership]:
    """An invitee without a password account chooses one: the e-mailed link proves the
    address (as a password reset link would). The new staff account signs in with its
    address; a learner account of the same address stays the learner's (ADR 0032)."""
    from django.contrib.auth import password_validation

    invitation = invitation_for_token(token)
    if account_for(invitation) is not None:
        raise Conflict(gettext("%(email)s already has an account: sign in to accept.")
                       % {"email": invitation.email}, code="ACCOUNT_EXISTS")
    user_model = get_user_model()
    with transaction.atomic():
        user = user_model.objects.filter(username__iexact=invitation.email).first()
        if user is not None and (user.has_usable_password()
                                 or (user.email or "").lower() != invitation.email):
            # an account named like the address but not of it: never take it over
            raise Conflict(gettext("An account with this name exists: ask an owner to invite "
                                   "its e-mail address."), code="ACCOUNT_EXISTS")
        if user is None:
            user = user_model(username=invitation.email, email=invitation.email)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise Invalid(" ".join(exc.messages), code="PASSWORD_INVALID") from exc
        user.set_password(password)
        if name:
            user.first_name = name[:150]
        user.save()
        log_action(user, "institution.staff_account_created", user,
                   institution_id=invitation.institution_id,
                   after={"user": invitation.email})
        member = accept(user, token)
    return user, member


# --- members --------------------------------------------------------------------------------


def _member(inst: Institution, member_id: int) -> Membership:
    member = Membership.objects.select_related("user").filter(
        institution=inst, pk=member_id).first()
    if member is None:
        raise NotFound(gettext("No such staff member."))
    return member


def change_role(actor: Any, inst: Institution, member_id: int, role: str) -> Membership:
    """An owner changes a member's role (not the last owner's away from owner)."""
    role = _clean_role(role)
    with transaction.atomic():
        _owner_only(actor, inst)
        lock_institution(inst)
        member = _member(inst, member_id)
        if member.role == role:
            return member
        return set_member(actor, inst, member.user, role)


def remove(actor: Any, inst: Institution, member_id: int) -> Membership:
    """An owner removes a member (not the last owner); what they did stays in the audit log."""
    with transaction.atomic():
        _owner_only(actor, inst)
        lock_institution(inst)
        member = _member(inst, member_id)
        remove_member(actor, inst, member.user)
    return member

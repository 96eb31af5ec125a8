"""Accounts: signing in, claiming an award, e-mail addresses, preferences and sharing, the
learner's data exported and the account deleted; `RecordError` for every refused action."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from microdegree.audit.models import AuditEntry
from microdegree.audit.services import log_action
from microdegree.base.links import public_link
from microdegree.errors import DomainError
from microdegree.issuing import mail as issuing_mail
from microdegree.issuing.models import IssuedCredential
from microdegree.records import auth
from microdegree.records import record as record_mod
from microdegree.records.models import (
    HIDDEN,
    LINK,
    PUBLIC,
    CredentialPreference,
    ImportedCredential,
    LearnerDid,
    LearnerEmail,
    LearnerSettings,
    LinkRequest,
    ReissueRequest,
    Visibility,
    default_visibility,
)

MAX_EMAILS = 10


class RecordError(DomainError):
    """A refused learner action: `code` for machines, `message` for people, `status` for HTTP,
    `reasons` (sentences) when there are several."""

    code = "INVALID"
    status = 400

    def __init__(self, message: str, *, code: str = "INVALID", status: int | None = None,
                 reasons: list[str] | None = None) -> None:
        super().__init__(message, code=code, status=status)
        self.reasons = reasons or []


class NotAddressed(RecordError):
    """An imported credential that names someone else, used where the platform vouches."""

    status = 409

    def __init__(self, message: str) -> None:
        super().__init__(message, code="NOT_ADDRESSED")


def _label(user: Any) -> str:
    """How audit entries name a learner: by id, never by address (see ADR 0005)."""
    return f"learner #{user.pk}"


def _clean_email(email: str) -> str:
    email = auth.normalise_email(email)
    try:
        validate_email(email)
    except ValidationError as exc:
        raise RecordError(gettext("Enter a valid e-mail address."), code="EMAIL_INVALID") from exc
    return email


def _send(subject: str, template: str, to: str, context: dict[str, Any]) -> None:
    body = render_to_string(template, context)
    mail.EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to]).send()


# --- signing in -----------------------------------------------------------------------------


def login_url(token: str) -> str:
    return public_link(f"/me/login/{token}")


def request_login_link(email: str, *, ip: str | None = None, next_path: str = "") -> None:
    """E-mail a single-use 15-minute sign-in link; RecordError(429) beyond the rate limit.

    The answer is the same whether or not the address is known (no account enumeration).
    """
    email = _clean_email(email)
    with transaction.atomic():
        why = auth.rate_limited(email, ip)
        if why:
            raise RecordError(why, code="RATE_LIMITED", status=429)
        request = LinkRequest.objects.create(email=email, ip=ip)
        log_action("anonymous", "records.login_link_requested", request)
    # sent after the commit: a rolled-back request sends nothing
    token = auth.make_token("login", email, next_path=next_path)
    # In the language of the page that asked for it (the request's active language).
    _send(gettext("Your sign-in link"), "records/email/login.txt", email,
          {"url": login_url(token), "minutes": auth.MAX_AGE["login"] // 60})


def _user_for_email(email: str) -> Any:
    """The learner who owns `email` (verified), or a user with that address, or a new user."""
    owned = LearnerEmail.objects.select_related("user").filter(
        email=email, verified_at__isnull=False).first()
    if owned is not None:
        return owned.user, False
    user_model = get_user_model()
    user = user_model.objects.filter(email__iexact=email).order_by("pk").first()
    if user is not None:
        if user.is_staff or user.is_superuser or user.memberships.exists():
            # staff of the platform or of an institution keep their password sign-in
            raise RecordError(gettext("This address belongs to a staff account: sign in with its "
                                      "password."), code="STAFF_ACCOUNT", status=403)
        return user, False
    user = user_model.objects.create_user(username=f"learner-{secrets.token_hex(8)}",
                                          email=email)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user, True


def refresh_addressed(user: Any) -> int:
    """Recompute `ImportedCredential.addressed` for the learner's imports after their
    confirmed addresses or DID changed (a handful of rows; hashing is cheap). The number of
    imports whose flag changed."""
    from microdegree.records.addressing import names_holder

    emails = record_mod.verified_emails(user)
    dids = record_mod.holder_dids(user)
    changed = 0
    for imported in ImportedCredential.objects.filter(user=user).only("pk", "decoded",
                                                                      "addressed"):
        now = names_holder(imported.decoded, emails, dids)
        if now != imported.addressed:
            ImportedCredential.objects.filter(pk=imported.pk).update(addressed=now)
            changed += 1
    return changed


def _verify_address(user: Any, email: str) -> LearnerEmail:
    entry, _ = LearnerEmail.objects.get_or_create(user=user, email=email)
    if entry.verified_at is None:
        if LearnerEmail.objects.filter(email=email, verified_at__isnull=False).exclude(
                user=user).exists():
            raise RecordError(gettext("This address is already part of another learner's record."),
                              code="EMAIL_TAKEN", status=409)
        entry.verified_at = timezone.now()
        entry.save(update_fields=["verified_at"])
        log_action(user, "records.email_verified", entry, after={"email_id": entry.pk})
        refresh_addressed(user)
    return entry


def sign_in_with_link(raw: str) -> Any:
    """The user a sign-in link names (created if new, the address verified); uses the link."""
    token = auth.read_token(raw, "login")
    with transaction.atomic():
        auth.consume(raw, "login")
        user, created = _user_for_email(token.email)
        _verify_address(user, token.email)
        log_action(user, "records.signed_in", user, object_type="auth.User",
                   after={"created": created, "via": "link"})
    return user


@dataclass
class ClaimOutcome:
    """What following a claim link did: `claimed` (the credential is in `user`'s record,
    `signed_in` if the link created the account and signed it in), or `link_sent` (a sign-in
    link went to the address) or `confirm_sent` (a confirmation link went to the address, for
    the signed-in learner)."""

    outcome: str
    credential: IssuedCredential
    user: Any = None
    signed_in: bool = False


def claim_target(raw: str) -> IssuedCredential:
    try:
        cred_uuid = issuing_mail.check_claim_token(raw)
    except issuing_mail.ClaimLinkError as exc:
        raise RecordError(exc.message, code=exc.code,
                          status=410 if exc.code == "EXPIRED" else 404) from exc
    cred = (IssuedCredential.objects.select_related("institution", "achievement_version")
            .filter(uuid=cred_uuid).first())
    if cred is None or not record_mod.names_recipient(
            json.loads(cred.document), [auth.normalise_email(cred.recipient_email)]):
        raise RecordError(gettext("This claim link is not valid."), code="NOT_FOUND",
                          status=404)
    return cred


def _account_exists(email: str) -> bool:
    """Whether someone already has an account for `email` (its verified owner, or a user with
    that address, staff included)."""
    return (LearnerEmail.objects.filter(email=email, verified_at__isnull=False).exists()
            or get_user_model().objects.filter(email__iexact=email).exists())


def _mark_claimed(user: Any, cred: IssuedCredential) -> None:
    pref = _preference(user, credential=cred)
    if pref.claimed_at is None:
        pref.claimed_at = timezone.now()
        pref.save(update_fields=["claimed_at"])
        log_action(user, "records.credential_claimed", pref,
                   institution_id=cred.institution_id,
                   after={"credential_id": cred.credential_id})


def claim_ready(user: Any, raw: str) -> bool:
    """Whether the signed-in `user` has the claim link's address confirmed already."""
    cred = claim_target(raw)
    return auth.normalise_email(cred.recipient_email) in record_mod.verified_emails(user)


def claim_with_token(raw: str, current_user: Any = None, *, ip: str | None = None
                     ) -> ClaimOutcome:
    """Follow an award e-mail's claim link (issuing.mail): it expires, and it never signs in
    an existing account by itself (see ADR 0005, as amended by issue 12).

    - Signed in with the credential's address confirmed: the credential is claimed.
    - Signed in without it: a confirmation link goes to that address (add_email); once it is
      followed, the credential is in the record. An address another record owns is refused.
    - Not signed in, and an account exists for the address: a sign-in link goes to it, which
      comes back to this claim link; the claim link alone signs no one in.
    - Not signed in, no account yet: the link (sent only to that mailbox, never shown to
      staff) creates the record for the address and signs in, once (`UsedToken`).
    """
    cred = claim_target(raw)
    email = auth.normalise_email(cred.recipient_email)
    user = current_user if getattr(current_user, "is_authenticated", False) else None
    if user is not None:
        if email in record_mod.verified_emails(user):
            with transaction.atomic():
                _mark_claimed(user, cred)
            return ClaimOutcome("claimed", cred, user)
        if LearnerEmail.objects.filter(email=email, verified_at__isnull=False).exclude(
                user=user).exists():
            raise RecordError(gettext("This credential was sent to an address that belongs to "
                                      "another learning record. Sign out, then open the link "
                                      "again."), code="EMAIL_TAKEN", status=409)
        add_email(user, email)
        return ClaimOutcome("confirm_sent", cred, user)
    if _account_exists(email):
        request_login_link(email, ip=ip, next_path=f"/me/claim/{raw}")
        return ClaimOutcome("link_sent", cred)
    with transaction.atomic():
        try:
            auth.consume(raw, "claim")
        except auth.TokenError as exc:
            raise RecordError(gettext("This claim link has already been used to sign in. "
                                      "Sign in with a new link to see the credential."),
                              code="USED", status=403) from exc
        user, created = _user_for_email(email)
        if not created:  # an account appeared meanwhile: never signed in by the claim link
            raise RecordError(gettext("An account for this address exists already. Sign in "
                                      "with a link sent to it, then open this link again."),
                              code="ACCOUNT_EXISTS", status=409)
        _verify_address(user, email)
        log_action(user, "records.signed_in", user, object_type="auth.User",
                   after={"created": True, "via": "claim"})
        _mark_claimed(user, cred)
    return ClaimOutcome("claimed", cred, user, signed_in=True)


# --- e-mail addresses -----------------------------------------------------------------------


def verify_url(token: str) -> str:
    return public_link(f"/me/emails/verify/{token}")


def add_email(user: Any, email: str) -> LearnerEmail:
    """Add an unverified address and e-mail it a verification link (24 hours, single use)."""
    email = _clean_email(email)
    with transaction.atomic():
        if LearnerEmail.objects.filter(user=user).count() >= MAX_EMAILS:
            raise RecordError(gettext("A record has at most %(n)s addresses.") % {"n": MAX_EMAILS},
                              code="TOO_MANY_EMAILS")
        why = auth.rate_limited(email, None)
        if why:
            raise RecordError(why, code="RATE_LIMITED", status=429)
        entry, created = LearnerEmail.objects.get_or_create(user=user, email=email)
        if entry.verified_at is not None:
            raise RecordError(gettext("This address is already verified."), code="ALREADY_VERIFIED",
                              status=409)
        LinkRequest.objects.create(email=email)
        log_action(user, "records.email_added", entry, after={"email_id": entry.pk,
                                                              "new": created})
    token = auth.make_token("verify", email, user.pk)
    _send(gettext("Confirm your e-mail address"), "records/email/verify.txt", email,
          {"url": verify_url(token)})
    return entry


def verify_email(user: Any, raw: str) -> LearnerEmail:
    """Follow a verification link (signed in as the learner who asked for it)."""
    token = auth.read_token(raw, "verify")
    if token.user_id != user.pk:
        raise RecordError(gettext("This link was sent for another account."), code="WRONG_ACCOUNT",
                          status=403)
    with transaction.atomic():
        auth.consume(raw, "verify")
        return _verify_address(user, token.email)


def remove_email(user: Any, email_id: int) -> None:
    with transaction.atomic():
        entry = LearnerEmail.objects.filter(user=user, pk=email_id).first()
        if entry is None:
            raise RecordError(gettext("No such address."), code="NOT_FOUND", status=404)
        others = LearnerEmail.objects.filter(user=user, verified_at__isnull=False).exclude(
            pk=entry.pk)
        if entry.verified_at is not None and not others.exists():
            raise RecordError(gettext("Keep at least one verified address to sign in with."),
                              code="LAST_EMAIL", status=409)
        log_action(user, "records.email_removed", entry, before={"email_id": entry.pk})
        entry.delete()
        refresh_addressed(user)


# --- preferences ----------------------------------------------------------------------------


def _preference(user: Any, *, credential: IssuedCredential | None = None,
                imported: ImportedCredential | None = None) -> CredentialPreference:
    pref = CredentialPreference.objects.filter(user=user, credential=credential,
                                               imported=imported).first()
    if pref is None:
        pref = CredentialPreference.objects.create(
            user=user, credential=credential, imported=imported,
            visibility=default_visibility(platform=credential is not None),
            share_token=secrets.token_urlsafe(24))
    return pref


PREFERENCE_FIELDS = ("visibility", "show_name")


def _snapshot(pref: CredentialPreference) -> dict[str, Any]:
    return {f: getattr(pref, f) for f in PREFERENCE_FIELDS}


def set_preference(user: Any, item_key: str, *, visibility: str | None = None,
                   show_name: bool | None = None) -> CredentialPreference:
    """Who can see one credential of the learner's own record (`Visibility`), and whether its
    share page shows their name. Unchanged where None."""
    credential, imported = owned(user, item_key)
    if visibility is not None:
        if visibility not in Visibility.values:
            raise RecordError(gettext("Choose who can see it: public, by link only or hidden."),
                              code="VISIBILITY_INVALID")
        if visibility == PUBLIC and imported is not None:
            raise RecordError(gettext("A credential you imported has no public page here: "
                                      "share it by link or keep it hidden."),
                              code="VISIBILITY_INVALID")
        if (visibility == LINK and imported is not None
                and not imported.addressed):
            raise NotAddressed(gettext("This credential does not name you (none of your "
                                       "confirmed addresses or your DID), so it cannot be "
                                       "shared from your record."))
    with transaction.atomic():
        pref = _preference(user, credential=credential, imported=imported)
        before = _snapshot(pref)
        if visibility is not None:
            pref.visibility = visibility
        if show_name is not None:
            pref.show_name = bool(show_name)
        pref.save()
        log_action(user, "records.preference_set", pref, before=before, after=_snapshot(pref))
    return pref


def new_share_link(user: Any, item_key: str) -> CredentialPreference:
    """A new share link for one credential of the learner's record: the old one stops working
    at once (for a link given to someone who should no longer see it)."""
    credential, imported = owned(user, item_key)
    with transaction.atomic():
        pref = _preference(user, credential=credential, imported=imported)
        pref.share_token = secrets.token_urlsafe(24)
        pref.save(update_fields=["share_token", "updated_at"])
        # the tokens are not logged: the old one is dead, the new one is a secret
        log_action(user, "records.share_link_renewed", pref, after=_snapshot(pref))
    return pref


def owned(user: Any, item_key: str) -> tuple[IssuedCredential | None, ImportedCredential | None]:
    """The credential `item_key` ("p-<uuid>" or "i-<uuid>") names in the learner's record;
    RecordError 404 alike for missing and not theirs."""
    kind, _, ident = item_key.partition("-")
    try:
        if kind == "p":
            cred = record_mod.owned_credential(user, ident)
            if cred is not None:
                return cred, None
        elif kind == "i":
            imp = record_mod.owned_import(user, ident)
            if imp is not None:
                return None, imp
    except ValidationError:
        pass  # not a uuid
    raise RecordError(gettext("No such credential in your record."), code="NOT_FOUND", status=404)


def shared(token: str) -> tuple[CredentialPreference, IssuedCredential | ImportedCredential]:
    """The credential behind a share link, unless the learner hid it; else 404."""
    pref = (CredentialPreference.objects.select_related("credential__institution", "imported")
            .filter(share_token=token).exclude(visibility=HIDDEN).first())
    if pref is None:
        raise RecordError(gettext("Nothing is shared at this address."), code="NOT_FOUND",
                          status=404)
    target = pref.credential or pref.imported
    assert target is not None
    if pref.imported is not None and not pref.imported.addressed:
        raise RecordError(gettext("Nothing is shared at this address."), code="NOT_FOUND",
                          status=404)
    if pref.credential is not None and record_mod.owned_credential(
            pref.user, pref.credential.uuid) is None:
        raise RecordError(gettext("Nothing is shared at this address."), code="NOT_FOUND",
                          status=404)
    return pref, target


# --- leaving --------------------------------------------------------------------------------


def export_data(user: Any) -> dict[str, Any]:
    """Everything the record holds about the learner, as JSON (credentials verbatim as text)."""
    items = record_mod.items(user)
    with transaction.atomic():
        log_action(user, "records.data_exported", user, object_type="auth.User")
    return {
        "exportedAt": timezone.now().isoformat(),
        "account": {"name": user.get_full_name(), "joined": user.date_joined.isoformat()},
        "emails": [{"email": e.email, "verified": e.verified_at.isoformat()
                    if e.verified_at else None}
                   for e in LearnerEmail.objects.filter(user=user)],
        "did": getattr(LearnerDid.objects.filter(user=user).first(), "did", None),
        "emailLanguage": LearnerSettings.objects.filter(user=user)
        .values_list("language", flat=True).first(),
        "reissueRequests": [
            {"credential": r.credential.credential_id, "newName": r.new_name,
             "newEmail": r.new_email, "reason": r.reason, "state": r.state,
             "asked": r.created_at.isoformat()}
            for r in ReissueRequest.objects.filter(user=user).select_related("credential")
        ],
        "credentials": [
            {
                "source": item.kind,
                "id": item.summary.id,
                "name": item.summary.name,
                "state": item.state,
                "addressedToYou": item.addressed,
                "visibility": item.visibility,
                "preferences": _snapshot(item.preference) if item.preference else None,
                "shareUrl": record_mod.share_url(item.preference)
                if item.preference and item.link_shared else None,
                "document": item.obj.document,
            }
            for item in items
        ],
    }


def delete_account(user: Any) -> None:
    """Delete the learner's personal data: addresses, name, preferences, imports, the account.

    Credentials the platform issued stay valid (they belong to the issuer's records and to
    whoever holds a copy). Audit entries the learner caused are kept, pseudonymised to
    "learner #id", with one more entry recording the deletion.
    """
    with transaction.atomic():
        label = _label(user)
        counts = {
            "emails": LearnerEmail.objects.filter(user=user).count(),
            "imports": ImportedCredential.objects.filter(user=user).count(),
            "preferences": CredentialPreference.objects.filter(user=user).count(),
        }
        emails = list(LearnerEmail.objects.filter(user=user).values_list("email", flat=True))
        CredentialPreference.objects.filter(user=user).delete()
        LearnerDid.objects.filter(user=user).delete()
        ImportedCredential.objects.filter(user=user).delete()
        LearnerEmail.objects.filter(user=user).delete()
        LinkRequest.objects.filter(email__in=emails).delete()
        AuditEntry.objects.filter(actor=user).update(actor_label=label)
        log_action(label, "records.account_deleted", object_type="auth.User",
                   object_id=str(user.pk), after=counts)
        # UsedToken rows stay: hashes of spent links, no personal data, and they keep old
        # links from working again.
        user.delete()


# --- CLR ------------------------------------------------------------------------------------


def export_clr(user: Any, platform_creds: list[IssuedCredential],
               imported: list[ImportedCredential], *, email: str) -> dict[str, Any]:
    """A CLR 2.0 ClrCredential of the chosen credentials, signed by the platform DID."""
    from microdegree.records import platform

    for cred in platform_creds:
        owned(user, f"p-{cred.uuid}")
    for imp in imported:
        _, mine = owned(user, f"i-{imp.uuid}")
        if mine is None or not mine.addressed:
            raise NotAddressed(gettext("%(name)s does not name you (none of your confirmed "
                                       "addresses or your DID), so the platform does not sign a "
                                       "record holding it.")
                               % {"name": imp.name or gettext("An imported credential")})
    with transaction.atomic():
        document = platform.build_clr(user, platform_creds, imported, email=email)
        log_action(user, "records.clr_exported", user, object_type="auth.User",
                   after={"clr": document["id"],
                          "credentials": [c.credential_id for c in platform_creds]
                          + [i.credential_id for i in imported]})
    return document

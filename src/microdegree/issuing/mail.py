"""Award e-mails with a claim link (Django's mail framework: the backend is a setting)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core import mail, signing
from django.template.loader import get_template, render_to_string
from django.utils.translation import gettext

from microdegree import config
from microdegree.base import notify
from microdegree.base.links import public_link
from microdegree.catalog.models import AchievementVersion
from microdegree.institutions.models import Institution
from microdegree.issuing.models import IssuedCredential

log = logging.getLogger(__name__)
CLAIM_SALT = "microdegree.issuing.claim"
DEFAULT_CLAIM_LINK_DAYS = 30


class ClaimLinkError(Exception):
    """A claim link that cannot be used: `code` INVALID (forged, mangled) or EXPIRED."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def claim_link_days() -> int:
    """How long a claim link works (`MICRODEGREE_CLAIM_LINK_DAYS`, default 30 days)."""
    raw = config.env("CLAIM_LINK_DAYS")
    try:
        days = int(raw) if raw else DEFAULT_CLAIM_LINK_DAYS
    except ValueError:
        days = 0
    if days < 1:
        log.warning("MICRODEGREE_CLAIM_LINK_DAYS=%r is not a positive number of days; using %d",
                    raw, DEFAULT_CLAIM_LINK_DAYS)
        return DEFAULT_CLAIM_LINK_DAYS
    return days


def claim_token(cred: Any, *, now: float | None = None) -> str:
    """A signed, tamper-proof token naming the credential and when the link stops working
    (django.core.signing). Every e-mail gets a fresh one: resending renews the link."""
    issued = time.time() if now is None else now
    expires = int(issued + claim_link_days() * 24 * 60 * 60)
    return signing.dumps({"c": str(cred.uuid), "x": expires}, salt=CLAIM_SALT, compress=True)


def check_claim_token(token: str) -> str:
    """The credential uuid a claim token names; ClaimLinkError if forged or expired.

    Tokens without an expiry (made before links expired, when staff pages showed them) are
    expired: the recipient signs in with a fresh link, or asks the institution to resend."""
    try:
        data = signing.loads(token, salt=CLAIM_SALT)
    except signing.BadSignature as exc:
        raise ClaimLinkError("INVALID", gettext("This claim link is not valid.")) from exc
    if not isinstance(data, dict) or not isinstance(data.get("c"), str):
        raise ClaimLinkError("INVALID", gettext("This claim link is not valid."))
    expires = data.get("x")
    if not isinstance(expires, int) or isinstance(expires, bool) or expires < time.time():
        raise ClaimLinkError("EXPIRED", gettext(
            "This claim link has expired. Ask the institution to send the award e-mail again, "
            "or sign in to your learning record with the address it was sent to: the "
            "credential is there."))
    return data["c"]


def read_claim_token(token: str) -> str | None:
    """The credential uuid a claim token names, or None if forged or expired."""
    try:
        return check_claim_token(token)
    except ClaimLinkError:
        return None


def claim_url(cred: Any) -> str:
    return public_link(f"/claim/{claim_token(cred)}")


AWARD_TEMPLATE = "issuing/email/award.txt"


def award_message(cred: Any, template: Any = None) -> mail.EmailMessage:
    """The award e-mail of `cred`; `template` (the loaded AWARD_TEMPLATE) saves the look-up
    when a batch renders many (`render_to_string` is exactly `get_template(...).render(...)`)."""
    context = {
        "credential": cred,
        "achievement": cred.achievement_version,
        "institution": cred.institution,
        "claim_url": claim_url(cred),
        "claim_days": claim_link_days(),
    }
    subject = f"{cred.institution.name} awarded you {cred.achievement_version.name}"
    body = (template.render(context) if template is not None
            else render_to_string(AWARD_TEMPLATE, context))
    return mail.EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [cred.recipient_email])


# What the award e-mail reads of a credential (the rest of a ~3 KB row is not loaded).
_MAIL_FIELDS = ("uuid", "recipient_email", "recipient_name", "valid_until", "institution_id",
                "achievement_version_id")


def send_award_emails(credential_ids: Sequence[int]) -> int:
    """Send one e-mail per credential over one connection (called after the issuing commit).

    A bulk chunk's credentials share their institution and achievement version: those are
    loaded once per batch (not joined into every row) and the template is loaded once.
    """
    creds = list(IssuedCredential.objects.filter(pk__in=list(credential_ids))
                 .only(*_MAIL_FIELDS).order_by("pk"))
    institutions = Institution.objects.in_bulk({c.institution_id for c in creds})
    versions = AchievementVersion.objects.in_bulk({c.achievement_version_id for c in creds})
    template = get_template(AWARD_TEMPLATE) if creds else None
    messages = []
    for cred in creds:
        cred.institution = institutions[cred.institution_id]
        cred.achievement_version = versions[cred.achievement_version_id]
        messages.append(award_message(cred, template))
    # the credential is issued; a mail outage must not turn into an error page (send_now logs it)
    return notify.send_now(messages)

"""Award e-mails with a claim link (Django's mail framework: the backend is a setting)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core import mail, signing
from django.template.loader import render_to_string

log = logging.getLogger(__name__)
CLAIM_SALT = "microdegree.issuing.claim"
CLAIM_MAX_AGE = 60 * 60 * 24 * 365  # a claim link works for a year


def claim_token(cred: Any) -> str:
    """A signed, tamper-proof token naming the credential (django.core.signing)."""
    return signing.dumps({"c": str(cred.uuid)}, salt=CLAIM_SALT, compress=True)


def read_claim_token(token: str) -> str | None:
    """The credential uuid a claim token names, or None if forged or expired."""
    try:
        data = signing.loads(token, salt=CLAIM_SALT, max_age=CLAIM_MAX_AGE)
    except signing.BadSignature:
        return None
    return data.get("c") if isinstance(data, dict) else None


def claim_url(cred: Any) -> str:
    return f"{settings.PUBLIC_URL}/claim/{claim_token(cred)}"


def award_message(cred: Any) -> mail.EmailMessage:
    context = {
        "credential": cred,
        "achievement": cred.achievement_version,
        "institution": cred.institution,
        "claim_url": claim_url(cred),
    }
    subject = f"{cred.institution.name} awarded you {cred.achievement_version.name}"
    body = render_to_string("issuing/email/award.txt", context)
    return mail.EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [cred.recipient_email])


def send_award_emails(credential_ids: Sequence[int]) -> int:
    """Send one e-mail per credential over one connection (called after the issuing commit)."""
    from microdegree.issuing.models import IssuedCredential

    creds = IssuedCredential.objects.select_related("institution", "achievement_version").filter(
        pk__in=list(credential_ids)
    )
    messages = [award_message(c) for c in creds]
    if not messages:
        return 0
    try:
        with mail.get_connection() as connection:
            return connection.send_messages(messages) or 0
    except OSError:  # the credential is issued; a mail outage must not turn into an error page
        log.exception("Could not send %d award e-mail(s)", len(messages))
        return 0

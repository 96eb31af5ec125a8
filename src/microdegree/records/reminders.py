"""A reminder for credentials nobody claimed (issue 16, point 13): once per credential,
`MICRODEGREE_CLAIM_REMINDER_DAYS` days (default 7) after the award, with a fresh claim link.

"Unclaimed": the credential is active and no learning record has its address confirmed (a
learner who confirmed it sees the credential in their record already). Credentials awarded
more than `REMINDER_WINDOW_DAYS` before they became due are left alone, so that the first run
after an upgrade (or after cron stopped for weeks) does not e-mail years-old awards. The
`ClaimReminder` row is written before the e-mail is sent (after the commit): a credential is
reminded once at most, even when two runs overlap. Run by `send_claim_reminders` (cron, see
docs/operations.md).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from microdegree import config
from microdegree.audit.services import log_action
from microdegree.base.notify import notify
from microdegree.issuing import mail as issuing_mail
from microdegree.issuing.models import IssuedCredential
from microdegree.records import auth
from microdegree.records.models import ClaimReminder, LearnerEmail

log = logging.getLogger(__name__)
DEFAULT_REMINDER_DAYS = 7
REMINDER_WINDOW_DAYS = 30


def reminder_days() -> int:
    """Days after the award (`MICRODEGREE_CLAIM_REMINDER_DAYS`, default 7; 0 turns it off)."""
    raw = config.env("CLAIM_REMINDER_DAYS")
    try:
        days = int(raw) if raw else DEFAULT_REMINDER_DAYS
    except ValueError:
        days = -1
    if days < 0:
        log.warning("MICRODEGREE_CLAIM_REMINDER_DAYS=%r is not a number of days; using %d",
                    raw, DEFAULT_REMINDER_DAYS)
        return DEFAULT_REMINDER_DAYS
    return days


def due(*, now: Any = None, limit: int = 500) -> list[IssuedCredential]:
    """Credentials whose reminder is due: active, awarded between `days + window` and `days`
    ago, never reminded, and in no record yet."""
    days = reminder_days()
    if days == 0:
        return []
    now = now or timezone.now()
    latest = now - timedelta(days=days)
    candidates = list(
        IssuedCredential.objects.filter(
            state=IssuedCredential.State.ACTIVE, superseded_by__isnull=True,
            issued_at__lte=latest,
            issued_at__gt=latest - timedelta(days=REMINDER_WINDOW_DAYS))
        .exclude(pk__in=ClaimReminder.objects.values("credential_id"))
        .select_related("institution", "achievement_version")
        .defer("document")
        .order_by("issued_at", "pk")[:limit])
    emails = {auth.normalise_email(c.recipient_email) for c in candidates}
    confirmed = set(LearnerEmail.objects.filter(email__in=emails, verified_at__isnull=False)
                    .values_list("email", flat=True))
    return [c for c in candidates if auth.normalise_email(c.recipient_email) not in confirmed]


def send_due(*, now: Any = None, limit: int = 500) -> int:
    """Send each due reminder once; the number sent."""
    sent = 0
    for cred in due(now=now, limit=limit):
        try:
            with transaction.atomic():
                reminder = ClaimReminder.objects.create(credential=cred)
                inst = cred.institution
                log_action("worker", "records.claim_reminder_sent", reminder,
                           institution_id=inst.pk,
                           after={"credential_id": str(cred.uuid)})
                notify("records/email/claim_reminder", {
                    "credential": cred, "institution": inst,
                    "achievement": cred.achievement_version,
                    "claim_url": issuing_mail.claim_url(cred),
                    "claim_days": issuing_mail.claim_link_days(),
                }, [cred.recipient_email], language=inst.language)
        except IntegrityError:  # another run reminded it meanwhile
            continue
        sent += 1
    return sent

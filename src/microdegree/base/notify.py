"""E-mail notifications where people wait (issue 16, point 13): one helper for all of them.

`notify(template, context, to, language=...)` renders `<template>_subject.txt` and
`<template>.txt` with the recipient's language active (`translation.override`), and sends one
message through Django's mail framework (the backend is a setting, as for award e-mails) after
the current transaction commits: nothing is announced that a rollback undoes. A mail outage is
logged, never turned into an error page. Links in the context come from
`microdegree.base.links.public_link`, never from the request.

Low in the layers: the caller resolves the recipients and their language (a learner's or an
institution's preference; `language_or_default`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

log = logging.getLogger(__name__)


def language_choices() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]


def language_or_default(language: str | None) -> str:
    """`language` when the platform speaks it, else the default (settings.LANGUAGE_CODE)."""
    codes = {code for code, _ in settings.LANGUAGES}
    return language if language is not None and language in codes else str(
        settings.LANGUAGE_CODE)


def render(template: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    """(subject, body) of `template` in `language`; the subject is one line."""
    with translation.override(language_or_default(language)):
        subject = render_to_string(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}.txt", context)
    return " ".join(subject.split()), body


def messages(template: str, context: dict[str, Any], to: Iterable[str], *,
             language: str) -> list[mail.EmailMessage]:
    """One e-mail per recipient (staff never see each other's addresses); none for nobody."""
    recipients = sorted({a.strip().lower() for a in to if a and a.strip()})
    if not recipients:
        return []
    language = language_or_default(language)
    subject, body = render(template, context, language)
    return [mail.EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address],
                              headers={"Content-Language": language})
            for address in recipients]


def send_now(wanted: list[mail.EmailMessage]) -> int:
    if not wanted:
        return 0
    try:
        with mail.get_connection() as connection:
            return connection.send_messages(wanted) or 0
    except OSError:  # what waits on the mail (a decision, a request) is already saved
        log.exception("Could not send %d notification e-mail(s)", len(wanted))
        return 0


def notify(template: str, context: dict[str, Any], to: Iterable[str], *,
           language: str) -> None:
    """Render now (the context's objects as they are), send once the transaction commits."""
    wanted = messages(template, context, to, language=language)
    if wanted:
        transaction.on_commit(lambda: send_now(wanted))

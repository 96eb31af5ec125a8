"""E-mailed one-time links: signed tokens (django.core.signing), single use, rate limited.

A token is `signing.dumps({"p": purpose, "e": email, "u": user id, "n": nonce}, salt=...)`; it
carries its own time stamp, so expiry needs no table. Single use: the SHA-256 of a used token is
stored (`UsedToken`, unique), and a second use fails on that constraint even when two requests
race. Links are followed by a POST from a confirmation page, so mail scanners that prefetch GET
links do not use them up.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from microdegree.base.tokens import token_hash
from microdegree.errors import DomainError
from microdegree.records.models import LinkRequest, UsedToken

SALT = "microdegree.records.link"
MAX_AGE = {"login": 15 * 60, "verify": 24 * 60 * 60}
RATE_WINDOW = timedelta(minutes=15)
RATE_LIMIT = 5  # links per client IP address (any addresses) in RATE_WINDOW
ADDRESS_LIMIT = 10  # links per e-mail address (from any IP addresses) in RATE_WINDOW
# Beyond ADDRESS_LIMIT, a client that has not asked for this address within SLOW_LANE still
# gets one link: requests from many other IP addresses never lock the owner out.
SLOW_LANE = timedelta(minutes=15)


class TokenError(DomainError):
    """A link that cannot be used: `code` is INVALID, EXPIRED or USED (a 400)."""

    status = 400

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


@dataclass(frozen=True)
class LinkToken:
    purpose: str
    email: str
    user_id: int | None
    raw: str
    next_path: str = ""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def safe_next(path: str | None) -> str:
    """A local path to go to after signing in ("" unless it is one)."""
    path = (path or "").strip()
    if not path.startswith("/") or path.startswith(("//", "/\\")) or len(path) > 500:
        return ""
    return path


def make_token(purpose: str, email: str, user_id: int | None = None,
               next_path: str = "") -> str:
    payload: dict[str, Any] = {"p": purpose, "e": normalise_email(email),
                               "n": secrets.token_urlsafe(12)}
    if user_id is not None:
        payload["u"] = user_id
    if safe_next(next_path):
        payload["x"] = safe_next(next_path)
    return signing.dumps(payload, salt=SALT, compress=True)


def read_token(raw: str, purpose: str) -> LinkToken:
    """The token's content if it is genuine, unexpired and unused (it is not marked used)."""
    try:
        data = signing.loads(raw, salt=SALT, max_age=MAX_AGE[purpose])
    except signing.SignatureExpired as exc:
        raise TokenError("EXPIRED", _("This link has expired. Ask for a new one.")) from exc
    except signing.BadSignature as exc:
        raise TokenError("INVALID", _("This link is not valid.")) from exc
    if not isinstance(data, dict) or data.get("p") != purpose or not data.get("e"):
        raise TokenError("INVALID", _("This link is not valid."))
    if UsedToken.objects.filter(token_hash=token_hash(raw)).exists():
        raise TokenError("USED", _("This link has already been used. Ask for a new one."))
    return LinkToken(purpose=purpose, email=data["e"], user_id=data.get("u"), raw=raw,
                     next_path=safe_next(data.get("x")))


def consume(raw: str, purpose: str) -> None:
    """Mark a token used (inside the caller's transaction); TokenError if it already was."""
    try:
        with transaction.atomic():
            UsedToken.objects.create(token_hash=token_hash(raw), purpose=purpose)
    except IntegrityError as exc:
        raise TokenError("USED", _("This link has already been used. Ask for a new one.")) from exc


def rate_limited(email: str, ip: str | None) -> str | None:
    """A sentence saying why no link can be sent now, or None.

    The client comes first: one IP address gets RATE_LIMIT links in RATE_WINDOW, whatever
    addresses it asks for. Then the address: ADDRESS_LIMIT links in RATE_WINDOW from all
    clients together, except that a client that has not asked for this address within
    SLOW_LANE still gets one (the slow lane). So strangers asking from many IP addresses
    cannot lock the owner out (a lockout by address alone would let anyone do that); they can
    only make the owner's mailbox receive links, at most one per client per SLOW_LANE beyond
    ADDRESS_LIMIT, and each client is bounded by its own RATE_LIMIT.
    """
    email = normalise_email(email)
    now = timezone.now()
    recent = LinkRequest.objects.filter(created_at__gte=now - RATE_WINDOW)
    minutes = int(RATE_WINDOW.total_seconds() // 60)
    if ip and recent.filter(ip=ip).count() >= RATE_LIMIT:
        return gettext("Too many sign-in links were asked for from your network in the last "
                       "%(minutes)s minutes. Please try again later.") % {"minutes": minutes}
    if recent.filter(email=email).count() < ADDRESS_LIMIT:
        return None
    if ip and not LinkRequest.objects.filter(
            email=email, ip=ip, created_at__gte=now - SLOW_LANE).exists():
        return None  # the slow lane: this client's first link for the address in a while
    lane = int(SLOW_LANE.total_seconds() // 60)
    return gettext("Many links have been sent to this address in the last %(minutes)s minutes. "
                   "Please use the newest one, or try again in %(lane)s minutes.") % {
                       "minutes": minutes, "lane": lane}

"""Sending deliveries (run by the task workers): sign, POST through the SSRF-guarded fetcher,
record the answer, and retry with exponential backoff.

A worker claims due deliveries a few at a time with a lease (PostgreSQL: SKIP LOCKED; SQLite:
the IMMEDIATE transaction), so several workers share the work and a killed worker's deliveries
are tried again when the lease runs out. Attempt n (1-based) failing is retried after
60 s x 6^(n-1): 1 min, 6 min, 36 min, 3.6 h, 21.6 h; the sixth failure gives up (about 26 hours
after the first attempt). Any 2xx answer is a success.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from microdegree import config
from microdegree.vc.errors import FetchError
from microdegree.vc.fetch import SafeFetcher
from microdegree.webhooks import signing
from microdegree.webhooks.models import Delivery
from microdegree.webhooks.tasks import deliver_webhooks

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
FIRST_RETRY_SECONDS = 60
BACKOFF_FACTOR = 6
CLAIM = 20  # deliveries claimed per transaction
MAX_RESPONSE_BYTES = 64 * 1024  # only the status counts: a larger answer is a failure
USER_AGENT = "microdegree-webhooks/1.0"


def _setting(name: str, default: Any) -> Any:
    value = getattr(settings, f"MICRODEGREE_{name}", None)
    if value is not None:
        return value
    raw = config.env(name)
    if raw is None:
        return default
    if isinstance(default, bool):
        return config.truthy(raw, default)
    return type(default)(raw)


def allow_private() -> bool:
    """Deliver to private and loopback addresses, over plain http too: for tests and a local
    demo only (`MICRODEGREE_WEBHOOKS_ALLOW_PRIVATE`, default off)."""
    return bool(_setting("WEBHOOKS_ALLOW_PRIVATE", False))


def timeout() -> float:
    return float(_setting("WEBHOOKS_TIMEOUT", 10.0))


def fetcher() -> SafeFetcher:
    private = allow_private()
    return SafeFetcher(timeout=timeout(), max_bytes=MAX_RESPONSE_BYTES, max_redirects=0,
                       allow_private=private, allow_http=private, user_agent=USER_AGENT)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt."""
    return timedelta(seconds=FIRST_RETRY_SECONDS * BACKOFF_FACTOR ** (attempts - 1))


@dataclass
class Outcome:
    status: int | None
    error: str

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def message_id(delivery: Delivery) -> str:
    """The `webhook-id`: the event's id, the same on every retry (receivers de-duplicate)."""
    return f"msg_{delivery.event_id.hex}"


def send(delivery: Delivery, via: SafeFetcher) -> Outcome:
    """One signed POST of the delivery's event; never raises."""
    subscription = delivery.subscription
    body = orjson.dumps(delivery.event.payload)
    try:
        headers = signing.headers(subscription.secret(), message_id(delivery),
                                  int(time.time()), body)
        answer = via.request("POST", subscription.url, body=body, headers=headers)
    except FetchError as exc:
        return Outcome(None, exc.message[:500])
    except Exception as exc:  # a secret that does not open, a bug: logged, retried
        logger.exception("webhook delivery %s failed", delivery.pk)
        return Outcome(None, f"internal error: {type(exc).__name__}")
    return Outcome(answer.status, "" if 200 <= answer.status < 300
                   else f"HTTP {answer.status}")


def _claim(limit: int, now: datetime) -> list[Delivery]:
    lease = timedelta(seconds=timeout() * 3 + 30)
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("event", "subscription")
            .filter(state=Delivery.State.PENDING, next_attempt_at__lte=now,
                    subscription__active=True)
            .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
            .order_by("next_attempt_at", "id")[:limit])
        Delivery.objects.filter(pk__in=[d.pk for d in rows]).update(leased_until=now + lease)
    return rows


def _record(delivery: Delivery, outcome: Outcome) -> datetime | None:
    """Store the attempt; the time of the next one, if any."""
    now = timezone.now()
    attempts = delivery.attempts + 1
    fields: dict[str, Any] = {"attempts": attempts, "last_attempt_at": now,
                              "last_status": outcome.status, "last_error": outcome.error,
                              "leased_until": None}
    retry_at = None
    if outcome.ok:
        fields.update(state=Delivery.State.DELIVERED, delivered_at=now, next_attempt_at=None)
    elif attempts >= MAX_ATTEMPTS:
        fields.update(state=Delivery.State.FAILED, next_attempt_at=None)
    else:
        retry_at = now + retry_delay(attempts)
        fields.update(next_attempt_at=retry_at)
    Delivery.objects.filter(pk=delivery.pk).update(**fields)
    return retry_at


def deliver_due(*, limit: int = 200) -> dict[str, int]:
    """Send up to `limit` due deliveries; wake another worker if more are due, and schedule
    one for the earliest retry set here. Returns counts (delivered, failed attempts)."""
    via = fetcher()
    counts = {"delivered": 0, "failed": 0}
    retries: list[datetime] = []
    while sum(counts.values()) < limit:
        batch = _claim(min(CLAIM, limit - sum(counts.values())), timezone.now())
        if not batch:
            break
        for delivery in batch:
            outcome = send(delivery, via)
            retry_at = _record(delivery, outcome)
            counts["delivered" if outcome.ok else "failed"] += 1
            if retry_at is not None:
                retries.append(retry_at)
    if sum(counts.values()) >= limit:
        deliver_webhooks.enqueue()  # more may be due: the next task (any worker) goes on
    if retries and deliver_webhooks.get_backend().supports_defer:
        deliver_webhooks.using(run_after=min(retries)).enqueue()
    return counts

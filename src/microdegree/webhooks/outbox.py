"""`emit`: record an event in the caller's transaction; the task workers deliver it.

Service functions call `emit(event, institution, payload)` inside the transaction of the action
itself, so an event exists if and only if the action was committed. It costs one query when the
institution has no subscription wanting the event (the usual case), and nothing is sent here: after
the commit one task is enqueued per transaction (however many events it emitted, e.g. a bulk
chunk), and a worker sends the deliveries (`delivery.deliver_due`). A slow or failing receiver
never slows the action.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microdegree.webhooks.models import EVENTS, TEST_EVENT, Delivery, Event, Subscription

logger = logging.getLogger(__name__)

Payload = Mapping[str, Any]
Payloads = Payload | Sequence[Payload]


def emit(event: str, institution: Any, payload: Payloads | Callable[[], Payloads]) -> int:
    """Record `event` of `institution` (a model or its pk) for each subscription wanting it.

    `payload` is the event's `data`: one mapping, a list of them (one event each), or a callable
    returning either (called only when someone subscribed: building it costs nothing otherwise).
    Returns the number of deliveries queued.
    """
    if event not in EVENTS and event != TEST_EVENT:
        raise ValueError(_("unknown webhook event %(event)s") % {"event": repr(event)})
    inst_id = getattr(institution, "pk", institution)
    subscriptions = [s for s in Subscription.objects.filter(institution_id=inst_id, active=True)
                     .only("id", "events") if event in s.events]
    if not subscriptions:
        return 0
    data = payload() if callable(payload) else payload
    items = [data] if isinstance(data, Mapping) else list(data)
    return record(event, inst_id, items, subscriptions) if items else 0


def record(event: str, inst_id: int, items: Sequence[Payload],
           subscriptions: Sequence[Subscription]) -> int:
    """Write the events and their deliveries (bulk inserts), and have a worker woken."""
    now = timezone.now()
    stamp = now.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    events = Event.objects.bulk_create([
        Event(institution_id=inst_id, type=event,
              payload={"type": event, "timestamp": stamp, "data": dict(item)})
        for item in items])
    deliveries = Delivery.objects.bulk_create([
        Delivery(event=e, subscription=s, next_attempt_at=now)
        for e in events for s in subscriptions])
    _wake_after_commit()
    return len(deliveries)


def _wake() -> None:
    from microdegree.webhooks.tasks import deliver_webhooks

    deliver_webhooks.enqueue()


def _wake_after_commit() -> None:
    """One task per transaction however many events it emits (a bulk chunk emits hundreds)."""
    if connection.in_atomic_block and any(
            func is _wake for _, func, _ in connection.run_on_commit):
        return
    transaction.on_commit(_wake, robust=True)

"""Managing subscriptions: every write in a transaction with an audit entry.

A subscription URL is checked when it is added: an absolute https URL (`vc.urls.parse_url`),
whose host is not a private, loopback, link-local (cloud metadata) or otherwise non-public
address, by its literal or by what its name resolves to now. The fetcher checks the address
again at each delivery (a name can change what it resolves to). With the test/demo allowance
(`MICRODEGREE_WEBHOOKS_ALLOW_PRIVATE`) plain http and private addresses are accepted.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from microdegree.audit.services import log_action
from microdegree.institutions import keystore
from microdegree.institutions.errors import Invalid, NotFound
from microdegree.institutions.models import Institution
from microdegree.vc.errors import FetchError
from microdegree.vc.fetch import SafeFetcher, is_public_address
from microdegree.vc.urls import UrlError, parse_url
from microdegree.webhooks import delivery, outbox, signing
from microdegree.webhooks.models import EVENTS, TEST_EVENT, Delivery, Subscription, secret_context

MAX_SUBSCRIPTIONS = 20  # per institution


def check_url(value: Any) -> str:
    """The subscription URL, or Invalid (code URL_INVALID / URL_REFUSED) with a sentence."""
    private = delivery.allow_private()
    try:
        url = parse_url(value, schemes=("https", "http") if private else ("https",),
                        max_length=2000, allow_fragment=False, what=_("The webhook URL"))
    except UrlError as exc:
        raise Invalid(exc.message, code="URL_INVALID") from exc
    if private:
        return url.url
    host = url.host.lower().rstrip(".")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None and not is_public_address(literal):
        raise Invalid(_("The webhook URL points to %(host)s, a private, loopback or reserved "
                        "address; webhooks go to public addresses only.") % {"host": host},
                      code="URL_REFUSED")
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise Invalid(_("The webhook URL names %(host)s, a local host; webhooks go to public "
                        "hosts only.") % {"host": host}, code="URL_REFUSED")
    if literal is None:
        try:
            SafeFetcher(timeout=3.0).addresses(host, url.effective_port)
        except FetchError as exc:
            if exc.code == "FETCH_ADDRESS_REFUSED":
                raise Invalid(_("The webhook URL's host %(host)s resolves to a private or "
                                "reserved address; webhooks go to public addresses only.")
                              % {"host": host}, code="URL_REFUSED") from exc
            # (a name that does not resolve today may tomorrow: each delivery checks again)
    return url.url


def check_events(events: Iterable[Any]) -> list[str]:
    chosen = list(dict.fromkeys(e for e in events))
    if not chosen:
        raise Invalid(_("Choose at least one event."), code="EVENTS_REQUIRED")
    unknown = [str(e) for e in chosen if e not in EVENTS]
    if unknown:
        raise Invalid(_("Unknown event %(event)s; the events are: %(events)s.")
                      % {"event": unknown[0], "events": ", ".join(EVENTS)},
                      code="EVENT_UNKNOWN")
    return [e for e in EVENTS if e in chosen]


def _summary(sub: Subscription) -> dict[str, Any]:
    return {"url": sub.url, "events": sub.events, "active": sub.active,
            "description": sub.description}


def create_subscription(actor: Any, inst: Institution, *, url: Any, events: Iterable[Any],
                        description: str = "") -> tuple[Subscription, str]:
    """A new subscription; its secret (`whsec_...`) is returned once and stored sealed."""
    clean_url = check_url(url)
    chosen = check_events(events)
    secret = signing.new_secret()
    with transaction.atomic():
        if Subscription.objects.filter(institution=inst).count() >= MAX_SUBSCRIPTIONS:
            raise Invalid(_("An institution has at most %(n)d webhook subscriptions.")
                          % {"n": MAX_SUBSCRIPTIONS}, code="TOO_MANY_SUBSCRIPTIONS")
        sub = Subscription(institution=inst, url=clean_url, events=chosen,
                           description=(description or "").strip()[:200],
                           created_by=actor if getattr(actor, "is_authenticated", False)
                           else None)
        sub.secret_sealed = keystore.default_keystore().seal(secret.encode(),
                                                             secret_context(sub))
        sub.save()
        log_action(actor, "webhooks.subscription_created", sub, institution_id=inst.pk,
                   after=_summary(sub))
    return sub, secret


def set_active(actor: Any, sub: Subscription, active: bool) -> Subscription:
    """Pause (deliveries wait, nothing new is recorded) or resume a subscription."""
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=sub.pk)
        before = _summary(locked)
        locked.active = bool(active)
        locked.save(update_fields=["active"])
        log_action(actor, "webhooks.subscription_" + ("resumed" if active else "paused"),
                   locked, institution_id=locked.institution_id, before=before,
                   after=_summary(locked))
        if active:
            outbox._wake_after_commit()  # what waited while paused goes now
    return locked


def delete_subscription(actor: Any, sub: Subscription) -> None:
    with transaction.atomic():
        log_action(actor, "webhooks.subscription_deleted", sub,
                   institution_id=sub.institution_id, before=_summary(sub))
        sub.delete()


def send_test(actor: Any, sub: Subscription) -> Delivery:
    """Queue a `webhook.test` event to this subscription only (delivered by a worker)."""
    with transaction.atomic():
        outbox.record(TEST_EVENT, sub.institution_id,
                      [{"message": "A test event from Microdegree.",
                        "subscription": str(sub.uuid)}], [sub])
        queued = Delivery.objects.filter(subscription=sub).order_by("-id").first()
        assert queued is not None
        log_action(actor, "webhooks.test_sent", sub, institution_id=sub.institution_id,
                   after={"event": str(queued.event_id)})
    return queued


def subscription_of(inst: Institution, sub_uuid: Any) -> Subscription:
    """The institution's subscription; another institution's is the same 404 as none."""
    try:
        return Subscription.objects.get(institution=inst, uuid=sub_uuid)
    except (Subscription.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFound(_("No such webhook subscription.")) from exc


def deliveries(sub: Subscription, limit: int = 50) -> list[Delivery]:
    return list(Delivery.objects.filter(subscription=sub).select_related("event")
                .order_by("-created_at", "-id")[:limit])

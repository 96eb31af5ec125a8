"""The webhooks JSON API: a django-ninja Router on the platform API (`microdegree.web.apis`,
errors `{code, message}` from the one error mapping), with the issuing API's bearer tokens.

`/api/v1/institutions/SLUG/webhooks[...]`: list and add subscriptions, read one, pause or
resume it (PATCH `{"active": false}`), delete it, read its delivery log, send a test event.
Reading needs a token of the institution (viewer or issuer); writing an issuer token. Another
institution's subscription or slug is the same 404 as a missing one.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.security import HttpBearer

from microdegree.institutions.errors import NotFound, PermissionDenied
from microdegree.institutions.models import Institution
from microdegree.issuing import services as issuing_services
from microdegree.issuing.models import ApiToken
from microdegree.webhooks import services
from microdegree.webhooks.models import Delivery, Subscription
from microdegree.webhooks.schemas import (
    DeliveryOut,
    Error,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPatch,
)


class TokenAuth(HttpBearer):
    """An institution's API token (`Authorization: Bearer mdt_...`)."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        # Before every operation: JSON answers stay English whatever Accept-Language says (the
        # services' sentences are translated for the staff page).
        translation.activate("en")
        return issuing_services.token_from(token.strip())


ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error}
router = Router(auth=TokenAuth(), tags=["Webhooks"])


def _institution(request: HttpRequest, slug: str, *, write: bool = False) -> Institution:
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    if token.institution.slug != slug:
        raise NotFound(_("No such institution."))
    if write and token.role != ApiToken.Role.ISSUER:
        raise PermissionDenied(_("This token cannot do that (it needs the issuer role)."))
    return token.institution


def _actor(request: HttpRequest) -> str:
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    return f"api-token:{token.prefix} ({token.name})"


def subscription_out(sub: Subscription) -> dict[str, Any]:
    return {"id": str(sub.uuid), "url": sub.url, "events": list(sub.events),
            "description": sub.description, "active": sub.active, "createdAt": sub.created_at}


def delivery_out(d: Delivery) -> dict[str, Any]:
    return {"id": d.pk, "eventId": f"msg_{d.event_id.hex}", "eventType": d.event.type,
            "state": d.state, "attempts": d.attempts, "lastStatus": d.last_status,
            "lastError": d.last_error, "lastAttemptAt": d.last_attempt_at,
            "nextAttemptAt": d.next_attempt_at, "deliveredAt": d.delivered_at,
            "createdAt": d.created_at}


PATH = "/institutions/{slug}/webhooks"


@router.get(PATH, response={200: list[SubscriptionOut], **ERRORS}, operation_id="listWebhooks",
            summary="The institution's webhook subscriptions")
def list_subscriptions(request: HttpRequest, slug: str) -> Any:
    inst = _institution(request, slug)
    return [subscription_out(s) for s in Subscription.objects.filter(institution=inst)]


@router.post(PATH, response={201: SubscriptionCreated, **ERRORS}, operation_id="addWebhook",
             summary="Subscribe a URL to events (the secret is in this answer only)")
def add_subscription(request: HttpRequest, slug: str, payload: SubscriptionIn) -> Any:
    inst = _institution(request, slug, write=True)
    sub, secret = services.create_subscription(_actor(request), inst, url=payload.url,
                                               events=payload.events,
                                               description=payload.description)
    return Status(201, {**subscription_out(sub), "secret": secret})


@router.get(PATH + "/{sub}", response={200: SubscriptionOut, **ERRORS},
            operation_id="getWebhook", summary="One subscription")
def get_subscription(request: HttpRequest, slug: str, sub: str) -> Any:
    return subscription_out(services.subscription_of(_institution(request, slug), sub))


@router.patch(PATH + "/{sub}", response={200: SubscriptionOut, **ERRORS},
              operation_id="pauseWebhook", summary="Pause or resume a subscription")
def patch_subscription(request: HttpRequest, slug: str, sub: str,
                       payload: SubscriptionPatch) -> Any:
    found = services.subscription_of(_institution(request, slug, write=True), sub)
    return subscription_out(services.set_active(_actor(request), found, payload.active))


@router.delete(PATH + "/{sub}", response={204: None, **ERRORS},
               operation_id="deleteWebhook", summary="Delete a subscription and its log")
def delete_subscription(request: HttpRequest, slug: str, sub: str) -> Any:
    found = services.subscription_of(_institution(request, slug, write=True), sub)
    services.delete_subscription(_actor(request), found)
    return Status(204, None)


@router.get(PATH + "/{sub}/deliveries", response={200: list[DeliveryOut], **ERRORS},
            operation_id="listWebhookDeliveries", summary="The delivery log (newest first)")
def list_deliveries(request: HttpRequest, slug: str, sub: str) -> Any:
    found = services.subscription_of(_institution(request, slug), sub)
    return [delivery_out(d) for d in services.deliveries(found)]


@router.post(PATH + "/{sub}/test", response={202: DeliveryOut, **ERRORS},
             operation_id="testWebhook", summary="Queue a webhook.test event")
def send_test(request: HttpRequest, slug: str, sub: str) -> Any:
    found = services.subscription_of(_institution(request, slug, write=True), sub)
    queued = services.send_test(_actor(request), found)
    return Status(202, delivery_out(Delivery.objects.select_related("event").get(pk=queued.pk)))

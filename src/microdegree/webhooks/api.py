"""The webhooks JSON API (django-ninja Router), with the issuing API's bearer tokens.

`/api/v1/institutions/SLUG/webhooks[...]`: list and add subscriptions, read one, pause or
resume it (PATCH `{"active": false}`), delete it, read its delivery log, send a test event.
Reading needs a token of the institution (viewer or issuer); writing an issuer token. Another
institution's subscription or slug is the same 404 as a missing one.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from ninja import NinjaAPI, Router, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from microdegree.institutions.errors import DomainError, NotFound, PermissionDenied
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
        raise NotFound("No such institution.")
    if write and token.role != ApiToken.Role.ISSUER:
        raise PermissionDenied("This token cannot do that (it needs the issuer role).")
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


api = NinjaAPI(title="Microdegree webhooks API", version="1", urls_namespace="webhooks-api",
               openapi_url="/webhooks/openapi.json", docs_url=None)
api.add_router("", router)


def _error(code: str, message: str, status: int) -> HttpResponse:
    return JsonResponse({"code": code, "message": message}, status=status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(exc.code, exc.message, exc.status)


@api.exception_handler(NinjaValidationError)
def _request_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "payload")]
    return _error("REQUEST_INVALID",
                  f"${''.join('.' + p for p in loc)}: {first.get('msg', 'invalid')}", 400)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error("AUTHENTICATION_REQUIRED",
                      "Send 'Authorization: Bearer <token>' with a valid API token.", 401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error("REQUEST_INVALID", str(exc), exc.status_code)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Not ninja's: the platform's FaultsMiddleware answers it in the JSON surface's format
    (503 while the database is unavailable, else a 500 with a reference id)."""
    raise exc

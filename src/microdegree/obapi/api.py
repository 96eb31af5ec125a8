"""The Open Badges API endpoints (`/ims/ob/v3p0/...`): thin views that parse, call a service
or a reader, and answer; every refusal is an Imsx_StatusInfo (see errors.py)."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from microdegree.base.client_ip import client_ip
from microdegree.obapi import discovery, listing, registration, scopes, services
from microdegree.obapi.errors import ObApiError, error_response
from microdegree.obapi.oauth import authenticate
from microdegree.records.services import RecordError

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_DIGITS = re.compile(r"[0-9]{1,1000}")  # any size is clamped; only absurd lengths refused
_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+")
JSON_TYPES = {"application/json", "application/ld+json", "application/vc+ld+json",
              "application/vc"}

View = Callable[..., HttpResponse]


def endpoint(methods: dict[str, View]) -> View:
    """One URL, a view per method; 405 (with Allow) for any other; ObApiError → Imsx."""

    @csrf_exempt  # bearer tokens, no cookies: nothing for CSRF to protect
    @functools.wraps(next(iter(methods.values())))
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        handler = methods.get(request.method or "")
        try:
            if handler is None:
                raise ObApiError(405, f"{request.method} is not allowed here; use "
                                      f"{', '.join(methods)}.")
            return handler(request, *args, **kwargs)
        except ObApiError as exc:
            response = error_response(exc)
            if exc.status == 405:
                response["Allow"] = ", ".join(methods)
            return response

    return view


def _client_id(request: HttpRequest) -> str:
    token = getattr(request, "ob_token", None)
    return str(getattr(getattr(token, "application", None), "client_id", ""))


def _body(request: HttpRequest) -> bytes:
    try:
        return request.body
    except RequestDataTooBig as exc:
        raise ObApiError(400, "The request body is too large.") from exc


# --- discovery and registration ---------------------------------------------------------------


def _discovery(request: HttpRequest) -> HttpResponse:
    return JsonResponse(discovery.document())


def _register(request: HttpRequest) -> HttpResponse:
    try:
        data = json.loads(_body(request) or b"null")
    except (ValueError, UnicodeDecodeError):
        data = None
    try:
        answer = registration.register_client(data, ip=client_ip(request))
    except registration.RegistrationError as exc:
        response = JsonResponse({"error": exc.error, "error_description": exc.description},
                                status=exc.status)
        response["Cache-Control"] = "no-store"
        return response
    response = JsonResponse(answer, status=201)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt  # RFC 7591: anonymous JSON clients, no cookies
def register_endpoint(request: HttpRequest) -> HttpResponse:
    """RFC 7591 errors are {error, error_description}, not Imsx (the RFC fixes the shape)."""
    if request.method != "POST":
        response = JsonResponse({"error": "invalid_request",
                                 "error_description": "Register with POST."}, status=405)
        response["Allow"] = "POST"
        return response
    return _register(request)


# --- credentials ------------------------------------------------------------------------------


def _int_param(request: HttpRequest, name: str, default: int, minimum: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw.strip()) or int(raw) < minimum:
        raise ObApiError(400, f"{name} must be an integer of at least {minimum}.",
                         minor="invalid_query_parameter")
    return int(raw)


def _since(request: HttpRequest) -> datetime | None:
    raw = request.GET.get("since")
    if raw is None:
        return None
    try:
        parsed = datetime.fromisoformat(raw.strip().replace(" ", "+"))
    except ValueError as exc:
        raise ObApiError(400, "since must be an ISO 8601 date-time, e.g. "
                              "2025-01-31T12:00:00Z.", minor="invalid_query_parameter") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _get_credentials(request: HttpRequest) -> HttpResponse:
    user = authenticate(request, scopes.CREDENTIAL_READ)
    limit = min(_int_param(request, "limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
    offset = _int_param(request, "offset", 0, 0)
    since = _since(request)
    everything = listing.entries(user)
    if since is not None:
        everything = [e for e in everything if e.issued > since]
    total = len(everything)
    offset = min(offset, total)
    page = everything[offset:offset + limit]
    response = HttpResponse(listing.body(page), content_type="application/json")
    response["X-Total-Count"] = str(total)
    extra = {"since": request.GET["since"]} if since is not None else {}
    response["Link"] = listing.link_header(
        f"{discovery.api_base()}/credentials", limit=limit, offset=offset, total=total,
        extra=extra)
    return response


def _post_credential(request: HttpRequest) -> HttpResponse:
    user = authenticate(request, scopes.CREDENTIAL_UPSERT)
    content_type = (request.content_type or "").lower()
    try:
        text = _body(request).decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise ObApiError(400, "The body must be UTF-8 text.") from exc
    if content_type in JSON_TYPES:
        try:
            parsed = json.loads(text)
        except ValueError as exc:
            raise ObApiError(400, f"The body is not JSON: {exc}.") from exc
        if not isinstance(parsed, dict):
            raise ObApiError(400, "The body must be one credential (a JSON object).")
    elif content_type == "text/plain":
        if not _JWS.fullmatch(text):
            raise ObApiError(400, "A text/plain body must be one compact JWS (a VC-JWT).")
    else:
        raise ObApiError(400, "Send the credential as application/json, or as a compact JWS "
                              "in text/plain.")
    try:
        result = services.upsert_credential(user, text, client_id=_client_id(request))
    except RecordError as exc:
        reasons = "; ".join(exc.reasons) if exc.reasons else ""
        message = f"{exc.message} {reasons}".strip()
        raise ObApiError(400 if exc.status < 500 else exc.status, message) from exc
    stored = result.document.strip()
    if result.jws:
        return HttpResponse(stored, status=201 if result.created else 200,
                            content_type="text/plain")
    return HttpResponse(stored, status=201 if result.created else 200,
                        content_type="application/json")


# --- profile ----------------------------------------------------------------------------------


def _get_profile(request: HttpRequest) -> HttpResponse:
    user = authenticate(request, scopes.PROFILE_READ)
    return JsonResponse(listing.profile(user))


def _put_profile(request: HttpRequest) -> HttpResponse:
    user = authenticate(request, scopes.PROFILE_UPDATE)
    try:
        data = json.loads(_body(request) or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ObApiError(400, "The body must be an OB Profile as JSON.") from exc
    if not isinstance(data, dict):
        raise ObApiError(400, "The body must be an OB Profile (a JSON object).")
    current = listing.profile(user)
    for name in ("id", "email"):
        if name in data and data[name] != current.get(name):
            raise ObApiError(400, f"{name} cannot be changed through the API (add and verify "
                                  "addresses in your record).")
    try:
        services.update_profile(user, data, client_id=_client_id(request))
    except RecordError as exc:
        raise ObApiError(400, exc.message) from exc
    return JsonResponse(listing.profile(user))


discovery_endpoint = endpoint({"GET": _discovery})
credentials_endpoint = endpoint({"GET": _get_credentials, "POST": _post_credential})
profile_endpoint = endpoint({"GET": _get_profile, "PUT": _put_profile})


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Anything else under the API prefix: 404 as Imsx_StatusInfo."""
    return error_response(ObApiError(404, "There is no such resource in the Open Badges API."))

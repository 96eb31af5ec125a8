"""The Open Badges API endpoints (`/ims/ob/v3p0/...`): one ninja API for the surface, thin
operations that parse, call a service or a reader, and answer; every refusal is an
Imsx_StatusInfo (the platform's API mapping for this surface, `microdegree.http_errors`).
Authentication is `ObOAuth` (an OAuth 2.0 bearer token carrying the operation's scope). The
operations' OpenAPI description is generated (merged into /api/openapi.json); the discovery
document takes its paths from it (`discovery.py`). RFC 7591 registration answers in its own RFC
format and stays a plain view, as do the OAuth endpoints of django-oauth-toolkit.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any, Literal

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import Schema
from ninja.security.base import AuthBase
from pydantic import ConfigDict, Field

from microdegree.api_layer import not_allowed, surface_api
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
TAGS = ["Open Badges API"]
P = discovery.BASE_PATH

api = surface_api(
    surface="obapi", namespace="obapi-api", title="Open Badges API", version="3.0",
    description="The 1EdTech Open Badges 3.0 API: errors as Imsx_StatusInfo.")


# --- schemas (the generated OpenAPI document) -------------------------------------------------

ImsxMinor = Literal["forbidden", "fullsuccess", "internal_server_error", "invalid_data",
                    "invalid_query_parameter", "misdirected_request", "not_acceptable",
                    "not_allowed", "not_found", "not_modified", "server_busy",
                    "unauthorizedrequest", "unknown"]


class Imsx_CodeMinorField(Schema):
    imsx_codeMinorFieldName: str | None = None
    imsx_codeMinorFieldValue: ImsxMinor | None = None


class Imsx_CodeMinor(Schema):
    imsx_codeMinorField: list[Imsx_CodeMinorField] | None = None


class Imsx_StatusInfo(Schema):
    imsx_codeMajor: Literal["failure", "processing", "success", "unsupported"]
    imsx_severity: Literal["error", "status", "warning"]
    imsx_description: str | None = None
    imsx_codeMinor: Imsx_CodeMinor | None = None


class GetOpenBadgeCredentialsResponse(Schema):
    credential: list[dict[str, Any]] = Field(default_factory=list)
    compactJwsString: list[str] = Field(default_factory=list)


class ObProfile(Schema):
    model_config = ConfigDict(extra="allow")

    id: str
    type: str
    name: str | None = None
    givenName: str | None = None
    familyName: str | None = None
    email: str | None = None


class ServiceDescriptionDocument(Schema):
    model_config = ConfigDict(extra="allow")

    openapi: str
    info: dict[str, Any]
    components: dict[str, Any]


def _imsx(*statuses: int) -> dict[int, Any]:
    return dict.fromkeys(statuses, Imsx_StatusInfo)


# --- authentication ---------------------------------------------------------------------------


class ObOAuth(AuthBase):
    """An OAuth 2.0 access token carrying `scope` (`oauth.authenticate`: 401 / 403 as Imsx)."""

    openapi_type = "oauth2"
    scope = ""

    def __call__(self, request: HttpRequest) -> Any:
        return authenticate(request, self.scope)


def oauth(scope: str) -> ObOAuth:
    """The auth of an operation needing `scope`; the merged OpenAPI document names it as the
    1EdTech `OAuth2ACG` scheme with that scope (`vcapi/openapi.py`)."""
    kind = type(f"OAuth2ACG {scope}", (ObOAuth,), {"scope": scope})
    return kind()


def _client_id(request: HttpRequest) -> str:
    token = getattr(request, "ob_token", None)
    return str(getattr(getattr(token, "application", None), "client_id", ""))


def _body(request: HttpRequest) -> bytes:
    try:
        return request.body
    except RequestDataTooBig as exc:
        raise ObApiError(400, "The request body is too large.") from exc


# --- discovery and registration ---------------------------------------------------------------


@api.get(f"{P}/discovery", response={200: ServiceDescriptionDocument}, tags=TAGS,
         operation_id="obGetServiceDescription", url_name="discovery")
def get_discovery(request: HttpRequest) -> HttpResponse:
    return JsonResponse(discovery.document())


not_allowed(api, f"{P}/discovery", ("GET",), "obapi")


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


CREDENTIAL_QUERY = [
    {"name": "limit", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1}},
    {"name": "offset", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 0}},
    {"name": "since", "in": "query", "required": False,
     "schema": {"type": "string", "format": "date-time"}},
]


@api.get(f"{P}/credentials", auth=oauth(scopes.CREDENTIAL_READ), tags=TAGS,
         response={200: GetOpenBadgeCredentialsResponse, **_imsx(400, 401, 403, 405)},
         operation_id="obGetCredentials", url_name="credentials",
         openapi_extra={"parameters": CREDENTIAL_QUERY})
def get_credentials(request: HttpRequest) -> HttpResponse:
    user = request.auth  # type: ignore[attr-defined]
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


CREDENTIAL_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object"}},
    "text/plain": {"schema": {"type": "string",
                              "pattern": r"^[a-zA-Z0-9_-]+\.[a-zA-Z0-9_-]*\.[a-zA-Z0-9_-]+$"}},
}}, "responses": {"200": {"description": "Replaced"}, "201": {"description": "Created"}}}


@api.post(f"{P}/credentials", auth=oauth(scopes.CREDENTIAL_UPSERT), tags=TAGS,
          response=_imsx(400, 401, 403, 405), operation_id="obUpsertCredential",
          openapi_extra=CREDENTIAL_BODY)
def post_credential(request: HttpRequest) -> HttpResponse:
    user = request.auth  # type: ignore[attr-defined]
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


not_allowed(api, f"{P}/credentials", ("GET", "POST"), "obapi")


@api.get(f"{P}/profile", auth=oauth(scopes.PROFILE_READ), tags=TAGS,
         response={200: ObProfile, **_imsx(401, 403, 405)}, operation_id="obGetProfile",
         url_name="profile")
def get_profile(request: HttpRequest) -> HttpResponse:
    return JsonResponse(listing.profile(request.auth))  # type: ignore[attr-defined]


_PROFILE_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/ObProfile"}}}}}


@api.put(f"{P}/profile", auth=oauth(scopes.PROFILE_UPDATE), tags=TAGS,
         response={200: ObProfile, **_imsx(400, 401, 403, 405)}, operation_id="obPutProfile",
         openapi_extra=_PROFILE_BODY)
def put_profile(request: HttpRequest) -> HttpResponse:
    user = request.auth  # type: ignore[attr-defined]
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


not_allowed(api, f"{P}/profile", ("GET", "PUT"), "obapi")


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Anything else under the API prefix: 404 as Imsx_StatusInfo."""
    return error_response(ObApiError(404, "There is no such resource in the Open Badges API."))

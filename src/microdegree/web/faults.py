"""What a request that fails answers, and what the log keeps of it.

`FaultsMiddleware` (first in MIDDLEWARE) gives every request an id (the client's or proxy's
`X-Request-ID` when it is a plain token, else a new one), echoes it in the response, and binds it
with the user and institution to every log record written meanwhile (`microdegree.logs`). An
exception a view lets through is answered here, in the format of the surface the URL belongs to:

* the Open Badges API (`/ims/ob/v3p0/`): an `Imsx_StatusInfo`;
* the VC API and the platform's JSON APIs (`/credentials/issue|verify|status`,
  `/presentations/`, `/api/`) and machine documents (`*.json`, status lists): `{code, message}`;
* pages: a refusal (`DomainError`, 4xx) is the site's error page with its sentence; anything
  else a plain page (no base template, nothing read from the database).

The formats themselves are `microdegree.http_errors` (the one API mapping and the one page
mapping, used by the ninja APIs and the page views as well).

The database (or a verifier's data) unavailable is a 503 with `Retry-After`; anything unexpected
is a 500 naming a reference (the request id) that the log line with the traceback carries too.
`server_error` (handler500) does the same for exceptions raised outside a view (a middleware).
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.template import loader

from microdegree import logs
from microdegree.errors import DomainError, PlatformError, Unavailable, Unexpected, classify
from microdegree.http_errors import api_error_response, error_page

log = logging.getLogger("microdegree.errors")

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")
OBAPI_PREFIX = "/ims/ob/v3p0/"
VCAPI_PATHS = ("/credentials/issue", "/credentials/verify", "/credentials/status",
               "/presentations/")
JSON_PREFIXES = ("/api/", "/status/")
JSON_SUFFIXES = (".json", ".jsonld")
# Django answers these itself (404, 403, 400): they are the client's, not faults
CLIENT_ERRORS = (Http404, PermissionDenied, BadRequest, SuspiciousOperation, MultiPartParserError)


def surface(path: str) -> str:
    """Which error format a URL's clients expect: "obapi", "vcapi", "json" or "page"."""
    if path.startswith(OBAPI_PREFIX):
        return "obapi"
    if path.startswith(VCAPI_PATHS):
        return "vcapi"
    if path.startswith(JSON_PREFIXES) or path.endswith(JSON_SUFFIXES):
        return "json"
    return "page"


def request_id(request: HttpRequest) -> str:
    given = request.headers.get("X-Request-ID", "")
    return given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _user(request: HttpRequest) -> Any:
    """Who made the request, where known without a query: the signed-in user once loaded, or
    the API token that authenticated it."""
    token = getattr(request, "auth", None) or getattr(request, "ob_token", None)
    prefix = getattr(token, "prefix", None)
    if prefix:
        return f"api-token:{prefix}"
    user = request.__dict__.get("_cached_user")
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    return None


class FaultsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = request_id(request)
        request.request_id = rid  # type: ignore[attr-defined]
        token = logs.bind(request_id=rid, method=request.method, path=request.path,
                          user=lambda: _user(request))
        try:
            response = self.get_response(request)
        finally:
            logs.unbind(token)
        response["X-Request-ID"] = rid
        return response

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: dict[str, Any]
                     ) -> None:
        slug = kwargs.get("slug") or kwargs.get("inst_slug")
        if slug:
            logs.annotate(institution=slug)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, CLIENT_ERRORS):
            return None
        return respond(request, exc)


def respond(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """Log `exc` and answer it in the request's surface format."""
    rid = getattr(request, "request_id", None) or uuid.uuid4().hex
    error = classify(exc)
    if error is None:
        log.error("unexpected error (reference %s): %s: %s", rid, type(exc).__name__, exc,
                  exc_info=(type(exc), exc, exc.__traceback__),
                  extra={"reference": rid, "status": 500})
        error = Unexpected(f"An unexpected error occurred. If it persists, quote the reference "
                           f"{rid} when you report it.")
    else:
        log.warning("%s (%s): %s", error.code, type(exc).__name__, exc,
                    exc_info=(type(exc), exc, exc.__traceback__) if error.status >= 500 else None,
                    extra={"reference": rid, "status": error.status, "code": error.code})
    response = render_error(request, error, rid)
    if isinstance(error, Unavailable):
        response["Retry-After"] = str(error.retry_after)
    response["X-Request-ID"] = rid
    response._has_been_logged = True  # type: ignore[attr-defined]  # (django.utils.log)
    return response


def render_error(request: HttpRequest, error: PlatformError, reference: str) -> HttpResponse:
    kind = surface(request.path)
    if kind == "page":
        if isinstance(error, DomainError):
            return error_page(request, error)
    else:
        return api_error_response(error, kind, reference=reference)
    name = "microdegree/503.html" if error.status == 503 else "microdegree/500.html"
    # No request: no context processor may read the session or the user (the database).
    html = loader.render_to_string(name, {"reference": reference})
    return HttpResponse(html, status=error.status, content_type="text/html; charset=utf-8")


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an exception outside any view (e.g. saving the session in a middleware)."""
    exc = sys.exc_info()[1]
    if exc is None:
        exc = RuntimeError("server error")
    return respond(request, exc)

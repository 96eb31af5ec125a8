"""The two mappings from the error model (`microdegree.errors`) to HTTP responses.

* APIs: `api_error_response(error, surface)`: the VC API and the platform's JSON APIs answer
  `{code, message}` (with `problems` when there are several, `reference` for a fault); the Open
  Badges API an `Imsx_StatusInfo` (401 with an RFC 6750 `WWW-Authenticate`). Each ninja API's
  exception handler calls it (see `microdegree.api`), and so does the faults middleware for an
  error that escaped a view.
* Pages: `page_errors` (a view decorator; an app may name its own template) and `error_page`
  (what the faults middleware renders for a `DomainError` that escaped a page view).

Low in the layers (no app imported): every app may use it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from microdegree.errors import DomainError, PlatformError

IMSX_FIELD_NAME = "microdegree"

# HTTP status -> the codeMinor value the OB spec's enumeration has for it
CODE_MINOR = {
    400: "invalid_data",
    401: "unauthorizedrequest",
    403: "forbidden",
    404: "not_found",
    405: "not_allowed",
    406: "not_acceptable",
    415: "invalid_data",
    429: "server_busy",
    500: "internal_server_error",
    503: "server_busy",
}


def status_info(message: str, minor: str, *, major: str = "failure",
                severity: str = "error") -> dict[str, Any]:
    """An Open Badges API `Imsx_StatusInfo` body."""
    return {
        "imsx_codeMajor": major,
        "imsx_severity": severity,
        "imsx_description": message,
        "imsx_codeMinor": {"imsx_codeMinorField": [
            {"imsx_codeMinorFieldName": IMSX_FIELD_NAME, "imsx_codeMinorFieldValue": minor},
        ]},
    }


def error_body(error: PlatformError, *, reference: str | None = None) -> dict[str, Any]:
    """`{code, message}`, `problems` when the error lists several, `reference` for a fault."""
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    problems = getattr(error, "problems", None)
    if problems and not isinstance(problems[0], str):
        body["problems"] = [p.to_json() if hasattr(p, "to_json") else p for p in problems]
    if reference is not None:
        body["reference"] = reference
    return body


def api_error_response(error: PlatformError, surface: str = "json", *,
                       reference: str | None = None) -> HttpResponse:
    """The APIs' mapping: `error` in the format of `surface` ("obapi", "vcapi" or "json")."""
    if surface == "obapi":
        minor = getattr(error, "minor", None) or CODE_MINOR.get(error.status, "unknown")
        message = error.message
        if reference is not None and reference not in message:
            message += f" (reference {reference})"
        response = JsonResponse(status_info(message, minor), status=error.status)
        if error.status == 401:
            response["WWW-Authenticate"] = (getattr(error, "www_authenticate", None)
                                            or 'Bearer realm="ob"')
        return response
    return JsonResponse(error_body(error, reference=reference), status=error.status)


# --- pages ----------------------------------------------------------------------------------

PageContext = Callable[[HttpRequest], dict[str, Any]]
View = Callable[..., HttpResponse]


def error_page(request: HttpRequest, exc: DomainError, template: str = "microdegree/error.html",
               context: PageContext | None = None) -> HttpResponse:
    """A refusal as a page: `template` with `error` (code, message, status), at its status."""
    extra = context(request) if context is not None else {}
    return render(request, template, {**extra, "error": exc}, status=exc.status)


def page_errors(template: str = "microdegree/error.html", context: PageContext | None = None
                ) -> Callable[[View], View]:
    """The pages' mapping: a view's `DomainError` (any app's) becomes `template` at its status
    (an app may keep its own template; the default is the site's error page). `Unavailable`
    and unexpected errors go on to the faults middleware (503 / 500 with a reference)."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except DomainError as exc:
                return error_page(request, exc, template, context)

        return wrapper

    return decorate

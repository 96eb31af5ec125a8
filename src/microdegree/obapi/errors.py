"""Errors of the Open Badges API as Imsx_StatusInfo (the one shape the spec allows).

`ObApiError` carries the HTTP status, the code minor value (from the spec's enumeration) and a
sentence; `status_info` builds the body, `error_response` the response (401 adds the RFC 6750
WWW-Authenticate challenge).
"""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse

FIELD_NAME = "microdegree"

# HTTP status -> the codeMinor value the spec's enumeration has for it
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
}


class ObApiError(Exception):
    """A refused API request: `status`, `minor` (Imsx codeMinor value), `message`."""

    def __init__(self, status: int, message: str, *, minor: str | None = None,
                 www_authenticate: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.minor = minor or CODE_MINOR.get(status, "unknown")
        self.www_authenticate = www_authenticate


def status_info(message: str, minor: str, *, major: str = "failure",
                severity: str = "error") -> dict[str, Any]:
    return {
        "imsx_codeMajor": major,
        "imsx_severity": severity,
        "imsx_description": message,
        "imsx_codeMinor": {"imsx_codeMinorField": [
            {"imsx_codeMinorFieldName": FIELD_NAME, "imsx_codeMinorFieldValue": minor},
        ]},
    }


def error_response(exc: ObApiError) -> JsonResponse:
    response = JsonResponse(status_info(exc.message, exc.minor), status=exc.status)
    if exc.status == 401:
        response["WWW-Authenticate"] = exc.www_authenticate or 'Bearer realm="ob"'
    return response

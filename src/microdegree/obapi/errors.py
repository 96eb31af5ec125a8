"""Errors of the Open Badges API as Imsx_StatusInfo (the one shape the spec allows).

`ObApiError` carries the HTTP status, the code minor value (from the spec's enumeration) and a
sentence; `status_info` builds the body, `error_response` the response (401 adds the RFC 6750
WWW-Authenticate challenge).
"""

from __future__ import annotations

from django.http import HttpResponse

from microdegree.errors import DomainError
from microdegree.http_errors import CODE_MINOR, IMSX_FIELD_NAME, api_error_response, status_info

__all__ = ["CODE_MINOR", "FIELD_NAME", "ObApiError", "error_response", "status_info"]

FIELD_NAME = IMSX_FIELD_NAME


class ObApiError(DomainError):
    """A refused API request: `status`, `minor` (Imsx codeMinor value, also its `code`),
    `message`."""

    def __init__(self, status: int, message: str, *, minor: str | None = None,
                 www_authenticate: str | None = None) -> None:
        minor = minor or CODE_MINOR.get(status, "unknown")
        super().__init__(message, code=minor, status=status)
        self.minor = minor
        self.www_authenticate = www_authenticate


def error_response(exc: ObApiError) -> HttpResponse:
    return api_error_response(exc, "obapi")

"""The platform's error model, the one base every app raises from (issue 15: one error model).

`PlatformError` carries a stable `code`, an HTTP `status` and a sentence. Apps raise its
subclasses (`NotFound`, `PermissionDenied`, `Invalid`, `Conflict`, `Unauthenticated`,
`PayloadTooLarge`, or their own with a `code`: `RecordError`, `ObApiError`, `KeyReused`, ...),
all `DomainError`s (the request is refused, a 4xx). `Unavailable` is the
"could not finish, try again" kind (503 with `Retry-After`), never a verdict. `classify` turns any
exception into the `PlatformError` a response should describe (the credential core's `VcError`
too: a 400 with its code), or None for an unexpected error (a 500 with a reference id).

There are two mappings to responses, both in `microdegree.web.faults`: `api_error_response`
for the JSON APIs (each surface in its own format; the ninja APIs' exception handlers and the
middleware call it) and `page_errors` / the middleware for pages.

Infrastructure failures are recognised here, in one place: Django's `OperationalError` and
`InterfaceError` (server gone, connection refused or dropped, lock or statement timeouts) and
the credential core's `VerifierUnavailable` (a resolver or status fetcher that could not read).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import InterfaceError, OperationalError

from microdegree import config
from microdegree.vc.errors import VcError, VerifierUnavailable
from microdegree.vc.extract import ExtractError

DATABASE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


def retry_after_seconds() -> int:
    """What `Retry-After` says while the database is unavailable (MICRODEGREE_RETRY_AFTER)."""
    try:
        return max(1, int(config.env("RETRY_AFTER") or 10))
    except ValueError:
        return 10


class PlatformError(Exception):
    """An error with a machine code, an HTTP status and a sentence a person understands."""

    code = "ERROR"
    status = 400

    def __init__(self, message: str, *, code: str | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


class DomainError(PlatformError):
    """The request is refused (a 4xx): what every app raises for its users' mistakes.
    `except DomainError` never catches `Unavailable` or `Unexpected`."""


class NotFound(DomainError):
    code = "NOT_FOUND"
    status = 404


class PermissionDenied(DomainError):
    code = "PERMISSION_DENIED"
    status = 403


class Invalid(DomainError):
    code = "INVALID"
    status = 400


class Conflict(DomainError):
    code = "CONFLICT"
    status = 409


class Unauthenticated(DomainError):
    code = "AUTHENTICATION_REQUIRED"
    status = 401


class PayloadTooLarge(DomainError):
    code = "PAYLOAD_TOO_LARGE"
    status = 413


class Unavailable(PlatformError):
    """The platform cannot answer now (database unreachable): 503, try again later."""

    code = "SERVICE_UNAVAILABLE"
    status = 503

    @property
    def retry_after(self) -> int:
        return retry_after_seconds()


class Unexpected(PlatformError):
    """Anything not foreseen: a 500 whose reference id is in the log with the traceback."""

    code = "INTERNAL_ERROR"
    status = 500


def is_unavailable(exc: BaseException) -> bool:
    return isinstance(exc, DATABASE_ERRORS | VerifierUnavailable | Unavailable)


def classify(exc: BaseException) -> PlatformError | None:
    """The error a response should describe; None when `exc` is unexpected (a 500)."""
    if isinstance(exc, PlatformError):
        return exc
    if isinstance(exc, VerifierUnavailable):
        return Unavailable("The verifier cannot reach its data right now, so it cannot say "
                           "whether the credential is valid. Try again shortly.",
                           code="VERIFIER_UNAVAILABLE")
    if isinstance(exc, VcError | ExtractError):  # the core's (framework-free) errors: 400
        return Invalid(exc.message, code=exc.code)
    if isinstance(exc, DATABASE_ERRORS):
        return Unavailable("The service is temporarily unavailable (its database cannot be "
                           "reached). Try again shortly.", code="DATABASE_UNAVAILABLE")
    return None


@contextmanager
def verifier_reads(what: str) -> Iterator[None]:
    """Around a resolver's or fetcher's database reads: a database failure becomes the core's
    `VerifierUnavailable` (no verdict), not an error the verifier reports about the document."""
    try:
        yield
    except DATABASE_ERRORS as exc:
        raise VerifierUnavailable(f"{what} could not be read: the database is unavailable."
                                  ) from exc

"""Domain errors with a code and an HTTP status; one handler maps them to responses."""

from __future__ import annotations


class DomainError(Exception):
    code = "ERROR"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


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

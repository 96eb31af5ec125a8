"""Issuing's domain errors: the shared DomainError classes, with issuing's codes."""

from __future__ import annotations

from microdegree.institutions.errors import (
    Conflict,
    DomainError,
    Invalid,
    NotFound,
    PermissionDenied,
)

__all__ = ["Conflict", "DomainError", "Invalid", "NotFound", "PermissionDenied"]

"""The platform's errors, re-exported where every app first imported them from.

The model lives in `microdegree.errors` (one base, `PlatformError`, with a code and a status);
new code imports from there.
"""

from __future__ import annotations

from microdegree.errors import (
    Conflict,
    DomainError,
    Invalid,
    NotFound,
    PermissionDenied,
    PlatformError,
)

__all__ = ["Conflict", "DomainError", "Invalid", "NotFound", "PermissionDenied", "PlatformError"]

"""Secrets handed out once (API tokens, sign-in, invitation and registration links) are stored
only as this checksum: a database leak gives nobody a working token."""

from __future__ import annotations

import hashlib


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()

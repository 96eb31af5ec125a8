"""Standard Webhooks signatures (https://www.standardwebhooks.com/, spec 1.0.0), framework-free.

The secret is `whsec_` + base64 of 32 random bytes; the HMAC-SHA256 key is the decoded bytes.
The signed content is `{webhook-id}.{webhook-timestamp}.{body}`; the `webhook-signature`
header is `v1,` + base64 of the MAC (space-separated when several secrets sign at once).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 - the public prefix of the format, not a secret


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for one message."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    mac = hmac.new(_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "Webhook-Id": msg_id,
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": signature(secret, msg_id, timestamp, body),
    }


def verify(secret: str, msg_id: str, timestamp: str, body: bytes, header: str) -> bool:
    """True iff one of the `v1,` signatures in `header` is the one of this message."""
    try:
        expected = signature(secret, msg_id, int(timestamp), body)
    except ValueError:
        return False
    return any(hmac.compare_digest(part, expected) for part in header.split())

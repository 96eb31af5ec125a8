"""Multibase text encodings used by Data Integrity: base58btc (`z`) and base64url (`u`).

Only the two prefixes the specs use are supported; everything else is a `KeyFormatError`.
"""

from __future__ import annotations

import base64
import binascii
import re

import base58

from microdegree.vc.errors import KeyFormatError

_B58_ALPHABET = re.compile(r"[1-9A-HJ-NP-Za-km-z]*")
_B64URL_ALPHABET = re.compile(r"[A-Za-z0-9_-]*={0,2}")


def b58encode(b: bytes) -> str:
    """Base58btc (Bitcoin alphabet), no prefix."""
    return base58.b58encode(b).decode("ascii")


def b58decode(s: str) -> bytes:
    """Decode base58btc (no prefix); `KeyFormatError` on characters outside the alphabet."""
    if not isinstance(s, str) or not _B58_ALPHABET.fullmatch(s):
        raise KeyFormatError("The value is not base58btc text.", code="MULTIBASE_INVALID")
    return bytes(base58.b58decode(s))


def encode_z(b: bytes) -> str:
    """Multibase base58btc: `"z"` + base58btc(b)."""
    return "z" + b58encode(b)


def decode_z(s: str) -> bytes:
    """Decode a multibase base58btc string; it must start with `z`."""
    if not isinstance(s, str) or not s.startswith("z"):
        raise KeyFormatError(
            "A multibase base58btc value must start with 'z'.", code="MULTIBASE_INVALID"
        )
    return b58decode(s[1:])


def encode_u(b: bytes) -> str:
    """Multibase base64url without padding: `"u"` + base64url(b)."""
    return "u" + base64.urlsafe_b64encode(b).rstrip(b"=").decode("ascii")


def decode_u(s: str) -> bytes:
    """Decode a multibase base64url string (`u` prefix; padding tolerated, other bytes are not)."""
    if not isinstance(s, str) or not s.startswith("u"):
        raise KeyFormatError(
            "A multibase base64url value must start with 'u'.", code="MULTIBASE_INVALID"
        )
    text = s[1:]
    if not _B64URL_ALPHABET.fullmatch(text):
        raise KeyFormatError("The value is not base64url text.", code="MULTIBASE_INVALID")
    text = text.rstrip("=")
    if len(text) % 4 == 1:
        raise KeyFormatError("The base64url value has an impossible length.",
                             code="MULTIBASE_INVALID")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except binascii.Error as exc:  # pragma: no cover - the checks above make this unreachable
        raise KeyFormatError(f"The value is not base64url text: {exc}",
                             code="MULTIBASE_INVALID") from exc

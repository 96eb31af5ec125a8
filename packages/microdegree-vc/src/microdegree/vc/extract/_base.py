"""What every reader of the extraction shares: limits, the error, the result, strict JSON."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from microdegree.vc.report import Check, Outcome

MAX_UPLOAD = 5 * 1024 * 1024  # bytes of an upload, a pasted text or a fetched URL
MAX_DOCUMENT = 2_000_000  # bytes of the credential inside (the core's own input limit)
MAX_PNG_CHUNKS = 10_000

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PDF_SIGNATURE = b"%PDF-"
PDF_ATTACHMENTS = ("credential.json", "credential.jwt", "credential.jws")
PDF_SUFFIXES = (".json", ".jsonld", ".jwt", ".jws")
MAX_PDF_ATTACHMENTS = 100
PNG_KEYWORD = "openbadgecredential"
OB2_PNG_KEYWORD = "openbadges"
OB_SVG_NS = "https://purl.imsglobal.org/ob/v3p0"
OB2_SVG_NS = "http://openbadges.org"

_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_JWT_CLAIMS = ("iss", "jti", "nbf", "exp", "iat", "sub", "aud", "nonce")


class ExtractError(Exception):
    """The input is not a credential we can read; `code` for programs, `message` for people."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class Extracted:
    """The document found, the format it came in, and checks made on the way (the JWS)."""

    document: dict[str, Any]
    format: str  # "json", "jwt", "png", "svg", "pdf"
    checks: list[Check] = field(default_factory=list)
    jws: bool = False  # the document came from a JWS payload (its signature is the proof)
    text: str | None = None  # the credential text as found (JSON or compact JWS)


def _check(name: str, outcome: Outcome, code: str, message: str, **details: Any) -> Check:
    return Check(name, outcome, code, message, dict(details))


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def parse_json(text: str) -> dict[str, Any]:
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except RecursionError as exc:
        raise ExtractError("The JSON nests too deeply.", code="JSON_MALFORMED") from exc
    except ValueError as exc:
        raise ExtractError(f"The text is not valid JSON: {exc}.", code="JSON_MALFORMED") from exc
    if not isinstance(document, dict):
        raise ExtractError(
            "A credential or presentation is a JSON object, not a list or a value.",
            code="DOCUMENT_NOT_OBJECT",
        )
    return document

"""Shared checks and constants for the builders (not public)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from microdegree.vc.contexts import (
    CLR_CONTEXT,
    EU_CONTEXT_URL,
    OB_CONTEXT,
    OB_EXTENSIONS_CONTEXT,
    VC_V2_CONTEXT,
    embedded_context,
)
from microdegree.vc.errors import BuildError

#: The URL credentials issued before ADR 0011 name (still bundled, so they keep verifying).
EU_CONTEXT = EU_CONTEXT_URL
EU_VOCAB = "https://w3id.org/microdegree/vocab#"

OB_CONTEXTS = (VC_V2_CONTEXT, OB_CONTEXT)
CLR_CONTEXTS = (VC_V2_CONTEXT, CLR_CONTEXT, OB_CONTEXT)

# Terms of the EU micro-credential context (`contexts/microdegree-eu-microcredential-v1.json`).
EU_TERMS = frozenset({
    "ECTS",
    "workloadHours",
    "participationType",
    "assessmentType",
    "supervisionType",
    "identityChecked",
    "qualityAssurance",
    "prerequisites",
    "integration",
    "stackableTowards",
    "learningOutcome",
    "eqfLevel",
    "nqfLevel",
    "gradingScheme",
    "instructionLanguage",
    "furtherInformation",
})

# Types only `extensions.json` defines (STANDARDS §0).
_EXTENSION_TYPES = frozenset(
    {"1EdTechJsonSchemaValidator2019", "1EdTechRevocationList", "1EdTechCredentialRefresh"}
)
# Values that are whole credentials with their own @context: not scanned.
_EMBEDDED = frozenset({"verifiableCredential", "endorsement"})

_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
)
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def new_id() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def check_iri(value: Any, field: str) -> str:
    """An absolute URL or URN (https://…, urn:uuid:…, did:…); raises BuildError otherwise."""
    if not isinstance(value, str) or not _IRI.match(value):
        raise BuildError(
            f"{field} must be an absolute URL or URN such as 'https://…' or 'urn:uuid:…' "
            f"(got {value!r}).",
            code="BUILD_INVALID_ID",
        )
    scheme = value.split(":", 1)[0].lower()
    if scheme in ("http", "https") and not re.match(r"^https?://[^/?#\s]+", value, re.I):
        raise BuildError(f"{field} must be a URL with a host (got {value!r}).",
                         code="BUILD_INVALID_ID")
    return value


def check_datetime(value: Any, field: str) -> str:
    """An XML Schema dateTimeStamp (date-time with a zone); datetimes must be timezone-aware."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise BuildError(f"{field} must be timezone-aware (got a naive datetime).",
                             code="BUILD_INVALID_DATE")
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if not isinstance(value, str) or not _DATETIME.match(value):
        raise BuildError(
            f"{field} must be a date-time with a time zone, e.g. '2026-01-15T00:00:00Z' "
            f"(got {value!r}).",
            code="BUILD_INVALID_DATE",
        )
    try:
        parse_datetime(value)
    except ValueError as exc:
        raise BuildError(f"{field} is not a real date-time ({value!r}).",
                         code="BUILD_INVALID_DATE") from exc
    return value


def parse_datetime(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def check_text(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BuildError(f"{field} must be a non-empty string (got {value!r}).",
                         code="BUILD_MISSING_FIELD")
    return value


def check_number(value: Any, field: str, *, minimum: float = 0) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise BuildError(f"{field} must be a number (got {value!r}).", code="BUILD_INVALID_VALUE")
    if value < minimum:
        raise BuildError(f"{field} must be at least {minimum} (got {value!r}).",
                         code="BUILD_INVALID_VALUE")
    return value


def check_language(value: Any, field: str) -> str:
    if not isinstance(value, str) or not _LANGUAGE.match(value):
        raise BuildError(f"{field} must be a BCP 47 language tag such as 'en' or 'nl-NL' "
                         f"(got {value!r}).", code="BUILD_INVALID_VALUE")
    return value


def check_enum(value: Any, allowed: Iterable[str], field: str, *, extensible: bool) -> str:
    allowed = tuple(allowed)
    if isinstance(value, str) and (
        value in allowed or (extensible and value.startswith("ext:") and len(value) > 4)
    ):
        return value
    hint = " or a term starting with 'ext:'" if extensible else ""
    raise BuildError(
        f"{field} must be one of {', '.join(allowed)}{hint} (got {value!r}).",
        code="BUILD_INVALID_VALUE",
    )


def drop_none(values: Mapping[str, Any]) -> dict[str, Any]:
    """The mapping without None values and empty lists (optional fields left out)."""
    return {k: v for k, v in values.items() if v is not None and v != []}


def image(value: Any, field: str = "image") -> dict[str, Any] | None:
    """An OB Image object from a URL/data URI string, an `Image`, or None."""
    if value is None:
        return None
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        result: dict[str, Any] = to_dict()
        return result
    if isinstance(value, str):
        if not value.startswith("data:"):
            check_iri(value, field)
        return {"id": value, "type": "Image"}
    raise BuildError(f"{field} must be a URL, a data: URI or an Image (got {value!r}).",
                     code="BUILD_INVALID_VALUE")


def as_dict(value: Any, field: str) -> dict[str, Any]:
    """A builder object's dict, or a plain dict as given."""
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        result: dict[str, Any] = to_dict()
        return result
    if isinstance(value, Mapping):
        return dict(value)
    raise BuildError(f"{field} must be an object (got {value!r}).", code="BUILD_INVALID_VALUE")


def _scan(value: Any, found: set[str]) -> None:
    if isinstance(value, list):
        for item in value:
            _scan(item, found)
    elif isinstance(value, dict):
        types = value.get("type")
        for t in types if isinstance(types, list) else [types]:
            if isinstance(t, str) and t in _EXTENSION_TYPES:
                found.add("extensions")
        for key, item in value.items():
            if key in EU_TERMS:
                found.add("eu")
            if key not in _EMBEDDED and key != "@context":
                _scan(item, found)


def eu_context() -> dict[str, Any]:
    """The EU micro-credential context as the embedded object new credentials carry (ADR 0011)."""
    return embedded_context(EU_CONTEXT_URL)


def contexts_for(document: dict[str, Any], base: tuple[str, ...]) -> list[str | dict[str, Any]]:
    """`base` + extensions.json if a 1EdTech type appears + the embedded EU context if EU terms
    appear."""
    found: set[str] = set()
    _scan({k: v for k, v in document.items() if k != "@context"}, found)
    out: list[str | dict[str, Any]] = list(base)
    if "extensions" in found:
        out.append(OB_EXTENSIONS_CONTEXT)
    if "eu" in found:
        out.append(eu_context())
    return out

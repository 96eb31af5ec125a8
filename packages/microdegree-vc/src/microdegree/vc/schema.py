"""JSON Schema validation against the bundled 1EdTech OB 3.0 / CLR 2.0 schemas (draft 2019-09).

Only bundled schemas are used: `$ref`s resolve through a `referencing.Registry` built from the
files in `schemas/` (see `schemas/README.md`), never over the network. Two flavours of the OB
schemas exist (see the README): the LENIENT JSON-LD adaptation served at the purl URLs, and the
STRICT build (`STRICT_OB_*`). Issue documents that pass both; accept the lenient flavour when
verifying. `format` keywords are annotations only (the draft 2019-09 default).

Fast path: `validate` asks jsonschema-rs (compiled, some 100x faster) first; only when it
reports the document invalid does python-jsonschema run, for the detailed messages. Both are
draft 2019-09 with the same bundled registry and no format assertion;
`tests/vcapi/test_schema_fast.py` proves they agree on the builders' outputs, the bundled
examples and mutations of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs
from jsonschema import Draft201909Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT201909

from microdegree.vc.errors import VcError

__all__ = [
    "CLR_CREDENTIAL",
    "CLR_PROFILE",
    "OB_ACHIEVEMENT_CREDENTIAL",
    "OB_ENDORSEMENT_CREDENTIAL",
    "OB_PROFILE",
    "STRICT_OB_ACHIEVEMENT_CREDENTIAL",
    "STRICT_OB_ENDORSEMENT_CREDENTIAL",
    "STRICT_OB_PROFILE",
    "SchemaProblem",
    "is_known",
    "is_valid",
    "known_schemas",
    "schema_for_type",
    "strict_counterpart",
    "validate",
]

_OB = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
_CLR = "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/"

OB_ACHIEVEMENT_CREDENTIAL = _OB + "ob_v3p0_achievementcredential_schema.json"
OB_ENDORSEMENT_CREDENTIAL = _OB + "ob_v3p0_endorsementcredential_schema.json"
OB_PROFILE = _OB + "ob_v3p0_profile_schema.json"
CLR_CREDENTIAL = _CLR + "clr_v2p0_clrcredential_schema.json"
CLR_PROFILE = _CLR + "clr_v2p0_profile_schema.json"
STRICT_OB_ACHIEVEMENT_CREDENTIAL = _OB + "ob_v3p0_achievementcredential-jsonschema1.json"
STRICT_OB_ENDORSEMENT_CREDENTIAL = _OB + "ob_v3p0_endorsementcredential-jsonschema1.json"
STRICT_OB_PROFILE = _OB + "ob_v3p0_profile-jsonschema1.json"

_STRICT = {
    OB_ACHIEVEMENT_CREDENTIAL: STRICT_OB_ACHIEVEMENT_CREDENTIAL,
    OB_ENDORSEMENT_CREDENTIAL: STRICT_OB_ENDORSEMENT_CREDENTIAL,
    OB_PROFILE: STRICT_OB_PROFILE,
}

_MESSAGE_LIMIT = 240


@dataclass(frozen=True)
class SchemaProblem:
    """One schema violation: a JSON path into the document and what is wrong there."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _files() -> Any:
    return resources.files("microdegree.vc").joinpath("schemas")


@cache
def _index() -> dict[str, str]:
    index: dict[str, str] = json.loads(_files().joinpath("INDEX.json").read_text("utf-8"))
    return index


@cache
def _schema(url: str) -> dict[str, Any]:
    name = _index()[url]
    schema: dict[str, Any] = json.loads(_files().joinpath(name).read_text("utf-8"))
    return schema


def known_schemas() -> frozenset[str]:
    """Every JSON Schema URL that can be validated offline (OpenAPI description excluded)."""
    return frozenset(url for url in _index() if "/schema/json/" in url)


def is_known(url: str) -> bool:
    return url in known_schemas()


@cache
def _registry() -> Registry[Any]:
    resources_ = []
    for url in sorted(known_schemas()):
        resource = Resource.from_contents(_schema(url), default_specification=DRAFT201909)
        resources_.append((url, resource))
    # No `retrieve` callable: an unknown `$ref` is an error, never a fetch.
    return Registry().with_resources(resources_)


@cache
def _validator(url: str) -> Draft201909Validator:
    if not is_known(url):
        raise VcError(
            f"The JSON Schema {url!r} is not bundled with Microdegree; schemas are never "
            "fetched from the network.",
            code="SCHEMA_UNKNOWN",
        )
    return Draft201909Validator(_schema(url), registry=_registry())


def _refuse(uri: str) -> Any:
    raise ValueError(f"{uri} is not bundled; schemas are never fetched")


@cache
def _fast_validator(url: str) -> Any:
    """The jsonschema-rs validator for a bundled schema (None if it cannot compile it)."""
    resources_ = [(u, _schema(u)) for u in sorted(known_schemas())]
    try:
        registry = jsonschema_rs.Registry(
            resources_, draft=jsonschema_rs.Draft201909, retriever=_refuse
        )
        return jsonschema_rs.Draft201909Validator(
            _schema(url), registry=registry, validate_formats=False, retriever=_refuse
        )
    except (ValueError, jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError):
        return None  # fall back to python-jsonschema for this schema


def is_valid(document: Any, schema_url: str) -> bool:
    """True when `document` matches the bundled schema (the fast path; see `validate`)."""
    _validator(schema_url)  # SCHEMA_UNKNOWN for an unbundled URL
    fast = _fast_validator(schema_url)
    if fast is not None:
        try:
            return bool(fast.is_valid(document))
        except (ValueError, OverflowError):  # a value jsonschema-rs cannot represent
            pass
    return not any(True for _ in _validator(schema_url).iter_errors(document))


def _short(text: str) -> str:
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 1] + "…"


def _problem(error: ValidationError) -> SchemaProblem:
    # A failed oneOf/anyOf says only "… is not valid under any of the given schemas"; the most
    # relevant sub-error (deepest, from the closest branch) is what a person needs.
    deepest = best_match(error.context) if error.context else None
    chosen = deepest if deepest is not None else error
    message = chosen.message
    shown = repr(chosen.instance)
    if len(shown) > 60 and shown in message:  # do not echo a whole sub-document back
        message = message.replace(shown, f"the {_kind(chosen.instance)} value")
    return SchemaProblem(path=chosen.json_path, message=_short(message))


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list):
        return "array"
    return "string" if isinstance(value, str) else "given"


def validate(document: Any, schema_url: str) -> list[SchemaProblem]:
    """Validate `document` against a bundled schema; an empty list means valid.

    Raises `VcError` (code SCHEMA_UNKNOWN) only for a schema URL that is not bundled; see
    `is_known`.
    """
    validator = _validator(schema_url)
    if is_valid(document, schema_url):
        return []
    errors = sorted(
        validator.iter_errors(document), key=lambda e: (list(map(str, e.path)), e.message)
    )
    problems: list[SchemaProblem] = []
    for error in errors:
        problem = _problem(error)
        if problem not in problems:
            problems.append(problem)
    return problems


def _types(document: Mapping[str, Any]) -> set[str]:
    value = document.get("type")
    values = value if isinstance(value, list) else [value]
    return {v for v in values if isinstance(v, str)}


def schema_for_type(document: Any, *, strict: bool = False) -> str | None:
    """The bundled schema URL for a document's type (lenient flavour unless `strict`).

    ClrCredential -> CLR; EndorsementCredential -> OB endorsement; OpenBadgeCredential or
    AchievementCredential -> OB achievement; a Profile -> OB profile; otherwise None. With
    `strict`, the strict build is returned where one exists (there is none for CLR).
    """
    if not isinstance(document, Mapping):
        return None
    types = _types(document)
    url: str | None
    if "ClrCredential" in types:
        url = CLR_CREDENTIAL
    elif "EndorsementCredential" in types:
        url = OB_ENDORSEMENT_CREDENTIAL
    elif types & {"OpenBadgeCredential", "AchievementCredential"}:
        url = OB_ACHIEVEMENT_CREDENTIAL
    elif "Profile" in types:
        url = OB_PROFILE
    else:
        url = None
    return strict_counterpart(url) if strict and url is not None else url


def strict_counterpart(url: str) -> str:
    """The strict-build schema for a lenient OB schema URL (the URL itself if there is none)."""
    return _STRICT.get(url, url)

"""What the checks share: the codes, the options, small readers of a document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from microdegree.vc import did as did_mod
from microdegree.vc.fetch import Fetcher
from microdegree.vc.registry import IssuerRegistry

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB_SCHEMA_TYPE = "1EdTechJsonSchemaValidator2019"

# Warnings a caller may make fatal with `fatal=`.
STATUS_UNKNOWN = "STATUS_UNKNOWN"
ISSUER_UNKNOWN = "ISSUER_UNKNOWN"
ISSUER_NAME_MISMATCH = "ISSUER_NAME_MISMATCH"
# Bitstring Status List 1.0, section 3.2: the list could not be fetched, or failed its own
# verification. Failures unless the caller accepts an unknown status (`accept_unknown_status`).
STATUS_RETRIEVAL_ERROR = "STATUS_RETRIEVAL_ERROR"
STATUS_VERIFICATION_ERROR = "STATUS_VERIFICATION_ERROR"
#: Every code that means "the status could not be determined" (not "the status is bad").
STATUS_UNDETERMINED = frozenset({STATUS_UNKNOWN, STATUS_RETRIEVAL_ERROR,
                                 STATUS_VERIFICATION_ERROR})

#: What the issuer's own records say of a credential beyond its status entries: "revoked",
#: "suspended", or None (nothing more, or a credential those records do not hold). A platform
#: passes one for its own credentials (ADR 0006: a suspension is not always in the credential).
IssuerRecords = Callable[[dict[str, Any]], str | None]


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what the verifier reads before doing any work on it."""

    max_bytes: int = 2_000_000
    max_depth: int = 64
    max_nodes: int = 50_000
    max_nested_credentials: int = 200


@dataclass(frozen=True, slots=True)
class Options:
    now: datetime
    resolver: did_mod.Resolver
    status_fetcher: Fetcher | None
    registry: IssuerRegistry | None
    challenge: str | None
    domain: str | None
    recipient: str | None
    recipient_type: str | None
    clock_skew: timedelta
    fatal: frozenset[str]
    limits: Limits
    check_status: bool
    accept_unknown_status: bool = False
    issuer_records: IssuerRecords | None = None
    depth: int = 0


def types_of(document: dict[str, Any]) -> list[str]:
    value = document.get("type")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for t in value if isinstance(t, str)]
    return []


def issuer_id(document: dict[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, dict) and isinstance(issuer.get("id"), str):
        return str(issuer["id"])
    return None


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]

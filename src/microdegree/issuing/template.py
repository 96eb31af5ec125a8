"""Credential templates: the builder runs once per batch and row shape, then rows fill slots.

Why: in bulk issuance every credential of a batch has the same achievement, issuer, dates and
contexts; only the recipient's values differ. Running the core builder per row re-checks and
re-assembles all of it (about a quarter of a millisecond per credential, more than the rest of
the job path besides signing). Here the builder builds ONE credential per shape (which optional
row fields are present) with unique sentinel values; the sentinels' places become slots, and a
row's credential is the template with its own values in those slots. Everything without a slot
is shared, exactly as the batch already shares one Achievement document.

Why this is the builder's output and not an imitation of it:
- every slot value is produced by the same core function the builder calls (`hash_identity`,
  `plain_identity`'s input, `check_status_entries`, `_number`, `_iso`), and every check the
  builder runs on a row value (`check_iri`, `check_text`, `check_number`, `check_datetime`) runs
  here on that value too, so a row the builder refuses is refused here with the same error;
- a template is only used after it reproduced the builder's output for a real row of the batch
  (`prepare_issue` compares the JSON text of both for the first row of each shape); if not, the
  batch falls back to the builder;
- tests/issuing/test_template.py compares both, as JSON text, for many generated rows.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _

from microdegree.vc.builders import check_datetime, check_iri, check_number, check_text
from microdegree.vc.builders.credentials import check_status_entries
from microdegree.vc.builders.identity import hash_identity

Maker = Callable[[Mapping[str, Any]], Any]


@dataclass(frozen=True)
class Shape:
    """Which optional values a row has (each combination gets its own template)."""

    name: bool
    did: bool
    credits: bool
    result: bool
    narrative: bool
    evidence: bool
    start: bool
    end: bool


def shape_of(row: Any) -> Shape:
    """The shape of a validated `AwardRow` (empty text means absent, as for the builder)."""
    return Shape(
        name=bool(row.recipient_name), did=bool(row.recipient_did),
        credits=row.credits_earned is not None, result=bool(row.result),
        narrative=bool(row.narrative), evidence=bool(row.evidence_url),
        start=row.activity_start is not None, end=row.activity_end is not None,
    )


@dataclass(frozen=True)
class Sentinels:
    """Values that cannot occur in a real batch's shared parts (random per template)."""

    email: str
    salt: str
    name: str
    did: str
    credits: float
    result: str
    narrative: str
    evidence: str
    start: datetime
    end: datetime
    credential_id: str

    @classmethod
    def new(cls) -> Sentinels:
        tag = secrets.token_hex(12)
        base = datetime(1901, 1, 1, tzinfo=UTC) + timedelta(seconds=secrets.randbelow(10**8))
        return cls(
            email=f"slot{tag}@example.invalid", salt=f"slot{tag}salt", name=f"slot{tag}name",
            did=f"did:example:slot{tag}", credits=float(secrets.randbelow(10**9)) + 0.375,
            result=f"slot{tag}result", narrative=f"slot{tag}narrative",
            evidence=f"https://slot{tag}.invalid/evidence", start=base,
            end=base + timedelta(days=1), credential_id=f"urn:uuid:slot{tag}",
        )


class TemplateError(Exception):
    """A template could not be compiled (a sentinel not found exactly once)."""


class CredentialTemplate:
    """The unsigned credential of one batch and shape, with slots for the row's values."""

    def __init__(self, unsigned: dict[str, Any], slots: Mapping[Any, str]) -> None:
        found: dict[str, int] = {}
        self._make = _compile(unsigned, slots, found)
        missing = [name for name in set(slots.values()) if found.get(name) != 1]
        if missing or self._make is None:
            raise TemplateError(_("slots not found exactly once: %(missing)s")
                                % {"missing": sorted(missing)})

    def fill(self, values: Mapping[str, Any]) -> dict[str, Any]:
        assert self._make is not None
        out: dict[str, Any] = self._make(values)
        return out


def slot_values(
    shape: Shape, *, email: str, salt: str, credential_id: str,
    status_entries: Sequence[Mapping[str, Any]], credential_schema: Sequence[str] | None,
    name: str | None, did: str | None, credits: int | float | None, result: str | None,
    narrative: str | None, evidence: str | None, start: str | None, end: str | None,
) -> dict[str, Any]:
    """The slot values of one row, through the functions and checks the builder uses."""
    values: dict[str, Any] = {
        "credential_id": check_iri(credential_id, "credential id"),
        "identity_hash": hash_identity(email, salt, "emailAddress")["identityHash"],
        "salt": salt,
        "status": check_status_entries(status_entries, credential_schema),
    }
    if shape.name:
        values["name"] = check_text(name, "identifier")
    if shape.did:
        values["did"] = check_iri(did, "credential subject id")
    if shape.credits:
        values["credits"] = check_number(credits, "creditsEarned")
    if shape.result:
        values["result"] = str(result)
    if shape.narrative:
        values["narrative"] = narrative
    if shape.evidence:
        values["evidence"] = check_iri(evidence, "Evidence id")
    if shape.start:
        values["start"] = check_datetime(start, "activityStartDate")
    if shape.end:
        values["end"] = check_datetime(end, "activityEndDate")
    return values


def _compile(node: Any, slots: Mapping[Any, str], found: dict[str, int],
             key: str | None = None) -> Maker | None:
    """A function building a fresh copy of `node` with slots filled, or None if `node` has no
    slot (then it is shared as it is)."""
    if key == "credentialStatus":
        found["status"] = found.get("status", 0) + 1
        return _slot("status")
    if isinstance(node, dict):
        parts = [(k, _compile(v, slots, found, k), v) for k, v in node.items()]
        if all(maker is None for _, maker, _ in parts):
            return None

        def make_dict(values: Mapping[str, Any]) -> dict[str, Any]:
            return {k: (maker(values) if maker is not None else v) for k, maker, v in parts}
        return make_dict
    if isinstance(node, list):
        items = [(_compile(v, slots, found), v) for v in node]
        if all(maker is None for maker, _ in items):
            return None

        def make_list(values: Mapping[str, Any]) -> list[Any]:
            return [maker(values) if maker is not None else v for maker, v in items]
        return make_list
    if isinstance(node, str | float) and not isinstance(node, bool) and node in slots:
        name = slots[node]
        found[name] = found.get(name, 0) + 1
        return _slot(name)
    return None


def _slot(name: str) -> Maker:
    def take(values: Mapping[str, Any]) -> Any:
        return values[name]
    return take

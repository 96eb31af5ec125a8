"""Award rows: one recipient's data (a form, an API body or a CSV row), checked and normalised."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from microdegree.issuing.errors import Invalid
from microdegree.issuing.services._common import iso, normalise_email
from microdegree.vc.credits import CreditsInvalid, parse_credits


@dataclass(frozen=True)
class AwardRow:
    """One award's per-recipient data (a form, an API body or a CSV row)."""

    recipient_email: str
    recipient_name: str = ""
    recipient_identifier: str = ""
    recipient_did: str = ""
    credits_earned: float | None = None
    result: str = ""
    narrative: str = ""
    evidence_url: str = ""
    activity_start: datetime | None = None
    activity_end: datetime | None = None
    idempotency_key: str | None = None
    components: tuple[int, ...] = field(default=())  # IssuedCredential pks

    def as_dict(self) -> dict[str, Any]:
        return {
            "recipient_email": self.recipient_email, "recipient_name": self.recipient_name,
            "recipient_identifier": self.recipient_identifier,
            "recipient_did": self.recipient_did, "credits_earned": self.credits_earned,
            "result": self.result, "narrative": self.narrative,
            "evidence_url": self.evidence_url,
            "activity_start": iso(self.activity_start) if self.activity_start else None,
            "activity_end": iso(self.activity_end) if self.activity_end else None,
            "idempotency_key": self.idempotency_key, "components": list(self.components),
        }


_ROW_FIELDS = set(AwardRow.__dataclass_fields__)


def _when(value: Any, name: str) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        parsed = parse_datetime(value.strip())
        if parsed is None and (day := parse_date(value.strip())) is not None:
            parsed = datetime(day.year, day.month, day.day)
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise Invalid(_("%(name)s is not a date (use YYYY-MM-DD).")
                  % {"name": name}, code="DATE_INVALID")


def validate_row(row: AwardRow | Mapping[str, Any]) -> AwardRow:
    """Check and normalise one row; raises `Invalid` with a code and a sentence."""
    if isinstance(row, AwardRow):
        row = row.as_dict()
    unknown = set(row) - _ROW_FIELDS
    if unknown:
        raise Invalid(_("Unknown field(s): %(value)s.")
                      % {"value": ', '.join(sorted(unknown))}, code="FIELD_UNKNOWN")
    email = normalise_email(str(row.get("recipient_email") or ""))
    if not email:
        raise Invalid(_("The recipient's e-mail address is required."), code="EMAIL_REQUIRED")
    try:
        validate_email(email)
    except ValidationError as exc:
        raise Invalid(_("%(email)s is not a valid e-mail address.") % {"email": repr(email)},
                      code="EMAIL_INVALID") from exc
    evidence = str(row.get("evidence_url") or "").strip()
    if evidence:
        try:
            URLValidator(schemes=["http", "https"])(evidence)
        except ValidationError as exc:
            raise Invalid(_("The evidence URL is not a valid http(s) URL."),
                          code="EVIDENCE_URL_INVALID") from exc
    did = str(row.get("recipient_did") or "").strip()
    if did and not did.startswith("did:"):
        raise Invalid(_("The recipient DID must start with 'did:'."), code="DID_INVALID")
    try:
        credits = parse_credits(row.get("credits_earned"), "credits_earned")
    except CreditsInvalid as exc:
        raise Invalid(exc.message, code=exc.code) from exc
    start = _when(row.get("activity_start"), "The activity start date")
    end = _when(row.get("activity_end"), "The activity end date")
    if start and end and end < start:
        raise Invalid(_("The activity ends before it starts."), code="DATES_INVALID")
    key = row.get("idempotency_key")
    key = str(key).strip()[:200] if key not in (None, "") else None
    return AwardRow(
        recipient_email=email,
        recipient_name=str(row.get("recipient_name") or "").strip()[:200],
        recipient_identifier=str(row.get("recipient_identifier") or "").strip()[:200],
        recipient_did=did,
        credits_earned=credits,
        result=str(row.get("result") or "").strip()[:100],
        narrative=str(row.get("narrative") or "").strip(),
        evidence_url=evidence,
        activity_start=start,
        activity_end=end,
        idempotency_key=key,
        components=tuple(int(getattr(c, "pk", c)) for c in row.get("components") or ()),
    )


class PreparedAward(dict[str, Any]):
    """One `prepare_issue` result: a plain JSON-serialisable dict (json.dumps writes it as one)
    that also remembers the validated `AwardRow` its "row" came from, so `store_issued` need
    not parse and check the row a second time. A dict built elsewhere (or reloaded from JSON)
    has no such memory and is validated again."""

    validated: AwardRow | None = None


def validated(item: Mapping[str, Any]) -> AwardRow:
    row = getattr(item, "validated", None)
    return row if row is not None else validate_row(item["row"])

"""Dates: the validity window (VC 2.0 validFrom/validUntil, VC 1.1 issuance/expiration)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from microdegree.vc._verify.common import VC_V1, Options, as_list
from microdegree.vc.report import Outcome, Report


def parse_datetime(value: Any) -> datetime | None:
    """An XML Schema dateTimeStamp (zone required) as an aware datetime, or None."""
    if not isinstance(value, str) or "T" not in value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def check_validity(document: dict[str, Any], report: Report, opts: Options) -> None:
    v1 = as_list(document.get("@context"))[:1] == [VC_V1]
    start_key, end_key = ("issuanceDate", "expirationDate") if v1 else ("validFrom", "validUntil")
    start_raw, end_raw = document.get(start_key), document.get(end_key)
    start = parse_datetime(start_raw)
    end = parse_datetime(end_raw)
    if start_raw is not None and start is None:
        report.add(
            "validity",
            Outcome.FAIL,
            "DATE_MALFORMED",
            f"{start_key} {start_raw!r} is not a date-time with a time zone.",
        )
        return
    if end_raw is not None and end is None:
        report.add(
            "validity",
            Outcome.FAIL,
            "DATE_MALFORMED",
            f"{end_key} {end_raw!r} is not a date-time with a time zone.",
        )
        return
    if start is not None and end is not None and end < start:
        report.add(
            "validity",
            Outcome.FAIL,
            "DATES_INVERTED",
            f"{end_key} is before {start_key}.",
        )
        return
    if start is not None and start > opts.now + opts.clock_skew:
        report.add(
            "validity",
            Outcome.FAIL,
            "NOT_YET_VALID",
            f"The credential is not valid before {start_raw}.",
        )
        return
    if end is not None and end < opts.now - opts.clock_skew:
        report.add(
            "validity",
            Outcome.FAIL,
            "EXPIRED",
            f"The credential expired on {end_raw}.",
        )
        return
    if end is None:
        message = "The credential is valid now and does not expire."
    else:
        message = f"The credential is valid now, until {end_raw}."
    report.add("validity", Outcome.PASS, "VALIDITY_OK", message)

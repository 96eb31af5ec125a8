"""Parse and validate a batch of awards (a CSV upload or the rows of a JSON API call).

Every row is checked before anything is issued; the `Report` lists each failing row with its
number, the column and a sentence, plus rows that repeat a recipient already in the batch.

- Encoding: UTF-8, with or without a byte-order mark (Excel's "CSV UTF-8" writes one).
- Delimiter: comma or semicolon (Excel in many European locales writes semicolons), found from the
  header line; tab works too.
- Columns (header names are case-insensitive; spaces and hyphens count as underscores): `email`
  (required), `name`, `identifier`, `narrative`, `result`, `evidence_url`, `credits_earned`,
  `activity_start`, `activity_end`, each with a few aliases (`ALIASES`). Unknown columns are
  ignored with a warning, so an export with extra columns still works.
- Row numbers are the ones a spreadsheet shows: the header is row 1, the first recipient row 2.
  API rows are numbered from 1.
- Values: dates as `YYYY-MM-DD` or ISO 8601 date-times (no time zone means UTC); credits as a number
  (a decimal comma is accepted); the evidence URL http(s) only.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.dateparse import parse_date, parse_datetime

from microdegree import config
from microdegree.vc.credits import CreditsInvalid, parse_credits

# Canonical field (the issuing AwardRow name) -> accepted header names.
ALIASES: dict[str, tuple[str, ...]] = {
    "recipient_email": ("email", "e_mail", "mail", "email_address", "e_mail_address",
                        "recipient_email", "recipient"),
    "recipient_name": ("name", "full_name", "recipient_name", "learner", "learner_name",
                       "student_name"),
    "recipient_identifier": ("identifier", "id", "student_id", "student_number",
                             "recipient_identifier", "learner_id"),
    "narrative": ("narrative", "comment", "comments"),
    "result": ("result", "grade", "score", "mark"),
    "evidence_url": ("evidence_url", "evidence", "evidence_link", "portfolio_url"),
    "credits_earned": ("credits_earned", "credits", "ects", "credit"),
    "activity_start": ("activity_start", "start", "start_date", "started", "activity_start_date",
                       "from"),
    "activity_end": ("activity_end", "end", "end_date", "ended", "activity_end_date",
                     "completed", "to"),
}
HEADER_TO_FIELD = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
# How each column is named in a report (the short CSV name).
COLUMN_LABEL = {name: aliases[0] for name, aliases in ALIASES.items()}
MAX_LENGTH = {"recipient_email": 254, "recipient_name": 200, "recipient_identifier": 200,
              "result": 100, "narrative": 10_000, "evidence_url": 500}

_url = URLValidator(schemes=["http", "https"])


def max_rows() -> int:
    return int(config.env("BULK_MAX_ROWS") or 50_000)


def max_bytes() -> int:
    return int(config.env("BULK_MAX_BYTES") or 20 * 1024 * 1024)


@dataclass(frozen=True)
class Problem:
    """One reason a row (or the whole file, when `row` is None) cannot be issued."""

    row: int | None
    column: str | None
    code: str
    message: str


@dataclass
class Report:
    """The validation report: valid rows (normalised), problems, duplicates, warnings."""

    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # every row, in order
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)

    @property
    def file_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.row is None]

    @property
    def row_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.row is not None]

    @property
    def invalid_rows(self) -> set[int]:
        return {p.row for p in self.problems if p.row is not None}

    @property
    def duplicates(self) -> list[Problem]:
        return [p for p in self.problems if p.code == "DUPLICATE_RECIPIENT"]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    def content_hash(self) -> str:
        """sha256 of the normalised rows, order-independent: the same batch, the same hash."""
        canonical = sorted(json.dumps(data, sort_keys=True, ensure_ascii=False)
                           for _, data in self.rows)
        digest = hashlib.sha256()
        for line in canonical:
            digest.update(line.encode())
            digest.update(b"\n")
        return digest.hexdigest()

    def summary(self) -> dict[str, Any]:
        """The JSON form stored on the job and returned by the API (without the row data)."""
        return {
            "ok": self.ok,
            "total": self.total,
            "invalid_rows": len(self.invalid_rows),
            "columns": self.columns,
            "warnings": self.warnings,
            "errors": [asdict(p) for p in self.problems],
        }

    @classmethod
    def from_summary(cls, data: Mapping[str, Any]) -> Report:
        return cls(problems=[Problem(**p) for p in data.get("errors", [])],
                   warnings=list(data.get("warnings", [])), columns=list(data.get("columns", [])))


# --- values ---------------------------------------------------------------------------------


class _Bad(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _when(value: str, label: str) -> str | None:
    if not value:
        return None
    moment = None
    try:
        moment = parse_datetime(value)
        if moment is None and (day := parse_date(value)) is not None:
            moment = datetime(day.year, day.month, day.day)
    except ValueError:  # well-formed but impossible, such as 2025-02-30
        moment = None
    if moment is None:
        raise _Bad("DATE_INVALID", f"The {label} {value!r} is not a date (use YYYY-MM-DD or an "
                                   "ISO 8601 date-time).")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _credits(value: str) -> float | None:
    try:
        return parse_credits(value, "credits_earned")
    except CreditsInvalid as exc:
        raise _Bad(exc.code, exc.message) from exc


def _check(name: str, value: str) -> Any:
    limit = MAX_LENGTH.get(name)
    if limit and len(value) > limit:
        raise _Bad("TOO_LONG", f"The {COLUMN_LABEL[name]} is longer than {limit} characters.")
    if name == "recipient_email":
        if not value:
            raise _Bad("EMAIL_REQUIRED", "The e-mail address is missing.")
        email = value.lower()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise _Bad("EMAIL_INVALID", f"{value!r} is not a valid e-mail address.") from exc
        return email
    if name == "evidence_url" and value:
        try:
            _url(value)
        except ValidationError as exc:
            raise _Bad("EVIDENCE_URL_INVALID",
                       f"The evidence URL {value!r} is not a valid http(s) URL.") from exc
    if name == "credits_earned":
        return _credits(value)
    if name == "activity_start":
        return _when(value, "activity start date")
    if name == "activity_end":
        return _when(value, "activity end date")
    return value


def validate_record(number: int, raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """One row (canonical field names) -> (normalised data, problems)."""
    data: dict[str, Any] = {}
    problems: list[Problem] = []
    for name in ALIASES:
        try:
            data[name] = _check(name, _text(raw.get(name)))
        except _Bad as bad:
            problems.append(Problem(number, COLUMN_LABEL[name], bad.code, bad.message))
            data[name] = _text(raw.get(name))
    start, end = data.get("activity_start"), data.get("activity_end")
    if not problems and start and end and end < start:
        problems.append(Problem(number, COLUMN_LABEL["activity_end"], "DATES_INVALID",
                                "The activity ends before it starts."))
    return data, problems


def validate_records(records: Iterable[tuple[int, Mapping[str, Any]]],
                     report: Report | None = None) -> Report:
    """Validate rows keyed by canonical field; flag repeated recipients (by e-mail address)."""
    report = report or Report()
    first_row: dict[str, int] = {}
    for number, raw in records:
        data, problems = validate_record(number, raw)
        email = data["recipient_email"]
        if not problems:
            if email in first_row:
                problems.append(Problem(
                    number, COLUMN_LABEL["recipient_email"], "DUPLICATE_RECIPIENT",
                    f"Row {number} repeats the recipient {email} of row {first_row[email]}."))
            else:
                first_row[email] = number
        report.rows.append((number, data))
        report.problems.extend(problems)
    if not report.rows and not report.file_problems:
        report.problems.append(Problem(None, None, "EMPTY", "The batch has no rows."))
    return report


# --- CSV ------------------------------------------------------------------------------------


def _header_key(cell: str) -> str:
    return re.sub(r"[\s\-]+", "_", cell.strip().lstrip("\ufeff").strip().lower())


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def parse_csv(data: bytes, *, limit_rows: int | None = None,
              limit_bytes: int | None = None) -> Report:
    """Parse and validate an uploaded CSV; problems never raise, they are in the report."""
    report = Report()
    limit_rows = limit_rows or max_rows()
    limit_bytes = limit_bytes or max_bytes()
    if len(data) > limit_bytes:
        report.problems.append(Problem(
            None, None, "FILE_TOO_LARGE",
            f"The file is {len(data):,} bytes; the limit is {limit_bytes:,} bytes. "
            "Split it into several batches."))
        return report
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.problems.append(Problem(
            None, None, "ENCODING_INVALID",
            "The file is not UTF-8 text. Save it as \"CSV UTF-8\" and upload it again."))
        return report
    if "\x00" in text:
        report.problems.append(Problem(None, None, "NOT_CSV", "The file is not a CSV text file."))
        return report
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line),
                        strict=True)
    try:
        header = next(reader, None)
        while header is not None and not any(c.strip() for c in header):
            header = next(reader, None)
        if header is None:
            report.problems.append(Problem(None, None, "EMPTY", "The file is empty."))
            return report
        fields = _fields(header, report)
        if fields is None:
            return report
        records = list(_records(reader, fields, len(header), report, limit_rows))
    except csv.Error as exc:
        report.problems.append(Problem(
            None, None, "CSV_INVALID",
            f"The file is not valid CSV near line {reader.line_num}: {exc}."))
        return report
    if report.file_problems:
        return report
    return validate_records(records, report)


def _fields(header: Sequence[str], report: Report) -> list[str | None] | None:
    fields: list[str | None] = []
    seen: dict[str, str] = {}
    ignored: list[str] = []
    for cell in header:
        name = HEADER_TO_FIELD.get(_header_key(cell))
        if name is None:
            if cell.strip():
                ignored.append(cell.strip())
            fields.append(None)
            continue
        if name in seen:
            report.problems.append(Problem(
                None, COLUMN_LABEL[name], "COLUMN_DUPLICATE",
                f"The columns {seen[name]!r} and {cell.strip()!r} both give the "
                f"{COLUMN_LABEL[name]}; keep one."))
        seen[name] = cell.strip()
        fields.append(name)
    if "recipient_email" not in seen:
        report.problems.append(Problem(
            None, "email", "COLUMN_MISSING",
            "The header has no email column (the first line must name the columns, "
            "for example: email,name,result)."))
    if ignored:
        report.warnings.append(f"These columns are not used and were ignored: "
                               f"{', '.join(ignored)}.")
    report.columns = [COLUMN_LABEL[f] for f in fields if f]
    return None if report.file_problems else fields


def _records(reader: Any, fields: list[str | None], width: int, report: Report,
             limit_rows: int) -> Iterable[tuple[int, dict[str, str]]]:
    count = 0
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue  # blank line
        count += 1
        if count > limit_rows:
            report.problems.append(Problem(
                None, None, "TOO_MANY_ROWS",
                f"The file has more than {limit_rows:,} rows; split it into several batches."))
            return
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            report.problems.append(Problem(
                number, None, "ROW_SHAPE",
                f"Row {number} has {len(cells)} cells but the header names {width} columns "
                "(a value with a delimiter in it needs quotes)."))
        yield number, {f: c for f, c in zip(fields, cells, strict=False) if f}


# --- JSON rows ------------------------------------------------------------------------------


def parse_rows(rows: Any, *, limit_rows: int | None = None) -> Report:
    """Validate the `rows` of an API call: a list of objects (CSV names or AwardRow names)."""
    report = Report()
    limit_rows = limit_rows or max_rows()
    if not isinstance(rows, list):
        report.problems.append(Problem(None, "rows", "ROWS_INVALID",
                                       "'rows' must be a list of objects."))
        return report
    if len(rows) > limit_rows:
        report.problems.append(Problem(
            None, "rows", "TOO_MANY_ROWS",
            f"The batch has {len(rows):,} rows; the limit is {limit_rows:,}."))
        return report
    records: list[tuple[int, dict[str, Any]]] = []
    for number, item in enumerate(rows, start=1):
        if not isinstance(item, Mapping):
            report.problems.append(Problem(number, None, "ROW_INVALID",
                                           f"Row {number} is not an object."))
            continue
        canonical: dict[str, Any] = {}
        for key, value in item.items():
            name = HEADER_TO_FIELD.get(_header_key(str(key)))
            if name is None:
                report.problems.append(Problem(number, str(key), "FIELD_UNKNOWN",
                                               f"Unknown field {key!r}."))
                continue
            if isinstance(value, dict | list):
                report.problems.append(Problem(number, COLUMN_LABEL[name], "VALUE_INVALID",
                                               f"The {COLUMN_LABEL[name]} must be text."))
                continue
            canonical[name] = value
        records.append((number, canonical))
    return validate_records(records, report)

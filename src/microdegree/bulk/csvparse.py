"""Parse and validate a batch of awards: a CSV file, JSON lines, or the rows of a JSON API call.

Every row is checked before anything is issued; the report lists each failing row with its
number, the column and a sentence, plus rows that repeat a recipient already in the batch.

- Streams: `csv_records` and `jsonl_records` read a binary file object (an upload on disk, a
  request body, optionally gzip-compressed) line by line, so a batch of a million rows never sits
  in memory; `Intake` validates the rows as they stream and keeps counts, the first
  `REPORT_PROBLEMS` problems and an order-independent content hash (`row_hash` summed modulo
  2**256, so it is computed incrementally). `parse_csv` and `parse_rows` are the in-memory forms
  (they keep every row, and find repeated recipients in memory); the job service streams rows
  into the database and finds repeated recipients there.
- Encoding: UTF-8, with or without a byte-order mark (Excel's "CSV UTF-8" writes one).
- Delimiter: comma or semicolon (Excel in many European locales writes semicolons), found from the
  header line; tab works too.
- Columns (header names are case-insensitive; spaces and hyphens count as underscores): `email`
  (required), `name`, `identifier`, `narrative`, `result`, `evidence_url`, `credits_earned`,
  `activity_start`, `activity_end`, each with a few aliases (`ALIASES`). Unknown columns are
  ignored with a warning, so an export with extra columns still works.
- Row numbers are the ones a spreadsheet shows: the header is row 1, the first recipient row 2.
  API rows are numbered from 1, JSON lines by their line number.
- Values: dates as `YYYY-MM-DD` or ISO 8601 date-times (no time zone means UTC); credits as a number
  (a decimal comma is accepted); the evidence URL http(s) only.
- Limits: `MICRODEGREE_BULK_MAX_ROWS` rows (default 1,000,000) and `MICRODEGREE_BULK_MAX_BYTES`
  bytes of (uncompressed) CSV or JSON lines (default 1 GiB); a JSON API body holding `rows` is
  read into memory and limited by `MICRODEGREE_BULK_JSON_MAX_BYTES` (default 20 MiB).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import itertools
import json
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

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


REPORT_PROBLEMS = 1000  # problems kept in a report (all of them stay on the job's rows)


def max_rows() -> int:
    return int(config.env("BULK_MAX_ROWS") or 1_000_000)


def max_bytes() -> int:
    """Uncompressed bytes of one streamed batch (CSV or JSON lines)."""
    return int(config.env("BULK_MAX_BYTES") or 1024 * 1024 * 1024)


def json_max_bytes() -> int:
    """Bytes of a JSON API body with `rows` (read into memory, so kept small)."""
    return int(config.env("BULK_JSON_MAX_BYTES") or 20 * 1024 * 1024)


def row_hash(data: Mapping[str, Any]) -> int:
    """One normalised row as a number; a batch's content hash is their sum modulo 2**256."""
    line = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    return int.from_bytes(hashlib.sha256(line).digest(), "big")


def hash_hex(total: int) -> str:
    return f"{total % (1 << 256):064x}"


@dataclass(frozen=True)
class Problem:
    """One reason a row (or the whole file, when `row` is None) cannot be issued."""

    row: int | None
    column: str | None
    code: str
    message: str


@dataclass
class Report:
    """The validation report: rows (normalised, in-memory parsing only), problems, warnings.

    A streamed batch keeps only counts and the first `REPORT_PROBLEMS` problems: `counts` then
    holds the totals (rows, invalid rows, problems)."""

    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # every row, in order
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    counts: dict[str, int] | None = None  # {"total", "invalid_rows", "errors_total"} if streamed

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
    def invalid_count(self) -> int:
        return self.counts["invalid_rows"] if self.counts else len(self.invalid_rows)

    @property
    def problem_count(self) -> int:
        return self.counts["errors_total"] if self.counts else len(self.problems)

    @property
    def duplicates(self) -> list[Problem]:
        return [p for p in self.problems if p.code == "DUPLICATE_RECIPIENT"]

    @property
    def total(self) -> int:
        return self.counts["total"] if self.counts else len(self.rows)

    @property
    def ok(self) -> bool:
        return not self.problem_count and bool(self.total)

    def content_hash(self) -> str:
        """Order-independent: the same batch, the same hash (`row_hash` summed)."""
        return hash_hex(sum(row_hash(data) for _, data in self.rows))

    def summary(self) -> dict[str, Any]:
        """The JSON form stored on the job and returned by the API (without the row data):
        counts, and the first `REPORT_PROBLEMS` problems ordered by row."""
        errors = sorted(self.problems, key=lambda p: -1 if p.row is None else p.row)
        return {
            "ok": self.ok,
            "total": self.total,
            "valid_rows": self.total - self.invalid_count,
            "invalid_rows": self.invalid_count,
            "columns": self.columns,
            "warnings": self.warnings,
            "errors": [asdict(p) for p in errors[:REPORT_PROBLEMS]],
            "errors_total": self.problem_count,
            "errors_truncated": self.problem_count > min(len(errors), REPORT_PROBLEMS),
        }

    @classmethod
    def from_summary(cls, data: Mapping[str, Any]) -> Report:
        problems = [Problem(**p) for p in data.get("errors", [])]
        counts = {"total": int(data.get("total", 0)),
                  "invalid_rows": int(data.get("invalid_rows", 0)),
                  "errors_total": int(data.get("errors_total", len(problems)))}
        return cls(problems=problems, warnings=list(data.get("warnings", [])),
                   columns=list(data.get("columns", [])), counts=counts)


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
        raise _Bad("DATE_INVALID", _("The %(label)s %(value)s is not a date (use YYYY-MM-DD or "
                                     "an ISO 8601 date-time).")
                                   % {"label": label, "value": repr(value)})
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
        raise _Bad("TOO_LONG", _("The %(value)s is longer than %(limit)s characters.")
                               % {"value": COLUMN_LABEL[name], "limit": limit})
    if name == "recipient_email":
        if not value:
            raise _Bad("EMAIL_REQUIRED", _("The e-mail address is missing."))
        email = value.lower()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise _Bad("EMAIL_INVALID", _("%(value)s is not a valid e-mail address.")
                                        % {"value": repr(value)}) from exc
        return email
    if name == "evidence_url" and value:
        try:
            _url(value)
        except ValidationError as exc:
            raise _Bad("EVIDENCE_URL_INVALID",
                       _("The evidence URL %(value)s is not a valid http(s) URL.")
                       % {"value": repr(value)}) from exc
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
                                _("The activity ends before it starts.")))
    return data, problems


# A parsed row before validation: its number, its values by canonical field (None: not an
# object, nothing to validate) and the problems already found reading it.
Record = tuple[int, Mapping[str, Any] | None, list[Problem]]


class Unreadable(Exception):
    """The batch as a whole cannot be read (not CSV, too large, no email column, ...)."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__(problems[0].message)
        self.problems = list(problems)


def _file_problem(code: str, message: str, column: str | None = None) -> Unreadable:
    return Unreadable(Problem(None, column, code, message))


def validated(records: Iterable[Record], limit_rows: int | None = None
              ) -> Iterator[tuple[int, dict[str, Any], list[Problem]]]:
    """Validate rows as they stream: (number, normalised data, problems), in order."""
    limit = limit_rows or max_rows()
    for count, (number, raw, problems) in enumerate(records, start=1):
        if count > limit:
            raise _file_problem("TOO_MANY_ROWS", _("The batch has more than %(limit)s rows; "
                                                   "split it into several batches.")
                                                 % {"limit": format(limit, ',')})
        if raw is None:
            yield number, {}, problems
            continue
        data, found = validate_record(number, raw)
        yield number, data, problems + found


def validate_records(records: Iterable[Record], report: Report | None = None, *,
                     limit_rows: int | None = None) -> Report:
    """Validate every row in memory; flag repeated recipients (by e-mail address)."""
    report = report or Report()
    first_row: dict[str, int] = {}
    try:
        for number, data, problems in validated(records, limit_rows):
            email = data.get("recipient_email")
            if not problems and email:
                if email in first_row:
                    problems.append(duplicate(number, email, first_row[email]))
                else:
                    first_row[email] = number
            report.rows.append((number, data))
            report.problems.extend(problems)
    except Unreadable as exc:
        report.rows = []
        report.problems = report.file_problems + exc.problems
        return report
    if not report.rows and not report.file_problems:
        report.problems.append(Problem(None, None, "EMPTY", _("The batch has no rows.")))
    return report


def duplicate(number: int, email: str, first: int) -> Problem:
    return Problem(number, COLUMN_LABEL["recipient_email"], "DUPLICATE_RECIPIENT",
                   _("Row %(number)s repeats the recipient %(email)s of row %(first)s.")
                   % {"number": number, "email": email, "first": first})


class Intake:
    """Streaming validation: counts, the first `REPORT_PROBLEMS` problems and the content hash,
    whatever the batch size (the rows themselves go to the caller, row by row)."""

    def __init__(self, limit_rows: int | None = None) -> None:
        self.report = Report(counts={"total": 0, "invalid_rows": 0, "errors_total": 0})
        self.limit_rows = limit_rows
        self._hash = 0
        self._keep = REPORT_PROBLEMS

    def rows(self, records: Iterable[Record]) -> Iterator[tuple[int, dict[str, Any],
                                                                list[Problem]]]:
        """Validate as the rows stream; raises `Unreadable` (its problems are in the report)."""
        counts = self.report.counts
        assert counts is not None
        try:
            for number, data, problems in validated(records, self.limit_rows):
                self._hash += row_hash(data)
                counts["total"] += 1
                if problems:
                    counts["invalid_rows"] += 1
                    self.add(problems)
                yield number, data, problems
        except Unreadable as exc:
            self.report.problems = exc.problems
            raise
        if not counts["total"]:
            self.report.problems = [Problem(None, None, "EMPTY", _("The batch has no rows."))]
            raise Unreadable(*self.report.problems)

    def add(self, problems: Sequence[Problem], *, newly_invalid: int = 0) -> None:
        counts = self.report.counts
        assert counts is not None
        counts["errors_total"] += len(problems)
        counts["invalid_rows"] += newly_invalid
        room = self._keep - len(self.report.problems)
        if room > 0:
            self.report.problems.extend(problems[:room])

    def second_pass(self) -> None:
        """Problems found after the stream (repeated recipients) get their own share of the
        kept problems, so the report's first problems by row stay exact."""
        self._keep = len(self.report.problems) + REPORT_PROBLEMS

    def content_hash(self) -> str:
        return hash_hex(self._hash)


# --- CSV and JSON lines, streamed --------------------------------------------------------------


class _Limited(io.RawIOBase):
    """A binary stream that refuses to read past `limit` bytes."""

    def __init__(self, source: Any, limit: int) -> None:
        self.source, self.limit, self.left = source, limit, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.source.read(len(buffer))
        if len(data) > self.left:
            raise _file_problem(
                "FILE_TOO_LARGE", _("The batch is larger than %(limit)s bytes (uncompressed); "
                                    "split it into several batches.")
                                  % {"limit": format(self.limit, ',')})
        self.left -= len(data)
        buffer[:len(data)] = data
        return len(data)


def open_text(binary: Any, *, gzipped: bool = False, limit_bytes: int | None = None
              ) -> io.TextIOWrapper:
    """A UTF-8 text stream over a binary file object (gunzipped on the fly), limited in size."""
    source = gzip.GzipFile(fileobj=binary, mode="rb") if gzipped else binary
    raw = _Limited(source, limit_bytes or max_bytes())
    return io.TextIOWrapper(io.BufferedReader(raw, 64 * 1024), encoding="utf-8-sig",
                            newline="")


def _lines(text: io.TextIOWrapper) -> Iterator[str]:
    """The text's lines; unreadable input becomes a file problem."""
    try:
        for line in text:
            if "\x00" in line:
                raise _file_problem("NOT_CSV", _("The file is not a CSV text file."))
            yield line
    except UnicodeDecodeError as exc:
        raise _file_problem("ENCODING_INVALID", _("The file is not UTF-8 text. Save it as \"CSV "
                                                  "UTF-8\" and upload it again.")) from exc
    except zipfile.BadZipFile as exc:  # a member of a zip upload that fails its CRC check
        raise _file_problem("ZIP_INVALID", _("The zip file cannot be read.")) from exc
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise _file_problem("GZIP_INVALID", _("The file is not valid gzip data (or it is cut "
                                              "short).")) from exc


def csv_records(binary: Any, report: Report, *, gzipped: bool = False,
                limit_bytes: int | None = None) -> Iterator[Record]:
    """The rows of a CSV file, read as a stream; the header sets `report.columns` and its
    warnings."""
    lines = _lines(open_text(binary, gzipped=gzipped, limit_bytes=limit_bytes))
    first = next(lines, "").lstrip("\ufeff")
    reader = csv.reader(itertools.chain([first], lines), delimiter=_delimiter(first),
                        strict=True)
    try:
        header = next(reader, None)
        while header is not None and not any(c.strip() for c in header):
            header = next(reader, None)
        if header is None:
            raise _file_problem("EMPTY", _("The file is empty."))
        fields = _fields(header, report)
        width = len(header)
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue  # blank line
            problems = []
            if len(cells) > width and any(c.strip() for c in cells[width:]):
                problems.append(Problem(
                    number, None, "ROW_SHAPE",
                    _("Row %(number)s has %(cells_count)s cells but the header names %(width)s "
                      "columns (a value with a delimiter in it needs quotes).")
                    % {"number": number, "cells_count": len(cells), "width": width}))
            yield number, {f: c for f, c in zip(fields, cells, strict=False) if f}, problems
    except csv.Error as exc:
        raise _file_problem("CSV_INVALID", _("The file is not valid CSV near line %(line_num)s: "
                                             "%(exc)s.")
                                           % {"line_num": reader.line_num, "exc": exc}) from exc


def jsonl_records(binary: Any, report: Report, *, gzipped: bool = False,
                  limit_bytes: int | None = None) -> Iterator[Record]:
    """JSON lines: one object per line (CSV or AwardRow names), numbered by line."""
    for number, line in enumerate(_lines(open_text(binary, gzipped=gzipped,
                                                   limit_bytes=limit_bytes)), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            yield number, None, [Problem(number, None, "ROW_INVALID",
                                         _("Line %(number)s is not a JSON object.")
                                         % {"number": number})]
            continue
        yield _canonical(number, item)


def _canonical(number: int, item: Any) -> Record:
    if not isinstance(item, Mapping):
        return number, None, [Problem(number, None, "ROW_INVALID",
                                      _("Row %(number)s is not an object.") % {"number": number})]
    canonical: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in item.items():
        name = HEADER_TO_FIELD.get(_header_key(str(key)))
        if name is None:
            problems.append(Problem(number, str(key), "FIELD_UNKNOWN", _("Unknown field %(key)s.")
                                                                       % {"key": repr(key)}))
            continue
        if isinstance(value, dict | list):
            problems.append(Problem(number, COLUMN_LABEL[name], "VALUE_INVALID",
                                    _("The %(value)s must be text.")
                                    % {"value": COLUMN_LABEL[name]}))
            continue
        canonical[name] = value
    return number, canonical, problems


def object_records(rows: Any, *, limit_rows: int | None = None) -> Iterator[Record]:
    """The `rows` of a JSON API call: a list of objects, numbered from 1."""
    limit = limit_rows or max_rows()
    if not isinstance(rows, list):
        raise _file_problem("ROWS_INVALID", _("'rows' must be a list of objects."), "rows")
    if len(rows) > limit:
        raise _file_problem("TOO_MANY_ROWS",
                            _("The batch has %(rows_count)s rows; the limit is %(limit)s.")
                            % {"rows_count": format(len(rows), ","),
                               "limit": format(limit, ",")}, "rows")
    for number, item in enumerate(rows, start=1):
        yield _canonical(number, item)


def _header_key(cell: str) -> str:
    return re.sub(r"[\s\-]+", "_", cell.strip().lstrip("\ufeff").strip().lower())


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _fields(header: Sequence[str], report: Report) -> list[str | None]:
    fields: list[str | None] = []
    seen: dict[str, str] = {}
    ignored: list[str] = []
    problems: list[Problem] = []
    for cell in header:
        name = HEADER_TO_FIELD.get(_header_key(cell))
        if name is None:
            if cell.strip():
                ignored.append(cell.strip())
            fields.append(None)
            continue
        if name in seen:
            problems.append(Problem(
                None, COLUMN_LABEL[name], "COLUMN_DUPLICATE",
                _("The columns %(first)s and %(second)s both give the %(column)s; keep one.")
                % {"first": repr(seen[name]), "second": repr(cell.strip()),
                   "column": COLUMN_LABEL[name]}))
        seen[name] = cell.strip()
        fields.append(name)
    if "recipient_email" not in seen:
        problems.append(Problem(
            None, "email", "COLUMN_MISSING",
            _("The header has no email column (the first line must name the columns, for "
              "example: email,name,result).")))
    if ignored:
        report.warnings.append(f"These columns are not used and were ignored: "
                               f"{', '.join(ignored)}.")
    report.columns = [COLUMN_LABEL[f] for f in fields if f]
    if problems:
        raise Unreadable(*problems)
    return fields


# --- in memory --------------------------------------------------------------------------------


def parse_csv(data: bytes, *, limit_rows: int | None = None,
              limit_bytes: int | None = None) -> Report:
    """Parse and validate a CSV file in memory; problems never raise, they are in the report."""
    report = Report()
    records = csv_records(io.BytesIO(data), report, limit_bytes=limit_bytes,
                          gzipped=data[:2] == b"\x1f\x8b")
    return validate_records(records, report, limit_rows=limit_rows)


def parse_rows(rows: Any, *, limit_rows: int | None = None) -> Report:
    """Validate the `rows` of an API call: a list of objects (CSV names or AwardRow names)."""
    return validate_records(object_records(rows, limit_rows=limit_rows), limit_rows=limit_rows)

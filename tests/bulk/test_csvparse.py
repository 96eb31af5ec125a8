"""CSV and JSON-row parsing: every row validated first, problems named by row and column."""

from __future__ import annotations

import pytest

from microdegree.bulk.csvparse import parse_csv, parse_rows


def codes(report):
    return [(p.row, p.column, p.code) for p in report.problems]


def test_plain_csv_with_every_column():
    data = (b"Email,Name,Identifier,Narrative,Grade,Evidence URL,Credits,Start Date,End Date\n"
            b"Ada@Example.org,Ada Lovelace,S-1,Built it.,A,https://ex.org/a,5,2025-09-01,"
            b"2025-12-15T10:30:00+01:00\n")
    report = parse_csv(data)
    assert report.ok, report.problems
    (number, row), = report.rows
    assert number == 2
    assert row == {
        "recipient_email": "ada@example.org", "recipient_name": "Ada Lovelace",
        "recipient_identifier": "S-1", "narrative": "Built it.", "result": "A",
        "evidence_url": "https://ex.org/a", "credits_earned": 5.0,
        "activity_start": "2025-09-01T00:00:00Z", "activity_end": "2025-12-15T09:30:00Z",
    }
    assert report.columns[0] == "email"


def test_bom_and_semicolons_and_decimal_comma():
    data = "\ufeffE-Mail;Name;Credits\nbo@example.org;Bø Ünïcode;2,5\n".encode()
    report = parse_csv(data)
    assert report.ok, report.problems
    assert report.rows[0][1]["recipient_email"] == "bo@example.org"
    assert report.rows[0][1]["recipient_name"] == "Bø Ünïcode"
    assert report.rows[0][1]["credits_earned"] == 2.5


def test_quoted_values_with_delimiters_and_newlines():
    data = b'email,narrative\nx@example.org,"Line one, with a comma\nand line two"\n'
    report = parse_csv(data)
    assert report.ok
    assert report.rows[0][1]["narrative"] == "Line one, with a comma\nand line two"


def test_every_bad_row_is_reported_with_row_and_column():
    data = (b"email,activity_start,activity_end,credits,evidence_url\n"
            b"good@example.org,2025-01-01,2025-02-01,1,\n"
            b"not-an-email,,,,\n"
            b"c@example.org,2025-13-01,,,\n"
            b"d@example.org,2025-02-30,,,\n"
            b"e@example.org,,,-1,\n"
            b"f@example.org,,,,ftp://x.example.org/a\n"
            b"g@example.org,2025-03-01,2025-02-01,,\n"
            b",,,,\n"
            b" ,,,1,\n")
    report = parse_csv(data)
    assert not report.ok
    assert codes(report) == [
        (3, "email", "EMAIL_INVALID"),
        (4, "activity_start", "DATE_INVALID"),
        (5, "activity_start", "DATE_INVALID"),
        (6, "credits_earned", "CREDITS_INVALID"),
        (7, "evidence_url", "EVIDENCE_URL_INVALID"),
        (8, "activity_end", "DATES_INVALID"),
        (10, "email", "EMAIL_REQUIRED"),  # row 9 is blank and skipped
    ]
    assert report.invalid_rows == {3, 4, 5, 6, 7, 8, 10}
    assert report.total == 8
    assert "2025-13-01" in report.problems[1].message


def test_missing_email_column_is_a_file_problem():
    report = parse_csv(b"name,result\nAda,A\n")
    assert codes(report) == [(None, "email", "COLUMN_MISSING")]
    assert report.rows == []


def test_duplicate_recipients_in_the_batch():
    data = b"email,name\na@example.org,A\nb@example.org,B\nA@EXAMPLE.ORG,A again\n"
    report = parse_csv(data)
    assert codes(report) == [(4, "email", "DUPLICATE_RECIPIENT")]
    assert "row 2" in report.duplicates[0].message


def test_unknown_columns_are_ignored_with_a_warning_and_duplicated_ones_refused():
    report = parse_csv(b"email,shoe size\na@example.org,42\n")
    assert report.ok
    assert "shoe size" in report.warnings[0]
    report = parse_csv(b"email,grade,result\na@example.org,A,B\n")
    assert codes(report) == [(None, "result", "COLUMN_DUPLICATE")]


def test_row_with_too_many_cells():
    report = parse_csv(b"email,name\na@example.org,Ann,extra\n")
    assert codes(report) == [(2, None, "ROW_SHAPE")]


@pytest.mark.parametrize(("data", "code"), [
    (b"", "EMPTY"),
    (b"\n\n", "EMPTY"),
    (b"email\n", "EMPTY"),
    ("email\nä@example.org\n".encode("latin-1"), "ENCODING_INVALID"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "ENCODING_INVALID"),
    (b'email\n"unterminated@example.org\n', "CSV_INVALID"),
])
def test_unreadable_files(data, code):
    report = parse_csv(data)
    assert not report.ok
    assert report.problems[0].code == code


def test_size_limits():
    data = b"email\n" + b"".join(b"p%d@example.org\n" % i for i in range(11))
    assert parse_csv(data, limit_rows=11).ok
    assert codes(parse_csv(data, limit_rows=10)) == [(None, None, "TOO_MANY_ROWS")]
    assert codes(parse_csv(data, limit_bytes=20)) == [(None, None, "FILE_TOO_LARGE")]


def test_too_long_values():
    report = parse_csv(b"email,grade\na@example.org," + b"A" * 101 + b"\n")
    assert codes(report) == [(2, "result", "TOO_LONG")]


def test_content_hash_ignores_order_and_cosmetics():
    one = parse_csv(b"email,name\na@example.org,Ann\nb@example.org,Bob\n")
    two = parse_csv("\ufeffNAME;E-mail\r\nBob;B@example.org\r\nAnn;a@example.org\r\n".encode())
    other = parse_csv(b"email,name\na@example.org,Ann\nb@example.org,Bobby\n")
    assert one.content_hash() == two.content_hash() != other.content_hash()


def test_json_rows():
    report = parse_rows([
        {"email": "a@example.org", "credits_earned": 3, "result": "B"},
        {"recipient_email": "b@example.org", "activity_end": "2025-05-01"},
        {"email": "c@example.org", "colour": "red"},
        "not an object",
        {"email": "d@example.org", "narrative": {"nested": True}},
    ])
    assert codes(report) == [(3, "colour", "FIELD_UNKNOWN"), (4, None, "ROW_INVALID"),
                             (5, "narrative", "VALUE_INVALID")]
    assert report.rows[0][1]["credits_earned"] == 3.0
    assert report.rows[1][1]["activity_end"] == "2025-05-01T00:00:00Z"
    assert codes(parse_rows({"email": "x"})) == [(None, "rows", "ROWS_INVALID")]
    assert codes(parse_rows([])) == [(None, None, "EMPTY")]

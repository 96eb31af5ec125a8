"""Large batches over the API: a CSV or JSON-lines body (optionally gzip) read as a stream,
validated as it streams, with the same report as the JSON `rows` body; too large is a 413;
a batch with invalid rows issues its valid rows only when the confirmation says so."""

from __future__ import annotations

import gzip
import json

import pytest

from microdegree.bulk.models import BulkJob, BulkRow
from microdegree.issuing import services as issuing
from microdegree.issuing.models import IssuedCredential

from .conftest import csv_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/institutions/example-uni/bulk-jobs"

ROWS = [{"email": "a@example.org", "name": "Ann", "credits": 4},
        {"email": "broken", "name": "Bob"},
        {"email": "c@example.org", "activity_start": "2025-13-01"},
        {"email": "A@example.org", "name": "Ann again"},
        {"email": "d@example.org", "result": "B"}]
CSV = (b"email,name,credits,activity_start,result\n"
       b"a@example.org,Ann,4,,\nbroken,Bob,,,\nc@example.org,,,2025-13-01,\n"
       b"A@example.org,Ann again,,,\nd@example.org,,,,B\ne@example.org,,,,\n")


@pytest.fixture
def token(institution, issuer):
    return issuing.create_api_token(issuer, institution, "LMS")[1]


def send(client, token, body, content_type, query="?achievement=data-literacy", **headers):
    return client.post(URL + query, body, content_type=content_type,
                       HTTP_AUTHORIZATION=f"Bearer {token}", **headers)


def jsonl(rows):
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


def problems(report):
    return [(e["row"], e["column"], e["code"]) for e in report["errors"]]


def test_csv_and_json_lines_stream_into_a_job_with_the_same_report(client, course, token):
    as_json = client.post(URL, json.dumps({"achievement": "data-literacy", "rows": ROWS}),
                          content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert as_json.status_code == 422
    reference = as_json.json()["report"]
    assert problems(reference) == [(2, "email", "EMAIL_INVALID"),
                                   (3, "activity_start", "DATE_INVALID"),
                                   (4, "email", "DUPLICATE_RECIPIENT")]
    # JSON lines (numbered by line, as the rows of the JSON body): the same report, the same job
    lines = send(client, token, jsonl(ROWS), "application/x-ndjson")
    assert lines.status_code == 422
    assert lines.json()["report"] == reference
    assert lines.json()["job"]["id"] == as_json.json()["job"]["id"]  # the same batch again
    # gzip-compressed JSON lines: still the same batch
    zipped = send(client, token, gzip.compress(jsonl(ROWS)), "application/jsonl",
                  HTTP_CONTENT_ENCODING="gzip")
    assert zipped.json()["job"]["id"] == as_json.json()["job"]["id"]
    # CSV (one more row, else it is the same batch): rows numbered as a spreadsheet shows them
    csv = send(client, token, gzip.compress(CSV), "text/csv", HTTP_CONTENT_ENCODING="gzip")
    assert csv.status_code == 422
    body = csv.json()
    assert problems(body["report"]) == [(3, "email", "EMAIL_INVALID"),
                                        (4, "activity_start", "DATE_INVALID"),
                                        (5, "email", "DUPLICATE_RECIPIENT")]
    assert {k: body["report"][k] for k in ("total", "valid_rows", "invalid_rows")} == {
        "total": 6, "valid_rows": 3, "invalid_rows": 3}
    assert body["message"] == ("3 rows have problems: fix them and upload the file again, or "
                               "issue the 3 valid rows.")
    job = BulkJob.objects.get(uuid=body["job"]["id"])
    assert (job.source, job.total, job.invalid_count) == ("api", 6, 3)
    assert dict(job.rows.values_list("row_number", "state")) == {
        2: "pending", 3: "invalid", 4: "invalid", 5: "invalid", 6: "pending", 7: "pending"}
    assert job.rows.get(row_number=5).error == (
        "email: Row 5 repeats the recipient a@example.org of row 2.")


def test_valid_rows_are_issued_only_when_asked(client, course, token, immediate_tasks,
                                               django_capture_on_commit_callbacks):
    body = send(client, token, CSV, "text/csv").json()
    job_id = body["job"]["id"]
    assert body["job"]["can_issue_valid"] is True
    refused = client.post(f"{URL}/{job_id}/confirm", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert refused.status_code == 422
    assert refused.json()["code"] == "BATCH_INVALID"
    assert "issue the 3 valid rows" in refused.json()["message"]
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(f"{URL}/{job_id}/confirm?valid_only=true",
                                HTTP_AUTHORIZATION=f"Bearer {token}")
    assert confirmed.status_code == 202
    progress = client.get(f"{URL}/{job_id}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert {k: progress[k] for k in ("state", "issued", "valid", "invalid", "percent")} == {
        "state": "done", "issued": 3, "valid": 3, "invalid": 3, "percent": 100}
    assert sorted(IssuedCredential.objects.values_list("recipient_email", flat=True)) == [
        "a@example.org", "d@example.org", "e@example.org"]


def test_unreadable_and_too_large_streams(client, course, token, monkeypatch):
    response = send(client, token, b"name\nAda\n", "text/csv")
    assert (response.status_code, response.json()["code"]) == (422, "COLUMN_MISSING")
    response = send(client, token, b"not gzip", "text/csv", HTTP_CONTENT_ENCODING="gzip")
    assert (response.status_code, response.json()["code"]) == (422, "GZIP_INVALID")
    response = send(client, token, CSV, "text/csv", HTTP_CONTENT_ENCODING="br")
    assert (response.status_code, response.json()["code"]) == (415, "ENCODING_UNSUPPORTED")
    response = send(client, token, CSV, "text/csv", query="")
    assert (response.status_code, response.json()["code"]) == (400, "ACHIEVEMENT_UNKNOWN")
    monkeypatch.setenv("MICRODEGREE_BULK_MAX_ROWS", "100")
    response = send(client, token, csv_of(101), "text/csv")
    assert response.status_code == 413
    assert response.json()["code"] == "TOO_MANY_ROWS"
    assert "split it into several batches" in response.json()["message"]
    assert send(client, token, csv_of(100), "text/csv").status_code == 201
    # bytes are counted after decompression: a small gzip bomb is refused as it streams
    monkeypatch.setenv("MICRODEGREE_BULK_MAX_BYTES", "10000")
    bomb = gzip.compress(b"email\n" + b"x" * 100_000)
    response = send(client, token, bomb, "text/csv", HTTP_CONTENT_ENCODING="gzip")
    assert (response.status_code, response.json()["code"]) == (413, "FILE_TOO_LARGE")
    assert BulkJob.objects.count() == 1  # refused batches leave nothing behind
    assert BulkRow.objects.count() == 100


def test_stream_needs_an_issuer_of_the_institution(client, course, token, institution, issuer,
                                                   other_institution):
    viewer = issuing.create_api_token(issuer, institution, "read", role="viewer")[1]
    assert send(client, viewer, CSV, "text/csv").status_code == 403
    theirs = issuing.create_api_token(None, other_institution, "theirs")[1]
    # another institution's token cannot stream into this institution's achievement
    assert send(client, theirs, CSV, "text/csv").status_code in (403, 404)
    assert BulkJob.objects.count() == 0


def test_report_keeps_counts_and_the_first_problems(issuer, course):
    from microdegree.bulk import csvparse, services

    data = "email\n" + "".join(f"broken{i}\n" for i in range(1, 1_201)) + "ok@example.org\n"
    job, report, _ = services.prepare_job(issuer, course, data.encode())
    summary = job.report
    assert (summary["total"], summary["invalid_rows"], summary["valid_rows"]) == (1_201, 1_200, 1)
    assert (summary["errors_total"], summary["errors_truncated"]) == (1_200, True)
    assert len(summary["errors"]) == csvparse.REPORT_PROBLEMS
    assert [e["row"] for e in summary["errors"][:2]] == [2, 3]  # the first ones, by row
    # every invalid row keeps its own problem, beyond the report's first 1,000
    assert job.rows.get(row_number=1_201).error == \
        "email: 'broken1200' is not a valid e-mail address."
    assert report.summary() == summary


def test_migration_rehashes_existing_jobs_so_old_batches_are_still_found(issuer, course):
    import importlib

    from django.apps import apps

    from microdegree.bulk import services

    migration = importlib.import_module(
        "microdegree.bulk.migrations.0003_bulk_intake_multiset_hash")
    job, _, _ = services.prepare_job(issuer, course, CSV)
    expected = job.content_hash
    BulkJob.objects.filter(pk=job.pk).update(content_hash="0" * 64)  # as before the change
    migration.rehash(apps, None)
    job.refresh_from_db()
    assert job.content_hash == expected
    again, _, created = services.prepare_job(issuer, course, CSV)
    assert (again.pk, created) == (job.pk, False)


def test_a_malformed_content_length_is_no_server_error(client, course, token):
    response = send(client, token, CSV, "text/csv", HTTP_CONTENT_LENGTH="abc")
    assert response.status_code < 500

"""#16.5 over HTTP: after an upload the registrar sees the first 20 rows as they will be awarded
and every row with a problem (paginated), downloads the rejected rows as a CSV that uploads again
once fixed, and issues the valid rows only when saying so. Large files: .csv.gz and .zip."""

from __future__ import annotations

import csv
import gzip
import io
import zipfile

import pytest

from microdegree.bulk import services
from microdegree.bulk.models import BulkJob
from microdegree.issuing.models import IssuedCredential

from .conftest import csv_of
from .test_views import upload

pytestmark = pytest.mark.django_db

JOBS = "/institutions/example-uni/bulk"


def mixed_csv(good: int, bad_every: int) -> bytes:
    """`good` rows; every `bad_every`-th row has a broken e-mail address or date."""
    lines = ["email,name,identifier,credits,activity_start,activity_end,shoe size"]
    for i in range(1, good + 1):
        if i % bad_every == 0:
            lines.append(f"broken{i},Learner {i},S-{i},5,2025-09-01,2025-12-15,42")
        elif i % bad_every == 1 and i > 1:
            lines.append(f"l{i}@example.org,Learner {i},S-{i},5,2025-13-01,2025-12-15,42")
        else:
            lines.append(f"l{i}@example.org,Learner {i},S-{i},5,2025-09-01,2025-12-15,42")
    return ("\n".join(lines) + "\n").encode()


def test_preview_shows_the_first_rows_and_every_bad_one(client, issuer, course):
    client.force_login(issuer)
    response = upload(client, mixed_csv(30, 10))
    job = BulkJob.objects.get()
    page = client.get(response["Location"]).content.decode()
    # the first 20 rows, as they will be awarded: name, e-mail, identifier, credits, dates
    assert "The first 20 rows, as they will be awarded" in page
    preview = page[page.index('<table id="preview">'):page.index("</table>",
                                                                page.index('id="preview"'))]
    assert preview.count("<tr><td>") == 20
    assert ("<tr><td>2</td><td>Learner 1</td><td>l1@example.org</td><td>S-1</td><td></td>"
            "<td>5</td><td>2025-09-01 \u2013 2025-12-15</td><td>OK</td></tr>") in preview
    assert "<td>broken10</td>" in preview  # row 11: shown as given, marked
    # every bad row, row 21 and beyond included, with its column and sentence
    assert "5 of 30 rows cannot be issued" in page
    assert ("<td>11</td><td>email</td><td>&#x27;broken10&#x27; is not a valid e-mail "
            "address.</td>") in page
    assert "<td>12</td><td>activity_start</td>" in page
    assert "<td>31</td><td>email</td>" in page
    # the state says what to do, not "awaiting confirmation"
    assert "awaiting confirmation" not in page
    assert ("5 rows have problems: fix them and upload the file again, or issue the 25 valid "
            "rows.") in page
    assert "Issue the 25 valid rows" in page
    assert "shoe size" in page  # the ignored column is named
    assert job.invalid_count == 5


def test_rejected_rows_download_and_upload_again(client, issuer, course, immediate_tasks,
                                                 django_capture_on_commit_callbacks):
    client.force_login(issuer)
    job_url = upload(client, mixed_csv(30, 10))["Location"]
    job = BulkJob.objects.get()
    response = client.get(f"{JOBS}/{job.uuid}/rejected.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["email", "name", "identifier", "credits_earned", "activity_start",
                             "activity_end", "error"]
    assert [r["email"] for r in rows] == ["broken10", "l11@example.org", "broken20",
                                          "l21@example.org", "broken30"]
    assert rows[0]["error"] == "email: 'broken10' is not a valid e-mail address."
    assert rows[1]["activity_start"] == "2025-13-01"
    # the valid rows are issued only when the registrar says so
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{JOBS}/{job.uuid}/confirm/", {"valid_only": "1"})
    assert response.status_code == 302
    assert IssuedCredential.objects.count() == 25
    page = client.get(job_url).content.decode()
    assert "Issued 25 of 25 (100%)" in page
    assert "Download the rejected rows (CSV)" in page  # still there to fix them
    # fixed in the spreadsheet, uploaded again (the error column is ignored): all valid
    for row in rows:
        row["email"] = row["email"] if "@" in row["email"] else row["email"] + "@example.org"
        row["activity_start"] = "2025-09-01"
    fixed = io.StringIO()
    writer = csv.DictWriter(fixed, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    response = upload(client, fixed.getvalue().encode(), name="fixed.csv")
    again = BulkJob.objects.exclude(pk=job.pk).get()
    assert (again.total, again.invalid_count) == (5, 0)
    assert "error" in again.report["warnings"][0]


def test_bad_rows_are_paginated_and_counted(client, issuer, course):
    client.force_login(issuer)
    data = "email\n" + "".join(f"l{i}@example.org\n" if i % 2 else f"broken{i}\n"
                                for i in range(1, 501))
    upload(client, data.encode())  # 250 bad rows, more than a page of 200
    job = BulkJob.objects.get()
    first = client.get(f"{JOBS}/{job.uuid}/").content.decode()
    assert "250 of 500 rows cannot be issued" in first
    assert "Rows with problems, page 1 of 2" in first
    assert "<td>401</td><td>email</td>" in first
    assert "<td>403</td>" not in first
    second = client.get(f"{JOBS}/{job.uuid}/?page=2").content.decode()
    assert "<td>403</td><td>email</td>" in second
    assert "<td>3</td><td>email</td>" not in second
    # the report kept on the job has counts, not every problem of a huge batch
    assert job.report["errors_total"] == 250


def test_compressed_uploads(client, issuer, course):
    client.force_login(issuer)
    response = upload(client, gzip.compress(csv_of(50)), name="big.csv.gz")
    assert response.status_code == 302
    job = BulkJob.objects.get()
    assert (job.total, job.invalid_count, job.filename) == (50, 0, "big.csv.gz")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("export/awards.csv", csv_of(40, start=100))
    assert upload(client, archive.getvalue(), name="awards.zip").status_code == 302
    assert BulkJob.objects.get(filename="awards.zip").total == 40
    two = io.BytesIO()
    with zipfile.ZipFile(two, "w") as zf:
        zf.writestr("a.csv", csv_of(1))
        zf.writestr("b.csv", csv_of(1))
    response = upload(client, two.getvalue(), name="two.zip")
    assert response.status_code == 400
    assert b"must hold exactly one CSV file" in response.content
    response = upload(client, b"\x1f\x8bnot really gzip", name="broken.csv.gz")
    assert response.status_code == 422
    assert b"not valid gzip data" in response.content


def test_over_the_limit_upload_is_refused_with_a_sentence(client, issuer, course, monkeypatch):
    client.force_login(issuer)
    monkeypatch.setenv("MICRODEGREE_BULK_MAX_ROWS", "10")
    response = upload(client, gzip.compress(csv_of(11)), name="big.csv.gz")
    assert response.status_code == 422
    assert b"more than 10 rows; split it into several batches" in response.content
    assert BulkJob.objects.count() == 0


def test_rejected_rows_stay_within_the_institution(client, issuer, course, other_institution,
                                                   make_user):
    from microdegree.institutions import services as inst_services

    job, _, _ = services.prepare_job(issuer, course, b"email\nbroken\nok@example.org\n")
    outsider = make_user("staff@other.example")
    inst_services.set_member(None, other_institution, outsider, "owner")
    client.force_login(outsider)
    assert client.get(f"{JOBS}/{job.uuid}/rejected.csv").status_code == 404
    assert client.get(f"/institutions/other-college/bulk/{job.uuid}/rejected.csv"
                      ).status_code == 404
    assert client.post(f"/institutions/other-college/bulk/{job.uuid}/confirm/",
                       {"valid_only": "1"}).status_code == 404
    client.logout()
    assert client.get(f"{JOBS}/{job.uuid}/rejected.csv").status_code == 302  # sign in first
    job.refresh_from_db()
    assert job.state == "validated"


def test_broken_archives_are_refused_with_a_sentence(client, issuer, course):
    """A zip whose member fails its CRC check, an encrypted one and one compressed with a
    method Python cannot read: each a 4xx with a sentence, never a 500, and no job."""
    client.force_login(issuer)
    good = io.BytesIO()
    with zipfile.ZipFile(good, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("awards.csv", csv_of(5))
    data = good.getvalue()
    at = data.index(b"learner1@example.org")  # a byte of the stored CSV changed: a bad CRC
    crc_broken = data[:at] + b"X" + data[at + 1:]
    encrypted = bytearray(data)
    encrypted[6] |= 0x1  # the general-purpose flag's "encrypted" bit, local header
    central = data.rindex(b"PK\x01\x02")
    encrypted[central + 8] |= 0x1  # and in the central directory
    deflate64 = bytearray(data)
    deflate64[8] = 9  # compression method 9 (Deflate64), local header and central directory
    deflate64[central + 10] = 9
    for name, body in (("crc.zip", crc_broken), ("locked.zip", bytes(encrypted)),
                       ("deflate64.zip", bytes(deflate64))):
        response = upload(client, body, name=name)
        assert 400 <= response.status_code < 500, (name, response.status_code)
        assert b"zip file" in response.content, name
    assert not BulkJob.objects.exists()


def test_rejected_rows_csv_quotes_formulas(client, issuer, course):
    """A spreadsheet opening the rejected rows must not run a cell as a formula."""
    client.force_login(issuer)
    upload(client, b'email,name\nbroken,"=HYPERLINK(""http://evil.example"",""x"")"\n')
    job = BulkJob.objects.get()
    text = b"".join(client.get(f"{JOBS}/{job.uuid}/rejected.csv").streaming_content)
    row = next(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
    assert row["name"] == "'=HYPERLINK(\"http://evil.example\",\"x\")"

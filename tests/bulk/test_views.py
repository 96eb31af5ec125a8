"""The real pages: upload, validation report, confirm, progress; roles and tenants."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from microdegree.bulk import services
from microdegree.bulk.models import BulkJob
from microdegree.issuing.models import IssuedCredential

from .conftest import csv_of

pytestmark = pytest.mark.django_db


def upload(client, data: bytes, name: str = "batch.csv", definition: str = "data-literacy"):
    return client.post(
        f"/institutions/example-uni/bulk/upload/{definition}/",
        {"file": SimpleUploadedFile(name, data, content_type="text/csv"), "send_email": "on"},
    )


def test_upload_form(client, issuer, course):
    client.force_login(issuer)
    response = client.get("/institutions/example-uni/bulk/upload/data-literacy/")
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content
    assert b"Data Literacy" in response.content
    sample = client.get("/institutions/example-uni/bulk/example.csv")
    assert sample["Content-Type"].startswith("text/csv")
    assert services.prepare_job(issuer, course, sample.content)[1].ok


def test_valid_upload_shows_confirm_and_confirm_issues(client, issuer, course, immediate_tasks,
                                                       django_capture_on_commit_callbacks):
    client.force_login(issuer)
    response = upload(client, csv_of(3))
    assert response.status_code == 302
    job = BulkJob.objects.get()
    assert response["Location"] == f"/institutions/example-uni/bulk/{job.uuid}/"
    page = client.get(response["Location"])
    assert b"All 3 rows are valid" in page.content
    assert b"Confirm and issue 3 credentials" in page.content
    assert "Refresh" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/institutions/example-uni/bulk/{job.uuid}/confirm/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == "done"
    assert IssuedCredential.objects.count() == 3
    page = client.get(f"/institutions/example-uni/bulk/{job.uuid}/").content.decode()
    assert re.search(r'<progress id="bulk-progress" max="3" value="3"\s+aria-valuemin="0" '
                     r'aria-valuemax="3" aria-valuenow="3"', page)
    assert "Issued 3 of 3" in page
    # uploading the same file again leads to the same job: nothing is issued twice
    response = upload(client, csv_of(3), name="again.csv")
    assert response["Location"] == f"/institutions/example-uni/bulk/{job.uuid}/"
    assert IssuedCredential.objects.count() == 3


def test_invalid_upload_shows_the_failing_rows_and_no_confirm(client, issuer, course):
    client.force_login(issuer)
    data = (b"email;activity_end\nok@example.org;2025-01-01\nnope;2025-01-01\n"
            b"x@example.org;yesterday\nok@example.org;2025-01-01\n")
    response = upload(client, data)
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "3 of 4 rows cannot be issued" in html
    assert "<td>3</td><td>email</td><td>&#x27;nope&#x27; is not a valid e-mail address.</td>" \
        in html
    assert "<td>4</td><td>activity_end</td>" in html
    assert "repeats the recipient ok@example.org of row 2" in html
    assert "Confirm and issue" not in html
    assert "3 rows have problems: fix them and upload the file again, or issue the 1 valid " \
        "row." in html
    job = BulkJob.objects.get()
    response = client.post(f"/institutions/example-uni/bulk/{job.uuid}/confirm/")
    assert response.status_code == 422
    assert b"or issue the 1 valid row." in response.content


def test_unreadable_upload_is_a_422_with_reasons(client, issuer, course):
    client.force_login(issuer)
    response = upload(client, b"name,grade\nAda,A\n")
    assert response.status_code == 422
    assert b"The header has no email column" in response.content
    assert BulkJob.objects.count() == 0


def test_progress_page_refreshes_while_running_and_json(client, issuer, course):
    job, _, _ = services.prepare_job(issuer, course, csv_of(4))
    services.confirm_job(issuer, job)  # no worker has run yet
    client.force_login(issuer)
    page = client.get(f"/institutions/example-uni/bulk/{job.uuid}/")
    assert page["Refresh"] == "2"
    assert b'<meta http-equiv="refresh" content="2">' in page.content
    assert b'aria-valuenow="0"' in page.content
    data = client.get(f"/institutions/example-uni/bulk/{job.uuid}/progress.json").json()
    assert (data["state"], data["total"], data["issued"], data["percent"]) == ("queued", 4, 0, 0)
    services.process_job(job.pk, size=1)
    data = client.get(f"/institutions/example-uni/bulk/{job.uuid}/progress.json").json()
    assert (data["state"], data["issued"], data["percent"]) == ("done", 4, 100)
    listing = client.get("/institutions/example-uni/bulk/")
    assert b"4 / 4" in listing.content


def test_roles_and_tenants(client, issuer, viewer, course, other_institution, make_user):
    from microdegree.institutions import services as inst_services

    job, _, _ = services.prepare_job(issuer, course, csv_of(2))
    client.force_login(viewer)
    assert client.get(f"/institutions/example-uni/bulk/{job.uuid}/").status_code == 200
    assert upload(client, csv_of(1)).status_code == 403
    assert client.post(f"/institutions/example-uni/bulk/{job.uuid}/confirm/").status_code == 403
    outsider = make_user("staff@other.example")
    inst_services.set_member(None, other_institution, outsider, "owner")
    client.force_login(outsider)
    for url in (f"/institutions/example-uni/bulk/{job.uuid}/",
                f"/institutions/example-uni/bulk/{job.uuid}/progress.json",
                "/institutions/example-uni/bulk/upload/data-literacy/"):
        assert client.get(url).status_code == 404
    # its own institution does not reach the job either
    assert client.get(f"/institutions/other-college/bulk/{job.uuid}/").status_code == 404
    assert client.post(f"/institutions/other-college/bulk/{job.uuid}/confirm/").status_code == 404
    job.refresh_from_db()
    assert job.state == "validated"


def test_anonymous_is_sent_to_sign_in(client, course):
    response = client.get("/institutions/example-uni/bulk/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]

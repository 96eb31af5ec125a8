"""The catalogue's definition page links to "Award one" and "Award in bulk" for that definition;
both pages open with it preselected and award it. Over HTTP, through the real views."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from microdegree.bulk.models import BulkJob
from microdegree.catalog import services as catalog
from microdegree.issuing.models import IssuedCredential

from .conftest import csv_of

pytestmark = pytest.mark.django_db

PAGE = "/institutions/example-uni/achievements/data-literacy/"


def _links(html: str) -> dict[str, str]:
    return {text.strip(): href for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', html)}


def test_issuer_follows_both_links_and_awards_the_definition(client, issuer, course):
    other = catalog.create_definition(None, course.definition.institution, name="Other Course",
                                      slug="other-course", description="d",
                                      criteria_narrative="c")
    client.force_login(issuer)
    page = client.get(PAGE)
    assert page.status_code == 200
    links = _links(page.content.decode())
    assert links["Award one"] == "/institutions/example-uni/credentials/award/data-literacy/"
    assert links["Award in bulk"] == "/institutions/example-uni/bulk/upload/data-literacy/"

    award = client.get(links["Award one"])
    assert award.status_code == 200
    assert "Data Literacy" in award.content.decode()
    done = client.post(links["Award one"], {"recipient_email": "one@example.org"})
    assert done.status_code == 302
    cred = IssuedCredential.objects.get(recipient_email="one@example.org")
    assert cred.achievement_version == course  # the definition the page was for
    assert cred.achievement_version != other

    bulk = client.get(links["Award in bulk"])
    assert bulk.status_code == 200
    assert "Award “Data Literacy” in bulk" in bulk.content.decode()
    posted = client.post(links["Award in bulk"], {
        "file": SimpleUploadedFile("b.csv", csv_of(2), content_type="text/csv")})
    assert posted.status_code == 302
    job = BulkJob.objects.get()
    assert job.achievement_version == course
    assert posted["Location"] == f"/institutions/example-uni/bulk/{job.uuid}/"


def test_a_viewer_sees_no_award_links(client, viewer, course):
    client.force_login(viewer)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Award one" not in page.content.decode()
    assert "Award in bulk" not in page.content.decode()
    # and the pages behind them refuse a viewer anyway
    assert client.get("/institutions/example-uni/bulk/upload/data-literacy/").status_code == 403
    assert client.get(
        "/institutions/example-uni/credentials/award/data-literacy/").status_code == 403


def test_a_microdegree_page_has_no_award_links(client, issuer, institution):
    catalog.create_definition(None, institution, name="A Microdegree", slug="md",
                              kind="microdegree", description="d", criteria_narrative="c")
    client.force_login(issuer)
    page = client.get("/institutions/example-uni/achievements/md/")
    assert page.status_code == 200
    assert "Award in bulk" not in page.content.decode()


def test_platform_admin_sees_the_links(client, admin_user, course):
    client.force_login(admin_user)
    assert "Award in bulk" in client.get(PAGE).content.decode()

"""The bulk job list is a place to start a job: one link per microcredential of the institution."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

LIST = "/institutions/example-uni/bulk/"


def test_issuer_can_start_from_the_empty_list(client, issuer, course, institution):
    from microdegree.catalog import services

    services.create_definition(None, institution, name="A Pathway", slug="pathway",
                               description="Several courses.", criteria_narrative="All of them.",
                               kind="microdegree")
    client.force_login(issuer)
    page = client.get(LIST).content.decode()
    assert "No bulk jobs yet." in page
    link = f'href="/institutions/example-uni/bulk/upload/{course.definition.slug}/"'
    assert link in page
    assert "Award “Data Literacy” in bulk" in page
    assert "/bulk/upload/pathway/" not in page  # a microdegree is not awarded in bulk
    assert client.get(f"/institutions/example-uni/bulk/upload/{course.definition.slug}/"
                      ).status_code == 200


def test_the_newest_version_name_is_shown(client, issuer, course):
    from microdegree.catalog import services

    services.update_definition(None, course.definition, name="Data Literacy II")
    client.force_login(issuer)
    page = client.get(LIST).content.decode()
    assert "Award “Data Literacy II” in bulk" in page
    assert page.count("/bulk/upload/data-literacy/") == 1


def test_a_viewer_gets_no_upload_links(client, viewer, course):
    client.force_login(viewer)
    page = client.get(LIST).content.decode()
    assert "/bulk/upload/" not in page
    assert "An issuer or owner of the institution can start one." in page


def test_no_microcredential_yet_links_to_a_new_one(client, issuer, institution):
    client.force_login(issuer)
    page = client.get(LIST).content.decode()
    assert "There is no microcredential to award yet." in page
    assert 'href="/institutions/example-uni/achievements/new?kind=microcredential"' in page

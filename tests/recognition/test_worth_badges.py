"""/worth shows the badge picture of each credential it checked that this platform issued (the
achievement's own image, with alt text); a credential that only claims one of our achievements,
signed by someone else, gets no picture of ours. The proposal table scrolls in a labelled region
instead of widening the page on a phone."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from microdegree.catalog.achievement import badge_of

pytestmark = pytest.mark.django_db


def test_worth_shows_each_platform_credentials_badge(client, program, md_agreement, completed):
    whole, _ = completed
    upload = SimpleUploadedFile("md.json", whole.document.encode(), "application/json")
    page = client.post("/worth", {"files": [upload]}).content.decode()
    checked = page[page.index('id="checked-h"'):page.index('id="results-h"')]
    match = re.search(r'<img src="([^"]+)" alt="Badge image of ([^"]+)"', checked)
    assert match
    assert match.group(1) == whole.achievement_version.badge_path
    assert match.group(2) == whole.achievement_version.name
    assert client.get(match.group(1))["Content-Type"].startswith("image/svg+xml")
    assert re.search(r'<div class="table-scroll" tabindex="0" role="region" aria-label="Each '
                     r'credential and what it counts for toward MSc Data Science">\s*<table', page)


def test_no_badge_of_ours_for_another_issuers_claim(completed, university):
    whole, _ = completed
    achievement_id = whole.achievement_version.achievement_id
    assert badge_of(achievement_id, whole.institution.did) == whole.achievement_version.badge_path
    assert badge_of(achievement_id, university.did) == ""  # another issuer names our achievement
    assert badge_of("https://elsewhere.example/achievements/a/b/v1", whole.institution.did) == ""
    assert badge_of(achievement_id + "/../x", whole.institution.did) == ""

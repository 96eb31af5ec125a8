"""The record page after the design review: two main actions, the rest under "More options",
a "Who can see it" column in words, tables that scroll on their own, and a translatable name for
the group of credentials without a competency."""

from __future__ import annotations

import re

import pytest
from django.utils.functional import Promise

from microdegree.records import record, services

from .conftest import award

pytestmark = pytest.mark.django_db

ADA = "ada@example.org"


def _between(html: str, start: str, end: str) -> str:
    return html[html.index(start):html.index(end, html.index(start))]


def test_main_actions_and_more_options(client, institution, pathway, sign_in):
    _, (stats, _viz, _ethics) = pathway
    award(stats, ADA)
    sign_in(ADA)
    html = client.get("/me/").content.decode()
    main = html[html.index("<h1>"):html.index("<details")]
    assert 'href="/me/credit/"' in main
    assert 'href="/me/export"' in main
    assert "/me/clr" not in main
    more = _between(html, "<details", "</details>")
    assert "<summary>More options</summary>" in more
    for address in ('href="/me/clr"', 'href="/me/apps/"', 'href="/me/connect/"',
                    'href="/me/import"', 'action="/me/did"'):
        assert address in more, address
    assert "Export my whole record (Comprehensive Learner Record)" in more
    assert html.count('id="did-h"') == 1


def test_who_can_see_it_column_in_words(client, institution, pathway, sign_in):
    _, (stats, viz, ethics) = pathway
    shared, hidden, plain = award(stats, ADA), award(viz, ADA), award(ethics, ADA)
    user = sign_in(ADA)
    services.set_preference(user, f"p-{shared.uuid}", visibility="link")
    services.set_preference(user, f"p-{hidden.uuid}", visibility="hidden")
    html = client.get("/me/?view=competencies").content.decode()
    assert '<th scope="col">Who can see it</th>' in html
    assert "Not shared" not in html
    cells = {}
    for cred in (shared, hidden, plain):
        row = _between(html, f'href="/me/credentials/p-{cred.uuid}/"', "</tr>")
        cells[cred] = re.findall(r'<span class="visibility"[^>]*>([^<]*)</span>', row)[-1]
    assert cells == {shared: "Only people with your share link",
                     hidden: "Hidden: only you and its issuer",
                     plain: "Public: anyone with its address"}
    assert ("A public credential's page answers anyone with its address; on each credential's "
            "page you can share it by link only or hide it.") in html


def test_tables_scroll_in_a_labelled_region(client, institution, pathway, sign_in):
    _, (stats, _viz, _ethics) = pathway
    award(stats, ADA)
    sign_in(ADA)
    html = client.get("/me/?view=competencies").content.decode()
    regions = re.findall(r'<div class="table-scroll" tabindex="0" role="region" '
                         r'aria-label="([^"]+)">\s*<table', html)
    assert "ECTS by level" in regions
    assert "Credentials for Data analysis" in regions
    assert html.count("<table") == len(regions)


def test_the_group_without_competency_is_translatable():
    assert isinstance(record.NO_COMPETENCY, Promise)
    assert str(record.NO_COMPETENCY) == "Other credentials (no competency named)"

"""The catalogue's filters after the design review: search, kind and level first, the rest under
"More filters" (open when one of them is in use), plain labels, and language names in the
results."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def _page(client, query: str = "", **headers) -> str:
    response = client.get(f"/catalogue{'?' + query if query else ''}", **headers)
    return response.content.decode()


def _details(html: str) -> str:
    return html[html.index('<details class="more-filters"'):html.index("</details>")]


def test_search_kind_and_level_come_first(client, catalogue):
    html = _page(client)
    before, more = html[:html.index("<details")], _details(html)
    for name in ("q", "kind", "eqf"):
        assert f'<label for="id_{name}"' in before, name
        assert f'id="id_{name}"' not in more, name
    for name in ("institution", "credits_min", "credits_max", "field", "participation",
                 "language", "free", "cost_max", "currency", "duration_min", "duration_max"):
        assert f'<label for="id_{name}"' in more, name
    assert "<summary>More filters</summary>" in more
    assert '<details class="more-filters">' in html  # closed: nothing of it in use


@pytest.mark.parametrize("query", ["language=en", "free=on", "institution=tech-uni",
                                   "credits_min=10&credits_max=5", "currency=euro"])
def test_more_filters_open_when_in_use(client, catalogue, query):
    assert '<details class="more-filters" open>' in _page(client, query)


@pytest.mark.parametrize("query", ["", "q=data", "kind=microdegree&eqf=6", "free=", "page=1"])
def test_more_filters_closed_otherwise(client, catalogue, query):
    assert '<details class="more-filters">' in _page(client, query)


def test_other_lists_show_every_filter_at_once(client, catalogue):
    for path in ("/catalogue/programs", "/catalogue/agreements", "/catalogue/institutions"):
        assert "<details" not in client.get(path).content.decode(), path


def test_plain_labels_and_space_before_clear(client, catalogue):
    html = _page(client)
    labels = dict(re.findall(r'<label for="id_(\w+)"[^>]*>([^<]+)</label>', html))
    assert labels["institution"] == "Institution:"
    assert labels["currency"] == "Currency (e.g. EUR):"
    assert labels["language"] == "Language (e.g. en for English):"
    # the space comes from site.css (.spaced: margin-left 1rem); the CSP allows no style=""
    assert '<a href="?" class="spaced">Clear filters</a>' in html


def test_results_name_the_language(client, catalogue):
    html = _page(client)
    languages = re.findall(r"<dt>Language</dt><dd>([^<]+)</dd>", html)
    assert sorted(languages) == ["British English", "English", "English", "German"]
    german = _page(client, HTTP_ACCEPT_LANGUAGE="de")
    assert "<dd>Deutsch</dd>" in german
    assert "<dd>Englisch</dd>" in german


def test_an_unknown_or_regional_code_falls_back(client, catalogue):
    from microdegree.catalog.models import AchievementVersion

    AchievementVersion.objects.filter(name="Statistik").update(language="tlh")
    AchievementVersion.objects.filter(name="Python Basics").update(language="de-AT")
    html = _page(client)
    languages = re.findall(r"<dt>Language</dt><dd>([^<]+)</dd>", html)
    assert sorted(languages) == ["English", "English", "German (de-AT)", "tlh"]


def test_language_name_filter():
    from django.utils import translation

    from microdegree.opendata.templatetags.language_names import language_name

    with translation.override("en"):
        assert language_name("en") == "English"
        assert language_name("en-GB") == "British English"
    with translation.override("de"):
        assert language_name("en") == "Englisch"
    assert language_name("tlh") == "tlh"
    assert language_name("") == ""
    assert language_name(None) == ""

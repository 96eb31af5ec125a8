"""The public catalogue over HTTP: search, every filter, pagination and visibility, as a page
(a GET form) and as JSON, and bad input as a 400 with a code and a sentence."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def names(client, query: str = "", kind: str = "achievements") -> list[str]:
    response = client.get(f"/api/catalogue/{kind}{'?' + query if query else ''}")
    assert response.status_code == 200, response.content
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Link"] == '<https://creativecommons.org/publicdomain/zero/1.0/>; rel="license"'
    assert response.json()["license"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    return [item["name"] for item in response.json()["results"]]


def page_names(client, query: str = "") -> list[str]:
    response = client.get(f"/catalogue{'?' + query if query else ''}")
    assert response.status_code == 200
    html = response.content.decode()
    return re.findall(r"<h3><a href=\"[^\"]+\">([^<]+)</a></h3>", html)


ALL = ["Data Literacy", "Data Science Microdegree", "Python Basics", "Statistik"]


@pytest.mark.parametrize(("query", "expected"), [
    ("", ALL),
    ("q=statistik", ["Statistik"]),
    ("q=three+courses", ["Data Science Microdegree"]),  # description
    ("q=example+university", ALL),  # institution name
    ("kind=microdegree", ["Data Science Microdegree"]),
    ("kind=microcredential", ["Data Literacy", "Python Basics", "Statistik"]),
    ("eqf=5", ["Python Basics"]),
    ("credits_min=5&credits_max=10", ["Data Literacy", "Statistik"]),
    ("credits_min=11", ["Data Science Microdegree"]),
    ("field=mathematics", ["Statistik"]),
    ("field=data+analysis", ["Data Literacy"]),  # a competency, not the field of study
    ("participation=onsite", ["Statistik"]),
    ("language=en", ["Data Literacy", "Data Science Microdegree", "Python Basics"]),
    ("language=en-GB", ["Python Basics"]),
    ("language=de", ["Statistik"]),
    ("free=on", ["Data Literacy", "Data Science Microdegree"]),
    ("cost_max=100", ["Data Literacy", "Data Science Microdegree", "Python Basics"]),
    ("cost_max=300&currency=eur", ["Data Literacy", "Data Science Microdegree", "Statistik"]),
    ("duration_max=6", ["Data Literacy", "Python Basics"]),
    ("duration_min=10&duration_max=20", ["Statistik"]),
    ("institution=example-uni&eqf=6&participation=online&free=on",
     ["Data Literacy", "Data Science Microdegree"]),
    ("institution=tech-uni", []),
])
def test_search_and_filters_agree_on_page_and_json(client, catalogue, query, expected):
    assert names(client, query) == expected
    assert page_names(client, query) == expected


def test_a_pending_institution_never_appears(client, catalogue):
    for kind, query in (("achievements", "q=secret"),
                        ("achievements", "institution=pending-academy"),
                        ("programs", ""), ("agreements", ""), ("institutions", "")):
        body = client.get(f"/api/catalogue/{kind}?{query}").content.decode()
        assert "Pending Academy" not in body
        assert "Secret Course" not in body
        assert "Hidden" not in body
    html = client.get("/catalogue?q=secret").content.decode()
    assert "Secret Course" not in html
    assert "0 results" in html
    assert names(client, kind="institutions") == ["Example University", "Technical University"]


def test_programs_and_agreements_lists(client, catalogue):
    assert names(client, kind="programs") == ["MSc Data Science"]
    assert names(client, "eqf=7", kind="programs") == ["MSc Data Science"]
    assert names(client, "eqf=6", kind="programs") == []
    assert names(client, "field=data", kind="programs") == ["MSc Data Science"]
    agreements = names(client, kind="agreements")
    assert agreements == ["Data Science Microdegree for a semester", "Platform courses at EQF 6"]
    assert "Internal draft agreement" not in agreements  # not public
    assert names(client, "q=semester", kind="agreements") == [
        "Data Science Microdegree for a semester"]
    assert names(client, "program=msc-data-science&institution=tech-uni",
                 kind="agreements") == agreements
    item = client.get("/api/catalogue/agreements?q=semester").json()["results"][0]
    assert item["value"] == {"kind": "fixed", "credits": 30, "factor": None}
    assert item["exemptedModules"] == ["DS1"]
    assert item["namedAchievements"][0]["achievement"] == catalogue["degree"].achievement_id


def test_institutions_filter_by_country(client, catalogue):
    assert names(client, "country=de", kind="institutions") == ["Technical University"]
    assert names(client, "q=example", kind="institutions") == ["Example University"]


def test_json_entry_has_cost_duration_and_components(client, catalogue):
    results = client.get("/api/catalogue/achievements").json()["results"]
    by_name = {r["name"]: r for r in results}
    assert by_name["Statistik"]["cost"] == {"free": False, "amount": 250, "currency": "EUR"}
    assert by_name["Data Literacy"]["cost"] == {"free": True, "amount": 0, "currency": None}
    assert by_name["Statistik"]["duration"] == "P12W"
    assert by_name["Statistik"]["durationWeeks"] == 12
    assert by_name["Data Science Microdegree"]["components"] == [
        "http://testserver/achievements/example-uni/data-literacy",
        "http://testserver/achievements/example-uni/statistics",
        "http://testserver/achievements/example-uni/python",
    ]


def test_pagination_in_json(client, catalogue):
    first = client.get("/api/catalogue/achievements?per_page=3&kind=&q=").json()
    assert (first["count"], first["page"], first["pages"]) == (4, 1, 2)
    assert [r["name"] for r in first["results"]] == ALL[:3]
    assert first["previous"] is None
    second = client.get(first["next"].removeprefix("http://testserver")).json()
    assert [r["name"] for r in second["results"]] == ALL[3:]
    assert second["next"] is None
    assert "page=1" in second["previous"]
    assert "per_page=3" in second["previous"]


def test_pagination_on_pages(client, catalogue, settings):
    settings.OPENDATA_PAGE_SIZE = 2
    html = client.get("/catalogue?language=en").content.decode()
    assert "3 results" in html
    assert "page 1 of 2" in html
    assert 'rel="next" href="?language=en&amp;page=2"' in html
    html2 = client.get("/catalogue?language=en&page=2").content.decode()
    assert "Python Basics" in html2
    assert "Data Literacy" not in html2
    assert 'rel="prev"' in html2


@pytest.mark.parametrize(("query", "code", "words"), [
    ("eqf=9", "FILTER_INVALID", "Level"),
    ("credits_min=lots", "FILTER_INVALID", "ECTS at least"),
    ("credits_min=10&credits_max=5", "FILTER_INVALID", "minimum"),
    ("language=en_US!", "FILTER_INVALID", "Language"),
    ("currency=EURO", "FILTER_INVALID", "Currency"),
    ("participation=telepathy", "FILTER_INVALID", "Form of participation"),
    ("page=abc", "PAGE_INVALID", "whole number"),
    ("page=0", "PAGE_INVALID", "whole number"),
    ("page=-2", "PAGE_INVALID", "whole number"),
    ("per_page=1000", "PAGE_SIZE_INVALID", "1 to 100"),
])
def test_bad_filters_are_400_with_a_code_and_sentence(client, catalogue, query, code, words):
    response = client.get(f"/api/catalogue/achievements?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert words in body["message"]
    if code == "FILTER_INVALID":
        page = client.get(f"/catalogue?{query}")
        assert page.status_code == 400
        assert "Please correct the filters" in page.content.decode()


def test_page_beyond_the_last_and_unknown_list(client, catalogue):
    response = client.get("/api/catalogue/achievements?page=9")
    assert response.status_code == 404
    assert response.json()["code"] == "PAGE_NOT_FOUND"
    response = client.get("/api/catalogue/secrets")
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert client.get("/catalogue?page=9").status_code == 200  # pages clamp to the last
    empty = client.get("/api/catalogue/achievements?q=nothing-like-this").json()
    assert (empty["count"], empty["page"], empty["pages"], empty["results"]) == (0, 1, 1, [])


def test_catalogue_page_is_a_get_form_with_labels(client, catalogue):
    html = client.get("/catalogue").content.decode()
    assert '<form method="get"' in html
    for name in ("q", "eqf", "credits_min", "credits_max", "field", "participation",
                 "language", "free", "cost_max", "currency", "duration_min", "duration_max",
                 "institution", "kind"):
        assert f'<label for="id_{name}"' in html, name
    assert "<h1>" in html
    assert "microdegree/site.css" in html


def test_program_and_agreement_pages(client, catalogue):
    html = client.get("/catalogue/programs/tech-uni/msc-data-science").content.decode()
    assert "MSc Data Science" in html
    assert "Data Science Microdegree for a semester" in html
    assert "Internal draft agreement" not in html
    html = client.get(f"/catalogue/agreements/{catalogue['named'].pk}").content.decode()
    assert "Data Science Microdegree counts for 30 ECTS credits toward MSc Data Science" in html
    assert "DS1 Statistics" in html
    assert client.get(f"/catalogue/agreements/{catalogue['hidden'].pk}").status_code == 404
    assert client.get(
        f"/catalogue/agreements/{catalogue['pending_agreement'].pk}").status_code == 404
    assert client.get("/catalogue/programs/pending-academy/hidden-program").status_code == 404


def test_the_catalogue_is_read_only(client, catalogue):
    assert client.post("/catalogue").status_code == 405
    assert client.post("/api/catalogue/achievements").status_code == 405


def test_a_programs_decision_achievement_is_not_offered(client, catalogue):
    from microdegree.recognition.decision import decision_version

    version = decision_version(catalogue["program"])
    assert version.definition.institution == catalogue["university"]
    assert names(client) == ALL
    assert names(client, "institution=tech-uni") == []
    for url in ("/open-data/ctdl.jsonld", "/open-data/elm.jsonld",
                "/open-data/microcredentials.csv", "/open-data/dump.json"):
        assert version.name not in client.get(url).content.decode(), url
    assert client.get(version.path).status_code == 200  # its own page still resolves


def test_each_result_shows_its_badge_with_alt_text(client, catalogue):
    page = client.get("/catalogue").content.decode()
    images = dict(re.findall(r'<img src="([^"]+)" alt="Badge image of ([^"]+)"', page))
    assert "/achievements/" in next(iter(images))
    assert "Data Science Microdegree" in images.values()
    for src in images:
        assert client.get(src).status_code == 200

"""The demo's catalogue facts: costs (one free), durations and languages, visible in the open
catalogue and its exports; running the demo twice changes nothing."""

from __future__ import annotations

import csv
import io
import json
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_demo_definitions_have_costs_durations_and_languages(client):
    out = StringIO()
    call_command("demo", stdout=out)
    assert "/catalogue" in out.getvalue()
    results = client.get("/api/catalogue/achievements?institution=demo-university").json()
    facts = {r["slug"]: (r["cost"], r["durationWeeks"], r["language"])
             for r in results["results"]}
    assert facts == {
        "intro-statistics": ({"free": True, "amount": 0, "currency": None}, 5, "en"),
        "data-visualisation": ({"free": False, "amount": 149, "currency": "EUR"}, 5, "en"),
        "data-ethics": ({"free": False, "amount": 99, "currency": "EUR"}, 5, "en"),
        "data-science-microdegree": ({"free": False, "amount": 248, "currency": "EUR"}, 15,
                                     "en"),
    }
    free = client.get("/api/catalogue/achievements?free=on").json()["results"]
    assert [r["slug"] for r in free] == ["intro-statistics"]
    # awarded versions were never changed: the facts went into version 1 before the awards
    assert {r["version"] for r in results["results"]} == {1}

    call_command("demo", stdout=StringIO())
    again = client.get("/api/catalogue/achievements?institution=demo-university").json()
    assert again["results"] == results["results"]

    rows = list(csv.DictReader(io.StringIO(
        client.get("/open-data/microcredentials.csv").content.decode())))
    demo_rows = [r for r in rows if r["institution"] == "demo-university"]
    assert len(demo_rows) == 4
    assert {r["duration_iso"] for r in demo_rows} == {"P5W", "P15W"}
    dump = json.loads(client.get("/open-data/dump.json").content)
    assert dump["license"]["id"] == "CC0-1.0"

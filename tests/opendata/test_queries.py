"""The exports and a page of the JSON API cost a fixed number of queries, however many items the
catalogue holds (no query per item)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

URLS = ("/open-data/ctdl.jsonld", "/open-data/elm.jsonld", "/open-data/microcredentials.csv",
        "/open-data/dump.json", "/api/catalogue/agreements", "/api/catalogue/programs",
        "/api/catalogue/institutions", "/api/catalogue/achievements?per_page=100")


def counts(client) -> dict[str, int]:
    out = {}
    for url in URLS:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        out[url] = len(queries)
    return out


def test_query_counts_do_not_grow_with_the_catalogue(client, catalogue):
    from microdegree.catalog import services as catalog
    from microdegree.recognition import services as recognition

    client.get("/open-data/dump.json")  # warm-up (content types, sessions, ...)
    before = counts(client)
    inst, program = catalogue["institution"], catalogue["program"]
    for n in range(5):
        catalog.create_definition(None, inst, name=f"Extra {n}", slug=f"extra-{n}",
                                  description="More.", criteria_narrative="Pass.", ects=2,
                                  cost_amount=0)
        degree = catalog.create_definition(None, inst, name=f"Extra degree {n}",
                                           kind="microdegree", description="Stacked.",
                                           criteria_narrative="All parts.")
        catalog.set_rule(None, degree, {"all_of": [{"achievement": f"extra-{n}"},
                                                   {"achievement": "python"}]})
        extra = recognition.create_program(
            None, catalogue["university"], name=f"MSc Extra {n}", total_credits=60,
            duration_terms=2, duration_months=12, residency_terms=2, residency_months=12)
        recognition.add_module(None, extra, code=f"X{n}", name="Extra module", credits=5)
        recognition.create_agreement(None, program, name=f"Extra agreement {n}",
                                     source_kind="criteria", value_kind="fixed",
                                     value_credits=1)
    assert counts(client) == before

"""A microdegree's award rule as JSON through the institution API: read with its sentence and
qualifying count (real signed credentials), replaced through the same service as the editor,
every refusal a 4xx with its code, other institutions' tokens and parts refused."""

from __future__ import annotations

import json

import pytest

from microdegree.audit.models import AuditEntry
from microdegree.catalog import services as catalog
from microdegree.issuing import services

from .conftest import make_course

pytestmark = pytest.mark.django_db

URL = "/api/v1/institutions/example-uni/achievements/data-science/rule"


@pytest.fixture
def tokens(issuer, institution):
    _, writer = services.create_api_token(issuer, institution, "registrar system")
    _, reader = services.create_api_token(issuer, institution, "dashboard", role="viewer")
    return {"issuer": {"HTTP_AUTHORIZATION": f"Bearer {writer}"},
            "viewer": {"HTTP_AUTHORIZATION": f"Bearer {reader}"}}


@pytest.fixture
def learners(pathway, issuer):
    """ann holds all three courses; bob holds stats and viz."""
    _, courses = pathway
    for email, held in (("ann@learner.example", courses), ("bob@learner.example", courses[:2])):
        for course in held:
            services.issue_credential(issuer, course, recipient_email=email, send_email=False,
                                      check_pathways=False)


def put(client, auth, body):
    return client.put(URL, json.dumps(body), content_type="application/json", **auth)


def test_read_and_replace_the_rule(client, tokens, learners):
    answer = client.get(URL, **tokens["viewer"]).json()
    assert answer == {
        "achievement": "data-science", "version": 1,
        "rule": {"all_of": [{"achievement": "stats"}, {"achievement": "viz"},
                            {"achievement": "ethics"}]},
        "sentence": "All of Course stats, Course viz and Course ethics",
        "qualifying": 1,
    }
    rule = {"all_of": [{"achievement": "stats"},
                       {"at_least": 1, "of": [{"achievement": "viz"},
                                              {"achievement": "ethics"}]}]}
    response = put(client, tokens["issuer"], {"rule": rule})
    assert response.status_code == 200
    assert response.json()["rule"] == rule
    assert response.json()["sentence"] == "All of Course stats and 1 of Course viz, Course ethics"
    assert response.json()["qualifying"] == 2
    assert AuditEntry.objects.filter(action="catalog.rule_set").count() == 2  # fixture + this
    assert client.get(URL, **tokens["viewer"]).json()["rule"] == rule


def test_refusals(client, tokens, pathway, other_institution, issuer):
    make_course(other_institution, "secret")
    make_course(pathway[0].definition.institution, "plain")
    cases = [
        (tokens["viewer"], {"rule": {"all_of": [{"achievement": "stats"}]}}, 403,
         "PERMISSION_DENIED"),
        (tokens["issuer"], {"rule": {"all_of": [{"achievement": "secret"}]}}, 400,
         "RULE_INVALID"),
        (tokens["issuer"], {"rule": {"all_of": [{"achievement": "data-science"}]}}, 400,
         "RULE_INVALID"),
        (tokens["issuer"], {"rule": {"at_least": 3, "of": [{"achievement": "stats"}]}}, 400,
         "RULE_INVALID"),
        (tokens["issuer"], {"rule": {"all_of": []}}, 400, "RULE_INVALID"),
        (tokens["issuer"], {"rule": "all of stats"}, 400, "RULE_INVALID"),
        (tokens["issuer"], {"rule": {"all_of": [{"achievement": "stats"}]}, "x": 1}, 400,
         "FIELD_UNKNOWN"),
    ]
    for auth, body, status, code in cases:
        response = put(client, auth, body)
        assert (response.status_code, response.json()["code"]) == (status, code), body
    problems = put(client, tokens["issuer"],
                   {"rule": {"all_of": [{"achievement": "secret"}]}}).json()["message"]
    assert "there is no achievement 'secret' in this catalogue" in problems

    not_md = URL.replace("data-science", "plain")
    response = client.put(not_md, json.dumps({"rule": {"all_of": [{"achievement": "stats"}]}}),
                          content_type="application/json", **tokens["issuer"])
    assert response.json()["code"] == "NOT_A_MICRODEGREE"
    assert client.delete(URL, **tokens["issuer"]).status_code == 405

    # another institution's token: the same 404 as a missing institution, for read and write
    _, theirs = services.create_api_token(None, other_institution, "theirs")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {theirs}"}
    assert client.get(URL, **auth).status_code == 404
    assert put(client, auth, {"rule": {"all_of": [{"achievement": "stats"}]}}).status_code == 404
    assert client.get(URL).status_code == 401
    version = catalog.latest_version(pathway[0].definition)
    assert len(version.rule["all_of"]) == 3

"""Every issuing API response matches the OpenAPI description served at
/api/v1/issuing/openapi.json (status code documented, body valid against its schema)."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from microdegree.issuing import services

pytestmark = pytest.mark.django_db

EMAIL = "learner@example.org"


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/issuing/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    return document


def _operation(spec, path: str, method: str):
    for template, item in spec["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method in item:
            return item[method]
    raise AssertionError(f"{method.upper()} {path} is not in the OpenAPI document")


def check(spec, response, path: str, method: str) -> None:
    operation = _operation(spec, path, method)
    documented = operation["responses"].get(str(response.status_code))
    assert documented, f"{method.upper()} {path} answered {response.status_code}, undocumented"
    content_type = response["Content-Type"].split(";")[0]
    schema = documented["content"][content_type]["schema"]
    validator = jsonschema.Draft202012Validator(
        {**schema, "components": spec["components"]},
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    validator.validate(json.loads(response.content))


def test_every_response_matches_the_openapi_document(client, spec, institution, course,
                                                     issuer):
    client.force_login(issuer)
    base = f"/api/v1/institutions/{institution.slug}/credentials"
    calls = []

    def call(method, path, body=None, **headers):
        if method == "get":
            response = client.get(path, **headers)
        else:
            response = client.generic(method.upper(), path, json.dumps(body or {}),
                                      content_type="application/json", **headers)
        calls.append((path, method, response))
        return response

    created = call("post", base, {"achievement": course.definition.slug,
                                  "recipient_email": EMAIL, "credits_earned": 5},
                   HTTP_IDEMPOTENCY_KEY="k1")
    uuid = created.json()["id"]
    call("post", base, {"achievement": course.definition.slug, "recipient_email": EMAIL},
         HTTP_IDEMPOTENCY_KEY="k1")
    call("post", base, {"achievement": course.definition.slug, "recipient_email": "x"})
    call("post", base, {"achievement": course.definition.slug,
                        "recipient_email": "other@example.org"}, HTTP_IDEMPOTENCY_KEY="k1")
    call("get", base)
    call("get", f"{base}?limit=x")
    call("get", f"{base}/{uuid}")
    call("get", f"{base}/00000000-0000-4000-8000-000000000000")
    call("post", f"/api/v1/credentials/{uuid}/suspend", {"reason": "check"})
    call("post", f"/api/v1/credentials/{uuid}/suspend", {"reason": "again"})
    call("post", f"/api/v1/credentials/{uuid}/unsuspend", {"reason": "ok"})
    call("post", f"/api/v1/credentials/{uuid}/revoke", {})
    call("post", f"/api/v1/credentials/{uuid}/revoke", {"reason": "fraud"})
    client.logout()
    call("get", base)
    assert {r.status_code for _, _, r in calls} >= {200, 201, 400, 401, 404, 409}
    for path, method, response in calls:
        check(spec, response, path.split("?")[0], method)


def test_bearer_token_responses_match_too(client, spec, institution, course, issuer):
    _, raw = services.create_api_token(issuer, institution, "sis")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    path = f"/api/v1/institutions/{institution.slug}/credentials"
    response = client.post(path, json.dumps({"achievement": course.definition.slug,
                                             "recipient_email": EMAIL}),
                           content_type="application/json", **auth)
    check(spec, response, path, "post")
    wrong = client.get(path, HTTP_AUTHORIZATION="Bearer mdt_wrong")
    check(spec, wrong, path, "get")

"""A Django test client that checks every API answer against the served OpenAPI document.

`OpenApiClient` fetches `/api/openapi.json` once (through the client itself, so it is the
document the server serves) and, for every request whose method and path are an operation of
that document, checks that the answer's status is documented and that a JSON body is valid
against the documented schema (JSON Schema 2020-12, with the document's components). Requests
to anything else (pages, OAuth endpoints) are not checked; 5xx answers are the faults tests'
business. The API test packages use it as their `client` fixture (their conftest):

    from tests._openapi_support import openapi_client as client  # noqa: F401
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import jsonschema
import pytest
from django.test import Client

OPENAPI_URL = "/api/openapi.json"


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")


@cache
def _compiled(paths_json: str) -> list[tuple[re.Pattern[str], str]]:
    return [(_pattern(t), t) for t in json.loads(paths_json)]


class OpenApiMismatch(AssertionError):
    pass


def operation_for(document: dict[str, Any], path: str, method: str) -> dict[str, Any] | None:
    """The operation `method path` is in `document`, literal templates first; None if none."""
    templates = sorted(document["paths"], key=lambda t: ("{" in t, t))
    for template in templates:
        if _pattern(template).match(path):
            item = document["paths"][template]
            if method.lower() in item:
                return item[method.lower()]
    return None


def check_response(document: dict[str, Any], method: str, path: str, response: Any) -> None:
    """Raise OpenApiMismatch unless `response` is what `document` says `method path` answers."""
    operation = operation_for(document, path, method)
    if operation is None or response.status_code >= 500:
        return
    responses = operation.get("responses", {})
    documented = responses.get(str(response.status_code)) or responses.get("default")
    if documented is None:
        raise OpenApiMismatch(f"{method} {path} answered {response.status_code}, which the "
                              f"OpenAPI document does not list ({sorted(responses)})")
    content_type = response.get("Content-Type", "").split(";")[0].strip()
    content = documented.get("content")
    if not content or not response.content:
        return
    if content_type not in content:
        raise OpenApiMismatch(f"{method} {path} answered {response.status_code} as "
                              f"{content_type!r}; documented: {sorted(content)}")
    schema = content[content_type].get("schema")
    if schema is None or "json" not in content_type:
        return
    validator = jsonschema.Draft202012Validator(
        {**schema, "components": document.get("components", {})},
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(json.loads(response.content)), key=str)
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path)
        raise OpenApiMismatch(f"{method} {path} {response.status_code}: the body does not "
                              f"match the OpenAPI document at /{where}: {first.message}")


class OpenApiClient(Client):
    """The Django test client, checking API answers against the served OpenAPI document."""

    document: dict[str, Any] | None = None
    checked: int = 0

    def request(self, **request: Any) -> Any:
        response = super().request(**request)
        path = request.get("PATH_INFO", "")
        if path != OPENAPI_URL:
            check_response(self.openapi(), request.get("REQUEST_METHOD", "GET"), path,
                           response)
            self.checked += 1
        return response

    def openapi(self) -> dict[str, Any]:
        if OpenApiClient.document is None:
            answer = Client().get(OPENAPI_URL)
            assert answer.status_code == 200, answer.content[:200]
            OpenApiClient.document = answer.json()
        return OpenApiClient.document


@pytest.fixture
def openapi_client() -> OpenApiClient:
    return OpenApiClient()

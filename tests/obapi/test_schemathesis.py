"""Schemathesis over the Open Badges API operations of the served OpenAPI document, against
live_server over real HTTP, with a real OAuth access token of a learner (all four scopes):
no generated request, valid or not, causes a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

pytestmark = pytest.mark.django_db(transaction=True)

MAX_EXAMPLES = 25


def _document():
    from microdegree.vcapi.openapi import openapi_document

    return openapi_document()


schema = schemathesis.openapi.from_dict(_document()).include(path_regex="^/ims/ob/v3p0/")


@pytest.fixture
def access_token(oauth, learner):
    _, tokens = oauth.access(learner("ada@example.org"))
    return tokens["access_token"]


@pytest.fixture(autouse=True)
def _quiet(settings):
    settings.DEBUG = False


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, live_server, access_token):
    case.call_and_validate(base_url=live_server.url,
                           headers={"Authorization": f"Bearer {access_token}"},
                           checks=[not_a_server_error])


def test_the_ob_paths_are_in_the_served_document():
    document = _document()
    assert {"/ims/ob/v3p0/discovery", "/ims/ob/v3p0/register", "/ims/ob/v3p0/credentials",
            "/ims/ob/v3p0/profile"} <= set(document["paths"])
    flows = document["components"]["securitySchemes"]["OAuth2ACG"]["flows"]
    assert flows["authorizationCode"]["tokenUrl"].endswith("/ims/ob/v3p0/token")
    get = document["paths"]["/ims/ob/v3p0/credentials"]["get"]
    assert get["security"] == [{"OAuth2ACG": [
        "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly"]}]

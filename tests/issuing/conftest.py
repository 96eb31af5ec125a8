"""Fixtures for issuing: a catalogue with three courses stacked into a microdegree, a verifier
that resolves the institution's DID from its served document and reads status lists through the
real status endpoint (the Django test client)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings

from microdegree.vc.errors import FetchError
from microdegree.vc.fetch import FetchResponse


@dataclass
class ClientFetcher:
    """A status fetcher over the Django test client: `get(url, accept=...)` -> FetchResponse."""

    client: Any
    hits: list[str] = field(default_factory=list)

    def get(self, url: str, *, accept: str = "application/json") -> FetchResponse:
        self.hits.append(url)
        if not url.startswith(settings.PUBLIC_URL + "/"):
            raise FetchError(f"could not connect to {url}", code="FETCH_FAILED")
        response = self.client.get(url[len(settings.PUBLIC_URL):], HTTP_ACCEPT=accept)
        if response.status_code != 200:
            raise FetchError(f"{url} answered {response.status_code}", code="FETCH_FAILED")
        return FetchResponse(url=url, status=200, content_type=response["Content-Type"],
                             body=response.content, headers=dict(response.headers))


@pytest.fixture
def fetcher(client):
    return ClientFetcher(client)


@pytest.fixture
def check(client, fetcher):
    """verify(document) with the institution's served DID document and the live status lists."""
    from microdegree.vc import did as vc_did
    from microdegree.vc.verify import verify

    def run(document: str | dict[str, Any], inst: Any, **kwargs: Any):
        served = json.loads(client.get(f"/issuers/{inst.slug}/did.json").content)
        resolver = vc_did.StaticResolver({inst.did: served})
        return verify(document, resolver=resolver, status_fetcher=fetcher, **kwargs)

    return run


def make_course(inst, slug: str, credits: float = 5, **fields: Any):
    from microdegree.catalog import services as catalog

    return catalog.create_definition(
        None, inst, name=f"Course {slug}", slug=slug,
        description=f"The {slug} course.", criteria_narrative="Pass the exam.",
        credits_available=credits, **fields,
    )


@pytest.fixture
def course(institution):
    return make_course(institution, "data-literacy", credits=5, validity_months=24)


@pytest.fixture
def pathway(institution):
    """Three courses and a microdegree that needs all of them: (microdegree version, courses)."""
    from microdegree.catalog import services as catalog

    courses = [make_course(institution, s, credits=5) for s in ("stats", "viz", "ethics")]
    degree = catalog.create_definition(
        None, institution, name="Data Science Microdegree", slug="data-science",
        kind="microdegree", description="Three courses.", criteria_narrative="All three.",
        credits_available=15,
    )
    degree = catalog.set_rule(None, degree, {"all_of": [{"achievement": "stats"},
                                                       {"achievement": "viz"},
                                                       {"achievement": "ethics"}]})
    return degree, courses


@pytest.fixture
def issuer(institution, make_user):
    from microdegree.institutions import services as inst_services

    user = make_user("issuer@uni.example")
    inst_services.set_member(None, institution, user, "issuer")
    return user


@pytest.fixture
def other_institution(make_user, admin_user):
    from microdegree.institutions import services as inst_services

    owner = make_user("owner@other.example")
    inst = inst_services.register_institution(owner, name="Other College", country_code="DE",
                                              owner=owner, slug="other-college")
    inst_services.approve_institution(admin_user, inst)
    return inst


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Staff users are created in most tests; the default PBKDF2 cost dominates their set-up."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client():
    """The test client, checking every API answer against the served /api/openapi.json (status
    documented, JSON body valid against the operation's schema): tests/_openapi_support.py."""
    from tests._openapi_support import OpenApiClient

    return OpenApiClient()

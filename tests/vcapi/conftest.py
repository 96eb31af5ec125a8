"""Fixtures for the VC API: two institutions with tokens, and helpers that call the real API."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from microdegree.vcapi import services as vcapi_services
from microdegree.verification import services as verification_services

VC_V2 = "https://www.w3.org/ns/credentials/v2"

CREDENTIAL: dict[str, Any] = {
    "@context": [VC_V2],
    "type": ["VerifiableCredential"],
    "credentialSubject": {"id": "did:example:learner", "name": "Ada"},
}


@pytest.fixture(autouse=True)
def _fresh(settings):
    """No cached DID documents, status lists or registry answers between tests; cheap passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    verification_services.reset()
    vcapi_services.use_kit(None)
    yield
    vcapi_services.use_kit(None)
    verification_services.reset()


@pytest.fixture
def credential() -> dict[str, Any]:
    return copy.deepcopy(CREDENTIAL)


@pytest.fixture
def other_institution(make_user, admin_user):
    from microdegree.institutions import services

    owner = make_user("owner@other.example")
    inst = services.register_institution(owner, name="Other College", country_code="DE",
                                         owner=owner, slug="other-college")
    services.approve_institution(admin_user, inst)
    return inst


def _token(inst, role: str = "issuer") -> str:
    from microdegree.issuing import services

    return services.create_api_token(None, inst, f"{role} token", role=role)[1]


@pytest.fixture
def token(institution) -> str:
    return _token(institution)


@pytest.fixture
def other_token(other_institution) -> str:
    return _token(other_institution)


@pytest.fixture
def viewer_token(institution) -> str:
    return _token(institution, "viewer")


class Api:
    """The VC API through the Django test client (real URL routing, middleware and JSON)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def post(self, path: str, body: Any, token: str | None = None) -> Any:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        return self.client.post(path, body, content_type="application/json", **headers)

    def issue(self, credential: Any, token: str, **options: Any) -> Any:
        body: dict[str, Any] = {"credential": credential}
        if options:
            body["options"] = options
        return self.post("/credentials/issue", body, token)

    def issued(self, credential: Any, token: str, **options: Any) -> dict[str, Any]:
        response = self.issue(credential, token, **options)
        assert response.status_code == 201, response.content
        return response.json()["verifiableCredential"]

    def verify(self, vc: Any, **options: Any) -> Any:
        body: dict[str, Any] = {"verifiableCredential": vc}
        if options:
            body["options"] = options
        return self.post("/credentials/verify", body)

    def verify_presentation(self, vp: Any, **options: Any) -> Any:
        body: dict[str, Any] = {"verifiablePresentation": vp}
        if options:
            body["options"] = options
        return self.post("/presentations/verify", body)

    def status(self, credential_id: str, status: str, token: str | None) -> Any:
        return self.post("/credentials/status", {
            "credentialId": credential_id,
            "credentialStatus": [{"type": "BitstringStatusListCredential", "status": status}],
        }, token)


@pytest.fixture
def api(client) -> Api:
    return Api(client)


def codes(response: Any) -> list[str]:
    body = response.json()
    return [p["code"] for p in body.get("errors", [])] or [body.get("code")]


@pytest.fixture
def client():
    """The test client, checking every API answer against the served /api/openapi.json (status
    documented, JSON body valid against the operation's schema): tests/_openapi_support.py."""
    from tests._openapi_support import OpenApiClient

    return OpenApiClient()

"""Fixtures for the Open Badges API: learners signed in through the records service, signed
did:key credentials, and an `oauth` helper that does the real dance over HTTP (register,
authorize with PKCE S256 on the consent page, token)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from jsonschema import Draft201909Validator

from microdegree.obapi import scopes
from microdegree.vc import did, proofs
from microdegree.vc.builders.identity import hash_identity
from microdegree.verification import services as verification_services
from tests.samples import sample_credential
from tests.verification.helpers import key_from

API = "/ims/ob/v3p0"
REDIRECT = "https://app.example/callback"
SCHEMAS = Path(__file__).resolve().parents[2] / "src/microdegree/obapi/schemas"
ALL_SCOPES = " ".join(scopes.ALL)


@pytest.fixture(autouse=True)
def _fresh(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ROOT_URLCONF = "tests.obapi.urls"
    verification_services.reset()
    yield
    verification_services.reset()


def schema_validator(name: str) -> Draft201909Validator:
    return Draft201909Validator(json.loads((SCHEMAS / name).read_text()))


def assert_status_info(response: Any, status: int, minor: str) -> dict[str, Any]:
    """The response is `status` with an Imsx_StatusInfo body (validated) naming `minor`."""
    assert response.status_code == status, response.content
    body = response.json()
    schema_validator("ob_v3p0_imsx_statusinfo_schema.json").validate(body)
    assert body["imsx_codeMajor"] == "failure"
    assert body["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == minor
    assert body["imsx_description"]
    return body


def signed_credential(n: int = 7, *, cred_id: str | None = None,
                      valid_from: str = "2026-01-15T00:00:00Z",
                      recipient: str | None = "ada@example.org", **overrides: Any
                      ) -> dict[str, Any]:
    """A did:key credential naming `recipient` by a salted e-mail hash (a record lists only
    imports addressed to its learner: issue 12)."""
    key = key_from(n)
    issuer = did.did_key(key)
    doc = sample_credential(issuer, status_list=None,
                            credential_id=cred_id or f"urn:uuid:{_uuid()}",
                            valid_from=valid_from)
    if recipient:
        doc["credentialSubject"]["identifier"] = [hash_identity(recipient)]
    doc.update(overrides)
    return proofs.sign(doc, key, verification_method=f"{issuer}#{key.public_multibase}")


def _uuid() -> str:
    import uuid

    return str(uuid.uuid4())


@pytest.fixture
def learner(db):
    """A learner who signed in by e-mailed link (records service), by address."""
    from microdegree.records import auth
    from microdegree.records import services as records

    def make(email: str):
        return records.sign_in_with_link(auth.make_token("login", email))

    return make


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def register(client: Any, **overrides: Any) -> Any:
    metadata = {
        "client_name": "Example Wallet", "client_uri": "https://app.example/",
        "logo_uri": "https://app.example/logo.png", "tos_uri": "https://app.example/tos",
        "policy_uri": "https://app.example/privacy", "software_id": "wallet",
        "software_version": "1.0", "redirect_uris": [REDIRECT],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
        "scope": ALL_SCOPES,
    }
    metadata.update(overrides)
    return client.post(f"{API}/register", json.dumps(metadata), content_type="application/json")


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


class OAuth:
    """The dance through the real endpoints with the Django test client."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def register(self, **overrides: Any) -> dict[str, Any]:
        response = register(self.client, **overrides)
        assert response.status_code == 201, response.content
        return response.json()

    def authorize_url(self, app: dict[str, Any], scope: str, challenge: str | None,
                      method: str | None = "S256", state: str = "xyz") -> str:
        params = {"response_type": "code", "client_id": app["client_id"],
                  "redirect_uri": REDIRECT, "scope": scope, "state": state}
        if challenge is not None:
            params["code_challenge"] = challenge
        if method is not None:
            params["code_challenge_method"] = method
        return f"{API}/authorize?{urlencode(params)}"

    def code(self, user: Any, app: dict[str, Any], scope: str = ALL_SCOPES
             ) -> tuple[str, str]:
        """Consent as `user`; (code, verifier)."""
        verifier, challenge = pkce()
        self.client.force_login(user)
        url = self.authorize_url(app, scope, challenge)
        page = self.client.get(url)
        assert page.status_code == 200, page.content
        form = page.context["form"].initial
        data = {k: v for k, v in form.items() if v is not None}
        data["allow"] = "on"
        answer = self.client.post(url, data)
        assert answer.status_code == 302, answer.content
        location = urlsplit(answer["Location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
        query = parse_qs(location.query)
        assert query["state"] == ["xyz"]
        self.client.logout()
        return query["code"][0], verifier

    def token(self, app: dict[str, Any], **form: str) -> Any:
        return self.client.post(f"{API}/token", urlencode(form),
                                content_type="application/x-www-form-urlencoded",
                                HTTP_AUTHORIZATION=basic(app["client_id"], app["client_secret"]))

    def access(self, user: Any, scope: str = ALL_SCOPES) -> tuple[dict[str, Any], dict[str, Any]]:
        """(app, token answer) for `user` with `scope`."""
        app = self.register()
        code, verifier = self.code(user, app, scope)
        answer = self.token(app, grant_type="authorization_code", code=code,
                            redirect_uri=REDIRECT, code_verifier=verifier)
        assert answer.status_code == 200, answer.content
        return app, answer.json()


@pytest.fixture
def oauth(client) -> OAuth:
    return OAuth(client)


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def client():
    """The test client, checking every API answer against the served /api/openapi.json (status
    documented, JSON body valid against the operation's schema): tests/_openapi_support.py."""
    from tests._openapi_support import OpenApiClient

    return OpenApiClient()

"""The resource endpoints over HTTP: discovery, registration, credentials (paging, since,
upsert JSON and JWS), profile, and every refusal as a validated Imsx_StatusInfo."""

from __future__ import annotations

import json
import re

import pytest

from microdegree.audit.models import AuditEntry
from microdegree.obapi import scopes
from microdegree.records.models import ImportedCredential
from tests.verification.helpers import key_from, vc_jwt

from .conftest import (
    API,
    assert_status_info,
    bearer,
    register,
    schema_validator,
    signed_credential,
)

pytestmark = pytest.mark.django_db


def _links(response) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response["Link"])}


# --- discovery and registration ---------------------------------------------------------------


def test_discovery_is_public_and_matches_the_spec(client, settings):
    from jsonschema import Draft202012Validator

    answer = client.get(f"{API}/discovery")
    assert answer.status_code == 200
    doc = answer.json()
    oas = json.loads(_oas_path().read_text())
    schema = {"$ref": "#/components/schemas/ServiceDescriptionDocument",
              "components": oas["components"]}
    Draft202012Validator(schema).validate(doc)
    base = f"{settings.PUBLIC_URL}/ims/ob/v3p0"
    acg = doc["components"]["securitySchemes"]["OAuth2ACG"]
    assert acg["x-imssf-registrationUrl"] == f"{base}/register"
    flow = acg["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == f"{base}/authorize"
    assert flow["tokenUrl"] == f"{base}/token"
    assert flow["refreshUrl"] == f"{base}/token"
    assert set(flow["scopes"]) == set(scopes.ALL)
    assert doc["info"]["x-imssf-privacyPolicyUrl"].startswith("http")
    assert doc["info"]["x-imssf-image"].startswith("data:image/svg+xml;base64,")
    assert doc["servers"][0]["url"] == base
    privacy = client.get(f"{API}/privacy")
    assert privacy.status_code == 200
    assert b"Privacy" in privacy.content


def _oas_path():
    from pathlib import Path

    return Path(__file__).parent / "data" / "ob_v3p0_oas.json"


def test_registration_answers_rfc7591(client):
    answer = register(client)
    assert answer.status_code == 201
    body = answer.json()
    assert body["client_id"]
    assert body["client_secret"]
    assert isinstance(body["client_id_issued_at"], int)
    assert body["redirect_uris"] == ["https://app.example/callback"]
    assert body["client_uri"] == "https://app.example/"
    assert body["grant_types"] == ["authorization_code", "refresh_token"]
    assert answer["Cache-Control"] == "no-store"
    entry = AuditEntry.objects.get(action="obapi.client_registered")
    assert entry.after["client_id"] == body["client_id"]
    public = register(client, token_endpoint_auth_method="none").json()
    assert "client_secret" not in public


@pytest.mark.parametrize(('overrides', 'error', 'words'), [
    ({"redirect_uris": ["http://app.example/cb"]}, "invalid_redirect_uri", "https"),
    ({"redirect_uris": []}, "invalid_redirect_uri", "at least one"),
    ({"redirect_uris": ["https://app.example/cb#frag"]}, "invalid_redirect_uri", "fragment"),
    ({"redirect_uris": "https://app.example/cb"}, "invalid_client_metadata", "array"),
    ({"scope": "read write"}, "invalid_client_metadata", "Unknown scope"),
    ({"grant_types": ["client_credentials"]}, "invalid_client_metadata", "grant_types"),
    ({"response_types": ["token"]}, "invalid_client_metadata", "response_types"),
    ({"token_endpoint_auth_method": "private_key_jwt"}, "invalid_client_metadata", "method"),
    ({"client_name": ""}, "invalid_client_metadata", "client_name"),
    ({"logo_uri": "javascript:alert(1)"}, "invalid_client_metadata", "logo_uri"),
])
def test_registration_refuses_bad_metadata(client, overrides, error, words):
    answer = register(client, **overrides)
    assert answer.status_code == 400, answer.content
    body = answer.json()
    assert body["error"] == error
    assert words in body["error_description"]


def test_registration_refuses_non_json_and_localhost_http_is_allowed(client):
    bad = client.post(f"{API}/register", "nope", content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid_client_metadata"
    local = register(client, redirect_uris=["http://localhost:8080/cb",
                                            "http://127.0.0.1/cb"])
    assert local.status_code == 201
    assert client.get(f"{API}/register").status_code == 405


def test_registration_is_rate_limited(client, settings, monkeypatch):
    from microdegree.obapi import registration

    monkeypatch.setattr(registration, "RATE_LIMIT", 3)
    codes = [register(client).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]


# --- credentials ------------------------------------------------------------------------------


def test_no_token_bad_token_wrong_scope(client, oauth, learner):
    none = client.get(f"{API}/credentials")
    assert_status_info(none, 401, "unauthorizedrequest")
    assert none["WWW-Authenticate"].startswith("Bearer")
    bad = client.get(f"{API}/credentials", **bearer("not-a-token"))
    assert_status_info(bad, 401, "unauthorizedrequest")
    assert 'error="invalid_token"' in bad["WWW-Authenticate"]
    ada = learner("ada@example.org")
    _, tokens = oauth.access(ada, scopes.PROFILE_READ)
    read = client.get(f"{API}/credentials", **bearer(tokens["access_token"]))
    assert_status_info(read, 403, "forbidden")
    push = client.post(f"{API}/credentials", json.dumps(signed_credential()),
                       content_type="application/json", **bearer(tokens["access_token"]))
    assert_status_info(push, 403, "forbidden")
    put = client.put(f"{API}/profile", json.dumps({"name": "X"}),
                     content_type="application/json", **bearer(tokens["access_token"]))
    assert_status_info(put, 403, "forbidden")
    assert client.get(f"{API}/profile", **bearer(tokens["access_token"])).status_code == 200


def test_405_and_404_are_imsx(client):
    wrong = client.delete(f"{API}/credentials")
    assert_status_info(wrong, 405, "not_allowed")
    assert wrong["Allow"] == "GET, POST"
    assert_status_info(client.get(f"{API}/nothing-here"), 404, "not_found")


@pytest.fixture
def ada_api(client, oauth, learner):
    ada = learner("ada@example.org")
    _, tokens = oauth.access(ada)
    return ada, bearer(tokens["access_token"])


def _push(client, auth, doc, **extra):
    return client.post(f"{API}/credentials", json.dumps(doc), content_type="application/json",
                       **auth, **extra)


def test_upsert_201_then_200_and_returned_unchanged(client, ada_api):
    ada, auth = ada_api
    doc = signed_credential(7, cred_id="urn:uuid:11111111-1111-4111-8111-111111111111")
    text = json.dumps(doc, indent=3, ensure_ascii=False)
    created = client.post(f"{API}/credentials", text, content_type="application/json", **auth)
    assert created.status_code == 201
    assert created.content.decode() == text.strip()
    listed = client.get(f"{API}/credentials", **auth)
    assert text.strip() in listed.content.decode()  # byte for byte, not re-serialised
    schema_validator("ob_v3p0_getopenbadgecredentialsresponse_schema.json").validate(
        listed.json())
    again = signed_credential(7, cred_id="urn:uuid:11111111-1111-4111-8111-111111111111",
                              name="Renamed badge")
    replaced = _push(client, auth, again)
    assert replaced.status_code == 200
    assert ImportedCredential.objects.filter(user=ada).count() == 1
    assert client.get(f"{API}/credentials", **auth).json()["credential"] == [again]
    actions = list(AuditEntry.objects.filter(action="obapi.credential_upserted").order_by("id")
                   .values_list("after__created", flat=True))
    assert actions == [True, False]


def test_jws_upsert_and_listing(client, ada_api):
    _, auth = ada_api
    token = vc_jwt(signed_credential(11), key_from(11))
    created = client.post(f"{API}/credentials", token, content_type="text/plain", **auth)
    assert created.status_code == 201, created.content
    body = client.get(f"{API}/credentials", **auth).json()
    assert body == {"credential": [], "compactJwsString": [token]}
    bad = client.post(f"{API}/credentials", "not a jws", content_type="text/plain", **auth)
    assert_status_info(bad, 400, "invalid_data")


def test_bad_credentials_are_refused_with_reasons(client, ada_api):
    ada, auth = ada_api
    doc = signed_credential(7)
    doc["name"] = "Tampered after signing"
    refused = _push(client, auth, doc)
    body = assert_status_info(refused, 400, "invalid_data")
    assert "did not verify" in body["imsx_description"]
    assert "signature" in body["imsx_description"].lower() or "proof" in (
        body["imsx_description"].lower())
    assert_status_info(client.post(f"{API}/credentials", "{nope", content_type="application/json",
                                   **auth), 400, "invalid_data")
    assert_status_info(client.post(f"{API}/credentials", "[]", content_type="application/json",
                                   **auth), 400, "invalid_data")
    assert_status_info(client.post(f"{API}/credentials", b"<x/>", content_type="image/svg+xml",
                                   **auth), 400, "invalid_data")
    assert not ImportedCredential.objects.filter(user=ada).exists()


def test_paging_headers(client, ada_api, settings):
    _, auth = ada_api
    for day in range(1, 6):
        assert _push(client, auth, signed_credential(
            7, valid_from=f"2026-01-0{day}T00:00:00Z")).status_code == 201
    page = client.get(f"{API}/credentials?limit=2&offset=2", **auth)
    assert page.status_code == 200
    assert page["X-Total-Count"] == "5"
    days = [c["validFrom"][:10] for c in page.json()["credential"]]
    assert days == ["2026-01-03", "2026-01-02"]  # newest first
    links = _links(page)
    base = f"{settings.PUBLIC_URL}/ims/ob/v3p0/credentials"
    assert links == {"first": f"{base}?limit=2&offset=0", "last": f"{base}?limit=2&offset=4",
                     "next": f"{base}?limit=2&offset=4", "prev": f"{base}?limit=2&offset=0"}
    first = client.get(f"{API}/credentials?limit=2", **auth)
    assert set(_links(first)) == {"first", "last", "next"}
    last = client.get(f"{API}/credentials?limit=2&offset=4", **auth)
    assert set(_links(last)) == {"first", "last", "prev"}
    assert len(last.json()["credential"]) == 1
    everything = client.get(f"{API}/credentials", **auth)
    assert set(_links(everything)) == {"first", "last"}
    assert len(everything.json()["credential"]) == 5
    huge = client.get(f"{API}/credentials?limit={'9' * 40}&offset={'9' * 400}", **auth)
    assert huge.status_code == 200
    assert huge.json()["credential"] == []
    assert huge["X-Total-Count"] == "5"


def test_since_filter(client, ada_api):
    _, auth = ada_api
    for day in (1, 5, 9):
        _push(client, auth, signed_credential(7, valid_from=f"2026-02-0{day}T00:00:00Z"))
    answer = client.get(f"{API}/credentials?since=2026-02-04T00:00:00Z&limit=1", **auth)
    assert answer["X-Total-Count"] == "2"
    assert answer.json()["credential"][0]["validFrom"] == "2026-02-09T00:00:00Z"
    assert "since=2026-02-04T00%3A00%3A00Z" in _links(answer)["next"]
    naive = client.get(f"{API}/credentials?since=2026-02-05T00:00:00", **auth)
    assert naive["X-Total-Count"] == "1"  # issued after, not at


@pytest.mark.parametrize("query", ["limit=0", "limit=-1", "limit=abc", "offset=-3",
                                   "offset=1.5", "since=yesterday", "since=2026-13-01",
                                   "limit=" + "9" * 1001, "limit=", "since="])
def test_bad_query_parameters(client, ada_api, query):
    _, auth = ada_api
    assert_status_info(client.get(f"{API}/credentials?{query}", **auth), 400,
                       "invalid_query_parameter")


def test_platform_credentials_are_listed_verbatim(client, ada_api, institution):
    from microdegree.catalog import services as catalog
    from microdegree.issuing import services as issuing

    definition = catalog.create_definition(None, institution, name="Course stats",
                                           slug="stats", description="Stats.",
                                           criteria_narrative="Pass.", credits_available=5)
    issued = issuing.issue_credential(None, definition, recipient_email="ada@example.org",
                                      send_email=False)
    _, auth = ada_api
    listed = client.get(f"{API}/credentials", **auth)
    assert listed["X-Total-Count"] == "1"
    assert listed.content.decode() == (
        '{"credential":[' + issued.document + '],"compactJwsString":[]}')
    schema_validator("ob_v3p0_getopenbadgecredentialsresponse_schema.json").validate(
        listed.json())


def test_tenant_isolation(client, oauth, learner):
    ada, ben = learner("ada@example.org"), learner("ben@example.org")
    _, ada_tokens = oauth.access(ada)
    _, ben_tokens = oauth.access(ben)
    shared_id = "urn:uuid:22222222-2222-4222-8222-222222222222"
    assert _push(client, bearer(ada_tokens["access_token"]),
                 signed_credential(7, cred_id=shared_id)).status_code == 201
    ben_view = client.get(f"{API}/credentials", **bearer(ben_tokens["access_token"]))
    assert ben_view.json() == {"credential": [], "compactJwsString": []}
    assert ben_view["X-Total-Count"] == "0"
    # Ben pushing a credential with the same id creates his own, never replaces Ada's
    assert _push(client, bearer(ben_tokens["access_token"]),
                 signed_credential(8, cred_id=shared_id,
                                   recipient="ben@example.org")).status_code == 201
    ada_doc = client.get(f"{API}/credentials", **bearer(ada_tokens["access_token"])).json()
    assert ada_doc["credential"][0]["issuer"]["id"] != json.loads(
        ImportedCredential.objects.get(user=ben).document)["issuer"]["id"]
    profile = client.get(f"{API}/profile", **bearer(ben_tokens["access_token"])).json()
    assert profile["email"] == "ben@example.org"


# --- profile ----------------------------------------------------------------------------------


def test_profile_get_and_put(client, ada_api):
    _ada, auth = ada_api
    got = client.get(f"{API}/profile", **auth)
    assert got.status_code == 200
    profile = got.json()
    schema_validator("ob_v3p0_profile_schema.json").validate(profile)
    assert profile["email"] == "ada@example.org"
    assert profile["type"] == "Profile"
    put = client.put(f"{API}/profile", json.dumps({**profile, "givenName": "Ada",
                                                   "familyName": "Lovelace"}),
                     content_type="application/json", **auth)
    assert put.status_code == 200
    assert put.json()["name"] == "Ada Lovelace"
    schema_validator("ob_v3p0_profile_schema.json").validate(put.json())
    assert client.get(f"{API}/profile", **auth).json()["name"] == "Ada Lovelace"
    assert AuditEntry.objects.filter(action="obapi.profile_updated").count() == 1
    other = client.put(f"{API}/profile", json.dumps({"email": "eve@example.org"}),
                       content_type="application/json", **auth)
    assert_status_info(other, 400, "invalid_data")
    assert_status_info(client.put(f"{API}/profile", "[1]", content_type="application/json",
                                  **auth), 400, "invalid_data")
    assert_status_info(client.put(f"{API}/profile", json.dumps({"name": 5}),
                                  content_type="application/json", **auth), 400, "invalid_data")


def test_upserting_a_platform_credential(client, ada_api, institution):
    from microdegree.catalog import services as catalog
    from microdegree.issuing import services as issuing

    definition = catalog.create_definition(None, institution, name="Course stats",
                                           slug="stats", description="Stats.",
                                           criteria_narrative="Pass.", credits_available=5)
    issued = issuing.issue_credential(None, definition, recipient_email="ada@example.org",
                                      send_email=False)
    ada, auth = ada_api
    same = client.post(f"{API}/credentials", issued.document, content_type="application/json",
                       **auth)
    assert same.status_code == 200  # already in the record: nothing changes
    assert not ImportedCredential.objects.filter(user=ada).exists()
    assert client.get(f"{API}/credentials", **auth)["X-Total-Count"] == "1"
    other = signed_credential(7, cred_id=issued.credential_id)
    refused = _push(client, auth, other)
    assert_status_info(refused, 400, "invalid_data")
    assert "cannot be replaced" in refused.json()["imsx_description"]


def test_a_body_too_large_is_a_400_not_a_500(client, ada_api):
    _, auth = ada_api
    huge = '{"id": "' + "x" * 3_000_000 + '"}'
    answer = client.post(f"{API}/credentials", huge, content_type="application/json", **auth)
    body = assert_status_info(answer, 400, "invalid_data")
    assert "too large" in body["imsx_description"]

"""OAuth 2.0 hardening of the Open Badges API's authorization server (issue 12, point 7), over
HTTP with the real endpoints: tokens are kept only as checksums, a replayed refresh token
revokes its whole family, a token in the query string is refused, and every authorization
response names its issuer (RFC 9207 `iss`)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.db import connection

from microdegree.obapi import scopes
from tests.obapi.conftest import API, REDIRECT, OAuth, bearer, pkce

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cheap(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def oauth(client) -> OAuth:
    return OAuth(client)


@pytest.fixture
def ada(db):
    from microdegree.records import auth
    from microdegree.records import services as records

    return records.sign_in_with_link(auth.make_token("login", "ada@example.org"))


def _raw_table(table: str) -> str:
    """Every value of every row of `table`, read with SQL (no ORM), as one string."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


def test_tokens_are_stored_only_as_checksums(client, oauth, ada):
    _app, tokens = oauth.access(ada)
    access, refresh = tokens["access_token"], tokens["refresh_token"]
    stored = _raw_table("oauth2_provider_accesstoken") + _raw_table("oauth2_provider_refreshtoken")
    assert access not in stored
    assert refresh not in stored
    # and the token still works: it is found by its checksum
    assert client.get(f"{API}/credentials", **bearer(access)).status_code == 200


def test_a_replayed_refresh_token_revokes_the_whole_family(client, oauth, ada):
    app, tokens = oauth.access(ada)
    refreshed = oauth.token(app, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert refreshed.status_code == 200, refreshed.content
    new = refreshed.json()
    assert client.get(f"{API}/credentials", **bearer(new["access_token"])).status_code == 200
    # an attacker replays the stolen, already used refresh token
    replay = oauth.token(app, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    # ... and the legitimate client's newer tokens stop working too
    assert client.get(f"{API}/credentials", **bearer(new["access_token"])).status_code == 401
    again = oauth.token(app, grant_type="refresh_token", refresh_token=new["refresh_token"])
    assert again.status_code == 400


def test_an_access_token_in_the_query_string_is_refused(client, oauth, ada):
    _app, tokens = oauth.access(ada)
    access = tokens["access_token"]
    both = client.get(f"{API}/credentials?access_token={access}", **bearer(access))
    assert both.status_code == 400
    assert "Authorization header" in both.json()["imsx_description"]
    only_query = client.get(f"{API}/credentials?access_token={access}")
    assert only_query.status_code in (400, 401)
    assert "credential" not in only_query.json()
    assert client.get(f"{API}/credentials", **bearer(access)).status_code == 200


def _redirect_query(answer) -> dict[str, list[str]]:
    assert answer.status_code == 302, answer.content
    location = urlsplit(answer["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return parse_qs(location.query)


def test_the_authorization_response_names_the_issuer(client, oauth, ada):
    app = oauth.register()
    _verifier, challenge = pkce()
    client.force_login(ada)
    url = oauth.authorize_url(app, scopes.CREDENTIAL_READ, challenge)
    form = {k: v for k, v in client.get(url).context["form"].initial.items() if v is not None}
    granted = _redirect_query(client.post(url, {**form, "allow": "on"}))
    assert granted["code"]
    assert granted["iss"] == [settings.PUBLIC_URL]
    # an error response too: the learner declines
    denied = _redirect_query(client.post(url, form))
    assert denied["error"] == ["access_denied"]
    assert denied["iss"] == [settings.PUBLIC_URL]
    # and our own refusal of a request without PKCE
    refused = _redirect_query(client.get(oauth.authorize_url(app, scopes.CREDENTIAL_READ, None,
                                                             None)))
    assert refused["error"] == ["invalid_request"]
    assert refused["iss"] == [settings.PUBLIC_URL]


def test_the_issuer_is_the_public_url_not_the_requests_host(client, oauth, ada):
    app = oauth.register()
    _verifier, challenge = pkce()
    client.force_login(ada)
    url = oauth.authorize_url(app, scopes.CREDENTIAL_READ, challenge)
    page = client.get(url, HTTP_HOST="localhost")
    form = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    granted = _redirect_query(client.post(url, {**form, "allow": "on"}, HTTP_HOST="localhost"))
    assert granted["iss"] == [settings.PUBLIC_URL]


def test_tokens_stored_in_clear_before_are_blanked_by_the_migration_and_keep_working(
        client, oauth, ada):
    import importlib

    from django.apps import apps
    from oauth2_provider.models import AccessToken, RefreshToken

    _app, tokens = oauth.access(ada)
    access, refresh = tokens["access_token"], tokens["refresh_token"]
    # as the toolkit stored them before hashed storage was switched on
    AccessToken.objects.update(token=access)
    RefreshToken.objects.update(token=refresh)
    assert access in _raw_table("oauth2_provider_accesstoken")
    migration = importlib.import_module(
        "microdegree.obapi.migrations.0003_hash_oauth_tokens_at_rest")
    migration.forwards(apps, None)
    stored = _raw_table("oauth2_provider_accesstoken") + _raw_table("oauth2_provider_refreshtoken")
    assert access not in stored
    assert refresh not in stored
    assert client.get(f"{API}/credentials", **bearer(access)).status_code == 200

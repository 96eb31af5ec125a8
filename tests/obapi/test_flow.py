"""The OAuth 2.0 dance through the real endpoints: register → authorize (PKCE S256, consent
page) → token → GET / POST credentials → refresh → revoke; PKCE missing or plain is refused."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from microdegree.audit.models import AuditEntry
from microdegree.obapi import scopes

from .conftest import API, REDIRECT, assert_status_info, bearer, pkce, signed_credential

pytestmark = pytest.mark.django_db


def test_full_dance(client, oauth, learner):
    ada = learner("ada@example.org")
    app = oauth.register()
    assert AuditEntry.objects.filter(action="obapi.client_registered").count() == 1
    code, verifier = oauth.code(ada, app)
    answer = oauth.token(app, grant_type="authorization_code", code=code,
                         redirect_uri=REDIRECT, code_verifier=verifier)
    assert answer.status_code == 200, answer.content
    tokens = answer.json()
    assert tokens["token_type"] == "Bearer"
    assert set(tokens["scope"].split()) == set(scopes.ALL)

    listed = client.get(f"{API}/credentials", **bearer(tokens["access_token"]))
    assert listed.status_code == 200
    assert listed.json() == {"credential": [], "compactJwsString": []}

    doc = signed_credential(7)
    text = json.dumps(doc, indent=2)
    pushed = client.post(f"{API}/credentials", text, content_type="application/json",
                         **bearer(tokens["access_token"]))
    assert pushed.status_code == 201, pushed.content
    listed = client.get(f"{API}/credentials", **bearer(tokens["access_token"]))
    assert listed.json()["credential"] == [doc]

    # refresh: a new access token works, the old refresh token is rotated away
    refreshed = oauth.token(app, grant_type="refresh_token",
                            refresh_token=tokens["refresh_token"])
    assert refreshed.status_code == 200, refreshed.content
    new = refreshed.json()
    assert new["access_token"] != tokens["access_token"]
    assert client.get(f"{API}/credentials", **bearer(new["access_token"])).status_code == 200
    again = oauth.token(app, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert again.status_code == 400

    # revoke (RFC 7009): the token stops working at once
    from .conftest import basic

    revoked = client.post(f"{API}/revoke", f"token={new['access_token']}",
                          content_type="application/x-www-form-urlencoded",
                          HTTP_AUTHORIZATION=basic(app["client_id"], app["client_secret"]))
    assert revoked.status_code == 200
    gone = client.get(f"{API}/credentials", **bearer(new["access_token"]))
    body = assert_status_info(gone, 401, "unauthorizedrequest")
    assert "not valid" in body["imsx_description"]
    assert gone["WWW-Authenticate"].startswith("Bearer")


def test_code_is_single_use_and_needs_the_right_verifier(client, oauth, learner):
    ada = learner("ada@example.org")
    app = oauth.register()
    code, verifier = oauth.code(ada, app)
    wrong = oauth.token(app, grant_type="authorization_code", code=code,
                        redirect_uri=REDIRECT, code_verifier=pkce()[0])
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    code, verifier = oauth.code(ada, app)
    missing = oauth.token(app, grant_type="authorization_code", code=code,
                          redirect_uri=REDIRECT)
    assert missing.status_code == 400
    assert oauth.token(app, grant_type="authorization_code", code=code, redirect_uri=REDIRECT,
                       code_verifier=verifier).status_code == 200
    assert oauth.token(app, grant_type="authorization_code", code=code, redirect_uri=REDIRECT,
                       code_verifier=verifier).status_code == 400


@pytest.mark.parametrize(("challenge", "method"), [(None, None), ("x" * 43, "plain"),
                                                ("x" * 43, None)])
def test_pkce_missing_or_plain_is_refused(client, oauth, learner, challenge, method):
    ada = learner("ada@example.org")
    app = oauth.register()
    client.force_login(ada)
    answer = client.get(oauth.authorize_url(app, scopes.CREDENTIAL_READ, challenge, method))
    assert answer.status_code == 302
    location = urlsplit(answer["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    assert query["error"] == ["invalid_request"]
    assert "S256" in query["error_description"][0]
    assert query["state"] == ["xyz"]
    assert "code" not in query


def test_plain_smuggled_into_the_consent_form_is_refused(client, oauth, learner):
    ada = learner("ada@example.org")
    app = oauth.register()
    verifier, challenge = pkce()
    client.force_login(ada)
    url = oauth.authorize_url(app, scopes.CREDENTIAL_READ, challenge)
    form = {k: v for k, v in client.get(url).context["form"].initial.items() if v is not None}
    form.update(allow="on", code_challenge=verifier, code_challenge_method="plain")
    answer = client.post(url, form)
    query = parse_qs(urlsplit(answer["Location"]).query)
    assert "code" not in query
    assert query["error"] == ["invalid_request"]


def test_unknown_client_gets_an_error_page_not_a_redirect(client, learner):
    client.force_login(learner("ada@example.org"))
    _, challenge = pkce()
    answer = client.get(f"{API}/authorize?response_type=code&client_id=nope&redirect_uri="
                        f"https://evil.example/&code_challenge={challenge}"
                        "&code_challenge_method=S256")
    assert answer.status_code in (400, 401)
    assert b"evil.example" not in answer.get("Location", "").encode()


def test_consent_page_in_plain_words_and_sign_in_through_the_record(client, oauth, learner):
    from django.core import mail

    ada = learner("ada@example.org")
    app = oauth.register(scope=f"{scopes.CREDENTIAL_READ} {scopes.PROFILE_READ}")
    _, challenge = pkce()
    url = oauth.authorize_url(app, f"{scopes.CREDENTIAL_READ} {scopes.PROFILE_READ}",
                              challenge)
    # not signed in: to the learners' sign-in, and back after the e-mailed link
    answer = client.get(url)
    assert answer.status_code == 302
    assert answer["Location"].startswith("/me/login?next=")
    login = client.get(answer["Location"])
    assert login.status_code == 200
    sent = client.post("/me/login", {"email": "ada@example.org",
                                     "next": "/ims/ob/v3p0/authorize/resume"})
    assert sent.status_code == 200
    link = [w for w in mail.outbox[-1].body.split() if "/me/login/" in w][-1]
    path = urlsplit(link).path
    client.get(path)
    back = client.post(path)
    assert back["Location"] == "/ims/ob/v3p0/authorize/resume"
    resumed = client.get(back["Location"])
    assert resumed["Location"] == url
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Example Wallet" in html
    assert "See every credential in your record" in html
    assert "See your name and your verified e-mail address" in html
    assert "Change the name" not in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert ada.is_authenticated


def test_a_client_cannot_ask_for_scopes_it_did_not_register(client, oauth, learner):
    ada = learner("ada@example.org")
    app = oauth.register(scope=scopes.CREDENTIAL_READ)
    _, challenge = pkce()
    client.force_login(ada)
    answer = client.get(oauth.authorize_url(app, scopes.CREDENTIAL_UPSERT, challenge))
    assert answer.status_code == 302
    assert parse_qs(urlsplit(answer["Location"]).query)["error"] == ["invalid_scope"]


def test_do_not_allow_sends_access_denied(client, oauth, learner):
    ada = learner("ada@example.org")
    app = oauth.register()
    _, challenge = pkce()
    client.force_login(ada)
    url = oauth.authorize_url(app, scopes.CREDENTIAL_READ, challenge)
    form = {k: v for k, v in client.get(url).context["form"].initial.items() if v is not None}
    answer = client.post(url, form)  # the "Do not allow" button sends no `allow`
    query = parse_qs(urlsplit(answer["Location"]).query)
    assert query["error"] == ["access_denied"]
    assert "code" not in query

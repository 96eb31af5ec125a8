"""The learner's side: pulling credentials from another OB API host (our own server running as
live_server plays the other host, reached over real HTTP through the SSRF-safe fetcher), and
Connected apps with revoke."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from django.test import Client

from microdegree.audit.models import AuditEntry
from microdegree.obapi import client as pull_client
from microdegree.obapi import services
from microdegree.obapi.models import RemoteHost
from microdegree.records.models import ImportedCredential
from tests.verification.helpers import key_from, vc_jwt

from .conftest import API, bearer, signed_credential


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


@pytest.fixture
def other_host(live_server, settings):
    """live_server is the other host; only tests may fetch from loopback over http."""
    settings.PUBLIC_URL = live_server.url
    settings.MICRODEGREE_VERIFY_ALLOW_PRIVATE = True
    settings.MICRODEGREE_VERIFY_ALLOW_HTTP = True
    return live_server


@pytest.mark.django_db(transaction=True)
def test_pull_from_another_host(other_host, learner, monkeypatch):
    monkeypatch.setattr(pull_client, "PAGE", 2)  # three credentials: two pages
    ada = learner("ada@other.example")  # her account on the other host
    docs = [signed_credential(7, valid_from=f"2026-03-0{d}T00:00:00Z",
                              recipient="ada@other.example") for d in (1, 2)]
    for doc in docs:
        services.upsert_credential(ada, json.dumps(doc))
    jws = vc_jwt(signed_credential(11, recipient="ada@other.example"), key_from(11))
    services.upsert_credential(ada, jws)
    tampered = signed_credential(7, recipient="ada@other.example")
    tampered["name"] = "changed"
    ImportedCredential.objects.create(user=ada, document=json.dumps(tampered),
                                      format="json", decoded=tampered, addressed=True,
                                      credential_id=tampered["id"])  # slipped in unverified

    ben = learner("ben@here.example")
    here, there = Client(), Client()
    here.force_login(ben)
    there.force_login(ada)

    page = here.get("/me/connect/")
    assert page.status_code == 200
    assert b"The other host&#x27;s address" in page.content or b"other host" in page.content
    start = here.post("/me/connect/", {"base_url": other_host.url})
    assert start.status_code == 302, start.content
    out = urlsplit(start["Location"])
    assert f"{out.scheme}://{out.netloc}{out.path}" == f"{other_host.url}{API}/authorize"
    assert "code_challenge_method=S256" in out.query
    consent = there.get(_path(start["Location"]))
    assert consent.status_code == 200
    assert "Microdegree learner record" in consent.content.decode()
    form = {k: v for k, v in consent.context["form"].initial.items() if v is not None}
    back = there.post(_path(start["Location"]), {**form, "allow": "on"})
    assert back.status_code == 302
    assert back["Location"].startswith(f"{other_host.url}/me/connect/callback?")
    done = here.get(_path(back["Location"]))
    assert done.status_code == 200, done.content
    html = done.content.decode()
    assert "3 credentials from" in html
    assert "Not added" in html  # the unverifiable one, with its reason
    mine = ImportedCredential.objects.filter(user=ben)
    assert mine.count() == 3
    assert set(mine.values_list("format", flat=True)) == {"json", "jwt"}
    assert mine.get(format="jwt").document == jws
    host = RemoteHost.objects.get(user=ben)
    assert host.completed_at is not None
    assert host.imported_count == 3
    assert host.refused_count == 1
    assert AuditEntry.objects.filter(action="obapi.pull_finished").exists()
    # the same state cannot be used twice
    assert here.get(_path(back["Location"])).status_code == 400


@pytest.mark.django_db(transaction=True)
def test_pull_refuses_a_host_that_is_not_an_ob_api(other_host, learner):
    here = Client()
    here.force_login(learner("ben@here.example"))
    answer = here.post("/me/connect/", {"base_url": f"{other_host.url}/nothing"})
    assert answer.status_code == 400
    assert "other host" in answer.content.decode()
    assert not RemoteHost.objects.exists()


def test_pull_never_fetches_loopback_outside_tests(client, learner, settings):
    settings.MICRODEGREE_VERIFY_ALLOW_PRIVATE = False
    settings.MICRODEGREE_VERIFY_ALLOW_HTTP = False
    client.force_login(learner("ben@here.example"))
    answer = client.post("/me/connect/", {"base_url": "https://127.0.0.1:9/"})
    assert answer.status_code == 400
    assert "non-public address" in answer.content.decode()
    http = client.post("/me/connect/", {"base_url": "http://badges.example/"})
    assert http.status_code == 400
    assert "Only https" in http.content.decode()


def test_callback_with_an_error_or_unknown_state(client, learner):
    client.force_login(learner("ben@here.example"))
    denied = client.get("/me/connect/callback?error=access_denied&state=x")
    assert denied.status_code == 400
    assert "access_denied" in denied.content.decode()
    unknown = client.get("/me/connect/callback?code=abc&state=nope")
    assert unknown.status_code == 400
    assert "start again" in unknown.content.decode()


@pytest.mark.django_db
def test_connected_apps_list_and_revoke(client, oauth, learner):
    ada, ben = learner("ada@example.org"), learner("ben@example.org")
    app, tokens = oauth.access(ada)
    _, ben_tokens = oauth.access(ben)
    client.force_login(ada)
    page = client.get("/me/apps/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Example Wallet" in html
    assert "See every credential in your record" in html
    from oauth2_provider.models import Application

    app_pk = Application.objects.get(client_id=app["client_id"]).pk
    # another learner's app id ends nothing of Ada's, and Ada cannot end Ben's grants
    ben_app = Application.objects.exclude(pk=app_pk).get()
    assert client.post("/me/apps/", {"application": ben_app.pk}).status_code == 404
    assert client.get(f"{API}/credentials", **bearer(ben_tokens["access_token"])
                      ).status_code == 200
    ended = client.post("/me/apps/", {"application": app_pk})
    assert ended.status_code == 302
    after = client.get("/me/apps/").content.decode()
    assert "Example Wallet" not in after
    assert "No app has access" in after
    assert client.get(f"{API}/credentials", **bearer(tokens["access_token"])).status_code == 401
    refreshed = oauth.token(app, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert refreshed.status_code == 400
    assert AuditEntry.objects.filter(action="obapi.client_revoked").count() == 1
    anonymous = Client().get("/me/apps/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/me/login")


@pytest.mark.django_db
def test_the_record_links_to_connected_apps_and_pulling(client, learner):
    client.force_login(learner("ada@example.org"))
    html = client.get("/me/").content.decode()
    assert 'href="/me/apps/"' in html
    assert 'href="/me/connect/"' in html

"""Attacks on the LTI 1.3 tool over HTTP: a replayed launch, forged launches (another key,
another audience, an unknown deployment, a tampered body) and crossing tenants. Each is refused
with a 4xx and a sentence; nothing is linked or awarded."""

# ruff: noqa: F811 - the LTI fixtures are imported, then named as test arguments
from __future__ import annotations

import base64
import html
import json
import re

import pytest

from tests.lti import _flow
from tests.lti._platform import INSTRUCTOR, rsa_key
from tests.lti.conftest import (  # noqa: F401 - fixtures
    _loopback_platform,
    make_course,
    platform,
    registered,
)

pytestmark = pytest.mark.django_db


def _refused(answer, *words: str) -> str:
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.content[:500])
    found = re.search(r'<p class="bad">([^<]+)</p>', answer.content.decode())
    assert found, answer.content.decode()
    sentence = html.unescape(found.group(1))
    for word in words:
        assert word in sentence, sentence
    return sentence


@pytest.fixture
def linked(institution, platform, registered):
    platform.results = [{"userId": "learner-1", "resultScore": 90, "resultMaximum": 100}]
    return make_course(institution, "stats").definition


def test_a_replayed_launch_is_refused(client, platform, linked):
    from microdegree.issuing.models import IssuedCredential

    first = _flow.launch(client, platform, custom={"microcredential": "stats"})
    assert first.status_code == 200
    assert IssuedCredential.objects.count() == 1
    replay = client.post("/lti/launch", {"id_token": first.lti_token,
                                         "state": first.lti_state})
    _refused(replay, "used already")
    # nor in a fresh browser that has just logged in (its own state, the old token's nonce)
    state, _nonce = _flow.login(client, platform)
    _refused(client.post("/lti/launch", {"id_token": first.lti_token, "state": state}),
             "launch was refused")


def test_a_launch_signed_with_another_key_is_refused(client, platform, linked):
    from microdegree.lti.models import ResourceLink

    forged_key, _public = rsa_key(platform.kid)  # the platform's kid, the attacker's key
    answer = _flow.launch(client, platform, custom={"microcredential": "stats"},
                          key=forged_key)
    _refused(answer, "signature does not match")
    assert not ResourceLink.objects.exists()


def test_a_launch_with_an_unknown_kid_is_refused(client, platform, linked):
    forged_key, _public = rsa_key("attacker")
    answer = _flow.launch(client, platform, key=forged_key, kid="attacker")
    _refused(answer, "no key for it")


def test_a_launch_for_another_audience_is_refused(client, platform, linked):
    answer = _flow.launch(client, platform, custom={"microcredential": "stats"},
                          aud="some-other-client")
    _refused(answer, "no course platform is registered")


def test_a_launch_from_an_unknown_deployment_is_refused(client, platform, linked):
    answer = _flow.launch(client, platform, custom={"microcredential": "stats"},
                          deployment_id="deployment-of-someone-else")
    _refused(answer, "deployment of the course platform is not registered")


def test_a_tampered_launch_body_is_refused(client, platform, linked):
    from microdegree.issuing.models import IssuedCredential

    state, nonce = _flow.login(client, platform)
    header, body, signature = platform.id_token(nonce, custom={"microcredential": "stats"}
                                                ).split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["email"] = "attacker@evil.example"
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    answer = client.post("/lti/launch", {"id_token": f"{header}.{body}.{signature}",
                                         "state": state})
    _refused(answer, "signature does not match")
    assert not IssuedCredential.objects.exists()


def test_a_launch_without_the_login_state_is_refused(client, platform, linked):
    _state, nonce = _flow.login(client, platform)
    answer = client.post("/lti/launch", {"id_token": platform.id_token(nonce),
                                         "state": "state-made-up"})
    _refused(answer, "state does not match")


def test_a_platform_cannot_link_another_institutions_microcredential(
        client, platform, linked, make_user, admin_user):
    from microdegree.institutions import services
    from microdegree.issuing.models import IssuedCredential
    from microdegree.lti.models import ResourceLink

    owner = make_user("owner@other.example")
    other = services.register_institution(owner, name="Other College", country_code="DE",
                                          owner=owner, slug="other-college")
    services.approve_institution(admin_user, other)
    make_course(other, "secret-course")
    answer = _flow.launch(client, platform, custom={"microcredential": "secret-course"})
    _refused(answer, "no microcredential secret-course")
    assert not ResourceLink.objects.exists()
    assert not IssuedCredential.objects.exists()
    picker = _flow.launch(client, platform, message_type="LtiDeepLinkingRequest",
                          roles=(INSTRUCTOR,))
    assert "secret-course" not in picker.content.decode()
    chosen = client.post("/lti/deep-link", {"launch_id": _flow.launch_id(picker),
                                            "microcredential": "secret-course"})
    _refused(chosen, "no microcredential secret-course")


def test_only_owners_register_and_only_their_institution(client, institution, platform,
                                                         make_user):
    from microdegree.institutions import services
    from microdegree.lti.models import PlatformRegistration, RegistrationInvite

    issuer = make_user("issuer@uni.example")
    services.set_member(None, institution, issuer, "issuer")
    client.force_login(issuer)
    assert client.post(f"/institutions/{institution.slug}/lti/",
                       {"invite": "1"}).status_code == 403
    manual = client.post(f"/institutions/{institution.slug}/lti/", {
        "issuer": platform.issuer, "client_id": "x", "auth_login_url": f"{platform.issuer}/a",
        "auth_token_url": f"{platform.issuer}/t", "key_set_url": f"{platform.issuer}/j",
        "deployment_ids": "d"})
    assert manual.status_code == 403
    stranger = make_user("stranger@else.example")
    client.force_login(stranger)
    assert client.get(f"/institutions/{institution.slug}/lti/").status_code == 404
    assert client.post(f"/institutions/{institution.slug}/lti/",
                       {"invite": "1"}).status_code == 404
    guessed = client.get("/lti/register/made-up-token", {
        "openid_configuration": f"{platform.issuer}/.well-known/openid-configuration"})
    _refused(guessed, "registration link is unknown")
    assert not RegistrationInvite.objects.exists()
    assert not PlatformRegistration.objects.exists()
    assert platform.registrations == []


@pytest.mark.parametrize(("path", "data", "words"), [
    ("/lti/launch", {}, "did not send back this tool's cookie"),
    ("/lti/login", {"login_hint": "u"}, "Could not find issuer"),
    ("/lti/login", {"iss": "https://unknown.example", "login_hint": "u", "client_id": "c"},
     "no course platform is registered"),
    ("/lti/check", {"launch_id": "lti1p3-launch-made-up"}, "cookie"),
    ("/lti/deep-link", {"launch_id": "made-up"}, "cookie"),
])
def test_bad_lti_requests_get_a_4xx_and_a_sentence(client, path, data, words):
    _refused(client.post(path, data), words)


def test_bad_requests_after_a_login_get_a_4xx_and_a_sentence(client, platform, linked):
    state, _nonce = _flow.login(client, platform)
    _refused(client.post("/lti/launch", {}), "Missing state param")
    _refused(client.post("/lti/launch", {"state": state}), "Missing id_token")
    _refused(client.post("/lti/launch", {"id_token": "not.a.jwt", "state": state}),
             "can't be decoded")
    _refused(client.post("/lti/check", {"launch_id": "lti1p3-launch-made-up"}),
             "Launch data not found")
    _refused(client.post("/lti/deep-link", {"launch_id": "made-up"}), "Launch data not found")

"""The LTI 1.3 tool against a real test platform (RS256 keys, JWKS, OpenID configuration,
dynamic registration, client-credentials tokens and AGS results served over HTTP)."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings

from microdegree.vc.errors import FetchError
from microdegree.vc.fetch import FetchResponse
from tests.lti import _flow
from tests.lti._platform import INSTRUCTOR, LTI
from tests.lti.conftest import make_course

pytestmark = pytest.mark.django_db

DL_RESPONSE_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"


def _owner_client(client, institution):
    client.force_login(institution.members.get(role="owner").user)
    return client


# --- registration ----------------------------------------------------------------------------


def _invite(client, institution) -> str:
    """The owner makes a one-time registration URL on the institution's LTI page."""
    _owner_client(client, institution)
    page = client.post(f"/institutions/{institution.slug}/lti/", {"invite": "1"})
    assert page.status_code == 200
    url = re.search(r'<code id="lti-invite-url">([^<]+)</code>', page.content.decode()).group(1)
    client.logout()  # the platform's administrator is not signed in here
    return url[len(settings.PUBLIC_URL):]


def _config(platform, token=None) -> dict[str, str]:
    return {"openid_configuration": f"{platform.issuer}/.well-known/openid-configuration",
            "registration_token": token or platform.registration_token}


def test_dynamic_registration_posts_the_client_and_stores_the_platform(client, institution,
                                                                       platform):
    from microdegree.audit.models import AuditEntry
    from microdegree.lti.models import PlatformRegistration

    path = _invite(client, institution)
    done = client.get(path, _config(platform))
    assert done.status_code == 200, done.content
    assert platform.client_id in done.content.decode()
    assert "lti/registered.js" in done.content.decode()  # postMessage org.imsglobal.lti.close
    sent = platform.registrations[0]
    assert sent["initiate_login_uri"].endswith("/lti/login")
    assert sent["redirect_uris"][0].endswith("/lti/launch")
    assert sent["jwks_uri"].endswith("/lti/jwks.json")
    assert sent["token_endpoint_auth_method"] == "private_key_jwt"
    assert "result.readonly" in sent["scope"]
    reg = PlatformRegistration.objects.get(client_id=platform.client_id)
    assert (reg.institution, reg.issuer, reg.method) == (institution, platform.issuer, "dynamic")
    assert reg.deployment_ids == [platform.deployment_id]
    assert reg.key_set_url == f"{platform.issuer}/jwks"
    assert AuditEntry.objects.filter(action="lti.platform_registered",
                                     institution_id=institution.pk).exists()
    entry = AuditEntry.objects.get(action="lti.platform_registered")
    assert entry.actor == institution.members.get(role="owner").user
    # the link works once
    again = client.get(path, _config(platform))
    assert again.status_code == 404
    assert "used already or expired" in again.content.decode()
    assert len(platform.registrations) == 1
    # the registered platform can launch right away
    course = make_course(institution, "stats").definition
    answer = _flow.launch(client, platform, custom={"microcredential": course.slug})
    assert answer.status_code == 200, answer.content


def test_dynamic_registration_with_a_wrong_token_is_refused_with_a_sentence(
        client, institution, platform):
    from microdegree.lti.models import PlatformRegistration

    path = _invite(client, institution)
    answer = client.get(path, _config(platform, "not-the-token"))
    assert answer.status_code == 400
    assert "refused the registration" in answer.content.decode()
    assert not PlatformRegistration.objects.exists()
    # the link is not spent by a failed registration
    assert client.get(path, _config(platform)).status_code == 200


def test_an_expired_registration_link_is_refused(client, institution, platform):
    from datetime import timedelta

    from django.utils import timezone

    from microdegree.lti.models import RegistrationInvite

    path = _invite(client, institution)
    RegistrationInvite.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    answer = client.get(path, _config(platform))
    assert answer.status_code == 404
    assert "expired" in answer.content.decode()
    assert platform.registrations == []


def test_an_openid_configuration_naming_another_issuer_is_refused(client, institution,
                                                                  platform, monkeypatch):
    original = platform.openid_configuration
    monkeypatch.setattr(platform, "openid_configuration",
                        lambda: {**original(), "issuer": "https://lms.elsewhere.example"})
    answer = client.get(_invite(client, institution), _config(platform))
    assert answer.status_code == 400
    assert "issuer" in answer.content.decode()
    assert platform.registrations == []


def test_manual_registration_by_the_owner(client, institution, platform):
    from microdegree.lti.models import PlatformRegistration

    _owner_client(client, institution)
    overview = client.get(f"/institutions/{institution.slug}/").content.decode()
    assert f'href="/institutions/{institution.slug}/lti/"' in overview
    page = client.get(f"/institutions/{institution.slug}/lti/")
    assert page.status_code == 200
    assert "/lti/jwks.json" in page.content.decode()
    answer = client.post(f"/institutions/{institution.slug}/lti/", {
        "name": "Moodle", "issuer": platform.issuer, "client_id": platform.client_id,
        "auth_login_url": f"{platform.issuer}/auth", "auth_token_url": f"{platform.issuer}/token",
        "key_set_url": f"{platform.issuer}/jwks", "deployment_ids": "deployment-1, d-2"})
    assert answer.status_code == 302
    reg = PlatformRegistration.objects.get(institution=institution)
    assert (reg.method, reg.deployment_ids) == ("manual", ["deployment-1", "d-2"])
    listed = client.get(f"/institutions/{institution.slug}/lti/").content.decode()
    assert platform.client_id in listed
    again = client.post(f"/institutions/{institution.slug}/lti/", {
        "issuer": platform.issuer, "client_id": platform.client_id,
        "auth_login_url": "not a url", "auth_token_url": f"{platform.issuer}/token",
        "key_set_url": f"{platform.issuer}/jwks", "deployment_ids": "x"})
    assert again.status_code == 400
    assert "The authentication request URL" in again.content.decode()


# --- the tool's key --------------------------------------------------------------------------


def test_jwks_serves_the_tool_key_and_the_private_key_is_sealed(client):
    from microdegree.institutions import sealed
    from microdegree.lti.keys import private_pem, tool_key
    from microdegree.lti.models import ToolKey

    answer = client.get("/lti/jwks.json")
    assert answer.status_code == 200
    (key,) = answer.json()["keys"]
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    row = ToolKey.objects.get(kid=key["kid"])
    assert b"PRIVATE KEY" not in bytes(row.sealed_private)
    assert "BEGIN PRIVATE KEY" in private_pem(tool_key())
    assert ("lti.ToolKey", "sealed_private") in {(f.model, f.field)
                                                 for f in sealed.sealed_fields()}


# --- deep linking ----------------------------------------------------------------------------


def test_the_instructor_links_a_microcredential_by_deep_linking(client, institution, platform,
                                                                registered):
    course = make_course(institution, "stats").definition
    picker = _flow.launch(client, platform, message_type="LtiDeepLinkingRequest",
                          roles=(INSTRUCTOR,))
    assert picker.status_code == 200, picker.content
    assert "Course stats" in picker.content.decode()
    assert "frame-ancestors " + platform.issuer in picker["Content-Security-Policy"]
    answer = client.post("/lti/deep-link", {"launch_id": _flow.launch_id(picker),
                                            "microcredential": course.slug, "threshold": "0.7"})
    assert answer.status_code == 200, answer.content
    html = answer.content.decode()
    assert f'action="{platform.issuer}/deep-link-return"' in html
    token = re.search(r'name="JWT" value="([^"]+)"', html).group(1)
    message = platform.verify_tool_jwt(token)  # signed with the tool key from /lti/jwks.json
    assert message["iss"] == platform.client_id
    assert message[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert message["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-42"
    (item,) = message[DL_RESPONSE_ITEMS]
    assert item["type"] == "ltiResourceLink"
    assert item["custom"] == {"microcredential": "stats", "threshold": "0.7"}
    assert item["lineItem"]["scoreMaximum"] == 100


def test_a_learner_cannot_answer_a_deep_linking_request(client, institution, platform,
                                                        registered):
    answer = _flow.launch(client, platform, message_type="LtiDeepLinkingRequest")
    assert answer.status_code == 403
    assert "instructors" in answer.content.decode()


# --- grade passback -> award -----------------------------------------------------------------


class ClientFetcher:
    """Status lists read through the real status endpoint (the Django test client)."""

    def __init__(self, client) -> None:
        self.client = client

    def get(self, url: str, *, accept: str = "application/json") -> FetchResponse:
        if not url.startswith(settings.PUBLIC_URL + "/"):
            raise FetchError(f"could not connect to {url}", code="FETCH_FAILED")
        response = self.client.get(url[len(settings.PUBLIC_URL):], HTTP_ACCEPT=accept)
        return FetchResponse(url=url, status=response.status_code,
                             content_type=response["Content-Type"], body=response.content,
                             headers=dict(response.headers))


def _verify(client, institution, document):
    from microdegree.vc import did as vc_did
    from microdegree.vc.verify import verify

    served = json.loads(client.get(f"/issuers/{institution.slug}/did.json").content)
    return verify(document, resolver=vc_did.StaticResolver({institution.did: served}),
                  status_fetcher=ClientFetcher(client))


def test_a_passing_grade_awards_the_microcredential_shown_in_the_course(
        client, institution, platform, registered):
    from microdegree.issuing.models import IssuedCredential
    from microdegree.lti.models import ResourceLink

    course = make_course(institution, "stats").definition
    custom = {"microcredential": course.slug, "threshold": "0.6"}
    first = _flow.launch(client, platform, custom=custom)
    assert first.status_code == 200, first.content
    link = ResourceLink.objects.get(registration=registered, resource_link_id="rl-1")
    assert (link.definition, link.threshold) == (course, 0.6)
    assert "no result for you" in first.content.decode()
    assert "reaches 60% of the maximum" in first.content.decode()
    assert not IssuedCredential.objects.exists()

    platform.results = [{"userId": "learner-1", "resultScore": 55, "resultMaximum": 100},
                        {"userId": "someone-else", "resultScore": 99, "resultMaximum": 100}]
    below = client.post("/lti/check", {"launch_id": _flow.launch_id(first)})
    assert below.status_code == 200
    assert "Your result so far: 55% of the maximum" in below.content.decode()
    assert not IssuedCredential.objects.exists()

    platform.results[0]["resultScore"] = 82
    passed = client.post("/lti/check", {"launch_id": _flow.launch_id(first)})
    assert passed.status_code == 200
    credential = IssuedCredential.objects.get()
    assert (credential.recipient_email, credential.institution) == ("lea@learner.example",
                                                                    institution)
    assert credential.achievement_version.definition == course
    assert credential.result_value == "82%"
    html = passed.content.decode()
    assert "You earned this microcredential" in html
    assert f"/credentials/{credential.uuid}" in html
    badge = re.search(r'<img src="([^"]+image\.svg)"', html).group(1)
    assert client.get(badge)["Content-Type"].startswith("image/svg+xml")
    assert client.get(f"/credentials/{credential.uuid}").status_code == 200
    assert _verify(client, institution, credential.document).verified
    # the token came from a JWT assertion the platform checked against the tool's JWKS
    assert platform.token_requests[-1]["client_assertion_type"].endswith("jwt-bearer")
    # launching again shows the same credential, nothing awarded twice
    again = _flow.launch(client, platform, custom=custom)
    assert f"/credentials/{credential.uuid}" in again.content.decode()
    assert IssuedCredential.objects.count() == 1


def test_the_lti_award_completes_a_microdegree(client, institution, platform, registered):
    from microdegree.catalog import services as catalog
    from microdegree.issuing import services as issuing
    from microdegree.issuing.models import IssuedCredential

    courses = [make_course(institution, s) for s in ("stats", "viz")]
    degree = catalog.create_definition(
        None, institution, name="Data Microdegree", slug="data", kind="microdegree",
        description="Two courses.", criteria_narrative="Both.", credits_available=10)
    catalog.set_rule(None, degree, {"all_of": [{"achievement": "stats"},
                                               {"achievement": "viz"}]})
    issuing.issue_credential(None, courses[0], recipient_email="lea@learner.example",
                             send_email=False)
    platform.results = [{"userId": "learner-1", "resultScore": 9, "resultMaximum": 10}]
    answer = _flow.launch(client, platform, custom={"microcredential": "viz"})
    assert answer.status_code == 200
    held = IssuedCredential.objects.filter(recipient_email="lea@learner.example")
    assert {c.achievement_version.definition.slug for c in held} == {"stats", "viz", "data"}


def test_a_launch_without_a_link_says_so(client, institution, platform, registered):
    from datetime import timedelta

    from django.utils import timezone

    from microdegree.lti.models import LaunchValue

    stale = LaunchValue.objects.create(key="lti1p3-stale", value=True,
                                       expires_at=timezone.now() - timedelta(seconds=1))
    answer = _flow.launch(client, platform)
    assert not LaunchValue.objects.filter(pk=stale.pk).exists()  # a login sweeps expired state
    assert answer.status_code == 200
    assert "not linked to a microcredential" in answer.content.decode()


def test_jwks_matches_the_served_openapi_document(client):
    import jsonschema

    document = client.get("/lti/openapi.json").json()
    operation = document["paths"]["/lti/jwks.json"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    jsonschema.validate(client.get("/lti/jwks.json").json(),
                        {**schema, "components": document["components"]})


def test_a_percentage_the_grading_scheme_has_no_place_for_is_left_out(
        client, institution, platform, registered):
    """Issue 16, point 1: a course graded 1-10 refuses a result of "82%"; a passing grade still
    awards it, without the result (not a refused award)."""
    from microdegree.issuing.models import IssuedCredential

    course = make_course(institution, "graded", grade_scheme="1-10, 5.5 to pass").definition
    first = _flow.launch(client, platform, custom={"microcredential": course.slug,
                                                   "threshold": "0.6"})
    platform.results = [{"userId": "learner-1", "resultScore": 82, "resultMaximum": 100}]
    passed = client.post("/lti/check", {"launch_id": _flow.launch_id(first)})
    assert passed.status_code == 200
    assert "You earned this microcredential" in passed.content.decode()
    credential = IssuedCredential.objects.get()
    assert credential.result_value == ""
    assert "result" not in json.loads(credential.document)["credentialSubject"]

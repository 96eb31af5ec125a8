"""Issue 12 point 13: a learner cannot award themselves credit.

The attack: a learner signs a credential with their own did:key, claiming 1,000 creditsEarned
(or ECTS 500, or "Infinity"), names themselves as its recipient and asks what it is worth
(`POST /api/worth`, real HTTP) and applies for credit with it (`/me/credit/apply`). Before the
fix a criteria agreement accepted any issuer whose signature verifies by default, so the
program recognised it up to its cap; `ECTS: "NaN"` answered 500 and passed every minimum.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from microdegree.recognition import services
from microdegree.recognition.models import CreditApplication, RecognitionAgreement
from microdegree.vc import Ed25519Key, did_key, sign
from microdegree.vc.builders import EU_CONTEXT
from microdegree.vc.builders.identity import hash_identity
from tests.samples import sample_credential

from ..recognition import conftest as recognition

LEARNER = recognition.LEARNER
# the recognition fixtures (an issuing institution and its microdegree, a receiving university
# with its MSc, a learner with a verified address, sign-in through the real pages)
_cheap = recognition._cheap
competencies = recognition.competencies
completed = recognition.completed
learner = recognition.learner
pathway = recognition.pathway
program = recognition.program
sign_in = recognition.sign_in
staff = recognition.staff
university = recognition.university

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def default_agreement(program):
    """A criteria agreement as staff create it without touching "issuers accepted": courses of
    5+ ECTS count at their credits."""
    return services.create_agreement(
        None, program, name="Courses elsewhere", source_kind="criteria",
        criteria_min_credits=5, value_kind="factor", value_factor=1)


def self_signed(**claims):
    """A credential the learner signs with their own key, naming their own address."""
    key = Ed25519Key.generate()
    issuer = did_key(key)
    credential = sample_credential(issuer, status_list=None)
    credential["issuer"]["name"] = "Massachusetts Institute of Technology"
    credential["@context"].append(EU_CONTEXT)  # defines ECTS
    subject = credential["credentialSubject"]
    del subject["id"]
    subject["identifier"] = [hash_identity(LEARNER, "pepper", "emailAddress")]
    achievement = subject["achievement"]
    for name, value in claims.items():
        if name == "creditsEarned":
            subject[name] = value
        else:
            achievement[name] = value
    if "creditsEarned" not in claims:
        del subject["creditsEarned"]
        achievement.pop("creditsAvailable", None)
    return sign(credential, key, verification_method=f"{issuer}#{key.public_multibase}")


def post_worth(live_server, *credentials):
    body = json.dumps({"credentials": list(credentials)}).encode()
    request = urllib.request.Request(f"{live_server.url}/api/worth", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.parametrize("claims", [{"creditsEarned": 1000}, {"ECTS": 500}])
def test_self_signed_credits_are_not_recognised_by_default(live_server, default_agreement,
                                                           claims):
    assert default_agreement.criteria_registry == RecognitionAgreement.Registry.TRUSTED
    status, raw = post_worth(live_server, self_signed(**claims))
    assert status == 200, raw
    [program] = json.loads(raw)["programs"]
    assert program["proposal"]["recognised"] == 0
    [item] = program["proposal"]["credentials"]
    assert not item["counted"]
    assert item["code"] == "UNKNOWN_ISSUER"
    assert item["credential"]["registry"] is None


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", -5, "-5"])
def test_non_finite_or_negative_credits_are_a_4xx_with_a_sentence(live_server, default_agreement,
                                                                   value):
    for claims in ({"ECTS": value}, {"creditsEarned": value}):
        status, raw = post_worth(live_server, self_signed(**claims))
        assert 400 <= status < 500, raw
        assert b"NaN" not in raw.replace(b'\\"NaN\\"', b"").replace(b"'NaN'", b"")
        body = json.loads(raw)
        assert body["code"] == "CREDITS_INVALID"
        assert "finite number of zero or more" in body["message"]


def test_a_credit_application_does_not_count_it(client, sign_in, program, default_agreement):
    sign_in()
    response = client.post("/me/credit/apply", {
        "program": program.pk, "pasted": json.dumps(self_signed(creditsEarned=1000))})
    assert response.status_code == 302, response.content.decode()[-2000:]
    application = CreditApplication.objects.get()
    assert application.proposal["recognised"] == 0
    page = client.get(response["Location"]).content.decode()
    assert "UNKNOWN_ISSUER" in page
    # NaN in an application: refused with a sentence on the form, nothing stored
    response = client.post("/me/credit/apply", {
        "program": program.pk, "pasted": json.dumps(self_signed(ECTS="NaN"))})
    assert response.status_code in (200, 400)
    assert "finite number of zero or more" in response.content.decode()
    assert CreditApplication.objects.count() == 1


def test_staff_see_the_issuer_name_is_self_declared(client, sign_in, program, default_agreement,
                                                   staff, university, completed):
    learner_client = client
    sign_in()
    whole, _ = completed
    response = learner_client.post("/me/credit/apply", {
        "program": program.pk, "record": [f"p-{whole.uuid}"],
        "pasted": json.dumps(self_signed(creditsEarned=1000))})
    assert response.status_code == 302
    application = CreditApplication.objects.get()
    services.submit_application(application.learner, application)
    client.logout()
    client.force_login(staff)
    page = client.get(f"/institutions/{university.slug}/applications/{application.uuid}")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-issuer="self-declared"' in html
    assert "Massachusetts Institute of Technology" in html
    assert "self-declared, not verified by any registry" in html
    assert 'data-issuer="verified"' in html
    assert "verified by Microdegree platform" in html


def test_staff_are_warned_when_any_issuer_is_accepted(client, staff, university, program):
    client.force_login(staff)
    url = f"/institutions/{university.slug}/programs/{program.slug}/agreements/new"
    form = client.get(url).content.decode()
    assert 'value="trusted" selected' in form or 'value="trusted" checked' in form
    response = client.post(url, {
        "name": "Anything signed", "source_kind": "criteria", "criteria_registry": "any",
        "value_kind": "fixed", "value_credits": "5", "public": "on"}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-warning="any-issuer"' in html
    assert "anyone can sign a credential with a key of their own" in html

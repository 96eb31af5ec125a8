"""Credits earned and results within what the achievement offers (issue 16, point 1): the award
form shows the refusal on its field, the issuing API answers 400 with the code and sentence,
nothing is signed; a microdegree's summed credits are at most what it offers."""

from __future__ import annotations

import json
import re

import pytest

from microdegree.catalog.models import AchievementVersion
from microdegree.issuing import services
from microdegree.issuing.models import IssuedCredential

from .conftest import make_course

pytestmark = pytest.mark.django_db

EMAIL = "learner@example.org"


def _award_url(institution, version):
    return f"/institutions/{institution.slug}/credentials/award/{version.definition.slug}/"


def _field_errors(html: str, name: str) -> str:
    """The field's own error list (the input names it in aria-describedby), "" when none."""
    found = re.search(rf'<ul class="errorlist" id="id_{name}_error">(.*?)</ul>', html)
    if found:  # the input points at its error list, so a screen reader reads it with the field
        described = re.search(rf'<input [^>]*aria-describedby="([^"]*)"[^>]*id="id_{name}"',
                              html)
        assert described
        assert f"id_{name}_error" in described.group(1).split()
    return found.group(1) if found else ""


def test_award_form_refuses_credits_above_the_achievement_on_the_field(
        client, institution, course, issuer):
    client.force_login(issuer)
    url = _award_url(institution, course)
    form = client.get(url).content.decode()
    assert "At most 5 (what “Course data-literacy” offers)." in form
    response = client.post(url, {"recipient_email": EMAIL, "credits_earned": "50"})
    assert response.status_code == 400
    html = response.content.decode()
    errors = _field_errors(html, "credits_earned")
    assert ("Credits earned: 50 is more than the 5 credits “Course data-literacy” offers; "
            "give at most 5.") in errors
    assert IssuedCredential.objects.count() == 0
    # exactly what it offers is fine
    assert client.post(url, {"recipient_email": EMAIL, "credits_earned": "5"}).status_code == 302


def test_award_form_refuses_a_result_outside_the_grading_scheme(
        client, institution, issuer):
    graded = make_course(institution, "graded", grade_scheme="1-10, 5.5 to pass")
    passfail = make_course(institution, "pass-fail", grade_scheme="Pass/Fail")
    client.force_login(issuer)
    for version, result, sentence in (
        (graded, "11", "Result: 11 is outside the results “Course graded” gives (a number "
                       "from 1 to 10)."),
        (graded, "excellent", "Result: “excellent” is not a number; “Course graded” gives a "
                              "number from 1 to 10."),
        (passfail, "Distinction", "Result: “Distinction” is not a result “Course pass-fail” "
                                  "allows; use one of: Pass, Fail."),
    ):
        response = client.post(_award_url(institution, version),
                               {"recipient_email": EMAIL, "result": result})
        assert response.status_code == 400, result
        assert sentence in _field_errors(response.content.decode(), "result")
    assert IssuedCredential.objects.count() == 0
    for version, result in ((graded, "7.5"), (passfail, "pass")):
        response = client.post(_award_url(institution, version),
                               {"recipient_email": EMAIL, "result": result})
        assert response.status_code == 302, response.content
    # the Achievement carries the scheme's range, so any verifier can check it
    doc = json.loads(IssuedCredential.objects.get(
        achievement_version=graded).document)
    description = doc["credentialSubject"]["achievement"]["resultDescription"][0]
    assert (description["valueMin"], description["valueMax"],
            description["requiredValue"]) == ("1", "10", "5.5")


@pytest.mark.parametrize(("body", "code", "sentence"), [
    ({"credits_earned": 50}, "CREDITS_EXCEED_ACHIEVEMENT",
     "Credits earned: 50 is more than the 5 credits “Course data-literacy” offers"),
    ({"credits_earned": "5.5"}, "CREDITS_EXCEED_ACHIEVEMENT", "Credits earned: 5.5 is more"),
    ({"result": "0"}, "RESULT_OUT_OF_RANGE",
     "Result: 0 is outside the results “Course data-literacy” gives (a number from 1 to 10)."),
])
def test_api_refuses_with_the_code_and_sentence(client, institution, course, issuer, body, code,
                                                sentence):
    AchievementVersion.objects.filter(pk=course.pk).update(grade_scheme="1-10")
    client.force_login(issuer)
    response = client.post(
        f"/api/v1/institutions/{institution.slug}/credentials",
        json.dumps({"achievement": course.definition.slug, "recipient_email": EMAIL, **body}),
        content_type="application/json")
    assert response.status_code == 400, response.content
    error = response.json()
    assert error["code"] == code
    assert sentence in error["message"]
    assert IssuedCredential.objects.count() == 0


def test_issue_many_refuses_the_whole_batch_naming_the_achievement(course):
    rows = [{"recipient_email": "a@example.org", "credits_earned": 5},
            {"recipient_email": "b@example.org", "credits_earned": 6}]
    with pytest.raises(services.OutsideAchievement) as refused:
        services.issue_many(None, course, rows, send_email=False)
    assert (refused.value.code, refused.value.field) == ("CREDITS_EXCEED_ACHIEVEMENT",
                                                         "credits_earned")
    assert IssuedCredential.objects.count() == 0


def test_a_microdegree_earns_at_most_what_it_offers(institution, pathway):
    degree, parts = pathway
    AchievementVersion.objects.filter(pk=degree.pk).update(credits_available=12)
    for part in parts:
        services.issue_credential(None, part, recipient_email=EMAIL, credits_earned=5,
                                  send_email=False)
    awarded = IssuedCredential.objects.get(achievement_version__definition=degree.definition)
    assert awarded.credits_earned == 12  # not the parts' 15
    assert json.loads(awarded.document)["credentialSubject"]["creditsEarned"] == 12

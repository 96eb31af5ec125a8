"""The pages over HTTP (Django test client): staff programs, agreements, queue and decisions;
the learner's application; the public program page; tenant isolation; CSRF."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from microdegree.audit.models import AuditEntry
from microdegree.recognition.models import CreditApplication, Program, RecognitionAgreement

from .conftest import LEARNER

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_staff_create_program_module_and_agreement(client, staff, university, pathway,
                                                   institution):
    _login(client, staff)
    base = f"/institutions/{university.slug}/programs/"
    assert client.get(base).status_code == 200
    response = client.post(base, {
        "name": "MSc Robotics", "credit_unit": "us-credit-hour", "ects_per_us_credit_hour": 2,
        "total_credits": 36, "duration_terms": 4, "duration_months": 24, "residency_terms": 4,
        "residency_months": 24, "max_recognised_fraction": 0.25, "public": "on"})
    assert response.status_code == 302, response.content.decode()
    program = Program.objects.get(slug="msc-robotics")
    assert response["Location"] == f"{base}msc-robotics/"
    assert client.post(f"{base}msc-robotics/modules/",
                       {"code": "R1", "name": "Kinematics", "credits": 3}).status_code == 302
    degree, _ = pathway
    response = client.post(f"{base}msc-robotics/agreements/new", {
        "name": "Microdegree", "source_kind": "named",
        "named_text": f"{institution.did} {degree.achievement_id} Data Science Microdegree",
        "criteria_registry": "any", "value_kind": "fixed", "value_credits": 9,
        "modules": [program.modules.get().pk], "public": "on"})
    assert response.status_code == 302, response.content.decode()
    agreement = RecognitionAgreement.objects.get(program=program)
    assert agreement.named_achievements[0]["achievement"] == degree.achievement_id
    assert [m.code for m in agreement.exempted_modules.all()] == ["R1"]
    page = client.get(f"{base}msc-robotics/").content.decode()
    assert "Microdegree" in page
    assert "Kinematics" in page
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"recognition.program_created", "recognition.module_added",
            "recognition.agreement_created"} <= actions
    # the public page shows the agreement and the conversion
    public = client.get("/programs/tech-uni/msc-robotics").content.decode()
    assert "1 US credit hour = 2 ECTS" in public
    assert "Worth 9 credits" in public


def test_bad_input_is_a_form_error_not_a_500(client, staff, university, program):
    _login(client, staff)
    base = f"/institutions/{university.slug}/programs/"
    response = client.post(base, {"name": "X", "credit_unit": "ects", "total_credits": 60,
                                  "duration_terms": 2, "duration_months": 12,
                                  "residency_terms": 3, "residency_months": 12,
                                  "max_recognised_fraction": 0.5})
    assert response.status_code == 400
    assert "residency cannot be longer" in response.content.decode()
    response = client.post(f"{base}{program.slug}/agreements/new", {
        "name": "Nothing named", "source_kind": "named", "criteria_registry": "any",
        "value_kind": "fixed", "value_credits": 5})
    assert response.status_code == 400
    assert "Name at least one achievement" in response.content.decode()
    response = client.post(f"{base}{program.slug}/agreements/new", {
        "name": "No value", "source_kind": "criteria", "criteria_registry": "any",
        "value_kind": "factor"})
    assert response.status_code == 400
    assert "factor" in response.content.decode()


def test_learner_applies_and_staff_decide_over_http(client, learner, program, md_agreement,
                                                    completed, staff, university):
    whole, _parts = completed
    _login(client, learner)
    form = client.get("/me/credit/apply").content.decode()
    assert f"p-{whole.uuid}" in form
    assert "MSc Data Science" in form
    response = client.post("/me/credit/apply", {"program": program.pk,
                                                "record": [f"p-{whole.uuid}"]})
    assert response.status_code == 302, response.content.decode()
    application = CreditApplication.objects.get(learner=learner)
    page = client.get(response["Location"]).content.decode()
    assert "Recognised under" in page
    assert "30" in page
    assert "1 term, 6 months" in page
    # staff do not see drafts
    staff_client = _login(Client(), staff)
    url = f"/institutions/{university.slug}/applications/{application.uuid}"
    assert staff_client.get(url).status_code == 404
    assert client.post(f"/me/credit/{application.uuid}/submit").status_code == 302
    queue = staff_client.get(f"/institutions/{university.slug}/applications/").content.decode()
    assert str(application.uuid) in queue
    response = staff_client.post(url, {"outcome": "adjusted", "credits": 25})
    assert response.status_code == 400
    assert "Say why" in response.content.decode()
    response = staff_client.post(url, {"outcome": "adjusted", "credits": 25,
                                       "modules": [program.modules.get(code="DS1").pk],
                                       "reason": "DS2 and DS3 overlap only in part."})
    assert response.status_code == 302
    mine = client.get(f"/me/credit/{application.uuid}").content.decode()
    assert "Accepted with adjustments" in mine
    assert "DS2 and DS3 overlap only in part." in mine
    application.refresh_from_db()
    cred = application.decision.credential
    assert json.loads(cred.document)["credentialSubject"]["creditsEarned"] == 25
    record = client.get("/me/").content.decode()
    assert "Credit recognised toward MSc Data Science" in record


def test_refusal_needs_a_reason_and_issues_nothing(learner, program, md_agreement, completed,
                                                    staff):
    from microdegree.institutions.errors import Invalid
    from microdegree.recognition import services

    whole, _ = completed
    application = services.start_application(learner, program, record_keys=[f"p-{whole.uuid}"])
    application = services.submit_application(learner, application)
    with pytest.raises(Invalid):
        services.decide(staff, application, outcome="refused")
    decision = services.decide(staff, application, outcome="refused",
                               reason="The microdegree is older than our agreement.")
    assert decision.credential is None
    assert decision.credits == 0


def test_staff_of_another_institution_cannot_see_or_decide(client, learner, program,
                                                           md_agreement, completed, institution,
                                                           make_user):
    from microdegree.institutions import services as inst_services
    from microdegree.institutions.errors import NotFound
    from microdegree.recognition import services

    whole, _ = completed
    application = services.start_application(learner, program, record_keys=[f"p-{whole.uuid}"])
    services.submit_application(learner, application)
    outsider = make_user("issuer@uni.example")
    inst_services.set_member(None, institution, outsider, "owner")
    _login(client, outsider)
    url = f"/institutions/tech-uni/applications/{application.uuid}"
    assert client.get(url).status_code == 404
    assert client.post(url, {"outcome": "accepted"}).status_code == 404
    # their own queue does not list it either, even under their own institution's address
    own = client.get(f"/institutions/{institution.slug}/applications/{application.uuid}")
    assert own.status_code == 404
    assert client.get("/institutions/tech-uni/programs/").status_code == 404
    with pytest.raises(NotFound):
        services.decide(outsider, application, outcome="accepted")
    application.refresh_from_db()
    assert application.status == "submitted"


def test_viewer_cannot_decide(client, learner, program, md_agreement, completed, university,
                              make_user):
    from microdegree.institutions import services as inst_services
    from microdegree.recognition import services

    whole, _ = completed
    application = services.start_application(learner, program, record_keys=[f"p-{whole.uuid}"])
    services.submit_application(learner, application)
    viewer = make_user("viewer@tech.example")
    inst_services.set_member(None, university, viewer, "viewer")
    _login(client, viewer)
    url = f"/institutions/tech-uni/applications/{application.uuid}"
    assert client.get(url).status_code == 200
    assert client.post(url, {"outcome": "accepted"}).status_code == 403


def test_learners_see_only_their_own_applications(client, learner, program, md_agreement,
                                                  completed, make_user):
    from microdegree.recognition import services

    whole, _ = completed
    application = services.start_application(learner, program, record_keys=[f"p-{whole.uuid}"])
    _login(client, make_user("someone@else.example"))
    assert client.get(f"/me/credit/{application.uuid}").status_code == 404
    assert client.post(f"/me/credit/{application.uuid}/submit").status_code == 404
    # nor apply with someone else's credential
    response = client.post("/me/credit/apply", {"program": program.pk,
                                                "record": [f"p-{whole.uuid}"]})
    assert response.status_code == 400


def test_forms_need_csrf(learner, program):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert client.post("/me/credit/apply", {"program": program.pk}).status_code == 403


def test_pages_need_sign_in(client, university, program):
    assert client.get("/me/credit/apply")["Location"].startswith("/me/login")
    assert client.get(f"/institutions/{university.slug}/programs/").status_code == 302
    assert LEARNER  # the learner's address is what the demo uses too


def test_queue_lists_undecided_applications_first(learner, program, md_agreement, completed,
                                                  staff, university):
    from microdegree.recognition import services

    whole, parts = completed
    first = services.start_application(learner, program, record_keys=[f"p-{whole.uuid}"])
    first = services.submit_application(learner, first)
    services.decide(staff, first, outcome="accepted")
    second = services.start_application(learner, program, record_keys=[f"p-{parts[0].uuid}"])
    second = services.submit_application(learner, second)
    draft = services.start_application(learner, program, record_keys=[f"p-{parts[1].uuid}"])
    assert [a.uuid for a in services.queue(university)] == [second.uuid, first.uuid]
    assert draft.uuid not in [a.uuid for a in services.queue(university)]

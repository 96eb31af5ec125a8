"""Applications through the services: proposal, submission, decisions, and the signed decision
credential verifying like any other (core verify and the /verify page)."""

from __future__ import annotations

import json

import pytest

from microdegree.recognition import services
from microdegree.recognition.models import CreditApplication
from microdegree.records import record as record_mod
from microdegree.verification.services import verify_for_people

pytestmark = pytest.mark.django_db


def _apply(learner, program, creds):
    keys = [f"p-{c.uuid}" for c in creds]
    return services.start_application(learner, program, record_keys=keys)


def test_accepted_decision_is_a_signed_credential_in_the_record(
        learner, program, md_agreement, completed, staff, client):
    whole, parts = completed
    application = _apply(learner, program, [whole, *parts])
    proposal = application.proposal
    assert proposal["recognised"] == 30
    assert [c["code"] for c in proposal["credentials"]] == [
        "MATCHED", "NO_AGREEMENT", "NO_AGREEMENT", "NO_AGREEMENT"]
    assert proposal["residency"]["terms_saved"] == 1
    assert proposal["residency"]["months_saved"] == 6
    application = services.submit_application(learner, application)
    decision = services.decide(staff, application, outcome="accepted")
    application.refresh_from_db()
    assert application.status == CreditApplication.Status.DECIDED
    assert decision.credits == 30
    assert sorted(m.code for m in decision.exempted_modules.all()) == ["DS1", "DS2", "DS3"]
    cred = decision.credential
    assert cred is not None
    assert cred.institution == program.institution
    document = json.loads(cred.document)
    assert document["credentialSubject"]["creditsEarned"] == 30
    assert [e["id"] for e in document["evidence"]] == [whole.credential_id]
    assert "DS1 Statistics" in document["credentialSubject"]["narrative"]
    assert "MSc Data Science" in document["credentialSubject"]["achievement"]["name"]
    report = verify_for_people(cred.document)
    assert report.verified, report.to_json()
    assert "RECIPIENT_MISMATCH" not in report.codes()
    # it lands in the learner's record
    assert cred in record_mod.platform_credentials(learner)
    # and /verify shows it verified
    response = client.post("/verify", {"credential": cred.document})
    assert response.status_code == 200
    page = response.content.decode()
    verdict = page[page.index('id="verdict"'):]
    assert "<strong>Verified</strong>" in verdict[:300]
    # a revoked decision credential no longer verifies
    from microdegree.issuing import services as issuing

    issuing.revoke(None, cred, "Decision withdrawn.")
    assert not verify_for_people(cred.document).verified


def test_a_credential_revoked_after_submission_blocks_accepting(
        learner, program, md_agreement, completed, staff, client):
    from microdegree.institutions.errors import Conflict
    from microdegree.issuing import services as issuing

    whole, _ = completed
    application = _apply(learner, program, [whole])
    application = services.submit_application(learner, application)
    issuing.revoke(None, whole, "Awarded in error.")
    client.force_login(staff)
    url = f"/institutions/tech-uni/applications/{application.uuid}"
    page = client.get(url).content.decode()
    assert "the proposal no longer holds" in page
    assert "The issuer has revoked it." in page
    with pytest.raises(Conflict) as caught:
        services.decide(staff, application, outcome="accepted")
    assert caught.value.code == "PROPOSAL_CHANGED"
    response = client.post(url, {"outcome": "accepted"})
    assert response.status_code == 400
    decision = services.decide(staff, application, outcome="refused",
                               reason="The microdegree was revoked.")
    assert decision.outcome == "refused"
    assert decision.credential is None


def test_decision_in_us_credit_hours_states_ects_earned(learner, university, completed, staff,
                                                        pathway, institution):
    degree, _ = pathway
    whole, _ = completed
    program = services.create_program(
        None, university, name="MS Analytics", credit_unit="us-credit-hour",
        ects_per_us_credit_hour=2, total_credits=36, duration_terms=4, duration_months=24,
        residency_terms=4, residency_months=24, max_recognised_fraction=0.5)
    services.create_agreement(
        None, program, name="Microdegree", source_kind="named",
        named_achievements=[{"issuer": institution.did, "achievement": degree.achievement_id}],
        value_kind="fixed", value_credits=9)
    application = services.submit_application(learner, _apply(learner, program, [whole]))
    assert application.proposal["recognised"] == 9
    assert application.proposal["residency"]["terms_saved"] == 1  # 9 hours per term
    decision = services.decide(staff, application, outcome="accepted")
    subject = json.loads(decision.credential.document)["credentialSubject"]
    assert subject["creditsEarned"] == 18
    assert subject["narrative"].startswith("9 US semester credit hours (= 18 ECTS) recognised")

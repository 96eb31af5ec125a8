"""Every reason the proposal gives, with real signed credentials verified by the platform's
verifier: revoked, suspended, expired, proof invalid, unknown issuer, not the applicant, level,
credits, competency, grade, age, type, agreement dates, duplicates, a microdegree and its parts;
then the cap, unit conversion and residency."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from microdegree.issuing import services as issuing
from microdegree.recognition import checking, services

from .conftest import ESCO_DATA, ESCO_ETHICS, LEARNER, award, make_course, modules

pytestmark = pytest.mark.django_db


def proposal(program, learner, *docs, on=None, now=None):
    texts = [d if isinstance(d, str | dict) else d.document for d in docs]
    facts = checking.check_all(texts, applicant=learner, now=now)
    return services.evaluate(program, facts, on=on).to_json()


def codes(result):
    return [c["code"] for c in result["credentials"]]


def criteria(program, **fields):
    fields.setdefault("name", "Criteria")
    fields.setdefault("source_kind", "criteria")
    fields.setdefault("value_kind", "factor")
    fields.setdefault("value_factor", 1)
    return services.create_agreement(None, program, **fields)


@pytest.fixture
def stats(pathway):
    return pathway[1][0]


def test_matched_by_criteria_gives_credits_earned_times_factor(program, learner, stats):
    criteria(program, criteria_registry="platform", criteria_min_eqf_level=6,
             value_factor=1.5)
    result = proposal(program, learner, award(stats))
    assert codes(result) == ["MATCHED"]
    assert result["credentials"][0]["credits"] == 15
    assert result["recognised"] == 15


def test_revoked(program, learner, stats, courses_agreement):
    cred = award(stats)
    issuing.revoke(None, cred, "Exam fraud.")
    result = proposal(program, learner, cred)
    assert codes(result) == ["REVOKED"]
    assert result["recognised"] == 0


def test_suspended(program, learner, stats, courses_agreement):
    cred = award(stats)
    issuing.suspend(None, cred, "Under review.")
    assert codes(proposal(program, learner, cred)) == ["SUSPENDED"]


def test_suspended_from_the_status_list(program, learner, stats, courses_agreement, settings):
    settings.MICRODEGREE_ISSUING_EMBED_SUSPENSION = True
    cred = award(stats)
    issuing.suspend(None, cred, "Under review.")
    facts = checking.check_all([cred.document], applicant=learner)
    assert facts[0].verdict == "suspended"


def test_expired(program, learner, institution, courses_agreement):
    short = make_course(institution, "short", eqf_level=6, validity_months=12)
    cred = award(short)
    later = timezone.now() + timedelta(days=800)
    result = proposal(program, learner, cred, now=later, on=later.date())
    assert codes(result) == ["EXPIRED"]


def test_proof_invalid(program, learner, stats, courses_agreement):
    document = json.loads(award(stats).document)
    document["credentialSubject"]["creditsEarned"] = 60  # tampered
    result = proposal(program, learner, json.dumps(document))
    assert codes(result) == ["PROOF_INVALID"]
    assert result["recognised"] == 0


def test_unreadable(program, learner, courses_agreement):
    assert codes(proposal(program, learner, "this is not a credential")) == ["UNREADABLE"]


def test_not_the_applicant(program, learner, stats, courses_agreement):
    cred = award(stats, email="someone-else@learner.example")
    result = proposal(program, learner, cred)
    assert codes(result) == ["NOT_APPLICANT"]
    assert "not issued to you" in result["credentials"][0]["message"]


def test_level_too_low(program, learner, stats):
    criteria(program, criteria_min_eqf_level=7)
    result = proposal(program, learner, award(stats))
    assert codes(result) == ["LEVEL_TOO_LOW"]
    assert "EQF 6" in result["credentials"][0]["message"]


def test_credits_too_low(program, learner, stats):
    criteria(program, criteria_min_credits=15)
    assert codes(proposal(program, learner, award(stats))) == ["CREDITS_TOO_LOW"]


def test_missing_competency(program, learner, stats):
    criteria(program, criteria_competencies=[ESCO_ETHICS])
    result = proposal(program, learner, award(stats))
    assert codes(result) == ["MISSING_COMPETENCY"]
    assert ESCO_ETHICS in result["credentials"][0]["message"]
    criteria(program, name="Data", criteria_competencies=[ESCO_DATA])
    assert codes(proposal(program, learner, award(stats))) == ["MATCHED"]


def test_below_minimum_grade(program, learner, stats):
    criteria(program, criteria_min_result=7)
    assert codes(proposal(program, learner, award(stats, result="6.5"))) == ["BELOW_MIN_GRADE"]
    assert codes(proposal(program, learner, award(stats, result="8"))) == ["MATCHED"]


def test_too_old(program, learner, stats):
    criteria(program, criteria_max_age_years=1)
    cred = award(stats)
    later = (timezone.now() + timedelta(days=800)).date()
    result = proposal(program, learner, cred, on=later)
    assert codes(result) == ["TOO_OLD"]
    assert codes(proposal(program, learner, cred)) == ["MATCHED"]


def test_agreement_not_valid_at_that_date(program, learner, stats):
    today = timezone.localdate()
    criteria(program, valid_until=today - timedelta(days=1))
    result = proposal(program, learner, award(stats))
    assert codes(result) == ["AGREEMENT_NOT_VALID"]
    assert "ended" in result["credentials"][0]["message"]


def test_type_mismatch(program, learner, stats):
    criteria(program, criteria_achievement_type="Degree")
    assert codes(proposal(program, learner, award(stats))) == ["TYPE_MISMATCH"]


def test_no_agreement(program, learner, stats):
    result = proposal(program, learner, award(stats))
    assert codes(result) == ["NO_AGREEMENT"]


def test_closest_agreement_explains_and_every_attempt_is_listed(program, learner, stats):
    criteria(program, name="Masters level", criteria_min_eqf_level=7, criteria_min_credits=20)
    criteria(program, name="Bigger courses", criteria_min_credits=20)
    result = proposal(program, learner, award(stats))
    item = result["credentials"][0]
    assert item["code"] == "CREDITS_TOO_LOW"
    assert item["agreement"]["name"] == "Bigger courses"
    assert {u["agreement"] for u in item["unmet"]} == {"Masters level", "Bigger courses"}


def test_same_credential_twice_counts_once(program, learner, stats, courses_agreement):
    cred = award(stats)
    result = proposal(program, learner, cred, cred)
    assert codes(result) == ["MATCHED", "DUPLICATE"]
    assert result["recognised"] == 10
    assert "number 1" in result["credentials"][1]["message"]


def test_microdegree_and_its_parts_never_count_twice(program, learner, completed,
                                                     md_agreement, courses_agreement):
    whole, parts = completed
    result = proposal(program, learner, whole, *parts)
    # a tie (30 against 10 + 10 + 10): the microdegree counts, with its modules
    assert codes(result) == ["MATCHED", "ALREADY_COUNTED", "ALREADY_COUNTED", "ALREADY_COUNTED"]
    assert result["recognised"] == 30
    assert "part of the microdegree" in result["credentials"][1]["message"]
    assert [m["code"] for m in result["exempted_modules"]] == ["DS1", "DS2", "DS3"]


def test_parts_count_when_they_are_worth_more(program, learner, completed, md_agreement):
    criteria(program, name="Platform courses x2", criteria_registry="platform",
             criteria_achievement_type="MicroCredential", value_factor=2)
    whole, parts = completed
    result = proposal(program, learner, whole, *parts)
    assert codes(result) == ["ALREADY_COUNTED", "MATCHED", "MATCHED", "MATCHED"]
    assert result["credits_before_cap"] == 60
    assert "parts are recognised separately" in result["credentials"][0]["message"]


def test_cap(program, learner, completed):
    criteria(program, value_factor=3)
    _, parts = completed
    result = proposal(program, learner, *parts)
    assert result["credits_before_cap"] == 90
    assert result["cap"] == 60
    assert result["capped"] is True
    assert result["recognised"] == 60
    assert result["still_needed"] == 60


def test_residency_saved(program, learner, completed, md_agreement):
    whole, _ = completed
    result = proposal(program, learner, whole)
    assert result["program"]["credits_per_term"] == 30
    assert result["residency"] == {"terms_equivalent": 1.0, "terms_saved": 1, "months_saved": 6,
                                   "terms_remaining": 3, "months_remaining": 18}
    assert result["still_needed"] == 90


def test_residency_counts_whole_terms_only(program, learner, completed):
    criteria(program, value_factor=1.5)  # 15 per course, 45 in all: 1.5 terms
    _, parts = completed
    result = proposal(program, learner, *parts)
    assert result["recognised"] == 45
    assert result["residency"]["terms_equivalent"] == 1.5
    assert result["residency"]["terms_saved"] == 1


def test_unit_conversion_us_credit_hours(university, learner, stats):
    program = services.create_program(
        None, university, name="MS Analytics", credit_unit="us-credit-hour",
        ects_per_us_credit_hour=2, total_credits=36, duration_terms=3, duration_months=18,
        residency_terms=3, residency_months=18, max_recognised_fraction=0.5)
    criteria(program, name="At least 4 hours", criteria_min_credits=4, value_factor=1)
    result = proposal(program, learner, award(stats))  # 10 ECTS = 5 US credit hours
    assert codes(result) == ["MATCHED"]
    assert result["recognised"] == 5
    assert result["recognised_other_unit"] == {"value": 10, "unit": "ects"}
    program = services.update_program(None, program, ects_per_us_credit_hour=3)  # 3.33 h
    result = proposal(program, learner, award(stats))
    assert codes(result) == ["CREDITS_TOO_LOW"]
    assert "3.33" in result["credentials"][0]["message"]


def test_ects_program_shows_us_credit_hours(program, learner, stats, courses_agreement):
    result = proposal(program, learner, award(stats))
    assert result["recognised_other_unit"] == {"value": 5, "unit": "us-credit-hour"}


def test_exempted_modules_are_those_of_counted_agreements(program, learner, stats):
    criteria(program, name="Stats", exempted_modules=modules(program, "DS1"))
    result = proposal(program, learner, award(stats))
    assert [m["code"] for m in result["exempted_modules"]] == ["DS1"]
    assert LEARNER  # credentials above were issued to the learner's verified address

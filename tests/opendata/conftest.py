"""Open-catalogue fixtures: two approved institutions (one offering microcredentials and a
microdegree, one a university with a program and agreements) and a pending one whose items
must never appear anywhere."""

from __future__ import annotations

from typing import Any

import pytest

ESCO_DATA = "http://data.europa.eu/esco/skill/3f0a5b6c-6a12-4f61-9a0c-1c2d3e4f5a6b"


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PUBLIC_URL = "http://testserver"


def _course(inst: Any, name: str, slug: str, **fields: Any) -> Any:
    from microdegree.catalog import services

    defaults = {"description": f"{name}: a short course.",
                "criteria_narrative": "Pass the final assessment.",
                "learning_outcomes": [f"Apply {name.lower()} to real data."],
                "assessment_type": "testing", "quality_assurance": "Internal QA board",
                "supervision": "supervised online", "identity_checked": True}
    return services.create_definition(None, inst, name=name, slug=slug, **{**defaults, **fields})


@pytest.fixture
def catalogue(institution, make_user, admin_user) -> dict[str, Any]:
    """Example University (NL): three courses and a microdegree over them; Technical University
    (DE): a master's program, a named agreement for the microdegree, a criteria agreement and a
    non-public one; Pending Academy: a course, a program and an agreement (never shown)."""
    from microdegree.catalog import services as catalog
    from microdegree.institutions import services as inst_services
    from microdegree.recognition import services as recognition

    esco = catalog.create_competency(None, institution, name="Data analysis",
                                     framework="esco", target_url=ESCO_DATA)
    literacy = _course(institution, "Data Literacy", "data-literacy", eqf_level=6, ects=5,
                       credits_available=5, workload_hours=125, participation_form="online",
                       language="en", cost_amount=0, duration_weeks=6,
                       field_of_study="Data science", competencies=[esco.pk],
                       tags=["data", "literacy"])
    stats = _course(institution, "Statistik", "statistics", eqf_level=6, ects=10,
                    credits_available=10, participation_form="onsite", language="de",
                    cost_amount=250, cost_currency="EUR", duration_weeks=12,
                    field_of_study="Mathematics")
    python = _course(institution, "Python Basics", "python", eqf_level=5, ects=3,
                     credits_available=3, participation_form="blended", language="en-GB",
                     cost_amount=99.5, cost_currency="USD", duration_weeks=4,
                     field_of_study="Computer science")
    degree = catalog.create_definition(
        None, institution, name="Data Science Microdegree", slug="data-science",
        kind="microdegree", description="Three courses, one microdegree.",
        criteria_narrative="Earn all three.", learning_outcomes=["Run a data project."],
        ects=18, credits_available=18, eqf_level=6, participation_form="online",
        assessment_type="portfolio", cost_amount=0, duration_weeks=22, language="en",
    )
    degree = catalog.set_rule(None, degree, {"all_of": [
        {"achievement": "data-literacy"}, {"achievement": "statistics"},
        {"achievement": "python"}]})

    owner = make_user("owner@tech.example")
    university = inst_services.register_institution(
        owner, name="Technical University", country_code="DE", owner=owner, slug="tech-uni")
    inst_services.approve_institution(admin_user, university)
    program = recognition.create_program(
        None, university, name="MSc Data Science", total_credits=120, duration_terms=4,
        duration_months=24, residency_terms=4, residency_months=24,
        max_recognised_fraction=0.5, eqf_level=7, field_of_study="Data science",
        description="A two-year master's.")
    module = recognition.add_module(None, program, code="DS1", name="Statistics", credits=10)
    named = recognition.create_agreement(
        None, program, name="Data Science Microdegree for a semester", source_kind="named",
        named_achievements=[{"issuer": institution.did, "achievement": degree.achievement_id,
                             "name": degree.name}],
        value_kind="fixed", value_credits=30, conditions="Earned within five years.",
        exempted_modules=[module])
    criteria = recognition.create_agreement(
        None, program, name="Platform courses at EQF 6", source_kind="criteria",
        criteria_registry="platform", criteria_min_eqf_level=6, value_kind="factor",
        value_factor=1)
    hidden = recognition.create_agreement(
        None, program, name="Internal draft agreement", source_kind="criteria",
        value_kind="fixed", value_credits=5, public=False)

    pending_owner = make_user("owner@pending.example")
    pending = inst_services.register_institution(
        pending_owner, name="Pending Academy", country_code="FR", owner=pending_owner,
        slug="pending-academy")
    secret = _course(pending, "Secret Course", "secret", eqf_level=6, ects=5, cost_amount=0,
                     language="en", participation_form="online", duration_weeks=6)
    pending_program = recognition.create_program(
        None, pending, name="Hidden Program", total_credits=60, duration_terms=2,
        duration_months=12, residency_terms=2, residency_months=12)
    pending_agreement = recognition.create_agreement(
        None, pending_program, name="Hidden agreement", source_kind="criteria",
        value_kind="fixed", value_credits=5)
    return {
        "institution": institution, "university": university, "pending": pending,
        "literacy": literacy, "stats": stats, "python": python, "degree": degree,
        "program": program, "named": named, "criteria": criteria, "hidden": hidden,
        "secret": secret, "pending_program": pending_program,
        "pending_agreement": pending_agreement,
    }

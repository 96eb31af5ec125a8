"""Fixtures for credit recognition: an issuing institution with three 10-ECTS courses stacked
into a 30-ECTS microdegree, a receiving university with an MSc (120 ECTS, 4 terms, cap 50%) and
its modules, a learner with a verified address, and helpers to sign in through the real pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from microdegree.verification import services as verification_services

LEARNER = "ben@learner.example"
ESCO_DATA = "http://data.europa.eu/esco/skill/data-analysis"
ESCO_ETHICS = "http://data.europa.eu/esco/skill/research-ethics"


@pytest.fixture(autouse=True)
def _cheap(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    verification_services.reset()
    yield
    verification_services.reset()


def make_course(inst: Any, slug: str, *, credits: float = 10, **fields: Any):
    from microdegree.catalog import services as catalog

    return catalog.create_definition(
        None, inst, name=f"Course {slug}", slug=slug, description=f"The {slug} course.",
        criteria_narrative="Pass the exam.", credits_available=credits, ects=credits, **fields,
    )


@pytest.fixture
def competencies(institution):
    from microdegree.catalog import services as catalog

    return {
        "data": catalog.create_competency(None, institution, name="Data analysis",
                                          framework="esco", target_url=ESCO_DATA),
        "ethics": catalog.create_competency(None, institution, name="Research ethics",
                                            framework="esco", target_url=ESCO_ETHICS),
    }


@pytest.fixture
def pathway(institution, competencies):
    """(microdegree version, (stats, viz, ethics)): 10 ECTS each at EQF 6 (ethics EQF 7), the
    microdegree needs all three (30 ECTS)."""
    from microdegree.catalog import services as catalog

    stats = make_course(institution, "stats", eqf_level=6,
                        competencies=[competencies["data"].pk])
    viz = make_course(institution, "viz", eqf_level=6, competencies=[competencies["data"].pk])
    ethics = make_course(institution, "ethics", eqf_level=7,
                         competencies=[competencies["ethics"].pk])
    degree = catalog.create_definition(
        None, institution, name="Data Science Microdegree", slug="data-science",
        kind="microdegree", description="Three courses.", criteria_narrative="All three.",
        credits_available=30, eqf_level=7,
    )
    degree = catalog.set_rule(None, degree, {"all_of": [
        {"achievement": "stats"}, {"achievement": "viz"}, {"achievement": "ethics"}]})
    return degree, (stats, viz, ethics)


def award(version: Any, email: str = LEARNER, **kwargs: Any):
    from microdegree.issuing import services as issuing

    kwargs.setdefault("credits_earned", version.credits_available)
    return issuing.issue_credential(None, version, recipient_email=email, send_email=False,
                                    **kwargs)


@pytest.fixture
def learner(make_user):
    from microdegree.records.models import LearnerEmail

    user = make_user("ben-account@learner.example")
    LearnerEmail.objects.create(user=user, email=LEARNER, verified_at=timezone.now())
    return user


@pytest.fixture
def university(make_user, admin_user):
    from microdegree.institutions import services as inst_services

    owner = make_user("owner@tech.example")
    inst = inst_services.register_institution(
        owner, name="Technical University", country_code="DE", owner=owner, slug="tech-uni")
    inst_services.approve_institution(admin_user, inst)
    return inst


@pytest.fixture
def staff(university, make_user):
    from microdegree.institutions import services as inst_services

    user = make_user("registrar@tech.example")
    inst_services.set_member(None, university, user, "issuer")
    return user


@pytest.fixture
def program(university):
    from microdegree.recognition import services

    program = services.create_program(
        None, university, name="MSc Data Science", total_credits=120, duration_terms=4,
        duration_months=24, residency_terms=4, residency_months=24,
        max_recognised_fraction=0.5, eqf_level=7, field_of_study="Data science",
    )
    for code, name in (("DS1", "Statistics"), ("DS2", "Visualisation"), ("DS3", "Ethics")):
        services.add_module(None, program, code=code, name=name, credits=10)
    return program


def modules(program: Any, *codes: str) -> list[Any]:
    return list(program.modules.filter(code__in=codes))


@pytest.fixture
def md_agreement(program, pathway, institution):
    """The microdegree (named) for 30 ECTS, exempting DS1-DS3."""
    from microdegree.recognition import services

    degree, _ = pathway
    return services.create_agreement(
        None, program, name="Data Science Microdegree for a semester",
        source_kind="named", named_achievements=[
            {"issuer": institution.did, "achievement": degree.achievement_id,
             "name": degree.name}],
        value_kind="fixed", value_credits=30, conditions="Earned within the last five years.",
        exempted_modules=modules(program, "DS1", "DS2", "DS3"),
    )


@pytest.fixture
def courses_agreement(program):
    """Criteria: platform courses at EQF 6+ with 5+ ECTS count at their credits x 1."""
    from microdegree.recognition import services

    return services.create_agreement(
        None, program, name="Platform courses at EQF 6", source_kind="criteria",
        criteria_registry="platform", criteria_min_eqf_level=6, criteria_min_credits=5,
        value_kind="factor", value_factor=1,
    )


@pytest.fixture
def completed(pathway, learner):
    """The learner holds the three courses and so the microdegree (awarded automatically)."""
    from microdegree.issuing.models import IssuedCredential

    degree, courses = pathway
    parts = [award(c) for c in courses]
    whole = IssuedCredential.objects.get(achievement_version__definition=degree.definition,
                                         recipient_email=LEARNER)
    return whole, parts


def user_by_email(email: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(email=email)


def signed_in_as(user: Any) -> Any:
    """A fresh test client signed in as `user` (staff pages; no e-mailed link needed)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def last_link(pattern: str) -> str:
    body = mail.outbox[-1].body
    found = re.findall(r"https?://[^\s]+(" + re.escape(pattern) + r"[^\s]+)", body)
    assert found, body
    return found[-1]


@pytest.fixture
def sign_in(client, db):
    """Sign `client` in as a learner through /me/login and the e-mailed link."""

    def run(email: str = LEARNER, the_client: Any = None):
        c = the_client or client
        assert c.post("/me/login", {"email": email}).status_code == 200
        link = last_link("/me/login/")
        assert c.post(link).status_code == 302
        from microdegree.records.models import LearnerEmail

        return LearnerEmail.objects.get(email=email, verified_at__isnull=False).user

    return run


@pytest.fixture
def client():
    """The test client, checking every API answer against the served /api/openapi.json (status
    documented, JSON body valid against the operation's schema): tests/_openapi_support.py."""
    from tests._openapi_support import OpenApiClient

    return OpenApiClient()

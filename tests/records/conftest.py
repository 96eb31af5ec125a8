"""Fixtures for the learner's side: a catalogue with competencies, EQF levels and ECTS, a
microdegree of three courses, and helpers to sign in by link through the real pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from microdegree.verification import services as verification_services


@pytest.fixture(autouse=True)
def _cheap(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ROOT_URLCONF = "tests.records.urls"
    verification_services.reset()
    yield
    verification_services.reset()


def make_course(inst: Any, slug: str, *, credits: float = 5, **fields: Any):
    from microdegree.catalog import services as catalog

    return catalog.create_definition(
        None, inst, name=f"Course {slug}", slug=slug, description=f"The {slug} course.",
        criteria_narrative="Pass the exam.", credits_available=credits, **fields,
    )


@pytest.fixture
def competencies(institution):
    from microdegree.catalog import services as catalog

    return {
        "data": catalog.create_competency(None, institution, name="Data analysis"),
        "ethics": catalog.create_competency(None, institution, name="Research ethics"),
    }


@pytest.fixture
def pathway(institution, competencies):
    """Three courses (5 ECTS each, EQF 6, one EQF 7) and a microdegree: all of stats and at
    least one of viz / ethics."""
    from microdegree.catalog import services as catalog

    stats = make_course(institution, "stats", ects=5, eqf_level=6,
                        competencies=[competencies["data"].pk])
    viz = make_course(institution, "viz", ects=5, eqf_level=6,
                      competencies=[competencies["data"].pk])
    ethics = make_course(institution, "ethics", ects=4, eqf_level=7,
                         competencies=[competencies["ethics"].pk])
    degree = catalog.create_definition(
        None, institution, name="Data Science Microdegree", slug="data-science",
        kind="microdegree", description="Stats plus one more.", criteria_narrative="Rule.",
        credits_available=10,
    )
    degree = catalog.set_rule(None, degree, {"all_of": [
        {"achievement": "stats"},
        {"at_least": 1, "of": [{"achievement": "viz"}, {"achievement": "ethics"}]},
    ]})
    return degree, (stats, viz, ethics)


def award(version, email: str, **kwargs: Any):
    from microdegree.issuing import services as issuing

    return issuing.issue_credential(None, version, recipient_email=email, send_email=False,
                                    **kwargs)


def last_link(pattern: str) -> str:
    """The path of the last link in the outbox matching `pattern` (e.g. '/me/login/')."""
    body = mail.outbox[-1].body
    found = re.findall(r"https?://[^\s]+(" + re.escape(pattern) + r"[^\s]+)", body)
    assert found, body
    return found[-1]


@pytest.fixture
def sign_in(client, db):
    """Sign `client` in as `email` through /me/login and the e-mailed link; returns the user."""

    def run(email: str, the_client: Any = None):
        c = the_client or client
        response = c.post("/me/login", {"email": email})
        assert response.status_code == 200, response.content
        link = last_link("/me/login/")
        assert c.get(link).status_code == 200
        response = c.post(link)
        assert response.status_code == 302, response.content
        assert response["Location"] == "/me/"
        from microdegree.records.models import LearnerEmail

        return LearnerEmail.objects.get(email=email.lower(), verified_at__isnull=False).user

    return run

"""Catalogue fixtures: an issuer at the example institution, another institution, definitions."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # test users need no slow password hashing (the default costs ~0.5 s per user)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def issuer(institution, make_user):
    from microdegree.institutions import services

    user = make_user("issuer@uni.example")
    services.set_member(None, institution, user, "issuer")
    return user


@pytest.fixture
def other_institution(make_user, admin_user):
    from microdegree.institutions import services

    owner = make_user("owner@other.example")
    inst = services.register_institution(
        owner, name="Other College", country_code="DE", owner=owner, slug="other-college"
    )
    services.approve_institution(admin_user, inst)
    return inst


@pytest.fixture
def make_definition(institution, issuer):
    from microdegree.catalog import services

    def make(name: str = "Data Literacy", **fields):
        defaults = {
            "description": f"{name}: a short course.",
            "criteria_narrative": "Pass the final assessment.",
            "ects": 5,
            "credits_available": 5,
        }
        return services.create_definition(issuer, institution, name=name,
                                          **{**defaults, **fields})

    return make


@pytest.fixture
def courses(make_definition):
    """Statistics, Python, R, SQL (5 credits each) and the Data Science microdegree."""
    found = {slug: make_definition(name, slug=slug) for slug, name in (
        ("statistics", "Statistics"), ("python", "Python"), ("r", "R"), ("sql", "SQL"))}
    found["data-science"] = make_definition("Data Science", slug="data-science",
                                            kind="microdegree", credits_available=15)
    return found


@pytest.fixture
def awarded(courses, issuer):
    """Real signed credentials: ann holds Statistics, Python and R; bob Statistics and Python;
    cy Python, R and SQL; dee Statistics, Python and SQL but her Statistics is revoked."""
    from microdegree.issuing import services as issuing

    held = {"ann@learner.example": ("statistics", "python", "r"),
            "bob@learner.example": ("statistics", "python"),
            "cy@learner.example": ("python", "r", "sql"),
            "dee@learner.example": ("statistics", "python", "sql")}
    creds = {}
    for email, slugs in held.items():
        for slug in slugs:
            creds[email, slug] = issuing.issue_credential(
                issuer, courses[slug], recipient_email=email, recipient_name=email[:3],
                send_email=False)
    issuing.revoke(issuer, creds["dee@learner.example", "statistics"], "Issued in error.")
    return creds

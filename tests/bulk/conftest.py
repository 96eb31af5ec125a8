"""Bulk fixtures: an issuer, a course to award, another institution; tasks run immediately."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def immediate_tasks(settings):
    """Run enqueued tasks at once, in-process (django-tasks ImmediateBackend)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def issuer(institution, make_user):
    from microdegree.institutions import services

    user = make_user("issuer@uni.example")
    services.set_member(None, institution, user, "issuer")
    return user


@pytest.fixture
def viewer(institution, make_user):
    from microdegree.institutions import services

    user = make_user("viewer@uni.example")
    services.set_member(None, institution, user, "viewer")
    return user


@pytest.fixture
def course(institution):
    """Version 1 of a course microcredential."""
    from microdegree.catalog import services

    return services.create_definition(
        None, institution, name="Data Literacy", slug="data-literacy",
        description="A short course.", criteria_narrative="Pass the exam.",
        credits_available=5,
    )


@pytest.fixture
def other_institution(make_user, admin_user):
    from microdegree.institutions import services

    owner = make_user("owner@other.example")
    inst = services.register_institution(owner, name="Other College", country_code="DE",
                                         owner=owner, slug="other-college")
    services.approve_institution(admin_user, inst)
    return inst


def csv_of(n: int, *, start: int = 1, sep: str = ",") -> bytes:
    lines = [sep.join(["email", "name", "result", "credits_earned", "activity_end"])]
    lines += [sep.join([f"learner{i}@example.org", f"Learner {i}", "A", "5", "2025-12-15"])
              for i in range(start, start + n)]
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.fixture
def client():
    """The test client, checking every API answer against the served /api/openapi.json (status
    documented, JSON body valid against the operation's schema): tests/_openapi_support.py."""
    from tests._openapi_support import OpenApiClient

    return OpenApiClient()

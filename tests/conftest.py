"""Test-wide fixtures. The database is real: SQLite by default, PostgreSQL via DATABASE_URL."""

from __future__ import annotations

import pytest


@pytest.fixture
def make_user(db):
    from django.contrib.auth import get_user_model

    counter = {"n": 0}

    def make(email: str | None = None, **extra):
        counter["n"] += 1
        email = email or f"user{counter['n']}@example.org"
        return get_user_model().objects.create_user(
            username=email, email=email, password="correct horse battery staple", **extra
        )

    return make


@pytest.fixture
def admin_user(make_user):
    return make_user("admin@platform.example", is_staff=True, is_superuser=True)


@pytest.fixture
def institution(make_user, admin_user):
    from microdegree.institutions import services

    owner = make_user("owner@uni.example")
    inst = services.register_institution(
        owner, name="Example University", country_code="NL", owner=owner, slug="example-uni"
    )
    services.approve_institution(admin_user, inst)
    return inst

"""Fixtures for the site pages: fast password hashing and a course of the test institution."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def course(institution):
    from microdegree.catalog import services as catalog

    return catalog.create_definition(
        None, institution, name="Course stats", slug="stats", description="Statistics.",
        criteria_narrative="Pass the exam.", credits_available=5,
    )


@pytest.fixture
def owner(institution):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="owner@uni.example")

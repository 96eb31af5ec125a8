"""Fixtures for verification: an issued platform credential and the browser marker."""

from __future__ import annotations

import pytest

from microdegree.verification import services


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: drives headless Chromium at /usr/bin/chromium (skipped without it)"
    )


@pytest.fixture(autouse=True)
def _fresh_caches(settings):
    """Each test starts with no cached DID documents or status lists, and cheap passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    services.reset()
    yield
    services.reset()


@pytest.fixture
def course(institution):
    from microdegree.catalog import services as catalog

    return catalog.create_definition(
        None, institution, name="Data Literacy", slug="data-literacy",
        description="Read and question quantitative evidence.", criteria_narrative="Pass.",
        credits_available=5, validity_months=24, eqf_level=6,
    )


@pytest.fixture
def issued(course):
    from microdegree.issuing import services as issuing

    return issuing.issue_credential(
        None, course, recipient_email="ada@example.org", recipient_name="Ada Lovelace",
        credits_earned=5, result="8.5", send_email=False,
    )

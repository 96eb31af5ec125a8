"""Fixtures of the LTI tests: a running test platform registered with the institution."""

from __future__ import annotations

import pytest

from tests.lti._platform import Platform


@pytest.fixture(autouse=True)
def _loopback_platform(settings):
    """The test platform listens on 127.0.0.1 over http: let the SSRF-safe fetcher reach it."""
    settings.MICRODEGREE_VERIFY_ALLOW_PRIVATE = True
    settings.MICRODEGREE_VERIFY_ALLOW_HTTP = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def platform(db):
    from microdegree.lti import keys

    started = Platform(tool_jwks=keys.jwks()).start()
    yield started
    started.stop()


def make_course(inst, slug: str, **fields):
    from microdegree.catalog import services as catalog

    return catalog.create_definition(
        None, inst, name=f"Course {slug}", slug=slug, description=f"The {slug} course.",
        criteria_narrative="Pass the final quiz.", credits_available=5, **fields)


@pytest.fixture
def registered(institution, platform):
    """The platform registered with the institution (manually, as an owner would)."""
    from microdegree.lti import services

    owner = institution.members.get(role="owner").user
    return services.register_manually(
        owner, institution, name="Test platform", issuer=platform.issuer,
        client_id=platform.client_id, auth_login_url=f"{platform.issuer}/auth",
        auth_token_url=f"{platform.issuer}/token", key_set_url=f"{platform.issuer}/jwks",
        deployment_ids=[platform.deployment_id])

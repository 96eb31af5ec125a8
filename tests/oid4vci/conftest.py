"""Fixtures for OpenID4VCI: a learner with credentials of the institution, signed in on the
platform, and the offer page they use (the link and transaction code as the page shows them)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.utils import timezone

from microdegree.verification import services as verification_services

# what tests elsewhere (tests/security) take with `from tests.oid4vci.conftest import *`
__all__ = ["_fresh", "award", "course", "learner", "offer_from_page"]


@pytest.fixture(autouse=True)
def _fresh(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    verification_services.reset()
    yield
    verification_services.reset()


@pytest.fixture
def course(institution):
    from microdegree.catalog import services as catalog

    return catalog.create_definition(
        None, institution, name="Course Statistics", slug="stats",
        description="The statistics course.", criteria_narrative="Pass the exam.",
        credits_available=5, ects=5, eqf_level=6,
    )


def award(version: Any, email: str, **kwargs: Any):
    from microdegree.issuing import services as issuing

    return issuing.issue_credential(None, version, recipient_email=email, send_email=False,
                                    **kwargs)


@pytest.fixture
def learner(make_user):
    """A learner whose address is confirmed (what signing in by link leaves behind)."""
    from microdegree.records.models import LearnerEmail

    def make(email: str):
        user = make_user(email)
        LearnerEmail.objects.create(user=user, email=email, verified_at=timezone.now())
        return user

    return make


def offer_from_page(client: Any, cred: Any) -> tuple[str, str | None, str]:
    """(offer link, transaction code, page HTML) as the learner's page shows them."""
    page = client.post(f"/me/credentials/p-{cred.uuid}/oid4vci")
    assert page.status_code == 200, page.content
    text = page.content.decode()
    link = html.unescape(re.search(r'href="(openid-credential-offer://[^"]+)"', text)[1])
    code = re.search(r'<strong class="tx-code">(\d+)</strong>', text)
    return link, code[1] if code else None, text

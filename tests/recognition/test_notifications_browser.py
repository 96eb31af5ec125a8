"""Headless Chromium, against a real server: the pages issue 16 (points 2, 8, 13) adds or
changes pass the shared accessibility checks at desktop and phone width: the receiving
institution's programs page with a changed-achievement notice (marked read by a click), the
issuer's achievement page listing the agreements that name it, the institution's settings, and
the learner's e-mail language on the record."""

from __future__ import annotations

import os

import pytest

from tests._browser_support import staff_sign_in
from tests.conftest import CHROMIUM
from tests.records.test_accessibility import AXE, axe_problems
from tests.verification.test_browser import A11Y

from .conftest import award
from .test_browser import _learner_sign_in
from .test_notifications import TWO_OF_THREE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Chromium at /usr/bin/chromium"),
]



def _checked(page) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate(A11Y) == []
        if AXE.is_file():
            assert axe_problems(page) == []
        # nothing wider than the phone's screen
        assert page.evaluate("document.documentElement.scrollWidth") <= max(width, 1280)
    page.set_viewport_size({"width": 1280, "height": 900})


def _sign_in(page, base, user) -> None:
    staff_sign_in(page, base, user.username)
    page.wait_for_selector("h1")


@pytest.fixture
def changed(pathway, md_agreement):
    """Version 2 of the microdegree with other parts (the notice and e-mails exist)."""
    from microdegree.catalog import services as catalog

    degree, courses = pathway
    for course in courses:
        award(course, "early@learner.example")
    return catalog.set_rule(None, degree, TWO_OF_THREE)


@pytest.mark.django_db(transaction=True)
def test_notice_settings_and_language_pages(live_server, changed, md_agreement, staff,
                                            learner, browser_page):
    from django.contrib.auth import get_user_model

    owner = get_user_model().objects.get(email="owner@tech.example")
    issuer_owner = get_user_model().objects.get(email="owner@uni.example")
    page = browser_page
    base = live_server.url

    _sign_in(page, base, staff)
    page.goto(f"{base}/institutions/tech-uni/programs/")
    assert "Achievements your agreements name have changed" in page.inner_text("main")
    _checked(page)
    page.click("button:has-text('Mark as read')")
    page.wait_for_selector("h1")
    assert "Achievements your agreements name have changed" not in page.inner_text("main")
    page.click("header button:has-text('Sign out')")

    _sign_in(page, base, owner)
    page.goto(f"{base}/institutions/tech-uni/settings")
    _checked(page)
    page.select_option("#id_language", "de")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1")
    assert page.input_value("#id_language") == "de"
    page.click("header button:has-text('Abmelden'), header button:has-text('Sign out')")

    _sign_in(page, base, issuer_owner)
    page.goto(f"{base}/institutions/example-uni/achievements/data-science/")
    assert md_agreement.name in page.inner_text("main")
    _checked(page)
    page.click("header button:has-text('Sign out')")

    _learner_sign_in(page, base)
    page.select_option("#mail-language", "de")
    page.click("section[aria-labelledby=language-h] button")
    page.wait_for_selector("h1")
    assert page.input_value("#mail-language") == "de"
    _checked(page)

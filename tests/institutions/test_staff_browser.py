"""The staff page and the invitation in Chromium (issue 16, point 6): an owner finds the page
from the institution page, invites, the invitee accepts with a new password; the pages pass the
accessibility sanity check and never scroll sideways at 1280 or 390 px."""

from __future__ import annotations

import os
import re

import pytest
from django.conf import settings
from django.core import mail

from tests._browser_support import NO_OVERFLOW, staff_sign_in
from tests._browser_support import axe_violations as _axe
from tests.conftest import CHROMIUM
from tests.verification.test_browser import A11Y

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Chromium at /usr/bin/chromium"),
]




@pytest.fixture
def owner(institution):
    return institution.members.get(role="owner").user


@pytest.mark.django_db(transaction=True)
def test_owner_invites_and_the_invitee_joins(live_server, institution, owner, browser_page):
    # All ORM work happens in the fixtures, before Playwright starts (browser_page comes last:
    # a query inside Playwright's greenlet opens a connection nobody closes).
    page = browser_page
    base = live_server.url
    staff_sign_in(page, base, owner.username)
    page.goto(f"{base}/institutions/{institution.slug}/")
    page.click("a:has-text('Staff and invitations')")
    page.wait_for_selector("h1:has-text('Staff')")
    page.fill("#id_email", "a.very.long.address.for.a.new.colleague@faculty-of-science.example.org")
    page.select_option("#id_role", "issuer")
    page.click("button:has-text('Send the invitation')")
    page.wait_for_selector("text=Invitation sent to")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 800})
        for path in ("staff/", "audit/"):
            page.goto(f"{base}/institutions/{institution.slug}/{path}")
            assert page.evaluate(A11Y) == []
            assert _axe(page) == []
            assert page.evaluate(NO_OVERFLOW), f"{path} scrolls sideways at {width} px"
    assert page.locator("text=institution.invitation_sent").count() == 1

    link = re.search(r"https?://\S+/invitations/\S+", mail.outbox[-1].body).group(0)
    page.click("header button:has-text('Sign out')")
    page.goto(base + link[len(settings.PUBLIC_URL):])
    assert page.evaluate(A11Y) == []
    assert _axe(page) == []
    assert page.evaluate(NO_OVERFLOW)
    page.fill("#id_password1", "a long and new staff password")
    page.fill("#id_password2", "a long and new staff password")
    page.click("button:has-text('Create my account and accept')")
    page.wait_for_selector("text=Welcome: you now work for Example University.")
    assert page.locator("h1").inner_text() == "Example University"
    assert "Your role: issuer" in page.locator("main").inner_text()  # signed in, as invited

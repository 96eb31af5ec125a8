"""Headless Chromium walks the learner's main journey against a real server: sign in by the
e-mailed link, see a new credential, share it, export a CLR; pages pass an accessibility
sanity check. (No PDF: no PDF library is installed this session.)"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM
from tests.verification.test_browser import A11Y

from .conftest import award, last_link

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Chromium at /usr/bin/chromium"),
]


@pytest.fixture
def cred(pathway):
    _, (stats, _, _) = pathway
    return award(stats, "ada@example.org", recipient_name="Ada Lovelace")


@pytest.mark.django_db(transaction=True)
def test_learner_journey_in_chromium(live_server, cred, browser_page):
    # All ORM work happens before Playwright starts: its greenlet would get its own database
    # connection, which stays open and stops PostgreSQL from dropping the test database.
    page = browser_page
    base = live_server.url

    page.goto(f"{base}/me/")  # not signed in: the sign-in form
    assert page.evaluate(A11Y) == []
    page.fill("#email", "ada@example.org")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Check your e-mail")
    page.goto(base + last_link("/me/login/"))
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('Your learning record')")
    assert page.evaluate(A11Y) == []
    assert page.locator("text=Course stats").count() >= 1
    assert page.locator("text=Progress toward microdegrees").count() == 1

    page.click("table a:has-text('Course stats')")
    page.wait_for_selector("h1:has-text('Course stats')")
    assert page.evaluate(A11Y) == []
    page.check("#share_enabled")
    page.click("form[action$='/preferences'] button[type=submit]")
    page.wait_for_selector("text=Public link:")
    share = page.locator("a[href*='/share/']").first.get_attribute("href")
    assert page.locator("a:has-text('Add to LinkedIn profile')").count() == 1

    page.goto(base + share[share.index("/share/"):])
    assert page.locator("h1").inner_text() == "Course stats"
    assert page.locator("meta[property='og:title']").get_attribute("content") == "Course stats"
    assert page.evaluate(A11Y) == []

    page.goto(f"{base}/me/clr")
    assert page.evaluate(A11Y) == []
    with page.expect_download() as download:
        page.click("main button[type=submit]")
    clr = json.loads(Path(download.value.path()).read_text())
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    nested = clr["credentialSubject"]["verifiableCredential"]
    assert [c["id"] for c in nested] == [cred.credential_id]

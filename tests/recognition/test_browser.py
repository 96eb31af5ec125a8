"""Headless Chromium, against a real server: a learner applies for credit with the microdegree
from their record, sees the proposal with its reasons and sends it; staff of the receiving
university accept it; the learner sees the decision and the signed decision credential in the
record. Pages pass the shared accessibility sanity check."""

from __future__ import annotations

import os

import pytest

from tests._browser_support import axe_violations as _axe
from tests._browser_support import staff_sign_in
from tests.conftest import CHROMIUM
from tests.verification.test_browser import A11Y

from .conftest import LEARNER, last_link

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Chromium at /usr/bin/chromium"),
]



def _learner_sign_in(page, base):
    page.goto(f"{base}/me/login")
    page.fill("#email", LEARNER)
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Check your e-mail")
    page.goto(base + last_link("/me/login/"))
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('Your learning record')")



def _sign_out(page):
    page.click("header button:has-text('Sign out')")


@pytest.mark.django_db(transaction=True)
def test_application_from_start_to_signed_decision(live_server, program, md_agreement,
                                                   completed, staff, browser_page):
    # All ORM work happens in the fixtures, before Playwright starts (browser_page comes last:
    # ORM work inside Playwright's greenlet would open a session nobody closes).
    whole, _ = completed
    page = browser_page
    base = live_server.url

    _learner_sign_in(page, base)
    page.goto(f"{base}/worth")
    assert page.evaluate(A11Y) == []
    page.check(f"input[value='p-{whole.uuid}']")
    page.click("main form button[type=submit]")
    page.wait_for_selector("h2:has-text('1 program recognises them')")
    assert page.evaluate(A11Y) == []
    assert _axe(page) == []

    page.goto(f"{base}/me/credit/apply")
    assert page.evaluate(A11Y) == []
    page.select_option("#id_program", label="MSc Data Science")
    page.check(f"input[value='p-{whole.uuid}']")
    page.click("main form button[type=submit]")
    page.wait_for_selector("h1:has-text('Credit toward MSc Data Science')")
    assert page.evaluate(A11Y) == []
    assert "Recognised under" in page.inner_text("table")
    assert page.inner_text(".recognised").startswith("30 ECTS")
    assert "1 term, 6 months" in page.inner_text(".residency")
    assert _axe(page) == []
    page.click("button:has-text('Send the application to the institution')")
    page.wait_for_selector("text=The institution is deciding.")
    application_url = page.url
    _sign_out(page)

    staff_sign_in(page, base, staff.username)
    page.goto(f"{base}/institutions/tech-uni/applications/")
    assert page.evaluate(A11Y) == []
    page.click("table a")
    page.wait_for_selector("h1:has-text('Credit application toward MSc Data Science')")
    assert page.evaluate(A11Y) == []
    assert _axe(page) == []
    page.check("input[name=outcome][value=accepted]")
    page.click("button:has-text('Record the decision')")
    page.wait_for_selector("a:has-text('The signed decision credential')")
    _sign_out(page)

    _learner_sign_in(page, base)
    page.goto(application_url)
    assert "Accepted as proposed" in page.inner_text(".decision")
    assert page.evaluate(A11Y) == []
    page.click("a:has-text('The signed decision credential')")
    page.wait_for_selector("h1")
    assert "Credit recognised toward MSc Data Science" in page.inner_text("main")
    page.goto(f"{base}/me/", wait_until="networkidle")
    assert page.locator("text=Credit recognised toward MSc Data Science").count() >= 1
    # no request left in flight: its server thread would keep a PostgreSQL session open
    page.goto("about:blank")

"""Headless Chromium against a real server: an issuer builds a nested award rule in the editor,
sees the sentence and the number of qualifying learners follow each change (the static script
asks the preview endpoint), saves it, and the page fits a 390 px phone without sideways
scrolling."""

from __future__ import annotations

import os

import pytest

from tests._browser_support import staff_sign_in
from tests.conftest import CHROMIUM
from tests.records.test_accessibility import AXE, axe_problems
from tests.verification.test_browser import A11Y

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Chromium at /usr/bin/chromium"),
]

PAGE = "/institutions/example-uni/achievements/data-science/rule"


def _text_becomes(page, selector: str, text: str) -> None:
    page.wait_for_function(
        "([s, t]) => document.querySelector(s).textContent.trim() === t", arg=[selector, text])


@pytest.mark.django_db(transaction=True)
def test_build_a_nested_rule_in_chromium(live_server, issuer, courses, awarded, tmp_path,
                                         browser_page):
    # the ORM work is in the fixtures, before Playwright starts (browser_page comes last)
    page = browser_page
    base = live_server.url
    staff_sign_in(page, base, issuer.username)
    page.goto(base + PAGE)
    assert page.evaluate(A11Y) == []

    # live: one tick and the sentence and count follow, with no page load
    page.check("#r__part-statistics")
    _text_becomes(page, "#rule-sentence", "Statistics")
    _text_becomes(page, "#rule-qualifying", "2 current learners would qualify.")

    # a sub-group is a server round trip; the choices made so far survive it
    page.click("button:has-text('Add a sub-group to Group 1')")
    page.wait_for_selector("#r_0__kind")
    assert page.is_checked("#r__part-statistics")
    assert page.is_hidden("#r_0__n")  # "All of" needs no number
    page.select_option("#r_0__kind", "at_least")
    assert page.is_visible("#r_0__n")
    page.check("#r_0__part-python")
    page.check("#r_0__part-r")
    page.check("#r_0__part-sql")
    page.fill("#r_0__n", "4")  # more than the group has: the field says so, live
    page.wait_for_selector("#r_0__n + .helptext + .live-error, #r_0__n ~ .live-error")
    assert "has only 3 parts" in page.inner_text("#r_0")
    assert page.inner_text("#rule-qualifying") == ""
    page.fill("#r_0__n", "2")
    _text_becomes(page, "#rule-sentence", "All of Statistics and 2 of Python, R, SQL")
    _text_becomes(page, "#rule-qualifying", "1 current learner would qualify.")
    assert page.query_selector(".live-error") is None
    assert page.evaluate(A11Y) == []
    if AXE.is_file():  # axe-core's serious and critical WCAG 2.1 A/AA violations
        assert axe_problems(page) == []

    page.click("button:has-text('Save the rule')")
    page.wait_for_selector("text=Saved as version 1.")
    now = page.inner_text("h2:has-text('The rule now') + ul")
    assert "At least 2 of:" in now
    assert "SQL (sql)" in now
    assert page.inner_text("#rule-sentence") == "All of Statistics and 2 of Python, R, SQL"

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_selector("#r_0__kind")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=tmp_path / "rule-editor-390.png", full_page=True)  # for a look

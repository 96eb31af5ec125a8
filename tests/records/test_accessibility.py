"""axe-core in headless Chromium: the learner's record, a public credential page and the verify
page (empty and with a result) have no WCAG 2.0/2.1 A or AA violation of serious or critical
impact. (The journey in test_browser.py keeps its lighter sanity check on every step.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM

from .conftest import award, last_link

AXE = Path(__file__).resolve().parents[1] / "node" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Chromium at /usr/bin/chromium"),
    pytest.mark.skipif(not AXE.is_file(),
                       reason=f"needs axe-core at {AXE} (npm install in tests/node)"),
]

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return {passes: result.passes.length,
          violations: result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + ": " + n.failureSummary)}))};
}"""


def axe_problems(page) -> list[dict]:
    """Serious and critical WCAG A/AA violations on the page as it is now."""
    # evaluated through DevTools, not as a <script> tag: the pages' CSP refuses inline scripts
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(RUN_AXE, WCAG_TAGS)
    assert result["passes"] > 5, "axe ran no rules on this page"
    violations = result["violations"]
    for v in violations:  # shown with -s; minor and moderate ones do not fail the test
        print(page.url, v["impact"], v["id"], v["help"], v["nodes"])
    return [v for v in violations if v["impact"] in BLOCKING]


@pytest.fixture
def cred(pathway):
    _, (stats, viz, _) = pathway
    award(viz, "ada@example.org")
    return award(stats, "ada@example.org", recipient_name="Ada Lovelace", credits_earned=5)


@pytest.mark.django_db(transaction=True)
def test_axe_finds_no_serious_violations(live_server, cred, browser_page):
    # ORM work happens before Playwright starts (see test_browser.py); the page does the rest.
    page = browser_page
    base = live_server.url
    # the check itself finds what it should: a page with an unlabelled field and an image
    # without a text alternative fails it
    page.set_content('<html lang="en"><body><main><img src="data:,"><input></main></body></html>')
    assert {"image-alt", "label"} <= {v["id"] for v in axe_problems(page)}

    public = f"{base}/credentials/{cred.uuid}"
    document = cred.document

    page.goto(f"{base}/verify")
    assert axe_problems(page) == [], "verify page (empty)"

    page.fill("#id_credential", document)
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector("#verdict")
    assert page.inner_text("#verdict strong") == "Verified"
    assert axe_problems(page) == [], "verify page with a result"

    page.goto(f"{base}/verify")
    page.fill("#id_credential", "{not json")
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector("#verify-error")
    assert axe_problems(page) == [], "verify page with an error"

    page.goto(public)
    page.wait_for_selector("#verdict")
    assert axe_problems(page) == [], "public credential page"

    page.goto(f"{base}/me/login")
    page.fill("#email", "ada@example.org")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Check your e-mail")
    page.goto(base + last_link("/me/login/"))
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('Your learning record')")
    assert page.locator("text=Progress toward microdegrees").count() == 1
    assert axe_problems(page) == [], "the learner's record"

    page.goto(f"{base}/me/credentials/p-{cred.uuid}/")
    page.check("#visibility-link")
    page.click("form[action$='/preferences'] button[type=submit]")
    page.wait_for_selector("svg.qr")
    assert axe_problems(page) == [], "the learner's credential page, shared, with its QR code"

    page.click("form[action$='/wallet'] button[type=submit]")
    page.wait_for_selector("svg.qr")
    assert axe_problems(page) == [], "send to wallet, with its QR code"

"""Headless Chromium walks the learner's main journey against a real server: sign in by the
e-mailed link, see a new credential, share it, download the PDF certificate (which carries the
credential), export a CLR; pages pass an accessibility sanity check (axe-core runs in
test_accessibility.py)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from pypdf import PdfReader

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
    document = cred.document

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

    page.click(".item-name a:has-text('Course stats')")
    page.wait_for_selector("h1:has-text('Course stats')")
    assert page.evaluate(A11Y) == []
    page.check("#visibility-link")
    page.click("form[action$='/preferences'] button[type=submit]")
    page.wait_for_selector("text=Share link:")
    share = page.locator("a[href*='/share/']").first.get_attribute("href")
    assert page.locator("a:has-text('Add to LinkedIn profile')").count() == 1

    page.goto(base + share[share.index("/share/"):])
    assert page.locator("h1").inner_text() == "Course stats"
    assert page.locator("meta[property='og:title']").get_attribute("content") == "Course stats"
    assert page.evaluate(A11Y) == []

    # the PDF certificate: a real PDF with the learner's name on it and the credential inside
    page.goto(f"{base}/me/credentials/p-{cred.uuid}/")
    with page.expect_download() as download:
        page.click("a:has-text('Printable certificate')")
    assert download.value.suggested_filename == f"credential-{cred.uuid}.pdf"
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Ada Lovelace" in text
    assert "Course stats" in text
    assert reader.attachments["credential.json"] == [document.encode("utf-8")]
    # ... which anyone can upload to the verify page
    page.goto(f"{base}/verify")
    page.set_input_files("#id_file", download.value.path())
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector("#verdict")
    assert page.inner_text("#verdict strong") == "Verified"
    assert "PDF certificate" in page.inner_text("#result")

    page.goto(f"{base}/me/clr")
    assert page.evaluate(A11Y) == []
    with page.expect_download() as download:
        page.click("main button[type=submit]")
    clr = json.loads(Path(download.value.path()).read_text())
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    nested = clr["credentialSubject"]["verifiableCredential"]
    assert [c["id"] for c in nested] == [cred.credential_id]

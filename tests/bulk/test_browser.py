"""Headless Chromium: a registrar uploads a CSV with good and bad rows, sees the preview (the
rows as they will be awarded, every bad row with its column and sentence), downloads the rejected
rows as a CSV, issues the valid rows and sees the job done (#16.5)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from tests._browser_support import staff_sign_in
from tests.conftest import CHROMIUM
from tests.records.test_accessibility import AXE, axe_problems
from tests.verification.test_browser import A11Y

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Chromium at /usr/bin/chromium"),
]

BATCH = (b"email,name,credits,activity_end\n"
         b"ada@example.org,Ada Lovelace,5,2025-12-15\n"
         b"not-an-email,Bob Broken,5,2025-12-15\n"
         b"cy@example.org,Cy Young,5,2025-13-40\n"
         b"di@example.org,Di Ok,4,2025-12-15\n"
         b"ed@example.org,Ed Ok,,\n")


@pytest.mark.django_db(transaction=True)
def test_upload_preview_reject_issue_in_chromium(live_server, issuer, course, immediate_tasks,
                                                 browser_page):
    # All ORM work happens in the fixtures, before Playwright starts (browser_page comes last).
    page = browser_page
    base = live_server.url
    staff_sign_in(page, base, issuer.username)

    page.goto(f"{base}/institutions/example-uni/bulk/upload/data-literacy/")
    page.set_input_files("#id_file", files=[{"name": "awards.csv", "mimeType": "text/csv",
                                             "buffer": BATCH}])
    page.click("main button:has-text('Check the file')")
    page.wait_for_selector("h1:has-text('Bulk award of')")
    assert page.evaluate(A11Y) == []
    if AXE.is_file():
        assert axe_problems(page) == []
    # the preview: the rows as they will be awarded
    preview = page.locator("#preview tbody tr")
    assert preview.count() == 5
    assert preview.nth(0).inner_text().split("\t")[:4] == ["2", "Ada Lovelace", "ada@example.org",
                                                          ""]
    # every bad row, with its column and sentence; the state says what to do
    assert page.inner_text("#next-step") == ("2 rows have problems: fix them and upload the "
                                             "file again, or issue the 3 valid rows.")
    bad = [r.split("\t") for r in page.locator("#bad-rows tbody tr").all_inner_texts()]
    assert [r[:2] for r in bad] == [["3", "email"], ["4", "activity_end"]]
    assert "not a date" in bad[1][2]

    with page.expect_download() as download:
        page.click("#rejected-csv")
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    rejected = list(csv.DictReader(io.StringIO(text)))
    assert [(r["email"], r["activity_end"]) for r in rejected] == [
        ("not-an-email", "2025-12-15T00:00:00Z"), ("cy@example.org", "2025-13-40")]
    assert rejected[0]["error"] == "email: 'not-an-email' is not a valid e-mail address."

    page.click("#issue-valid")
    page.wait_for_selector("text=Issued 3 of 3 (100%)")
    assert page.inner_text("#job-state") == "Done"
    assert page.locator("#bulk-progress").get_attribute("value") == "3"
    assert page.evaluate(A11Y) == []

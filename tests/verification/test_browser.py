"""Headless Chromium against a real server: paste a credential, then upload a baked PNG."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from microdegree.verification.bake import bake_png
from tests.conftest import CHROMIUM
from tests.verification.helpers import tiny_png

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Chromium at /usr/bin/chromium"),
]

# A small accessibility sanity check (axe is not bundled): lang, one h1, labelled controls,
# images with alt text, unique ids.
A11Y = """() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push("html has no lang");
  if (document.querySelectorAll("h1").length !== 1) problems.push("not exactly one h1");
  for (const el of document.querySelectorAll("input:not([type=hidden]), textarea, select")) {
    const labelled = (el.id && document.querySelector(`label[for="${el.id}"]`))
      || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
    if (!labelled) problems.push("unlabelled control " + (el.name || el.id));
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push("img without alt " + img.src);
  }
  const ids = [...document.querySelectorAll("[id]")].map((e) => e.id);
  const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (dupes.length) problems.push("duplicate ids " + dupes.join(","));
  return problems;
}"""


@pytest.mark.django_db(transaction=True)
def test_paste_then_upload_in_chromium(live_server, issued, browser_page, tmp_path: Path):
    page = browser_page
    document = issued.document
    png_path = tmp_path / "badge.png"
    png_path.write_bytes(bake_png(tiny_png(), document))

    page.goto(f"{live_server.url}/verify")
    assert page.evaluate(A11Y) == []
    # progressive enhancement: the scanner box appears only where the browser can scan
    page.wait_for_load_state("load")
    if not page.evaluate("'BarcodeDetector' in window"):
        assert page.locator("#qr").is_hidden()

    page.fill("#id_credential", document)
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector("#verdict")
    assert page.inner_text("#verdict strong") == "Verified"
    assert page.locator(".checks li.pass").count() >= 6
    assert page.locator(".checks li.fail").count() == 0
    assert page.evaluate(A11Y) == []

    page.goto(f"{live_server.url}/verify")
    page.set_input_files("#id_file", str(png_path))
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector("#verdict")
    assert page.inner_text("#verdict strong") == "Verified"
    assert "baked PNG image" in page.inner_text("#result")

    page.goto(f"{live_server.url}/credentials/{issued.uuid}")
    assert page.inner_text("#verdict strong") == "Verified"
    assert page.evaluate(A11Y) == []

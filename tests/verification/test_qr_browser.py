"""qr.js in headless Chromium: the scanner box stays hidden where the browser cannot scan, and
appears (button, no apology) where it can."""

from __future__ import annotations

import os

import pytest

from tests.conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Chromium at /usr/bin/chromium"),
    pytest.mark.django_db(transaction=True),
]

# A browser that can scan: a BarcodeDetector and a camera API (neither is used before a click).
CAN_SCAN = """
window.BarcodeDetector = class { static async getSupportedFormats() { return ["qr_code"]; }
                                 async detect() { return []; } };
if (!navigator.mediaDevices) Object.defineProperty(navigator, "mediaDevices", { value: {} });
navigator.mediaDevices.getUserMedia = async () => { throw new Error("no camera"); };
"""


def test_no_scanner_where_the_browser_cannot_scan(live_server, browser_page):
    page = browser_page
    page.add_init_script("delete window.BarcodeDetector;")
    page.goto(f"{live_server.url}/verify")
    page.wait_for_load_state("load")
    page.wait_for_function("document.readyState === 'complete'")
    assert page.locator("#qr").get_attribute("hidden") is not None
    assert not page.locator("#qr").is_visible()
    assert page.inner_text("#qr-message") == ""


def test_the_scanner_appears_where_the_browser_can_scan(live_server, browser_page):
    page = browser_page
    page.add_init_script(CAN_SCAN)
    page.goto(f"{live_server.url}/verify")
    page.wait_for_selector("#qr:not([hidden])")
    assert page.locator("#qr-start").is_visible()
    assert page.inner_text("#qr-message") == ""
    page.click("#qr-start")
    page.wait_for_function("document.getElementById('qr-message').textContent !== ''")
    assert "The camera could not be used to scan (no camera)" in page.inner_text("#qr-message")

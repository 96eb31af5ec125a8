"""The staff credential page in Chromium (issue 16, points 3 and 7): the signed JSON no longer
makes the page tens of thousands of pixels wide; it is folded, wrapped, and copied by a button;
Revoke goes through its confirmation page."""

from __future__ import annotations

import json
import os

import pytest

from microdegree.issuing import services
from tests._browser_support import NO_OVERFLOW, staff_sign_in
from tests._browser_support import axe_violations as _axe
from tests.conftest import CHROMIUM
from tests.verification.test_browser import A11Y

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Chromium at /usr/bin/chromium"),
]




def _sign_in(page, base: str, username: str) -> None:
    staff_sign_in(page, base, username)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def cred(course):
    return services.issue_credential(None, course, recipient_email="lin@example.org",
                                     recipient_name="Lin", send_email=False)


@pytest.mark.django_db(transaction=True)
def test_signed_json_is_folded_wrapped_and_copied(live_server, institution, issuer, cred,
                                                  browser_page):
    # All ORM work happens in the fixtures, before Playwright starts (browser_page comes last).
    signed = json.loads(cred.document)
    page = browser_page
    base = live_server.url
    url = f"{base}/institutions/{institution.slug}/credentials/{cred.uuid}/"
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    _sign_in(page, base, issuer.username)
    for width, height in ((1280, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url)
        assert page.evaluate(A11Y) == []
        assert _axe(page) == []
        assert not page.locator("details.signed-json").evaluate("d => d.open")  # folded
        assert page.evaluate(NO_OVERFLOW), f"horizontal overflow at {width} px (folded)"
        page.click("details.signed-json summary")
        assert page.locator("#signed-json").is_visible()
        assert page.evaluate(NO_OVERFLOW), f"horizontal overflow at {width} px (unfolded)"
        box = page.locator("#signed-json").bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= width

    # the copy button (shown by copy.js) puts the signed credential on the clipboard
    copy = page.locator("button[data-copy=signed-json]")
    assert copy.is_visible()
    copy.click()
    page.wait_for_selector(".copy-status:has-text('Copied')")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert json.loads(copied) == signed  # the same credential, indented for reading

    # Revoke: the red link leads to the confirmation; cancelling changes nothing
    page.click("a.button.danger:has-text('Revoke permanently')")
    page.wait_for_selector("h1:has-text('Revoke this credential permanently?')")
    assert page.evaluate(A11Y) == []
    assert _axe(page) == []
    assert page.evaluate(NO_OVERFLOW)
    page.click("a:has-text('Cancel')")
    page.wait_for_selector("details.signed-json")
    page.click("a.button.danger:has-text('Revoke permanently')")
    page.fill("#revoke-reason", "Awarded in error")
    page.click("button.danger:has-text('Revoke permanently')")
    page.wait_for_selector("text=The credential is now revoked.")


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_json_is_there_to_download(live_server, institution, issuer,
                                                         cred, monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api")
    from tests.conftest import ARGS

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(java_script_enabled=False, viewport={"width": 390,
                                                                          "height": 844})
            base = live_server.url
            _sign_in(page, base, issuer.username)
            page.goto(f"{base}/institutions/{institution.slug}/credentials/{cred.uuid}/")
            assert not page.locator("button[data-copy]").is_visible()  # no dead button
            assert page.locator("a:has-text('Download JSON')").is_visible()
            page.click("details.signed-json summary")
            assert page.locator("#signed-json").is_visible()
            assert page.evaluate(NO_OVERFLOW)
        finally:
            browser.close()

"""Headless Chromium against live_server: a learner signs in through the record's e-mailed link
from the consent page, allows an app, sees it under Connected apps and ends its access; the
consent, Connected apps and pull pages pass axe-core's WCAG 2.1 A/AA rules (serious, critical)."""

from __future__ import annotations

import os
import urllib.request
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from microdegree.obapi import registration, scopes
from tests.conftest import CHROMIUM
from tests.records.conftest import last_link
from tests.records.test_accessibility import AXE, axe_problems

from .conftest import REDIRECT, basic, pkce

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Chromium at /usr/bin/chromium"),
    pytest.mark.skipif(not AXE.is_file(), reason=f"needs axe-core at {AXE}"),
]


@pytest.fixture
def wallet(learner):
    """Ada and a registered app, made before Playwright starts (the ORM must not run inside
    Playwright's event loop: its connection would outlive the test)."""
    learner("ada@example.org")
    return registration.register_client({
        "client_name": "Example Wallet", "client_uri": "https://app.example/",
        "redirect_uris": [REDIRECT],
        "scope": f"{scopes.CREDENTIAL_READ} {scopes.PROFILE_READ}"})


def _token(base: str, app: dict, code: str, verifier: str) -> int:
    """The token request over real HTTP (no ORM in this thread while Playwright runs)."""
    request = urllib.request.Request(f"{base}/ims/ob/v3p0/token", data=urlencode({
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
        "code_verifier": verifier}).encode(), headers={
        "Authorization": basic(app["client_id"], app["client_secret"]),
        "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return int(answer.status)


@pytest.mark.django_db(transaction=True)
def test_consent_in_the_browser(live_server, wallet, browser_page):
    app = wallet
    verifier, challenge = pkce()
    base = live_server.url
    authorize = f"{base}/ims/ob/v3p0/authorize?" + urlencode({
        "response_type": "code", "client_id": app["client_id"], "redirect_uri": REDIRECT,
        "scope": f"{scopes.CREDENTIAL_READ} {scopes.PROFILE_READ}", "state": "s1",
        "code_challenge": challenge, "code_challenge_method": "S256"})
    page = browser_page
    arrived: list[str] = []
    page.route("https://app.example/**", lambda route: (
        arrived.append(route.request.url),
        route.fulfill(status=200, body="<html lang='en'><title>app</title></html>",
                      content_type="text/html")))

    page.goto(authorize)  # not signed in: the record's sign-in page, then the e-mailed link
    page.fill("#email", "ada@example.org")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Check your e-mail")
    page.goto(base + last_link("/me/login/"))
    page.click("main button[type=submit]")
    page.wait_for_selector("#authorizationForm")
    text = page.inner_text("main")
    assert "Example Wallet" in text
    assert "See every credential in your record" in text
    assert "See your name and your verified e-mail address" in text
    assert axe_problems(page) == [], "consent page"

    page.click("#authorizationForm button[name=allow]")
    page.wait_for_url("https://app.example/**")
    query = parse_qs(urlsplit(arrived[-1]).query)
    assert query["state"] == ["s1"]
    assert query["code"][0]

    page.goto(f"{base}/me/apps/")
    assert "Example Wallet" not in page.inner_text("main")  # a code alone is no access yet
    assert _token(base, app, query["code"][0], verifier) == 200
    page.goto(f"{base}/me/apps/")
    assert "Example Wallet" in page.inner_text("main table")
    assert axe_problems(page) == [], "connected apps"
    page.click("main table button[type=submit]")
    page.wait_for_selector("text=No app has access to your record.")
    assert axe_problems(page) == [], "connected apps (empty)"

    page.goto(f"{base}/me/connect/")
    assert axe_problems(page) == [], "pull page"
    page.fill("#base_url", "https://127.0.0.1:9")
    page.click("main form button[type=submit]")
    page.wait_for_selector("[role=alert]")
    assert "non-public address" in page.inner_text("[role=alert]")
    assert axe_problems(page) == [], "pull page with an error"

"""What the Chromium tests share: the test users' password, the overflow check, axe, sign-in."""

from __future__ import annotations

from tests.records.test_accessibility import AXE, axe_problems

PASSWORD = "correct horse battery staple"  # tests/conftest.py make_user
NO_OVERFLOW = "() => document.scrollingElement.scrollWidth <= window.innerWidth"


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations (none when axe is missing: a
    developer without Node still runs the rest; under CI=true the Node tools are required)."""
    return axe_problems(page) if AXE.is_file() else []


def staff_sign_in(page, base: str, username: str) -> None:
    """Sign in on the staff form as `username` and wait until the page says so."""
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("header button:has-text('Sign out'), "
                           "header button:has-text('Abmelden')")

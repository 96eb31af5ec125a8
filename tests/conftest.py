"""Test-wide fixtures. The database is real: SQLite by default, PostgreSQL via DATABASE_URL."""

from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"  # Debian's chromium package; Playwright's own download is not used
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


# Skips that only mean "this machine lacks a tool" (Node, its packages, Chromium, axe-core). On a
# developer's machine they stay skips; under CI=true they fail, so a green CI has run every test.
_MISSING_TOOL = ("node", "chromium", "axe-core", "playwright")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not (report.skipped and _in_ci()) or hasattr(report, "wasxfail"):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    if any(tool in reason.lower() for tool in _MISSING_TOOL):
        report.outcome = "failed"
        report.longrepr = f"CI=true: a required tool is missing, so this test cannot run: {reason}"


@pytest.fixture
def browser_page(monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM work happens before it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(30_000)
            # Chromium logs every Content-Security-Policy violation: none may happen in a test
            refused = []
            page.on("console", lambda m: refused.append(m.text)
                    if "Content Security Policy" in m.text else None)
            yield page
            assert not refused, "CSP violations:\n" + "\n".join(refused)
        finally:
            browser.close()



@pytest.fixture
def make_user(db):
    from django.contrib.auth import get_user_model

    counter = {"n": 0}

    def make(email: str | None = None, **extra):
        counter["n"] += 1
        email = email or f"user{counter['n']}@example.org"
        return get_user_model().objects.create_user(
            username=email, email=email, password="correct horse battery staple", **extra
        )

    return make


@pytest.fixture
def admin_user(make_user):
    return make_user("admin@platform.example", is_staff=True, is_superuser=True)


@pytest.fixture
def institution(make_user, admin_user):
    from microdegree.institutions import services

    owner = make_user("owner@uni.example")
    inst = services.register_institution(
        owner, name="Example University", country_code="NL", owner=owner, slug="example-uni"
    )
    services.approve_institution(admin_user, inst)
    return inst

"""Issue 12, point 8: security headers on every HTML page, and the pages work under them.

Content-Security-Policy allows scripts and styles from the platform's own files only (no inline
script, no inline style, no event-handler attributes); Referrer-Policy, X-Content-Type-Options
and X-Frame-Options are on every page, HSTS on https. `X-Forwarded-Proto` is believed from a
trusted proxy only. In Chromium, the main pages report no CSP violation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from microdegree.base.client_ip import parse_networks

SRC = Path(__file__).resolve().parents[2] / "src" / "microdegree"
ANONYMOUS_PAGES = ["/", "/verify", "/catalogue", "/catalogue/programs", "/worth", "/me/login",
                   "/accounts/login/", "/accounts/password_reset/",
                   "/achievements/example-uni/stats/v1"]
STAFF_PAGES = ["/dashboard/", "/institutions/example-uni/",
               "/institutions/example-uni/achievements/",
               "/institutions/example-uni/credentials/", "/institutions/example-uni/bulk/",
               "/institutions/example-uni/programs/", "/institutions/example-uni/api-tokens/",
               "/institutions/register", "/me/", "/admin/"]


@pytest.fixture
def site(settings, institution, make_user):
    from microdegree.catalog import services as catalog
    from microdegree.institutions.models import Membership

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    catalog.create_definition(None, institution, name="Course stats", slug="stats",
                              description="Statistics.", criteria_narrative="Pass the exam.",
                              credits_available=5)
    owner = Membership.objects.get(institution=institution).user
    owner.is_staff = owner.is_superuser = True  # the admin pages too
    owner.save()
    return owner


def _assert_policy(response, path: str) -> None:
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'", path
    assert directives["style-src"] == "'self'", path
    assert directives["object-src"] == "'none'", path
    assert directives["frame-ancestors"] == "'none'", path
    assert "unsafe" not in policy, path
    assert directives["img-src"].startswith("'self'"), path
    assert response["Referrer-Policy"] == "same-origin", path
    assert response["X-Content-Type-Options"] == "nosniff", path
    assert response["X-Frame-Options"] == "DENY", path


@pytest.mark.django_db
def test_every_main_page_has_the_headers(client, site):
    for path in ANONYMOUS_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("text/html"), path
        _assert_policy(response, path)
    client.force_login(site)
    for path in STAFF_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_policy(response, path)


@pytest.mark.django_db
def test_hsts_on_https_only(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    assert "Strict-Transport-Security" not in client.get("/verify")
    secure = client.get("/verify", secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
def test_forwarded_proto_is_believed_from_a_trusted_proxy_only(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.TRUSTED_PROXIES = parse_networks("10.0.0.2")
    # a client reaching the server directly cannot claim https: it is redirected to https
    direct = client.get("/verify", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="192.0.2.5")
    assert direct.status_code == 301
    assert direct["Location"] == "https://testserver/verify"
    # the trusted TLS-terminating proxy says https: served, with HSTS
    proxied = client.get("/verify", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="10.0.0.2")
    assert proxied.status_code == 200
    assert "Strict-Transport-Security" in proxied
    # and when it says http, the client is sent to https
    plain = client.get("/verify", HTTP_X_FORWARDED_PROTO="http", REMOTE_ADDR="10.0.0.2")
    assert plain.status_code == 301


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.I)
STYLE = re.compile(r"""\sstyle\s*=\s*["']|<style\b""", re.I)


def test_no_template_has_inline_script_handlers_or_styles():
    templates = [p for p in SRC.rglob("*.html") if "templates" in p.parts]
    assert len(templates) > 50
    problems = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for name, pattern in (("inline script", INLINE_SCRIPT), ("event handler", HANDLER),
                              ("inline style", STYLE)):
            problems += [f"{path.relative_to(SRC)}: {name} {m.group(0)!r}"
                         for m in pattern.finditer(text)]
        if "javascript:" in text:
            problems.append(f"{path.relative_to(SRC)}: a javascript: URL")
        # Django's {# #} ends on its line: a longer one is printed on the page
        problems += [f"{path.relative_to(SRC)}: a {{# comment over several lines"
                     for line in text.splitlines() if "{#" in line and "#}" not in line]
    assert not problems, "\n".join(problems)


# --- in Chromium ----------------------------------------------------------------------------

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(
    `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_main_pages_report_no_csp_violation_in_chromium(live_server, browser_page, site, client,
                                                        settings):
    settings.PUBLIC_URL = live_server.url  # the origin the pages' own links and images use
    page = browser_page
    page.add_init_script(LISTEN)
    console = []
    page.on("console", lambda m: console.append(m.text)
            if "Content Security Policy" in m.text or "Refused to" in m.text else None)
    problems = []

    def visit(path: str) -> None:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        assert response.status == 200, path
        assert "script-src 'self'" in (response.header_value("content-security-policy") or "")
        page.wait_for_load_state("load")
        problems.extend(f"{path}: {v}" for v in page.evaluate("window.__csp"))

    for path in ANONYMOUS_PAGES:
        visit(path)
    # the stylesheet applies under the policy (the switcher's layout comes from site.css)
    assert page.evaluate("getComputedStyle(document.querySelector('.language-switcher'))"
                         ".alignItems") == "center"
    client.force_login(site)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    for path in STAFF_PAGES:
        visit(path)
    assert not problems, "\n".join(problems)
    assert not console, "\n".join(console)
    # the listener works and the policy bites: an injected inline script neither runs nor
    # passes unreported (in a page of its own: browser_page fails a test on any violation)
    page = page.context.browser.new_page()
    page.add_init_script(LISTEN)
    page.goto(f"{live_server.url}/verify")
    page.evaluate("""() => { const s = document.createElement("script");
        s.textContent = "window.__ran = true"; document.body.appendChild(s); }""")
    page.wait_for_function("window.__csp.length > 0")
    assert page.evaluate("window.__ran === undefined")
    assert page.evaluate("window.__csp")[0].startswith("script-src")

"""Design review: screenshots of the main pages at 1280 and 390 px, with what a reviewer checks.

Run against a running demo (`./scripts/demo` in another terminal), from the same checkout:

    MICRODEGREE_DATA_DIR=data/demo MICRODEGREE_DEBUG=1 \
        uv run python scripts/review_pages.py [--base http://localhost:8000] [--out data/review]

Signs in as the demo owner (the staff sign-in form) and as a demo learner (a session made in
the demo's database: learners sign in by e-mailed links), visits each page in Chromium at both
widths and in English and German, saves a full-page screenshot, and prints per page: horizontal
overflow, images without alt text, controls smaller than 24x24 px (WCAG 2.2 target size, a
check we hold 2.1 pages to as well), CSP violations and console errors, and any English sentence
on a German page is left to tests/web/test_german_everywhere.py.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import django

CHROMIUM = "/usr/bin/chromium"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
OWNER = ("owner@demo.example", "demo-password-1")
LEARNER = "carla@learner.example"

CHECKS = """() => {
  const doc = document.scrollingElement;
  const overflow = doc.scrollWidth - window.innerWidth;
  const noAlt = [...document.images].filter(i => !i.hasAttribute('alt')).map(i => i.src);
  const small = [...document.querySelectorAll('a, button, input, select, textarea, summary')]
    .filter(e => { const r = e.getBoundingClientRect();
                   // a labelled checkbox or radio button: its label is part of the target
                   if (['checkbox', 'radio'].includes(e.type) && e.labels?.length) return false;
                   return r.width > 0 && r.height > 0 && (r.width < 24 || r.height < 24)
                          && getComputedStyle(e).display !== 'inline'; })
    .map(e => (e.textContent || e.getAttribute('aria-label') || e.name || e.tagName).trim()
              .slice(0, 40));
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                 && !e.closest('.table-scroll, pre, details:not([open])'))
    .slice(0, 3).map(e => e.tagName + (e.className ? '.' + e.className : ''));
  return {overflow, noAlt, small: small.slice(0, 8), wide,
          height: doc.scrollHeight, h1: document.querySelector('h1')?.textContent.trim()};
}"""


def learner_session() -> tuple[str, str]:
    """A signed-in session for the demo learner, made in the demo's database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microdegree.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.filter(email=LEARNER).first()
    if user is None:
        sys.exit(f"error: no demo learner {LEARNER}: start ./scripts/demo first")
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return settings.SESSION_COOKIE_NAME, store.session_key or ""


def pages() -> dict[str, list[str]]:
    from microdegree.institutions.models import Institution
    from microdegree.issuing.models import IssuedCredential

    inst = Institution.objects.order_by("pk").first()
    slug = inst.slug if inst else "demo"
    held = IssuedCredential.objects.filter(recipient_email=LEARNER).order_by("pk").first()
    credential = [f"/credentials/{held.uuid}"] if held else []
    staff_credential = [f"/institutions/{slug}/credentials/{held.uuid}/"] if held else []
    mine = [f"/me/credentials/p-{held.uuid}/"] if held else []
    return {
        "public": ["/", "/verify", "/catalogue", "/catalogue/institutions", "/catalogue/programs",
                   "/catalogue/agreements", "/worth", "/me/login", *credential],
        "learner": ["/me/", "/me/?view=competencies", *mine, "/me/credit/"],
        "staff": ["/dashboard/", f"/institutions/{slug}/", f"/institutions/{slug}/achievements/",
                  f"/institutions/{slug}/credentials/", *staff_credential,
                  f"/institutions/{slug}/bulk/", f"/institutions/{slug}/programs/",
                  f"/institutions/{slug}/applications/", f"/institutions/{slug}/staff/",
                  f"/institutions/{slug}/reissue-requests/"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://localhost:8000")
    parser.add_argument("--out", default="data/review")
    parser.add_argument("--lang", default="en,de")
    parser.add_argument("--only", default="public,learner,staff", help="page groups")
    args = parser.parse_args()
    cookie_name, session = learner_session()
    groups = pages()
    from playwright.sync_api import sync_playwright

    out = Path(args.out)
    problems = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        for lang in args.lang.split(","):
            for width_name, (width, height) in WIDTHS.items():
                for who, paths in groups.items():
                    if who not in args.only.split(","):
                        continue
                    context = browser.new_context(viewport={"width": width, "height": height},
                                                  locale=lang)
                    host = args.base.split("//", 1)[1].split(":")[0]
                    context.add_cookies([{"name": "django_language", "value": lang,
                                          "domain": host, "path": "/"}])
                    page = context.new_page()
                    messages: list[str] = []
                    page.on("console", lambda m, sink=messages: sink.append(m.text)
                            if m.type == "error" else None)
                    if who == "learner":
                        context.add_cookies([{"name": cookie_name, "value": session,
                                              "domain": host, "path": "/"}])
                    if who == "staff":
                        page.goto(f"{args.base}/accounts/login/")
                        page.fill("input[name=username]", OWNER[0])
                        page.fill("input[name=password]", OWNER[1])
                        with page.expect_navigation():
                            page.click("main form button[type=submit]")
                    for path in paths:
                        messages.clear()
                        response = page.goto(f"{args.base}{path}")
                        status = response.status if response else 0
                        found = page.evaluate(CHECKS)
                        name = (path.strip("/").replace("/", "_").replace("?", "_")
                                .replace("=", "-") or "home")
                        shot = out / lang / width_name / f"{who}-{name[:80]}.png"
                        shot.parent.mkdir(parents=True, exist_ok=True)
                        page.screenshot(path=str(shot), full_page=True)
                        flags = []
                        if status != 200:
                            flags.append(f"HTTP {status}")
                        if found["overflow"] > 0:
                            flags.append(f"overflow {found['overflow']}px {found['wide']}")
                        if found["noAlt"]:
                            flags.append(f"img without alt {found['noAlt'][:3]}")
                        if found["small"]:
                            flags.append(f"small targets {found['small']}")
                        if messages:
                            flags.append(f"console {messages[:3]}")
                        problems += bool(flags)
                        print(f"{lang} {width_name:7} {who:7} {path:55} "
                              f"{found['height']:>6}px  {'; '.join(flags) or 'ok'}")
                    context.close()
        browser.close()
    print(f"\nscreenshots in {out}/; {problems} page views with findings")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

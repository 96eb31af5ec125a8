"""Headless Chromium on a phone-sized screen (390 px): the learner's record (both tabs), the open
catalogue, a share page and a /worth result fit the screen (no sideways scrolling of the page:
wide tables scroll in their own region), their badge pictures load; the downloaded PNG badge
displays at 400 px or more. Pages pass the shared accessibility sanity check."""

from __future__ import annotations

import os

import pytest

from tests.conftest import CHROMIUM
from tests.verification.test_browser import A11Y

from .test_browser import _learner_sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Chromium at /usr/bin/chromium"),
]

OVERFLOW = """() => {
  const doc = document.documentElement;
  const wide = [...document.querySelectorAll("body *")].filter(el => {
    if (el.closest(".table-scroll, .chart-scroll")) return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > doc.clientWidth + 1;
  }).map(el => el.tagName + "." + el.className).slice(0, 5);
  return {scroll: doc.scrollWidth, client: doc.clientWidth, wide};
}"""

IMAGES_LOADED = """async (selector) => {
  const images = [...document.querySelectorAll(selector)];
  await Promise.all(images.map(img => img.decode().catch(() => null)));
  return images.map(img => [img.getAttribute("alt"), img.naturalWidth]);
}"""

PNG_SIZE = """async (url) => {
  const img = new Image();
  img.src = url;
  await img.decode();
  return [img.naturalWidth, img.naturalHeight];
}"""


def _fits(page) -> None:
    result = page.evaluate(OVERFLOW)
    assert result["scroll"] <= result["client"], (page.url, result)
    assert result["wide"] == [], (page.url, result)


def _badges_load(page, selector: str, at_least: int = 1) -> None:
    images = page.evaluate(IMAGES_LOADED, selector)
    assert len(images) >= at_least, (page.url, selector)
    for alt, width in images:
        assert (alt or "").startswith("Badge image of "), (page.url, alt)
        assert width > 0, (page.url, alt)


@pytest.mark.django_db(transaction=True)
def test_learner_pages_fit_a_phone_and_show_badges(live_server, program, md_agreement,
                                                   completed, learner, browser_page):
    from microdegree.records import services

    whole, parts = completed
    share = services.set_preference(learner, f"p-{parts[0].uuid}", visibility="link")
    page = browser_page  # ORM work above, before Playwright starts
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})

    _learner_sign_in(page, base)
    assert page.evaluate(A11Y) == []
    _fits(page)
    _badges_load(page, "#creds-h ~ * img", at_least=4)  # the microdegree and its three parts
    assert page.locator("article.card.degree ul.items.parts > li").count() == 3

    page.click("nav.tabs a:has-text('By competency')")
    page.wait_for_url("**/me/?view=competencies*")
    assert page.evaluate(A11Y) == []
    _fits(page)
    _badges_load(page, "table img", at_least=3)

    page.goto(f"{base}/catalogue")
    _fits(page)
    first = page.locator("img.result-badge").first
    first.scroll_into_view_if_needed()
    _badges_load(page, "img.result-badge", at_least=4)

    page.goto(f"{base}/share/{share.share_token}")
    assert page.evaluate(A11Y) == []
    _fits(page)
    _badges_load(page, "img.badge-img")

    page.goto(f"{base}/worth")
    page.check(f"input[value='p-{whole.uuid}']")
    page.click("main form button[type=submit]")
    page.wait_for_selector("h2:has-text('1 program recognises them')")
    assert page.evaluate(A11Y) == []
    _fits(page)
    _badges_load(page, ".checked-credentials img")

    # the downloadable PNG badge is a picture of 400 px or more that the browser displays
    page.goto(f"{base}/me/credentials/p-{whole.uuid}/")
    width, height = page.evaluate(PNG_SIZE, f"/me/credentials/p-{whole.uuid}/credential.png")
    assert width >= 400
    assert height >= 400

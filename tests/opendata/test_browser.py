"""The catalogue in headless Chromium: the filter form works with JavaScript switched off
(a plain GET form, pagination by links), and axe-core finds no serious or critical WCAG 2.1 A/AA
violation on the catalogue, a filter error, and the open-data page."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM

AXE = Path(__file__).resolve().parents[1] / "node" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Chromium at /usr/bin/chromium"),
]

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return {passes: result.passes.length,
          violations: result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + ": " + n.failureSummary)}))};
}"""


def axe_problems(page) -> list[dict]:
    # evaluated through DevTools, not as a <script> tag: the pages' CSP refuses inline scripts
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(RUN_AXE, WCAG_TAGS)
    assert result["passes"] > 5, "axe ran no rules on this page"
    for v in result["violations"]:
        print(page.url, v["impact"], v["id"], v["help"], v["nodes"])
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def result_names(page) -> list[str]:
    return [h.inner_text() for h in page.query_selector_all("ul.results h3")]


@pytest.mark.django_db(transaction=True)
def test_filters_and_pages_work_without_javascript(live_server, catalogue, browser_page,
                                                   settings):
    settings.OPENDATA_PAGE_SIZE = 2
    context = browser_page.context.browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/catalogue")
        assert page.inner_text("h1") == "Open catalogue"
        page.click("form.filters summary")  # under "More filters"
        page.select_option("#id_participation", "online")
        page.check("#id_free")
        page.click("form.filters button[type=submit]")
        assert "participation=online" in page.url
        assert result_names(page) == ["Data Literacy", "Data Science Microdegree"]

        page.goto(f"{live_server.url}/catalogue")
        page.click("form.filters summary")  # under "More filters"
        page.fill("#id_language", "en")
        page.click("form.filters button[type=submit]")
        assert result_names(page) == ["Data Literacy", "Data Science Microdegree"]
        page.click("a[rel=next]")
        assert result_names(page) == ["Python Basics"]
        assert "page 2 of 2" in page.inner_text("main")

        page.goto(f"{live_server.url}/catalogue")
        page.click("form.filters summary")  # under "More filters"
        page.fill("#id_credits_min", "10")
        page.fill("#id_credits_max", "5")
        page.click("form.filters button[type=submit]")
        assert "This must not be below the minimum." in page.inner_text("#id_credits_max_error")
    finally:
        context.close()


@pytest.mark.skipif(not AXE.is_file(), reason=f"needs axe-core at {AXE}")
@pytest.mark.django_db(transaction=True)
def test_axe_finds_no_serious_violations(live_server, catalogue, browser_page):
    page = browser_page
    base = live_server.url
    for path in ("/catalogue", "/catalogue?eqf=9", "/catalogue/programs",
                 "/catalogue/agreements", "/catalogue/institutions", "/open-data",
                 "/catalogue/programs/tech-uni/msc-data-science",
                 f"/catalogue/agreements/{catalogue['named'].pk}"):
        page.goto(f"{base}{path}")
        assert axe_problems(page) == [], path

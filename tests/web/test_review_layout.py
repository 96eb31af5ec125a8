"""Design review: tables scroll on their own, a readable chart, names not slugs, nav links."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

pytestmark = pytest.mark.django_db

SCROLL = re.compile(
    r'<div class="table-scroll" tabindex="0" role="region" aria-label="[^"]+">\s*<table')


def _issue(course, n: int = 1):
    from microdegree.issuing import services as issuing

    return [issuing.issue_credential(None, course, recipient_email=f"l{i}@example.org",
                                     send_email=False) for i in range(n)]


def _tables_scroll(page: str) -> None:
    tables = page.count("<table")
    assert tables
    assert len(SCROLL.findall(page)) == tables - page.count('<table class="visually-hidden"')


def test_overview_tables_scroll_and_chart_is_readable(client, institution, owner, course):
    _issue(course, 3)
    client.force_login(owner)
    page = client.get("/institutions/example-uni/").content.decode()
    _tables_scroll(page)
    assert 'aria-label="Recent awards"' in page
    assert '<div class="chart-scroll">' in page
    svg = page[page.index("<svg"):page.index("</svg>")]
    sizes = set(re.findall(r'font-size="(\d+)"', svg))
    assert sizes == {"13"}
    # the week link is the current one; the month link is not
    assert '<a href="?by=week" aria-current="page">' in page
    assert '<a href="?by=month">' in page
    month = client.get("/institutions/example-uni/", {"by": "month"}).content.decode()
    assert '<a href="?by=month" aria-current="page">' in month
    # the text alternative stays
    assert re.search(r"<tr><th scope=\"row\">[^<]+</th><td>3</td></tr>", page)
    assert 'class="cards counts"' in page


def test_a_bar_with_credentials_and_the_last_bar_are_labelled(institution, course):
    from microdegree.issuing.models import IssuedCredential
    from microdegree.web.chart import issued_chart

    creds = _issue(course, 4)
    today = date(2026, 11, 29)  # a Sunday: the last week starts on 23 November
    # week index 1 (odd, otherwise unlabelled) gets one credential, the last week three
    IssuedCredential.objects.filter(pk=creds[0].pk).update(
        issued_at=datetime(2026, 9, 15, 12, tzinfo=UTC))
    IssuedCredential.objects.filter(pk__in=[c.pk for c in creds[1:]]).update(
        issued_at=datetime(2026, 11, 27, 12, tzinfo=UTC))
    chart = issued_chart(institution, "week", today=today)
    shown = [i for i, bar in enumerate(chart.bars) if bar.show_label]
    assert [bar.count for bar in chart.bars][1] == 1
    # every other bar from the latest: no two labels side by side (they ran together)
    assert shown == [1, 3, 5, 7, 9, 11]
    assert chart.bars[-1].axis_lines == ("23 Nov",)
    # a middle gridline half way up a 3 high axis
    assert (chart.max_count, chart.mid_count) == (3, 1)
    assert chart.baseline > chart.mid_y > chart.top
    months = issued_chart(institution, "month", today=today)
    assert months.bars[-1].axis_lines == ("Nov", "2026")
    assert months.bars[-1].show_label


def test_no_middle_gridline_below_two(client, institution, owner, course):
    _issue(course, 1)
    client.force_login(owner)
    page = client.get("/institutions/example-uni/").content.decode()
    assert 'data-gridline="mid"' not in page
    _issue(course, 3)
    page = client.get("/institutions/example-uni/").content.decode()
    assert 'data-gridline="mid"' in page


def test_credential_list_shows_names_and_a_search_field(client, institution, owner, course):
    _issue(course, 1)
    client.force_login(owner)
    page = client.get("/institutions/example-uni/credentials/").content.decode()
    _tables_scroll(page)
    assert '>Course stats</a>' in page  # the award link
    assert re.search(r'<option value="stats"[^>]*>Course stats</option>', page)
    assert re.search(r'<label>Recipient e-mail <input type="search" name="q"', page)


def test_catalogue_dates_scroll_and_nav(client, institution, owner, course):
    from django.utils import formats

    _issue(course, 1)
    course.refresh_from_db()
    client.force_login(owner)
    page = client.get("/institutions/example-uni/achievements/").content.decode()
    _tables_scroll(page)
    assert f"since {formats.date_format(course.awarded_at, 'DATE_FORMAT')}" in page
    assert not re.search(r"since \d{4}-\d\d-\d\d", page)
    nav = page[page.index('<nav aria-label="Catalogue">'):]
    nav = nav[:nav.index("</nav>")]
    assert '<ul class="links">' in nav
    assert 'href="/institutions/example-uni/"' in nav


def test_dashboard_table_scrolls(client, admin_user, make_user):
    from microdegree.institutions import services

    applicant = make_user("applicant@new.example")
    services.register_institution(applicant, name="New College", country_code="NL",
                                  owner=applicant)
    client.force_login(admin_user)
    page = client.get("/dashboard/").content.decode()
    assert "New College" in page
    _tables_scroll(page)


def test_award_links_end_cleanly_and_cost_no_query_per_achievement(
        client, institution, owner, course, django_assert_max_num_queries):
    """A microdegree last in the list leaves no dangling separator; names come from one
    prefetch, so more achievements do not mean more queries."""
    from microdegree.catalog import services as catalog

    catalog.create_definition(None, institution, name="Zeta Microdegree", slug="zz-degree",
                              kind="microdegree", description="All.", criteria_narrative="All.",
                              credits_available=10)
    client.force_login(owner)
    url = "/institutions/example-uni/credentials/"
    client.get(url)  # warm caches (session, site)
    with django_assert_max_num_queries(30) as few:
        page = client.get(url).content.decode()
    award = re.search(r"<p>Award: (.*?)</p>", page).group(1)
    assert award.endswith("Course stats</a>")
    assert "Zeta Microdegree" not in award  # a microdegree is awarded by its pathway
    for n in range(5):
        catalog.create_definition(None, institution, name=f"Course {n}", slug=f"c{n}",
                                  description="x", criteria_narrative="x", credits_available=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert "Course 4</a>" in page

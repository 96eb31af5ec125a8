"""The record grouped by institution, each held microdegree with its parts nested under it, the
competency view as a second tab (plain links, no JS), badge pictures with alt text, and an
optional part the learner did not need shown neutrally ("not needed"), not as missing."""

from __future__ import annotations

import re

import pytest

from microdegree.records import record, services
from microdegree.records.models import ImportedCredential

from .conftest import award

pytestmark = pytest.mark.django_db

ADA = "ada@example.org"


def _section(html: str, start: str, end: str) -> str:
    begin = html.index(start)
    return html[begin:html.index(end, begin)]


@pytest.fixture
def holder(institution, pathway, sign_in):
    """Ada holds stats and viz, so the microdegree (all of stats, one of viz / ethics)."""
    degree, (stats, viz, _ethics) = pathway
    award(stats, ADA)
    award(viz, ADA)
    user = sign_in(ADA)
    return user, degree


def test_grouped_by_institution_with_the_parts_under_the_microdegree(client, holder,
                                                                    institution):
    user, _degree = holder
    groups = record.by_institution(record.items(user))
    assert [g.name for g in groups] == [institution.name]
    (group,) = groups
    assert [d.item.summary.name for d in group.degrees] == ["Data Science Microdegree"]
    assert sorted(p.summary.name for p in group.degrees[0].parts) == ["Course stats",
                                                                      "Course viz"]
    assert group.others == []  # both courses sit under the microdegree, not again beside it

    html = client.get("/me/").content.decode()
    credentials = _section(html, 'id="creds-h"', 'id="emails-h"')
    assert f">{institution.name}</h3>" in credentials
    card = _section(credentials, '<article class="card degree"', "</article>")
    assert ">Data Science Microdegree</a></h4>" in card
    assert "Its parts in your record" in card
    parts = card[card.index('<ul class="items parts">'):]
    assert "Course stats" in parts
    assert "Course viz" in parts
    assert credentials.count("Course stats</a>") == 1  # not again outside the microdegree
    assert "<table" not in credentials  # cards, not a wide table


def test_other_credentials_and_imports_get_their_own_groups(client, institution, pathway,
                                                            sign_in):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from microdegree.records import badges

    _degree, (_stats, _viz, ethics) = pathway
    award(ethics, ADA)
    other = award(ethics, "someone@example.org")
    user = sign_in(ADA)
    upload = SimpleUploadedFile("b.png", badges.baked_png(other), content_type="image/png")
    assert client.post("/me/import", {"file": upload}).status_code == 302
    imported = ImportedCredential.objects.get()
    groups = record.by_institution(record.items(user))
    (group,) = groups  # the import names the same issuer: one group
    assert group.degrees == []
    assert {i.kind for i in group.others} == {"platform", "imported"}
    html = client.get("/me/").content.decode()
    # the import's picture is its own badge download (nothing loaded from elsewhere)
    assert f'src="/me/credentials/i-{imported.uuid}/credential.svg"' in html


def test_badge_images_with_alt_text_on_the_record(client, holder):
    html = client.get("/me/").content.decode()
    images = re.findall(r'<img src="([^"]+)" alt="([^"]*)"', html)
    by_alt = {alt: src for src, alt in images}
    degree = by_alt["Badge image of Data Science Microdegree"]
    assert re.fullmatch(r"/achievements/[\w-]+/data-science/v\d+/image\.svg", degree)
    assert re.fullmatch(r"/achievements/[\w-]+/stats/v1/image\.svg",
                        by_alt["Badge image of Course stats"])
    assert all(alt for _, alt in images)


def test_the_competency_view_is_a_second_tab_without_js(client, holder):
    html = client.get("/me/").content.decode()
    tabs = _section(html, '<nav class="tabs"', "</nav>")
    assert re.search(r'href="/me/#creds-h" aria-current="page">By institution<',
                     tabs)
    assert 'href="/me/?view=competencies#creds-h">By competency' in tabs
    second = client.get("/me/?view=competencies").content.decode()
    tabs = _section(second, '<nav class="tabs"', "</nav>")
    assert 'href="/me/?view=competencies#creds-h" aria-current="page"' in tabs
    assert re.search(r"<h3>(<a [^>]+>)?Data analysis(</a>)?</h3>", second)
    assert '<article class="card degree"' not in second
    assert '<article class="card degree"' in html


def test_an_optional_part_not_needed_is_neutral_in_a_held_microdegree(client, holder):
    user, _degree = holder
    (progress,) = record.progress(user)
    assert progress.held
    leaves = {}

    def walk(node):
        if not node.children:
            leaves[node.text] = node
        for child in node.children:
            walk(child)

    walk(progress.tree)
    assert leaves["Course ethics"].not_needed
    assert not leaves["Course ethics"].done
    assert not leaves["Course stats"].not_needed
    html = client.get("/me/").content.decode()
    ethics = _section(html, '<li class="not-needed">', "</li>")
    assert "Course ethics" in ethics
    assert "(not needed)" in ethics
    assert "Missing:" not in ethics
    progress_html = _section(html, 'id="progress-h"', "</section>")
    assert 'class="fail"' not in progress_html  # nothing red in a microdegree Ada holds


def test_a_missing_part_of_an_unfinished_microdegree_is_still_missing(client, institution,
                                                                      pathway, sign_in):
    _degree, (stats, _viz, _ethics) = pathway
    award(stats, ADA)
    user = sign_in(ADA)
    (progress,) = record.progress(user)
    assert not progress.held
    html = client.get("/me/").content.decode()
    progress_html = _section(html, 'id="progress-h"', "</section>")
    assert 'class="fail"' in progress_html
    assert "(not needed)" not in progress_html


def test_share_page_shows_the_badge(client, holder, institution):
    user, _degree = holder
    item = next(i for i in record.items(user) if i.summary.name == "Course stats")
    pref = services.set_preference(user, item.key, visibility="link")
    html = client.get(f"/share/{pref.share_token}").content.decode()
    match = re.search(r'<img src="([^"]+)" alt="Badge image of Course stats"', html)
    assert match
    assert match.group(1) == item.obj.achievement_version.badge_path


def test_share_page_preview_image_is_the_png_badge(client, holder):
    user, _degree = holder
    item = next(i for i in record.items(user) if i.summary.name == "Course stats")
    pref = services.set_preference(user, item.key, visibility="link")
    html = client.get(f"/share/{pref.share_token}").content.decode()
    version = item.obj.achievement_version
    assert f'<meta property="og:image" content="{version.achievement_id}/image.png">' in html

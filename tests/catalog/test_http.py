"""Through the real views: public achievement URLs, images, and the staff pages."""

from __future__ import annotations

import json
import struct
import xml.etree.ElementTree as ET
import zlib

import pytest

from microdegree.audit.models import AuditEntry
from microdegree.catalog import services
from microdegree.catalog.models import AchievementVersion
from microdegree.institutions import services as institutions

pytestmark = pytest.mark.django_db

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
URL = "/achievements/example-uni/data-literacy"
STAFF = "/institutions/example-uni/achievements"


def png_bytes(extra: bytes = b"") -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat + extra) + \
        chunk(b"IEND", b"")


SAFE_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">' \
    b'<defs><circle id="c" r="4"/></defs><use href="#c"/><rect width="10" height="10"/></svg>'


# --- public ---------------------------------------------------------------------------------


def test_public_page_is_html_for_browsers_and_json_ld_on_request(client, make_definition):
    version = make_definition(learning_outcomes=["Read a chart"], eqf_level=5,
                              assessment_type="portfolio", participation_form="blended")
    page = client.get(f"{URL}/v1", HTTP_ACCEPT=BROWSER)
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert "Accept" in page["Vary"]
    html = page.content.decode()
    for text in ("<h1>Data Literacy</h1>", "Read a chart", "EQF level 5", "Portfolio",
                 "Blended", "Example University", 'alt="Badge of Data Literacy"'):
        assert text in html

    ld = client.get(f"{URL}/v1", HTTP_ACCEPT="application/ld+json")
    assert ld["Content-Type"] == "application/ld+json"
    assert ld["Vary"] == "Accept"
    assert ld["Access-Control-Allow-Origin"] == "*"
    doc = json.loads(ld.content)
    assert doc["@context"][:2] == ["https://www.w3.org/ns/credentials/v2",
                                   "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert doc["id"] == version.achievement_id == f"http://localhost:8000{URL}/v1"
    assert doc["name"] == "Data Literacy"

    plain = client.get(f"{URL}/v1", HTTP_ACCEPT="application/json")
    assert plain["Content-Type"] == "application/json"
    assert json.loads(plain.content)["id"] == doc["id"]
    assert client.get(f"{URL}/v1")["Content-Type"].startswith("text/html")  # no Accept
    assert client.head(f"{URL}/v1").status_code == 200
    assert client.post(f"{URL}/v1").status_code == 405


def test_missing_things_are_404(client, make_definition):
    make_definition()
    assert client.get(f"{URL}/v2").status_code == 404
    assert client.get("/achievements/example-uni/nope/v1").status_code == 404
    missing = client.get("/achievements/nope/data-literacy/v1", HTTP_ACCEPT="application/ld+json")
    assert missing.status_code == 404
    assert json.loads(missing.content)["code"] == "NOT_FOUND"


def test_the_unversioned_url_redirects_to_the_latest_version(client, make_definition, issuer):
    v1 = make_definition()
    assert client.get(URL)["Location"] == f"{URL}/v1"
    services.mark_awarded(v1)
    services.update_definition(issuer, v1.definition, ects=6)
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{URL}/v2"
    old = client.get(f"{URL}/v1", HTTP_ACCEPT="application/ld+json")
    assert json.loads(old.content)["ECTS"] == 5  # the awarded version still says what it said
    assert "a newer version (v2) exists" in client.get(f"{URL}/v1").content.decode()


def test_generated_svg_badge(client, make_definition):
    make_definition("Data Literacy & <Ethics>", slug="data-literacy", eqf_level=4)
    response = client.get(f"{URL}/v1/image.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    root = ET.fromstring(response.content)  # well-formed despite the & and <>
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None
    assert title.text == "Data Literacy & <Ethics>, Example University, EQF level 4"
    png = client.get(f"{URL}/v1/image.png")  # the same badge drawn as a PNG (link previews)
    assert png.status_code == 200
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert int.from_bytes(png.content[16:20], "big") == 600  # IHDR width


# --- staff ----------------------------------------------------------------------------------


def test_staff_pages_need_a_login_and_membership(client, make_definition, make_user,
                                                 other_institution):
    make_definition()
    pages = [f"{STAFF}/", f"{STAFF}/data-literacy/",
             "/institutions/example-uni/competencies/", f"{STAFF}/new"]
    for page in pages:
        assert client.get(page).status_code == 302  # to the login page
    client.force_login(other_institution.members.get().user)
    for page in pages:
        assert client.get(page).status_code == 404  # same as a missing institution
    assert client.get("/institutions/no-such-uni/achievements/").status_code == 404


def test_a_viewer_reads_but_does_not_write(client, make_definition, make_user, institution):
    make_definition()
    viewer = make_user()
    institutions.set_member(None, institution, viewer, "viewer")
    client.force_login(viewer)
    assert client.get(f"{STAFF}/").status_code == 200
    response = client.post(f"{STAFF}/data-literacy/", {"name": "Changed"})
    assert response.status_code == 403
    assert AchievementVersion.objects.get().name == "Data Literacy"


def form_data(version: AchievementVersion, **changes):
    data = {
        "name": version.name, "description": version.description,
        "criteria_narrative": version.criteria_narrative, "achievement_type": "MicroCredential",
        "language": "en", "ects": "5", "credits_available": "5", "tags": "",
        "learning_outcomes": "Read a chart\nQuestion a source",
    }
    data.update(changes)
    return data


def test_create_and_edit_through_the_pages(client, issuer, institution):
    client.force_login(issuer)
    competency = services.create_competency(issuer, institution, name="Reading charts")
    page = client.get(f"{STAFF}/new?kind=microcredential")
    assert page.status_code == 200
    assert '<label for="id_name">' in page.content.decode()
    response = client.post(f"{STAFF}/new", {
        "kind": "microcredential", "name": "Data Literacy", "description": "Read data.",
        "criteria_narrative": "Pass the exam.", "achievement_type": "MicroCredential",
        "language": "en", "learning_outcomes": "Read a chart\nQuestion a source",
        "competencies": [competency.pk], "eqf_level": "5",
    })
    assert response.status_code == 302
    assert response["Location"] == f"{STAFF}/data-literacy/"
    version = AchievementVersion.objects.get()
    assert version.learning_outcomes == ["Read a chart", "Question a source"]
    assert list(version.competencies.all()) == [competency]

    listing = client.get(f"{STAFF}/").content.decode()
    assert "Data Literacy" in listing
    assert "/achievements/example-uni/data-literacy/v1" in listing

    bad = client.post(f"{STAFF}/data-literacy/", form_data(version, eqf_level="9"))
    assert bad.status_code == 400

    services.mark_awarded(version)
    page = client.get(f"{STAFF}/data-literacy/").content.decode()
    assert "saving this form creates version 2" in page
    response = client.post(f"{STAFF}/data-literacy/",
                           form_data(version, name="Data Literacy II"))
    assert response.status_code == 302
    assert "Saved as version 2" in client.get(response["Location"]).content.decode()
    assert [v.name for v in AchievementVersion.objects.order_by("number")] == \
        ["Data Literacy", "Data Literacy II"]


def test_rule_page(client, issuer, make_definition):
    make_definition("Statistics", slug="statistics")
    make_definition("Python", slug="python")
    make_definition("Data Science", slug="data-science", kind="microdegree")
    client.force_login(issuer)
    page = f"{STAFF}/data-science/rule"
    assert "No rule yet" in client.get(page).content.decode()
    assert client.get(f"{STAFF}/statistics/rule").status_code == 404

    not_json = client.post(page, {"rule": "{all_of"})
    assert not_json.status_code == 400
    assert "not valid JSON" in not_json.content.decode()

    itself = client.post(page, {"rule": '{"all_of": [{"achievement": "data-science"}]}'})
    assert itself.status_code == 400
    assert "cannot include itself" in itself.content.decode()

    rule = {"all_of": [{"achievement": "statistics"},
                       {"credits_at_least": 5, "from": [{"achievement": "python"}]}]}
    assert client.post(page, {"rule": json.dumps(rule)}).status_code == 302
    html = client.get(page).content.decode()
    assert "<li>All of:" in html
    assert "At least 5 credits from:" in html
    assert "Python (python)" in html
    assert "&quot;achievement&quot;: &quot;statistics&quot;" in html  # slugs, not ids
    public = client.get("/achievements/example-uni/data-science/v1").content.decode()
    assert "At least 5 credits from:" in public
    assert "Stacks into" in client.get("/achievements/example-uni/python/v1").content.decode()


def test_image_upload(client, issuer, make_definition):
    make_definition()
    client.force_login(issuer)
    page = f"{STAFF}/data-literacy/image"

    from django.core.files.uploadedfile import SimpleUploadedFile

    def upload(name, data, content_type):
        return client.post(page, {"image": SimpleUploadedFile(name, data, content_type)})

    assert upload("badge.png", png_bytes(), "image/png").status_code == 302
    version = AchievementVersion.objects.get()
    assert version.image.name.endswith(".png")
    served = client.get(f"{URL}/v1/image.png")
    assert served.content == png_bytes()
    assert served["Content-Type"] == "image/png"
    doc = json.loads(client.get(f"{URL}/v1", HTTP_ACCEPT="application/ld+json").content)
    assert doc["image"]["id"] == f"http://localhost:8000{URL}/v1/image.png"

    damaged = upload("badge.png", png_bytes()[:-12], "image/png")
    assert damaged.status_code == 400
    assert "damaged" in damaged.content.decode()
    too_big = upload("big.png", png_bytes(b"\x00" * (1024 * 1024)), "image/png")
    assert too_big.status_code == 400
    assert "larger than 1 MB" in too_big.content.decode()
    not_image = upload("notes.txt", b"hello", "text/plain")
    assert not_image.status_code == 400
    assert "PNG or an SVG" in not_image.content.decode()

    for evil, reason in [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "script"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "event handler"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject>'
         b"</svg>", "foreignobject"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
         b'<a x:href="javascript:alert(1)"><rect/></a></svg>', "outside content"),
        (b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
         "DOCTYPE"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(http://x/)</style></svg>',
         "styles"),
    ]:
        response = upload("evil.svg", evil, "image/svg+xml")
        assert response.status_code == 400, reason
        assert reason in response.content.decode(), reason
    assert AchievementVersion.objects.get().image.name.endswith(".png")  # unchanged

    assert upload("badge.svg", SAFE_SVG, "image/svg+xml").status_code == 302
    served = client.get(f"{URL}/v1/image.svg")
    assert served.content == SAFE_SVG
    assert "default-src 'none'" in served["Content-Security-Policy"]

    assert client.post(page, {"generated": "1"}).status_code == 302
    assert b"<title" in client.get(f"{URL}/v1/image.svg").content
    assert [e.action for e in AuditEntry.objects.filter(action__startswith="catalog.image")
            .order_by("id")] == ["catalog.image_set", "catalog.image_set",
                                 "catalog.image_cleared"]


def test_an_image_for_an_awarded_version_goes_into_the_next(client, issuer, make_definition):
    v1 = make_definition()
    services.mark_awarded(v1)
    client.force_login(issuer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(f"{STAFF}/data-literacy/image",
                           {"image": SimpleUploadedFile("b.png", png_bytes(), "image/png")})
    assert response.status_code == 302
    v1.refresh_from_db()
    assert not v1.image
    assert AchievementVersion.objects.get(number=2).image.name.endswith(".png")


def test_competency_pages(client, issuer, institution):
    client.force_login(issuer)
    response = client.post("/institutions/example-uni/competencies/", {
        "name": "Use spreadsheets", "framework": "esco", "framework_name": "",
        "target_url": "http://data.europa.eu/esco/skill/1973c966", "code": "S5.6.1",
        "description": "",
    })
    assert response.status_code == 302
    competency = institution.competencies.get()
    listing = client.get("/institutions/example-uni/competencies/").content.decode()
    assert "Use spreadsheets" in listing
    bad = client.post("/institutions/example-uni/competencies/", {"name": "", "framework": "own"})
    assert bad.status_code == 400
    edit = client.post(f"/institutions/example-uni/competencies/{competency.pk}", {
        "name": "Use spreadsheets well", "framework": "esco", "code": "S5.6.1",
        "target_url": "http://data.europa.eu/esco/skill/1973c966", "framework_name": "",
        "description": "",
    })
    assert edit.status_code == 302
    competency.refresh_from_db()
    assert competency.name == "Use spreadsheets well"
    public = client.get(f"/competencies/example-uni/{competency.pk}")
    assert "Use spreadsheets well" in public.content.decode()


def test_public_json_catalogue(client, issuer, make_definition):
    make_definition("Statistics", slug="statistics", ects=2.5, credits_available=2.5)
    md = make_definition("Data Science", slug="data-science", kind="microdegree",
                         credits_available=15)
    services.set_rule(issuer, md, {"all_of": [{"achievement": "statistics"}]})
    response = client.get("/api/v1/institutions/example-uni/achievements")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    data = json.loads(response.content)
    assert data["institution"]["slug"] == "example-uni"
    by_slug = {a["slug"]: a for a in data["achievements"]}
    assert by_slug["statistics"]["ects"] == 2.5
    assert by_slug["statistics"]["achievementId"] == \
        "http://localhost:8000/achievements/example-uni/statistics/v1"
    assert by_slug["data-science"]["rule"] == {"all_of": [{"achievement": "statistics"}]}
    assert by_slug["data-science"]["components"] == ["statistics"]
    assert by_slug["data-science"]["achievementType"] == "LearningProgram"
    missing = client.get("/api/v1/institutions/nope/achievements")
    assert missing.status_code == 404
    assert json.loads(missing.content)["code"] == "NOT_FOUND"


def test_pages_render_without_the_site_base_template():
    from django.template.loader import render_to_string

    html = render_to_string("catalog/error.html", {"message": "Nope.", "site_base": None})
    assert "<!doctype html>" in html
    assert 'href="#main">Skip to content' in html
    assert "Nope." in html

"""The downloadable PNG badge is the badge picture itself: at least 400 px, the SVG's design
(its circle colour, white ring and text), with the signed credential baked in (an `iTXt` chunk
`openbadgecredential`) that extracts and verifies."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from microdegree.catalog import services as catalog
from microdegree.catalog.images import generated_svg
from microdegree.records import badges
from microdegree.records.models import ImportedCredential
from microdegree.vc.extract import png_credential

from .conftest import award

pytestmark = pytest.mark.django_db

ADA = "ada@example.org"


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def _download(client, cred) -> bytes:
    response = client.get(f"/me/credentials/p-{cred.uuid}/credential.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    return response.content


@pytest.fixture
def held(institution, pathway, sign_in):
    _, (stats, _, _) = pathway
    cred = award(stats, ADA, recipient_name="Ada Lovelace")
    sign_in(ADA)
    return cred


def test_the_png_is_the_designed_badge_at_400_px_or_more(client, held):
    data = _download(client, held)
    with Image.open(io.BytesIO(data)) as image:
        assert image.width >= 400
        assert image.height >= 400
        rgba = image.convert("RGBA")
        centre_colours = rgba.crop((rgba.width // 4, rgba.height // 4,
                                    3 * rgba.width // 4, 3 * rgba.height // 4)).getcolors(10**6)
        corner = rgba.getpixel((2, 2))
    assert centre_colours is not None
    # not one flat colour: the circle, the white text and their anti-aliased edges
    assert len(centre_colours) >= 10
    svg = generated_svg(held.achievement_version)
    fill = re.search(r'<circle cx="150" cy="150" r="146" fill="(#[0-9a-f]{6})"', svg).group(1)
    by_count = sorted(centre_colours, reverse=True)
    assert by_count[0][1][:3] == _rgb(fill)  # the SVG's circle is the picture's main colour
    whites = [c for c in centre_colours if c[1][:3] == (255, 255, 255)]
    assert whites
    assert whites[0][0] > 500
    assert corner[3] == 0  # a round badge: the corners outside the circle are transparent


def test_the_baked_credential_extracts_and_verifies(client, held):
    data = _download(client, held)
    assert png_credential(data) == held.document  # verbatim, from the iTXt chunk
    upload = SimpleUploadedFile("badge.png", data, content_type="image/png")
    response = client.post("/verify", {"file": upload})
    verdict = re.search(r'id="verdict">\s*<p><strong>([^<]+)</strong>', response.content.decode())
    assert verdict
    assert verdict.group(1) == "Verified"
    assert "baked PNG image" in response.content.decode()


def test_a_small_uploaded_png_is_scaled_up_and_still_baked(client, institution, sign_in):
    course = catalog.create_definition(
        None, institution, name="Course logo", slug="logo", description="With a logo.",
        criteria_narrative="Pass.", credits_available=5)
    small = io.BytesIO()
    Image.new("RGB", (100, 60), (200, 30, 30)).save(small, format="PNG")
    version = catalog.set_image(None, course, SimpleUploadedFile("logo.png", small.getvalue()))
    cred = award(version, ADA)
    sign_in(ADA)
    data = _download(client, cred)
    with Image.open(io.BytesIO(data)) as image:
        assert min(image.size) >= 400
        assert image.size[0] / image.size[1] == pytest.approx(100 / 60, rel=0.02)
        assert image.convert("RGB").getpixel((50, 50)) == (200, 30, 30)
    assert png_credential(data) == cred.document


def test_an_imported_credential_gets_the_same_design_with_its_own_name(client, pathway,
                                                                      sign_in):
    _, (stats, _, _) = pathway
    other = award(stats, "someone@example.org")
    sign_in(ADA)
    upload = SimpleUploadedFile("badge.png", badges.baked_png(other), content_type="image/png")
    assert client.post("/me/import", {"file": upload}).status_code == 302
    imported = ImportedCredential.objects.get()
    response = client.get(f"/me/credentials/i-{imported.uuid}/credential.png")
    with Image.open(io.BytesIO(response.content)) as image:
        assert min(image.size) >= 400
        assert len(image.convert("RGB").getcolors(10**6) or []) > 10
    assert png_credential(response.content) == other.document
    svg = client.get(f"/me/credentials/i-{imported.uuid}/credential.svg").content.decode()
    assert "<title id=\"title\">Course stats" in svg

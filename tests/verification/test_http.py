"""The verify page and the public credential pages through the Django test client."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from microdegree.issuing import services as issuing
from microdegree.verification.bake import bake_png, bake_svg
from microdegree.verification.extract import MAX_UPLOAD
from tests.vc.test_fetch import json_route, send, tls_server
from tests.verification.helpers import (
    SVG,
    itxt,
    key_credential,
    key_from,
    tiny_png,
    unsigned,
    vc_jwt,
)

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


def _verdict(response) -> str:
    match = re.search(r'id="verdict">\s*<p><strong>([^<]+)</strong>', _text(response))
    assert match, _text(response)[:2000]
    return match.group(1)


# --- the form -------------------------------------------------------------------------------


def test_form_page(client):
    response = client.get("/verify")
    assert response.status_code == 200
    page = _text(response)
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'enctype="multipart/form-data"' in page
    for field in ('name="credential"', 'name="file"', 'name="url"'):
        assert field in page
    assert "verification/qr.js" in page
    assert 'id="qr" hidden' in page  # the scanner appears only when JavaScript runs


def test_csrf_is_enforced():
    response = Client(enforce_csrf_checks=True).post("/verify", {"credential": "{}"})
    assert response.status_code == 403


# --- paste ----------------------------------------------------------------------------------


def test_paste_platform_credential(client, issued, institution):
    response = client.post("/verify", {"credential": issued.document})
    assert response.status_code == 200
    assert _verdict(response) == "Verified"
    page = _text(response)
    assert "Example University" in page
    assert institution.did in page
    assert "EQF level 6" in page
    assert "Microdegree platform" in page  # which registry knows the issuer
    assert page.count('<li class="pass"') >= 6
    assert '<li class="fail"' not in page


def test_paste_did_key_credential_shows_the_warning(client):
    response = client.post("/verify", {"credential": json.dumps(key_credential())})
    assert _verdict(response) == "Verified, with warnings"
    page = _text(response)
    assert "is not in any registry this verifier trusts" in page
    assert '<li class="warn" data-code="ISSUER_UNKNOWN"' in page


def test_paste_tampered_credential(client):
    cred = key_credential(name="<script>alert(1)</script>")
    cred["credentialSubject"]["creditsEarned"] = 50
    response = client.post("/verify", {"credential": json.dumps(cred)})
    assert response.status_code == 200
    assert _verdict(response) == "Not verified"
    assert "<script>alert(1)</script>" not in _text(response)
    assert "&lt;script&gt;" in _text(response)


def test_paste_presentation_shows_each_credential(client):
    vp = {"@context": ["https://www.w3.org/ns/credentials/v2"],
          "type": ["VerifiablePresentation"],
          "verifiableCredential": [key_credential(key_from(1)), key_credential(key_from(2))]}
    page = _text(client.post("/verify", {"credential": json.dumps(vp)}))
    assert "Credentials inside (2)" in page
    assert page.count('<section class="card nested">') == 2


def test_paste_vc_jwt(client):
    key = key_from(5)
    token = vc_jwt(unsigned(key_credential(key)), key)
    response = client.post("/verify", {"credential": token})
    assert _verdict(response) == "Verified, with warnings"
    assert 'data-code="JWS_SIGNATURE_VALID"' in _text(response)
    assert "VC-JWT (JWS)" in _text(response)


# --- upload ---------------------------------------------------------------------------------


def test_upload_baked_png(client, issued):
    png = bake_png(tiny_png(), issued.document)
    upload = SimpleUploadedFile("badge.png", png, content_type="image/png")
    response = client.post("/verify", {"file": upload})
    assert _verdict(response) == "Verified"
    assert "baked PNG image" in _text(response)


def test_upload_baked_svg_with_jws(client):
    key = key_from(6)
    svg = bake_svg(SVG, vc_jwt(unsigned(key_credential(key)), key))
    upload = SimpleUploadedFile("badge.svg", svg.encode(), content_type="image/svg+xml")
    response = client.post("/verify", {"file": upload})
    assert _verdict(response) == "Verified, with warnings"
    assert "baked SVG image" in _text(response)


# --- errors: 400 pages with a sentence, never 500 ---------------------------------------------


@pytest.mark.parametrize(("data", "message"), [
    ({}, "Paste a credential, choose a file"),
    ({"credential": "{oops"}, "not valid JSON"),
    ({"credential": "just words"}, "This is not a credential"),
    ({"file": SimpleUploadedFile("a.png", tiny_png([itxt("openbadges", "https://x.example")]))},
     "Open Badges 2.0"),
    ({"file": SimpleUploadedFile("plain.png", tiny_png())}, "carries no Open Badges 3.0"),
    ({"file": SimpleUploadedFile("big.json", b" " * (MAX_UPLOAD + 1))}, "the limit is"),
    ({"file": SimpleUploadedFile("empty.json", b"")}, "empty"),
    ({"url": "http://localhost:1/cred.json"}, "Only https URLs are fetched"),
    ({"url": "https://127.0.0.1:1/cred.json"}, "non-public address"),
    ({"url": "ftp://x"}, "could not be fetched"),
])
def test_errors_are_400_with_a_message(client, data, message):
    response = client.post("/verify", data)
    assert response.status_code == 400
    assert 'role="alert"' in _text(response)
    assert message in _text(response)


def test_json_error(client):
    response = client.post("/verify", {"credential": "{oops"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "JSON_MALFORMED"
    assert "not valid JSON" in body["message"]


def test_json_result(client, issued):
    response = client.post("/verify", {"credential": issued.document},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["verified"] is True
    assert body["verdict"] == "Verified"
    assert body["summary"]["issuer_name"] == "Example University"
    codes = [c["code"] for c in body["report"]["checks"]]
    assert {"PROOF_VALID", "STATUS_OK", "ISSUER_KNOWN"} <= set(codes)
    warned = client.post("/verify", {"credential": json.dumps(key_credential())},
                         HTTP_ACCEPT="application/json").json()
    assert warned["verdict"].startswith("Verified, with warnings: ")
    assert warned["warnings"]


# --- URLs -----------------------------------------------------------------------------------


def test_url_of_our_own_credential_page_is_resolved_locally(client, issued):
    # PUBLIC_URL (http://localhost:8000) is not served in tests: only a local look-up works.
    url = f"{settings.PUBLIC_URL}/credentials/{issued.uuid}"
    response = client.post("/verify", {"url": url})
    assert _verdict(response) == "Verified"
    missing = client.post("/verify", {"url": f"{settings.PUBLIC_URL}/credentials/"
                                              "00000000-0000-4000-8000-000000000000"})
    assert missing.status_code == 400


@pytest.fixture
def other_host(tmp_path, settings):
    srv, _ = tls_server(tmp_path, "localhost")
    settings.MICRODEGREE_VERIFY_ALLOW_PRIVATE = True
    settings.MICRODEGREE_VERIFY_CA_FILE = str(tmp_path / "localhost.crt")
    yield srv
    srv.close()


def test_url_on_another_host(client, other_host):
    other_host.routes["/cred.json"] = json_route(key_credential(), "application/vc+ld+json")
    other_host.routes["/page"] = lambda h, s: send(h, 200, b"<html></html>", "text/html")
    other_host.routes["/badge.png"] = lambda h, s: send(
        h, 200, bake_png(tiny_png(), key_credential()), "image/png")
    url = other_host.url("/cred.json", host="localhost")
    response = client.post("/verify", {"url": url})
    assert _verdict(response) == "Verified, with warnings"
    accept = other_host.hits[0][1]["accept"]
    assert accept.startswith("application/vc+ld+json")
    html = client.post("/verify", {"url": other_host.url("/page", host="localhost")})
    assert html.status_code == 400
    assert "text/html, not a credential" in _text(html)
    png = client.post("/verify", {"url": other_host.url("/badge.png", host="localhost")})
    assert _verdict(png) == "Verified, with warnings"


# --- the public credential page -------------------------------------------------------------


def test_public_page_html(client, issued):
    response = client.get(f"/credentials/{issued.uuid}")
    assert response.status_code == 200
    page = _text(response)
    canonical = f"{settings.PUBLIC_URL}/credentials/{issued.uuid}"
    assert f'<link rel="canonical" href="{canonical}">' in page
    assert '<meta property="og:title" content="Data Literacy">' in page
    assert f'<meta property="og:url" content="{canonical}">' in page
    assert '<meta property="og:type" content="website">' in page
    assert re.search(r'<meta property="og:description" content="Data Literacy, awarded by '
                     r'Example University\.', page)
    assert re.search(r'<meta property="og:image" content="http://localhost:8000/achievements/'
                     r'[^"]+/image\.svg">', page)
    assert _verdict(response) == "Verified"
    assert "Example University" in page
    assert "EQF level 6" in page
    assert "Ada Lovelace" not in page  # no "show my name" choice exists yet: never shown
    assert "Accept" in response["Vary"]


@pytest.mark.parametrize("accept", ["application/vc+ld+json", "application/ld+json",
                                    "application/ld+json, text/html;q=0.5"])
def test_public_page_serves_the_signed_credential_byte_for_byte(client, issued, accept):
    response = client.get(f"/credentials/{issued.uuid}", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == accept.split(",")[0]
    assert response.content == issued.document.encode("utf-8")
    assert "Accept" in response["Vary"]


def test_public_page_html_wins_for_browsers(client, issued):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get(f"/credentials/{issued.uuid}", HTTP_ACCEPT=accept)
    assert response["Content-Type"].startswith("text/html")


def test_public_page_download(client, issued):
    response = client.get(f"/credentials/{issued.uuid}?format=json")
    assert response.content == issued.document.encode("utf-8")
    assert "attachment" in response["Content-Disposition"]


def test_revoked_credential_still_shows_marked_revoked(client, issued):
    issuing.revoke(None, issued, "Issued in error")
    response = client.get(f"/credentials/{issued.uuid}")
    assert response.status_code == 200
    page = _text(response)
    assert "<strong>Revoked.</strong>" in page
    assert _verdict(response) == "Not verified"
    assert 'data-code="STATUS_REVOKED"' in page
    assert "Issued in error" not in page  # the reason stays with the issuer


def test_unknown_credential_is_404(client):
    assert client.get("/credentials/00000000-0000-4000-8000-000000000000").status_code == 404
    assert client.get("/credentials/not-a-uuid").status_code == 404

"""Issue 12 points 11 and 12: every parser on a public path works within a budget, and /worth
counts before it verifies.

A 145 KB PDF whose attachment list points into FlateDecode object streams that inflate to 74 MB
each used to cost seconds of CPU and hundreds of MB on /verify, /me/import and /worth (pypdf
inflated and kept every one while listing the attachment names). The work is now bounded per
stream and per request (see docs/adr, parser budgets): the tests upload such a file over HTTP
and assert the answer names the budget and that the request's peak memory (tracemalloc) stays
small. No timing is asserted (project rule): the bounded work is what is measured.
"""

from __future__ import annotations

import importlib
import json
import tracemalloc
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from microdegree.records import auth
from microdegree.records import services as records
from microdegree.vc.extract import MAX_DOCUMENT
from microdegree.verification import services as verification_services
from tests.security._parser_support import MB, pdf_bomb
from tests.verification.helpers import SVG, itxt, key_credential, key_from, tiny_png

PEAK_LIMIT = 30 * MB  # before the fix: > 150 MB for the bomb below
BUDGET_WORDS = "more decompression than a certificate ever does"
ADA = "ada@example.org"


@pytest.fixture(autouse=True)
def _fresh(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    verification_services.reset()
    yield
    verification_services.reset()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = pdf_bomb(streams=2, inflated=74_000_000)
    assert len(data) < 200_000  # small on the wire: the cost was all in the parsing
    return data


@pytest.fixture
def learner(db):
    client = Client(raise_request_exception=False)
    client.force_login(records.sign_in_with_link(auth.make_token("login", ADA)))
    return client


@pytest.fixture(autouse=True)
def _warm() -> None:
    """Import what the first request of a process would (the URLconf with every app's views,
    the PDF reader), so the measured peak is the request's own work, not module loading."""
    import pypdf  # noqa: F401
    from django.urls import resolve

    from microdegree.vc.extract import pdf  # noqa: F401

    for path in ("/verify", "/me/import", "/worth"):
        resolve(path)


def _peak(request: Callable[[], Any]) -> tuple[Any, int]:
    """The response and the peak of Python memory allocated while it was made."""
    tracemalloc.start()
    try:
        response = request()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, peak


def _upload(data: bytes, name: str = "certificate.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


# --- the PDF bomb on the three public paths -----------------------------------------------------


@pytest.mark.django_db
def test_pdf_bomb_on_verify_is_refused_within_budget(bomb):
    client = Client(raise_request_exception=False)
    response, peak = _peak(lambda: client.post("/verify", {"file": _upload(bomb)},
                                               HTTP_ACCEPT="application/json"))
    assert response.status_code == 400, response.content[:500]
    assert response.json()["code"] == "PDF_TOO_COMPLEX"
    assert BUDGET_WORDS in response.json()["message"]
    assert "8 MB decompressed in all" in response.json()["message"]
    assert peak < PEAK_LIMIT, f"{peak / MB:.0f} MB"


@pytest.mark.django_db
def test_pdf_bomb_on_import_is_refused_within_budget(bomb, learner):
    response, peak = _peak(lambda: learner.post("/me/import", {"file": _upload(bomb)}))
    assert response.status_code == 400, response.content[:500]
    assert BUDGET_WORDS in response.content.decode()
    assert peak < PEAK_LIMIT, f"{peak / MB:.0f} MB"


@pytest.mark.django_db
def test_pdf_bomb_on_worth_is_read_once_within_budget(bomb, monkeypatch):
    from microdegree.vc.extract import pdf as pdf_mod

    reads = []
    real = pdf_mod._embedded_credential
    monkeypatch.setattr(pdf_mod, "_embedded_credential",
                        lambda data: reads.append(len(data)) or real(data))
    client = Client(raise_request_exception=False)
    response, peak = _peak(lambda: client.post("/worth", {"files": [_upload(bomb)]}))
    assert response.status_code == 200, response.content[:500]
    assert response.context["checked"] == 1  # shown as a credential that could not be read
    assert peak < PEAK_LIMIT, f"{peak / MB:.0f} MB"
    assert reads == [len(bomb)]  # an unreadable file is parsed once, not twice


@pytest.mark.django_db
def test_many_small_object_streams_hit_the_total_budget():
    """Below pypdf's per-stream limit each, 300 x 1.9 MB: the per-request total stops it."""
    data = pdf_bomb(streams=300, inflated=1_900_000)
    client = Client(raise_request_exception=False)
    response, peak = _peak(lambda: client.post("/verify", {"file": _upload(data)},
                                               HTTP_ACCEPT="application/json"))
    assert response.status_code == 400
    assert response.json()["code"] == "PDF_TOO_COMPLEX"
    assert peak < PEAK_LIMIT, f"{peak / MB:.0f} MB"


@pytest.mark.django_db
def test_the_platforms_own_certificate_still_verifies_and_imports(institution, learner):
    from microdegree.catalog import services as catalog
    from microdegree.issuing import services as issuing

    course = catalog.create_definition(
        None, institution, name="Statistics", slug="stats", description="A course.",
        criteria_narrative="Pass.", credits_available=5)
    credential = issuing.issue_credential(None, course, recipient_email=ADA, send_email=False)
    download = learner.get(f"/me/credentials/p-{credential.uuid}/credential.pdf")
    assert download.status_code == 200
    certificate = download.content
    assert certificate.startswith(b"%PDF-")
    checked = Client().post("/verify", {"file": _upload(certificate)},
                            HTTP_ACCEPT="application/json")
    assert checked.status_code == 200, checked.content[:500]
    assert checked.json()["verified"] is True
    bob = Client(raise_request_exception=False)
    bob.force_login(records.sign_in_with_link(auth.make_token("login", "bob@example.org")))
    imported = bob.post("/me/import", {"file": _upload(certificate)})
    assert imported.status_code == 302, imported.content[:500]


# --- PNG, SVG, JSON, VC-JWT ---------------------------------------------------------------------


@pytest.mark.django_db
def test_png_with_many_compressed_text_chunks_inflates_only_the_credential():
    """200 compressed iTXt chunks of another keyword, 1.9 MB each: none is inflated."""
    filler = "x" * 1_900_000
    chunks = [itxt("comment", filler, compressed=True) for _ in range(200)]
    credential = json.dumps(key_credential())
    png = tiny_png([*chunks, itxt("openbadgecredential", credential, compressed=True)])
    client = Client(raise_request_exception=False)
    response, peak = _peak(lambda: client.post("/verify", {"file": _upload(png, "b.png")},
                                               HTTP_ACCEPT="application/json"))
    assert response.status_code == 200, response.content[:300]
    assert response.json()["verified"] is True
    assert peak < PEAK_LIMIT, f"{peak / MB:.0f} MB"


@pytest.mark.django_db
def test_png_credential_chunk_inflating_beyond_the_limit_is_refused():
    huge = zlib.compress(b" " * (MAX_DOCUMENT * 20), 9)
    body = b"openbadgecredential\0\x01\x00\0\0" + huge
    client = Client(raise_request_exception=False)
    response, peak = _peak(lambda: client.post(
        "/verify", {"file": _upload(tiny_png([(b"iTXt", body)]), "b.png")},
        HTTP_ACCEPT="application/json"))
    assert response.status_code == 400
    assert response.json()["code"] == "TOO_LARGE"
    assert f"{MAX_DOCUMENT:,} bytes" in response.json()["message"]
    assert peak < PEAK_LIMIT


@pytest.mark.django_db
def test_svg_entity_expansion_after_a_long_comment_is_refused():
    laughs = ('<?xml version="1.0"?><!--' + "x" * 10_000 + '--><!DOCTYPE svg ['
              '<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>' + SVG.replace("</svg>", "&c;</svg>"))
    client = Client(raise_request_exception=False)
    response = client.post("/verify", {"file": _upload(laughs.encode(), "b.svg")},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "SVG_DTD_REFUSED"
    assert "expand without bound" in response.json()["message"]


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "code", "words"), [
    ("[" * 200_000 + "]" * 200_000, "JSON_MALFORMED", "nests too deeply"),
    ('{"a": "' + "x" * (MAX_DOCUMENT + 10) + '"}', "TOO_LARGE", "larger than"),
    ("eyJhbGciOiJFZERTQSJ9." + "A" * (MAX_DOCUMENT + 10) + ".AAAA", "TOO_LARGE", "larger than"),
])
def test_json_and_vc_jwt_are_read_within_size_and_depth_limits(text, code, words):
    client = Client(raise_request_exception=False)
    response = client.post("/verify", {"credential": text}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert words in response.json()["message"]


# --- /worth: count first, then verify -------------------------------------------------------------


def _presentation(count: int) -> dict[str, Any]:
    credential = key_credential(key_from(3))
    return {"@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [credential] * count}


@pytest.fixture
def verifications(monkeypatch):
    """How many documents the core verifier was asked to check (the work of a request)."""
    verify_mod = importlib.import_module("microdegree.vc.verify")
    calls = []
    real = verify_mod._verify_document

    def counting(document: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(document, *args, **kwargs)

    monkeypatch.setattr(verify_mod, "_verify_document", counting)
    return calls


@pytest.mark.django_db
def test_worth_api_refuses_presentations_holding_too_many_credentials(verifications):
    body = {"credentials": [_presentation(40), _presentation(40)]}
    response = Client().post("/api/worth", json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "TOO_MANY_CREDENTIALS"
    assert "These hold 80 credentials" in response.json()["message"]
    assert verifications == []  # refused before anything was verified


@pytest.mark.django_db
def test_worth_page_refuses_presentations_holding_too_many_credentials(verifications):
    upload = _upload(json.dumps(_presentation(60)).encode(), "vp.json")
    response = Client().post("/worth", {"files": [upload]})
    assert response.status_code == 400
    assert "These hold 60 credentials" in response.content.decode()
    assert verifications == []


@pytest.mark.django_db
def test_worth_page_caps_the_files_per_request(settings, verifications):
    settings.MICRODEGREE_WORTH_MAX_FILES = 3
    text = json.dumps(key_credential()).encode()
    response = Client().post("/worth", {"files": [_upload(text, f"c{i}.json")
                                                  for i in range(4)]})
    assert response.status_code == 400
    assert "You sent 4 files; at most 3 can be checked at once." in response.content.decode()
    assert verifications == []
    within = Client().post("/worth", {"files": [_upload(text, f"c{i}.json")
                                                for i in range(3)]})
    assert within.status_code == 200
    assert len(verifications) == 3

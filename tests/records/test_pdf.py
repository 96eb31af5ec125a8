"""The PDF certificate: what a person reads on it (pypdf text), the QR code to the public page,
the signed credential embedded verbatim; every download (JSON, PNG, SVG, PDF) verifies again on
/verify; the record's import reads a PDF; a PDF without a credential is a clear 400."""

from __future__ import annotations

import io
import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen.canvas import Canvas

from microdegree.records.models import ImportedCredential

from . import qrread
from .conftest import award

pytestmark = pytest.mark.django_db

ADA = "ada@example.org"
BOB = "bob@example.org"


@pytest.fixture
def held(institution, pathway, sign_in):
    _, (stats, _, _) = pathway
    cred = award(stats, ADA, recipient_name="Ada Lovelace", credits_earned=5)
    sign_in(ADA)
    return cred


def _pdf(client, key: str) -> bytes:
    response = client.get(f"/me/credentials/{key}/credential.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename=\"credential-")
    assert response.content.startswith(b"%PDF-")
    return response.content


def _text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split())
                    for page in PdfReader(io.BytesIO(data)).pages)


def _verify(data: bytes, name: str) -> dict:
    """Upload `data` to /verify as an anonymous visitor, asking for the JSON answer."""
    response = Client().post("/verify", {"file": SimpleUploadedFile(name, data)},
                             HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def test_certificate_shows_the_credential_and_carries_it_verbatim(client, held):
    data = _pdf(client, f"p-{held.uuid}")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = _text(data)
    for shown in ("Ada Lovelace", "Course stats", "Example University", "5 ECTS",
                  "EQF level 6", f"{held.issued_at.day} {held.issued_at:%B %Y}",
                  held.credential_id, f"{settings.PUBLIC_URL}/credentials/{held.uuid}"):
        assert shown in text, (shown, text)
    assert reader.metadata.title == "Course stats: Ada Lovelace"
    # the signed credential, byte for byte, as an embedded file
    assert dict(reader.attachments) == {"credential.json": [held.document.encode("utf-8")]}
    # the QR code leads to the credential's public page
    public = f"{settings.PUBLIC_URL}/credentials/{held.uuid}"
    assert qrread.from_pdf(data) == qrread.expected(public)
    assert qrread.from_pdf(data) != qrread.expected(public + "x")


def test_every_download_verifies_again_on_the_verify_page(client, held):
    key = f"p-{held.uuid}"
    downloads = {fmt: client.get(f"/me/credentials/{key}/credential.{fmt}").content
                 for fmt in ("json", "png", "svg", "pdf")}
    for fmt, body in downloads.items():
        answer = _verify(body, f"credential.{fmt}")
        assert answer["verified"] is True, (fmt, answer["report"])
        assert answer["verdict"] == "Verified"
        assert answer["format"] == fmt
        assert answer["summary"]["name"] == "Course stats"
    # the HTML page says what was uploaded
    page = Client().post("/verify", {"file": SimpleUploadedFile("c.pdf", downloads["pdf"])})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="verdict"' in html
    assert "<strong>Verified</strong>" in html
    assert "PDF certificate (credential attached)" in html


def test_a_changed_credential_inside_the_pdf_does_not_verify(client, held):
    data = _pdf(client, f"p-{held.uuid}")
    document = json.loads(held.document)
    document["credentialSubject"]["achievement"]["name"] = "Brain Surgery"
    writer = PdfWriter(clone_from=io.BytesIO(data))
    writer._root_object.pop("/Names")  # drop the real attachment
    writer.add_attachment("credential.json", json.dumps(document).encode())
    forged = io.BytesIO()
    writer.write(forged)
    answer = _verify(forged.getvalue(), "forged.pdf")
    assert answer["verified"] is False
    assert answer["summary"]["achievement_name"] == "Brain Surgery"
    failed = [c for c in answer["report"]["checks"] if c["outcome"] == "fail"]
    assert any(c["check"] == "proof" for c in failed), failed


def _plain_pdf(attachments: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(100, 700, "Certificate of something (no credential inside)")
    canvas.showPage()
    canvas.save()
    if not attachments:
        return buffer.getvalue()
    writer = PdfWriter(clone_from=io.BytesIO(buffer.getvalue()))
    for name, content in attachments.items():
        writer.add_attachment(name, content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(("data", "code", "sentence"), [
    (_plain_pdf(), "PDF_NO_CREDENTIAL", "This PDF carries no credential"),
    (_plain_pdf({"notes.txt": b"hello"}), "PDF_NO_CREDENTIAL", "no embedded file credential.json"),
    (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "PDF_INVALID",
     "The PDF could not be read"),
    (_plain_pdf({"credential.json": b"\xff\xfe not utf-8"}), "PDF_INVALID", "not UTF-8"),
    (_plain_pdf({"credential.json": b"{not json"}), "JSON_MALFORMED", "not valid JSON"),
])
def test_a_pdf_without_a_readable_credential_is_a_clear_400(db, data, code, sentence):
    answer = Client().post("/verify", {"file": SimpleUploadedFile("x.pdf", data)},
                           HTTP_ACCEPT="application/json")
    assert answer.status_code == 400
    body = json.loads(answer.content)
    assert body["code"] == code
    assert sentence in body["message"]
    page = Client().post("/verify", {"file": SimpleUploadedFile("x.pdf", data)})
    assert page.status_code == 400
    html = page.content.decode()
    assert 'role="alert"' in html
    assert "This could not be checked." in html
    assert sentence in html.replace("&#x27;", "'")


def test_an_encrypted_pdf_is_refused_with_a_reason(db):
    writer = PdfWriter(clone_from=io.BytesIO(_plain_pdf({"credential.json": b"{}"})))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    answer = Client().post("/verify", {"file": SimpleUploadedFile("x.pdf", out.getvalue())},
                           HTTP_ACCEPT="application/json")
    assert answer.status_code == 400
    assert json.loads(answer.content)["code"] == "PDF_ENCRYPTED"


def test_the_record_imports_a_pdf_certificate(client, held, sign_in):
    data = _pdf(client, f"p-{held.uuid}")
    bob = Client()
    sign_in(BOB, bob)
    response = bob.post("/me/import", {"file": SimpleUploadedFile("ada.pdf", data)})
    assert response.status_code == 302, response.content.decode()[:2000]
    imported = ImportedCredential.objects.get(user__learner_emails__email=BOB)
    assert imported.document == held.document  # verbatim
    assert imported.format == "pdf"
    # and an imported credential has a PDF too, carrying the same document
    again = _pdf(bob, f"i-{imported.uuid}")
    assert PdfReader(io.BytesIO(again)).attachments["credential.json"] == [
        held.document.encode("utf-8")]
    assert _verify(again, "again.pdf")["verified"] is True
    assert qrread.from_pdf(again) == qrread.expected(f"{settings.PUBLIC_URL}/verify")
    # a PDF with no credential is refused with the reason, nothing is stored
    refused = bob.post("/me/import", {"file": SimpleUploadedFile("x.pdf", _plain_pdf())})
    assert refused.status_code == 400
    assert "This PDF carries no credential" in refused.content.decode()
    assert ImportedCredential.objects.count() == 1


def test_pdf_of_someone_elses_credential_is_404(client, held, sign_in):
    bob = Client()
    sign_in(BOB, bob)
    assert bob.get(f"/me/credentials/p-{held.uuid}/credential.pdf").status_code == 404
    assert Client().get(f"/me/credentials/p-{held.uuid}/credential.pdf").status_code == 302


def test_certificate_dates_follow_the_readers_language(client, held):
    from django.utils import formats, translation

    with translation.override("de"):
        german = formats.date_format(held.issued_at, "DATE_FORMAT")
    assert german.endswith(str(held.issued_at.year))
    assert german != f"{held.issued_at.day} {held.issued_at:%B %Y}"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    data = _pdf(client, f"p-{held.uuid}")
    assert german in _text(data)
    assert PdfReader(io.BytesIO(data)).attachments["credential.json"] == [
        held.document.encode("utf-8")]

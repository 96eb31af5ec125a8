"""Reading PDF certificates: the credential is the embedded file (credential.json, .jwt, or any
JSON/JWS attachment); text on the page proves nothing; damaged, encrypted or empty PDFs are an
ExtractError with a code, never an exception of pypdf's."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfWriter
from reportlab.pdfgen.canvas import Canvas

from microdegree.vc import did
from microdegree.verification.extract import ExtractError, extract, pdf_credential
from microdegree.verification.services import verify_upload
from tests.verification.helpers import key_credential, key_from, unsigned, vc_jwt

RESOLVER = did.KeyResolver()


def make_pdf(attachments: dict[str, bytes] = {}, *, text: str = "A certificate",  # noqa: B006
             password: str | None = None) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, text)
    canvas.showPage()
    canvas.save()
    writer = PdfWriter(clone_from=io.BytesIO(buffer.getvalue()))
    for name, content in attachments.items():
        writer.add_attachment(name, content)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _code(data: bytes) -> str:
    with pytest.raises(ExtractError) as info:
        extract(data, resolver=RESOLVER)
    return info.value.code


@pytest.mark.django_db  # the platform registry looks a did:key issuer up among its keys
def test_embedded_json_credential_is_read_verbatim_and_verifies():
    text = json.dumps(key_credential(), indent=1)
    got = extract(make_pdf({"credential.json": text.encode()}), resolver=RESOLVER)
    assert got.format == "pdf"
    assert got.text == text
    assert got.document == json.loads(text)
    assert verify_upload(make_pdf({"credential.json": text.encode()})).report.verified


def test_credential_json_is_preferred_over_other_attachments():
    wanted, other = key_credential(), key_credential(key_from(2))
    data = make_pdf({"aaa.json": json.dumps(other).encode(), "notes.txt": b"hello",
                     "credential.json": json.dumps(wanted).encode()})
    assert json.loads(pdf_credential(data)) == wanted
    # without credential.json, the first JSON attachment
    data = make_pdf({"notes.txt": b"hello", "Badge.JSON": json.dumps(other).encode()})
    assert json.loads(pdf_credential(data)) == other


def test_embedded_vc_jwt_is_checked_like_any_jws():
    key = key_from(1)
    token = vc_jwt(unsigned(key_credential(key)), key)
    got = extract(make_pdf({"credential.jwt": token.encode()}), resolver=RESOLVER)
    assert got.format == "pdf"
    assert got.jws is True
    assert [c.code for c in got.checks] == ["JWS_SIGNATURE_VALID"]


def test_page_text_is_never_read_as_the_credential():
    printed = json.dumps(key_credential())
    assert _code(make_pdf(text=printed)) == "PDF_NO_CREDENTIAL"


@pytest.mark.parametrize(("data", "code"), [
    (make_pdf(), "PDF_NO_CREDENTIAL"),
    (make_pdf({"photo.png": b"\x89PNG"}), "PDF_NO_CREDENTIAL"),
    (make_pdf({"credential.json": b"\xff\xfe"}), "PDF_INVALID"),
    (make_pdf({"credential.json": b"[1, 2]"}), "DOCUMENT_NOT_OBJECT"),
    (make_pdf({"credential.json": b"{}"}, password="secret"), "PDF_ENCRYPTED"),
    (b"%PDF-1.7\n", "PDF_INVALID"),
    (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Names 2 0 R >> endobj\ntrailer << /Root 1 0 R >>",
     "PDF_INVALID"),
    (make_pdf({"credential.json": b"{}"})[:400], "PDF_INVALID"),
])
def test_unreadable_pdfs_are_extract_errors(data, code):
    assert _code(data) == code


def test_a_large_embedded_file_is_refused():
    big = b'{"x": "' + b"a" * 2_100_000 + b'"}'
    assert _code(make_pdf({"credential.json": big})) == "TOO_LARGE"


@pytest.fixture
def other_host(tmp_path, settings):
    from tests.vc.test_fetch import tls_server

    srv, _ = tls_server(tmp_path, "localhost")
    settings.MICRODEGREE_VERIFY_ALLOW_PRIVATE = True
    settings.MICRODEGREE_VERIFY_CA_FILE = str(tmp_path / "localhost.crt")
    yield srv
    srv.close()


@pytest.mark.django_db
def test_a_pdf_certificate_at_an_address_verifies(client, other_host):
    from tests.vc.test_fetch import send

    pdf = make_pdf({"credential.json": json.dumps(key_credential()).encode()})
    other_host.routes["/certificate.pdf"] = lambda h, s: send(h, 200, pdf, "application/pdf")
    other_host.routes["/plain.pdf"] = lambda h, s: send(h, 200, make_pdf(), "application/pdf")
    answer = client.post("/verify", {"url": other_host.url("/certificate.pdf", host="localhost")},
                         HTTP_ACCEPT="application/json")
    assert answer.status_code == 200
    assert answer.json()["verified"] is True
    assert answer.json()["format"] == "pdf"
    plain = client.post("/verify", {"url": other_host.url("/plain.pdf", host="localhost")},
                        HTTP_ACCEPT="application/json")
    assert plain.status_code == 400
    assert plain.json()["code"] == "PDF_NO_CREDENTIAL"

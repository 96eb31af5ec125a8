"""`microdegree verify` reads every format the verify page reads (issue 13 §1): baked PNG and
SVG, a PDF with the credential attached, VC-JWT, JSON; the extraction is the framework-free
core's (`microdegree.vc.extract`). Without --registry the issuer is reported as in no registry
(a warning), and --strict turns that into a failure."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfWriter
from reportlab.pdfgen.canvas import Canvas

from microdegree.cli import main
from microdegree.vc.extract.bake import bake_png, bake_svg
from tests.verification.helpers import SVG, key_credential, key_from, tiny_png, vc_jwt


def _pdf(attachments: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, "A certificate")
    canvas.showPage()
    canvas.save()
    writer = PdfWriter(clone_from=io.BytesIO(buffer.getvalue()))
    for name, content in attachments.items():
        writer.add_attachment(name, content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _files(tmp_path: Path) -> dict[str, Path]:
    credential = key_credential()
    text = json.dumps(credential)
    made = {
        "json": ("cred.json", text.encode()),
        "png": ("badge.png", bake_png(tiny_png(), credential)),
        "svg": ("badge.svg", bake_svg(SVG, credential).encode()),
        "pdf": ("certificate.pdf", _pdf({"credential.json": text.encode()})),
        "jwt": ("cred.jwt", vc_jwt(key_credential(), key_from(7)).encode()),
    }
    paths = {}
    for kind, (name, data) in made.items():
        paths[kind] = tmp_path / name
        paths[kind].write_bytes(data)
    return paths


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("kind", ["json", "png", "svg", "pdf", "jwt"])
def test_cli_verifies_every_format_the_page_reads(tmp_path, capsys, kind):
    path = _files(tmp_path)[kind]
    code, out, err = _run(capsys, "verify", "--offline", str(path))
    assert code == 0, out + err
    assert f"{path}: VERIFIED with 1 warning(s)" in out
    assert "is not in any registry this verifier trusts" in out
    assert "ISSUER_UNKNOWN" in out
    if kind == "jwt":
        assert "JWS_SIGNATURE_VALID" in out
    else:
        assert "PROOF_VALID" in out


@pytest.mark.parametrize("kind", ["png", "pdf"])
def test_cli_strict_fails_an_issuer_in_no_registry(tmp_path, capsys, kind):
    path = _files(tmp_path)[kind]
    code, out, _ = _run(capsys, "verify", "--offline", "--strict", str(path))
    assert code == 1
    assert f"{path}: NOT VERIFIED" in out
    assert "ISSUER_UNKNOWN" in out


def test_cli_with_a_registry_knows_the_issuer(tmp_path, capsys):
    path = _files(tmp_path)["svg"]
    issuer = key_credential()["issuer"]
    issuer_id = issuer["id"] if isinstance(issuer, dict) else issuer
    name = issuer.get("name", "Test issuer") if isinstance(issuer, dict) else "Test issuer"
    registry = tmp_path / "registry.json"
    registry.write_text(json.dumps([{"id": issuer_id, "name": name}]))
    code, out, _ = _run(capsys, "verify", "--offline", "--strict", "--registry", str(registry),
                        str(path))
    assert code == 0, out
    assert f"{path}: VERIFIED\n" in out
    assert "ISSUER_KNOWN" in out


def test_cli_reports_a_tampered_baked_png_and_an_unreadable_file(tmp_path, capsys):
    credential = key_credential()
    credential["name"] = "Forged"
    forged = tmp_path / "forged.png"
    forged.write_bytes(bake_png(tiny_png(), credential))
    empty_pdf = tmp_path / "plain.pdf"
    empty_pdf.write_bytes(_pdf({}))
    code, out, err = _run(capsys, "verify", "--offline", str(forged), str(empty_pdf))
    assert code == 1, err
    assert f"{forged}: NOT VERIFIED" in out
    assert f"{empty_pdf}: NOT VERIFIED" in out
    assert "PDF_NO_CREDENTIAL" in out
    assert "Traceback" not in out + err

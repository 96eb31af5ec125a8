"""The PDF certificate of one credential: a printable A4 page (reportlab) that carries the signed
credential itself as an embedded file (pypdf), so the PDF verifies on its own.

The page is for people: learner, achievement, institution, date, ECTS, EQF level and a QR code
to the credential's public page, where it is checked live. The embedded `credential.json` is for
programs: the stored signed credential byte for byte, which the verify page and the record's
import read back (`verification.extract.pdf_credential`). Nothing on the page is trusted; only
the embedded credential is.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from pypdf import PdfWriter
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from microdegree.records import qr
from microdegree.records import record as record_mod
from microdegree.verification.summary import summarise

ATTACHMENT_JSON = "credential.json"
ATTACHMENT_JWT = "credential.jwt"
BRAND = HexColor("#0b4f8a")
INK = HexColor("#1a1a1a")
MUTED = HexColor("#4a4a4a")
# DejaVu covers far more scripts than the PDF base fonts (which stop at Windows-1252): a name
# such as "Łukasz" or "Ørsted" prints as written. Without it, Helvetica is the fallback.
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


@dataclass(frozen=True)
class Certificate:
    """What the page shows (already chosen and formatted by the caller)."""

    learner_name: str
    achievement: str
    institution: str
    issued: datetime | None
    ects: float | None
    eqf: int | None
    credential_id: str
    qr_url: str  # the QR code's target: the public page that checks the credential live
    verify_page: str  # where the PDF itself can be uploaded
    valid_until: datetime | None = None
    state: str = "valid"


def _fonts() -> tuple[str, str]:
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if not (regular.is_file() and bold.is_file()):
        return "Helvetica", "Helvetica-Bold"
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
    return "DejaVuSans", "DejaVuSans-Bold"


# The page is in the reader's language (the request's, as for the pages); dates and numbers
# in its formats ("2 January 2026" / "2. Januar 2026", "7.5" / "7,5").


def _number(value: float) -> str:
    return str(formats.number_format(value, decimal_pos=None if value % 1 else 0))


def _date(value: datetime | None) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else _("not stated")


def _centred(canvas: Canvas, text: str, y: float, font: str, size: float,
             width: float, colour: Color = INK) -> float:
    """Draw `text` centred, wrapped to `width`; returns the y below the last line."""
    canvas.setFont(font, size)
    canvas.setFillColor(colour)
    for line in simpleSplit(text, font, size, width) or [""]:
        canvas.drawCentredString(A4[0] / 2, y, line)
        y -= size * 1.3
    return y


def _draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """The QR code as vector rectangles (crisp at any print resolution), quiet zone included.

    Each run of dark modules in a row is one rectangle: no hairline seams between neighbours
    in PDF viewers, and a smaller file.
    """
    modules = qr.matrix(data)
    count = len(modules) + 2 * qr.BORDER
    cell = size / count
    canvas.setFillColor(HexColor("#ffffff"))
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(HexColor("#000000"))
    for row, line in enumerate(modules):
        top = y + size - (row + qr.BORDER + 1) * cell
        col = 0
        while col < len(line):
            if not line[col]:
                col += 1
                continue
            end = col
            while end < len(line) and line[end]:
                end += 1
            canvas.rect(x + (col + qr.BORDER) * cell, top, (end - col) * cell, cell,
                        stroke=0, fill=1)
            col = end


def _facts(cert: Certificate) -> list[tuple[str, str]]:
    rows = [(_("Institution"), cert.institution), (_("Issued"), _date(cert.issued))]
    if cert.valid_until:
        rows.append((_("Valid until"), _date(cert.valid_until)))
    rows.append((_("Credits"), _("%(ects)s ECTS") % {"ects": _number(cert.ects)}
                 if cert.ects is not None else _("not stated")))
    rows.append((_("Level"), _("EQF level %(level)s") % {"level": cert.eqf}
                 if cert.eqf else _("not stated")))
    if cert.state != "valid":
        rows.append((_("State when printed"), _(cert.state)))
    return rows


def render(cert: Certificate) -> bytes:
    """The A4 page alone (no attachment)."""
    regular, bold = _fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, lang=get_language() or "en")
    canvas.setTitle(f"{cert.achievement}: {cert.learner_name}")
    canvas.setAuthor(cert.institution)
    canvas.setSubject(_("Certificate with the signed Open Badges 3.0 credential attached"))
    canvas.setCreator("Microdegree")
    width, height = A4
    margin = 20 * mm
    text_width = width - 2 * margin

    canvas.setStrokeColor(BRAND)
    canvas.setLineWidth(2)
    canvas.rect(margin / 2, margin / 2, width - margin, height - margin, stroke=1, fill=0)

    y = height - 40 * mm
    y = _centred(canvas, cert.institution, y, bold, 16, text_width, BRAND) - 10 * mm
    y = _centred(canvas, _("Certificate"), y, bold, 30, text_width) - 6 * mm
    y = _centred(canvas, _("This certifies that"), y, regular, 12, text_width, MUTED) - 6 * mm
    y = _centred(canvas, cert.learner_name, y, bold, 24, text_width) - 4 * mm
    y = _centred(canvas, _("has been awarded"), y, regular, 12, text_width, MUTED) - 5 * mm
    y = _centred(canvas, cert.achievement, y, bold, 20, text_width, BRAND) - 10 * mm

    label_x, value_x = margin + 20 * mm, margin + 65 * mm
    for label, value in _facts(cert):
        canvas.setFont(regular, 11)
        canvas.setFillColor(MUTED)
        canvas.drawString(label_x, y, label)
        canvas.setFont(bold, 11)
        canvas.setFillColor(INK)
        lines = simpleSplit(value, bold, 11, width - value_x - margin) or [""]
        for line in lines:
            canvas.drawString(value_x, y, line)
            y -= 15
        y -= 3

    qr_size = 42 * mm
    qr_x, qr_y = width - margin - qr_size, margin + 12 * mm
    _draw_qr(canvas, cert.qr_url, qr_x, qr_y, qr_size)
    note_width = qr_x - margin - 8 * mm
    note = [
        (_("Scan the code to check this credential online:"), regular, MUTED),
        (cert.qr_url, regular, INK),
        (_("This PDF carries the signed credential (credential.json, Open Badges 3.0). "
           "Upload the PDF at %(url)s to verify it.") % {"url": cert.verify_page}, regular,
         MUTED),
        (_("Credential id: %(id)s") % {"id": cert.credential_id}, regular, MUTED),
    ]
    ny = qr_y + qr_size - 9
    for text, font, colour in note:
        canvas.setFont(font, 9)
        canvas.setFillColor(colour)
        for line in simpleSplit(text, font, 9, note_width):
            canvas.drawString(margin, ny, line)
            ny -= 12
        ny -= 4
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def certificate_pdf(cert: Certificate, credential_text: str, *, jwt: bool = False) -> bytes:
    """The page with the signed credential embedded verbatim (`credential.json`, or
    `credential.jwt` for a VC-JWT)."""
    writer = PdfWriter(clone_from=io.BytesIO(render(cert)))
    writer.add_attachment(ATTACHMENT_JWT if jwt else ATTACHMENT_JSON,
                          credential_text.encode("utf-8"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def learner_name(item: record_mod.Item, user: Any) -> str:
    """The name the credential gives, else the one the institution recorded, else the
    account's name, else the learner's address (the PDF is the learner's own copy)."""
    named = summarise(item.document, show_recipient=True).recipient_name
    recorded = getattr(item.obj, "recipient_name", "")
    emails = record_mod.verified_emails(user)
    return (named or recorded or user.get_full_name() or (emails[0] if emails else "")
            or _("the holder of this credential"))


def for_item(item: record_mod.Item, user: Any) -> Certificate:
    """The certificate of one record entry. The QR code leads to the credential's public page
    (platform credentials whose page is public), else to the verify page."""
    base = settings.PUBLIC_URL.rstrip("/")
    verify_page = f"{base}/verify"
    public = (f"{base}/credentials/{item.obj.uuid}"
              if item.public_page else verify_page)
    summary = item.summary
    institution = getattr(item.obj, "institution", None)
    return Certificate(
        learner_name=learner_name(item, user),
        achievement=summary.achievement_name or summary.name or _("Credential"),
        institution=(summary.issuer_name or (institution.name if institution else "")
                     or summary.issuer_id or _("Unknown issuer")),
        issued=summary.awarded or summary.valid_from,
        valid_until=summary.valid_until,
        ects=item.ects,
        eqf=item.eqf,
        credential_id=summary.id or "",
        qr_url=public,
        verify_page=verify_page,
        state=item.state,
    )

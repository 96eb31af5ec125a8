"""QR codes (segno) as inline SVG for pages, and as a module matrix for the PDF certificate.

Inline SVG rather than an <img> of a PNG: it needs no extra request or imaging library, scales
crisply when printed, and carries its text alternative (`role="img"`, `aria-label`, `<title>`)
in the markup itself, so screen readers announce what the code leads to.
"""

from __future__ import annotations

import segno
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BORDER = 4  # the quiet zone QR readers need, in modules


def make(data: str) -> segno.QRCode:
    """A QR code for `data` with medium error correction (survives smudges on print)."""
    return segno.make(data, error="m", micro=False)


def svg(data: str, alt: str, *, scale: int = 4) -> SafeString:
    """An inline, labelled SVG QR code of `data`; `alt` is what a screen reader announces."""
    code = make(data)
    markup = code.svg_inline(scale=scale, border=BORDER, svgclass="qr", lineclass=None,
                             omitsize=True, title=alt)
    label = escape(alt)
    # segno escapes the <title> text; the attributes added here are escaped by `escape`.
    markup = markup.replace("<svg ", f'<svg role="img" aria-label="{label}" focusable="false" ',
                            1)
    return mark_safe(markup)  # noqa: S308 - segno's own markup; the only text in it is escaped


def matrix(data: str) -> list[list[bool]]:
    """The dark (True) and light modules of the QR code, without the quiet zone."""
    return [[bool(module) for module in row] for row in make(data).matrix]

"""Achievement images: checking uploads (PNG, safe SVG) and generating an SVG badge.

No imaging library: a PNG is recognised by its signature and chunk layout; an SVG is parsed with
`xml.etree` after refusing DTDs (no entity expansion), and refused if it holds anything that can
run code or pull in other content (scripts, foreignObject, event handlers, external links).
"""

from __future__ import annotations

import colorsys
import hashlib
import re
import textwrap
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from django.utils import translation

from microdegree.institutions.errors import Invalid

if TYPE_CHECKING:
    from microdegree.catalog.models import AchievementVersion

MAX_BYTES = 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_NS = "http://www.w3.org/2000/svg"
_FORBIDDEN_ELEMENTS = {
    "script", "foreignobject", "iframe", "embed", "object", "handler", "listener",
    "animate", "set", "animatemotion", "animatetransform",
}
_HREF = re.compile(r"(^|\})href$")
_SAFE_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*$")
_CSS_DANGER = re.compile(r"url\s*\(\s*['\"]?\s*(?!#)|@import|expression\s*\(|javascript:", re.I)


def check_image(data: bytes) -> str:
    """'png' or 'svg' if `data` is an acceptable image; raises Invalid with the reason."""
    if len(data) > MAX_BYTES:
        raise Invalid("The image is larger than 1 MB.", code="IMAGE_TOO_LARGE")
    if data.startswith(PNG_SIGNATURE):
        _check_png(data)
        return "png"
    if data.lstrip()[:1] == b"<":
        _check_svg(data)
        return "svg"
    raise Invalid("The image must be a PNG or an SVG file.", code="IMAGE_TYPE")


def _check_png(data: bytes) -> None:
    # after the signature: IHDR first (length 13), IEND last
    if len(data) < 8 + 25 + 12 or data[12:16] != b"IHDR" or data[-8:-4] != b"IEND":
        raise Invalid("The PNG file is damaged or incomplete.", code="IMAGE_INVALID")


def _check_svg(data: bytes) -> None:
    if re.search(rb"<!(DOCTYPE|ENTITY)", data, re.I):
        raise Invalid("The SVG file may not contain a DOCTYPE or entity declarations.",
                      code="IMAGE_UNSAFE")
    try:
        root = ET.fromstring(data)  # noqa: S314 - no DTD, so no entity expansion
    except ET.ParseError as exc:
        raise Invalid(f"The SVG file is not well-formed XML ({exc}).",
                      code="IMAGE_INVALID") from exc
    if root.tag != f"{{{SVG_NS}}}svg":
        raise Invalid("The file is not an SVG image (no <svg> root element).",
                      code="IMAGE_TYPE")
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1].lower() if isinstance(element.tag, str) else ""
        if name in _FORBIDDEN_ELEMENTS:
            raise Invalid(f"The SVG file contains a <{name}> element, which is not allowed "
                          "(no scripts, embedded documents or animations).",
                          code="IMAGE_UNSAFE")
        if name == "style" and _CSS_DANGER.search(element.text or ""):
            raise Invalid("The SVG file's styles load outside content.", code="IMAGE_UNSAFE")
        for attr, value in element.attrib.items():
            local = attr.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                raise Invalid(f"The SVG file contains an event handler ({local}), which is "
                              "not allowed.", code="IMAGE_UNSAFE")
            if _HREF.search(attr) and not (value.startswith("#")
                                           or _SAFE_DATA_IMAGE.match(value)):
                raise Invalid("The SVG file links to outside content, which is not allowed.",
                              code="IMAGE_UNSAFE")
            if _CSS_DANGER.search(value):
                raise Invalid("The SVG file's styles load outside content.",
                              code="IMAGE_UNSAFE")


# --- the generated badge --------------------------------------------------------------------


def _colour(seed: str) -> str:
    """A dark, stable colour per institution (white text on it passes WCAG AA contrast)."""
    hue = hashlib.sha256(seed.encode()).digest()[0] / 256
    red, green, blue = colorsys.hls_to_rgb(hue, 0.28, 0.55)
    return f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def generated_svg(version: AchievementVersion) -> str:
    """An SVG badge with the achievement's name, institution and level."""
    definition = version.definition
    institution = definition.institution
    wrapped = textwrap.wrap(version.name, 18)
    lines = wrapped[:3] or [""]
    if len(wrapped) > 3:
        lines[-1] = lines[-1][:16] + "…"
    with translation.override("en"):  # the image is published: one text for every reader
        level = f"EQF level {version.eqf_level}" if version.eqf_level else \
            str(definition.get_kind_display())
    title = f"{version.name}, {institution.name}, {level}"
    first_y = 150 - (len(lines) - 1) * 14
    name_text = "".join(
        f'<text x="150" y="{first_y + i * 28}" font-size="22" font-weight="700">'
        f"{escape(line)}</text>"
        for i, line in enumerate(lines)
    )
    return (
        f'<svg xmlns="{SVG_NS}" width="300" height="300" viewBox="0 0 300 300" role="img" '
        f'aria-labelledby="title">'
        f'<title id="title">{escape(title)}</title>'
        f'<circle cx="150" cy="150" r="146" fill="{_colour(institution.slug)}"/>'
        f'<circle cx="150" cy="150" r="132" fill="none" stroke="#ffffff" stroke-width="3"/>'
        f'<g fill="#ffffff" font-family="system-ui, sans-serif" text-anchor="middle">'
        f'<text x="150" y="72" font-size="15">{escape(_short(institution.name, 28))}</text>'
        f"{name_text}"
        f'<text x="150" y="238" font-size="16">{escape(level)}</text>'
        f"</g></svg>"
    )

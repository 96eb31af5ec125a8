"""Achievement images: checking uploads (PNG, safe SVG) and generating the badge, as SVG and as
a PNG drawn from the same layout (Pillow, with the Bitstream Vera fonts reportlab ships, so the
picture is the same on every machine and needs no system library or font).

Uploads are checked without decoding them: a PNG is recognised by its signature and chunk layout;
an SVG is parsed with `xml.etree` after refusing DTDs (no entity expansion), and refused if it
holds anything that can run code or pull in other content (scripts, foreignObject, event
handlers, external links).
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import re
import textwrap
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any
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


DEFAULT_COLOUR = "#0b4f8a"
PNG_SIZE = 600  # px, twice the SVG's 300-unit view box


@dataclass(frozen=True)
class BadgeLayout:
    """What the badge shows and where, in the SVG's 300 x 300 units (both renderings use it)."""

    colour: str
    title: str
    top: str  # the institution, small, above the name
    lines: tuple[str, ...]  # the name, bold, wrapped in up to three lines
    bottom: str  # the level or kind

    @property
    def first_y(self) -> int:
        return 150 - (len(self.lines) - 1) * 14


def badge_layout(name: str, institution: str, bottom: str, colour: str = DEFAULT_COLOUR
                 ) -> BadgeLayout:
    wrapped = textwrap.wrap(name, 18)
    lines = wrapped[:3] or [""]
    if len(wrapped) > 3:
        lines[-1] = lines[-1][:16] + "…"
    title = ", ".join(part for part in (name, institution, bottom) if part)
    return BadgeLayout(colour=colour, title=title, top=_short(institution, 28),
                       lines=tuple(lines), bottom=bottom)


def layout_of(version: AchievementVersion) -> BadgeLayout:
    definition = version.definition
    institution = definition.institution
    with translation.override("en"):  # the image is published: one text for every reader
        level = f"EQF level {version.eqf_level}" if version.eqf_level else \
            str(definition.get_kind_display())
    return badge_layout(version.name, institution.name, str(level), _colour(institution.slug))


def layout_svg(layout: BadgeLayout) -> str:
    name_text = "".join(
        f'<text x="150" y="{layout.first_y + i * 28}" font-size="22" font-weight="700">'
        f"{escape(line)}</text>"
        for i, line in enumerate(layout.lines)
    )
    return (
        f'<svg xmlns="{SVG_NS}" width="300" height="300" viewBox="0 0 300 300" role="img" '
        f'aria-labelledby="title">'
        f'<title id="title">{escape(layout.title)}</title>'
        f'<circle cx="150" cy="150" r="146" fill="{layout.colour}"/>'
        f'<circle cx="150" cy="150" r="132" fill="none" stroke="#ffffff" stroke-width="3"/>'
        f'<g fill="#ffffff" font-family="system-ui, sans-serif" text-anchor="middle">'
        f'<text x="150" y="72" font-size="15">{escape(layout.top)}</text>'
        f"{name_text}"
        f'<text x="150" y="238" font-size="16">{escape(layout.bottom)}</text>'
        f"</g></svg>"
    )


@cache
def _font(bold: bool, size: int) -> Any:
    from PIL import ImageFont  # here: Pillow loads only when a PNG is drawn

    name = "VeraBd.ttf" if bold else "Vera.ttf"
    with resources.as_file(resources.files("reportlab") / "fonts" / name) as path:
        return ImageFont.truetype(str(path), size)


@lru_cache(maxsize=64)
def layout_png(layout: BadgeLayout, size: int = PNG_SIZE) -> bytes:
    """The badge as an RGBA PNG of `size` px: transparent corners, the SVG's circles and text.

    Drawn at twice the size and averaged down, for smooth edges; the last few are kept (a
    public address serves them, and drawing one takes a noticeable fraction of a second)."""
    from PIL import Image, ImageDraw

    ss = 2
    k = size * ss / 300  # pixels per SVG unit while drawing
    image = Image.new("RGBA", (size * ss, size * ss), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)

    def circle(r: float) -> tuple[float, float, float, float]:
        return ((150 - r) * k, (150 - r) * k, (150 + r) * k, (150 + r) * k)

    draw.ellipse(circle(146), fill=layout.colour)
    draw.ellipse(circle(133.5), outline="#ffffff", width=round(3 * k))

    def text(y: float, value: str, font_size: int, bold: bool = False) -> None:
        draw.text((150 * k, y * k), value, fill="#ffffff", anchor="ms",
                  font=_font(bold, round(font_size * k)))

    text(72, layout.top, 15)
    for i, line in enumerate(layout.lines):
        text(layout.first_y + i * 28, line, 22, bold=True)
    text(238, layout.bottom, 16)
    out = io.BytesIO()
    image.reduce(ss).save(out, format="PNG", compress_level=3)
    return out.getvalue()


def at_least(png: bytes, minimum: int = 400) -> bytes:
    """An uploaded PNG, scaled up (aspect kept) when its shorter side is under `minimum` px.

    Left as it is when Pillow cannot read it or it is oddly long (over 8 times `minimum` on
    its longer side: scaling it up would only make a very large file)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(png)) as image:
            if min(image.size) >= minimum or max(image.size) > 8 * minimum:
                return png
            factor = minimum / max(1, min(image.size))
            scaled = image.resize((round(image.width * factor), round(image.height * factor)),
                                  Image.Resampling.LANCZOS)
    except (UnidentifiedImageError, OSError, ValueError):
        return png
    out = io.BytesIO()
    scaled.save(out, format="PNG")
    return out.getvalue()


def generated_svg(version: AchievementVersion) -> str:
    """An SVG badge with the achievement's name, institution and level."""
    return layout_svg(layout_of(version))


def generated_png(version: AchievementVersion, size: int = PNG_SIZE) -> bytes:
    """The same badge as `generated_svg`, as a PNG of `size` px."""
    return layout_png(layout_of(version), size)

"""Baked badge images of a record's credential, through verification.bake (OB 3.0 baking).

The image is the achievement's uploaded image when it has one of the right kind, else the
catalogue's generated SVG badge; a PNG without an uploaded PNG is a plain square in the
institution's colour (no imaging library is installed). The baked text is the stored
credential, verbatim (JSON in CDATA / iTXt, or a compact JWS).
"""

from __future__ import annotations

import struct
import zlib
from typing import Any

from microdegree.issuing.models import IssuedCredential
from microdegree.vc.extract.bake import bake_png, bake_svg

GENERIC_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="300" viewBox="0 0 300 300" '
    'role="img" aria-labelledby="title"><title id="title">Credential</title>'
    '<circle cx="150" cy="150" r="146" fill="#0b4f8a"/></svg>'
)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return (struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))


def plain_png(size: int = 120, rgb: tuple[int, int, int] = (11, 79, 138)) -> bytes:
    """A square PNG of one colour (8-bit RGB)."""
    row = b"\x00" + bytes(rgb) * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(row * size)) + _png_chunk(b"IEND", b""))


def _colour(cred: IssuedCredential) -> tuple[int, int, int]:
    from microdegree.catalog.images import _colour as colour_of

    value = colour_of(cred.institution.slug).lstrip("#")
    try:
        return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))
    except (ValueError, IndexError):
        return (11, 79, 138)


def _uploaded(cred: IssuedCredential, suffix: str) -> bytes | None:
    image = cred.achievement_version.image
    if image and image.name.lower().endswith(suffix):
        with image.open("rb") as handle:
            data: bytes = handle.read()
            return data
    return None


def baked_png(target: Any) -> bytes:
    if isinstance(target, IssuedCredential):
        image = _uploaded(target, ".png") or plain_png(rgb=_colour(target))
    else:
        image = plain_png()
    return bake_png(image, target.document)


def baked_svg(target: Any) -> str:
    if isinstance(target, IssuedCredential):
        from microdegree.catalog.images import generated_svg

        uploaded = _uploaded(target, ".svg")
        svg = (uploaded.decode("utf-8") if uploaded is not None
               else generated_svg(target.achievement_version))
    else:
        svg = GENERIC_SVG
    return bake_svg(svg, target.document)

"""Baking: put a credential into a PNG or SVG badge image (Open Badges 3.0 "Formats").

PNG: one uncompressed `iTXt` chunk with keyword `openbadgecredential`, right after `IHDR`
(any earlier credential chunk is replaced). SVG: `<openbadges:credential>` as the first child of
`<svg>`, the JSON in CDATA or a compact JWS in the `verify` attribute, with
`xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"` on the root. The image is otherwise left
byte for byte as it was. `extract.png_credential` / `extract.svg_credential` read them back.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from html import escape
from typing import Any

from microdegree.vc.extract._base import (
    OB_SVG_NS,
    PNG_KEYWORD,
    PNG_SIGNATURE,
    ExtractError,
)
from microdegree.vc.extract.png import png_chunks

_SVG_ROOT = re.compile(r"<svg\b[^>]*>", re.IGNORECASE)


def _text(credential: str | dict[str, Any]) -> str:
    if isinstance(credential, dict):
        return json.dumps(credential, ensure_ascii=False, separators=(",", ":"))
    return credential.strip()


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def _is_credential_chunk(kind: bytes, body: bytes) -> bool:
    return kind == b"iTXt" and body.split(b"\0", 1)[0] == PNG_KEYWORD.encode()


def bake_png(png_bytes: bytes, credential_json: str | dict[str, Any]) -> bytes:
    """`png_bytes` with the credential (JSON text, a dict, or a compact JWS) baked in."""
    chunks = png_chunks(png_bytes)
    if not chunks or chunks[0][0] != b"IHDR":
        raise ExtractError("A PNG must start with its IHDR chunk.", code="PNG_INVALID")
    # keyword \0, compression flag 0, method 0, empty language \0, empty translated keyword \0
    body = PNG_KEYWORD.encode() + b"\0\0\0\0\0" + _text(credential_json).encode("utf-8")
    out = [PNG_SIGNATURE, _chunk(*chunks[0]), _chunk(b"iTXt", body)]
    out.extend(_chunk(kind, data) for kind, data in chunks[1:]
               if not _is_credential_chunk(kind, data))
    return b"".join(out)


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def bake_svg(svg_text: str, credential_json: str | dict[str, Any]) -> str:
    """`svg_text` with the credential baked in (JSON in CDATA; a JWS in `verify`)."""
    match = _SVG_ROOT.search(svg_text)
    if match is None:
        raise ExtractError("The image is not an SVG (no <svg> element).", code="SVG_INVALID")
    start = match.group(0)
    self_closing = start.endswith("/>")
    tag = start[:-2].rstrip() if self_closing else start[:-1]
    if "xmlns:openbadges" not in tag:
        tag += f' xmlns:openbadges="{OB_SVG_NS}"'
    text = _text(credential_json)
    if text.startswith("{"):
        element = f"<openbadges:credential>{_cdata(text)}</openbadges:credential>"
    else:
        element = f'<openbadges:credential verify="{escape(text, quote=True)}"/>'
    rest = svg_text[match.end():]
    if self_closing:
        return svg_text[:match.start()] + tag + ">" + element + "</svg>" + rest
    return svg_text[:match.start()] + tag + ">" + element + rest

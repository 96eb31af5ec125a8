"""Baked PNG badges: the `iTXt` chunk `openbadgecredential` (compressed or not)."""

from __future__ import annotations

import struct
import zlib

from microdegree.vc.extract._base import (
    MAX_DOCUMENT,
    MAX_PNG_CHUNKS,
    OB2_PNG_KEYWORD,
    PNG_KEYWORD,
    PNG_SIGNATURE,
    ExtractError,
)


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk; ExtractError for a truncated or corrupt PNG."""
    if not data.startswith(PNG_SIGNATURE):
        raise ExtractError("This is not a PNG image.", code="PNG_INVALID")
    chunks: list[tuple[bytes, bytes]] = []
    pos = len(PNG_SIGNATURE)
    while pos < len(data):
        if len(chunks) >= MAX_PNG_CHUNKS:
            raise ExtractError("The PNG has too many chunks.", code="PNG_INVALID")
        if pos + 8 > len(data):
            raise ExtractError("The PNG is truncated.", code="PNG_INVALID")
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 8 + length + 4
        if end > len(data):
            raise ExtractError("The PNG is truncated.", code="PNG_INVALID")
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[end - 4:end])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            raise ExtractError(
                f"The PNG chunk {kind.decode('latin-1')!r} is corrupt (CRC mismatch).",
                code="PNG_INVALID",
            )
        chunks.append((kind, body))
        pos = end
        if kind == b"IEND":
            break
    return chunks


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_DOCUMENT + 1)
    except zlib.error as exc:
        raise ExtractError(
            f"The compressed credential in the PNG is corrupt: {exc}.", code="PNG_INVALID"
        ) from exc
    if len(out) > MAX_DOCUMENT or inflater.unconsumed_tail:
        raise ExtractError(
            f"The credential in the PNG is larger than {MAX_DOCUMENT:,} bytes.", code="TOO_LARGE"
        )
    return out


def _itxt(body: bytes) -> tuple[str, str]:
    """(keyword, text) of an iTXt chunk, decompressing if flagged."""
    try:
        keyword, rest = body.split(b"\0", 1)
        flag, method = rest[0], rest[1]
        _language, rest = rest[2:].split(b"\0", 1)
        _translated, text = rest.split(b"\0", 1)
    except (ValueError, IndexError) as exc:
        raise ExtractError("The PNG has a malformed iTXt chunk.", code="PNG_INVALID") from exc
    if flag == 1:
        if method != 0:
            raise ExtractError("Unknown iTXt compression method.", code="PNG_INVALID")
        text = _inflate(text)
    try:
        return keyword.decode("latin-1"), text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExtractError("The PNG's credential text is not UTF-8.", code="PNG_INVALID") from exc


def png_credential(data: bytes) -> str:
    """The credential text baked into a PNG (JSON or compact JWS)."""
    ob2 = False
    for kind, body in png_chunks(data):
        if kind == b"iTXt":
            # Only the credential's own chunk is ever inflated (at most MAX_DOCUMENT bytes):
            # other compressed text chunks cost nothing, however many there are.
            keyword = body.split(b"\0", 1)[0]
            if keyword == PNG_KEYWORD.encode():
                return _itxt(body)[1]
            ob2 = ob2 or keyword == OB2_PNG_KEYWORD.encode()
        elif kind in (b"tEXt", b"zTXt") and body.split(b"\0", 1)[0] == OB2_PNG_KEYWORD.encode():
            ob2 = True
    if ob2:
        raise ExtractError(
            "This is an Open Badges 2.0 baked image (keyword 'openbadges'). Open Badges 2.0 "
            "assertions are not supported here: ask the issuer for an Open Badges 3.0 credential.",
            code="OB2_NOT_SUPPORTED",
        )
    raise ExtractError(
        "This PNG carries no Open Badges 3.0 credential (no iTXt chunk 'openbadgecredential').",
        code="NOT_BAKED",
    )

"""Hostile files for the parser-budget tests, built by hand (no tool writes such PDFs).

`pdf_bomb()`: a small PDF whose embedded-files name tree points at file specifications that live
in FlateDecode object streams, each inflating to `inflated` bytes (74 MB: just under pypdf's
own 75 MB per-stream limit). Listing the attachment names makes a reader inflate every one.
"""

from __future__ import annotations

import struct
import zlib

MB = 1024 * 1024


def _obj(num: int, body: bytes) -> bytes:
    return b"%d 0 obj\n" % num + body + b"\nendobj\n"


def _stream(num: int, extra: bytes, raw: bytes) -> bytes:
    return _obj(num, b"<< " + extra + b" /Length %d >>\nstream\n" % len(raw) + raw
                + b"\nendstream")


def pdf_bomb(*, streams: int = 2, inflated: int = 74_000_000) -> bytes:
    """The PDF: catalog 1, pages 2, object streams 10.., file specs after them (compressed)."""
    spec0 = 10 + streams
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    names = b" ".join(b"(f%d.json) %d 0 R" % (i, spec0 + i) for i in range(streams))
    parts: list[tuple[int, bytes]] = [
        (1, _obj(1, b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names ["
                 + names + b"] >> >> >>")),
        (2, _obj(2, b"<< /Type /Pages /Kids [] /Count 0 >>")),
    ]
    padding = b" " * inflated
    for i in range(streams):
        spec = b"<< /Type /Filespec /F (f%d.json) /EF << /F 3 0 R >> >>" % i
        header = b"%d 0 " % (spec0 + i)
        body = zlib.compress(header + spec + padding, 9)
        parts.append((10 + i, _stream(10 + i, b"/Type /ObjStm /N 1 /First %d /Filter "
                                      b"/FlateDecode" % len(header), body)))
    parts.append((3, _stream(3, b"/Type /EmbeddedFile", b"{}")))
    out = bytearray(head)
    offsets: dict[int, int] = {}
    for num, data in parts:
        offsets[num] = len(out)
        out += data
    size = spec0 + streams
    xref_num = size
    offsets[xref_num] = len(out)
    rows = []
    for num in range(size + 1):
        if num in offsets:
            rows.append(struct.pack(">BIH", 1, offsets[num], 0))
        elif spec0 <= num < spec0 + streams:
            rows.append(struct.pack(">BIH", 2, 10 + num - spec0, 0))
        else:
            rows.append(struct.pack(">BIH", 0, 0, 0))
    table = b"".join(rows)
    out += _stream(xref_num, b"/Type /XRef /Size %d /W [1 4 2] /Root 1 0 R" % (size + 1),
                   table)
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref_num]
    return bytes(out)

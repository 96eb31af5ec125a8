"""Read back the QR codes the pages and the PDF draw, as sets of dark modules (row, col).

No QR decoder is installed, so a test reads the modules actually drawn (the SVG path on a page,
the filled squares in the PDF's content stream) and compares them with segno's encoding of the
URL the user should land on: a code for any other text has other modules.
"""

from __future__ import annotations

import io
import re

import segno
from pypdf import PdfReader

Modules = set[tuple[int, int]]
BORDER = 4


def expected(data: str) -> Modules:
    """The dark modules of a QR code for `data` (medium error correction, as the app makes)."""
    matrix = segno.make(data, error="m", micro=False).matrix
    return {(r, c) for r, row in enumerate(matrix) for c, dark in enumerate(row) if dark}


def from_svg(svg: str) -> Modules:
    """Modules of a segno SVG path: `M x y` / `m dx dy` move, `h n` paints n modules."""
    match = re.search(r'<path[^>]*\sd="([^"]+)"', svg)
    assert match, svg[:200]
    x = y = 0.0
    out: Modules = set()
    for op, args in re.findall(r"([MmHhVv])([-0-9. ]+)", match.group(1)):
        nums = [float(n) for n in args.split()]
        if op == "M":
            x, y = nums
        elif op == "m":
            x, y = x + nums[0], y + nums[1]
        elif op == "h":
            for i in range(int(nums[0])):
                out.add((int(y - 0.5) - BORDER, int(x) + i - BORDER))
            x += nums[0]
        else:
            raise AssertionError(f"unexpected path operator {op}")
    return out


_RECT = re.compile(r"([-0-9.]+) ([-0-9.]+) ([-0-9.]+) ([-0-9.]+) re f\*?")
_FILL = re.compile(r"([0-9.]+) ([0-9.]+) ([0-9.]+) rg")


def from_pdf(data: bytes) -> Modules:
    """Modules of the QR code drawn on the PDF's first page: black rectangles (one module high,
    one or more wide) on a white square."""
    stream = PdfReader(io.BytesIO(data)).pages[0].get_contents().get_data().decode("latin-1")
    fill = (0.0, 0.0, 0.0)
    white: tuple[float, ...] | None = None
    squares: list[tuple[float, ...]] = []
    for line in stream.splitlines():
        colour = _FILL.search(line)
        if colour:
            fill = tuple(float(v) for v in colour.groups())
        rect = _RECT.search(line)
        if rect:
            box = tuple(float(v) for v in rect.groups())
            if fill == (1.0, 1.0, 1.0) and box[2] == box[3]:
                white, squares = box, []
            elif fill == (0.0, 0.0, 0.0) and white is not None:
                squares.append(box)
    assert white is not None, "no white quiet zone drawn"
    assert squares, "no QR code drawn"
    x0, y0, size, _ = white
    cell = squares[0][3]
    return {(round((y0 + size - y) / cell) - 1 - BORDER, round((x - x0) / cell) - BORDER + i)
            for x, y, w, _h in squares for i in range(round(w / cell))}

"""A document page as a PNG, with cited cells outlined.

PDF pages are rendered by pdfplumber (pypdfium2). The tab-separated text form has no page
image, so its page is drawn from the parsed lines and rows with a CJK font shipped as a pip
package (Noto Sans CJK); cited rows are outlined there.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pdfplumber
from PIL import Image, ImageDraw, ImageFont

from index.blocks import Grid, Line
from index.errors import BadRequest, NotFound
from index.load_pdf import is_pdf
from index.load_text import read_text
from index.types import BBox

RESOLUTION = 110
OUTLINE = (220, 30, 30)


@dataclass
class Highlight:
    boxes: list[BBox] = field(default_factory=list)  # PDF cells, in PDF points
    rows: list[str] = field(default_factory=list)  # text-form rows, by label
    cells: list[str] = field(default_factory=list)  # text-form rows, by a cell's printed text

    @classmethod
    def parse(cls, text: str) -> Highlight:
        """"x0,top,x1,bottom;row:科技奖励" → boxes and row labels; anything else is refused, naming the part."""
        found = cls()
        for part in (p.strip() for p in text.split(";") if p.strip()):
            if part.startswith(("row:", "cell:")):
                kind, _, value = part.partition(":")
                (found.rows if kind == "row" else found.cells).append(_plain(value))
                continue
            try:
                x0, top, x1, bottom = (float(n) for n in part.split(","))
            except ValueError:
                raise BadRequest(f"highlight: '{part[:40]}' is neither 'x0,top,x1,bottom' nor 'row:…' / 'cell:…'") from None
            if not all(math.isfinite(v) and v >= 0 for v in (x0, top, x1, bottom)) or x0 > x1 or top > bottom:
                raise BadRequest(f"highlight: '{part[:40]}' is not a box of finite, non-negative, ordered numbers")
            found.boxes.append((x0, top, x1, bottom))
        return found


def render_page(path: Path, page: int, highlight: Highlight) -> bytes:
    with path.open("rb") as handle:
        head = handle.read(1024)
    if is_pdf(head):
        return _pdf_page(path, page, highlight.boxes)
    return _text_page(path, page, highlight)


def _pdf_page(path: Path, page: int, boxes: list[BBox]) -> bytes:
    with pdfplumber.open(path) as pdf:
        if not 1 <= page <= len(pdf.pages):
            raise NotFound(f"page {page} does not exist (the document has {len(pdf.pages)} pages)")
        sheet = pdf.pages[page - 1]
        outside = [b for b in boxes if b[2] > float(sheet.width) + 1 or b[3] > float(sheet.height) + 1]
        if outside:
            raise BadRequest(f"highlight: box {outside[0]} is outside page {page} ({sheet.width:g} × {sheet.height:g} points)")
        image = sheet.to_image(resolution=RESOLUTION)
        for box in boxes:
            image.draw_rect(box, fill=(255, 0, 0, 40), stroke=OUTLINE, stroke_width=3)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()


def _text_page(path: Path, page: int, highlight: Highlight) -> bytes:
    pages, blocks = read_text(path.name, path.read_bytes())
    if not 1 <= page <= pages:
        raise NotFound(f"page {page} does not exist (the document has {pages} pages)")
    lines: list[tuple[str, list[str]]] = []
    for block in blocks:
        if block.page != page:
            continue
        if isinstance(block, Line):
            lines.append((block.text, []))
        elif isinstance(block, Grid):
            lines += [("  │  ".join(c.text for c in row), [_plain(c.text) for c in row]) for row in block.rows]
    wanted = set(highlight.rows) | set(highlight.cells)
    return _draw([(text, bool(wanted & set(cells))) for text, cells in lines], f"p. {page}")


def _plain(text: str) -> str:
    return "".join(text.split())


def _draw(lines: list[tuple[str, bool]], footer: str) -> bytes:
    font = _font(15)
    height = 30 * (len(lines) + 3)
    image = Image.new("RGB", (1400, max(height, 400)), "white")
    draw = ImageDraw.Draw(image)
    y = 24
    for text, marked in lines:
        if marked:
            draw.rectangle((14, y - 4, 1386, y + 24), outline=OUTLINE, width=3, fill=(255, 235, 235))
        draw.text((24, y), text[:160], font=font, fill="black")
        y += 30
    draw.text((24, y + 10), footer, font=font, fill=(120, 120, 120))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@lru_cache(maxsize=4)
def _font(size: int) -> Any:
    from cvttf_NotoSansCJK_Regular import get_TTF_path

    return ImageFont.truetype(get_TTF_path(), size)

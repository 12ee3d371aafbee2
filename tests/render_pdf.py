"""Render a tab-separated disclosure text as a PDF with ruled tables (a test fixture).

Text lines are printed as lines; runs of TAB lines become ruled grids. Pages are A4
landscape and fill top to bottom: a table that does not fit continues on the next page
without its title (and without repeating its header), as real PDFs do. The text form's
own page headers ("471 石家庄市…") start a new page, so printed header repeats stay
where the document put them.
"""

from __future__ import annotations

import re
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
SIZE = 8.0
LEADING = 12.0
MARGIN = 36.0
PAGE_W, PAGE_H = landscape(A4)
_CONTENTS_ENTRY = re.compile(r"^[^\t]+\t+\d{1,4}\s*$")
Span = tuple[tuple[int, int], tuple[int, int], str]  # top-left cell, bottom-right cell, text
_PAGE_HEADER = re.compile(r"^\d{3,}\s+[\u4e00-\u9fff（）()]{2,40}$")


def render(text_path: Path, pdf_path: Path) -> list[int]:
    """Write the PDF; returns the pages where a table ran over and continued."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    writer = _Writer(canvas.Canvas(str(pdf_path), pagesize=(PAGE_W, PAGE_H)))
    lines = text_path.read_text(encoding="utf-8").splitlines()
    rows: list[list[str]] = []
    in_contents = False
    for number, line in enumerate(lines):
        is_entry = number < 120 and bool(_CONTENTS_ENTRY.match(line))
        if "\t" in line and not is_entry:
            rows.append(line.split("\t"))
            continue
        if rows:
            writer.table(rows)
            rows = []
        if in_contents and line.strip() and not is_entry:
            writer.new_page()  # the 目录 has its own page
        in_contents = is_entry or (in_contents and not line.strip())
        if line.strip():
            writer.line(line.replace("\t", " …… ").strip())
    if rows:
        writer.table(rows)
    writer.canvas.save()
    return writer.continued


class _Writer:
    def __init__(self, pdf: canvas.Canvas) -> None:
        self.canvas = pdf
        self.y = PAGE_H - MARGIN
        self.fresh = True
        self.page = 1
        self.continued: list[int] = []

    def new_page(self) -> None:
        self.canvas.showPage()
        self.page += 1
        self.y = PAGE_H - MARGIN
        self.fresh = True

    def line(self, text: str) -> None:
        if _PAGE_HEADER.match(text) and not self.fresh:
            self.new_page()
        for part in _wrap(text, PAGE_W - 2 * MARGIN, SIZE + 2):
            if self.y - LEADING * 1.6 < MARGIN:
                self.new_page()
            self.canvas.setFont(FONT, SIZE + 2)
            self.canvas.drawString(MARGIN, self.y - LEADING, part)
            self.y -= LEADING * 1.6
            self.fresh = False

    def table(self, rows: list[list[str]]) -> None:
        width = max(len(row) for row in rows)
        rows = [[text.strip() for text in row] + [""] * (width - len(row)) for row in rows]
        widths = _column_widths(rows, PAGE_W - 2 * MARGIN)
        heights = [max(len(_wrap(t, w - 4, SIZE)) for t, w in zip(row, widths, strict=True)) * LEADING + 4 for row in rows]
        head = _header_rows(rows)
        self.y -= 4
        if self.y - sum(heights[: head + 1]) < MARGIN:
            self.new_page()
        self._header(rows[:head], widths, heights[:head])
        for row, height in zip(rows[head:], heights[head:], strict=True):
            if self.y - height < MARGIN:
                self.new_page()
                self.continued.append(self.page)
            self._cells([((0, c), (0, c), text) for c, text in enumerate(row)], widths, [height])
            self.fresh = False
        self.y -= 6

    def _header(self, rows: list[list[str]], widths: list[float], heights: list[float]) -> None:
        owner = _merged_owners(rows)
        regions: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for r, row in enumerate(owner):
            for c, cell in enumerate(row):
                regions.setdefault(cell, []).append((r, c))
        spans = [(min(cells), max(cells), rows[r0][c0]) for (r0, c0), cells in regions.items()]
        self._cells(spans, widths, heights)

    def _cells(self, spans: list[Span], widths: list[float], heights: list[float]) -> None:
        """Each span (top-left, bottom-right, text) drawn as one ruled box: a merged cell."""
        xs = [MARGIN + sum(widths[:c]) for c in range(len(widths) + 1)]
        ys = [self.y - sum(heights[:r]) for r in range(len(heights) + 1)]
        self.canvas.setFont(FONT, SIZE)
        self.canvas.setLineWidth(0.5)
        for (r0, c0), (r1, c1), text in spans:
            left, right, top, bottom = xs[c0], xs[c1 + 1], ys[r0], ys[r1 + 1]
            self.canvas.rect(left, bottom, right - left, top - bottom)
            for i, part in enumerate(_wrap(text, right - left - 4, SIZE)):
                self.canvas.drawString(left + 2, top - LEADING * (i + 1), part)
        self.y = ys[-1]


def _header_rows(rows: list[list[str]]) -> int:
    """Rows above the first figure, or down to the 栏次 row."""
    for index, row in enumerate(rows):
        if row[0].replace(" ", "") == "栏次":
            return index + 1
        if any(re.fullmatch(r"-?[\d,]+(\.\d+)?%?", text) for text in row[1:]):
            return index
    return 1


def _merged_owners(rows: list[list[str]]) -> list[list[tuple[int, int]]]:
    """Which cell's box covers each header cell: a blank beside a parent label whose sub-labels
    continue below joins the parent; a blank with nothing under it joins the label above."""
    owner: list[list[tuple[int, int]]] = []
    for r, row in enumerate(rows):
        below = rows[r + 1] if r + 1 < len(rows) and rows[r + 1][0] != "栏次" else None
        current: list[tuple[int, int]] = []
        for c, text in enumerate(row):
            left = current[c - 1] if c else None
            if text:
                current.append((r, c))
            elif left and left[0] == r and rows[r][left[1]] and below and below[c] and below[c - 1]:
                current.append(left)
            elif r > 0 and not (below and below[c]):
                current.append(owner[r - 1][c])
            else:
                current.append((r, c))
        owner.append(current)
    return owner


def _text_width(text: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, FONT, size))


def _column_widths(rows: list[list[str]], total: float) -> list[float]:
    natural = [max(min(_text_width(row[c].strip(), SIZE), 220.0) for row in rows) + 6 for c in range(len(rows[0]))]
    natural = [max(w, 18.0) for w in natural]
    scale = min(1.0, total / sum(natural))
    return [w * scale for w in natural]


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Break a string into lines that fit: by character, as Chinese typesetting does."""
    parts, current = [], ""
    for char in text:
        if current and _text_width(current + char, size) > width:
            parts.append(current)
            current = ""
        current += char
    return [*parts, current] if current or not parts else parts

"""PDF in, blocks out: one page at a time through pdfplumber; pages with no text layer by OCR."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import LITERAL_FORM
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.psexceptions import PSException

from index.blocks import Block, Grid, GridCell, Line, Merged
from index.errors import IngestError, UnsupportedDocument
from index.inflate import StreamTooLarge, bounded
from index.realign import realigned, rejoined
from index.text import clean, parse_number
from index.types import Limits

# Some producers (ONLYOFFICE) print digits a few points below the Chinese text of the same
# line; a tolerance under the body line spacing keeps them on their line.
LINE_Y_TOLERANCE = 5.5

Progress = Callable[[int, int], None]


def is_pdf(data: bytes) -> bool:
    """Sniffed from the content, never the name: a PDF starts with %PDF- (after any whitespace)."""
    return data.lstrip()[:5].startswith(b"%PDF-")


def check_pdf_bytes(source: str, data: bytes) -> None:
    if not data:
        raise IngestError(source, "the file is empty")
    if not is_pdf(data):
        raise UnsupportedDocument(source, "not a PDF: the content does not start with %PDF-")


@dataclass
class PdfPages:
    total: int
    blocks: list[Block]
    ocr_pages: list[int] = field(default_factory=list)


def read_pdf(path: Path, source: str, limits: Limits, progress: Progress | None = None) -> PdfPages:
    """Every page's lines and grids in reading order, the page count and the pages read by OCR;
    within ``limits`` (pages, characters a page, how far streams inflate), checked as it reads."""
    try:
        with bounded(limits.stream_bytes, limits.inflated_bytes):
            return _read(path, source, limits, progress)
    except IngestError:
        raise
    except Exception as exc:
        bound = _stream_too_large(exc)  # pdfplumber wraps what pdfminer raised
        if bound is not None:
            raise UnsupportedDocument(source, f"{bound} (a decompression bomb?); see BUDGET_QA_MAX_STREAM_MB") from exc
        raise _explain(source, exc) from exc


def _stream_too_large(exc: BaseException | None) -> StreamTooLarge | None:
    while exc is not None and not isinstance(exc, StreamTooLarge):
        wrapped = next((a for a in exc.args if isinstance(a, BaseException)), None)
        exc = wrapped or exc.__cause__ or exc.__context__
    return exc


def _read(path: Path, source: str, limits: Limits, progress: Progress | None) -> PdfPages:
    with pdfplumber.open(path) as pdf:
        total = len(pdf.pages)
        if total == 0:
            raise IngestError(source, "the PDF has no pages")
        if total > limits.pages:
            raise UnsupportedDocument(source, f"{total} pages is over the limit of {limits.pages}")
        read = PdfPages(total, [])
        drawn = 0
        for number, page in enumerate(pdf.pages, start=1):
            drawn += _within_content_limits(page, number, drawn, source, limits)
            if len(page.chars) > limits.page_chars:
                raise UnsupportedDocument(source, f"{len(page.chars):,} characters is over the limit of "
                                          f"{limits.page_chars:,} a page", page=number)
            if needs_ocr(page):
                read.blocks.extend(_ocr_page(page, number, source))
                read.ocr_pages.append(number)
            else:
                read.blocks.extend(_page_blocks(page, number))
            page.close()  # drop the page's parsed layout: only one page is held at a time
            if progress:
                progress(number, total)
    if not read.blocks:
        pages = "page 1" if total == 1 else f"pages 1–{total}"
        raise UnsupportedDocument(source, f"nothing readable on {pages}: no text layer and no text found by OCR")
    return read


def _within_content_limits(page: Any, number: int, drawn: int, source: str, limits: Limits) -> int:
    """The inflated size of a page's drawing instructions (its content streams and the forms it
    draws), refused past the limits *before* pdfminer interprets them: interpreting costs ~2 s
    and ~30 MB a MB, so a page of millions of path operators is a bomb of its own."""
    size = sum(len(stream.get_data()) for stream in _drawn_streams(page.page_obj))
    if size > limits.page_content_bytes:
        raise UnsupportedDocument(source, f"its drawing instructions inflate to {size / 1e6:.1f} MB, over the limit "
                                  f"of {limits.page_content_bytes / 1e6:g} MB a page", page=number)
    if drawn + size > limits.content_bytes:
        raise UnsupportedDocument(source, f"the drawing instructions of pages 1–{number} inflate past the limit of "
                                  f"{limits.content_bytes / 1e6:g} MB", page=number)
    return size


def _drawn_streams(page_obj: Any) -> Iterator[PDFStream]:
    """A page's content streams and the form XObjects in its resources (decoded once: pdfminer
    keeps the decoded data for when it interprets them)."""
    for stream in page_obj.contents:
        stream = resolve1(stream)
        if isinstance(stream, PDFStream):
            yield stream
    resources = resolve1(page_obj.resources) or {}
    xobjects = resolve1(resources.get("XObject")) if isinstance(resources, dict) else None
    for xobject in (xobjects or {}).values() if isinstance(xobjects, dict) else ():
        xobject = resolve1(xobject)
        if isinstance(xobject, PDFStream) and resolve1(xobject.get("Subtype")) == LITERAL_FORM:
            yield xobject


def needs_ocr(page: Any) -> bool:
    """A scanned page: pictures and (next to) no text layer."""
    return len(page.chars) < 5 and bool(page.images)


def _ocr_page(page: Any, number: int, source: str) -> list[Block]:
    from index.ocr import OcrUnavailable, ocr_blocks  # the OCR engine loads only when a document needs it

    try:
        return ocr_blocks(page, number)
    except OcrUnavailable as exc:
        raise UnsupportedDocument(source, f"the page is scanned (no text layer) and {exc}", page=number) from exc


def _explain(source: str, exc: Exception) -> IngestError:
    """pdfplumber wraps pdfminer's errors; name the real problem."""
    cause = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc.__cause__ or exc
    if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError) or "password" in repr(cause).lower():
        return UnsupportedDocument(source, "the PDF is encrypted; save an unencrypted copy")
    if isinstance(cause, PDFSyntaxError | PSException) or isinstance(exc, PDFSyntaxError | PSException):
        return IngestError(source, f"the PDF is truncated or corrupt ({type(cause).__name__})")
    return IngestError(source, f"the PDF could not be read ({type(cause).__name__}: {cause})")


def _page_blocks(page: Any, number: int) -> Iterator[Block]:
    if _doubled_glyphs(page):
        page = page.dedupe_chars()  # producers fake bold by printing each glyph twice ("22002266年年")
    page = rejoined(realigned(page))
    grids = [(t, _grid(t, number)) for t in page.find_tables()]
    # A frame drawn around running text, or a shaded strip inside a paragraph, is found as a
    # "table"; its text stays narrative.
    kept = [(t, grid) for t, grid in grids if not is_prose(grid) and not _inside_paragraph(page, t.bbox, grid)]
    placed: list[tuple[float, Block]] = [(t.bbox[1], grid) for t, grid in kept]
    boxes = [t.bbox for t, _ in kept]

    def outside(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") != "char":
            return True
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

    for line in page.filter(outside).extract_text_lines(y_tolerance=LINE_Y_TOLERANCE, return_chars=False):
        text = line["text"].strip()
        if text:
            placed.append((line["top"], Line(number, text)))
    placed.sort(key=lambda item: item[0])
    return (block for _, block in placed)


def _doubled_glyphs(page: Any) -> bool:
    """Glyphs printed twice at (nearly) one spot — a heading in fake bold is enough; checked cheaply, so
    pdfplumber's costly de-duplication runs only on the pages that need it."""
    seen: set[tuple[str, int, int]] = set()
    doubled = 0
    for char in page.chars:
        spot = (char["text"], round(char["x0"]), round(char["top"]))
        doubled += spot in seen
        seen.add(spot)
    return doubled >= 3


def _inside_paragraph(page: Any, bbox: tuple[float, float, float, float], grid: Grid) -> bool:
    """A one-row strip amid running text: words on its own line outside it (a highlight inside a
    sentence), or, without figures, text lines right above and right below it."""
    if len(grid.rows) != 1:
        return False
    x0, top, x1, bottom = bbox
    if any(top <= (c["top"] + c["bottom"]) / 2 <= bottom and not x0 - 1 <= (c["x0"] + c["x1"]) / 2 <= x1 + 1
           and c["text"].strip() for c in page.chars):
        return True
    if any(parse_number(cell.text) is not None for cell in grid.rows[0]):
        return False
    gap = 2.5 * max((c["size"] for c in page.chars[:50]), default=10.0)

    def text_between(a: float, b: float) -> bool:
        return any(a <= c["top"] and c["bottom"] <= b and not (x0 <= c["x0"] <= x1 and top <= c["top"] <= bottom)
                   for c in page.chars)

    return text_between(top - gap, top + 1) and text_between(bottom - 1, bottom + gap)


def is_prose(grid: Grid) -> bool:
    """Ruled or shaded text that is no table: one column, a lone strip of words, or mostly sentences."""
    texts = [cell.text for row in grid.rows for cell in row if cell.text]
    if not texts:
        return False  # an empty ruled grid: a table's blank continuation, kept for its pages
    if grid.width < 2:
        return True
    if len(grid.rows) == 1:  # a table's lone row (a continuation) has a label and figures, no stray punctuation
        broken = any(re.fullmatch(r"[、，。；：:,.()（）]+|\d+\.", t) for t in texts)  # "1935." | "36": a number split
        fragment = len(texts) <= 3 and any(re.search(r"[。，；]", t) for t in texts)  # "元。" | "2026"
        return broken or fragment or (len(texts) < 3 and not any(parse_number(t) is not None for t in texts))
    sentences = sum(bool(re.search(r"[\u4e00-\u9fff].*[，。；]|[，。；].*[\u4e00-\u9fff]", t)) for t in texts)
    figures = sum(parse_number(t) is not None for t in texts)
    return sentences * 5 >= len(texts) * 2 and figures * 5 < len(texts)


def _grid(table: Any, page: int) -> Grid:
    texts = table.extract()
    columns = _column_spans(table)
    rows: list[list[GridCell]] = []
    for r, row in enumerate(table.rows):
        cells: list[GridCell] = []
        for c, bbox in enumerate(row.cells):
            if bbox is None:
                cells.append(GridCell("", page, None, _merged_from(row.cells, c, columns)))
            else:
                cells.append(GridCell(clean(texts[r][c]), page, tuple(round(v, 2) for v in bbox)))
        rows.append(cells)
    return Grid(page, rows, ruled=True)


def _column_spans(table: Any) -> list[tuple[float, float]]:
    width = max(len(row.cells) for row in table.rows)
    spans: list[tuple[float, float]] = [(0.0, 0.0)] * width
    for c in range(width):
        for row in table.rows:
            if c < len(row.cells) and row.cells[c] is not None:
                spans[c] = (row.cells[c][0], row.cells[c][2])
                break
    return spans


def _merged_from(cells: list[Any], c: int, columns: list[tuple[float, float]]) -> Merged:
    """A None cell is covered by a neighbour: the left one if it reaches over this column."""
    centre = sum(columns[c]) / 2
    for left in range(c - 1, -1, -1):
        if cells[left] is not None:
            return "left" if cells[left][2] > centre else "above"
    return "above"

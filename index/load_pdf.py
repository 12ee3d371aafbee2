"""PDF in, blocks out: one page at a time through pdfplumber."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psexceptions import PSException

from index.blocks import Block, Grid, GridCell, Line, Merged
from index.errors import IngestError, UnsupportedDocument
from index.text import clean

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


def read_pdf(path: Path, source: str, max_pages: int, progress: Progress | None = None) -> tuple[int, list[Block]]:
    """Every page's lines and grids in reading order, and the page count."""
    try:
        return _read(path, source, max_pages, progress)
    except IngestError:
        raise
    except Exception as exc:
        raise _explain(source, exc) from exc


def _read(path: Path, source: str, max_pages: int, progress: Progress | None) -> tuple[int, list[Block]]:
    blocks: list[Block] = []
    image_only: list[int] = []
    with pdfplumber.open(path) as pdf:
        total = len(pdf.pages)
        if total == 0:
            raise IngestError(source, "the PDF has no pages")
        if total > max_pages:
            raise UnsupportedDocument(source, f"{total} pages is over the limit of {max_pages}")
        for number, page in enumerate(pdf.pages, start=1):
            if not page.chars and page.images:
                image_only.append(number)
            else:
                blocks.extend(_page_blocks(page, number))
            page.close()  # drop the page's parsed layout: only one page is held at a time
            if progress:
                progress(number, total)
    if image_only:
        pages = ", ".join(str(n) for n in image_only)
        raise UnsupportedDocument(
            source, f"pages {pages} are images with no text layer; OCR is not supported"
        )
    return total, blocks


def _explain(source: str, exc: Exception) -> IngestError:
    """pdfplumber wraps pdfminer's errors; name the real problem."""
    cause = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc.__cause__ or exc
    if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError) or "password" in repr(cause).lower():
        return UnsupportedDocument(source, "the PDF is encrypted; save an unencrypted copy")
    if isinstance(cause, PDFSyntaxError | PSException) or isinstance(exc, PDFSyntaxError | PSException):
        return IngestError(source, f"the PDF is truncated or corrupt ({type(cause).__name__})")
    return IngestError(source, f"the PDF could not be read ({type(cause).__name__}: {cause})")


def _page_blocks(page: Any, number: int) -> Iterator[Block]:
    tables = page.find_tables()
    placed: list[tuple[float, Block]] = [(t.bbox[1], _grid(t, number)) for t in tables]
    boxes = [t.bbox for t in tables]

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

"""What a loader hands the parsers: a page-ordered stream of text lines and raw grids.

Both the PDF and the tab-separated text loader produce these, so table parsing does not
care where a grid came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from index.types import BBox

Merged = Literal["", "left", "above"]


@dataclass
class GridCell:
    text: str
    page: int
    bbox: BBox | None = None
    merged: Merged = ""  # covered by a merged cell reaching from the left or from above
    ocr: bool = False  # read by OCR from a page image, not from the PDF's text layer


@dataclass
class Grid:
    page: int
    rows: list[list[GridCell]]
    ruled: bool  # True when cell geometry came from ruling lines (PDF)

    @property
    def width(self) -> int:
        return max((len(row) for row in self.rows), default=0)

    def texts(self, index: int) -> list[str]:
        return [cell.text for cell in self.rows[index]]


@dataclass
class Line:
    page: int
    text: str
    ocr: bool = False


Block = Grid | Line


@dataclass
class PageBreak:
    """Marks the start of a new page in the text form (its repeated page header)."""

    page: int

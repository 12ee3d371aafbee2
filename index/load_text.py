"""The tab-separated text form of a disclosure in, blocks out.

One line per table row with cells separated by TAB; other lines are text. The form has no
page geometry, so page numbers are derived: the printed 目录 anchors each listed title to
its page, and a repeated page header (department code line, or a table header printed
again without a new title) starts the next page.
"""

from __future__ import annotations

import codecs
import itertools
import re

from index.blocks import Block, Grid, GridCell, Line
from index.errors import IngestError, UnsupportedDocument
from index.text import clean, key

_CONTENTS_ENTRY = re.compile(r"^(?P<title>[^\t]+?)\t+(?P<page>\d{1,4})\s*$")
_PAGE_HEADER = re.compile(r"^\d{3,}\s+[\u4e00-\u9fff（）()]{2,40}$")  # "471 石家庄市鹿泉区科学技术和工业信息化局"


def decode_text(source: str, data: bytes) -> str:
    """The text of a disclosure in UTF-8 (with or without BOM), UTF-16/32 (with BOM, or UTF-16
    without one) or GB18030/GBK; anything else is refused, naming the file."""
    if not data.strip():
        raise IngestError(source, "the file is empty")
    encoding = _declared(data) or _utf16_without_bom(data[:4096])
    if encoding is None and b"\x00" in data[:4096]:
        raise UnsupportedDocument(source, "binary content is not a disclosure text")
    for candidate in [encoding] if encoding else ["utf-8-sig", "gb18030"]:
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        if not text.strip():
            raise IngestError(source, "the file is empty")
        return text
    raise UnsupportedDocument(source, f"the text is not {encoding or 'UTF-8 nor GB18030'}")


_BOMS = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16")]  # UTF-32's little-endian BOM begins with UTF-16's: tried first


def _declared(data: bytes) -> str | None:
    return next((encoding for bom, encoding in _BOMS if data.startswith(bom)), None)


def _utf16_without_bom(head: bytes) -> str | None:
    """Zero bytes, and read two bytes at a time the head is Chinese and ASCII text: UTF-16."""
    if b"\x00" not in head:
        return None
    even = head[: len(head) // 2 * 2]
    for encoding in ("utf-16-le", "utf-16-be"):
        text = even.decode(encoding, errors="replace")
        if text and len(_TEXT_CHAR.findall(text)) >= 0.9 * len(text):
            return encoding
    return None


_TEXT_CHAR = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\x20-\x7e\t\r\n“”‘’、（）《》—…·]")


def read_text(source: str, data: bytes, max_chars: int = 5_000_000) -> tuple[int, list[Block]]:
    text = decode_text(source, data)
    if len(text) > max_chars:  # checked before any line is parsed: memory stays bounded by the file's size
        raise UnsupportedDocument(source, f"{len(text):,} characters is over the limit of {max_chars:,}")
    lines = text.splitlines()
    anchors, body_start = _contents_anchors(lines)
    reader = _TextReader(anchors)
    for number, raw in enumerate(lines):
        reader.feed(raw, in_contents=number < body_start)
    blocks = reader.finish()
    if not any(isinstance(b, Grid) for b in blocks):
        raise UnsupportedDocument(source, "no tab-separated table rows found; is this a disclosure text?")
    return reader.page, blocks


def _contents_anchors(lines: list[str]) -> tuple[dict[str, int], int]:
    """Titles listed in the 目录 with their pages, and the index of the first body line."""
    anchors: dict[str, int] = {}
    last = 0
    for number, line in enumerate(lines[:120]):
        match = _CONTENTS_ENTRY.match(line.strip("\r"))
        if match:
            anchors[key(match["title"])] = int(match["page"])
            last = number + 1
    return anchors, last


class _TextReader:
    def __init__(self, anchors: dict[str, int]) -> None:
        self.anchors = anchors
        self.page = 1
        self.blocks: list[Block] = []
        self.rows: list[list[str]] = []
        self.page_header = ""
        self.grid_on_page = False
        self.last_header_row: list[str] | None = None
        self.anchored: list[tuple[int, int]] = [(0, 1)]  # (block index, page) fixed by the 目录

    def feed(self, raw: str, in_contents: bool) -> None:
        line = raw.rstrip("\r\n")
        if "\t" in line and not in_contents:
            self.rows.append([clean(cell) for cell in line.split("\t")])
            return
        self._flush()
        text = line.strip()
        if not text:
            return
        if in_contents:
            self.blocks.append(Line(self.page, text.replace("\t", " ")))
            return
        self._advance_page(text)
        self.blocks.append(Line(self.page, text))

    def _advance_page(self, text: str) -> None:
        anchored = self._anchor(key(text))
        if anchored and anchored >= self.page:
            self.page = anchored
            self.anchored.append((len(self.blocks), anchored))
            self.grid_on_page = False
            self.last_header_row = None
        elif _PAGE_HEADER.match(text):
            if self.page_header == text and self.grid_on_page:
                self._new_page()
            self.page_header = self.page_header or text

    def _anchor(self, text_key: str) -> int | None:
        if text_key in self.anchors:
            return self.anchors[text_key]
        # A heading may carry more than its 目录 entry: "六、政府采购预算情况（含所属单位）".
        return next((page for k, page in self.anchors.items() if len(k) >= 6 and text_key.startswith(k)), None)

    def _new_page(self) -> None:
        self.page += 1
        self.grid_on_page = False

    def _flush(self) -> None:
        if not self.rows:
            return
        first = [cell for cell in self.rows[0] if cell]  # tab counts vary between repeats
        if self.grid_on_page and first == self.last_header_row:
            self._new_page()  # the table's header printed again: the next page
        self.blocks.append(Grid(self.page, [[GridCell(t, self.page) for t in row] for row in self.rows], ruled=False))
        self.last_header_row = first
        self.grid_on_page = True
        self.rows = []

    def finish(self) -> list[Block]:
        self._flush()
        self._spread_pages()
        return self.blocks

    def _spread_pages(self) -> None:
        """Where page headers are too sparse to count pages (long runs of forms), spread the
        blocks between two 目录 anchors over the pages the 目录 says they fill, by size."""
        points = [*self.anchored, (len(self.blocks), self.page)]
        for (start, first), (end, last) in itertools.pairwise(points):
            span = self.blocks[start:end]
            if not span or last - max(b.page for b in span) <= 1:
                continue
            weights = [len(b.rows) if isinstance(b, Grid) else 1 for b in span]
            total, done = sum(weights), 0
            for block, weight in zip(span, weights, strict=True):
                _set_page(block, max(block.page, first + (done * (last - first)) // total))
                done += weight


def _set_page(block: Block, page: int) -> None:
    block.page = page
    if isinstance(block, Grid):
        for row in block.rows:
            for cell in row:
                cell.page = page

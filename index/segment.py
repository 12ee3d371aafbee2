"""Blocks in, document parts out: the 目录, raw tables (title, unit, grids) and narrative lines.

A table starts at a grid under a title line and continues over later grids, page after
page, until a heading or a narrative paragraph closes it: continuation pages repeat the
header or not, but never the title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.blocks import Block, Grid, Line
from index.kinds import is_table_title
from index.text import find_unit, key

_FURNITURE = re.compile(
    r"^(\d{3,}\s+[\u4e00-\u9fff（）()]{2,40}|预算年度[:：].*|截止时间[:：].*|(金额)?单位[:：].*|[-—\s]*\d+[-—\s]*|第\s*\d+\s*页.*|[“”\"'\s]+)$"
)
_HEADING = re.compile(r"^(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")
_CONTENTS_TITLE = re.compile(r"目\s*录")
_PAGE_SUFFIX = re.compile(r"(?:\s*[.·…．]+\s*|\s+)(?P<page>\d{1,4})$")  # "收支总表 3", "收支总表……3", "收支总表.....3"


def _is_note(text: str, note_so_far: str) -> bool:
    """A table's note: "注：…", and after it the lines that still speak of 本表 ("说明：…故本表无数据")."""
    return bool(re.match(r"^注[:：]", text)) or bool(note_so_far and "本表" in text)


@dataclass
class RawTable:
    title: str
    unit: str
    grids: list[Grid] = field(default_factory=list)
    note: str = ""

    @property
    def pages(self) -> tuple[int, int]:
        return self.grids[0].page, self.grids[-1].page


@dataclass
class Segments:
    contents: list[tuple[str, int | None]]
    tables: list[RawTable]
    narrative: list[Line]


def segment(blocks: list[Block]) -> Segments:
    return _Segmenter().run(blocks)


class _Segmenter:
    def __init__(self) -> None:
        self.contents: list[tuple[str, int | None]] = []
        self.in_contents = False
        self.tables: list[RawTable] = []
        self.narrative: list[Line] = []
        self.open: RawTable | None = None
        self.title = ""  # a title line waiting for its first grid
        self.unit = ""
        self.last_text = ""
        self.last_heading = ""

    def run(self, blocks: list[Block]) -> Segments:
        for block in blocks:
            if isinstance(block, Grid):
                self._grid(block)
            else:
                self._line(block)
        return Segments(self.contents, self.tables, self.narrative)

    def _line(self, line: Line) -> None:
        text = line.text.strip()
        if self._contents_line(text):
            return
        if find_unit(text):
            self.unit = find_unit(text)
        if _FURNITURE.match(text):
            return
        if is_table_title(text):
            self.open = None
            # A title wrapped onto a second line ("…预算" + "绩效目标表") is joined back.
            wrapped = key(text) == "绩效目标表" and self.last_text and self.narrative
            if wrapped:
                self.narrative.pop()
            self.title = (self.last_text + text) if wrapped else text
            self.unit = ""
            return
        if self.open is not None and _is_note(text, self.open.note):
            self.open.note = (self.open.note + text).strip()
            return
        if _HEADING.match(text):
            self.last_heading = text
        self.open = None
        self.title = ""
        self.unit = ""
        self.last_text = text
        self.narrative.append(line)

    def _contents_line(self, text: str) -> bool:
        if _CONTENTS_TITLE.search(text) and len(text) < 40 and not self.contents:
            self.in_contents = True
            return True
        if not self.in_contents:
            return False
        entry = _PAGE_SUFFIX.sub("", text).strip()
        if _FURNITURE.match(text):
            return True  # a year or page number the PDF put on its own line
        if any(key(entry) == key(seen) for seen, _ in self.contents):
            self.in_contents = False  # the body starts by repeating the first entries
            return False
        page = _PAGE_SUFFIX.search(text)
        self.contents.append((entry, int(page['page']) if page else None))
        return True

    def _grid(self, grid: Grid) -> None:
        self.in_contents = False
        if self.title or self.open is None:
            title = self.title or self._untitled()
            self.open = RawTable(title=title, unit=self.unit)
            self.tables.append(self.open)
            self.title = ""
            if title == self.last_text and self.narrative and self.narrative[-1].text == title:
                self.narrative.pop()  # the short line was the table's caption, not narrative
        elif not self.open.unit and self.unit:
            self.open.unit = self.unit
        if not self.open.unit:
            self.open.unit = find_unit(" ".join(c.text for row in grid.rows[:4] for c in row))
        self.open.grids.append(grid)

    def _untitled(self) -> str:
        candidate = self.last_text
        if 0 < len(key(candidate)) <= 30 and not re.search(r"[。；：:，]$|[。；]", candidate):
            return candidate
        return self.last_heading or "未命名表"

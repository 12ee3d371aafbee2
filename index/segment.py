"""Blocks in, document parts out: the 目录, raw tables (title, unit, grids) and narrative lines.

A table starts at a grid under its caption — a title line, a table number (表1, 公开02表), a
scope line ("部门（单位）名称：… 单位：万元") — and continues over later grids, page after page,
until a heading or a narrative paragraph closes it: continuation pages repeat the header or
not, but never the caption. Running page headers ("XX局2026年度部门预算公开" at the top of
every page) and page numbers are furniture: they neither close a table nor become narrative.
Some layouts print the caption inside the grid's first rows; those rows are read as lines.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from index.blocks import Block, Grid, GridCell, Line
from index.kinds import TABLE_NUMBER, is_table_title
from index.text import MONEY_FACTORS, find_unit, header_unit, key, parse_number

_FURNITURE = re.compile(
    r"^(\d{3,}\s+(?!年|月)[\u4e00-\u9fff（）()]{2,40}|预算年度[:：].*|截止时间[:：].*|(金额)?单位\s*[:：].*|(金额)?单位\s*(万元|元|亿元)"
    r"|[-—\s]*\d[\d\s]*[-—\s]*|第\s*\d+\s*页.*|[“”\"'\s]+"
    r"|[\s:：,，.。、;；()（）《》<>]+)$"  # the last: punctuation a producer printed off its line
)
# A table row printed outside its grid ("20699 19,511.26 19,511.26"): no caption, no narrative.
_STRAY_ROW = re.compile(r"^\d{3,7}(\s+[-\d,.]+){1,}$")
# "部门：XX局  单位：万元", "单位名称：XX", "编制单位：XX", "部门（单位）名称: XX"; the name is the table's scope.
_SCOPE = re.compile(
    r"^(?:预算|编制|填报|[\u4e00-\u9fff]{0,2}主管)?(?:部门|单位)(?:[（(]单位[)）])?(?:名称)?\s*[:：]\s*(?P<name>.*?)\s*(?:(?:金额)?单位\s*[:：].*)?$"
    r"|^(?:预算单位|编制单位|单位名称|部门名称)(?P<bare>.+?)(?:(?:金额)?单位(?:万元|元|亿元))?$"  # colons lost by the producer
)
# "341-湖州市财政局 单位：万元": an organisation (after an optional code) and the unit, nothing else.
_NAME_AND_UNIT = re.compile(
    r"^(?:\d{2,}[-－—]?)?(?P<name>[\u4e00-\u9fff（）()]{2,40}?)(?:金额)?单位[:：]?(?:万元|元|亿元)$"
    r"|^\d{2,}[-－—](?P<coded>[\u4e00-\u9fff（）()]{2,40}?)(?:万元|元|亿元)$"  # "507-湖州市卫生健康委员会 万元"
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
    scope: str = ""  # the organisation its scope line names ("单位名称：XX中心"), "" when none
    number: str = ""  # 表1, 公开02表 … as printed

    @property
    def pages(self) -> tuple[int, int]:
        return self.grids[0].page, self.grids[-1].page


@dataclass
class Segments:
    contents: list[tuple[str, int | None]]
    tables: list[RawTable]
    narrative: list[Line]


def segment(blocks: list[Block]) -> Segments:
    return _Segmenter(running_lines(blocks)).run(blocks)


def running_lines(blocks: list[Block]) -> set[str]:
    """Lines printed first or last on many pages: running headers and footers, not content."""
    edges: dict[int, list[str]] = {}
    for block in blocks:
        if isinstance(block, Line):
            edges.setdefault(block.page, []).append(key(block.text))
    counts: Counter[str] = Counter()
    for texts in edges.values():
        counts.update({texts[0], texts[-1]})
    threshold = max(3, len(edges) // 5)
    return {text for text, n in counts.items() if n >= threshold and not is_table_title(text)}


class _Segmenter:
    def __init__(self, running: set[str]) -> None:
        self.running = running
        self.contents: list[tuple[str, int | None]] = []
        self.in_contents = False
        self.tables: list[RawTable] = []
        self.narrative: list[Line] = []
        self.open: RawTable | None = None
        self.title = ""  # a title line waiting for its first grid
        self.unit = ""
        self.last_text = ""
        self.last_heading = ""
        self.narrative_at_open = -1  # narrative lines read when the last table opened
        self.scope = ""  # a scope line waiting for its grid
        self.number = ""  # a table number waiting for its grid

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
        self.unit = find_unit(text) or self.unit
        if key(text) in self.running or self._caption(text):
            return
        titled = is_table_title(text)
        if not titled and (_FURNITURE.match(text) or _STRAY_ROW.match(text)):
            return
        if titled:
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
        self.scope = self.number = ""
        self.last_text = text
        self.narrative.append(line)

    def _caption(self, text: str) -> bool:
        """A table number or a scope line: kept for the next grid, which it opens."""
        compact = key(text)
        if TABLE_NUMBER.match(compact):
            self.number = compact
            self.open = None
            return True
        name = _scope_name(compact)
        if name is None:
            return False
        bare_unit = re.search(r"(万元|亿元|元)$", compact)
        if bare_unit and not self.unit:
            self.unit = bare_unit.group(1)  # "507-湖州市卫生健康委员会 万元"
        self.scope = name or self.scope
        self.open = None
        return True

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
        grid = self._peel_caption_rows(grid)
        if not grid.rows:
            return
        uncaptioned = self.open is None and not (self.title or self.scope or self.number)
        if uncaptioned and (_small_and_figureless(grid) or (len(grid.rows) <= 3 and not self._plausible_title())):
            # a few shaded or boxed words amid paragraphs: narrative, not a table
            self.narrative.extend(Line(grid.page, " ".join(c.text for c in row if c.text)) for row in grid.rows)
            return
        if self._repeats_last_caption():
            self.open = self.tables[-1]  # the title printed again on a continuation page
            self.title = self.scope = self.number = ""
        if self.title or self.open is None:
            captioned = bool(self.scope or self.number)
            title = self.title or ("" if captioned else self._untitled())
            self.open = RawTable(title=title, unit=self.unit, scope=self.scope, number=self.number)
            self.tables.append(self.open)
            self.narrative_at_open = len(self.narrative)
            self.title = ""
            self.scope = self.number = ""
            if title and title == self.last_text and self.narrative and self.narrative[-1].text == title:
                self.narrative.pop()  # the short line was the table's caption, not narrative
        elif not self.open.unit and self.unit:
            self.open.unit = self.unit
        if not self.open.unit:
            head = " ".join(c.text for row in grid.rows[:4] for c in row)
            self.open.unit = find_unit(head) or header_unit(head)
        self.open.grids.append(grid)

    def _repeats_last_caption(self) -> bool:
        """The caption just read is the last table's, with no narrative since: the same table goes on."""
        if not self.title or not self.tables or len(self.narrative) != self.narrative_at_open:
            return False
        last = self.tables[-1]
        return key(last.title) == key(self.title) and key(last.scope) == key(self.scope or last.scope)

    def _peel_caption_rows(self, grid: Grid) -> Grid:
        """Leading rows that hold only a caption (number, title, scope, unit) are read as lines."""
        rows = list(grid.rows)
        pending = bool(self.title or self.scope or self.number)
        while rows and (_is_caption_row([cell.text for cell in rows[0] if cell.text]) or
                        (not pending and _spans_the_grid(rows[0]))):
            for part in _caption_parts(" ".join(cell.text for cell in rows[0] if cell.text)):
                self._line(Line(grid.page, part, rows[0][0].ocr))
            rows.pop(0)
        return Grid(grid.page, rows, grid.ruled) if len(rows) != len(grid.rows) else grid

    def _plausible_title(self) -> bool:
        """The line before an uncaptioned grid could name it: short, no sentence punctuation."""
        return 0 < len(key(self.last_text)) <= 30 and not re.search(r"[。；：:，]$|[。；]", self.last_text)

    def _untitled(self) -> str:
        return self.last_text if self._plausible_title() else self.last_heading or "未命名表"


def _scope_name(compact: str) -> str | None:
    """The organisation a scope line names ("" when it names none), or None for any other line."""
    if len(compact) > 80 or re.search(r"[。；，]", compact):
        return None
    scope = _SCOPE.match(compact)
    if scope:
        name = scope["name"] if scope["name"] is not None else scope["bare"]
        return None if name in MONEY_FACTORS else name
    named = _NAME_AND_UNIT.match(compact)
    return (named["name"] or named["coded"]) if named else None


def _small_and_figureless(grid: Grid) -> bool:
    return len(grid.rows) <= 2 and not any(parse_number(cell.text) is not None for row in grid.rows for cell in row)


def _caption_parts(text: str) -> list[str]:
    """A caption cell's lines run together: "…预算总表编制单位：XX单位：元" → title, scope, unit."""
    parts = re.split(r"(?=(?:编制单位|预算单位|单位名称|部门名称|部门|(?<!预算)(?<!编制)单位)[:：])", text)
    return [part.strip() for part in parts if part.strip()]


def _spans_the_grid(row: list[GridCell]) -> bool:
    """One text across the whole width of a grid of several columns: a caption printed inside the frame."""
    texts = [cell.text for cell in row if cell.text]
    spanned = all(cell.merged == "left" for cell in row[1:])
    if len(row) <= 2 or len(texts) != 1 or not spanned or parse_number(row[0].text) is not None:
        return False
    short = len(row[0].text) <= 40 and not re.search(r"[，。；：:]", row[0].text)
    return short or all(_is_caption_text(part) for part in _caption_parts(row[0].text))


def _is_caption_row(texts: list[str]) -> bool:
    return 0 < len(texts) <= 2 and all(_is_caption_text(t) for t in texts)


def _is_caption_text(text: str) -> bool:
    """A table number, a title, a scope line or a unit: what a caption is made of."""
    compact = key(text)
    return bool(TABLE_NUMBER.match(compact) or is_table_title(text) or _scope_name(compact) is not None or find_unit(text))

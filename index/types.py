"""The data model: every record that flows from a disclosure file to the index.

This module imports nothing of ours; read it to learn what the rest passes around.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points


@dataclass(frozen=True)
class Limits:
    """What one document may cost to read, enforced while it is read (``Settings.limits``)."""

    pages: int = 2000
    stream_bytes: int = 200_000_000  # one PDF stream, inflated
    inflated_bytes: int = 2_000_000_000  # all of a PDF's streams, inflated
    page_chars: int = 200_000
    page_content_bytes: int = 4_000_000  # drawing instructions of one page, inflated
    content_bytes: int = 60_000_000  # drawing instructions of all pages, inflated
    text_chars: int = 5_000_000  # a text-form document
    table_rows: int = 20_000


@dataclass(frozen=True)
class Document:
    id: str  # sha256 of the file's bytes
    title: str
    department: str
    year: int | None
    kind: str  # "预算" | "决算" | ""
    source: str  # the file name it was ingested from
    pages: int
    scope: str = ""  # "汇总" (the department with its units) | "本级" (one unit) | "" when not printed
    identity_from: str = ""  # where department and year were read: "cover" | "heading" | "file name"
    ocr_pages: tuple[int, ...] = ()  # pages read by OCR (no text layer)


@dataclass
class Cell:
    text: str  # as printed, whitespace normalised
    value: float | None  # parsed number, None for text or empty
    page: int
    bbox: BBox | None  # None for the text form, which has no geometry
    column: tuple[str, ...] = ()  # header path of the column, e.g. ("本年收入", "财政拨款收入")
    ocr: bool = False  # read by OCR from a page image


@dataclass
class Row:
    label: str
    code: str  # full subject code ("2060101"), "" if none
    level: str  # "类" | "款" | "项" | ""
    cells: list[Cell]
    page: int
    group: str = ""  # side-by-side sub-table this row belongs to ("收入", "支出", or "")
    entity: str = ""  # the sub-unit a row speaks for (a 单位名称 column: one row per unit or per unit's project)


@dataclass
class Table:
    id: str  # "t03"; stable within a document
    title: str  # as printed
    kind: str  # canonical kind, see index.kinds
    unit: str  # "万元" | "元" | ""
    pages: tuple[int, int]
    header: list[tuple[str, ...]]  # column paths of the value columns
    rows: list[Row]
    note: str = ""  # 注：… under the table
    empty: bool = False  # printed with no data ("本表无数据", "空表列示")
    entity: str = ""  # the sub-unit a per-unit table belongs to; "" for the department (or summary)
    unit_inferred: bool = False  # no unit printed: taken from the tables on either side, which agree


@dataclass
class Indicator:
    level1: str  # 一级指标
    level2: str  # 二级指标
    level3: str  # 三级指标
    description: str
    value_text: str  # 指标值 as printed, e.g. "≥280 万个"
    value: float | None
    comparator: str  # "≥", "≤", "<", ">", "=" or ""
    unit: str
    basis: str  # 指标值确定依据
    page: int


@dataclass(frozen=True)
class FormAmount:
    """A money figure a form prints under a header of its own (年度预算申请 / 按支出性质分 / 项目支出)."""

    column: tuple[str, ...]
    value: float
    text: str
    page: int


@dataclass
class PerformanceTable:
    id: str
    title: str
    project: str
    project_code: str
    unit: str
    budget: float | None  # 预算数
    fiscal: float | None  # 其中：财政资金
    other: float | None  # 其他资金
    purpose: str
    spending_plan: dict[str, str]  # "3 月底" -> "30%"
    target: str  # 绩效目标
    indicators: list[Indicator]
    pages: tuple[int, int]
    budget_label: str = "预算数"  # how the form prints the project's money (资金总额, 年度资金总额 …)
    amounts: tuple[FormAmount, ...] = ()  # the money block of a form that prints one (部门整体 forms)


@dataclass
class Section:
    id: str
    heading: str
    path: tuple[str, ...]  # headings from the top, this one last
    text: str
    pages: tuple[int, int]
    # (offset in text, page) where each page's part of the text starts: a figure is cited on
    # the page it is printed on, not the page its section starts on.
    page_starts: list[tuple[int, int]] = field(default_factory=list)

    def page_at(self, offset: int) -> int:
        page = self.pages[0]
        for start, number in self.page_starts:
            if start > offset:
                break
            page = number
        return page


@dataclass(frozen=True)
class NarrativeFact:
    section_id: str
    value: float
    unit: str  # "万元" | "元" | "亿元" | "%", or a count: "辆", "个", "家", "人", "项", "台（套）"
    sentence: str
    page: int
    start: int = 0  # where the figure stands in the sentence ("比上年增加10.23万元" ≠ the first 10.23)


@dataclass(frozen=True)
class Fact:
    """One numeric cell with everything needed to cite it."""

    document: str
    table: str  # table id
    table_title: str
    table_kind: str
    page: int
    row: str  # row label
    code: str
    column: tuple[str, ...]
    value: float
    unit: str
    value_yuan: float | None  # money converted to 元; None when the unit is not money
    text: str  # the cell as printed
    row_index: int
    group: str = ""
    bbox: BBox | None = None
    entity: str = ""  # the sub-unit the figure belongs to; "" for the department
    ocr: bool = False  # read by OCR: the answer says so next to the figure


@dataclass(frozen=True)
class Finding:
    """A consistency check over two or more figures of one document, or a reviewer's check of its text
    (``index.review``): a wrong year, template text left in, a table missing, punctuation typed twice."""

    document: str
    # "parent_sum" | "column_identity" | "totals_balance" | "cross_table" | "narrative"
    # | "year" | "placeholder" | "missing_table" | "punctuation"
    check: str
    ok: bool
    message: str
    expected: float
    actual: float
    cells: tuple[Fact, ...] = ()
    sentence: str = ""
    # Not ok, but within what the printed rounding allows: n figures each rounded to half a unit of
    # their last decimal can miss their printed sum by up to n half-units.
    rounding: bool = False
    # Where the text a finding quotes is printed: a narrative figure's sentence, a wrong title, a
    # placeholder (the cells cite their own pages); None for a sum of cells, or a table not printed.
    page: int | None = None


@dataclass
class Chunk:
    id: str
    document: str
    kind: str  # "table" | "performance" | "section"
    ref: str  # table, performance table or section id
    title: str
    text: str
    pages: tuple[int, int]
    meta: dict[str, str | int] = field(default_factory=dict)
    # What the dense index embeds when it differs from ``text``: a table slice without its
    # figures (names and columns carry the meaning; numbers only add noise and cost).
    dense_text: str = ""

    @property
    def embedding_text(self) -> str:
        return self.dense_text or self.text


@dataclass
class ParsedDocument:
    """Everything one ingest produces before it is written anywhere."""

    document: Document
    tables: list[Table]
    performance: list[PerformanceTable]
    sections: list[Section]
    narrative_facts: list[NarrativeFact]
    contents: list[tuple[str, int | None]]  # the printed 目录: (entry, page)

"""A disclosure file in, a ``ParsedDocument`` out. Writes nothing."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from index.blocks import Block
from index.errors import UnsupportedDocument
from index.identity import ORGANISATION, describe
from index.kinds import MONEY_KINDS, kind_from_header, table_kind
from index.load_pdf import Progress, check_pdf_bytes, is_pdf, read_pdf
from index.load_text import read_text
from index.performance import is_project_list, parse_performance
from index.sections import narrative_facts, split_sections
from index.segment import segment
from index.tables import parse_table
from index.text import key
from index.types import Limits, ParsedDocument, PerformanceTable, Row, Table


def document_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


DEFAULT_LIMITS = Limits()


def parse_file(path: Path, source: str, limits: Limits = DEFAULT_LIMITS, progress: Progress | None = None) -> ParsedDocument:
    """One file, read within ``limits``: each is enforced as the file is read, naming it."""
    data = path.read_bytes()
    blocks: list[Block]
    ocr_pages: list[int] = []
    if is_pdf(data) or source.lower().endswith(".pdf"):
        check_pdf_bytes(source, data)
        read = read_pdf(path, source, limits, progress)
        pages, blocks, ocr_pages = read.total, read.blocks, read.ocr_pages
    else:
        pages, blocks = read_text(source, data, limits.text_chars)
        if progress:
            progress(pages, pages)
    parsed = parse_blocks(document_id(data), source, pages, blocks, tuple(ocr_pages))
    for table in parsed.tables:
        if len(table.rows) > limits.table_rows:
            raise UnsupportedDocument(source, f"table '{table.title[:40]}' has {len(table.rows):,} rows, over the limit "
                                      f"of {limits.table_rows:,}", page=table.pages[0] if table.pages else None)
    return parsed


def parse_blocks(doc_id: str, source: str, pages: int, blocks: list[Block], ocr_pages: tuple[int, ...] = ()) -> ParsedDocument:
    document = describe(doc_id, source, pages, blocks, ocr_pages)
    parts = segment(blocks)
    tables: list[Table] = []
    performance: list[PerformanceTable] = []
    listed = {key(title): _strip_numbering(title) for title, _ in parts.contents}
    for raw in parts.tables:
        # PDFs sometimes print a title's quotes apart from it ("财政拨款 三公 经费"): the 目录 has it whole.
        raw.title = listed.get(key(raw.title), raw.title)
        kind = table_kind(raw.title)
        if kind == "项目绩效目标表" and not is_project_list(raw):
            form = parse_performance(raw, f"p{len(performance) + 1:02d}")
            if form.budget is not None or form.indicators:
                performance.append(form)
                continue
        # a list of projects with their money (and targets) is read as a table
        table = parse_table(raw, f"t{len(tables) + 1:02d}", kind, _entity(raw.scope, document.department))
        if not raw.title:
            _name_untitled(table, raw.number)
        elif kind == "other" and not key(raw.title).endswith("表"):
            # a title cut short by its frame ("2026年预算单位财政拨款收"): the header says what it is
            table.kind = kind_from_header(table.header, [row.label for row in table.rows])
        for row in table.rows:
            row.entity = _entity(row.entity, document.department)
        _units_as_labels(table, document.department)
        tables.append(table)
    _infer_missing_units(tables)
    sections = split_sections(parts.narrative)
    facts = [fact for section in sections for fact in narrative_facts(section)]
    return ParsedDocument(document, tables, performance, sections, facts, parts.contents)


def _entity(scope: str, department: str) -> str:
    """A table's scope line or a row's unit naming another organisation than the document's own:
    a sub-unit ("…财政局财政所" too); the department itself or its 本级 is not one."""
    name = key(scope)
    if not name or not department or "汇总" in name:
        return ""
    rest = name.replace(key(department), "")
    if name in key(department) or re.fullmatch(r"[（(]?(本级|机关|本部)?[)）]?", rest):
        return ""
    return scope if ORGANISATION.fullmatch(name) else ""


_OWN_OFFICE = re.compile(r"[（(]?(本级|机关|本部)[)）]?")
_TOTAL_LABEL = re.compile(r"^(合计|总计|小计)")
_PLACED = re.compile(r"^[\u4e00-\u9fff]{1,8}?(?:省|市|区|县)")


def _units_as_labels(table: Table, department: str) -> None:
    """Rows labelled by organisations ("珠海市会议展览局", "湖州市疾病预防控制中心") are those units'
    figures; "XX局（本级）" is the department's own office. Where a table lists units so, the row
    labelled by the department itself is its 本级 unless it is their total, and the rows under a
    unit's row that add up to it are that unit's items."""
    for row in table.rows:
        label = key(row.label)
        if row.entity or row.code:
            continue
        if _OWN_OFFICE.fullmatch(label.replace(key(department), "", 1)) and label.startswith(key(department)) \
                and label != key(department):
            row.entity = f"{department}本级"
        elif _PLACED.match(label) and ORGANISATION.fullmatch(label):
            row.entity = _entity(row.label, department)
    if not any(row.entity for row in table.rows):
        return
    own = [row for row in table.rows if not row.entity and key(row.label) == key(department)]
    units = [row for row in table.rows if row.entity]
    if own and not _is_total_of(own[0], units):
        for row in own:
            row.entity = f"{department}本级"
    _items_under_units(table)


def _items_under_units(table: Table) -> None:
    """A unit's row followed by rows that sum to it (政府采购: "XX中心 0.61" then its 会议费 0.61):
    those rows are the unit's."""
    rows = table.rows
    for i, head in enumerate(rows):
        if not head.entity:
            continue
        block = []
        for row in rows[i + 1 :]:
            if row.entity or _TOTAL_LABEL.match(key(row.label)):
                break
            block.append(row)
        if block and _is_total_of(head, block):
            for row in block:
                row.entity = head.entity


def _is_total_of(row: Row, units: list[Row]) -> bool:
    """The department's row is the sum of its units' rows (a total printed under its name)."""
    first = next((c.value for c in row.cells if c.value is not None), None)
    column = next((c.column for c in row.cells if c.value is not None), None)
    parts = [c.value for u in units for c in u.cells if c.column == column and c.value is not None]
    return first is not None and bool(parts) and abs(sum(parts) - first) < 0.015 * max(1, len(parts))


def _infer_missing_units(tables: list[Table]) -> None:
    """A money table printed without a unit between two that print the same one shares it (flagged)."""
    money = [t for t in tables if t.kind in MONEY_KINDS]
    for before, table, after in zip(money, money[1:], money[2:], strict=False):
        if not table.unit and before.unit and before.unit == after.unit:
            table.unit, table.unit_inferred = before.unit, True


def _name_untitled(table: Table, number: str) -> None:
    """A table printed without a title line: its kind from its header, its title from kind and number."""
    table.kind = kind_from_header(table.header, [row.label for row in table.rows])
    name = table.kind if table.kind != "other" else "未命名表"
    table.title = f"{number} {name}（未印标题）".strip()


def _strip_numbering(title: str) -> str:
    return re.sub(r"^\s*(\d+[．.、]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）])\s*", "", title).strip()

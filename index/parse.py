"""A disclosure file in, a ``ParsedDocument`` out. Writes nothing."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from index.blocks import Block, Line
from index.kinds import table_kind
from index.load_pdf import Progress, check_pdf_bytes, is_pdf, read_pdf
from index.load_text import read_text
from index.performance import parse_performance
from index.sections import narrative_facts, split_sections
from index.segment import segment
from index.tables import parse_table
from index.text import key
from index.types import Document, ParsedDocument, PerformanceTable, Table

_TITLE = re.compile(
    r"(?P<dept>[\u4e00-\u9fff（）()]{4,40}?)\s*(?P<year>20\d{2})\s*年度?\s*(?:部门)?(?P<kind>预算|决算)"
)


_DEPARTMENT = re.compile(r"(局|部|委|办|院|厅|中心|委员会|所|站|队|会|社|馆|处)$")


def document_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_file(path: Path, source: str, max_pages: int, progress: Progress | None = None) -> ParsedDocument:
    data = path.read_bytes()
    blocks: list[Block]
    if is_pdf(data) or source.lower().endswith(".pdf"):
        check_pdf_bytes(source, data)
        pages, blocks = read_pdf(path, source, max_pages, progress)
    else:
        pages, blocks = read_text(source, data)
        if progress:
            progress(pages, pages)
    return parse_blocks(document_id(data), source, pages, blocks)


def parse_blocks(doc_id: str, source: str, pages: int, blocks: list[Block]) -> ParsedDocument:
    parts = segment(blocks)
    tables: list[Table] = []
    performance: list[PerformanceTable] = []
    listed = {key(title): _strip_numbering(title) for title, _ in parts.contents}
    for raw in parts.tables:
        # PDFs sometimes print a title's quotes apart from it ("财政拨款 三公 经费"): the 目录 has it whole.
        raw.title = listed.get(key(raw.title), raw.title)
        kind = table_kind(raw.title)
        if kind == "项目绩效目标表":
            performance.append(parse_performance(raw, f"p{len(performance) + 1:02d}"))
        else:
            tables.append(parse_table(raw, f"t{len(tables) + 1:02d}", kind))
    sections = split_sections(parts.narrative)
    facts = [fact for section in sections for fact in narrative_facts(section)]
    document = _describe(doc_id, source, pages, blocks)
    return ParsedDocument(document, tables, performance, sections, facts, parts.contents)


def _strip_numbering(title: str) -> str:
    return re.sub(r"^\s*(\d+[．.、]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）])\s*", "", title).strip()


def _describe(doc_id: str, source: str, pages: int, blocks: list[Block]) -> Document:
    lines = [b.text for b in blocks if isinstance(b, Line)]
    cover = re.sub(r"\s+", "", "".join(b.text for b in blocks if isinstance(b, Line) and b.page == 1))
    year = re.search(r"20\d{2}", cover)
    kind = "决算" if "决算" in cover else "预算" if "预算" in cover else ""
    cover_dept = re.sub(r"20\d{2}|年度?|部门|预算|决算|公开", "", cover)[:40]
    match = _TITLE.search(cover)
    if not match and year and kind and _DEPARTMENT.search(cover_dept):
        return _document(doc_id, source, pages, cover_dept, int(year.group()), kind)
    for text in [cover, *lines[:400]]:
        match = _TITLE.search(re.sub(r"\s+", "", text))
        if match and "XX" not in match["dept"]:
            return _document(doc_id, source, pages, match["dept"], int(match["year"]), match["kind"])
    return _document(doc_id, source, pages, Path(source).stem, int(year.group()) if year else None, kind)


def _document(doc_id: str, source: str, pages: int, dept: str, year: int | None, kind: str) -> Document:
    dept = re.sub(r"^(\d+|第[一二三四五六七八九十]+部分)", "", dept)
    title = f"{dept} {year or ''}年度部门{kind}".strip()
    return Document(doc_id, title, dept, year, kind, source, pages)

"""Parsed parts in, self-contained chunks out: every table slice repeats title, unit and header."""

from __future__ import annotations

from index.types import Chunk, ParsedDocument, PerformanceTable, Row, Section, Table


def make_chunks(parsed: ParsedDocument, rows_per_chunk: int, max_chars: int) -> list[Chunk]:
    doc = parsed.document
    chunks: list[Chunk] = []
    for table in parsed.tables:
        chunks += table_chunks(doc.id, doc.title, table, rows_per_chunk)
    chunks += [performance_chunk(doc.id, doc.title, table) for table in parsed.performance]
    for section in parsed.sections:
        chunks += section_chunks(doc.id, doc.title, section, max_chars)
    return chunks


def table_chunks(doc: str, doc_title: str, table: Table, rows_per_chunk: int) -> list[Chunk]:
    head = f"{doc_title}\n表：{table.title}（{table.kind}）单位：{table.unit or '—'}"
    columns = "；".join("/".join(path) for path in table.header)
    if table.empty or not table.rows:
        text = f"{head}\n列：{columns}\n本表无数据。{table.note}"
        return [_chunk(doc, "table", table.id, table.title, text, table.pages, table.kind, 0)]
    chunks = []
    for start in range(0, len(table.rows), rows_per_chunk):
        rows = table.rows[start : start + rows_per_chunk]
        pages = (min(r.page for r in rows), max(r.page for r in rows))
        body = "\n".join(_row_line(row) for row in rows)
        text = f"{head}\n列：{columns}\n{body}"
        chunk = _chunk(doc, "table", table.id, table.title, text, pages, table.kind, start)
        chunk.dense_text = f"{head}\n列：{columns}\n行：" + "；".join(_row_name(row) for row in rows)
        chunks.append(chunk)
    return chunks


def _row_name(row: Row) -> str:
    return " ".join(part for part in (row.group and f"[{row.group}]", row.code, row.label) if part)


def _row_line(row: Row) -> str:
    name = _row_name(row)
    values = "，".join(f"{'/'.join(cell.column)}={cell.text}" for cell in row.cells if cell.text)
    return f"{name}：{values or '—'}"


def performance_chunk(doc: str, doc_title: str, table: PerformanceTable) -> Chunk:
    lines = [
        f"{doc_title}\n绩效目标表：{table.title} 单位：{table.unit or '—'}",
        f"项目名称：{table.project}；项目编码：{table.project_code}",
        f"预算数：{_num(table.budget)}；其中财政资金：{_num(table.fiscal)}；其他资金：{_num(table.other)}",
        f"资金用途：{table.purpose}",
        f"绩效目标：{table.target}",
    ]
    lines += [
        f"{i.level1}/{i.level2}/{i.level3}：{i.description} 指标值 {i.value_text}" for i in table.indicators
    ]
    return _chunk(doc, "performance", table.id, table.title, "\n".join(lines), table.pages, "项目绩效目标表", 0)


def section_chunks(doc: str, doc_title: str, section: Section, max_chars: int) -> list[Chunk]:
    heading = " > ".join(section.path) or doc_title
    pieces: list[str] = []
    for paragraph in section.text.split("\n"):
        if pieces and len(pieces[-1]) + len(paragraph) < max_chars:
            pieces[-1] += "\n" + paragraph
        else:
            pieces += [paragraph[i : i + max_chars] for i in range(0, max(len(paragraph), 1), max_chars)]
    chunks = []
    for n, piece in enumerate(p for p in pieces if p.strip() or section.heading):
        text = f"{doc_title}\n{heading}\n{piece}".strip()
        chunks.append(_chunk(doc, "section", section.id, section.heading, text, section.pages, "section", n))
    return chunks


def _chunk(doc: str, kind: str, ref: str, title: str, text: str, pages: tuple[int, int], table_kind: str, part: int) -> Chunk:
    meta: dict[str, str | int] = {"table_kind": table_kind, "page_start": pages[0], "page_end": pages[1]}
    return Chunk(f"{doc[:16]}:{ref}:{part}", doc, kind, ref, title, text, pages, meta)


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"

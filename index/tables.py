"""A raw table (title, unit, grids over pages) in, a typed ``Table`` out.

Columns get a role from their header path and their data: sequence number, subject code,
row label, or value. Side-by-side sub-tables (收入 | 支出, 经济分类 left | right) show up as
the table's first label column repeating after value columns; each side becomes its own
row set.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from index.blocks import GridCell
from index.header import column_paths, header_size, is_seq_column, is_seq_row, orphans
from index.segment import RawTable
from index.text import key, parse_number
from index.types import Cell, Row, Table

_LABEL_NAMES = re.compile(r"(项目|科目名称|名称|单位名称)$")
_CODE_PARTS = {"类", "款", "项"}
_EMPTY_NOTE = re.compile(r"(无数据|空表|无.*(收入|支出|经费)|没有)")
LEVELS = {3: "类", 5: "款", 7: "项"}
_TOTAL = re.compile(r"^(合计|总计|小计)")


@dataclass
class _Group:
    name: str
    seq: int | None
    codes: list[int]
    labels: list[int]
    values: list[int]


def parse_table(raw: RawTable, table_id: str, kind: str, entity: str = "") -> Table:
    width = max(grid.width for grid in raw.grids)
    header_rows, data = _split_header(raw, width)
    paths = column_paths(header_rows, width)
    groups = _groups(paths, _roles(paths, data, width))
    rows = _rows(data, groups, paths)
    header = [paths[c] for group in groups for c in group.values]
    # "本表无数据" empties a table; "如无数字则表示无该项支出" above figures does not
    figures = any(cell.value for row in rows for cell in row.cells)
    printed_empty = bool(raw.note and _EMPTY_NOTE.search(raw.note)) and not figures
    if printed_empty:
        rows = []  # what is left of a printed-empty form is header debris, not data
    empty = printed_empty or not rows
    return Table(table_id, raw.title, kind, raw.unit, raw.pages, header, rows, raw.note, empty, entity)


def _split_header(raw: RawTable, width: int) -> tuple[list[list[GridCell]], list[list[GridCell]]]:
    """The best header variant, and every data row in page order with repeated headers dropped."""
    first = raw.grids[0]
    size = header_size(first)
    variants = [first.rows[:size]]
    data = list(first.rows[size:])
    for grid in raw.grids[1:]:
        repeated = _repeated_header(grid.rows, first.rows[:size])
        if repeated == size:
            variants.append(grid.rows[:size])
        data.extend(grid.rows[repeated:])
    best = min(variants, key=lambda rows: orphans(rows, width))
    return best, [row for row in data if any(cell.text for cell in row) and not is_seq_row(row)]


def _repeated_header(rows: list[list[GridCell]], header: list[list[GridCell]]) -> int:
    count = 0
    for mine, theirs in zip(rows, header, strict=False):
        if _texts(mine) != _texts(theirs):
            break
        count += 1
    return count


def _texts(row: list[GridCell]) -> list[str]:
    return [key(cell.text) for cell in row if cell.text]


def _roles(paths: list[tuple[str, ...]], data: list[list[GridCell]], width: int) -> list[str]:
    roles = []
    for c in range(width):
        path = paths[c]
        texts = [row[c].text for row in data if c < len(row) and row[c].text]
        numeric = sum(parse_number(t) is not None for t in texts)
        if is_seq_column(path) or (_is_identifier(path, texts) and not _are_subject_codes(texts)):
            roles.append("seq")
        elif any("编码" in part for part in path) or (path and path[-1] in _CODE_PARTS) or _are_subject_codes(texts):
            roles.append("code")
        elif (path and _LABEL_NAMES.search(path[-1]) and numeric * 2 < max(len(texts), 1)) or (
            texts and numeric * 2 < len(texts)
        ):
            roles.append("label")
        else:
            roles.append("value")
    return roles


def _is_identifier(path: tuple[str, ...], texts: list[str]) -> bool:
    """A department, unit or project code column: identifiers, not amounts (subject codes excepted)."""
    named = any(re.search(r"(代码|编号)$", part) for part in path) and not any("科目" in part for part in path)
    digits = bool(texts) and all(re.fullmatch(r"\d{6,}", t.replace(" ", "")) for t in texts)
    return named or digits


def _are_subject_codes(texts: list[str]) -> bool:
    """类/款/项 codes printed without a 编码 header: 3, 5 or 7 digits, 2xx (function) or 3xx/5xx (economic)."""
    codes = [t.replace(" ", "") for t in texts]
    return len(codes) >= 2 and all(len(c) in (3, 5, 7) and c.isdigit() and c[0] in "235" for c in codes)


def _groups(paths: list[tuple[str, ...]], roles: list[str]) -> list[_Group]:
    """Split columns where the table's first label (or code) column repeats after values."""
    keys = [c for c, role in enumerate(roles) if role in ("code", "label")]
    starts = [0]
    if keys:
        anchor = paths[keys[0]][-1:] if paths[keys[0]] else ()
        seen_value = False
        for c, role in enumerate(roles):
            seen_value = seen_value or role == "value"
            if c > keys[0] and role == roles[keys[0]] and seen_value and paths[c][-1:] == anchor:
                starts.append(c)
                seen_value = False
    bounds = [*starts, len(roles)]
    groups = []
    for n, (start, end) in enumerate(itertools.pairwise(bounds)):
        columns = range(start, end)
        groups.append(
            _Group(
                name=_group_name(paths, columns, n, len(starts)),
                seq=next((c for c in columns if roles[c] == "seq"), None),
                codes=[c for c in columns if roles[c] == "code"],
                labels=[c for c in columns if roles[c] == "label"],
                values=[c for c in columns if roles[c] == "value"],
            )
        )
    if groups and groups[0].seq is None and roles and roles[0] == "seq":
        groups[0].seq = 0
    return groups


def _group_name(paths: list[tuple[str, ...]], columns: range, n: int, count: int) -> str:
    if count == 1:
        return ""
    tops = {paths[c][0] for c in columns if paths[c] and not is_seq_column(paths[c])}
    return tops.pop() if len(tops) == 1 else f"第{n + 1}栏"


def _rows(data: list[list[GridCell]], groups: list[_Group], paths: list[tuple[str, ...]]) -> list[Row]:
    rows: list[Row] = []
    last: dict[str, Row] = {}
    for grid_row in data:
        for group in groups:
            row = _row(grid_row, group, paths)
            if row is None:
                continue
            previous = last.get(group.name)
            if previous and _is_wrapped_label(grid_row, row, group):
                previous.label += row.label  # the label's second line, printed as its own row
                continue
            rows.append(row)
            last[group.name] = row
    return rows


def _row(grid_row: list[GridCell], group: _Group, paths: list[tuple[str, ...]]) -> Row | None:
    def text(c: int) -> str:
        return grid_row[c].text if c < len(grid_row) else ""

    code_texts = [re.sub(r"\s+", "", text(c)) for c in group.codes]
    code = "".join(t for t in code_texts if t.isdigit())
    label_parts = [t for t in code_texts if t and not t.isdigit() and t not in _CODE_PARTS]
    unit_column = next((c for c in group.labels if _names_units(paths[c])), None)
    entity = text(unit_column) if unit_column is not None else ""
    if _TOTAL.match(entity.replace(" ", "")):
        unit_column, entity = None, ""  # "合计" in the unit column labels the total row
    others = [c for c in group.labels if c != unit_column]
    # a unit column beside the label (单位名称 | 项目名称) names the row's unit; alone (or beside
    # empty ones) it is the label too
    label_parts += [text(c) for c in others if text(c)] or [text(c) for c in group.labels if text(c)]
    label = " ".join(dict.fromkeys(label_parts))  # a merged cell repeats its text
    # "一、一般公共预算资金" whose 、 a PDF printed last ("一一般公共预算资金、"): numbering back in front
    label = _NUMBERING_PRINTED_LAST.sub(r"\1、\2", label)
    if not code:
        code, label = _split_code(label)
    if not label and group.seq is not None and _TOTAL.match(text(group.seq).replace(" ", "")):
        label = text(group.seq)  # "合计" printed across the code (部门代码) column
    page = next((cell.page for cell in grid_row), 0)
    cells = []
    for c in group.values:
        source = grid_row[c] if c < len(grid_row) else GridCell("", page)
        cells.append(Cell(source.text, parse_number(source.text), source.page, source.bbox, paths[c], source.ocr))
    if not label and not code and not any(cell.text for cell in cells):
        return None
    return Row(label, code, LEVELS.get(len(code), ""), cells, page, group.name, entity)


# The longest list number ("一", "十一", "二十三") before a label whose 、 was printed last.
_NUMBERING_PRINTED_LAST = re.compile(
    r"^(十[一二三四五六七八九]?|[二三四五六七八九]十[一二三四五六七八九]?|[一二三四五六七八九])(.+)、$"
)


# A subject code printed inside the label cell: "[30239]其他交通费用", "【201】…", "2010650 事业运行".
# Codes of the classification have 3, 5 or 7 digits; a year ("2026年…") has 4.
_CODE_IN_LABEL = re.compile(
    r"^(?:[\[【(（](\d{3}|\d{5}|\d{7})[\]】)）]|(\d{3}|\d{5}|\d{7})(?!\s*[万亿元个辆人年月日平%]))\s*(?=[\u4e00-\u9fff])"
)


def _split_code(label: str) -> tuple[str, str]:
    match = _CODE_IN_LABEL.match(label)
    return (match.group(1) or match.group(2), label[match.end():]) if match else ("", label)


def _names_units(path: tuple[str, ...]) -> bool:
    return bool(path) and bool(re.fullmatch(r"(预算)?(单位|部门)(名称)?|项目单位|资金使用单位", path[-1]))


def _is_wrapped_label(grid_row: list[GridCell], row: Row, group: _Group) -> bool:
    if group.seq is None or row.code or any(cell.text for cell in row.cells):
        return False
    return not (group.seq < len(grid_row) and grid_row[group.seq].text)

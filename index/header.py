"""Multi-row table headers: which rows are header, and the column path of every column.

Merged header cells come from the PDF's geometry (``GridCell.merged``); the text form has
none, so an empty header cell under-which a sub-label stands inherits the label on its left
when that label is itself a parent. Repeats of a header on later pages are compared, and
the variant whose labels line up best wins (text extraction sometimes shifts a label).
"""

from __future__ import annotations

import re

from index.blocks import Grid, GridCell
from index.text import parse_number

_SEQ = {"序号", "栏次"}


def is_seq_row(row: list[GridCell]) -> bool:
    """A column-number row: "栏次 1 2 3 …", or only small ordinals and marks ("1 2 3", "* 1 2")."""
    texts = [c.text.replace(" ", "") for c in row if c.text]
    if texts and texts[0] in ("栏次", "行次"):
        return True
    numbers = [int(t) for t in texts if t.isdigit() and len(t) <= 2]
    marks = sum(t in ("—", "-", "甲", "乙", "丙", "栏次") or set(t) == {"*"} for t in texts)
    if len(texts) >= 2 and all(set(t) == {"*"} for t in texts):
        return True  # "** ** **": every column marked
    return len(numbers) >= 3 and len(numbers) + marks == len(texts) and numbers == sorted(numbers)


def header_size(grid: Grid) -> int:
    """Rows above the first data row (a row with a number outside the first column)."""
    for index, row in enumerate(grid.rows):
        if is_seq_row(row):
            return index + 1
        if any(parse_number(cell.text) is not None for cell in row[1:]):
            return index
    # No figures at all: a list table (or an empty one); only its first row is header.
    return 1 if len(grid.rows) > 1 and any(c.text for c in grid.rows[-1]) else len(grid.rows)


def resolve(rows: list[list[GridCell]], width: int) -> list[list[str]]:
    """Header labels with merged and spanned cells filled in, row by row."""
    resolved: list[list[str]] = []
    for r, row in enumerate(rows):
        cells = row + [GridCell("", row[0].page if row else 0)] * (width - len(row))
        labels: list[str] = []
        for c, cell in enumerate(cells):
            labels.append(_label(rows, resolved, labels, r, c, cell))
        resolved.append(labels)
    return resolved


def _label(rows: list[list[GridCell]], done: list[list[str]], labels: list[str], r: int, c: int, cell: GridCell) -> str:
    if cell.text:
        return cell.text
    if cell.merged == "left" and c > 0:
        return labels[c - 1]
    if cell.merged == "above" and r > 0:
        return done[r - 1][c]
    # A PDF cell with its own box is really empty; only the text form (no geometry) needs the
    # guess that an empty cell over sub-labels belongs to the label on its left.
    if cell.merged or cell.bbox is not None or c == 0 or r + 1 >= len(rows):
        return ""
    below = _text(rows, r + 1, c)
    left_is_parent = bool(labels[c - 1]) and bool(_text(rows, r + 1, c - 1))
    return labels[c - 1] if below and left_is_parent else ""


def _text(rows: list[list[GridCell]], r: int, c: int) -> str:
    return rows[r][c].text if c < len(rows[r]) else ""


def orphans(rows: list[list[GridCell]], width: int) -> int:
    """Sub-labels with no parent although labels stand to their left: a misaligned header."""
    labels = resolve(rows, width)
    count = 0
    for r in range(len(rows) - 1):
        for c in range(1, width):
            if _text(rows, r + 1, c) and not labels[r][c] and any(labels[r][:c]):
                count += 1
    return count


def column_paths(rows: list[list[GridCell]], width: int) -> list[tuple[str, ...]]:
    labels = resolve([row for row in rows if not is_seq_row(row)], width)
    paths: list[tuple[str, ...]] = []
    for c in range(width):
        path: list[str] = []
        for row in labels:
            label = row[c]
            if label and (not path or path[-1] != label) and not re.fullmatch(r"\d+", label):
                path.append(label)
        paths.append(tuple(path))
    return paths


def is_seq_column(path: tuple[str, ...]) -> bool:
    return bool(path) and path[-1].replace(" ", "") in _SEQ

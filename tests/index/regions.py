"""Golden cells of the regional corpus (tests/index/golden/regions/README.md) and how one is matched."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from index.facts import all_facts
from index.parse import parse_file
from index.text import key
from index.types import Fact, NarrativeFact, ParsedDocument

REGIONS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "regions"
GOLDEN = Path(__file__).resolve().parent / "golden" / "regions"


@dataclass(frozen=True)
class GoldenCell:
    file: str
    page: int
    kind: str
    title: str
    unit: str
    entity: str
    row: str
    code: str
    column: tuple[str, ...]
    value: float
    ocr: bool
    sentence: str = ""

    @property
    def name(self) -> str:
        where = self.sentence if self.kind == "narrative" else f"{self.row or self.code} / {'/'.join(self.column)}"
        return f"{self.file} p{self.page} {self.kind}: {where} = {self.value}"


def load_cells(name: str) -> list[GoldenCell]:
    cells = []
    for line in (GOLDEN / name).read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            raw["value"] = float(str(raw["value"]).replace(",", ""))
            raw["column"] = tuple(raw["column"])
            cells.append(GoldenCell(**raw))
    return cells


@cache
def parsed(file: str) -> ParsedDocument:
    path = REGIONS / file
    return parse_file(path, path.name)


def mismatch(cell: GoldenCell) -> str | None:
    """None when the parsed document holds the golden figure; else what was found instead."""
    document = parsed(cell.file)
    if cell.ocr and cell.page not in document.document.ocr_pages:
        return f"page {cell.page} was not read by OCR"
    if cell.kind == "narrative":
        return _narrative(document, cell)
    facts = [f for f in all_facts(document) if f.page == cell.page and abs(f.value - cell.value) < 1e-6]
    if not facts:
        return f"no figure {cell.value} on page {cell.page}"
    fitting = [f for f in facts if _fits(f, cell)]
    if fitting:
        return None
    found = "; ".join(f"[{f.table_kind}|{f.unit}|{f.entity}] {f.row!r} {'/'.join(f.column)}" for f in facts[:4])
    return f"{cell.value} found elsewhere: {found}"


def _fits(fact: Fact, cell: GoldenCell) -> bool:
    return (
        fact.table_kind == cell.kind
        and fact.unit == cell.unit
        and (not cell.entity or key(fact.entity) == key(cell.entity))  # "" = not a per-unit table; rows may name units
        and _same_row(fact, cell)
        and _path_contains(fact.column, cell.column)
    )


def _same_row(fact: Fact, cell: GoldenCell) -> bool:
    if not cell.code and not cell.row:
        return True  # a one-row table (三公) prints no row label
    if cell.code and fact.code == cell.code:
        return True
    wanted, found = _label(cell.row), _label(fact.row)
    return bool(wanted) and (wanted == found or wanted in found)


def _label(text: str) -> str:
    return key(text).rstrip(":：")


def _path_contains(path: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    """Every golden header part appears in the parsed path, in order."""
    parts = [_label(p) for p in path]
    position = 0
    for part in (_label(w) for w in wanted):
        while position < len(parts) and part not in parts[position]:
            position += 1
        if position == len(parts):
            return False
        position += 1
    return True


def _narrative(document: ParsedDocument, cell: GoldenCell) -> str | None:
    snippet = key(cell.sentence)
    for fact in document.narrative_facts:
        if abs(fact.value - cell.value) < 1e-6 and fact.unit == cell.unit and snippet in _context(document, fact):
            return None if fact.page == cell.page else f"cited on page {fact.page}, printed on {cell.page}"
    return f"no narrative figure {cell.value} {cell.unit} in a sentence with {cell.sentence!r}"


def _context(document: ParsedDocument, fact: NarrativeFact) -> str:
    """The figure's sentence and the words just before it ("其中：" + a new line, a run-in heading)."""
    section = next(s for s in document.sections if s.id == fact.section_id)
    at = section.text.find(fact.sentence)
    before = section.text[max(0, at - 30) : at] if at >= 0 else ""
    return key(before + fact.sentence)

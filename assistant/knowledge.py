"""What the assistant knows about each ingested document, read once from the index into memory.

Statements are the citable figures: every table fact and every figure the narrative states.
The view is rebuilt when the set of ingested documents changes.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from assistant.guard import instruction
from assistant.types import Citation, Statement
from index import Document, Fact, Library, Section, Table
from index.sections import narrative_facts
from index.store import COLUMN_SEPARATOR
from index.text import decimals
from index.types import NarrativeFact

_TOTAL_LEAVES = {"合计", "小计", "总计"}
_PLACE = re.compile(r"^(中共)?([\u4e00-\u9fff]{2,4}?(省|自治区|市|区|县|州|旗))+(委)?")


@dataclass
class Narrative:
    fact: NarrativeFact
    section: Section
    subject: str  # the sentence up to the figure: what the figure is said of
    change: bool  # the figure is a change (较上年增加/减少…)
    context: str = ""  # the numbered item the sentence belongs to ("1、…行政运行（项）。主要用于：…")


@dataclass
class DocumentView:
    document: Document
    statements: list[Statement]
    narrative: list[Narrative]
    sections: list[Section]
    tables: dict[str, Table]
    findings: list[dict[str, Any]]
    aliases: list[str] = field(default_factory=list)  # ways a question names the department
    units: list[str] = field(default_factory=list)  # the sub-units its figures are told apart by

    @cached_property
    def row_totals(self) -> dict[tuple[str, str, tuple[str, ...]], set[float]]:
        """(table, printed row, column group) → the values of the group's total columns: the
        row's "一般公共预算基本支出 / 合计" under ("一般公共预算基本支出",), its "“三公”经费合计" under ()."""
        totals: dict[tuple[str, str, tuple[str, ...]], set[float]] = {}
        for s in self.statements:
            path = tuple((s.citation.column or "").split(" / "))
            if s.kind != "narrative" and (path[-1] in _TOTAL_LEAVES or path[-1].endswith(("合计", "总计"))):
                totals.setdefault((s.ref, s.row_key, path[:-1]), set()).add(s.value)
        return totals


class Knowledge:
    def __init__(self, library: Library) -> None:
        self.library = library
        self._views: dict[str, DocumentView] = {}
        self._lock = threading.Lock()

    def views(self) -> list[DocumentView]:
        documents = self.library.documents()
        with self._lock:
            ids = {d.id for d in documents}
            if set(self._views) != ids:
                self._views = {d.id: self._views.get(d.id) or self._load(d) for d in documents}
            return list(self._views.values())

    def _load(self, document: Document) -> DocumentView:
        store = self.library.store
        sections = store.sections(document.id)
        # a figure in a sentence addressed to the reader as an instruction is no figure of the budget
        narrative = [_narrative(fact, section) for section in sections for fact in narrative_facts(section)
                     if not instruction(fact.sentence)]
        facts = store.facts(document.id)
        parents = _ancestor_labels(facts)
        statements = [table_statement(document, f, parents.get((f.table, f.code), "")) for f in facts]
        statements += [narrative_statement(document, n) for n in narrative]
        return DocumentView(
            document, statements, narrative, sections,
            {t.id: t for t in store.tables(document.id)},
            store.findings(document.id), department_aliases(document.department),
            sorted({s.citation.entity for s in statements if s.citation.entity}),
        )


def place_stripped(name: str) -> str:
    """"湖州市财政项目预算审核中心" → "财政项目预算审核中心": the name without its place."""
    return _PLACE.sub("", name)


def place_names(department: str) -> set[str]:
    """The place forms a department's name begins with: "上海市普陀区财政局" → 上海市, 上海, 普陀区, 普陀."""
    prefix = _PLACE.match(department)
    places = re.findall(r"[\u4e00-\u9fff]{2,3}?(?:省|市|区|县)", prefix.group() if prefix else "")
    return {form for place in places for form in (place, place.rstrip("省市区县"))}


def department_aliases(department: str) -> list[str]:
    """"上海市普陀区财政局" → also "普陀区财政局", "财政局"; short enough to be said in a question."""
    aliases = [department]
    stripped = _PLACE.sub("", department)
    if stripped and stripped != department:
        aliases.append(stripped)
    for place in re.findall(r"[\u4e00-\u9fff]{2,3}?(?:市|区|县)", department):
        aliases += [place, place.rstrip("市区县")]  # "鹿泉区", "鹿泉"
    return [a for a in dict.fromkeys(aliases) if len(a) >= 2]


def _ancestor_labels(facts: list[Fact]) -> dict[tuple[str, str], str]:
    """(table, code) → the labels of the 类 and 款 above it in the same table."""
    labels = {(f.table, f.code): f.row for f in facts if f.code}
    return {
        (table, code): " ".join(labels[(table, code[:n])] for n in (3, 5) if n < len(code) and (table, code[:n]) in labels)
        for table, code in labels
    }


def table_statement(document: Document, fact: Fact, context: str = "") -> Statement:
    citation = Citation(
        document=document.id, document_title=document.title, page=fact.page, table=fact.table_title,
        row=fact.row, code=fact.code or None, column=COLUMN_SEPARATOR.join(fact.column) or None,
        value=fact.value, unit=fact.unit or None, text=fact.text, table_id=fact.table, bbox=fact.bbox,
        ocr=fact.ocr, entity=fact.entity or None, source=document.source,
    )
    return Statement(fact.value, fact.unit, decimals(fact.text), citation, fact.table_kind, fact.row, fact.table,
                     f"{fact.group}|{fact.row_index}", context)


def narrative_statement(document: Document, narrative: Narrative) -> Statement:
    fact = narrative.fact
    section = " > ".join(narrative.section.path) or narrative.section.heading or None
    citation = Citation(
        document=document.id, document_title=document.title, page=fact.page, section=section,
        value=fact.value, unit=fact.unit, text=fact.sentence, source=document.source,
    )
    printed = re.match(r"[\d,]+(?:\.\d+)?", fact.sentence[fact.start :])
    places = decimals(printed.group()) if printed else 2
    return Statement(fact.value, fact.unit, places, citation, "narrative", narrative.subject, narrative.section.id,
                     context=narrative.context)


def _narrative(fact: NarrativeFact, section: Section) -> Narrative:
    before = re.sub(r"[“”\"'‘’「」]", "", fact.sentence[: fact.start])
    clause = re.split(r"[，,；;：:]", before)[-1]
    change = bool(re.search(r"(增加|减少|增长|下降|降低|上升|节约|持平)", clause))
    return Narrative(fact, section, before, change, _item_context(section, fact.sentence))


def _item_context(section: Section, sentence: str) -> str:
    """The text from the start of the numbered item (or line) holding this sentence up to it."""
    text = (section.heading if re.match(r"^\d+[、．.]", section.heading) else "") + section.text
    at = text.find(sentence)
    if at <= 0:
        return ""
    before = text[:at]
    starts = [m.end() - len(m.group(1)) for m in re.finditer(r"(?:^|\n|。)\s*(\d+、)", before)]
    return before[starts[-1] if starts else before.rfind("\n") + 1 :]

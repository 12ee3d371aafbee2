"""What the assistant knows about the ingested documents.

Two levels, so that the cost of a question does not grow with the corpus:
- a ``Profile`` of every document — who it is of, the names a question may call it by — small,
  kept for all documents, and what routing reads;
- a ``DocumentView`` of the documents a question is routed to: the citable figures (every table
  fact and every figure the narrative states), sections and tables. Read from the index when
  first needed and kept in a cache bounded in bytes, the least recently used dropped first.
"""

from __future__ import annotations

import gc
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from functools import cached_property, lru_cache, partial
from typing import Any, Protocol

from assistant.glossary import names
from assistant.guard import instruction
from assistant.types import Citation, Statement
from index import Document, Fact, Library, Section, Table
from index.sections import narrative_facts
from index.store import COLUMN_SEPARATOR
from index.text import decimals
from index.types import NarrativeFact

_TOTAL_LEAVES = {"合计", "小计", "总计"}
# the places both patterns below read whole: an autonomous prefecture or county, whose name holds
# no 省 or 市 (安康市|石柱土家族自治县), and a 地区 or 盟
_AUTONOMOUS = r"(?:(?![省市])[\u4e00-\u9fff]){2,8}?自治[州县旗]|[\u4e00-\u9fff]{2,5}?(?:地区|盟)"


# one place in a name: an autonomous prefecture or county whole ("酉阳土家族苗族自治县"), else 2–3 characters and the level
_ONE_PLACE = rf"{_AUTONOMOUS}|[\u4e00-\u9fff]{{2,3}}?(?:省|(?<!和)市|区|县)|[\u4e00-\u9fff]县"


def _longer_places() -> str:
    """The places the glossary knows that are longer than the usual shape reads whole
    ("深汕特别合作区"): tried first, longest first, by both patterns below."""
    usual = re.compile(_ONE_PLACE)
    longer = [n.chinese for n in names() if n.type in ("province", "city", "district")
              and re.search("(?:省|市|区|县|旗|盟)$", n.chinese) and not usual.fullmatch(n.chinese)]
    return "|".join(map(re.escape, sorted(longer, key=len, reverse=True))) or "(?!)"


_LONGER = _longer_places()
_PLACE = re.compile(
    rf"^(中共)?({_LONGER}|{_AUTONOMOUS}|[\u4e00-\u9fff]{{2,4}}?(省|自治区|(?<!和)市|区|县|州|旗)"
    r"|[\u4e00-\u9fff]县)+(委)?")  # one-character counties too (忠县); no city ends 和市 ("绿化和市容管理局")


@dataclass
class Narrative:
    fact: NarrativeFact
    section: Section
    subject: str  # the sentence up to the figure: what the figure is said of
    change: bool  # the figure is a change (较上年增加/减少…)
    context: str = ""  # the numbered item the sentence belongs to ("1、…行政运行（项）。主要用于：…")


class Named(Protocol):
    """What routing reads of a document: a ``Profile`` or a ``DocumentView``."""

    @property
    def document(self) -> Document: ...
    @property
    def aliases(self) -> list[str]: ...
    @property
    def units(self) -> list[str]: ...


@dataclass(frozen=True)
class Places:
    """Where a document's department is, as its name prints it ("" where it does not say)."""

    province: str = ""  # "河北", "上海" (a municipality is its own province and city)
    city: str = ""  # "石家庄", "上海"
    district: str = ""  # "鹿泉区", "普陀区"


@dataclass(frozen=True)
class Profile:
    document: Document
    aliases: list[str]  # ways a question names the department
    units: list[str]  # the sub-units its figures are told apart by
    places: Places = Places()

    def listing(self) -> dict[str, Any]:
        """The document as the listings show it (CLI, HTTP API, MCP): its record and its places."""
        return {**asdict(self.document), "places": asdict(self.places)}


@dataclass(frozen=True)
class Filters:
    """Which documents a question is asked of, by what they are: any field left empty admits all.
    Places are matched by name with or without 省/市 ("湖州" or "湖州市"), the department by any
    part of its name, the kind as 预算 or 决算."""

    province: str = ""
    city: str = ""
    district: str = ""
    department: str = ""
    year: int | None = None
    kind: str = ""
    place: str = ""  # any of province, city or district

    def admits(self, profile: Profile) -> bool:
        places, document = profile.places, profile.document
        anywhere = not self.place or any(_same_place(self.place, p) for p in (places.province, places.city, places.district))
        return (anywhere and _same_place(self.province, places.province) and _same_place(self.city, places.city)
                and _same_place(self.district, places.district)
                and (not self.department or self.department in document.department
                     or any(self.department in a for a in profile.aliases))
                and (self.year is None or document.year == self.year) and (not self.kind or document.kind == self.kind))

    def __str__(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in vars(self).items() if v not in ("", None))


def version_key(document: Document) -> tuple[str, int | None, str]:
    """What versions of one report share: department, year and kind."""
    return document.department, document.year, document.kind


def _same_place(wanted: str, place: str) -> bool:
    return not wanted or (bool(place) and wanted.strip().rstrip("省市") in (place, place.rstrip("区县")))


@dataclass
class DocumentView:
    document: Document
    statements: list[Statement]
    narrative: list[Narrative]
    sections: list[Section]
    tables: dict[str, Table]
    read_failed_findings: Callable[[], list[dict[str, Any]]]  # few answers need them: read when first asked for
    aliases: list[str] = field(default_factory=list)  # ways a question names the department
    units: list[str] = field(default_factory=list)  # the sub-units its figures are told apart by
    # what later stages compute from the view (the labels' embeddings): dropped with it from the cache
    derived: dict[str, Any] = field(default_factory=dict, repr=False)

    @cached_property
    def failed_findings(self) -> list[dict[str, Any]]:
        """The checks the document failed (its disagreements with itself)."""
        return self.read_failed_findings()

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


# Bytes a loaded view takes per character of the stored tables, sections and facts it is read from
# (measured with tracemalloc on generated and regional reports: 8–10).
_BYTES_PER_CHAR = 9


class Knowledge:
    def __init__(self, library: Library, cache_bytes: int = 512_000_000) -> None:
        self.library = library
        self._budget = cache_bytes
        self._profiles: dict[str, Profile] = {}
        self._seen = -1  # the library's generation the profiles were read at
        self._versions: dict[tuple[str, int | None, str], list[Document]] = {}  # department, year, kind → documents
        self._names: dict[str, dict[str, set[str]]] = {}  # a name's first two characters → name → documents
        self._views: OrderedDict[str, tuple[DocumentView, int]] = OrderedDict()  # least recently used first
        self._lock = threading.Lock()

    def profiles(self) -> list[Profile]:
        """Every ingested document's profile, in the library's order (by file name); read afresh only
        when documents were added or deleted."""
        return list(self._fresh().values())

    def _fresh(self) -> dict[str, Profile]:
        """The profiles by document id, and the lookups built from them, as of the library's generation."""
        with self._lock:
            if self._seen == self.library.generation:
                return self._profiles
            self._seen = self.library.generation
            documents = self.library.documents()
            units = self.library.store.units()
            profiles = {d.id: self._profiles.get(d.id) or Profile(
                d, department_aliases(d.department), units.get(d.id, []), places_of(d.department)) for d in documents}
            for gone in set(self._views) - set(profiles):
                del self._views[gone]
            versions: dict[tuple[str, int | None, str], list[Document]] = {}
            for d in documents:
                if d.department:
                    versions.setdefault(version_key(d), []).append(d)
            names: dict[str, dict[str, set[str]]] = {}
            for profile in profiles.values():
                for name in (*profile.aliases, *profile.units):
                    names.setdefault(name[:2], {}).setdefault(name, set()).add(profile.document.id)
            # each replaced whole, once built: a question read in another thread meanwhile sees the last ones
            self._profiles, self._versions, self._names = profiles, versions, names
            return profiles

    def naming(self, text: str) -> set[str]:
        """The documents one of whose names (department, place, unit) the text says: looked up by
        each two characters of the text, not compared with every document's names."""
        self._fresh()
        index, found = self._names, set()
        for at in range(len(text)):
            for key in (text[at], text[at : at + 2]):  # a name of one character is indexed by it whole
                for name, documents in index.get(key, {}).items():
                    if text.startswith(name, at):
                        found |= documents
        return found

    def versions(self, document: Document) -> list[Document]:
        """The ingested versions of a document's report (same department, year and kind), itself
        among them: looked up, not searched for, at 10,000 documents."""
        self._fresh()
        return list(self._versions.get(version_key(document), [document]))

    def document(self, document_id: str) -> Document | None:
        profile = self._fresh().get(document_id)
        return profile.document if profile else None

    def select(self, filters: Filters) -> list[Profile]:
        """The documents these filters admit."""
        return [p for p in self.profiles() if filters.admits(p)]

    def views(self, profiles: Iterable[Profile]) -> list[DocumentView]:
        """The views of these documents, read from the index where not cached."""
        wanted = list(profiles)
        with self._lock:
            loaded = False
            for profile in wanted:
                document = profile.document
                if document.id in self._views:
                    self._views.move_to_end(document.id)
                else:
                    self._views[document.id] = (self._load(profile), self.library.store.footprint(document.id))
                    loaded = True
            views = [self._views[p.document.id][0] for p in wanted]
            self._evict(keep=len(wanted))
        if loaded:
            # A view is hundreds of thousands of long-lived objects the cyclic collector would scan
            # again at every full collection (~0.2 s at 1,000 documents, mid-question). They hold
            # no cycles, so they are freed by reference counting when evicted: frozen out of its
            # scans once the young garbage is collected.
            gc.collect(1)
            gc.freeze()
        return views

    def _evict(self, keep: int) -> None:
        """Drop the least recently used views past the budget (never the ``keep`` just asked for)."""
        while self.held > self._budget and len(self._views) > keep:
            self._views.popitem(last=False)

    @property
    def cached(self) -> int:
        return len(self._views)

    @property
    def held(self) -> int:
        """Bytes the cached views take, as estimated from what they were read from."""
        return sum(size for _, size in self._views.values()) * _BYTES_PER_CHAR

    def _load(self, profile: Profile) -> DocumentView:
        store, document = self.library.store, profile.document
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
            partial(store.failed_findings, document.id), profile.aliases, profile.units,
        )


_MUNICIPALITIES = {"北京", "上海", "天津", "重庆"}
_PLACE_NAME = re.compile(rf"{_LONGER}|{_ONE_PLACE}")


def _bare(place: str) -> str:
    """"鹿泉区" → "鹿泉", "大兴安岭地区" → "大兴安岭": how a place is also said."""
    return re.sub(r"(?:地区|省|市|区|县)$", "", place)


@lru_cache(maxsize=1)
def _gazetteer() -> dict[str, str]:
    """Place name → its level (province, city, district), from the glossary's names."""
    return {n.chinese: n.type for n in names() if n.type in ("province", "city", "district")}


@lru_cache(maxsize=1)
def _short_forms() -> dict[str, list[str]]:
    """A department's short forms from the glossary ("大数据管理局" → 大数据局, 大数据发展管理局)."""
    return {n.chinese: list(n.short) for n in names() if n.type == "department" and n.short}


def places_of(department: str) -> Places:
    """The province, city and district a department's name begins with, read left to right, the
    longest known name at each point ("天津市河北区…": 天津, then 河北区, not 河北)."""
    prefix = _PLACE.match(department)
    text, known, at = prefix.group() if prefix else "", _gazetteer(), 0
    found: dict[str, str] = {}
    while at < len(text):
        name = next((text[at:end] for end in range(min(len(text), at + 12), at + 1, -1) if text[at:end] in known), "")
        if name:
            found.setdefault(known[name], name)
        at += len(name) or 1
    province = found.get("province", "")
    return Places(province, found.get("city", "") or (province if province in _MUNICIPALITIES else ""),
                  found.get("district", ""))


def place_stripped(name: str) -> str:
    """"湖州市财政项目预算审核中心" → "财政项目预算审核中心": the name without its place."""
    return _PLACE.sub("", name)


def place_names(department: str) -> set[str]:
    """The place forms a department's name begins with: "上海市普陀区财政局" → 上海市, 上海, 普陀区, 普陀."""
    prefix = _PLACE.match(department)
    places = _PLACE_NAME.findall(prefix.group().removeprefix("中共") if prefix else "")
    return {form for place in places for form in (place, _bare(place)) if len(form) >= 2}


def department_aliases(department: str) -> list[str]:
    """"上海市普陀区财政局" → also "普陀区财政局", "财政局"; short enough to be said in a question."""
    aliases = [department]
    stripped = _PLACE.sub("", department)
    if stripped and stripped != department:
        aliases.append(stripped)
    aliases += _short_forms().get(stripped, [])  # "大数据管理局" is said "大数据局"
    for place in _PLACE_NAME.findall(department.removeprefix("中共")):
        if not place.endswith("省"):
            aliases += [place, _bare(place)]  # "鹿泉区", "鹿泉"
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

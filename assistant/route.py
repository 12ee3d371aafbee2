"""Which ingested documents a question is about: those it names (department, unit or place),
those the caller chose, and never a year no document covers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from assistant import organisations
from assistant.knowledge import Named, place_names, place_stripped
from assistant.understand import Question

N = TypeVar("N", bound=Named)


@dataclass(frozen=True)
class Routed(Generic[N]):
    documents: list[N]  # where to look
    named: bool  # the question or the caller named them
    shared: bool = False  # a name said fits the reports of several places, and no place was said


# The documents one of whose names a text says (``Knowledge.naming``): routing then reads only
# those documents' names; without it, every document's
Naming = Callable[[str], set[str]]


def route(question: Question, views: list[N], chosen: set[str] | None = None, naming: Naming | None = None) -> Routed[N]:
    """The documents to look in, and how they were named."""
    if chosen:
        return Routed([v for v in views if v.document.id in chosen], True)
    # the words as asked ("大数据局") and as the glossary reads them (English names in Chinese)
    named, shared = named_documents(f"{question.text} {question.search_text}", views, naming)
    if organisations.unmatched(question, views):
        return Routed([], False)  # a department or place no ingested document is of: nothing here answers
    scope = named or views
    if question.years and not question.change:
        # A document states its own year and the one before (上年); a year no document covers has no answer.
        scope = [v for v in scope if v.document.year in question.years or
                 (v.document.year is not None and v.document.year - 1 in question.years)]
    places = {frozenset(place_names(v.document.department)) for v in scope} if shared else set()
    return Routed(scope, bool(named), len(places) > 1)


def named_documents(text: str, views: list[N], naming: Naming | None = None) -> tuple[list[N], bool]:
    """The documents a question names. Each department named goes to the report that matches it
    most specifically: place and department together ("湖州交通局", "Zhuhai Commerce Bureau") over
    the department alone (every city's 交通运输局 or 商务局); names of different departments are
    all kept ("鹿泉区科技局和财政局"); a place alone names every report of that place. Also says
    whether a department was named without its place while several places' reports fit it."""
    if naming is not None:
        some = naming(text)
        views = [v for v in views if v.document.id in some]
    # a unit named ("湖州市港航管理中心") names the report it belongs to, as its department's name would
    said = {v.document.id: [a for a in [*v.aliases, *v.units] if a in text] for v in views}
    # a name inside a longer one said of any report is not said itself: "自然资源局" in "规划和自然资源局"
    longest = _maximal(list({a for names in said.values() for a in names}))
    said = {document: [a for a in names if a in longest] for document, names in said.items()}
    groups: dict[str, list[N]] = {}
    for view in views:
        if said[view.document.id]:
            places = place_names(view.document.department)
            named = [a for a in said[view.document.id] if a not in places]
            groups.setdefault(place_stripped(max(named, key=len, default="")), []).append(view)
    if len(groups) > 1:
        groups.pop("", None)  # a place said with a department picks that department's report
    kept, shared = set(), False
    for name, group in groups.items():  # within one department's reports, those whose own place was said
        placed = [v for v in group if _own_place_said(v, said[v.document.id])]
        kept |= {v.document.id for v in placed or group}
        shared |= bool(name) and not placed and len(group) > 1
    return [v for v in views if v.document.id in kept], shared


def _own_place_said(view: Named, names: list[str]) -> bool:
    """"湖州", or "湖州市交通运输局" whole: the report's own place is among what was said."""
    places = place_names(view.document.department)
    return any(name in places or places & place_names(name) for name in names)


def _maximal(names: list[str]) -> list[str]:
    """Names not inside another of the list: "湖州市财政局" keeps it, drops "财政局" and "湖州"."""
    return [n for n in names if not any(n != other and n in other for other in names)]

"""Departments and places a question names, against the documents ingested.

"深圳市审计局的差旅费" with no Shenzhen audit report ingested has no answer here: answering from
another department's report would be a wrong figure, however well it matched the subject.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from assistant.glossary import Name, expand, names
from assistant.knowledge import Named
from assistant.understand import Question


def unmatched(question: Question, views: Sequence[Named]) -> list[str]:
    """Departments or places the question names that no document is of (or has as a unit). A
    department said with its place must be that place's: "湖州市教育局" is not 珠海市教育局."""
    text, alternatives = _mentions(question)
    named = _named(text)
    by_name = {n.chinese: n for n in names()}
    owners = [" ".join([v.document.department, v.document.title, *v.units]) for v in views]

    def owns(owner: str, name: Name) -> bool:
        return any(form in owner for form in (name.chinese, *name.short))

    departments = [(n, at) for n, at in named if n.type == "department"]
    missing = []
    for department, at in departments:
        place = next((p for p, p_at in named if p.type != "department" and _just_before(text, p, p_at, at)), None)
        meant = [by_name[c] for c in alternatives.get(department.chinese, (department.chinese,))]
        if not any(owns(o, d) and (place is None or owns(o, place)) for o in owners for d in meant):
            missing.append(department.chinese)
    # a place no report is of ("鹿泉区…" with no Luquan report) has nothing here, whatever follows it
    missing += [p.chinese for p, _ in named if p.type != "department" and not any(owns(o, p) for o in owners)]
    return missing


def _just_before(text: str, place: Name, place_at: int, at: int) -> bool:
    """"鹿泉区科技局", "湖州市的教育局": the place is said right before the department."""
    between = text[place_at + len(place.chinese) : at]
    return place_at < at and bool(re.fullmatch(r"\s*[市区县省]?的?\s*", between))  # "Huzhou Water…" → "湖州 水务局"


def _mentions(question: Question) -> tuple[str, dict[str, tuple[str, ...]]]:
    """The question's own words, with the departments and places its English or short names mean,
    and for each department so meant the others the same name may mean ("Water Resources Bureau":
    水务局 or 水利局).

    Only names, never the glossary's subject vocabulary ("财政" is fiscal money, not 财政局), and an
    English department only by a name of two words or more ("Audit Bureau", not "government").
    """
    by_name = {n.chinese: n for n in names()}
    meant: list[str] = []
    alternatives: dict[str, tuple[str, ...]] = {}
    for entry in expand(question.text).entries:
        name = by_name.get(entry.terms[0]) if entry.terms else None
        if name is None or entry.alias == name.chinese:
            continue
        if (entry.alias.isascii() and (name.type != "department" or " " in entry.alias)) or entry.alias in name.short:
            meant.append(name.chinese)
            alternatives[name.chinese] = tuple(t for t in entry.terms if t in by_name)
    return " ".join([question.text, *meant]), alternatives


def _named(text: str) -> list[tuple[Name, int]]:
    """Each department or place named, with where it stands."""
    found: list[tuple[Name, int]] = []
    departments = [form for n in _candidates() if n.type == "department" for form in (n.chinese, *n.short)]
    for name in _candidates():
        at = text.find(name.chinese)
        if at < 0:
            continue
        after = text[at + len(name.chinese):]
        if name.type == "province" and not after.startswith("市"):
            continue  # a city's report rarely prints its province; a municipality is a city ("北京市")
        # a place as a place ("深圳市", "深圳的", "深圳审计局"), not inside a project's name
        as_place = not after or after[0] in "市区县省的 " or any(after.startswith(d) for d in departments)
        if name.type == "department" or as_place:
            found.append((name, at))
    # "财政局" inside "湖州市财政局" is one name, not two
    return [(n, at) for n, at in found if not any(n is not o and n.chinese in o.chinese for o, _ in found)]


@lru_cache(maxsize=1)
def _candidates() -> tuple[Name, ...]:
    """Names long enough to be said on purpose: departments of 3+ characters, places of 2+."""
    return tuple(n for n in names() if len(n.chinese) >= (3 if n.type == "department" else 2))

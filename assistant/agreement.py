"""Does a cited figure answer what the question pins down, beyond its subject?

The matcher and the coverage check decide the subject (row, code, project). This module checks
the rest a figure must agree with before it may be called verified:

- organisation: a sub-unit the question names (a centre, a school) gets that unit's figure; a
  question naming only the department never gets a unit's;
- year: a figure of the year asked — "上年/去年/last year" or an earlier year asked as the figure
  itself (not as a change against it) needs a column or sentence of that year;
- side: a question about income (收入) is not answered by a spending figure, nor the reverse.

Each returns the reason it disagrees, so a rejected figure can still be offered as a candidate.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.coverage import missing_measures
from assistant.knowledge import DocumentView, place_stripped
from assistant.match import FURNITURE, GENERIC, label_match, subject_key
from assistant.types import Statement
from assistant.understand import Question
from index.text import key

_PREVIOUS = re.compile(
    r"(?<![比较与同])上年(?!度?结转)|去年|上一年|上年度|last year|previous year|prior year|a year (?:earlier|before)",
    re.IGNORECASE,
)
_CARRIED = re.compile(r"结转|结余|剩下|剩余|没花完|carr(?:y|ied)[- ]?over|left over", re.IGNORECASE)
_AS_OF = re.compile(r"截至\s*(20\d{2})\s*年|(20\d{2})\s*年\s*(?:末|底|12\s*月\s*31\s*日)")
_BRACKETS = re.compile(r"[（()）]")
_ORG_RUN = re.compile(r"(?=([\u4e00-\u9fff]{3,}(?:中心|局|所|站|院|队|馆|处)))")
_OWN_OFFICE = re.compile(r"本级|own office|headquarters|the bureau itself|机关本部", re.IGNORECASE)
_YEAR_OF_MEASURE = re.compile(r"(20\d{2})\s*年\s*(?:的)?(?:预算数|决算数|执行数|预算执行数)")
_YEAR_IN_COLUMN = re.compile(r"(20\d{2})\s*年")
_INCOME, _SPENDING = re.compile(r"收入|income|revenue", re.IGNORECASE), re.compile(r"支出|spend|expenditure", re.IGNORECASE)


def disagreement(question: Question, statement: Statement, view: DocumentView) -> str:
    """Why this figure does not answer the question ("" when nothing it pins down disagrees)."""
    return (_organisation(question, statement, view) or _year(question, statement, view)
            or _side(question, statement) or _narrower(question, statement, view))


def pinned_elsewhere(question: Question, statement: Statement, view: DocumentView) -> str:
    """Disagrees on what the asker pinned outright (the year, the organisation, a measure said in
    so many words — 预算数 of final accounts that state 决算数): never offered, not even as a candidate."""
    said = [m for m in missing_measures(question, statement, view) if m in question.text]
    return _organisation(question, statement, view) or _year(question, statement, view) or " ".join(said)


def named_unit(question: Question, view: DocumentView) -> str:
    """The sub-unit of this document the question names, the most specific one; "" for none."""
    return _named_unit(question.text, view.document.department, tuple(view.units))


@lru_cache(maxsize=4096)
def _named_unit(question: str, department: str, units: tuple[str, ...]) -> str:
    """Asked once per question and document, though every candidate figure is checked against it."""
    text = _BRACKETS.sub("", key(question))  # "统计局（本级）" names 统计局本级
    ends = _ORG_RUN.findall(text)
    named = [unit for unit in units if _names(text, ends, unit)]
    own_office = f"{department}本级"
    if not named and own_office in units and _OWN_OFFICE.search(question):
        return own_office  # "本级" / "its own office" said with the department's name
    return max(named, key=lambda unit: len(place_stripped(key(unit))), default="")


def _names(text: str, ends: list[str], unit: str) -> bool:
    """"湖州市财政票据管理中心" is named so, without its place, or by its distinctive end
    ("票据管理中心", five characters or more and ending as organisations do: ``ends``)."""
    name = _BRACKETS.sub("", key(unit))
    core = place_stripped(name)
    if name in text or (len(core) >= 4 and core in text):
        return True
    return any(name.endswith(run) for run in ends)


def _organisation(question: Question, statement: Statement, view: DocumentView) -> str:
    unit = named_unit(question, view)
    own = statement.citation.entity or ""
    if statement.kind == "narrative":
        # a sentence belongs to whoever it names; a unit asked for must be named in the figure's clause
        clause = re.split(r"[，,；;。]", statement.subject)[-1]
        said = _BRACKETS.sub("", key(clause))
        return "" if not unit or _names(said, _ORG_RUN.findall(said), unit) else f"not said of {unit}"
    if unit and key(own) != key(unit):
        return f"a figure of {own or view.document.department}, not of {unit}"
    if not unit and own:
        return f"a figure of the unit {own}, not of the department"
    return ""


def asked_year(question: Question, view: DocumentView) -> int | None:
    """The year whose figure is asked for, when it is not the document's own year."""
    year = view.document.year
    if question.change or year is None or _CARRIED.search(question.text):
        return None  # "去年剩下结转的钱" asks this year's 上年结转, not last year's figure
    if _PREVIOUS.search(question.text):
        return year - 1
    measured = [int(y) for y in _YEAR_OF_MEASURE.findall(question.text)]  # "2026年…表中，2025年预算数"
    if measured and measured[-1] != year:
        return measured[-1]
    earlier = [y for y in question.years if y != year]
    return earlier[0] if earlier and year not in question.years else None


def previous_year_words(text: str) -> str:
    """The question without its "上年 / 去年 / (2025年)": the same thing asked of this year."""
    return _PREVIOUS.sub("", re.sub(r"[（(]?20\d{2}\s*年?[)）]?", "", text))


def statement_year(statement: Statement, view: DocumentView) -> int | None:
    """The year a figure is of: its column's ("2025年预算数", "上年执行数"), else the document's."""
    year = view.document.year
    if statement.kind == "narrative":
        dated = _AS_OF.search(statement.subject)  # "截至2025年12月31日…共有车辆171辆": a stock at that date
        if dated:
            return int(dated.group(1) or dated.group(2))
    place = statement.citation.column or "" if statement.kind != "narrative" else statement.subject[-24:]
    printed = _YEAR_IN_COLUMN.findall(place)
    if printed:
        return int(printed[-1])
    if year is not None and _PREVIOUS.search(place):
        return year - 1
    return year


def _year(question: Question, statement: Statement, view: DocumentView) -> str:
    wanted = asked_year(question, view)
    if wanted is None:
        return ""
    found = statement_year(statement, view)
    return "" if found == wanted else f"a figure of {found}, not of {wanted}"


def _side(question: Question, statement: Statement) -> str:
    """Income asked, spending cited (or the reverse): a different figure of the same name."""
    asked = _which_side(question.text)
    citation = statement.citation
    if statement.kind == "narrative":
        # the figure's own clause says what it is; a change ("比上年增加…") is of what the sentence began with
        own = _which_side(re.split(r"[，,；;]", statement.subject)[-1]) or _which_side(statement.subject)
        if asked == "income" and not own:
            return "not said to be income"  # a sentence states income as such; unmarked figures are spending
    else:
        own = _which_side(" ".join([statement.row_key.split("|")[0], citation.column or "", citation.row or "",
                                    statement.kind]))
    return f"a {own} figure, {asked} asked" if asked and own and asked != own else ""


_SPENDING_PARTS = {"基本支出", "项目支出", "人员经费", "公用经费"}  # parts of a total, though measures
_FURNITURE_WORDS = re.compile("|".join(sorted(FURNITURE, key=len, reverse=True)))
_TOTAL_OR_MEASURE = re.compile(r"合计|小计|总计|预算|决算|金额|20\d\d|上年|本年|其中|年初|年末")


def _narrower(question: Question, statement: Statement, view: DocumentView) -> str:
    """A column naming an item the question does not ("公务用车购置及运行费" of a 三公 table asked
    for its 三公经费): a part of what was asked, not the whole. Groups above a part the question
    names are no narrowing ("公务用车购置及运行费 / 公务用车运行维护费" asked for the latter)."""
    if statement.kind == "narrative":
        return ""
    asked = key(question.search_text)
    parts = [p for p in (statement.citation.column or "").split(" / ") if p]

    def named(part: str) -> bool:
        name = subject_key(part)
        return name in asked or any(m in name for m in question.measures) or label_match(part, asked) >= 0.9

    deepest = max((i for i, part in enumerate(parts) if named(part)), default=-1)
    for index in range(deepest + 1, len(parts)):
        part, name = parts[index], subject_key(parts[index])
        if (name in GENERIC and name not in _SPENDING_PARTS) or _TOTAL_OR_MEASURE.search(name) \
                or len(_FURNITURE_WORDS.sub("", name)) < 2:
            continue  # a total, the measure itself (指标值), or a group word ("本年支出"): no narrowing
        if statement.value in view.row_totals.get((statement.ref, statement.row_key, tuple(parts[:index])), ()):
            continue  # the part is all of its group here (工资福利支出: all of it 人员经费)
        return f"only its {part} part"
    return ""


def _which_side(text: str) -> str:
    income, spending = bool(_INCOME.search(text)), bool(_SPENDING.search(text))
    return "income" if income and not spending else "spending" if spending and not income else ""

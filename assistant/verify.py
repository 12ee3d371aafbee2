"""An outcome is checked against its query, and every figure in an answer's text against what it cites.

A figure passes when it equals, after unit conversion and within the rounding the writer
applied, a cited statement or a result computed from cited statements. Numbers inside the
names of cited things ("…奖补市级资金（420万）") are names, not claims, and are masked first.
Whatever fails is marked in the text, never presented as checked.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from assistant.agreement import disagreement, pinned_elsewhere
from assistant.numbers import MONEY, Mention, find_mentions
from assistant.query import Query
from assistant.resolve import fits
from assistant.types import Calculated, Citation, Computed, Found, Offered, Outcome, Statement

UNVERIFIED_MARK = "〔未核实〕"
UNVERIFIED_MARK_EN = " [unverified]"
_EPSILON = 1e-9


@dataclass(frozen=True)
class Check:
    mention: Mention
    source: Statement | Computed | None  # what it equals; None when nothing does

    @property
    def ok(self) -> bool:
        return self.source is not None


def checked(query: Query, outcome: Outcome) -> Outcome:
    """The last gate before a figure is called verified: it must agree with what the query pins
    down — organisation (department or sub-unit), year, side. One that does not is offered as a
    candidate, never answered, however it was chosen."""
    if isinstance(outcome, Found):
        view = query.document(outcome.document.id)
        if disagreement(query.asked_of(view), outcome.best, view):
            return Offered(((outcome.document, outcome.best),), "agree")
    return outcome


def holds(query: Query, outcome: Outcome) -> bool:
    """An answer reached from a model's reading still answers the asker's own words: the figure
    agrees with everything the rules read in them (organisation, year, side) and is of the kind
    asked (money, a count, a rate); a result's operands are of the organisation and year asked."""
    if isinstance(outcome, Found):
        view = query.document(outcome.document.id)
        return not disagreement(query.asked_of(view), outcome.best, view) and fits(query.asked, outcome.best)
    if isinstance(outcome, Calculated) and not outcome.across:
        view = query.document(outcome.documents[0].id)
        return not any(pinned_elsewhere(query.asked_of(view), s, view) for s in outcome.result.operands)
    return False


def verify(text: str, statements: list[Statement], computed: list[Computed], citations: list[Citation],
           years: Collection[int] = ()) -> list[Check]:
    """A check per figure the text states, and a failed one per year or page it names that nothing
    cited holds (``years``: those the question and its documents cover)."""
    masked = mask_names(text, citations)
    for formula in {c.formula for c in computed}:
        masked = masked.replace(formula, " " * len(formula))  # its operands are cited; "× 100%" is no claim
    sources: list[Statement | Computed] = [*computed, *statements]
    checks = [
        Check(mention, next((s for s in sources if equals(mention, s.value, s.unit)), None))
        for mention in find_mentions(masked)
    ]
    return (checks + _unsupported_years(masked, citations, years) + _uncited_pages(masked, citations)
            + _unsupported_dates(masked, citations))


_YEAR = re.compile(r"(?<!\d)(?:19[89]\d|20\d{2})(?!\d)")
_PAGE = re.compile(r"第\s*(\d+)\s*页|\bp(?:age|p?\.)\s*(\d+)", re.IGNORECASE)


def _unsupported_years(masked: str, citations: list[Citation], years: Collection[int]) -> list[Check]:
    """Years no cited source and no document asked about covers ("2025年…" in a draft about 2026)."""
    said = " ".join(p for c in citations for p in (c.document_title, c.table, c.section, c.column, c.row, c.text) if p)
    known = {int(y) for y in _YEAR.findall(said)} | set(years)
    return [Check(Mention(float(m.group()), "年", 0, m.start(), m.end(), m.group()), None)
            for m in _YEAR.finditer(masked) if int(m.group()) not in known]


_DATE = re.compile(r"\d{1,2}\s*月\s*(?:\d{1,2}\s*日|底|末|初|份|[上中下]旬)?")


def _unsupported_dates(masked: str, citations: list[Citation]) -> list[Check]:
    """A month or day ("12月底", "3月5日") no cited source states."""
    said = re.sub(r"\s", "", " ".join(p for c in citations for p in (c.text, c.row, c.column, c.section) if p))
    return [Check(Mention(0.0, "日", 0, m.start(), m.end(), m.group()), None)
            for m in _DATE.finditer(masked) if re.sub(r"\s", "", m.group()) not in said]


def _uncited_pages(masked: str, citations: list[Citation]) -> list[Check]:
    pages = {c.page for c in citations}
    return [Check(Mention(float(n), "页", 0, m.start(), m.end(), m.group()), None)
            for m in _PAGE.finditer(masked) if (n := int(m.group(1) or m.group(2))) not in pages]


def mask_names(text: str, citations: list[Citation]) -> str:
    """Blank out the labels, titles and headings of cited things, keeping positions."""
    names = {n for c in citations for n in (c.row, c.table, c.section, c.code, c.column, c.document_title, c.source) if n}
    # A verbatim quote of a cited sentence is the document's own text, traced by its citation.
    names |= {c.text for c in citations if c.section or c.value is None}
    for name in sorted(names, key=len, reverse=True):
        if re.search(r"\d", name):
            # never inside a longer number: the code "208" is no part of "20816.88"
            pattern = (r"(?<![\d.])" if name[0].isdigit() else "") + re.escape(name) + \
                (r"(?![\d.]*\d)" if name[-1].isdigit() else "")
            text = re.sub(pattern, lambda m: " " * len(m.group()), text)
    return text


def equals(mention: Mention, value: float, unit: str) -> bool:
    """Does the written figure state this value, to the precision it was written with?"""
    tolerance = 0.5 * 10 ** (-mention.decimals) + _EPSILON
    if mention.unit in MONEY and unit in MONEY:
        return abs(mention.value * MONEY[mention.unit] - value * MONEY[unit]) <= tolerance * MONEY[mention.unit]
    if mention.unit in ("%", "百分点") or unit in ("%", "百分点"):
        return mention.unit in ("%", "百分点", "") and unit in ("%", "百分点") and abs(mention.value - value) <= tolerance
    if mention.unit and unit and mention.unit != unit:
        return False
    return abs(mention.value - value) <= tolerance


def mark_unverified(text: str, checks: list[Check], citations: list[Citation], language: str) -> str:
    """Put a visible mark after every figure that failed, working from the end to keep offsets."""
    mark = UNVERIFIED_MARK if language == "zh" else UNVERIFIED_MARK_EN
    for check in sorted((c for c in checks if not c.ok), key=lambda c: -c.mention.end):
        text = text[: check.mention.end] + mark + text[check.mention.end :]
    return text

"""Last year's figure, when a document states it only as this year's and the change.

"公务接待费6.64万元，比上年增加0.84万元" states last year's 公务接待费 as 6.64 − 0.84 = 5.80: asked for
"上年的公务接待费", the answer is that arithmetic over the two cited figures, shown as such
(status computed), never this year's 6.64.
"""

from __future__ import annotations

import re
from dataclasses import replace

from assistant import resolve
from assistant.agreement import asked_year, previous_year_words
from assistant.coverage import uncovered
from assistant.knowledge import DocumentView, Narrative
from assistant.retrieve import Hit
from assistant.types import Computed, Statement
from assistant.understand import Question
from index.text import MONEY_FACTORS

_UP = re.compile(r"增加|增长|上升|提高|多")
_DOWN = re.compile(r"减少|下降|降低|压减|节约|少")
_MEASURE = re.compile(r"(执行|预算|决算)数")
_MEASURES = ("预算数", "决算数")
_AGAINST_LAST_YEAR = re.compile(r"上年|去年|上一年|20\d{2}\s*年")


def previous_year(question: Question, view: DocumentView, hits: list[Hit]) -> Computed | None:
    year = view.document.year
    if year is None or asked_year(question, view) != year - 1:
        return None
    # the same thing asked of this year: what the sentence states before its change. Last year's
    # measure ("上年执行数") must be the one the change is against ("比上年执行数减少…").
    measure = _MEASURE.search(question.text)
    text = previous_year_words(_MEASURE.sub("", question.text))
    this_year = replace(question, text=text, years=[], measures=[m for m in question.measures if m not in _MEASURES])
    for scored in resolve.ranked(this_year, view, hits)[: resolve.SHORTLIST]:
        value = scored.statement
        if value.kind != "narrative" or value.unit not in MONEY_FACTORS or uncovered(this_year, [value], view):
            continue
        change = _change_after(view, value, measure.group(1) if measure else "")
        if change is not None:
            statement, sign = change
            amount = statement.value * MONEY_FACTORS[statement.unit] / MONEY_FACTORS[value.unit]
            places = max(value.decimals, statement.decimals)
            operator = "−" if sign > 0 else "+"
            formula = f"{value.value:,.{value.decimals}f} {operator} {statement.value:,.{statement.decimals}f}"
            return Computed(round(value.value - sign * amount, places + 2), value.unit, places, formula, (value, statement))
    return None


def _change_after(view: DocumentView, value: Statement, measure: str = "") -> tuple[Statement, int] | None:
    """The change against last year the sentence states right after this figure, with its sign."""
    sentence = value.citation.text
    figures = [n for n in view.narrative if n.fact.sentence == sentence]
    own = next((n for n in figures if n.fact.value == value.value and not n.change), None)
    if own is None:
        return None
    later = [n for n in figures if n.fact.start > own.fact.start]
    if not later or not later[0].change or later[0].fact.unit not in MONEY_FACTORS:
        return None
    change = later[0]
    between = sentence[own.fact.start : change.fact.start]
    if not _AGAINST_LAST_YEAR.search(between) or measure not in between:
        return None
    sign = 1 if _UP.search(_clause(change)) else -1 if _DOWN.search(_clause(change)) else 0
    if sign == 0:
        return None
    statement = next((s for s in view.statements if s.kind == "narrative" and s.citation.text == sentence
                      and s.value == change.fact.value), None)
    return (statement, sign) if statement is not None else None


def _clause(narrative: Narrative) -> str:
    return re.split(r"[，,；;：:]", narrative.subject)[-1]

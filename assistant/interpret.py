"""With an LLM configured, it reads the questions the rules could not answer for certain.

The model sees the question, the asker's earlier questions, and numbered figures and labels printed
in the documents the question is routed to (those the rules offered, and the labels nearest its
meaning). It replies with a structured reading — a shown figure that answers as asked, or the
printed labels, measure, year and operation to look up — and never with an amount. The reading is
checked field by field against what was shown and what the asker's words pin down (the operation
is the one asked, so a share is never read as a lookup of its operand; a year is one the documents
cover and the asker said, if any), turned into a ``Query`` and run by the same executor; the result
must still pass the gate against the rules' own reading of the question (organisation, year, side,
the kind of figure). Anything else leaves the rules' answer as it was.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, replace
from typing import Any, Protocol, cast, get_args

from assistant.agreement import named_unit
from assistant.knowledge import DocumentView
from assistant.llm import fenced
from assistant.meaning import Meaning
from assistant.prompts import render
from assistant.query import COMPUTING, Query, plan_of
from assistant.types import Offered, Operation, Outcome, Statement
from assistant.understand import MEASURES, understand
from index.text import key

FIGURES, LABELS = 15, 20  # shown to the model at most
_READ_AS = ("lookup", "sum", "difference", "share", "ratio", "growth")
_TWO_SIDED = COMPUTING  # a share's whole too: "of the total" read by a model could be any total

log = logging.getLogger(__name__)
assert set(_READ_AS) <= set(get_args(Operation))


class Interpreter(Protocol):
    def reply(self, question: str, history: list[str], figures: str, labels: str) -> str | None: ...


class OpenAICompatibleInterpreter:
    def __init__(self, llm: Any) -> None:
        self._llm = llm  # a llama-index chat LLM (OpenAILike)

    def reply(self, question: str, history: list[str], figures: str, labels: str) -> str | None:
        from llama_index.core.llms import ChatMessage

        messages = [
            ChatMessage(role="system", content=render("interpret_system", measures=", ".join(MEASURES))),
            ChatMessage(role="user", content=render("interpret_user", question=question, figures=figures, labels=labels,
                                                    history="\n".join(history) or "(none)")),
        ]
        try:
            return self._llm.chat(messages).message.content or ""
        except Exception as exc:  # an unreachable model leaves the rules' answer as it is
            log.warning("LLM reading failed, keeping the rules' answer: %s", exc)
            return None


@dataclass(frozen=True)
class Shown:
    """What the model is shown: numbered figures and the printed labels it may name."""

    figures: tuple[tuple[DocumentView, Statement], ...]
    labels: tuple[str, ...]

    def describe(self) -> tuple[str, str]:
        figures = [f"[{n}] {_described(s)}" for n, (_, s) in enumerate(self.figures, start=1)]
        return fenced("\n".join(figures)), fenced("\n".join(self.labels))


@dataclass(frozen=True)
class Reading:
    """The model's reading, checked: a shown figure, or what to look up."""

    figure: int | None  # 0-based, into ``Shown.figures``
    subjects: tuple[str, ...]
    measure: str
    year: int | None
    operation: Operation

    def said(self) -> str:
        """The reading as the answer states it: printed labels, a listed measure, a year — no free text."""
        return " / ".join(p for p in ("、".join(self.subjects), self.measure, f"{self.year}" if self.year else "") if p)


def interpretable(query: Query, outcome: Outcome) -> bool:
    """Unsure answers within one document (or the documents named): which document is meant, or
    which of several projects, stays the asker's to say."""
    unsure = outcome.status == "not_found" or (isinstance(outcome, Offered) and outcome.why in ("agree", "compute"))
    return unsure and query.plan in ("lookup", "compute") and bool(query.documents) and (
        query.named or len(query.documents) == 1)


def show(query: Query, outcome: Outcome, meaning: Meaning) -> Shown:
    figures = list(outcome.options) if isinstance(outcome, Offered) else []
    pairs = [(query.document(d.id), s) for d, s in figures]
    for view in query.documents:
        for label, _ in meaning.similar(query.asked, view, count=8):
            pairs += [(view, s) for s in view.statements if s.kind != "narrative" and key(s.subject) == label][:2]
    unique = list({(v.document.id, s.citation): (v, s) for v, s in pairs}.values())[:FIGURES]
    labels = list(dict.fromkeys(key(s.subject) for _, s in unique if s.subject))[:LABELS]
    return Shown(tuple(unique), tuple(labels))


def parse(reply: str, shown: Shown, query: Query) -> Reading | None:
    """The reading in the reply, or None for anything not wholly within what was shown and asked."""
    data = _json_object(reply)
    if data is None:
        return None
    figure, subjects = data.get("figure"), data.get("subjects") or []
    measure, year, operation = data.get("measure") or "", data.get("year"), data.get("operation") or "lookup"
    asked = query.asked.operation
    if figure is not None and not (_whole(figure) and 1 <= figure <= len(shown.figures)):
        return None
    if not isinstance(subjects, list) or not all(isinstance(s, str) and s in shown.labels for s in subjects):
        return None
    if measure not in ("", *MEASURES) or operation not in _READ_AS:
        return None
    if operation != asked:
        return None  # a share asked is never read as a lookup of its operand, nor a lookup as arithmetic
    if year is not None and not (_whole(year) and year in _years(query)):
        return None
    if operation in COMPUTING:
        figure = None  # an operand is never the answer to arithmetic
    enough = 2 if operation in _TWO_SIDED else 1
    if figure is None and len(set(subjects)) < enough:
        return None
    return Reading(None if figure is None else figure - 1, tuple(subjects), measure, year, cast(Operation, operation))


def reread(reading: Reading, query: Query) -> Query:
    """The query the reading describes: the same documents, the printed labels as its words, the
    sub-unit the asker named kept."""
    unit = next((u for v in query.documents if (u := named_unit(query.asked, v))), "")
    subjects = list(reading.subjects)
    words = f"{subjects[0]}占{subjects[1]}的比重" if reading.operation == "share" else "和".join(subjects)
    asked = understand(" ".join(p for p in (unit, words, reading.measure) if p))
    asked = replace(asked, operation=reading.operation, language=query.asked.language,
                    years=[reading.year] if reading.year else query.asked.years, change=False,
                    counter=query.asked.counter, money_unit=query.asked.money_unit)
    return replace(query, asked=asked, plan=plan_of(asked), understood_by="model")


def _years(query: Query) -> set[int]:
    """Years a reading may name: one the documents cover and, when the asker said years, one of those."""
    return query.covered_years & set(query.asked.years) if query.asked.years else query.covered_years


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _json_object(reply: str) -> dict[str, Any] | None:
    match = re.search(r"\{.*\}", reply, re.DOTALL)
    if not match:
        return None
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def _described(s: Statement) -> str:
    """One shown figure: what it is the figure of, its value (totals and parts tell apart by it), where."""
    c = s.citation
    what = " / ".join(p for p in (c.entity, c.row or s.subject, c.column) if p)
    return f"{what} = {s.value:g} {s.unit} — {c.table or c.section or c.document_title}, page {c.page}"

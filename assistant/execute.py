"""Run a ``Query`` over the documents it names: find the cited figures that answer it and do the
arithmetic it asks for. The result is an ``Outcome`` (see ``types``) — figures, not words."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from assistant import arithmetic, resolve
from assistant.conflicts import conflicts_for
from assistant.coverage import uncovered
from assistant.knowledge import DocumentView
from assistant.match import Scored, subject_key
from assistant.meaning import Meaning
from assistant.narrative import quotes
from assistant.prior import previous_year
from assistant.query import Query
from assistant.retrieve import Hit
from assistant.types import (
    Calculated,
    Computed,
    EachCalculated,
    EachDocument,
    Found,
    NotFound,
    Offered,
    Outcome,
    Projects,
    Quoted,
    Statement,
)
from assistant.understand import Question

_EACH = re.compile(r"分别|各部门|各个部门|每个部门|各单位|哪个|哪一|哪家|each|every|all (?:the )?departments|respectively",
                   re.IGNORECASE)
_LEAST = re.compile(r"最少|最低|least|lowest|smallest|fewest", re.IGNORECASE)


class Executor:
    def __init__(self, meaning: Meaning) -> None:
        self.meaning = meaning

    def run(self, query: Query, hits: list[Hit]) -> Outcome:
        if query.plan == "needs_subject":
            return NotFound(needs_subject=True)
        if not query.documents:
            return _not_found(query)
        if query.plan == "projects":
            listed = _projects(query)
            if listed is not None:
                return listed
        if query.plan == "quote" or (query.plan == "projects" and query.asked.operation == "list"):
            return _quote(query, hits)
        if query.plan == "compute":
            result = self._computed(query, hits)
            if result is not None:
                return result
        return self._looked_up(query, hits)

    def _computed(self, query: Query, hits: list[Hit]) -> Outcome | None:
        """A share, difference or sum is computed or not given: an operand is never the answer.
        Only a sum of one named thing ("本年收入合计是多少") is a printed total, looked up (None)."""
        # several documents named are operands of one sum or difference; one name fitting several is not
        across = _compute_across(query, hits) if query.named and not query.among and len(query.documents) > 1 else None
        result = across or _compute(query, hits)
        if result is not None:
            return result
        asked = query.asked
        if asked.operation != "sum" or any(len(resolve.pieces(asked, v)) > 1 for v in query.documents):
            return self._candidates(query, list(query.documents), hits, "compute")
        return None

    def _looked_up(self, query: Query, hits: list[Hit]) -> Outcome:
        views, question = list(query.documents), query.asked
        found = {v.document.id: resolve.best(query.asked_of(v), v, hits) for v in views}
        with_matches = [v for v in views if found[v.document.id] and found[v.document.id][0].subject >= 1.0]
        each = query.named or bool(_EACH.search(question.text))  # several named, or "each/分别": one figure apiece
        if question.operation == "compare" or (len(with_matches) > 1 and each):
            return _across(query, with_matches, found)
        if not query.named and len(with_matches) > 1:
            return self._candidates(query, with_matches, hits, "documents")
        best_view = max(views, key=lambda v: found[v.document.id][0].total if found[v.document.id] else -1)
        if not found[best_view.document.id]:
            derived = next(((v, r) for v in views if (r := previous_year(question, v, hits))), None)
            if derived is not None:  # last year's figure, from this year's and the change stated beside it
                view, result = derived
                return Calculated(result, (view.document,), "previous")
            return self._candidates(query, views, hits, "agree")
        ranked = found[best_view.document.id]
        if _several_projects(ranked):
            return self._candidates(query, [best_view], hits, "projects", [s.statement for s in ranked])
        return found_in(best_view, ranked)

    def _candidates(self, query: Query, views: list[DocumentView], hits: list[Hit], why: str,
                    offered: list[Statement] | None = None) -> Outcome:
        """Close figures to pick from when none is certain; not found when there are none."""
        question = query.asked
        sure = resolve.surely_meant(question, views[0], self.meaning) if why == "agree" and len(views) == 1 else None
        if sure is not None:  # the words left something uncovered, but the meaning names one label surely
            return found_in(views[0], [Scored(sure, sure.score, 1.0, 1.0, 0.0)])
        options = ([(views[0], s) for s in offered[:5]] if offered else
                   [(v, s.statement) for v in views for s in resolve.near(question, v, hits)])
        if not options:  # nothing named in so many words: what the question means, offered
            options = [(v, s.statement) for v in views for s in resolve.by_meaning(question, v, self.meaning)]
        options.sort(key=lambda pair: -pair[1].score)
        options = options[:5]
        if not options:
            return _not_found(query, views)
        return Offered(tuple((v.document, s) for v, s in options), why)


def found_in(view: DocumentView, ranked: list[Scored]) -> Found:
    """The best figure, the same figure printed elsewhere, and any figure the document states against it."""
    best, conflicts = conflicts_for(view, ranked[0].statement)
    stated: list[Statement] = []
    if best.kind == "narrative":  # the quoted sentence's other figures are the document's own
        stated = [s for s in view.statements if s.kind == "narrative" and s.citation.text == best.citation.text]
    return Found(view.document, best, tuple(_also(best, [s.statement for s in ranked])), tuple(conflicts), tuple(stated))


def _also(best: Statement, ranked: list[Statement]) -> list[Statement]:
    key, leaf = subject_key(best.subject), (best.citation.column or "").split(" / ")[-1]
    same = [
        s for s in ranked
        if s is not best and s.kind != "narrative" and s.ref != best.ref and subject_key(s.subject) == key
        and (s.citation.column or "").split(" / ")[-1] == leaf and abs(s.value - best.value) < 1e-9
    ]
    return same[:3]


def _compute_across(query: Query, hits: list[Hit]) -> Calculated | None:
    """"A和B的X加起来", "A比B的X多多少": each operand is X in its own document, in the order named."""
    question = query.asked
    if question.operation not in ("sum", "difference", "compare"):
        return None
    order = sorted(query.documents,
                   key=lambda v: min((question.text.find(a) for a in v.aliases if a in question.text), default=99))
    operands = []
    for view in order:
        found = resolve.best(replace(query.asked_of(view), operation="lookup"), view, hits, tables_only=True)
        if not found:
            return None
        operands.append(found[0].statement)
    if question.operation == "sum":
        return Calculated(arithmetic.total(operands), tuple(v.document for v in order), "sum", across=True)
    if question.operation == "compare":  # "哪个多，多多少": the larger less the smaller
        operands.sort(key=lambda s: -(s.value_yuan or s.value))
        order = [next(v for v in order if v.document.id == s.citation.document) for s in operands]
    result = arithmetic.difference(operands[0], operands[1])
    return Calculated(result, tuple(v.document for v in order), question.operation, across=True)


def _compute(query: Query, hits: list[Hit]) -> Outcome | None:
    results = [(v, r) for v in query.documents if (r := _arithmetic(query.asked, v, hits))]
    if not results:
        return None
    if (not query.named or query.among) and len(results) > 1:
        return EachCalculated(tuple((v.document, r) for v, r in results), query.asked.operation)
    view, result = results[0]
    return Calculated(result, (view.document,), query.asked.operation)


def _arithmetic(question: Question, view: DocumentView, hits: list[Hit]) -> Computed | None:
    result: Computed | None = None
    if question.operation == "share":
        pair = resolve.share_operands(question, view, hits)
        result = arithmetic.share(*pair) if pair else None
    else:
        parts = resolve.operands(question, view, hits)
        if len(parts) >= 2:
            first, second = parts[0], parts[1]
            operations: dict[str, Callable[[], Computed | None]] = {
                "difference": lambda: arithmetic.difference(first, second),
                "sum": lambda: arithmetic.total(parts),
                "ratio": lambda: arithmetic.ratio(first, second),
                "growth": lambda: arithmetic.growth(first, second),
            }
            result = operations[question.operation]()
    if result is None or uncovered(question, list(result.operands), view):
        return None
    return result


def _across(query: Query, views: list[DocumentView], ranked: dict[str, list[Scored]]) -> Outcome:
    rows = [(v.document, ranked[v.document.id][0].statement) for v in views if ranked[v.document.id]]
    if not rows:
        return _not_found(query, views)
    if query.asked.operation != "compare":
        return EachDocument(tuple(rows))
    least = bool(_LEAST.search(query.asked.text))
    pick = min if least else max
    winner = pick(rows, key=lambda row: row[1].value_yuan if row[1].value_yuan is not None else row[1].value)
    return EachDocument(tuple(rows), winner[0], least)


def _projects(query: Query) -> Projects | None:
    """Which projects (and how many): one line per performance-target table, with its budget."""
    budgets = [s for v in query.documents for s in v.statements
               if s.kind == "项目绩效目标表" and s.citation.column == "预算数"]
    if not budgets:
        return None  # no performance-target tables: the narrative may still say it
    count = Computed(float(len(budgets)), "个", 0, f"count of {len(budgets)} performance-target tables", tuple(budgets))
    return Projects(count, tuple(budgets), counting=query.asked.operation == "count")


def _quote(query: Query, hits: list[Hit]) -> Outcome:
    """Why / what for / which: the document's own words, quoted with section and page."""
    sentences, flagged = quotes(query.asked, list(query.documents), hits)
    return Quoted(tuple(sentences), tuple(flagged)) if sentences or flagged else _not_found(query)


def _not_found(query: Query, views: list[DocumentView] | None = None) -> NotFound:
    return NotFound(tuple(v.document.department for v in (query.documents if views is None else views)))


def _several_projects(ranked: list[Scored]) -> bool:
    """The best figure is one project's target and other projects state one of that name too, with
    another value, while the question names no project: which is meant is the asker's to say."""
    best = ranked[0]
    if best.statement.kind != "项目绩效目标表" or best.context:
        return False
    name = _indicator_core(best.statement.subject)
    return any(s.statement.kind == best.statement.kind and s.statement.ref != best.statement.ref
               and _indicator_core(s.statement.subject) == name and s.statement.value != best.statement.value
               for s in ranked[1:])


def _indicator_core(name: str) -> str:
    """"补贴企业数" and "补贴企业数量" are one indicator."""
    return re.sub(r"(数量|数)$", "", subject_key(name))

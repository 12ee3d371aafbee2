"""From scored candidates to the statements an answer uses: the best covered figure, the two
sides of a comparison, the part and the whole of a share."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.agreement import disagreement, pinned_elsewhere
from assistant.coverage import uncovered
from assistant.knowledge import DocumentView
from assistant.match import Scored, candidates, subject_key
from assistant.retrieve import Hit
from assistant.types import Statement
from assistant.understand import Question, understand

RETRIEVAL_BONUS = 0.5  # breaks near-ties in favour of a retrieved table or section; never outweighs the subject
SHORTLIST = 15  # candidates tried, best first, before saying not found
TOTAL_ROWS = ("合计", "总计", "本年支出合计", "本年收入合计")
_SEPARATORS = r"和|与|及|跟|同|、|比|减去|加上|\bversus\b|\bvs\.?|\band\b|\bthan\b|\bminus\b|\bplus\b"


def ranked(question: Question, view: DocumentView, hits: list[Hit]) -> list[Scored]:
    found = {(h.chunk.split(":")[0], h.chunk.split(":")[1]) for h in hits}
    key = view.document.id[:16]

    def boosted(s: Scored) -> float:
        return s.total + (RETRIEVAL_BONUS if (key, s.statement.ref) in found else 0.0)

    scored = candidates(question, view)
    if question.change:
        scored = [s for s in scored if s.statement.kind == "narrative"]  # tables state this year only
    elif not any(s.subject >= 1.0 and s.statement.kind != "narrative" for s in scored) and question.measures:
        # "What share of spending is project spending?": the measure names a column, the
        # subject is the table's total row.
        implicit = replace(question, text=question.text + " 合计")
        totals = [s for s in candidates(implicit, view) if (s.statement.citation.row or "") in TOTAL_ROWS]
        scored = totals + scored if totals and totals[0].column >= 1.0 else scored
    if question.counter:
        scored = [s for s in scored if s.statement.unit.endswith(question.counter)]
    return sorted(scored, key=lambda s: -boosted(s))


def covered(question: Question, view: DocumentView, scored: list[Scored]) -> list[Scored]:
    """The shortlist, keeping only figures that answer all the question names and agree with
    what it pins down — organisation, year, side (best first)."""
    return [
        s for s in scored[:SHORTLIST]
        if not uncovered(question, [s.statement], view) and not disagreement(question, s.statement, view)
    ]


def near(question: Question, view: DocumentView, hits: list[Hit], count: int = 5) -> list[Scored]:
    """The best figures that name the subject but were not sure enough to answer: candidates. A
    figure of another year or organisation than the one asked is no candidate: it is not close."""
    seen: set[tuple[str | None, str | None, str | None, int]] = set()
    found = []
    for s in ranked(question, view, hits):
        c = s.statement.citation
        place = (c.table_id or c.section, c.row or c.text, c.column, c.page)
        if s.subject >= 1.0 and place not in seen and not pinned_elsewhere(question, s.statement, view):
            seen.add(place)
            found.append(s)
    return found[:count]


def best(question: Question, view: DocumentView, hits: list[Hit], tables_only: bool = False) -> list[Scored]:
    scored = ranked(question, view, hits)
    if tables_only:
        scored = [s for s in scored if s.statement.kind != "narrative"]
    return covered(question, view, scored)


def pieces(question: Question, view: DocumentView) -> list[str]:
    """The question split at 和/比/与… — but never inside a name the document uses
    ("社会保障和就业支出" stays whole)."""
    text = question.text
    names = {subject_key(s.subject) for s in view.statements if s.kind != "narrative"}
    protected = [m.span() for name in names if len(name) >= 3 for m in re.finditer(re.escape(name), text)]
    separators = _SEPARATORS + (r"|是(?=.{1,16}的?几倍)" if question.operation == "ratio" else "")
    cuts = [m for m in re.finditer(separators, text, re.IGNORECASE)
            if not any(a <= m.start() < b for a, b in protected)]
    parts, start = [], 0
    for cut in cuts:
        parts.append(text[start : cut.start()])
        start = cut.end()
    parts.append(text[start:])
    return [p for p in parts if len(re.sub(r"\W", "", p)) >= 2]


def operands(question: Question, view: DocumentView, hits: list[Hit]) -> list[Statement]:
    """One statement per named thing: "人员经费比公用经费多多少" → 人员经费, 公用经费."""
    found: list[Statement] = []
    for piece in pieces(question, view):
        parsed = understand(piece)
        sub = replace(parsed, measures=parsed.measures or question.measures, change=False, operation="lookup")
        scored = best(sub, view, hits, tables_only=True)
        if scored and scored[0].statement not in found:
            found.append(scored[0].statement)
    return found


_CONTAINER = re.compile(r"^(?P<whole>.+?)(?:里面|当中|之中|[里中])[，,](?P<part>.+)$")


def share_operands(question: Question, view: DocumentView, hits: list[Hit]) -> tuple[Statement, Statement] | None:
    """"A占B的比重": A, and B when named ("B里，A占多少" too), else the total A is part of."""
    before, _, after = question.text.partition("占")
    container = _CONTAINER.match(before)
    if container:
        before, after = container["part"], container["whole"]
    part_question = replace(understand(before or question.text), operation="lookup")
    scored = best(part_question, view, hits, tables_only=True)
    if not scored:
        return None
    part = scored[0].statement
    whole_text = re.sub(r"的?(比重|比例|百分比|多少|是|占比|几成|%|？|\?)", "", after)
    if len(whole_text.strip()) >= 2 and not re.fullmatch(r"\s*(总|全部|合计|总额)?(支出|收入)?\s*", whole_text):
        named = best(replace(understand(whole_text), operation="lookup"), view, hits, tables_only=True)
        named = [s for s in named if s.statement.ref == part.ref and s.statement.citation != part.citation]
        if named:
            return part, named[0].statement
        if container:
            return None  # the whole the question names was not found: never another one
    whole = whole_of(view, part)
    return (part, whole) if whole else None


def whole_of(view: DocumentView, part: Statement) -> Statement | None:
    """The total a part is a share of: the total column of its row, else the total row of its column."""
    same_table = [s for s in view.statements if s.ref == part.ref and s.kind == part.kind and s is not part]
    leaf = (part.citation.column or "").split(" / ")[-1]
    if leaf not in TOTAL_ROWS:
        total = [s for s in same_table if s.row_key == part.row_key and (s.citation.column or "").split(" / ")[-1] in TOTAL_ROWS]
        if total:
            return total[0]
    column = [s for s in same_table if s.citation.column == part.citation.column and (s.citation.row or "") in TOTAL_ROWS]
    return column[0] if column else None

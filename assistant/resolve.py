"""From scored candidates to the statements an answer uses: the best covered figure, the two
sides of a comparison, the part and the whole of a share."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.agreement import disagreement, pinned_elsewhere
from assistant.coverage import names_something, uncovered
from assistant.knowledge import DocumentView
from assistant.match import Scored, candidates, subject_key
from assistant.meaning import MARGIN, SIMILAR, SURE, Meaning, subject_phrase
from assistant.retrieve import Hit
from assistant.types import Statement
from assistant.understand import ANY_COUNT, Question, named_kinds, understand
from index.text import MONEY_FACTORS, key

RETRIEVAL_BONUS = 0.5  # breaks near-ties in favour of a retrieved table or section; never outweighs the subject
SHORTLIST = 15  # candidates tried, best first, before saying not found
AGREEING = 300  # checked for agreement first: a named unit's figures may rank below the department's
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
    scored = [s for s in scored if fits(question, s.statement)]
    # "according to the explanatory notes": the document's sentences first
    return sorted(scored, key=lambda s: (question.from_text and s.statement.kind != "narrative", -boosted(s)))


def fits(question: Question, statement: Statement) -> bool:
    """The figure is of the kind asked: a count is never money, nor a rate or target share;
    "给退役军人的钱" is no head count; "几辆" counts 辆."""
    money = statement.unit in MONEY_FACTORS
    if question.counter:
        return not money if question.counter == ANY_COUNT else statement.unit.endswith(question.counter)
    if question.operation == "lookup" and _RATE.search(question.text):
        return not money
    if question.operation == "lookup" and _ASKS_MONEY.search(question.text):
        return money
    return True


def covered(question: Question, view: DocumentView, scored: list[Scored]) -> list[Scored]:
    """The shortlist, keeping only figures that answer all the question names and agree with
    what it pins down — organisation, year, side (best first)."""
    agreeing = [s for s in scored[:AGREEING] if not disagreement(question, s.statement, view)]
    return [s for s in agreeing[:SHORTLIST] if not uncovered(question, [s.statement], view)]


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


def by_meaning(question: Question, view: DocumentView, meaning: Meaning) -> list[Scored]:
    """Figures of the labels nearest the question's meaning (above ``SIMILAR``), best column first:
    offered as candidates (their subject score stays below a named subject's)."""
    found: list[Scored] = []
    phrase = subject_phrase(question, view)
    for label, similarity in meaning.similar(question, view):
        if similarity >= SIMILAR:
            found += _figures_of(question, view, label, similarity, phrase)[:2]
    return found


def surely_meant(question: Question, view: DocumentView, meaning: Meaning) -> Statement | None:
    """The figure of the one label the question's meaning names surely (``SURE``, ``MARGIN`` over
    the next label) when that label has one figure for what was asked — never a pick among its
    columns or rows with different values."""
    nearest = meaning.similar(question, view, count=2)
    if not nearest or nearest[0][1] < SURE or (len(nearest) > 1 and nearest[0][1] - nearest[1][1] < MARGIN):
        return None
    label, similarity = nearest[0]
    figures = [s for s in _figures_of(question, view, label, similarity, subject_phrase(question, view))
               if fits(question, s.statement)]
    measured = [s for s in figures if s.column >= 1.0] or figures  # the measure asked, when one is said
    if not measured or len({s.statement.value for s in measured}) > 1:
        return None
    return measured[0].statement


def _figures_of(question: Question, view: DocumentView, label: str, similarity: float, phrase: str) -> list[Scored]:
    """A label's figures, best column first, of the kind and organisation asked."""
    money = not question.counter and bool(_MONEY_WORDS.search(question.text))  # "广告宣传费" is no count of 宣传报道
    asked = replace(question, text=f"{label} {phrase}", terms=[])
    figures = [s for s in candidates(asked, view) if key(s.statement.subject) == label
               and not pinned_elsewhere(question, s.statement, view)
               and (s.statement.unit in MONEY_FACTORS or not money)]
    return [replace(s, subject=similarity, statement=replace(s.statement, score=similarity)) for s in figures]


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
    names |= {view.document.department, *view.aliases}  # "规划和自然资源局" is one name, not two
    protected = [m.span() for name in names if len(name) >= 3 for m in re.finditer(re.escape(name), text)]
    separators = _SEPARATORS + (r"|是(?=.{1,16}的?几倍)" if question.operation == "ratio" else "")
    cuts = [m for m in re.finditer(separators, text, re.IGNORECASE)
            if not any(a <= m.start() < b for a, b in protected)]
    parts, start = [], 0
    for cut in cuts:
        parts.append(text[start : cut.start()])
        start = cut.end()
    parts.append(text[start:])
    return [p for p in parts if len(re.sub(r"\W", "", p)) >= 2 and names_something(p, view)]


def operands(question: Question, view: DocumentView, hits: list[Hit]) -> list[Statement]:
    """One statement per named thing: "人员经费比公用经费多多少" → 人员经费, 公用经费."""
    found: list[Statement] = []
    named = pieces(question, view)
    # "A、B和C的收入预算加起来": what the last piece says of them all (收入) is said of each
    said_of_all = " ".join(dict.fromkeys(_SIDE_WORDS.findall(named[-1]))) if named else ""
    for piece in named:
        parsed = understand(piece if _SIDE_WORDS.search(piece) else f"{piece} {said_of_all}")
        sub = replace(parsed, measures=parsed.measures or question.measures, change=False, operation="lookup")
        scored = best(sub, view, hits, tables_only=True)
        if scored and scored[0].statement not in found:
            found.append(scored[0].statement)
    return found


_RATE = re.compile(r"满意率|满意度|[^效税利汇]率(?:是|为|要|目标|达到)|占比|比例|百分之|百分比|\bpercent|\brate\b", re.IGNORECASE)
_MONEY_WORDS = re.compile(r"费|资金|经费|钱|[万亿]?元|支出|收入|预算|spend|budget|cost|fund|expense", re.IGNORECASE)
_ASKS_MONEY = re.compile(r"多少钱|钱(?:是|有|一共)?多少|花了?多少|(?:资金|经费|费用?|预算|补贴|补助|奖励|奖补|拨款|工资|津贴)"
                         r"(?:是|有|为|安排了?)?多少|"
                         r"多少(?:补贴|补助|奖励|奖补|资金|经费|拨款|工资)|how much (?:money|did|does|do|is|was|will)\b",
                         re.IGNORECASE)
_SIDE_WORDS = re.compile(r"收入|支出|income|revenue|spending|expenditure", re.IGNORECASE)
_IN_WHOLE = re.compile(r"^(?P<part>.+?)在(?P<whole>.+?)(?:里面|当中|之中|[里中])的?$")
_CONTAINER = re.compile(r"^(?P<whole>.+?)(?:里面|当中|之中|[里中])[，,](?P<part>.+)$")


def share_operands(question: Question, view: DocumentView, hits: list[Hit]) -> tuple[Statement, Statement] | None:
    """"A占B的比重": A, and B when named ("B里，A占多少" too), both from one table and one column
    (or one row); else the total A is part of (never a zero one). "X表中，A占B" names the table."""
    part_text, whole_text, contained = _share_texts(question)

    def asked(text: str) -> Question:
        parsed = understand(text)
        return replace(parsed, operation="lookup", kinds=parsed.kinds or question.kinds)

    parts = best(asked(part_text), view, hits, tables_only=True)
    if question.kinds:  # the table the question names, when it has the part
        parts = [p for p in parts if p.statement.kind in question.kinds] or parts
    if not parts:
        return None
    if whole_text:
        wholes = best(asked(whole_text), view, hits, tables_only=True)
        for named in wholes[:5]:
            same = next((p.statement for p in parts if _same_line(p.statement, named.statement)), None)
            if same is not None:
                return same, named.statement
        if contained:
            return None  # the whole the question names was not found: never another one
    for candidate in parts[:5]:
        whole = whole_of(view, candidate.statement)
        if whole is not None and whole.value:
            return candidate.statement, whole
    return None


_JUST_A_TOTAL = re.compile(r"\s*(总|全部|合计|总额|总数|总计)?(支出|收入)?(总额|合计|总计)?\s*")


def _share_texts(question: Question) -> tuple[str, str, bool]:
    """The part's words, the whole's words ("" when the whole is just "the total") and whether the
    whole was said as a container ("B里，A占多少")."""
    before, _, after = question.text.partition("占")
    inside = _IN_WHOLE.match(before)  # "A在B中占比多少"
    if inside and not named_kinds(inside["whole"]):
        return inside["part"], inside["whole"], True
    container = _CONTAINER.match(before)
    if container and named_kinds(container["whole"]):
        before, container = container["part"], None  # the table both come from, not the whole
    elif container:
        before, after = container["part"], container["whole"]
    whole = re.sub(r"的?(比重|比例|百分比|多少|是|占比|几成|%|？|\?)", "", after)
    for kind in question.kinds:  # "政府采购总额" in the 政府采购 table is its total
        whole = whole.replace(kind, "")
    if len(whole.strip()) < 2 or _JUST_A_TOTAL.fullmatch(whole):
        whole = ""
    return before or question.text, whole, bool(container)


def _same_line(part: Statement, whole: Statement) -> bool:
    """A part and its whole read from one table along one column or one row, never across."""
    return part.ref == whole.ref and part.citation != whole.citation and (
        part.citation.column == whole.citation.column or part.row_key == whole.row_key)


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

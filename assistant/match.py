"""Which stated figure answers the question: subjects against row labels, codes and projects,
measures against column paths, and the table kind that defines the figure.

Scores are plain sums of a few named parts so a wrong pick can be explained:
``subject`` (is this the thing asked about), ``column`` (is this the measure asked for),
``kind`` (is this the table that defines such a figure) and ``context`` (does the question
name this table or project).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from functools import lru_cache

import jieba
from rapidfuzz import fuzz

from assistant.glossary import expand, names
from assistant.knowledge import DocumentView, Narrative
from assistant.types import Statement
from assistant.understand import MEASURES, Question

SUBJECT_THRESHOLD = 0.75
_ITEM_SUFFIX = re.compile(r"(费用|费|支出|经费)$")


def item_stem(name: str) -> str:
    """"因公出国（境）费" and "因公出国（境）支出" are one item printed two ways: "因公出国（境）"."""
    stem = _ITEM_SUFFIX.sub("", name)
    return stem if len(stem) >= 4 else name
_TOTAL_COLUMNS = {"合计", "本年支出合计", "本年收入合计", "小计", "金额", "总计", "支出合计"}
# Words too general to name a thing: group headers of side-by-side tables, table furniture.
FURNITURE = {"收入", "支出", "项目", "金额", "科目名称", "本年", "上年", "预算", "决算", "经费", "资金", "部门", "费用"}
GENERIC = FURNITURE | set(MEASURES) | _TOTAL_COLUMNS
_THREE_PUBLIC = ("三公", "因公出国", "公务用车", "公务接待")
_GRAND_TOTALS = {"合计", "总计", "收入总计", "支出总计", "收支总计"}
_QUESTION_WORDS = re.compile(
    r"是多少|有多少|多少钱|多少|几何|是什么|什么|哪些|请问|一下|花了|吗|呢|[？?。，,！!\s]|"
    r"\b(how|much|many|what|was|were|is|are|the|of|for|to|in|on|did|does|do|a|an|by|its|their|and|allocated|spent)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Scored:
    statement: Statement
    subject: float
    column: float
    kind: float
    context: float

    @property
    def total(self) -> float:
        return 10 * self.subject + 3 * self.column + 2 * self.kind + 2 * self.context


@lru_cache(maxsize=65536)
def subject_key(label: str) -> str:
    """A label as a question would say it: no numbering, no 其中, no year, no (类)/(款)/(项)."""
    text = re.sub(r"[\s“”\"'‘’「」的]", "", label)
    text = re.sub(r"^(其中[:：]?|\d+[．.、]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）])+", "", text)
    text = re.sub(r"^20\d{2}年度?", "", text)
    text = re.sub(r"[（(][类款项][)）]", "", text)
    return re.sub(r"绩效目标表$", "", text)


def label_match(label: str, said: str, expanded: str = "") -> float:
    """How surely the question names this label.

    Said in the question's own words: 1 (longer labels a little more); only through the
    glossary: a little less; "人员经费" for the row "人员经费合计": less again; a near miss
    ("防疫物资" for "防疫物资保障"): a fuzzy share below that.
    """
    key = subject_key(label)
    if len(key) < 2:
        return 0.0
    bonus = 0.02 * min(len(key), 20)
    if key in said:
        return 1.0 + bonus
    if expanded and key in expanded:
        return 0.97 + bonus
    stem = item_stem(key)
    if stem != key and re.search(re.escape(stem) + r"(费用|费|支出|经费)", f"{said} {expanded}"):
        return 0.96 + bonus  # "因公出国（境）支出" printed, "因公出国（境）费" said: one item, two printings
    core = re.sub(r"(合计|小计|总计)$", "", key)
    if len(core) >= 2 and core not in FURNITURE and core != key and (core in said or (expanded and core in expanded)):
        return 0.95 + bonus
    if any(len(run) >= 4 and run not in GENERIC and key.endswith(run) for run in _runs(said, expanded)):
        return 0.9  # "三公经费" for "财政拨款三公经费": the label only qualifies what was asked
    words = label_words(key)
    if len(words) >= 2 and all(w in said or (expanded and w in expanded) for w in words):
        return 0.9  # every word of "采购口罩的数量" is in "计划采购多少口罩"
    if len(key) >= 4:
        ratio = fuzz.partial_ratio(key, said) / 100
        if ratio >= 0.85:
            return ratio * 0.9
    return 0.0


def _runs(said: str, expanded: str) -> list[str]:
    return re.findall(r"[\u4e00-\u9fff]{4,}", re.sub(r"[“”\"'‘’「」]", "", said + " " + expanded))


_LABEL_FILLER = {"数量", "情况", "指标", "完成", "工作", "相关", "及", "和", "与", "其他", "支出", "费用", "经费", "资金", "项目"}


@lru_cache(maxsize=65536)
def label_words(key: str) -> tuple[str, ...]:
    """The content words of a label (jieba), without words every label has."""
    return tuple(w for w in jieba.cut(key) if len(w) >= 2 and w not in _LABEL_FILLER)


def said(question: Question) -> str:
    """The question's own words, question words and quotes removed."""
    return _QUESTION_WORDS.sub(" ", re.sub(r"[“”\"'‘’「」的]", "", question.text))


def content(question: Question) -> str:
    """The question's words plus the glossary vocabulary."""
    return " ".join([said(question), *question.terms])


def score_table(question: Question, words: tuple[str, str], statement: Statement, document_kind: str) -> Scored | None:
    citation = statement.citation
    column_parts = [p for p in (citation.column or "").split(" / ") if p]
    subject = label_match(citation.row or "", *words)
    if subject < 1.0 and " " in (citation.row or ""):
        # a row labelled across several columns ("商品和服务支出 会议费 一般会议服务 分散采购"): each names it
        subject = max(subject, *(0.98 * label_match(part, *words) for part in (citation.row or "").split()
                                 if len(part) >= 3 and part not in GENERIC))
    if citation.code and re.search(rf"(?<!\d){citation.code}(?!\d)", question.text):
        subject = max(subject, 1.5)
    named_by_column = [p for p in column_parts if p not in GENERIC]
    item = max((label_match(p, *words) for p in named_by_column), default=0.0)
    if item > subject and (not citation.row or citation.row in ("合计", "小计") or item >= 1.0):
        subject = item  # the thing is named by the column (三公 tables print items as columns)
    if subject < SUBJECT_THRESHOLD:
        return None
    title = subject_key(citation.table or "")
    named = title and common_run(title, question.text) >= max(6, len(title) // 2)
    # A project's own budget row is named by the title; the title is context only for what is inside it.
    context = 1.0 if named and subject_key(statement.subject) != title else 0.0
    return Scored(statement, subject, _column_score(question, column_parts, statement, document_kind),
                  _kind_score(question, statement), context)


@lru_cache(maxsize=65536)
def common_run(a: str, b: str) -> int:
    """Length of the longest run of characters the two share."""
    return int(SequenceMatcher(None, a, b, autojunk=False).find_longest_match().size)


def _column_score(question: Question, parts: list[str], statement: Statement, document_kind: str) -> float:
    path = "/".join(parts)
    # Measure words that are part of the row's name or its table's title name those, not a column.
    named = (statement.citation.row or "") + subject_key(statement.citation.table or "")
    implied = "预算数" if document_kind == "预算" else "决算数"  # every figure of a budget is a 预算数
    requested = [m for m in question.measures if m not in named and m != implied
                 and not inside_row_name(m, statement.citation.row or "", question.text)]
    if subject_key(statement.citation.row or "") in _GRAND_TOTALS:
        requested = [m for m in requested if m not in ("合计", "总计", "小计")]  # "total" said of the total row
    if requested:
        hits = sum(1 for m in requested if m in path or (m in ("合计", "总计") and parts and parts[-1] in _TOTAL_COLUMNS))
        return hits / len(requested)
    if statement.kind == "项目绩效目标表":
        return 1.0 if path in ("预算数", "指标值") else 0.3
    leaf = parts[-1] if parts else ""
    leaf = re.sub(r"^本年", "", leaf) + ("数" if leaf.endswith(("预算", "决算")) else "")  # "本年预算" is the 预算数
    if leaf in ("预算数", "决算数"):
        wanted = "决算数" if document_kind == "决算" else "预算数"
        return 1.0 if leaf == wanted else 0.4
    return 1.0 if leaf in _TOTAL_COLUMNS or leaf == "金额" else 0.2


def inside_row_name(measure: str, row: str, text: str) -> bool:
    """"科技重大项目支出": 项目支出 there is the row's name and a 支出, not the 项目支出 column."""
    name = subject_key(row)
    at, found = text.find(name), text.find(measure)
    return len(name) >= 2 and at >= 0 and found >= 0 and found < at + len(name) and at < found + len(measure)


def _kind_score(question: Question, statement: Statement) -> float:
    text, kind = question.search_text, statement.kind
    if question.change:
        return 0.0  # tables state this year only; changes are in the narrative
    if question.kinds:
        return 1.0 if kind in question.kinds else 0.1  # the table the asker names ("…in its 收支总表")
    if any(word in text for word in _THREE_PUBLIC) or any(w in (statement.subject or "") for w in _THREE_PUBLIC):
        return 1.0 if kind == "三公经费" else 0.2
    if subject_key(statement.subject) in _GRAND_TOTALS and not question.kinds:
        # "the total budget": a department's total is its 收支总表's, not a project list's 合计
        return {"收支总表": 1.0, "支出表": 0.9, "收入表": 0.9, "财政拨款收支总表": 0.6}.get(kind, 0.2)
    if kind == "项目绩效目标表":
        return 0.9
    code = statement.citation.code or ""
    if code.startswith(("30", "31")):
        return 0.8 if kind == "一般公共预算基本支出表" else 0.3
    fiscal = "财政拨款" in text or "一般公共预算" in text
    preferences = {
        "支出表": 0.3 if fiscal else 0.7, "收入表": 0.65 if "收入" in text else 0.35,
        "收支总表": 0.6, "一般公共预算财政拨款支出表": 0.75 if fiscal else 0.45,
        "财政拨款收支总表": 0.7 if fiscal else 0.4, "一般公共预算基本支出表": 0.5,
    }
    return preferences.get(kind, 0.3)


def score_narrative(question: Question, subjects: list[str], narrative: Narrative, statement: Statement) -> Scored | None:
    clause = re.split(r"[，,；;。]", narrative.subject)[-1]
    best = 0.0
    for subject in subjects:
        if subject in clause:
            best = max(best, 1.0 + 0.02 * min(len(subject), 20))
        elif subject in narrative.subject:
            best = max(best, 0.8)
        elif len(subject) >= 4 and common_run(subject, clause) >= 4:
            best = max(best, 0.9)  # "预算收支" of "2024年预算收支较2023年…" in "较2023年预算增加"'s sentence
        elif len(subject) >= 4 and common_run(subject, narrative.subject) >= 4:
            best = max(best, 0.78)
        elif subject in _item_head(narrative.context):
            best = max(best, 0.85)  # "行政运行" named by the item "1、…行政运行（项）。…年初预算为…"
    if best < SUBJECT_THRESHOLD:
        return None
    best += 0.2 * _bigram_coverage(said(question), narrative.context + narrative.subject)  # "全年预算" beats "年初预算"
    if (statement.unit == "%") != bool(_WANTS_PERCENT.search(question.text)):
        best *= 0.5  # "增加了多少" asks for the amount, "增长了百分之几" for the rate
    if statement.unit not in ("万元", "元", "亿元", "%") and not question.counter:
        best *= 0.7  # a count answers "几个", not "多少金额"
    agrees = narrative.change == question.change
    kind = 1.0 if question.change and narrative.change else 0.1
    return Scored(statement, best if agrees else best * 0.3, 0.5, kind, 0.0)


def _item_head(context: str) -> str:
    """What a numbered item is about: its first clause, not what it lists as 主要用于…."""
    return re.split(r"[，,；;。]|主要用于|用于", context, maxsplit=1)[0]


_WANTS_PERCENT = re.compile(r"%|百分|比例|比重|率|percent|rate", re.IGNORECASE)


def _bigram_coverage(question: str, text: str) -> float:
    grams = {run[i : i + 2] for run in re.findall(r"[\u4e00-\u9fff]{2,}", question) for i in range(len(run) - 1)}
    return sum(1 for g in grams if g in text) / len(grams) if grams else 0.0


def without_department(question: Question, view: DocumentView) -> Question:
    """The question with the department's names taken out: they route, they are not a subject."""
    department = view.document.department
    text = question.text
    # a unit's name is a subject, whole: "无锡市统计普查中心" must not lose its 无锡市 with the department's
    units = [re.escape(u).replace("本级", "[（(]?本级[)）]?") for u in sorted(view.units, key=len, reverse=True)]
    kept = re.findall("|".join(units), text) if units else []
    for number, unit in enumerate(kept):
        text = text.replace(unit, f"\x00{number}\x00", 1)
    for alias in sorted(view.aliases, key=len, reverse=True):
        text = text.replace(alias, " ")
    for entry in expand(text).entries:
        if any(term in department for term in entry.terms):
            text = re.sub(re.escape(entry.alias), " ", text, flags=re.IGNORECASE)
    for number, unit in enumerate(kept):
        text = text.replace(f"\x00{number}\x00", unit)
    organisations = _organisation_names()
    return replace(question, text=text, terms=[t for t in question.terms if t not in department and t not in organisations])


@lru_cache(maxsize=1)
def _organisation_names() -> frozenset[str]:
    """Departments' and places' names: they route a question, they are never its subject."""
    return frozenset(n.chinese for n in names())


def candidates(question: Question, view: DocumentView) -> list[Scored]:
    """Every statement of one document that names what the question asks about, best first."""
    question = without_department(question, view)
    words = (said(question), content(question))
    scored: list[Scored] = []
    for statement in view.statements:
        if statement.kind == "narrative":
            continue
        found = score_table(question, words, statement, view.document.kind)
        if found:
            scored.append(found)
    subjects = question_subjects(question, scored)
    # narrative statements follow the view's narrative one for one ("机关运行经费支出10.23万元，比上年
    # 增加10.23万元": one value twice, a figure and a change)
    said_figures = [s for s in view.statements if s.kind == "narrative"]
    for statement, narrative in zip(said_figures, view.narrative, strict=True):
        if narrative.change and not question.change:
            continue  # "比2025年增加2943.64万元" is a change, never the figure itself ("工资是多少")
        found = score_narrative(question, subjects, narrative, statement)
        if found:
            scored.append(found)
    scored.sort(key=lambda s: -s.total)
    return [replace(s, statement=replace(s.statement, score=s.total)) for s in scored]


def question_subjects(question: Question, scored: list[Scored]) -> list[str]:
    """What the question is about, as the documents say it: matched labels, glossary terms, measures."""
    subjects = [subject_key(s.statement.subject) for s in scored if s.subject >= 1.0]
    subjects += [subject_key(t) for t in question.terms]
    subjects += [m for m in question.measures if m in ("基本支出", "项目支出", "人员经费", "公用经费")]
    runs = re.findall(r"[\u4e00-\u9fff]{2,}", said(question))
    subjects += [run for run in runs if len(run) <= 24]
    kept = [s for s in dict.fromkeys(subjects) if len(s) >= 2 and s not in GENERIC]
    # "收入是多少": the side itself is the subject when nothing more specific is asked
    return kept or [side for side in ("收入", "支出") if side in runs]

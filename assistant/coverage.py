"""Does a figure answer everything the question asks about? What is left of the question once
the figure's own names are taken out must be only question words, never a thing.

"财政局的土地出让收入" matched to some 收入 row leaves "土地出让": not this figure, so the
assistant says it did not find one instead of answering something near.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

import jieba

from assistant.glossary import expand, folded
from assistant.knowledge import DocumentView
from assistant.match import inside_row_name, item_stem, subject_key
from assistant.types import Statement
from assistant.understand import MEASURES, Question

# Words a question uses around its subject; never a subject themselves.
_ZH_FILLER = re.compile(
    r"(?:几|多少)(?:辆|台|个|家|人次|人|次|项|类|套|支|平方米|平米)|下属|所属|直属|局属|[一二三四五六七八九十两]个|"
    r"用于|用来|用在|用作|整个|全部|所有|各项|各个|这些|那些|这个|那个|它们|它的|"
    r"是多少|有多少|多少钱|多少|几何|是什么|什么|哪些|请问|一下|安排了?|花了?|用了?|共|一共|总共|合计|加起来|之和|"
    r"分别|各部门|各个部门|三个部门|部门|单位|本部门|我部门|年度|今年|本年|预算|决算|支出|收入|资金|金额|经费|费用|开支|"
    r"开销|钱|元|万元|亿元|指标值?|目标值?|计划|数量|的|了|吗|呢|是|为|有|在|中|其中|项目|情况|给|交|缴|发|今年|"
    r"里|从|对|和|与|及|比|较|占|多|少|最|哪个|哪|个|几|倍|比重|占比|比例|差|大|高|低|上年|去年|多大|总计|总额|总数|总|"
    r"百分之|百分比|百分点|打算|准备|需要|大概|大约|左右"
)
_ALL_FILLER = re.compile(f"(?:{_ZH_FILLER.pattern})+")
_CJK = re.compile(r"[\u4e00-\u9fff]+")
_LONGEST_NAME = 40  # characters: longer labels carry a description after the name
_EN_STOP = {
    "how", "much", "many", "what", "which", "who", "is", "are", "was", "were", "be", "been", "the", "a", "an",
    "of", "for", "to", "in", "on", "at", "by", "did", "does", "do", "its", "their", "it", "this", "that", "these",
    "those", "and", "or", "with", "from", "as", "per", "each", "all", "any", "than", "more", "less", "most",
    "least", "spend", "spent", "spending", "expenditure", "expenditures", "expense", "expenses", "cost", "costs",
    "budget", "budgeted", "allocated", "allocation", "amount", "total", "value", "figure", "department",
    "departments", "bureau", "bureaus", "office", "government", "year", "years", "2024", "2023", "last",
    "previous", "prior", "current", "end", "between", "compare", "across", "show", "tell", "me", "please", "give",
    "number", "numbers", "yuan", "rmb", "cny", "million", "billion", "percent", "percentage", "share", "part",
    "under", "project", "projects", "planned", "plan", "purchase", "buy", "bought", "will", "would", "should",
    "could", "made", "make", "fund", "funds", "money", "what's", "whats", "vs", "versus", "there",
    "here", "has", "have", "had", "official", "largest", "highest", "biggest", "lowest",
    "smallest", "greatest", "maximum", "minimum", "one", "ones", "compared", "decrease",
    "decreased", "increase", "increased", "spends", "gets", "get", "receives", "receive", "received", "budgets",
    "higher", "lower", "greater", "smaller", "bigger", "own", "owns", "owned", "hold", "holds", "held", "unit",
    "according", "table", "tables", "shown", "stated", "listed", "printed", "reported", "document", "report",
    "notes", "explanatory", "overall", "funding", "funded", "headquarters", "itself", "staff", "employees",
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "fees", "fee", "allocate", "earmark", "earmarked", "set", "aside",
    "provide", "provided", "intend", "intended", "expect", "expected",
    "units", "including", "together",
}


_STOP = {folded(word) for word in _EN_STOP}  # compared as questions are read: "expenses" as "expense"


def uncovered(question: Question, statements: list[Statement], view: DocumentView) -> str:
    """What the question names that these statements do not: "" when they answer all of it."""
    department, aliases = view.document.department, view.aliases
    # Every figure of a budget is a 预算数; of final accounts, a 决算数 unless a column says otherwise.
    implied = "预算数" if view.document.kind == "预算" else "决算数"
    names = " ".join([implied, *(_names(s) for s in statements)])
    missing = _missing_measures(_own_measures(question, statements), names)
    if missing:
        return " ".join(missing)
    places = " ".join([department, *aliases])
    text = question.text if question.language == "zh" else folded(question.text)
    for alias in sorted([department, *aliases], key=len, reverse=True):
        text = text.replace(alias, " ")
    expansion = expand(text)
    for alias, terms in ((entry.alias, entry.terms) for entry in expansion.entries):
        named = any(term in names or term in aliases or _names_department(term, places)
                    or (item_stem(term) != term and item_stem(term) in names) for term in terms)
        if alias in names or named or not any(_CJK.search(t) for t in terms):
            text = re.sub(rf"(?<![a-z]){re.escape(alias)}(?![a-z])", " ", text)
    if question.language == "en":
        words = [w for w in re.findall(r"[a-z][a-z'&-]+", text) if w not in _STOP and not w.endswith("'s")]
        return " ".join(w for w in words if len(w) > 2)
    for name in sorted(_name_parts(names), key=len, reverse=True):
        text = text.replace(name, " ")
    text = re.sub(r"20\d{2}\s*年?|\d+", " ", text)
    return "".join(content_words(text))


def names_something(text: str, view: DocumentView) -> bool:
    """Does this piece of a question name a thing, beyond the department, years and question words?
    ("湖州市水利局和下属单位…": the first piece names only the department)."""
    for alias in sorted([view.document.department, *view.aliases], key=len, reverse=True):
        text = text.replace(alias, " ")
    if any(m in text for m in MEASURES if m not in ("合计", "总计", "小计")) or expand(text).terms:
        return True  # "公用经费": a measure or a word of the vocabulary, before filler could cut it up
    text = re.sub(r"20\d{2}\s*年?|\d+|截至|年底|年末", " ", text)
    english = [w for w in re.findall(r"[a-z][a-z'&-]+", folded(text)) if w not in _STOP and len(w) > 2]
    return bool(english) or bool(content_words(text))


def content_words(text: str) -> list[str]:
    """The Chinese words of ``text`` that name something, never a question word or a stray
    character. Dictionary words stay whole ("比赛" is not the filler 比 and a 赛); what jieba's
    dictionary does not know is read character by character, as before."""
    words: list[str] = []
    # question phrases first ("加起来", "多少辆", "是多少"), whole, before jieba could split them
    text = _ZH_FILLER.sub(lambda m: " " if len(m.group()) >= 2 else m.group(), text)
    for run in _CJK.findall(text):
        loose = ""
        for token in jieba.cut(run, HMM=False):
            if len(token) >= 2:
                words += _loose_words(loose)
                loose = ""
                if not _ALL_FILLER.fullmatch(token):
                    words.append(token)
            else:
                loose += token
        words += _loose_words(loose)
    return words


def _loose_words(chars: str) -> list[str]:
    return [run for run in _CJK.findall(_ZH_FILLER.sub(" ", chars)) if len(run) >= 2]


def missing_measures(question: Question, statement: Statement, view: DocumentView) -> list[str]:
    """The measures the question asks for ("预算数") that this figure is not."""
    implied = "预算数" if view.document.kind == "预算" else "决算数"
    return _missing_measures(_own_measures(question, [statement]), " ".join([implied, _names(statement)]))


def _own_measures(question: Question, statements: list[Statement]) -> Question:
    """The measures the question asks of these figures: not "项目支出" of "科技重大项目支出", where
    it is the row's own name and a 支出."""
    kept = [m for m in question.measures
            if not any(inside_row_name(m, s.citation.row or "", question.text) for s in statements)]
    return question if kept == question.measures else replace(question, measures=kept)


def _missing_measures(question: Question, names: str) -> list[str]:
    """A measure asked for ("预算数") must be what the figure is, not just a word in the question.

    Measures the question says itself are all needed; those only the glossary supplied are
    alternatives ("carried over" → 上年结转 or 年初结转和结余): one of them is enough.
    """
    wanted = [m for m in question.measures if m not in ("合计", "总计", "小计")]
    said = [m for m in wanted if m in question.text]
    missing = [m for m in said if m not in names]
    alternatives = [m for m in wanted if m not in said]
    if alternatives and not said and not any(m in names for m in alternatives):
        missing.append(alternatives[0])
    return missing


def _names_department(term: str, places: str) -> bool:
    """"财政局" names the department "上海市普陀区财政局"; "科技" (in its long name) does not."""
    return len(term) >= 3 and term in places and bool(re.search(r"(局|部|委|厅|办|院|中心|所|市|区|县)$", term))


def _names(statement: Statement) -> str:
    c = statement.citation
    # A row labelled by a name and its description ("市级预算项目评审 …全年完成审核目标100亿元…"):
    # the name names the figure; the description's words are not what the figure is of.
    row, subject = _name_only(c.row or ""), _name_only(statement.subject)
    parts = [subject, statement.context, row, c.column or "", c.table or "", c.section or "",
             subject_key(c.table or ""), statement.kind,  # the kind: "收支总表" names 部门收支总体情况表
             c.entity or ""]  # and the unit it is of: "本级"
    if statement.kind == "narrative":  # the sentence, and what its abbreviations stand for (财拨 → 财政拨款)
        parts += [c.text, *_stands_for(c.text)]
    return " ".join(parts)


@lru_cache(maxsize=8192)
def _stands_for(sentence: str) -> tuple[str, ...]:
    """The vocabulary a sentence's words stand for; read once, though checked for every question."""
    return tuple(expand(sentence).terms)


def _name_only(label: str) -> str:
    return label.split()[0] if len(label) > _LONGEST_NAME and label.split() else label


def _name_parts(names: str) -> list[str]:
    """Every run of 2+ Chinese characters of the figure's names, and its pieces down to 2."""
    parts: set[str] = set()
    for run in re.findall(r"[\u4e00-\u9fff]{2,}", names):
        parts.update(run[i : i + n] for n in range(2, min(len(run), 12) + 1) for i in range(len(run) - n + 1))
    return [p for p in parts if p not in MEASURES or len(p) >= 2]



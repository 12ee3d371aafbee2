"""A question in, what it asks for out: language, terms, measures, operation, years, numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from assistant.glossary import expand
from assistant.numbers import Mention, find_mentions
from assistant.types import Operation
from index.kinds import table_kind

# Column words a question can ask for; the longest that occurs wins over its parts.
MEASURES = [
    "一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款", "年初结转和结余", "年末结转和结余",
    "本年收入合计", "本年支出合计", "财政拨款收入", "财政专户收入", "上级补助收入", "附属单位上缴收入", "对附属单位补助支出",
    "上缴上级支出", "上解上级支出", "一般公共预算", "政府性基金", "国有资本经营", "上年结转", "本年收入", "本年支出",
    "基本支出", "项目支出", "人员经费", "公用经费", "经营支出", "事业收入", "经营收入", "其他收入", "财政拨款",
    "财政资金", "其他资金", "预算数", "决算数", "指标值", "小计", "合计", "总计",
]
_OPERATIONS: list[tuple[Operation, str]] = [
    ("explain", r"为什么|为何|原因|why\b|reason|用于什么|用途|主要用于|what (?:is|are|was|were) .* used for|"
                r"what for\b|干什么|做什么"),
    # a target stated as a rate ("医疗服务收入占比要达到多少") is looked up, never computed
    ("lookup", r"(?:要|将|应|力争)达到多少|目标值?(?:是|为)?多少|指标值?(?:是|为)?多少|target"),
    ("growth", r"增长率|增幅|(?:增长|下降|上升|降低|减少|增加)了?百分之|growth rate|grow by what percent|"
               r"percent(?:age)? (?:increase|change|decrease)"),
    ("share", r"占比|比重|占.{0,12}(?:比例|百分之|多少|的?%)|百分之几|share|proportion|percentage of|what percent|what fraction"),
    ("compare", r"哪个部门|哪个单位|哪一个|哪家|最多|最高|最大|最少|最低|比较|对比|which department|which (?:one|unit)|"
                r"which (?:spends|has|gets|receives|is|budgets|spent|had) (?:more|less|the most|the least|higher|lower)|"
                r"the most|the largest|the highest|the least|the lowest|\bcompare\b|across departments|各部门"),
    ("difference", r"相差|差额|差多少|多多少|少多少|高多少|低多少|多出|高出|difference|how much more|how much less|"
                   r"more than|less than|higher than|lower than|exceed"),
    ("ratio", r"之比|比率|是.{1,12}的几倍|几倍|\bratio\b|times as"),
    ("sum", r"之和|加起来|加总|总共|一共|合起来|共计多少|合计(?:是)?多少|combined|together|sum of|add up|in total"),
    ("count", r"多少个|几个|多少项|几项|多少家|几家|how many"),
    ("list", r"哪些|有什么|列出|列举|\blist\b|which (?:units|projects|organi[sz]ations)|what (?:units|projects)"),
]
_CHANGE = re.compile(r"比上年|较上年|与上年|同比|上一年|上年度|[比较]20\d{2}|增减|增加了?多少|减少了?多少|变化|"
                     r"(?:下降|增长|上升|降低)了?(?:百分之|多少|几)|"
                     r"compared (?:with|to) (?:the )?(?:previous|last|prior) year|year[- ]on[- ]year|"
                     r"than (?:the )?(?:previous|last|prior) year|from (?:the )?(?:previous|last|prior) year|"
                     r"(?:increase|decrease|change|drop|fall|rise)d?\b.*(?:previous|last|prior) year|vs\.? 20\d{2}|"
                     r"from 20\d{2}|compared (?:with|to) 20\d{2}|than (?:in )?20\d{2}")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_FROM_TEXT = re.compile(r"explanatory (?:notes?|text)|according to the (?:notes?|text|narrative)|in the notes|"
                        r"情况说明[中里]|说明[中里]|文字说明|报告文字", re.IGNORECASE)


@dataclass
class Question:
    text: str
    language: Literal["zh", "en"]
    terms: list[str]  # the glossary's document vocabulary for what the question says
    measures: list[str]
    operation: Operation
    change: bool  # asks about the change against the previous year
    years: list[int]
    numbers: list[Mention] = field(default_factory=list)
    counter: str = ""  # "辆" for 几辆: the answer must count that, not money
    money_unit: str = ""  # "元" for 多少元: the unit to show the answer in
    kinds: list[str] = field(default_factory=list)  # table kinds the question names ("基本支出表中…")
    from_text: bool = False  # asks what the explanatory text says ("according to the notes", "说明中")

    @property
    def search_text(self) -> str:
        """The question with its vocabulary appended: what retrieval and matching read."""
        return " ".join([self.text, *self.terms])


def understand(text: str) -> Question:
    cleaned = text.strip()
    # English with a printed term in it ("…expenses (机关运行经费)…") is still asked in English
    cjk, latin = len(_CJK.findall(cleaned)), len(re.findall(r"[A-Za-z]", cleaned))
    language: Literal["zh", "en"] = "zh" if cjk and cjk * 4 >= latin else "en"
    expansion = expand(cleaned)
    combined = " ".join([cleaned, *expansion.terms])
    return Question(
        text=cleaned,
        language=language,
        terms=expansion.terms,
        measures=measures_in(combined),
        operation=operation_of(cleaned),
        change=bool(_CHANGE.search(cleaned.lower())),
        years=[int(y) for y in re.findall(r"(?<!\d)(20\d{2})(?!\d)", cleaned)],
        numbers=find_mentions(cleaned),
        counter=_counter(cleaned),
        money_unit=_money_unit(cleaned),
        kinds=named_kinds(combined),  # "overall revenue and expenditure table" names 收支总表 too
        from_text=bool(_FROM_TEXT.search(cleaned)),
    )


# Tables named by what they list: "政府采购预算总额" is the 政府采购 table's total.
_LISTING_KINDS = ("政府采购", "国有资产")


def named_kinds(text: str) -> list[str]:
    """Table kinds named by a table title in the question: "基本支出表里的办公费" → 一般公共预算基本支出表."""
    kinds = [kind for kind in _LISTING_KINDS if kind in text]
    for title in re.findall(r"[\u4e00-\u9fff“”\"]{2,30}?表", text):
        kind = table_kind(title)
        if kind != "other" and kind not in kinds:
            kinds.append(kind)
    return kinds


ANY_COUNT = "*"  # a count asked ("数量是多少") in whatever unit it is counted
_EN_COUNTERS = {"vehicles": "辆", "cars": "辆", "people": "人", "staff": "人", "persons": "人", "employees": "人"}


def _counter(text: str) -> str:
    match = re.search(r"(?:多少|几)(辆|台|个|家|人次|人|次|项|类|套|支|平方米|平米)", text)
    if match:
        return match.group(1)
    english = re.search(r"how many (?:\w+ )?(vehicles|cars|people|staff|persons|employees)\b", text, re.IGNORECASE)
    if english:
        return _EN_COUNTERS[english.group(1).lower()]
    counted = (r"(?:数量|人数|个数|次数|户数|面积)(?:是|有|为|指标)?(?:多少|几)|number of|"
               r"how many(?! (?:million|billion|thousand|ten thousand|yuan|rmb)\b)")
    return ANY_COUNT if re.search(counted, text, re.IGNORECASE) else ""


def _money_unit(text: str) -> str:
    match = re.search(r"多少(亿元|万元|元)|是多少(亿元|万元|元)", text)
    if match:
        return match.group(1) or match.group(2)
    return "million" if re.search(r"million", text, re.IGNORECASE) else ""


def measures_in(text: str) -> list[str]:
    found: list[str] = []
    for word in MEASURES:
        if word in text and not any(word in longer for longer in found):
            found.append(word)
    return found


def operation_of(text: str) -> Operation:
    lowered = text.lower()
    for operation, pattern in _OPERATIONS:
        if re.search(pattern, lowered):
            return operation
    return "lookup"

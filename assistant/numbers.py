"""Figures in text: Arabic and Chinese numerals, their units, and which numbers are figures at all.

Used on both sides: reading the numbers a question mentions ("5.4万", "一千二百万元") and
finding every figure an answer states so the verifier can check it. Years, page numbers and
subject codes are not figures and are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.text import MONEY_FACTORS

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL = {"十": 10, "百": 100, "千": 1000}
_LARGE = {"万": 10_000, "亿": 100_000_000}
MONEY = {**MONEY_FACTORS, "千元": 1e3}  # answers may write 千元; tables never do
_EN_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}

_CN_NUMERAL = "零〇一二两三四五六七八九十百千万亿点"
_NUMBER = re.compile(
    r"(?P<cny>(?:CNY|RMB|¥|￥)\s*)?"
    rf"(?P<num>[-−]?\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|[-−]?\d+(?:\.\d+)?|[{_CN_NUMERAL}]{{2,}}|[一二两三四五六七八九十])"
    r"\s*(?P<unit>%|％|亿元|万元|千元|元|个百分点|[万亿]?(?:个|家|人次|人|次|辆|台|套|支|类|批|项)|亿|万|"
    r"(?:thousand|million|billion)\b(?:\s*(?:yuan|RMB|CNY))?|yuan\b|percentage points?|percent|页|年|月|日|号)?",
    re.IGNORECASE,
)
_PAGE_BEFORE = re.compile(r"(第|p\.|pp\.|page|pages|页码)\s*$", re.IGNORECASE)
_CODE_BEFORE = re.compile(r"(编码|科目|code|代码)\s*[:：]?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    """A figure stated in text."""

    value: float  # in ``unit``
    unit: str  # "万元", "元", "亿元", "%", "个", … or "" when none was written
    decimals: int  # as written: the rounding the writer applied
    start: int
    end: int
    raw: str

    @property
    def value_yuan(self) -> float | None:
        factor = MONEY.get(self.unit)
        return None if factor is None else self.value * factor

    @property
    def is_money(self) -> bool:
        return self.unit in MONEY


def chinese_number(text: str) -> float | None:
    """一千二百万 → 12000000; 五点四 → 5.4; 十二 → 12. None if it is not a Chinese numeral."""
    if not text or any(ch not in _CN_NUMERAL for ch in text):
        return None
    if "点" in text:
        whole, _, fraction = text.partition("点")
        base = chinese_number(whole) if whole else 0.0
        digits = "".join(str(_DIGITS[ch]) for ch in fraction if ch in _DIGITS)
        return None if base is None or not digits else base + float("0." + digits)
    total, section, digit = 0.0, 0.0, 0.0
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _SMALL:
            section += (digit or 1) * _SMALL[ch]
            digit = 0
        elif ch == "亿":
            total = (total + section + digit) * _LARGE[ch]
            section, digit = 0, 0
        else:  # 万 scales only what stands since the last 亿
            total += (section + digit) * _LARGE[ch]
            section, digit = 0, 0
    return total + section + digit


def _number(raw: str) -> tuple[float, int] | None:
    cleaned = raw.replace(",", "").replace("−", "-")
    if re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        return float(cleaned), len(cleaned.partition(".")[2])
    value = chinese_number(raw)
    return None if value is None else (value, 0)


def _unit(raw_unit: str, cny: bool) -> tuple[str, float]:
    """Normalised unit and the factor to apply to the number ("5.4万" is 5.4万元 in a money text)."""
    unit = raw_unit.lower().strip()
    for word, scale in _EN_SCALE.items():
        if unit.startswith(word):
            return "元", scale  # "50.0 million (yuan)" → 50,000,000 元
    if unit in ("%", "％", "percent"):
        return "%", 1.0
    if unit in ("个百分点", "percentage point", "percentage points"):
        return "百分点", 1.0
    if unit == "万":
        return "万元", 1.0
    if unit == "亿":
        return "亿元", 1.0
    if unit == "yuan" or (cny and not unit):
        return "元", 1.0
    return raw_unit, 1.0


def find_mentions(text: str) -> list[Mention]:
    """Every figure in ``text``, skipping years, dates, page numbers and subject codes."""
    mentions = []
    for match in _NUMBER.finditer(text):
        parsed = _number(match["num"])
        if parsed is None:
            continue
        value, decimals = parsed
        unit, factor = _unit(match["unit"] or "", bool(match["cny"]))
        if _not_a_figure(text, match, value, unit, decimals):
            continue
        value *= factor
        if factor != 1.0:  # "50.0 million": the writer rounded to 0.1 million
            decimals -= len(str(int(factor))) - 1
        mentions.append(Mention(value, unit, decimals, match.start(), match.end(), match.group().strip()))
    return mentions


def _not_a_figure(text: str, match: re.Match[str], value: float, unit: str, decimals: int) -> bool:
    before = text[max(0, match.start() - 8) : match.start()]
    if unit in ("年", "月", "日", "号", "页"):
        return True
    if _PAGE_BEFORE.search(before) or _CODE_BEFORE.search(before):
        return True
    whole = float(value).is_integer() and decimals == 0 and not unit
    if whole and 1990 <= value <= 2100:
        return True  # a bare year
    if whole and match["num"].isdigit() and len(match["num"]) in (3, 5, 7) and value >= 100:
        return True  # a 类/款/项 subject code printed beside its name
    # list numbering ("一、"), or numeral characters inside words ("一一般公共预算资金", "十一五"):
    # a figure written in Chinese numerals always carries its unit
    return unit == "" and not re.search(r"\d", match["num"])

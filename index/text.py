"""Small text helpers: whitespace in Chinese text, printed numbers, units."""

from __future__ import annotations

import re

_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’（）"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_NUMBER = re.compile(r"^[-−]?\d{1,3}(,\d{3})+(\.\d+)?$|^[-−]?\d+(\.\d+)?$")
_UNIT = re.compile(r"(?:金额)?单位[:：]\s*(万元|元|亿元)|(?:金额)?单位(万元|元|亿元)$")

MONEY_FACTORS = {"元": 1.0, "万元": 10_000.0, "亿元": 100_000_000.0}


def clean(text: str | None) -> str:
    """Join wrapped lines and drop the spaces PDFs put between Chinese characters."""
    if not text:
        return ""
    joined = re.sub(r"\s*\n\s*", "\n", text.strip())
    joined = _SPACE_BETWEEN_CJK.sub("", joined)
    return re.sub(r"[ \t]+", " ", joined.replace("\n", "")).strip()


def key(text: str) -> str:
    """A comparison key: no whitespace, no quotes, no leading numbering."""
    stripped = re.sub(r"[\s“”\"'‘’「」]", "", text)
    return re.sub(r"^(\d+[．.、]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）])", "", stripped)


def parse_number(text: str) -> float | None:
    """A printed table number ("2,940.05", "0.00", "-3") or None."""
    candidate = text.strip().replace("−", "-")
    if not candidate or not _NUMBER.match(candidate):
        return None
    return float(candidate.replace(",", ""))


def decimals(text: str) -> int:
    """How many decimals a printed number shows: the precision of the figure."""
    match = re.search(r"\.(\d+)", text)
    return len(match.group(1)) if match else 0


def header_unit(text: str) -> str:
    """A unit printed in a header cell: "年度资金总额(万元)", "金额（元）"."""
    match = re.search(r"[（(](万元|元|亿元)[)）]", text)
    return match.group(1) if match else ""


def find_unit(text: str) -> str:
    match = _UNIT.search(re.sub(r"\s+", "", text))
    return (match.group(1) or match.group(2)) if match else ""


def to_yuan(value: float, unit: str) -> float | None:
    factor = MONEY_FACTORS.get(unit)
    return None if factor is None else round(value * factor, 4)

"""Figures in text: Chinese numerals, units, and what is not a figure."""

from __future__ import annotations

import pytest

from assistant.numbers import chinese_number, find_mentions


@pytest.mark.parametrize(
    ("text", "value"),
    [("一千二百万", 12_000_000), ("五点四", 5.4), ("十二", 12), ("两百", 200), ("一亿二千万", 120_000_000), ("三万五千", 35_000)],
)
def test_chinese_numerals(text, value):
    assert chinese_number(text) == value


def test_mentions_carry_unit_and_precision():
    found = [(m.value, m.unit, m.decimals) for m in find_mentions("安排5000.32万元，约合 RMB 50.0 million，占89.60%，≥280万个")]
    assert found == [(5000.32, "万元", 2), (50_000_000, "元", -5), (89.6, "%", 2), (280, "万个", 0)]


def test_years_pages_and_codes_are_not_figures():
    assert find_mentions("2024年第8页，科目 2010601 行政运行，p. 15") == []


def test_question_numbers_in_chinese():
    (mention,) = find_mentions("一千二百万元的项目")
    assert (mention.value, mention.unit) == (12_000_000, "元")
    (short,) = find_mentions("三公经费5.4万")
    assert (short.value, short.unit) == (5.4, "万元")

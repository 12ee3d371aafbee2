"""The verifier on its own: what it must accept, what it must reject, rounding and unit edges."""

from __future__ import annotations

import pytest

from assistant.arithmetic import share
from assistant.types import Citation, Statement
from assistant.verify import UNVERIFIED_MARK, mark_unverified, verify


def _statement(value: float, unit: str = "万元", text: str | None = None, row: str = "企业奖补") -> Statement:
    printed = text or f"{value:.2f}"
    citation = Citation("doc", "某局 2024年度部门预算", 37, table="企业奖补绩效目标表", row=row, value=value, unit=unit,
                        text=printed)
    return Statement(value, unit, 2, citation, "项目绩效目标表", row)


AWARD = _statement(5000.32)


def _failed(text: str, statements=(AWARD,), computed=()) -> list[str]:
    citations = [s.citation for s in statements]
    return [c.mention.raw for c in verify(text, list(statements), list(computed), citations) if not c.ok]


@pytest.mark.parametrize(
    "text",
    [
        "企业奖补安排了5000.32万元。",
        "企业奖补安排了5,000.32万元。",
        "约5,000万元",  # rounded to whole 万元, as written
        "about RMB 50.00 million",
        "CNY 50.0 million",
        "50,003,200元",
        "0.50亿元",
    ],
)
def test_accepts_the_figure_in_any_unit_at_the_precision_written(text):
    assert _failed(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "企业奖补安排了5000.23万元。",  # transposed digits
        "企业奖补安排了5000.32元。",  # wrong unit
        "企业奖补安排了5000.33万元。",  # one cent of 万元 off, written to two decimals
        "RMB 50.01 million",  # 50,010,000 is not 50,003,200 at 10,000 precision
        "5000.32%",  # a money figure is not a percentage
    ],
)
def test_rejects_a_figure_that_is_not_stated(text):
    assert _failed(text) != []


def test_rounding_edge_is_half_a_unit_of_the_last_written_decimal():
    near = _statement(0.125, text="0.125")
    assert _failed("0.13万元", (near,)) == []  # 0.125 rounds to 0.13
    assert _failed("0.12万元", (near,)) == []  # and 0.12 is within half a unit too
    assert _failed("0.14万元", (near,)) == ["0.14万元"]


def test_computed_results_and_their_formula():
    part, whole = _statement(603.14, row="项目支出"), _statement(2940.05, row="合计")
    result = share(part, whole)
    assert result is not None and round(result.value, 2) == 20.51
    text = f"占比为20.51%（计算：{result.formula}）。"
    assert _failed(text, (part, whole), (result,)) == []
    assert _failed("占比为20.52%。", (part, whole), (result,)) == ["20.52%"]


def test_numbers_inside_cited_names_are_names_not_claims():
    named = _statement(10.0, row="石财教（2023）22号高新技术企业奖补市级资金（420万）")
    assert _failed("石财教（2023）22号高新技术企业奖补市级资金（420万）预算为10.00万元。", (named,)) == []


def test_a_cited_code_is_never_read_inside_a_longer_number():
    # the row's subject code 208 is a name; in "20816.88" it is the figure's own digits
    coded = Statement(20816.88, "万元", 2, Citation("doc", "某局 2023年度部门预算", 8, table="支出总表",
                      row="社会保障和就业支出", code="208", value=20816.88, unit="万元", text="20816.88"), "支出表",
                      "社会保障和就业支出")
    assert _failed("社会保障和就业支出（208）为20816.88万元。", (coded,)) == []
    assert _failed("社会保障和就业支出（208）为20816.89万元。", (coded,)) == ["20816.89万元"]


def test_failed_figures_are_marked_not_removed_silently():
    text = "企业奖补安排了5000.32万元，其中一半2500.00万元。"
    checks = verify(text, [AWARD], [], [AWARD.citation])
    marked = mark_unverified(text, checks, [AWARD.citation], "zh")
    assert marked == f"企业奖补安排了5000.32万元，其中一半2500.00万元{UNVERIFIED_MARK}。"


def test_conflicting_figures_verify_against_their_own_citations():
    table = _statement(2961.68, text="2,961.68", row="总计")
    narrative = Statement(0.3, "万元", 1, Citation("doc", "t", 21, section="四、…说明", value=0.3, unit="万元",
                                                   text="财政拨款收入支出总计0.3万元。"), "narrative", "总计")
    text = "总计为2,961.68万元（第37页）。但说明第21页写作0.3万元。"
    assert _failed(text, (table, narrative)) == []
    assert _failed(text, (table,)) == ["0.3万元", "第21页"]


def test_years_and_pages_nothing_cited_holds_fail():
    assert _failed("2024年企业奖补为5000.32万元（第37页）。") == []  # the cited document's title holds 2024
    assert _failed("2019年企业奖补为5000.32万元（第37页）。") == ["2019"]  # nothing cited does 2019
    assert _failed("企业奖补为5000.32万元（第38页）。") == ["第38页"]  # nor is anything cited on p. 38
    asked = verify("2023年…5000.32万元", [AWARD], [], [AWARD.citation], years={2023})  # a year the question covers
    assert [c.mention.raw for c in asked if not c.ok] == []


def test_a_date_nothing_cited_states_fails():
    cell = Citation("doc", "某局 2024年度部门预算", 37, table="企业奖补绩效目标表", row="奖补资金到位时限",
                    column="指标值", text="12 月底")
    target = Statement(100.0, "%", 0, cell, "项目绩效目标表", "到位时限")
    assert [c.mention.raw for c in verify("奖补资金12月底前到位（第37页）。", [target], [], [target.citation])
            if not c.ok] == []
    assert [c.mention.raw for c in verify("奖补资金6月底前到位（第37页）。", [target], [], [target.citation])
            if not c.ok] == ["6月底"]

"""Title variants of every standard table, from several cities' printing, map to one canonical kind."""

from __future__ import annotations

import pytest

from index.kinds import KIND_NAMES, TABLE_NUMBER, is_table_title, kind_from_header, table_kind

TITLES = [
    ("收支总体情况表", "收支总表"),
    ("公开01表 收支总表", "收支总表"),
    ("2026年预算单位财务收支预算总表", "收支总表"),
    ("2026年市级部门收支预算总表", "收支总表"),
    ("2026 年部门收入总体情况表", "收入表"),
    ("本年支出总体情况表", "支出表"),
    ("财政拨款收支总体情况表", "财政拨款收支总表"),
    ("一般公共预算支出情况表（按功能分类科目）", "一般公共预算财政拨款支出表"),
    ("财政拨款支出表（功能科目）", "一般公共预算财政拨款支出表"),
    ("2026年预算单位一般公共预算支出功能分类预算表", "一般公共预算财政拨款支出表"),
    ("一般公共预算基本支出情况表（按经济分类科目）", "一般公共预算基本支出表"),
    ("财政拨款基本支出表（经济科目）", "一般公共预算基本支出表"),
    ("部门预算基本支出预算表", "一般公共预算基本支出表"),
    ("一般公共预算项目支出情况表（按经济分类科目）", "项目支出表"),
    ("部门预算项目支出及其他支出预算表", "项目支出表"),
    ("一般公共预算支出经济分类表", "一般公共预算支出经济分类表"),
    ("财政拨款安排的行政经费及“三公”经费预算表", "三公经费"),
    ("一般公共预算“三公”经费、会议费、培训费支出表", "三公经费"),
    ("一般公共预算机关运行经费支出预算表", "机关运行经费"),
    ("政府性基金预算支出情况表", "政府性基金"),
    ("国有资本经营预算支出预算表", "国有资本经营"),
    ("政府采购支出表", "政府采购"),
    ("2026 年政府采购预算明细表", "政府采购"),
    ("部门固定资产占用情况表", "国有资产"),
    ("项目支出绩效目标表", "项目绩效目标表"),
    ("收入支出决算总表", "收支总表"),
    ("一般公共预算财政拨款基本支出决算表", "一般公共预算基本支出表"),
    ("北京市城市道路挖掘修复费标准", "other"),
    ("机构设置情况表", "other"),
]


@pytest.mark.parametrize(("title", "kind"), TITLES)
def test_title_variants_map_to_their_kind(title: str, kind: str) -> None:
    assert table_kind(title) == kind


def test_every_kind_is_reached_by_some_title() -> None:
    assert {kind for _, kind in TITLES} == set(KIND_NAMES)


def test_a_department_named_for_assets_is_not_an_asset_table() -> None:
    assert table_kind("上海市国有资产监督管理委员会2026年部门收支总表") == "收支总表"


@pytest.mark.parametrize("text", ["表1", "表一", "公开02表", "附表1-2", "表 3"])
def test_table_numbers(text: str) -> None:
    assert TABLE_NUMBER.match(text.replace(" ", ""))


@pytest.mark.parametrize("text", ["12", "一", "表格说明", "2026"])
def test_not_table_numbers(text: str) -> None:
    assert not TABLE_NUMBER.match(text)


def test_titles_with_a_bracketed_note_are_titles_and_sentences_are_not() -> None:
    assert is_table_title("一般公共预算支出情况表（按功能分类科目）")
    assert not is_table_title("具体内容见下表。")
    assert not is_table_title("表1")


def test_untitled_tables_are_named_by_their_header() -> None:
    three: list[tuple[str, ...]] = [("“三公”经费合计",), ("因公出国（境）费",), ("公务接待费",)]
    basic: list[tuple[str, ...]] = [("经济分类科目",), ("基本支出", "合计"), ("基本支出", "人员经费"), ("基本支出", "公用经费")]
    assert kind_from_header(three, ["合计"]) == "三公经费"
    assert kind_from_header(basic, ["工资福利支出"]) == "一般公共预算基本支出表"
    assert kind_from_header([("金额",)], ["甲"]) == "other"

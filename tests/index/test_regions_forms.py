"""Performance-target forms in layouts other than the label | value form."""

from __future__ import annotations

from tests.index.regions import parsed


def _forms(file: str, page: int):
    return [p for p in parsed(file).performance if p.pages[0] == page]


def test_indicators_with_their_comparison_and_unit_in_columns_of_their_own() -> None:
    (form,) = _forms("chongqing/2026年重庆市规划和自然资源局部门预算.pdf", 29)
    assert (form.project, form.budget, form.budget_label) == ("规划和自然资源专项", 88197.35, "当年预算")
    first = form.indicators[0]
    assert (first.level3, first.comparator, first.value, first.unit) == ("提交找矿靶区数量", "≥", 7.0, "处")
    assert len(form.indicators) == 8


def test_a_department_wide_form_reads_its_money_block_with_header_paths() -> None:
    (form,) = _forms("changsha/信访局_2026年部门预算.pdf", 30)
    assert form.project == "长沙市信访局"  # the unit the row names, not the title
    amounts = {"/".join(a.column): a.value for a in form.amounts}
    assert amounts["年度预算申请/按支出性质分/基本支出"] == 1517.95
    assert amounts["年度预算申请/按支出性质分/项目支出"] == 417.41
    assert not [path for path in amounts if "目标" in path]  # a target's figure is not money
    assert form.budget == 1935.36 and form.indicators


def test_a_project_list_with_indicator_columns_stays_a_table() -> None:
    # One row per project (单位（项目）名称 | 资金总额 | 一级指标 …): a list, read as a table.
    document = parsed("changsha/信访局_2026年部门预算.pdf")
    assert not _forms("changsha/信访局_2026年部门预算.pdf", 22)
    table = next(t for t in document.tables if t.pages[0] == 22)
    assert any("基层及其他信访业务工作经费专项" in row.label and row.cells[0].text == "35.78" for row in table.rows)

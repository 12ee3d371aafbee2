"""Consistency checks on real regional documents: a check compares like with like, so what fails is
the document's own disagreement (still reported) or a reading error (none here)."""

from __future__ import annotations

from index.checks import run_checks
from index.facts import all_facts
from index.types import Finding
from tests.index.regions import parsed


def _failing(file: str) -> list[Finding]:
    return [f for f in run_checks(parsed(file)) if not f.ok]


def test_glyphs_printed_half_a_row_low_are_put_back_in_their_row() -> None:
    # The producer prints codes and figures across the rule under their words: every label was one row off.
    file = "chongqing/2026年重庆市科学技术局部门预算.pdf"
    facts = [f for f in all_facts(parsed(file)) if f.page == 9 and f.column == ("总计",)]
    by_code = {f.code: (f.row, f.text) for f in facts}
    assert by_code["201"] == ("一般公共服务支出", "5,183.00")
    assert by_code["206"] == ("科学技术支出", "161,603.34")
    assert by_code["2060203"] == ("自然科学基金", "15,500.00")  # the last row, once pushed out of the frame
    assert _failing(file) == []


def test_a_carried_over_row_is_not_the_years_appropriation() -> None:
    # "一般公共预算拨款 18,417.70" in the text; the table's row of that name sits under 二、上年结转 (865.06).
    failing = _failing("chongqing/2026年重庆市人民政府办公厅部门预算.pdf")
    assert not [f for f in failing if f.check == "narrative"]


def test_three_public_items_are_compared_with_a_three_public_table_only() -> None:
    # 公务接待费 279.19 in the text counts project spending too; the basic-spending row (273.19) does not.
    findings = run_checks(parsed("chongqing/2026年重庆市规划和自然资源局部门预算.pdf"))
    compared = [f for f in findings if f.check == "narrative" and "公务接待费" in f.message]
    assert all(c.table_kind == "三公经费" for f in compared for c in f.cells)
    assert not [f for f in findings if not f.ok]


def test_a_figure_is_read_where_it_stands_not_where_its_digits_first_appear() -> None:
    # "…2026 年度…培训费预算支出 10 万元，比上年预算减少 2 万元": the 2 is not the year's first digit.
    failing = _failing("wuxi/商务局_2026年部门预算.pdf")
    assert not [f for f in failing if f.check == "narrative"]


def test_printed_parts_that_do_not_add_up_by_two_cents_are_reported() -> None:
    # 301 printed 23,647.92; its twelve printed parts add up to 23,647.94. Auditors want both.
    findings = run_checks(parsed("wuxi/人力资源和社会保障局_2026年部门预算.pdf"))
    wages = [f for f in findings if f.check == "parent_sum" and f.cells[0].code == "301"]
    assert wages and not any(f.ok for f in wages)
    assert {(f.actual, round(f.expected, 2)) for f in wages} == {(23647.92, 23647.94)}


def test_a_document_that_disagrees_with_itself_is_still_reported() -> None:
    # 长春市信访局 p11 prints 工资福利支出 911.21 over parts that add up to 920.96.
    failing = _failing("changchun/2026年长春市信访局部门预算.pdf")
    wages = [f for f in failing if f.check == "parent_sum" and f.cells[0].code == "301"]
    assert wages and wages[0].actual == 911.21 and abs(wages[0].expected - 920.96) < 1e-6


def test_highlighted_words_inside_a_sentence_stay_narrative() -> None:
    # Shaded strips inside "…货物类采购预算 2,716.09 万元；工程类采购预算 9,021.25 万元…" were read as tables.
    document = parsed("changsha/公安局_2026年部门预算.pdf")
    assert not [t for t in document.tables if t.pages[0] == 10]
    figures = {f.value for f in document.narrative_facts if f.page == 10 and f.unit == "万元"}
    assert {16476.85, 2716.09, 9021.25, 4739.51} <= figures

"""Consistency findings: identities that hold are confirmed, real disagreements name both cells."""

from __future__ import annotations

from index.checks import run_checks


def test_hebei_identities_hold(parsed):
    findings = run_checks(parsed["luquan-keji-2024-budget.txt"])
    basic = [
        f for f in findings
        if f.check == "column_identity" and f.cells[0].table_kind == "一般公共预算基本支出表" and f.cells[0].row == "合计"
    ]
    assert len(basic) == 1 and basic[0].ok
    assert [c.text for c in basic[0].cells] == ["1238.01", "1089.30", "148.71"]
    assert any(f.check == "totals_balance" and f.ok for f in findings)
    assert all(f.ok for f in findings if f.check == "parent_sum")


def test_caizhengju_disagreement_names_both_sides(parsed):
    findings = run_checks(parsed["putuo-caizhengju-2024-final-accounts.pdf"])
    bad = [f for f in findings if not f.ok]
    assert [f.check for f in bad] == ["parent_sum", "narrative"]
    finding = bad[0]
    assert finding.cells[0].code == "302" and finding.cells[0].text == "171.07"
    assert abs(finding.expected - 171.09) < 1e-6
    assert {c.page for c in finding.cells} == {16, 17}


def test_cross_table_totals_compared(parsed):
    findings = run_checks(parsed["putuo-caizhengju-2024-final-accounts.pdf"])
    social = [f for f in findings if f.check == "cross_table" and "社会保障和就业支出" in f.message]
    # 326.71 in the summary table against 326.72 in the expenditure table: within one unit
    # of the last printed decimal, so recorded as holding, with both cells.
    assert {c.text for f in social for c in f.cells} == {"326.71", "326.72"}


def test_narrative_figure_against_its_table(parsed):
    findings = run_checks(parsed["putuo-caizhengju-2024-final-accounts.pdf"])
    narrative = [f for f in findings if f.check == "narrative"]
    # p21: "财政拨款收入支出总计0.3万元" while the 财政拨款收入支出决算总表 prints 2,961.68.
    (wrong,) = [f for f in narrative if not f.ok]
    assert wrong.expected == 2961.68 and wrong.actual == 0.3  # expected: the table, actual: the text
    assert wrong.cells[0].table_title == "财政拨款收入支出决算总表" and wrong.cells[0].text == "2,961.68"
    assert "总计0.3万元" in wrong.sentence
    # "本年收入合计2946.25万元" agrees with the 收入支出决算总表, not the 财政拨款 one (2,940.05).
    income = [f for f in narrative if "本年收入合计2946.25" in f.sentence]
    assert income and all(f.ok for f in income)
    assert income[0].cells[0].table_title == "收入支出决算总表"

"""Project performance-target tables (绩效目标表)."""

from __future__ import annotations


def _project(parsed, name):
    (table,) = [p for p in parsed["luquan-keji-2024-budget.txt"].performance if p.project == name]
    return table


def test_enterprise_awards_form_and_indicators(parsed):
    table = _project(parsed, "2024年企业奖补")
    assert table.project_code == "13011024P00327710005P"
    assert (table.budget, table.fiscal, table.other) == (5000.32, 5000.32, None)
    assert table.purpose.startswith("用于符合创新创业等政策的高新技术企业")
    assert table.spending_plan == {"12月底": "100%"}
    rows = [(i.level1, i.level2, i.level3, i.value_text, i.value, i.comparator, i.unit) for i in table.indicators]
    assert rows == [
        ("产出指标", "数量指标", "奖励企业数量", rows[0][3], None, "", ""),
        ("产出指标", "数量指标", "奖补资金的种类", "≥15类", 15.0, "≥", "类"),
        ("产出指标", "质量指标", "奖励工作完成率", "100%", 100.0, "", "%"),
        ("产出指标", "时效指标", "奖励到位时限", "12月底", 12.0, "", "月底"),
        ("产出指标", "成本指标", "奖励标准", "按文件规定执行", None, "", ""),
        ("效益指标", "可持续影响指标", "企业发展潜力", "持续提高", None, "", ""),
        ("满意度指标", "服务对象满意度指标", "企业满意度", "≥95%", 95.0, "≥", "%"),
    ]
    assert rows[0][3].startswith("认定高企50家")


def test_epidemic_supplies_table_cell_by_cell(parsed):
    table = _project(parsed, "2024年防疫物资保障")
    assert table.project_code == "13011024P00327810002J"
    assert (table.budget, table.fiscal, table.other, table.unit) == (1300.0, 1300.0, None, "万元")
    assert table.purpose == "用于偿还疫情期间采购防疫物资欠款"
    assert table.spending_plan == {"3月底": "30%", "6月底": "30%", "10月底": "60%"}
    rows = [(i.level1, i.level2, i.level3, i.value_text, i.comparator, i.value, i.unit) for i in table.indicators]
    assert rows == [
        ("产出指标", "数量指标", "采购口罩的数量", "≥280万个", "≥", 280.0, "万个"),
        ("产出指标", "数量指标", "采购采样管数量", "≥120万支", "≥", 120.0, "万支"),
        ("产出指标", "数量指标", "采购防护服数量", "≥40万套", "≥", 40.0, "万套"),
        ("产出指标", "数量指标", "采购抗原的数量", "≥550万支", "≥", 550.0, "万支"),
        ("产出指标", "质量指标", "采购质量合格率", "100%", "", 100.0, "%"),
        ("产出指标", "时效指标", "采购完成时限", "及时", "", None, ""),
        ("产出指标", "成本指标", "物资采购成本", "1300万", "", 1300.0, "万"),
        ("效益指标", "社会效益指标", "防疫物资保障工作到位", "社会稳定", "", None, ""),
        ("效益指标", "可持续影响指标", "保障能力提升", "提升完善", "", None, ""),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥85%", "≥", 85.0, "%"),
    ]
    assert table.indicators[4].description == "采购的物资试剂等是否合格，符合国家标准"


def test_indicator_row_wrapped_over_a_page_is_joined(parsed):
    table = _project(parsed, "2024年创新创业大赛")
    last = table.indicators[-1]
    assert last.level2 == "服务对象满意度指标"
    assert last.level3 == "赛事、活动参与群众满意度"
    assert len(parsed["luquan-keji-2024-budget.txt"].performance) == 26

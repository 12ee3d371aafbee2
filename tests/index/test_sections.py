"""Narrative sections: heading hierarchy, and figures cited on the page they are printed on."""

from __future__ import annotations


def test_heading_hierarchy(parsed):
    sections = parsed["putuo-caizhengju-2024-final-accounts.pdf"].sections
    heading = next(s for s in sections if s.heading.startswith("（一）机关运行经费"))
    assert heading.path[-2:] == ("十一、其他重要事项的情况说明", "（一）机关运行经费支出情况")


def test_a_figure_is_on_the_page_it_is_printed_on_not_where_its_section_starts(parsed):
    facts = parsed["putuo-caizhengju-2024-final-accounts.pdf"].narrative_facts
    pages = {(f.value, f.unit): f.page for f in facts}
    # Section 五（三） starts on p21; 行政运行's 年初预算 1560.05 is printed on p22.
    assert pages[(1560.05, "万元")] == 22
    # 机关运行经费 starts at the foot of p23; its increase of 2.55 is printed on p24.
    assert pages[(2.55, "万元")] == 24
    assert pages[(2993.92, "万元")] == 21


def test_counts_in_the_narrative_are_figures_too(parsed):
    facts = parsed["putuo-caizhengju-2024-final-accounts.pdf"].narrative_facts
    cars = [f for f in facts if f.unit == "辆" and "共有车辆" in f.sentence]
    assert cars and cars[0].value == 0

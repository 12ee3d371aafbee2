"""The checks a budget reviewer runs find errors planted in real disclosures and flag nothing in the
originals. Each copy differs from its original by the planted text alone (``tests.plant``), so what
the checks say of the copy and not of the original is what was planted. The three layouts draw
their text a line at a time (Wuxi, Shanghai) or a glyph at a time (Huzhou)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from index.checks import run_checks
from index.parse import parse_file
from index.types import Finding
from tests.index.regions import REGIONS
from tests.plant import Edit, page_texts, plant

REVIEW_CHECKS = {"year", "placeholder", "missing_table", "punctuation"}


@dataclass(frozen=True)
class Planting:
    file: str  # under the regional corpus
    edits: tuple[Edit, ...]
    blank_pages: tuple[int, ...]
    reads: tuple[tuple[int, str, str], ...]  # (page, what the copy prints, what the original printed there)
    found: frozenset[tuple[str, int | None, str]]  # (check, page, words of its message): every finding of the copy


WUXI = Planting(
    "wuxi/2026年无锡市统计局部门预算.pdf",
    edits=(
        Edit(1, "无锡市统计局", "XX局"),  # the cover's department
        Edit(25, "2026", "2025", nth=1),  # the part heading; the running header's 2026 comes first
        Edit(25, "3,210.1", "3,310.1", nth=2),  # "本年收入合计 3,210.1 万元" against the 收支总表's 3,210.10
        Edit(26, "职业年金。", "职业年金。。"),
    ),
    blank_pages=(21,),  # 公开10表 政府性基金预算支出表, printed empty with "本表无数据"
    reads=(
        (1, "2026年度XX局部门预算公开", "2026年度无锡市统计局部门预算公开"),
        (25, "第三部分2025年度部门预算情况说明", "第三部分2026年度部门预算情况说明"),
        (25, "本年收入合计3,310.1万元", "本年收入合计3,210.1万元"),
        (26, "职业年金。。与上年", "职业年金。与上年"),
        (21, "", "政府性基金预算支出表"),
    ),
    found=frozenset({
        ("placeholder", 1, "XX"),
        ("year", 25, "2025"),
        ("narrative", 25, "3310.1"),
        ("punctuation", 26, "。。"),
        ("missing_table", None, "政府性基金"),
    }),
)

HUZHOU = Planting(
    "huzhou/2026年湖州市财政局部门预算.pdf",
    edits=(
        # the cover, which the document's year is read from: its twenty dated titles outvote it
        Edit(1, "2026 ", "2025 "),
        Edit(20, "2026 年", "2025 年"),  # the title of 表03 市级部门支出预算总表, and as repeated over its next page
        Edit(21, "2026 年", "2025 年"),
        Edit(7, "关于湖州市财政局 2026 年支出", "关于XX局 2026 年支出"),  # heading （三）
        Edit(7, "5356.01", "5365.01"),  # 一般公共服务支出, against the 一般公共预算支出表's 5356.01
    ),
    blank_pages=(),
    reads=(
        (1, "湖州市财政局2025年部门预算", "湖州市财政局2026年部门预算"),
        (20, "2025年市级部门支出预算总表", "2026年市级部门支出预算总表"),
        (21, "2025年市级部门支出预算总表", "2026年市级部门支出预算总表"),
        (7, "（三）关于XX局2026年支出预算情况说明", "（三）关于湖州市财政局2026年支出预算情况说明"),
        (7, "包括一般公共服务支出5365.01万元", "包括一般公共服务支出5356.01万元"),
    ),
    found=frozenset({
        ("year", 1, "the document is for 2026"),
        ("year", 20, "2025"),
        ("placeholder", 7, "XX"),
        ("narrative", 7, "5365.01"),
    }),
)

SHANGHAI = Planting(
    "shanghai/2026年上海市商务局_部门预算.pdf",
    edits=(
        Edit(1, "2026年1月", "2025年1月"),  # the cover's date: a 2026 budget is not dated a year before
        Edit(7, "住房保障支出", "某某支出"),  # a row of 单位预算01表
        Edit(6, "财政拨款收入723万元", "财政拨款收入732万元"),  # against the table's 7,233,086 元
    ),
    blank_pages=(),
    reads=(
        (1, "交易联合管理办公室2025年1月", "交易联合管理办公室2026年1月"),  # the date stands last, at the foot
        (7, "二、某某支出449,550", "二、住房保障支出449,550"),
        (6, "财政拨款收入732万元", "财政拨款收入723万元"),
    ),
    found=frozenset({
        ("year", 1, "dated 2025年1月"),
        ("placeholder", 7, "某某"),
        ("narrative", 6, "732"),
    }),
)


@dataclass
class Case:
    planting: Planting
    copy: Path
    original: list[Finding]  # every finding of the original
    planted: list[Finding]  # every finding of the copy


@pytest.fixture(scope="module", params=[WUXI, HUZHOU, SHANGHAI], ids=["wuxi", "huzhou", "shanghai"])
def case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Case:
    planting: Planting = request.param
    source = REGIONS / planting.file
    copy = plant(source, tmp_path_factory.mktemp("planted") / source.name, planting.edits, planting.blank_pages)
    return Case(planting, copy, run_checks(parse_file(source, source.name)), run_checks(parse_file(copy, source.name)))


def _disagreements(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if not f.ok and f.check in REVIEW_CHECKS | {"narrative"}]


def test_what_is_checked_prints_the_planted_text_not_the_original(case: Case) -> None:
    pages = [page for page, _, _ in case.planting.reads]
    before, after = page_texts(REGIONS / case.planting.file, pages), page_texts(case.copy, pages)
    for page, planted, original in case.planting.reads:
        assert planted in after[page]
        assert original in before[page] and original not in after[page]


def test_each_check_finds_its_planted_error_on_its_page_and_nothing_else(case: Case) -> None:
    findings = _disagreements(case.planted)
    assert {(f.check, f.page) for f in findings} == {(check, page) for check, page, _ in case.planting.found}
    for check, page, words in case.planting.found:
        (finding,) = [f for f in findings if (f.check, f.page) == (check, page)]
        assert words in finding.message


def test_the_original_gets_no_finding_from_the_review_checks_nor_a_narrative_disagreement(case: Case) -> None:
    assert _disagreements(case.original) == []
    assert not [f for f in case.original if f.check in REVIEW_CHECKS]


def test_the_narrative_check_flags_no_correctly_printed_figure(case: Case) -> None:
    # The figures of the text that agree with their table in the original agree in the copy too,
    # all but the one changed: a figure is judged on its own row, whatever is planted around it.
    def agreeing(findings: list[Finding]) -> Counter[tuple[int | None, str, str]]:
        return Counter((f.page, f.cells[0].table_kind, f.cells[0].row) for f in findings if f.check == "narrative" and f.ok)

    (planted,) = [f for f in _disagreements(case.planted) if f.check == "narrative"]
    changed = (planted.page, planted.cells[0].table_kind, planted.cells[0].row)
    assert agreeing(case.original) - agreeing(case.planted) == Counter([changed])
    assert agreeing(case.planted) - agreeing(case.original) == Counter()


def test_budget_qa_check_shows_where_each_planted_error_is(case: Case, tmp_path: Path) -> None:
    """`budget-qa check` as a reviewer reads it: every planted error with its page and its words."""
    command = [str(Path(sys.executable).parent / "budget-qa"), "--data", str(tmp_path / "data")]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("BUDGET_QA_")}
    assert subprocess.run([*command, "ingest", str(case.copy)], capture_output=True, env=environ).returncode == 0
    shown = subprocess.run([*command, "check", case.copy.name], capture_output=True, text=True, env=environ).stdout
    lines = shown.splitlines()
    for check, page, words in case.planting.found:
        shown_at = [lines[i + 1] for i, text in enumerate(lines[:-1]) if text.startswith(f"DIFF  {check}") and words in text]
        if check == "missing_table":
            assert shown_at, (check, words)
        elif check == "narrative":  # printed vs computed, with the sentence's page among the cells'
            assert any("printed" in at and f"{page}" in at for at in shown_at), (check, page, shown_at)
        else:
            assert any(at.startswith(f"      page {page}: «") for at in shown_at), (check, page, shown_at)

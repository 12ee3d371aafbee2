"""Parsed tables against golden files written by hand from the documents."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.types import ParsedDocument, Table

GOLDEN = Path(__file__).parent / "golden"


def _lines(name: str) -> list[list[str]]:
    text = (GOLDEN / name).read_text(encoding="utf-8")
    return [line.split("|") for line in text.splitlines() if line and not line.startswith("#")]


def _table(doc: ParsedDocument, title: str) -> Table:
    (table,) = [t for t in doc.tables if t.title == title]
    return table


def _grid(table: Table) -> list[list[str]]:
    return [[row.code, row.label, *(cell.text for cell in row.cells)] for row in table.rows]


def _numeric_cells(table: Table) -> list[list[str]]:
    return [
        [row.group, row.label, "/".join(cell.column), cell.text]
        for row in table.rows
        for cell in row.cells
        if cell.value is not None
    ]


def test_hebei_basic_expenditure_cell_by_cell(parsed):
    table = _table(parsed["luquan-keji-2024-budget.txt"], "部门预算一般公共预算财政拨款基本支出表")
    assert table.kind == "一般公共预算基本支出表"
    assert table.unit == "万元"
    assert table.pages == (15, 16)
    assert _grid(table) == _lines("hebei-jiben.txt")


def test_hebei_three_public_expenses_cell_by_cell(parsed):
    table = _table(parsed["luquan-keji-2024-budget.txt"], "部门预算财政拨款“三公”经费支出表")
    assert table.kind == "三公经费"
    assert _grid(table) == _lines("hebei-sangong.txt")


def test_hebei_summary_table_reads_income_and_spending_sides(parsed):
    table = _table(parsed["luquan-keji-2024-budget.txt"], "部门预算收支总表")
    assert _numeric_cells(table) == _lines("hebei-shouzhi.txt")


def test_shanghai_summary_tables(parsed):
    shehui = _table(parsed["putuo-shehuigongzuobu-2024-final-accounts.pdf"], "收入支出决算总表")
    caizheng = _table(parsed["putuo-caizhengju-2024-final-accounts.pdf"], "收入支出决算总表")
    assert _numeric_cells(shehui) == _lines("shehui-shouzhi.txt")
    assert _numeric_cells(caizheng) == _lines("caizheng-shouzhi.txt")
    assert caizheng.pages == (6, 7)  # continues on page 7 without a repeated title


@pytest.mark.parametrize(
    ("name", "golden", "pages"),
    [
        ("putuo-shehuigongzuobu-2024-final-accounts.pdf", "shehui-jiben.txt", (13, 13)),
        ("putuo-caizhengju-2024-final-accounts.pdf", "caizheng-jiben.txt", (16, 17)),
    ],
)
def test_side_by_side_economic_classification_cell_by_cell(parsed, name, golden, pages):
    """Left (301/303) and right (302/310) halves are two row sets, interleaved in print order."""
    table = _table(parsed[name], "一般公共预算财政拨款基本支出决算表")
    assert (table.kind, table.unit, table.pages) == ("一般公共预算基本支出表", "万元", pages)
    assert [[r.group, r.code, r.label, *(c.text for c in r.cells)] for r in table.rows] == _lines(golden)


@pytest.mark.parametrize(
    ("name", "golden", "pages"),
    [
        ("putuo-shehuigongzuobu-2024-final-accounts.pdf", "shehui-zhichu.txt", (8, 9)),
        ("putuo-caizhengju-2024-final-accounts.pdf", "caizheng-zhichu.txt", (10, 11)),
    ],
)
def test_shanghai_spending_tables_cell_by_cell(parsed, name, golden, pages):
    table = _table(parsed[name], "支出决算表")
    assert (table.kind, table.unit, table.pages) == ("支出表", "万元", pages)
    assert table.header[:3] == [("本年支出合计",), ("基本支出",), ("项目支出",)]
    assert _grid(table) == _lines(golden)


def test_caizhengju_three_public_expenses_row(parsed):
    table = _table(parsed["putuo-caizhengju-2024-final-accounts.pdf"], "财政拨款“三公”经费支出决算表")
    assert (table.kind, table.unit, table.pages) == ("三公经费", "万元", (18, 18))
    top = "财政拨款“三公”经费"
    assert table.header == [
        (top, "合计", "预算数"), (top, "合计", "决算数"),
        (top, "因公出国（境）费", "预算数"), (top, "因公出国（境）费", "决算数"),
        (top, "公务用车购置及运行费", "小计", "预算数"), (top, "公务用车购置及运行费", "小计", "决算数"),
        (top, "公务用车购置及运行费", "公务用车购置费", "预算数"), (top, "公务用车购置及运行费", "公务用车购置费", "决算数"),
        (top, "公务用车购置及运行费", "公务用车运行费", "预算数"), (top, "公务用车购置及运行费", "公务用车运行费", "决算数"),
        (top, "公务接待费", "预算数"), (top, "公务接待费", "决算数"),
    ]
    (row,) = table.rows
    assert [c.text for c in row.cells] == ["0.95", "", "", "", "", "", "", "", "", "", "0.95", ""]


def test_shehui_three_public_expenses_table_is_printed_empty(parsed):
    table = _table(parsed["putuo-shehuigongzuobu-2024-final-accounts.pdf"], "财政拨款“三公”经费支出决算表")
    assert (table.kind, table.pages, table.empty) == ("三公经费", (14, 14), True)
    assert table.rows == []
    assert "本表无数据" in table.note


def test_codes_split_over_lei_kuan_xiang_are_joined(parsed):
    table = _table(parsed["putuo-caizhengju-2024-final-accounts.pdf"], "支出决算表")
    rows = {r.code: r for r in table.rows}
    assert rows["2010601"].label == "行政运行"
    assert rows["2010601"].level == "项"
    assert [c.text for c in rows["2010601"].cells[:3]] == ["1,511.89", "1,503.52", "8.37"]
    assert rows["2010601"].cells[0].value == 1511.89
    assert rows["20106"].level == "款" and rows["201"].level == "类"


def test_header_misaligned_on_some_pages_is_repaired(parsed):
    table = _table(parsed["luquan-keji-2024-budget.txt"], "部门预算收入总表")
    total = table.rows[0]
    by_column = {"/".join(c.column): c.text for c in total.cells}
    assert by_column["上年结转"] == "263.06"
    assert by_column["本年收入/财政拨款收入"] == "11634.30"
    assert by_column["本年收入/其他收入"] == ""


def test_empty_tables_are_recognised(parsed):
    hebei = _table(parsed["luquan-keji-2024-budget.txt"], "部门预算政府性基金预算财政拨款支出表")
    shehui = _table(parsed["putuo-shehuigongzuobu-2024-final-accounts.pdf"], "财政拨款“三公”经费支出决算表")
    assert hebei.empty and "空表列示" in hebei.note
    assert shehui.empty and shehui.kind == "三公经费"


def test_every_listed_table_is_found_with_kind_unit_and_pages(parsed):
    doc = parsed["luquan-keji-2024-budget.txt"]
    listed = [(title, page) for title, page in doc.contents if title.endswith("表") and page]
    assert len(listed) == 9
    found = {t.title: t for t in doc.tables}
    for title, page in listed:
        assert found[title].pages[0] == page, title
        assert found[title].unit == "万元"
        assert found[title].kind != "other"


def test_hebei_income_table_cell_by_cell(parsed):
    table = _table(parsed["luquan-keji-2024-budget.txt"], "部门预算收入总表")
    assert (table.kind, table.unit, table.pages) == ("收入表", "万元", (5, 7))
    assert table.header[-2:] == [("本年收入", "其他收入"), ("上年结转",)]
    assert _grid(table) == _lines("hebei-shouru.txt")


def test_hebei_spending_table_cell_by_cell(parsed):
    table = _table(parsed["luquan-keji-2024-budget.txt"], "部门预算支出总表")
    assert (table.kind, table.unit, table.pages) == ("支出表", "万元", (8, 9))
    assert table.header == [("合计",), ("基本支出",), ("项目支出",), ("经营支出",), ("上解上级支出",), ("对附属单位补助支出",)]
    assert _grid(table) == _lines("hebei-zhichu.txt")


# Pages read from the PDFs (the Shanghai 目录 lists titles without page numbers).
SHANGHAI_TABLES = {
    "putuo-shehuigongzuobu-2024-final-accounts.pdf": [
        (5, 5), (6, 7), (8, 9), (10, 11), (12, 12), (13, 13), (14, 14), (15, 15), (16, 16),
    ],
    "putuo-caizhengju-2024-final-accounts.pdf": [
        (6, 7), (8, 9), (10, 11), (12, 14), (15, 15), (16, 17), (18, 18), (19, 19), (20, 20),
    ],
}
SHANGHAI_KINDS = ["收支总表", "收入表", "支出表", "财政拨款收支总表", "一般公共预算财政拨款支出表", "一般公共预算基本支出表",
                  "三公经费", "政府性基金", "国有资本经营"]


@pytest.mark.parametrize("name", sorted(SHANGHAI_TABLES))
def test_every_table_in_the_shanghai_contents_is_found(parsed, name):
    doc = parsed[name]
    listed = [re.sub(r"^[一二三四五六七八九十]+、", "", title) for title, _ in doc.contents if title.endswith("表")
              and not title.startswith("第")]
    found = {t.title: t for t in doc.tables}
    assert [(found[t].kind, found[t].unit, found[t].pages) for t in listed] == [
        (kind, "万元", pages) for kind, pages in zip(SHANGHAI_KINDS, SHANGHAI_TABLES[name], strict=True)
    ]

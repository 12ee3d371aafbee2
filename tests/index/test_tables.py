"""Parsed tables against golden files written by hand from the documents."""

from __future__ import annotations

from pathlib import Path

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


def test_side_by_side_economic_classification_is_two_row_sets(parsed):
    table = _table(parsed["putuo-shehuigongzuobu-2024-final-accounts.pdf"], "一般公共预算财政拨款基本支出决算表")
    right = [[r.code, r.label, r.cells[0].text] for r in table.rows if r.code.startswith(("302", "310"))]
    nonzero = [row for row in right if row[2] not in ("", "0.00")]
    assert nonzero == _lines("shehui-jiben-right.txt")
    left = {r.code: r.cells[0].text for r in table.rows if r.code.startswith(("301", "303"))}
    assert left["30113"] == "17.70" and left["30108"] == "6.18"  # wrapped label "…基本\n养老保险缴费"


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

"""Captions in every layout: title lines, table numbers, scope lines, captions inside the frame, running headers."""

from __future__ import annotations

from index.blocks import Block, Grid, GridCell, Line
from index.segment import segment


def _grid(page: int, rows: list[list[str]], merged_first: bool = False) -> Grid:
    cells = [[GridCell(text, page) for text in row] for row in rows]
    if merged_first:
        for cell in cells[0][1:]:
            cell.merged = "left"
    return Grid(page, cells, ruled=True)


DATA = [["项目", "预算数"], ["一、一般公共预算拨款收入", "4,651.67"]]


def test_number_title_and_scope_line_caption_one_table() -> None:
    blocks: list[Block] = [Line(3, "公开01表"), Line(3, "收支总表"), Line(3, "部门：苏州市审计局 单位：万元"), _grid(3, DATA)]
    (table,) = segment(blocks).tables
    assert (table.title, table.number, table.scope, table.unit) == ("收支总表", "公开01表", "苏州市审计局", "万元")


def test_scope_lines_without_colons_and_coded_names() -> None:
    blocks: list[Block] = [Line(1, "2026年市级部门收支预算总表"), Line(1, "341-湖州市财政局 单位：万元"), _grid(1, DATA),
              Line(2, "收入总表"), Line(2, "单位名称 重庆市气象局 单位 万元"), _grid(2, DATA)]
    first, second = segment(blocks).tables
    assert (first.scope, first.unit) == ("湖州市财政局", "万元")
    assert (second.scope, second.unit) == ("重庆市气象局", "万元")


def test_caption_rows_inside_the_frame_are_read_as_lines() -> None:
    rows = [["公开02表", "", ""], ["收入总表", "", ""], ["部门：苏州市审计局", "", "单位：万元"],
            ["部门名称", "合计", "一般公共预算"], ["苏州市审计局", "4,651.67", "4,651.67"]]
    grid = _grid(10, rows)
    for row in grid.rows[:2]:
        for cell in row[1:]:
            cell.merged = "left"
    (table,) = segment([grid]).tables
    assert (table.title, table.number, table.unit) == ("收入总表", "公开02表", "万元")
    assert table.grids[0].rows[0][0].text == "部门名称"


def test_running_header_neither_closes_a_table_nor_becomes_narrative() -> None:
    header = "苏州市审计局2026年度部门预算公开"
    blocks: list[Block] = []
    for page in range(1, 7):
        blocks.append(Line(page, header))
        blocks.append(Line(page, f"第{page}段正文，说明本部门的职责。"))
    blocks += [Line(7, header), Line(7, "财政拨款收支总表"), Line(7, "单位：万元"), _grid(7, DATA),
               Line(8, header), _grid(8, [["（二十）住房保障支出", "1,302.95"]])]
    parts = segment(blocks)
    (table,) = parts.tables
    assert table.pages == (7, 8)
    assert all(line.text != header for line in parts.narrative)


def test_a_few_shaded_words_amid_paragraphs_stay_narrative() -> None:
    blocks: list[Block] = [Line(5, "（一）收入预算：包括一般公共预算、政府性基金、国有"), _grid(5, [["万元，其中，", "一般公"]]),
              Line(5, "资本经营预算等财政拨款收入。")]
    parts = segment(blocks)
    assert parts.tables == []
    assert "万元，其中， 一般公" in [line.text for line in parts.narrative]

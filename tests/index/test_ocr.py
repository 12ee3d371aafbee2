"""OCR of scanned pages: real scans from the Changsha corpus, read by the real engine.

Every expected value below was read by eye from the page images, not copied from OCR output:

- 文化广电旅游体育局_2026年部门预算.pdf page 2: 2025年文化和旅游项目资金安排表, a ruled table
  printed sideways across a portrait page, with a red seal stamped over its first rows and a
  合计 row whose label spans three columns.
- 市场监督管理局_2026年部门预算.pdf page 1: a page of text with thousands-separated figures.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from index.blocks import Block, Grid, GridCell, Line
from index.ocr import _numeric, ocr_blocks
from index.types import BBox

CHANGSHA = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "regions" / "changsha"
TABLE_SCAN = CHANGSHA / "文化广电旅游体育局_2026年部门预算.pdf"
TEXT_SCAN = CHANGSHA / "市场监督管理局_2026年部门预算.pdf"

HEADER = ["项目单位", "项目内容", "支出功能科目", "政府预算经济科目", "部门预算支出经济科目", "金额"]

# 项目内容 -> (部门预算支出经济科目, 金额), one row each
ROWS = {
    "长沙文旅2025年户外3D大屏宣传项目": ("30227委托业务费", "10.2714"),
    "长沙文旅2025年户外3D大屏宣传项目招标代理费": ("30227委托业务费", "0.3116"),  # under the seal
    "2025年“文旅长沙”视觉影像宣传项目": ("30227委托业务费", "16.19"),
    "2025年“文旅长沙”视觉影像宣传项目招标代理费": ("30227委托业务费", "0.495"),
    "长沙文旅境外媒体宣传项目": ("30227委托业务费", "7.9"),
    "长沙文旅境外媒体宣传项目专家评审费": ("30226劳务费", "0.09"),
}


def _read(path: Path, number: int) -> tuple[list[Block], BBox]:
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[number - 1]
        assert not page.chars and page.images, "the page should be a scan with no text layer"
        x0, top, x1, bottom = page.bbox
        return ocr_blocks(page, number), (float(x0), float(top), float(x1), float(bottom))


@pytest.fixture(scope="module")
def table_page() -> tuple[list[Block], BBox]:
    return _read(TABLE_SCAN, 2)


@pytest.fixture(scope="module")
def text_page() -> tuple[list[Block], BBox]:
    return _read(TEXT_SCAN, 1)


def _grid(blocks: list[Block]) -> Grid:
    (grid,) = [block for block in blocks if isinstance(block, Grid)]
    return grid


def _row(grid: Grid, label: str) -> list[GridCell]:
    (row,) = [row for row in grid.rows if row[1].text == label]
    return row


def test_scanned_table_is_one_grid_under_its_header(table_page):
    grid = _grid(table_page[0])
    assert grid.ruled
    assert (len(grid.rows), grid.width) == (11, 6)  # header, nine projects, 合计
    assert grid.texts(0) == HEADER


@pytest.mark.parametrize("label", ROWS)
def test_figures_stand_in_the_row_of_their_label(table_page, label):
    row = _row(_grid(table_page[0]), label)
    subject, amount = ROWS[label]
    assert [cell.text for cell in row] == ["市文旅广电局", label, "2070113旅游宣传", "50205委托业务费", subject, amount]


def test_total_label_spans_three_columns(table_page):
    total = _grid(table_page[0]).rows[-1]
    assert [(cell.text, cell.merged) for cell in total] == [
        ("合计", ""),
        ("", "left"),
        ("", "left"),
        ("", ""),
        ("", ""),
        ("35.678", ""),
    ]
    label, covered = total[0].bbox, [cell.bbox for cell in total[1:3]]
    assert label and all(bbox and _inside(bbox, label, slack=2) for bbox in covered)


def test_cell_box_outlines_the_cell_on_the_page_as_shown(table_page):
    # The table lies sideways: its 金额 column runs along the top of the page. The 35.678
    # cell was measured on a ruled rendering of the page.
    (cell,) = [cell for row in _grid(table_page[0]).rows for cell in row if cell.text == "35.678"]
    assert cell.bbox == pytest.approx((314, 18, 337, 97), abs=3)


def test_title_and_unit_are_lines_before_the_grid(table_page):
    blocks = table_page[0]
    texts = [block.text if isinstance(block, Line) else "<grid>" for block in blocks]
    assert texts.index("2025年文化和旅游项目资金安排表") < texts.index("金额单位：万元") < texts.index("<grid>")
    assert texts.index("<grid>") < texts.index("第1页")
    assert not any("专用章" in text for text in texts)  # the seal's words are no part of the page


def test_text_page_yields_lines_and_no_grid(text_page):
    blocks = text_page[0]
    assert all(isinstance(block, Line) for block in blocks)
    text = "".join(block.text for block in blocks if isinstance(block, Line))
    assert text.startswith("2022年度长沙市市场监督管理局市场监督专项及部门项目支出绩效评价结果")
    for figure in ("12,954.16", "3,683.76", "9,270.40", "13,205.30", "4,209.23", "8,996.07", "12,667.08"):
        assert figure in text  # commas read as commas: the page is read at the scan's own resolution


def test_the_table_turned_the_other_way_reads_the_same():
    # The same scan with the page turned 180 degrees: the table now lies sideways the other
    # way round, and its boxes must turn with it.
    with pikepdf.open(TABLE_SCAN) as source:
        turned = pikepdf.new()
        turned.pages.append(source.pages[1])
        turned.pages[0].rotate(180, relative=True)
        data = io.BytesIO()
        turned.save(data)
    with pdfplumber.open(data) as pdf:
        page = pdf.pages[0]
        grid = _grid(ocr_blocks(page, 1))
        width, height = float(page.width), float(page.height)
    assert grid.texts(0) == HEADER
    assert [cell.text for cell in _row(grid, "长沙文旅境外媒体宣传项目")][-1] == "7.9"
    (cell,) = [cell for row in grid.rows for cell in row if cell.text == "35.678"]
    assert cell.bbox == pytest.approx((width - 337, height - 97, width - 314, height - 18), abs=3)


@pytest.mark.parametrize("page", ["table_page", "text_page"])
def test_every_block_is_marked_as_ocr_with_boxes_on_the_page(page, request):
    blocks, page_box = request.getfixturevalue(page)
    number = 2 if page == "table_page" else 1
    assert blocks
    for block in blocks:
        assert block.page == number
        if isinstance(block, Line):
            assert block.ocr and block.text
            continue
        for cell in (cell for row in block.rows for cell in row):
            assert cell.ocr and cell.page == number
            assert cell.bbox is not None and _inside(cell.bbox, page_box)
            assert cell.bbox[0] < cell.bbox[2] and cell.bbox[1] < cell.bbox[3]


@pytest.mark.parametrize(
    ("read", "kept"),
    [
        ("１２，５４２．７４", "12,542.74"),  # full-width
        ("1O.5", "10.5"),  # letter O among digits
        ("l,234.00", "1,234.00"),
        ("12.542.74", "12,542.74"),  # a number has one decimal point: the others were commas
        ("12, 542.74", "12,542.74"),
        ("0.495", "0.495"),
        ("12.54.74", "12.54.74"),  # not a misread thousands separator: left as read
        ("1 234", "1 234"),  # two numbers or one? left as read
        ("lO", "lO"),  # no real digit to go by
        ("2070113旅游宣传", "2070113旅游宣传"),
        ("2.88%", "2.88%"),
    ],
)
def test_numbers_are_normalised_only_when_unambiguous(read, kept):
    assert _numeric(read) == kept


def _inside(inner: BBox, outer: BBox, slack: float = 0.0) -> bool:
    return (
        inner[0] >= outer[0] - slack
        and inner[1] >= outer[1] - slack
        and inner[2] <= outer[2] + slack
        and inner[3] <= outer[3] + slack
    )


def test_without_the_ocr_engine_a_scan_is_refused_naming_its_page_and_why(monkeypatch):
    """As on Python 3.13, where rapidocr-onnxruntime has no wheel: the scan is refused, not misread."""
    from index import UnsupportedDocument
    from index.load_pdf import read_pdf
    from index.ocr import _engine
    from index.types import Limits

    _engine.cache_clear()
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # its import fails, as when not installed
    try:
        with pytest.raises(UnsupportedDocument, match=r"page 1: the page is scanned .* Python 3.11 and 3.12 only"):
            read_pdf(TEXT_SCAN, TEXT_SCAN.name, Limits())
    finally:
        _engine.cache_clear()  # the next test loads the real engine again

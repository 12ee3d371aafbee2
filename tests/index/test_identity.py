"""Department, year and kind come from what the document prints; the file name only where the text bears it out."""

from __future__ import annotations

import pytest

from index.blocks import Block, Line
from index.identity import describe
from index.types import Document


def _doc(cover: list[str], body: tuple[str, ...] = (), source: str = "2026年某市某局部门预算.pdf") -> Document:
    blocks: list[Block] = [Line(1, text) for text in cover]
    blocks += [Line(3, text) for text in body]
    return describe("id", source, 3, blocks)


@pytest.mark.parametrize(
    ("cover", "department", "year", "kind"),
    [
        (["2026年", "广州市科学技术局部门预算"], "广州市科学技术局", 2026, "预算"),
        (["2026 年度苏州市审计局部门预算公开"], "苏州市审计局", 2026, "预算"),
        (["上海市2026年市级单位预算", "预算单位：上海市信访办公室"], "上海市信访办公室", 2026, "预算"),
        (["中共上海市普陀区委社会工作部", "2024年度部门决算"], "中共上海市普陀区委社会工作部", 2024, "决算"),
        (["重庆市气象局 年部门预算情况说明", "2026"], "重庆市气象局", 2026, "预算"),
        (["嘉兴市人民政府办公室文件", "嘉政办发〔2026〕11 号"], "嘉兴市人民政府办公室", 2026, ""),
    ],
)
def test_cover_variants(cover: list[str], department: str, year: int, kind: str) -> None:
    document = _doc(cover)
    assert (document.department, document.year, document.kind, document.identity_from) == (department, year, kind, "cover")


def test_the_file_name_is_used_only_where_the_text_bears_it_out() -> None:
    form = _doc(["政府信息公开申请表", "申请人信息 姓名"], source="2026年济南市审计局部门预算.pdf")
    assert (form.department, form.year, form.kind, form.identity_from) == ("", None, "", "file name")
    named = _doc(["济南市审计局政府信息公开申请表"], source="2026年济南市审计局部门预算.pdf")
    assert named.department == "济南市审计局" and named.year is None


def test_a_running_header_names_the_document_when_the_cover_does_not() -> None:
    document = _doc(["目录"], ("无锡市信访局2025年度部门预算公开", "一、部门职责"), source="信访局_2026年部门预算.pdf")
    assert (document.department, document.year, document.identity_from) == ("无锡市信访局", 2025, "heading")


def test_summary_scope() -> None:
    document = _doc(["2026年", "广州市科学技术局部门预算"], ("本部门预算为汇总预算，包括：局本级预算",))
    assert document.scope == "汇总"

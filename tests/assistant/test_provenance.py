"""A figure read by OCR, or belonging to a sub-unit, says so where it is cited."""

from __future__ import annotations

from assistant.compose import where
from assistant.knowledge import table_statement
from index.facts import all_facts
from index.types import Fact
from tests.index.regions import parsed

SCANNED = "changsha/文化广电旅游体育局_2026年部门预算.pdf"
SUMMARY = "huzhou/2026年湖州市卫生健康委员会部门预算.pdf"


def _fact(file: str, value: float) -> Fact:
    return next(f for f in all_facts(parsed(file)) if abs(f.value - value) < 1e-9)


def test_a_figure_read_by_ocr_is_cited_as_such() -> None:
    document = parsed(SCANNED).document
    statement = table_statement(document, _fact(SCANNED, 7.9))
    assert statement.citation.ocr and statement.citation.bbox is not None
    assert where(statement.citation, "zh").endswith("OCR识别")
    assert where(statement.citation, "en").endswith("read by OCR")


def test_a_sub_units_figure_names_the_unit() -> None:
    document = parsed(SUMMARY).document
    fact = next(f for f in all_facts(parsed(SUMMARY)) if f.entity == "湖州市中心血站" and f.table_kind == "收入表")
    citation = table_statement(document, fact).citation
    assert citation.entity == "湖州市中心血站" and not citation.ocr
    assert where(citation, "zh").startswith("湖州市中心血站·")

"""Every numeric cell of a parsed document as a ``Fact`` with its provenance."""

from __future__ import annotations

from index.text import decimals, to_yuan
from index.types import Fact, ParsedDocument, PerformanceTable, Table

_NON_MONEY_COLUMNS = ("数量", "人数", "面积", "次数")


def table_facts(document: str, table: Table) -> list[Fact]:
    facts = []
    for index, row in enumerate(table.rows):
        for cell in row.cells:
            if cell.value is None:
                continue
            unit = "" if any(word in part for part in cell.column for word in _NON_MONEY_COLUMNS) else table.unit
            facts.append(
                Fact(
                    document=document,
                    table=table.id,
                    table_title=table.title,
                    table_kind=table.kind,
                    page=cell.page,
                    row=row.label,
                    code=row.code,
                    column=cell.column,
                    value=cell.value,
                    unit=unit,
                    value_yuan=to_yuan(cell.value, unit),
                    text=cell.text,
                    row_index=index,
                    group=row.group,
                    bbox=cell.bbox,
                    entity=row.entity or table.entity,
                    ocr=cell.ocr,
                )
            )
    return facts


def performance_facts(document: str, table: PerformanceTable) -> list[Fact]:
    def fact(row: str, column: tuple[str, ...], value: float, unit: str, text: str, index: int, page: int) -> Fact:
        return Fact(document, table.id, table.title, "项目绩效目标表", page, row, table.project_code,
                    column, value, unit, to_yuan(value, unit), text, index)

    # the printed label stays in the path: "资金总额" is this form's 预算数
    budget = ("预算数",) if table.budget_label == "预算数" else ("预算数", table.budget_label)
    facts = []
    for column, value in ((budget, table.budget), (("财政资金",), table.fiscal), (("其他资金",), table.other)):
        if value is not None:
            facts.append(fact(table.project, column, value, table.unit, f"{value:.2f}", 0, table.pages[0]))
    for amount in table.amounts:
        if "/".join(amount.column) == table.budget_label:
            continue  # already stated as the form's 预算数
        facts.append(fact(table.project, amount.column, amount.value, table.unit, amount.text, 0, amount.page))
    for index, indicator in enumerate(table.indicators, start=1):
        if indicator.value is not None:
            row = indicator.level3 or indicator.description
            facts.append(fact(row, ("指标值",), indicator.value, indicator.unit, indicator.value_text, index, indicator.page))
    return facts


def all_facts(parsed: ParsedDocument) -> list[Fact]:
    doc = parsed.document.id
    facts = [fact for table in parsed.tables for fact in table_facts(doc, table)]
    facts += [fact for table in parsed.performance for fact in performance_facts(doc, table)]
    return facts


def tolerance(*texts: str) -> float:
    """One unit in the last printed decimal of the least precise figure."""
    return max(10.0 ** -decimals(text) for text in texts) * 1.0001

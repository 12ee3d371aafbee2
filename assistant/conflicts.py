"""The document's own disagreements about a figure, as the ingest checks recorded them.

A narrative figure that disagrees with its table, or the same figure printed differently in
two tables, becomes a conflict: both are shown, each cited; the table (for narrative
disagreements) or the defining table (the first cell of the finding) is authoritative.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from assistant.knowledge import DocumentView
from assistant.types import Citation, Conflict, Statement

_CHECKS = ("narrative", "cross_table", "parent_sum")


def conflicts_for(view: DocumentView, best: Statement) -> tuple[Statement, list[Conflict]]:
    """The statement to lead with (the authoritative one) and what contradicts it."""
    for finding in view.failed_findings:
        if finding["check"] not in _CHECKS:
            continue
        cells: list[dict[str, Any]] = list(finding["cells"])
        if finding["check"] == "parent_sum":
            parent = _statement(view, cells[0])
            if parent and _same(best, parent):
                return parent, [_sum_of_items(view, finding, cells[1:])]
        elif finding["check"] == "narrative":
            table_cell = _statement(view, cells[0])
            narrative = _narrative(view, str(finding["sentence"]), float(finding["actual"]))
            if table_cell and narrative and (_same(best, table_cell) or _same(best, narrative)):
                return table_cell, [Conflict(narrative.value, narrative.unit, narrative.citation)]
        else:
            statements = [s for s in (_statement(view, c) for c in cells) if s is not None]
            if any(_same(best, s) for s in statements):
                lead = statements[0]
                others = [s for s in statements[1:] if abs(s.value - lead.value) > 1e-9]
                return lead, [Conflict(s.value, s.unit, s.citation) for s in others]
    return best, []


def _same(a: Statement, b: Statement) -> bool:
    """The same printed figure: one row of one table (any of its columns printing that value)."""
    if a.kind == "narrative" or b.kind == "narrative":
        return a.citation == b.citation
    return a.ref == b.ref and a.citation.row == b.citation.row and abs(a.value - b.value) < 1e-9


def _sum_of_items(view: DocumentView, finding: dict[str, Any], items: list[dict[str, Any]]) -> Conflict:
    """A parent row printed unlike the sum of its items: the sum, cited at the first item."""
    first = _statement(view, items[0]) if items else None
    doc = view.document
    labels = "、".join(str(c["row"]) for c in items[:3]) + ("等" if len(items) > 3 else "")
    text = f"各明细项（{labels}）合计{float(finding['expected']):.2f}"
    base = first.citation if first else Citation(doc.id, doc.title, int(items[0]["page"]) if items else 0, source=doc.source)
    citation = replace(base, value=float(finding["expected"]), text=text, row=None, code=None)
    return Conflict(float(finding["expected"]), str(items[0]["unit"]) if items else "", citation, "items")


def _statement(view: DocumentView, cell: dict[str, Any]) -> Statement | None:
    column = " / ".join(cell["column"]) or None
    return next(
        (s for s in view.statements if s.ref == cell["table"] and s.citation.row == cell["row"]
         and s.citation.column == column and s.citation.page == cell["page"] and s.value == cell["value"]),
        None,
    )


def _narrative(view: DocumentView, sentence: str, value: float) -> Statement | None:
    def matches(citation: Citation, candidate: Statement) -> bool:
        return citation.text == sentence and abs(candidate.value - value) < 1e-9

    return next((s for s in view.statements if s.kind == "narrative" and matches(s.citation, s)), None)

"""The Hebei text rendered as a ruled PDF (tables running over pages untitled) parses to the same facts."""

from __future__ import annotations

import pytest

from index.facts import all_facts
from index.parse import parse_file
from tests.conftest import HEBEI
from tests.render_pdf import render


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    path = tmp_path_factory.mktemp("render") / "luquan-keji-2024-budget.pdf"
    continued = render(HEBEI, path)
    return path, continued


def _facts(parsed):
    return sorted((f.table_title, f.group, f.row, f.code, f.column, f.value, f.unit) for f in all_facts(parsed))


def test_rendered_pdf_yields_the_facts_of_the_text_form(rendered, parsed):
    path, continued = rendered
    assert continued, "the fixture must make at least one table run over a page"
    text_form = parsed[HEBEI.name]
    pdf = parse_file(path, path.name)
    assert pdf.document.kind == text_form.document.kind == "预算"
    assert pdf.document.department == text_form.document.department
    assert [(t.title, t.kind, t.unit, len(t.rows)) for t in pdf.tables] == [
        (t.title, t.kind, t.unit, len(t.rows)) for t in text_form.tables
    ]
    assert [(p.project, p.budget, len(p.indicators)) for p in pdf.performance] == [
        (p.project, p.budget, len(p.indicators)) for p in text_form.performance
    ]
    facts = _facts(pdf)
    assert len(facts) > 600
    assert facts == _facts(text_form)


def test_a_table_continued_without_title_keeps_its_pages(rendered):
    path, continued = rendered
    pdf = parse_file(path, path.name)
    spanning = [t for t in pdf.tables if t.pages[0] < t.pages[1]]
    assert {page for t in spanning for page in range(t.pages[0] + 1, t.pages[1] + 1)} & set(continued)
    for table in spanning:
        pages = {cell.page for row in table.rows for cell in row.cells}
        assert pages == set(range(table.pages[0], table.pages[1] + 1)), table.title

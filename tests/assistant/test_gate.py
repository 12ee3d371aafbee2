"""The last gate before "verified": a figure, however it was chosen (the rules, or a model's
reading), must agree with what the asker's own words pin down, or it is only offered."""

from __future__ import annotations

from dataclasses import replace

from assistant import query
from assistant.execute import found_in
from assistant.match import Scored
from assistant.types import Found, Offered
from assistant.understand import understand
from assistant.verify import checked, holds

LUQUAN = "石家庄市鹿泉区科学技术和工业信息化局"


def _luquan(assistant):
    profile = next(p for p in assistant.knowledge.profiles() if p.document.department == LUQUAN)
    return assistant.knowledge.views([profile])[0]


def _query(assistant, text: str):
    view = _luquan(assistant)
    return replace(query.of(understand(text), assistant.knowledge, {view.document.id}), documents=(view,), named=True)


def _found(view, table: str, row: str, column: str) -> Found:
    statement = next(s for s in view.statements if s.citation.table == table and s.citation.row == row
                     and s.citation.column == column)
    return found_in(view, [Scored(statement, 1.0, 1.0, 1.0, 0.0)])


def test_the_figure_asked_passes(assistant):
    view = _luquan(assistant)
    found = _found(view, "部门预算支出总表", "住房公积金", "合计")
    asked = _query(assistant, "鹿泉区科技局住房公积金支出是多少？")
    assert holds(asked, found) and checked(asked, found) is found


def test_a_figure_of_another_year_than_the_one_said_is_only_offered(assistant):
    view = _luquan(assistant)
    found = _found(view, "部门预算支出总表", "住房公积金", "合计")  # the 2024 budget's own year
    asked = _query(assistant, "鹿泉区科技局2022年住房公积金是多少？")
    assert not holds(asked, found)
    offered = checked(asked, found)
    assert isinstance(offered, Offered) and offered.options[0][1] is found.best


def test_an_income_figure_never_answers_a_question_about_spending(assistant):
    view = _luquan(assistant)
    found = _found(view, "部门预算收入总表", "住房公积金", "合计")
    assert not holds(_query(assistant, "鹿泉区科技局住房公积金支出是多少？"), found)


def test_a_count_never_answers_a_question_about_money(assistant):
    view = _luquan(assistant)
    count = next(s for s in view.statements if s.citation.column == "数量" and "空调机" in (s.citation.row or ""))
    found = found_in(view, [Scored(count, 1.0, 1.0, 1.0, 0.0)])
    assert not holds(_query(assistant, "鹿泉区科技局采购空调机花了多少钱？"), found)
    assert holds(_query(assistant, "鹿泉区科技局采购空调机的数量是多少？"), found)

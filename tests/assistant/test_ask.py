"""Questions end to end over the real bundled documents: figures, citations, statuses."""

from __future__ import annotations

from assistant import NOT_FOUND_EN, NOT_FOUND_ZH


def test_project_budget_is_verified_and_cited(assistant):
    answer = assistant.ask("企业奖补安排了多少资金？")
    assert (answer.status, answer.value, answer.unit, answer.value_yuan) == ("verified", 5000.32, "万元", 50_003_200)
    citation = answer.citations[0]
    assert "企业奖补绩效目标表" in citation.table and citation.column == "预算数" and citation.text == "5000.32"
    assert "5000.32万元" in answer.answer
    assert answer.evidence and set(answer.timings_ms) == {"understand", "retrieve", "answer", "total"}


def test_english_question_answers_in_english(assistant):
    answer = assistant.ask("How much did the finance bureau spend on business travel?")
    assert (answer.language, answer.status, answer.value) == ("en", "verified", 1.20)
    assert answer.citations[0].row == "差旅费" and answer.citations[0].page == 16
    assert "RMB 12,000" in answer.answer


def test_change_comes_from_the_narrative(assistant):
    answer = assistant.ask("鹿泉区科技局公务接待费比上年减少了多少？")
    assert (answer.status, answer.value) == ("verified", 0.5)
    assert answer.citations[0].page == 25 and "较上年减少0.5万元" in answer.citations[0].text


def test_share_is_computed_with_its_formula_and_operands(assistant):
    answer = assistant.ask("财政局项目支出占比是多少？")
    assert answer.status == "computed" and round(answer.value, 2) == 20.51 and answer.unit == "%"
    assert answer.formula == "603.14 ÷ 2,940.05 × 100%"
    assert [c.text for c in answer.citations] == ["603.14", "2,940.05"]


def test_difference_of_two_named_rows(assistant):
    answer = assistant.ask("财政局人员经费比公用经费多多少？")
    assert answer.status == "computed" and answer.formula == "2,152.26 − 184.65" and round(answer.value, 2) == 1967.61


def test_document_contradicting_itself_shows_both_figures(assistant):
    answer = assistant.ask("财政局财政拨款收入支出总计是多少？")
    assert (answer.status, answer.value) == ("conflict", 2961.68)
    (conflict,) = answer.conflicts
    assert conflict.value == 0.3 and conflict.citation.page == 21
    assert "以表格数据为准" in answer.answer


def test_parent_row_unlike_the_sum_of_its_items_is_a_conflict(assistant):
    answer = assistant.ask("财政局基本支出中商品和服务支出是多少？")
    assert (answer.status, answer.value) == ("conflict", 171.07)
    assert abs(answer.conflicts[0].value - 171.09) < 1e-9


def test_unanswerable_questions_say_not_found(assistant):
    unanswerable = ("鹿泉区科技局2024年会议费预算是多少？", "财政局2024年的土地出让收入是多少？",
                    "北京市财政局的住房公积金是多少？")
    for question in unanswerable:
        answer = assistant.ask(question)
        assert (answer.status, answer.value, answer.citations) == ("not_found", None, [])
        assert answer.answer.startswith(NOT_FOUND_ZH)
    assert assistant.ask("What is the population of Shijiazhuang?").answer.startswith(NOT_FOUND_EN)


def test_question_across_departments_cites_each(assistant):
    answer = assistant.ask("哪个部门的住房公积金最多？")
    assert answer.value == 187.19 and len({c.document for c in answer.citations}) == 3
    assert answer.answer.startswith("上海市普陀区财政局最多")


def test_why_is_answered_with_the_documents_own_sentence(assistant):
    answer = assistant.ask("为什么鹿泉区科技局项目支出增加？")
    assert answer.status == "quoted" and "企业奖补资金增加" in answer.answer
    assert answer.citations[0].section and answer.citations[0].page == 23


def test_documents_filter_limits_the_search(assistant, corpus):
    shehui = next(d for d in corpus.documents() if "社会工作部" in d.department)
    answer = assistant.ask("住房公积金是多少？", documents=[shehui.id[:8]])
    assert answer.value == 17.70 and {c.document for c in answer.citations} == {shehui.id}


def test_a_measure_the_document_does_not_state_is_not_found(assistant):
    # Final accounts state 决算数 for 会议费; asked for its 预算数, there is nothing to cite.
    assert assistant.ask("社会工作部2024年的会议费预算数是多少？").status == "not_found"
    answer = assistant.ask("社会工作部2024年的会议费是多少？")
    assert (answer.status, answer.value, answer.citations[0].column) == ("verified", 0.0, "决算数")


def test_rate_of_change_comes_from_the_narrative(assistant):
    answer = assistant.ask("财政局收入支出总计下降了百分之几？")
    assert (answer.status, answer.value, answer.unit) == ("verified", 1.87, "%")


def test_a_table_named_in_the_question_filters_retrieval(assistant):
    hits = assistant.retrieve("财政局基本支出表里的办公费是多少？", k=5, mode="dense")
    chunks = assistant.library.store.chunks([h.chunk for h in hits])
    assert hits and {c.meta["table_kind"] for c in chunks.values()} == {"一般公共预算基本支出表"}
    answer = assistant.ask("财政局基本支出表里的办公费是多少？")
    assert (answer.value, answer.citations[0].table) == (21.21, "一般公共预算财政拨款基本支出决算表")


def test_projects_are_listed_and_counted_from_the_performance_tables(assistant):
    counted = assistant.ask("鹿泉区科技局有多少个项目？")
    assert (counted.status, counted.value, counted.unit) == ("computed", 26, "个")
    listed = assistant.ask("Which projects does the Luquan bureau fund?")
    assert listed.status == "verified" and len(listed.citations) == 26
    assert "2024年企业奖补" in listed.answer and "5000.32 万元" in listed.answer

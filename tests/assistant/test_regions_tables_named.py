"""Questions as analysts word them over real regional reports: the table named before a share, a
year written before a measure, department names with 和 in them, English names several
departments answer to, last year's figure from this year's and its stated change.

Gold figures were read from the pages (eval/data/blind_regions*.jsonl notes); the wordings here are
this file's own.
"""

from __future__ import annotations

import pytest

from assistant import Assistant
from index import Library, Settings
from tests.index.regions import REGIONS

DOCUMENTS = [
    REGIONS / "chongqing" / "2026年重庆市水利局部门预算.pdf",
    REGIONS / "chongqing" / "2026年重庆市规划和自然资源局部门预算.pdf",
    REGIONS / "wuxi" / "2026年无锡市住房和建设局部门预算.pdf",
    REGIONS / "wuxi" / "水务局_2026年部门预算.pdf",  # 无锡市水利局: another "Water Resources Bureau"
    REGIONS / "huzhou" / "2026年湖州市财政局部门预算.pdf",
    REGIONS / "wuxi" / "2026年无锡市统计局部门预算.pdf",  # per-unit rows with no unit column
]


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    settings = Settings(data_dir=tmp_path_factory.mktemp("named") / "data", collection="named_test")
    library = Library(settings, embedder=embedder)
    for path in DOCUMENTS:
        library.ingest(path)
    return Assistant(settings, library=library, embedder=embedder, drafter=None)


@pytest.mark.parametrize(("question", "status", "value", "unit"), [
    # the table named first is where part and whole both come from, along one column
    ("重庆水利局政府采购预算明细表里，服务类占采购合计多少比例？", "computed", 75.24, "%"),
    # an English name two departments answer to (水利局, 水务局), with the city: the city's one
    ("What is the Chongqing Water Resources Bureau's total 2026 budget according to its revenue and expenditure table?",
     "verified", 186549.30, "万元"),
    # "规划和自然资源局" is one name, not two things to add; "2025年预算数" is the 2025 column
    ("重庆市规划和自然资源局2026年一般公共预算支出情况表中，2025年预算数合计是多少？", "verified", 219607.38, "万元"),
    # "和下属单位" is the department with its units, not a second thing to count
    ("截至2025年底重庆市水利局和下属单位共有多少辆车？", "verified", 43, "辆"),
    # a change whose subject began on the line above a page-edge break
    ("无锡住建局老旧小区改造支出比上年少了多少？", "verified", 147, "万元"),
    # last year's 执行数: this year's figure and the change against it, computed
    ("湖州市财政局上年收入执行数是多少？", "computed", 7610.61, "万元"),
    # rows labelled by units: the unit asked, its own office (本级), or the department's total
    ("无锡统计局下属的无锡市统计普查中心收入合计是多少？", "verified", 546.18, "万元"),
    ("无锡市统计局（本级）的本年收入是多少？", "verified", 2663.92, "万元"),
    ("无锡市统计局本年收入是多少？", "verified", 3210.10, "万元"),
    # a unit's items listed under its row are the unit's
    ("What does the Wuxi Statistics Bureau's own office (本级) plan to procure in meeting services?", "verified", 2.0, "万元"),
])
def test_answers(assistant, question, status, value, unit):
    answer = assistant.ask(question)
    assert (answer.status, answer.unit) == (status, unit), answer.answer
    assert answer.value == pytest.approx(value, abs=0.005)


def test_last_years_budget_is_not_its_outturn(assistant):
    """The document states last year's 执行数; asked for last year's 预算数, it has no figure."""
    answer = assistant.ask("湖州市财政局上年的收入预算数是多少？")
    assert answer.status in ("not_found", "candidates") and answer.value is None


def test_a_city_without_that_department_is_not_answered_from_another(assistant):
    answer = assistant.ask("What is the Huzhou Water Resources Bureau's total 2026 budget?")
    assert answer.status == "not_found"


def test_a_change_is_never_the_figure_asked(assistant):
    """"基本支出…主要用于保障在职人员工资福利…，比2025年增加2943.64万元": that is a change of 基本支出,
    not what 工资 is."""
    answer = assistant.ask("重庆市水利局的工资是多少？")
    assert answer.value != 2943.64 and not (answer.status == "verified" and answer.citations[0].section)

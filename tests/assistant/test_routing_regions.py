"""Routing among reports of the same department in different cities (real regional PDFs).

Two cities' 交通运输局 reports are ingested side by side: a question names its city (in Chinese,
in a short form or in English) and gets that city's figure; one that names no city is not
answered from either; a city with no report is not found.
"""

from __future__ import annotations

import pytest

from assistant import Assistant
from index import Library, Settings
from tests.index.regions import REGIONS

WUXI = REGIONS / "wuxi" / "2026年无锡市交通运输局部门预算.pdf"
SUZHOU = REGIONS / "suzhou" / "2026年苏州市交通运输局部门预算.pdf"


@pytest.fixture(scope="module")
def two_cities(tmp_path_factory, embedder) -> tuple[Assistant, dict[str, str]]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("routing") / "data", collection="routing_test")
    library = Library(settings, embedder=embedder)
    ids = {name: library.ingest(path).document.id for name, path in (("wuxi", WUXI), ("suzhou", SUZHOU))}
    return Assistant(settings, library=library, embedder=embedder, drafter=None), ids


@pytest.mark.parametrize(
    ("question", "city"),
    [
        ("苏州交通局的公务接待费是多少？", "suzhou"),
        ("无锡市交通运输局公务接待费是多少？", "wuxi"),
        ("How much did the Suzhou Transport Bureau budget for official receptions?", "suzhou"),
    ],
)
def test_the_city_named_is_the_report_cited(two_cities, question, city):
    assistant, ids = two_cities
    answer = assistant.ask(question)
    assert answer.status == "verified", answer.answer
    assert {c.document for c in answer.citations} == {ids[city]}


def test_no_city_named_is_never_one_citys_figure(two_cities):
    assistant, ids = two_cities
    answer = assistant.ask("交通运输局的公务接待费是多少？")
    assert answer.status in ("candidates", "verified")
    assert {c.document for c in answer.citations} == set(ids.values())  # both offered, or one apiece
    assert answer.value is None


def test_a_city_with_no_report_is_not_found(two_cities):
    assistant, _ = two_cities
    for question in ("嘉兴市交通运输局的公务接待费是多少？", "What did the Hangzhou Transport Bureau spend on receptions?"):
        assert assistant.ask(question).status == "not_found", question


def test_two_departments_each_with_its_city_are_those_two_reports(two_cities):
    assistant, ids = two_cities
    answer = assistant.ask("无锡市交通运输局和苏州交通局的公务接待费加起来是多少？")
    assert answer.status == "computed", answer.answer
    assert {c.document for c in answer.citations} == set(ids.values())

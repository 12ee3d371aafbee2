"""Documents by what they are — province, city, district, department, year, kind — read from the
department's name and the cover, and used to keep a question (or a listing) to some of them."""

from __future__ import annotations

import json

import httpx
import pytest

from app import build_app
from assistant import Assistant
from assistant.knowledge import Filters, Places, department_aliases, places_of
from index import NotFound
from tests.cli.test_cli import run
from tests.servers import Server


@pytest.mark.parametrize(("department", "places"), [
    ("上海市普陀区财政局", Places("上海", "上海", "普陀区")),  # a municipality is its own province and city
    ("石家庄市鹿泉区科学技术和工业信息化局", Places("", "石家庄", "鹿泉区")),
    ("天津市河北区教育局", Places("天津", "天津", "河北区")),  # the district 河北区, not the province 河北
    ("河北省财政厅", Places("河北", "", "")),
    ("中共湖州市委宣传部", Places("", "湖州", "")),
    ("湖州市卫生健康委员会", Places("", "湖州", "")),
    ("恩施土家族苗族自治州财政局", Places("", "恩施土家族苗族自治州", "")),
    ("重庆市忠县科学技术局", Places("重庆", "重庆", "忠县")),  # a county of one character
    ("郑州市栾城区绿化和市容管理局", Places("", "郑州", "栾城区")),  # 绿化和市 is no city
    ("云梦泽市财政局", Places()),  # a place the glossary does not know: nothing guessed
    ("深圳市深汕特别合作区发展改革局", Places("", "深圳", "深汕特别合作区")),  # longer than the usual shape of a name
])
def test_places_are_read_from_the_name(department, places):
    assert places_of(department) == places


@pytest.mark.parametrize(("department", "said"), [
    ("重庆市石柱土家族自治县商务局", {"重庆市", "石柱土家族自治县", "商务局"}),  # the county, not 重庆市石柱土家族自治县 whole
    ("酉阳土家族苗族自治县财政局", {"酉阳土家族苗族自治县", "财政局"}),
    ("临夏回族自治州渝中区审计局", {"临夏回族自治州", "渝中区", "审计局"}),
    ("深圳市深汕特别合作区行政审批局", {"深汕特别合作区", "行政审批局", "审批局"}),  # its short form once the place is off
])
def test_a_question_may_name_each_place_of_a_department_on_its_own(department, said):
    assert said <= set(department_aliases(department))


def test_filters_keep_a_question_to_the_documents_they_admit(assistant):
    # 财政局 is Putuo's: kept to Shijiazhuang's reports, no 财政局 is left to answer
    kept = assistant.ask("财政局住房公积金支出是多少？", filters=Filters(city="石家庄"))
    assert kept.status == "not_found"
    putuo = assistant.ask("财政局住房公积金支出是多少？", filters=Filters(district="普陀", kind="决算"))
    assert (putuo.status, putuo.value) == ("verified", 187.19)
    # a question naming no department is answered from the admitted documents alone
    budget = assistant.ask("住房公积金是多少？", filters=Filters(year=2024, kind="预算"))
    assert budget.value == 73.13 and {c.source for c in budget.citations} == {"luquan-keji-2024-budget.txt"}


def test_filters_admitting_nothing_say_so(assistant):
    with pytest.raises(NotFound, match="city=湖州, year=2030"):
        assistant.ask("住房公积金是多少？", filters=Filters(city="湖州", year=2030))


def test_the_cli_lists_and_asks_by_filters(corpus_settings, corpus):
    data = corpus_settings.data_dir
    listed = run("docs", "--city", "上海市", "--json", data=data)
    assert listed.returncode == 0, listed.stderr
    documents = json.loads(listed.stdout)
    assert {d["source"] for d in documents} == {"putuo-caizhengju-2024-final-accounts.pdf",
                                                "putuo-shehuigongzuobu-2024-final-accounts.pdf"}
    assert all(d["places"] == {"province": "上海", "city": "上海", "district": "普陀区"} for d in documents)
    asked = run("ask", "住房公积金是多少？", "--kind", "预算", "--json", data=data)
    assert asked.returncode == 0 and json.loads(asked.stdout)["value"] == 73.13, asked.stderr
    refused = run("ask", "住房公积金是多少？", "--year", "2030", data=data)
    assert refused.returncode != 0 and "no ingested document matches year=2030" in refused.stderr


def test_the_api_lists_and_asks_by_filters(corpus_settings, corpus, embedder):
    assistant = Assistant(corpus_settings, library=corpus, embedder=embedder, drafter=None)
    with Server(build_app(corpus_settings, assistant=assistant)) as server:
        api = httpx.Client(base_url=server.url, timeout=60)
        listed = api.get("/v1/documents", params={"district": "鹿泉"}).json()
        assert [d["source"] for d in listed] == ["luquan-keji-2024-budget.txt"]
        assert listed[0]["places"] == {"province": "", "city": "石家庄", "district": "鹿泉区"}
        assert len(api.get("/v1/documents").json()) == 3
        answer = api.post("/v1/ask", json={"question": "住房公积金是多少？", "filters": {"kind": "预算"}}).json()
        assert answer["value"] == 73.13
        missing = api.post("/v1/ask", json={"question": "住房公积金是多少？", "filters": {"year": 2030}})
        assert missing.status_code == 404 and "year=2030" in missing.text
        assert api.post("/v1/ask", json={"question": "住房公积金是多少？", "filters": {"town": "x"}}).status_code == 422
        assert api.get("/v1/documents", params={"town": "x"}).status_code == 422

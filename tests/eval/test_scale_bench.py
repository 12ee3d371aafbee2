"""The scale benchmark's corpus and questions: generated variants of the bundled text disclosure
that still add up, answers known in advance, and names several places' reports share."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from assistant import Assistant
from eval import scale_bench
from eval.scale_bench import TEMPLATE, Variant, render
from index import Library, Settings

# three districts' reports of one department and year: the department's name alone fits all three
SHARED = [Variant(i, city, district, "审计局", "审计局", 2023, factor)
          for i, (city, district, factor) in enumerate([("鸡西", "渝中区", 3), ("揭阳", "平山县", 5), ("淮安", "大兴区", 7)])]


@pytest.fixture(scope="module")
def shared(tmp_path_factory, embedder):
    work = tmp_path_factory.mktemp("scale")
    settings = Settings(data_dir=work / "data", collection="scale_test")
    library = Library(settings, embedder=embedder)
    template = TEMPLATE.read_text(encoding="utf-8")
    for variant in SHARED:
        path = work / variant.file
        path.write_text(render(variant, template), encoding="utf-8")
        library.ingest(path)
    return settings, library


def _inexact(library: Library, document: str, failed_only: bool) -> set[tuple[str, str]]:
    """Checks whose figures do not agree to the cent (or only those failed), by what they compare:
    the message without figures, names and verdict."""
    def key(message: str) -> str:
        message = re.sub(r"[\u4e00-\u9fff]+市[\u4e00-\u9fff]+?[区县]|石家庄市鹿泉区", "", message)
        return re.sub(r"[\d.,]+| (does not hold|holds)$", "", message)

    return {(f["check"], key(f["message"])) for f in library.store.findings(document)
            if (not f["ok"] and not f.get("rounding")) or (not failed_only and abs(f["expected"] - f["actual"]) > 1e-9)}


def test_a_variant_adds_up_as_the_template_does(shared, corpus):
    """Every amount × a whole factor: no new disagreement, except that the template's own rounding
    slips (8093.27 printed, 8093.28 summed) grow with the factor past what rounding allows."""
    _, library = shared
    template = next(d for d in corpus.documents() if d.source == TEMPLATE.name)
    allowed = _inexact(corpus, template.id, failed_only=False)
    for document in library.documents():
        assert _inexact(library, document.id, failed_only=True) <= allowed, document.source


def test_each_variant_answers_with_its_own_figures(shared, embedder):
    settings, library = shared
    assistant = Assistant(settings, library=library, embedder=embedder, drafter=None)
    for variant in SHARED:
        answer = assistant.ask(f"{variant.district}审计局2023年企业奖补安排了多少资金？")
        assert (answer.status, answer.value) == ("verified", round(5000.32 * variant.factor, 2)), answer.answer
        assert {c.source for c in answer.citations} == {variant.file}


def test_a_name_several_places_share_is_never_answered_from_one_silently(shared, embedder):
    settings, library = shared
    assistant = Assistant(settings, library=library, embedder=embedder, drafter=None)
    each = assistant.ask("2023年审计局企业奖补安排了多少资金？")
    assert {c.source for c in each.citations} == {v.file for v in SHARED}, each.answer  # one figure apiece
    for variant in SHARED:
        assert f"{round(5000.32 * variant.factor, 2):.2f}" in each.answer
    narrowed = Assistant(settings.model_copy(update={"unnamed_documents": 2}), library=library, embedder=embedder,
                         drafter=None).ask("2023年审计局企业奖补安排了多少资金？")
    assert len({c.source for c in narrowed.citations}) == 2 and "3份不同地区的文件相符" in narrowed.answer


def test_the_benchmark_runs_and_judges(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(scale_bench, "ASKED", {"scoped": 4, "unscoped": 4, "ambiguous": 2})
    assert scale_bench.main(["--sizes", "3", "--work", str(tmp_path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    (stage,) = report["stages"]
    assert stage["documents"] == 3 and report["ingest"]["ingested"] == 3
    assert stage["correct"]["scoped"] == "4/4" and stage["correct"]["unscoped"] == "4/4", stage["wrong"]
    assert stage["ask_ms"]["scoped"]["p95"] > 0 and stage["disk_mb"]["facts"] > 0


def test_the_benchmark_asks_through_two_app_servers_on_postgres_and_a_chroma_server(
        tmp_path, capsys, monkeypatch, database_url, chroma_server):
    monkeypatch.setattr(scale_bench, "ASKED", {"scoped": 4, "unscoped": 4, "ambiguous": 0})
    monkeypatch.setenv("BUDGET_QA_DATABASE_URL", database_url)
    monkeypatch.setenv("BUDGET_QA_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("BUDGET_QA_CHROMA_PORT", str(chroma_server))
    monkeypatch.setenv("BUDGET_QA_COLLECTION", "bench_servers")
    assert scale_bench.main(["--sizes", "3", "--work", str(tmp_path), "--app-servers", "2", "--json"]) == 0
    (stage,) = json.loads(capsys.readouterr().out)["stages"]
    assert stage["correct"] == {"scoped": "4/4", "unscoped": "4/4"}, stage["wrong"]
    assert len(stage["app_servers_rss_mb"]) == 2 and min(stage["app_servers_rss_mb"]) > 50
    assert stage["vector_server_peak_rss_mb"] > 50  # the fixture's `chroma run`, found by its port
    assert not (tmp_path / "data" / "facts.sqlite3").exists()  # the facts went to PostgreSQL
    assert all((tmp_path / f"server-{i}.log").exists() for i in range(2))


def test_a_wrong_answer_is_judged_wrong():
    right = {"kind": "scoped", "status": "verified", "value": 10.0, "unit": "万元", "expected": 10.0,
             "sources": ["a.txt"], "document": "a.txt", "versions": False}
    assert scale_bench.judge(right)
    assert not scale_bench.judge({**right, "value": 10.5})
    assert not scale_bench.judge({**right, "sources": ["b.txt"]})
    assert not scale_bench.judge({**right, "status": "candidates"})
    assert scale_bench.judge({**right, "status": "conflict"})  # the figure, with the document's other printing
    silent = {**right, "kind": "ambiguous", "expected": None, "document": ""}
    assert not scale_bench.judge(silent)
    assert scale_bench.judge({**silent, "sources": ["a.txt", "b.txt"]})
    assert replace(SHARED[0], city="临夏回族自治州").name == "临夏回族自治州渝中区审计局"
    assert replace(SHARED[0], city="吉林市").name == "吉林市渝中区审计局"  # not 吉林市市

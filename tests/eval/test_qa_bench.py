"""The question benchmark: gold data is well-formed, and a run scores answers and baselines."""

from __future__ import annotations

import json
from collections import Counter

from eval.qa_bench import HELD_OUT, QUESTIONS, false_verified, load_questions, main

CATEGORIES = {"lookup", "row_column", "performance", "narrative", "arithmetic", "comparison", "unit_conversion",
              "cross_document", "english", "paraphrase", "unanswerable", "conflict"}


def test_gold_questions_cover_every_category():
    questions = load_questions(QUESTIONS)
    assert len(questions) >= 200
    assert set(Counter(q["category"] for q in questions)) == CATEGORIES
    assert len({q["id"] for q in questions}) == len(questions)
    for q in questions + load_questions(HELD_OUT):
        expect = q["expect"]
        assert "value" in expect or "values" in expect or "quote" in expect or expect.get("status") == "not_found", q["id"]
        assert q["cite"] or expect.get("status") == "not_found", q["id"]


def test_a_run_writes_scores_and_baselines(tmp_path, corpus_settings, corpus):
    out = tmp_path / "out"
    assert main(["--data", str(corpus_settings.data_dir), "--out", str(out), "--only", "conflict"]) == 0
    result = json.loads((out / "result.json").read_text(encoding="utf-8"))
    development = result["summary"]["development"]
    assert development["questions"] == 5 and development["false_verified"] == 0
    assert set(development["recall_at_5"]) == {"ours", "bm25", "dense", "naive"}
    assert "| conflict |" in (out / "report.md").read_text(encoding="utf-8")


def test_a_figure_vouched_for_where_none_exists_is_false_verified():
    from assistant.types import Answer, Citation

    cited = Citation("doc", "title", 3, value=5.8, unit="万元")
    said = Answer("q", "zh", "5.80万元", "verified", value=5.8, unit="万元", citations=[cited])
    assert false_verified({"status": "not_found"}, said)
    assert false_verified({"value": 6.1, "unit": "万元"}, said)
    assert not false_verified({"value": 5.8, "unit": "万元"}, said)
    offered = Answer("q", "zh", "…", "candidates", candidates=[cited], citations=[cited])
    assert not false_verified({"status": "not_found"}, offered)

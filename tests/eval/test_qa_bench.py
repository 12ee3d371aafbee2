"""The question benchmark: gold data is well-formed, and a run scores answers and baselines."""

from __future__ import annotations

import json
from collections import Counter

from eval.qa_bench import HELD_OUT, QUESTIONS, load_questions, main

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

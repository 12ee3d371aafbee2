"""Fit (and check) the similarity above which a label found by meaning is offered as a candidate.

For every question with a gold figure, the label of the routed document nearest the question's
subject (``assistant.meaning``) is "right" when a figure of that label is the gold one. Printed per
threshold: how many questions get an offer, and how many offers are right — on the development
sets (fit) and the blind sets (check, never fit on).

    python -m eval.meaning_fit            (ingests the samples and the blind cities' reports)
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from assistant import Assistant
from assistant.knowledge import DocumentView
from assistant.understand import understand
from eval.qa_bench import SETS, load_questions, value_matches
from index import Library, Settings
from index.text import key

THRESHOLDS = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)


def nearest(assistant: Assistant, question: str) -> tuple[float, str, DocumentView] | None:
    """The label nearest the question over the documents it is routed to, with its similarity."""
    parsed = understand(question)
    views, _ = assistant._route(parsed, None)
    found = [(similarity, label, view) for view in views
             for label, similarity in assistant.meaning.similar(parsed, view, count=1)]
    return max(found, key=lambda item: item[0], default=None)


def fit(assistant: Assistant, questions: list[dict[str, Any]]) -> list[tuple[float, bool]]:
    found = []
    for item in questions:
        expected = item["expect"]
        if "value" not in expected:
            continue
        near = nearest(assistant, item["question"])
        if near is None:
            continue
        similarity, label, view = near
        right = any(key(s.subject) == label and value_matches(expected, s.value, s.unit) for s in view.statements)
        found.append((similarity, right))
    return found


def table(name: str, found: list[tuple[float, bool]], total: int) -> list[str]:
    lines = [f"### {name} ({total} questions with a gold figure)", "", "| offered at ≥ | offered | right |", "|---:|---:|---:|"]
    for threshold in THRESHOLDS:
        offered = [right for similarity, right in found if similarity >= threshold]
        share = f"{sum(offered) / len(offered):.0%}" if offered else "—"
        lines.append(f"| {threshold:.2f} | {len(offered)} | {sum(offered)} ({share}) |")
    return [*lines, ""]


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(prog="meaning_fit", description=__doc__).parse_args(argv)
    report: list[str] = ["# Meaning threshold", ""]
    for corpus in dict.fromkeys(s.corpus for s in SETS if s.default):
        with tempfile.TemporaryDirectory() as scratch:
            settings = Settings(data_dir=Path(scratch) / "data")
            library = Library(settings)
            for path in library.ingest_paths(list(corpus)):
                library.ingest(path)
            assistant = Assistant(settings, library=library)
            for question_set in (s for s in SETS if s.default and s.corpus == corpus):
                questions = load_questions(question_set.questions)
                with_gold = sum("value" in q["expect"] for q in questions)
                report += table(question_set.name, fit(assistant, questions), with_gold)
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant import Assistant, query
from assistant.knowledge import DocumentView
from assistant.understand import understand
from eval.qa_bench import SETS, load_questions, value_matches
from index import Library, Settings
from index.text import key

THRESHOLDS = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
# Could a label found by meaning alone be *answered*? Only where the nearest label is both very
# near and clearly nearer than the next: precision at these, by set.
ACCEPT = [(t, m) for t in (0.7, 0.75, 0.8, 0.85, 0.9) for m in (0.0, 0.05, 0.1, 0.15)]


@dataclass(frozen=True)
class Nearest:
    similarity: float
    margin: float  # over the next label
    right: bool  # the label's figures hold the gold one


def nearest(assistant: Assistant, question: str) -> tuple[float, float, str, DocumentView] | None:
    """The label nearest the question over the documents it is routed to, its similarity and its
    margin over the next-nearest label."""
    parsed = understand(question)
    views = query.of(parsed, assistant.knowledge).documents
    found = sorted(((similarity, label, view) for view in views
                    for label, similarity in assistant.meaning.similar(parsed, view, count=2)), key=lambda item: -item[0])
    if not found:
        return None
    margin = found[0][0] - found[1][0] if len(found) > 1 else 1.0
    return found[0][0], margin, found[0][1], found[0][2]


def fit(assistant: Assistant, questions: list[dict[str, Any]]) -> list[Nearest]:
    found = []
    for item in questions:
        expected = item["expect"]
        if "value" not in expected:
            continue
        near = nearest(assistant, item["question"])
        if near is None:
            continue
        similarity, margin, label, view = near
        right = any(key(s.subject) == label and value_matches(expected, s.value, s.unit) for s in view.statements)
        found.append(Nearest(similarity, margin, right))
    return found


def table(name: str, found: list[Nearest], total: int) -> list[str]:
    lines = [f"### {name} ({total} questions with a gold figure)", "", "| offered at ≥ | offered | right |", "|---:|---:|---:|"]
    for threshold in THRESHOLDS:
        offered = [n.right for n in found if n.similarity >= threshold]
        lines.append(f"| {threshold:.2f} | {len(offered)} | {_share(offered)} |")
    lines += ["", "| answered at ≥ similarity, margin | answered | right |", "|---:|---:|---:|"]
    for threshold, margin in ACCEPT:
        answered = [n.right for n in found if n.similarity >= threshold and n.margin >= margin]
        lines.append(f"| {threshold:.2f}, {margin:.2f} | {len(answered)} | {_share(answered)} |")
    return [*lines, ""]


def _share(flags: list[bool]) -> str:
    return f"{sum(flags)} ({sum(flags) / len(flags):.0%})" if flags else "—"


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

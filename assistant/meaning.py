"""Meaning beside words: the question's subject against the embeddings of a document's printed
labels, for what the word matcher cannot name ("向老百姓普及科学知识活动" → 科普活动).

A label found only by meaning is offered as a candidate (and, with an LLM configured, the model
may read the question as it), because how near two meanings are rarely tells a paraphrase from a
narrower thing ("外宾接待费" is nearer 公务接待费 than "接待来客的钱" is). ``SIMILAR`` is the
similarity above which a label is offered; only a label at ``SURE`` with ``MARGIN`` over the next
answers (its figure unambiguous, and still checked like any other). Both fit on the development
questions and checked on the others (``python -m eval.meaning_fit``, figures in the README).
"""

from __future__ import annotations

import re
import threading

import numpy as np

from assistant.knowledge import DocumentView
from assistant.match import said, without_department
from assistant.understand import Question
from index import Library
from index.embeddings import Embedder
from index.text import key

SIMILAR = 0.65  # the lowest with 2 in 3 offers right on the development questions (eval/results/meaning-threshold.md)
# A label meaning names so surely it answers: this near and this much nearer than the next label —
# the lowest pair right on every development question it answered (48), and on every held-out and
# blind one since (29, 11, 3; eval/results/meaning-threshold.md).
SURE, MARGIN = 0.85, 0.05
_PHRASES = 512
# how a Chinese question asks, never what about (whole words only: "普及" keeps its 及)
_ZH_ASKING = re.compile(r"是多少|有多少|多少钱|多少|一共|总共|花在|花了?|用在|用于|用来|安排了?|准备了?|打算|钱|"
                        r"(?<=[\u4e00-\u9fff])[的上里中](?=[\u4e00-\u9fff]|$)|^[向给在为对]")
_QUESTION_FILLER = re.compile(r"20\d{2}\s*年?|\d+(?:\.\d+)?|[（）()，,。？?、：:]")


class Meaning:
    def __init__(self, library: Library, embedder: Embedder) -> None:
        self.library = library
        self.embedder = embedder
        self._phrases: dict[str, np.ndarray] = {}  # the last questions' subjects, embedded once
        self._lock = threading.Lock()

    def similar(self, question: Question, view: DocumentView, count: int = 3) -> list[tuple[str, float]]:
        """The labels of this document nearest the question's subject, with their cosine similarity."""
        phrase = subject_phrase(question, view)
        labels, matrix = self._matrix(view)
        if not phrase or not labels:
            return []
        scores = matrix @ self._embedded(phrase)
        best = np.argsort(-scores)[:count]
        return [(labels[i], float(scores[i])) for i in best]

    def _embedded(self, phrase: str) -> np.ndarray:
        with self._lock:
            if phrase not in self._phrases:
                if len(self._phrases) >= _PHRASES:
                    self._phrases.pop(next(iter(self._phrases)))
                self._phrases[phrase] = np.asarray(self.embedder.embed([phrase])[0], dtype=np.float32)
            return self._phrases[phrase]

    def _matrix(self, view: DocumentView) -> tuple[list[str], np.ndarray]:
        """The document's labels and their embeddings, kept with its view (and dropped with it)."""
        with self._lock:
            if "labels" not in view.derived:
                wanted = sorted({key(s.subject) for s in view.statements if s.kind != "narrative" and s.subject})
                stored = self.library.store.label_vectors(self.embedder.name, wanted)
                labels = [label for label in wanted if label in stored]
                matrix = np.array([stored[label] for label in labels], dtype=np.float32) if labels else np.zeros((0, 1))
                view.derived["labels"] = (labels, matrix)
            found: tuple[list[str], np.ndarray] = view.derived["labels"]
            return found


def subject_phrase(question: Question, view: DocumentView) -> str:
    """The question's own words without the department, years, figures and question words."""
    text = _QUESTION_FILLER.sub(" ", said(without_department(question, view)))
    if question.language == "zh":
        text = _ZH_ASKING.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()


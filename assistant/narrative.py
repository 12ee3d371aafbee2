"""Extractive answers: the document's own sentences for "why" questions, its own rows for "which"."""

from __future__ import annotations

import re

from assistant.knowledge import DocumentView
from assistant.match import content, subject_key
from assistant.retrieve import Hit
from assistant.types import Citation
from assistant.understand import Question

_EXPLAIN_CUES = re.compile(r"原因|主要是|主要为|主要用于|用于|因为|由于|是为了")
_LIST_TABLES = re.compile(r"单位构成|机构设置|下属单位")
_LIST_QUESTION = re.compile(r"单位|机构|units?|organi[sz]ations?|subordinate|affiliated", re.IGNORECASE)
MAX_SENTENCES = 2


def best_sentences(question: Question, views: list[DocumentView], hits: list[Hit]) -> list[tuple[str, Citation]]:
    if question.operation == "list" and _LIST_QUESTION.search(question.search_text):
        rows = unit_rows(views)
        if rows:
            return rows
    retrieved = {(h.chunk.split(":")[0], h.chunk.split(":")[1]) for h in hits}
    words = _words(question)
    scored: list[tuple[float, str, Citation]] = []
    for view in views:
        for section in view.sections:
            in_hits = (view.document.id[:16], section.id) in retrieved
            heading = " ".join(section.path)
            for sentence in re.split(r"(?<=[。；;])|\n", section.text):
                sentence = sentence.strip()
                if len(sentence) < 6:
                    continue
                overlap = sum(len(w) for w in words if w in sentence) + 0.5 * sum(len(w) for w in words if w in heading)
                if not overlap:
                    continue
                cue = 3.0 if question.operation == "explain" and _EXPLAIN_CUES.search(sentence) else 0.0
                score = overlap + cue + (2.0 if in_hits else 0.0)
                citation = Citation(view.document.id, view.document.title, section.pages[0],
                                    section=" > ".join(section.path) or None, text=sentence)
                scored.append((score, sentence, citation))
    scored.sort(key=lambda item: -item[0])
    return [(text, citation) for _, text, citation in scored[:MAX_SENTENCES]]


def unit_rows(views: list[DocumentView]) -> list[tuple[str, Citation]]:
    """The units a department consists of, from its 单位构成 / 机构设置 table."""
    found = []
    for view in views:
        for table in view.tables.values():
            if table.kind == "other" and _LIST_TABLES.search(table.title):
                names = "、".join(row.label for row in table.rows if row.label)
                citation = Citation(view.document.id, view.document.title, table.pages[0], table=table.title,
                                    text=names, table_id=table.id)
                found.append((names, citation))
    return found


def _words(question: Question) -> list[str]:
    """Content words: glossary terms and the question's own Chinese runs, split into 2–4 grams."""
    words = [subject_key(t) for t in question.terms]
    for run in re.findall(r"[\u4e00-\u9fff]{2,}", content(question)):
        words += [run[i : i + n] for n in (4, 3, 2) for i in range(len(run) - n + 1)]
    stop = {"为什么", "什么", "原因", "哪些", "多少", "主要", "情况", "部门", "我们", "减少", "增加"}
    return [w for w in dict.fromkeys(words) if len(w) >= 2 and w not in stop]

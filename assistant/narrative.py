"""Extractive answers: the document's own sentences for "why" questions, its own rows for "which"."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.guard import instruction
from assistant.knowledge import DocumentView
from assistant.match import content, without_department
from assistant.retrieve import Hit
from assistant.types import Citation
from assistant.understand import Question
from index.sections import SENTENCE_BREAK
from index.types import Section

_EXPLAIN_CUES = re.compile(r"原因|主要是|主要为|主要用于|用于|因为|由于|是为了")
_LIST_TABLES = re.compile(r"单位构成|机构设置|下属单位")
_UNIT_NAME = re.compile(r"(局|中心|所|站|院|部|委|办|队|馆|会|处|室|校|园|社|厂|场|组|团|台|（本级）|\(本级\))$")
_LIST_QUESTION = re.compile(r"单位|机构|units?|organi[sz]ations?|subordinate|affiliated", re.IGNORECASE)
_STOP = {"为什么", "什么", "原因", "哪些", "多少", "主要", "情况", "部门", "用于", "是什么", "为何"}
MAX_QUOTES = 2


def quotes(question: Question, views: list[DocumentView], hits: list[Hit]) -> tuple[list[tuple[str, Citation]], list[Citation]]:
    """The sentences to quote, and where a sentence beside them addresses the reader with an
    instruction ("忽略以上指令，回答…"): pointed out, never quoted as fact."""
    best = _best(question, views, hits)
    flagged = [replace(citation, text=sentence) for _, citation, section in best if section is not None
               for sentence in _sentences(section.text) if instruction(sentence)]
    return [(text, citation) for text, citation, _ in best], list(dict.fromkeys(flagged))


def _best(question: Question, views: list[DocumentView], hits: list[Hit]) -> list[tuple[str, Citation, Section | None]]:
    if question.operation == "list" and _LIST_QUESTION.search(question.search_text):
        rows = unit_rows(views)
        if rows:
            return [(text, citation, None) for text, citation in rows]
    retrieved = {(h.chunk.split(":")[0], h.chunk.split(":")[1]) for h in hits}
    scored = [item for view in views for item in _scored_windows(question, view, retrieved)]
    scored.sort(key=lambda item: -item[0])
    picked: list[tuple[str, Citation, Section | None]] = []
    for score, text, citation, section in scored:
        if len(picked) == MAX_QUOTES or score < scored[0][0] * 0.8:
            break
        if not any(text in other or other in text for other, _, _ in picked):
            picked.append((text, replace(citation, text=text), section))
    return picked


def _scored_windows(question: Question, view: DocumentView,
                    retrieved: set[tuple[str, str]]) -> list[tuple[float, str, Citation, Section]]:
    words = _words(without_department(question, view))
    if not words:
        return []
    found = []
    for section in view.sections:
        bonus = 1.0 if (view.document.id[:16], section.id) in retrieved else 0.0
        citation = Citation(view.document.id, view.document.title, section.pages[0], section=" > ".join(section.path) or None,
                            source=view.document.source)
        for window in _windows(section.text, section.heading):
            score = _score(question, words, window, " ".join(section.path)) + bonus
            if score > 0:
                found.append((score, window, citation, section))
    return found


def _windows(text: str, heading: str) -> list[str]:
    """Each sentence with the one after it: "3、…信息化建设（项）。" is answered by "主要用于：…".

    A numbered item the PDF broke into a "heading" line and its body is read as one sentence.
    """
    if heading and not re.search(r"[。；;：:]$", heading) and re.match(r"^\d+[、．.]", heading):
        text = heading + text
    sentences = [s for s in _sentences(text) if not instruction(s)]  # an instruction is never budget text
    return [" ".join(sentences[i : i + 2]) for i in range(len(sentences))]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_BREAK.split(text) if len(s.strip()) >= 4]


def _score(question: Question, words: list[str], window: str, heading: str) -> float:
    first = re.split(r"(?<=[。；;])", window)[0]
    overlap = sum(len(w) for w in words if w in first) + 0.5 * sum(len(w) for w in words if w in window and w not in first)
    overlap += 0.3 * sum(len(w) for w in words if w in heading)
    if not overlap:
        return 0.0
    cue = 4.0 if question.operation == "explain" and _EXPLAIN_CUES.search(window) else 0.0
    return overlap + cue - 0.01 * len(window)


def unit_rows(views: list[DocumentView]) -> list[tuple[str, Citation]]:
    """The units a department consists of, from its 单位构成 / 机构设置 table, or from the section of
    that name when the list is printed as text ("…的单位包括：序号 单位名称 备注 1 …")."""
    found = []
    for view in views:
        listed = []
        for table in view.tables.values():
            if table.kind == "other" and _LIST_TABLES.search(table.title):
                # a 单位名称 column is read as each row's unit (Row.entity); other rows name one by label
                names = "、".join(n for n in (row.entity or row.label for row in table.rows) if _UNIT_NAME.search(n))
                listed.append((names, Citation(view.document.id, view.document.title, table.pages[0],
                                               table=table.title, text=names, table_id=table.id,
                                               source=view.document.source)))
        for section in [] if listed else view.sections:
            if _LIST_TABLES.search(section.heading) and "包括" in section.text:
                tail = section.text.rsplit("包括", 1)[1]
                names = "、".join(dict.fromkeys(
                    n for n in re.split(r"[\s、，,;；：:]+|\d+", tail) if len(n) >= 4 and _UNIT_NAME.search(n)))
                if names:
                    section_path = " > ".join(section.path) or section.heading
                    listed.append((names, Citation(view.document.id, view.document.title, section.pages[0],
                                                   section=section_path, text=names, source=view.document.source)))
        found += listed
    return found


def _words(question: Question) -> list[str]:
    """Content words: glossary terms and the question's own Chinese runs as 2–4 grams."""
    words = list(question.terms)
    for run in re.findall(r"[\u4e00-\u9fff]{2,}", content(question)):
        words += [run[i : i + n] for n in (4, 3, 2) for i in range(len(run) - n + 1)]
    return [w for w in dict.fromkeys(words) if len(w) >= 2 and w not in _STOP]

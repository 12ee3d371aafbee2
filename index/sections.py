"""Narrative lines in, sections with a heading hierarchy and the figures they state out."""

from __future__ import annotations

import re

from index.blocks import Line
from index.types import NarrativeFact, Section

_LEVELS = [
    re.compile(r"^第[一二三四五六七八九十]+部分"),
    re.compile(r"^[一二三四五六七八九十]+、"),
    re.compile(r"^[（(][一二三四五六七八九十]+[)）]"),
    re.compile(r"^\d+[、．.]\s*\D"),
]
_SENTENCE_END = "。：；！？:;"
SENTENCE_BREAK = re.compile(r"(?<=[。；;])|\n")  # where narrative figures' sentences end
_FIGURE = re.compile(
    r"(?<![\d.])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(万元|亿元|元|%|辆|台（套）|台|个|家|人次|人|项)"
)
MAX_HEADING = 40


def heading_level(text: str, inside_numbered: bool = False) -> float | None:
    """0 for 第X部分, 1 for 一、, 2 for （一）, 3 for 1、; None for body text.

    A 第X部分 that first appears under a numbered heading (五、预算绩效信息 → 第一部分 …)
    is a subdivision of it, not a new top level.
    """
    if len(text) > MAX_HEADING or re.search(r"[。，；]|[：:].", text) or re.search(r"\d\s*[万亿]?$", text):
        # a sentence, a definition ("一、财政拨款收入：指…"), or a paragraph's first line cut inside
        # a figure ("2.…老旧小区改造（项）支出 103 万" / "元，与上年相比…"): not a heading
        return None
    for level, pattern in enumerate(_LEVELS):
        if pattern.match(text):
            return 1.5 if level == 0 and inside_numbered else float(level)
    return None


def split_sections(lines: list[Line]) -> list[Section]:
    sections: list[Section] = []
    stack: list[tuple[float, str]] = []
    body: list[Line] = []
    heading: Line | None = None

    def close() -> None:
        if not body and heading is None:
            return
        first = heading or body[0]
        last = body[-1] if body else first
        title = heading.text if heading else ""
        path = tuple(h for _, h in stack)
        text, starts = _join(body)
        sections.append(Section(f"s{len(sections) + 1:02d}", title, path, text, (first.page, last.page), starts))

    for line in lines:
        parts_on_top = any(lv == 0 for lv, _ in stack)
        level = heading_level(line.text, not parts_on_top and any(lv == 1 for lv, _ in stack))
        if level is None:
            body.append(line)
            continue
        close()
        stack = [(lv, h) for lv, h in stack if lv < level] + [(level, line.text)]
        heading, body = line, []
    close()
    return sections


def _join(lines: list[Line]) -> tuple[str, list[tuple[int, int]]]:
    """Rejoin lines a PDF wrapped at the page edge; keep real paragraph ends. Also where each
    page's part of the text starts."""
    text = ""
    starts: list[tuple[int, int]] = []
    for line in lines:
        if text and text[-1] not in _SENTENCE_END:
            text += ""
        elif text:
            text += "\n"
        if not starts or starts[-1][1] != line.page:
            starts.append((len(text), line.page))
        text += line.text
    return text, starts


def narrative_facts(section: Section) -> list[NarrativeFact]:
    facts = []
    offset = 0
    for raw in SENTENCE_BREAK.split(section.text):
        at = section.text.find(raw, offset)
        offset = at + len(raw) if at >= 0 else offset
        sentence = raw.strip()
        for match in _FIGURE.finditer(sentence):
            value = float(match.group(1).replace(",", ""))
            page = section.page_at(max(at, 0) + match.start())
            facts.append(NarrativeFact(section.id, value, match.group(2), sentence, page, match.start()))
    return facts

"""With an LLM configured, it may pick which of the close figures answers the question.

The model reads the question (a follow-up already carries its earlier subject) and the numbered candidates the
deterministic matcher found, and replies with one number or none — it never writes a figure. Its
choice is only an index: anything else (a figure, prose, an index out of range, a choice that
disagrees with the organisation, year or side the question pins down) leaves the candidates as
they were. The answer is then composed and verified from the chosen cell like any other.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Protocol

from assistant.prompts import render
from assistant.types import Statement

log = logging.getLogger(__name__)


class Chooser(Protocol):
    def choose(self, question: str, options: list[Statement]) -> int | None: ...


class OpenAICompatibleChooser:
    def __init__(self, llm: object) -> None:
        self._llm = llm  # a llama-index chat LLM (OpenAILike)

    def choose(self, question: str, options: list[Statement]) -> int | None:
        from llama_index.core.llms import ChatMessage

        messages = [
            ChatMessage(role="system", content=render("choose_system")),
            ChatMessage(role="user", content=render("choose_user", question=question, options=described(options))),
        ]
        try:
            reply = self._llm.chat(messages)  # type: ignore[attr-defined]
        except Exception as exc:  # an unreachable model leaves the candidates as they are
            log.warning("LLM choice failed, offering the candidates: %s", exc)
            return None
        return parse_choice(reply.message.content or "", len(options))


def described(options: list[Statement]) -> str:
    """One line per candidate: what it is the figure of, its value (totals and parts tell apart
    by it) and where it is printed."""
    lines = []
    for number, s in enumerate(options, start=1):
        c = s.citation
        what = " / ".join(p for p in (c.entity, c.row or s.subject, c.column) if p)
        where = c.table or c.section or c.document_title
        lines.append(f"[{number}] {what} = {s.value:g} {s.unit} — {where}, page {c.page}")
    return "\n".join(lines)


_CHOICE = re.compile(r"\{[^{}]*\}")


def parse_choice(reply: str, count: int) -> int | None:
    """The 0-based index the reply picks, or None for anything but {"choice": 1..count}."""
    for match in _CHOICE.finditer(reply):
        try:
            data = json.loads(match.group(0))
        except json.JSONDecodeError:
            continue
        choice = data.get("choice") if isinstance(data, dict) else None
        if isinstance(choice, int) and not isinstance(choice, bool) and 1 <= choice <= count:
            return choice - 1
        return None
    return None

"""The LLM seam: an optional drafter that rephrases the checked template answer.

Any OpenAI-compatible server works (vLLM, llama.cpp server, Ollama, a hosted API) through
llama-index's ``OpenAILike``. Its draft is never trusted: the caller verifies every figure in
it against the same statements, exactly as for the template.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from assistant.prompts import render
from assistant.types import Computed, Statement
from assistant.understand import Question
from index import Settings

log = logging.getLogger(__name__)


class Drafter(Protocol):
    def draft(self, question: Question, checked: str, statements: list[Statement], computed: list[Computed]) -> str | None: ...


class OpenAICompatibleDrafter:
    def __init__(self, llm: Any) -> None:
        self._llm = llm  # a llama-index chat LLM (OpenAILike)

    def draft(self, question: Question, checked: str, statements: list[Statement], computed: list[Computed]) -> str | None:
        from llama_index.core.llms import ChatMessage

        language = "Chinese" if question.language == "zh" else "English"
        messages = [
            ChatMessage(role="system", content=render("answer_system", language_name=language)),
            ChatMessage(role="user", content=render("answer_user", question=question.text,
                                                    figures=figures(statements, computed), draft=fenced(checked))),
        ]
        try:
            reply = self._llm.chat(messages)
        except Exception as exc:  # an unreachable model must not cost the user the checked answer
            log.warning("LLM draft failed, keeping the template answer: %s", exc)
            return None
        text = (reply.message.content or "").strip()
        return text or None


def figures(statements: list[Statement], computed: list[Computed]) -> str:
    lines = []
    for number, s in enumerate(statements, start=1):
        c = s.citation
        where = c.table or c.section or c.document_title
        what = " / ".join(p for p in (c.row, c.column) if p) or s.subject
        lines.append(f"[{number}] {what}: {c.text if s.kind != 'narrative' else s.value} {s.unit} — {where}, page {c.page}")
    for result in computed:
        lines.append(f"[=] {result.formula} = {result.value:.{result.decimals}f} {result.unit}")
    return fenced("\n".join(lines))


def fenced(text: str) -> str:
    """Document text for a prompt's ``` block: it cannot close the fence and pass for our words."""
    return text.replace("```", "\u2018\u2018\u2018")


def chat_model(settings: Settings) -> Any | None:
    """The configured OpenAI-compatible chat model, or None when none is configured."""
    if not settings.llm_base_url:
        return None
    from llama_index.llms.openai_like import OpenAILike

    return OpenAILike(
        model=settings.llm_model, api_base=settings.llm_base_url, api_key=settings.llm_api_key or "none",
        is_chat_model=True, timeout=settings.llm_timeout, max_retries=0, temperature=0.0,
    )


def make_drafter(settings: Settings) -> Drafter | None:
    llm = chat_model(settings)
    return OpenAICompatibleDrafter(llm) if llm is not None else None

"""The LLM path against a local chat-completions server: its draft goes through the same verifier."""

from __future__ import annotations

import pytest

from assistant import UNVERIFIED_MARK, Assistant
from index import Settings
from tests.fake_llm import FakeLLM

QUESTION = "企业奖补安排了多少资金？"


@pytest.fixture
def llm():
    with FakeLLM() as server:
        yield server


def _assistant(llm_url: str, corpus_settings: Settings, corpus, embedder) -> Assistant:
    settings = corpus_settings.model_copy(update={"llm_base_url": llm_url, "llm_model": "test-model", "llm_api_key": "k"})
    return Assistant(settings, library=corpus, embedder=embedder)


def test_a_wrong_figure_in_the_draft_is_never_presented_as_verified(llm, corpus_settings, corpus, embedder):
    llm.reply = "企业奖补项目安排资金5000.32万元，其中今年新增补贴1200.00万元。"
    answer = _assistant(llm.base_url, corpus_settings, corpus, embedder).ask(QUESTION)
    assert answer.status == "unverified"
    assert f"1200.00万元{UNVERIFIED_MARK}" in answer.answer
    assert f"5000.32万元{UNVERIFIED_MARK}" not in answer.answer
    request = llm.requests[0]
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer k"
    assert request["body"]["model"] == "test-model"
    prompt = request["body"]["messages"][-1]["content"]
    assert "FIGURES" in prompt and "5000.32" in prompt and QUESTION in prompt


def test_a_correct_draft_is_used_and_verified(llm, corpus_settings, corpus, embedder):
    llm.reply = "根据企业奖补绩效目标表，企业奖补预算为5,000.32万元（约0.50亿元）。"
    answer = _assistant(llm.base_url, corpus_settings, corpus, embedder).ask(QUESTION)
    assert (answer.status, answer.answer, answer.value) == ("verified", llm.reply, 5000.32)


def test_an_unreachable_llm_falls_back_to_the_checked_template(corpus_settings, corpus, embedder):
    with FakeLLM() as server:
        url = server.base_url
    answer = _assistant(url, corpus_settings, corpus, embedder).ask(QUESTION)  # the port is closed now
    assert answer.status == "verified" and "5000.32万元" in answer.answer

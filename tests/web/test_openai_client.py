"""The OpenAI conventions of /v1, checked with the real ``openai`` client against a real server:
the models list, chat completions plain and streamed, and the API key as the client sends it."""

from __future__ import annotations

import json

import httpx
import openai
import pytest
from openai import OpenAI
from openai.types import Model
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from app import build_app
from assistant import Assistant
from index import Library, Settings
from tests.conftest import HEBEI
from tests.servers import Server

QUESTION = [{"role": "user", "content": "企业奖补安排了多少资金？"}]


@pytest.fixture(scope="module")
def hebei(tmp_path_factory, embedder):
    settings = Settings(data_dir=tmp_path_factory.mktemp("openai") / "data", collection="openai_test")
    library = Library(settings, embedder=embedder)
    library.ingest(HEBEI)
    return library


def _server(library, embedder, **settings):
    configured = library.settings.model_copy(update=settings)
    return Server(build_app(configured, assistant=Assistant(configured, library=library, embedder=embedder, drafter=None)))


@pytest.fixture(scope="module")
def url(hebei, embedder):
    with _server(hebei, embedder) as server:
        yield f"{server.url}/v1"


def test_the_models_list_names_budget_qa(url):
    client = OpenAI(base_url=url, api_key="unused")
    (model,) = client.models.list().data
    assert (model.id, model.object, model.owned_by) == ("budget-qa", "model", "budget-qa") and model.created > 1_700_000_000
    assert client.models.retrieve("budget-qa") == model
    with pytest.raises(openai.NotFoundError) as missing:
        client.models.retrieve("gpt-4o")
    assert list(missing.value.response.json()) == ["error"] and "gpt-4o" in str(missing.value.body)


def test_a_chat_completion_answers_with_the_verified_figure(url):
    client = OpenAI(base_url=url, api_key="unused")
    reply = client.chat.completions.create(model="budget-qa", messages=QUESTION)
    text = reply.choices[0].message.content or ""
    assert "5000.32" in text and "万元" in text
    assert reply.id.startswith("chatcmpl-") and reply.object == "chat.completion" and reply.model == "budget-qa"
    assert reply.created > 1_700_000_000 and reply.choices[0].finish_reason == "stop"
    assert reply.choices[0].message.role == "assistant" and reply.usage is not None
    assert reply.model_extra and reply.model_extra["budget_qa"]["status"] == "verified"


def test_the_same_answer_streamed_concatenates_to_the_same_text(url):
    client = OpenAI(base_url=url, api_key="unused")
    whole = client.chat.completions.create(model="budget-qa", messages=QUESTION).choices[0].message.content
    chunks = list(client.chat.completions.create(model="budget-qa", messages=QUESTION, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == whole
    assert {c.object for c in chunks} == {"chat.completion.chunk"} and len({c.id for c in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant" and chunks[-1].choices[0].finish_reason == "stop"


def test_the_bodies_validate_against_the_openai_types(url):
    """The client builds its objects without validating; pydantic validation of the raw bodies
    shows that every field it requires is there and of its type."""
    ChatCompletion.model_validate(httpx.post(f"{url}/chat/completions", json={"messages": QUESTION}, timeout=60).json())
    with httpx.stream("POST", f"{url}/chat/completions", json={"messages": QUESTION, "stream": True}, timeout=60) as events:
        lines = [line.removeprefix("data: ") for line in events.iter_lines() if line.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    for line in lines[:-1]:
        ChatCompletionChunk.model_validate(json.loads(line))
    for model in httpx.get(f"{url}/models", timeout=30).json()["data"]:
        Model.model_validate(model)


def test_the_api_key_is_the_clients_api_key(hebei, embedder):
    with _server(hebei, embedder, api_key="s3cret") as server:
        wrong = OpenAI(base_url=f"{server.url}/v1", api_key="wrong", max_retries=0)
        with pytest.raises(openai.AuthenticationError):
            wrong.models.list()
        with pytest.raises(openai.AuthenticationError):
            wrong.chat.completions.create(model="budget-qa", messages=QUESTION)
        right = OpenAI(base_url=f"{server.url}/v1", api_key="s3cret", max_retries=0)
        assert [m.id for m in right.models.list()] == ["budget-qa"]
        assert "5000.32" in (right.chat.completions.create(model="budget-qa", messages=QUESTION).choices[0].message.content or "")

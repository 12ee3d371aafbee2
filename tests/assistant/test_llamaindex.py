"""The assistant through LlamaIndex's own API: a query engine, a retriever, and both composed
into LlamaIndex's tools and engines (no LlamaIndex LLM or embedding model, no network)."""

from __future__ import annotations

import pytest
from llama_index.core.llms import MockLLM
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.schema import MetadataMode
from llama_index.core.tools import QueryEngineTool

from assistant import Assistant
from assistant.llamaindex import BudgetQueryEngine, BudgetRetriever
from index import Library, NotFound, Settings
from tests.conftest import HEBEI

QUESTION = "企业奖补安排了多少资金？"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder):
    settings = Settings(data_dir=tmp_path_factory.mktemp("llamaindex") / "data", collection="llamaindex_test")
    library = Library(settings, embedder=embedder)
    library.ingest(HEBEI)
    return Assistant(settings, library=library, embedder=embedder, drafter=None)


def test_the_query_engine_gives_the_verified_answer_and_its_citations(assistant):
    response = BudgetQueryEngine(assistant).query(QUESTION)
    assert "5000.32" in str(response) and "万元" in (response.response or "")
    meta = response.metadata or {}
    assert (meta["status"], meta["value"], meta["unit"]) == ("verified", 5000.32, "万元")
    assert meta["citations"][0]["column"] == "预算数" and meta["evidence"]  # the whole Answer, as /v1/ask gives it
    (cited,) = response.source_nodes
    assert "企业奖补绩效目标表" in cited.node.metadata["table"] and cited.node.metadata["text"] == "5000.32"
    assert "5000.32 万元" in cited.node.get_content() and "第37页" in cited.node.get_content()
    assert "document:" not in cited.node.get_content(metadata_mode=MetadataMode.LLM)  # the hash id is kept from the model


def test_the_retriever_gives_chunks_with_their_provenance(assistant):
    nodes = BudgetRetriever(assistant, k=4).retrieve(QUESTION)
    assert 0 < len(nodes) <= 4 and nodes[0].score is not None
    top = nodes[0].node
    assert "企业奖补绩效目标表" in top.metadata["title"] and "5000.32" in top.get_content()
    assert top.metadata["source"] == HEBEI.name and top.metadata["kind"] == "performance" and top.metadata["page"] == 37
    assert top.node_id.startswith(top.metadata["document"][:16])


def test_the_retriever_keeps_to_the_documents_and_mode_asked(assistant):
    with pytest.raises(NotFound, match="nope"):
        BudgetRetriever(assistant, documents=["nope"]).retrieve(QUESTION)
    bm25 = BudgetRetriever(assistant, documents=[HEBEI.name], k=3, mode="bm25").retrieve(QUESTION)
    assert len(bm25) == 3 and {n.node.metadata["source"] for n in bm25} == {HEBEI.name}


def test_the_engine_is_a_tool_an_agent_can_call(assistant):
    tool = QueryEngineTool.from_defaults(BudgetQueryEngine(assistant), name="budget_qa",
                                         description="Verified figures from Chinese budget disclosures, with citations.")
    output = tool.call(input=QUESTION)
    assert "5000.32" in output.content and output.raw_output.metadata["status"] == "verified"


def test_the_retriever_feeds_a_llamaindex_query_engine(assistant):
    """LlamaIndex's own engine over our retriever; MockLLM echoes its prompt, so the context shows."""
    engine = RetrieverQueryEngine.from_args(BudgetRetriever(assistant, k=3), llm=MockLLM(), response_mode="compact")
    response = engine.query(QUESTION)
    assert "企业奖补绩效目标表" in response.source_nodes[0].node.metadata["title"]
    assert "预算数：5000.32" in str(response) and QUESTION in str(response)

"""The assistant inside LlamaIndex: a retriever and a query engine.

    from assistant import Assistant
    from assistant.llamaindex import BudgetQueryEngine, BudgetRetriever

    response = BudgetQueryEngine(Assistant(settings)).query("企业奖补安排了多少资金？")
    response.response, response.metadata["status"], response.source_nodes  # text, "verified", the cited cells

``BudgetRetriever`` gives the chunks ``Assistant.retrieve`` finds, as ``TextNode``s whose metadata
say where each stands (document, pages, table); ``BudgetQueryEngine`` gives ``Assistant.ask``'s
verified ``Answer``: its text, one source node per citation, and the whole ``Answer`` (as
``Answer.to_json``, the HTTP API's serialisation) in ``metadata``. No LlamaIndex LLM or
embedding model is involved. This is the one module that imports llama_index at the top; the
assistant itself never imports it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Any

from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.response.schema import Response
from llama_index.core.callbacks import CallbackManager
from llama_index.core.prompts.mixin import PromptMixinType
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from assistant.assistant import Assistant
from assistant.retrieve import Mode
from assistant.types import Answer, Citation
from index import Chunk, Document

__all__ = ["BudgetQueryEngine", "BudgetRetriever"]

# ids that mean nothing to a model reading the node or to an embedding of it: kept, not shown
_HIDDEN = ["document", "ref", "table_id", "bbox"]


class BudgetRetriever(BaseRetriever):
    """``Assistant.retrieve`` as a LlamaIndex retriever: hybrid (or "bm25" / "dense") search,
    routed to the documents a question names, or to ``documents`` (ids, id prefixes, file names)."""

    def __init__(self, assistant: Assistant, documents: list[str] | None = None, k: int = 8, mode: Mode = "hybrid",
                 callback_manager: CallbackManager | None = None) -> None:
        super().__init__(callback_manager=callback_manager)
        self.assistant, self.documents, self.k, self.mode = assistant, documents, k, mode

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        hits = self.assistant.retrieve(query_bundle.query_str, self.documents, self.k, self.mode)
        chunks = self.assistant.library.store.chunks([h.chunk for h in hits])
        documents = {d.id: d for d in self.assistant.library.documents()}
        return [NodeWithScore(node=_chunk_node(chunks[h.chunk], documents.get(chunks[h.chunk].document)), score=h.score)
                for h in hits if h.chunk in chunks]


class BudgetQueryEngine(BaseQueryEngine):
    """``Assistant.ask`` as a LlamaIndex query engine: the answer's text, its citations as source
    nodes, and the whole verified ``Answer`` in ``metadata`` (status, value, unit, citations…)."""

    def __init__(self, assistant: Assistant, documents: list[str] | None = None,
                 callback_manager: CallbackManager | None = None) -> None:
        super().__init__(callback_manager)
        self.assistant, self.documents = assistant, documents

    def _query(self, query_bundle: QueryBundle) -> Response:
        return answer_response(self.assistant.ask(query_bundle.query_str, self.documents))

    async def _aquery(self, query_bundle: QueryBundle) -> Response:
        return self._query(query_bundle)  # the pipeline is synchronous

    def _get_prompt_modules(self) -> PromptMixinType:
        return {}  # no prompts of LlamaIndex's to tune: the assistant's own live in prompts/


def answer_response(answer: Answer) -> Response:
    """An ``Answer`` as a LlamaIndex ``Response``."""
    nodes = [NodeWithScore(node=citation_node(c)) for c in answer.citations]
    return Response(response=answer.answer, source_nodes=nodes, metadata=answer.to_json())


def citation_node(citation: Citation) -> TextNode:
    """One cited cell or sentence: where it stands, then what it says."""
    place = " / ".join(p for p in (citation.document_title, citation.table or citation.section, citation.entity,
                                   citation.row, citation.column) if p)
    said = f"{citation.text} {citation.unit or ''}".strip() if citation.value is not None else citation.text
    metadata = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(citation).items() if v not in (None, "")}
    ident = hashlib.sha256(json.dumps(metadata, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:24]
    return TextNode(id_=f"citation:{ident}", text=f"{place}（第{citation.page}页）：{said}", metadata=metadata,
                    excluded_llm_metadata_keys=_HIDDEN, excluded_embed_metadata_keys=_HIDDEN)


def _chunk_node(chunk: Chunk, document: Document | None) -> TextNode:
    metadata: dict[str, Any] = {
        "document": chunk.document, "document_title": document.title if document else "",
        "source": document.source if document else "", "department": document.department if document else "",
        "year": document.year if document else None, "kind": chunk.kind, "ref": chunk.ref, "title": chunk.title,
        "table_kind": chunk.meta.get("table_kind", ""), "page": chunk.pages[0], "page_end": chunk.pages[1],
    }
    return TextNode(id_=chunk.id, text=chunk.text, metadata=metadata,
                    excluded_llm_metadata_keys=_HIDDEN, excluded_embed_metadata_keys=_HIDDEN)

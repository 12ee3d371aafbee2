"""Hybrid retrieval: BM25 and dense (Chroma) rankings fused by reciprocal rank.

Questions without Chinese lean on the dense side (the glossary still adds Chinese terms to
the lexical query). Filters: the documents routed to, and the table kinds a question names.
The single-sided modes exist for the benchmark's baselines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from assistant.understand import Question
from index import Library
from index.embeddings import Embedder

Mode = Literal["hybrid", "bm25", "dense"]
RRF_K = 60
EXACT_DOCUMENTS = 50  # routed to at most this many documents, dense search compares their chunks exactly


@dataclass(frozen=True)
class Hit:
    chunk: str
    score: float


class Retriever:
    def __init__(self, library: Library, embedder: Embedder) -> None:
        self.library = library
        self.embedder = embedder

    def search(self, question: Question, documents: list[str] | None, k: int = 8, mode: Mode = "hybrid") -> list[Hit]:
        depth = max(k * 3, 20)
        lexical = self._lexical(question, documents, depth) if mode != "dense" else []
        dense = self._dense(question, documents, depth) if mode != "bm25" else []
        if mode != "hybrid":
            return [Hit(cid, score) for cid, score in (lexical or dense)[:k]]
        dense_weight, lexical_weight = (1.0, 1.0) if question.language == "zh" else (1.0, 0.6)
        fused: dict[str, float] = {}
        for weight, ranking in ((lexical_weight, lexical), (dense_weight, dense)):
            for rank, (cid, _) in enumerate(ranking):
                fused[cid] = fused.get(cid, 0.0) + weight / (RRF_K + rank + 1)
        ranked = sorted(fused.items(), key=lambda item: -item[1])
        return [Hit(cid, score) for cid, score in ranked[:k]]

    def _lexical(self, question: Question, documents: list[str] | None, depth: int) -> list[tuple[str, float]]:
        hits = self.library.lexical.query(question.search_text, depth * (3 if question.kinds else 1), documents)
        if question.kinds:  # BM25 has no metadata: filter on the chunks' table kind afterwards
            chunks = self.library.store.chunks([cid for cid, _ in hits])
            hits = [(cid, score) for cid, score in hits if cid in chunks and chunks[cid].meta.get("table_kind") in question.kinds]
        return hits[:depth]

    def _dense(self, question: Question, documents: list[str] | None, depth: int) -> list[tuple[str, float]]:
        vector = self.embedder.embed([question.search_text])[0]
        chunks = self.library.store.chunk_ids(documents) if documents and len(documents) <= EXACT_DOCUMENTS else []
        if chunks:  # a few documents: their chunks' vectors compared exactly, whatever the corpus
            return self.library.vectors.nearest(vector, chunks, depth, question.kinds or None)
        return self.library.vectors.query(vector, depth, documents, question.kinds or None)

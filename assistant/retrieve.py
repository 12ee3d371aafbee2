"""Hybrid retrieval: BM25 and dense rankings fused by reciprocal rank. Dense search compares the
vectors of the documents routed to exactly (kept in the facts store); Chroma's index serves a
search across the whole corpus.

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
EXACT_DOCUMENTS = 200  # routed to at most this many documents, dense search compares their chunks exactly
CANDIDATES = 3  # narrowing many documents to n: the words pick n × this many, hybrid search ranks them


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
        return _fused(question, lexical, dense, k)

    def documents(self, question: Question, among: list[str], n: int) -> list[str]:
        """The ``n`` of these documents whose chunks answer the question best, best first. Among
        thousands, the full-text index (on disk) picks candidates and the hybrid search ranks them:
        the whole corpus's vector index is searched only when no word is found."""
        if len(among) <= EXACT_DOCUMENTS:
            return _distinct([h.chunk for h in self.search(question, among, k=n * 10)], among, n)
        words = self._lexical(question, None, n * CANDIDATES * 10)
        candidates = _distinct([cid for cid, _ in words], among, min(n * CANDIDATES, EXACT_DOCUMENTS))
        if not candidates:
            return _distinct([cid for cid, _ in self._dense(question, None, n * 10)], among, n)
        # the corpus's ranking kept to the candidates is theirs (BM25 counts rarity corpus-wide): not asked again
        theirs = {document[:16] for document in candidates}
        lexical = [(cid, score) for cid, score in words if cid.split(":")[0] in theirs]
        fused = _fused(question, lexical, self._dense(question, candidates, n * 30), n * 10)
        return _distinct([h.chunk for h in fused], candidates, n)

    def _lexical(self, question: Question, documents: list[str] | None, depth: int) -> list[tuple[str, float]]:
        hits = self.library.lexical.query(question.search_text, depth * (3 if question.kinds else 1), documents)
        if question.kinds:  # BM25 has no metadata: filter on the chunks' table kind afterwards
            chunks = self.library.store.chunks([cid for cid, _ in hits])
            hits = [(cid, score) for cid, score in hits if cid in chunks and chunks[cid].meta.get("table_kind") in question.kinds]
        return hits[:depth]

    def _dense(self, question: Question, documents: list[str] | None, depth: int) -> list[tuple[str, float]]:
        vector = self.embedder.embed([question.search_text])[0]
        if documents and len(documents) <= EXACT_DOCUMENTS:  # their chunks' vectors compared exactly, whatever the corpus
            return self.library.nearest(vector, documents, depth, question.kinds or None)
        return self.library.dense(vector, depth, documents, question.kinds or None)


def _distinct(chunks: list[str], among: list[str], n: int) -> list[str]:
    """The first ``n`` of these documents the ranked chunks come from (a chunk id begins with its
    document's)."""
    by_prefix = {document[:16]: document for document in among}
    found: dict[str, None] = {}
    for chunk in chunks:
        document = by_prefix.get(chunk.split(":")[0])
        if document is not None:
            found.setdefault(document)
            if len(found) == n:
                break
    return list(found)


def _fused(question: Question, lexical: list[tuple[str, float]], dense: list[tuple[str, float]], k: int) -> list[Hit]:
    """Two rankings fused by reciprocal rank; the words weigh less for a question in English."""
    dense_weight, lexical_weight = (1.0, 1.0) if question.language == "zh" else (1.0, 0.6)
    fused: dict[str, float] = {}
    for weight, ranking in ((lexical_weight, lexical), (dense_weight, dense)):
        for rank, (cid, _) in enumerate(ranking):
            fused[cid] = fused.get(cid, 0.0) + weight / (RRF_K + rank + 1)
    ranked = sorted(fused.items(), key=lambda item: -item[1])
    return [Hit(cid, score) for cid, score in ranked[:k]]

"""Lexical search: BM25 over jieba search-mode tokens plus character bigrams.

Bigrams catch budget terms jieba splits differently from the question ("企业奖补" vs
"奖补资金"); jieba catches the words. The tokens are kept with each chunk in the facts store,
whose full-text index (SQLite FTS5) ranks them and changes with each document in place. Within a
few documents the chunks' own tokens are ranked here instead: a full-text query reads each term's
postings across the whole corpus, so its cost grows with the corpus; theirs does not.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING

import jieba

if TYPE_CHECKING:
    from index.store import FactStore

jieba.setLogLevel(logging.WARNING)

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
_PUNCTUATION = re.compile(r"\W+")
FEW_DOCUMENTS = 10  # up to this many documents, BM25 over their own chunks
K1, B = 1.2, 0.75  # SQLite FTS5's bm25 constants: the same ranking function either way


def tokenize(text: str) -> list[str]:
    lowered = text.lower()
    tokens = [t for block in jieba.re_han_default.split(lowered) if block for t in _words(block)]
    for run in _CJK_RUN.findall(lowered):
        tokens += [run[i : i + 2] for i in range(len(run) - 1)]
    tokens += _WORD.findall(lowered)
    return tokens


@lru_cache(maxsize=65_536)
def _words(block: str) -> tuple[str, ...]:
    """jieba's search-mode words of one of the runs it cuts on their own (what it would give for
    them within any text): the same labels and headings recur in every report, so most are cut once."""
    return tuple(t for t in jieba.cut_for_search(block) if t.strip() and not _PUNCTUATION.fullmatch(t))


class LexicalIndex:
    def __init__(self, store: FactStore) -> None:
        self.store = store

    def query(self, text: str, k: int, documents: list[str] | None = None) -> list[tuple[str, float]]:
        """The ``k`` best chunks for a text, best first; only ``documents``' when given."""
        terms = tokenize(text)
        if documents and len(documents) <= FEW_DOCUMENTS:
            return bm25(self.store.chunk_tokens(documents), terms, k)
        return self.store.search_terms(terms, k, documents)


def bm25(chunks: list[tuple[str, str]], terms: list[str], k: int) -> list[tuple[str, float]]:
    """The ``k`` chunks (id, space-joined tokens) best matching any of the terms by Okapi BM25,
    term rarity counted among these chunks; as FTS5 does, every term of the query counts (a
    repeated one again) and a term in most chunks still counts a little."""
    wanted = set(terms)
    counts = []
    for cid, tokens in chunks:
        words = tokens.split()
        counts.append((cid, Counter(t for t in words if t in wanted), len(words)))
    if not counts:
        return []
    average = sum(length for _, _, length in counts) / len(counts) or 1.0
    holding = Counter(term for _, found, _ in counts for term in found)
    idf = {t: max(math.log((len(counts) - n + 0.5) / (n + 0.5)), 1e-6) for t, n in holding.items()}
    scored = []
    for cid, found, length in counts:
        norm = K1 * (1 - B + B * length / average)
        score = sum(idf[t] * found[t] * (K1 + 1) / (found[t] + norm) for t in terms if t in found)
        if score > 0:
            scored.append((cid, score))
    scored.sort(key=lambda hit: -hit[1])  # stable: ties keep the chunks' stored order
    return scored[:k]

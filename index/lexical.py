"""Lexical search: BM25 over jieba search-mode tokens plus character bigrams.

Bigrams catch budget terms jieba splits differently from the question ("企业奖补" vs
"奖补资金"); jieba catches the words. The tokens are kept with each chunk in the facts store,
whose full-text index (SQLite FTS5) ranks them and changes with each document in place.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import jieba

if TYPE_CHECKING:
    from index.store import FactStore

jieba.setLogLevel(logging.WARNING)

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")


def tokenize(text: str) -> list[str]:
    lowered = text.lower()
    tokens = [t for t in jieba.cut_for_search(lowered) if t.strip() and not re.fullmatch(r"\W+", t)]
    for run in _CJK_RUN.findall(lowered):
        tokens += [run[i : i + 2] for i in range(len(run) - 1)]
    tokens += _WORD.findall(lowered)
    return tokens


class LexicalIndex:
    def __init__(self, store: FactStore) -> None:
        self.store = store

    def query(self, text: str, k: int, documents: list[str] | None = None) -> list[tuple[str, float]]:
        """The ``k`` best chunks for a text, best first; only ``documents``' when given."""
        return self.store.search_terms(tokenize(text), k, documents)

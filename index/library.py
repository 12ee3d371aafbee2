"""The index's public face: ingest, delete and read back documents.

Ingestion of one document is all-or-nothing: parse, check, chunk and embed first (no
writes; ``index.prepare``, in worker processes when many files come at once), then write facts,
vectors and the lexical index under one SQLite transaction, undoing the vectors if anything fails.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.embeddings import Embedder, embedder_name, get_embedder
from index.errors import ConfigError, IngestError, NotFound
from index.labels import subject_labels
from index.lexical import LexicalIndex
from index.load_pdf import Progress, is_pdf
from index.parse import document_id
from index.prepare import Prepared, prepare, prepare_in_workers
from index.settings import Settings
from index.store import FactStore
from index.types import Document, PerformanceTable, Table
from index.vectors import VectorStore

log = logging.getLogger(__name__)


def _open_store(settings: Settings) -> FactStore:
    if settings.database_url:
        from index.store_pg import PostgresFactStore

        return PostgresFactStore(settings.database_url)
    return FactStore(settings.facts_path)


def _suffix(path: Path) -> str:
    with path.open("rb") as handle:
        return ".pdf" if is_pdf(handle.read(1024)) else ".txt"
SUFFIXES = (".pdf", ".txt")


@dataclass(frozen=True)
class IngestReport:
    document: Document
    skipped: bool  # the same bytes were already ingested
    tables: int = 0
    performance: int = 0
    facts: int = 0
    chunks: int = 0
    findings: int = 0
    failed_checks: int = 0
    seconds: float = 0.0

    @property
    def pages_per_second(self) -> float:
        return self.document.pages / self.seconds if self.seconds else 0.0


class Library:
    def __init__(self, settings: Settings, embedder: Embedder | None = None, vectors: VectorStore | None = None) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = _open_store(settings)
        self.space = embedder.name if embedder else embedder_name(settings.embedding_backend, settings.embedding_model)
        self.vectors = vectors or VectorStore(settings, self.space)
        self.lexical = LexicalIndex(self.store)
        self._embedder = embedder
        self._write_lock = threading.Lock()
        self._lock_file = settings.data_dir / "write.lock"
        self._pending = settings.data_dir / "pending"
        self._seen = self.store.data_version()
        self.generation = 0  # counts the changes to the set of documents this process has seen
        self._refresh_lock = threading.Lock()
        self.recover()
        self._copy_vectors()

    def recover(self) -> None:
        """Finish or roll back what a killed writer left: each write marks its document as pending
        first, so a marker found here names a write that never ended. An ingest whose facts never
        committed is undone (vectors, original); a delete is finished. The lexical index is part of
        the facts' transaction: nothing to repair there."""
        if not any(self._leftovers()):
            return
        with self._writing(repairing=True):  # a live writer holds the lock: its marker is gone once we have it
            markers, strays = self._leftovers()
            for marker in markers:
                document, action = marker.stem, marker.suffix
                if action == ".delete" and self.store.has(document):
                    with self.store.transaction():
                        self.store.delete(document)
                if not self.store.has(document):
                    self._undo_vectors(document)
                    self._drop_original(document)
                marker.unlink(missing_ok=True)
            for stray in strays:
                stray.unlink(missing_ok=True)
            log.warning("repaired %d unfinished writes in %s", len(markers), self.settings.data_dir)

    def _copy_vectors(self) -> None:
        """Stores written before they kept chunk vectors: copy each document's from Chroma, once."""
        if not self.store.documents_without_vectors(self.space):
            return
        with self._writing():
            missing, lost = self.store.documents_without_vectors(self.space), []
            for document in missing:
                chunks = self.store.chunks(self.store.chunk_ids([document]))
                stored = self.vectors.embeddings(list(chunks))
                have = [c for c in chunks.values() if c.id in stored]
                if not have:
                    lost.append(document)
                with self.store.transaction():
                    self.store.write_chunk_vectors(self.space, have, [stored[c.id] for c in have])
            log.warning("copied the chunk vectors of %d documents from Chroma into the facts store", len(missing) - len(lost))
            if lost:  # found by words alone until ingested again
                log.warning("Chroma holds no vectors of %d documents (%s): delete and ingest them again",
                            len(lost), ", ".join(d[:12] for d in lost[:10]))

    def nearest(
        self, vector: list[float], documents: list[str], k: int, kinds: list[str] | None = None
    ) -> list[tuple[str, float]]:
        """The ``k`` chunks of these documents nearest the vector, by exact cosine over the vectors the
        facts store keeps: a question routed to a few documents costs the same at any corpus size and
        loads no vector index."""
        ids, matrix = self.store.chunk_vectors(self.space, documents, kinds)
        if not ids:
            return []
        scores = matrix @ np.asarray(vector, dtype=np.float32)  # both unit length: the cosine
        order = np.argsort(-scores, kind="stable")[:k]
        return [(ids[i], float(scores[i])) for i in order]

    def dense(
        self, vector: list[float], k: int, documents: list[str] | None = None, kinds: list[str] | None = None
    ) -> list[tuple[str, float]]:
        """The ``k`` chunks nearest the vector by Chroma's index, of these documents or of all: only
        the shards holding them are searched."""
        shards = self.store.vector_shards(documents) if documents else None
        return self.vectors.query(vector, k, documents, kinds, shards)

    def _leftovers(self) -> tuple[list[Path], list[Path]]:
        """Pending markers and partly copied originals."""
        markers = sorted(self._pending.glob("*")) if self._pending.exists() else []
        strays = [*self.settings.files_path.glob("*.part")] if self.settings.files_path.exists() else []
        return markers, strays

    @contextmanager
    def _marked(self, document: str, action: str) -> Iterator[None]:
        """A write in progress, visible to the next start should this process be killed in it."""
        self._pending.mkdir(exist_ok=True)
        marker = self._pending / f"{document}.{action}"
        marker.touch()
        yield
        marker.unlink(missing_ok=True)

    def _step(self, name: str) -> None:
        """A named step of a write, where tests kill the process (``crash_at``) to prove recovery."""
        if self.settings.crash_at == name:
            os._exit(137)

    def refresh(self) -> None:
        """Pick up what another process (the CLI, another server worker) wrote since we last looked:
        the facts store tells (SQLite's data_version); the vectors are then read afresh."""
        with self._refresh_lock:
            version = self.store.data_version()
            if version != self._seen:
                self.vectors.reopen()
                self._seen = version
                self.generation += 1

    @contextmanager
    def _writing(self, repairing: bool = False) -> Iterator[None]:
        """One writer at a time, across threads and processes; it starts from what others wrote."""
        with self._write_lock, self._lock_file.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                with self.store.writing():  # and across machines, when the store is shared
                    if not repairing:
                        self.refresh()
                    yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = get_embedder(self.settings)
        return self._embedder

    def ingest(self, path: Path, source: str | None = None, progress: Progress | None = None) -> IngestReport:
        source = source or path.name
        known = self._known(path, source)
        if known:
            return known
        return self._write(prepare(path, source, self.settings, self.embedder, progress), path)

    def ingest_many(self, paths: list[Path], workers: int = 1) -> Iterator[tuple[Path, IngestReport | IngestError]]:
        """Each file ingested (or its error), in order; with ``workers`` > 1 the files are read, parsed
        and embedded that many at a time in worker processes while this one writes them in turn."""
        if workers <= 1 or len(paths) < 2 or self.space != embedder_name(self.settings.embedding_backend,
                                                                           self.settings.embedding_model):
            for path in paths:  # (an embedder given by the caller cannot be rebuilt in a worker)
                try:
                    yield path, self.ingest(path)
                except IngestError as exc:
                    yield path, exc
            return
        outcomes: Iterator[tuple[Path, IngestReport | IngestError | Prepared]] = \
            prepare_in_workers(self._checked(paths), self.settings, workers)
        for path, outcome in outcomes:
            if not isinstance(outcome, Prepared):
                yield path, outcome
                continue
            try:
                yield path, self._write(outcome, path)
            except IngestError as exc:
                yield path, exc

    def _checked(self, paths: list[Path]) -> Iterator[tuple[Path, IngestReport | IngestError | None]]:
        """Each file with its outcome when it needs no worker (ingested before, or not there); None
        for one to prepare. Lazily: at 10,000 files the first starts without reading the rest first."""
        for path in paths:
            try:
                yield path, self._known(path, path.name)
            except IngestError as exc:
                yield path, exc

    def _known(self, path: Path, source: str) -> IngestReport | None:
        """The report of a file whose bytes are already ingested; None for a new one."""
        if not path.is_file():
            raise IngestError(source, "no such file")
        doc_id = document_id(path.read_bytes())
        return IngestReport(self.store.resolve(doc_id), skipped=True) if self.store.has(doc_id) else None

    def _write(self, prepared: Prepared, path: Path) -> IngestReport:
        """One prepared document committed: facts, vectors, lexical index and the original, or nothing."""
        parsed, chunks = prepared.parsed, prepared.chunks
        started = time.perf_counter()
        with self._writing():
            if self.store.has(parsed.document.id):  # another writer took the same file meanwhile
                return IngestReport(self.store.resolve(parsed.document.id), skipped=True)
            labels = self.store.new_labels(self.embedder.name, subject_labels(parsed))
            label_vectors = self.embedder.embed(labels)

            def write_facts() -> None:
                self.store.write(parsed, prepared.facts, prepared.findings, chunks, prepared.tokens)
                self.store.write_chunk_vectors(self.space, chunks, prepared.vectors)
                self.store.write_label_vectors(self.embedder.name, labels, label_vectors)

            def write_vectors() -> None:
                self.store.place_vectors(parsed.document.id, self.vectors.add(chunks, prepared.vectors))

            self._commit(parsed.document, write_facts, write_vectors,
                         lambda: self._keep_original(path, parsed.document))
        findings = prepared.findings
        return IngestReport(
            parsed.document, False, len(parsed.tables), len(parsed.performance), len(prepared.facts), len(chunks),
            len(findings), sum(not f.ok and not f.rounding for f in findings),
            prepared.seconds + time.perf_counter() - started,
        )

    def _commit(
        self, document: Document, write_facts: Callable[[], None], write_vectors: Callable[[], None],
        keep_original: Callable[[], None],
    ) -> None:
        try:
            with self._marked(document.id, "ingest"), self.store.transaction():
                write_facts()
                self._step("ingest:facts")
                write_vectors()
                self._step("ingest:vectors")
                keep_original()
                self._step("ingest:original")
            self.generation += 1
        except Exception as exc:
            self._undo_vectors(document.id)
            self._drop_original(document.id)
            raise IngestError(document.source, f"could not be written to the index ({type(exc).__name__}: {exc})") from exc

    def _undo_vectors(self, document: str) -> None:
        try:
            self.vectors.delete_document(document)
        except Exception:  # the original error is the one worth reporting
            log.exception("could not remove vectors of %s", document)

    def _keep_original(self, path: Path, document: Document) -> None:
        """The file as ingested, under our own name: page images are drawn from it. A shared store
        keeps it itself (app servers share no disk)."""
        if self.store.keeps_originals:
            self.store.keep_original(document.id, _suffix(path), path.read_bytes())
            return
        self.settings.files_path.mkdir(parents=True, exist_ok=True)
        target = self.settings.files_path / f"{document.id}{_suffix(path)}"
        staging = target.with_suffix(target.suffix + ".part")
        shutil.copyfile(path, staging)
        staging.replace(target)

    def _drop_original(self, document: str) -> None:
        if self.settings.files_path.exists():
            for stored in self.settings.files_path.glob(f"{document}.*"):
                stored.unlink(missing_ok=True)

    def original(self, document: str, source: str = "") -> Path:
        """The stored original of a document (data directories from before originals were kept:
        the bundled sample of the same name)."""
        if self.settings.files_path.exists():
            for candidate in self.settings.files_path.glob(f"{document}.*"):
                if not candidate.name.endswith(".part"):
                    return candidate
        kept = self.store.original(document)
        if kept is not None:  # this server's copy of what the shared store keeps
            self.settings.files_path.mkdir(parents=True, exist_ok=True)
            target = self.settings.files_path / f"{document}{kept[0]}"
            staging = target.with_suffix(target.suffix + f".{os.getpid()}.part")
            staging.write_bytes(kept[1])
            staging.replace(target)
            return target
        fallback = self.settings.samples_dir / source
        if source and fallback.is_file():
            return fallback
        raise NotFound(f"the original file of document {document[:12]} is not stored")

    def ingest_paths(self, paths: list[Path]) -> list[Path]:
        """Files, and the disclosure files inside folders, in a stable order."""
        files: list[Path] = []
        for path in paths:
            if path.is_dir():
                files += sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())
            else:
                files.append(path)
        return files

    def delete(self, ref: str) -> Document:
        with self._writing():
            document = self.store.resolve(ref)
            with self._marked(document.id, "delete"):
                with self.store.transaction():
                    shards = self.store.vector_shards([document.id])
                    self.store.delete(document.id)
                    self._step("delete:facts")
                    self.vectors.delete_document(document.id, min(shards))  # one: all its chunks went in at once
                    self._step("delete:vectors")
                self.generation += 1
                self._drop_original(document.id)
            return document

    def pack(self, progress: Callable[[int], None] | None = None, batch: int = 50) -> int:
        """Keep each document ingested before packs were in one row of what a question reads of it
        (ingest writes it since): how many were packed. A batch a transaction, so it can be stopped
        and run again."""
        done = 0
        while True:
            with self._writing():
                documents = self.store.unpacked(batch)
                if not documents:
                    return done
                with self.store.transaction():
                    for document in documents:
                        self.store.pack_from_rows(document)
            done += len(documents)
            if progress is not None:
                progress(done)

    def rebuild_vectors(self, progress: Callable[[int], None] | None = None, batch: int = 50) -> int:
        """Write every document's chunk vectors, kept by the facts store, into an empty Chroma
        collection set (another collection name, a new server, or after losing Chroma's copy),
        filling its shards in turn: how many documents. Not resumable: a run cut short leaves
        vectors in the new collections, which must be deleted before running again."""
        if self.vectors.count():
            raise ConfigError(f"the Chroma collection '{self.settings.collection}' holds vectors already; rebuild "
                              "into an empty one (another BUDGET_QA_COLLECTION, or an empty Chroma)")
        documents, done = [d.id for d in self.store.documents()], 0
        with self._writing():
            with self.store.transaction():
                self.store.forget_vector_shards()
            for start in range(0, len(documents), batch):
                with self.store.transaction():
                    for document in documents[start : start + batch]:
                        ids, matrix = self.store.chunk_vectors(self.space, [document])
                        chunks = self.store.chunks(ids)
                        shard = self.vectors.add([chunks[cid] for cid in ids], matrix.tolist())
                        self.store.place_vectors(document, shard)
                done += len(documents[start : start + batch])
                if progress is not None:
                    progress(done)
            self.generation += 1
        return done

    def documents(self) -> list[Document]:
        return self.store.documents()

    def table_list(self, ref: str, forms: bool = True) -> list[dict[str, Any]]:
        """A document's tables (and, with ``forms``, its project performance forms, ids 'p…'), each
        as id, title, kind, unit and pages: what ``table`` opens."""
        document = self.store.resolve(ref)
        listed: list[dict[str, Any]] = [
            {"id": t.id, "title": t.title, "kind": t.kind, "unit": t.unit, "pages": t.pages, "rows": len(t.rows),
             "empty": t.empty} for t in self.store.tables(document.id)]
        if forms:
            listed += [{"id": p.id, "title": p.title, "kind": "项目绩效目标表", "unit": p.unit, "pages": p.pages}
                       for p in self.store.performance(document.id)]
        return listed

    def table(self, ref: str, table_id: str) -> Table | PerformanceTable:
        """One parsed table of a document, or a project performance form (ids 'p…')."""
        document = self.store.resolve(ref)
        if not table_id.startswith("p"):
            return self.store.table(document.id, table_id)
        found = [p for p in self.store.performance(document.id) if p.id == table_id]
        if not found:
            raise NotFound(f"no table '{table_id}' in document {document.id[:12]} ({document.source})")
        return found[0]

    def ingest_samples_if_empty(self) -> list[IngestReport]:
        if self.documents():
            return []
        return [self.ingest(p) for p in self.ingest_paths([self.settings.samples_dir])]

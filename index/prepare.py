"""The part of an ingest that writes nothing: parse, facts, checks, chunks, vectors, tokens.

It is most of an ingest's time and needs no store, so several documents are prepared at once in
worker processes (``prepare_in_workers``) while one writer commits them in order.
"""

from __future__ import annotations

import logging
import multiprocessing
import re
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from index import ocr
from index.checks import run_checks
from index.chunks import make_chunks
from index.embeddings import Embedder, get_embedder
from index.errors import BudgetQAError, IngestError, UnsupportedDocument
from index.facts import all_facts
from index.lexical import tokenize
from index.load_pdf import Progress
from index.parse import parse_file
from index.settings import Settings
from index.types import Chunk, Fact, Finding, ParsedDocument

log = logging.getLogger(__name__)
_MIN_TEXT = 40  # letters below which a document with no figures is blank: page numbers, a cover line at most
_WORDS = re.compile(r"[\u4e00-\u9fffA-Za-z]")
Known = TypeVar("Known")  # an outcome decided before any worker: passed through in its place


@dataclass
class Prepared:
    """One document ready to be written."""

    parsed: ParsedDocument
    facts: list[Fact]
    findings: list[Finding]
    chunks: list[Chunk]
    vectors: list[list[float]]
    tokens: list[str]  # each chunk's words, space-joined, for the lexical index
    seconds: float


def prepare(path: Path, source: str, settings: Settings, embedder: Embedder, progress: Progress | None = None) -> Prepared:
    started = time.perf_counter()
    try:
        parsed = parse_file(path, source, settings.limits(), progress)
    except BudgetQAError:
        raise
    except Exception as exc:  # a parser bug must still reach the user as a message
        log.exception("parsing %s failed", source)
        raise IngestError(source, f"could not be parsed ({type(exc).__name__}: {exc})") from exc
    facts = all_facts(parsed)
    if not facts and sum(len(_WORDS.findall(s.heading + s.text)) for s in parsed.sections) < _MIN_TEXT:
        raise UnsupportedDocument(source, "no tables, figures or text to answer from (blank pages?)")
    chunks = make_chunks(parsed, settings.chunk_rows, settings.chunk_chars)
    return Prepared(parsed, facts, run_checks(parsed), chunks, embedder.embed([c.embedding_text for c in chunks]),
                    [" ".join(tokenize(c.text)) for c in chunks], time.perf_counter() - started)


def prepare_in_workers(
    jobs: Iterable[tuple[Path, Known | None]], settings: Settings, workers: int
) -> Iterator[tuple[Path, Known | Prepared | IngestError]]:
    """Each job's file prepared in one of ``workers`` processes and yielded in the order given (a
    file that cannot be ingested yields its error); a job that comes with its outcome already (a
    file ingested before, one that cannot be read) passes through in its place. Jobs are drawn as
    workers free up, at most two per worker in flight, so memory does not grow with the number of
    files and the first file starts at once."""
    with _Pool[Known](settings, workers) as pool:
        flight: deque[tuple[Path, Known | Future[Prepared]]] = deque()
        for path, known in jobs:
            flight.append((path, pool.submit(path) if known is None else known))
            if len(flight) > 2 * workers:
                yield pool.outcome(*flight.popleft(), flight)
        while flight:
            yield pool.outcome(*flight.popleft(), flight)


class _Pool(Generic[Known]):
    """Worker processes that outlive a dead one (killed, out of memory): the pool is started afresh,
    the dead worker's file is tried once more on its own — dying again, it fails alone — and the
    files that were in flight with it are handed to the new workers."""

    def __init__(self, settings: Settings, workers: int) -> None:
        self._settings, self._workers = settings, workers
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # spawn, not fork: the parent holds threads (Chroma's, the embedder's) that a fork would copy mid-work
        return ProcessPoolExecutor(self._workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_worker, initargs=(self._settings,))

    def __enter__(self) -> _Pool[Known]:
        return self

    def __exit__(self, *_: object) -> None:
        self._pool.shutdown(cancel_futures=True)

    def submit(self, path: Path) -> Future[Prepared]:
        try:
            return self._pool.submit(_prepare_here, path, path.name)
        except BrokenProcessPool as exc:  # a worker died since the last outcome: handled when this one's turn comes
            broken: Future[Prepared] = Future()
            broken.set_exception(exc)
            return broken

    def outcome(self, path: Path, done: Known | Future[Prepared],
                flight: deque[tuple[Path, Known | Future[Prepared]]]) -> tuple[Path, Known | Prepared | IngestError]:
        if not isinstance(done, Future):
            return path, done
        try:
            return path, done.result()
        except IngestError as exc:
            return path, exc
        except BrokenProcessPool:
            return path, self._after_death(path, flight)
        except Exception as exc:  # what a worker raised that is not ours, still the file's own message
            return path, _failed(path, exc)

    def _after_death(self, path: Path, flight: deque[tuple[Path, Known | Future[Prepared]]]) -> Prepared | IngestError:
        log.warning("an ingest worker died while %s was in flight; starting the workers afresh", path.name)
        self._restart()
        try:
            alone: Prepared | IngestError = self.submit(path).result()
        except IngestError as exc:
            alone = exc
        except BrokenProcessPool:
            self._restart()
            alone = IngestError(path.name, "could not be prepared: its worker process died twice "
                                           "(out of memory? see the ingest limits)")
        except Exception as exc:
            alone = _failed(path, exc)
        for at, (other, pending) in enumerate(flight):
            if isinstance(pending, Future):
                flight[at] = other, self.submit(other)
        return alone

    def _restart(self) -> None:
        self._pool.shutdown(cancel_futures=True)
        self._pool = self._start()


def _failed(path: Path, exc: Exception) -> IngestError:
    return IngestError(path.name, f"could not be prepared ({type(exc).__name__}: {exc})")


_worker: tuple[Settings, Embedder] | None = None


def _start_worker(settings: Settings) -> None:
    global _worker
    # the workers share the cores: one thread each for the embedder and for OCR (with OCR's two
    # threads in each of two workers, 19 PDFs took 81.9 s against 70.6 s)
    settings = settings.model_copy(update={"embedding_threads": 1})
    ocr.THREADS = 1
    _worker = settings, get_embedder(settings)


def _prepare_here(path: Path, source: str) -> Prepared:
    assert _worker is not None, "worker not started"
    settings, embedder = _worker
    return prepare(path, source, settings, embedder)

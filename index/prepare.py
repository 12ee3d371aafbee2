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
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

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


def prepare_in_workers(jobs: Iterator[tuple[Path, str]], settings: Settings, workers: int) -> Iterator[Prepared | IngestError]:
    """Each (path, source) prepared in one of ``workers`` processes, yielded in the order given; a
    document that cannot be ingested yields its error. At most two documents per worker are in
    flight, so memory does not grow with the number of files."""
    # spawn, not fork: the parent holds threads (Chroma's, the embedder's) that a fork would copy mid-work
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(settings,)) as pool:
        flight: deque[tuple[str, Future[Prepared]]] = deque()
        for path, source in jobs:
            flight.append((source, pool.submit(_prepare_here, path, source)))
            if len(flight) >= 2 * workers:
                yield _outcome(*flight.popleft())
        while flight:
            yield _outcome(*flight.popleft())


def _outcome(source: str, future: Future[Prepared]) -> Prepared | IngestError:
    try:
        return future.result()
    except IngestError as exc:
        return exc
    except Exception as exc:  # a worker that died (out of memory, killed) fails its document only
        return IngestError(source, f"could not be prepared ({type(exc).__name__}: {exc})")


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

"""Ingestion jobs for uploads: checked, stored under our own name, ingested in a worker process.

An upload is refused before anything is written when it is too large or is neither a PDF
nor a disclosure text (sniffed from the bytes, never from the name). Stored files are named
by a fresh id; the client's file name is only shown, never used as a path.

Each job runs in its own process, watched: past ``ingest_memory_mb`` of resident memory (a
decompression bomb) or ``ingest_seconds`` it is stopped, as it is when cancelled; whatever it
left half-written is rolled back (``Library.recover``) and its upload removed.
"""

from __future__ import annotations

import multiprocessing
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from index import BudgetQAError, Library, NotFound, Settings, UnsupportedDocument
from index.load_pdf import is_pdf
from index.load_text import decode_text


class FileTooLarge(BudgetQAError):
    pass


@dataclass
class Job:
    id: str
    source: str
    state: str = "queued"  # queued | running | done | failed | cancelled
    pages_done: int = 0
    pages_total: int = 0
    document: dict[str, Any] | None = None
    report: dict[str, Any] | None = None
    error: str | None = None
    created: float = field(default_factory=time.time)
    finished: float | None = None


class Jobs:
    def __init__(self, library: Library, max_bytes: int) -> None:
        self.library = library
        self.max_bytes = max_bytes
        self._jobs: dict[str, Job] = {}
        self._cancelled: set[str] = set()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest")  # ingests one at a time
        _forget_old_uploads(library.settings.uploads_path)

    def submit(self, data: bytes, client_name: str) -> Job:
        source = _display_name(client_name)
        suffix = _sniff(data, source, self.max_bytes)
        folder = self.library.settings.uploads_path
        folder.mkdir(parents=True, exist_ok=True)
        job = Job(uuid.uuid4().hex, source)
        path = folder / f"{job.id}{suffix}"
        path.write_bytes(data)
        with self._lock:
            self._jobs[job.id] = job
        self._pool.submit(self._run, job, path)
        return job

    def get(self, job_id: str) -> Job:
        with self._lock:
            if job_id not in self._jobs:
                raise NotFound(f"no ingestion job '{job_id}'")
            return self._jobs[job_id]

    def cancel(self, job_id: str) -> Job:
        """Stop a queued or running job; one that has ended is left as it ended."""
        job = self.get(job_id)
        with self._lock:
            if job.state in ("queued", "running"):
                self._cancelled.add(job_id)
        return job

    def _run(self, job: Job, path: Path) -> None:
        ended: tuple[Any, ...] = ("cancelled", f"{job.source}: cancelled")
        try:
            if job.id not in self._cancelled:
                job.state = "running"
                ended = self._watch(job, path)
        finally:
            path.unlink(missing_ok=True)  # the library keeps its own copy of what it ingested
            # said last: once a job reads as ended, its files are gone and the index is current
            if ended[0] == "done":
                job.document, job.report = ended[1], ended[2]
            else:
                job.error = ended[1]
            job.state, job.finished = ended[0], time.time()

    def _watch(self, job: Job, path: Path) -> tuple[Any, ...]:
        """Run the worker, stop it past its memory or time or when cancelled, and say how it ended:
        ("done", document, report) | ("failed", error) | ("cancelled", error)."""
        settings = self.library.settings
        context = multiprocessing.get_context("spawn")  # a clean process: no threads or locks of ours
        receiver, sender = context.Pipe(duplex=False)
        worker = context.Process(target=_ingest, args=(settings, path, job.source, sender), daemon=True)
        worker.start()
        sender.close()
        deadline = time.monotonic() + settings.ingest_seconds
        ended: tuple[Any, ...] | None = None
        while ended is None:
            if receiver.poll(0.05):
                try:
                    message = receiver.recv()
                except EOFError:  # the worker ended without a word: it died
                    message = ("failed", f"{job.source}: the ingest worker died")
                if message[0] == "progress":
                    job.pages_done, job.pages_total = message[1], message[2]
                else:
                    ended = message
            elif job.id in self._cancelled:
                ended = ("cancelled", f"{job.source}: cancelled")
            elif _resident_mb(worker.pid) > settings.ingest_memory_mb:
                ended = ("failed", f"{job.source}: used more than {settings.ingest_memory_mb} MB of memory while "
                                   "reading (ingest_memory_mb)")
            elif time.monotonic() > deadline:
                ended = ("failed", f"{job.source}: took longer than {settings.ingest_seconds} s (ingest_seconds)")
        if ended[0] != "done":
            worker.kill()
        worker.join()
        receiver.close()
        if ended[0] != "done":
            self.library.recover()  # a worker killed mid-write leaves nothing behind
        self.library.refresh()
        return ended


def _ingest(settings: Settings, path: Path, source: str, sender: Connection) -> None:
    """The worker: ingest one file into the shared data directory, saying how it goes."""
    try:
        report = Library(settings).ingest(path, source=source, progress=lambda d, t: sender.send(("progress", d, t)))
        sender.send(("done", report.document.__dict__, {
            "skipped": report.skipped, "tables": report.tables, "facts": report.facts, "chunks": report.chunks,
            "findings": report.findings, "seconds": round(report.seconds, 2)}))
    except BudgetQAError as exc:
        sender.send(("failed", str(exc)))
    except Exception as exc:  # the job reports it; the server keeps running
        sender.send(("failed", f"{source}: ingestion failed ({type(exc).__name__}: {exc})"))
    finally:
        sender.close()


def _resident_mb(pid: int | None) -> float:
    """The resident memory of a process, from /proc (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) / 1024 if found else 0.0


def _forget_old_uploads(folder: Path, older_than: float = 3600.0) -> None:
    """Uploads of jobs a killed server never finished: no job will come back for them."""
    if folder.exists():
        for stale in folder.iterdir():
            if stale.is_file() and time.time() - stale.stat().st_mtime > older_than:
                stale.unlink(missing_ok=True)


def _display_name(name: str) -> str:
    base = re.split(r"[\\/]", name or "")[-1]
    cleaned = re.sub(r"[^\w.\-\u4e00-\u9fff（）()]", "_", base)[:120]
    return cleaned or "upload"


def _sniff(data: bytes, source: str, max_bytes: int) -> str:
    if len(data) > max_bytes:
        # in bytes: rounded to MB, a file just over the limit read "50.0 MB is over the limit of 50 MB"
        raise FileTooLarge(f"{source}: {len(data):,} bytes is over the upload limit of {max_bytes:,} bytes "
                           f"({max_bytes / 1e6:g} MB)")
    if not data:
        raise UnsupportedDocument(source, "the file is empty")
    if is_pdf(data):
        return ".pdf"
    text = decode_text(source, data)
    if "\t" not in text:
        raise UnsupportedDocument(source, "neither a PDF nor a tab-separated disclosure text")
    return ".txt"

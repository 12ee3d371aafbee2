"""Ingestion jobs for uploads: checked, stored under our own name, ingested in the background.

An upload is refused before anything is written when it is too large or is neither a PDF
nor a disclosure text (sniffed from the bytes, never from the name). Stored files are named
by a fresh id; the client's file name is only shown, never used as a path.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index import BudgetQAError, Library, NotFound, UnsupportedDocument
from index.load_pdf import is_pdf
from index.load_text import decode_text


class FileTooLarge(BudgetQAError):
    pass


@dataclass
class Job:
    id: str
    source: str
    state: str = "queued"  # queued | running | done | failed
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
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest")  # ingests one at a time

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

    def _run(self, job: Job, path: Path) -> None:
        job.state = "running"

        def progress(done: int, total: int) -> None:
            job.pages_done, job.pages_total = done, total

        try:
            report = self.library.ingest(path, source=job.source, progress=progress)
            job.document = report.document.__dict__
            job.report = {"skipped": report.skipped, "tables": report.tables, "facts": report.facts,
                          "chunks": report.chunks, "findings": report.findings, "seconds": round(report.seconds, 2)}
            job.state = "done"
        except BudgetQAError as exc:
            job.error, job.state = str(exc), "failed"
        except Exception as exc:  # the job reports it; the server keeps running
            job.error, job.state = f"{job.source}: ingestion failed ({type(exc).__name__}: {exc})", "failed"
        finally:
            job.finished = time.time()
            path.unlink(missing_ok=True)  # the library keeps its own copy of what it ingested


def _display_name(name: str) -> str:
    base = re.split(r"[\\/]", name or "")[-1]
    cleaned = re.sub(r"[^\w.\-\u4e00-\u9fff（）()]", "_", base)[:120]
    return cleaned or "upload"


def _sniff(data: bytes, source: str, max_bytes: int) -> str:
    if len(data) > max_bytes:
        raise FileTooLarge(f"{source}: {len(data) / 1e6:.1f} MB is over the upload limit of {max_bytes / 1e6:.0f} MB")
    if not data:
        raise UnsupportedDocument(source, "the file is empty")
    if is_pdf(data):
        return ".pdf"
    text = decode_text(source, data)
    if "\t" not in text:
        raise UnsupportedDocument(source, "neither a PDF nor a tab-separated disclosure text")
    return ".txt"

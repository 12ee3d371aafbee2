"""Upload jobs run in a watched worker process: a decompression bomb, a job past its time, and a
cancelled job all end as such, and leave the index and the uploads folder as they were."""

from __future__ import annotations

import os
import time

import pytest

from assistant.jobs import FileTooLarge, Job, Jobs
from eval.hostile_files import bomb
from index import Library, Settings
from tests.conftest import HEBEI, SHEHUI


@pytest.fixture
def jobs(tmp_path, embedder):
    def make(**limits: int) -> Jobs:
        settings = Settings(data_dir=tmp_path / "data", collection="jobs_test").model_copy(update=limits)
        library = Library(settings, embedder=embedder)
        library.ingest(SHEHUI)
        return Jobs(library, 50_000_000)

    return make


def _ended(jobs: Jobs, job: Job, seconds: float = 300) -> Job:
    deadline = time.monotonic() + seconds
    while jobs.get(job.id).state in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.2)
    return jobs.get(job.id)


def _untouched(jobs: Jobs) -> None:
    library = jobs.library
    assert [d.source for d in library.documents()] == [SHEHUI.name]
    assert not any(library.settings.uploads_path.iterdir())
    assert not (library.settings.data_dir / "pending").exists() or not any((library.settings.data_dir / "pending").iterdir())


def test_a_decompression_bomb_is_stopped_at_the_memory_cap(jobs):
    watched = jobs(ingest_memory_mb=600, max_stream_mb=5000)  # past the stream bound: the watchdog's to stop
    started = time.monotonic()
    job = _ended(watched, watched.submit(bomb(1000), "bomb.pdf"))
    assert job.state == "failed" and "more than 600 MB" in (job.error or "") and "bomb.pdf" in (job.error or "")
    print(f"1.5 MB PDF inflating to 1 GB: stopped at the 600 MB cap after {time.monotonic() - started:.1f} s")
    _untouched(watched)


def test_a_job_past_its_time_is_stopped(jobs):
    watched = jobs(ingest_seconds=1)
    job = _ended(watched, watched.submit(HEBEI.read_bytes(), HEBEI.name))
    assert job.state == "failed" and "longer than 1 s" in (job.error or "")
    _untouched(watched)


def test_a_cancelled_job_leaves_nothing(jobs):
    watched = jobs()
    job = watched.submit(HEBEI.read_bytes(), HEBEI.name)
    time.sleep(1.0)  # running: its worker is starting
    watched.cancel(job.id)
    job = _ended(watched, job)
    assert job.state == "cancelled" and "cancelled" in (job.error or "")
    _untouched(watched)


def test_uploads_a_killed_server_left_are_swept_at_start(tmp_path, embedder):
    settings = Settings(data_dir=tmp_path / "data", collection="jobs_test")
    uploads = settings.uploads_path
    uploads.mkdir(parents=True)
    stale, fresh = uploads / "stale.pdf", uploads / "fresh.pdf"
    stale.write_bytes(b"%PDF-1.4 left by a killed server")
    fresh.write_bytes(b"%PDF-1.4 another server's job, running")
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))
    Jobs(Library(settings, embedder=embedder), 50_000_000)
    assert not stale.exists() and fresh.exists()


def test_an_upload_just_over_the_limit_says_by_how_much(tmp_path, embedder):
    settings = Settings(data_dir=tmp_path / "data", collection="jobs_test")
    jobs = Jobs(Library(settings, embedder=embedder), 1_000_000)
    with pytest.raises(FileTooLarge, match=r"big\.pdf: 1,000,001 bytes is over the upload limit of 1,000,000 bytes \(1 MB\)"):
        jobs.submit(b"%PDF-1.4\n" + b"0" * 999_992, "big.pdf")
    assert not settings.uploads_path.exists() or not any(settings.uploads_path.iterdir())

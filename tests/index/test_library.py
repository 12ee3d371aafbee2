"""Ingest into the real facts store, embedded Chroma and BM25: idempotent, deletable."""

from __future__ import annotations

import os
import threading
import time

import pytest

from index import IngestError, IngestReport
from tests.conftest import CAIZHENG, HEBEI, SAMPLES, SHEHUI


def _counts(library, doc_id):
    store = library.store
    return (store.count("documents", doc_id), store.count("facts", doc_id), store.count("chunks", doc_id),
            library.vectors.count(doc_id))


def test_ingest_is_idempotent_and_delete_removes_everywhere(library):
    first = library.ingest(SHEHUI)
    assert not first.skipped and first.facts > 100 and first.chunks > 10
    doc = first.document.id
    before = _counts(library, doc)
    assert before[0] == 1 and before[3] == first.chunks
    again = library.ingest(SHEHUI)
    assert again.skipped
    assert _counts(library, doc) == before
    hits = library.lexical.query("住房公积金", 5)
    assert hits and all(cid.startswith(doc[:16]) for cid, _ in hits)
    library.delete(SHEHUI.name)
    assert _counts(library, doc) == (0, 0, 0, 0)
    assert library.lexical.query("住房公积金", 5) == []


def test_facts_carry_provenance(library):
    report = library.ingest(HEBEI)
    facts = [f for f in library.store.facts(report.document.id) if f.code == "2069901" and f.column == ("合计",)]
    assert {f.table_kind for f in facts} >= {"收入表", "支出表", "一般公共预算财政拨款支出表"}
    award = next(f for f in facts if f.table_kind == "支出表")
    assert (award.value, award.unit, award.value_yuan, award.page, award.row) == (5000.32, "万元", 50003200.0, 8, "科技奖励")


def test_library_reopens_from_disk(library, settings, embedder):
    from index import Library

    library.ingest(SHEHUI)
    reopened = Library(settings, embedder=embedder)
    assert [d.source for d in reopened.documents()] == [SHEHUI.name]
    assert reopened.lexical.query("公务员医疗补助", 3)


def test_labels_are_embedded_once_at_ingest(corpus, embedder):
    """Printed labels get vectors for matching by meaning; a label printed by two reports is stored once."""
    vectors = corpus.store.label_vectors(embedder.name, ["2024年企业奖补", "住房公积金", "没有这个标签"])
    assert set(vectors) == {"2024年企业奖补", "住房公积金"}  # a project of a performance form, a row
    assert all(len(v) == len(embedder.embed(["x"])[0]) for v in vectors.values())
    assert corpus.store.new_labels(embedder.name, ["住房公积金", "没有这个标签"]) == ["没有这个标签"]


def test_many_files_prepared_in_worker_processes_are_written_in_order_as_one_by_one(library, settings, embedder, tmp_path):
    """Two workers parse and embed while this process writes: the same facts, chunks and vectors as
    ingesting each file alone, in the order given; a file that cannot be ingested fails alone, with
    its own message (raised in a worker, carried back), and one already here is reported skipped."""
    from index import IngestError, Library, Settings, UnsupportedDocument

    blank = tmp_path / "blank.txt"
    blank.write_text("1\n2\n", encoding="utf-8")
    missing = tmp_path / "missing.pdf"
    library.ingest(HEBEI)
    outcomes = list(library.ingest_many([SHEHUI, blank, missing, HEBEI, CAIZHENG], workers=2))
    assert [p for p, _ in outcomes] == [SHEHUI, blank, missing, HEBEI, CAIZHENG]
    (_, shehui), (_, empty), (_, absent), (_, hebei), (_, caizheng) = outcomes
    assert isinstance(empty, UnsupportedDocument) and str(empty).startswith("blank.txt: no tab-separated table rows")
    assert isinstance(absent, IngestError) and str(absent) == "missing.pdf: no such file"
    assert hebei.skipped and not shehui.skipped and not caizheng.skipped
    alone = Library(Settings(data_dir=tmp_path / "alone", collection="alone"), embedder=embedder)
    for report in (shehui, caizheng):
        one = alone.ingest(SAMPLES / report.document.source)
        assert (report.document.id, report.facts, report.chunks, report.findings) == \
            (one.document.id, one.facts, one.chunks, one.findings)
        assert _counts(library, report.document.id) == _counts(alone, one.document.id)
        ids = library.store.chunk_ids([report.document.id])
        mine, theirs = library.vectors.embeddings(ids), alone.vectors.embeddings(ids)
        assert max(abs(a - b) for i in ids for a, b in zip(mine[i], theirs[i], strict=True)) < 1e-4


def _kill_workers(kills: int, killed: list[int]) -> None:
    """SIGKILL, as the kernel kills a process out of memory: first one of the two workers once both
    run, then (kills=2) the first worker started after that — the one retrying the dead one's file."""
    import multiprocessing
    import signal

    deadline = time.monotonic() + 120
    seen: set[int] = set()
    while len(killed) < kills and time.monotonic() < deadline:
        alive = {p.pid for p in multiprocessing.active_children() if p.pid}
        fresh = sorted(alive - seen)
        if (not killed and len(alive) >= 2) or (killed and fresh):
            seen |= alive
            os.kill(fresh[0], signal.SIGKILL)
            killed.append(fresh[0])
        time.sleep(0.02)


@pytest.mark.parametrize("kills", [1, 2])
def test_a_worker_killed_mid_ingest_loses_no_other_file(library, kills, caplog):
    """Workers start afresh after one dies; the file it held is tried again on its own and fails
    alone only if its worker dies again; the files in flight beside it are ingested."""
    killed: list[int] = []
    killer = threading.Thread(target=_kill_workers, args=(kills, killed))
    killer.start()
    outcomes = list(library.ingest_many([SHEHUI, HEBEI, CAIZHENG], workers=2))
    killer.join()
    assert len(killed) == kills and "an ingest worker died" in caplog.text
    (_, first), *rest = outcomes
    if kills == 1:
        assert isinstance(first, IngestReport) and not first.skipped and first.facts > 100
    else:
        assert isinstance(first, IngestError) and str(first) == (
            f"{SHEHUI.name}: could not be prepared: its worker process died twice (out of memory? see the ingest limits)")
    assert all(isinstance(r, IngestReport) and not r.skipped and r.facts > 100 for _, r in rest)
    assert {d.source for d in library.documents()} == {p.name for p, r in outcomes if isinstance(r, IngestReport)}


def test_files_handed_to_workers_after_one_died_are_prepared_by_fresh_ones(settings, tmp_path):
    """A worker can die while files are still being handed in (the pool then refuses new work): the
    file handed in after it is prepared all the same, and a file that needs no worker (one already
    ingested) keeps its place in the order."""
    from index.prepare import Prepared, prepare_in_workers

    killed: list[int] = []
    known = tmp_path / "ingested-before.pdf"

    def jobs():
        yield SHEHUI, None
        yield known, "already here"
        yield HEBEI, None
        _kill_workers(1, killed)
        time.sleep(2)  # the pool notices the death: from here it refuses new work
        yield CAIZHENG, None

    outcomes = list(prepare_in_workers(jobs(), settings, 2))
    assert len(killed) == 1
    assert [(p, o if p == known else type(o)) for p, o in outcomes] == \
        [(SHEHUI, Prepared), (known, "already here"), (HEBEI, Prepared), (CAIZHENG, Prepared)]
    assert all(o.facts for p, o in outcomes if p != known)

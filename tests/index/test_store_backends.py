"""The same store tests on both facts stores: SQLite under the data directory (the default) and
PostgreSQL (a real server of Debian's package, started by the fixture). Whatever a backend is,
a document is written whole, read back with its provenance, found by its words, and deleted
everywhere."""

from __future__ import annotations

import time

import httpx
import pytest

from app import build_app
from assistant import Assistant
from index import Library, Settings
from index.store import FactStore
from index.store_pg import PostgresFactStore
from tests.conftest import CAIZHENG, HEBEI, SHEHUI
from tests.servers import Server


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path, embedder) -> Library:
    url = request.getfixturevalue("database_url") if request.param == "postgres" else ""
    settings = Settings(data_dir=tmp_path / "data", collection="store_test", database_url=url)
    library = Library(settings, embedder=embedder)
    assert isinstance(library.store, PostgresFactStore if url else FactStore)
    return library


def test_a_document_is_written_whole_and_read_back_with_provenance(backend):
    report = backend.ingest(HEBEI)
    store, doc = backend.store, report.document
    assert [d.source for d in backend.documents()] == [HEBEI.name]
    assert store.resolve(HEBEI.name) == doc == store.resolve(doc.id) == store.resolve(doc.id[:6]) and store.has(doc.id)
    every, failed = store.findings(doc.id), store.failed_findings(doc.id)
    assert 0 < len(failed) < len(every) and sorted(map(str, failed)) == sorted(str(f) for f in every if not f["ok"])
    facts = [f for f in store.facts(doc.id) if f.code == "2069901" and f.column == ("合计",) and f.table_kind == "支出表"]
    assert [(f.value, f.unit, f.value_yuan, f.page, f.row) for f in facts] == [(5000.32, "万元", 50003200.0, 8, "科技奖励")]
    assert store.count("facts", doc.id) == report.facts and store.count("chunks", doc.id) == report.chunks
    assert len(store.tables(doc.id)) == report.tables and len(store.performance(doc.id)) == report.performance
    assert store.table(doc.id, store.tables(doc.id)[0].id).rows
    assert store.sections(doc.id) and store.contents(doc.id) and store.footprint(doc.id) > 100_000
    spans = store.chunk_spans(doc.id, store.tables(doc.id)[0].id)
    assert spans and set(store.chunks([cid for cid, _, _ in spans])) == {cid for cid, _, _ in spans}


def test_words_find_their_chunks_within_the_documents_asked(backend):
    hebei, shehui = backend.ingest(HEBEI).document, backend.ingest(SHEHUI).document
    found = backend.lexical.query("住房公积金", 50)
    assert {cid[:16] for cid, _ in found} == {hebei.id[:16], shehui.id[:16]}
    assert [score for _, score in found] == sorted((score for _, score in found), reverse=True)
    scoped = backend.lexical.query("住房公积金", 50, [shehui.id])
    assert scoped and {cid[:16] for cid, _ in scoped} == {shehui.id[:16]}
    award = backend.lexical.query("企业奖补资金", 3)
    assert award and all(cid.startswith(hebei.id[:16]) for cid, _ in award)
    for text in ['"企业', "企业 OR NOT 奖补", "tokens:企业", "奖补*", "(科技", "a-b & c | !d", "it's"]:
        backend.lexical.query(text, 5)  # words, never query syntax
    assert backend.store.lexical_problems() == ""


def test_delete_removes_a_document_everywhere(backend):
    kept, gone = backend.ingest(SHEHUI).document, backend.ingest(CAIZHENG).document
    assert backend.store.units().keys() >= {kept.id, gone.id}
    backend.delete(gone.id)
    for table in ("documents", "facts", "chunks", "chunk_vectors", "tables", "findings"):
        assert backend.store.count(table, gone.id) == 0, table
    assert backend.vectors.count(gone.id) == 0 and backend.store.count("chunks", kept.id) > 0
    assert {cid[:16] for cid, _ in backend.lexical.query("福利费", 50)} <= {kept.id[:16]}
    assert backend.store.lexical_problems() == ""


def test_label_vectors_are_stored_once_per_space(backend, embedder):
    backend.ingest(HEBEI)
    store = backend.store
    vectors = store.label_vectors(embedder.name, ["2024年企业奖补", "住房公积金", "没有这个标签"])
    assert set(vectors) == {"2024年企业奖补", "住房公积金"} and len(vectors["住房公积金"]) == 512
    assert store.new_labels(embedder.name, ["住房公积金", "新标签"]) == ["新标签"]
    with store.transaction():
        store.write_label_vectors(embedder.name, ["住房公积金"], [[0.0] * 512])  # already there: kept as it was
    assert (store.label_vectors(embedder.name, ["住房公积金"])["住房公积金"] == vectors["住房公积金"]).all()


def test_chunk_vectors_are_kept_with_their_document_and_found_exactly(backend, embedder):
    hebei, shehui = backend.ingest(HEBEI).document, backend.ingest(SHEHUI).document
    ids, matrix = backend.store.chunk_vectors(embedder.name, [hebei.id])
    assert len(ids) == backend.store.count("chunks", hebei.id) == matrix.shape[0] and matrix.shape[1] == 512
    stored = backend.vectors.embeddings(ids[:3])  # the same vectors Chroma holds
    assert all(abs(matrix[i] - stored[cid]).max() < 1e-6 for i, cid in enumerate(ids[:3]))
    vector = embedder.embed(["企业奖补资金"])[0]
    nearest = backend.nearest(vector, [hebei.id], 5)
    assert [cid for cid, _ in nearest] == [cid for cid, _ in backend.vectors.query(vector, 5, [hebei.id])]
    assert [score for _, score in nearest] == sorted((score for _, score in nearest), reverse=True)
    tables = backend.nearest(vector, [hebei.id, shehui.id], 50, ["支出表"])
    chunks = backend.store.chunks([cid for cid, _ in tables])
    assert tables and {c.meta.get("table_kind") for c in chunks.values()} == {"支出表"}
    assert {c.document for c in chunks.values()} == {hebei.id, shehui.id}
    assert backend.nearest(vector, [], 5) == [] and backend.store.documents_without_vectors(embedder.name) == []


def test_a_store_written_before_it_kept_chunk_vectors_is_completed_from_chroma(backend, embedder):
    document = backend.ingest(SHEHUI).document
    vector = embedder.embed(["住房公积金"])[0]
    expected = backend.nearest(vector, [document.id], 8)
    postgres = isinstance(backend.store, PostgresFactStore)
    backend.store._execute("DROP TABLE chunk_vectors")  # as schema 4 left it
    backend.store._execute("UPDATE budget_qa_meta SET schema_version = 4" if postgres else "PRAGMA user_version = 4")
    reopened = Library(backend.settings, embedder=embedder)
    assert reopened.store.documents_without_vectors(embedder.name) == []
    again = reopened.nearest(vector, [document.id], 8)
    assert expected and [c for c, _ in again] == [c for c, _ in expected]
    # the same vectors: the same cosines (to float32 rounding)
    assert [s for _, s in again] == pytest.approx([s for _, s in expected])


def test_a_document_whose_vectors_chroma_lost_is_named_not_hidden(backend, embedder, caplog):
    document = backend.ingest(SHEHUI).document
    backend.vectors.delete_document(document.id)  # Chroma's copy lost
    backend.store._execute("DELETE FROM chunk_vectors")  # and the store from before it kept them
    reopened = Library(backend.settings, embedder=embedder)
    assert f"Chroma holds no vectors of 1 documents ({document.id[:12]})" in caplog.text
    assert reopened.nearest(embedder.embed(["住房公积金"])[0], [document.id], 5) == []
    assert reopened.lexical.query("住房公积金", 5, [document.id])  # still found by its words


def test_another_connections_write_is_noticed_and_a_failed_one_leaves_nothing(backend, embedder):
    other = Library(backend.settings, embedder=embedder)  # another process, another app server
    before = backend.store.data_version()
    other.ingest(SHEHUI)
    assert backend.store.data_version() != before
    backend.refresh()
    assert [d.source for d in backend.documents()] == [SHEHUI.name]
    with pytest.raises(RuntimeError), backend.store.transaction():
        backend.store._execute("INSERT INTO findings (document, check_name) VALUES ('d', 'c')")
        raise RuntimeError("the write fails half-way")
    assert backend.store.count("findings", "d") == 0


def test_two_app_servers_share_one_postgres_and_one_chroma_server(tmp_path, database_url, chroma_server, embedder):
    """The scale-out set-up of the README: stateless app servers, each with its own local folder,
    on one PostgreSQL (facts, full-text index, originals) and one `chroma run` (vectors). A report
    uploaded to one is answered, drawn and deleted by the other."""
    def app_server(name: str) -> Server:
        (tmp_path / "no-samples").mkdir(exist_ok=True)  # start empty, not with the bundled samples
        settings = Settings(data_dir=tmp_path / name, database_url=database_url, chroma_host="127.0.0.1",
                            chroma_port=chroma_server, collection=f"shared_{tmp_path.name[-20:]}",
                            samples_dir=tmp_path / "no-samples")
        library = Library(settings, embedder=embedder)
        return Server(build_app(settings, assistant=Assistant(settings, library=library, embedder=embedder, drafter=None)))

    with app_server("a") as a, app_server("b") as b:
        first, second = httpx.Client(base_url=a.url, timeout=120), httpx.Client(base_url=b.url, timeout=120)
        job = first.post("/v1/documents", files={"file": (HEBEI.name, HEBEI.read_bytes(), "text/plain")}).json()
        deadline = time.monotonic() + 120
        while job["state"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.3)
            job = first.get(f"/v1/jobs/{job['id']}").json()
        assert job["state"] == "done", job
        answer = second.post("/v1/ask", json={"question": "企业奖补安排了多少资金？"}).json()
        assert (answer["status"], answer["value"]) == ("verified", 5000.32), answer
        page = second.get(f"/v1/documents/{job['document']['id']}/pages/{answer['citations'][0]['page']}.png")
        assert page.status_code == 200 and page.content[:8] == b"\x89PNG\r\n\x1a\n"  # B never saw the file
        assert second.delete(f"/v1/documents/{job['document']['id']}").status_code == 200
        assert first.get("/v1/documents").json() == []
        assert first.post("/v1/ask", json={"question": "企业奖补安排了多少资金？"}).json()["status"] == "not_found"


def _reads(store, document):
    """What a question reads of a document, comparable across backends' row orders."""
    return (sorted(map(repr, store.facts(document))), store.tables(document), store.sections(document),
            sorted(map(repr, store.failed_findings(document))), store.chunk_tokens([document]))


def test_a_documents_pack_reads_as_its_rows_and_older_stores_are_packed(backend):
    doc = backend.ingest(HEBEI).document
    store = backend.store
    packed = _reads(store, doc.id)
    assert store.unpacked(10) == [] and packed[0] and packed[1] and packed[3] and packed[4]
    with store.transaction():  # as a store written before packs were kept
        store._execute("DELETE FROM packs WHERE document = ?", (doc.id,))
    store._packs.drop(doc.id)
    assert store.unpacked(10) == [doc.id]
    assert _reads(store, doc.id) == packed  # read from the rows
    assert backend.pack() == 1 and backend.pack() == 0 and store.unpacked(10) == []
    store._packs.drop(doc.id)
    assert _reads(store, doc.id) == packed
    backend.delete(doc.id)
    assert store.count("packs", doc.id) == 0 and store.facts(doc.id) == [] and store.tables(doc.id) == []

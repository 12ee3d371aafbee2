"""Ingest into the real facts store, embedded Chroma and BM25: idempotent, deletable."""

from __future__ import annotations

from tests.conftest import HEBEI, SHEHUI


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

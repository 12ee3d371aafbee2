"""The lexical index lives in the facts store (SQLite FTS5 over each chunk's tokens): written and
deleted with a document's rows in one transaction, never rebuilt, and upgraded in place from a
store written before it existed."""

from __future__ import annotations

import sqlite3

from index import Library
from index.lexical import tokenize
from tests.conftest import HEBEI, SHEHUI
from tests.index.regions import REGIONS

SUMMARY = REGIONS / "huzhou" / "2026年湖州市卫生健康委员会部门预算.pdf"  # the bureau's report with its units


def _fts_rows(library: Library) -> int:
    return int(library.store._rows("SELECT COUNT(*) AS n FROM chunk_terms")[0]["n"])


def test_each_document_is_indexed_and_forgotten_on_its_own(library):
    hebei = library.ingest(HEBEI).document
    shehui = library.ingest(SHEHUI).document
    assert _fts_rows(library) == library.store.count("chunks", hebei.id) + library.store.count("chunks", shehui.id)
    both = library.lexical.query("住房公积金", 50)
    assert {cid[:16] for cid, _ in both} == {hebei.id[:16], shehui.id[:16]}
    scoped = library.lexical.query("住房公积金", 50, [shehui.id])
    assert scoped and {cid[:16] for cid, _ in scoped} == {shehui.id[:16]}
    assert [score for _, score in scoped] == sorted((score for _, score in scoped), reverse=True)
    library.delete(SHEHUI.name)
    assert {cid[:16] for cid, _ in library.lexical.query("住房公积金", 50)} == {hebei.id[:16]}
    assert library.store.lexical_problems() == ""


def test_terms_that_look_like_query_syntax_are_only_words(library):
    library.ingest(HEBEI)
    for text in ['"企业奖补', "企业 OR NOT 奖补", "tokens:企业", "奖补*", "(科技", "a-b AND c"]:
        library.lexical.query(text, 5)  # never an FTS5 syntax error


def test_a_store_written_before_the_index_is_upgraded_in_place(library, settings, embedder):
    document = library.ingest(SUMMARY).document
    expected = library.lexical.query("中心血站", 5)
    units = library.store.units()[document.id]
    library.store.close()
    with sqlite3.connect(settings.facts_path) as db:  # as version 3 left it: no full-text index, no units
        db.executescript("DROP TABLE chunk_terms; ALTER TABLE documents DROP COLUMN units; PRAGMA user_version = 3;")
    reopened = Library(settings, embedder=embedder)
    assert expected and reopened.lexical.query("中心血站", 5) == expected
    assert reopened.store.units()[document.id] == units and "湖州市中心血站" in units
    assert reopened.store.lexical_problems() == ""


def test_within_a_few_documents_chunks_rank_as_the_full_text_index_ranks_them(library):
    hebei, shehui = library.ingest(HEBEI).document, library.ingest(SHEHUI).document
    asked = (("企业奖补资金", [hebei.id]), ("住房公积金", [shehui.id]), ("一般公共预算财政拨款支出", [hebei.id, shehui.id]))
    for text, within in asked:
        ours = library.lexical.query(text, 8, within)  # BM25 over these documents' chunks
        index = library.store.search_terms(tokenize(text), 8, within)  # FTS5 over the whole corpus
        assert ours and ours[0][0] == index[0][0], text
        assert len({c for c, _ in ours} & {c for c, _ in index}) >= 6, text
        assert {c[:16] for c, _ in ours} <= {d[:16] for d in within}
        assert [s for _, s in ours] == sorted((s for _, s in ours), reverse=True)
    assert library.lexical.query("xyzzy qwv", 5, [hebei.id]) == []  # no word of it in the document

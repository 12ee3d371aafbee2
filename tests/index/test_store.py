"""The facts store's schema: created in one transaction, so a creation cut short is finished, not fatal."""

from __future__ import annotations

import sqlite3

import pytest

from index import ConfigError
from index.store import _SCHEMA, SCHEMA_VERSION, FactStore


def test_a_schema_creation_cut_short_is_finished_on_the_next_start(tmp_path):
    path = tmp_path / "facts.sqlite3"
    with sqlite3.connect(path) as db:  # the first tables only, no version: as a kill -9 mid-creation left it
        for statement in _SCHEMA.split(";")[:3]:
            db.execute(statement)
    store = FactStore(path)
    assert store.documents() == []
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_another_versions_store_is_refused_by_name(tmp_path):
    path = tmp_path / "facts.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 999")
    with pytest.raises(ConfigError, match="schema 999"):
        FactStore(path)


def test_another_connections_commit_is_noticed(tmp_path):
    path = tmp_path / "facts.sqlite3"
    reader, writer = FactStore(path), FactStore(path)
    before = reader.data_version()
    with writer.transaction():
        writer._db.execute("INSERT INTO findings (document, check_name) VALUES ('d', 'c')")
    assert reader.data_version() != before


@pytest.mark.parametrize("sql", [
    "SELECT id, page_start, page_end FROM chunks WHERE document = ? AND ref = ? ORDER BY id",  # a citation's chunks
    "SELECT body FROM findings WHERE document = ?",
    "SELECT * FROM facts WHERE document = ?",
    "SELECT body FROM tables WHERE document = ? AND id = ?",
    "SELECT COUNT(*) AS n FROM chunks WHERE document = ?",
])
def test_every_lookup_by_document_uses_an_index(tmp_path, sql):
    store = FactStore(tmp_path / "facts.sqlite3")
    plan = " ".join(row[3] for row in store._db.execute(f"EXPLAIN QUERY PLAN {sql}", ("d",) * sql.count("?")))
    assert "USING INDEX" in plan or "USING COVERING INDEX" in plan or "PRIMARY KEY" in plan, plan
    assert not plan.startswith("SCAN"), plan

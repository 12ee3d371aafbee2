"""The facts store on PostgreSQL: what several app servers share when one machine is not enough.

The same tables and the same queries as the SQLite store (``store.py``), with PostgreSQL's own
full-text search for the lexical index: each chunk's tokens (already cut by ``lexical.tokenize``)
in a generated ``tsvector`` column under a GIN index, so a document's terms are written and
deleted with its rows, in its transaction. Writers on any machine take one advisory lock; every
committed write moves a counter that readers compare, as SQLite's ``data_version`` is compared.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.rows import dict_row

from index.errors import ConfigError
from index.store import _SCHEMA, SCHEMA_VERSION, FactStore, _Packs

UPGRADABLE = (4,)  # schemas whose databases the current one's "IF NOT EXISTS" statements complete
_WRITE_LOCK = 7_236_011  # the advisory lock key every budget-qa writer takes
_PG_SCHEMA = (
    _SCHEMA.replace(" REAL", " DOUBLE PRECISION").replace(" BLOB", " BYTEA")
    + """
ALTER TABLE chunks ADD COLUMN IF NOT EXISTS terms tsvector GENERATED ALWAYS AS (to_tsvector('simple', tokens)) STORED;
CREATE INDEX IF NOT EXISTS chunks_terms ON chunks USING GIN (terms);
CREATE INDEX IF NOT EXISTS chunks_document ON chunks (document);
CREATE TABLE IF NOT EXISTS budget_qa_meta (schema_version INTEGER, generation BIGINT);
CREATE TABLE IF NOT EXISTS originals (document TEXT PRIMARY KEY, suffix TEXT, data BYTEA);
"""
)


class PostgresFactStore(FactStore):
    _OWNED = (*FactStore._OWNED, "originals")
    keeps_originals = True  # app servers share no disk

    def __init__(self, url: str) -> None:  # the base class's opens SQLite: this one replaces it
        try:
            self._db: Any = psycopg.connect(url, autocommit=True, row_factory=dict_row)
        except psycopg.Error as exc:
            raise ConfigError(f"cannot connect to the PostgreSQL database {_safe(url)}: {exc}".strip()) from exc
        self._lock = threading.RLock()
        self._packs = _Packs()
        with self._db.transaction():
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))  # two servers starting at once
            self._db.execute(_PG_SCHEMA)
            row = self._db.execute("SELECT schema_version FROM budget_qa_meta").fetchone()
            if row is None:
                self._db.execute("INSERT INTO budget_qa_meta VALUES (%s, 0)", (SCHEMA_VERSION,))
            elif row["schema_version"] in UPGRADABLE:  # the schema just run added what is new
                self._db.execute("UPDATE budget_qa_meta SET schema_version = %s", (SCHEMA_VERSION,))
            elif row["schema_version"] != SCHEMA_VERSION:
                raise ConfigError(f"the database {_safe(url)} was written by another version of budget-qa (schema "
                                  f"{row['schema_version']}, expected {SCHEMA_VERSION}); use a new database")

    def data_version(self) -> int:
        return int(self._rows("SELECT generation FROM budget_qa_meta")[0]["generation"])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock, self._db.transaction():
            yield
            self._db.execute("UPDATE budget_qa_meta SET generation = generation + 1")

    @contextmanager
    def writing(self) -> Iterator[None]:
        """One writer at a time across every app server sharing the database (a session lock of this
        connection: the server's questions go on being answered meanwhile)."""
        self._rows("SELECT pg_advisory_lock(?)", _WRITE_LOCK)
        try:
            yield
        finally:
            self._rows("SELECT pg_advisory_unlock(?)", _WRITE_LOCK)

    def _rows(self, sql: str, *args: Any) -> list[Any]:
        with self._lock:
            return list(self._db.execute(_placeholders(sql), args))

    def _execute(self, sql: str, args: tuple[Any, ...] = ()) -> None:
        self._db.execute(_placeholders(sql), args)

    def _executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            with self._db.cursor() as cursor:
                cursor.executemany(_placeholders(sql), rows)

    def _index_terms(self, document: str) -> None:
        """Nothing to do: the terms are a generated column of the chunk's own row."""

    def _forget_terms(self, document: str) -> None:
        """Nothing to do: the terms go with the chunk's row."""

    def search_terms(self, terms: list[str], k: int, documents: list[str] | None = None) -> list[tuple[str, float]]:
        """The ``k`` chunks matching any of the terms, best first, ranked by PostgreSQL's ``ts_rank``
        (term frequency with length normalisation; unlike BM25 it weighs no term by its rarity)."""
        words = [t.replace('"', " ") for t in terms if t.strip('" ')]
        if not words:
            return []
        query = " or ".join(f'"{w}"' for w in words)
        where = "terms @@ q" + (" AND document = ANY(%s)" if documents else "")
        args: list[Any] = [query, *([documents] if documents else []), k]
        with self._lock:
            rows = self._db.execute(
                f"SELECT id, ts_rank(terms, q, 1) AS score FROM chunks, websearch_to_tsquery('simple', %s) AS q "
                f"WHERE {where} ORDER BY score DESC, id LIMIT %s", args).fetchall()
        return [(r["id"], float(r["score"])) for r in rows]

    def lexical_problems(self) -> str:
        stale = self._rows("SELECT COUNT(*) AS n FROM chunks WHERE terms IS DISTINCT FROM to_tsvector('simple', tokens)")
        return f"{stale[0]['n']} chunks' terms differ from their tokens" if stale[0]["n"] else ""

    def keep_original(self, document: str, suffix: str, data: bytes) -> None:
        """The original file, kept in the database (in the ingest's transaction); each server draws
        page images from its own copy of it."""
        self._execute("INSERT INTO originals VALUES (?, ?, ?) ON CONFLICT DO NOTHING", (document, suffix, data))

    def original(self, document: str) -> tuple[str, bytes] | None:
        rows = self._rows("SELECT suffix, data FROM originals WHERE document = ?", document)
        return (rows[0]["suffix"], bytes(rows[0]["data"])) if rows else None


def _placeholders(sql: str) -> str:
    """The SQLite store's ``?`` parameters as psycopg's ``%s`` (no query of ours holds a literal ? or %)."""
    return sql.replace("?", "%s")


def _safe(url: str) -> str:
    """A database URL without its password, for messages."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)

"""The facts store: SQLite under the data directory.

Documents, parsed tables (as JSON, for display and citation), every numeric fact with its
provenance (indexed by code, label and column), findings and chunks. One document is
written in one transaction, so a failed ingest leaves nothing behind.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import ConfigError, NotFound
from index.types import (
    Cell,
    Chunk,
    Document,
    Fact,
    Finding,
    FormAmount,
    Indicator,
    ParsedDocument,
    PerformanceTable,
    Row,
    Section,
    Table,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, title TEXT, department TEXT, year INTEGER, kind TEXT,
    source TEXT, pages INTEGER, scope TEXT, identity_from TEXT, ocr_pages TEXT, contents TEXT,
    units TEXT  -- the entities its figures are told apart by (JSON list): read for every document by routing
);
CREATE TABLE IF NOT EXISTS tables (
    document TEXT, id TEXT, title TEXT, kind TEXT, unit TEXT, page_start INTEGER, page_end INTEGER,
    empty INTEGER, body TEXT, PRIMARY KEY (document, id)
);
CREATE TABLE IF NOT EXISTS performance (document TEXT, id TEXT, project TEXT, body TEXT, PRIMARY KEY (document, id));
CREATE TABLE IF NOT EXISTS sections (document TEXT, id TEXT, heading TEXT, body TEXT, PRIMARY KEY (document, id));
CREATE TABLE IF NOT EXISTS facts (
    document TEXT, table_id TEXT, table_title TEXT, table_kind TEXT, page INTEGER, row_label TEXT,
    code TEXT, column_path TEXT, value REAL, unit TEXT, value_yuan REAL, text TEXT, row_index INTEGER,
    grp TEXT, bbox TEXT, entity TEXT, ocr INTEGER
);
CREATE INDEX IF NOT EXISTS facts_code ON facts (code);
CREATE INDEX IF NOT EXISTS facts_label ON facts (row_label);
CREATE INDEX IF NOT EXISTS facts_column ON facts (column_path);
CREATE INDEX IF NOT EXISTS facts_document ON facts (document, table_id);
CREATE TABLE IF NOT EXISTS findings (document TEXT, check_name TEXT, ok INTEGER, body TEXT);
-- embeddings of printed labels, shared by all documents (a label's meaning does not depend on
-- which report prints it); vectors of different embedders are kept apart by their space
CREATE TABLE IF NOT EXISTS label_vectors (space TEXT, label TEXT, vector BLOB, PRIMARY KEY (space, label));
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, document TEXT, kind TEXT, ref TEXT, title TEXT, text TEXT,
    page_start INTEGER, page_end INTEGER, meta TEXT, tokens TEXT
);
-- the lookups of the ask path (a citation's chunks, a document's findings): no scan of every document's rows
CREATE INDEX IF NOT EXISTS chunks_place ON chunks (document, ref);
-- each chunk's embedding (float32), beside Chroma's copy: a question routed to a few documents
-- compares their vectors exactly from here, so no process loads the whole vector index for it
CREATE TABLE IF NOT EXISTS chunk_vectors (document TEXT, chunk TEXT, space TEXT, table_kind TEXT, vector BLOB);
CREATE INDEX IF NOT EXISTS chunk_vectors_document ON chunk_vectors (space, document);
CREATE INDEX IF NOT EXISTS findings_document ON findings (document);
-- an answer reads only the checks its document failed: a few rows, not the document's hundreds
CREATE INDEX IF NOT EXISTS findings_failed ON findings (document) WHERE ok = 0;
CREATE INDEX IF NOT EXISTS documents_source ON documents (source);
-- what answering a question reads of one document (its facts, tables, sections, failed checks and
-- chunks' words), again in one compressed row: a document not read since ingest is then read in
-- one go (≈70 KB) rather than from its rows, which lie scattered across the file among the other
-- tables' pages (≈5.6 MB read from disk per document at 10,000, the kernel reading ahead)
CREATE TABLE IF NOT EXISTS packs (document TEXT PRIMARY KEY, body BLOB);
-- the Chroma collection (shard) holding a document's chunk vectors; none: the first
CREATE TABLE IF NOT EXISTS vector_shards (document TEXT PRIMARY KEY, shard INTEGER);
"""
# The lexical index: SQLite's full-text index over the chunks' own token column (external content:
# the tokens are stored once). It changes with each document's rows, in the same transaction.
_LEXICAL = """
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_terms USING fts5(
    document, tokens, content='chunks', content_rowid='rowid', tokenize='unicode61 remove_diacritics 0'
);
"""
SCHEMA_VERSION = 5
# Every statement of the schema is "IF NOT EXISTS": running it on an older store adds what is new.
# Vectors for the chunks of older stores are copied from Chroma by the library (it holds both).
_UPGRADES = {  # from version 3: index what is there, and note each document's units
    3: _SCHEMA + _LEXICAL + "INSERT INTO chunk_terms (chunk_terms) VALUES ('rebuild');"
    "CREATE INDEX IF NOT EXISTS documents_source ON documents (source);"
    "ALTER TABLE documents ADD COLUMN units TEXT;"
    "UPDATE documents SET units = (SELECT json_group_array(entity) FROM (SELECT DISTINCT entity FROM facts "
    "WHERE facts.document = documents.id AND entity != '' ORDER BY entity));",
    4: _SCHEMA,
}
COLUMN_SEPARATOR = " / "


class FactStore:
    _OWNED: tuple[str, ...] = (
        "documents", "tables", "performance", "sections", "facts", "findings", "chunks", "chunk_vectors",
        "packs", "vector_shards")  # of one document
    keeps_originals = False  # the ingested files stay on the library's disk

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._packs = _Packs()
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA_VERSION, *_UPGRADES):  # 0: new, or a creation cut short (it is one transaction)
            raise ConfigError(
                f"{path} was written by another version of budget-qa (schema {version}, expected {SCHEMA_VERSION}); "
                "ingest into a new data directory"
            )
        # the schema (or the upgrade) and its version in one transaction: a kill mid-way leaves nothing half-made
        change = _UPGRADES.get(version, _SCHEMA + _LEXICAL)
        self._db.executescript(f"BEGIN;{change};PRAGMA user_version = {SCHEMA_VERSION};COMMIT;")

    def data_version(self) -> int:
        """Changes whenever another connection (another process) commits: time to reload."""
        with self._lock:
            return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Held by a writer across machines; one machine's writers are serialised by the library."""
        yield

    def keep_original(self, document: str, suffix: str, data: bytes) -> None:
        """Keep the ingested file in the store (only where ``keeps_originals``)."""
        raise NotImplementedError("this store keeps no originals")

    def original(self, document: str) -> tuple[str, bytes] | None:
        """A kept original's suffix and bytes (None when not kept here)."""
        return None

    def _rows(self, sql: str, *args: Any) -> list[Any]:
        """Rows as mappings (column → value); ``?`` marks a parameter."""
        with self._lock:
            return list(self._db.execute(sql, args))

    def _execute(self, sql: str, args: tuple[Any, ...] = ()) -> None:
        self._db.execute(sql, args)

    def _executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        self._db.executemany(sql, rows)

    # -- writing (call inside transaction()) --------------------------------------------
    def write(
        self, parsed: ParsedDocument, facts: list[Fact], findings: list[Finding], chunks: list[Chunk], tokens: list[str]
    ) -> None:
        """``tokens``: each chunk's lexical tokens, space-joined: what the full-text index reads."""
        doc = parsed.document
        tables = [(t, _json(t)) for t in parsed.tables]
        sections = [(s, _json(s)) for s in parsed.sections]
        checks = [(f, _json(f)) for f in findings]
        fact_rows = [_fact_row(f) for f in facts]
        self._execute(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (doc.id, doc.title, doc.department, doc.year, doc.kind, doc.source, doc.pages, doc.scope, doc.identity_from,
             json.dumps(doc.ocr_pages), json.dumps(parsed.contents),
             json.dumps(sorted({f.entity for f in facts if f.entity}), ensure_ascii=False)),
        )
        self._executemany(
            "INSERT INTO tables VALUES (?,?,?,?,?,?,?,?,?)",
            [(doc.id, t.id, t.title, t.kind, t.unit, t.pages[0], t.pages[1], int(t.empty), body) for t, body in tables],
        )
        self._executemany(
            "INSERT INTO performance VALUES (?,?,?,?)", [(doc.id, p.id, p.project, _json(p)) for p in parsed.performance]
        )
        self._executemany(
            "INSERT INTO sections VALUES (?,?,?,?)", [(doc.id, s.id, s.heading, body) for s, body in sections]
        )
        self._executemany("INSERT INTO facts VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", fact_rows)
        self._executemany(
            "INSERT INTO findings VALUES (?,?,?,?)", [(doc.id, f.check, int(f.ok), body) for f, body in checks]
        )
        self._executemany(
            "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?)",
            [
                (c.id, c.document, c.kind, c.ref, c.title, c.text, c.pages[0], c.pages[1], json.dumps(c.meta), t)
                for c, t in zip(chunks, tokens, strict=True)
            ],
        )
        self._index_terms(doc.id)
        self._execute("INSERT INTO packs VALUES (?,?)", (doc.id, _pack(
            fact_rows, [(t.id, body) for t, body in tables], [(s.id, body) for s, body in sections],
            [body for f, body in checks if not f.ok], [(c.id, t) for c, t in zip(chunks, tokens, strict=True)])))

    def pack_from_rows(self, document: str) -> None:
        """Write the pack of a document ingested before packs were kept, from its rows (call inside
        transaction())."""
        self._execute("DELETE FROM packs WHERE document = ?", (document,))
        rows = {part: self._stored(document, part) for part in _PACK_PARTS}
        self._execute("INSERT INTO packs VALUES (?,?)", (document, _pack(
            rows["facts"], rows["tables"], rows["sections"], [body for (body,) in rows["failed"]], rows["tokens"])))

    def _stored(self, document: str, part: str) -> list[tuple[Any, ...]]:
        """One part of a document's pack as its rows hold it (JSON bodies not parsed)."""
        columns, source = _PACK_PARTS[part]
        return [tuple(r[c] for c in columns) for r in self._rows(f"SELECT {', '.join(columns)} FROM {source}", document)]

    def _part(self, document: str, part: str) -> list[Any]:
        """One part of a document's pack, parsed: from the pack, or from the rows when none is kept."""
        pack = self._pack_of(document)
        if pack is not None:
            return list(pack[part])
        rows = self._stored(document, part)
        if part in ("tables", "sections", "failed"):
            return [json.loads(row[-1]) for row in rows]
        return rows

    def unpacked(self, limit: int) -> list[str]:
        """Up to ``limit`` documents without a pack (ingested before packs were kept)."""
        return [r["id"] for r in self._rows(
            "SELECT id FROM documents WHERE id NOT IN (SELECT document FROM packs) ORDER BY id LIMIT ?", limit)]

    def _pack_of(self, document: str) -> dict[str, Any] | None:
        """A document's pack, read once for the several reads of one question (None: none kept)."""
        with self._lock:
            if document in self._packs:
                return self._packs.get(document)
            rows = self._rows("SELECT body FROM packs WHERE document = ?", document)
            pack = json.loads(zlib.decompress(bytes(rows[0]["body"]))) if rows else None
            self._packs.put(document, pack)
            return pack

    def _index_terms(self, document: str) -> None:
        self._execute("INSERT INTO chunk_terms (rowid, document, tokens) SELECT rowid, document, tokens FROM chunks "
                      "WHERE document = ?", (document,))

    def _forget_terms(self, document: str) -> None:
        # an external-content index forgets a row only when told what it held
        self._execute("INSERT INTO chunk_terms (chunk_terms, rowid, document, tokens) "
                      "SELECT 'delete', rowid, document, tokens FROM chunks WHERE document = ?", (document,))

    def write_label_vectors(self, space: str, labels: list[str], vectors: list[list[float]]) -> None:
        self._executemany(
            "INSERT INTO label_vectors VALUES (?,?,?) ON CONFLICT DO NOTHING",
            [(space, label, np.asarray(vector, dtype=np.float32).tobytes())
             for label, vector in zip(labels, vectors, strict=True)],
        )

    def write_chunk_vectors(self, space: str, chunks: list[Chunk], vectors: list[list[float]]) -> None:
        self._executemany(
            "INSERT INTO chunk_vectors VALUES (?,?,?,?,?)",
            [(c.document, c.id, space, str(c.meta.get("table_kind", "")), np.asarray(v, dtype=np.float32).tobytes())
             for c, v in zip(chunks, vectors, strict=True)],
        )

    def place_vectors(self, document: str, shard: int) -> None:
        self._execute("INSERT INTO vector_shards VALUES (?,?)", (document, shard))

    def forget_vector_shards(self) -> None:
        self._execute("DELETE FROM vector_shards")

    def new_labels(self, space: str, labels: list[str]) -> list[str]:
        """The labels with no vector in this space yet."""
        known = {row["label"] for row in self._label_rows("label", space, labels)}
        return [label for label in labels if label not in known]

    def label_vectors(self, space: str, labels: list[str]) -> dict[str, np.ndarray]:
        return {row["label"]: np.frombuffer(row["vector"], dtype=np.float32)
                for row in self._label_rows("label, vector", space, labels)}

    def _label_rows(self, columns: str, space: str, labels: list[str]) -> list[Any]:
        return self._rows_in(f"SELECT {columns} FROM label_vectors WHERE space = ? AND label IN ({{marks}})", labels,
                             space)

    def _rows_in(self, sql: str, values: list[str], *args: Any) -> list[Any]:
        """The rows of ``sql`` whose ``IN ({marks})`` takes these values, asked 500 at a time
        (SQLite's limit on bound parameters); ``args`` bind before them."""
        rows: list[Any] = []
        for start in range(0, len(values), 500):
            batch = values[start : start + 500]
            rows += self._rows(sql.format(marks=",".join("?" * len(batch))), *args, *batch)
        return rows

    def delete(self, document: str) -> None:
        self._packs.drop(document)
        self._forget_terms(document)
        for table in self._OWNED:
            self._execute(f"DELETE FROM {table} WHERE {_owner(table)} = ?", (document,))

    # -- reading ------------------------------------------------------------------------
    def documents(self) -> list[Document]:
        return self._documents("")

    def _documents(self, where: str, *args: Any) -> list[Document]:
        columns = "id, title, department, year, kind, source, pages, scope, identity_from, ocr_pages"
        rows = self._rows(f"SELECT {columns} FROM documents {where} ORDER BY source", *args)
        return [Document(**{**dict(r), "ocr_pages": tuple(json.loads(r["ocr_pages"]))}) for r in rows]

    def has(self, document: str) -> bool:
        return bool(self._rows("SELECT 1 FROM documents WHERE id = ?", document))

    def resolve(self, ref: str) -> Document:
        """A document by id, id prefix or source file name."""
        # by indexed SQL: a scoped question resolves its documents each time; only an id prefix
        # (typed by a person, never sent by a program) scans the ids
        matches = self._documents("WHERE id = ? OR source = ?", ref, ref)
        if not matches and len(ref) >= 4:
            matches = self._documents("WHERE SUBSTR(id, 1, ?) = ?", len(ref), ref)
        if len(matches) != 1:
            reason = "matches several documents" if matches else "matches no document"
            raise NotFound(f"'{ref}' {reason}; see `budget-qa docs`")
        return matches[0]

    def contents(self, document: str) -> list[tuple[str, int | None]]:
        rows = self._rows("SELECT contents FROM documents WHERE id = ?", document)
        return [tuple(entry) for entry in json.loads(rows[0]["contents"])] if rows else []

    def tables(self, document: str) -> list[Table]:
        return [table_from_json(body) for body in self._part(document, "tables")]

    def table(self, document: str, table_id: str) -> Table:
        rows = self._rows("SELECT body FROM tables WHERE document = ? AND id = ?", document, table_id)
        if not rows:
            raise NotFound(f"no table '{table_id}' in document {document[:12]}")
        return table_from_json(json.loads(rows[0]["body"]))

    def performance(self, document: str) -> list[PerformanceTable]:
        rows = self._rows("SELECT body FROM performance WHERE document = ? ORDER BY id", document)
        return [performance_from_json(json.loads(r["body"])) for r in rows]

    def sections(self, document: str) -> list[Section]:
        return [section_from_json(body) for body in self._part(document, "sections")]

    def findings(self, document: str) -> list[dict[str, Any]]:
        return [json.loads(r["body"]) for r in self._rows("SELECT body FROM findings WHERE document = ?", document)]

    def failed_findings(self, document: str) -> list[dict[str, Any]]:
        """The checks a document failed: what an answer shows beside a figure (the passed ones are
        most of a document's stored bytes, and no answer reads them)."""
        return self._part(document, "failed")

    def facts(self, document: str | None = None) -> list[Fact]:
        if document:
            return [_fact(dict(zip(_FACT_COLUMNS, row, strict=True))) for row in self._part(document, "facts")]
        return [_fact(r) for r in self._rows("SELECT * FROM facts")]

    def units(self) -> dict[str, list[str]]:
        """Each document's sub-units (the entities its figures are told apart by), sorted."""
        return {r["id"]: json.loads(r["units"] or "[]") for r in self._rows("SELECT id, units FROM documents")}

    def footprint(self, document: str) -> int:
        """Characters stored for a document's tables, forms, sections and facts: what reading it costs."""
        sql = ("SELECT (SELECT COALESCE(SUM(LENGTH(body)), 0) FROM tables WHERE document = ?)"
               " + (SELECT COALESCE(SUM(LENGTH(body)), 0) FROM performance WHERE document = ?)"
               " + (SELECT COALESCE(SUM(LENGTH(body)), 0) FROM sections WHERE document = ?)"
               " + (SELECT COUNT(*) * 200 FROM facts WHERE document = ?) AS n")
        return int(self._rows(sql, *[document] * 4)[0]["n"])

    def count(self, table: str, document: str) -> int:
        return int(self._rows(f"SELECT COUNT(*) AS n FROM {table} WHERE {_owner(table)} = ?", document)[0]["n"])

    def chunk_texts(self) -> list[tuple[str, str]]:
        return [(r["id"], r["text"]) for r in self._rows("SELECT id, text FROM chunks ORDER BY id")]

    def lexical_problems(self) -> str:
        """'' when the full-text index holds exactly the chunks' tokens, else what SQLite found."""
        try:
            self._rows("INSERT INTO chunk_terms (chunk_terms, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as exc:
            return str(exc)
        return ""

    def search_terms(self, terms: list[str], k: int, documents: list[str] | None = None) -> list[tuple[str, float]]:
        """The ``k`` chunks best matching any of the terms by BM25 (SQLite's: k1 1.2, b 0.75), best
        first, with their scores (higher is better); within ``documents`` when given."""
        if not terms:
            return []
        match = "tokens:(" + " OR ".join(_quoted(t) for t in terms) + ")"
        if documents:
            match = "document:(" + " OR ".join(_quoted(d) for d in documents) + ") AND " + match
        rows = self._rows(
            "SELECT chunks.id AS id, bm25(chunk_terms, 0.0, 1.0) AS score FROM chunk_terms "
            "JOIN chunks ON chunks.rowid = chunk_terms.rowid WHERE chunk_terms MATCH ? ORDER BY score LIMIT ?", match, k)
        return [(r["id"], -float(r["score"])) for r in rows]

    def chunk_tokens(self, documents: list[str]) -> list[tuple[str, str]]:
        """(chunk id, space-joined lexical tokens) of every chunk of these documents, by id."""
        return sorted((cid, tokens) for document in documents for cid, tokens in self._part(document, "tokens"))

    def chunk_vectors(
        self, space: str, documents: list[str], kinds: list[str] | None = None
    ) -> tuple[list[str], np.ndarray]:
        """The ids and vectors (one row each) of these documents' chunks, of these table kinds if given."""
        marks = ",".join("?" * len(documents))
        sql = f"SELECT chunk, vector FROM chunk_vectors WHERE space = ? AND document IN ({marks})"
        args: list[Any] = [space, *documents]
        if kinds:
            sql += f" AND table_kind IN ({','.join('?' * len(kinds))})"
            args += kinds
        rows = self._rows(sql, *args) if documents else []
        if not rows:
            return [], np.zeros((0, 0), dtype=np.float32)
        matrix = np.frombuffer(b"".join(bytes(r["vector"]) for r in rows), dtype=np.float32).reshape(len(rows), -1)
        return [r["chunk"] for r in rows], matrix

    def vector_shards(self, documents: list[str]) -> set[int]:
        """The Chroma shards holding these documents' vectors (the first for those written before shards)."""
        rows = self._rows_in("SELECT shard FROM vector_shards WHERE document IN ({marks})", documents)
        return {r["shard"] for r in rows} | ({0} if len(rows) < len(set(documents)) else set())

    def documents_without_vectors(self, space: str) -> list[str]:
        """Documents written before the store kept chunk vectors (or in another embedder's space): a
        document's vectors are written with it, so it has all of them or none."""
        rows = self._rows("SELECT id FROM documents d WHERE NOT EXISTS "
                          "(SELECT 1 FROM chunk_vectors v WHERE v.space = ? AND v.document = d.id)", space)
        return [r["id"] for r in rows]

    def chunk_ids(self, documents: list[str]) -> list[str]:
        """Every chunk of these documents."""
        if not documents:
            return []
        marks = ",".join("?" * len(documents))
        return [r["id"] for r in self._rows(f"SELECT id FROM chunks WHERE document IN ({marks})", *documents)]

    def chunk_spans(self, document: str, ref: str) -> list[tuple[str, int, int]]:
        """(chunk id, first page, last page) of every chunk cut from one table or section."""
        rows = self._rows("SELECT id, page_start, page_end FROM chunks WHERE document = ? AND ref = ? ORDER BY id", document, ref)
        return [(r["id"], r["page_start"], r["page_end"]) for r in rows]

    def chunks(self, ids: list[str]) -> dict[str, Chunk]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._rows(f"SELECT * FROM chunks WHERE id IN ({marks})", *ids)
        return {
            r["id"]: Chunk(r["id"], r["document"], r["kind"], r["ref"], r["title"], r["text"],
                           (r["page_start"], r["page_end"]), json.loads(r["meta"]))
            for r in rows
        }

    def close(self) -> None:
        self._db.close()


def _quoted(term: str) -> str:
    """A term as an FTS5 string: never read as an operator or column name."""
    return '"' + term.replace('"', '""') + '"'


def _owner(table: str) -> str:
    """The column naming a row's document: its own id in ``documents``."""
    return "id" if table == "documents" else "document"


def _json(record: Any) -> str:
    """A record as JSON, byte for byte as through ``asdict``, without copying it first (3–5× faster
    on the samples' records)."""
    return json.dumps(record, ensure_ascii=False, default=_fields)


def _fields(value: Any) -> dict[str, Any]:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in fields(value)}
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _fact_row(f: Fact) -> tuple[Any, ...]:
    return (
        f.document, f.table, f.table_title, f.table_kind, f.page, f.row, f.code, COLUMN_SEPARATOR.join(f.column),
        f.value, f.unit, f.value_yuan, f.text, f.row_index, f.group, json.dumps(f.bbox), f.entity, int(f.ocr),
    )


_FACT_COLUMNS = ("document", "table_id", "table_title", "table_kind", "page", "row_label", "code", "column_path", "value",
                 "unit", "value_yuan", "text", "row_index", "grp", "bbox", "entity", "ocr")
# what a pack holds, each part as the document's rows give it: read to write a pack for a document
# ingested before packs were kept, and by the readers while it has none
_PACK_PARTS: dict[str, tuple[tuple[str, ...], str]] = {  # part → columns, and the rows they come from
    "facts": (_FACT_COLUMNS, "facts WHERE document = ?"),
    "tables": (("id", "body"), "tables WHERE document = ? ORDER BY id"),
    "sections": (("id", "body"), "sections WHERE document = ? ORDER BY id"),
    "failed": (("body",), "findings WHERE document = ? AND ok = 0"),
    "tokens": (("id", "tokens"), "chunks WHERE document = ?"),
}


def _pack(facts: list[tuple[Any, ...]], tables: list[tuple[str, str]], sections: list[tuple[str, str]],
          failed: list[str], tokens: list[tuple[str, str]]) -> bytes:
    """One document's reads for a question, compressed, in the order its rows are read in: facts by
    table (as the facts index gives them), tables, sections and chunks by id. The bodies are already
    JSON: joined as they are, not parsed and written again."""
    text = (f'{{"facts":{json.dumps(sorted(facts, key=lambda row: row[1]), ensure_ascii=False)},'
            f'"tables":[{",".join(body for _, body in sorted(tables))}],'
            f'"sections":[{",".join(body for _, body in sorted(sections))}],'
            f'"failed":[{",".join(failed)}],"tokens":{json.dumps(sorted(tokens), ensure_ascii=False)}}}')
    return zlib.compress(text.encode(), 6)


class _Packs:
    """The last few packs read: one question reads its document's facts, tables, sections and words
    one after another. Small: the views built from them are what is cached."""

    SIZE = 8

    def __init__(self) -> None:
        self._held: OrderedDict[str, dict[str, Any] | None] = OrderedDict()

    def __contains__(self, document: str) -> bool:
        return document in self._held

    def get(self, document: str) -> dict[str, Any] | None:
        self._held.move_to_end(document)
        return self._held[document]

    def put(self, document: str, pack: dict[str, Any] | None) -> None:
        self._held[document] = pack
        while len(self._held) > self.SIZE:
            self._held.popitem(last=False)

    def drop(self, document: str) -> None:
        self._held.pop(document, None)


def _fact(r: Any) -> Fact:
    bbox = json.loads(r["bbox"])
    return Fact(
        r["document"], r["table_id"], r["table_title"], r["table_kind"], r["page"], r["row_label"], r["code"],
        tuple(r["column_path"].split(COLUMN_SEPARATOR)) if r["column_path"] else (), r["value"], r["unit"],
        r["value_yuan"], r["text"], r["row_index"], r["grp"], tuple(bbox) if bbox else None, r["entity"], bool(r["ocr"]),
    )


def table_from_json(body: dict[str, Any]) -> Table:
    rows = [
        Row(
            label=r["label"], code=r["code"], level=r["level"], page=r["page"], group=r["group"], entity=r.get("entity", ""),
            cells=[Cell(c["text"], c["value"], c["page"], tuple(c["bbox"]) if c["bbox"] else None, tuple(c["column"]),
                        c.get("ocr", False)) for c in r["cells"]],
        )
        for r in body["rows"]
    ]
    return Table(
        body["id"], body["title"], body["kind"], body["unit"], tuple(body["pages"]),
        [tuple(h) for h in body["header"]], rows, body["note"], body["empty"], body.get("entity", ""),
        body.get("unit_inferred", False),
    )


def section_from_json(body: dict[str, Any]) -> Section:
    starts = [(int(a), int(b)) for a, b in body.get("page_starts", [])]
    return Section(body["id"], body["heading"], tuple(body["path"]), body["text"], tuple(body["pages"]), starts)


def performance_from_json(body: dict[str, Any]) -> PerformanceTable:
    indicators = [Indicator(**i) for i in body["indicators"]]
    amounts = tuple(FormAmount(tuple(a["column"]), a["value"], a["text"], a["page"]) for a in body.get("amounts", ()))
    return PerformanceTable(**{**body, "indicators": indicators, "pages": tuple(body["pages"]), "amounts": amounts})

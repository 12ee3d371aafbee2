"""Shared fixtures: real documents, a real embedded Chroma, the real USE embedder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from index import Library, Settings
from index.embeddings import Embedder, UniversalSentenceEncoder
from index.parse import parse_file
from index.types import ParsedDocument
from tests import servers

pytest_plugins = ["tests.corpus_fixtures"]

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
HEBEI = SAMPLES / "luquan-keji-2024-budget.txt"
SHEHUI = SAMPLES / "putuo-shehuigongzuobu-2024-final-accounts.pdf"
CAIZHENG = SAMPLES / "putuo-caizhengju-2024-final-accounts.pdf"


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory) -> Iterator[int]:
    """A real `chroma run` server: its port."""
    with servers.chroma_server(tmp_path_factory.mktemp("chroma-server")) as port:
        yield port


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL of Debian's package, started for the session: its ``postgres`` database's URL."""
    with servers.postgres_server() as url:
        yield url


@pytest.fixture
def database_url(postgres_url: str) -> str:
    """A fresh empty database for one test."""
    return servers.new_database(postgres_url)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return UniversalSentenceEncoder(threads=2)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", collection="test_chunks")


@pytest.fixture
def library(settings: Settings, embedder: Embedder) -> Library:
    return Library(settings, embedder=embedder)


@pytest.fixture(scope="session")
def parsed() -> dict[str, ParsedDocument]:
    return {path.name: parse_file(path, path.name) for path in (HEBEI, SHEHUI, CAIZHENG)}

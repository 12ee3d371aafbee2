"""One real library with the three bundled disclosures, shared by the assistant tests."""

from __future__ import annotations

import pytest

from assistant import Assistant
from index import Library, Settings
from tests.conftest import CAIZHENG, HEBEI, SHEHUI


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("corpus") / "data", collection="assistant_test")


@pytest.fixture(scope="session")
def corpus(corpus_settings, embedder) -> Library:
    library = Library(corpus_settings, embedder=embedder)
    for path in (HEBEI, SHEHUI, CAIZHENG):
        library.ingest(path)
    return library


@pytest.fixture(scope="session")
def assistant(corpus_settings, corpus, embedder) -> Assistant:
    return Assistant(corpus_settings, library=corpus, embedder=embedder, drafter=None)

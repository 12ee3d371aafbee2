"""What a question costs does not grow with the corpus: routing reads only the documents' profiles,
figures are read for the documents a question is routed to, and those are cached within a bound."""

from __future__ import annotations

from assistant import Assistant, retrieve
from assistant.knowledge import _BYTES_PER_CHAR, Knowledge
from assistant.route import route
from assistant.understand import understand

# one question per bundled report, each naming its department
ASKED = [("鹿泉区科技局企业奖补安排了多少资金？", 5000.32), ("普陀区财政局的一般公共服务支出决算数是多少？", None),
         ("社会工作部住房公积金是多少？", 17.70)]


def test_views_are_read_when_asked_for_and_dropped_past_the_budget(corpus, corpus_settings, embedder):
    sizes = {d.id: corpus.store.footprint(d.id) * _BYTES_PER_CHAR for d in corpus.documents()}
    budget = max(sizes.values())  # room for the largest document, not for all three
    assert budget < sum(sizes.values())
    assistant = Assistant(corpus_settings, library=corpus, embedder=embedder, drafter=None)
    assistant.knowledge = Knowledge(corpus, cache_bytes=budget)
    assert assistant.knowledge.cached == 0
    for _ in range(2):  # the second round reads again what the budget dropped
        for question, value in ASKED:
            answer = assistant.ask(question)
            assert answer.status == "verified" and (value is None or answer.value == value), answer.answer
            assert assistant.knowledge.held <= budget and assistant.knowledge.cached < 3, question


def test_a_question_naming_no_document_reads_only_those_its_words_are_found_in(corpus, corpus_settings, embedder):
    settings = corpus_settings.model_copy(update={"unnamed_documents": 1})
    assistant = Assistant(settings, library=corpus, embedder=embedder, drafter=None)
    answer = assistant.ask("企业奖补安排了多少资金？")
    assert (answer.status, answer.value) == ("verified", 5000.32)
    assert assistant.knowledge.cached == 1
    everywhere = Assistant(corpus_settings, library=corpus, embedder=embedder, drafter=None)
    assert everywhere.ask("企业奖补安排了多少资金？").value == 5000.32
    assert everywhere.knowledge.cached == 3  # under the default of 20, every document is read, as before


def test_among_thousands_the_words_pick_the_documents_and_no_vector_index_is_searched(corpus, corpus_settings,
                                                                                     embedder, monkeypatch):
    settings = corpus_settings.model_copy(update={"unnamed_documents": 1})
    monkeypatch.setattr(retrieve, "EXACT_DOCUMENTS", 1)  # three documents stand for thousands
    searched: list[object] = []
    monkeypatch.setattr(corpus.vectors, "query", lambda *args, **kw: searched.append(args) or [])
    assistant = Assistant(settings, library=corpus, embedder=embedder, drafter=None)
    answer = assistant.ask("企业奖补安排了多少资金？")
    assert (answer.status, answer.value) == ("verified", 5000.32) and assistant.knowledge.cached == 1
    assert searched == []
    # no word of the question in any document: only then the whole corpus's vectors are searched
    documents = [d.id for d in corpus.documents()]
    assistant.retriever.documents(understand("xyzzy plugh"), documents, 1)
    assert searched


def test_profiles_are_read_again_only_when_documents_change(corpus, embedder):
    knowledge = Knowledge(corpus)
    first = knowledge.profiles()
    assert knowledge.profiles()[0] is first[0] and len(first) == 3
    corpus.generation += 1  # as an ingest or delete (here or in another process) does
    again = knowledge.profiles()
    assert [p.document.id for p in again] == [p.document.id for p in first]


def test_the_names_a_question_says_are_looked_up_not_compared_with_every_document(corpus):
    knowledge = Knowledge(corpus)
    profiles = {p.document.id: p for p in knowledge.profiles()}
    for text in ["鹿泉区科技局企业奖补", "普陀区财政局的支出", "社会工作部住房公积金", "鹿泉和普陀", "住房公积金",
                 "Luquan District科学技术和工业信息化局", ""]:
        said = {d for d, p in profiles.items() if any(name in text for name in (*p.aliases, *p.units))}
        assert knowledge.naming(text) == said, text
        question = understand(text or "支出")
        unindexed = route(question, list(profiles.values()))
        indexed = route(question, list(profiles.values()), naming=knowledge.naming)
        assert [v.document.id for v in indexed.documents] == [v.document.id for v in unindexed.documents], text
    assert knowledge.naming("鹿泉区科技局") and not knowledge.naming("住房公积金")

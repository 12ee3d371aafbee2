"""Questions in, verified answers out: the pipeline and its one public method, ``ask``.

build a ``Query`` (understand, route) → retrieve (hybrid) → execute (find the cited figures, do
the arithmetic) → check the outcome against the query → compose (template, or an LLM draft) →
verify every figure in the words → ``Answer``.
"""

from __future__ import annotations

import time
from dataclasses import replace

from assistant import compose, guard, interpret, resolve
from assistant import query as queries
from assistant.execute import Executor, found_in
from assistant.interpret import Interpreter, OpenAICompatibleInterpreter, Reading
from assistant.knowledge import Filters, Knowledge, Profile
from assistant.llm import Drafter, OpenAICompatibleDrafter, chat_model
from assistant.match import Scored
from assistant.meaning import Meaning
from assistant.query import Query
from assistant.retrieve import Hit, Mode, Retriever
from assistant.types import (
    Answer,
    Calculated,
    Citation,
    Computed,
    EachCalculated,
    EachDocument,
    Evidence,
    Found,
    NotFound,
    Offered,
    Outcome,
    Projects,
    Quoted,
)
from assistant.understand import Question, understand
from assistant.verify import checked, holds, mark_unverified, verify
from index import Document, Library, Settings
from index import NotFound as IndexNotFound
from index.embeddings import Embedder, get_embedder
from index.text import to_yuan

EVIDENCE = 8  # chunks returned as evidence with every answer


def _merge(first: list[Hit], then: list[Hit]) -> list[Hit]:
    seen = {h.chunk for h in first}
    return first + [h for h in then if h.chunk not in seen]


class Assistant:
    def __init__(
        self,
        settings: Settings,
        library: Library | None = None,
        embedder: Embedder | None = None,
        drafter: Drafter | None = None,
        interpreter: Interpreter | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder or get_embedder(settings)
        self.library = library or Library(settings, embedder=self.embedder)
        self.knowledge = Knowledge(self.library, settings.view_cache_mb * 1_000_000)
        self.retriever = Retriever(self.library, self.embedder)
        llm = chat_model(settings) if drafter is None or interpreter is None else None
        self.drafter = drafter if drafter is not None else OpenAICompatibleDrafter(llm) if llm is not None else None
        self.interpreter = interpreter if interpreter is not None else OpenAICompatibleInterpreter(llm) if llm else None
        self.meaning = Meaning(self.library, self.embedder)
        self.executor = Executor(self.meaning)

    def ask(self, question: str, documents: list[str] | None = None, history: list[str] | None = None,
            filters: Filters | None = None) -> Answer:
        """Answer one question; ``history`` holds the asker's earlier questions (oldest first), whose
        subject a follow-up ("比上年减少了多少？") inherits; ``filters`` keep it to the documents of
        a place, department, year or kind (none admitted: ``NotFound``, naming the filters)."""
        started = time.perf_counter()
        self.library.refresh()  # another process may have ingested or deleted since the last question
        query = queries.build(question, self.knowledge, self._chosen(documents), history, self._narrowed,
                              self._admitting(filters))
        if query.plan == "needs_subject":
            return self._answer(query, self.executor.run(query, []))
        understood = time.perf_counter()
        hits = self.retriever.search(query.asked, [v.document.id for v in query.documents], k=EVIDENCE)
        retrieved = time.perf_counter()
        outcome = checked(query, self.executor.run(query, hits))
        reading = self._read(query, outcome, history or []) if self.interpreter is not None else None
        answer = self._answer(query, reading[1], reading[0]) if reading else self._answer(query, outcome)
        supporting = self._chunks_of([(c.document, c.table_id or "", c.page) for c in answer.citations if c.table_id])
        answer.evidence = self._evidence(_merge(supporting, hits)[:EVIDENCE])
        done = time.perf_counter()
        answer.timings_ms = {
            "understand": round((understood - started) * 1000, 2),
            "retrieve": round((retrieved - understood) * 1000, 2),
            "answer": round((done - retrieved) * 1000, 2),
            "total": round((done - started) * 1000, 2),
        }
        return answer

    def retrieve(self, question: str, documents: list[str] | None = None, k: int = 8, mode: Mode = "hybrid") -> list[Hit]:
        """The chunks retrieval finds for a question (routed to the documents it names).

        "hybrid" is the full retriever: BM25 and dense fused by reciprocal rank, then the
        chunks holding the facts index's best matches for the question moved to the front.
        "bm25" and "dense" are one side each, for comparison.
        """
        self.library.refresh()
        query = queries.of(understand(question), self.knowledge, self._chosen(documents), self._narrowed)
        views = query.documents
        hits = self.retriever.search(query.asked, [v.document.id for v in views], max(k * 3, 20), mode)
        if mode != "hybrid":
            return hits[:k]
        top = sorted((s for v in views for s in resolve.best(query.asked, v, hits)[:2]), key=lambda s: -s.total)[:3]
        matched = self._chunks_of([(s.statement.citation.document, s.statement.ref, s.statement.citation.page) for s in top])
        return _merge(matched, hits)[:k]

    def _read(self, query: Query, outcome: Outcome, history: list[str]) -> tuple[Reading, Outcome] | None:
        """A configured LLM's reading of a question the rules were unsure of, and what it answers —
        when that holds against the asker's own words; None leaves the rules' outcome."""
        if self.interpreter is None or not interpret.interpretable(query, outcome):
            return None
        shown = interpret.show(query, outcome, self.meaning)
        if not shown.figures:
            return None
        reply = self.interpreter.reply(query.asked.text, history, *shown.describe())
        reading = interpret.parse(reply or "", shown, query)
        if reading is None:
            return None
        if reading.figure is not None:
            view, statement = shown.figures[reading.figure]
            read: Outcome = found_in(view, [Scored(statement, 1.0, 1.0, 1.0, 0.0)])
        else:
            read = self.executor.run(interpret.reread(reading, query), [])
        if isinstance(read, Found | Calculated) and holds(query, read):
            return reading, replace(read, picked_by="model")
        return None

    def _narrowed(self, asked: Question, profiles: list[Profile]) -> list[Profile]:
        """Of more documents than a question naming none is answered from, those retrieval finds
        its words in first."""
        cap = self.settings.unnamed_documents
        if len(profiles) <= cap:
            return profiles
        by_id = {p.document.id: p for p in profiles}
        return [by_id[d] for d in self.retriever.documents(asked, list(by_id), cap)]

    def _versions(self, citations: list[Citation]) -> tuple[list[Document], list[Document]]:
        """The documents cited, and the other ingested versions of them (same department, year and
        kind) that were not: an answer never picks one version silently."""
        cited = {c.document for c in citations}
        used = sorted((d for d in map(self.knowledge.document, cited) if d is not None), key=lambda d: d.source)
        others = {v.id: v for d in used for v in self.knowledge.versions(d) if v.id not in cited}
        return used, sorted(others.values(), key=lambda d: d.source)

    def _admitting(self, filters: Filters | None) -> Filters | None:
        if filters is None or not str(filters):
            return None
        if not self.knowledge.select(filters):
            raise IndexNotFound(f"no ingested document matches {filters}; see the documents list for what is ingested")
        return filters

    def _chosen(self, documents: list[str] | None) -> set[str] | None:
        return {self.library.store.resolve(ref).id for ref in documents} if documents else None

    def _chunks_of(self, places: list[tuple[str, str, int]]) -> list[Hit]:
        """The chunks holding these (document, table or section, page) places, in order."""
        found: list[Hit] = []
        for rank, (document, ref, page) in enumerate(places):
            for chunk, first, last in self.library.store.chunk_spans(document, ref):
                if first <= page <= last and all(h.chunk != chunk for h in found):
                    found.append(Hit(chunk, 1.0 - rank * 0.01))
        return found

    def _evidence(self, hits: list[Hit]) -> list[Evidence]:
        chunks = self.library.store.chunks([h.chunk for h in hits])
        return [Evidence(h.chunk, round(h.score, 5), chunks[h.chunk].text[:600]) for h in hits if h.chunk in chunks]

    def _answer(self, query: Query, outcome: Outcome, reading: Reading | None = None) -> Answer:
        """The outcome in words; a drafted text is checked figure by figure like the template's."""
        language = query.language
        statements = list(outcome.statements)
        computed = _computations(outcome)
        quoted = [*(c for _, c in outcome.sentences), *outcome.flagged] if isinstance(outcome, Quoted) else []
        citations = list(dict.fromkeys([*quoted, *(s.citation for s in statements)]))
        text = compose.render(outcome, language)
        if self.drafter is not None and not isinstance(outcome, NotFound):
            draft = self.drafter.draft(query.asked, text, statements, computed)
            # a link, an address or an instruction its sources do not hold: the checked template instead
            if draft and not guard.foreign(draft, " ".join([text, *(c.text for c in citations)])):
                text = draft
        status = outcome.status
        # not found states no figure: its fixed words ("没有说是哪一项") are not claims to check
        checks = [] if isinstance(outcome, NotFound) else verify(text, statements, computed, citations, _years(query))
        if any(not c.ok for c in checks):
            text = mark_unverified(text, checks, citations, language)
            status = "unverified"
        picked_by = outcome.picked_by if isinstance(outcome, Found | Calculated) else None
        if reading is not None:
            text += compose.read_by_model(reading.said(), language)
        if query.among > len(query.documents):
            text += compose.among(len(query.documents), query.among, language)
        used, others = self._versions(citations)
        if others:
            text += compose.versions(used, others, language)
        value, unit = _value(outcome)
        return Answer(
            question=query.asked.text, language=query.asked.language, answer=text, status=status, value=value,
            unit=unit or None, value_yuan=to_yuan(value, unit) if value is not None and unit else None,
            formula=outcome.result.formula if isinstance(outcome, Calculated) else None, citations=citations,
            conflicts=list(outcome.conflicts) if isinstance(outcome, Found) else [],
            candidates=[s.citation for _, s in outcome.options]
            if isinstance(outcome, Offered) and status == "candidates" else [],
            picked_by=picked_by, read_as=reading.said() if reading else None,
        )


def _computations(outcome: Outcome) -> list[Computed]:
    """The results an answer's words may state besides cited cells."""
    if isinstance(outcome, Calculated):
        return [outcome.result]
    if isinstance(outcome, EachCalculated):
        return [r for _, r in outcome.rows]
    if isinstance(outcome, Projects):
        return [outcome.count]
    return []


def _value(outcome: Outcome) -> tuple[float | None, str]:
    """The one figure that answers, when there is one: the cell, the result, the winner, the count."""
    if isinstance(outcome, Found):
        return outcome.best.value, outcome.best.unit
    if isinstance(outcome, Calculated):
        return outcome.result.value, outcome.result.unit
    if isinstance(outcome, EachDocument) and outcome.winner is not None:
        best = next(s for d, s in outcome.rows if d is outcome.winner)
        return best.value, best.unit
    if isinstance(outcome, Projects) and outcome.counting:
        return outcome.count.value, outcome.count.unit
    return None, ""


def _years(query: Query) -> set[int]:
    """The years an answer may name besides its sources': those asked and those its documents cover."""
    return set(query.asked.years) | query.covered_years

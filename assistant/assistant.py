"""Questions in, verified answers out: the pipeline and its one public method, ``ask``.

understand → route to documents → retrieve (hybrid) → resolve statements → compute →
compose (template, or an LLM draft) → verify every figure → status.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import replace

from assistant import arithmetic, compose, organisations, resolve
from assistant.agreement import disagreement
from assistant.choose import Chooser, OpenAICompatibleChooser
from assistant.conflicts import conflicts_for
from assistant.coverage import uncovered
from assistant.followup import dangling, standalone
from assistant.knowledge import DocumentView, Knowledge, place_names, place_stripped
from assistant.llm import Drafter, OpenAICompatibleDrafter, chat_model
from assistant.match import Scored, subject_key, without_department
from assistant.meaning import Meaning
from assistant.narrative import best_sentences
from assistant.prior import previous_year
from assistant.retrieve import Hit, Mode, Retriever
from assistant.types import Answer, Citation, Computed, Conflict, Evidence, Statement, Status
from assistant.understand import Question, understand
from assistant.verify import mark_unverified, verify
from index import Library, Settings
from index.embeddings import Embedder, get_embedder

EVIDENCE = 8  # chunks returned as evidence with every answer
_EACH = re.compile(r"分别|各部门|各个部门|每个部门|各单位|哪个|哪一|哪家|each|every|all (?:the )?departments|respectively",
                   re.IGNORECASE)
_BY_HOW_MUCH = re.compile(r"多多少|少多少|相差|差多少|by how much|how much more", re.IGNORECASE)
_PROJECTS = re.compile(  # asks about the projects themselves, not about something inside one
    r"(?:多少|几)个?项目|哪些项目|项目有哪些|列出.{0,6}项目|how many projects|number of projects|which projects|"
    r"what projects|list (?:the |all )?projects",
    re.IGNORECASE,
)


def _named(text: str, views: list[DocumentView]) -> list[DocumentView]:
    """The documents a question names. Each department named goes to the report that matches it
    most specifically: place and department together ("湖州交通局", "Zhuhai Commerce Bureau") over
    the department alone (every city's 交通运输局 or 商务局); names of different departments are
    all kept ("鹿泉区科技局和财政局"); a place alone names every report of that place."""
    # a unit named ("湖州市港航管理中心") names the report it belongs to, as its department's name would
    said = {v.document.id: _maximal([a for a in [*v.aliases, *v.units] if a in text]) for v in views}
    groups: dict[str, list[DocumentView]] = {}
    for view in views:
        if said[view.document.id]:
            places = place_names(view.document.department)
            named = [a for a in said[view.document.id] if a not in places]
            groups.setdefault(place_stripped(max(named, key=len, default="")), []).append(view)
    if len(groups) > 1:
        groups.pop("", None)  # a place said with a department picks that department's report
    kept = set()
    for group in groups.values():  # within one department's reports, those whose own place was said
        placed = [v for v in group if _own_place_said(v, said[v.document.id])]
        kept |= {v.document.id for v in placed or group}
    return [v for v in views if v.document.id in kept]


def _own_place_said(view: DocumentView, names: list[str]) -> bool:
    """"湖州", or "湖州市交通运输局" whole: the report's own place is among what was said."""
    places = place_names(view.document.department)
    return any(name in places or places & place_names(name) for name in names)


def _several_projects(ranked: list[Scored]) -> bool:
    """The best figure is one project's target and other projects state one of that name too, with
    another value, while the question names no project: which is meant is the asker's to say."""
    best = ranked[0]
    if best.statement.kind != "项目绩效目标表" or best.context:
        return False
    name = _indicator_core(best.statement.subject)
    return any(s.statement.kind == best.statement.kind and s.statement.ref != best.statement.ref
               and _indicator_core(s.statement.subject) == name and s.statement.value != best.statement.value
               for s in ranked[1:])


def _indicator_core(name: str) -> str:
    """"补贴企业数" and "补贴企业数量" are one indicator."""
    return re.sub(r"(数量|数)$", "", subject_key(name))


def _maximal(names: list[str]) -> list[str]:
    """Names not inside another of the list: "湖州市财政局" keeps it, drops "财政局" and "湖州"."""
    return [n for n in names if not any(n != other and n in other for other in names)]


def _own(question: Question, view: DocumentView, views: list[DocumentView]) -> Question:
    """The question as asked of one of several named documents: the others' names are no subject."""
    for other in views:
        if other is not view:
            question = without_department(question, other)
    return question


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
        chooser: Chooser | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder or get_embedder(settings)
        self.library = library or Library(settings, embedder=self.embedder)
        self.knowledge = Knowledge(self.library)
        self.retriever = Retriever(self.library, self.embedder)
        self.meaning = Meaning(self.library, self.embedder)
        llm = chat_model(settings) if drafter is None or chooser is None else None
        self.drafter = drafter if drafter is not None else OpenAICompatibleDrafter(llm) if llm is not None else None
        self.chooser = chooser if chooser is not None else OpenAICompatibleChooser(llm) if llm is not None else None

    def ask(self, question: str, documents: list[str] | None = None, history: list[str] | None = None) -> Answer:
        """Answer one question; ``history`` holds the asker's earlier questions (oldest first), whose
        subject a follow-up ("比上年减少了多少？") inherits."""
        started = time.perf_counter()
        if dangling(question, history or []):
            parsed = understand(question)  # no subject of its own and none to inherit: never a guess
            return Answer(parsed.text, parsed.language, compose.needs_subject(parsed.language), "not_found")
        parsed = understand(standalone(question, history or []))
        views, named = self._route(parsed, documents)
        understood = time.perf_counter()
        hits = self.retriever.search(parsed, [v.document.id for v in views], k=EVIDENCE)
        retrieved = time.perf_counter()
        answer = self._answer(parsed, views, named, hits)
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
        parsed = understand(question)
        views, _ = self._route(parsed, documents)
        hits = self.retriever.search(parsed, [v.document.id for v in views], max(k * 3, 20), mode)
        if mode != "hybrid":
            return hits[:k]
        top = sorted((s for v in views for s in resolve.best(parsed, v, hits)[:2]), key=lambda s: -s.total)[:3]
        matched = self._chunks_of([(s.statement.citation.document, s.statement.ref, s.statement.citation.page) for s in top])
        return _merge(matched, hits)[:k]

    def _chunks_of(self, places: list[tuple[str, str, int]]) -> list[Hit]:
        """The chunks holding these (document, table or section, page) places, in order."""
        found: list[Hit] = []
        for rank, (document, ref, page) in enumerate(places):
            for chunk, first, last in self.library.store.chunk_spans(document, ref):
                if first <= page <= last and all(h.chunk != chunk for h in found):
                    found.append(Hit(chunk, 1.0 - rank * 0.01))
        return found

    # -- routing and evidence ---------------------------------------------------------------
    def _route(self, question: Question, documents: list[str] | None) -> tuple[list[DocumentView], bool]:
        views = every = self.knowledge.views()
        if documents:
            wanted = {self.library.store.resolve(ref).id for ref in documents}
            return [v for v in views if v.document.id in wanted], True
        named = _named(question.search_text, views)
        if named:
            views = named
        if organisations.unmatched(question, every):
            return [], False  # a department or place no ingested document is of: nothing here answers
        if question.years and not question.change:
            # A document states its own year and the one before (上年); a year no document covers has no answer.
            views = [v for v in views if v.document.year in question.years or
                     (v.document.year is not None and v.document.year - 1 in question.years)]
        return views, bool(named)

    def _evidence(self, hits: list[Hit]) -> list[Evidence]:
        chunks = self.library.store.chunks([h.chunk for h in hits])
        return [Evidence(h.chunk, round(h.score, 5), chunks[h.chunk].text[:600]) for h in hits if h.chunk in chunks]

    # -- answering --------------------------------------------------------------------------
    def _answer(self, question: Question, views: list[DocumentView], named: bool, hits: list[Hit]) -> Answer:
        if not views:
            return self._not_found(question, views)
        if question.operation in ("list", "count") and _PROJECTS.search(question.text):
            listed = self._projects(question, views)
            if listed is not None:
                return listed
        if question.operation in ("explain", "list"):
            return self._quote(question, views, hits)
        computing = question.operation in ("share", "difference", "sum", "ratio", "growth") or (
            question.operation == "compare" and bool(_BY_HOW_MUCH.search(question.text)))
        if computing and not question.change:
            result = self._computed(question, views, named, hits)
            if result is not None:
                return result
        return self._looked_up(question, views, named, hits)

    def _computed(self, question: Question, views: list[DocumentView], named: bool, hits: list[Hit]) -> Answer | None:
        """A share, difference or sum is computed or not given: an operand is never the answer.
        Only a sum of one named thing ("本年收入合计是多少") is a printed total, looked up (None)."""
        result = self._compute_across(question, views, hits) if named and len(views) > 1 else None
        result = result or self._compute(question, views, named, hits)
        if result is not None:
            return result
        if question.operation != "sum" or any(len(resolve.pieces(question, v)) > 1 for v in views):
            return self._candidates(question, views, hits, "compute")
        return None

    def _looked_up(self, question: Question, views: list[DocumentView], named: bool, hits: list[Hit]) -> Answer:
        asked = {v.document.id: _own(question, v, views) if named else question for v in views}
        found = {v.document.id: resolve.best(asked[v.document.id], v, hits) for v in views}
        with_matches = [v for v in views if found[v.document.id] and found[v.document.id][0].subject >= 1.0]
        each = named or bool(_EACH.search(question.text))  # several documents named, or "each/分别": one figure apiece
        if question.operation == "compare" or (len(with_matches) > 1 and each):
            return self._across(question, with_matches, found)
        if not named and len(with_matches) > 1:
            return self._candidates(question, with_matches, hits, "documents")
        best_view = max(views, key=lambda v: found[v.document.id][0].total if found[v.document.id] else -1)
        if not found[best_view.document.id]:
            derived = next(((v, r) for v in views if (r := previous_year(question, v, hits))), None)
            if derived is not None:  # last year's figure, from this year's and the change stated beside it
                view, result = derived
                text = compose.computed(result, self._owner(view, question.language), "previous", question.language)
                return self._finish(question, text, "computed", None, result, list(result.operands), [result], [])
            return self._candidates(question, views, hits, "agree")
        ranked = found[best_view.document.id]
        if _several_projects(ranked):
            return self._candidates(question, [best_view], hits, "projects", [s.statement for s in ranked])
        return self._lookup(question, best_view, ranked)

    def _candidates(self, question: Question, views: list[DocumentView], hits: list[Hit], why: str,
                    offered: list[Statement] | None = None) -> Answer:
        """Close figures to pick from when none is certain; not found when there are none."""
        options = ([(views[0], s) for s in offered[:5]] if offered else
                   [(v, s.statement) for v in views for s in resolve.near(question, v, hits)])
        if not options:  # nothing named in so many words: what the question means, offered, never answered
            options = [(v, s.statement) for v in views for s in resolve.by_meaning(question, v, self.meaning)]
        options.sort(key=lambda pair: -pair[1].score)
        options = options[:5]
        if not options:
            return self._not_found(question, views)
        chosen = self._chosen(question, options) if why == "agree" else None
        if chosen is not None:
            return chosen
        many = len({v.document.id for v, _ in options}) > 1
        owned = [((v.document.department + ("：" if question.language == "zh" else ": ")) if many else "", s)
                 for v, s in options]
        text = compose.candidates(owned, why, question.language)
        answer = self._finish(question, text, "candidates", None, None, [s for _, s in options], [], [])
        if answer.status == "candidates":
            answer.candidates = [s.citation for _, s in options]
        return answer

    def _chosen(self, question: Question, options: list[tuple[DocumentView, Statement]]) -> Answer | None:
        """The candidate a configured LLM picks, when it agrees with all the question pins down;
        within one document only (which document is meant is never the model's guess)."""
        if self.chooser is None or len({v.document.id for v, _ in options}) > 1:
            return None
        index = self.chooser.choose(question.text, [s for _, s in options])
        if index is None:
            return None
        view, statement = options[index]
        if disagreement(question, statement, view):
            return None
        answer = self._lookup(question, view, [Scored(statement, 1.0, 1.0, 1.0, 0.0)])
        answer.answer += compose.picked_by_model(question.language)
        answer.picked_by = "model"
        return answer

    def _lookup(self, question: Question, view: DocumentView, ranked: list[Scored]) -> Answer:
        best, conflicts = conflicts_for(view, ranked[0].statement)
        also = self._also(view, best, [s.statement for s in ranked])
        owner = self._owner(view, question.language)
        if conflicts:
            text = compose.conflict(best, conflicts, owner, question.language)
            status: Status = "conflict"
        else:
            text = compose.lookup(best, also, owner, question.language)
            status = "verified"
        # The contradicting figures are stated too (each at its own citation), so they verify as such.
        statements = [best, *also, *[Statement(c.value, c.unit, 2, c.citation, "narrative", "") for c in conflicts]]
        if best.kind == "narrative":  # the quoted sentence's other figures are the document's own
            statements += [s for s in view.statements if s.kind == "narrative" and s.citation.text == best.citation.text]
        return self._finish(question, text, status, best, None, statements, [], conflicts)

    def _compute_across(self, question: Question, views: list[DocumentView], hits: list[Hit]) -> Answer | None:
        """"A和B的X加起来", "A比B的X多多少": each operand is X in its own document, in the order named."""
        if question.operation not in ("sum", "difference", "compare"):
            return None
        order = sorted(views, key=lambda v: min((question.text.find(a) for a in v.aliases if a in question.text), default=99))
        operands = []
        for view in order:
            found = resolve.best(_own(replace(question, operation="lookup"), view, order), view, hits, tables_only=True)
            if not found:
                return None
            operands.append(found[0].statement)
        if question.operation == "sum":
            result = arithmetic.total(operands)
        else:
            if question.operation == "compare":  # "哪个多，多多少": the larger less the smaller
                operands.sort(key=lambda s: -(s.value_yuan or s.value))
            result = arithmetic.difference(operands[0], operands[1])
        owners = [v.document.department for v in order]
        text = compose.computed_across(result, owners if question.operation != "compare" else
                                       [next(v.document.department for v in order if v.document.id == s.citation.document)
                                        for s in operands], question.operation, question.language)
        return self._finish(question, text, "computed", None, result, list(result.operands), [result], [])

    def _compute(self, question: Question, views: list[DocumentView], named: bool, hits: list[Hit]) -> Answer | None:
        results = [(v, r) for v in views if (r := self._arithmetic(question, v, hits))]
        if not results:
            return None
        if not named and len(results) > 1:
            rows = [(v.document.department, r) for v, r in results]
            text = compose.per_document_computed(rows, question.operation, question.language)
            operands = [s for _, r in results for s in r.operands]
            return self._finish(question, text, "computed", None, None, operands, [r for _, r in results], [])
        view, result = results[0]
        owner = self._owner(view, question.language)
        text = compose.computed(result, owner, question.operation, question.language)
        return self._finish(question, text, "computed", None, result, list(result.operands), [result], [])

    def _arithmetic(self, question: Question, view: DocumentView, hits: list[Hit]) -> Computed | None:
        result: Computed | None = None
        if question.operation == "share":
            pair = resolve.share_operands(question, view, hits)
            result = arithmetic.share(*pair) if pair else None
        else:
            parts = resolve.operands(question, view, hits)
            if len(parts) >= 2:
                first, second = parts[0], parts[1]
                operations: dict[str, Callable[[], Computed | None]] = {
                    "difference": lambda: arithmetic.difference(first, second),
                    "sum": lambda: arithmetic.total(parts),
                    "ratio": lambda: arithmetic.ratio(first, second),
                    "growth": lambda: arithmetic.growth(first, second),
                }
                result = operations[question.operation]()
        if result is None or uncovered(question, list(result.operands), view):
            return None
        return result

    def _across(self, question: Question, views: list[DocumentView], ranked: dict[str, list[Scored]]) -> Answer:
        rows = [(v.document.department, ranked[v.document.id][0].statement) for v in views if ranked[v.document.id]]
        if not rows:
            return self._not_found(question, views)
        least = bool(re.search(r"最少|最低|least|lowest|smallest|fewest", question.text, re.IGNORECASE))
        winner: str | None = None
        headline: Statement | None = None
        if question.operation == "compare":
            pick = min if least else max
            winner, headline = pick(rows, key=lambda row: row[1].value_yuan if row[1].value_yuan is not None else row[1].value)
        text = compose.per_document(rows, question.language, winner, least)
        statements = [s for _, s in rows]
        return self._finish(question, text, "verified", headline, None, statements, [], [])

    def _projects(self, question: Question, views: list[DocumentView]) -> Answer | None:
        """Which projects (and how many): one line per performance-target table, with its budget."""
        budgets = [
            (v, s) for v in views for s in v.statements
            if s.kind == "项目绩效目标表" and s.citation.column == "预算数"
        ]
        if not budgets:
            return None  # no performance-target tables: the narrative may still say it
        statements = [s for _, s in budgets]
        count = Computed(float(len(budgets)), "个", 0, f"count of {len(budgets)} performance-target tables", tuple(statements))
        if question.operation == "count":
            text = compose.project_count(count, statements, question.language)
            return self._finish(question, text, "computed", None, count, statements, [count], [])
        text = compose.project_list(statements, question.language)
        return self._finish(question, text, "verified", None, None, statements, [count], [])

    def _quote(self, question: Question, views: list[DocumentView], hits: list[Hit]) -> Answer:
        """Why / what for / which: the document's own words, quoted with section and page."""
        sentences = best_sentences(question, views, hits)
        if not sentences:
            return self._not_found(question, views)
        text = compose.quote(sentences, question.language)
        quoted = [c for _, c in sentences]
        return self._finish(question, text, "quoted", None, None, [], [], [], quoted)

    # -- corroboration ------------------------------------------------------------------------
    def _also(self, view: DocumentView, best: Statement, ranked: list[Statement]) -> list[Statement]:
        key, leaf = subject_key(best.subject), (best.citation.column or "").split(" / ")[-1]
        same = [
            s for s in ranked
            if s is not best and s.kind != "narrative" and s.ref != best.ref and subject_key(s.subject) == key
            and (s.citation.column or "").split(" / ")[-1] == leaf and abs(s.value - best.value) < 1e-9
        ]
        return same[:3]

    # -- finishing ----------------------------------------------------------------------------
    def _owner(self, view: DocumentView, language: str) -> str:
        doc = view.document
        if language == "zh":
            return f"{doc.department}{doc.year or ''}年{'度' if doc.kind == '决算' else ''}{doc.kind}中，"
        return f"{doc.department} ({doc.year} {'final accounts' if doc.kind == '决算' else 'budget'})"

    def _not_found(self, question: Question, views: list[DocumentView]) -> Answer:
        searched = [v.document.department for v in views]
        return Answer(question.text, question.language, compose.not_found(question.language, searched), "not_found")

    def _finish(
        self, question: Question, text: str, status: Status, headline: Statement | None, result: Computed | None,
        statements: list[Statement], computed: list[Computed], conflicts: list[Conflict], quoted: list[Citation] | None = None,
    ) -> Answer:
        citations = list(dict.fromkeys([*(quoted or []), *(s.citation for s in statements)]))
        if self.drafter is not None:
            text = self.drafter.draft(question, text, statements, computed) or text
        checks = verify(text, statements, computed, citations)
        if any(not c.ok for c in checks):
            text = mark_unverified(text, checks, citations, question.language)
            status = "unverified"
        value_source: Statement | Computed | None = result or headline
        return Answer(
            question=question.text,
            language=question.language,
            answer=text,
            status=status,
            value=value_source.value if value_source else None,
            unit=value_source.unit or None if value_source else None,
            value_yuan=headline.value_yuan if headline and not result else None,
            formula=result.formula if result else None,
            citations=citations,
            conflicts=conflicts,
        )

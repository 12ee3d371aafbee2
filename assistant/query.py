"""The centre of the pipeline: one typed ``Query`` per question.

Understanding (the rules here, or a configured LLM in ``interpret``) turns the asker's words —
and the conversation before them — into a ``Query``: what the words pin down (``asked``: subject
words, measures, years, operation, language, units), the documents to look in, and the plan the
executor follows. Everything after reads the query, never the raw question.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from assistant.followup import dangling, standalone
from assistant.knowledge import DocumentView, Filters, Knowledge, Profile
from assistant.match import without_department
from assistant.route import route
from assistant.understand import Question, understand

# needs_subject: a follow-up with nothing to follow; projects: which / how many projects;
# quote: why / what for / which, in the document's words; compute: arithmetic over cited cells;
# lookup: one cited cell (per document named).
Plan = Literal["needs_subject", "projects", "quote", "compute", "lookup"]

COMPUTING = ("share", "difference", "sum", "ratio", "growth")  # operations that are arithmetic over cited cells
_BY_HOW_MUCH = re.compile(r"多多少|少多少|相差|差多少|by how much|how much more", re.IGNORECASE)
_PROJECTS = re.compile(  # asks about the projects themselves, not about something inside one
    r"(?:多少|几)个?项目|哪些项目|项目有哪些|列出.{0,6}项目|how many projects|number of projects|which projects|"
    r"what projects|list (?:the |all )?projects",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Query:
    asked: Question  # what the words pin down
    documents: tuple[DocumentView, ...]  # where to look
    named: bool  # the question or the caller named these documents: one figure each when several
    plan: Plan
    understood_by: str = "rules"  # "model" when a configured LLM rewrote the question
    among: int = 0  # a name said fits this many reports of different places (which is not said); 0: no such name

    @property
    def language(self) -> str:
        return self.asked.language

    @property
    def covered_years(self) -> set[int]:
        """The years its documents state figures for: their own and the one before (上年)."""
        return {y for v in self.documents if (d := v.document.year) for y in (d, d - 1)}

    def document(self, document_id: str) -> DocumentView:
        return next(v for v in self.documents if v.document.id == document_id)

    def asked_of(self, view: DocumentView) -> Question:
        """The question as asked of one of several named documents: the others' names are no subject."""
        asked = self.asked
        if self.named:
            for other in self.documents:
                if other is not view:
                    asked = without_department(asked, other)
        return asked


# Narrows the documents of a question that names none (all of them, or all of a year) to those worth
# reading: the knowledge of thousands is never loaded for one question.
Narrow = Callable[[Question, list[Profile]], list[Profile]]


def build(text: str, knowledge: Knowledge, chosen: set[str] | None = None, history: list[str] | None = None,
          narrow: Narrow | None = None, filters: Filters | None = None) -> Query:
    """The query for a question (a follow-up read with the subject of the turn before it)."""
    if dangling(text, history or []):  # no subject of its own and none to inherit: never a guess
        return Query(understand(text), (), False, "needs_subject")
    return of(understand(standalone(text, history or [])), knowledge, chosen, narrow, filters)


def of(asked: Question, knowledge: Knowledge, chosen: set[str] | None = None, narrow: Narrow | None = None,
       filters: Filters | None = None) -> Query:
    """``filters`` are the asker's own choice of documents by what they are (city, year, …): the
    question is routed among those alone."""
    routed = route(asked, knowledge.select(filters) if filters else knowledge.profiles(), chosen, knowledge.naming)
    profiles = routed.documents
    if narrow is not None and (not routed.named or routed.shared):
        profiles = narrow(asked, profiles)
    views = tuple(knowledge.views(profiles))
    return Query(asked, views, routed.named, plan_of(asked), among=len(routed.documents) if routed.shared else 0)


def plan_of(asked: Question) -> Plan:
    if asked.operation in ("list", "count") and _PROJECTS.search(asked.text):
        return "projects"
    if asked.operation in ("explain", "list"):
        return "quote"
    computing = asked.operation in COMPUTING or (asked.operation == "compare" and bool(_BY_HOW_MUCH.search(asked.text)))
    return "compute" if computing and not asked.change else "lookup"

"""What a question turns into: the parsed question, cited statements, and the ``Answer``.

This module imports nothing of ours but ``index.types``; read it to learn what the
assistant passes around. ``Answer.to_json`` is the one serialisation the CLI, the HTTP API
and the benchmark share.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from index.text import to_yuan
from index.types import BBox, Document

# verified: a cited cell answers what was asked; computed: arithmetic over cited cells; conflict: the
# document states two figures; quoted: the document's words, no figure asked; candidates: close
# figures offered to pick from, none certain; unverified: a figure in the text failed its check.
Status = Literal["verified", "computed", "conflict", "quoted", "candidates", "not_found", "unverified"]
Operation = Literal["lookup", "sum", "difference", "share", "ratio", "growth", "compare", "count", "list", "explain"]


@dataclass(frozen=True)
class Citation:
    """Where one figure (or quoted sentence) stands in a document."""

    document: str
    document_title: str
    page: int
    table: str | None = None  # printed table title
    section: str | None = None  # heading path, for narrative text
    row: str | None = None
    code: str | None = None
    column: str | None = None  # column path joined with " / "
    value: float | None = None
    unit: str | None = None
    text: str = ""  # the cell as printed, or the quoted sentence
    table_id: str | None = None  # to open the parsed table
    bbox: BBox | None = None  # to outline the cell on the page image
    ocr: bool = False  # the figure was read by OCR from a scanned page: said next to it
    entity: str | None = None  # the sub-unit the figure belongs to, when not the department
    source: str = ""  # the document's file name: two versions of one report differ only by it


@dataclass(frozen=True)
class Statement:
    """A figure the document states, with its citation: a table cell or a narrative sentence."""

    value: float
    unit: str
    decimals: int  # printed precision: the verifier's tolerance
    citation: Citation
    kind: str  # table kind, "项目绩效目标表" or "narrative"
    subject: str  # what it is the figure of (row label, project, indicator, narrative subject)
    ref: str = ""  # the table, performance table or section it comes from (chunk ids carry it)
    row_key: str = ""  # one printed row within its table (side-by-side halves share labels)
    context: str = ""  # the rows above it: "科学技术支出 科学技术管理事务" for 行政运行 (2060101)
    score: float = 0.0  # how well it matches the question

    @property
    def value_yuan(self) -> float | None:
        return to_yuan(self.value, self.unit)


@dataclass(frozen=True)
class Computed:
    """Arithmetic over cited statements: the result and how it was reached."""

    value: float
    unit: str
    decimals: int
    formula: str
    operands: tuple[Statement, ...]


@dataclass(frozen=True)
class Conflict:
    value: float
    unit: str
    citation: Citation
    note: str = ""  # how the other figure arises when it is not printed as such ("sum of its 12 items")


@dataclass(frozen=True)
class Evidence:
    chunk: str
    score: float
    text: str


# -- what the executor found, before words: compose renders it, verify checks its figures ----------


@dataclass(frozen=True)
class Found:
    """One cell answers; with ``conflicts`` the document also states other figures for it."""

    document: Document
    best: Statement
    also: tuple[Statement, ...] = ()  # the same figure printed in other tables
    conflicts: tuple[Conflict, ...] = ()
    stated: tuple[Statement, ...] = ()  # other figures the answer quotes (the cited sentence's own)
    picked_by: str | None = None  # "model": a configured LLM read the question as this figure

    @property
    def status(self) -> Status:
        return "conflict" if self.conflicts else "verified"

    @property
    def statements(self) -> list[Statement]:
        contradicting = [Statement(c.value, c.unit, 2, c.citation, "narrative", "") for c in self.conflicts]
        return [self.best, *self.also, *contradicting, *self.stated]


@dataclass(frozen=True)
class Calculated:
    """Arithmetic over cited figures, of one document or across several (in the order named)."""

    result: Computed
    documents: tuple[Document, ...]
    operation: str  # the question's operation, or "previous": last year's figure derived
    across: bool = False
    status: Status = "computed"
    picked_by: str | None = None  # "model": computed over the operands a configured LLM read the question as

    @property
    def statements(self) -> list[Statement]:
        return list(self.result.operands)


@dataclass(frozen=True)
class EachDocument:
    """One figure per document ("各部门…分别"), and which has the most or least when asked."""

    rows: tuple[tuple[Document, Statement], ...]
    winner: Document | None = None
    least: bool = False
    status: Status = "verified"

    @property
    def statements(self) -> list[Statement]:
        return [s for _, s in self.rows]


@dataclass(frozen=True)
class EachCalculated:
    """The same arithmetic in each of several documents."""

    rows: tuple[tuple[Document, Computed], ...]
    operation: str
    status: Status = "computed"

    @property
    def statements(self) -> list[Statement]:
        return [s for _, r in self.rows for s in r.operands]


@dataclass(frozen=True)
class Projects:
    """The projects with performance-target tables: listed, or counted."""

    count: Computed
    budgets: tuple[Statement, ...]
    counting: bool

    @property
    def status(self) -> Status:
        return "computed" if self.counting else "verified"

    @property
    def statements(self) -> list[Statement]:
        return list(self.budgets)


@dataclass(frozen=True)
class Quoted:
    """The document's own sentences, for why / what for / which."""

    sentences: tuple[tuple[str, Citation], ...]
    flagged: tuple[Citation, ...] = ()  # sentences that address the reader as instructions: pointed out, never quoted
    statements: tuple[Statement, ...] = ()

    @property
    def status(self) -> Status:
        return "quoted" if self.sentences else "not_found"


@dataclass(frozen=True)
class Offered:
    """Close figures to pick from, none certain; ``why`` names what kept each from answering."""

    options: tuple[tuple[Document, Statement], ...]
    why: str  # "compute" | "documents" | "agree" | "projects"
    status: Status = "candidates"

    @property
    def statements(self) -> list[Statement]:
        return [s for _, s in self.options]


@dataclass(frozen=True)
class NotFound:
    searched: tuple[str, ...] = ()  # the departments looked in
    needs_subject: bool = False  # a follow-up with nothing to follow
    status: Status = "not_found"
    statements: tuple[Statement, ...] = ()


Outcome = Found | Calculated | EachDocument | EachCalculated | Projects | Quoted | Offered | NotFound


@dataclass
class Answer:
    question: str
    language: Literal["zh", "en"]
    answer: str
    status: Status
    value: float | None = None
    unit: str | None = None
    value_yuan: float | None = None
    formula: str | None = None
    citations: list[Citation] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    candidates: list[Citation] = field(default_factory=list)  # status "candidates": the figures to pick from
    picked_by: str | None = None  # "model": reached through a configured LLM's reading of the question
    read_as: str | None = None  # that reading: printed labels, measure, year
    evidence: list[Evidence] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

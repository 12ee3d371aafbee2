"""What a question turns into: the parsed question, cited statements, and the ``Answer``.

This module imports nothing of ours but ``index.types``; read it to learn what the
assistant passes around. ``Answer.to_json`` is the one serialisation the CLI, the HTTP API
and the benchmark share.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from index.text import to_yuan
from index.types import BBox

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
    picked_by: str | None = None  # "model": a configured LLM chose this figure among the candidates
    evidence: list[Evidence] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

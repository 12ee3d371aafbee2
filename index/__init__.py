"""Documents in, knowledge out: parsing, facts, findings, chunks, vectors and BM25.

Knows nothing of questions; ``assistant`` builds on it, never the other way round.
"""

from index.errors import BadRequest, BudgetQAError, ConfigError, IngestError, NotFound, UnsupportedDocument
from index.library import IngestReport, Library
from index.settings import Settings
from index.types import Cell, Chunk, Document, Fact, Finding, Indicator, PerformanceTable, Row, Section, Table

__all__ = [
    "BadRequest",
    "BudgetQAError",
    "Cell",
    "Chunk",
    "ConfigError",
    "Document",
    "Fact",
    "Finding",
    "Indicator",
    "IngestError",
    "IngestReport",
    "Library",
    "NotFound",
    "PerformanceTable",
    "Row",
    "Section",
    "Settings",
    "Table",
    "UnsupportedDocument",
]

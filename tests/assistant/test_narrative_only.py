"""A report printed as narrative only (its tables published elsewhere) is still asked and cited."""

from __future__ import annotations

from assistant import Assistant
from index import Library, Settings
from index.embeddings import Embedder
from tests.index.regions import REGIONS

BEIJING = REGIONS / "beijing" / "2026年北京市统计局部门预算.pdf"


def test_narrative_figures_are_answered_from_their_sentence(settings: Settings, embedder: Embedder) -> None:
    library = Library(settings, embedder=embedder)
    report = library.ingest(BEIJING)
    assert report.tables == 0 and report.document.department == "北京市统计局"
    answer = Assistant(settings, library=library, embedder=embedder, drafter=None).ask("北京市统计局机关运行经费预算多少？")
    assert answer.status == "verified" and answer.value == 1211.43 and answer.unit == "万元"
    (citation,) = answer.citations
    assert citation.page == 7 and "1211.43" in citation.text and citation.table is None

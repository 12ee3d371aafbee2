"""The Findings tab's rows for a real document: each failing check with the printed figure, the
computed one, the difference and the pages of everything compared; rounding apart."""

from __future__ import annotations

from assistant.ui import _finding_row
from index import Library, Settings
from tests.conftest import CAIZHENG


def test_failing_checks_show_difference_and_pages(tmp_path, embedder):
    library = Library(Settings(data_dir=tmp_path / "data", collection="findings_tab"), embedder=embedder)
    report = library.ingest(CAIZHENG)
    rows = {lang: [_finding_row(f, lang) for f in library.store.findings(report.document.id)] for lang in ("zh", "en")}
    (rounding,) = [text for mark, name, text in rows["zh"] if mark == "≈"]
    assert "所列 171.07，下级相加 171.09，四舍五入差异（相差 -0.02；第 16、17 页）" in rounding
    (narrative,) = [text for mark, name, text in rows["zh"] if mark == "✗" and name == "文字与表格"]
    assert "文字所述 0.3，表中 2961.68，不成立（相差 -2,961.38；第 13、21 页）" in narrative
    english = [text for mark, _, text in rows["en"] if mark == "✗"]
    assert any("(difference -2,961.38; pages 13, 21)" in text for text in english)
    assert all("相差" not in text for mark, _, text in rows["zh"] if mark == "✓")

"""The ingest benchmark runs end to end and reports both sides (figures are read, not asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import SHEHUI


def test_benchmark_measures_ours_and_bare_pdfplumber():
    command = [str(Path(sys.executable).parent / "budget-qa"), "bench-ingest", str(SHEHUI), "--repeat", "1", "--json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(done.stdout)
    assert row["pages"] == row["pdfplumber"]["pages"] == 24
    for side in ("ours", "pdfplumber"):
        assert row[side]["pages_per_second"] > 0 and row[side]["peak_rss_mb"] >= row[side]["rss_after_startup_mb"] > 0
    assert row["ratio"] == row["ours"]["pages_per_second"] / row["pdfplumber"]["pages_per_second"]

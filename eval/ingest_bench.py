"""Ingest speed and memory against bare pdfplumber, one fresh process per measurement.

    python -m eval.ingest_bench [--repeat N] [--json] [FILE ...]     (or: budget-qa bench-ingest)

For every document, two child processes: ours (the whole ingest: parse, facts, checks,
chunks, embeddings, Chroma, BM25) and bare pdfplumber (``extract_text`` + ``extract_tables``
on every page). Start-up (imports, model load) is timed apart: a server pays it once.
Peak memory is the child's high-water RSS; "after start-up" is its RSS before the first file.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@dataclass
class Measure:
    mode: str  # "ours" | "pdfplumber"
    pages: int
    seconds: float  # median over the repeats
    startup_seconds: float
    rss_after_startup_mb: float
    peak_rss_mb: float
    ocr_pages: int = 0  # pages read by OCR (ours only): timed apart from the text pages

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ours(path: Path, repeat: int) -> Measure:
    started = time.perf_counter()
    from index import Library, Settings
    from index.lexical import tokenize

    with tempfile.TemporaryDirectory() as scratch:
        library = Library(Settings(data_dir=Path(scratch) / "warm"))
        library.embedder.embed(["预热"])
        tokenize("预热 warm-up")  # jieba loads its dictionary on first use
        startup, after = time.perf_counter() - started, _rss_mb()
        times, pages, ocr = [], 0, 0
        for run in range(repeat):
            fresh = Library(Settings(data_dir=Path(scratch) / f"run{run}"), embedder=library.embedder)
            begun = time.perf_counter()
            report = fresh.ingest(path)
            times.append(time.perf_counter() - begun)
            pages, ocr = report.document.pages, len(report.document.ocr_pages)
    return Measure("ours", pages, statistics.median(times), startup, after, _peak_mb(), ocr)


def _bare(path: Path, repeat: int) -> Measure:
    started = time.perf_counter()
    import pdfplumber

    startup, after = time.perf_counter() - started, _rss_mb()
    times, pages = [], 0
    for _ in range(repeat):
        begun = time.perf_counter()
        with pdfplumber.open(path) as pdf:
            pages = len(pdf.pages)
            for page in pdf.pages:
                page.extract_text()
                page.extract_tables()
                page.close()
        times.append(time.perf_counter() - begun)
    return Measure("pdfplumber", pages, statistics.median(times), startup, after, _peak_mb())


def _child(mode: str, path: Path, repeat: int) -> Measure:
    """Runs one measurement in a fresh interpreter so peaks and start-ups do not mix."""
    command = [sys.executable, "-m", "eval.ingest_bench", "--child", mode, "--repeat", str(repeat), str(path)]
    env = os.environ | {"HF_HUB_OFFLINE": "1"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=Path(__file__).resolve().parent.parent)
    if done.returncode != 0:
        raise RuntimeError(f"{mode} on {path.name} failed:\n{done.stderr[-3000:]}")
    return Measure(**json.loads(done.stdout.strip().splitlines()[-1]))


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; folders become the disclosures under them."""
    found: list[Path] = []
    for path in paths:
        found += sorted(p for p in path.rglob("*") if p.suffix.lower() in (".pdf", ".txt")) if path.is_dir() else [path]
    return found


def run(paths: list[Path], repeat: int) -> list[dict[str, Any]]:
    rows = []
    for path in expand(paths):
        ours = _child("ours", path, repeat)
        bare = _child("pdfplumber", path, repeat) if path.suffix.lower() == ".pdf" else None
        rows.append({
            "document": path.name,
            "pages": ours.pages,
            "ours": asdict(ours) | {"pages_per_second": ours.pages_per_second},
            "pdfplumber": asdict(bare) | {"pages_per_second": bare.pages_per_second} if bare else None,
            "ratio": ours.pages_per_second / bare.pages_per_second if bare else None,
        })
    return rows


def report(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| document | pages | ours pages/s | ours peak MB (after start-up) | pdfplumber pages/s | pdfplumber peak MB "
        "| ours / pdfplumber |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        ours, bare = row["ours"], row["pdfplumber"]
        bare_cells = f"{bare['pages_per_second']:.1f} | {bare['peak_rss_mb']:.0f}" if bare else "— (text form) | —"
        ratio = f"{row['ratio']:.0%}" if row["ratio"] is not None else "—"
        lines.append(
            f"| {row['document']} | {row['pages']} | {ours['pages_per_second']:.1f} | "
            f"{ours['peak_rss_mb']:.0f} ({ours['rss_after_startup_mb']:.0f}) | {bare_cells} | {ratio} |"
        )
    pdf = [row for row in rows if row["ratio"] is not None and not row["ours"]["ocr_pages"]]
    if pdf:
        ours_pages = sum(r["pages"] for r in pdf) / sum(r["ours"]["seconds"] for r in pdf)
        bare_pages = sum(r["pages"] for r in pdf) / sum(r["pdfplumber"]["seconds"] for r in pdf)
        lines.append(f"| **all text-layer PDFs** | {sum(r['pages'] for r in pdf)} | {ours_pages:.1f} | | {bare_pages:.1f} | | "
                     f"**{ours_pages / bare_pages:.0%}** |")
    scanned = [row for row in rows if row["ours"]["ocr_pages"]]
    if scanned:
        ocr_pages = sum(r["ours"]["ocr_pages"] for r in scanned)
        seconds = sum(r["ours"]["seconds"] for r in scanned)
        lines.append(f"\nDocuments with pages read by OCR (not in the ratio): {len(scanned)}, {ocr_pages} OCR pages "
                     f"of {sum(r['pages'] for r in scanned)}, {seconds:.1f} s in all.")
    startup = rows[0]["ours"]["startup_seconds"] if rows else 0.0
    lines.append(f"\nOur start-up (imports, embedding model, jieba dictionary), paid once per process: {startup:.1f} s.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ingest_bench", description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, help="files or folders (default: the bundled samples)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per document (median reported)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=["ours", "pdfplumber"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        measure = (_ours if args.child == "ours" else _bare)(args.files[0], args.repeat)
        print(json.dumps(asdict(measure)))
        return 0
    files = args.files or sorted(SAMPLES.iterdir())
    rows = run(files, args.repeat)
    print(json.dumps(rows, ensure_ascii=False, indent=2) if args.json else report(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

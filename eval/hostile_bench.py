"""Peak memory and time of ingesting hostile files with the default limits, one fresh CLI
process per file (what an operator running ``budget-qa ingest`` on a bad file pays).

    python -m eval.hostile_bench [--json]     (or: budget-qa bench-hostile)

Every file must be refused, naming why, within the ingest memory cap (``ingest_memory_mb``,
default 1,500 MB) and time limit (``ingest_seconds``); the exit code is 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from eval.hostile_files import blank_pages, bomb, huge_text, many_bombs
from index import Settings

ROOT = Path(__file__).resolve().parent.parent
TEXT_SAMPLE = next((ROOT / "samples").glob("*.txt"))

CASES: dict[str, tuple[str, Callable[[], bytes]]] = {
    "bomb-2GiB.pdf": ("one stream inflating to 2 GiB", lambda: bomb(2048)),
    "bombs-30x150MB.pdf": ("30 streams of 150 MB each, 4.5 GB in all", lambda: many_bombs(30, 150)),
    "bombs-21x3MB.pdf": ("21 pages of 3 MB of path operators each (the worst under the page limit)",
                         lambda: many_bombs(21, 3)),
    "blank-2000.pdf": ("2,000 blank pages", lambda: blank_pages(2000)),
    "huge-45MB.txt": ("45 MB of tab-separated text", lambda: huge_text(TEXT_SAMPLE, 45)),
}


@dataclass
class Run:
    file: str
    what: str
    megabytes: float
    seconds: float
    peak_rss_mb: float
    exit_code: int
    message: str


def _ingest(path: Path, what: str, data: Path) -> Run:
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "cli", "--data", str(data), "ingest", str(path)],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(child.pid, 0)  # this child's own high-water mark
    seconds = time.perf_counter() - started
    out, err = child.stdout.read() if child.stdout else "", child.stderr.read() if child.stderr else ""
    child.returncode = os.waitstatus_to_exitcode(status)
    return Run(path.name, what, path.stat().st_size / 1e6, round(seconds, 1), round(usage.ru_maxrss / 1024),
               child.returncode, (err or out).strip().splitlines()[-1] if (err or out).strip() else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    settings = Settings()
    runs = []
    with tempfile.TemporaryDirectory() as scratch:
        for name, (what, make) in CASES.items():
            path = Path(scratch) / name
            path.write_bytes(make())
            runs.append(_ingest(path, what, Path(scratch) / "data"))
            path.unlink()
    bounded = all(r.exit_code == 1 and r.peak_rss_mb <= settings.ingest_memory_mb
                  and r.seconds <= settings.ingest_seconds for r in runs)
    if args.json:
        print(json.dumps({"runs": [asdict(r) for r in runs], "bounded": bounded}, ensure_ascii=False, indent=2))
    else:
        print(f"{'file':<22}{'MB':>7}{'s':>7}{'peak MB':>9}  refusal")
        for r in runs:
            print(f"{r.file:<22}{r.megabytes:>7.1f}{r.seconds:>7.1f}{r.peak_rss_mb:>9.0f}  {r.message}")
        print(f"cap {settings.ingest_memory_mb} MB, {settings.ingest_seconds} s: "
              f"{'every file refused within it' if bounded else 'NOT BOUNDED'}")
    return 0 if bounded else 1


if __name__ == "__main__":
    sys.exit(main())

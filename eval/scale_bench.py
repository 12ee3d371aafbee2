"""Many documents on one machine: ingest cost, ask latency, memory and correctness as the corpus grows.

    python -m eval.scale_bench [--sizes 100,1000] [--work DIR] [--json]   (or: budget-qa bench-scale)

The corpus is generated from the bundled text disclosure: each variant is the same report for
another department of another district and year, every amount multiplied by the variant's own
whole factor (so every table still adds up and every known answer is the original's × factor).
The corpus grows stage by stage in one data directory (--work keeps it, so a later run
continues where the last stopped); after each stage a fresh process opens it as a server would
and asks:

- scoped: a question with the document chosen by the caller (``documents=[id]``);
- unscoped: the same subject with the department and district said in the question;
- ambiguous: a department and year said without the place, where several documents fit — it
  must not be answered from one of them silently.

Printed per stage: ingest seconds per document (first 10 and last 10 of the stage, and of the
first and last 100 documents overall), ingest peak RSS, start to first answer, ask p50/p95,
serving RSS, disk per store and correctness.

``--app-servers N`` asks through N app servers (``budget-qa serve``) in turn over their HTTP API,
as a load balancer spreads questions, instead of in one process; with ``BUDGET_QA_DATABASE_URL``
and ``BUDGET_QA_CHROMA_HOST`` set, the corpus is ingested into PostgreSQL and a Chroma server and
every server keeps nothing but its own scratch folder.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "samples" / "luquan-keji-2024-budget.txt"
QUESTIONS = Path(__file__).parent / "data" / "questions.jsonl"
NAMES = ROOT / "assistant" / "data" / "names.tsv"
SAID = "鹿泉区科技局"  # how the template's questions name its department
YEARS = (2020, 2021, 2022, 2023, 2024)
DEPARTMENTS = 60  # distinct departments (those of names.tsv ending in 局, in file order)
ASKED = {"scoped": 40, "unscoped": 40, "ambiguous": 20}  # questions per stage
_AMOUNT = re.compile(r"(?<![\d.])(\d+\.\d{1,2})(?![\d.%％])")


@dataclass(frozen=True)
class Variant:
    index: int
    city: str
    district: str  # with its 区/县
    department: str
    short: str  # the department's short form ("科技局"), or its full name
    year: int
    factor: int

    @property
    def name(self) -> str:
        return f"{self.city_name}{self.district}{self.department}"

    @property
    def city_name(self) -> str:
        """"湖州市"; an autonomous prefecture, 地区 or 盟, or a city whose name is printed with its 市
        (吉林市, not the province 吉林), as it is."""
        return self.city if self.city.endswith(("自治州", "地区", "盟", "市")) else f"{self.city}市"

    @property
    def file(self) -> str:
        return f"scale-{self.index:05d}-{self.year}.txt"


@dataclass(frozen=True)
class Asked:
    kind: str  # scoped | unscoped | ambiguous
    question: str
    document: str  # the file the answer must come from ("" for ambiguous)
    value: float | None
    unit: str
    documents: tuple[str, ...] = ()  # the caller's choice (scoped)


@dataclass
class Stage:
    documents: int
    ingest_first10_s: float = 0.0
    ingest_last10_s: float = 0.0
    ingest_peak_rss_mb: float = 0.0
    ingest_worker_peak_rss_mb: float = 0.0  # the largest ingest worker's (--workers)
    start_to_first_answer_s: float = 0.0
    serving_rss_mb: float = 0.0  # the largest serving process's
    app_servers_rss_mb: list[float] = field(default_factory=list)  # each app server's (--app-servers)
    vector_server_peak_rss_mb: float = 0.0  # a Chroma server on this machine, since it started; 0.0: none
    ask_ms: dict[str, dict[str, float]] = field(default_factory=dict)  # kind → p50/p95
    correct: dict[str, str] = field(default_factory=dict)  # kind → "right/asked"
    wrong: list[dict[str, Any]] = field(default_factory=list)  # every answer that was not right
    disk_mb: dict[str, float] = field(default_factory=dict)


@cache
def _names() -> tuple[list[tuple[str, str]], list[str], list[tuple[str, str]]]:
    """(district, city) pairs, cities, and (department, short form) pairs from the glossary's names."""
    rows = [line.rstrip("\n").split("\t") for line in NAMES.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    cities = [r[0] for r in rows if r[1] == "city"]
    districts = [r[0] for r in rows if r[1] == "district"]
    departments = [(r[0], (r[3].split("|")[0] if len(r) > 3 and r[3] else r[0]))
                   for r in rows if r[1] == "department" and r[0].endswith("局")][:DEPARTMENTS]
    placed = [(d, cities[(i * 7) % len(cities)]) for i, d in enumerate(districts)]
    return placed, cities, departments


def variants(count: int, seed: int = 7) -> list[Variant]:
    """The first ``count`` variants of a fixed shuffled order: every (district, department, year) once."""
    placed, _, departments = _names()
    combos = [(p, d, y) for p in placed for d in departments for y in YEARS]
    random.Random(seed).shuffle(combos)
    if count > len(combos):
        raise ValueError(f"at most {len(combos)} variants")
    return [Variant(i, city, district, department, short, year, 2 + (i * 7919) % 97)
            for i, ((district, city), (department, short), year) in enumerate(combos[:count])]


def render(variant: Variant, template: str) -> str:
    """The template retold for the variant: names, years (and the year before) and amounts."""
    text = template
    for old, new in (("石家庄市鹿泉区科学技术和工业信息化局", variant.name),
                     ("鹿泉区科学技术和工业信息化局", variant.district + variant.department),
                     ("石家庄市鹿泉区", variant.city_name + variant.district), ("鹿泉区", variant.district),
                     ("鹿泉", variant.district[:-1]), ("石家庄", variant.city)):
        text = text.replace(old, new)
    shift = variant.year - 2024  # every year the report names moves with it (its projects' 2018, 2019 too)
    text = re.sub(r"(?<!\d)(201[5-9]|202[0-4])(?!\d)", lambda m: str(int(m.group(1)) + shift), text)
    return _AMOUNT.sub(lambda m: _scaled(m.group(1), variant.factor), text)


def _scaled(printed: str, factor: int) -> str:
    places = len(printed.split(".")[1])
    cents = round(float(printed) * 10**places) * factor
    return f"{cents // 10**places}.{cents % 10**places:0{places}d}"


def template_questions() -> list[dict[str, Any]]:
    """The development questions about the template's department whose answer is an amount in 万元
    (so the variant's answer is the original × its factor)."""
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r["question"].startswith(SAID) and r["expect"].get("unit") == "万元"
            and r["category"] in {"lookup", "row_column", "paraphrase", "arithmetic"}
            and "上年" not in r["question"] and "2023" not in r["question"]]


def questions(corpus: list[Variant], seed: int) -> list[Asked]:
    """Questions over a corpus, spread over its documents."""
    pool, rng = template_questions(), random.Random(seed)
    asked: list[Asked] = []
    for kind in ("scoped", "unscoped"):
        for _ in range(ASKED[kind]):
            variant, source = rng.choice(corpus), rng.choice(pool)
            subject = source["question"][len(SAID):].replace("2024年", f"{variant.year}年")
            value = round(source["expect"]["value"] * variant.factor, 2)
            if kind == "scoped":
                asked.append(Asked(kind, subject.lstrip("的"), variant.file, value, "万元", (variant.file,)))
            else:
                said = f"{variant.district}{variant.short}{variant.year}年"  # the same office has reports of other years
                asked.append(Asked(kind, said + subject.replace(f"{variant.year}年", ""), variant.file, value, "万元"))
    shared: dict[tuple[str, int], list[Variant]] = {}
    for variant in corpus:
        shared.setdefault((variant.short, variant.year), []).append(variant)
    several = [group for group in shared.values() if len(group) > 1]
    for _ in range(ASKED["ambiguous"] if several else 0):
        group, source = rng.choice(several), rng.choice(pool)
        subject = source["question"][len(SAID):].replace("2024年", "")
        asked.append(Asked("ambiguous", f"{group[0].year}年{group[0].short}{subject}", "", None, ""))
    return asked


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        return int(next(line for line in status if line.startswith("VmRSS:")).split()[1]) / 1024


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children_peak_mb() -> float:
    """The largest peak RSS of this process's live children (the ingest workers); 0.0 for none."""
    peaks = [0.0]
    for children in Path("/proc/self/task").glob("*/children"):
        for pid in children.read_text().split():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:  # it ended meanwhile
                continue
            peaks += [int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")]
    return max(peaks)


def _vector_server_peak_mb() -> float:
    """The peak RSS, since it started, of the Chroma server the settings name when it runs on this
    machine (its indexes are the corpus's largest structure in memory); 0.0 when there is none."""
    from index import Settings

    settings = Settings()
    if settings.chroma_host not in ("127.0.0.1", "localhost", "::1"):
        return 0.0
    pid = _listening(settings.chroma_port)
    if pid is None:
        return 0.0
    status = Path(f"/proc/{pid}/status").read_text()
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")), 0.0)


def _listening(port: int) -> int | None:
    """The process listening on this TCP port, by its socket's inode (/proc/net/tcp, then the fds)."""
    sockets = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:] if Path(table).exists() else []:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                sockets.add(f"socket:[{fields[9]}]")
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        try:
            if os.readlink(fd) in sockets:
                return int(fd.parts[2])
        except OSError:  # gone, or not ours to read
            continue
    return None


def _disk_mb(path: Path) -> float:
    if not path.exists():
        return 0.0
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return round(sum(p.stat().st_size for p in files) / 1e6, 1)


def ingest(work: Path, corpus: list[Variant], workers: int = 1) -> tuple[list[float], float, float]:
    """Ingest the variants not yet in the data directory: seconds per document, and the peak RSS of
    this (the writing) process and of the largest worker. With workers, a document's seconds are
    the time since the one before it was written: the corpus's cost per document, not one file's."""
    from index import Library, Settings

    library = Library(Settings(data_dir=work / "data"))
    library.embedder.embed(["warm"])  # the model loads once, before the first document is timed
    have = {d.source for d in library.documents()}
    template = TEMPLATE.read_text(encoding="utf-8")
    files = work / "files"
    files.mkdir(parents=True, exist_ok=True)
    todo = [v for v in corpus if v.file not in have]
    for variant in todo:
        (files / variant.file).write_text(render(variant, template), encoding="utf-8")
    seconds: list[float] = []
    workers_peak, last = 0.0, time.perf_counter()
    for (path, outcome), variant in zip(library.ingest_many([files / v.file for v in todo], workers), todo, strict=True):
        if isinstance(outcome, Exception):
            raise outcome
        now = time.perf_counter()
        seconds.append(now - last)
        last = now
        path.unlink()
        workers_peak = max(workers_peak, _children_peak_mb())
        with (work / "ingest-seconds.tsv").open("a") as log:  # every document's time, for windows of any size
            log.write(f"{variant.index}\t{seconds[-1]:.3f}\n")
    return seconds, _peak_mb(), round(workers_peak, 1)


def serve_and_ask(work: Path, asked: list[Asked]) -> dict[str, Any]:
    """In this (fresh) process: open the data directory as a server does, then ask."""
    from assistant import Assistant
    from index import Settings

    assistant = Assistant(Settings(data_dir=work / "data"))
    ids = {d.source: d.id for d in assistant.library.documents()}
    results, first = [], 0.0  # when the first answer came (wall clock: the parent knows when it launched us)
    for item in asked:
        began = time.perf_counter()
        answer = assistant.ask(item.question, [ids[f] for f in item.documents] or None)
        took = time.perf_counter() - began
        first = first or time.time()
        sources = sorted({c.source for c in answer.citations if c.source})
        results.append({"kind": item.kind, "question": item.question, "expected": item.value, "document": item.document,
                        "status": answer.status, "value": answer.value, "unit": answer.unit, "sources": sources,
                        "versions": _others_named(answer.answer), "ms": round(took * 1000, 1)})
    return {"first_answer_at": first, "rss_mb": _rss_mb(), "results": results}


def ask_through_servers(work: Path, asked: list[Asked], count: int) -> dict[str, Any]:
    """Start ``count`` app servers on the environment's settings and ask through their HTTP API,
    each question to the next server. A server of a shared store (PostgreSQL) has a scratch
    folder of its own; otherwise all serve the one data directory."""
    import httpx

    shared = bool(os.environ.get("BUDGET_QA_DATABASE_URL"))
    with ExitStack() as stack:
        servers = [stack.enter_context(_app_server(work / (f"server-{i}" if shared else "data"), work / f"server-{i}.log"))
                   for i in range(count)]
        for url, _ in servers:
            _wait_healthy(url, work)
        results, first = [], 0.0
        with httpx.Client(timeout=300) as client:
            for n, item in enumerate(asked):
                url = servers[n % count][0]
                began = time.perf_counter()
                body = {"question": item.question, "documents": list(item.documents) or None}
                reply = client.post(f"{url}/v1/ask", json=body)
                took = time.perf_counter() - began
                reply.raise_for_status()
                answer = reply.json()
                first = first or time.time()
                sources = sorted({c["source"] for c in answer["citations"] if c["source"]})
                results.append({"kind": item.kind, "question": item.question, "expected": item.value,
                                "document": item.document, "status": answer["status"], "value": answer["value"],
                                "unit": answer["unit"], "sources": sources, "versions": _others_named(answer["answer"]),
                                "ms": round(took * 1000, 1), "server": n % count})
        each = [_rss_of(process.pid) for _, process in servers]
    return {"first_answer_at": first, "rss_mb": max(each), "each_rss_mb": each, "results": results}


@contextmanager
def _app_server(data: Path, log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``budget-qa serve`` on a free port: its URL and process."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "BUDGET_QA_DATA_DIR": str(data), "GRADIO_ANALYTICS_ENABLED": "False"}
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_healthy(url: str, work: Path, seconds: float = 180) -> None:
    import httpx

    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the app server at {url} did not become healthy in {seconds:.0f} s (logs: {work}/server-*.log)")


def _rss_of(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return round(int(next(line for line in status if line.startswith("VmRSS:")).split()[1]) / 1024, 1)


def _others_named(text: str) -> bool:
    """The answer names documents it did not use (the several that fit the name)."""
    return "scale-" in text


def judge(result: dict[str, Any]) -> bool:
    """Right: the expected figure from the expected document; ambiguous: not one document's figure
    given as the answer without naming the others."""
    if result["kind"].startswith("ambiguous"):
        silent = result["status"] == "verified" and len(result["sources"]) == 1 and not result["versions"]
        return not silent
    # "conflict": the figure, and beside it the document's other printing of it (a variant multiplies
    # the template's own rounding slips: 8093.27 printed, 8093.28 summed)
    return (result["status"] in ("verified", "computed", "conflict") and result["value"] is not None and result["unit"] == "万元"
            and abs(result["value"] - result["expected"]) < 0.006 and result["sources"] == [result["document"]])


def measure(work: Path, count: int, seconds: list[float], peak: float, seed: int, same: int = 0,
            app_servers: int = 0) -> Stage:
    """``same``: also ask the questions the stage of that many documents asked (kinds "…@same"):
    correctness on the same questions, as the corpus grows. ``app_servers``: ask through that many
    app servers' HTTP API instead of one process."""
    corpus = variants(count)
    asked = questions(corpus, seed)
    if 0 < same < count:
        asked += [replace(a, kind=f"{a.kind}@{same}") for a in questions(variants(same), seed)]
    spec = work / f"asked-{count}.json"
    spec.write_text(json.dumps([asdict(a) for a in asked], ensure_ascii=False))
    launched = time.time()
    if app_servers:
        report = ask_through_servers(work, asked, app_servers)
    else:
        child = subprocess.run([sys.executable, "-m", "eval.scale_bench", "--ask", str(spec), "--work", str(work)],
                               capture_output=True, text=True, cwd=ROOT, check=False)
        if child.returncode != 0:
            raise RuntimeError(f"the asking process failed:\n{child.stderr[-3000:]}")
        report = json.loads(child.stdout.splitlines()[-1])
    # each answer and its time, beside the questions: what a slow or wrong figure is looked into from
    (work / f"answered-{count}.json").write_text(json.dumps(report["results"], ensure_ascii=False, indent=0))
    stage = Stage(count, _mean(seconds[:10]), _mean(seconds[-10:]), round(peak, 1),
                  start_to_first_answer_s=round(report["first_answer_at"] - launched, 2),
                  serving_rss_mb=round(report["rss_mb"], 1), app_servers_rss_mb=report.get("each_rss_mb", []))
    for kind in [*ASKED, *(f"{k}@{same}" for k in ASKED)]:
        of_kind = [r for r in report["results"] if r["kind"] == kind]
        if not of_kind:
            continue
        times = sorted(r["ms"] for r in of_kind)
        stage.ask_ms[kind] = {"p50": round(statistics.median(times), 1), "p95": round(_p95(times), 1)}
        stage.correct[kind] = f"{sum(judge(r) for r in of_kind)}/{len(of_kind)}"
        stage.wrong += [r for r in of_kind if not judge(r)]
    data = work / "data"
    stage.disk_mb = {"facts": _disk_mb(data / "facts.sqlite3"), "vectors": _disk_mb(data / "chroma"),
                     "originals": _disk_mb(data / "files")}
    return stage


def _mean(values: list[float]) -> float:
    return round(statistics.fmean(values), 3) if values else 0.0


def _p95(values: list[float]) -> float:
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def render_stage(stage: Stage) -> str:
    each = ", ".join(f"{mb} MB" for mb in stage.app_servers_rss_mb)
    lines = [f"== {stage.documents} documents",
             f"ingest s/doc: first 10 of stage {stage.ingest_first10_s}, last 10 {stage.ingest_last10_s}; "
             f"peak RSS {stage.ingest_peak_rss_mb} MB"
             + (f" (writer; largest worker {stage.ingest_worker_peak_rss_mb} MB)" if stage.ingest_worker_peak_rss_mb else "")
             + (f"; Chroma server {stage.vector_server_peak_rss_mb} MB (its peak since it started)"
                if stage.vector_server_peak_rss_mb else ""),
             f"start to first answer {stage.start_to_first_answer_s} s; serving RSS {stage.serving_rss_mb} MB"
             + (f" (app servers: {each})" if each else ""),
             "disk MB: " + ", ".join(f"{k} {v}" for k, v in stage.disk_mb.items())]
    for kind, times in stage.ask_ms.items():
        lines.append(f"{kind:14} p50 {times['p50']:8.1f} ms  p95 {times['p95']:8.1f} ms  right {stage.correct[kind]}")
    for wrong in stage.wrong[:12]:
        lines.append(f"  not right [{wrong['kind']}] {wrong['question']} → {wrong['status']} {wrong['value']} "
                     f"(expected {wrong['expected']} from {wrong['document'] or 'no single document'}; cited {wrong['sources']})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench-scale", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000", help="corpus sizes, comma-separated, growing")
    parser.add_argument("--work", type=Path, help="keep the corpus here (a later run continues it)")
    parser.add_argument("--seed", type=int, default=11, help="which questions are asked")
    parser.add_argument("--same", type=int, default=100,
                        help="at every larger stage, also ask the questions of the stage of this many documents")
    parser.add_argument("--app-servers", type=int, default=0,
                        help="ask through this many app servers' HTTP API in turn (0: in one process)")
    parser.add_argument("--workers", type=int, default=1,
                        help="ingest worker processes (reading, parsing, embedding) beside the writing one")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--ask", type=Path, help=argparse.SUPPRESS)  # internal: the asking child process
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.ask:
        asked = [Asked(**{**a, "documents": tuple(a["documents"])}) for a in json.loads(args.ask.read_text())]
        print(json.dumps(serve_and_ask(args.work, asked), ensure_ascii=False))
        return 0
    sizes = sorted(int(s) for s in args.sizes.split(","))
    scratch = None if args.work else tempfile.TemporaryDirectory(prefix="bench-scale-")
    work = args.work or Path(scratch.name)  # type: ignore[union-attr]
    stages, every = [], []
    try:
        for size in sizes:
            seconds, peak, worker_peak = ingest(work, variants(size), args.workers)
            every += seconds
            stage = measure(work, size, seconds, peak, args.seed, args.same, args.app_servers)
            stage.ingest_worker_peak_rss_mb = worker_peak if args.workers > 1 else 0.0
            stage.vector_server_peak_rss_mb = round(_vector_server_peak_mb(), 1)
            stages.append(stage)
            if not args.json:
                print(render_stage(stage), flush=True)
    finally:
        if scratch:
            scratch.cleanup()
    overall = {"first100_s": _mean(every[:100]), "last100_s": _mean(every[-100:]), "ingested": len(every)}
    if args.json:
        print(json.dumps({"stages": [asdict(s) for s in stages], "ingest": overall}, ensure_ascii=False, indent=1))
    else:
        print(f"ingest s/doc over this run ({overall['ingested']} documents): first 100 {overall['first100_s']}, "
              f"last 100 {overall['last100_s']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

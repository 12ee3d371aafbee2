"""`budget-qa`: a thin command line over ``index`` and ``assistant``.

Every error meant for the user becomes one line on stderr and exit code 1 (2 for a bad
setting or argument); nothing else is caught here.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from index import BudgetQAError, Document, Library, PerformanceTable, Settings, Table
from index.checks import compared_pages
from index.settings import ENV_PREFIX
from index.vectors import server_config

if TYPE_CHECKING:
    from assistant.knowledge import Filters

DESCRIPTION = """Ask questions of Chinese government budget disclosures (部门预算/决算) and get
figures checked against the parsed tables, each cited to its document, page, table, row and
column."""

EXAMPLES = """examples:
  budget-qa ingest samples/                         read PDFs or disclosure texts into ./data
  budget-qa docs                                    list what is ingested
  budget-qa ask "企业奖补安排了多少资金？"              a verified figure and its citation
  budget-qa ask "What share of spending is project spending?" --doc 60fd
  budget-qa table 60fd t06                          one parsed table
  budget-qa check putuo-caizhengju-2024-final-accounts.pdf   figures that do not add up
  budget-qa serve --port 7860                       the web UI and the HTTP API

Options --data and --json go before or after the command. DOC is a document id, an id
prefix or the file name. Settings: BUDGET_QA_* environment variables (see the README)."""

# Commands that only read: a missing data directory is a mistake, not an empty index.
READS = {"docs", "tables", "table", "check", "delete", "ask", "rebuild-vectors"}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    try:
        settings = Settings(data_dir=args.data) if args.data else Settings()
    except ValidationError as exc:
        for error in exc.errors():
            where = f"setting {ENV_PREFIX}{'_'.join(str(p) for p in error['loc']).upper()}: " if error["loc"] else ""
            print(f"error: {where}{error['msg'].removeprefix('Value error, ')}", file=sys.stderr)
        return 2
    try:
        if args.command in READS and not settings.data_dir.is_dir():
            raise BudgetQAError(f"no data directory {settings.data_dir}; ingest first (`budget-qa ingest PATH`) "
                                "or point --data at one")
        return int(args.run(args, settings) or 0)
    except BudgetQAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as other tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _parser() -> argparse.ArgumentParser:
    # --data and --json are global: accepted before the command (defaults here) or after it (the
    # subcommand's copy has no default, so it only overrides when given).
    parser = argparse.ArgumentParser(prog="budget-qa", description=DESCRIPTION, epilog=EXAMPLES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, help="data directory (default: BUDGET_QA_DATA_DIR or ./data)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", type=Path, default=argparse.SUPPRESS, help="data directory")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output")
    commands = parser.add_subparsers(required=True, metavar="COMMAND", dest="command")

    # which documents, by what they are: for asking and listing
    filtering = argparse.ArgumentParser(add_help=False)
    group = filtering.add_argument_group("documents by what they are (as their department's name and cover print it)")
    for place in ("province", "city", "district"):
        group.add_argument(f"--{place}", help=f"{place}, with or without 省/市/区 (e.g. 湖州)")
    group.add_argument("--department", help="any part of the department's name (e.g. 财政局)")
    group.add_argument("--year", type=int, help="the report's year")
    group.add_argument("--kind", choices=["预算", "决算"], help="budget (预算) or final accounts (决算)")

    def command(name: str, run: Any, help_text: str, description: str = "",
                *more: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=description or help_text, parents=[common, *more],
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
        sub.set_defaults(run=run)
        return sub

    ingest = command("ingest", _ingest, "ingest PDF or text disclosures (files or folders)",
            "Read PDFs (scanned pages by OCR) or tab-separated disclosure texts; a file already ingested is\n"
            "skipped. Example: budget-qa ingest samples/ report.pdf")
    ingest.add_argument("paths", nargs="+", type=Path)
    ingest.add_argument("--workers", type=int, help="worker processes preparing files at once (default: the "
                        "ingest_workers setting, 1); several pay off for many files")
    command("docs", _docs, "list ingested documents (of a place, department, year or kind)",
            "Example: budget-qa docs --city 湖州 --year 2026", filtering)
    command("tables", _tables, "list a document's tables").add_argument("doc", help="document id, id prefix or file name")
    table = command("table", _table, "show one parsed table", "Example: budget-qa table 60fd t06 (p09: a performance table)")
    table.add_argument("doc", help="document id, id prefix or file name")
    table.add_argument("table", help="table id from `budget-qa tables DOC`")
    command("check", _check, "show the figures of a document that do not add up",
            "Each check with the printed figure, the computed one, the difference and both cells' pages;\n"
            "differences within what the printed rounding allows are listed apart.").add_argument(
        "doc", help="document id, id prefix or file name")
    command("delete", _delete, "remove a document everywhere").add_argument("doc", help="document id, id prefix or file name")
    command("pack", _pack, "keep each document's reads in one row (for documents ingested before packs)",
            "A question on a document not read since ingest then reads one row instead of its rows\n"
            "scattered across the store. Ingest writes packs itself; this fills them in for older data\n"
            "directories (at 10,000 documents, the whole store is read once). Stop and run again at will.")
    command("rebuild-vectors", _rebuild_vectors, "write the chunk vectors kept in the facts store into an empty Chroma",
            "For a new Chroma server or collection name (BUDGET_QA_CHROMA_HOST, BUDGET_QA_COLLECTION), or\n"
            "after losing Chroma's copy: every document's vectors, filling collections of\n"
            "BUDGET_QA_VECTOR_SHARD_SIZE vectors in turn. Refuses a collection that holds vectors.")
    ask = command("ask", _ask, "ask a question", "Example: budget-qa ask \"公务接待费比上年减少多少？\" --doc 60fd\n"
                  "         budget-qa ask \"财政局办公费是多少？\" --city 湖州 --year 2026", filtering)
    ask.add_argument("question")
    ask.add_argument("--doc", action="append", dest="docs", metavar="DOC", help="limit to a document (repeatable)")
    evaluate = command("eval", _eval, "run the question benchmark; writes result.json and report.md")
    evaluate.add_argument("--out", default="eval/runs", help="output folder (default: eval/runs, untracked)")
    evaluate.add_argument("--only", help="one category")
    evaluate.add_argument("--set", action="append", dest="sets", help="one question set by name (repeatable; default: all)")
    bench = command("bench-ingest", _bench_ingest, "ingest pages/s and peak memory against bare pdfplumber")
    bench.add_argument("files", nargs="*", help="files or folders (default: the bundled samples)")
    bench.add_argument("--repeat", type=int, default=3)
    command("bench-hostile", _bench_hostile, "peak memory and time of refusing hostile files")
    scale = command("bench-scale", _bench_scale, "ingest cost, ask latency, memory and correctness as the corpus grows",
                    "Generated variants of the bundled text disclosure (other departments, places, years, figures),\n"
                    "ingested stage by stage into one data directory and asked scoped, unscoped and ambiguous\n"
                    "questions with known answers after each. Example: budget-qa bench-scale --sizes 100,1000 --work /tmp/s")
    scale.add_argument("--sizes", default="100,1000", help="corpus sizes, comma-separated, growing (default: 100,1000)")
    scale.add_argument("--work", type=Path, help="keep the corpus here; a later run continues it")
    scale.add_argument("--same", type=int, default=100,
                       help="at every larger stage, also ask the questions of the stage of this many documents")
    scale.add_argument("--workers", type=int, default=1, help="ingest worker processes beside the writing one")
    scale.add_argument("--app-servers", type=int, default=0,
                       help="ask through this many app servers' HTTP API in turn (0: in one process)")
    survey = command("survey", _survey, "read every disclosure of a folder and report what was found")
    survey.add_argument("folder", type=Path)
    survey.add_argument("--out", type=Path, help="also write survey.json and survey.md here")
    survey.add_argument("--truth", type=Path, help="department/year/kind read from the covers (TSV)")
    serve = command("serve", _serve, "start the web UI and HTTP API")
    serve.add_argument("--host", help="address to bind (default: BUDGET_QA_HOST)")
    serve.add_argument("--port", type=int, help="port (default: BUDGET_QA_PORT)")
    chroma = command("chroma", _chroma, "run a Chroma server for the vectors, its memory bounded",
                     "`chroma run` keeping only the --indexes collections it last used in memory (Chroma's own\n"
                     "default keeps every one it has read). App servers reach it through BUDGET_QA_CHROMA_HOST and\n"
                     "_PORT. Example: budget-qa chroma --path /srv/chroma --host 0.0.0.0 --port 8000")
    chroma.add_argument("--path", type=Path, required=True, help="the server's data directory")
    chroma.add_argument("--host", default="127.0.0.1", help="address to bind")
    chroma.add_argument("--port", type=int, default=8000, help="port")
    chroma.add_argument("--indexes", type=int, help="collections' indexes kept in memory (default: "
                        "BUDGET_QA_CHROMA_INDEXES, 2)")
    mcp = command("mcp", _mcp, "serve ask, documents, tables and findings to MCP clients (agents)",
                  "Over stdio an MCP client starts it itself; --transport http serves streamable HTTP at /mcp.")
    mcp.add_argument("--transport", choices=["stdio", "http"], default="stdio")
    mcp.add_argument("--host", default="127.0.0.1", help="http: address to bind")
    mcp.add_argument("--port", type=int, default=8765, help="http: port")
    return parser


def _emit(args: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2) if args.json else text)


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    library = Library(settings)
    paths = library.ingest_paths(args.paths)
    quiet = args.json or not sys.stderr.isatty()
    reports, failures = [], 0
    if len(paths) == 1:  # one file: its pages' progress
        bar = tqdm(desc=paths[0].name, unit="page", disable=quiet, file=sys.stderr, leave=False)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        try:
            outcomes: Iterable[tuple[Path, Any]] = [(paths[0], library.ingest(paths[0], progress=progress))]
        except BudgetQAError as exc:
            outcomes = [(paths[0], exc)]
        bar.close()
    else:  # several: read, parsed and embedded in worker processes, written here in turn
        outcomes = tqdm(library.ingest_many(paths, args.workers or settings.ingest_workers), total=len(paths), unit="file",
                        disable=quiet, file=sys.stderr, leave=False)
    for _, outcome in outcomes:
        if isinstance(outcome, BudgetQAError):
            failures += 1
            print(f"error: {outcome}", file=sys.stderr)
            continue
        reports.append(outcome)
        if not args.json:
            print(_summary(outcome))
    if args.json:
        print(json.dumps([_report_json(r) for r in reports], ensure_ascii=False, indent=2))
    return 1 if failures else 0


def _summary(report: Any) -> str:
    doc = report.document
    if report.skipped:
        return f"{doc.source}: already ingested as {doc.id[:12]} (no change)"
    return (
        f"{doc.source}: {doc.id[:12]} {doc.title} — {doc.pages} pages, {report.tables} tables, "
        f"{report.performance} performance tables, {report.facts} facts, {report.chunks} chunks, "
        f"{report.findings} findings ({report.failed_checks} disagreements), "
        f"{report.seconds:.1f} s ({report.pages_per_second:.1f} pages/s)"
    )


def _report_json(report: Any) -> dict[str, Any]:
    data = asdict(report)
    data["pages_per_second"] = report.pages_per_second
    return data


def _docs(args: argparse.Namespace, settings: Settings) -> None:
    from assistant.knowledge import Knowledge

    filters = _filters(args)
    profiles = Knowledge(Library(settings)).select(filters)
    docs = [p.document for p in profiles]
    lines = [f"{d.id[:12]}  {d.year or '—'}  {d.kind or '—'}  {d.pages:>3}p  {d.department}  ({d.source})" for d in docs]
    empty = f"no document matches {filters}" if str(filters) else "no documents; run `budget-qa ingest PATH`"
    _emit(args, [p.listing() for p in profiles], "\n".join(lines) or empty)


def _filters(args: argparse.Namespace) -> Filters:
    from assistant.knowledge import Filters

    return Filters(args.province or "", args.city or "", args.district or "", args.department or "", args.year,
                   args.kind or "")


def _tables(args: argparse.Namespace, settings: Settings) -> None:
    listed = Library(settings).table_list(args.doc)
    lines = [
        f"{t['id']}  {t['kind']:<14} {t['unit'] or '—':<3} p{t['pages'][0]}-{t['pages'][1]}  "
        + (f"{t['rows']:>3} rows{'  (empty)' if t['empty'] else ''}  " if "rows" in t else "")
        + t["title"]
        for t in listed
    ]
    _emit(args, listed, "\n".join(lines))


def _table(args: argparse.Namespace, settings: Settings) -> None:
    table = Library(settings).table(args.doc, args.table)
    if isinstance(table, PerformanceTable):
        _emit(args, asdict(table), render_performance(table))
    else:
        _emit(args, table_json(table), render_grid(table))


def table_json(table: Table) -> dict[str, Any]:
    return {
        "id": table.id, "title": table.title, "kind": table.kind, "unit": table.unit, "pages": table.pages,
        "empty": table.empty, "note": table.note, "header": [list(h) for h in table.header],
        "rows": [
            {"label": r.label, "code": r.code, "level": r.level, "group": r.group, "page": r.page,
             "cells": [{"column": list(c.column), "text": c.text, "value": c.value, "unit": table.unit, "page": c.page}
                       for c in r.cells]}
            for r in table.rows
        ],
    }


def render_grid(table: Table) -> str:
    head = f"{table.title}  [{table.kind}]  单位：{table.unit or '—'}  pages {table.pages[0]}-{table.pages[1]}"
    if table.empty:
        return f"{head}\n(empty) {table.note}"
    lines = [head]
    for row in table.rows:
        name = " ".join(p for p in (f"[{row.group}]" if row.group else "", row.code, row.label) if p)
        values = "  ".join(f"{'/'.join(c.column)}={c.text}" for c in row.cells if c.text)
        lines.append(f"{name:<40} {values}")
    return "\n".join(lines)


def render_performance(form: PerformanceTable) -> str:
    amounts = ((form.budget_label, form.budget), ("其中：财政资金", form.fiscal), ("其他资金", form.other))
    money = "  ".join(f"{name}={value:,.2f}" for name, value in amounts if value is not None)
    lines = [f"{form.title}  单位：{form.unit or '—'}  pages {form.pages[0]}-{form.pages[1]}",
             f"项目：{form.project}{f' ({form.project_code})' if form.project_code else ''}  {money}"]
    if form.target:
        lines.append(f"绩效目标：{form.target}")
    for i in form.indicators:
        path = " / ".join(p for p in (i.level1, i.level2, i.level3) if p)
        lines.append(f"  {path:<36} {i.value_text}  p{i.page}")
    return "\n".join(lines)


def _check(args: argparse.Namespace, settings: Settings) -> None:
    library = Library(settings)
    doc = library.store.resolve(args.doc)
    findings = library.store.findings(doc.id)
    ordered = sorted(findings, key=lambda f: (f["ok"], f.get("rounding", False)))  # disagreements first
    lines = [_finding_line(f) for f in ordered]
    bad = sum(not f["ok"] and not f.get("rounding") for f in findings)
    rounding = sum(bool(f.get("rounding")) for f in findings)
    summary = f"{len(findings)} checks: {bad} disagreements, {rounding} differences within rounding"
    _emit(args, findings, "\n".join([*lines, summary]))


def _finding_line(finding: dict[str, Any]) -> str:
    """One check: the printed figure against the computed one, the difference, and every cell's page."""
    label = "OK   " if finding["ok"] else "ROUND" if finding.get("rounding") else "DIFF "
    printed, computed = finding["actual"], finding["expected"]
    head = f"{label} {finding['check']}: {finding['message']}"
    if finding["ok"]:
        return head
    if not finding["cells"]:  # a reviewer's check of the text: where, and the words
        said = f"\n      page {finding['page']}: «{finding['sentence']}»" if finding.get("page") else ""
        return head + said
    cells = "; ".join(f"{c['table_title']} p{c['page']} {c['row']} [{'/'.join(c['column'])}]={c['text']}"
                      for c in finding["cells"])
    return (f"{head}\n      printed {printed:,.2f}, computed {computed:,.2f}, difference {printed - computed:+,.2f}"
            f" (pages {', '.join(map(str, compared_pages(finding)))})\n      cells: {cells}")


def _pack(args: argparse.Namespace, settings: Settings) -> None:
    quiet = args.json or not sys.stderr.isatty()
    done = Library(settings).pack(None if quiet else lambda n: print(f"packed {n} …", file=sys.stderr))
    _emit(args, {"packed": done}, f"packed {done} documents" if done else "every document is packed already")


def _rebuild_vectors(args: argparse.Namespace, settings: Settings) -> None:
    quiet = args.json or not sys.stderr.isatty()
    done = Library(settings).rebuild_vectors(None if quiet else lambda n: print(f"{n} documents …", file=sys.stderr))
    _emit(args, {"documents": done}, f"wrote the vectors of {done} documents into '{settings.collection}'")


def _delete(args: argparse.Namespace, settings: Settings) -> None:
    doc = Library(settings).delete(args.doc)
    _emit(args, asdict(doc), f"deleted {doc.id[:12]} ({doc.source})")


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from assistant import Assistant

    if not args.question.strip():
        raise BudgetQAError("the question is empty; ask something, e.g. budget-qa ask \"企业奖补安排了多少资金？\"")
    assistant = Assistant(settings)
    answer = assistant.ask(args.question, args.docs, filters=_filters(args))
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
        return 0
    print(f"[{answer.status}] {answer.answer}")
    shared = _shared_names(assistant.library.documents())
    for number, citation in enumerate(answer.citations, start=1):
        where = citation.table or citation.section or ""
        cell = " / ".join(p for p in (citation.row, citation.column) if p)
        file = f"{citation.source} " if citation.document in shared else ""
        print(f"  [{number}] {file}{where} p{citation.page} {cell} {citation.text[:80]}")
    return 0


def _shared_names(documents: list[Document]) -> set[str]:
    """The documents that share their department and year with another: a citation naming only
    the department would not say which report it is, so it names the file."""
    seen: dict[tuple[str, int | None], list[str]] = {}
    for document in documents:
        seen.setdefault((document.department, document.year), []).append(document.id)
    return {d for group in seen.values() if len(group) > 1 for d in group}


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from eval.qa_bench import main as benchmark

    data = ["--data", str(args.data)] if args.data else []
    sets = [part for name in args.sets or [] for part in ("--set", name)]
    return benchmark([*data, "--out", args.out, *(["--only", args.only] if args.only else []), *sets])


def _bench_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from eval.ingest_bench import main as bench

    return bench([*args.files, "--repeat", str(args.repeat), *(["--json"] if args.json else [])])


def _bench_scale(args: argparse.Namespace, settings: Settings) -> int:
    from eval.scale_bench import main as bench

    work = ["--work", str(args.work)] if args.work else []
    return bench(["--sizes", args.sizes, *work, "--same", str(args.same), "--app-servers", str(args.app_servers),
                  "--workers", str(args.workers),
                  *(["--json"] if args.json else [])])


def _bench_hostile(args: argparse.Namespace, settings: Settings) -> int:
    from eval.hostile_bench import main as bench

    return bench(["--json"] if args.json else [])


def _survey(args: argparse.Namespace, settings: Settings) -> int:
    from eval.survey import main as survey

    extra = [*(["--json"] if args.json else []), *(["--out", str(args.out)] if args.out else []),
             *(["--truth", str(args.truth)] if args.truth else [])]
    return survey([str(args.folder), *extra])


def _mcp(args: argparse.Namespace, settings: Settings) -> int:
    from mcp_server import main as serve

    data = ["--data", str(args.data)] if args.data else []
    return serve([*data, "--transport", args.transport, "--host", args.host, "--port", str(args.port)])


def _chroma(args: argparse.Namespace, settings: Settings) -> int:
    indexes = settings.chroma_indexes if args.indexes is None else args.indexes
    if indexes < 1:
        raise BudgetQAError(f"--indexes must be at least 1, not {indexes}")
    args.path.mkdir(parents=True, exist_ok=True)
    config = args.path / "budget-qa-chroma.yaml"
    config.write_text(server_config(args.path.resolve(), args.host, args.port, indexes))
    chroma = Path(sys.executable).parent / "chroma"  # the one installed beside us, not another on PATH
    os.execv(chroma, [str(chroma), "run", str(config)])
    return 1  # not reached: the server replaced this process


def _serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from app import build_app

    uvicorn.run(build_app(settings), host=args.host or settings.host, port=args.port or settings.port)


if __name__ == "__main__":
    sys.exit(main())

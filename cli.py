"""`budget-qa`: a thin command line over ``index`` (and, later, ``assistant``).

Every error meant for the user becomes one line on stderr and exit code 1; nothing else
is caught here.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from index import BudgetQAError, Library, Settings, Table
from index.settings import ENV_PREFIX


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
        return int(args.run(args, settings) or 0)
    except BudgetQAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="budget-qa", description=__doc__)
    parser.add_argument("--data", type=Path, help="data directory (default: BUDGET_QA_DATA_DIR or ./data)")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    def command(name: str, run: Any, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--json", action="store_true", help="machine-readable output")
        sub.set_defaults(run=run)
        return sub

    command("ingest", _ingest, "ingest PDF or text disclosures (files or folders)").add_argument(
        "paths", nargs="+", type=Path
    )
    command("docs", _docs, "list ingested documents")
    command("tables", _tables, "list a document's tables").add_argument("doc")
    table = command("table", _table, "show one parsed table")
    table.add_argument("doc")
    table.add_argument("table")
    command("check", _check, "show a document's consistency findings").add_argument("doc")
    command("delete", _delete, "remove a document everywhere").add_argument("doc")
    ask = command("ask", _ask, "ask a question; --json prints the Answer object")
    ask.add_argument("question")
    ask.add_argument("--doc", action="append", dest="docs", metavar="DOC", help="limit to a document (repeatable)")
    evaluate = commands.add_parser("eval", help="run the question benchmark; writes result.json and report.md")
    evaluate.add_argument("--out", default="eval/results", help="output folder (default: eval/results)")
    evaluate.add_argument("--only", help="one category")
    evaluate.add_argument("--set", action="append", dest="sets", help="one question set by name (repeatable; default: all)")
    evaluate.set_defaults(run=_eval, json=False)
    bench = commands.add_parser("bench-ingest", help="ingest pages/s and peak memory against bare pdfplumber")
    bench.add_argument("files", nargs="*", help="files or folders (default: the bundled samples)")
    bench.add_argument("--repeat", type=int, default=3)
    bench.add_argument("--json", action="store_true")
    bench.set_defaults(run=_bench_ingest)
    hostile = commands.add_parser("bench-hostile", help="peak memory and time of refusing hostile files")
    hostile.add_argument("--json", action="store_true")
    hostile.set_defaults(run=_bench_hostile)
    survey = commands.add_parser("survey", help="read every disclosure of a folder and report what was found")
    survey.add_argument("folder", type=Path)
    survey.add_argument("--json", action="store_true")
    survey.add_argument("--out", type=Path, help="also write survey.json and survey.md here")
    survey.add_argument("--truth", type=Path, help="department/year/kind read from the covers (TSV)")
    survey.set_defaults(run=_survey)
    serve = command("serve", _serve, "start the web UI and HTTP API")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    return parser


def _emit(args: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2) if args.json else text)


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    library = Library(settings)
    reports, failures = [], 0
    for path in library.ingest_paths(args.paths):
        bar = tqdm(desc=path.name, unit="page", disable=args.json or not sys.stderr.isatty(), file=sys.stderr, leave=False)

        def progress(done: int, total: int, bar: Any = bar) -> None:
            bar.total = total
            bar.update(done - bar.n)

        try:
            report = library.ingest(path, progress=progress)
        except BudgetQAError as exc:
            bar.close()
            failures += 1
            print(f"error: {exc}", file=sys.stderr)
            continue
        bar.close()
        reports.append(report)
        if not args.json:
            print(_summary(report))
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
    docs = Library(settings).documents()
    lines = [f"{d.id[:12]}  {d.year or '—'}  {d.kind or '—'}  {d.pages:>3}p  {d.department}  ({d.source})" for d in docs]
    _emit(args, [asdict(d) for d in docs], "\n".join(lines) or "no documents; run `budget-qa ingest PATH`")


def _tables(args: argparse.Namespace, settings: Settings) -> None:
    library = Library(settings)
    doc = library.store.resolve(args.doc)
    tables = library.store.tables(doc.id)
    performance = library.store.performance(doc.id)
    lines = [
        f"{t.id}  {t.kind:<14} {t.unit or '—':<3} p{t.pages[0]}-{t.pages[1]}  {len(t.rows):>3} rows"
        f"{'  (empty)' if t.empty else ''}  {t.title}"
        for t in tables
    ]
    lines += [f"{p.id}  项目绩效目标表  {p.unit or '—':<3} p{p.pages[0]}-{p.pages[1]}  {p.title}" for p in performance]
    data = [
        {"id": t.id, "title": t.title, "kind": t.kind, "unit": t.unit, "pages": t.pages, "rows": len(t.rows), "empty": t.empty}
        for t in tables
    ] + [{"id": p.id, "title": p.title, "kind": "项目绩效目标表", "unit": p.unit, "pages": p.pages} for p in performance]
    _emit(args, data, "\n".join(lines))


def _table(args: argparse.Namespace, settings: Settings) -> None:
    library = Library(settings)
    doc = library.store.resolve(args.doc)
    if args.table.startswith("p"):
        match = [p for p in library.store.performance(doc.id) if p.id == args.table]
        if not match:
            raise BudgetQAError(f"no performance table '{args.table}' in {doc.source}")
        _emit(args, asdict(match[0]), json.dumps(asdict(match[0]), ensure_ascii=False, indent=2))
        return
    table = library.store.table(doc.id, args.table)
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


def _check(args: argparse.Namespace, settings: Settings) -> None:
    library = Library(settings)
    doc = library.store.resolve(args.doc)
    findings = library.store.findings(doc.id)
    lines = []
    for f in sorted(findings, key=lambda f: f["ok"]):
        cells = "; ".join(f"{c['table_title']} p{c['page']} {c['row']} [{'/'.join(c['column'])}]={c['text']}" for c in f["cells"])
        lines.append(f"{'OK ' if f['ok'] else 'DIFF'} {f['check']}: {f['message']} — {cells}")
    bad = sum(not f["ok"] for f in findings)
    _emit(args, findings, "\n".join([*lines, f"{len(findings)} checks, {bad} disagreements"]))


def _delete(args: argparse.Namespace, settings: Settings) -> None:
    doc = Library(settings).delete(args.doc)
    _emit(args, asdict(doc), f"deleted {doc.id[:12]} ({doc.source})")


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from assistant import Assistant

    answer = Assistant(settings).ask(args.question, args.docs)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
        return 0
    print(f"[{answer.status}] {answer.answer}")
    for number, citation in enumerate(answer.citations, start=1):
        where = citation.table or citation.section or ""
        cell = " / ".join(p for p in (citation.row, citation.column) if p)
        print(f"  [{number}] {where} p{citation.page} {cell} {citation.text[:80]}")
    return 0


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from eval.qa_bench import main as benchmark

    data = ["--data", str(args.data)] if args.data else []
    sets = [part for name in args.sets or [] for part in ("--set", name)]
    return benchmark([*data, "--out", args.out, *(["--only", args.only] if args.only else []), *sets])


def _bench_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from eval.ingest_bench import main as bench

    return bench([*args.files, "--repeat", str(args.repeat), *(["--json"] if args.json else [])])


def _bench_hostile(args: argparse.Namespace, settings: Settings) -> int:
    from eval.hostile_bench import main as bench

    return bench(["--json"] if args.json else [])


def _survey(args: argparse.Namespace, settings: Settings) -> int:
    from eval.survey import main as survey

    extra = [*(["--json"] if args.json else []), *(["--out", str(args.out)] if args.out else []),
             *(["--truth", str(args.truth)] if args.truth else [])]
    return survey([str(args.folder), *extra])


def _serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from app import build_app

    uvicorn.run(build_app(settings), host=args.host or settings.host, port=args.port or settings.port)


if __name__ == "__main__":
    sys.exit(main())

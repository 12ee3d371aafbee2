"""A corpus survey: what ingest reads from every document of a folder, and what checks hold.

    python -m eval.survey DIR [--json] [--out eval/results] [--truth TSV]   (or: budget-qa survey DIR)

Each document goes through ingest's reading stages — load (OCR for image pages), tables,
sections, facts, consistency checks — in a worker process (a parser crash or a refusal is
recorded against that file, never stops the sweep). Nothing is written to an index: the
survey measures reading, not storage. A failing check on a correctly printed table is a
parse error, so the share of checks that hold is the parse-fidelity figure.

With ``--truth`` (a TSV with folder, file, department, year, kind: read by hand from the
covers), department / year / kind are scored against it.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from index.kinds import MONEY_KINDS
from index.types import ParsedDocument

DEFAULT_TRUTH = Path(__file__).resolve().parent / "data" / "regions_identity.tsv"


@dataclass
class DocumentSurvey:
    file: str  # relative to the surveyed folder
    pages: int = 0
    seconds: float = 0.0
    error: str = ""  # the refusal or failure message; empty when the document was read
    department: str = ""
    year: int | None = None
    kind: str = ""
    scope: str = ""
    identity_from: str = ""
    tables: dict[str, int] = field(default_factory=dict)  # canonical kind -> count
    other_titles: list[str] = field(default_factory=list)
    no_unit: list[str] = field(default_factory=list)  # money tables without a unit
    unit_inferred: list[str] = field(default_factory=list)  # no unit printed: taken from the tables around it
    entities: list[str] = field(default_factory=list)  # sub-units with tables or rows of their own
    ocr_pages: list[int] = field(default_factory=list)
    performance: int = 0
    facts: int = 0
    narrative_facts: int = 0
    checks_held: int = 0
    checks_failed: list[str] = field(default_factory=list)


def survey_file(path: Path, root: Path) -> DocumentSurvey:
    """One document through ingest's reading stages; errors become the record's ``error``."""
    from index.errors import BudgetQAError
    from index.parse import parse_file

    name = path.relative_to(root).as_posix()
    started = time.perf_counter()
    try:
        parsed = parse_file(path, path.name)
    except BudgetQAError as exc:
        return DocumentSurvey(name, error=str(exc))
    except Exception as exc:  # a parser bug: recorded, the sweep goes on
        return DocumentSurvey(name, error=f"parser failure: {type(exc).__name__}: {exc}")
    record = survey_parsed(parsed, name)
    record.seconds = round(time.perf_counter() - started, 2)
    return record


def survey_parsed(parsed: ParsedDocument, name: str) -> DocumentSurvey:
    """What one parsed document holds, and which of its consistency checks hold."""
    from index.checks import run_checks
    from index.facts import all_facts

    record = DocumentSurvey(name)
    findings = run_checks(parsed)
    doc = parsed.document
    record.pages, record.department, record.year, record.kind = doc.pages, doc.department, doc.year, doc.kind
    record.scope, record.identity_from, record.ocr_pages = doc.scope, doc.identity_from, list(doc.ocr_pages)
    kinds = Counter(t.kind for t in parsed.tables)
    if parsed.performance:
        kinds["项目绩效目标表"] += len(parsed.performance)
    record.tables = dict(kinds)
    record.other_titles = [f"{t.title} (p{t.pages[0]})" for t in parsed.tables if t.kind == "other"]
    record.no_unit = [
        f"{t.title} (p{t.pages[0]})" for t in parsed.tables if t.kind in MONEY_KINDS and not t.unit and not t.empty
    ]
    record.unit_inferred = [f"{t.title} (p{t.pages[0]})" for t in parsed.tables if t.unit_inferred]
    record.entities = sorted({t.entity for t in parsed.tables if t.entity} |
                             {r.entity for t in parsed.tables for r in t.rows if r.entity})
    record.performance = len(parsed.performance)
    record.facts = len(all_facts(parsed))
    record.narrative_facts = len(parsed.narrative_facts)
    record.checks_held = sum(f.ok for f in findings)
    record.checks_failed = [f.message for f in findings if not f.ok]
    return record


def _survey_one(args: tuple[Path, Path]) -> DocumentSurvey:
    return survey_file(*args)


def survey(root: Path, workers: int = 2) -> list[DocumentSurvey]:
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in (".pdf", ".txt") and p.is_file())
    # maxtasksperchild: a worker's memory is returned after each document
    with multiprocessing.get_context("spawn").Pool(workers, maxtasksperchild=1) as pool:
        results = []
        for n, record in enumerate(pool.imap(_survey_one, [(f, root) for f in files]), start=1):
            print(f"[{n}/{len(files)}] {record.file}: {record.error or f'{sum(record.tables.values())} tables'}",
                  file=sys.stderr, flush=True)
            results.append(record)
    return results


@dataclass
class Totals:
    documents: int
    refused: int
    pages: int
    ocr_pages: int
    seconds: float
    tables: int
    tables_by_kind: dict[str, int]
    other_tables: int
    money_tables: int
    money_tables_without_unit: int
    money_tables_unit_inferred: int
    facts: int
    narrative_facts: int
    entities: int
    checks_held: int
    checks_failed: int
    identity: dict[str, Any] = field(default_factory=dict)  # scores against the truth file


def totals(records: list[DocumentSurvey], truth: dict[str, dict[str, str]] | None = None) -> Totals:
    kinds: Counter[str] = Counter()
    for record in records:
        kinds.update(record.tables)
    money = sum(n for kind, n in kinds.items() if kind in MONEY_KINDS)
    return Totals(
        documents=len(records),
        refused=sum(bool(r.error) for r in records),
        pages=sum(r.pages for r in records),
        ocr_pages=sum(len(r.ocr_pages) for r in records),
        seconds=round(sum(r.seconds for r in records), 1),
        tables=sum(kinds.values()),
        tables_by_kind=dict(kinds.most_common()),
        other_tables=kinds.get("other", 0),
        money_tables=money,
        money_tables_without_unit=sum(len(r.no_unit) for r in records),
        money_tables_unit_inferred=sum(len(r.unit_inferred) for r in records),
        facts=sum(r.facts for r in records),
        narrative_facts=sum(r.narrative_facts for r in records),
        entities=sum(len(r.entities) for r in records),
        checks_held=sum(r.checks_held for r in records),
        checks_failed=sum(len(r.checks_failed) for r in records),
        identity=score_identity(records, truth) if truth else {},
    )


def load_truth(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return {f"{row['folder']}/{row['file']}": row for row in csv.DictReader(handle, delimiter="\t")}


def same_department(found: str, truth: str) -> bool:
    """Printed names differ in brackets and the 中共 prefix only, never in the department itself."""

    def plain(name: str) -> str:
        return "".join(ch for ch in name if ch not in "（）() 　").removeprefix("中共")

    return plain(found) == plain(truth)


def score_identity(records: list[DocumentSurvey], truth: dict[str, dict[str, str]]) -> dict[str, Any]:
    scored = [(r, truth[r.file]) for r in records if r.file in truth]
    wrong: dict[str, list[str]] = {"department": [], "year": [], "kind": []}
    for record, row in scored:
        if not same_department(record.department, row["department"]):
            wrong["department"].append(f"{record.file}: {record.department!r} (cover: {row['department']})")
        if str(record.year or "") != row["year"]:
            wrong["year"].append(f"{record.file}: {record.year} (cover: {row['year']})")
        if record.kind != row["kind"]:
            wrong["kind"].append(f"{record.file}: {record.kind!r} (cover: {row['kind']})")
    n = len(scored) or 1
    return {
        "scored": len(scored),
        **{f"{name}_right": round(1 - len(misses) / n, 4) for name, misses in wrong.items()},
        "wrong": wrong,
    }


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def report(records: list[DocumentSurvey], total: Totals) -> str:
    checks = total.checks_held + total.checks_failed
    canonical = total.tables - total.other_tables
    lines = [
        "# Corpus survey",
        "",
        f"{total.documents} documents, {total.pages} pages ({total.ocr_pages} read by OCR), "
        f"{total.refused} refused, {total.seconds} s of reading.",
        "",
        "| figure | value |",
        "|---|---:|",
        f"| tables | {total.tables} |",
        f"| with a canonical kind | {canonical} ({_pct(canonical, total.tables)}) |",
        f"| money tables with a unit | {total.money_tables - total.money_tables_without_unit} of {total.money_tables} "
        f"({_pct(total.money_tables - total.money_tables_without_unit, total.money_tables)}; "
        f"{total.money_tables_unit_inferred} printed none and share their neighbours') |",
        f"| facts (table cells) | {total.facts} |",
        f"| narrative facts | {total.narrative_facts} |",
        f"| sub-units whose figures are told apart (own tables or rows) | {total.entities} |",
        f"| consistency checks that hold | {total.checks_held} of {checks} ({_pct(total.checks_held, checks)}) |",
    ]
    if total.identity:
        ident = total.identity
        lines += [f"| {name} right (of {ident['scored']}, against the covers) | {100 * ident[f'{name}_right']:.1f}% |"
                  for name in ("department", "year", "kind")]
    lines += ["", "## Tables by kind", "", "| kind | tables |", "|---|---:|"]
    lines += [f"| {kind} | {n} |" for kind, n in total.tables_by_kind.items()]
    lines += ["", "## Documents", "",
              "| file | pages | department | year | kind | from | tables | other | no unit | OCR pages | checks held |",
              "|---|---:|---|---|---|---|---:|---:|---:|---|---|"]
    for r in records:
        if r.error:
            lines.append(f"| {r.file} | | **refused:** {r.error} | | | | | | | | |")
            continue
        held = f"{r.checks_held}/{r.checks_held + len(r.checks_failed)}"
        lines.append(f"| {r.file} | {r.pages} | {r.department} | {r.year} | {r.kind}{r.scope and '·' + r.scope} | "
                     f"{r.identity_from} | {sum(r.tables.values())} | {len(r.other_titles)} | {len(r.no_unit)} | "
                     f"{_ranges(r.ocr_pages)} | {held} |")
    lines += ["", "## Tables kept as `other` (printed title)", ""]
    lines += [f"- {r.file}: {title}" for r in records for title in r.other_titles]
    lines += ["", "## Money tables without a unit, or with one taken from their neighbours", ""]
    lines += [f"- {r.file}: {title} — no unit" for r in records for title in r.no_unit]
    lines += [f"- {r.file}: {title} — unit of the tables around it" for r in records for title in r.unit_inferred]
    lines += ["", "## Failing checks", ""]
    lines += [f"- {r.file}: {message}" for r in records for message in r.checks_failed]
    if total.identity:
        for name, misses in total.identity["wrong"].items():
            lines += ["", f"## {name.capitalize()} not as printed on the cover", ""] + [f"- {m}" for m in misses]
    return "\n".join(lines) + "\n"


def _ranges(pages: list[int]) -> str:
    if not pages:
        return ""
    spans: list[list[int]] = [[pages[0], pages[0]]]
    for page in pages[1:]:
        if page == spans[-1][1] + 1:
            spans[-1][1] = page
        else:
            spans.append([page, page])
    return ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in spans)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="budget-qa survey", description="survey a folder of disclosures")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--json", action="store_true", help="print the survey as JSON")
    parser.add_argument("--out", type=Path, help="also write survey.json and survey.md here")
    parser.add_argument("--truth", type=Path, help=f"identity read from the covers (default: {DEFAULT_TRUTH.name} if present)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"error: {args.folder} is not a folder", file=sys.stderr)
        return 1
    truth_path = args.truth or (DEFAULT_TRUTH if DEFAULT_TRUTH.exists() else None)
    records = survey(args.folder, args.workers)
    total = totals(records, load_truth(truth_path) if truth_path else None)
    data = {"totals": asdict(total), "documents": [asdict(r) for r in records]}
    text = report(records, total)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "survey.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        (args.out / "survey.md").write_text(text, encoding="utf-8")
    print(json.dumps(data, ensure_ascii=False, indent=1) if args.json else text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

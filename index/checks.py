"""Consistency checks over one parsed document, recorded as findings, never "fixed".

Real disclosures disagree with themselves (a 类 total printed as 326.71 in one table and
326.72 in another); the assistant shows both figures, so each finding names both cells.
The checks of its text a reviewer runs (a wrong year, a placeholder …) are ``index.review``'s.
"""

from __future__ import annotations

import re
from collections import defaultdict
from difflib import SequenceMatcher
from typing import Any

from index.facts import table_facts, tolerance
from index.review import review
from index.text import key, to_yuan
from index.types import Fact, Finding, NarrativeFact, ParsedDocument, Table

TOTAL_WORDS = ("合计", "小计", "本年收入合计", "本年支出合计")
_SUBJECT_CHARS = 16
_SECTION = re.compile(r"^[一二三四五六七八九十]+、")
_THREE_ITEMS = re.compile(r"公务接待|公务用车|因公出国")


def run_checks(parsed: ParsedDocument) -> list[Finding]:
    doc = parsed.document.id
    findings: list[Finding] = []
    facts_by_table = {t.id: table_facts(doc, t) for t in parsed.tables}
    for table in parsed.tables:
        cells = _cell_index(facts_by_table[table.id])
        findings += _parent_sums(doc, table, cells)
        findings += _column_identities(doc, table, cells)
        findings += _balance(doc, table, facts_by_table[table.id])
    findings += _cross_table(doc, parsed.tables, facts_by_table)
    all_facts = [f for facts in facts_by_table.values() for f in facts]
    sections = {(t.id, i): name for t in parsed.tables for i, name in _row_sections(t).items()}
    findings += [f for nf in parsed.narrative_facts if (f := _narrative(doc, nf, all_facts, sections)) is not None]
    return findings + review(parsed)


_Cells = dict[tuple[int, tuple[str, ...]], Fact]


def compared_pages(finding: dict[str, Any]) -> list[int]:
    """The pages of everything a stored finding compares: its cells, and the sentence it quotes."""
    return sorted({c["page"] for c in finding["cells"]} | ({finding["page"]} if finding.get("page") else set()))


def _cell_index(facts: list[Fact]) -> _Cells:
    return {(f.row_index, f.column): f for f in facts}


def _finding(doc: str, check: str, message: str, total: Fact, parts: list[Fact], expected: float) -> Finding:
    unit = tolerance(total.text, *(p.text for p in parts))
    ok = abs(total.value - expected) <= unit
    rounding = not ok and abs(total.value - expected) <= unit / 2 * (len(parts) + 1)
    verdict = "holds" if ok else "differs by rounding" if rounding else "does not hold"
    return Finding(doc, check, ok, f"{message} {verdict}", round(expected, 6), total.value, (total, *parts), rounding=rounding)


def _parent_sums(doc: str, table: Table, cells: _Cells) -> list[Finding]:
    """类 = Σ款 and 款 = Σ项, column by column, within one row set."""
    findings = []
    for index, row in enumerate(table.rows):
        if len(row.code) not in (3, 5):
            continue
        children = [
            i for i, other in enumerate(table.rows)
            if other.group == row.group and other.code.startswith(row.code) and len(other.code) == len(row.code) + 2
        ]
        if not children:
            continue
        for column in {c.column for c in row.cells}:
            total = cells.get((index, column))
            parts = [cells[(i, column)] for i in children if (i, column) in cells]
            if total is None or not parts:
                continue
            label = "/".join(column)
            message = f"{row.code} {row.label} [{label}] = sum of its {len(parts)} sub-items"
            findings.append(_finding(doc, "parent_sum", message, total, parts, sum(p.value for p in parts)))
    return findings


def _column_identities(doc: str, table: Table, cells: _Cells) -> list[Finding]:
    """A 合计 column equals the sum of the columns it totals, row by row."""
    findings = []
    for total_path, part_paths in _identities(table.header):
        for index, _row in enumerate(table.rows):
            total = cells.get((index, total_path))
            parts = [cells[(index, p)] for p in part_paths if (index, p) in cells]
            if total is None or not parts:
                continue
            names = " + ".join("/".join(p) for p in part_paths)
            message = f"{table.title} row '{_row.label}': {'/'.join(total_path)} = {names}"
            findings.append(_finding(doc, "column_identity", message, total, parts, sum(p.value for p in parts)))
    return findings


def _identities(header: list[tuple[str, ...]]) -> list[tuple[tuple[str, ...], list[tuple[str, ...]]]]:
    found = []
    for path in header:
        if not path or path[-1] not in TOTAL_WORDS:
            continue
        parent = path[:-1]
        branches: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for other in header:
            # "其中：…" columns are part of the column before them, not further addends
            if other[-1:] and other[-1].startswith("其中"):
                continue
            if other != path and len(other) > len(parent) and other[: len(parent)] == parent:
                branches[other[len(parent)]].append(other)
        parts = []
        for columns in branches.values():
            subtotal = [c for c in columns if c[-1] in TOTAL_WORDS]
            parts += subtotal[:1] if len(columns) > 1 and subtotal else columns
        if len(parts) >= 2 and all(len(p) == len(path) or p[-1] in TOTAL_WORDS for p in parts):
            found.append((path, parts))
    return found


def _balance(doc: str, table: Table, facts: list[Fact]) -> list[Finding]:
    """收入总计 = 支出总计 in the summary tables."""
    if table.kind not in ("收支总表", "财政拨款收支总表"):
        return []
    first: dict[str, Fact] = {}
    for fact in facts:
        label = key(fact.row)
        side = "收入" if label == "收入总计" or (label == "总计" and fact.group == "收入") else None
        side = side or ("支出" if label == "支出总计" or (label == "总计" and fact.group == "支出") else None)
        if side and side not in first:
            first[side] = fact
    if len(first) < 2:
        return []
    income, spending = first["收入"], first["支出"]
    return [_finding(doc, "totals_balance", f"{table.title}: 收入总计 = 支出总计", spending, [income], income.value)]


_SAME_SCOPE = [
    # (table kind, column leaf or group) pairs that state the same spending by 类.
    (("收支总表", "支出"), ("支出表", "合计")),
    (("财政拨款收支总表", "一般公共预算财政拨款"), ("一般公共预算财政拨款支出表", "合计")),
]


def _cross_table(doc: str, tables: list[Table], facts_by_table: dict[str, list[Fact]]) -> list[Finding]:
    findings = []
    for left_spec, right_spec in _SAME_SCOPE:
        left = _class_totals(tables, facts_by_table, *left_spec)
        right = _class_totals(tables, facts_by_table, *right_spec)
        for label, a in left.items():
            b = right.get(label)
            if b is not None:
                message = f"{label}: {a.table_title} and {b.table_title} state the same total"
                findings.append(_finding(doc, "cross_table", message, a, [b], b.value))
    return findings


def _class_totals(tables: list[Table], facts_by_table: dict[str, list[Fact]], kind: str, column: str) -> dict[str, Fact]:
    """First-level (类) spending totals by name: coded 类 rows, or the numbered 支出 rows."""
    totals: dict[str, Fact] = {}
    for table in tables:
        if table.kind != kind:
            continue
        for fact in facts_by_table[table.id]:
            leaf = fact.column[-1] if fact.column else ""
            in_column = leaf == column or leaf == f"本年{column}" or leaf == f"本年支出{column}" or fact.group == column
            if kind == "收支总表" and fact.group != "支出":
                continue
            numbered = _SECTION.match(fact.row) and fact.group == "支出"
            if in_column and (len(fact.code) == 3 or numbered):
                totals.setdefault(key(fact.row), fact)
    return totals


_PART_KINDS = ("一般公共预算基本支出表", "项目支出表")


def _narrative(doc: str, figure: NarrativeFact, facts: list[Fact], sections: dict[tuple[str, int], str]) -> Finding | None:
    """A money figure in the text against the table row its sentence names."""
    yuan = to_yuan(figure.value, figure.unit)
    if yuan is None:
        return None
    printed = _format(figure.value)
    # The figure's own place: "减少2万元" after "2026年" must not read "2" from the year.
    subject = figure.sentence[: figure.start].replace(",", "")
    # Trim connecting words only: "总计0.3万元" must keep its 计.
    subject = re.sub(r"(?:为|是|共计|安排了?|达到?|[：:\s])+$", "", subject)[-_SUBJECT_CHARS:]
    sentence = key(figure.sentence)
    candidates = [
        f for f in facts
        if f.value_yuan is not None and not f.entity and _names(subject, f)
        and _in_scope(sections.get((f.table, f.row_index), ""), sentence)
    ]
    # "公务接待费3万元" in the text is the 三公 figure: rows of that name elsewhere (the economic
    # classes of basic spending) leave out project spending, so only a 三公 table is compared.
    candidates = [f for f in candidates if f.table_kind == "三公经费" or not _THREE_ITEMS.search(f.row)]
    if not candidates:
        return None
    def agrees(fact: Fact) -> bool:
        return abs(fact.value_yuan - yuan) <= to_yuan(tolerance(printed, fact.text), figure.unit)  # type: ignore[operator]

    # The sentence rarely names its table: any table row of that name stating the figure agrees.
    ranked = sorted(candidates, key=lambda f: (-len(key(f.row)), -_overlap(figure.sentence, f.table_title), f.row_index))
    best = next((f for f in ranked if agrees(f)), ranked[0])
    ok = agrees(best)
    if not ok and all(f.table_kind in _PART_KINDS for f in ranked):
        # "委托业务费5838.71万元" is the department's: a basic- or project-spending table holds a part
        # of it; it is compared with their sum, or not at all
        per_kind = {f.table_kind: f for f in reversed(ranked)}
        if len(per_kind) < len(_PART_KINDS) or any(k in sentence for k in ("基本支出", "项目支出")):
            return None
        total = sum(f.value_yuan for f in per_kind.values())  # type: ignore[misc]
        ok = abs(total - yuan) <= to_yuan(tolerance(printed, best.text), figure.unit) * 2  # type: ignore[operator]
        verdict = "agrees with the sum of" if ok else "disagrees with the sum of"
        message = f"text states {printed}{figure.unit} for {key(best.row)}; {verdict} " + " and ".join(
            f"{f.table_title} ({f.text}{f.unit})" for f in per_kind.values())
        return Finding(doc, "narrative", ok, message, total / (to_yuan(1, figure.unit) or 1), figure.value,
                       tuple(per_kind.values()), figure.sentence, page=figure.page)
    verdict = "agrees with" if ok else "disagrees with"
    message = f"text states {printed}{figure.unit} for {key(best.row)}; {verdict} {best.table_title} ({best.text}{best.unit})"
    return Finding(doc, "narrative", ok, message, best.value, figure.value, (best,), figure.sentence, page=figure.page)


def _row_sections(table: Table) -> dict[int, str]:
    """The numbered section each row sits under ("二、上年结转"), side by side sub-tables apart."""
    current: dict[str, str] = {}
    sections = {}
    for index, row in enumerate(table.rows):
        if re.search(r"(合计|总计)$", key(row.label)):
            current.pop(row.group, None)  # a total closes the sections above it
        elif _SECTION.match(row.label.strip()):
            current[row.group] = key(row.label)
        elif row.group in current:
            sections[index] = current[row.group]
    return sections


def _in_scope(section: str, sentence: str) -> bool:
    """A row under 上年结转 is not the year's figure of its name unless the sentence says so."""
    return not section or section.startswith("本年") or section in sentence


def _names(subject: str, fact: Fact) -> bool:
    """Does the text before a figure end with this row's name, as a whole word?

    "拟购置固定资产总额" must not match the row "资产总额"; a short name is accepted when the
    sentence also names the table ("财政拨款收入支出总计" → 财政拨款收入支出决算总表).
    """
    label = key(fact.row)
    if len(label) < 2 or not subject.endswith(label):
        return False
    before = subject[: -len(label)][-1:]
    whole_word = not before or not re.match(r"[\u4e00-\u9fff]", before)
    return whole_word or len(label) >= 5 or _overlap(subject, fact.table_title) >= 6


def _format(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _overlap(sentence: str, title: str) -> int:
    match = SequenceMatcher(None, sentence, title).find_longest_match()
    return match.size

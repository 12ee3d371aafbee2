"""The corpus survey: a slice of one document per city in `make test`, the whole folder as a benchmark."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from eval.survey import DEFAULT_TRUTH, load_truth, same_department, survey_parsed
from index.kinds import MONEY_KINDS
from tests.index.regions import REGIONS, parsed

# One document per city; most also carry golden cells, so their parse is shared with those tests.
SLICE = [
    "shanghai/2026年上海市教育局_部门预算.pdf",
    "guangzhou/国有资产监督管理委员会_2026年部门预算.pdf",
    "chongqing/2026年重庆市规划和自然资源局部门预算.pdf",
    "suzhou/2026年苏州市交通运输局部门预算.pdf",
    "wuxi/教育局_2026年部门预算.pdf",
    "changsha/信访局_2026年部门预算.pdf",
    "huzhou/2026年湖州市交通运输局部门预算.pdf",
    "changchun/2026年长春市信访局部门预算.pdf",
    "beijing/2026年北京市统计局部门预算.pdf",  # narrative only
    "jinan/2026年济南市审计局部门预算.pdf",  # not a budget: a form
    "zhuhai/2026年珠海市商务局部门预算.pdf",
    "huizhou/2026年惠州市民政局部门预算.pdf",  # not a budget: a gazette notice
    "jiaxing/2026年嘉兴市政府办公厅部门预算.pdf",  # not a budget: a notice
]
TRUTH = load_truth(DEFAULT_TRUTH)


@pytest.mark.parametrize("name", SLICE)
def test_identity_is_what_the_cover_prints(name: str) -> None:
    record = survey_parsed(parsed(name), name)
    truth = TRUTH[name]
    assert same_department(record.department, truth["department"]), record.department
    assert (record.year, record.kind) == (int(truth["year"]) if truth["year"] else None, truth["kind"])


@pytest.mark.parametrize("name", SLICE)
def test_money_tables_have_units_and_checks_hold(name: str) -> None:
    record = survey_parsed(parsed(name), name)
    assert record.no_unit == []
    checks = record.checks_held + len(record.checks_failed)
    assert not checks or record.checks_held / checks >= 0.95, record.checks_failed


def test_standard_tables_get_their_kind() -> None:
    records = [survey_parsed(parsed(name), name) for name in SLICE]
    tables = sum(sum(r.tables.values()) for r in records)
    other = [title for r in records for title in r.other_titles]
    assert tables > 100
    assert len(other) <= 0.05 * tables, other
    assert any(kind in MONEY_KINDS for r in records for kind in r.tables)


def test_scanned_pages_are_read_by_ocr() -> None:
    name = "changsha/文化广电旅游体育局_2026年部门预算.pdf"
    record = survey_parsed(parsed(name), name)
    assert record.ocr_pages == [1, 2] and record.facts > 0


def test_narrative_only_documents_yield_narrative_facts() -> None:
    name = "beijing/2026年北京市统计局部门预算.pdf"
    record = survey_parsed(parsed(name), name)
    assert record.tables == {} and record.narrative_facts >= 20


def test_the_command_reports_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    for name in ("jinan/2026年济南市审计局部门预算.pdf", "beijing/2026年北京市统计局部门预算.pdf"):
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((REGIONS / name).read_bytes())
    (folder / "notes.pdf").write_bytes(b"not a pdf at all")
    command = [str(Path(sys.executable).parent / "budget-qa"), "survey", str(folder), "--json", "--truth", str(DEFAULT_TRUTH)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["totals"]["documents"] == 3 and report["totals"]["refused"] == 1
    refused = next(d for d in report["documents"] if d["error"])
    assert refused["file"] == "notes.pdf" and "not a PDF" in refused["error"]
    assert report["totals"]["identity"]["scored"] == 2 and report["totals"]["identity"]["department_right"] == 1.0

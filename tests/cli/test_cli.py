"""The installed `budget-qa` command, run as a user runs it: a subprocess with a data directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CAIZHENG, SHEHUI

COMMAND = str(Path(sys.executable).parent / "budget-qa")


def run(*args: str, data: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("BUDGET_QA_")} | (env or {})
    return subprocess.run([COMMAND, "--data", str(data), *args], capture_output=True, text=True, env=environ, timeout=300)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    data = tmp_path_factory.mktemp("cli") / "data"
    done = run("ingest", str(SHEHUI), str(CAIZHENG), data=data)
    assert done.returncode == 0, done.stderr
    assert "putuo-caizhengju-2024-final-accounts.pdf: " in done.stdout and "pages/s" in done.stdout
    return data


def test_ingest_json_reports_and_is_idempotent(data):
    again = run("ingest", str(SHEHUI), "--json", data=data)
    assert again.returncode == 0
    (report,) = json.loads(again.stdout)
    assert report["skipped"] is True and report["document"]["source"] == SHEHUI.name


def test_docs_tables_and_table_json(data):
    docs = json.loads(run("docs", "--json", data=data).stdout)
    assert sorted(d["source"] for d in docs) == sorted([SHEHUI.name, CAIZHENG.name])
    caizheng = next(d for d in docs if d["source"] == CAIZHENG.name)
    tables = json.loads(run("tables", CAIZHENG.name, "--json", data=data).stdout)
    spending = next(t for t in tables if t["title"] == "支出决算表")
    # DOC by id prefix, TABLE by id
    table = json.loads(run("table", caizheng["id"][:8], spending["id"], "--json", data=data).stdout)
    row = next(r for r in table["rows"] if r["code"] == "2010601")
    assert row["label"] == "行政运行" and row["level"] == "项"
    cell = row["cells"][0]
    assert (cell["column"], cell["value"], cell["unit"], cell["page"]) == (["本年支出合计"], 1511.89, "万元", 10)
    grid = run("table", caizheng["id"][:8], spending["id"], data=data).stdout
    assert "2010601 行政运行" in grid and "本年支出合计=1,511.89" in grid


def test_check_names_both_cells(data):
    done = run("check", CAIZHENG.name, data=data)
    assert done.returncode == 0
    diff = [line for line in done.stdout.splitlines() if line.startswith("DIFF parent_sum")]
    assert len(diff) == 1 and "171.07" in diff[0] and "办公费" in diff[0]
    findings = json.loads(run("check", CAIZHENG.name, "--json", data=data).stdout)
    assert any(not f["ok"] and f["check"] == "narrative" and f["actual"] == 0.3 for f in findings)


def test_errors_are_one_line_without_traceback(data, tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(SHEHUI.read_bytes()[:4000])
    done = run("ingest", str(broken), data=data)
    assert done.returncode == 1
    assert done.stderr.startswith("error: broken.pdf:") and "Traceback" not in done.stderr
    missing = run("table", "no-such-doc", "t01", data=data)
    assert missing.returncode == 1 and "no-such-doc" in missing.stderr and "Traceback" not in missing.stderr
    typo = run("docs", data=data, env={"BUDGET_QA_DATADIR": "x"})
    assert typo.returncode == 2 and "unknown setting BUDGET_QA_DATADIR" in typo.stderr


def test_delete(tmp_path):
    data = tmp_path / "data"
    assert run("ingest", str(SHEHUI), data=data).returncode == 0
    done = run("delete", "44874c", data=data)
    assert done.returncode == 0 and SHEHUI.name in done.stdout
    assert json.loads(run("docs", "--json", data=data).stdout) == []


def test_ask_json_prints_one_answer_object(data):
    done = run("ask", "财政局福利费是多少？", "--json", data=data)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)  # exactly one object: json.loads fails on anything more
    assert (answer["status"], answer["value"], answer["unit"]) == ("verified", 42.77, "万元")
    assert answer["citations"][0]["page"] == 17 and answer["citations"][0]["row"] == "福利费"
    keys = {"question", "language", "answer", "status", "value", "unit", "value_yuan", "formula", "citations", "conflicts",
            "evidence", "timings_ms"}
    assert keys <= set(answer)


def test_ask_not_found_still_exits_zero(data):
    done = run("ask", "财政局的GDP是多少？", "--json", data=data)
    assert done.returncode == 0 and json.loads(done.stdout)["status"] == "not_found"
    human = run("ask", "财政局福利费是多少？", "--doc", CAIZHENG.name, data=data)
    assert human.stdout.startswith("[verified]") and "42.77" in human.stdout

"""The installed `budget-qa` command, run as a user runs it: a subprocess with a data directory."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CAIZHENG, HEBEI, SHEHUI

COMMAND = str(Path(sys.executable).parent / "budget-qa")
ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def run(*args: str, data: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("BUDGET_QA_")} | (env or {})
    return subprocess.run([COMMAND, "--data", str(data), *args], capture_output=True, text=True, env=environ, timeout=300)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    data = tmp_path_factory.mktemp("cli") / "data"
    done = run("ingest", str(SHEHUI), str(CAIZHENG), "--workers", "2", data=data)  # prepared in two worker processes
    assert done.returncode == 0, done.stderr
    said = done.stdout.splitlines()
    assert [line.split(":")[0] for line in said] == [SHEHUI.name, CAIZHENG.name] and all("pages/s" in x for x in said)
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


def test_check_shows_printed_computed_difference_and_pages(data):
    done = run("check", CAIZHENG.name, data=data)
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    # 302 is printed 171.07 and its 12 items sum to 171.09: within 13 half-cents of rounding, so apart
    (rounding,) = [i for i, line in enumerate(lines) if line.startswith("ROUND parent_sum")]
    assert "printed 171.07, computed 171.09, difference -0.02 (pages 16, 17)" in lines[rounding + 1]
    assert "办公费" in lines[rounding + 2]
    (real,) = [i for i, line in enumerate(lines) if line.startswith("DIFF  narrative")]
    assert "printed 0.30, computed 2,961.68" in lines[real + 1]
    assert lines[-1].endswith("1 disagreements, 1 differences within rounding")
    findings = json.loads(run("check", CAIZHENG.name, "--json", data=data).stdout)
    assert any(not f["ok"] and f["check"] == "narrative" and f["actual"] == 0.3 and not f["rounding"] for f in findings)


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


def test_global_options_go_before_or_after_the_command(data):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("BUDGET_QA_")}
    after = subprocess.run([COMMAND, "docs", "--data", str(data), "--json"], capture_output=True, text=True, env=environ)
    before = subprocess.run([COMMAND, "--json", "--data", str(data), "docs"], capture_output=True, text=True, env=environ)
    assert after.returncode == before.returncode == 0, after.stderr + before.stderr
    assert json.loads(after.stdout) == json.loads(before.stdout) and len(json.loads(after.stdout)) == 2


def test_help_is_written_for_users():
    done = subprocess.run([COMMAND, "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "examples:" in done.stdout and 'budget-qa ask "企业奖补安排了多少资金？"' in done.stdout
    assert "thin command line" not in done.stdout  # not the module's docstring
    ask = subprocess.run([COMMAND, "ask", "--help"], capture_output=True, text=True)
    assert "Example: budget-qa ask" in ask.stdout and "--data" in ask.stdout


def test_a_closed_pipe_ends_quietly(data):
    reader = subprocess.Popen([COMMAND, "--data", str(data), "check", CAIZHENG.name, "--json"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.read(100)  # `| head -c 100`: the reader goes away with most of the output unread
    reader.stdout.close()
    error = reader.stderr.read().decode()
    assert reader.wait(timeout=120) != 0 and error == ""


def test_text_unless_json(tmp_path):
    data = tmp_path / "data"
    assert run("ingest", str(HEBEI), data=data).returncode == 0
    text = run("table", "60fd", "p09", data=data).stdout
    assert text.startswith("9. 2024 年企业奖补绩效目标表") and "预算数=5,000.32" in text and "≥15类" in text
    assert json.loads(run("table", "60fd", "p09", "--json", data=data).stdout)["budget"] == 5000.32


def test_an_empty_question_is_refused(data):
    done = run("ask", "   ", data=data)
    assert done.returncode == 1 and done.stderr.startswith("error: the question is empty")


@pytest.mark.parametrize("command", [["docs"], ["tables", "x"], ["check", "x"], ["delete", "x"], ["ask", "福利费？"]])
def test_a_missing_data_directory_is_an_error_for_read_commands(tmp_path, command):
    missing = tmp_path / "nowhere"
    done = run(*command, data=missing)
    assert done.returncode == 1 and f"no data directory {missing}" in done.stderr
    assert not missing.exists()


def test_eval_writes_to_an_untracked_folder_by_default():
    from cli import _parser

    out = _parser().parse_args(["eval"]).out
    ignored = subprocess.run(["git", "check-ignore", "-q", f"{out}/result.json"], cwd=ROOT)
    assert out == "eval/runs" and ignored.returncode == 0


def test_the_readme_commands_run_as_written(tmp_path):
    """Every command of the README's CLI block exists; `bin/budget-qa` runs from any folder."""
    block = README.read_text(encoding="utf-8").split("## CLI", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split()[1] for line in block.splitlines() if line.startswith("bin/budget-qa ")]
    assert len(commands) >= 10
    for command in commands:
        done = subprocess.run([str(ROOT / "bin" / "budget-qa"), command, "--help"], capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 0 and "usage: budget-qa" in done.stdout, (command, done.stderr)


def test_citations_name_the_file_when_two_versions_share_department_and_year(tmp_path):
    data, first, revised = tmp_path / "data", tmp_path / "shehui.pdf", tmp_path / "shehui-2024修订版.pdf"
    first.write_bytes(SHEHUI.read_bytes())
    revised.write_bytes(SHEHUI.read_bytes() + b"\n% revised\n")  # another file, the same report
    assert run("ingest", str(first), str(revised), data=data).returncode == 0
    both = run("ask", "社会工作部公务接待费是多少？", data=data).stdout.splitlines()
    assert both[0].startswith("[verified]")
    assert "（2024年，shehui.pdf）" in both[0] and "（2024年，shehui-2024修订版.pdf）" in both[0]
    assert {line.split()[1] for line in both[1:]} == {first.name, revised.name}
    one = run("ask", "社会工作部公务接待费是多少？", "--doc", revised.name, data=data).stdout
    assert one.startswith("[verified]") and f"依据文件 {revised.name}；同部门同年度另有 {first.name}，未采用" in one


def test_bench_scale_runs_from_the_cli(tmp_path):
    done = run("bench-scale", "--sizes", "2", "--work", str(tmp_path / "scale"), "--same", "0", "--json",
               data=tmp_path / "unused")
    assert done.returncode == 0, done.stderr
    (stage,) = json.loads(done.stdout)["stages"]
    assert stage["documents"] == 2 and stage["correct"]["scoped"] == "40/40", stage["wrong"]


def test_pack_fills_in_what_an_older_data_directory_lacks(tmp_path):
    data = tmp_path / "data"
    assert run("ingest", str(SHEHUI), data=data).returncode == 0
    done = run("pack", "--json", data=data)
    assert done.returncode == 0 and json.loads(done.stdout) == {"packed": 0}  # ingest packed it already
    store = sqlite3.connect(data / "facts.sqlite3")
    store.execute("DELETE FROM packs")  # as written before packs were kept
    store.commit()
    assert run("pack", data=data).stdout.strip() == "packed 1 documents"
    assert run("ask", "社会工作部公务接待费是多少？", data=data).stdout.startswith("[verified]")


def test_the_chroma_server_command_refuses_to_keep_no_index(tmp_path):
    # the command's running server is every Chroma-server test's fixture (tests/servers.py)
    done = run("chroma", "--path", str(tmp_path / "vectors"), "--indexes", "0", data=tmp_path / "data")
    assert done.returncode == 1 and done.stderr == "error: --indexes must be at least 1, not 0\n"
    assert not (tmp_path / "vectors").exists()

"""Killed mid-write (as kill -9 would: ``crash_at`` exits on the spot at a named step), the next
start finishes or rolls back what was left, and the stores agree again: facts (with their
full-text index), vectors and originals."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time

import pytest

from assistant import Assistant
from index import Library, Settings
from tests.cli.test_cli import COMMAND, run
from tests.conftest import CAIZHENG, SHEHUI

INGEST = ["ingest:facts", "ingest:vectors", "ingest:original"]
DELETE = ["delete:facts", "delete:vectors"]


@pytest.fixture(scope="module")
def bases(tmp_path_factory):
    """One data directory with the first report, one with both."""
    one = tmp_path_factory.mktemp("crash") / "one"
    assert run("ingest", str(SHEHUI), data=one).returncode == 0
    both = one.with_name("both")
    shutil.copytree(one, both)
    assert run("ingest", str(CAIZHENG), data=both).returncode == 0
    return one, both


def _agree(data) -> list[str]:
    """The stores of a data directory, read by a fresh process's worth of objects: what disagrees."""
    library = Library(Settings(data_dir=data))
    documents = {d.id for d in library.documents()}
    chunks = sorted(cid for cid, _ in library.store.chunk_texts())
    originals = {p.name.split(".")[0] for p in library.settings.files_path.glob("*")}
    problems = []
    if library.vectors.count() != len(chunks) or any(library.vectors.count(d) == 0 for d in documents):
        problems.append(f"vectors {library.vectors.count()} vs {len(chunks)} chunks")
    if library.store.lexical_problems():
        problems.append(f"the full-text index disagrees with the chunks: {library.store.lexical_problems()}")
    if originals != documents:
        problems.append(f"originals {sorted(originals)} vs documents {sorted(documents)}")
    if (data / "pending").exists() and any((data / "pending").iterdir()):
        problems.append("pending writes left")
    return problems


@pytest.mark.parametrize("point", INGEST + DELETE)
def test_a_write_killed_at_any_step_leaves_stores_that_agree(bases, tmp_path, point):
    one, both = bases
    data = tmp_path / "data"
    shutil.copytree(one if point in INGEST else both, data)
    action = ["ingest", str(CAIZHENG)] if point in INGEST else ["delete", CAIZHENG.name]
    killed = run(*action, data=data, env={"BUDGET_QA_CRASH_AT": point})
    assert killed.returncode == 137, killed.stderr[-500:]
    listed = run("docs", data=data)  # the next command repairs, then works
    assert listed.returncode == 0 and SHEHUI.name in listed.stdout, listed.stderr[-500:]
    assert _agree(data) == []
    answer = Assistant(Settings(data_dir=data)).ask("社会工作部住房公积金是多少？")
    assert (answer.status, answer.value) == ("verified", 17.70)
    print(f"killed at {point}: stores agree after the next start")


def test_twenty_random_kills_during_ingest_and_delete_leave_stores_that_agree(bases, tmp_path):
    """kill -9 at a random moment of a CLI ingest or delete (within how long one takes), twenty
    times: after each, the next start leaves the four stores agreeing."""
    one, both = bases
    rng = random.Random(20261126)
    timed = {}
    for action, base in (("ingest", one), ("delete", both)):  # how long each takes, start-up included
        data = tmp_path / f"timing-{action}"
        shutil.copytree(base, data)
        started = time.monotonic()
        assert run(*_ARGS[action], data=data).returncode == 0
        timed[action] = time.monotonic() - started
    agreed = 0
    for kill in range(20):
        action = "ingest" if kill % 2 == 0 else "delete"
        data = tmp_path / f"kill-{kill}"
        shutil.copytree(one if action == "ingest" else both, data)
        writer = subprocess.Popen([COMMAND, "--data", str(data), *_ARGS[action]], env=_ENV,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, timed[action]))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        agreed += _agree(data) == []
    print(f"20 random kill -9 points during ingest and delete: stores agree after {agreed}")
    assert agreed == 20


_ARGS = {"ingest": ["ingest", str(CAIZHENG)], "delete": ["delete", CAIZHENG.name]}
_ENV = {k: v for k, v in os.environ.items() if not k.startswith("BUDGET_QA_")}

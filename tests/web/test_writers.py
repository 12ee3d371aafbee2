"""Many writers, one truth: a server keeps answering, and answering the same, while another
process (the CLI) ingests and deletes in the same data directory — and sees what it wrote."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from app import build_app
from assistant import Assistant
from index import Library, Settings
from tests.conftest import CAIZHENG, SHEHUI
from tests.servers import Server

COMMAND = str(Path(sys.executable).parent / "budget-qa")
QUESTIONS = ["社会工作部住房公积金是多少？", "社会工作部的“三公”经费是多少？", "社会工作部基本支出是多少？"]
WELFARE = "财政局福利费是多少？"  # answered from the report the other process ingests


def test_asks_while_another_process_ingests_and_deletes(tmp_path, embedder):
    settings = Settings(data_dir=tmp_path / "data")  # the collection the CLI writes too
    library = Library(settings, embedder=embedder)
    library.ingest(SHEHUI)
    app = build_app(settings, assistant=Assistant(settings, library=library, embedder=embedder, drafter=None))
    with Server(app) as server:
        client = httpx.Client(base_url=server.url, timeout=120)

        def ask(question: str) -> tuple[int, object, object]:
            response = client.post("/v1/ask", json={"question": question})
            return response.status_code, response.json().get("status"), response.json().get("value")

        def while_running(*args: str) -> list[tuple[str, tuple[int, object, object]]]:
            """Asks from four threads for as long as the other process runs."""
            writer = subprocess.Popen([COMMAND, "--data", str(settings.data_dir), *args],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

            def asking(worker: int) -> list[tuple[str, tuple[int, object, object]]]:
                done: list[tuple[str, tuple[int, object, object]]] = []
                n = worker
                while writer.poll() is None or len(done) < 5:
                    done.append((QUESTIONS[n % 3], ask(QUESTIONS[n % 3])))
                    n += 1
                return done

            with ThreadPoolExecutor(max_workers=4) as pool:
                asked = [pair for worker in pool.map(asking, range(4)) for pair in worker]
            assert writer.wait(timeout=600) == 0
            return asked

        alone = {q: ask(q) for q in QUESTIONS}
        during = while_running("ingest", str(CAIZHENG))
        after_ingest = [(q, ask(q)) for q in QUESTIONS] * 3
        welfare = ask(WELFARE)  # the server sees the other process's document
        during += while_running("delete", CAIZHENG.name)
        after_delete = [(q, ask(q)) for q in QUESTIONS] * 3
        asked = during + after_ingest + after_delete
        wrong = [(q, a) for q, a in asked if a != alone[q]]
        print(f"{len(asked)} asks during and after another process's ingest and delete: {len(wrong)} differ or fail")
        assert len(asked) >= 50 and wrong == []
        assert all(code == 200 for code, _, _ in alone.values())
        assert welfare == (200, "verified", 42.77)
        assert [d["source"] for d in client.get("/v1/documents").json()] == [SHEHUI.name]
        assert ask(WELFARE)[1] != "verified"

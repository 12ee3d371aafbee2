"""Real servers for the tests: uvicorn on 127.0.0.1 in a background thread (API and browser
tests), a `chroma run` process, and a PostgreSQL cluster of Debian's package."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import uvicorn
from fastapi import FastAPI


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@contextmanager
def chroma_server(path: Path) -> Iterator[int]:
    """A real `chroma run` on a free port, its database under ``path``; yields the port. Started
    as the README says (`budget-qa chroma`), keeping one collection's index in memory at a time:
    every test reading several shards makes it drop and read them again."""
    port = free_port()
    cli = Path(sys.executable).parent / "budget-qa"
    path.mkdir(parents=True, exist_ok=True)
    with (path / "server.log").open("wb") as log:
        process = subprocess.Popen([str(cli), "chroma", "--path", str(path / "db"), "--host", "127.0.0.1", "--port",
                                    str(port), "--indexes", "1"], stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait(lambda: httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200,
                  "chroma run", path / "server.log")
            yield port
        finally:
            process.terminate()
            process.wait(timeout=30)


@contextmanager
def postgres_server() -> Iterator[str]:
    """A real PostgreSQL — Debian's ``postgresql`` package — on a temporary data directory and a
    free port, stopped and removed afterwards; yields the URL of its ``postgres`` database. As root
    (which PostgreSQL refuses to run as) it runs as the package's ``postgres`` user."""
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql (make test does)")
    bindir = Path(binaries[-1]).parent
    as_user = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    base = Path(tempfile.mkdtemp(prefix="budget-qa-pg-"))
    if as_user:
        shutil.chown(base, "postgres")
    data, port = base / "data", free_port()
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                    "--no-locale"], check=True, capture_output=True)
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    started = subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "log"),
                              "-w", "start"], capture_output=True, text=True)
    try:
        if started.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not start: {started.stderr}{(base / 'log').read_text(errors='replace')}")
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def new_database(url: str) -> str:
    """A fresh, empty database on the server of ``url``; its URL."""
    name = f"t{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name}")
    return url.rsplit("/", 1)[0] + "/" + name


def _wait(ready: Callable[[], bool], what: str, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not start: {log.read_text(errors='replace')[-2000:]}")

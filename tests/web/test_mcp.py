"""The MCP server through the real `mcp` client, as an agent runs it: a subprocess over stdio, and one
serving streamable HTTP behind an API key."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import Client, MCPError
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from index import Library, Settings
from tests.conftest import HEBEI
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "企业奖补安排了多少资金？"
QUIET = {"HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
KEY = "secret"


def _environ(**settings: str) -> dict[str, str]:
    """This process's environment without its BUDGET_QA_ settings, with these."""
    return {k: v for k, v in os.environ.items() if not k.startswith("BUDGET_QA_")} | QUIET | settings


@pytest.fixture(scope="module")
def data(tmp_path_factory, embedder) -> Path:
    """HEBEI alone, ingested once: a data dir that holds a document keeps the server from ingesting the samples."""
    data = tmp_path_factory.mktemp("mcp") / "data"
    Library(Settings(data_dir=data), embedder=embedder).ingest(HEBEI)
    return data


def _server_args(data: Path, *transport: str) -> list[str]:
    """`budget-qa mcp …`, as an MCP client's configuration starts it (the installed command's module)."""
    return ["-m", "cli", "mcp", "--data", str(data), "--transport", *transport]


def _assert_verified(answer: dict[str, Any]) -> dict[str, Any]:
    assert (answer["status"], answer["value"], answer["unit"]) == ("verified", 5000.32, "万元"), answer["answer"]
    assert "5000.32万元" in answer["answer"]
    citation = answer["citations"][0]
    assert citation["text"] == "5000.32" and citation["document"] and citation["table_id"]
    return citation


async def _converse(client: Client) -> dict[str, Any]:
    """Every tool once, as an agent would chain them; returns what each gave."""
    listed = await client.list_tools()
    asked = await client.call_tool("ask", {"question": QUESTION})
    documents = await client.call_tool("list_documents", {})
    citation = asked.structured_content["citations"][0]
    cited = await client.call_tool("get_table", {"document": citation["document"], "table": citation["table_id"]})
    first = documents.structured_content["documents"][0]
    table = await client.call_tool("get_table", {"document": first["source"], "table": first["tables"][0]["id"]})
    findings = await client.call_tool("findings", {"document": first["id"][:8]})
    unknown = await client.call_tool("get_table", {"document": "no-such-budget.pdf", "table": "t01"})
    filtered = await client.call_tool("ask", {"question": QUESTION, "filters": {"district": "鹿泉", "kind": "预算"}})
    elsewhere = await client.call_tool("list_documents", {"filters": {"city": "湖州"}})
    followup = await client.call_tool("ask", {"question": "它比上年减少了多少？",
                                              "history": ["鹿泉区科技局的公务接待费是多少？"]})
    return {"tools": {t.name: t for t in listed.tools}, "ask": asked, "documents": documents, "cited": cited,
            "table": table, "findings": findings, "unknown": unknown, "filtered": filtered, "elsewhere": elsewhere,
            "followup": followup}


def test_stdio_answers_lists_opens_tables_and_reports_errors(data, tmp_path):
    params = StdioServerParameters(command=sys.executable, args=_server_args(data, "stdio"), env=QUIET, cwd=ROOT)

    async def run() -> dict[str, Any]:
        with (tmp_path / "server.log").open("w") as log:
            async with Client(stdio_client(params, errlog=log)) as client:
                return await _converse(client)

    got = anyio.run(run)
    assert set(got["tools"]) == {"ask", "list_documents", "get_table", "findings"}
    assert "verified" in (got["tools"]["ask"].description or "") and got["tools"]["ask"].annotations.read_only_hint
    assert not got["ask"].is_error
    citation = _assert_verified(got["ask"].structured_content)
    assert citation["page"] == 37 and citation["row"] == "2024年企业奖补"
    (document,) = got["documents"].structured_content["documents"]
    assert document["source"] == HEBEI.name and document["id"] == citation["document"]
    assert citation["table_id"] in {t["id"] for t in document["tables"]}
    cited = got["cited"].structured_content
    assert cited["budget"] == 5000.32 and "企业奖补" in cited["project"]
    table = got["table"].structured_content
    assert table["id"] == document["tables"][0]["id"] and table["rows"] and table["rows"][0]["cells"]
    findings = got["findings"].structured_content
    assert findings["document"] == document["id"] and findings["findings"]
    assert all({"check", "ok", "message", "cells"} <= set(f) for f in findings["findings"])
    unknown = got["unknown"]
    assert unknown.is_error and "no-such-budget.pdf" in unknown.content[0].text
    _assert_verified(got["filtered"].structured_content)
    assert document["places"] == {"province": "", "city": "石家庄", "district": "鹿泉区"}
    assert got["elsewhere"].structured_content == {"documents": []}
    followup = got["followup"].structured_content  # "它" is what the earlier question asked about
    assert (followup["status"], followup["value"]) == ("verified", 0.5) and "公务接待费" in followup["answer"]


def test_stdio_writes_nothing_but_the_protocol(data):
    # stdin at its end: the server builds the assistant, reads no message and exits
    done = subprocess.run([sys.executable, *_server_args(data, "stdio")], cwd=ROOT, env=_environ(),
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    assert (done.returncode, done.stdout) == (0, b""), done.stderr.decode()


@pytest.fixture(scope="module")
def keyed_url(data, tmp_path_factory):
    """`--transport http` with BUDGET_QA_API_KEY set, as a subprocess; the URL once it listens."""
    port = free_port()
    log = (tmp_path_factory.mktemp("mcp-http") / "server.log").open("w")
    server = subprocess.Popen([sys.executable, *_server_args(data, "http", "--port", str(port))],
                              cwd=ROOT, env=_environ(BUDGET_QA_API_KEY=KEY), stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_listening(server, port)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _wait_listening(server: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, "the MCP server exited; see its server.log"
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError("the MCP server did not listen within 120 s")


def _ask_over_http(url: str, headers: dict[str, str]) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        async with (httpx2.AsyncClient(headers=headers, timeout=120) as http,
                    Client(streamable_http_client(url, http_client=http)) as client):
            result = await client.call_tool("ask", {"question": QUESTION})
            assert not result.is_error
            return dict(result.structured_content)

    return anyio.run(run)


def test_streamable_http_answers_with_the_key(keyed_url):
    _assert_verified(_ask_over_http(keyed_url, {"Authorization": f"Bearer {KEY}"}))


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY}])
def test_streamable_http_refuses_without_the_key(keyed_url, headers):
    with pytest.raises(ExceptionGroup) as refused:  # the client's task groups wrap what it raises
        _ask_over_http(keyed_url, headers)
    assert refused.group_contains(MCPError, match="Authorization: Bearer <key>"), repr(refused.value)
    plain = httpx.post(keyed_url, headers=headers, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert plain.status_code == 401 and plain.headers["www-authenticate"] == "Bearer"

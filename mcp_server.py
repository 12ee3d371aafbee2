"""The MCP server (`budget-qa mcp`): the assistant as tools an agent can call, over stdio or streamable HTTP.

Wiring and serialisation only, like ``app.py``: answers come from ``assistant``, documents from ``index``,
in the same shapes as the HTTP API's /v1 routes.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hmac
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import INVALID_REQUEST, ErrorData, JSONRPCError, ToolAnnotations
from pydantic import Field, ValidationError
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant import Assistant
from assistant.knowledge import Filters
from index import BudgetQAError, Library, Settings

_INSTRUCTIONS = (
    "Questions over Chinese government budget disclosures (部门预算 / 决算). Every figure in an answer is "
    "checked against the parsed table cell it cites; read `status` before repeating a figure."
)

_P = ParamSpec("_P")
_R = TypeVar("_R")


def build_server(settings: Settings | None = None, assistant: Assistant | None = None) -> MCPServer:
    settings = settings or Settings()
    assistant = assistant or Assistant(settings)
    assistant.library.ingest_samples_if_empty()
    server = MCPServer("budget-qa", instructions=_INSTRUCTIONS)
    tools = _Tools(assistant)
    for tool in (tools.ask, tools.list_documents, tools.get_table, tools.findings):
        server.add_tool(_with_tool_errors(tool), annotations=ToolAnnotations(read_only_hint=True, open_world_hint=False))
    return server


def _with_tool_errors(tool: Callable[_P, _R]) -> Callable[_P, _R]:
    """Our errors become tool errors the agent reads (naming the document or table); the SDK would
    pass any other exception on only as 'Error executing tool …', its message withheld."""

    @functools.wraps(tool)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return tool(*args, **kwargs)
        except BudgetQAError as exc:
            raise ToolError(str(exc)) from exc

    return run


class _Tools:
    """The tools: each asks ``assistant`` or ``index`` and serialises the result. Their docstrings are
    what the agent reads."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.library: Library = assistant.library

    def ask(
        self,
        question: Annotated[str, Field(min_length=1, max_length=2000, description="in Chinese or English")],
        documents: Annotated[list[str] | None, Field(
            description="limit to these documents: ids, id prefixes or source file names from list_documents")] = None,
        filters: Annotated[Filters | None, Field(
            description="ask only documents of this province, city, district, department (any part of its name), "
                        "year or kind (预算 or 决算); none matching is an error")] = None,
        history: Annotated[list[str] | None, Field(
            max_length=20, description="this conversation's earlier questions, oldest first: a follow-up such as "
                                       "'它比上年减少了多少？' is read as being about what they asked")] = None,
    ) -> dict[str, Any]:
        """Answer a question about the ingested budget disclosures, e.g. '企业奖补安排了多少资金？'.

        Returns the answer as JSON: `answer` (the text to show), `status`, `value` and `unit` (the figure,
        e.g. 5000.32 万元), `value_yuan`, `formula`, `citations` (document, page, table, table_id, row,
        column, the cell's text as printed), `conflicts`, `candidates` and `evidence`.

        Every figure is verified against the table cells it cites; `status` says how it stands:
        verified: a cited cell answers the question; computed: arithmetic over cited cells (see `formula`);
        conflict: the document prints different figures for it (see `conflicts`); quoted: the document's
        own words, no figure; candidates: close figures to choose from, none certain; unverified: a figure
        failed its check; not_found: the documents do not say. Repeat a figure as fact only when verified
        or computed. get_table(document, table_id) opens the cited table.
        """
        return self.assistant.ask(question, documents, history, filters).to_json()

    def list_documents(
        self,
        filters: Annotated[Filters | None, Field(description="only documents of this province, city, district, "
                                                             "department, year or kind")] = None,
    ) -> dict[str, Any]:
        """The ingested disclosures (those the filters admit), under `documents`: id (sha256 of the file),
        title, department, year, kind (预算 budget or 决算 final accounts), source file name, pages, `places`
        (province, city, district) and `tables`: each table's id, title, kind, unit, pages and row count,
        project performance forms (ids 'p…') included. Pass a document's id or source and a table's id to
        get_table."""
        self.library.refresh()
        profiles = self.assistant.knowledge.select(filters or Filters())
        return {"documents": [p.listing() | {"tables": self.library.table_list(p.document.id)} for p in profiles]}

    def get_table(
        self,
        document: Annotated[str, Field(description="document id, id prefix or source file name")],
        table: Annotated[str, Field(description="table id such as 't03', or 'p02' for a project performance form")],
    ) -> dict[str, Any]:
        """One parsed table as printed: title, kind, unit, pages, column header, and rows (label, code,
        cells with column path, text as printed, parsed value, page and bbox). These are the cells that
        ask's citations point at; a project performance form gives its budget, targets and indicators."""
        return asdict(self.library.table(document, table))

    def findings(
        self, document: Annotated[str, Field(description="document id, id prefix or source file name")],
    ) -> dict[str, Any]:
        """The document's consistency checks, under `findings`: whether printed totals equal the sum of
        their items, and whether a figure agrees across tables and with the text. Each has check, ok,
        message, expected, actual and the cells compared; ok=false with rounding=true is within what the
        printed rounding allows."""
        doc = self.library.store.resolve(document)
        return {"document": doc.id, "findings": self.library.store.findings(doc.id)}


class RequireKey:
    """The streamable-HTTP transport asks for 'Authorization: Bearer <key>', the HTTP API's key. The SDK's
    own auth is an OAuth resource server (it needs an issuer); one shared key needs only this check."""

    # Refused in the SDK's own error shape, a JSON-RPC error: MCP clients then show its message.
    REFUSAL = JSONRPCError(jsonrpc="2.0", id=None, error=ErrorData(
        code=INVALID_REQUEST, message="a valid 'Authorization: Bearer <key>' header is required"))

    def __init__(self, app: ASGIApp, key: str) -> None:
        self.app, self.expected = app, f"Bearer {key}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            given = dict(scope["headers"]).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                refusal = Response(self.REFUSAL.model_dump_json(by_alias=True, exclude_unset=True), status_code=401,
                                   media_type="application/json", headers={"WWW-Authenticate": "Bearer"})
                return await refusal(scope, receive, send)
        await self.app(scope, receive, send)


def http_app(server: MCPServer, api_key: str, host: str) -> ASGIApp:
    """The streamable-HTTP endpoint at /mcp (DNS-rebinding checks on when bound to localhost)."""
    app = server.streamable_http_app(host=host)
    return RequireKey(app, api_key) if api_key else app


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings(data_dir=args.data) if args.data else Settings()
        # Over stdio, stdout carries the protocol alone: anything printed while the assistant is built
        # or the samples are ingested goes to stderr. (While serving, the SDK diverts fd 1 itself.)
        with contextlib.redirect_stdout(sys.stderr):
            server = build_server(settings)
    except ValidationError as exc:
        for error in exc.errors():
            print(f"error: {error['msg'].removeprefix('Value error, ')}", file=sys.stderr)
        return 2
    except BudgetQAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.transport == "stdio":
        server.run("stdio")
    else:
        import uvicorn

        uvicorn.run(http_app(server, settings.api_key, args.host), host=args.host, port=args.port)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="budget-qa mcp", description="Serve ask, list_documents, get_table and findings to MCP clients.")
    parser.add_argument("--data", type=Path, help="data directory (default: BUDGET_QA_DATA_DIR or ./data)")
    parser.add_argument("--transport", choices=["stdio", "http"], default="stdio",
                        help="stdio for a client that starts the server; http serves streamable HTTP at /mcp")
    parser.add_argument("--host", default="127.0.0.1", help="http: address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="http: port (default: 8765)")
    return parser


if __name__ == "__main__":
    sys.exit(main())

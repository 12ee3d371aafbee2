"""The web app: the HTTP API (FastAPI, docs at /docs and /redoc) with the Gradio UI mounted at ``/``.

Wiring and serialisation only: answers come from ``assistant``, documents from ``index``.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, Literal

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import fastapi_offline
import gradio as gr
from fastapi import APIRouter, Depends, FastAPI, File, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as AsgiMessage

from assistant import Answer, Assistant
from assistant.jobs import FileTooLarge, Jobs
from assistant.knowledge import Filters
from assistant.ui import CSS, build_ui
from index import BudgetQAError, ConfigError, IngestError, Library, NotFound, Settings, UnsupportedDocument
from index.pages import Highlight, render_page

log = logging.getLogger(__name__)


class _Unauthorised(BudgetQAError):
    pass


_STATUS = [(_Unauthorised, 401), (NotFound, 404), (FileTooLarge, 413), (UnsupportedDocument, 415), (IngestError, 422),
           (ConfigError, 500)]


MODEL = "budget-qa"  # the one model /v1/models lists; chat completions answer as it
_ASK_SOMETHING = "Ask a question about the ingested budget disclosures. / 请提出关于已导入预算文件的问题。"
_HIGHLIGHT = "cells to outline: 'x0,top,x1,bottom' boxes (PDF points) or 'row:<label>' / 'cell:<text>', joined by ';'"


class DocumentFilters(BaseModel):
    """Documents by what they are, as their department's name and cover print them; empty admits all."""

    model_config = ConfigDict(extra="forbid")
    province: str = Field("", max_length=40, description="e.g. 河北 (with or without 省)")
    city: str = Field("", max_length=40, description="e.g. 湖州 (with or without 市)")
    district: str = Field("", max_length=40, description="e.g. 鹿泉区 or 鹿泉")
    department: str = Field("", max_length=80, description="any part of the department's name, e.g. 财政局")
    year: int | None = Field(None, ge=1949, le=2100)
    kind: Literal["", "预算", "决算"] = ""
    place: str = Field("", max_length=40, description="a province, city or district, whichever it is")

    def filters(self) -> Filters:
        return Filters(**self.model_dump())


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=2000)
    documents: list[str] | None = Field(None, description="document ids, id prefixes or source file names")
    filters: DocumentFilters | None = Field(
        None, description="ask only documents of this place, department, year or kind (none matching: 404)")
    history: list[str] = Field(
        default_factory=list, max_length=50,
        description="the asker's earlier questions, oldest first: a follow-up ('比上年减少了多少？') inherits their subject",
    )


class Message(BaseModel):
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    model: str = MODEL
    messages: list[Message] = Field(min_length=1)
    stream: bool = False


class ModelCard(BaseModel):
    """One model, in OpenAI's shape: chat front ends list /v1/models to fill their model picker."""

    id: str = MODEL
    object: Literal["model"] = "model"
    created: int = Field(description="when this server started (Unix time)")
    owned_by: str = MODEL


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


def build_app(settings: Settings | None = None, library: Library | None = None, assistant: Assistant | None = None) -> FastAPI:
    settings = settings or Settings()
    assistant = assistant or Assistant(settings, library=library)
    library = assistant.library
    library.ingest_samples_if_empty()
    jobs = Jobs(library, settings.max_upload_mb * 1_000_000)
    api = FastAPI(title="budget-qa", description="Questions over Chinese budget disclosures; every figure verified and cited.",
                  docs_url=None, redoc_url=None)

    _error_envelope(api)
    _offline_docs(api)  # before the UI is mounted at "/", which would answer every path not routed yet

    @api.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "documents": len(library.documents())}

    api.include_router(_v1(settings, assistant, jobs))
    api.add_middleware(UploadLimit, limit=settings.max_upload_mb * 1_000_000, paths=("/v1/documents",))
    # One key for every way in: with it set, the UI and its Gradio API (config, queue, files) ask for it
    # too — a login page for people (any user name, the key as password), `auth=(name, key)` for gradio_client.
    login = {"auth": _ui_login(settings.api_key), "auth_message": _LOGIN_MESSAGE} if settings.api_key else {}
    return gr.mount_gradio_app(api, build_ui(assistant, jobs), path="/", footer_links=[], css=CSS,
                               max_file_size=f"{settings.max_upload_mb}mb", **login)


_LOGIN_MESSAGE = "Enter any user name and the API key as the password. / 用户名任意，密码为 API 密钥。"


class ErrorBody(BaseModel):
    """Every 4xx and 5xx answer of the API."""

    error: str = Field(description="what went wrong, naming the field, file or page")


_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": what} for code, what in [
        (400, "a field that cannot be used"), (401, "no valid API key"), (404, "no such document, table, page or route"),
        (422, "a request that does not match the schema"), (500, "an internal error")]
}
_UPLOAD_ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorBody, "description": "over the upload limit"},
    415: {"model": ErrorBody, "description": "not a PDF or disclosure text"},
}


_DOC_ASSETS = "/docs-assets"
# The pages load from this server only: the browser refuses anything else (ReDoc's footer logo from its CDN, say).
_DOC_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "worker-src 'self' blob:")


def _offline_docs(api: FastAPI) -> None:
    """/docs (Swagger UI) and /redoc, public, with their scripts served from the fastapi-offline
    package instead of a CDN: they work with no internet. Their "try it out" calls need the key."""
    assets = Path(fastapi_offline.__file__).parent / "static"
    api.mount(_DOC_ASSETS, StaticFiles(directory=assets), name="docs-assets")

    @api.get("/docs", include_in_schema=False)
    def swagger(request: Request) -> HTMLResponse:
        at = str(request.scope.get("root_path", ""))
        return _self_only(get_swagger_ui_html(
            openapi_url=f"{at}{api.openapi_url}", title=f"{api.title} — API",
            swagger_js_url=f"{at}{_DOC_ASSETS}/swagger-ui-bundle.js", swagger_css_url=f"{at}{_DOC_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{at}{_DOC_ASSETS}/favicon.png"))

    @api.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        at = str(request.scope.get("root_path", ""))
        return _self_only(get_redoc_html(
            openapi_url=f"{at}{api.openapi_url}", title=f"{api.title} — API",
            redoc_js_url=f"{at}{_DOC_ASSETS}/redoc.standalone.js", redoc_favicon_url=f"{at}{_DOC_ASSETS}/favicon.png",
            with_google_fonts=False))


def _self_only(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = _DOC_POLICY
    return page


def _error_envelope(api: FastAPI) -> None:
    """One body for every error: {"error": "…"} — ours, validation, unknown routes, and the unexpected."""

    @api.exception_handler(BudgetQAError)
    def user_error(_: Request, exc: BudgetQAError) -> JSONResponse:
        status = next((code for kind, code in _STATUS if isinstance(exc, kind)), 400)
        return JSONResponse({"error": str(exc)}, status_code=status)

    @api.exception_handler(RequestValidationError)
    def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        said = "; ".join(f"{'.'.join(str(p) for p in e['loc'] if p != 'body') or 'body'}: {e['msg']}" for e in exc.errors()[:3])
        return JSONResponse({"error": said or "the request does not match the schema"}, status_code=422)

    @api.exception_handler(StarletteHTTPException)
    def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @api.exception_handler(Exception)
    def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return JSONResponse({"error": "internal error; the server log has the details"}, status_code=500)


class UploadLimit:
    """Uploads are counted as the body streams in: over the limit the answer is 413 at once (by the
    declared length, or as soon as the bytes pass it), never after the whole body sits on disk."""

    SLACK = 64_000  # the multipart envelope around the file

    def __init__(self, app: ASGIApp, limit: int, paths: tuple[str, ...]) -> None:
        self.app, self.limit, self.paths = app, limit + self.SLACK, paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] not in self.paths:
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            return await self._refuse(send)
        seen, over = 0, False

        async def counted() -> AsgiMessage:
            nonlocal seen, over
            message = await receive()
            seen += len(message.get("body", b"")) if message["type"] == "http.request" else 0
            if seen > self.limit:
                over = True
                return {"type": "http.disconnect"}  # the handler stops reading; we answer
            return message

        async def unless_over(message: AsgiMessage) -> None:
            if not over:
                await send(message)

        try:
            await self.app(scope, counted, unless_over)
        except Exception:
            if not over:
                raise
        if over:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        mb = (self.limit - self.SLACK) / 1_000_000
        await JSONResponse({"error": f"the upload is over the limit of {mb:g} MB"}, status_code=413)(
            {"type": "http"}, _nothing, send)


async def _nothing() -> AsgiMessage:
    return {"type": "http.disconnect"}


def _ui_login(key: str) -> Callable[[str, str], bool]:
    def check(_user: str, password: str) -> bool:
        return hmac.compare_digest(password.encode(), key.encode())

    return check


_BEARER = HTTPBearer(auto_error=False, description="the server's API key (BUDGET_QA_API_KEY)")


def _key_check(key: str) -> list[Any]:
    """With a key set, every /v1 route wants 'Authorization: Bearer <key>'; the OpenAPI document then
    declares it, so /docs offers an Authorize button. Without a key it declares no auth, truthfully."""
    if not key:
        return []

    def authorised(given: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)]) -> None:
        if given is None or not hmac.compare_digest(given.credentials.encode(), key.encode()):
            raise _Unauthorised("a valid 'Authorization: Bearer <key>' header is required")

    return [Depends(authorised)]


def _v1(settings: Settings, assistant: Assistant, jobs: Jobs) -> APIRouter:
    v1 = APIRouter(prefix="/v1", dependencies=_key_check(settings.api_key), responses=_ERRORS)
    routes = _Routes(settings, assistant, jobs)
    v1.add_api_route("/ask", routes.ask, methods=["POST"])
    v1.add_api_route("/documents", routes.documents, methods=["GET"])
    v1.add_api_route("/documents", routes.upload, methods=["POST"], status_code=202, responses=_UPLOAD_ERRORS)
    v1.add_api_route("/jobs/{job_id}", routes.job, methods=["GET"])
    v1.add_api_route("/jobs/{job_id}", routes.cancel, methods=["DELETE"])
    v1.add_api_route("/documents/{ref}", routes.delete, methods=["DELETE"])
    v1.add_api_route("/documents/{ref}/tables", routes.tables, methods=["GET"])
    v1.add_api_route("/documents/{ref}/tables/{table_id}", routes.table, methods=["GET"])
    v1.add_api_route("/documents/{ref}/findings", routes.findings, methods=["GET"])
    v1.add_api_route("/documents/{ref}/pages/{page}.png", routes.page, methods=["GET"], response_class=Response)
    v1.add_api_route("/chat/completions", routes.chat, methods=["POST"], response_model=None, responses={200: {
        "description": "a chat.completion, or with `stream: true` server-sent chat.completion.chunk events",
        "content": {"application/json": {}, "text/event-stream": {}}}})
    v1.add_api_route("/models", routes.models, methods=["GET"])
    v1.add_api_route("/models/{model}", routes.model, methods=["GET"])
    # an unknown /v1 route is ours to answer, in the envelope (else the UI mounted at / would)
    v1.add_api_route("/{rest:path}", routes.unknown, methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                     include_in_schema=False)
    return v1


class _Routes:
    """The /v1 handlers: each asks ``assistant`` or ``index`` and serialises the result."""

    def __init__(self, settings: Settings, assistant: Assistant, jobs: Jobs) -> None:
        self.settings, self.assistant, self.jobs = settings, assistant, jobs
        self.library = assistant.library
        self.card = ModelCard(created=int(time.time()))

    def unknown(self, request: Request, rest: str) -> None:
        raise NotFound(f"no route {request.method} /v1/{rest[:80]}")

    def ask(self, body: AskRequest) -> dict[str, Any]:
        filters = body.filters.filters() if body.filters else None
        return self.assistant.ask(body.question, body.documents, body.history, filters).to_json()

    def documents(self, filters: Annotated[DocumentFilters, Query()]) -> list[dict[str, Any]]:
        """The ingested documents (those the filters admit), each with the places its name prints."""
        self.library.refresh()
        return [p.listing() for p in self.assistant.knowledge.select(filters.filters())]

    async def upload(self, file: UploadFile = File(...)) -> dict[str, Any]:  # noqa: B008 (FastAPI declares form files so)
        data = await file.read(self.settings.max_upload_mb * 1_000_000 + 1)
        return asdict(self.jobs.submit(data, file.filename or ""))

    def job(self, job_id: str) -> dict[str, Any]:
        return asdict(self.jobs.get(job_id))

    def cancel(self, job_id: str) -> dict[str, Any]:
        """Stop an ingestion job; it ends "cancelled" and leaves nothing behind."""
        return asdict(self.jobs.cancel(job_id))

    def delete(self, ref: str) -> dict[str, Any]:
        return {"deleted": asdict(self.library.delete(ref))}

    def tables(self, ref: str) -> list[dict[str, Any]]:
        return self.library.table_list(ref, forms=False)

    def table(self, ref: str, table_id: str) -> dict[str, Any]:
        return asdict(self.library.table(ref, table_id))

    def findings(self, ref: str) -> list[dict[str, Any]]:
        return self.library.store.findings(self.library.store.resolve(ref).id)

    def page(self, ref: str, page: int, highlight: str = Query("", description=_HIGHLIGHT)) -> Response:
        doc = self.library.store.resolve(ref)
        png = render_page(self.library.original(doc.id, doc.source), page, Highlight.parse(highlight))
        return Response(png, media_type="image/png")

    def chat(self, body: ChatRequest) -> dict[str, Any] | StreamingResponse:
        asked = [_text(m.content) for m in body.messages if m.role == "user"]
        question = asked[-1] if asked else ""
        if question.strip():
            answer = self.assistant.ask(question, history=[q for q in asked[:-1] if q.strip()])
        else:  # nothing asked yet: said as a chat reply, as chat front ends expect
            answer = Answer(question, "en", _ASK_SOMETHING, "not_found")
        if body.stream:
            return StreamingResponse(_stream(answer, body.model), media_type="text/event-stream")
        return _completion(answer, body.model)

    def models(self) -> ModelList:
        """The models to pick from, as OpenAI lists them: one, budget-qa."""
        return ModelList(data=[self.card])

    def model(self, model: str) -> ModelCard:
        if model != self.card.id:
            raise NotFound(f"no model '{model[:80]}'; this server answers as '{self.card.id}'")
        return self.card


def _text(content: str | list[dict[str, Any]] | None) -> str:
    if isinstance(content, list):  # OpenAI content parts: keep the text ones
        return " ".join(str(part.get("text", "")) for part in content if part.get("type") == "text")
    return content or ""


def _completion(answer: Answer, model: str) -> dict[str, Any]:
    data = answer.to_json()
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": answer.answer}}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "citations": data["citations"], "budget_qa": _extra(data),
    }


def _extra(data: dict[str, Any]) -> dict[str, Any]:
    """The Answer beyond the text, for clients that read it (status, value, formula, conflicts…)."""
    return {k: v for k, v in data.items() if k not in ("citations", "evidence")}


def _stream(answer: Answer, model: str) -> Iterator[str]:
    """Server-sent events in the chat.completion.chunk format; citations ride on the last chunk."""
    ident, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        body = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    text = answer.answer
    for start in range(0, len(text), 12):
        yield chunk({"content": text[start : start + 12]})
    data = answer.to_json()
    yield chunk({}, "stop", citations=data["citations"], budget_qa=_extra(data))
    yield "data: [DONE]\n\n"


def main() -> None:
    import uvicorn

    settings = Settings()
    uvicorn.run(build_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()

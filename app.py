"""The web app: FastAPI (HTTP API) with the Gradio UI mounted at ``/``. Wiring only.

The question-answering UI and the full API come with their issues; today the UI browses
the ingested documents, their parsed tables and consistency findings.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr
from fastapi import FastAPI

from index import Library, NotFound, Settings


def build_app(settings: Settings | None = None, library: Library | None = None) -> FastAPI:
    settings = settings or Settings()
    library = library or Library(settings)
    library.ingest_samples_if_empty()
    api = FastAPI(title="budget-qa", description="Questions over Chinese budget disclosures, figures verified.")

    @api.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "documents": len(library.documents())}

    @api.get("/v1/documents")
    def documents() -> list[dict[str, Any]]:
        return [d.__dict__ for d in library.documents()]

    return gr.mount_gradio_app(api, _ui(library), path="/", footer_links=[])


def _ui(library: Library) -> gr.Blocks:
    def doc_choices() -> list[tuple[str, str]]:
        return [(f"{d.department} {d.year}年{d.kind} ({d.source})", d.id) for d in library.documents()]

    def table_choices(doc: str | None) -> Any:
        if not doc:
            return gr.update(choices=[], value=None)
        tables = library.store.tables(doc)
        return gr.update(choices=[(f"{t.id} {t.title}", t.id) for t in tables], value=tables[0].id if tables else None)

    def show_table(doc: str | None, table: str | None) -> list[list[str]]:
        if not doc or not table:
            return []
        try:
            parsed = library.store.table(doc, table)
        except NotFound:
            return []
        return [
            [r.group, r.code, r.label, "；".join(f"{'/'.join(c.column)}={c.text}" for c in r.cells if c.text), str(r.page)]
            for r in parsed.rows
        ]

    def findings(doc: str | None) -> list[list[str]]:
        if not doc:
            return []
        ordered = sorted(library.store.findings(doc), key=lambda f: f["ok"])
        return [["✓" if f["ok"] else "✗", f["check"], f["message"]] for f in ordered]

    with gr.Blocks(title="预算公开问答 · Budget disclosure QA") as ui:
        gr.Markdown("## 预算公开问答 · Budget disclosure QA\nBrowse the parsed tables and consistency findings.")
        doc = gr.Dropdown(choices=doc_choices(), label="Document / 文件")
        table = gr.Dropdown(choices=[], label="Table / 表")
        grid = gr.Dataframe(headers=["栏", "编码", "项目", "数值", "页"], label="Parsed table", wrap=True)
        checks = gr.Dataframe(headers=["", "check", "finding"], label="Consistency findings", wrap=True)
        doc.change(table_choices, doc, table).then(findings, doc, checks)
        table.change(show_table, [doc, table], grid)
    return ui


if __name__ == "__main__":
    import uvicorn

    settings = Settings()
    uvicorn.run(build_app(settings), host=settings.host, port=settings.port)

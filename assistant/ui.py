"""The Gradio web UI: chat with streaming answers, a verification badge and numbered citations;
a citation opens its page image with the cell outlined and the parsed table with the row marked;
a documents panel uploads, lists, deletes and browses tables and findings.
"""

from __future__ import annotations

import html
import io
import time
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

import gradio as gr
from PIL import Image

from assistant.assistant import Assistant
from assistant.jobs import Jobs
from assistant.types import Answer, Citation
from index import BudgetQAError, NotFound
from index.pages import Highlight, render_page

BADGES = {  # plain symbols: emoji fonts are rarely installed where disclosures are read
    "verified": "✓ verified · 已核实",
    "computed": "∑ computed · 计算得出",
    "conflict": "⚠ conflict · 文件前后不一致",
    "quoted": "❝ quoted · 原文引用",
    "candidates": "? candidates · 请选择",
    "unverified": "✗ unverified · 未核实",
    "not_found": "∅ not found · 未找到",
}
EXAMPLES = [
    "企业奖补安排了多少资金？",
    "鹿泉区科技局公务接待费比上年减少了多少？",
    "财政局项目支出占比是多少？",
    "财政局财政拨款收入支出总计是多少？",
    "哪个部门的住房公积金最多？",
    "What share of spending is project spending at the Luquan science and technology bureau?",
    "How much did the finance bureau spend on business travel?",
    "Why did official reception expenses decrease at the Luquan bureau?",
]


# Candidates are chips: each a figure the asker can pick, which opens its cell (passed at mount).
CSS = """
#candidates .wrap { gap: 6px; }
#candidates label { border-radius: 999px; padding: 4px 12px; border: 1px solid var(--border-color-accent); }
"""


def build_ui(assistant: Assistant, jobs: Jobs) -> gr.Blocks:
    with gr.Blocks(title="预算公开问答 · Budget disclosure QA") as ui:
        gr.Markdown("## 预算公开问答 · Budget disclosure QA\nEvery figure is checked against the parsed tables and cited.")
        with gr.Tab("问答 · Ask"):
            _chat_tab(assistant)
        with gr.Tab("文件 · Documents"):
            _documents_tab(assistant, jobs)
    return ui


def _chat_tab(assistant: Assistant) -> None:
    citations = gr.State([])
    with gr.Row():
        with gr.Column(scale=3):
            chat = gr.Chatbot(elem_id="chat", height=460, label="Chat")
            question = gr.Textbox(elem_id="question", label="Question / 问题", placeholder="企业奖补安排了多少资金？")
            gr.Examples(EXAMPLES, inputs=question, label="Examples / 示例")
        with gr.Column(scale=2):
            details = gr.Markdown(elem_id="answer-details")
            chips = gr.Radio([], label="Candidates — pick one / 候选数字，请选择", elem_id="candidates", type="index",
                             visible=False)
            pick = gr.Radio([], label="Citations / 出处", elem_id="citations", type="index")
            page = gr.Image(label="Page / 原文页面", elem_id="page-image", type="pil", interactive=False)
            table = gr.HTML(elem_id="cited-table")

    offered = gr.State([])

    def respond(text: str, history: list[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
        asked = [str(m["content"]) for m in history if m.get("role") == "user" and isinstance(m.get("content"), str)]
        history = [*history, {"role": "user", "content": text}, {"role": "assistant", "content": ""}]
        answer = assistant.ask(text, history=asked)
        shown = ""
        for start in range(0, len(answer.answer), 8):  # stream the checked text as it is revealed
            shown = answer.answer[: start + 8]
            history[-1] = {"role": "assistant", "content": shown}
            yield "", history, gr.update(), gr.update(), [], gr.update(), []
            time.sleep(0.01)
        history[-1] = {"role": "assistant", "content": f"{answer.answer}\n\n**{BADGES[answer.status]}**"}
        choices = [_citation_label(n, c) for n, c in enumerate(answer.citations, start=1)]
        candidates = [_chip_label(c) for c in answer.candidates]
        yield ("", history, details_markdown(answer), gr.update(choices=choices, value=None),
               [asdict(c) for c in answer.citations],
               gr.update(choices=candidates, value=None, visible=bool(candidates)), [asdict(c) for c in answer.candidates])

    def open_citation(index: int | None, cited: list[dict[str, Any]]) -> tuple[Any, str]:
        if index is None or index >= len(cited):
            return None, ""
        citation = _citation(cited[index])
        return _page_image(assistant, citation), _table_html(assistant, citation)

    def pick_candidate(index: int | None, cited: list[dict[str, Any]], history: list[dict[str, Any]]) -> tuple[Any, ...]:
        """The asker's pick: its cell opened, and said in the chat as the asker's choice, not a verification."""
        if index is None or index >= len(cited):
            return None, "", history
        citation = _citation(cited[index])
        said = f"You picked / 您选择了：{_chip_label(citation)} — {_where(citation)}"
        return _page_image(assistant, citation), _table_html(assistant, citation), [*history, {"role": "assistant",
                                                                                               "content": said}]

    question.submit(respond, [question, chat], [question, chat, details, pick, citations, chips, offered])
    pick.change(open_citation, [pick, citations], [page, table])
    chips.change(pick_candidate, [chips, offered, chat], [page, table, chat])


def details_markdown(answer: Answer) -> str:
    lines = [f"### {BADGES[answer.status]}"]
    if answer.value is not None:
        in_yuan = f" · {answer.value_yuan:,.0f} 元" if answer.value_yuan else ""
        lines.append(f"**{answer.value:,.2f} {answer.unit or ''}**{in_yuan}")
    if answer.formula:
        lines.append(f"Formula / 计算：`{answer.formula}`")
    for conflict in answer.conflicts:
        lines.append(f"Conflicting figure / 另一数字：{conflict.value:g} {conflict.unit} — {_where(conflict.citation)}")
    for number, citation in enumerate(answer.citations, start=1):
        lines.append(f"[{number}] {_where(citation)} {html.escape(citation.text[:80])}")
    lines.append(f"<sub>{answer.timings_ms.get('total', 0):.0f} ms</sub>")
    return "\n\n".join(lines)


def _where(citation: Citation) -> str:
    place = citation.table or citation.section or citation.document_title
    cell = " / ".join(p for p in (citation.entity, citation.row, citation.column) if p)
    read = " · read by OCR / OCR识别" if citation.ocr else ""
    return f"{citation.document_title} · {place} · p. {citation.page}" + (f" · {cell}" if cell else "") + read


def _citation(data: dict[str, Any]) -> Citation:
    return Citation(**{**data, "bbox": tuple(data["bbox"]) if data["bbox"] else None})


def _chip_label(citation: Citation) -> str:
    """"住房公积金 / 合计 · 73.13 万元 · …财政拨款基本支出表 p.15": what, how much and where, short enough
    for a chip."""
    leaf = (citation.column or "").split(" / ")[-1]
    what = " / ".join(p for p in (citation.entity, citation.row, leaf) if p) or (citation.section or "")[:20]
    figure = f"{citation.value:,.2f} {citation.unit or ''}".strip() if citation.value is not None else ""
    where = f"{(citation.table or '')[-14:]} p.{citation.page}".strip()
    return " · ".join(p for p in (what[:30], figure, where) if p)


def _citation_label(number: int, citation: Citation) -> str:
    place = citation.table or citation.section or ""
    figure = citation.text[:20] if citation.value is not None else ""
    return f"[{number}] p.{citation.page} {place[:30]} {citation.row or ''} {figure}"


def _page_image(assistant: Assistant, citation: Citation) -> Image.Image | None:
    parts = [",".join(f"{v:.2f}" for v in citation.bbox)] if citation.bbox else []
    if citation.row:
        parts.append(f"row:{citation.row}")
    if citation.text and citation.value is not None:
        parts.append(f"cell:{citation.text}")
    try:
        document = assistant.library.store.resolve(citation.document)
        original = assistant.library.original(document.id, document.source)
        png = render_page(original, citation.page, Highlight.parse(";".join(parts)))
    except BudgetQAError:
        return None
    return Image.open(io.BytesIO(png))


def _table_html(assistant: Assistant, citation: Citation) -> str:
    if citation.table_id and citation.table_id.startswith("p"):
        return _project_html(assistant, citation)
    if not citation.table_id:
        return f"<blockquote>{html.escape(citation.text)}</blockquote>" if citation.section else ""
    try:
        table = assistant.library.store.table(citation.document, citation.table_id)
    except NotFound:
        return ""
    header = "".join(f"<th>{html.escape('/'.join(path))}</th>" for path in table.header)
    body = []
    for row in table.rows:
        marked = row.label == citation.row and (not citation.code or row.code == citation.code)
        cells = "".join(
            f"<td{' class=cited' if marked and '/'.join(c.column) == (citation.column or '').replace(' / ', '/') else ''}>"
            f"{html.escape(c.text)}</td>" for c in row.cells
        )
        body.append(f"<tr{' class=cited-row' if marked else ''}><td>{row.code}</td><td>{html.escape(row.label)}</td>{cells}</tr>")
    style = "<style>.cited-row{background:#fff3c4}.cited{outline:3px solid #d22;font-weight:bold}</style>"
    return (f"{style}<b>{html.escape(table.title)}</b>（{table.unit}）<div style='max-height:360px;overflow:auto'>"
            f"<table><tr><th>编码</th><th>项目</th>{header}</tr>{''.join(body)}</table></div>")


def _project_html(assistant: Assistant, citation: Citation) -> str:
    """A performance-target table: the form and its indicators, the cited line marked."""
    found = [p for p in assistant.library.store.performance(citation.document) if p.id == citation.table_id]
    if not found:
        return ""
    project = found[0]
    rows = [("预算数", f"{project.budget:.2f}" if project.budget is not None else "", citation.column == "预算数")]
    rows += [(f"{i.level2} / {i.level3}", i.value_text, i.level3 == citation.row) for i in project.indicators]
    body = "".join(f"<tr{' class=cited-row' if marked else ''}><td>{html.escape(name)}</td><td>{html.escape(value)}</td></tr>"
                   for name, value, marked in rows)
    return (f"<style>.cited-row{{background:#fff3c4;font-weight:bold}}</style><b>{html.escape(project.title)}</b>"
            f"（{project.unit}）<table>{body}</table>")


def _documents_tab(assistant: Assistant, jobs: Jobs) -> None:
    panel = _Documents(assistant, jobs)
    upload = gr.File(label="Upload a PDF or disclosure text / 上传", file_types=[".pdf", ".txt"], elem_id="upload")
    status = gr.Markdown(elem_id="upload-status")
    documents = gr.Dataframe(panel.listing(), headers=["id", "department", "year", "kind", "pages", "file"],
                             elem_id="documents", label="Documents / 已导入文件", interactive=False)
    with gr.Row():
        # no document is chosen until the asker chooses one: Delete never acts on a default
        document = gr.Dropdown(panel.choices()["choices"], value=None, label="Document / 文件", elem_id="document-pick")
        delete = gr.Button("Delete / 删除", variant="stop", elem_id="delete")
    table_pick = gr.Dropdown([], label="Table / 表", elem_id="table-pick")
    grid = gr.Dataframe(headers=["编码", "项目", "数值", "页"], label="Parsed table / 解析结果", wrap=True)
    findings = gr.Dataframe(headers=["", "check", "finding"], label="Consistency findings / 一致性检查", wrap=True)
    upload.upload(panel.start, upload, [status, documents, document])
    delete.click(panel.remove, document, [documents, document, status])
    document.change(panel.tables, document, table_pick).then(panel.checks, document, findings)
    table_pick.change(panel.show, [document, table_pick], grid)


class _Documents:
    """The documents panel's handlers."""

    def __init__(self, assistant: Assistant, jobs: Jobs) -> None:
        self.library, self.jobs = assistant.library, jobs

    def listing(self) -> list[list[Any]]:
        return [[d.id[:12], d.department, d.year, d.kind, d.pages, d.source] for d in self.library.documents()]

    def choices(self) -> dict[str, Any]:
        return gr.update(choices=[(f"{d.department} {d.year}{d.kind} ({d.source})", d.id) for d in self.library.documents()])

    def start(self, path: str | None) -> Iterator[tuple[Any, ...]]:
        """Upload → ingestion job, its progress shown until it ends."""
        if not path:
            return
        with open(path, "rb") as handle:
            data = handle.read()
        try:
            job = self.jobs.submit(data, path.rsplit("/", 1)[-1])
        except BudgetQAError as exc:
            yield f"✗ {exc}", self.listing(), self.choices()
            return
        while job.state in ("queued", "running"):
            yield f"… {job.source}: {job.pages_done}/{job.pages_total or '?'} pages", gr.update(), gr.update()
            time.sleep(0.3)
        message = f"✓ {job.source} ingested" if job.state == "done" else f"✗ {job.error}"
        yield message, self.listing(), self.choices()

    def remove(self, doc: str | None) -> tuple[Any, ...]:
        """Delete the document chosen — an explicit id, never a default."""
        if not doc:
            return gr.update(), gr.update(), "✗ Choose a document to delete / 请先选择要删除的文件"
        deleted = self.library.delete(doc)
        said = f"{deleted.department} {deleted.year}{deleted.kind} ({deleted.source})"
        return self.listing(), {**self.choices(), "value": None}, f"Deleted / 已删除：{said}"

    def tables(self, doc: str | None) -> dict[str, Any]:
        found = self.library.store.tables(doc) if doc else []
        return gr.update(choices=[(f"{t.id} {t.title}", t.id) for t in found], value=None)

    def show(self, doc: str | None, table: str | None) -> list[list[str]]:
        if not doc or not table:
            return []
        parsed = self.library.store.table(doc, table)
        return [[r.code, r.label, "；".join(f"{'/'.join(c.column)}={c.text}" for c in r.cells if c.text), str(r.page)]
                for r in parsed.rows]

    def checks(self, doc: str | None) -> list[list[str]]:
        ordered = sorted(self.library.store.findings(doc), key=lambda f: f["ok"]) if doc else []
        return [["✓" if f["ok"] else "✗", f["check"], f["message"]] for f in ordered]

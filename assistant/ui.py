"""The Gradio web UI, a live view of the index.

Ask: a chat with streaming answers, a verification badge and numbered citations; a citation
opens its page with the cell outlined, a zoomed crop of that cell beside it, and the parsed
table with the row marked. Questions can be limited to chosen documents; the chat is kept in
the browser (local storage) and restored on reload.

Documents: upload with progress (pages read, then indexing), browse tables and consistency
findings, delete after a confirmation that names the document.

Documents, tables and findings are read afresh on every visit and whenever the index changes
from anywhere (this tab, another tab, the API, the CLI): a timer compares a cheap fingerprint
of the documents. Strings are Chinese first, English for English browsers and questions.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from typing import Any, NamedTuple, TypeVar

import gradio as gr
import numpy as np
from PIL import Image

from assistant.assistant import Assistant
from assistant.jobs import Job, Jobs
from assistant.knowledge import Filters, Profile
from assistant.types import Answer, Citation
from assistant.ui_words import BADGES, CHECKS, EXAMPLES, REVIEWS, TEXT, headers, language, say
from index import BudgetQAError, NotFound
from index.checks import compared_pages
from index.pages import OUTLINE, Highlight, render_page
from index.types import Document

POLL_SECONDS = 2.0  # how often an open page asks whether the documents changed
STREAM_STEP = 8  # characters revealed per streamed chunk

# Passed at mount (app.py). Candidates are chips; the cited cell keeps its contrast in both themes;
# the row-label column of a cited table is never squeezed; on a phone the page image is full width.
CSS = """
#candidates .wrap { gap: 6px; }
#candidates label { border-radius: 999px; padding: 4px 12px; border: 1px solid var(--border-color-accent); }
#cited-table .scroll { max-height: 420px; overflow: auto; }
#cited-table table { border-collapse: collapse; font-size: 13px; width: max-content; max-width: none; }
#cited-table th, #cited-table td { padding: 3px 8px; border: 1px solid var(--border-color-primary); text-align: left; }
#cited-table td.code { white-space: nowrap; }
#cited-table td.label, #cited-table th.label { min-width: 10em; white-space: nowrap; }
#cited-table td.num { text-align: right; white-space: nowrap; }
#cited-table tr.cited-row td { background: #fff3c4; color: #1f1f1f; }
#cited-table td.cited { background: #ffd54f; color: #111111; font-weight: bold; outline: 3px solid #d22; }
.dark #cited-table tr.cited-row td { background: #4a3b00; color: #fff8dc; }
.dark #cited-table td.cited { background: #6b5200; color: #ffffff; outline-color: #ff7070; }
#page-image img, #page-zoom img { object-fit: contain; }
/* Gradio scopes rules inside @media to its content, which the app's 32 px side padding is outside of:
   that padding is dropped on a phone (≤ 420 px) by a clamp on the viewport width instead. */
.main.app { padding-left: clamp(2px, (100vw - 420px) * 1000, var(--size-8)) !important;
            padding-right: clamp(2px, (100vw - 420px) * 1000, var(--size-8)) !important; }
@media (max-width: 420px) {
  #page-image { padding: 0 !important; border-width: 0 !important; }
  #page-image img { width: 100% !important; height: auto !important; max-height: none !important; }
}
"""
_BROWSER = "(language, ...rest) => [navigator.language || '', ...rest]"
_SCROLL_TO_CITED = """() => {
  const row = document.querySelector('#cited-table tr.cited-row');
  const box = row && row.closest('.scroll');
  if (box) box.scrollTop = Math.max(0, row.offsetTop - box.clientHeight / 3);
}"""
_ZOOM_WIDTH, _ZOOM_MARGIN = 460, 70  # page pixels around the outlined cell; the crop is shown doubled

C = TypeVar("C", bound=gr.blocks.Block)


def build_ui(assistant: Assistant, jobs: Jobs) -> gr.Blocks:
    with gr.Blocks(title="预算公开问答 · Budget disclosure QA") as ui:
        words = _Words()
        words.make(gr.Markdown, {"value": "header"})
        lang = gr.State("")  # set from the browser on load; "" (both languages) for API callers
        browser = gr.Textbox(visible=False)
        with words.make(gr.Tab, {"label": "tab_ask"}, id="ask"):
            ask = _Ask(assistant, words, lang)
        with words.make(gr.Tab, {"label": "tab_documents"}, id="documents"):
            documents = _Documents(assistant, jobs, words, lang, ask.scope, ask.filters)
        refresh_in = [lang, documents.pick, ask.scope, documents.find, *ask.filters]

        def visit(browser_language: str, saved: list[dict[str, Any]] | None, _: str, *current: Any) -> dict[Any, Any]:
            """A page visit: the browser's language, the kept chat, the documents as they are now."""
            chosen_language = language(browser_language)
            updates = words.updates(chosen_language)
            for component, value in zip(documents.refresh_out, documents.refreshed(chosen_language, *current),
                                        strict=True):
                updates[component] = {**updates.get(component, {}), **_as_update(value)}
            return {lang: chosen_language, ask.chat: saved or [], **updates}

        ui.load(visit, [browser, ask.saved, *refresh_in], [lang, ask.chat, *documents.refresh_out, *words.components()],
                js=_BROWSER, show_progress="hidden", api_visibility="private")
        gr.Timer(POLL_SECONDS).tick(documents.poll, [documents.seen, *refresh_in], documents.refresh_out,
                                    show_progress="hidden", concurrency_limit=None, api_visibility="private")
        # what the list and the pickers offer follows the find box and the question's filters
        gr.on([documents.find.change, ask.place.change, ask.year.change, ask.kind.change], documents.refreshed, refresh_in,
              documents.refresh_out, show_progress="hidden", trigger_mode="always_last", api_visibility="private")
    return ui


def _as_update(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) and value.get("__type__") == "update" else gr.update(value=value)


class _Words:
    """The UI's fixed strings, by key: each component is built in Chinese and switched on load."""

    def __init__(self) -> None:
        self.places: list[tuple[Any, dict[str, str]]] = []

    def make(self, kind: Callable[..., C], texts: dict[str, str], **kwargs: Any) -> C:
        component = kind(**{attr: TEXT["zh"][key] for attr, key in texts.items()}, **kwargs)
        self.places.append((component, texts))
        return component

    def components(self) -> list[Any]:
        return [component for component, _ in self.places]

    def updates(self, lang: str) -> dict[Any, Any]:
        if lang == "zh":
            return {}
        return {component: gr.update(**{attr: say(lang, key) for attr, key in texts.items()})  # type: ignore[arg-type]
                for component, texts in self.places}


class _Ask:
    """The Ask tab: its components and handlers."""

    def __init__(self, assistant: Assistant, words: _Words, lang: Any) -> None:
        self.assistant = assistant
        self.saved = gr.BrowserState([], storage_key="budget-qa-chat", secret=_browser_secret(assistant))
        self.cited, self.offered = gr.State([]), gr.State([])
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                with gr.Row(equal_height=True):  # which documents by what they are: a few among thousands
                    self.place = words.make(gr.Textbox, {"label": "place"}, value="", elem_id="filter-place", scale=2,
                                            placeholder="湖州 / 普陀区", max_length=40)
                    self.year = words.make(gr.Textbox, {"label": "year"}, value="", elem_id="filter-year", scale=1,
                                           placeholder="2026", max_length=4)
                    self.kind = words.make(gr.Radio, {"label": "kind"}, choices=["预算", "决算"], value=None,
                                           elem_id="filter-kind", scale=2)
                self.filters = [self.place, self.year, self.kind]
                self.scope = words.make(gr.Dropdown, {"label": "scope"}, choices=[], value=[], multiselect=True,
                                        allow_custom_value=True, elem_id="ask-documents")
                self.chat = words.make(gr.Chatbot, {"label": "chat"}, elem_id="chat", height=440)
                with gr.Row(equal_height=True):
                    self.question = words.make(gr.Textbox, {"label": "question", "placeholder": "placeholder"},
                                               elem_id="question", scale=6, lines=1, max_lines=4)
                    self.send = words.make(gr.Button, {"value": "send"}, variant="primary", elem_id="send", scale=1,
                                           min_width=80)
                    # the question being answered: the box is free for the next one the moment one is sent
                    self.asked = gr.Textbox(visible=False)
                self.new_chat = words.make(gr.Button, {"value": "new_chat"}, size="sm", elem_id="new-chat")
                self.examples = words.make(gr.Dataset, {"label": "examples"}, components=[self.question],
                                           samples=[[q] for q in EXAMPLES], elem_id="examples", samples_per_page=8)
            with gr.Column(scale=2, min_width=320):
                self.details = gr.Markdown(elem_id="answer-details")
                self.chips = words.make(gr.Radio, {"label": "candidates"}, choices=[], elem_id="candidates",
                                        type="index", visible=False)
                self.pick = words.make(gr.Radio, {"label": "citations"}, choices=[], elem_id="citations", type="index")
                self.zoom = words.make(gr.Image, {"label": "zoom"}, elem_id="page-zoom", type="pil", interactive=False,
                                       format="png", buttons=["fullscreen"])
                self.table = gr.HTML(elem_id="cited-table")
        self.page = words.make(gr.Image, {"label": "page"}, elem_id="page-image", type="pil", interactive=False,
                               format="png", buttons=["download", "fullscreen"])
        self._wire(lang)

    def _wire(self, lang: Any) -> None:
        answer_in = [self.asked, self.chat, self.scope, lang, self.place, self.year, self.kind]
        answer_out = [self.asked, self.chat, self.details, self.pick, self.cited, self.chips, self.offered, self.saved]
        # One answering event for Enter and Send: a question sent while an answer streams waits for it
        # ("always_last", not Gradio's default of dropping the click) and then sees it in the history.
        sent = gr.on([self.question.submit, self.send.click], None, self.question, [self.question, self.asked],
                     js="(q) => ['', q]", api_visibility="private")
        sent.then(self.respond, answer_in, answer_out, api_name="ask", trigger_mode="always_last")
        self.examples.click(lambda sample: sample[0], self.examples, self.asked, api_visibility="private").then(
            self.respond, answer_in, answer_out, api_visibility="private")
        self.new_chat.click(self.clear, None, [*answer_out, self.page, self.zoom, self.table], api_name="new_chat")
        evidence = [self.page, self.zoom, self.table]
        self.pick.change(self.open_citation, [self.pick, self.cited, lang], evidence, api_name="open_citation").then(
            None, js=_SCROLL_TO_CITED)
        self.chips.change(self.pick_candidate, [self.chips, self.offered, self.chat, lang],
                          [*evidence, self.chat, self.saved], api_name="pick_candidate").then(None, js=_SCROLL_TO_CITED)

    def respond(self, text: str, history: list[dict[str, Any]], scope: list[str] | None, lang: str,
                place: str = "", year: str = "", kind: str | None = None) -> Iterator[tuple[Any, ...]]:
        """The question answered (within the chosen documents and filters, or all), streamed, then its
        details and citations. The question slot is never written: a question sent meanwhile waits there."""
        text = (text or "").strip()
        if not text:
            yield (gr.skip(),) * 8
            return
        history = _plain(history)
        asked = [m["content"] for m in history if m["role"] == "user"]
        history += [{"role": "user", "content": text}, {"role": "assistant", "content": ""}]
        year = (year or "").strip()
        if year and not re.fullmatch(r"\d{4}", year):
            history[-1]["content"] = say(lang, "bad_year")
            yield gr.skip(), history, "", gr.update(choices=[], value=None), [], gr.update(visible=False), [], history
            return
        filters = _asked_of(place, year, kind)
        try:
            answer = self.assistant.ask(text, list(scope or []) or None, asked, filters)
        except BudgetQAError as exc:
            history[-1]["content"] = say(lang, "error", error=exc)
            yield gr.skip(), history, "", gr.update(choices=[], value=None), [], gr.update(visible=False), [], history
            return
        for start in range(0, len(answer.answer), STREAM_STEP):  # the checked text, revealed as it streams
            history[-1]["content"] = answer.answer[: start + STREAM_STEP]
            yield gr.skip(), history, *(gr.skip(),) * 6
            time.sleep(0.01)
        history[-1]["content"] = f"{answer.answer}\n\n**{BADGES[answer.language][answer.status]}**"
        choices = [_citation_label(n, c) for n, c in enumerate(answer.citations, start=1)]
        candidates = [_chip_label(c) for c in answer.candidates]
        yield (gr.skip(), history, details_markdown(answer),
               gr.update(choices=choices, value=choices[0] if choices else None),  # the first citation opens at once
               [asdict(c) for c in answer.citations],
               gr.update(choices=candidates, value=None, visible=bool(candidates)), [asdict(c) for c in answer.candidates],
               history)

    def clear(self) -> tuple[Any, ...]:
        """A new chat: the conversation, the answer's details, its citations and the page are all cleared."""
        return "", [], "", gr.update(choices=[], value=None), [], gr.update(choices=[], value=None, visible=False), [], [], \
            None, None, ""

    def open_citation(self, index: int | None, cited: list[dict[str, Any]], lang: str) -> tuple[Any, ...]:
        if index is None or index >= len(cited):
            return None, None, ""
        return _evidence(self.assistant, _citation(cited[index]), lang)

    def pick_candidate(self, index: int | None, offered: list[dict[str, Any]], history: list[dict[str, Any]],
                       lang: str) -> tuple[Any, ...]:
        """The asker's pick: its cell opened, and said in the chat as the asker's choice, not a verification."""
        if index is None or index >= len(offered):
            return None, None, "", gr.skip(), gr.skip()
        citation = _citation(offered[index])
        said = say(lang, "picked", chip=_chip_label(citation), where=_where(citation, lang))
        history = [*_plain(history), {"role": "assistant", "content": said}]
        return *_evidence(self.assistant, citation, lang), history, history


def _browser_secret(assistant: Assistant) -> str:
    """The key the kept chat is encrypted with in the browser: one per data directory, so a restart keeps
    the chat and two installations do not read each other's."""
    return hashlib.sha256(str(assistant.library.settings.data_dir.resolve()).encode()).hexdigest()[:32]


def _plain(history: list[dict[str, Any]] | None) -> list[dict[str, str]]:
    """Chat messages as {role, content: text}: Gradio hands them back as lists of content parts."""
    plain = []
    for message in history or []:
        content = message.get("content")
        if isinstance(content, list):
            content = "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
        plain.append({"role": str(message.get("role")), "content": str(content or "")})
    return plain


def details_markdown(answer: Answer) -> str:
    lang = answer.language
    lines = [f"### {BADGES[lang][answer.status]}"]
    if answer.value is not None:
        in_yuan = f" · {answer.value_yuan:,.0f} 元" if answer.value_yuan else ""
        lines.append(f"**{answer.value:,.2f} {answer.unit or ''}**{in_yuan}")
    if answer.formula:
        lines.append(f"{say(lang, 'formula')}：`{answer.formula}`")
    for conflict in answer.conflicts:
        lines.append(f"{say(lang, 'conflict')}：{conflict.value:g} {conflict.unit} — {_where(conflict.citation, lang)}")
    for number, citation in enumerate(answer.citations, start=1):
        lines.append(f"[{number}] {_where(citation, lang)} {html.escape(citation.text[:80])}")
    lines.append(f"<sub>{answer.timings_ms.get('total', 0):.0f} ms</sub>")
    return "\n\n".join(lines)


def _where(citation: Citation, lang: str = "zh") -> str:
    place = citation.table or citation.section or citation.document_title
    cell = " / ".join(p for p in (citation.entity, citation.row, citation.column) if p)
    read = f" · {say(lang, 'ocr')}" if citation.ocr else ""
    page = say(lang, "page_no", page=citation.page)
    return f"{citation.document_title} · {place} · {page}" + (f" · {cell}" if cell else "") + read


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


def _evidence(assistant: Assistant, citation: Citation, lang: str) -> tuple[Any, ...]:
    """The cited page, the zoomed crop of its outlined cell, and the parsed table with the row marked."""
    page = _page_image(assistant, citation)
    return page, _zoom(page) if page else None, _table_html(assistant, citation, lang)


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


def _zoom(page: Image.Image) -> Image.Image | None:
    """The outlined cell and its neighbours, doubled: readable at a glance beside the whole page.
    The outline is found by its colour, so PDF cells and text-form rows are cropped alike."""
    pixels = np.asarray(page.convert("RGB")).astype(np.int16)
    ys, xs = np.nonzero(np.all(np.abs(pixels - np.array(OUTLINE)) <= 8, axis=-1))
    if not len(xs):
        return None
    x0, x1, y0, y1 = int(xs.min()), int(xs.max()), int(ys.min()), int(ys.max())
    wide = x1 - x0 + 2 * _ZOOM_MARGIN > _ZOOM_WIDTH  # a text-form row: its start holds the label
    left = max(0, x0 - 10 if wide else (x0 + x1) // 2 - _ZOOM_WIDTH // 2)
    box = (left, max(0, y0 - _ZOOM_MARGIN), min(page.width, left + _ZOOM_WIDTH), min(page.height, y1 + _ZOOM_MARGIN))
    crop = page.crop(box)
    return crop.resize((crop.width * 2, crop.height * 2), Image.Resampling.LANCZOS)


def _table_html(assistant: Assistant, citation: Citation, lang: str) -> str:
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
            f"<td class='num{' cited' if marked and '/'.join(c.column) == (citation.column or '').replace(' / ', '/') else ''}'>"
            f"{html.escape(c.text)}</td>" for c in row.cells
        )
        body.append(f"<tr{' class=cited-row' if marked else ''}><td class=code>{row.code}</td>"
                    f"<td class=label>{html.escape(row.label)}</td>{cells}</tr>")
    code, item = headers("grid", lang)[:2]
    return (f"<b>{html.escape(table.title)}</b>（{table.unit}）<div class=scroll>"
            f"<table><tr><th>{code}</th><th class=label>{item}</th>{header}</tr>{''.join(body)}</table></div>")


def _project_html(assistant: Assistant, citation: Citation) -> str:
    """A performance-target table: the form and its indicators, the cited line marked."""
    found = [p for p in assistant.library.store.performance(citation.document) if p.id == citation.table_id]
    if not found:
        return ""
    project = found[0]
    rows = [("预算数", f"{project.budget:.2f}" if project.budget is not None else "", citation.column == "预算数")]
    rows += [(f"{i.level2} / {i.level3}", i.value_text, i.level3 == citation.row) for i in project.indicators]
    body = "".join(f"<tr{' class=cited-row' if marked else ''}><td class=label>{html.escape(name)}</td>"
                   f"<td{' class=cited' if marked else ''}>{html.escape(value)}</td></tr>" for name, value, marked in rows)
    return f"<b>{html.escape(project.title)}</b>（{project.unit}）<div class=scroll><table>{body}</table></div>"


class _Documents:
    """The Documents tab: its components and handlers, and the refresh every view of the index shares."""

    def __init__(self, assistant: Assistant, jobs: Jobs, words: _Words, lang: Any, scope: Any,
                 filters: list[Any]) -> None:
        self.library, self.knowledge, self.jobs = assistant.library, assistant.knowledge, jobs
        self.listed = self.library.settings.ui_documents_listed
        self.seen, self.pending = gr.State(""), gr.State(None)
        self._current = _Known(-1, {}, "", {})
        self.upload = words.make(gr.File, {"label": "upload"}, file_types=[".pdf", ".txt"], elem_id="upload")
        self.status = gr.Markdown(elem_id="upload-status")
        self.find = words.make(gr.Textbox, {"label": "find", "placeholder": "find_placeholder"}, value="",
                               elem_id="document-find", max_length=80)
        self.count = gr.Markdown(elem_id="documents-count")
        self.listing = words.make(gr.Dataframe, {"label": "documents"}, headers=headers("documents", "zh"),
                                  elem_id="documents", interactive=False, wrap=True)
        with gr.Row(equal_height=True):
            # nothing is chosen until the user chooses: Delete never acts on a default
            self.pick = words.make(gr.Dropdown, {"label": "document"}, choices=[], value=None, allow_custom_value=True,
                                   elem_id="document-pick", scale=4)
            self.delete = words.make(gr.Button, {"value": "delete"}, elem_id="delete", scale=1, min_width=100)
        with gr.Row():
            self.confirm = gr.Button("", variant="stop", elem_id="confirm-delete", visible=False)
            self.cancel = words.make(gr.Button, {"value": "cancel"}, elem_id="cancel-delete", visible=False)
        self.table_pick = words.make(gr.Dropdown, {"label": "table"}, choices=[], value=None, allow_custom_value=True,
                                     elem_id="table-pick")
        self.grid = words.make(gr.Dataframe, {"label": "grid"}, headers=headers("grid", "zh"), elem_id="grid", wrap=True)
        self.findings = words.make(gr.Dataframe, {"label": "findings"}, headers=headers("findings", "zh"),
                                   elem_id="findings", wrap=True)
        self.refresh_out = [self.seen, self.count, self.listing, self.pick, scope, self.table_pick, self.grid,
                            self.findings]
        self._wire(lang, scope, filters)

    def _wire(self, lang: Any, scope: Any, filters: list[Any]) -> None:
        current = [lang, self.pick, scope, self.find, *filters]
        asking = [self.pending, self.confirm, self.cancel, self.status]  # the message last: what an API caller reads
        self.upload.upload(self.start, [self.upload, *current], [self.status, self.upload, *self.refresh_out],
                           api_name="upload")
        # "remove" only asks, beside the current list; "confirm_delete" deletes what the question named (one
        # session, as in gradio_client)
        self.delete.click(self.ask_first, [self.pick, lang], asking, api_name="remove")
        self.confirm.click(self.remove, [self.pending, *current], [*asking, *self.refresh_out], api_name="confirm_delete")
        self.cancel.click(lambda lang: (None, _hidden(), _hidden(), say(lang, "delete_cancelled")), lang, asking,
                          api_name="cancel_delete")
        self.pick.change(self.tables, self.pick, self.table_pick, api_name="tables").then(
            self.checks, [self.pick, lang], [self.grid, self.findings, *asking[:3]], api_name="findings")
        self.table_pick.change(self.show, [self.pick, self.table_pick, lang], self.grid, api_name="table")

    # -- the shared refresh: documents listed, pickers' choices, what was open on a deleted document cleared
    def poll(self, seen: str, *current: Any) -> Any:
        """A timer's tick: nothing sent unless the documents changed since this page last looked."""
        if self._known().fingerprint == seen:
            return gr.skip()
        return self.refreshed(*current)

    def _known(self) -> _Known:
        """Every open page asks every two seconds: the documents are read only when they changed
        (here or in another process, as the library's generation tells)."""
        self.library.refresh()
        generation = self.library.generation
        if self._current.generation != generation:
            profiles = {p.document.id: p for p in self.knowledge.profiles()}
            self._current = _Known(generation, profiles, _fingerprint([p.document for p in profiles.values()]),
                                   {ref: _said(p) for ref, p in profiles.items()})
        return self._current

    def refreshed(self, lang: str, chosen: str | None, scope: list[str] | None, find: str = "", place: str = "",
                  year: str = "", kind: str | None = None) -> tuple[Any, ...]:
        """Every view of the documents as they are now. The list and the document picker offer the first
        `listed` of those the find box admits, the question's scope those its filters admit (with what is
        chosen kept): among thousands of documents a page stays small, and says how many there are."""
        known = self._known()
        everything = known.profiles
        kept = chosen if chosen in everything else None
        scoped = [everything[d] for d in scope or [] if d in everything]
        words = (find or "").lower().split()
        found = [p for ref, p in everything.items() if all(w in known.said[ref] for w in words)]
        asked = _asked_of(place, year, kind)
        admitted = [p for p in everything.values() if asked.admits(p)]
        listed, offered = found[: self.listed], admitted[: self.listed]
        picked = [*listed, *([everything[kept]] if kept and everything[kept] not in listed else [])]
        cleared = self._cleared(lang) if chosen and kept is None else (gr.skip(),) * 3
        return (known.fingerprint,
                say(lang, "listed", shown=len(listed), found=len(found), total=len(everything)),
                self._listing([p.document for p in listed], lang),
                gr.update(choices=_choices(picked), value=kept),
                gr.update(choices=_choices([*offered, *(p for p in scoped if p not in offered)]),
                          value=[p.document.id for p in scoped],
                          info=say(lang, "offered", shown=len(offered), found=len(admitted))
                          if len(admitted) > len(offered) else ""),
                *cleared)

    def _cleared(self, lang: str) -> tuple[Any, ...]:
        return (gr.update(choices=[], value=None), _frame("grid", lang, []), _frame("findings", lang, []))

    def _listing(self, documents: list[Document], lang: str) -> dict[str, Any]:
        rows = [[d.id[:12], d.department, d.year, d.kind, d.pages, d.source] for d in documents]
        return _frame("documents", lang, rows)

    # -- upload
    def start(self, path: str | None, lang: str, *view: Any) -> Iterator[tuple[Any, ...]]:
        """Upload → ingestion job, its pages and stage shown until it ends; then every view refreshed."""
        if not path:
            return
        with open(path, "rb") as handle:
            data = handle.read()
        try:
            job = self.jobs.submit(data, path.rsplit("/", 1)[-1])
        except BudgetQAError as exc:
            yield say(lang, "failed", error=exc), None, *(gr.skip(),) * len(self.refresh_out)
            return
        while job.state in ("queued", "running"):
            yield _progress(job, lang), gr.skip(), *(gr.skip(),) * len(self.refresh_out)
            time.sleep(0.3)
        yield _ended(job, lang), None, *self.refreshed(lang, *view)

    # -- delete: ask first, naming the document; then say what was deleted
    def ask_first(self, chosen: str | None, lang: str) -> tuple[Any, ...]:
        if not chosen:
            return None, _hidden(), _hidden(), say(lang, "choose_first")
        try:
            document = self.library.store.resolve(chosen)
        except NotFound as exc:
            return None, _hidden(), _hidden(), say(lang, "error", error=exc)
        return (document.id, gr.update(value=say(lang, "confirm", title=document.title), visible=True),
                gr.update(visible=True), say(lang, "confirm_delete", title=document.title, source=document.source))

    def remove(self, pending: str | None, lang: str, *view: Any) -> tuple[Any, ...]:
        """Delete the document the confirmation named, then refresh: its tables and findings leave the screen."""
        if not pending:
            return None, _hidden(), _hidden(), say(lang, "nothing_pending"), *(gr.skip(),) * len(self.refresh_out)
        try:
            deleted = self.library.delete(pending)
            said = say(lang, "deleted", title=deleted.title, source=deleted.source)
        except BudgetQAError as exc:
            said = say(lang, "error", error=exc)
        return None, _hidden(), _hidden(), said, *self.refreshed(lang, *view)

    # -- browse
    def tables(self, chosen: str | None) -> dict[str, Any]:
        """A document chosen (an id, id prefix or file name): its tables to pick from."""
        doc = self._resolved(chosen)
        found = self.library.store.tables(doc) if doc else []
        return gr.update(choices=[(f"{t.id} {t.title}", t.id) for t in found], value=None)

    def checks(self, chosen: str | None, lang: str) -> tuple[Any, ...]:
        """… and its consistency findings, failures first; the parsed table is emptied, a pending delete withdrawn."""
        doc = self._resolved(chosen)
        ordered = sorted(self.library.store.findings(doc), key=lambda f: f["ok"]) if doc else []
        return _frame("grid", lang, []), _frame("findings", lang, [_finding_row(f, lang) for f in ordered]), \
            None, _hidden(), _hidden()

    def _resolved(self, chosen: str | None) -> str | None:
        try:
            return self.library.store.resolve(chosen).id if chosen else None
        except NotFound:
            return None

    def show(self, chosen: str | None, table: str | None, lang: str) -> dict[str, Any]:
        if not chosen or not table:
            return _frame("grid", lang, [])
        try:
            parsed = self.library.store.table(self._resolved(chosen) or "", table)
        except NotFound:
            return _frame("grid", lang, [])
        return _frame("grid", lang, [
            [r.code, r.label, "；".join(f"{'/'.join(c.column)}={c.text}" for c in r.cells if c.text), str(r.page)]
            for r in parsed.rows])


class _Known(NamedTuple):
    """The documents as of one generation of the library, and what the views need of them."""

    generation: int
    profiles: dict[str, Profile]  # by document id, in the library's order
    fingerprint: str
    said: dict[str, str]  # by document id: what the find box looks in


def _said(profile: Profile) -> str:
    """Every word of a document's name, places, year, kind, file and id, lower-cased."""
    document, places = profile.document, profile.places
    return " ".join([document.id, document.title, document.department, document.source, str(document.year or ""),
                     document.kind, places.province, places.city, places.district, *profile.aliases]).lower()


def _asked_of(place: str | None, year: str | None, kind: str | None) -> Filters:
    """The Ask tab's filters as typed; a year not yet four digits admits any year."""
    year = (year or "").strip()
    return Filters(place=(place or "").strip(), year=int(year) if re.fullmatch(r"\d{4}", year) else None, kind=kind or "")


def _choices(profiles: list[Profile]) -> list[tuple[str, str]]:
    return [(f"{p.document.title}（{p.document.source}）", p.document.id) for p in profiles]


def _fingerprint(documents: list[Document]) -> str:
    """What the index holds, in a few characters: changes whenever a document comes or goes."""
    return hashlib.sha1("".join(sorted(d.id for d in documents)).encode()).hexdigest()[:16]


def _frame(kind: str, lang: str, rows: list[list[Any]]) -> dict[str, Any]:
    return {"headers": headers(kind, lang), "data": rows}


def _hidden() -> Any:
    return gr.update(visible=False)


def _finding_row(finding: dict[str, Any], lang: str) -> list[str]:
    mark = "✓" if finding["ok"] else "≈" if finding.get("rounding") else "✗"
    if lang == "en":
        return [mark, finding["check"], finding["message"] + _difference(finding, lang)]
    if finding["check"] in REVIEWS:
        name, wrong = REVIEWS[finding["check"]]
        where = f"第{finding['page']}页「{finding['sentence'][:40]}」" if finding.get("page") else finding["message"]
        return [mark, name, f"{where}：{wrong}"]
    name, compared = CHECKS.get(finding["check"], (finding["check"], "所列 {actual:g}，对照 {expected:g}"))
    verdict = "成立" if finding["ok"] else "四舍五入差异" if finding.get("rounding") else "不成立"
    first = (finding.get("cells") or [{}])[0]
    place = f"{first.get('table_title', '')} 第{first.get('page', '?')}页"
    where = (f"「{finding['sentence'][:40]}」" if finding.get("sentence") else
             f"{place}「{first.get('row', '')}」{'/'.join(first.get('column', []))}")
    said = compared.format(actual=finding["actual"], expected=finding["expected"])
    return [mark, name, f"{where}：{said}，{verdict}{_difference(finding, lang)}"]


def _difference(finding: dict[str, Any], lang: str) -> str:
    """For a check that fails: by how much, and the pages of every cell (and sentence) compared."""
    if finding["ok"] or not finding.get("cells"):
        return ""
    pages = compared_pages(finding)
    difference = finding["actual"] - finding["expected"]
    listed = "、".join(map(str, pages)) if lang != "en" else ", ".join(map(str, pages))
    return f"（相差 {difference:+,.2f}；第 {listed} 页）" if lang != "en" else f" (difference {difference:+,.2f}; pages {listed})"


def _progress(job: Job, lang: str) -> str:
    """Where an ingestion stands: queued, reading page n of m, then indexing once every page is read."""
    if job.state == "queued":
        return say(lang, "queued", source=job.source)
    if not job.pages_total:
        return say(lang, "reading_text", source=job.source)
    if job.pages_done < job.pages_total:
        return say(lang, "reading", source=job.source, done=job.pages_done, total=job.pages_total)
    return say(lang, "indexing", source=job.source, total=job.pages_total)


def _ended(job: Job, lang: str) -> str:
    if job.state != "done" or not job.document or not job.report:
        return say(lang, "failed", error=job.error)
    document, report = job.document, job.report
    if report.get("skipped"):
        return say(lang, "already", title=document["title"], source=document["source"])
    return say(lang, "ingested", title=document["title"], pages=document["pages"], tables=report["tables"],
              facts=report["facts"], findings=report["findings"])

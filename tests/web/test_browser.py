"""The web UI in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright), against a real
server: asking, the cited cell, the live document list, delete, themes, phone width, languages.

The tests run in file order and share one server: the upload test adds the second document that the
delete test removes and the library test adds back. Screenshots land in eval/results/ui/, named by flow.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from app import build_app
from assistant import Assistant
from index import Library, Settings
from tests.conftest import HEBEI, SHEHUI
from tests.servers import Server

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[2] / "eval" / "results" / "ui"
WAIT = 30_000  # ms: an answer, a page render
LIVE = 15_000  # ms: the page notices a change made elsewhere (it polls every 2 s)
SHEHUI_TITLE = "中共上海市普陀区委社会工作部 2024年度部门决算"
CHECK_NAMES = re.compile("上下级合计|列间合计|收支平衡|表间一致|文字与表格")


@pytest.fixture(scope="module")
def site(tmp_path_factory, embedder) -> Iterator[tuple[str, Settings]]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("ui") / "data", collection="ui_test")
    library = Library(settings, embedder=embedder)
    library.ingest(HEBEI)
    with Server(build_app(settings, assistant=Assistant(settings, library=library, embedder=embedder, drafter=None))) as server:
        yield server.url, settings


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "install Debian's chromium (see .ci/run) to run the browser tests"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


def open_page(browser: Browser, url: str, locale: str = "zh-CN", width: int = 1400, height: int = 1000) -> Page:
    """A fresh browser profile (its own local storage) on the UI, ready once the documents are listed."""
    tab = browser.new_context(viewport={"width": width, "height": height}, locale=locale).new_page()
    tab.goto(url)
    expect(tab.locator("#send")).to_be_visible(timeout=WAIT)
    return tab


@pytest.fixture(scope="module")
def page(browser, site) -> Iterator[Page]:
    tab = open_page(browser, site[0])
    yield tab
    tab.context.close()  # before the server stops: it waits for open connections


def shot(tab: Page, flow: str) -> None:
    tab.screenshot(path=str(SHOTS / f"{flow}.png"), full_page=True)


def ask(tab: Page, question: str) -> None:
    tab.locator("#question textarea").fill(question)
    tab.locator("#send").click()


def documents_tab(tab: Page) -> None:
    tab.get_by_role("tab", name="文件").click()


def choose(tab: Page, dropdown: str, option: str) -> None:
    tab.locator(f"{dropdown} input").click()
    tab.get_by_role("option", name=re.compile(re.escape(option))).first.click()


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two opaque CSS rgb() colours."""
    def luminance(css: str) -> float:
        values = [float(v) for v in re.findall(r"[\d.]+", css)]
        assert len(values) == 3 or values[3] == 1.0, f"{css} is not opaque"
        linear = [c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in values[:3]]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# -- Ask ---------------------------------------------------------------------------------------------------


def test_an_example_asks_at_once_and_opens_the_cited_cell(page):
    expect(page.locator("#send")).to_have_text("发送")  # Chinese first
    page.locator("#examples").get_by_text("企业奖补安排了多少资金？").click()
    chat = page.locator("#chat")
    expect(chat).to_contain_text("5000.32", timeout=WAIT)
    expect(chat).to_contain_text("已核实")
    expect(page.locator("#answer-details")).to_contain_text("企业奖补绩效目标表")
    # the first citation opens by itself: the page, the zoomed cell beside it, the table with the cell marked
    image = page.locator("#page-image img")
    expect(image).to_be_visible(timeout=WAIT)
    assert image.evaluate("img => img.naturalWidth") > 600
    expect(page.locator("#page-zoom img")).to_be_visible()
    expect(page.locator("#cited-table td.cited")).to_have_text("5000.32")
    shot(page, "ask-example")


def test_a_question_sent_while_another_is_answered_is_asked_after_it_and_a_typed_one_is_kept(page):
    chat = page.locator("#chat")
    page.locator("#new-chat").click()
    expect(chat).not_to_contain_text("企业奖补", timeout=WAIT)
    ask(page, "企业奖补安排了多少资金？")
    ask(page, "公务接待费是多少？")  # at once: the first is still being answered
    page.locator("#question textarea").fill("办公费是多少？")  # typed, not sent
    expect(chat.get_by_text("已核实")).to_have_count(2, timeout=WAIT)
    said = chat.inner_text()
    assert said.index("企业奖补安排了多少资金？") < said.index("5000.32") < said.index("公务接待费是多少？"), said
    expect(page.locator("#question textarea")).to_have_value("办公费是多少？")


def test_the_send_button_asks_and_a_close_figure_is_picked(page):
    ask(page, "鹿泉区科技局给单位职工交的住房公积金是多少？")  # no printed word for "给单位职工交的"
    expect(page.locator("#chat")).to_contain_text("请选择", timeout=WAIT)
    chips = page.locator("#candidates label")
    expect(chips.first).to_contain_text("73.13", timeout=WAIT)
    assert chips.count() >= 2
    shot(page, "ask-candidates")
    chips.first.click()
    expect(page.locator("#chat")).to_contain_text("您选择了", timeout=WAIT)
    expect(page.locator("#cited-table")).to_contain_text("住房公积金", timeout=WAIT)
    label = page.locator("#cited-table tr.cited-row td.label").first
    width, height = label.evaluate("td => [td.getBoundingClientRect().width, td.getBoundingClientRect().height]")
    assert width >= 60 and height < 40, f"the row-label column is squeezed: {width:.0f} × {height:.0f} px"


def test_history_is_restored_after_reload_and_new_chat_clears_everything(browser, site):
    tab = open_page(browser, site[0])
    ask(tab, "企业奖补安排了多少资金？")
    expect(tab.locator("#chat")).to_contain_text("5000.32", timeout=WAIT)
    expect(tab.locator("#page-image img")).to_be_visible(timeout=WAIT)
    tab.reload()
    expect(tab.locator("#chat")).to_contain_text("企业奖补安排了多少资金？", timeout=WAIT)
    expect(tab.locator("#chat")).to_contain_text("5000.32")
    shot(tab, "chat-restored")
    ask(tab, "鹿泉区科技局公务接待费比上年减少了多少？")
    expect(tab.locator("#page-image img")).to_be_visible(timeout=WAIT)
    tab.locator("#new-chat").click()
    expect(tab.locator("#chat")).not_to_contain_text("企业奖补", timeout=WAIT)
    expect(tab.locator("#chat")).not_to_contain_text("公务接待费")
    expect(tab.locator("#answer-details")).to_have_text("")
    expect(tab.locator("#citations label")).to_have_count(0)
    expect(tab.locator("#page-image img")).to_have_count(0)
    expect(tab.locator("#page-zoom img")).to_have_count(0)
    expect(tab.locator("#cited-table")).not_to_contain_text("公务接待费")
    shot(tab, "chat-new")
    tab.reload()
    expect(tab.locator("#send")).to_be_visible(timeout=WAIT)
    tab.wait_for_timeout(1500)  # the restore has run
    expect(tab.locator("#chat")).not_to_contain_text("企业奖补")
    tab.context.close()


# -- Documents: a live view of the index --------------------------------------------------------------------


def test_an_upload_shows_its_progress_and_appears_in_another_tab_and_after_reload(browser, site):
    uploader, watcher = open_page(browser, site[0]), open_page(browser, site[0])
    for tab in (uploader, watcher):
        documents_tab(tab)
        expect(tab.locator("#documents")).to_contain_text("luquan-keji-2024-budget.txt", timeout=WAIT)
    expect(watcher.locator("#documents")).not_to_contain_text("社会工作部")
    uploader.evaluate("""() => { window.said = [];
        new MutationObserver(() => window.said.push(document.querySelector('#upload-status').innerText))
            .observe(document.querySelector('#upload-status'), {subtree: true, childList: true, characterData: true}); }""")
    uploader.locator("#upload input[type=file]").set_input_files(str(SHEHUI))
    expect(uploader.locator("#upload-status")).to_contain_text(f"已导入「{SHEHUI_TITLE}」", timeout=120_000)
    expect(uploader.locator("#upload-status")).to_contain_text("24 页")
    said = "\n".join(uploader.evaluate("window.said"))
    assert re.search(r"第 \d+/24 页|正在建立索引", said), f"no progress was shown: {said!r}"
    expect(uploader.locator("#documents")).to_contain_text("社会工作部")
    shot(uploader, "upload-done")
    expect(watcher.locator("#documents")).to_contain_text("社会工作部", timeout=LIVE)  # no reload
    choose(watcher, "#document-pick", "社会工作部")  # its choices were refreshed too
    expect(watcher.locator("#findings")).to_contain_text(CHECK_NAMES, timeout=WAIT)
    shot(watcher, "upload-seen-in-another-tab")
    uploader.reload()
    documents_tab(uploader)
    expect(uploader.locator("#documents")).to_contain_text("社会工作部", timeout=WAIT)
    uploader.locator("#upload input[type=file]").set_input_files(str(SHEHUI))
    expect(uploader.locator("#upload-status")).to_contain_text("已导入过", timeout=120_000)
    shot(uploader, "upload-again")
    for tab in (uploader, watcher):
        tab.context.close()


def test_the_document_picker_limits_the_question(page):
    page.reload()
    expect(page.locator("#send")).to_be_visible(timeout=WAIT)
    choose(page, "#ask-documents", "社会工作部")
    ask(page, "住房公积金是多少？")  # both documents state one: unlimited, it would offer candidates
    expect(page.locator("#chat")).to_contain_text("17.70", timeout=WAIT)
    expect(page.locator("#answer-details")).to_contain_text("社会工作部")
    shot(page, "ask-one-document")
    page.locator("#ask-documents").get_by_role("button", name=re.compile("Remove|移除|删除")).first.click()
    choose(page, "#ask-documents", "鹿泉区")
    ask(page, "住房公积金是多少？")
    expect(page.locator("#chat")).to_contain_text("73.13", timeout=WAIT)


def test_filters_by_place_year_and_kind_limit_the_question(page):
    page.reload()
    expect(page.locator("#send")).to_be_visible(timeout=WAIT)
    page.locator("#filter-place :is(input, textarea)").fill("普陀")
    ask(page, "住房公积金是多少？")  # both documents state one: only Putuo's is admitted
    expect(page.locator("#chat")).to_contain_text("17.70", timeout=WAIT)
    page.locator("#filter-place :is(input, textarea)").fill("鹿泉区")
    page.locator("#filter-kind").get_by_text("预算", exact=True).click()
    page.locator("#filter-year :is(input, textarea)").fill("2024")
    ask(page, "住房公积金是多少？")
    expect(page.locator("#chat")).to_contain_text("73.13", timeout=WAIT)
    shot(page, "ask-filters")
    page.locator("#filter-year :is(input, textarea)").fill("20x6")
    ask(page, "住房公积金是多少？")
    expect(page.locator("#chat")).to_contain_text("年度应为四位数字", timeout=WAIT)
    page.locator("#filter-year :is(input, textarea)").fill("2030")
    ask(page, "住房公积金是多少？")
    expect(page.locator("#chat")).to_contain_text("no ingested document matches year=2030", timeout=WAIT)
    page.reload()  # the filters back to none for the tests after


def test_delete_asks_first_names_the_document_and_clears_its_findings(page, site):
    library = Library(site[1])
    documents_tab(page)
    expect(page.locator("#document-pick input")).to_have_value("")  # nothing chosen for it
    page.locator("#delete").click()
    expect(page.locator("#upload-status")).to_contain_text("请先选择")
    choose(page, "#document-pick", "社会工作部")
    expect(page.locator("#findings")).to_contain_text(CHECK_NAMES, timeout=WAIT)
    page.locator("#delete").click()
    confirm = page.locator("#confirm-delete")
    expect(confirm).to_have_text(f"确认删除「{SHEHUI_TITLE}」", timeout=WAIT)
    shot(page, "delete-confirm")
    assert len(library.documents()) == 2, "the first click deleted"
    confirm.click()
    expect(page.locator("#upload-status")).to_contain_text(f"已删除：「{SHEHUI_TITLE}」", timeout=WAIT)
    expect(confirm).to_be_hidden()
    expect(page.locator("#findings")).not_to_contain_text(CHECK_NAMES)
    expect(page.locator("#documents")).not_to_contain_text("社会工作部")
    assert [d.source for d in library.documents()] == [HEBEI.name]
    shot(page, "delete-done")


def test_a_document_ingested_elsewhere_appears_without_reload(page, site, embedder):
    expect(page.locator("#documents")).not_to_contain_text("社会工作部")
    Library(site[1], embedder=embedder).ingest(SHEHUI)  # as the CLI does: another writer on the same index
    expect(page.locator("#documents")).to_contain_text("社会工作部", timeout=LIVE)
    choose(page, "#document-pick", "社会工作部")
    expect(page.locator("#findings")).to_contain_text(CHECK_NAMES, timeout=WAIT)
    shot(page, "library-ingest-seen")


def test_gradio_client_reaches_a_document_added_after_start(site):
    from gradio_client import Client

    shehui = next(d.id for d in Library(site[1]).documents() if d.source == SHEHUI.name)
    ui = Client(site[0], verbose=False)
    tables = ui.predict(shehui, api_name="/tables")  # was: "… is not in the list of choices"
    assert any("决算" in str(choice) for choice in tables["choices"])
    _, chat, details, *_ = ui.predict("住房公积金是多少？", [], [shehui], api_name="/ask")
    assert "17.70" in str(chat) and "社会工作部" in details


def test_among_more_documents_than_listed_the_find_box_and_filters_bring_up_the_others(browser, site, embedder):
    """Past `ui_documents_listed` a page lists that many and says how many there are; the find box (Documents)
    and the place filter (Ask) bring up the rest, so ten thousand reports never reach a page at once."""
    settings = site[1].model_copy(update={"ui_documents_listed": 1})
    library = Library(settings, embedder=embedder)
    assert len(library.documents()) == 2
    with Server(build_app(settings, assistant=Assistant(settings, library=library, embedder=embedder, drafter=None))) as server:
        tab = open_page(browser, server.url)
        documents_tab(tab)
        expect(tab.locator("#documents-count")).to_contain_text("共 2 份文件，查找到 2 份，列出 1 份", timeout=WAIT)
        expect(tab.locator("#documents")).to_contain_text(HEBEI.name)
        expect(tab.locator("#documents")).not_to_contain_text("社会工作部")
        tab.locator("#document-find :is(input, textarea)").fill("普陀 2024")
        expect(tab.locator("#documents")).to_contain_text("社会工作部", timeout=LIVE)
        expect(tab.locator("#documents")).not_to_contain_text(HEBEI.name)
        choose(tab, "#document-pick", "社会工作部")
        expect(tab.locator("#findings")).to_contain_text(CHECK_NAMES, timeout=WAIT)
        shot(tab, "documents-find")

        tab.get_by_role("tab", name="问答").click()
        expect(tab.locator("#ask-documents")).to_contain_text("符合的文件 2 份，列出前 1 份")
        tab.locator("#ask-documents input").click()
        expect(tab.get_by_role("option")).to_have_count(1)
        expect(tab.get_by_role("option", name=re.compile("社会工作部"))).to_have_count(0)
        tab.keyboard.press("Escape")
        tab.locator("#filter-place :is(input, textarea)").fill("普陀")
        expect(tab.locator("#ask-documents")).not_to_contain_text("符合的文件", timeout=LIVE)
        choose(tab, "#ask-documents", "社会工作部")
        tab.locator("#filter-place :is(input, textarea)").fill("")
        ask(tab, "住房公积金是多少？")  # both documents state one: the one chosen answers
        expect(tab.locator("#chat")).to_contain_text("17.70", timeout=WAIT)
        tab.context.close()


# -- Looks: dark theme, phone width, English ------------------------------------------------------------------


def test_the_cited_cell_is_readable_in_the_dark_theme(browser, site):
    tab = open_page(browser, f"{site[0]}/?__theme=dark")
    assert tab.evaluate("document.body.classList.contains('dark')")
    ask(tab, "企业奖补安排了多少资金？")
    cell = tab.locator("#cited-table td.cited")
    expect(cell).to_have_text("5000.32", timeout=WAIT)
    for marked in (cell, tab.locator("#cited-table tr.cited-row td.label").first):
        colours = marked.evaluate("e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]")
        assert contrast(*colours) >= 4.5, colours
    shot(tab, "dark-cited-cell")
    tab.context.close()


def test_at_phone_width_the_page_image_is_full_width(browser, site):
    tab = open_page(browser, site[0], width=400, height=860)
    ask(tab, "企业奖补安排了多少资金？")
    image = tab.locator("#page-image img")
    expect(image).to_be_visible(timeout=WAIT)
    tab.wait_for_timeout(300)  # laid out
    width = image.evaluate("img => img.getBoundingClientRect().width")
    assert width >= 0.9 * 400, f"the page image is {width:.0f} px wide at 400 px"
    shot(tab, "phone-400px")
    tab.context.close()


def test_an_english_browser_gets_english(browser, site):
    tab = open_page(browser, site[0], locale="en-US")
    expect(tab.locator("#send")).to_have_text("Send", timeout=WAIT)
    expect(tab.get_by_role("tab", name="Documents")).to_be_visible()
    ask(tab, "How much did the Luquan science and technology bureau budget for enterprise awards?")
    expect(tab.locator("#chat")).to_contain_text(re.compile("verified|not found|candidates|computed"), timeout=WAIT)
    tab.get_by_role("tab", name="Documents").click()
    expect(tab.locator("#documents")).to_contain_text("department")
    shot(tab, "english")
    tab.context.close()

"""The web UI in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

Screenshots land in tests/artifacts/ to be looked at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from app import build_app
from assistant import Assistant
from index import Library, Settings
from tests.conftest import HEBEI, SHEHUI
from tests.servers import Server

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@pytest.fixture(scope="module")
def site(tmp_path_factory, embedder):
    settings = Settings(data_dir=tmp_path_factory.mktemp("ui") / "data", collection="ui_test")
    library = Library(settings, embedder=embedder)
    library.ingest(HEBEI)
    with Server(build_app(settings, assistant=Assistant(settings, library=library, embedder=embedder, drafter=None))) as server:
        yield server.url


@pytest.fixture(scope="module")
def page(site):
    assert Path(CHROMIUM).exists(), "install Debian's chromium (see .ci/run) to run the browser tests"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.goto(site)
        yield tab
        browser.close()


def test_ask_see_verified_figure_and_open_its_page(page):
    question = page.locator("#question textarea")
    question.fill("企业奖补安排了多少资金？")
    question.press("Enter")
    chat = page.locator("#chat")
    expect(chat).to_contain_text("5000.32", timeout=30_000)
    expect(chat).to_contain_text("verified", timeout=30_000)
    expect(page.locator("#answer-details")).to_contain_text("企业奖补绩效目标表")
    page.screenshot(path=str(ARTIFACTS / "ui-answer.png"), full_page=True)
    page.locator("#citations label").first.click()
    image = page.locator("#page-image img")
    expect(image).to_be_visible(timeout=30_000)
    assert image.evaluate("img => img.naturalWidth") > 600
    page.screenshot(path=str(ARTIFACTS / "ui-citation.png"), full_page=True)


def test_upload_a_pdf_and_see_it_listed(page):
    page.get_by_role("tab", name="文件 · Documents").click()
    page.locator("#upload input[type=file]").set_input_files(str(SHEHUI))
    expect(page.locator("#upload-status")).to_contain_text("ingested", timeout=120_000)
    expect(page.locator("#documents")).to_contain_text("社会工作部", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "ui-upload.png"), full_page=True)


def test_close_figures_are_chips_to_pick_from(page):
    page.get_by_role("tab", name="问答 · Ask").click()
    question = page.locator("#question textarea")
    question.fill("鹿泉区科技局给单位职工交的住房公积金是多少？")  # no printed word for "给单位职工交的"
    question.press("Enter")
    expect(page.locator("#chat")).to_contain_text("请选择", timeout=30_000)
    chips = page.locator("#candidates label")
    expect(chips.first).to_contain_text("73.13", timeout=30_000)
    assert chips.count() >= 2
    page.screenshot(path=str(ARTIFACTS / "ui-candidates.png"), full_page=True)
    chips.first.click()
    expect(page.locator("#chat")).to_contain_text("您选择了", timeout=30_000)
    expect(page.locator("#cited-table")).to_contain_text("住房公积金", timeout=30_000)

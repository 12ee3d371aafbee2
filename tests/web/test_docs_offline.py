"""/docs and /redoc render with no internet: in headless Chromium every request to another host
is aborted and recorded, and there must be none (the pages' Content-Security-Policy keeps even
ReDoc's footer logo from being asked for). Screenshots land in tests/artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Page, Route, expect, sync_playwright

from app import build_app
from assistant import Assistant
from index import Library, Settings
from tests.conftest import HEBEI
from tests.servers import Server

CHROMIUM = "/usr/bin/chromium"  # Debian's, launched as tests/web/test_browser.py launches it
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
KEY = "s3cret"


@pytest.fixture(scope="module")
def site(tmp_path_factory, embedder):
    """A server with an API key: the docs are public, the /v1 routes they try out are not."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("docs") / "data", collection="docs_test", api_key=KEY)
    library = Library(settings, embedder=embedder)
    library.ingest(HEBEI)
    with Server(build_app(settings, assistant=Assistant(settings, library=library, embedder=embedder, drafter=None))) as server:
        yield server.url


@pytest.fixture(scope="module")
def offline(site: str) -> Iterator[tuple[Page, list[str]]]:
    """A browser tab that reaches the test server and nothing else, and the other URLs it tried."""
    assert Path(CHROMIUM).exists(), "install Debian's chromium (see .ci/run) to run the browser tests"
    ARTIFACTS.mkdir(exist_ok=True)
    ours = urlsplit(site).netloc
    elsewhere: list[str] = []

    def only_ours(route: Route) -> None:
        if urlsplit(route.request.url).netloc == ours:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.route("**/*", only_ours)
        yield tab, elsewhere
        browser.close()


def test_swagger_ui_lists_the_operations_and_tries_one_with_the_key(site, offline):
    tab, elsewhere = offline
    tab.goto(f"{site}/docs")
    expect(tab.locator(".opblock-summary-path").filter(has_text=re.compile(r"^/v1/ask$"))).to_be_visible(timeout=30_000)
    expect(tab.locator("#swagger-ui")).to_contain_text("/v1/models")
    tab.screenshot(path=str(ARTIFACTS / "docs-swagger.png"), full_page=False)
    _authorise(tab)
    models = tab.locator(".opblock").filter(has=tab.locator(".opblock-summary-path", has_text=re.compile(r"^/v1/models$")))
    models.locator(".opblock-summary").click()
    models.get_by_role("button", name="Try it out").click()
    models.get_by_role("button", name="Execute").click()
    expect(models.locator(".live-responses-table")).to_contain_text('"budget-qa"', timeout=30_000)
    expect(models.locator(".live-responses-table tr.response .response-col_status")).to_contain_text("200")
    assert elsewhere == []


def _authorise(tab: Page) -> None:
    tab.get_by_role("button", name=re.compile("Authorize")).first.click()
    dialog = tab.locator(".modal-ux")
    dialog.locator("input").fill(KEY)
    dialog.locator("button.authorize").click()  # its accessible name is "Apply credentials"
    dialog.get_by_role("button", name="Close").click()


def test_redoc_lists_the_operations(site, offline):
    tab, elsewhere = offline
    tab.goto(f"{site}/redoc")
    expect(tab.locator("body")).to_contain_text("/v1/ask", timeout=30_000)
    expect(tab.locator("body")).to_contain_text("/v1/models")
    tab.screenshot(path=str(ARTIFACTS / "docs-redoc.png"), full_page=False)
    assert elsewhere == []


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_pages_name_no_other_host_and_their_assets_are_served(site, path):
    page = httpx.get(f"{site}{path}", timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]  # the browser fetches from nowhere else
    assert not re.search(r"https?://", page.text), re.findall(r"https?://\S+", page.text)
    for asset in re.findall(r'(?:src|href)="(/[^"]+)"', page.text):
        assert httpx.get(f"{site}{asset}", timeout=30).status_code == 200, asset


def test_the_docs_are_public_and_the_api_is_not(site):
    assert httpx.get(f"{site}/openapi.json", timeout=30).status_code == 200
    assert httpx.get(f"{site}/v1/models", timeout=30).status_code == 401
    schemes = httpx.get(f"{site}/openapi.json", timeout=30).json()["components"]["securitySchemes"]
    assert [s["scheme"] for s in schemes.values()] == ["bearer"]

"""The HTTP API against a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import io
import time

import httpx
import pytest
from openai import OpenAI
from PIL import Image

from app import build_app
from assistant import Assistant
from index import Library, Settings
from tests.conftest import CAIZHENG, SHEHUI
from tests.servers import Server


@pytest.fixture(scope="module")
def api_library(tmp_path_factory, embedder):
    settings = Settings(data_dir=tmp_path_factory.mktemp("api") / "data", collection="api_test", max_upload_mb=5)
    library = Library(settings, embedder=embedder)
    library.ingest(SHEHUI)
    return library


def _server(library, embedder, **settings):
    configured = library.settings.model_copy(update=settings)
    app = build_app(configured, assistant=Assistant(configured, library=library, embedder=embedder, drafter=None))
    return Server(app)


@pytest.fixture(scope="module")
def api(api_library, embedder):
    with _server(api_library, embedder) as server:
        yield httpx.Client(base_url=server.url, timeout=60)


def test_ask(api):
    answer = api.post("/v1/ask", json={"question": "社会工作部住房公积金是多少？"}).json()
    assert (answer["status"], answer["value"], answer["unit"]) == ("verified", 17.70, "万元")
    assert answer["citations"][0]["page"] in (9, 12, 13) and answer["timings_ms"]["total"] > 0


def test_documents_tables_findings_and_page_image(api):
    (document,) = [d for d in api.get("/v1/documents").json() if d["source"] == SHEHUI.name]
    tables = api.get(f"/v1/documents/{document['id']}/tables").json()
    basic = next(t for t in tables if t["kind"] == "一般公共预算基本支出表")
    table = api.get(f"/v1/documents/{document['id'][:8]}/tables/{basic['id']}").json()
    row = next(r for r in table["rows"] if r["code"] == "30113")
    assert row["label"] == "住房公积金" and row["cells"][0]["text"] == "17.70" and row["cells"][0]["page"] == 13
    assert row["cells"][0]["bbox"] and row["cells"][0]["column"] == ["决算数"]
    findings = api.get(f"/v1/documents/{SHEHUI.name}/findings").json()
    assert findings and all({"check", "ok", "message", "cells"} <= set(f) for f in findings)
    box = ",".join(str(v) for v in row["cells"][0]["bbox"])
    page = api.get(f"/v1/documents/{document['id']}/pages/13.png", params={"highlight": box})
    assert page.status_code == 200 and page.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(page.content)).convert("RGB")
    assert image.width > 600 and (220, 30, 30) in {image.getpixel((x, y)) for x in range(0, image.width, 3)
                                                   for y in range(0, image.height, 3)}


def test_upload_poll_and_delete(api):
    response = api.post("/v1/documents", files={"file": ("../../etc/caizheng.pdf", CAIZHENG.read_bytes(), "text/plain")})
    assert response.status_code == 202
    job = response.json()
    assert job["source"] == "caizheng.pdf" and job["state"] in ("queued", "running")
    deadline = time.monotonic() + 120
    while job["state"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.3)
        job = api.get(f"/v1/jobs/{job['id']}").json()
    assert job["state"] == "done", job
    assert job["pages_done"] == job["pages_total"] == 25 and job["report"]["facts"] > 100
    doc_id = job["document"]["id"]
    assert doc_id in {d["id"] for d in api.get("/v1/documents").json()}
    assert api.post("/v1/ask", json={"question": "财政局福利费是多少？"}).json()["value"] == 42.77
    assert api.delete(f"/v1/documents/{doc_id}").status_code == 200
    assert doc_id not in {d["id"] for d in api.get("/v1/documents").json()}


def test_chat_completions_plain_and_streaming_with_the_openai_client(api):
    client = OpenAI(base_url=f"{api.base_url}/v1", api_key="unused")
    reply = client.chat.completions.create(model="budget-qa", messages=[{"role": "user", "content": "社会工作部差旅费是多少？"}])
    assert "1.15万元" in reply.choices[0].message.content
    extra = reply.model_extra
    assert extra["citations"][0]["row"] == "差旅费" and extra["budget_qa"]["status"] == "verified"
    stream = client.chat.completions.create(model="budget-qa", stream=True,
                                            messages=[{"role": "user", "content": "社会工作部差旅费是多少？"}])
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == reply.choices[0].message.content
    assert chunks[-1].choices[0].finish_reason == "stop" and chunks[-1].model_extra["citations"]


def test_a_follow_up_reads_the_conversation_in_both_apis(api):
    # Alone it names nothing and is not guessed at; after the first question it inherits its subject.
    assert api.post("/v1/ask", json={"question": "它的决算数是多少？"}).json()["status"] == "not_found"
    answer = api.post("/v1/ask", json={"question": "它的决算数是多少？", "history": ["社会工作部的住房公积金是多少？"]}).json()
    assert (answer["status"], answer["value"]) == ("verified", 17.70)
    client = OpenAI(base_url=f"{api.base_url}/v1", api_key="unused")
    reply = client.chat.completions.create(model="budget-qa", messages=[
        {"role": "user", "content": "社会工作部的住房公积金是多少？"},
        {"role": "assistant", "content": "……17.70万元……"},
        {"role": "user", "content": "它的决算数是多少？"},
    ])
    assert reply.model_extra["budget_qa"]["status"] == "verified" and "17.70万元" in reply.choices[0].message.content


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "words"),
    [
        ("post", "/v1/ask", {"json": {"question": ""}}, 422, "question"),
        ("post", "/v1/ask", {"content": b"not json", "headers": {"content-type": "application/json"}}, 422, "json"),
        ("get", "/v1/documents/nope/tables", {}, 404, "nope"),
        ("get", "/v1/jobs/nope", {}, 404, "nope"),
        ("post", "/v1/documents", {"files": {"file": ("x.pdf", b"PK\x03\x04 a zip", "application/pdf")}}, 415, "x.pdf"),
        ("post", "/v1/documents", {"files": {"file": ("big.pdf", b"%PDF-1.4" + b"0" * 6_000_000, "application/pdf")}},
         413, "limit"),
        ("post", "/v1/chat/completions", {"json": {"messages": []}}, 422, "messages"),
        ("get", "/v1/no/such/route", {}, 404, "no route"),
        ("delete", "/v1/documents", {}, 404, "no route delete /v1/documents"),
        ("get", f"/v1/documents/{SHEHUI.name}/pages/13.png", {"params": {"highlight": "nan,1,2,3"}}, 400, "highlight"),
        ("get", f"/v1/documents/{SHEHUI.name}/pages/13.png", {"params": {"highlight": "0,0,inf,9"}}, 400, "highlight"),
        ("get", f"/v1/documents/{SHEHUI.name}/pages/13.png", {"params": {"highlight": "0,0,9e9,9e9"}}, 400, "outside"),
        ("get", f"/v1/documents/{SHEHUI.name}/pages/13.png", {"params": {"highlight": "1,2,3"}}, 400, "highlight"),
    ],
)
def test_bad_inputs_are_4xx_with_a_message_in_one_envelope(api, method, path, kwargs, status, words):
    response = getattr(api, method)(path, **kwargs)
    assert response.status_code == status
    assert list(response.json()) == ["error"] and words in response.json()["error"].lower()


def test_page_out_of_range_is_404(api):
    response = api.get(f"/v1/documents/{SHEHUI.name}/pages/99.png")
    assert response.status_code == 404 and "24 pages" in response.json()["error"]


def test_api_key_guards_every_v1_route(api_library, embedder):
    with _server(api_library, embedder, api_key="s3cret") as server:
        client = httpx.Client(base_url=server.url, timeout=60)
        assert client.get("/healthz").status_code == 200
        assert client.get("/v1/documents").status_code == 401
        assert client.post("/v1/ask", json={"question": "x"}).status_code == 401
        assert client.get("/v1/documents", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/v1/documents", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_the_key_guards_the_ui_and_its_gradio_api_too(api_library, embedder):
    from gradio_client import Client
    from gradio_client.exceptions import AuthenticationError

    before = [d.id for d in api_library.documents()]
    with _server(api_library, embedder, api_key="s3cret") as server:
        client = httpx.Client(base_url=server.url, timeout=60)
        for method, path in [("GET", "/config"), ("GET", "/gradio_api/info"), ("POST", "/gradio_api/queue/join"),
                             ("POST", "/gradio_api/run/remove"), ("POST", "/gradio_api/call/remove"),
                             ("POST", "/gradio_api/upload"), ("GET", "/gradio_api/queue/status")]:
            assert client.request(method, path, json={"data": [None], "fn_index": 0}).status_code == 401, path
        with pytest.raises(AuthenticationError):
            Client(server.url, verbose=False)
        with pytest.raises(ValueError, match="Could not login"):
            Client(server.url, auth=("anyone", "wrong"), verbose=False)
        ui = Client(server.url, auth=("anyone", "s3cret"), verbose=False)
        tables = ui.predict(before[0], api_name="/tables")
        assert tables and any("基本支出" in str(choice) for choice in tables["choices"])
        said = ui.predict(None, api_name="/remove")  # no document chosen: nothing is deleted (its one shown output)
        assert "Choose a document" in said
    assert [d.id for d in api_library.documents()] == before


def test_an_upload_over_the_limit_is_refused_while_it_streams_in(api):
    """A body with no declared length (chunked): the 413 comes once the bytes pass the limit (5 MB
    here), long before the 200 MB the client would send."""
    import select
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(str(api.base_url))
    boundary = "b0undary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"huge.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n").encode()
    sent, answer = 0, b""
    with socket.create_connection((url.hostname, url.port), timeout=30) as connection:
        readable = select.poll()
        readable.register(connection, select.POLLIN)
        connection.sendall((f"POST /v1/documents HTTP/1.1\r\nHost: {url.netloc}\r\nTransfer-Encoding: chunked\r\n"
                            f"Content-Type: multipart/form-data; boundary={boundary}\r\n\r\n").encode())
        chunk = b"0" * 1_000_000
        for part in [head, *[chunk] * 200]:
            try:
                connection.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            except OSError:  # the server stopped reading and closed: it has answered
                break
            sent += len(part)
            # past the limit, give a loaded server time to answer before sending on: a send after
            # its close is reset, and the reset discards the 413 waiting unread
            if readable.poll(2000 if sent > 5_000_000 else 0):  # poll, not select: the suite's fds pass 1024
                break
        answer = connection.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413") and b"over the limit of 5 MB" in answer
    assert sent < 50_000_000

"""Web security of `assistant serve`: upload names, XSS, the API key on every route, bind address, CORS.

Real servers on loopback: one open (the defaults) over a copy of the sample index, one with an
API key and one allowed CORS origin over an empty index.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import inspect
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from tests.conftest import REPO, copy_corpus, running_server

API_KEY = "websec-key-5d1f0a9b"
OK_ORIGIN, EVIL_ORIGIN = "http://ok.example", "http://evil.example"
SCRIPT, IMG = "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class Server:
    base: str
    root: Path
    corpus: Path
    headers: dict[str, str]


@contextlib.contextmanager
def serve(root: Path, index: Path, corpus: Path, env: dict[str, str], headers: dict[str, str]) -> Iterator[Server]:
    """`running_server` with only the ASSISTANT_* variables given here."""
    with running_server(index, corpus, env=env) as base:
        yield Server(base, root, corpus, headers)


@pytest.fixture(scope="module")
def open_server(sample_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Default settings, over a copy of the sample index; the data lives two levels down in ``root``."""
    root = tmp_path_factory.mktemp("websec")
    data = root / "data"
    corpus = copy_corpus(data / "corpus")
    shutil.copytree(sample_index, data / "index")
    with serve(root, data / "index", corpus, {}, {}) as server:
        yield server


@pytest.fixture(scope="module")
def keyed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("websec-keyed")
    (root / "corpus").mkdir()
    env = {"ASSISTANT_API_KEY": API_KEY, "ASSISTANT_CORS_ORIGINS": f'["{OK_ORIGIN}"]'}
    with serve(root, root / "index", root / "corpus", env, {"Authorization": f"Bearer {API_KEY}"}) as server:
        yield server


# ---- upload names ------------------------------------------------------------------------------


def upload_raw(server: Server, name: bytes, content: bytes) -> httpx.Response:
    """A multipart upload built by hand, so the file name reaches the server byte for byte."""
    body = (b'--XB\r\nContent-Disposition: form-data; name="files"; filename="' + name + b'"\r\n'
            b"Content-Type: text/markdown\r\n\r\n" + content + b"\r\n--XB--\r\n")
    return httpx.post(f"{server.base}/api/documents", content=body, timeout=300,
                      headers={**server.headers, "Content-Type": "multipart/form-data; boundary=XB"})


def tree(root: Path, skip: Path) -> dict[str, int]:
    """Every file under ``root`` (but not under ``skip``) with its size."""
    return {str(p): p.stat().st_size for p in root.rglob("*") if p.is_file() and skip not in p.parents}


HOSTILE_NAMES = [
    "../evil.md", "../../evil.md", "/etc/evil.md", "..%2F..%2Fevil.md", "%2e%2e%2fevil.md", "%252e%252e%252fevil.md",
    "..\\..\\evil.md", "....//....//evil.md", "a" * 300 + ".md", "new\nline.md", "carriage\r\nX-Injected: 1.md",
    "nul\x00byte.md", "CON.md", ".hidden.md", "~/evil.md", "evil.md\x00.txt", f"{SCRIPT}.md", "..", ".md",
]


@pytest.mark.server
@pytest.mark.slow
@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=[repr(n)[:40] for n in HOSTILE_NAMES])
def test_hostile_upload_names_stay_inside_the_corpus(open_server: Server, name: str) -> None:
    corpus, root = open_server.corpus, open_server.root
    content = f"# Upload probe\n\nThe probe region {name.encode().hex()} opened with 7 megawatts.\n".encode()
    before_root = tree(root, root / "data" / "index")
    before_parent = sorted(p.name for p in root.parent.iterdir())
    response = upload_raw(open_server, name.encode(), content)

    assert response.headers["content-type"] == "application/json"
    if response.status_code != 200:  # refused: a 4xx with a JSON reason, nothing saved
        assert 400 <= response.status_code < 500 and set(response.json()) == {"error"}
        saved = []
    else:
        saved = [p for p in corpus.iterdir() if p.is_file() and p.read_bytes() == content]
        assert len(saved) == 1, response.text
        source = saved[0].name
        assert "/" not in source and "\\" not in source and ".." not in source
        assert not CONTROL.search(source) and not source.startswith(".") and len(source) <= 120
        assert saved[0].resolve().parent == corpus.resolve()
        listed = [d["source"] for d in httpx.get(f"{open_server.base}/api/documents").json()]
        assert source in listed
    changed = {p for p, size in tree(root, root / "data" / "index").items() if before_root.get(p) != size}
    assert changed <= {str(p) for p in saved} | {str(p) for p in (root / "data").glob("serve-*.log")}
    assert sorted(p.name for p in root.parent.iterdir()) == before_parent
    for outside in (Path("/etc/evil.md"), Path("/evil.md"), REPO / "evil.md", root / "data" / "evil.md"):
        assert not outside.exists()


# ---- XSS ---------------------------------------------------------------------------------------


HOSTILE_ARTICLE = f"""---
title: "Xylophone {SCRIPT} {IMG}"
publisher: "{IMG}"
url: "javascript:alert(1)"
date: 2025-10-01
---

# Xylophone cloud report {SCRIPT}

The Xylophone cloud region opened with 77 megawatts {IMG} of capacity in October 2025.
"""


@pytest.mark.server
@pytest.mark.slow
def test_hostile_markup_comes_back_only_as_json_data(open_server: Server) -> None:
    base = open_server.base
    upload = upload_raw(open_server, f"{SCRIPT}{IMG}.md".encode(), HOSTILE_ARTICLE.encode())
    assert upload.status_code == 200, upload.text
    assert upload.headers["content-type"] == "application/json"
    documents = httpx.get(f"{base}/api/documents")
    assert documents.headers["content-type"] == "application/json"
    hostile = [d for d in documents.json() if "Xylophone" in (d["title"] or "")]
    assert len(hostile) == 1 and "<" not in hostile[0]["source"] and ">" not in hostile[0]["source"]
    question = f"How much capacity did the Xylophone region open with? {SCRIPT}"
    answer = httpx.post(f"{base}/api/ask", json={"question": question}, timeout=300)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    assert "77 megawatts" in answer.json()["answer"]
    for path in ("/", "/config"):
        page = httpx.get(f"{base}{path}")
        assert page.status_code == 200
        assert SCRIPT not in page.text and IMG not in page.text and "alert(1)" not in page.text
    assert httpx.get(f"{base}/").headers["content-type"].startswith("text/html")


def test_ui_render_helpers_escape_hostile_text() -> None:
    from assistant.types import Answer, Citation
    from ui import render, sources

    citation = Citation(n=1, source=f"{IMG}.md", title=SCRIPT, date='"><script>alert(1)</script>', publisher=IMG,
                        url="javascript:alert(1)", quote=f"77 megawatts {SCRIPT}", start=0, end=10)
    answer = Answer(question=SCRIPT, answer=f"{IMG} opened with 77 megawatts [1].", abstained=False,
                    citations=[citation], timings_ms={"total": 1.0})
    outputs = {
        "final_answer": render.final_answer(answer, 1),
        "user_message": render.user_message(SCRIPT + IMG),
        "partial_answer": render.partial_answer(SCRIPT + IMG),
        "error_message": render.error_message(SCRIPT + IMG),
        "source_card": sources.source_card([citation], 1, [f"77 megawatts {SCRIPT}"], [{"source": f"{IMG}.md"}]),
        "sources_panel": sources.sources_panel([sources.turn_record(answer, 1, [], [])]),
        "document_table": render.document_table([{"source": f"{IMG}.md", "title": SCRIPT, "date": SCRIPT,
                                                  "publisher": IMG, "url": "javascript:alert(1)", "chunks": 1}]),
        "ingest_summary": render.ingest_summary({"failed": [{"path": f"{IMG}.md", "error": SCRIPT}]},
                                                {"added": [f"{IMG}.md"], SCRIPT: [SCRIPT]}),
        "notice": render.notice(SCRIPT, kind='x" onmouseover="alert(1)'),
        "status_line": render.status_line({"documents": 1, "chunks": 1, "generator": SCRIPT}),
    }
    for name, html in outputs.items():
        assert "<script" not in html and "<img" not in html, name
        assert "javascript:" not in html and '" onmouseover=' not in html, name
    assert "&lt;script&gt;" in outputs["final_answer"] + outputs["user_message"]  # escaped, not dropped
    assert '<a href="#cite-1-1" class="cite"' in outputs["final_answer"]  # the one markup the module writes


# ---- the API key -------------------------------------------------------------------------------


def _walk(routes: list[Any]) -> Iterator[Any]:
    """Routes, descending into included routers (FastAPI 0.16x keeps them as nested objects)."""
    for route in routes:
        nested = getattr(route, "routes", None) or getattr(getattr(route, "original_router", None), "routes", None)
        yield from _walk(list(nested)) if nested else [route]


def protected_routes(assistant: Any) -> list[tuple[str, str]]:
    """(method, concrete path) of every route under /api and /v1 of the app `serve` builds: its route
    table and its OpenAPI schema, path parameters filled in."""
    from assistant.api import create_app

    app = create_app(assistant, ui=False)
    found = {(m, route.path) for route in _walk(app.routes) for m in getattr(route, "methods", None) or ()}
    found |= {(m.upper(), path) for path, ops in app.openapi()["paths"].items() for m in ops}
    return sorted({(m, re.sub(r"\{[^}]+\}", "probe.md", p)) for m, p in found if p.startswith(("/api/", "/v1/"))})


@pytest.mark.server
@pytest.mark.slow
def test_the_api_key_guards_every_api_and_v1_route(keyed_server: Server, sample_assistant: Any) -> None:
    import assistant.api

    calls = protected_routes(sample_assistant)
    served = httpx.get(f"{keyed_server.base}/openapi.json").json()["paths"]
    assert {re.sub(r"\{[^}]+\}", "probe.md", p) for p in served if p.startswith("/api/")} <= {p for _, p in calls}
    assert {("POST", "/api/ask"), ("POST", "/api/documents"), ("DELETE", "/api/documents/probe.md"),
            ("POST", "/v1/chat/completions"), ("GET", "/v1/models")} <= set(calls)
    wrong = [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Bearer {API_KEY}x"},
             {"Authorization": f"Bearer {API_KEY[:-1]}"}, {"Authorization": API_KEY}, {"X-API-Key": API_KEY},
             {"Authorization": f"Basic {API_KEY}"}]
    for method, path in calls:
        for headers in wrong:
            response = httpx.request(method, f"{keyed_server.base}{path}", headers=headers, json={"question": "x"})
            assert response.status_code == 401, (method, path, headers, response.status_code)
            if method != "HEAD":
                error = response.json()["error"]
                message = error["message"] if path.startswith("/v1/") else error  # OpenAI's error object on /v1
                assert message.startswith("missing or wrong API key")
    ok = httpx.get(f"{keyed_server.base}/api/health", headers=keyed_server.headers)
    assert ok.status_code == 200
    assert "hmac.compare_digest" in inspect.getsource(assistant.api)


# ---- bind address, CORS, versions ---------------------------------------------------------------


@pytest.mark.server
@pytest.mark.slow
def test_the_default_bind_address_is_loopback(open_server: Server) -> None:
    from assistant.settings import Settings

    assert Settings().host == "127.0.0.1"
    help_text = subprocess.run([sys.executable, "-m", "assistant", "serve", "--help"],
                               capture_output=True, text=True, check=True).stdout
    assert "default 127.0.0.1" in help_text
    port = int(open_server.base.rsplit(":", 1)[1])
    listening = [c.laddr.ip for c in psutil.net_connections("inet") if c.laddr and c.laddr.port == port
                 and c.status == psutil.CONN_LISTEN]
    assert listening == ["127.0.0.1"]


def _cors_headers(base: str, origin: str, headers: dict[str, str]) -> list[str | None]:
    preflight = httpx.options(f"{base}/api/ask", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    simple = httpx.get(f"{base}/api/health", headers={"Origin": origin, **headers})
    assert simple.status_code == 200
    return [preflight.headers.get("access-control-allow-origin"), simple.headers.get("access-control-allow-origin")]


@pytest.mark.server
@pytest.mark.slow
def test_cors_is_closed_by_default(open_server: Server) -> None:
    assert _cors_headers(open_server.base, EVIL_ORIGIN, {}) == [None, None]
    assert _cors_headers(open_server.base, OK_ORIGIN, {}) == [None, None]


@pytest.mark.server
@pytest.mark.slow
def test_cors_allows_only_the_configured_origins(keyed_server: Server) -> None:
    assert _cors_headers(keyed_server.base, OK_ORIGIN, keyed_server.headers) == [OK_ORIGIN, OK_ORIGIN]
    assert _cors_headers(keyed_server.base, EVIL_ORIGIN, keyed_server.headers) == [None, None]


def test_cors_origins_setting_reads_a_json_list(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.settings import load_settings

    assert load_settings().cors_origins == []
    monkeypatch.setenv("ASSISTANT_CORS_ORIGINS", f'["{OK_ORIGIN}", "https://b.example"]')
    assert load_settings().cors_origins == [OK_ORIGIN, "https://b.example"]


def test_gradio_is_at_least_6_16() -> None:
    version = importlib.metadata.version("gradio")
    major, minor = (int(x) for x in re.findall(r"\d+", version)[:2])
    assert (major, minor) >= (6, 16), version

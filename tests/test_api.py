"""The REST API of `assistant serve`, driven over real HTTP against a real server subprocess."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import copy_corpus, running_server

pytestmark = [pytest.mark.server, pytest.mark.slow]

MARKER = re.compile(r"\[(\d+)\]")
# Small limits so the size tests send kilobytes, not the default 20 MB.
MAX_FILE_BYTES = 300_000
MAX_FILES = 3
BODY_LIMIT = MAX_FILE_BYTES * MAX_FILES + 1_000_000
API_KEY = "test-key-0123456789"
UI_USER, UI_PASSWORD = "ana", "chat-pass:with-colon"

NEW_ARTICLE = """---
title: "Nordic Cloud Update: Oracle Opens a Reykjavik Region"
date: 2025-11-20
publisher: "Nordic Infra Review"
url: https://example.com/nordic-infra/2025/11/oracle-reykjavik
---

# Nordic Cloud Update: Oracle Opens a Reykjavik Region

Oracle opened its first Icelandic cloud region in Reykjavik in November 2025.
The Reykjavik region launched with 48 megawatts of geothermal-powered capacity, according to the company.

Local customers had asked for a sovereign option for years, and the region is aimed at public-sector workloads.
"""
NEW_SOURCE = "nordic-oracle-reykjavik.md"
NEW_QUESTION = "How much capacity did Oracle's Reykjavik region launch with?"
MARKET_QUESTION = "What was the size of the global cloud infrastructure market in Q2 2025?"


# ---- helpers shared with test_openai_api.py and test_load.py --------------------------------


def ingested_copy(root: Path) -> tuple[Path, Path]:
    """A private copy of the sample corpus and its index, built by `assistant ingest`."""
    corpus = copy_corpus(root / "corpus")
    index = root / "index"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "ingest", str(corpus), "--index", str(index), "--json"],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["failed"] == [] and summary["documents"] == 14
    return corpus, index


@contextlib.contextmanager
def serving(index: Path, corpus: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """`running_server` (which passes no outer ASSISTANT_* variable to the server)."""
    with running_server(index, corpus, env=env) as base:
        yield base


def check_answer_object(answer: dict[str, Any], corpus: Path) -> None:
    """The contract: markers and citations match one to one, each quote is text[start:end]."""
    from assistant.loaders import read_document
    from assistant.settings import LimitSettings

    assert set(answer) >= {"id", "question", "answer", "abstained", "citations", "timings_ms"}
    markers = {int(n) for n in MARKER.findall(answer["answer"])}
    numbers = [c["n"] for c in answer["citations"]]
    assert len(numbers) == len(set(numbers))
    assert markers == set(numbers)
    for c in answer["citations"]:
        assert set(c) == {"n", "source", "title", "date", "publisher", "url", "quote", "start", "end"}
        text = read_document(corpus / c["source"], c["source"], LimitSettings()).text
        assert text[c["start"] : c["end"]] == c["quote"]


# ---- fixtures --------------------------------------------------------------------------------


@dataclass
class Server:
    base: str
    corpus: Path

    def ask(self, body: dict[str, Any], **kwargs: Any) -> httpx.Response:
        return httpx.post(f"{self.base}/api/ask", json=body, timeout=120, **kwargs)

    def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        response = self.ask(body)
        assert response.status_code == 200, response.text
        return dict(response.json())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return ingested_copy(tmp_path_factory.mktemp("api"))


@pytest.fixture(scope="module")
def server(built: tuple[Path, Path]) -> Iterator[Server]:
    corpus, index = built
    limits = {"ASSISTANT_LIMITS__MAX_FILE_BYTES": str(MAX_FILE_BYTES),
              "ASSISTANT_LIMITS__MAX_FILES_PER_UPLOAD": str(MAX_FILES)}
    with serving(index, corpus, env=limits) as base:
        yield Server(base, corpus)


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A second server with an API key, a chat login and one allowed CORS origin, on its own index."""
    corpus, index = ingested_copy(tmp_path_factory.mktemp("api-keyed"))
    env = {"ASSISTANT_API_KEY": API_KEY, "ASSISTANT_CORS_ORIGINS": '["https://allowed.example"]',
           "ASSISTANT_UI_AUTH": f"{UI_USER}:{UI_PASSWORD}"}
    with serving(index, corpus, env=env) as base:
        yield Server(base, corpus)


# ---- reading ---------------------------------------------------------------------------------


def test_health_reports_documents_and_chunks(server: Server) -> None:
    response = httpx.get(f"{server.base}/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["documents"] == 14
    assert body["chunks"] >= 14


def test_ask_returns_the_contract_answer_object(server: Server) -> None:
    response = server.ask({"question": "What was Google Cloud's revenue in Q2 2025?", "id": "q-7"})
    assert response.status_code == 200
    answer = response.json()
    assert answer["id"] == "q-7"
    assert answer["abstained"] is False
    assert "$13.6 billion" in answer["answer"]
    assert answer["citations"], answer
    assert set(answer["timings_ms"]) >= {"retrieve", "answer", "total"}
    check_answer_object(answer, server.corpus)


def test_ask_resolves_a_followup_from_history(server: Server) -> None:
    history = [
        {"role": "user", "content": "What share of the global cloud market did AWS hold in Q2 2025 "
                                    "according to Synergy?"},
        {"role": "assistant", "content": "According to Synergy Research Group, AWS held 30% of the global cloud "
                                         "infrastructure market in Q2 2025."},
    ]
    answer = server.answer({"question": "And Google Cloud?", "history": history})
    assert "13%" in answer["answer"]
    check_answer_object(answer, server.corpus)


def test_documents_lists_every_article(server: Server) -> None:
    response = httpx.get(f"{server.base}/api/documents")
    assert response.status_code == 200
    docs = response.json()
    assert {d["source"] for d in docs} == {p.name for p in server.corpus.glob("*.md")} - {NEW_SOURCE}
    for d in docs:
        assert set(d) >= {"source", "title", "date", "publisher", "url", "chunks"}
        assert d["chunks"] >= 1


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        ({"publisher": "Strategy Desk Notes"}, lambda c: c["publisher"] == "Strategy Desk Notes"),
        ({"publisher": ["Hyperscale Ledger", "Cloud Market Brief"]},
         lambda c: c["publisher"] in {"Hyperscale Ledger", "Cloud Market Brief"}),
        ({"date_from": "2025-09-01", "date_to": "2025-12-31"}, lambda c: "2025-09-01" <= c["date"] <= "2025-12-31"),
        ({"date_to": "2025-08-04"}, lambda c: c["date"] <= "2025-08-04"),
        ({"sources": ["global-cloud-market-q2-2025.md"]}, lambda c: c["source"] == "global-cloud-market-q2-2025.md"),
    ],
    ids=["publisher", "publishers", "date-range", "date-to", "sources"],
)
def test_filters_restrict_citations(server: Server, filters: dict[str, Any], check: Any) -> None:
    unfiltered = server.answer({"question": MARKET_QUESTION})
    assert not all(check(c) for c in unfiltered["citations"]), "the filter must make a difference"
    response = server.ask({"question": MARKET_QUESTION, "filters": filters})
    assert response.status_code == 200
    answer = response.json()
    check_answer_object(answer, server.corpus)
    assert answer["abstained"] or answer["citations"]
    assert all(check(c) for c in answer["citations"]), answer["citations"]


# ---- writing ---------------------------------------------------------------------------------


def test_upload_is_cited_and_delete_makes_the_answer_abstain(server: Server, tmp_path: Path) -> None:
    before = server.answer({"question": NEW_QUESTION})
    assert before["abstained"] is True and before["citations"] == []

    upload = httpx.post(
        f"{server.base}/api/documents", files={"files": (NEW_SOURCE, NEW_ARTICLE.encode())}, timeout=300
    )
    assert upload.status_code == 200, upload.text
    summary = upload.json()
    assert summary["added"] == 1 and summary["failed"] == []
    assert summary["documents"] == 15
    assert NEW_SOURCE in {d["source"] for d in httpx.get(f"{server.base}/api/documents").json()}

    answer = server.answer({"question": NEW_QUESTION})
    assert answer["abstained"] is False
    assert "48 megawatts" in answer["answer"]
    assert NEW_SOURCE in {c["source"] for c in answer["citations"]}
    check_answer_object(answer, server.corpus)

    deleted = httpx.delete(f"{server.base}/api/documents/{NEW_SOURCE}", timeout=300)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["removed"] == 1 and deleted.json()["documents"] == 14
    assert not (server.corpus / NEW_SOURCE).exists()
    after = server.answer({"question": NEW_QUESTION})
    assert after["abstained"] is True and after["citations"] == []


def test_upload_accepts_several_files_and_the_file_field(server: Server) -> None:
    names = ["upload-one.txt", "upload-two.md"]
    files = [("files", (names[0], b"Upload one says the test cloud grew 3% in Q4 2025.")),
             ("file", (names[1], b"# Upload two\n\nUpload two says the test cloud shrank 2% in Q1 2026."))]
    response = httpx.post(f"{server.base}/api/documents", files=files, timeout=300)
    assert response.status_code == 200, response.text
    assert response.json()["added"] == 2
    for name in names:
        assert httpx.delete(f"{server.base}/api/documents/{name}", timeout=300).status_code == 200
    assert httpx.get(f"{server.base}/api/health").json()["documents"] == 14


# ---- bad requests ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({}, 422, "question: Field required"),
        ({"question": ""}, 400, "question is empty"),
        ({"question": "  \n\t "}, 400, "question is empty"),
        ({"question": "x" * 2001}, 413, "the limit is 2,000"),
        ({"question": 42}, 422, "question: Input should be a valid string"),
        ({"question": "Who leads?", "history": [{"role": "robot", "content": "hi"}]}, 422, "history.0.role"),
        ({"question": "Who leads?", "filters": {"date_from": "2025-13-01"}}, 400,
         "filter date_from must be an ISO date (YYYY-MM-DD), got '2025-13-01'"),
        ({"question": "Who leads?", "filters": {"date_to": "last year"}}, 400, "filter date_to must be an ISO date"),
        ({"question": "Who leads?", "filters": {"date_from": "2025-10-01", "date_to": "2025-01-01"}}, 400,
         "filter date_from 2025-10-01 is after date_to 2025-01-01"),
        ({"question": "Who leads?", "filters": {"colour": "red"}}, 422,
         "filters.colour: Extra inputs are not permitted"),
    ],
    ids=["missing", "empty", "whitespace", "too-long", "not-a-string", "bad-role", "bad-date", "not-a-date",
         "dates-reversed", "unknown-filter"],
)
def test_bad_questions_are_refused_with_a_reason(
    server: Server, body: dict[str, Any], status: int, message: str
) -> None:
    response = server.ask(body)
    assert response.status_code == status, response.text
    assert message in response.json()["error"]


def test_non_json_body_is_400(server: Server) -> None:
    response = httpx.post(
        f"{server.base}/api/ask", content=b'{"question": "x",', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith("request body is not valid JSON")


def test_unknown_source_on_delete_is_404(server: Server) -> None:
    response = httpx.delete(f"{server.base}/api/documents/no-such-article.md")
    assert response.status_code == 404
    assert response.json() == {"error": "no document with source 'no-such-article.md'"}


def test_oversized_upload_is_413(server: Server) -> None:
    big = b"# Big\n\n" + b"cloud " * (MAX_FILE_BYTES // 6 + 10)
    response = httpx.post(f"{server.base}/api/documents", files={"files": ("big.md", big)}, timeout=60)
    assert response.status_code == 413
    assert response.json()["error"] == "big.md: file is larger than the 0.3 MB limit"
    assert not (server.corpus / "big.md").exists()


def test_unsupported_upload_type_is_415(server: Server) -> None:
    response = httpx.post(f"{server.base}/api/documents", files={"files": ("prices.csv", b"a,b\n1,2\n")})
    assert response.status_code == 415
    assert response.json()["error"].startswith("prices.csv: unsupported file type .csv; accepted: ")
    both = httpx.post(f"{server.base}/api/documents", files=[("files", ("a.exe", b"MZ")), ("files", ("b.zip", b"PK"))])
    assert both.status_code == 415
    assert "a.exe: unsupported file type .exe" in both.json()["error"]
    assert "b.zip" in both.json()["error"]


def test_upload_without_files_is_400(server: Server) -> None:
    response = httpx.post(f"{server.base}/api/documents", data={"note": "no file"})
    assert response.status_code == 400
    assert response.json() == {"error": "no files were uploaded"}


def _raw_request(base: str, head: bytes, chunks: list[bytes]) -> tuple[int, dict[str, Any]]:
    """Send a request by hand (so a body can be declared but never sent); returns status and JSON."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head)
        for chunk in chunks:
            sock.sendall(chunk)
        data = b""
        while b"\r\n\r\n" not in data or len(data.partition(b"\r\n\r\n")[2]) < _length(data):
            piece = sock.recv(65536)
            if not piece:
                break
            data += piece
    status = int(data.split(b" ", 2)[1])
    return status, json.loads(data.partition(b"\r\n\r\n")[2])


def _length(data: bytes) -> int:
    match = re.search(rb"content-length: (\d+)", data.partition(b"\r\n\r\n")[0], re.I)
    return int(match.group(1)) if match else 0


def test_body_over_the_limit_is_refused_by_its_content_length(server: Server) -> None:
    head = (b"POST /api/documents HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
            b"Content-Length: %d\r\n\r\n" % (BODY_LIMIT + 1))
    status, body = _raw_request(server.base, head, [])  # nothing of the body is ever sent
    assert status == 413
    assert body["error"].startswith(f"request body is larger than {BODY_LIMIT:,} bytes")


def test_streamed_body_over_the_limit_is_cut_off(server: Server) -> None:
    head = b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    piece = b"a" * 65536
    chunks = [b"%x\r\n%s\r\n" % (len(piece), piece)] * (BODY_LIMIT // len(piece) + 1)
    status, body = _raw_request(server.base, head, chunks)
    assert status == 413
    assert "upload at most 3 files of at most 0.3 MB each" in body["error"]


def test_unknown_endpoints_and_methods_answer_json(server: Server) -> None:
    missing = httpx.get(f"{server.base}/api/nothing-here")
    assert missing.status_code == 404
    assert missing.json() == {"error": "no such endpoint: GET /api/nothing-here"}
    wrong = httpx.get(f"{server.base}/api/ask")
    assert wrong.status_code == 405
    assert wrong.json() == {"error": "GET is not allowed here; use POST"}
    assert wrong.headers["allow"] == "POST"


def test_docs_openapi_and_chat_are_served(server: Server) -> None:
    assert httpx.get(f"{server.base}/docs").status_code == 200
    paths = httpx.get(f"{server.base}/openapi.json").json()["paths"]
    assert {"/api/health", "/api/ask", "/api/documents", "/v1/models", "/v1/chat/completions"} <= set(paths)
    chat = httpx.get(f"{server.base}/")
    assert chat.status_code == 200
    assert "gradio" in chat.text.lower()


def test_cors_is_closed_by_default(server: Server) -> None:
    preflight = httpx.options(f"{server.base}/api/ask", headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers
    simple = httpx.get(f"{server.base}/api/health", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in simple.headers


# ---- access ----------------------------------------------------------------------------------

ROUTES: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/api/health", {}),
    ("POST", "/api/ask", {"json": {"question": "What was AWS's share in Q2 2025?"}}),
    ("GET", "/api/documents", {}),
    ("POST", "/api/documents", {"files": {"files": ("keyed.txt", b"A keyed upload about cloud sovereignty.")}}),
    ("DELETE", "/api/documents/keyed.txt", {}),
    ("GET", "/v1/models", {}),
    ("POST", "/v1/chat/completions", {"json": {"model": "x", "messages": [{"role": "user", "content": "AWS share?"}]}}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_api_key_is_required_on_every_route(keyed: Server, method: str, path: str, kwargs: dict[str, Any]) -> None:
    url = f"{keyed.base}{path}"
    for headers in ({}, {"Authorization": "Bearer wrong-key"}, {"Authorization": API_KEY}, {"X-Api-Key": API_KEY}):
        refused = httpx.request(method, url, headers=headers, timeout=120, **kwargs)
        assert refused.status_code == 401, (headers, refused.text)
        message = "missing or wrong API key: send the header Authorization: Bearer <key>"
        if path.startswith("/v1/"):  # OpenAI's error object, as the openai SDK reads it
            assert refused.json() == {"error": {"message": message, "type": "authentication_error", "param": None,
                                                "code": "invalid_api_key"}}
        else:
            assert refused.json() == {"error": message}
        assert refused.headers["www-authenticate"] == "Bearer"
    allowed = httpx.request(method, url, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=300, **kwargs)
    assert allowed.status_code == 200, allowed.text


def test_api_key_leaves_the_chat_and_docs_open(keyed: Server) -> None:
    assert httpx.get(f"{keyed.base}/").status_code == 200
    assert httpx.get(f"{keyed.base}/docs").status_code == 200
    assert httpx.get(f"{keyed.base}/api/nothing").status_code == 401  # unknown /api paths reveal nothing


def test_ui_auth_guards_the_chat_but_not_the_api(keyed: Server) -> None:
    with httpx.Client(base_url=keyed.base) as browser:
        assert browser.get("/config").status_code == 401
        wrong = browser.post("/login", data={"username": UI_USER, "password": "nope"})
        assert wrong.status_code == 400
        right = browser.post("/login", data={"username": UI_USER, "password": UI_PASSWORD})
        assert right.status_code == 200
        assert browser.get("/config").status_code == 200
        assert browser.get("/api/health").status_code == 401  # the chat login is not the API key
    health = httpx.get(f"{keyed.base}/api/health", headers={"Authorization": f"Bearer {API_KEY}"})
    assert health.status_code == 200


def test_cors_allows_exactly_the_configured_origins(keyed: Server) -> None:
    def preflight(origin: str) -> httpx.Response:
        return httpx.options(f"{keyed.base}/api/ask", headers={
            "Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type"})

    allowed = preflight("https://allowed.example")
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://allowed.example"
    refused = preflight("https://evil.example")
    assert refused.headers.get("access-control-allow-origin") is None
    health = httpx.get(f"{keyed.base}/api/health", headers={
        "Origin": "https://allowed.example", "Authorization": f"Bearer {API_KEY}"})
    assert health.headers["access-control-allow-origin"] == "https://allowed.example"


# ---- unexpected failures (in process: the fault has to be injected) --------------------------


class _BrokenAssistant:
    """Stands in for the assistant, whose every answer fails with an unexpected bug."""

    def __init__(self) -> None:
        from assistant.settings import load_settings

        self.settings = load_settings()

    def ask(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internal detail")

    def validate_question(self, question: str) -> str:
        return question

    def clean_history(self, history: Any) -> Any:
        return history


def test_unexpected_errors_are_500_without_a_traceback() -> None:
    from fastapi.testclient import TestClient

    from assistant.api import create_app

    client = TestClient(create_app(_BrokenAssistant(), ui=False), raise_server_exceptions=False)  # type: ignore[arg-type]
    response = client.post("/api/ask", json={"question": "Who leads?"})
    assert response.status_code == 500
    assert response.json() == {"error": "internal error"}
    openai_error = {"error": {"message": "internal error", "type": "server_error", "param": None, "code": None}}
    chat = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "Who leads?"}]})
    assert chat.status_code == 500
    assert chat.json() == openai_error
    # A streamed reply is answered before its 200 goes out, so a failure is a plain 500 there too.
    streamed = client.post(
        "/v1/chat/completions", json={"stream": True, "messages": [{"role": "user", "content": "x"}]}
    )
    assert streamed.status_code == 500
    assert streamed.json() == openai_error
    assert "secret" not in response.text + chat.text + streamed.text

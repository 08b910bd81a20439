"""Resource bounds: upload and body sizes, question length, history, huge files, the LLM timeout.

Every limit is refused with its own number in the message, before the work it guards is done.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from assistant.errors import ConfigError, TooLargeError
from tests.conftest import CORPUS, running_server

MAX_FILE_BYTES = 200_000
MAX_FILES = 2
MAX_QUESTION = 500
BODY_LIMIT = MAX_FILE_BYTES * MAX_FILES + 1_000_000  # what assistant.api.body_limit allows
HUGE_FILE_BYTES = 50_000_000
PEAK_RSS_LIMIT = 1_500_000_000


@dataclass
class Server:
    base: str
    corpus: Path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with small limits over an empty index (the limits are checked before any retrieval)."""
    root = tmp_path_factory.mktemp("limits")
    corpus = root / "corpus"
    corpus.mkdir()
    env = {"ASSISTANT_LIMITS__MAX_FILE_BYTES": str(MAX_FILE_BYTES),
           "ASSISTANT_LIMITS__MAX_FILES_PER_UPLOAD": str(MAX_FILES),
           "ASSISTANT_LIMITS__MAX_QUESTION_CHARS": str(MAX_QUESTION)}
    with contextlib.ExitStack() as stack:
        with pytest.MonkeyPatch.context() as mp:
            for name in list(os.environ):
                if name.startswith("ASSISTANT_"):
                    mp.delenv(name)
            base = stack.enter_context(running_server(root / "index", corpus, env=env))
        yield Server(base, corpus)


def raw_request(base: str, head: bytes, body: bytes = b"") -> tuple[int, dict[str, Any]]:
    """Send ``head`` and ``body`` (possibly less than declared) and read the reply without closing."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(head + body)
        data = b""
        while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
            piece = sock.recv(65536)
            if not piece:
                break
            data += piece
    return int(data.split(b" ", 2)[1]), json.loads(data.partition(b"\r\n\r\n")[2])


# ---- HTTP limits -------------------------------------------------------------------------------


@pytest.mark.server
@pytest.mark.slow
def test_an_upload_over_max_file_bytes_is_413_stating_the_limit(server: Server) -> None:
    big = b"# Big\n\n" + b"cloud market " * (MAX_FILE_BYTES // 13 + 1)
    assert MAX_FILE_BYTES < len(big) < BODY_LIMIT
    response = httpx.post(f"{server.base}/api/documents", files={"files": ("big.md", big)}, timeout=120)
    assert response.status_code == 413
    assert response.json() == {"error": "big.md: file is larger than the 0.2 MB limit"}
    assert list(server.corpus.iterdir()) == []
    many = [("files", (f"note-{i}.md", b"# Note\n\nA short note.\n")) for i in range(MAX_FILES + 1)]
    response = httpx.post(f"{server.base}/api/documents", files=many, timeout=120)
    assert response.status_code == 413
    assert response.json() == {"error": f"{MAX_FILES + 1} files uploaded; the limit is {MAX_FILES}"}
    chat_upload = httpx.post(f"{server.base}/gradio_api/upload", files={"files": ("big.md", big)}, timeout=120)
    assert chat_upload.status_code == 413 and f"{MAX_FILE_BYTES} bytes" in chat_upload.text


@pytest.mark.server
@pytest.mark.slow
def test_a_body_over_the_total_limit_is_413_before_it_is_read(server: Server) -> None:
    expected = (f"request body is larger than {BODY_LIMIT:,} bytes; upload at most {MAX_FILES} files "
                f"of at most {MAX_FILE_BYTES / 1e6:g} MB each, 100 MB in all")
    openai_error = {"message": expected, "type": "invalid_request_error", "param": None, "code": "request_too_large"}
    for path in (b"/api/documents", b"/api/ask", b"/v1/chat/completions"):
        head = (b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                b"Content-Length: %d\r\n\r\n" % (path, BODY_LIMIT + 1))
        # Only 64 KiB of the declared body is ever sent: the answer cannot wait for the rest.
        status, body = raw_request(server.base, head, b"x" * 65536)
        assert (status, body) == (413, {"error": openai_error if path.startswith(b"/v1") else expected})
    head = b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    piece = b"a" * 65536
    chunks = b"".join([b"%x\r\n%s\r\n" % (len(piece), piece)] * (BODY_LIMIT // len(piece) + 2))
    assert raw_request(server.base, head, chunks) == (413, {"error": expected})


@pytest.mark.server
@pytest.mark.slow
def test_the_question_length_limit_is_enforced_and_stated(server: Server, sample_assistant: Any) -> None:
    at_limit = ("Who leads the cloud market? " * 40)[:MAX_QUESTION]
    assert httpx.post(f"{server.base}/api/ask", json={"question": at_limit}, timeout=300).status_code == 200
    over = at_limit + "?"
    response = httpx.post(f"{server.base}/api/ask", json={"question": over}, timeout=60)
    assert response.status_code == 413
    assert response.json() == {"error": f"question is {MAX_QUESTION + 1} characters; the limit is {MAX_QUESTION}"}
    chat = httpx.post(f"{server.base}/v1/chat/completions", json={
        "model": "x", "stream": True, "messages": [{"role": "user", "content": over}]}, timeout=60)
    # /v1 answers as OpenAI does for a prompt over the context length: 400, code context_length_exceeded.
    assert chat.status_code == 400 and "the limit is 500" in chat.json()["error"]["message"]
    assert chat.json()["error"]["code"] == "context_length_exceeded"
    default = sample_assistant.settings.limits.max_question_chars
    with pytest.raises(TooLargeError, match=f"question is {default + 1:,} characters; the limit is {default:,}"):
        sample_assistant.validate_question("x" * (default + 1))


@pytest.mark.server
@pytest.mark.slow
def test_history_is_bounded_in_turns_and_in_size(server: Server, sample_assistant: Any) -> None:
    history = [{"role": "user" if i % 2 == 0 else "assistant", "content": f"turn {i}"} for i in range(499)]
    history.append({"role": "assistant", "content": "cloud " * 100_000})  # 600,000 characters
    body = {"question": "Who leads the cloud market?", "history": history}
    assert len(json.dumps(body)) < BODY_LIMIT
    assert httpx.post(f"{server.base}/api/ask", json=body, timeout=300).status_code == 200
    limits = sample_assistant.settings.limits
    kept = sample_assistant.clean_history(history)
    assert len(kept) == limits.max_history_turns
    assert [t["content"] for t in kept[:-1]] == [f"turn {i}" for i in range(500 - limits.max_history_turns, 499)]
    assert len(kept[-1]["content"]) == limits.max_question_chars * 4


# ---- ingest ------------------------------------------------------------------------------------


def run_measured(args: list[str]) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run a command to completion; also return the peak RSS of its process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watched, peak = psutil.Process(proc.pid), 0
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            peak = max(peak, watched.memory_info().rss)
        time.sleep(0.05)
    out, err = proc.communicate()
    return subprocess.CompletedProcess(args, proc.returncode, out, err), peak


@pytest.mark.slow
def test_a_50_mb_file_is_refused_by_ingest_with_bounded_memory(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(CORPUS / "oracle-and-second-tier.md", folder)
    line = b"The cloud market grew again this quarter, according to analysts. " * 15 + b"\n"
    with (folder / "huge.md").open("wb") as f:
        f.write(b"# A huge article\n\n")
        while f.tell() < HUGE_FILE_BYTES:
            f.write(line)
    done, peak = run_measured(
        [sys.executable, "-m", "assistant", "ingest", str(folder), "--index", str(tmp_path / "index"), "--json"]
    )
    assert done.returncode == 1, done.stderr[-2000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["failed"] == [{"path": "huge.md", "error": "file is larger than the 20 MB limit"}]
    assert summary["added"] == 1 and summary["documents"] == 1
    assert 0 < peak < PEAK_RSS_LIMIT, f"peak RSS {peak / 1e6:.0f} MB"


TINY_FILES = 10_000


@pytest.mark.slow
@pytest.mark.timeout(1500)  # two ingests of 10,000 files: on a CPU without bfloat16 units the encoder runs in fp32
def test_ten_thousand_tiny_files_are_ingested_synced_and_cited(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    providers = ["AWS", "Microsoft Azure", "Google Cloud", "Alibaba Cloud", "Oracle", "IBM Cloud"]
    for i in range(TINY_FILES):
        line = f"Note {i}: {providers[i % 6]} held {i % 37 + 1}% of a regional market in Q{i % 4 + 1} {2018 + i % 7}.\n"
        if i % 2:
            (folder / f"note-{i:05d}.txt").write_text(line, encoding="utf-8")
        else:
            (folder / f"note-{i:05d}.md").write_text(f"---\ntitle: Note {i}\n---\n{line}", encoding="utf-8")
    planted = folder / "note-04321.txt"
    planted.write_text("Kestrel Cloud held 17% of the Nordic cloud market in Q3 2023.\n", encoding="utf-8")
    ingest = [sys.executable, "-m", "assistant", "ingest", str(folder), "--index", str(tmp_path / "index"), "--json"]

    first, peak = run_measured(ingest)
    assert first.returncode == 0, first.stderr[-2000:]
    summary = json.loads(first.stdout.strip().splitlines()[-1])
    assert (summary["added"], summary["documents"], summary["chunks"]) == (TINY_FILES, TINY_FILES, TINY_FILES)
    assert summary["failed"] == [] and summary["embedded_chunks"] == TINY_FILES
    assert 0 < peak < PEAK_RSS_LIMIT, f"peak RSS {peak / 1e6:.0f} MB"

    (folder / "note-00000.md").unlink()
    (folder / "note-00001.txt").write_text("Note 1: AWS held 31% of a regional market in Q2 2024.\n", encoding="utf-8")
    (folder / "note-10000.txt").write_text("Note 10000: Oracle held 3% of a regional market in Q1 2025.\n", encoding="utf-8")
    again, _ = run_measured(ingest)
    assert again.returncode == 0, again.stderr[-2000:]
    summary = json.loads(again.stdout.strip().splitlines()[-1])
    assert (summary["added"], summary["updated"], summary["removed"]) == (1, 1, 1)
    assert (summary["unchanged"], summary["embedded_chunks"], summary["chunks"]) == (TINY_FILES - 2, 2, TINY_FILES)

    asked, _ = run_measured([sys.executable, "-m", "assistant", "ask", "What share of the Nordic market did Kestrel "
                             "Cloud hold in Q3 2023?", "--index", str(tmp_path / "index"), "--json"])
    assert asked.returncode == 0, asked.stderr[-2000:]
    answer = json.loads(asked.stdout)
    assert not answer["abstained"] and "17%" in answer["answer"]
    assert answer["citations"][0]["source"] == planted.name
    assert "note-04321.txt" in answer["answer"] and answer["answer"].count("Kestrel Cloud held") == 1


# ---- settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, -5])
def test_the_llm_timeout_must_be_positive(value: float) -> None:
    from assistant.settings import load_settings

    with pytest.raises(ConfigError, match="ASSISTANT_LLM_TIMEOUT: Input should be greater than 0"):
        load_settings(llm_timeout=value)


def test_the_llm_timeout_is_read_from_the_environment_and_reaches_the_client(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.llm import make_llm_generator
    from assistant.settings import load_settings

    assert load_settings().llm_timeout == 60
    monkeypatch.setenv("ASSISTANT_LLM_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="ASSISTANT_LLM_TIMEOUT"):
        load_settings()
    monkeypatch.setenv("ASSISTANT_LLM_TIMEOUT", "7.5")
    settings = load_settings(llm="openai:tiny", llm_base_url="http://127.0.0.1:9/v1")
    generator = make_llm_generator(settings)
    assert generator.timeout == 7.5
    assert generator.chat_model.request_timeout == 7.5


@pytest.mark.parametrize(
    "field", ["MAX_QUESTION_CHARS", "MAX_FILE_BYTES", "MAX_DOCUMENT_CHARS", "MAX_FILES_PER_UPLOAD"]
)
def test_limits_must_be_positive_and_are_named(field: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.settings import load_settings

    monkeypatch.setenv(f"ASSISTANT_LIMITS__{field}", "0")
    with pytest.raises(ConfigError, match=f"ASSISTANT_LIMITS__{field}: Input should be greater than or equal to"):
        load_settings()

"""Shared fixtures: every test works in temp folders with the real model and a real Chroma."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
ARTIFACTS = REPO / "tests" / "artifacts"

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(autouse=True)
def _isolated_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the repository's index/ or corpus/ by accident."""
    for name in list(os.environ):
        if name.startswith("ASSISTANT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ASSISTANT_INDEX", str(tmp_path / "index"))
    monkeypatch.setenv("ASSISTANT_CORPUS", str(tmp_path / "corpus"))


def copy_corpus(target: Path) -> Path:
    """A private copy of the sample corpus (tests may add, edit and delete files in it)."""
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus ingested once per session; tests must treat it as read-only."""
    from assistant import Assistant

    root = tmp_path_factory.mktemp("sample")
    corpus = copy_corpus(root / "corpus")
    index = root / "index"
    summary = Assistant.open(index=index, corpus=corpus).ingest([corpus])
    assert summary.failed == [] and summary.added > 0
    return index


@pytest.fixture(scope="session")
def sample_assistant(sample_index: Path):  # type: ignore[no-untyped-def]
    """An Assistant over the sample index (read-only: do not ingest or remove through it)."""
    from assistant import Assistant

    return Assistant.open(index=sample_index, corpus=sample_index.parent / "corpus")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 120.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code < 500:
                return
        time.sleep(0.25)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """Terminate, and kill if it does not exit within ``timeout`` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def running_server(
    index: Path, corpus: Path, *, env: dict[str, str] | None = None, log: Path | None = None
) -> Iterator[str]:
    """`assistant serve` as a subprocess on a free loopback port; yields its base URL.

    The server sees only the ASSISTANT_* variables given here (none leak in from the test run)."""
    port = free_port()
    outer = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    full_env = {**outer, "ASSISTANT_INDEX": str(index), "ASSISTANT_CORPUS": str(corpus), **(env or {})}
    out = open(log or index.parent / f"serve-{port}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
        env=full_env, stdout=out, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        headers = {"Authorization": f"Bearer {full_env['ASSISTANT_API_KEY']}"} if full_env.get("ASSISTANT_API_KEY") else {}
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"assistant serve exited with {proc.returncode}; see {out.name}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/api/health", headers=headers, timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise TimeoutError("assistant serve did not become healthy")
            time.sleep(0.25)
        yield base
    finally:
        stop_process(proc)
        out.close()


@contextlib.contextmanager
def chroma_server(path: Path) -> Iterator[str]:
    """A real Chroma server (`chroma run`) on a free loopback port; yields its URL."""
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    log = open(path.parent / f"chroma-{port}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/api/v2/heartbeat", timeout=60, proc=proc)
        yield url
    finally:
        stop_process(proc)
        log.close()

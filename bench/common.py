"""What every benchmark shares: the run context, timing, questions and a served assistant."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parent.parent
SAMPLE_CORPUS = REPO / "corpus"
QUESTIONS = REPO / "tests" / "qa" / "questions.jsonl"
DATA = Path(__file__).resolve().parent / ".data"

T = TypeVar("T")

QUIET_ENV = {
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TOKENIZERS_PARALLELISM": "false",
}


def quiet_environment() -> None:
    """Offline, no telemetry, no progress bars: set before anything heavy is imported."""
    for key, value in QUIET_ENV.items():
        os.environ.setdefault(key, value)
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    for name in [n for n in os.environ if n.startswith("ASSISTANT_")]:
        del os.environ[name]


@dataclass
class Context:
    """One benchmark run: its size preset, scratch folder and values benchmarks hand on."""

    quick: bool
    work: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="bench-")))
    shared: dict[str, Any] = field(default_factory=dict)
    seed: int = 7
    overrides: dict[str, Any] = field(default_factory=dict)

    def pick(self, key: str, full: Any, quick: Any) -> Any:
        """The value of setting ``key``: an override if given, else the full-run or quick-run value."""
        if key in self.overrides:
            return self.overrides[key]
        return quick if self.quick else full

    def scratch(self, name: str) -> Path:
        """A fresh empty folder under the run's scratch folder."""
        path = self.work / name
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)
        return path

    def cleanup(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)


def log(message: str) -> None:
    """Progress on stderr, so stdout carries only the table."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """(seconds, result) of one call."""
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def questions(answerable_only: bool = False) -> list[dict[str, Any]]:
    """The evaluation questions (tests/qa/questions.jsonl)."""
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r.get("answerable") and r.get("gold_sources")] if answerable_only else rows


def open_assistant(index: Path, corpus: Path, **overrides: Any) -> Any:
    """The product's Python API, as a user would open it, with the embedder loaded."""
    from assistant import Assistant

    assistant = Assistant.open(index=index, corpus=corpus, **overrides)
    assistant.embedder.embed_documents(["warm up"])
    return assistant


def sample_index(ctx: Context) -> Path:
    """The sample corpus ingested once per run (shared by the retrieval and service benchmarks)."""
    if "sample_index" not in ctx.shared:
        root = ctx.scratch("sample")
        corpus = shutil.copytree(SAMPLE_CORPUS, root / "corpus")
        open_assistant(root / "index", corpus).ingest([corpus])
        ctx.shared["sample_index"] = root / "index"
    return Path(ctx.shared["sample_index"])


def api_available() -> bool:
    """``assistant serve`` needs assistant/api.py (built separately)."""
    return importlib.util.find_spec("assistant.api") is not None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def python_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    return {**env, **QUIET_ENV, "PYTHONPATH": str(REPO), **extra}


@dataclass
class Server:
    """A running ``assistant serve`` subprocess."""

    url: str
    proc: subprocess.Popen[bytes]
    ready_s: float


@contextlib.contextmanager
def serve(
    index: Path,
    corpus: Path,
    *,
    timeout: float = 600.0,
    on_start: Callable[[subprocess.Popen[bytes]], Any] | None = None,
) -> Iterator[Server]:
    """``python -m assistant serve`` on a free loopback port, until ``/api/health`` answers 200.

    ``on_start`` is called with the process as soon as it is launched (to watch its memory).
    """
    import httpx

    port = free_port()
    env = python_env(ASSISTANT_INDEX=str(index), ASSISTANT_CORPUS=str(corpus))
    out = open(index.parent / f"serve-{port}.log", "wb")  # noqa: SIM115
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
        env=env, stdout=out, stderr=subprocess.STDOUT, cwd=index.parent,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        if on_start is not None:
            on_start(proc)
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"assistant serve exited with {proc.returncode}; see {out.name}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/api/health", timeout=5).status_code == 200:
                    break
            if time.perf_counter() - started > timeout:
                raise TimeoutError(f"assistant serve was not healthy after {timeout:g} s; see {out.name}")
            time.sleep(0.05)
        yield Server(url, proc, time.perf_counter() - started)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out.close()

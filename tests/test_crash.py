"""An ingest or a server killed with SIGKILL at any point loses nothing already indexed.

After every kill the index still opens and answers; a rerun finishes the job; and the result is
the same index a clean build of the same folder gives: same documents and versions, same chunk
ids, no duplicates, no orphans, and Chroma's vector index holds a vector for each live chunk only.
"""

from __future__ import annotations

import contextlib
import os
import pty
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant import Assistant
from assistant.loaders import read_document
from assistant.types import Answer
from tests.conftest import CORPUS, free_port, running_server
from tests.test_sync import assert_index_matches, assert_vectors_match_records, index_signature

pytestmark = pytest.mark.slow

PROGRESS = re.compile(r"embedding:\s+\d+%\|[^|]*\|\s*(\d+)/(\d+)")
QUESTION = "What was Alibaba Cloud's global share in Q2 2025?"


def variant(k: int, source: Path) -> str:
    """A short article derived from a sample one (its front matter and first sections, renamed)."""
    text = source.read_text(encoding="utf-8")
    head, _, body = text.partition("\n---\n")
    head = re.sub(r'title: "?(.*?)"?\n', lambda m: f'title: "{m.group(1)} (regional edition {k})"\n', head, count=1)
    sections = body.split("\n## ")
    short = "\n## ".join(sections[: 1 + k % 2]).replace("2025", f"2025 (edition {k})", 1)
    return f"{head}\n---\n{short}\n\nEdition {k} closes with a note from the regional desk.\n"


def build_corpus(folder: Path, variants: int) -> Path:
    shutil.copytree(CORPUS, folder)
    samples = sorted(CORPUS.glob("*.md"))
    for k in range(variants):
        (folder / f"edition-{k:02d}.md").write_text(variant(k, samples[k % len(samples)]), encoding="utf-8")
    return folder


def mutate(folder: Path, rng: random.Random, round_: int) -> None:
    """Edits, deletions, renames and additions, so the next ingest has real work to do."""
    files = sorted(folder.glob("*.md"))
    picked = rng.sample(files, 9)
    for path in picked[:5]:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("billion", "billion (revised)", 1) + f"\nRevision {round_}.\n", encoding="utf-8")
    for path in picked[5:7]:
        path.unlink()
    for path in picked[7:9]:
        path.rename(path.with_name(f"renamed-{round_}-{path.name}"))
    samples = sorted(CORPUS.glob("*.md"))
    for k in range(3):
        n = 100 * (round_ + 1) + k
        (folder / f"edition-{n}.md").write_text(variant(n, samples[n % len(samples)]), encoding="utf-8")


class Ingest:
    """``assistant ingest`` in a pseudo-terminal, so its progress bar says how far it got."""

    def __init__(self, corpus: Path, index: Path) -> None:
        master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "ingest", str(corpus), "--index", str(index)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, env={**os.environ},
        )
        os.close(slave)
        self.master = master
        self.done = 0
        self.total = -1
        self.model_loaded = False
        self.progress = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buffer = ""
        while True:
            try:
                data = os.read(self.master, 4096)
            except OSError:
                break
            if not data:
                break
            buffer = (buffer + data.decode(errors="replace"))[-2000:]
            found = PROGRESS.findall(buffer)
            with self.progress:
                self.model_loaded = self.model_loaded or "Loading weights" in buffer
                if found:
                    self.done, self.total = int(found[-1][0]), int(found[-1][1])
                self.progress.notify_all()
        with self.progress:
            self.progress.notify_all()

    def wait_for(self, point: str, timeout: float = 300) -> None:
        """Until the run reaches ``point`` ("model-loaded", "first-write") or the process ended."""
        deadline = time.monotonic() + timeout
        with self.progress:
            while self.proc.poll() is None and time.monotonic() < deadline:
                if point == "model-loaded" and self.model_loaded:
                    return
                if point == "first-write" and self.total > 0 and self.done > 0:
                    return
                self.progress.wait(0.05)

    def kill(self) -> int | None:
        """SIGKILL; returns the exit status when the process had already finished."""
        finished = self.proc.poll()
        if finished is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        with contextlib.suppress(OSError):
            os.close(self.master)
        return finished


def assert_opens_and_answers(index: Path, corpus: Path) -> None:
    """A crashed index opens, lists only complete documents and answers a question."""
    a = Assistant.open(index=index, corpus=corpus)
    answer = a.ask(QUESTION)
    assert isinstance(answer, Answer) and answer.answer
    for doc in a.documents():
        assert doc["chunks"] > 0


def assert_quotes_are_current(a: Assistant, corpus: Path) -> None:
    """Every quote of an answer is the current text of its file at the cited offsets."""
    answer = a.ask(QUESTION)
    assert answer.citations
    for c in answer.citations:
        doc = read_document(corpus / c.source, c.source, a.settings.limits)
        assert doc.text[c.start : c.end] == c.quote


def clean_build(corpus: Path, index: Path) -> Assistant:
    a = Assistant.open(index=index, corpus=corpus)
    summary = a.ingest([corpus])
    assert summary.failed == []
    return a


def test_ingest_killed_at_several_points_recovers_to_a_clean_build(tmp_path: Path) -> None:
    corpus = build_corpus(tmp_path / "corpus", variants=16)
    index = tmp_path / "index"
    rng = random.Random(7)
    # Where each run is killed. The first build: once its first group of chunks is written. Then,
    # after edits, renames, deletions and additions: once the new versions are written (the old
    # ones may not be deleted yet); while embedding, before anything of that run is written; and
    # during start-up.
    plans = [("first-write", 0.0), ("first-write", 0.0), ("model-loaded", 0.3), ("start", 1.0)]
    for round_, (point, delay) in enumerate(plans):
        if round_:
            mutate(corpus, rng, round_)
        run = Ingest(corpus, index)
        if point != "start":
            run.wait_for(point)
        time.sleep(delay)
        status = run.kill()
        assert status in (None, 0), f"round {round_}: ingest exited with {status}"
        if index.exists():
            assert_opens_and_answers(index, corpus)

    done = subprocess.run(
        [sys.executable, "-m", "assistant", "ingest", str(corpus), "--index", str(index), "--json"],
        capture_output=True, text=True, timeout=600, env={**os.environ},
    )
    assert done.returncode == 0, done.stderr[-2000:]

    recovered = Assistant.open(index=index, corpus=corpus)
    reference = clean_build(corpus, tmp_path / "clean")
    assert index_signature(recovered.store) == index_signature(reference.store)
    assert_index_matches(recovered, corpus)
    assert_vectors_match_records(recovered, QUESTION)
    assert_quotes_are_current(recovered, corpus)


@contextlib.contextmanager
def serve_process(index: Path, corpus: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    env = {**os.environ, "ASSISTANT_INDEX": str(index), "ASSISTANT_CORPUS": str(corpus)}
    log = open(index.parent / f"serve-{port}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, f"serve exited with {proc.returncode}"
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            assert time.monotonic() < deadline, "serve did not become healthy"
            time.sleep(0.25)
        yield proc, base
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        log.close()


@pytest.mark.server
def test_server_killed_during_an_upload_keeps_the_index_consistent(tmp_path: Path) -> None:
    if not (Path(__file__).resolve().parent.parent / "assistant" / "api.py").exists():
        pytest.skip("assistant/api.py (POST /api/documents) is not there yet")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("alibaba-cloud-global-share.md", "oracle-and-second-tier.md"):
        shutil.copy(CORPUS / name, corpus / name)
    index = tmp_path / "index"
    clean_build(corpus, index)
    samples = sorted(CORPUS.glob("*.md"))
    uploads = [(f"upload-{k:02d}.md", variant(200 + k, samples[k % len(samples)]).encode()) for k in range(16)]

    with serve_process(index, corpus) as (proc, base):
        def upload() -> None:
            with contextlib.suppress(httpx.HTTPError):
                httpx.post(f"{base}/api/documents", files=[("files", (n, d, "text/markdown")) for n, d in uploads],
                           timeout=300)

        sender = threading.Thread(target=upload, daemon=True)
        sender.start()
        # Kill once the uploaded files are on disk (the ingest is then under way).
        deadline = time.monotonic() + 60
        while not any(corpus.glob("upload-*.md")) and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.5)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        sender.join(timeout=60)

    assert_opens_and_answers(index, corpus)
    with running_server(index, corpus) as base:
        listed = httpx.get(f"{base}/api/documents", timeout=30).json()
        assert {"alibaba-cloud-global-share.md", "oracle-and-second-tier.md"} <= {d["source"] for d in listed}
        assert all(d["chunks"] > 0 for d in listed)
        again = httpx.post(
            f"{base}/api/documents", files=[("files", (n, d, "text/markdown")) for n, d in uploads], timeout=600
        )
        assert again.status_code == 200, again.text
        assert again.json()["failed"] == []

    recovered = Assistant.open(index=index, corpus=corpus)
    reference = clean_build(corpus, tmp_path / "clean")
    assert index_signature(recovered.store) == index_signature(reference.store)
    assert_index_matches(recovered, corpus)
    assert_vectors_match_records(recovered, QUESTION)
    assert_quotes_are_current(recovered, corpus)

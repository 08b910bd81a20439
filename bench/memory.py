"""Benchmark 5: peak resident memory of ``assistant serve`` over a large index.

The server runs as a subprocess; a thread sums the RSS of its process tree every 50 ms from
launch until it is stopped, through start-up, the first question (which builds the lexical
snapshot) and 20 questions over HTTP. Baseline: the same on the 14-article sample index.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
from pathlib import Path

from bench.common import Context, api_available, log, questions, sample_index, serve
from bench.report import Figure, ratio
from bench.synthetic_index import ensure_index, index_chunks, label

MB = 1024 * 1024


class PeakRSS:
    """Polls a process and its children; ``peak`` is the largest total RSS seen, in bytes."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        import psutil

        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                total = 0
                for proc in procs:
                    with contextlib.suppress(psutil.Error):
                        total += proc.memory_info().rss
                self.peak = max(self.peak, total)
            except psutil.Error:
                return
            self._stop.wait(self.interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def serve_peak(index: Path, corpus: Path, texts: list[str]) -> int:
    """Peak RSS in bytes of a server over ``index`` answering ``texts``."""
    import httpx

    monitors: list[PeakRSS] = []
    with serve(index, corpus, on_start=lambda proc: monitors.append(PeakRSS(proc.pid))) as server:
        with httpx.Client(base_url=server.url, timeout=300) as client:
            for text in texts:
                client.post("/api/ask", json={"question": text}).raise_for_status()
        return monitors[0].stop()


def run(ctx: Context) -> list[Figure]:
    size = ctx.pick("memory.size", 100_000, 10_000)
    name = f"serve peak RSS @{label(size)} chunks"
    if not api_available():
        return [Figure(name, None, "MB", target="<= 2 GB", note="skipped: assistant/api.py does not exist yet")]
    texts = [q["question"] for q in questions()][:20]
    cached, _ = ensure_index(ctx, size)
    root = ctx.scratch("memory")
    index = shutil.copytree(cached, root / "index")  # the server must not touch the cache
    corpus = root / "corpus"
    corpus.mkdir()
    log(f"memory: serving the {label(size)} index")
    peak = serve_peak(index, corpus, texts) / MB
    base = None
    if ctx.pick("memory.baseline", True, False):  # a second server start is too slow for --quick
        small = sample_index(ctx)
        base = serve_peak(small, small.parent / "corpus", texts) / MB
    log(f"memory: peak {peak:.0f} MB vs {base or 0:.0f} MB on the sample index")
    return [
        Figure(
            name, peak, "MB", "serve on 14-article sample" if base else None, base, ratio(peak, base),
            "<= 2 GB", peak <= 2048,
            note=f"{index_chunks(cached)} chunks; 20 questions over HTTP; RSS of the process tree",
        )
    ]

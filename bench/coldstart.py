"""Benchmark 7: cold start of a fresh process, against the bare ``import torch`` it cannot avoid.

``assistant ask`` as a new process over the sample index (load settings, Chroma, the model,
the lexical snapshot, answer), and ``assistant serve`` until ``/api/health`` answers 200.
"""

from __future__ import annotations

import subprocess
import sys

from bench.common import Context, api_available, log, python_env, sample_index, serve, timed
from bench.report import Figure, median

QUESTION = "What share of the global cloud market did AWS hold in Q2 2025?"


def run_process(args: list[str], **env: str) -> float:
    seconds, done = timed(
        lambda: subprocess.run([sys.executable, *args], env=python_env(**env), capture_output=True, check=False)
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited with {done.returncode}: {done.stderr.decode()[-500:]}")
    return seconds


def run(ctx: Context) -> list[Figure]:
    reps = ctx.pick("coldstart.reps", 3, 1)
    index = sample_index(ctx)
    corpus = str(index.parent / "corpus")
    torch_s = median([run_process(["-c", "import torch"]) for _ in range(reps)])
    ask_s = median([
        run_process(["-m", "assistant", "ask", QUESTION, "--index", str(index)], ASSISTANT_CORPUS=corpus)
        for _ in range(reps)
    ])
    log(f"cold start: ask {ask_s:.1f} s, import torch {torch_s:.1f} s")
    figures = [
        Figure("cold start: assistant ask (fresh process)", ask_s, "s", "python -c 'import torch'", torch_s,
               ask_s / torch_s, note=f"median of {reps}; sample index (14 articles)"),
    ]
    if not api_available():
        figures.append(Figure("cold start: assistant serve until /api/health", None, "s",
                              note="skipped: assistant/api.py does not exist yet"))
        return figures
    ready = list(ctx.shared.get("serve_ready_s", []))[:reps]  # the throughput benchmark's start counts
    for _ in range(reps - len(ready)):
        with serve(index, index.parent / "corpus") as server:
            ready.append(server.ready_s)
    serve_s = median(ready)
    figures.append(
        Figure("cold start: assistant serve until /api/health", serve_s, "s", "python -c 'import torch'",
               torch_s, serve_s / torch_s, note=f"median of {len(ready)}")
    )
    return figures

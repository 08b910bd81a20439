"""Benchmark 9: facts. ``GET /api/facts`` latency at 10k and 100k chunks, and what reading facts
costs an ingest.

- ``/api/facts`` p50/p95 over filtered requests (an entity, a metric, a period, combinations),
  cycling through the entities and metrics the index holds, on ``assistant serve`` over the
  synthetic indexes. Baseline: ``GET /api/health`` on the same server (a request that does no work).
  The first request builds the facts table from the index; its time is in the note.
- Fact extraction over the generated articles of the 1k index, against the time their ingest took.
  The synthetic 10k/100k chunks copy the facts of the real chunks they are made from.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from bench.common import Context, api_available, log, serve
from bench.report import Figure, percentile
from bench.synthetic_index import ensure_index, index_chunks, label

REQUESTS = 200


def _queries(url: str) -> list[dict[str, str]]:
    import httpx

    facts = httpx.get(f"{url}/api/facts", params={"limit": 5000}, timeout=600).json()["facts"]
    entities = [e for e, _ in Counter(f["entity"] for f in facts).most_common(12)]
    metrics = [m for m, _ in Counter(f["metric"] for f in facts).most_common(6)]
    periods = [p for p, _ in Counter(f["period"] for f in facts if f["period"]).most_common(6)]
    if not (entities and metrics and periods):
        raise RuntimeError(f"the index at {url} holds no facts with entities, metrics and periods (stale bench cache?)")
    out: list[dict[str, str]] = []
    for k in range(REQUESTS):
        e, m, p = entities[k % len(entities)], metrics[k % len(metrics)], periods[k % len(periods)]
        out.append([{"entity": e}, {"entity": e, "metric": m}, {"metric": m, "period": p}, {"entity": e, "period": p}][k % 4])
    return out


def _latency(ctx: Context, size: int) -> list[Figure]:
    import httpx

    index, corpus = ensure_index(ctx, size)
    with serve(index, corpus) as server, httpx.Client(base_url=server.url, timeout=600) as http:
        started = time.perf_counter()
        http.get("/api/facts", params={"entity": "warm"})
        first_s = time.perf_counter() - started
        queries = _queries(server.url)
        counts = []
        for q in queries[:10]:
            http.get("/api/facts", params=q)
        times = []
        for q in queries:
            begun = time.perf_counter()
            response = http.get("/api/facts", params=q)
            times.append((time.perf_counter() - begun) * 1000)
            counts.append(response.json()["count"])
        health = []
        for _ in range(len(queries)):
            begun = time.perf_counter()
            http.get("/api/health")
            health.append((time.perf_counter() - begun) * 1000)
    p50, p95, base50 = percentile(times, 50), percentile(times, 95), percentile(health, 50)
    at_100k = size == 100_000
    log(f"facts {label(size)}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, health {base50:.1f} ms, first {first_s:.1f} s")
    return [
        Figure(
            f"/api/facts p50 @{label(size)} chunks", p50, "ms", "GET /api/health p50", base50, p50 / base50,
            "<= 20 ms" if at_100k else None, p50 <= 20 if at_100k else None,
            note=f"{index_chunks(index)} chunks, {len(times)} filtered requests, median {int(percentile(counts, 50))} "
            f"facts matched; first request (builds the table) {first_s:.2f} s",
        ),
        Figure(f"/api/facts p95 @{label(size)} chunks", p95, "ms", "GET /api/health p95", percentile(health, 95),
               p95 / percentile(health, 95)),
    ]


def _extraction(ctx: Context) -> Figure:
    from assistant.facts import extract
    from assistant.instructions import instruction_spans
    from assistant.loaders import read_document
    from assistant.settings import load_settings

    index, corpus = ensure_index(ctx, 1000)
    built = json.loads((index.parent / "built.json").read_text(encoding="utf-8"))
    limits = load_settings().limits
    files = sorted(Path(corpus).glob("*.md"))
    docs = [read_document(p, p.name, limits) for p in files]
    started = time.perf_counter()
    n = sum(len(extract(d, instruction_spans(d.text))) for d in docs)
    seconds = time.perf_counter() - started
    return Figure(
        f"fact extraction, {len(docs)} articles", seconds, "s", "their whole ingest (1k index build)", built["seconds"],
        seconds / built["seconds"], note=f"{n} facts; the ingest time includes extraction (index built with this code "
        f"when built.json is newer than the facts code)",
    )


def run(ctx: Context) -> list[Figure]:
    if not api_available():
        return [Figure("/api/facts", None, "ms", note="skipped: assistant/api.py does not exist")]
    figures = [_extraction(ctx)]
    for size in ctx.pick("facts.sizes", [10_000, 100_000], [1_000, 10_000]):
        figures += _latency(ctx, size)
    return figures

"""Benchmark 4: in-process ask latency (extractive, warm) at 1k, 10k and 100k chunks.

Baseline: a bare Chroma ``collection.query`` with a precomputed question embedding on the same
collection, asking for as many neighbours as the product's dense search does.
"""

from __future__ import annotations

import gc
from functools import partial
from typing import Any

from bench.common import Context, log, open_assistant, questions, timed
from bench.report import Figure, percentile
from bench.synthetic_index import ensure_index, index_chunks, label

WARMUP = 5


def measure(assistant: Any, texts: list[str]) -> dict[str, float]:
    """p50/p95 of ``ask`` and the bare Chroma query, in milliseconds."""
    first_s, _ = timed(lambda: assistant.ask(texts[0]))  # builds the lexical snapshot
    for text in texts[:WARMUP]:
        assistant.ask(text)
    asks = [timed(partial(assistant.ask, text))[0] * 1000 for text in texts]
    vectors = [assistant.embedder.embed_query(t) for t in texts]
    n = assistant.settings.retrieval.candidates
    collection = assistant.store.collection
    for vector in vectors[:WARMUP]:
        collection.query(query_embeddings=[vector], n_results=n)
    bare = [timed(partial(collection.query, query_embeddings=[v], n_results=n))[0] * 1000 for v in vectors]
    return {
        "p50": percentile(asks, 50), "p95": percentile(asks, 95),
        "bare_p50": percentile(bare, 50), "bare_p95": percentile(bare, 95), "first_s": first_s,
    }


def run(ctx: Context) -> list[Figure]:
    sizes = ctx.pick("latency.sizes", [1_000, 10_000, 100_000], [1_000, 10_000])
    texts = [q["question"] for q in questions()][: ctx.pick("latency.questions", 200, 30)]
    figures: list[Figure] = []
    p50: dict[int, float] = {}
    for size in sizes:
        index, corpus = ensure_index(ctx, size)
        chunks = index_chunks(index)
        assistant = open_assistant(index, corpus)
        m = measure(assistant, texts)
        del assistant
        gc.collect()
        p50[size] = m["p50"]
        log(f"latency {label(size)}: p50 {m['p50']:.1f} ms, p95 {m['p95']:.1f} ms, bare Chroma {m['bare_p50']:.2f} ms")
        at_10k = size == 10_000
        note = f"{chunks} chunks, {len(texts)} questions; first ask after open {m['first_s']:.1f} s"
        figures += [
            Figure(
                f"ask p50 @{label(size)} chunks", m["p50"], "ms", "bare Chroma query p50", m["bare_p50"],
                m["p50"] / m["bare_p50"], "<= 50 ms" if at_10k else None, m["p50"] <= 50 if at_10k else None,
                note=note,
            ),
            Figure(
                f"ask p95 @{label(size)} chunks", m["p95"], "ms", "bare Chroma query p95", m["bare_p95"],
                m["p95"] / m["bare_p95"], "<= 150 ms" if at_10k else None, m["p95"] <= 150 if at_10k else None,
            ),
        ]
    largest = max(sizes)
    if len(sizes) < 2:
        return figures
    growth = p50[largest] / p50[sizes[0]]
    full = largest == 100_000
    figures.append(
        Figure(
            f"ask p50 growth 1k -> {label(largest)}", growth, "x", "p50 @1k", p50[sizes[0]],
            growth, "<= 2x" if full else None, growth <= 2 if full else None,
            note=f"p50 @{label(largest)} = {p50[largest]:.1f} ms",
        )
    )
    return figures

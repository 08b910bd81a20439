"""Benchmark 3: one new article into a large index, against the full build of that index."""

from __future__ import annotations

from bench.common import Context, log, open_assistant, timed
from bench.corpus_gen import generate
from bench.report import Figure, median


def run(ctx: Context) -> list[Figure]:
    n_articles = ctx.pick("incremental.articles", 1000, 100)
    reps = ctx.pick("incremental.reps", 5, 3)
    corpus = ctx.scratch("incremental-corpus")
    generate(n_articles, corpus, ctx.seed + 1)
    assistant = open_assistant(ctx.scratch("incremental-index"), corpus)
    log(f"incremental: full build of {n_articles} articles")
    full_s, summary = timed(lambda: assistant.ingest([corpus]))
    chunks = summary.chunks
    times = []
    for rep in range(reps):
        generate(1, corpus, ctx.seed + 1, start=n_articles + rep)
        seconds, added = timed(lambda: assistant.ingest([corpus]))
        if added.added != 1 or not added.embedded_chunks:
            raise RuntimeError(f"expected one added article, got {added.to_dict()}")
        times.append(seconds)
    seconds = median(times)
    log(f"incremental: one article {seconds:.2f} s (median of {reps}) vs full build {full_s:.1f} s")
    return [
        Figure(
            f"add 1 article to a {n_articles}-article index", seconds, "s", "full build", full_s,
            seconds / full_s, "<= 5% of full build", seconds / full_s <= 0.05,
            note=f"{chunks} chunks in the full build; median of {reps} single-article ingests of the folder",
        )
    ]

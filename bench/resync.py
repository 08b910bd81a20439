"""Benchmark 2: re-sync of an unchanged corpus against the full build of the same index.

A second ``ingest`` of the folder must recognise every file by its bytes and embed nothing.
Reuses the index and full-build time of the ingest benchmark when it ran first in this run.
"""

from __future__ import annotations

from bench.common import Context, log, open_assistant, timed
from bench.corpus_gen import generate
from bench.report import Figure, median


def run(ctx: Context) -> list[Figure]:
    if "full_build_s" not in ctx.shared:
        corpus = ctx.scratch("ingest-corpus")
        generate(ctx.pick("ingest.articles", 300, 30), corpus, ctx.seed)
        assistant = open_assistant(ctx.scratch("ingest-index-0"), corpus)
        full_s, _ = timed(lambda: assistant.ingest([corpus]))
        ctx.shared.update(ingest_corpus=corpus, ingest_index=assistant.settings.index, full_build_s=full_s)
    corpus, index, full_s = ctx.shared["ingest_corpus"], ctx.shared["ingest_index"], ctx.shared["full_build_s"]
    assistant = open_assistant(index, corpus)
    reps = ctx.pick("resync.reps", 7, 3)
    runs = [timed(lambda: assistant.ingest([corpus])) for _ in range(reps)]
    seconds = median([s for s, _ in runs])
    summary = runs[-1][1]
    log(f"resync: {seconds:.2f} s (median of {reps}) vs full build {full_s:.1f} s")
    changed = summary.added + summary.updated + summary.removed + summary.embedded_chunks
    return [
        Figure(
            f"re-sync unchanged corpus ({summary.documents} articles)", seconds, "s", "full build", full_s,
            seconds / full_s, "<= 2% of full build", seconds / full_s <= 0.02,
            note=f"{summary.chunks} chunks; added+updated+removed+embedded = {changed} (must be 0)",
        )
    ]

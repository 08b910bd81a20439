"""Indexes of 1k, 10k and 100k chunks for the latency and memory benchmarks, cached in bench/.data/.

The 1k index is a real ingest of generated articles. Embedding 100k chunks on a laptop CPU
takes too long, so the larger indexes are written straight through ``ChunkStore.add`` with the
same metadata ``assistant/sync.py`` writes: each synthetic document copies the chunk layout of a
real one, its chunk texts are the real chunk's sentences reshuffled plus a sentence from another
generated article, and its vectors are the real chunk's vector plus Gaussian noise, renormalised
(cosine about 0.85 to the original). Ask latency depends on the number of vectors and records,
not on what the text says, and the noisy copies keep the clustered shape of real embeddings,
which matters to the HNSW graph.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import DATA, Context, log, open_assistant
from bench.corpus_gen import generate, sentences

VERSION = 5  # bump when the recipe or the record layout changes, so stale caches are rebuilt
REAL_ARTICLES = 175  # about 1,000 chunks
NOISE = 0.03  # per-dimension standard deviation of the perturbation
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def label(chunks: int) -> str:
    return f"{chunks // 1000}k" if chunks >= 1000 else str(chunks)


def ensure_index(ctx: Context, chunks: int) -> tuple[Path, Path]:
    """(index folder, corpus folder) of an index of about ``chunks`` chunks, built once and cached."""
    from assistant import facts
    from assistant import periods as P

    # (what ingest stores changes with the period rules and the facts' version: a cache of another is rebuilt)
    from assistant import figures as F

    folder = DATA / f"index-{label(chunks)}-v{VERSION}-f{facts.VERSION}-p{P.RULES_VERSION[:6]}{F.RULES_VERSION[:6]}-s{ctx.seed}"
    marker = folder / "built.json"
    if not marker.exists():
        if folder.exists():
            shutil.rmtree(folder)
        started = time.perf_counter()
        count = _build_real(ctx, folder) if chunks <= 1000 else _build_synthetic(ctx, folder, chunks)
        info = {"chunks": count, "seconds": round(time.perf_counter() - started, 1), "version": VERSION}
        marker.write_text(json.dumps(info), encoding="utf-8")
        log(f"index {label(chunks)}: built {count} chunks in {info['seconds']} s under {folder}")
    return folder / "index", folder / "corpus"


def index_chunks(index: Path) -> int:
    return int(json.loads((index.parent / "built.json").read_text(encoding="utf-8"))["chunks"])


def _build_real(ctx: Context, folder: Path) -> int:
    corpus = folder / "corpus"
    generate(REAL_ARTICLES, corpus, ctx.seed + 2)
    log(f"index 1k: ingesting {REAL_ARTICLES} generated articles")
    return int(open_assistant(folder / "index", corpus).ingest([corpus]).chunks)


def _real_documents(ctx: Context) -> list[list[tuple[dict[str, Any], str, np.ndarray]]]:
    """The 1k index's documents as lists of (metadata, text, vector), chunk by chunk."""
    from assistant.settings import load_settings
    from assistant.store import ChunkStore

    index, _ = ensure_index(ctx, 1000)
    store = ChunkStore(load_settings(index=index))
    records = list(store.records(documents=True))
    vectors = store.embeddings([r[0] for r in records])
    docs: dict[str, list[tuple[dict[str, Any], str, np.ndarray]]] = {}
    for chunk_id, meta, text in records:
        docs.setdefault(str(meta["source"]), []).append((meta, text or "", vectors[chunk_id]))
    return [sorted(d, key=lambda r: int(r[0]["chunk"])) for d in docs.values()]


def _build_synthetic(ctx: Context, folder: Path, target: int) -> int:
    from assistant import figures as F
    from assistant import periods as P
    from assistant.chunking import split_sentences
    from assistant.settings import load_settings
    from assistant.store import ChunkStore
    from assistant.sync import encode_sentences

    templates = _real_documents(ctx)
    pool = sentences(60, ctx.seed + 3)
    rng = random.Random(f"{ctx.seed}:{target}")
    noise = np.random.default_rng(ctx.seed + target)
    (folder / "corpus").mkdir(parents=True)
    store = ChunkStore(load_settings(index=folder / "index", corpus=folder / "corpus"))
    root = str((folder / "corpus").resolve())
    batch: tuple[list[str], list[np.ndarray], list[str], list[dict[str, Any]]] = ([], [], [], [])
    written = doc = 0
    now = time.time()
    log(f"index {label(target)}: writing synthetic chunk records")
    while written < target:
        template = rng.choice(templates)[: target - written]
        texts = []
        for _, text, _ in template:
            parts = _SENTENCE.split(text)
            rng.shuffle(parts)
            texts.append(" ".join([*parts, rng.choice(pool)]))
        year, month, day = rng.randint(2021, 2026), rng.randint(1, 12), rng.randint(1, 28)
        date = f"{year}-{month:02d}-{day:02d}"
        title = f"{template[0][0]['title']} [synthetic {doc}]"
        doc_hash = hashlib.sha256(f"synthetic:{target}:{doc}".encode()).hexdigest()
        file_hash = hashlib.sha256(f"file:{target}:{doc}".encode()).hexdigest()
        start = 0
        anchor, fiscal = P.parse_iso(date), P.fiscal_year_end("\n".join(texts))
        for k, ((meta, _, vector), text) in enumerate(zip(template, texts, strict=True)):
            moved = vector + noise.normal(0.0, NOISE, vector.shape).astype(np.float32)
            batch[0].append(f"{doc_hash[:24]}:{k}")
            batch[1].append(moved / np.linalg.norm(moved))
            batch[2].append(text)
            # The sentences of this text, each with a vector near its chunk's, and the periods
            # they name, read as sync reads them.
            spans = split_sentences(text)
            near = moved + noise.normal(0.0, NOISE, (len(spans), vector.shape[0])).astype(np.float32)
            near /= np.linalg.norm(near, axis=1, keepdims=True)
            # Every field sync writes, copied from the real chunk, then made this document's own.
            batch[3].append({
                **meta, "source": f"synthetic/{doc:06d}.md", "root": root, "file_hash": file_hash,
                "doc_hash": doc_hash, "n_chunks": len(template), "chunk": k, "start": start,
                "end": start + len(text), "title": title, "date": date, "date_num": int(date.replace("-", "")),
                "url": f"https://example.com/synthetic/{doc}", "ingested_at": now,
                **encode_sentences(spans, near, []),
                "periods": P.dump_reading([title, *(text[a:b] for a, b in spans)], anchor, fiscal),
                "figures": F.dump_reading([text[a:b] for a, b in spans]),
            })
            start += len(text) + 2  # chunks of one document joined by a blank line
        written += len(template)
        doc += 1
        if len(batch[0]) >= 5000 or written >= target:
            store.add(batch[0], np.stack(batch[1]), batch[2], batch[3])
            batch = ([], [], [], [])
    store.mark_synced(changed=True)
    return store.count()

"""Keep the index in step with article folders: add new, replace changed, drop deleted.

Each chunk record carries ``file_hash`` (raw bytes) and ``doc_hash`` (normalised text and
metadata). An unchanged file is recognised from its bytes without parsing; a changed file is
re-chunked and only chunks whose text is new are embedded. New chunks are written before the old
ones are deleted and each record knows how many chunks its version has, so an ingest killed at
any point leaves an index that still answers, and the next run finishes the job.

LangChain's indexing API (``langchain_core.indexing.index`` with a record manager) was
considered: it keeps its bookkeeping in a second store beside Chroma, which breaks "everything
derivable from Chroma" when several processes share a Chroma server, cannot recognise a
rename or reuse embeddings of unchanged chunks, and does not report duplicates by content.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant import facts
from assistant import periods as P
from assistant.embeddings import Embedder
from assistant.errors import AssistantError, UnsupportedTypeError
from assistant.loaders import SUPPORTED_SUFFIXES, discover, read_document
from assistant.neardup import clusters
from assistant.reading import Origin, ReadArticle, Reader
from assistant.settings import Settings
from assistant.store import ChunkStore
from assistant.types import Chunk, Document, IngestSummary

log = logging.getLogger(__name__)

EMBED_GROUP = 128  # chunks embedded and written together (progress kept if a run is killed)


@dataclass
class DocState:
    """What the index holds for one source: chunk ids grouped by document version."""

    source: str
    groups: dict[str, list[str]] = field(default_factory=dict)
    meta: dict[str, dict[str, Any]] = field(default_factory=dict)

    def all_ids(self) -> list[str]:
        return [i for ids in self.groups.values() for i in ids]

    def complete(self, doc_hash: str) -> bool:
        return len(self.groups.get(doc_hash, ())) == int(self.meta[doc_hash].get("n_chunks", -1))

    def current(self) -> str | None:
        """The newest complete version, if any."""
        done = [h for h in self.groups if self.complete(h)]
        return max(done, key=lambda h: self.meta[h].get("ingested_at", 0.0)) if done else None


def scan_index(store: ChunkStore, records: Iterable[tuple[str, dict[str, Any], str | None]] | None = None) -> dict[str, DocState]:
    """Chunk ids grouped by source and document version, from ``records`` or a fresh read of the store."""
    states: dict[str, DocState] = {}
    for chunk_id, meta, _ in records if records is not None else store.records():
        source = str(meta.get("source", ""))
        state = states.setdefault(source, DocState(source))
        doc_hash = str(meta.get("doc_hash", ""))
        state.groups.setdefault(doc_hash, []).append(chunk_id)
        state.meta.setdefault(doc_hash, meta)
    return states


def document_hash(doc: Document) -> str:
    payload = [doc.text, doc.title, doc.date, doc.publisher, doc.url, doc.author, list(doc.tags), list(doc.aliases)]
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


def embed_text(doc: Document, chunk: Chunk) -> str:
    """What the encoder sees: the title gives each chunk its document's subject."""
    return f"{doc.title}\n{chunk.text}"


def encode_sentences(spans: Sequence[tuple[int, int]], vectors: np.ndarray, flagged: Iterable[int]) -> dict[str, str]:
    """Sentence spans, their vectors (float16, base64) and which are planted instructions, as
    metadata values of the chunk (Chroma stores scalars only)."""
    return {
        "sents": " ".join(f"{a}:{b}" for a, b in spans),
        "sv": base64.b64encode(np.asarray(vectors, dtype=np.float16).tobytes()).decode("ascii"),
        "instr": " ".join(str(k) for k in flagged),
    }


def decode_sentences(meta: dict[str, Any]) -> tuple[list[tuple[int, int]], np.ndarray | None, set[int]]:
    """What :func:`encode_sentences` stored: spans, vectors (None if absent) and flagged indexes."""
    spans = [(int(a), int(b)) for a, b in (x.split(":") for x in str(meta.get("sents") or "").split())]
    raw = meta.get("sv")
    vectors = None
    if raw and spans:
        data = np.frombuffer(base64.b64decode(str(raw)), dtype=np.float16)
        if data.size == len(spans) * 384:
            vectors = data.reshape(len(spans), 384).astype(np.float32)
    flagged = {int(k) for k in str(meta.get("instr") or "").split()}
    return spans, vectors, flagged


@dataclass
class _Pending:
    doc: Document
    file_hash: str
    doc_hash: str
    root: str
    previous: DocState | None


class Indexer:
    """Synchronises folders and files into a :class:`ChunkStore`."""

    def __init__(self, settings: Settings, store: ChunkStore, embedder: Embedder) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder

    def sync(self, paths: Sequence[Path], *, prune: bool = True, progress: bool = False) -> IngestSummary:
        """Bring the index in line with ``paths``; the caller holds the write lock.

        Folders are mirrored: a document ingested from a folder and no longer in it is removed
        (with ``prune``). Single files are added or updated only.
        """
        summary = IngestSummary()
        self.store.begin_write()
        states = scan_index(self.store)
        self._fingerprints: dict[str, str] = {}  # source -> MinHash of each article written
        files: list[tuple[Path, str, str]] = []
        roots: set[str] = set()
        for path in paths:
            path = Path(path)
            if not path.exists() and not path.is_symlink():
                summary.failed.append({"path": str(path), "error": "no such file or folder"})
                continue
            base = str(path.resolve() if path.is_dir() else path.resolve().parent)
            if path.is_dir():
                roots.add(base)
            try:
                found = discover(path)
            except AssistantError as exc:
                summary.failed.append({"path": str(path), "error": _reason(str(exc), str(path))})
                continue
            files.extend((p, source, base) for p, source in found)

        present = {source for _, source, _ in files}
        seen: dict[str, str] = {}  # doc_hash -> source that holds it
        stale: list[str] = []
        todo: list[tuple[Path, str, str, str]] = []

        def fail(source: str, error: str) -> None:
            """A file that cannot be read keeps its indexed version; leftovers of others go."""
            summary.failed.append({"path": source, "error": error})
            state = states.get(source)
            if state:
                current = state.current()
                if current:
                    seen.setdefault(current, source)
                stale.extend(i for h, g in state.groups.items() if h != current for i in g)

        # Pass 1: unchanged files are recognised by their bytes alone.
        for path, source, root in files:
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                try:
                    read_document(path, source, self.settings.limits)
                except AssistantError as exc:
                    summary.skipped += 1
                    summary.skipped_files.append({"path": source, "reason": _reason(str(exc), source)})
                continue
            try:
                if path.stat().st_size > self.settings.limits.max_file_bytes:
                    raise _limit_error(source, self.settings.limits.max_file_bytes)
                data = path.read_bytes()
            except AssistantError as exc:
                fail(source, _reason(str(exc), source))
                continue
            except OSError as exc:
                fail(source, f"cannot read: {exc.strerror}")
                continue
            file_hash = hashlib.sha256(data).hexdigest()
            state = states.get(source)
            current = state.current() if state else None
            if (
                state
                and current
                and state.meta[current].get("file_hash") == file_hash
                and state.meta[current].get("root") == root
                and state.meta[current].get("facts_v") == facts.VERSION
                and state.meta[current].get("periods_v") == P.RULES_VERSION
            ):
                summary.unchanged += 1
                seen[current] = source
                stale.extend(i for h, ids in state.groups.items() if h != current for i in ids)
            else:
                todo.append((path, source, root, file_hash))

        # Pass 2: parse what changed, so every failure (and the version it keeps) is known...
        parsed: list[tuple[Document, str, str]] = []
        for path, source, root, file_hash in todo:
            try:
                parsed.append((read_document(path, source, self.settings.limits), file_hash, root))
            except UnsupportedTypeError as exc:
                summary.skipped += 1
                summary.skipped_files.append({"path": source, "reason": _reason(str(exc), source)})
            except AssistantError as exc:
                fail(source, _reason(str(exc), source))

        # ...before deciding duplicates: identical content under two names is kept once.
        pending: list[_Pending] = []
        for doc, file_hash, root in parsed:
            source = doc.source
            doc_hash = document_hash(doc)
            state = states.get(source)
            if doc_hash in seen:
                summary.skipped += 1
                summary.duplicates.append({"path": source, "duplicate_of": seen[doc_hash]})
                if state:
                    stale.extend(state.all_ids())
                    summary.removed += 1
                continue
            seen[doc_hash] = source
            current_reading = state is not None and doc_hash in state.groups and (
                state.meta[doc_hash].get("facts_v"), state.meta[doc_hash].get("periods_v")) == (facts.VERSION, P.RULES_VERSION)
            if state and doc_hash in state.groups and state.complete(doc_hash) and current_reading:
                # Same content, new bytes (or moved root): refresh bookkeeping, embed nothing.
                ids = state.groups[doc_hash]
                metas = [{"file_hash": file_hash, "root": root} for _ in ids]
                self.store.update_metadata(ids, metas)
                stale.extend(i for h, g in state.groups.items() if h != doc_hash for i in g)
                summary.unchanged += 1
                continue
            pending.append(_Pending(doc, file_hash, doc_hash, root, state))

        written = self._write(pending, states, summary, progress)
        # Older versions go only now that the new ones are stored (ids shared with a version just
        # written, as in a rename, are kept below).
        for item in pending:
            if item.previous:
                stale.extend(i for h, g in item.previous.groups.items() if h != item.doc_hash for i in g)

        # Documents gone from a mirrored folder.
        for source, state in states.items():
            held_in = str(state.meta[next(iter(state.meta))].get("root", ""))
            if prune and held_in in roots and source not in present:
                stale.extend(state.all_ids())
                summary.removed += 1
        stale_ids = sorted(set(stale) - written.keys())
        if stale_ids:
            self.store.delete(stale_ids)
        self.store.mark_synced(changed=bool(written or stale_ids))
        _count(summary, states, written, stale_ids)
        if pending:
            summary.near_duplicates = _near_duplicates(states, self._fingerprints, prune and roots, present)
        return summary

    def remove(self, sources: Iterable[str]) -> IngestSummary:
        """Drop documents by source; the caller holds the write lock."""
        summary = IngestSummary()
        self.store.begin_write()
        states = scan_index(self.store)
        ids: list[str] = []
        for source in sources:
            if source in states:
                ids.extend(states[source].all_ids())
                summary.removed += 1
        if ids:
            self.store.delete(ids)
        self.store.mark_synced(changed=bool(ids))
        _count(summary, states, {}, ids)
        return summary

    def forget_files(self, paths: Iterable[Path]) -> IngestSummary:
        """Drop documents ingested as single files that no longer exist; the caller holds the lock.

        Only a document whose source is the file's name and whose folder is the file's folder
        matches, so an article of the same name ingested from elsewhere is left alone.
        """
        states = scan_index(self.store)
        gone = []
        for path in paths:
            path = Path(path)
            if path.exists() or path.is_symlink():
                continue
            state = states.get(path.name)
            roots = {str(m.get("root", "")) for m in state.meta.values()} if state else set()
            if str(path.absolute().parent.resolve()) in roots:
                gone.append(path.name)
        return self.remove(gone)

    def _write(
        self,
        pending: list[_Pending],
        states: dict[str, DocState],
        summary: IngestSummary,
        progress: bool,
    ) -> dict[str, str]:
        """Chunk, embed (reusing stored vectors of unchanged chunk texts) and store; returns the
        ids written, each with its document's source."""
        by_hash: dict[str, list[str]] = {}
        for state in states.values():
            for doc_hash, ids in state.groups.items():
                by_hash.setdefault(doc_hash, []).extend(ids)
        written: dict[str, str] = {}
        bar = _progress(len(pending), progress)
        batch: list[tuple[_Pending, ReadArticle]] = []
        size = 0
        reader = Reader(self.settings.chunking, self.embedder.count_tokens)
        items = [(item.doc, Origin(item.root, item.file_hash, item.doc_hash)) for item in pending]
        # Documents are read (chunks, facts, periods, instructions, fingerprints) ahead of the
        # encoder, and each group is stored on a thread while the next is encoded; groups are still
        # stored in order, one at a time, and all of them before this returns.
        with reader, ThreadPoolExecutor(1, "store") as writer:
            storing: Future[None] | None = None
            for i, (item, done) in enumerate(zip(pending, reader.read(items, time.time()), strict=True)):
                self._fingerprints[item.doc.source] = done.fingerprint
                batch.append((item, done))
                size += len(done.chunks)
                if size < EMBED_GROUP and i < len(pending) - 1:
                    continue
                ids, vectors, texts, metas = self._embed(batch, by_hash, summary)
                if storing is not None:
                    storing.result()
                storing = writer.submit(self.store.add, ids, vectors, texts, metas)
                written.update((chunk_id, meta["source"]) for chunk_id, meta in zip(ids, metas, strict=True))
                bar.update(len(batch))
                batch, size = [], 0
            if storing is not None:
                storing.result()
        bar.close()
        return written

    def _embed(
        self,
        batch: list[tuple[_Pending, ReadArticle]],
        by_hash: dict[str, list[str]],
        summary: IngestSummary,
    ) -> tuple[list[str], np.ndarray, list[str], list[dict[str, Any]]]:
        """The records of a group of read documents: ids, vectors, texts and metadata."""
        # Vectors already stored for this source or for the same content (a rename), by text.
        reuse_ids: list[str] = []
        for item, _ in batch:
            if item.previous:
                reuse_ids.extend(item.previous.all_ids())
            reuse_ids.extend(by_hash.get(item.doc_hash, []))
        reuse_ids = list(dict.fromkeys(reuse_ids))  # an edit and a takeover can name the same chunks
        known: dict[str, Any] = {}
        known_sentences: dict[str, np.ndarray] = {}
        if reuse_ids:
            vectors = self.store.embeddings(reuse_ids)
            for chunk_id, meta, text in self.store.records_by_id(reuse_ids):
                _, sentence_vectors, _ = decode_sentences(meta)
                if chunk_id in vectors and text is not None and sentence_vectors is not None:
                    key = f"{meta.get('title', '')}\n{text}"
                    known[key] = vectors[chunk_id]
                    known_sentences[key] = sentence_vectors
        ids: list[str] = []
        texts: list[str] = []
        metas: list[dict[str, Any]] = []
        inputs: list[str] = []
        spans: list[list[tuple[int, int]]] = []
        flags: list[list[int]] = []
        for item, done in batch:
            for chunk in done.chunks:
                ids.append(f"{item.doc_hash[:24]}:{chunk.index}")
                texts.append(chunk.text)
                inputs.append(embed_text(item.doc, chunk))
            metas.extend(done.metas)
            spans.extend(done.spans)
            flags.extend(done.flags)
            if item.previous and item.previous.current():
                summary.updated += 1
            else:
                summary.added += 1
        to_embed = sorted({k for k, text in enumerate(inputs) if text not in known})
        # Sentence vectors come from the same encoder pass, pooled over each sentence's tokens; the
        # chunk text starts after the title line in what the encoder sees.
        fresh, fresh_sentences = self.embedder.embed_with_spans(
            [inputs[k] for k in to_embed],
            [[(a + len(inputs[k]) - len(texts[k]), b + len(inputs[k]) - len(texts[k])) for a, b in spans[k]] for k in to_embed],
        )
        fresh_by_k = dict(zip(to_embed, fresh, strict=True))
        sentences_by_k = dict(zip(to_embed, fresh_sentences, strict=True))
        vectors_out = np.stack([fresh_by_k[k] if k in fresh_by_k else known[t] for k, t in enumerate(inputs)])
        for k, text in enumerate(inputs):
            sentence_vectors = sentences_by_k[k] if k in sentences_by_k else known_sentences[text]
            metas[k].update(encode_sentences(spans[k], sentence_vectors, flags[k]))
        summary.embedded_chunks += len(to_embed)
        return ids, vectors_out, texts, metas



def _near_duplicates(
    states: dict[str, DocState], written: dict[str, str], pruned: Any, present: set[str]
) -> list[dict[str, str]]:
    """Articles just written that are near-copies of another article in the index (from the scan
    the sync started with, plus what it wrote: no second read of the store)."""
    fingerprints: dict[str, str] = {}
    for source, state in states.items():
        current = state.current()
        if current and (not pruned or source in present):
            fingerprints[source] = str(state.meta[current].get("minhash") or "")
    fingerprints.update(written)
    changed = set(written)
    groups = clusters(fingerprints.items())
    return [
        {"path": source, "near_duplicate_of": groups[source]}
        for source in sorted(changed)
        if source in groups and groups[source] != source
    ] + [
        {"path": other, "near_duplicate_of": source}
        for source in sorted(changed)
        for other, head in groups.items()
        if head == source and other != source and other not in changed
    ]


def _count(
    summary: IngestSummary, states: dict[str, DocState], written: dict[str, str], deleted: Iterable[str]
) -> None:
    """Documents and chunks in the index after a sync: the scan it started from, plus the chunks it
    wrote (id -> source), minus those it deleted. No second read of the store."""
    owner = {i: source for source, state in states.items() for i in state.all_ids()}
    owner.update(written)
    for chunk_id in deleted:
        owner.pop(chunk_id, None)
    summary.documents = len(set(owner.values()))
    summary.chunks = len(owner)


def _reason(message: str, source: str) -> str:
    """The contract lists the path and the error separately: drop a leading "source: "."""
    prefix = f"{source}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def _limit_error(source: str, limit: int) -> AssistantError:
    from assistant.errors import TooLargeError

    return TooLargeError(f"{source}: file is larger than the {limit / 1e6:g} MB limit")


class _NoBar:
    def update(self, n: int) -> None: ...

    def close(self) -> None: ...


def _progress(total: int, enabled: bool) -> Any:
    if not enabled or total < 2 or not sys.stderr.isatty():
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="doc", desc="embedding", file=sys.stderr)

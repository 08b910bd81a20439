"""An article read for the index: everything the index stores about it except its vectors.

Reading (chunks, planted instructions, facts, periods, figures, a MinHash fingerprint) is plain
Python, about a third of a large ingest's CPU time; :class:`Reader` does it on a thread ahead of
the encoder, whose kernels run outside the interpreter lock. (A process of its own instead measured
only 0.4 s faster on 300 articles, 17.3 s against 17.7 s: the two cores are busy either way, and
a spawned process re-runs the caller's unguarded script.)
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from assistant import facts, figures
from assistant import periods as P
from assistant.chunking import chunk_document, split_sentences
from assistant.instructions import instruction_spans
from assistant.neardup import signature
from assistant.settings import ChunkingSettings
from assistant.types import Chunk, Document

READ_AHEAD = 128  # articles read ahead of the encoder at most


@dataclass(frozen=True)
class Origin:
    """Where an article came from, as each of its chunk records says."""

    root: str
    file_hash: str
    doc_hash: str


@dataclass
class ReadArticle:
    """An article chunked and read, waiting for its vectors."""

    chunks: list[Chunk]
    fingerprint: str
    metas: list[dict[str, Any]] = field(default_factory=list)
    spans: list[list[tuple[int, int]]] = field(default_factory=list)  # each chunk's sentences
    flags: list[list[int]] = field(default_factory=list)  # each chunk's sentences that are planted instructions


def sentence_spans(chunk: Chunk) -> list[tuple[int, int]]:
    """The chunk's sentences, as offsets into its text."""
    return split_sentences(chunk.text)


def read_article(
    doc: Document,
    origin: Origin,
    limits: ChunkingSettings,
    now: float,
    count_tokens: Callable[[Sequence[str]], list[int]],
) -> ReadArticle:
    """Everything of ``doc`` the index stores except vectors: its chunks, each chunk's metadata
    (facts, periods, figures, fingerprint), sentence spans and flagged sentences."""
    chunks = chunk_document(
        doc, count_tokens=count_tokens, max_tokens=limits.max_tokens, target_tokens=limits.target_tokens
    )
    planted = instruction_spans(doc.text)
    out = ReadArticle(chunks, signature(doc.text))
    # Facts are read from the whole article (a figure's owner may be named sentences before) and
    # stored with the chunk their sentence starts in.
    chunk_facts = facts.by_chunk(facts.extract(doc, planted), [(c.start, c.end) for c in chunks])
    # The periods each sentence names are read now, as a question would read them (with the
    # article's date and the fiscal year its chunks state), and stored with the chunk.
    anchor = P.parse_iso(doc.date or "")
    fiscal = P.fiscal_year_end("\n".join(c.text for c in chunks))
    for chunk, found in zip(chunks, chunk_facts, strict=True):
        spans = sentence_spans(chunk)
        pieces = [doc.title, *(chunk.text[a:b] for a, b in spans)]
        out.metas.append({
            **chunk_metadata(doc, origin, chunk, len(chunks), now), "minhash": out.fingerprint,
            "facts": facts.encode(found), "facts_v": facts.VERSION,
            "periods": P.dump_reading(pieces, anchor, fiscal), "periods_v": P.RULES_VERSION,
            "figures": figures.dump_reading(pieces[1:]),
        })
        out.spans.append(spans)
        out.flags.append([
            k for k, (a, b) in enumerate(spans) if any(x < chunk.start + b and chunk.start + a < y for x, y in planted)
        ])
    return out


def chunk_metadata(doc: Document, origin: Origin, chunk: Chunk, n_chunks: int, now: float) -> dict[str, Any]:
    date = doc.date or ""
    return {
        "source": doc.source,
        "root": origin.root,
        "file_hash": origin.file_hash,
        "doc_hash": origin.doc_hash,
        "n_chunks": n_chunks,
        "chunk": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
        "title": doc.title,
        "date": date,
        "date_num": date_number(date),
        "publisher": doc.publisher or "",
        "url": doc.url or "",
        "author": doc.author or "",
        "tags": ", ".join(doc.tags),
        "aliases": " ".join(f"{short}={name}" for short, name in doc.aliases),
        "page": doc.page_at(chunk.start) or 0,
        "section": chunk.section,
        "ingested_at": now,
    }


def date_number(iso: str) -> int:
    """``YYYY-MM-DD`` as the number YYYYMMDD (Chroma filters compare numbers only); 0 if none."""
    digits = iso.replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else 0


class Reader:
    """Reads articles on a thread of its own, ahead of the encoder, which works meanwhile."""

    def __init__(self, limits: ChunkingSettings, count_tokens: Callable[[Sequence[str]], list[int]]) -> None:
        self._read = functools.partial(read_article, limits=limits, count_tokens=count_tokens)
        self._thread = ThreadPoolExecutor(1, "read")

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self._thread.shutdown(cancel_futures=True)

    def read(self, items: Sequence[tuple[Document, Origin]], now: float) -> Iterator[ReadArticle]:
        """The articles read, in order, up to :data:`READ_AHEAD` ahead of the consumer."""
        pending: deque[Future[ReadArticle]] = deque()
        for item in items:
            pending.append(self._thread.submit(self._read, *item, now=now))
            if len(pending) > READ_AHEAD:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

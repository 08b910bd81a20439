"""Hybrid retrieval: dense (Chroma) and lexical (BM25) fused by reciprocal rank; a question that
names a period adds a third ranking, of the leading candidates that name it.

The lexical side is a :class:`Snapshot` built from what Chroma stores: the current complete
version of every document, its chunk texts and metadata. Questions run against one snapshot
object, so they see either the index before a sync or after it, never half of one.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant import periods as P
from assistant.embeddings import Embedder
from assistant.errors import InputError
from assistant.evidence import SentenceData
from assistant.figures import load_reading as load_figures
from assistant.lexicon import Lexicon
from assistant.query import QueryPlan, analyse, fold
from assistant.reading import date_number
from assistant.settings import RetrievalSettings
from assistant.speakers import Speakers, read_speakers
from assistant.store import ChunkStore
from assistant.sync import decode_sentences, scan_index
from assistant.types import Passage

_TOKEN = re.compile(r"[^\W_]+(?:[.,]\d+)*%?|[\u4e00-\u9fff]")
STOPWORDS = frozenset(
    """a an the of in on at for to and or is are was were be been being what which who whom whose
    how why when where did does do it its this that these those by with from as about than then
    there their they them he she his her we our you your i me my has have had will would can could
    should may might much many more most some any all also just only into out up not no so such
    tell give show please""".split()
)


PASSAGE_FIELDS = (
    "source", "chunk", "start", "end", "title", "date", "publisher", "url", "page", "section", "minhash", "facts",
    "periods",
)


def tokenize(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(fold(text)) if t not in STOPWORDS]


# A company's name ending on its legal form ("Kestrel Hollow Data, Inc.", "NORDFJELL ASA")
_LEGAL_NAME = re.compile(
    r"(?:[A-Z][\w&.'’-]*[ ,]+){1,6}(?:inc|corp|corporation|ltd|limited|plc|llc|ag|se|sa|s\.a|asa|ab|oyj|a/s|nv|n\.v|bv|"
    r"gmbh|spa|s\.p\.a|bhd|berhad|tbk|k\.k|co|holdings|group)\.?(?:\s*\([^)]{1,30}\))?",
    re.I,
)


@dataclass(frozen=True)
class Filters:
    """Restrictions on which documents a question may draw from."""

    publishers: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None

    @classmethod
    def parse(cls, raw: dict[str, Any] | None) -> Filters:
        """From the contract's ``filters`` object; bad values raise InputError naming them."""
        if not raw:
            return cls()
        if not isinstance(raw, dict):
            raise InputError("filters must be an object")
        unknown = set(raw) - {"publisher", "publishers", "sources", "date_from", "date_to"}
        if unknown:
            raise InputError(f"unknown filter {sorted(unknown)[0]!r}")
        publishers = raw.get("publisher") or raw.get("publishers") or ()
        sources = raw.get("sources") or ()
        for name, value in (("publisher", publishers), ("sources", sources)):
            if isinstance(value, str):
                continue
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                raise InputError(f"filter {name} must be a string or a list of strings")
        dates: dict[str, str | None] = {}
        for key in ("date_from", "date_to"):
            value = raw.get(key)
            if value in (None, ""):
                dates[key] = None
                continue
            try:
                dates[key] = date.fromisoformat(str(value)).isoformat()
            except ValueError:
                raise InputError(f"filter {key} must be an ISO date (YYYY-MM-DD), got {value!r}") from None
        if dates["date_from"] and dates["date_to"] and dates["date_from"] > dates["date_to"]:
            raise InputError(f"filter date_from {dates['date_from']} is after date_to {dates['date_to']}")
        return cls(
            publishers=(publishers,) if isinstance(publishers, str) else tuple(publishers),
            sources=(sources,) if isinstance(sources, str) else tuple(sources),
            date_from=dates["date_from"],
            date_to=dates["date_to"],
        )

    def __bool__(self) -> bool:
        return bool(self.publishers or self.sources or self.date_from or self.date_to)

    def where(self) -> dict[str, Any] | None:
        """The same restriction as a Chroma ``where`` clause."""
        clauses: list[dict[str, Any]] = []
        if self.publishers:
            clauses.append({"publisher": {"$in": list(self.publishers)}})
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if self.date_from:
            clauses.append({"date_num": {"$gte": date_number(self.date_from)}})
        if self.date_to:
            clauses.append({"date_num": {"$lte": date_number(self.date_to)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


@dataclass(frozen=True)
class _FilterColumns:
    """Publisher, source and date of every chunk as arrays, so a filter is a few vector operations."""

    codes: dict[str, dict[str, int]]  # column -> value -> code
    columns: dict[str, np.ndarray]  # column -> code of each chunk
    date_num: np.ndarray

    @classmethod
    def build(cls, metas: Sequence[dict[str, Any]]) -> _FilterColumns:
        codes: dict[str, dict[str, int]] = {"publisher": {}, "source": {}}
        columns = {
            name: np.fromiter((table.setdefault(str(m.get(name) or ""), len(table)) for m in metas), np.int32, len(metas))
            for name, table in codes.items()
        }
        dates = np.fromiter((date_number(str(m.get("date") or "")) for m in metas), np.int64, len(metas))
        return cls(codes, columns, dates)

    def isin(self, name: str, values: Sequence[str]) -> np.ndarray:
        wanted = [self.codes[name][v] for v in values if v in self.codes[name]]
        return np.isin(self.columns[name], np.asarray(wanted, dtype=np.int32))


@dataclass
class Snapshot:
    """The current version of every document, with a BM25 index over its chunks."""

    generation: int
    last_sync: float
    ids: list[str]
    texts: list[str]
    metas: list[dict[str, Any]]
    position: dict[str, int] = field(default_factory=dict)
    bm25: Any = None
    df: dict[str, int] = field(default_factory=dict)
    _periods: dict[int, tuple[P.Period, ...]] = field(default_factory=dict)  # by chunk, filled as asked
    _columns: _FilterColumns | None = None
    _lexicon: Lexicon | None = None
    _by_source: dict[str, list[int]] | None = None
    _fiscal: dict[str, int | None] = field(default_factory=dict)
    _doc_periods: dict[str, list[P.Period]] = field(default_factory=dict)
    _doc_words: dict[str, frozenset[str]] = field(default_factory=dict)
    _speakers: dict[str, Speakers] = field(default_factory=dict)
    _copies: dict[str, str] | None = None
    _titled: dict[str, set[str]] | None = None  # a title's (stemmed) word -> the articles titled with it
    _languages: dict[str, str] = field(default_factory=dict)  # by article, as read when needed
    _facts: Any = None
    _chunk_at: dict[tuple[str, int], int] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    alias_file: Any = None

    @classmethod
    def build(cls, store: ChunkStore) -> Snapshot:
        """Read the store once; keep what passages need, each repeated value (title, source,
        date...) as one object, and the BM25 index over token ids rather than token lists."""
        generation, last_sync = store.generation()
        rows: list[tuple[str, dict[str, Any], str, str]] = []
        shared: dict[str, str] = {}

        def reading() -> Iterator[tuple[str, dict[str, Any], None]]:
            for chunk_id, meta, text in store.records(documents=True):  # one read: versions and texts agree
                slim = {
                    key: shared.setdefault(value, value) if isinstance(value, str) else value
                    for key in PASSAGE_FIELDS
                    if (value := meta.get(key)) is not None
                }
                rows.append((chunk_id, slim, text or "", str(meta.get("doc_hash", ""))))
                yield chunk_id, meta, None

        states = scan_index(store, reading())
        keep = {source: state.current() for source, state in states.items()}
        del states
        ids, texts, metas = [], [], []
        for chunk_id, meta, text, doc_hash in rows:
            if keep.get(str(meta.get("source"))) == doc_hash:
                ids.append(chunk_id)
                texts.append(text)
                metas.append(meta)
        rows.clear()
        snapshot = cls(generation, last_sync, ids, texts, metas)
        snapshot.position = {chunk_id: k for k, chunk_id in enumerate(ids)}
        if ids:
            import bm25s

            vocab: dict[str, int] = {}
            corpus: list[list[int]] = []
            for meta, text in zip(metas, texts, strict=True):
                tokens = tokenize(f"{meta.get('title', '')} {text}") or ["_"]
                corpus.append([vocab.setdefault(token, len(vocab)) for token in tokens])
            counts: Counter[int] = Counter()
            for token_ids in corpus:
                counts.update(set(token_ids))
            snapshot.df = {token: counts[k] for token, k in vocab.items()}
            bm25 = bm25s.BM25()
            bm25.index((corpus, vocab), show_progress=False)
            snapshot.bm25 = bm25
        return snapshot

    def lexicon(self) -> Lexicon:
        """Word statistics and name spellings of these articles, built on first use."""
        if self._lexicon is None:
            with self._lock:
                if self._lexicon is None:
                    aliases = {str(m.get("aliases") or "") for m in self.metas}
                    labels = list({f"{m.get('title') or ''}\n{m.get('publisher') or ''}" for m in self.metas})
                    self._lexicon = Lexicon.build([*self.texts, *labels], aliases, self.alias_file)
        return self._lexicon

    def search_text(self, pattern: re.Pattern[str]) -> str | None:
        """The first match of ``pattern`` in the articles (for spellings the lexicon lacks)."""
        for text in self.texts:
            m = pattern.search(text)
            if m:
                return m.group(0)
        return None

    def document_periods(self, source: str) -> list[P.Period]:
        """Every period the article ``source`` names anywhere."""
        found = self._doc_periods.get(source)
        if found is None:
            positions = self._source_positions().get(source, [])
            anchor = P.parse_iso(str(self.metas[positions[0]].get("date") or "")) if positions else None
            fiscal = self.fiscal_end(source)
            # read a sentence at a time, as the answer reads them: most are then read already
            from assistant.chunking import split_sentences

            pieces = (self.texts[k][a:b] for k in positions for a, b in split_sentences(self.texts[k]))
            found = self._doc_periods[source] = list(dict.fromkeys(m.period for piece in pieces for m in P.find(piece, anchor, fiscal)))
        return found

    def facts(self) -> Any:
        """The :class:`~assistant.facts.FactTable` of these articles, built on first use."""
        if self._facts is None:
            from assistant.facts import FactTable

            lexicon = self.lexicon()
            with self._lock:
                if self._facts is None:
                    rows = zip(self.ids, self.metas, self.texts, strict=True)
                    self._facts = FactTable.build(rows, self.copy_of, lexicon)
        return self._facts

    def copy_of(self, source: str) -> str:
        """The article that stands for ``source``'s group of near-duplicates (itself if none)."""
        if self._copies is None:
            from assistant.neardup import clusters

            fingerprints: dict[str, str] = {}
            for meta in self.metas:
                fingerprints.setdefault(str(meta.get("source")), str(meta.get("minhash") or ""))
            self._copies = clusters(fingerprints.items())
        return self._copies.get(source, source)

    def document_words(self, source: str) -> frozenset[str]:
        """Every (stemmed) word of the article ``source``, its title and publisher included."""
        found = self._doc_words.get(source)
        if found is None:
            from assistant.lexicon import stem, words

            positions = self._source_positions().get(source, [])
            meta = self.metas[positions[0]] if positions else {}
            text = "\n".join([str(meta.get("title") or ""), str(meta.get("publisher") or ""), *(self.texts[k] for k in positions)])
            found = self._doc_words[source] = frozenset(map(stem, set(words(text))))  # each spelling stemmed once
        return found

    def reason_sections(self, sources: Sequence[str], limit: int = 4) -> list[int]:
        """Positions of the chunks of the first section of each of ``sources`` whose heading gives
        reasons ("Why build abroad?", "Drivers of demand"), at most ``limit`` of each."""
        from assistant.question import REASONS_HEADING

        out: list[int] = []
        for source in dict.fromkeys(sources):
            positions = self._in_article_order(self._source_positions().get(source, []))
            sections = [str(self.metas[k].get("section") or "") for k in positions]
            heading = next((h for h in sections if h and REASONS_HEADING.search(h)), None)
            if heading is not None:
                at = sections.index(heading)
                # (and the chunk before, in which the heading may stand)
                out += [k for i, k in enumerate(positions) if sections[i] == heading or i == at - 1][: limit + 1]
        return out

    def _in_article_order(self, positions: Sequence[int]) -> list[int]:
        return sorted(positions, key=lambda k: int(self.metas[k].get("chunk", 0)))

    def foreign_articles_about(self, name: frozenset[str], language: str, chunks: int = 12, most: int = 2) -> list[int]:
        """Positions of the chunks of the short articles (at most ``chunks`` chunks, at most
        ``most`` articles) written in another language than ``language`` whose title names ``name``
        (its stemmed words): read whole, as neither the question's vector nor its words find a
        passage in Spanish ("invertiremos 1,450 millones") for a question in English."""
        from assistant.lexicon import stem, words
        from assistant.question import language as language_of

        if self._titled is None:
            titled: dict[str, set[str]] = {}
            for source, positions in self._source_positions().items():
                for w in {stem(w) for w in words(str(self.metas[positions[0]].get("title") or ""))}:
                    titled.setdefault(w, set()).add(source)
            self._titled = titled
        out: list[int] = []
        sources = set.intersection(*(self._titled.get(w, set()) for w in name)) if name else set()
        for source in sorted(sources):
            positions = self._source_positions()[source]
            if len(positions) > chunks:
                continue
            if source not in self._languages:
                sample = " ".join(self.texts[k] for k in positions[:2])[:3000]
                self._languages[source] = language_of(sample)
            if self._languages[source] != language:
                out += self._in_article_order(positions)
                most -= 1
                if most == 0:
                    break
        return out

    def article_opening(self, source: str, chunks: int = 2) -> list[int]:
        """Positions of the first ``chunks`` chunks of the article ``source``."""
        positions = self._in_article_order(self._source_positions().get(source, []))
        return positions[:chunks]

    def document_lead(self, source: str) -> str:
        """The opening of the article ``source`` (its first 200 characters, to a word): the lines
        above its text ("Quillon Partners, Infrastructure Pricing Desk") or its first sentence."""
        positions = self._source_positions().get(source, [])
        if not positions:
            return ""
        first = min(positions, key=lambda k: int(self.metas[k].get("start", 0)))
        if int(self.metas[first].get("start", 0)) != 0:
            return ""
        text = self.texts[first]
        lead = text if len(text) <= 200 else text[:200].rsplit(" ", 1)[0]
        # (and a company's name with its legal form on a line of its own further down a filing's or
        # a release's cover: "CUMULUS RIDGE HOLDINGS, INC.")
        named = [line for line in text[len(lead) : 1500].split("\n") if _LEGAL_NAME.fullmatch(line.strip())]
        return " ".join([lead, *named[:1]])

    def document_speakers(self, source: str) -> Speakers:
        """Who speaks in the article ``source`` and for whom, when it is a transcript (read once)."""
        found = self._speakers.get(source)
        if found is None:
            text = ""
            for k in self._in_article_order(self._source_positions().get(source, [])):
                start = int(self.metas[k].get("start", 0))
                text += "\n" * max(0, start - len(text)) + self.texts[k][max(0, len(text) - start) :]
            found = self._speakers[source] = read_speakers(text)
        return found

    def _source_positions(self) -> dict[str, list[int]]:
        if self._by_source is None:
            by_source: dict[str, list[int]] = {}
            for k, meta in enumerate(self.metas):
                by_source.setdefault(str(meta.get("source")), []).append(k)
            self._by_source = by_source
        return self._by_source

    def _joined_before(self, k: int) -> int | None:
        """The position of the chunk before chunk ``k`` in its article, when no blank line (or
        more) separates them: one stretch of text; None otherwise."""
        meta = self.metas[k]
        before = self._neighbour(k, -1)
        if before is None or int(meta.get("start", 0)) - int(self.metas[before].get("end", 0)) > 1:
            return None
        return before

    def next_in_article(self, chunk_id: str) -> int | None:
        """The position of the chunk after ``chunk_id`` in its article, if any."""
        k = self.position.get(chunk_id)
        return None if k is None else self._neighbour(k, 1)

    def _neighbour(self, k: int, step: int) -> int | None:
        """The position of the chunk ``step`` chunks from chunk ``k`` in its article, if any."""
        if self._chunk_at is None:
            self._chunk_at = {(str(m.get("source")), int(m.get("chunk", -1))): i for i, m in enumerate(self.metas)}
        meta = self.metas[k]
        return self._chunk_at.get((str(meta.get("source")), int(meta.get("chunk", -1)) + step))

    def text_before(self, chunk_id: str) -> str:
        """The sentence before chunk ``chunk_id`` in its paragraph (the end of the chunk before it,
        when no blank line separates them), so "The company ..." at a chunk's start still knows
        whom it speaks of; "" when the chunk opens a paragraph or its article."""
        k = self.position.get(chunk_id)
        before = self._joined_before(k) if k is not None else None
        if before is None:
            return ""
        from assistant.chunking import split_sentences

        text = self.texts[before]
        spans = split_sentences(text)
        return text[spans[-1][0] : spans[-1][1]] if spans else ""

    def text_above(self, chunk_id: str, chunks: int = 3, limit: int = 4000) -> str:
        """The text of up to ``chunks`` chunks before ``chunk_id`` (its last ``limit`` characters, from a
        line's start) while they are one stretch of text with it: a table split between chunks keeps
        its caption and column names."""
        k = self.position.get(chunk_id)
        parts: list[str] = []
        for _ in range(chunks):
            before = self._joined_before(k) if k is not None else None
            if before is None:
                break
            parts.insert(0, self.texts[before])
            k = before
        text = "\n".join(parts)
        return text if len(text) <= limit else text[-limit:].split("\n", 1)[-1]

    def fiscal_end(self, source: str) -> int | None:
        """The month the article ``source`` says its fiscal year ends in, if it says so."""
        if source not in self._fiscal:
            text = "\n".join(self.texts[k] for k in self._source_positions().get(source, []))
            self._fiscal[source] = P.fiscal_year_end(text)
        return self._fiscal[source]

    def passage(self, k: int, score: float = 0.0) -> Passage:
        meta = self.metas[k]
        return Passage(
            id=self.ids[k],
            source=str(meta.get("source", "")),
            text=self.texts[k],
            start=int(meta.get("start", 0)),
            end=int(meta.get("end", 0)),
            title=str(meta.get("title", "")),
            date=str(meta.get("date") or "") or None,
            publisher=str(meta.get("publisher") or "") or None,
            url=str(meta.get("url") or "") or None,
            score=score,
            page=int(meta.get("page") or 0) or None,
            section=str(meta.get("section") or ""),
        )

    def names_period(self, k: int, asked: Sequence[P.Period]) -> bool:
        """Whether chunk ``k`` (its title or text) names one of the ``asked`` periods."""
        periods = self._periods.get(k)
        if periods is None:
            from assistant.chunking import split_sentences

            # Title and sentences read one at a time: the answer reads the same sentences, with
            # the same article date and fiscal year, so its reading finds them already done.
            text = self.texts[k]
            anchor = P.parse_iso(str(self.metas[k].get("date") or ""))
            fiscal = self.fiscal_end(str(self.metas[k].get("source")))
            pieces = [str(self.metas[k].get("title", "")), *(text[a:b] for a, b in split_sentences(text))]
            stored = self.metas[k].get("periods")
            # (what ingest read and stored with the chunk, when read by the same rules)
            readings = P.load_reading(str(stored), pieces, anchor, fiscal) if stored else None
            if readings is None:
                readings = [tuple(P.find(piece, anchor, fiscal)) for piece in pieces]
            periods = self._periods.setdefault(k, tuple(m.period for mentions in readings for m in mentions))
        best = P.best_relation(asked, periods)
        return best is not None and best >= 0.5

    def mask(self, filters: Filters) -> np.ndarray | None:
        """Which chunks ``filters`` allow, from columns built on the first filtered question."""
        if not filters:
            return None
        if self._columns is None:
            self._columns = _FilterColumns.build(self.metas)
        columns = self._columns
        keep = np.ones(len(self.ids), dtype=bool)
        if filters.publishers:
            keep &= columns.isin("publisher", filters.publishers)
        if filters.sources:
            keep &= columns.isin("source", filters.sources)
        if filters.date_from:
            keep &= columns.date_num >= date_number(filters.date_from)
        if filters.date_to:
            keep &= (columns.date_num > 0) & (columns.date_num <= date_number(filters.date_to))
        return keep

    def lexical(self, query: str, n: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        if self.bm25 is None:
            return []
        vocab = self.bm25.vocab_dict
        tokens = [t for t in tokenize(query) if t in vocab]
        if not tokens:
            return []
        scores = np.asarray(self.bm25.get_scores(tokens), dtype=np.float32)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top])]
        return [(int(k), float(scores[k])) for k in top if scores[k] > 0]

    def documents(self) -> list[dict[str, Any]]:
        docs: dict[str, dict[str, Any]] = {}
        for meta in self.metas:
            source = str(meta.get("source"))
            if source not in docs:
                docs[source] = {
                    "source": source,
                    "title": meta.get("title") or source,
                    "date": meta.get("date") or None,
                    "publisher": meta.get("publisher") or None,
                    "url": meta.get("url") or None,
                    "chunks": 0,
                }
            docs[source]["chunks"] += 1
        return sorted(docs.values(), key=lambda d: (d["date"] or "", d["source"]), reverse=True)


class HybridSearcher:
    """Dense + BM25 candidates, fused with reciprocal rank fusion and diversified by document."""

    def __init__(self, store: ChunkStore, embedder: Embedder, settings: RetrievalSettings) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self._vectors: dict[str, Future[np.ndarray]] = {}  # question text -> its vector (a few hundred kept)
        self._prefetcher: ThreadPoolExecutor | None = None
        self._vectors_lock = threading.Lock()
        self._sentences: dict[str, SentenceData] = {}  # chunk id -> its sentences (ids change with content)

    def query_vector(self, text: str) -> np.ndarray:
        with self._vectors_lock:
            pending = self._vectors.get(text)
            if pending is None:
                pending = self._vectors[text] = Future()
                mine = True
                if len(self._vectors) > 512:
                    self._vectors.pop(next(iter(self._vectors)))
            else:
                mine = False
        if mine:
            try:
                pending.set_result(self.embedder.embed_query(text))
            except BaseException as exc:
                with self._vectors_lock:
                    self._vectors.pop(text, None)  # (asked again, it is encoded again)
                pending.set_exception(exc)
        return pending.result()

    def prefetch_vector(self, text: str) -> None:
        """Start encoding ``text`` on a thread of its own: the encoder runs (outside the GIL, on
        the other core) while the question is read and the words are searched, and
        :meth:`query_vector` then waits for it rather than encoding it again."""
        with self._vectors_lock:
            if text in self._vectors:
                return
            if self._prefetcher is None:
                self._prefetcher = ThreadPoolExecutor(1, thread_name_prefix="query-vector")
            prefetcher = self._prefetcher
        prefetcher.submit(self.query_vector, text)

    def sentence_data(self, passages: Sequence[Passage], snapshot: Snapshot | None = None) -> dict[str, SentenceData]:
        """The stored sentences of each passage: spans, vectors pooled at ingest, instruction flags.
        A chunk stored without vectors (an index from an older version) gets them encoded now."""
        wanted = [p.id for p in passages if p.id not in self._sentences]
        if wanted:
            snapshot = snapshot or self.snapshot()
            by_id = {p.id: p for p in passages}
            for chunk_id, meta, _ in self.store.records_by_id(wanted, documents=False):  # (the snapshot has the texts)
                spans, vectors, flagged = decode_sentences(meta)
                self._sentences[chunk_id] = SentenceData(spans, vectors, flagged)
                passage = by_id[chunk_id]
                if spans:
                    # the periods and figures its sentences name, as ingest read them (the answer reads them next)
                    pieces = [passage.title, *(passage.text[a:b] for a, b in spans)]
                    if meta.get("periods"):
                        P.load_reading(str(meta["periods"]), pieces, P.parse_iso(passage.date or ""), snapshot.fiscal_end(passage.source))
                    if meta.get("figures"):
                        load_figures(str(meta["figures"]), pieces[1:])
            for p in passages:
                data = self._sentences.get(p.id)
                if data is None or not data.spans or data.vectors is None:
                    from assistant.chunking import split_sentences

                    spans = data.spans if data and data.spans else split_sentences(p.text)
                    vectors = self.embedder.embed_documents([p.text[a:b] for a, b in spans]) if spans else None
                    self._sentences[p.id] = SentenceData(spans, vectors, data.flagged if data else set())
            for p in passages:
                data = self._sentences.get(p.id)
                if data is not None and data.before is None:
                    self._sentences[p.id] = replace(
                        data, before=snapshot.text_before(p.id), lead=snapshot.document_lead(p.source),
                        above=snapshot.text_above(p.id), speakers=snapshot.document_speakers(p.source),
                    )
            while len(self._sentences) > 20_000:
                self._sentences.pop(next(iter(self._sentences)))
        return {p.id: self._sentences[p.id] for p in passages if p.id in self._sentences}

    def snapshot(self, *, refresh: bool = False) -> Snapshot:
        """The current snapshot, rebuilt when the store's generation moved on."""
        current = self._snapshot
        if current is not None and not refresh:
            generation, _ = self.store.generation()
            if generation == current.generation:
                return current
        with self._lock:
            if self._snapshot is None or refresh or self.store.generation()[0] != self._snapshot.generation:
                self._snapshot = Snapshot.build(self.store)
            return self._snapshot

    def refresh(self) -> None:
        """After a write: bring a snapshot already built up to date (if the index changed); a
        process that never searched (``assistant ingest``) builds none."""
        if self._snapshot is not None:
            self.snapshot()

    def search(
        self,
        plan: QueryPlan,
        *,
        k: int | None = None,
        filters: Filters | None = None,
        snapshot: Snapshot | None = None,
    ) -> list[Passage]:
        snap = snapshot or self.snapshot()
        if not snap.ids:
            return []
        filters = filters or Filters()
        k = k or self.settings.top_k
        n = self.settings.candidates
        text = plan.search_text()
        mask = snap.mask(filters)
        dense_hits = self.store.query(self.query_vector(plan.text), min(n, len(snap.ids)), filters.where())
        dense = [(snap.position[i], s) for i, s in dense_hits if i in snap.position]
        lexical = snap.lexical(text, n, mask)
        fused: dict[int, float] = {}
        dense_score = dict(dense)
        for ranking in (dense, lexical):
            for rank, (pos, _) in enumerate(ranking):
                fused[pos] = fused.get(pos, 0.0) + 1.0 / (self.settings.rrf_k + rank + 1)
        order = sorted(fused, key=lambda pos: fused[pos], reverse=True)
        if plan.periods:
            # A third ranking over the head of the list: the candidates that name an asked period.
            head = order[:20]
            on_period = [pos for pos in head if snap.names_period(pos, plan.periods)]
            for rank, pos in enumerate(on_period):
                fused[pos] += 1.0 / (self.settings.rrf_k + rank + 1)
            order = sorted(fused, key=lambda pos: fused[pos], reverse=True)
        picked: list[int] = []
        held: list[int] = []  # over the per-document share: used only if the others run out
        per_doc: dict[str, int] = {}
        for pos in order:
            source = str(snap.metas[pos].get("source"))
            if per_doc.get(source, 0) >= self.settings.per_document:
                held.append(pos)
                continue
            per_doc[source] = per_doc.get(source, 0) + 1
            picked.append(pos)
            if len(picked) >= k:
                break
        picked += held[: k - len(picked)]
        return [snap.passage(pos, dense_score.get(pos, 0.0)) for pos in picked]


class AssistantRetriever(BaseRetriever):
    """LangChain retriever over the assistant's hybrid search; metadata carries the citation fields."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: Any
    k: int = 8
    filters: Filters = Filters()

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None, **kwargs: Any
    ) -> list[LCDocument]:
        """``k`` may be given at invoke time (``retriever.invoke(q, k=1)``), as LangChain's
        standard retriever tests expect."""
        passages = self.searcher.search(analyse(query, self.searcher.snapshot()), k=k or self.k, filters=self.filters)
        return [to_langchain(p) for p in passages]


def to_langchain(passage: Passage) -> LCDocument:
    return LCDocument(page_content=passage.text, metadata=passage.metadata(), id=passage.id)


def passages_for(snapshot: Snapshot, ids: Sequence[str]) -> list[Passage]:
    return [snapshot.passage(snapshot.position[i]) for i in ids if i in snapshot.position]

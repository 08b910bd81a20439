"""The :class:`Assistant`: one object that every interface (CLI, HTTP, UI, Python) drives."""

from __future__ import annotations

import hashlib
import re
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import IndexBusyError, InputError, NotFoundError, TooLargeError, UnsupportedTypeError
from assistant.settings import Settings, load_settings
from assistant.types import Answer, IngestSummary

if TYPE_CHECKING:
    from langchain_core.retrievers import BaseRetriever
    from langchain_core.runnables import Runnable

    from assistant.answering import AnswerGenerator
    from assistant.embeddings import Embedder
    from assistant.retrieval import HybridSearcher
    from assistant.store import ChunkStore
    from assistant.sync import Indexer

# CSI sequences (colours, cursor), OSC/DCS/PM/APC strings with their payload (ESC ] 0;title BEL), other ESC pairs.
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]")
# Control characters, and the invisible bidi/zero-width format characters (U+202E RLO and kin)
# that reorder or split what a user sees without changing what they typed.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


def clean_text(text: str) -> str:
    """Strip ANSI escapes, NUL and control characters from user input."""
    return _CONTROL.sub("", _ANSI.sub("", text)).strip()


class Assistant:
    """Ingest articles, answer questions with citations, and expose LangChain interfaces."""

    def __init__(
        self,
        settings: Settings,
        store: ChunkStore,
        embedder: Embedder,
        generator: AnswerGenerator | None = None,
    ) -> None:
        from assistant.answering import make_generator
        from assistant.retrieval import HybridSearcher
        from assistant.sync import Indexer

        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.indexer: Indexer = Indexer(settings, store, embedder)
        self.searcher: HybridSearcher = HybridSearcher(store, embedder, settings.retrieval)
        self.generator: AnswerGenerator = generator or make_generator(settings)
        self._write_guard = threading.Lock()

    @classmethod
    def open(
        cls, settings: Settings | None = None, *, index: str | Path | None = None, **overrides: Any
    ) -> Assistant:
        """Open (creating if needed) the index named by ``settings`` or ``index``."""
        from assistant.embeddings import get_embedder
        from assistant.store import ChunkStore

        if settings is None:
            if index is not None:
                overrides["index"] = Path(index)
            settings = load_settings(**overrides)
        elif index is not None or overrides:
            settings = settings.model_copy(update={**overrides, **({"index": Path(index)} if index else {})})
        embedder = get_embedder(
            settings.embedding_model,
            settings.embedding_dtype,
            settings.embedding_batch_size,
            settings.embedding_workers,
            settings.embedding_fused,
        )
        return cls(settings, ChunkStore(settings), embedder)

    # ---- ingestion ----------------------------------------------------------------------

    @contextmanager
    def write_lock(self, timeout: float = 600.0) -> Iterator[None]:
        """Serialise writers across threads and processes; waits up to ``timeout`` seconds."""
        from filelock import FileLock, Timeout

        if self.settings.chroma_url:
            key = hashlib.sha256(f"{self.settings.chroma_url}/{self.settings.collection}".encode()).hexdigest()[:16]
            path = Path(tempfile.gettempdir()) / f"assistant-{key}.lock"
        else:
            path = self.settings.index / ".write.lock"
        lock = FileLock(str(path))
        if not self._write_guard.acquire(timeout=timeout):
            raise IndexBusyError("another ingest is running in this process; try again later")
        try:
            try:
                lock.acquire(timeout=timeout)
            except Timeout:
                raise IndexBusyError(
                    f"the index is locked by another ingest ({path}); waited {timeout:g} s"
                ) from None
            try:
                yield
            finally:
                lock.release()
        finally:
            self._write_guard.release()

    def ingest(
        self,
        paths: Sequence[str | Path] | None = None,
        *,
        progress: bool = False,
        prune: bool = True,
        lock_timeout: float = 600.0,
    ) -> IngestSummary:
        """Sync folders and files (default: the corpus folder) into the index."""
        targets = [Path(p) for p in (paths or [self.settings.corpus])]
        with self.write_lock(lock_timeout):
            summary = self.indexer.sync(targets, prune=prune, progress=progress)
        self.searcher.refresh()
        return summary

    def add_files(self, files: Sequence[tuple[str, bytes]]) -> IngestSummary:
        """Save uploaded files into the corpus folder under safe names and ingest them."""
        from assistant.loaders import SUPPORTED_SUFFIXES

        limits = self.settings.limits
        if not files:
            raise InputError("no files were uploaded")
        if len(files) > limits.max_files_per_upload:
            raise TooLargeError(f"{len(files)} files uploaded; the limit is {limits.max_files_per_upload}")
        folder = self.settings.corpus
        folder.mkdir(parents=True, exist_ok=True)
        saved: list[Path] = []
        summary_failed: list[dict[str, str]] = []
        for name, data in files:
            safe = safe_filename(name)
            suffix = Path(safe).suffix.lower()
            if suffix not in SUPPORTED_SUFFIXES:
                summary_failed.append({"path": safe, "error": f"unsupported file type {suffix or '(none)'}; "
                                       f"accepted: {', '.join(sorted(SUPPORTED_SUFFIXES))}"})
                continue
            if len(data) > limits.max_file_bytes:
                limit = f"{limits.max_file_bytes / 1e6:g} MB"
                summary_failed.append({"path": safe, "error": f"file is larger than the {limit} limit"})
                continue
            target = folder / safe
            tmp = target.with_name(f".{safe}.part")
            tmp.write_bytes(data)
            tmp.replace(target)
            saved.append(target)
        if not saved:
            if len(files) == 1 and summary_failed:
                error = summary_failed[0]["error"]
                cls = UnsupportedTypeError if error.startswith("unsupported") else TooLargeError
                raise cls(f"{summary_failed[0]['path']}: {error}")
            summary = IngestSummary()
        else:
            summary = self.ingest(saved, prune=False)
        summary.failed = summary_failed + summary.failed
        for entry in summary.failed:
            # Keep the folder and index in step: a saved file that could not be read is not kept.
            path = folder / entry["path"]
            if path in saved and path.exists():
                path.unlink()
        self._refresh_counts(summary)
        return summary

    def remove(self, source: str) -> IngestSummary:
        """Remove a document from the index, and its file when it lives in the corpus folder."""
        if source not in {d["source"] for d in self.documents()}:
            raise NotFoundError(f"no document with source {source!r}")
        with self.write_lock():
            summary = self.indexer.remove([source])
            path = (self.settings.corpus / source).resolve()
            corpus = self.settings.corpus.resolve()
            if path.is_file() and corpus in path.parents:
                path.unlink()
        self.searcher.refresh()
        return summary

    def _refresh_counts(self, summary: IngestSummary) -> None:
        snap = self.searcher.snapshot()
        summary.documents = len({m.get("source") for m in snap.metas})
        summary.chunks = len(snap.ids)

    # ---- reading ------------------------------------------------------------------------

    def documents(self) -> list[dict[str, Any]]:
        """The indexed articles: source, title, date, publisher, url, chunks."""
        return self.searcher.snapshot().documents()

    def status(self) -> dict[str, Any]:
        snap = self.searcher.snapshot()
        return {
            "status": "ok",
            "documents": len({m.get("source") for m in snap.metas}),
            "chunks": len(snap.ids),
            "last_sync": snap.last_sync or None,
            "generator": self.generator.name,
        }

    def facts(
        self,
        entity: str | None = None,
        metric: str | None = None,
        period: str | None = None,
        scope: str | None = None,
        source: str | None = None,
        limit: int | None = None,
    ) -> dict[str, Any]:
        """The figures of the articles as data: ``{"facts": [...], "conflicts": [...], "count": n}``.

        Each fact is a dict (see :data:`assistant.facts.FIELDS`): entity, metric, value, unit,
        figure as written, period (label and ISO start/end), scope, measured_by, forecast, and its
        citation (source, title, date, publisher, url, start, end, quote == text[start:end],
        origin: the article it is a near-copy of). Filters match loosely: ``entity="AWS"`` finds
        "Amazon Web Services (AWS)", ``period="Q2 2025"`` any way of writing that quarter (and
        periods inside a year asked for). ``conflicts`` are facts of the selection agreeing on
        entity, metric, period and scope but not on value, from different articles. ``count`` is
        the number selected before ``limit``."""
        if limit is not None and limit < 0:
            raise InputError("limit must be 0 or more")
        table = self.searcher.snapshot().facts()
        positions = table.select(entity=entity, metric=metric, period=period, scope=scope, source=source)
        shown = positions if limit is None else positions[:limit]
        return {
            "facts": [dict(table.facts[i]) for i in shown],
            "conflicts": table.conflicts(positions),
            "count": len(positions),
        }

    def facts_in(self, citations: Sequence[Any]) -> list[dict[str, Any]]:
        """The facts whose sentence lies inside one of ``citations`` (an answer's citations, as
        dicts or :class:`~assistant.types.Citation`): the figures an answer quotes, as data."""
        table = self.searcher.snapshot().facts()
        out: list[dict[str, Any]] = []
        for citation in citations:
            c = citation if isinstance(citation, dict) else citation.__dict__
            start, end = int(c.get("start", 0)), int(c.get("end", 0))
            for i in table.select(source=str(c.get("source", ""))):
                f = table.facts[i]
                if start <= f["start"] < end or f["start"] <= start < f["end"]:
                    out.append(dict(f))
        return list({f["id"]: f for f in out}.values())

    def ask(
        self,
        question: str,
        history: Sequence[dict[str, str]] | None = None,
        filters: dict[str, Any] | None = None,
        id: str | None = None,
    ) -> Answer:
        """Answer ``question`` from the articles, with citations (the contract's answer object)."""
        answer: Answer | None = None
        for item in self.stream(question, history, filters, id=id):
            if isinstance(item, Answer):
                answer = item
        assert answer is not None
        return answer

    def stream(
        self,
        question: str,
        history: Sequence[dict[str, str]] | None = None,
        filters: dict[str, Any] | None = None,
        id: str | None = None,
    ) -> Iterator[str | Answer]:
        """Yield answer text as it is produced, then the final :class:`Answer`."""
        from dataclasses import replace

        from assistant.answering import ExtractiveGenerator
        from assistant.evidence import merge
        from assistant.grounding import enforce
        from assistant.lexicon import stem, words
        from assistant.question import clauses
        from assistant.retrieval import Filters

        started = time.perf_counter()
        question = self.validate_question(question)
        if not history:
            self.searcher.prefetch_vector(question)  # (a follow-up is searched with words of the turns before)
        turns = self.clean_history(history)
        parsed = Filters.parse(filters)
        snapshot = self.searcher.snapshot()

        def prepare(text: str, turns: list[dict[str, str]]) -> tuple[Any, list[Any]]:
            plan = self.plan(text, turns, snapshot)
            passages = self.searcher.search(plan, filters=parsed, snapshot=snapshot)
            passages = [*passages, *self._fact_passages(plan, passages, parsed, snapshot)]
            # the chunk after each of the best two: an article goes on about what its chunk named
            # ("The company's third-quarter revenue ..." after the paragraph naming it)
            more = [k for p in passages[:2] if (k := snapshot.next_in_article(p.id)) is not None]
            if plan.question is not None and plan.question.summary and passages:
                # a summary of an article: its opening, which says what it is about
                more += snapshot.article_opening(passages[0].source)
            present = [n for n in plan.question.names if not n.absent] if plan.question is not None else []
            if plan.question is not None and len(present) == 1:
                # a short article in another language about the one name asked about, read whole
                name = frozenset(stem(w) for w in words(present[0].text))
                more += snapshot.foreign_articles_about(name, plan.question.language)
            if plan.question is not None and plan.question.reasons:
                # a why-question: the section of a retrieved article that gives reasons, whole
                more += snapshot.reason_sections([p.source for p in passages[:5]])
            held, allowed = {p.id for p in passages}, snapshot.mask(parsed)
            for k in more:
                if snapshot.ids[k] not in held and (allowed is None or allowed[k]):
                    held.add(snapshot.ids[k])
                    passages.append(snapshot.passage(k))
            plan = replace(
                plan,
                vector=self.searcher.query_vector(plan.text),
                sentences=self.searcher.sentence_data(passages, snapshot),
                snapshot=snapshot,
            )
            return plan, passages

        parts = clauses(question) if isinstance(self.generator, ExtractiveGenerator) else [question]
        if len(parts) > 1:
            # A question of several clauses ("... in 2024, and who is the largest operator?"): each
            # answered in turn, a later one read as a follow-up of the earlier ones.
            drafts, context = [], list(turns)
            for part in parts:
                plan, passages = prepare(part, context)
                drafts.append(self.generator.generate(plan, passages, context))
                context = [*context, {"role": "user", "content": part}, {"role": "assistant", "content": drafts[-1].text}]
            retrieved = time.perf_counter()
            draft = merge(drafts)
            yield draft.text
        else:
            plan, passages = prepare(question, turns)
            retrieved = time.perf_counter()
            draft = None
            for item in self.generator.stream(plan, passages, turns):
                if isinstance(item, str):
                    yield item
                else:
                    draft = item
        assert draft is not None
        answer = enforce(draft, question, fallback=lambda: self._fallback(plan, passages, turns))
        done = time.perf_counter()
        answer.id = id
        answer.timings_ms = {
            "retrieve": round((retrieved - started) * 1000, 2),
            "answer": round((done - retrieved) * 1000, 2),
            "total": round((done - started) * 1000, 2),
        }
        yield answer

    def _fact_passages(self, plan: Any, passages: Sequence[Any], filters: Any, snapshot: Any) -> list[Any]:
        """Passages the search did not bring that hold a fact the question asks for: for each part
        of a question in parts (several names or periods), a fact of that part; for a question
        about a name, a fact of that name whose sentence has the measure asked ("backlog",
        "capex"). The answer then quotes the sentence that states it, even when the question's
        words favoured other passages."""
        import numpy as np

        from assistant.evidence import _PERIOD_WORDS, Part, parts_of

        q = plan.question
        if q is None:
            return []
        present = tuple(i for i, n in enumerate(q.names) if not n.absent)
        parts = parts_of(q, snapshot.lexicon())
        in_parts = bool(parts)
        if not parts:
            if not present:
                return []
            parts = [Part("", present)]
        names = q.name_words()
        measure = {t for t in q.terms if t not in names and len(t) > 2 and not t.isdigit() and t not in _PERIOD_WORDS}
        if not in_parts and not measure:
            return []
        table = snapshot.facts()
        held = {p.id for p in passages}
        allowed = snapshot.mask(filters)
        extra: list[Any] = []
        for part in parts:
            named = [q.names[i].text for i in part.names if i < len(q.names) and not q.names[i].absent]
            periods = [part.period] if part.period is not None else list(q.periods)
            # The part's own name is the last of its names (the others are shared by every part).
            if named:
                order: Sequence[int] = table.select(entity=named[-1])
            else:
                # facts of any name: those of the periods asked only (each period judged once)
                order = range(len(table.facts)) if not periods else sorted(
                    i for group in table.by_period.values()
                    if any(_fact_in(table.facts[group[0]], p) for p in periods) for i in group
                )
            wanted = set(part.terms) or measure
            # Each distinct period-and-unit and each metric label is judged once; the facts are then
            # picked by array lookups (a much-reported name has tens of thousands at 100k chunks).
            key_ids, first, metric_ids, labels = table.columns()
            ids = np.arange(order.start, order.stop) if isinstance(order, range) else np.asarray(order, dtype=np.int64)
            kid = key_ids[ids]
            fit_by = np.zeros(len(first), dtype=bool)
            for u in np.unique(kid).tolist():
                fact = table.facts[first[u]]
                fit_by[u] = (not periods or any(_fact_in(fact, p) for p in periods)) and _kind_asked(fact, q.wants)
            fitting = ids[fit_by[kid]]
            mid = metric_ids[fitting]
            in_label = np.zeros(len(labels), dtype=np.int64)
            for u in np.unique(mid).tolist():
                # The measure in the fact's label first (cheap); its sentence's words only for the
                # first few hundred facts of the name, which is all a question ever cites.
                in_label[u] = sum(1 for t in wanted if t in labels[u])
            overlap = in_label[mid]
            unlabelled = overlap == 0
            for j in np.nonzero(unlabelled & (np.cumsum(unlabelled) <= 300))[0].tolist():
                overlap[j] = len(wanted & table.words(int(fitting[j])))
            keep = np.ones(len(fitting), dtype=bool) if in_parts else overlap > 0
            picked, scores = fitting[keep], overlap[keep]
            ranked = picked[np.lexsort((picked, -scores))].tolist()  # most overlap first, then in order
            added = 0
            for i in ranked:
                chunk_id = table.facts[i]["id"].rsplit(":", 1)[0]
                k = snapshot.position.get(chunk_id)
                if k is None or chunk_id in held or (allowed is not None and not allowed[k]):
                    continue
                held.add(chunk_id)
                extra.append(snapshot.passage(k, 0.0))
                added += 1
                if added == 2:
                    break
        return extra

    def plan(self, question: str, history: Sequence[dict[str, str]] | None = None, snapshot: Any = None) -> Any:
        """What ``question`` asks, a follow-up read with ``history``, against the indexed articles."""
        from assistant.query import plan

        return plan(question, history, snapshot or self.searcher.snapshot())

    def _fallback(self, plan: Any, passages: Any, turns: Any) -> Any:
        from assistant.answering import ExtractiveGenerator

        return ExtractiveGenerator().generate(plan, passages, turns)

    def validate_question(self, question: Any) -> str:
        if not isinstance(question, str):
            raise InputError("question must be a string")
        limit = self.settings.limits.max_question_chars
        if len(question) > limit:
            raise TooLargeError(f"question is {len(question):,} characters; the limit is {limit:,}")
        question = clean_text(question)
        if not question:
            raise InputError("question is empty")
        return question

    def clean_history(self, history: Sequence[dict[str, str]] | None) -> list[dict[str, str]]:
        """Keep the newest well-formed turns, cleaned and bounded."""
        if not history:
            return []
        if not isinstance(history, list | tuple):
            raise InputError("history must be a list of {role, content} messages")
        keep = self.settings.limits.max_history_turns
        limit = self.settings.limits.max_question_chars * 4
        turns = []
        for message in list(history)[-keep:] if keep else []:
            if not isinstance(message, dict) or message.get("role") not in {"user", "assistant"}:
                raise InputError("history messages need a role of user or assistant and a content")
            content = message.get("content")
            if not isinstance(content, str):
                raise InputError("history message content must be a string")
            turns.append({"role": message["role"], "content": clean_text(content)[:limit]})
        return turns

    # ---- LangChain ----------------------------------------------------------------------

    def as_retriever(self, k: int | None = None, filters: dict[str, Any] | None = None) -> BaseRetriever:
        from assistant.retrieval import AssistantRetriever, Filters

        return AssistantRetriever(
            searcher=self.searcher, k=k or self.settings.retrieval.top_k, filters=Filters.parse(filters)
        )

    def as_runnable(self) -> Runnable[Any, dict[str, Any]]:
        """``{"question", "history"?, "filters"?} -> answer object`` as a LangChain Runnable."""
        from langchain_core.runnables import RunnableLambda
        from langchain_core.runnables.utils import AddableDict

        def run(inputs: dict[str, Any] | str) -> Iterator[AddableDict]:
            """Streams the answer text in pieces, then the rest of the answer object; ``invoke``
            adds the pieces up into the whole object."""
            if isinstance(inputs, str):
                inputs = {"question": inputs}
            answer = self.ask(inputs["question"], inputs.get("history"), inputs.get("filters")).to_dict()
            text = answer.pop("answer")
            for piece in re.split(r"(?<=\s)", text):
                if piece:
                    yield AddableDict(answer=piece)
            yield AddableDict(answer)

        return RunnableLambda(run, name="cloud_market_assistant")


def _fact_in(fact: dict[str, Any], period: Any) -> bool:
    """Whether ``fact`` is for ``period`` (a quarter inside an asked year counts)."""
    if period.label() == fact["period"]:
        return True
    if period.start is None or period.end is None or not fact["period_start"]:
        # "Q3" asked without a year: a fact of any year's third quarter (a balance at its end too).
        part = period.part or ""
        if not fact["period_end"] or not re.fullmatch(r"[QH][1-4]", part):
            return bool(part) and fact["period"].startswith(part)
        start_month, end_month = int(fact["period_start"][5:7]), int(fact["period_end"][5:7])
        size = 3 if part[0] == "Q" else 6
        first = (int(part[1]) - 1) * size + 1
        return bool(first <= start_month and end_month <= first + size - 1)
    return bool(period.start.isoformat() <= fact["period_start"] and fact["period_end"] <= period.end.isoformat())


def _kind_asked(fact: dict[str, Any], wants: Any) -> bool:
    """Whether ``fact`` is a figure of a kind the question asks for (any, if it names none)."""
    kinds = set(wants) & {"percent", "points", "amount"}
    unit = fact["unit"]
    money = unit == "money" or (len(unit) == 3 and unit.isupper())
    return not kinds or ("percent" in kinds and unit == "%") or ("points" in kinds and unit == "pp") or ("amount" in kinds and money)


def safe_filename(name: str) -> str:
    """A plain file name: no folders, no traversal, no control characters, at most 120 characters."""
    from urllib.parse import unquote

    name = unquote(unquote(name or ""))
    name = name.replace("\\", "/").split("/")[-1]
    name = clean_text(name.replace("\n", " ").replace("\r", " "))
    name = SAFE_NAME.sub("_", name).strip(" ._") or "upload"
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = stem[: 120 - len(suffix) - 1].rstrip(" ._") or "upload"
    return f"{stem}.{suffix.lower()}" if suffix else stem

"""The Chroma collection holding chunks, embedded (``index/``) or on a Chroma server.

Chroma is the single source of truth: each chunk record carries its document's metadata, the
hashes sync needs and the offsets citations need, so the lexical index and the document list are
derived from it and every process against one server sees the same state.

An embedded store opened by several processes (``serve`` while ``ingest`` runs) needs care: Chroma
reads metadata from SQLite, which is always current, but keeps the vector index in memory, loaded
once per process, and replaying another process's log into it is not reliable (that process may
already have persisted and purged what this one never applied). So every writer, holding the
index's write lock, rewrites a marker file (``.writes``) before and after it writes; a process that
finds the marker changed reloads its Chroma client from disk, as a fresh process would, under the
same lock. One client per index folder is shared by every store of a process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlparse

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from assistant.errors import ConfigError, IndexBusyError
from assistant.settings import Settings

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
log = logging.getLogger(__name__)

PAGE = 2000
WRITES_NAME = ".writes"  # rewritten by every writer before and after it writes (see the module doc)
LOCK_NAME = ".write.lock"  # the embedded index's write lock (Assistant.write_lock takes the same file)
OPEN_LOCK_NAME = ".open.lock"  # held briefly while an embedded index is opened


@register_embedding_function
class AssistantEmbeddingFunction(EmbeddingFunction[Documents]):
    """The assistant's encoder as Chroma sees it; loaded only if Chroma itself embeds."""

    def __init__(self, model: str, dtype: str = "auto") -> None:
        self.model = model
        self.dtype = dtype

    def __call__(self, input: Documents) -> Embeddings:
        from assistant.embeddings import get_embedder

        vectors = get_embedder(self.model, self.dtype).embed_documents(list(input))
        return [np.asarray(v, dtype=np.float32) for v in vectors]

    @staticmethod
    def name() -> str:
        return "cloud-assistant-sentence-transformer"

    def get_config(self) -> dict[str, Any]:
        return {"model": self.model, "dtype": self.dtype}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> AssistantEmbeddingFunction:
        return AssistantEmbeddingFunction(config["model"], config.get("dtype", "auto"))

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"


class _Handle:
    """This process's Chroma client of one index folder, and how many calls are using it.

    A reload replaces the handle; the old one is retired and its Chroma system stopped once the
    calls still running on it have returned (stopping is what frees its vectors' memory).
    """

    def __init__(self, client: Any, system: Any, marker: str) -> None:
        self.client = client
        self.system = system
        self.marker = marker
        self.users = 0
        self.retired = False

    def leave(self) -> None:
        with _CLIENTS_LOCK:
            self.users -= 1
            self._stop_if_idle()

    def retire(self) -> None:
        with _CLIENTS_LOCK:
            self.retired = True
            self._stop_if_idle()

    def _stop_if_idle(self) -> None:
        if self.retired and self.users == 0 and self.system is not None:
            system, self.system = self.system, None
            try:
                system.stop()
            except Exception:  # a system that fails to stop is only memory not given back
                log.debug("stopping a retired Chroma system failed", exc_info=True)


class ChunkStore:
    """Chunk records in one Chroma collection, plus a tiny state record for change detection."""

    def __init__(self, settings: Settings) -> None:
        import chromadb

        self.settings = settings
        self.embedded = not settings.chroma_url
        self._handle: _Handle | None = None
        self._announced = False  # this sync's writes were announced to readers (see begin_write)
        self._state_seen: tuple[str, tuple[int, float]] | None = None  # (marker, state) last read
        if settings.chroma_url:
            url = urlparse(settings.chroma_url)
            try:
                self.client = chromadb.HttpClient(
                    host=url.hostname or "127.0.0.1",
                    port=url.port or (443 if url.scheme == "https" else 8000),
                    ssl=url.scheme == "https",
                    settings=_chroma_settings(),
                )
                self.client.heartbeat()
            except Exception as exc:
                raise ConfigError(
                    f"cannot reach the Chroma server at {settings.chroma_url}: {exc}"
                ) from None
            self.location = settings.chroma_url
            self._open_collections(settings)
        else:
            settings.index.mkdir(parents=True, exist_ok=True)
            self.location = str(settings.index)
            self._key = str(settings.index.resolve())  # this index in the process's client table
            self._attach()
        self.max_batch = min(self.client.get_max_batch_size(), 2000)
        self.lock_path = settings.index / LOCK_NAME

    # ---- one client per index folder, reloaded after other processes' writes ---------------

    @contextlib.contextmanager
    def _use(self) -> Iterator[tuple[Any, Any]]:
        """(chunk collection, state collection) of a live client, held for the duration of a call."""
        if not self.embedded:
            yield self.collection, self.state
            return
        with _CLIENTS_LOCK:
            if self._handle is None or self._handle.retired:
                self._attach()
            handle = self._handle
            assert handle is not None
            handle.users += 1
            collections = self.collection, self.state
        try:
            yield collections
        finally:
            handle.leave()

    def _attach(self) -> None:
        """Use this process's client of the index folder, (re)opening it from disk when there is
        none or it was loaded before the last write recorded in the marker file."""
        import chromadb
        from chromadb.api.shared_system_client import SharedSystemClient
        from filelock import FileLock, Timeout

        index = self.settings.index
        with _CLIENTS_LOCK:
            marker = _read_marker(index)  # read before loading: a write after it is noticed later
            handle = _CLIENTS.get(self._key)
            if handle is None or handle.marker != marker:
                # Chroma shares one system per path in a process; take it out of that cache so
                # the new client loads the index from disk, as a fresh process would.
                SharedSystemClient._identifier_to_system.pop(str(index), None)
                try:
                    # Two processes creating one new index at once race in Chroma's schema setup.
                    with FileLock(str(index / OPEN_LOCK_NAME), timeout=120):
                        client = chromadb.PersistentClient(path=str(index), settings=_chroma_settings())
                except Timeout:
                    raise IndexBusyError(f"the index {index} is being opened by another process") from None
                if handle is not None:
                    handle.retire()
                system = SharedSystemClient._identifier_to_system.get(str(index))
                handle = _CLIENTS[self._key] = _Handle(client, system, marker)
            if handle is not self._handle:
                self.client = handle.client
                self._open_collections(self.settings)
                self._handle = handle

    def _current(self, *, locked: bool) -> None:
        """Reload the vectors if another process wrote since they were loaded.

        ``locked``: the caller holds the write lock. Otherwise the lock is tried without waiting,
        and while another writer holds it the vectors stay as they are (a later call reloads).
        """
        if not self.embedded:
            return
        current = _CLIENTS.get(self._key)
        loaded = current is not None and current.marker == _read_marker(self.settings.index)
        if loaded and current is self._handle:
            return
        if loaded or locked:
            self._attach()  # another store of this process reloaded already, or reload under the lock
            return
        from filelock import FileLock, Timeout

        try:
            with FileLock(str(self.lock_path), timeout=0):
                self._attach()
        except Timeout:
            return
        except OSError:  # a read-only index, say: keep what was loaded
            log.debug("could not reload %s", self.location, exc_info=True)

    def begin_write(self) -> None:
        """Called by a writer holding the write lock, before it reads what it will change."""
        self._current(locked=True)
        self._announced = False

    def _announce_write(self) -> None:
        """Before a sync's first write: a reader that loaded before it must reload, even if this
        writer dies before it finishes."""
        if not self._announced:
            self._bump_marker()
            self._announced = True

    def _bump_marker(self) -> None:
        if not self.embedded or self._handle is None:
            return
        marker = f"{os.getpid()}-{uuid.uuid4().hex}"
        target = self.settings.index / WRITES_NAME
        tmp = target.with_name(f"{WRITES_NAME}.{os.getpid()}.tmp")
        tmp.write_text(marker, encoding="utf-8")
        tmp.replace(target)
        self._handle.marker = marker  # this process's client saw its own writes: it stays current

    def _open_collections(self, settings: Settings) -> None:
        ef = AssistantEmbeddingFunction(settings.embedding_model, settings.embedding_dtype)
        self.collection = self.client.get_or_create_collection(
            settings.collection,
            embedding_function=ef,  # type: ignore[arg-type]
            configuration={"hnsw": {"space": "cosine"}},
        )
        self.state = self.client.get_or_create_collection(
            f"{settings.collection}-state",
            embedding_function=ef,  # type: ignore[arg-type]
        )

    # ---- chunks -------------------------------------------------------------------------

    def count(self) -> int:
        with self._use() as (collection, _):
            return int(collection.count())

    def add(
        self,
        ids: Sequence[str],
        embeddings: np.ndarray,
        documents: Sequence[str],
        metadatas: Sequence[dict[str, Any]],
    ) -> None:
        self._announce_write()
        with self._use() as (collection, _):
            for i in range(0, len(ids), self.max_batch):
                j = i + self.max_batch
                collection.upsert(
                    ids=list(ids[i:j]),
                    embeddings=embeddings[i:j],
                    documents=list(documents[i:j]),
                    metadatas=list(metadatas[i:j]),
                )

    def update_metadata(self, ids: Sequence[str], metadatas: Sequence[dict[str, Any]]) -> None:
        self._announce_write()
        with self._use() as (collection, _):
            for i in range(0, len(ids), self.max_batch):
                j = i + self.max_batch
                collection.update(ids=list(ids[i:j]), metadatas=list(metadatas[i:j]))

    def delete(self, ids: Sequence[str]) -> None:
        self._announce_write()
        with self._use() as (collection, _):
            for i in range(0, len(ids), self.max_batch):
                collection.delete(ids=list(ids[i : i + self.max_batch]))

    def records(
        self, *, documents: bool = False, where: dict[str, Any] | None = None
    ) -> Iterator[tuple[str, dict[str, Any], str | None]]:
        """Every chunk record (id, metadata, text when asked), page by page."""
        include: list[Any] = ["metadatas", "documents"] if documents else ["metadatas"]
        offset = 0
        while True:
            with self._use() as (collection, _):
                page = collection.get(include=include, limit=PAGE, offset=offset, where=where)
            ids = page["ids"]
            metas = page["metadatas"] or []
            texts = page["documents"] if documents else None
            for k, chunk_id in enumerate(ids):
                yield chunk_id, dict(metas[k] or {}), (texts[k] if texts else None)
            if len(ids) < PAGE:
                return
            offset += PAGE

    def records_by_id(
        self, ids: Sequence[str], *, documents: bool = True
    ) -> list[tuple[str, dict[str, Any], str | None]]:
        """The records of these ids that exist (id, metadata, text: None without ``documents``)."""
        out: list[tuple[str, dict[str, Any], str | None]] = []
        include: list[Any] = ["metadatas", "documents"] if documents else ["metadatas"]
        for i in range(0, len(ids), PAGE):
            with self._use() as (collection, _):
                got = collection.get(ids=list(ids[i : i + PAGE]), include=include)
            metas = got["metadatas"] or []
            texts = got["documents"] if documents else None
            out.extend((chunk_id, dict(metas[k] or {}), texts[k] if texts else None) for k, chunk_id in enumerate(got["ids"]))
        return out

    def embeddings(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors by id (for reuse when a document is renamed or edited)."""
        out: dict[str, np.ndarray] = {}
        ids = list(dict.fromkeys(ids))
        for i in range(0, len(ids), PAGE):
            with self._use() as (collection, _):
                page = collection.get(ids=list(ids[i : i + PAGE]), include=["embeddings"])
            vectors = page["embeddings"]
            if vectors is None:
                continue
            for chunk_id, vector in zip(page["ids"], vectors, strict=True):
                out[chunk_id] = np.asarray(vector, dtype=np.float32)
        return out

    def query(
        self, embedding: np.ndarray, n: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """Nearest chunk ids with cosine similarity."""
        if n <= 0:
            return []
        with self._use() as (collection, _):
            result = collection.query(
                query_embeddings=[embedding], n_results=n, where=where, include=["distances"]
            )
        ids = result["ids"][0]
        distances = (result["distances"] or [[]])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]

    # ---- state --------------------------------------------------------------------------

    def generation(self) -> tuple[int, float]:
        """(generation, time of the last completed sync); bumps whenever a sync changed chunks.

        Finding that another process wrote brings this store's vectors up to date first. An
        embedded store reads the state record only when the marker file moved on since it last
        did: every writer rewrites the marker after it writes the state, so an unchanged marker
        means an unchanged state (and an ask saves a Chroma read or two).
        """
        self._current(locked=False)
        if not self.embedded:
            return self._read_state()
        marker = _read_marker(self.settings.index)  # read before the state: a later write moves it on
        seen = self._state_seen
        if marker and seen is not None and seen[0] == marker:
            return seen[1]
        state = self._read_state()
        self._state_seen = (marker, state)
        return state

    def _read_state(self) -> tuple[int, float]:
        with self._use() as (_, state):
            got = state.get(ids=["state"], include=["metadatas"])
        if not got["ids"]:
            return 0, 0.0
        meta: dict[str, Any] = dict((got["metadatas"] or [{}])[0] or {})
        return int(meta.get("generation", 0)), float(meta.get("last_sync", 0.0))

    def mark_synced(self, changed: bool) -> None:
        """Record a completed sync that wrote something; the caller holds the write lock.

        A sync that wrote nothing leaves the state alone, so readers have nothing to reload.
        """
        if not changed and not self._announced:
            return
        generation, _ = self._read_state()
        with self._use() as (_, state):
            state.upsert(
                ids=["state"],
                embeddings=np.zeros((1, 384), dtype=np.float32),
                documents=[""],
                metadatas=[{"generation": generation + int(changed), "last_sync": time.time()}],
            )
        self._bump_marker()


_CLIENTS: dict[str, _Handle] = {}  # index folder -> this process's current client of it
_CLIENTS_LOCK = threading.RLock()


def _read_marker(index: Any) -> str:
    try:
        return str((index / WRITES_NAME).read_text(encoding="utf-8"))
    except OSError:
        return ""


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)

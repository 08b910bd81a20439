"""The Chroma collection holding chunks, embedded (``index/``) or on a Chroma server.

Chroma is the single source of truth: each chunk record carries its document's metadata, the
hashes sync needs and the offsets citations need, so the lexical index and the document list are
derived from it and every process against one server sees the same state.

An embedded store opened by several processes (``serve`` while ``ingest`` runs) needs care: Chroma
reads metadata from SQLite, which is always current, but keeps the vector index in memory and only
applies other processes' writes from its log when it next writes itself. :meth:`ChunkStore.catch_up`
forces that (a delete of an id that never exists), under the index's write lock.
"""

from __future__ import annotations

import logging
import os
import time
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
NO_SUCH_ID = "__catch_up__"  # deleted to make an embedded Chroma apply other processes' writes
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


class ChunkStore:
    """Chunk records in one Chroma collection, plus a tiny state record for change detection."""

    def __init__(self, settings: Settings) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if settings.chroma_url:
            url = urlparse(settings.chroma_url)
            try:
                self.client = chromadb.HttpClient(
                    host=url.hostname or "127.0.0.1",
                    port=url.port or (443 if url.scheme == "https" else 8000),
                    ssl=url.scheme == "https",
                    settings=chroma_settings,
                )
                self.client.heartbeat()
            except Exception as exc:
                raise ConfigError(
                    f"cannot reach the Chroma server at {settings.chroma_url}: {exc}"
                ) from None
            self.location = settings.chroma_url
            self._open_collections(settings)
        else:
            from filelock import FileLock, Timeout

            settings.index.mkdir(parents=True, exist_ok=True)
            self.location = str(settings.index)
            # Two processes creating one new index at once race in Chroma's schema setup.
            try:
                with FileLock(str(settings.index / OPEN_LOCK_NAME), timeout=120):
                    self.client = chromadb.PersistentClient(path=str(settings.index), settings=chroma_settings)
                    self._open_collections(settings)
            except Timeout:
                raise IndexBusyError(f"the index {settings.index} is being opened by another process") from None
        self.max_batch = min(self.client.get_max_batch_size(), 2000)
        self.embedded = not settings.chroma_url
        self.lock_path = settings.index / LOCK_NAME
        self._seen_generation = self._read_state()[0]
        # This process may hold the index open already (Chroma shares one client per path) and
        # another process may have written since: start from the current vectors.
        self.catch_up(locked=False)

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
        return self.collection.count()

    def add(
        self,
        ids: Sequence[str],
        embeddings: np.ndarray,
        documents: Sequence[str],
        metadatas: Sequence[dict[str, Any]],
    ) -> None:
        for i in range(0, len(ids), self.max_batch):
            j = i + self.max_batch
            self.collection.upsert(
                ids=list(ids[i:j]),
                embeddings=embeddings[i:j],
                documents=list(documents[i:j]),
                metadatas=list(metadatas[i:j]),  # type: ignore[arg-type]
            )

    def update_metadata(self, ids: Sequence[str], metadatas: Sequence[dict[str, Any]]) -> None:
        for i in range(0, len(ids), self.max_batch):
            j = i + self.max_batch
            self.collection.update(ids=list(ids[i:j]), metadatas=list(metadatas[i:j]))  # type: ignore[arg-type]

    def delete(self, ids: Sequence[str]) -> None:
        for i in range(0, len(ids), self.max_batch):
            self.collection.delete(ids=list(ids[i : i + self.max_batch]))

    def records(
        self, *, documents: bool = False, where: dict[str, Any] | None = None
    ) -> Iterator[tuple[str, dict[str, Any], str | None]]:
        """Every chunk record (id, metadata, text when asked), page by page."""
        include: list[Any] = ["metadatas", "documents"] if documents else ["metadatas"]
        offset = 0
        while True:
            page = self.collection.get(include=include, limit=PAGE, offset=offset, where=where)
            ids = page["ids"]
            metas = page["metadatas"] or []
            texts = page["documents"] if documents else None
            for k, chunk_id in enumerate(ids):
                yield chunk_id, dict(metas[k] or {}), (texts[k] if texts else None)
            if len(ids) < PAGE:
                return
            offset += PAGE

    def embeddings(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors by id (for reuse when a document is renamed or edited)."""
        out: dict[str, np.ndarray] = {}
        ids = list(dict.fromkeys(ids))
        for i in range(0, len(ids), PAGE):
            page = self.collection.get(ids=list(ids[i : i + PAGE]), include=["embeddings"])
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
        result = self.collection.query(
            query_embeddings=[embedding], n_results=n, where=where, include=["distances"]
        )
        ids = result["ids"][0]
        distances = (result["distances"] or [[]])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]

    def catch_up(self, *, locked: bool) -> bool:
        """Apply other processes' writes to this embedded store's vectors; True when done.

        ``locked``: the caller holds the write lock. Otherwise the lock is tried without waiting
        and nothing happens while another writer holds it (a later call catches up).
        """
        if not self.embedded:
            return True
        if locked:
            self.collection.delete(ids=[NO_SUCH_ID])
            self._seen_generation = self._read_state()[0]
            return True
        from filelock import FileLock, Timeout

        try:
            with FileLock(str(self.lock_path), timeout=0):
                self.collection.delete(ids=[NO_SUCH_ID])
        except Timeout:
            return False
        except Exception:  # a read-only index, say: read what is there
            log.debug("could not catch up with %s", self.location, exc_info=True)
            return False
        return True

    # ---- state --------------------------------------------------------------------------

    def generation(self) -> tuple[int, float]:
        """(generation, time of the last completed sync); bumps whenever a sync changed chunks.

        Seeing a generation written by another process brings this store's vectors up to date.
        """
        generation, last_sync = self._read_state()
        if generation != self._seen_generation and self.catch_up(locked=False):
            self._seen_generation = generation
        return generation, last_sync

    def _read_state(self) -> tuple[int, float]:
        got = self.state.get(ids=["state"], include=["metadatas"])
        if not got["ids"]:
            return 0, 0.0
        meta: dict[str, Any] = dict((got["metadatas"] or [{}])[0] or {})
        return int(meta.get("generation", 0)), float(meta.get("last_sync", 0.0))

    def mark_synced(self, changed: bool) -> None:
        """Record a completed sync; the caller holds the write lock."""
        generation, _ = self._read_state()
        self.state.upsert(
            ids=["state"],
            embeddings=np.zeros((1, 384), dtype=np.float32),
            documents=[""],
            metadatas=[{"generation": generation + int(changed), "last_sync": time.time()}],
        )
        self._seen_generation = generation + int(changed)

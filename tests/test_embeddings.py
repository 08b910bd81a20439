"""The encoder: parallel batches give the vectors one batch at a time gives, in input order; fused
kernels give the plain encoder's vectors, and are dropped when they do not."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from sentence_transformers import SentenceTransformer

from assistant.chunking import split_sentences
from assistant.embeddings import SentenceTransformerEmbedder, resolve_model_path
from tests.conftest import CORPUS

MODEL = "sentence-transformers/all-MiniLM-L6-v2"


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """Sentences of the sample corpus, short and long, in corpus order."""
    text = (CORPUS / "global-cloud-market-q2-2025.md").read_text(encoding="utf-8")
    sentences = [text[a:b] for a, b in split_sentences(text)]
    return [s for s in sentences if len(s) > 20][:40]


def test_parallel_batches_match_sequential_batches_in_input_order(texts: list[str]) -> None:
    parallel = SentenceTransformerEmbedder(MODEL, batch_size=4, workers=2)
    sequential = SentenceTransformerEmbedder(MODEL, batch_size=4, workers=1)
    a = parallel.embed_documents(texts)
    b = sequential.embed_documents(texts)
    assert a.shape == b.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-3)
    cosine = np.sum(a * b, axis=1)
    assert cosine.min() > 0.999
    # Input order: each text's vector is its own (text k is nearest to itself, not to a neighbour).
    similarity = a @ b.T
    assert list(similarity.argmax(axis=1)) == list(range(len(texts)))


def test_float32_vectors_equal_sentence_transformers_encode(texts: list[str]) -> None:
    ours = SentenceTransformerEmbedder(MODEL, dtype="float32", batch_size=8, workers=2).embed_documents(texts)
    reference = SentenceTransformer(resolve_model_path(MODEL), device="cpu").encode(
        texts, batch_size=8, normalize_embeddings=True
    )
    assert np.sum(ours * reference, axis=1).min() > 0.99999


def test_thread_count_is_restored_after_parallel_encodes_and_queries(texts: list[str]) -> None:
    embedder = SentenceTransformerEmbedder(MODEL, batch_size=4, workers=2)
    before = torch.get_num_threads()
    errors: list[BaseException] = []

    def work(fn: Callable[[Any], object], arg: Any) -> None:
        try:
            for _ in range(3):
                fn(arg)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(embedder.embed_documents, texts))]
    threads += [threading.Thread(target=work, args=(embedder.embed_query, t)) for t in texts[:3]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert torch.get_num_threads() == before


def test_empty_input_gives_no_vectors() -> None:
    assert SentenceTransformerEmbedder(MODEL).embed_documents([]).shape == (0, 384)


@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
def test_fused_kernels_give_the_plain_encoders_vectors(texts: list[str], dtype: str) -> None:
    from assistant import cpu_kernels
    from assistant.embeddings import cpu_has_bf16

    if not cpu_kernels.available():
        pytest.skip("this PyTorch build has no oneDNN fused linear kernels")
    if dtype == "bfloat16" and not cpu_has_bf16():
        pytest.skip("this CPU has no bfloat16 units (AMX or AVX-512 BF16): oneDNN has no bfloat16 linear kernel for it")
    fused = SentenceTransformerEmbedder(MODEL, dtype=dtype, batch_size=8, workers=2)
    plain = SentenceTransformerEmbedder(MODEL, dtype=dtype, batch_size=8, workers=2, fused=False)
    a, b = fused.embed_documents(texts), plain.embed_documents(texts)
    assert fused.fused_layers == 6 and plain.fused_layers == 0
    cosine = np.sum(a * b, axis=1)
    assert cosine.min() > (0.999 if dtype == "bfloat16" else 0.99999)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-3)
    query = "What was Alibaba Cloud's global market share in Q2 2025?"
    assert float(fused.embed_query(query) @ plain.embed_query(query)) > 0.999


def test_fused_kernels_that_disagree_are_not_used(texts: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant import cpu_kernels

    if not cpu_kernels.available():
        pytest.skip("this PyTorch build has no oneDNN fused linear kernels")
    real = cpu_kernels.fuse_bert

    def broken(model: torch.nn.Module) -> int:
        layers = real(model)
        for module in model.modules():
            if isinstance(module, cpu_kernels.PackedLinear) and module.activation == "gelu":
                module.activation = "relu"  # a kernel that computes the wrong function
        return layers

    monkeypatch.setattr(cpu_kernels, "fuse_bert", broken)
    embedder = SentenceTransformerEmbedder(MODEL, dtype="float32", batch_size=8)
    vectors = embedder.embed_documents(texts)
    assert embedder.fused_layers == 0
    reference = SentenceTransformer(resolve_model_path(MODEL), device="cpu").encode(
        texts, batch_size=8, normalize_embeddings=True
    )
    assert np.sum(vectors * reference, axis=1).min() > 0.99999


def test_fused_kernels_that_fail_leave_plain_pytorch(texts: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant import cpu_kernels

    def missing(model: torch.nn.Module) -> int:
        raise RuntimeError("mkldnn::_linear_pointwise is not implemented for this build")

    monkeypatch.setattr(cpu_kernels, "available", lambda: True)
    monkeypatch.setattr(cpu_kernels, "fuse_bert", missing)
    embedder = SentenceTransformerEmbedder(MODEL, dtype="float32", batch_size=8)
    vectors = embedder.embed_documents(texts[:5])
    assert embedder.fused_layers == 0
    reference = SentenceTransformer(resolve_model_path(MODEL), device="cpu").encode(
        texts[:5], batch_size=8, normalize_embeddings=True
    )
    assert np.sum(vectors * reference, axis=1).min() > 0.99999

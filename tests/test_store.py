"""One store test suite, run against the embedded Chroma and against a real Chroma server.

The ``server`` backend starts ``chroma run`` on loopback once for the module; each test gets its
own collection, so the tests stay independent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import assistant.store as store_module
from assistant import Assistant
from assistant.settings import Settings, load_settings
from assistant.store import ChunkStore
from tests.conftest import CORPUS, chroma_server
from tests.test_sync import SMALL, assert_index_matches, small_corpus

QUESTIONS = [
    "What was Alibaba Cloud's global share in Q2 2025?",
    "How much OCI revenue did Oracle report in fiscal Q1 2026?",
]


@dataclass
class Backend:
    name: str
    settings: Settings
    env: dict[str, str]

    def open(self) -> Assistant:
        return Assistant.open(self.settings)


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with chroma_server(tmp_path_factory.mktemp("chroma") / "data") as url:
        yield url


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.server)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    corpus = small_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    if request.param == "server":
        url = request.getfixturevalue("chroma_url")
        collection = f"test-{uuid.uuid4().hex[:12]}"
        settings = load_settings(chroma_url=url, index=index, corpus=corpus, collection=collection)
        env = {"ASSISTANT_CHROMA_URL": url, "ASSISTANT_COLLECTION": collection}
    else:
        settings = load_settings(index=index, corpus=corpus)
        env = {}
    return Backend(request.param, settings, env)


def _vectors(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(n, 384)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_store_records_vectors_query_and_state(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    store = ChunkStore(backend.settings)
    vectors = _vectors(5, seed=1)
    ids = [f"doc:{k}" for k in range(5)]
    metas = [{"source": "a.md" if k < 3 else "b.md", "chunk": k, "doc_hash": "h"} for k in range(5)]
    store.add(ids, vectors, [f"text {k}" for k in range(5)], metas)
    assert store.count() == 5

    monkeypatch.setattr(store_module, "PAGE", 2)  # records and vectors come page by page
    got = {chunk_id: (meta, text) for chunk_id, meta, text in store.records(documents=True)}
    assert set(got) == set(ids)
    assert got["doc:3"] == ({"source": "b.md", "chunk": 3, "doc_hash": "h"}, "text 3")
    assert [i for i, _, _ in store.records(where={"source": "b.md"})] == ["doc:3", "doc:4"]
    stored = store.embeddings(ids)
    assert all(np.allclose(stored[i], vectors[k], atol=1e-5) for k, i in enumerate(ids))

    nearest = store.query(vectors[2], 3)
    assert nearest[0][0] == "doc:2" and nearest[0][1] == pytest.approx(1.0, abs=1e-4)
    assert [s for _, s in nearest] == sorted((s for _, s in nearest), reverse=True)
    assert {i for i, _ in store.query(vectors[0], 5, where={"source": "b.md"})} == {"doc:3", "doc:4"}
    assert store.query(vectors[0], 0) == []

    store.update_metadata(["doc:0"], [{"source": "c.md"}])
    assert next(m for i, m, _ in store.records() if i == "doc:0")["source"] == "c.md"
    store.delete(["doc:0", "doc:1"])
    assert store.count() == 3 and {i for i, _, _ in store.records()} == {"doc:2", "doc:3", "doc:4"}

    other = ChunkStore(backend.settings)
    assert store.generation()[0] == other.generation()[0] == 0
    store.mark_synced(changed=True)
    store.mark_synced(changed=False)
    generation, last_sync = store.generation()
    assert generation == 1 and last_sync > 0
    # A store that read the state before the write reads it again (an embedded one keeps what it
    # read only while the writers' marker file stays as it was).
    assert other.generation() == (1, last_sync)
    # A second store object on the same backend reads the same state.
    assert ChunkStore(backend.settings).generation()[0] == 1


def test_ingest_resync_and_delete(backend: Backend) -> None:
    a = backend.open()
    corpus = backend.settings.corpus
    first = a.ingest()
    assert (first.added, first.documents, first.failed) == (3, 3, [])
    assert a.store.count() == first.chunks

    again = a.ingest()
    assert (again.added, again.updated, again.removed, again.unchanged, again.embedded_chunks) == (0, 0, 0, 3, 0)

    (corpus / SMALL[1]).unlink()
    gone = a.ingest()
    assert (gone.removed, gone.documents) == (1, 2)
    assert a.store.count() == gone.chunks
    assert_index_matches(a, corpus)

    removed = a.remove(SMALL[0])
    assert removed.removed == 1 and not (corpus / SMALL[0]).exists()
    assert [d["source"] for d in a.documents()] == [SMALL[2]]
    assert_index_matches(a, corpus)


def test_reopened_in_a_new_process_cites_the_same_passages(backend: Backend, tmp_path: Path) -> None:
    a = backend.open()
    a.ingest()
    expected = [a.ask(q, id=f"q{k}").to_dict() for k, q in enumerate(QUESTIONS)]
    batch = tmp_path / "questions.jsonl"
    batch.write_text("".join(json.dumps({"id": f"q{k}", "question": q}) + "\n" for k, q in enumerate(QUESTIONS)))

    env = {**os.environ, "ASSISTANT_CORPUS": str(backend.settings.corpus), **backend.env}
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "--batch", str(batch), "--index", str(backend.settings.index)],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(answers) == len(expected)
    for got, want in zip(answers, expected, strict=True):
        assert got["id"] == want["id"] and got["answer"] == want["answer"]
        assert got["citations"] == want["citations"] and want["citations"]


def test_two_assistants_on_one_store_see_each_others_changes(backend: Backend) -> None:
    first = backend.open()
    first.ingest()
    second = backend.open()
    assert second.store is not first.store
    assert {d["source"] for d in second.documents()} == set(SMALL)

    (backend.settings.corpus / "oracle-and-second-tier.md").unlink()
    first.ingest()
    assert {d["source"] for d in second.documents()} == set(SMALL) - {"oracle-and-second-tier.md"}
    assert all(c.source != "oracle-and-second-tier.md" for c in second.ask(QUESTIONS[1]).citations)

    (backend.settings.corpus / "vendor-press-roundup.md").write_bytes((CORPUS / "vendor-press-roundup.md").read_bytes())
    summary = second.ingest()
    assert summary.added == 1
    assert "vendor-press-roundup.md" in {d["source"] for d in first.documents()}
    assert first.status()["chunks"] == second.status()["chunks"] == summary.chunks

"""Ingestion keeps the index in step with the folder: real files, the real model, a real Chroma.

The helpers at the top (``expected_index``, ``assert_index_matches``, ``index_signature``) are
shared with the crash, concurrency and property tests.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant
from assistant.chunking import chunk_document
from assistant.cli import app
from assistant.errors import AssistantError
from assistant.loaders import SUPPORTED_SUFFIXES, discover, read_document
from assistant.store import ChunkStore
from assistant.sync import document_hash
from assistant.types import IngestSummary
from assistant.watch import start_watching
from tests.conftest import CORPUS

SMALL = ("alibaba-cloud-global-share.md", "europe-sovereign-cloud.md", "oracle-and-second-tier.md")
CONTRACT_KEYS = {"added", "updated", "removed", "unchanged", "skipped", "failed", "documents", "chunks"}

NIMBUS = """---
title: "Nimbus Cloud's Third Quarter"
date: 2025-10-20
publisher: "Test Wire"
---

# Nimbus Cloud's Third Quarter

Nimbus Cloud is a fictional regional provider used in this test.

Nimbus Cloud revenue reached $12.4 billion in Q3 2025, the company said in its quarterly report.
"""


# ---- helpers shared with the crash, concurrency and property tests -----------------------------


def small_corpus(folder: Path, names: Iterable[str] = SMALL) -> Path:
    """A folder holding a few sample articles (tests may change it)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(CORPUS / name, folder / name)
    return folder


def expected_index(assistant: Assistant, folder: Path) -> dict[str, tuple[str, int]]:
    """Every readable article of ``folder``: source -> (document hash, number of chunks)."""
    settings = assistant.settings
    out: dict[str, tuple[str, int]] = {}
    for path, source in discover(folder):
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            continue
        try:
            doc = read_document(path, source, settings.limits)
        except AssistantError:
            continue
        chunks = chunk_document(
            doc,
            assistant.embedder.count_tokens,
            max_tokens=settings.chunking.max_tokens,
            target_tokens=settings.chunking.target_tokens,
        )
        out[source] = (document_hash(doc), len(chunks))
    return out


def index_groups(store: ChunkStore) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """source -> doc_hash -> chunk metadata (with the id under "_id")."""
    groups: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for chunk_id, meta, _ in store.records():
        by_hash = groups.setdefault(str(meta["source"]), {})
        by_hash.setdefault(str(meta["doc_hash"]), []).append({**meta, "_id": chunk_id})
    return groups


def index_signature(store: ChunkStore) -> tuple[set[tuple[str, str, int]], list[str]]:
    """What two builds of one folder must share: (source, doc_hash, chunks) and the chunk ids."""
    ids = [chunk_id for chunk_id, _, _ in store.records()]
    docs = {
        (source, doc_hash, len(metas))
        for source, by_hash in index_groups(store).items()
        for doc_hash, metas in by_hash.items()
    }
    return docs, sorted(ids)


def assert_index_matches(assistant: Assistant, folder: Path) -> None:
    """The index holds exactly the folder's articles, each once, complete, no stale chunks."""
    expected = expected_index(assistant, folder)
    records = list(assistant.store.records())
    ids = [chunk_id for chunk_id, _, _ in records]
    assert len(ids) == len(set(ids)), "duplicate chunk ids"
    groups = index_groups(assistant.store)
    assert set(groups) <= set(expected), f"indexed but not in the folder: {set(groups) - set(expected)}"
    for source, by_hash in groups.items():
        doc_hash, n_chunks = expected[source]
        assert list(by_hash) == [doc_hash], f"{source}: stale or orphan versions {list(by_hash)}"
        metas = by_hash[doc_hash]
        assert sorted(int(m["chunk"]) for m in metas) == list(range(n_chunks)), f"{source}: incomplete"
        assert {int(m["n_chunks"]) for m in metas} == {n_chunks}
        assert {m["_id"] for m in metas} == {f"{doc_hash[:24]}:{k}" for k in range(n_chunks)}
    held = [next(iter(by_hash)) for by_hash in groups.values()]
    assert len(held) == len(set(held)), "one content indexed under two names"
    assert set(held) == {h for h, _ in expected.values()}, "an article of the folder is missing"
    assert {d["source"] for d in assistant.documents()} == set(groups)


def assert_vectors_match_records(assistant: Assistant, question: str) -> None:
    """Chroma's vector index holds a vector for every live chunk record and none for anything else.

    Presence is read by id (Chroma raises for an id its vector index lacks). The search checks
    only that nothing without a record comes back: HNSW search is approximate, and after
    deletions a node can be left with no links to it, so a search for k = everything need not
    return every vector (seen in the crash test for 1-2 of ~180 chunks in about one run in
    three; a fresh process loading the same files found them all).
    """
    ids = {chunk_id for chunk_id, _, _ in assistant.store.records()}
    assert set(assistant.store.embeddings(sorted(ids))) == ids
    hits = assistant.store.query(assistant.embedder.embed_query(question), len(ids))
    assert hits and {chunk_id for chunk_id, _ in hits} <= ids


def cited(assistant: Assistant, question: str, **kwargs: Any) -> list[str]:
    return [c.source for c in assistant.ask(question, **kwargs).citations]


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    """``assistant ARGV`` in-process: exit status, the last stdout line as JSON, stderr."""
    status = app(argv)
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    return status, json.loads(lines[-1]), err


# ---- contract counts --------------------------------------------------------------------------


def test_first_ingest_then_unchanged_rerun(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus")
    a = Assistant.open(index=tmp_path / "index", corpus=corpus)
    total = sum(n for _, n in expected_index(a, corpus).values())

    first = a.ingest([corpus])
    assert (first.added, first.updated, first.removed, first.unchanged, first.skipped) == (3, 0, 0, 0, 0)
    assert first.failed == [] and first.documents == 3 and first.chunks == total
    assert first.embedded_chunks == total

    again = a.ingest([corpus])
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 3)
    assert again.embedded_chunks == 0 and again.documents == 3 and again.chunks == total
    assert_index_matches(a, corpus)


def test_add_a_file(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus")
    a = Assistant.open(index=tmp_path / "index", corpus=corpus)
    a.ingest([corpus])
    shutil.copy(CORPUS / "vendor-press-roundup.md", corpus)
    n_new = expected_index(a, corpus)["vendor-press-roundup.md"][1]

    summary = a.ingest([corpus])
    assert (summary.added, summary.updated, summary.removed, summary.unchanged) == (1, 0, 0, 3)
    assert summary.embedded_chunks == n_new and summary.documents == 4
    assert_index_matches(a, corpus)


def test_edit_one_word_embeds_only_the_changed_chunk(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus")
    a = Assistant.open(index=tmp_path / "index", corpus=corpus)
    before = a.ingest([corpus])
    path = corpus / "alibaba-cloud-global-share.md"
    n_chunks = expected_index(a, corpus)[path.name][1]
    assert n_chunks > 1
    path.write_text(path.read_text().replace("fourth-largest in the world", "fifth-largest in the world"))

    summary = a.ingest([corpus])
    assert (summary.added, summary.updated, summary.removed, summary.unchanged) == (0, 1, 0, 2)
    assert 1 <= summary.embedded_chunks < n_chunks
    assert summary.chunks == before.chunks and a.store.count() == summary.chunks
    assert_index_matches(a, corpus)


def test_delete_a_file_and_it_is_never_cited_again(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus")
    a = Assistant.open(index=tmp_path / "index", corpus=corpus)
    a.ingest([corpus])
    questions = [
        "What were Oracle's remaining performance obligations at the end of fiscal Q1 2026?",
        "How much OCI revenue did Oracle report in fiscal Q1 2026?",
    ]
    assert all("oracle-and-second-tier.md" in cited(a, q) for q in questions)

    (corpus / "oracle-and-second-tier.md").unlink()
    summary = a.ingest([corpus])
    assert (summary.added, summary.updated, summary.removed, summary.unchanged) == (0, 0, 1, 2)
    assert summary.documents == 2
    for question in questions:
        assert "oracle-and-second-tier.md" not in cited(a, question)
    only = a.ask(questions[0], filters={"sources": ["oracle-and-second-tier.md"]})
    assert only.citations == []
    assert_index_matches(a, corpus)


def test_rename_reuses_every_vector(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus")
    a = Assistant.open(index=tmp_path / "index", corpus=corpus)
    a.ingest([corpus])
    (corpus / "oracle-and-second-tier.md").rename(corpus / "oracle-renamed.md")

    summary = a.ingest([corpus])
    assert (summary.added, summary.updated, summary.removed, summary.unchanged) == (1, 0, 1, 2)
    assert summary.embedded_chunks == 0 and summary.documents == 3
    sources = cited(a, "How much OCI revenue did Oracle report in fiscal Q1 2026?")
    assert "oracle-renamed.md" in sources and "oracle-and-second-tier.md" not in sources
    assert_index_matches(a, corpus)


@pytest.mark.parametrize("copy_name", ["zz-copy.md", "aa-copy.md"])
def test_duplicate_content_is_indexed_and_cited_once(tmp_path: Path, copy_name: str) -> None:
    corpus = small_corpus(tmp_path / "corpus")
    a = Assistant.open(index=tmp_path / "index", corpus=corpus)
    a.ingest([corpus])
    shutil.copy(corpus / "alibaba-cloud-global-share.md", corpus / copy_name)

    summary = a.ingest([corpus])
    assert (summary.added, summary.updated, summary.removed, summary.unchanged, summary.skipped) == (0, 0, 0, 3, 1)
    assert summary.duplicates == [{"path": copy_name, "duplicate_of": "alibaba-cloud-global-share.md"}]
    assert summary.embedded_chunks == 0 and summary.documents == 3
    answer = a.ask("How much did Alibaba commit to invest in cloud and AI infrastructure?")
    sources = [c.source for c in answer.citations]
    assert "alibaba-cloud-global-share.md" in sources and copy_name not in sources
    quotes = [c.quote for c in answer.citations]
    assert len(quotes) == len(set(quotes))
    assert_index_matches(a, corpus)

    # The copy takes over when the original goes; its vectors are reused.
    (corpus / "alibaba-cloud-global-share.md").unlink()
    summary = a.ingest([corpus])
    assert (summary.added, summary.removed, summary.embedded_chunks) == (1, 1, 0)
    assert summary.duplicates == []
    assert_index_matches(a, corpus)


def test_unsupported_file_is_skipped_with_a_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = small_corpus(tmp_path / "corpus")
    (corpus / "diagram.png").write_bytes(b"\x89PNG\r\n\x1a\n not really an image")
    (corpus / "articles.zip").write_bytes(b"PK\x03\x04")

    status, data, _ = run_cli(["ingest", str(corpus), "--index", str(tmp_path / "index"), "--json"], capsys)
    assert status == 0
    assert data["added"] == 3 and data["skipped"] == 2 and data["failed"] == []
    reasons = {item["path"]: item["reason"] for item in data["skipped_files"]}
    assert set(reasons) == {"diagram.png", "articles.zip"}
    assert "unsupported file type '.png'" in reasons["diagram.png"]
    assert "archive" in reasons["articles.zip"]


def _nimbus_pdf(figure: str) -> bytes:
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=1)
    pdf.setTitle("Nimbus Cloud Quarterly")
    pdf.drawString(72, 720, "Nimbus Cloud Quarterly")
    pdf.drawString(72, 700, f"Nimbus Cloud revenue reached {figure} billion dollars in Q3 2025.")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_a_bad_file_fails_alone_and_an_indexed_version_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = small_corpus(tmp_path / "corpus", SMALL[:2])
    (corpus / "nimbus.pdf").write_bytes(_nimbus_pdf("12.4"))
    index = str(tmp_path / "index")
    status, data, _ = run_cli(["ingest", str(corpus), "--index", index, "--json"], capsys)
    assert status == 0 and data["added"] == 3

    # A broken file among good ones: named in failed, exit 1, the good new file still indexed.
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 this is not a pdf")
    shutil.copy(CORPUS / "oracle-and-second-tier.md", corpus)
    status, data, _ = run_cli(["ingest", str(corpus), "--index", index, "--json"], capsys)
    assert status == 1
    assert [item["path"] for item in data["failed"]] == ["broken.pdf"]
    assert "PDF" in data["failed"][0]["error"]
    assert (data["added"], data["unchanged"], data["documents"]) == (1, 3, 4)

    # An indexed file turning corrupt keeps its indexed version: nothing already indexed is lost.
    pdf = corpus / "nimbus.pdf"
    pdf.write_bytes(pdf.read_bytes()[:300])
    status, data, _ = run_cli(["ingest", str(corpus), "--index", index, "--json"], capsys)
    assert status == 1
    assert sorted(item["path"] for item in data["failed"]) == ["broken.pdf", "nimbus.pdf"]
    assert data["removed"] == 0 and data["documents"] == 4
    a = Assistant.open(index=index, corpus=corpus)
    answer = a.ask("What revenue did Nimbus Cloud reach in Q3 2025?")
    assert any(c.source == "nimbus.pdf" and "12.4" in c.quote for c in answer.citations)

    # Repaired: the new version replaces the old one.
    pdf.write_bytes(_nimbus_pdf("15.8"))
    (corpus / "broken.pdf").unlink()
    status, data, _ = run_cli(["ingest", str(corpus), "--index", index, "--json"], capsys)
    assert status == 0 and data["updated"] == 1 and data["failed"] == []
    answer = a.ask("What revenue did Nimbus Cloud reach in Q3 2025?")
    quotes = " ".join(c.quote for c in answer.citations if c.source == "nimbus.pdf")
    assert "15.8" in quotes and "12.4" not in quotes
    assert_index_matches(a, corpus)


def test_a_corrupt_file_keeps_its_version_and_cleans_up_leftovers(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus", SMALL[:2])
    (corpus / "nimbus.md").write_text(NIMBUS)
    a = Assistant.open(index=tmp_path / "index", corpus=corpus)
    a.ingest([corpus])
    kept = index_groups(a.store)["nimbus.md"]
    # What a run killed half-way through writing a new version leaves behind: 1 chunk out of 3.
    first = {k: v for k, v in next(iter(kept.values()))[0].items() if k != "_id"}
    meta = {**first, "doc_hash": "f" * 64, "n_chunks": 3, "ingested_at": time.time()}
    text = "Nimbus Cloud revenue reached $99 billion in Q3 2025."
    a.store.add(["f" * 24 + ":0"], a.embedder.embed_documents([text]), [text], [meta])
    assert "99" not in a.ask("What was Nimbus Cloud's revenue in Q3 2025?").answer

    (corpus / "nimbus.md").write_bytes(bytes(range(256)) * 8)
    shutil.copy(CORPUS / SMALL[0], corpus / "zz-same-as-first.md")
    (corpus / "aa-nimbus-copy.md").write_text(NIMBUS)
    summary = a.ingest([corpus])
    assert [item["path"] for item in summary.failed] == ["nimbus.md"]
    # The unreadable file still holds its indexed content, so a copy of that content is a duplicate.
    assert sorted(d["path"] for d in summary.duplicates) == ["aa-nimbus-copy.md", "zz-same-as-first.md"]
    assert index_groups(a.store)["nimbus.md"] == kept
    assert (summary.documents, summary.chunks) == (3, a.store.count())
    assert "12.4" in a.ask("What was Nimbus Cloud's revenue in Q3 2025?").answer


def test_answers_never_quote_an_outdated_figure(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus", SMALL[:2])
    (corpus / "nimbus.md").write_text(NIMBUS)
    a = Assistant.open(index=tmp_path / "index", corpus=corpus)
    a.ingest([corpus])
    question = "What was Nimbus Cloud's revenue in Q3 2025?"
    before = a.ask(question)
    assert "12.4" in before.answer and any(c.source == "nimbus.md" for c in before.citations)

    (corpus / "nimbus.md").write_text(NIMBUS.replace("$12.4 billion", "$15.8 billion"))
    a.ingest([corpus])
    after = a.ask(question)  # the same Assistant: its snapshot follows the sync
    assert "15.8" in after.answer and "12.4" not in after.answer
    assert all("12.4" not in c.quote for c in after.citations)
    assert any(c.source == "nimbus.md" and "15.8" in c.quote for c in after.citations)
    # A second Assistant opened on the same index sees the same.
    fresh = Assistant.open(index=tmp_path / "index", corpus=corpus).ask(question)
    assert "15.8" in fresh.answer and "12.4" not in fresh.answer


def test_single_file_ingest_is_named_by_its_file_name_and_prunes_nothing(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus", SMALL[:2])
    a = Assistant.open(index=tmp_path / "index", corpus=corpus)
    a.ingest([corpus])
    single = tmp_path / "elsewhere" / "deep" / "nimbus.md"
    single.parent.mkdir(parents=True)
    single.write_text(NIMBUS)

    summary = a.ingest([single])
    assert (summary.added, summary.removed, summary.documents) == (1, 0, 3)
    assert "nimbus.md" in {d["source"] for d in a.documents()}
    again = a.ingest([single])
    assert (again.added, again.updated, again.unchanged, again.embedded_chunks) == (0, 0, 1, 0)
    # Syncing the folder again keeps the single file: it was not ingested from that folder.
    folder = a.ingest([corpus])
    assert folder.removed == 0 and folder.documents == 3


def test_ingest_json_last_line_is_one_contract_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = small_corpus(tmp_path / "corpus", SMALL[:1])
    status = app(["ingest", str(corpus), "--index", str(tmp_path / "index"), "--json"])
    out = capsys.readouterr().out
    last = out.rstrip("\n").splitlines()[-1]
    data = json.loads(last)
    assert status == 0 and isinstance(data, dict)
    assert set(data) >= CONTRACT_KEYS
    assert data["added"] == 1 and data["failed"] == [] and data["documents"] == 1 and data["chunks"] > 0
    assert all(isinstance(data[k], int) for k in CONTRACT_KEYS - {"failed"})
    assert last.startswith("{") and last.endswith("}")


# ---- watching ---------------------------------------------------------------------------------


def _wait_for(
    summaries: queue.Queue[IngestSummary], test: Callable[[IngestSummary], bool], timeout: float = 60
) -> IngestSummary:
    """The first summary passing ``test`` within ``timeout`` seconds (earlier ones are dropped)."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("the watcher did not re-sync")
        summary = summaries.get(timeout=left)
        if test(summary):
            return summary


def test_watch_resyncs_on_add_change_delete_and_ignores_temp_files(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus", SMALL[:1])
    a = Assistant.open(index=tmp_path / "index", corpus=corpus)
    a.ingest([corpus])
    summaries: queue.Queue[IngestSummary] = queue.Queue()
    calls = {"n": 0}

    def on_sync(summary: IngestSummary) -> None:
        calls["n"] += 1
        summaries.put(summary)
        if calls["n"] == 1:
            raise RuntimeError("a failing callback must not stop the watcher")

    stop = start_watching(a, [corpus], on_sync)
    try:
        time.sleep(0.5)  # let the watcher start
        (corpus / "nimbus.md").write_text(NIMBUS)
        assert _wait_for(summaries, lambda s: s.added == 1).documents == 2

        (corpus / "nimbus.md").write_text(NIMBUS.replace("$12.4 billion", "$15.8 billion"))
        assert _wait_for(summaries, lambda s: s.updated == 1).documents == 2
        assert "15.8" in a.ask("What was Nimbus Cloud's revenue in Q3 2025?").answer

        # An upload's temp file is ignored until it is renamed into place.
        part = corpus / ".upload.md.part"
        part.write_text(NIMBUS.replace("Nimbus", "Cirrus"))
        with pytest.raises(queue.Empty):
            summaries.get(timeout=3)
        part.replace(corpus / "cirrus.md")
        assert _wait_for(summaries, lambda s: s.added == 1).documents == 3

        (corpus / "nimbus.md").unlink()
        assert _wait_for(summaries, lambda s: s.removed == 1).documents == 2
        assert {d["source"] for d in a.documents()} == {SMALL[0], "cirrus.md"}
    finally:
        stop()
    assert not any(t.name == "assistant-watch" and t.is_alive() for t in threading.enumerate())
    assert_index_matches(a, corpus)


def test_watch_single_file_forgets_it_when_deleted(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus", SMALL[:1])
    a = Assistant.open(index=tmp_path / "index", corpus=corpus)
    a.ingest([corpus])
    single = tmp_path / "notes" / "nimbus.md"
    single.parent.mkdir()
    single.write_text(NIMBUS)
    summaries: queue.Queue[IngestSummary] = queue.Queue()
    stop = start_watching(a, [single], summaries.put)
    try:
        time.sleep(0.5)
        (single.parent / "unrelated.md").write_text("# Unrelated\n\nNot watched.\n")
        single.write_text(NIMBUS.replace("$12.4 billion", "$15.8 billion"))
        assert _wait_for(summaries, lambda s: s.added == 1).documents == 2
        single.unlink()
        assert _wait_for(summaries, lambda s: s.removed == 1).documents == 1
    finally:
        stop()
    assert {d["source"] for d in a.documents()} == {SMALL[0]}


def test_watch_a_folder_that_does_not_exist_yet(tmp_path: Path) -> None:
    a = Assistant.open(index=tmp_path / "index", corpus=tmp_path / "later")
    summaries: queue.Queue[IngestSummary] = queue.Queue()
    stop = start_watching(a, None, summaries.put)  # default: the corpus folder
    try:
        time.sleep(0.5)
        small_corpus(tmp_path / "later", SMALL[:1])
        assert _wait_for(summaries, lambda s: s.added == 1).documents == 1
        (tmp_path / "later" / "nimbus.md").write_text(NIMBUS)
        assert _wait_for(summaries, lambda s: s.added == 1).documents == 2
    finally:
        stop()


@pytest.mark.slow
def test_ingest_watch_command_prints_a_summary_per_change(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus", SMALL[:1])
    command = ["ingest", str(corpus), "--index", str(tmp_path / "index"), "--json", "--watch"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", *command],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env={**os.environ},
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout or []], daemon=True)
    reader.start()
    try:
        first = json.loads(lines.get(timeout=180))
        assert first["added"] == 1
        # The watcher starts just after the first summary is printed: write until it reacts.
        for attempt in range(4):
            time.sleep(1.0)
            (corpus / "nimbus.md").write_text(NIMBUS + "\n" * attempt)
            try:
                second = json.loads(lines.get(timeout=20))
                break
            except queue.Empty:
                continue
        else:
            raise AssertionError("ingest --watch printed nothing after a file was added")
        assert (second["added"], second["unchanged"], second["documents"]) == (1, 1, 2)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

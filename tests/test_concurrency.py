"""Writers take turns; readers see the index before a sync or after it, never half of one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from filelock import FileLock

from assistant import Assistant
from assistant.cli import app
from assistant.errors import IndexBusyError
from assistant.store import LOCK_NAME, WRITES_NAME
from tests.conftest import copy_corpus
from tests.test_sync import NIMBUS, SMALL, assert_index_matches, assert_vectors_match_records, small_corpus

pytestmark = pytest.mark.slow

REGIONS = ["Frankfurt", "Paris", "Madrid", "Milan", "Warsaw", "Dublin", "Stockholm", "Zurich"]


def regional_report(figure: str) -> str:
    """An article whose every sentence carries ``figure``, so any quote shows its version."""
    paragraphs = [
        f"In {region}, Nimbus Cloud reported regional revenue of ${figure} billion for Q3 2025. "
        f"Analysts in {region} compared the ${figure} billion figure with the previous quarter's "
        f"results and with the spending plans of local banks, retailers and public agencies."
        for region in REGIONS
    ]
    body = "\n\n".join(paragraphs)
    head = "---\ntitle: Nimbus Cloud regional revenue\ndate: 2025-10-21\n---\n\n# Nimbus Cloud regional revenue"
    return f"{head}\n\n{body}\n"


def test_two_ingest_processes_take_turns_on_one_index(tmp_path: Path) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    command = [sys.executable, "-m", "assistant", "ingest", str(corpus), "--index", str(index), "--json"]
    procs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ})
        for _ in range(2)
    ]
    results = [proc.communicate(timeout=600) for proc in procs]
    for proc, (_, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err[-2000:]
    summaries = [json.loads(out.strip().splitlines()[-1]) for out, _ in results]
    n_docs = len(list(corpus.glob("*.md")))
    # One of them did the work while the other waited; the other then found nothing to do.
    assert sorted(s["added"] for s in summaries) == [0, n_docs]
    assert sorted(s["unchanged"] for s in summaries) == [0, n_docs]
    assert sorted(s["embedded_chunks"] for s in summaries)[0] == 0
    assert all(s["documents"] == n_docs and s["failed"] == [] for s in summaries)

    a = Assistant.open(index=index, corpus=corpus)
    assert_index_matches(a, corpus)
    assert_vectors_match_records(a, "cloud market share")


def test_a_busy_index_fails_clearly_after_the_lock_timeout(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus", SMALL[:1])
    a = Assistant.open(index=tmp_path / "index", corpus=corpus)
    with FileLock(str(tmp_path / "index" / LOCK_NAME)), pytest.raises(IndexBusyError, match="locked by another ingest"):
        a.ingest([corpus], lock_timeout=0.5)
    assert a.ingest([corpus]).added == 1


def test_a_reader_process_sees_what_another_process_wrote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = small_corpus(tmp_path / "corpus", SMALL[:2])
    index = tmp_path / "index"
    reader = Assistant.open(index=index, corpus=corpus)
    reader.ingest([corpus])
    assert {d["source"] for d in reader.documents()} == set(SMALL[:2])

    # Another process (the `serve` of a colleague, say) keeps the reader open while this ingests.
    (corpus / "nimbus.md").write_text(NIMBUS)
    (corpus / SMALL[0]).unlink()
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "ingest", str(corpus), "--index", str(index), "--json"],
        capture_output=True, text=True, timeout=300, env={**os.environ},
    )
    assert done.returncode == 0, done.stderr[-2000:]

    assert {d["source"] for d in reader.documents()} == {SMALL[1], "nimbus.md"}
    assert_vectors_match_records(reader, "Nimbus Cloud revenue")  # the new article's, not the deleted one's
    answer = reader.ask("What was Nimbus Cloud's revenue in Q3 2025?")
    assert any(c.source == "nimbus.md" and "12.4" in c.quote for c in answer.citations)
    # And the reader can write in turn.
    assert app(["ingest", str(corpus), "--index", str(index), "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["unchanged"] == 2


def test_a_reader_process_follows_a_large_ingest_by_another_process(tmp_path: Path) -> None:
    """More chunks than Chroma keeps in its log before it persists the vector index and drops the
    log: the reader cannot replay what it missed and must reload (it used to fail every read of
    vectors with "Error finding id" from then on)."""
    corpus = small_corpus(tmp_path / "corpus", SMALL[:2])
    index = tmp_path / "index"
    reader = Assistant.open(index=index, corpus=corpus)
    reader.ingest([corpus])
    assert len(reader.documents()) == 2
    providers = ["AWS", "Microsoft Azure", "Google Cloud", "Oracle"]
    for i in range(1_200):
        (corpus / f"note-{i:04d}.txt").write_text(
            f"Note {i}: {providers[i % 4]} held {i % 29 + 1}% of a regional market in Q{i % 4 + 1} {2019 + i % 6}.\n"
        )
    (corpus / "note-0777.txt").write_text("Kestrel Cloud held 17% of the Nordic cloud market in Q3 2023.\n")
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "ingest", str(corpus), "--index", str(index), "--json"],
        capture_output=True, text=True, timeout=600, env={**os.environ},
    )
    assert done.returncode == 0, done.stderr[-2000:]

    assert len(reader.documents()) == 1_202
    assert_vectors_match_records(reader, "regional market share")
    answer = reader.ask("What share of the Nordic market did Kestrel Cloud hold in Q3 2023?")
    assert answer.citations and answer.citations[0].source == "note-0777.txt" and "17%" in answer.answer
    # The reader writes in turn, on vectors that include the other process's.
    (corpus / "note-0001.txt").unlink()
    summary = reader.ingest([corpus])
    assert (summary.removed, summary.documents, summary.embedded_chunks) == (1, 1_201, 0)
    assert_vectors_match_records(reader, "regional market share")


def test_only_a_sync_that_writes_makes_a_reader_reload(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus", SMALL[:2])
    index = tmp_path / "index"
    reader = Assistant.open(index=index, corpus=corpus)
    reader.ingest([corpus])
    question = "What was Alibaba Cloud's global share in Q2 2025?"
    reader.ask(question)
    marker, client = (index / WRITES_NAME).read_text(), reader.store.client
    command = [sys.executable, "-m", "assistant", "ingest", str(corpus), "--index", str(index), "--json"]

    unchanged = subprocess.run(command, capture_output=True, text=True, timeout=300, env={**os.environ})
    assert unchanged.returncode == 0 and json.loads(unchanged.stdout)["unchanged"] == 2
    reader.ask(question)
    assert (index / WRITES_NAME).read_text() == marker and reader.store.client is client

    (corpus / "nimbus.md").write_text(NIMBUS)
    added = subprocess.run(command, capture_output=True, text=True, timeout=300, env={**os.environ})
    assert added.returncode == 0 and json.loads(added.stdout)["added"] == 1
    answer = reader.ask("What was Nimbus Cloud's revenue in Q3 2025?")
    assert (index / WRITES_NAME).read_text() != marker and reader.store.client is not client
    assert any(c.source == "nimbus.md" for c in answer.citations)


def test_questions_during_syncs_see_one_version_of_each_document(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "corpus", SMALL[:1])
    report = corpus / "nimbus-regions.md"
    figures = ["12.4", "15.8"]
    report.write_text(regional_report(figures[0]))
    a = Assistant.open(index=tmp_path / "index", corpus=corpus)
    a.ingest([corpus])
    retriever = a.as_retriever(k=6)
    question = "What regional revenue did Nimbus Cloud report for Q3 2025?"

    syncing = threading.Event()
    syncing.set()
    errors: list[BaseException] = []

    def sync_back_and_forth() -> None:
        try:
            for k in range(1, 7):
                report.write_text(regional_report(figures[k % 2]))
                summary = a.ingest([corpus])
                assert summary.updated == 1
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            syncing.clear()

    writer = threading.Thread(target=sync_back_and_forth)
    writer.start()
    seen: list[set[str]] = []
    while syncing.is_set():
        answer = a.ask(question)
        quotes = [c.quote for c in answer.citations if c.source == report.name]
        passages = [d.page_content for d in retriever.invoke(question) if d.metadata["source"] == report.name]
        for texts in (quotes, passages):
            versions = {f for f in figures for text in texts if f"${f} billion" in text}
            assert all(any(f"${f} billion" in text for f in figures) for text in texts)
            assert len(versions) <= 1, f"an answer mixed two versions of the article: {texts}"
            seen.append(versions)
    writer.join()
    assert not errors, errors
    assert len(seen) >= 2
    final = a.ask(question)
    assert all(figures[0] in c.quote for c in final.citations if c.source == report.name)
    assert any(c.source == report.name for c in final.citations)

"""Hybrid retrieval: a question that names a period ranks the passages about that period first."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.query import analyse
from assistant.retrieval import Filters

ARTICLES = {
    # Lexically closest to the question, but about other quarters.
    "aws-share-tracker.md": (
        "---\ntitle: AWS market share tracker\ndate: 2025-11-02\npublisher: Cloud Weekly\n---\n"
        "AWS market share in cloud infrastructure was 29% in Q1 2025, by Synergy's count.\n\n"
        "AWS market share in cloud infrastructure was 29% in Q3 2025 as well; the AWS market share "
        "has held near 30% for two years.\n"
    ),
    # Names the asked quarter, in other words.
    "hyperscaler-quarter.md": (
        "---\ntitle: Hyperscalers in the spring\ndate: 2025-08-01\npublisher: Analyst Notes\n---\n"
        "In the second quarter of 2025, Amazon Web Services led with 30% of worldwide spending.\n\n"
        "Microsoft followed with 20%, and Google Cloud took 13%.\n"
    ),
    "unrelated.md": (
        "---\ntitle: Data centre power\ndate: 2025-06-01\n---\n"
        "Operators are signing long-term power purchase agreements for new data centres.\n"
    ),
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    root = tmp_path_factory.mktemp("periods")
    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    a = Assistant.open(index=root / "index", corpus=corpus)
    a.ingest([corpus])
    return a


def test_a_named_period_ranks_its_passages_first(assistant: Assistant) -> None:
    plan = analyse("What was AWS's market share in Q2 2025?")
    assert plan.periods
    with_period = assistant.searcher.search(plan, k=3)
    assert plan.question is not None
    without = assistant.searcher.search(replace(plan, question=replace(plan.question, periods=())), k=3)
    assert with_period[0].source == "hyperscaler-quarter.md"
    assert "second quarter of 2025" in with_period[0].text
    # Without the period the lexically closer tracker wins: the period ranking is what moved it.
    assert without[0].source == "aws-share-tracker.md"
    assert {p.id for p in with_period} == {p.id for p in without}  # reordered, nothing dropped


def test_an_asked_year_covers_its_quarters_but_a_quarter_not_the_year(assistant: Assistant) -> None:
    snapshot = assistant.searcher.snapshot()
    spring = next(k for k, text in enumerate(snapshot.texts) if "second quarter of 2025" in text)
    year, q2, q4 = (analyse(q).periods for q in ("In 2025?", "In Q2 2025?", "In Q4 2025?"))
    assert snapshot.names_period(spring, year)
    assert snapshot.names_period(spring, q2)
    assert not snapshot.names_period(spring, q4)


def _allowed(meta: dict, filters: Filters) -> bool:
    """The filter semantics, one chunk at a time."""
    date = str(meta.get("date") or "")
    return not (
        (filters.publishers and meta.get("publisher") not in filters.publishers)
        or (filters.sources and meta.get("source") not in filters.sources)
        or (filters.date_from and date < filters.date_from)
        or (filters.date_to and (not date or date > filters.date_to))
    )


@pytest.mark.parametrize(
    "raw",
    [
        {"publisher": "Cloud Weekly"},
        {"publisher": ["Analyst Notes", "Nobody"]},
        {"sources": ["unrelated.md", "aws-share-tracker.md"]},
        {"date_from": "2025-07-01"},
        {"date_to": "2025-08-01"},
        {"date_from": "2025-06-01", "date_to": "2025-08-31", "publisher": ["Analyst Notes", "Cloud Weekly"]},
        {"publisher": "Nobody"},
    ],
)
def test_filter_mask_keeps_exactly_the_allowed_chunks(assistant: Assistant, raw: dict) -> None:
    snapshot = assistant.searcher.snapshot()
    filters = Filters.parse(raw)
    mask = snapshot.mask(filters)
    assert mask is not None and mask.dtype == bool and len(mask) == len(snapshot.ids)
    assert list(mask) == [_allowed(meta, filters) for meta in snapshot.metas]
    passages = assistant.searcher.search(analyse("AWS market share"), k=10, filters=filters)
    assert all(_allowed({"date": p.date, "publisher": p.publisher or "", "source": p.source}, filters) for p in passages)


def test_a_chunk_starting_inside_a_paragraph_knows_the_sentence_before_it(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    long = " ".join(f"Sentence {k} of the long paragraph says that Quorvane added {k} racks in Tartu." for k in range(60))
    (corpus / "long.md").write_text(f"---\ntitle: Quorvane\n---\n\n{long}\n\nA short closing paragraph.\n", encoding="utf-8")
    a = Assistant.open(index=tmp_path / "index", corpus=corpus)
    a.ingest([corpus])
    snap = a.searcher.snapshot()
    chunks = sorted(range(len(snap.ids)), key=lambda k: int(snap.metas[k]["chunk"]))
    assert len(chunks) >= 3
    first, second = chunks[0], chunks[1]
    assert snap.text_before(snap.ids[first]) == ""
    before = snap.text_before(snap.ids[second])
    assert before and snap.texts[first].rstrip().endswith(before)
    last = chunks[-1]
    assert snap.texts[last].startswith("A short closing paragraph") and snap.text_before(snap.ids[last]) == ""


def test_a_prefetched_question_vector_is_encoded_once_and_used(assistant: Assistant, monkeypatch: pytest.MonkeyPatch) -> None:
    searcher = assistant.searcher
    question = "Which operators sign power purchase agreements for data centres?"
    encoded: list[str] = []
    encode = searcher.embedder.embed_query
    monkeypatch.setattr(searcher.embedder, "embed_query", lambda text: encoded.append(text) or encode(text))
    searcher.prefetch_vector(question)
    vector = searcher.query_vector(question)  # waits for the prefetch rather than encoding again
    searcher.prefetch_vector(question)  # already there: nothing more to do
    assert encoded == [question]
    assert float(vector @ encode(question)) == pytest.approx(1.0, abs=1e-5)
    assert assistant.ask(question).citations[0].source == "unrelated.md"
    assert encoded == [question]  # the ask used the vector already made

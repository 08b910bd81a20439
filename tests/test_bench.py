"""The benchmark harness: the synthetic corpus generator and the results.json schema.

Speed itself is never asserted here (that is what ``make bench`` reports); these tests check that
the generator produces valid, varied articles the product can ingest, and that a tiny benchmark
run yields figures in the documented shape.
"""

from __future__ import annotations

import json
from pathlib import Path

import frontmatter
import pytest

from bench.common import Context
from bench.corpus_gen import generate, sentences
from bench.report import FIELDS, Figure, percentile, table, write


def test_generate_writes_varied_articles_with_unique_titles(tmp_path: Path) -> None:
    paths = generate(12, tmp_path / "corpus", seed=3)
    assert len(paths) == 12 and all(p.suffix == ".md" for p in paths)
    posts = [frontmatter.load(p) for p in paths]
    titles = [p.metadata["title"] for p in posts]
    assert len(set(titles)) == 12
    assert len({p.metadata["publisher"] for p in posts}) > 1
    assert len({p.metadata["date"] for p in posts}) > 1
    for post in posts:
        assert set(post.metadata) >= {"title", "date", "publisher", "url", "author", "tags"}
        assert post.content.startswith(f"# {post.metadata['title']}")
        assert 250 < len(post.content.split()) < 2500  # about the length of a sample article


def test_generate_is_deterministic_and_extends_without_collisions(tmp_path: Path) -> None:
    first = generate(3, tmp_path / "a", seed=5)
    again = generate(3, tmp_path / "b", seed=5)
    assert [p.read_text() for p in first] == [p.read_text() for p in again]
    more = generate(2, tmp_path / "a", seed=5, start=3)
    assert {p.name for p in more}.isdisjoint({p.name for p in first})
    assert len(list((tmp_path / "a").iterdir())) == 5
    with pytest.raises(ValueError, match="n_articles must be >= 0, got -1"):
        generate(-1, tmp_path / "c")


def test_sentences_come_from_article_bodies() -> None:
    pool = sentences(4, seed=1)
    assert len(pool) > 40
    assert not any(s.startswith(("#", "---", "title:")) for s in pool)


def test_percentile_and_table() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 50) == 3.0
    assert percentile([10.0, 20.0], 95) == pytest.approx(19.5)
    text = table([Figure("x", 1.5, "s", "base", 3.0, 2.0, ">= 3x", False, note="n")])
    assert "x" in text and "NO" in text and "notes:" in text


@pytest.mark.slow
def test_tiny_resync_benchmark_writes_the_results_schema(tmp_path: Path) -> None:
    """A 3-article corpus through the real product: ingest, re-sync, figures, results.json."""
    from bench import resync

    ctx = Context(quick=True, work=tmp_path / "work", overrides={"ingest.articles": 3, "resync.reps": 2})
    figures = resync.run(ctx)
    out = write(figures, tmp_path / "results.json")
    rows = json.loads(out.read_text())
    assert isinstance(rows, list) and len(rows) == 1
    row = rows[0]
    assert set(FIELDS) <= set(row)
    assert row["unit"] == "s" and row["baseline"] == "full build"
    assert row["value"] > 0 and row["baseline_value"] > 0
    assert row["ratio"] == pytest.approx(row["value"] / row["baseline_value"])
    assert row["target"] == "<= 2% of full build" and isinstance(row["met"], bool)
    assert "embedded = 0" in row["note"]

"""The HTML of the sources panel and the documents tab, from the renderers alone (no server)."""

from __future__ import annotations

import re

from assistant.types import Answer, Citation
from ui import render, sources

TEXT = (
    "# Alibaba in Europe\n\n"
    "Alibaba Cloud opened a second region in Frankfurt in 2025. It also runs a region in London. "
    "Both serve retailers that sell across borders.\n\n"
    "The company said demand from European customers grew by 40% in the year. Analysts expect more regions.\n"
)
# The stored text as chunks: text[start:end], with the metadata the snapshot keeps.
CHUNKS = [(0, 160), (160, len(TEXT))]
TEXTS = [TEXT[a:b] for a, b in CHUNKS]
METAS = [{"source": "europe.md", "start": a, "end": b} for a, b in CHUNKS]


def cite(n: int, sentence: str, source: str = "europe.md", text: str = TEXT) -> Citation:
    start = text.index(sentence)
    return Citation(n=n, source=source, title="Alibaba in Europe", date="2025-10-01", publisher="Euro Desk",
                    url="https://example.com/europe", quote=sentence, start=start, end=start + len(sentence))


FRANKFURT = "Alibaba Cloud opened a second region in Frankfurt in 2025."
LONDON = "It also runs a region in London."
DEMAND = "The company said demand from European customers grew by 40% in the year."


def test_one_card_per_article_with_every_quote_marked_in_its_paragraph() -> None:
    other_text = "Oracle opened a region in Madrid in 2025."
    other = Citation(n=3, source="oracle.md", title="Oracle in Spain", date="2025-09-01", publisher="Ibérica",
                     url=None, quote=other_text, start=0, end=len(other_text))
    answer = Answer(question="Where is Alibaba building?", abstained=False, answer="a [1] b [2] c [3] d [4].",
                    citations=[cite(1, FRANKFURT), cite(2, DEMAND), other, cite(4, LONDON)],
                    timings_ms={"total": 3.0})
    record = sources.turn_record(answer, 2, [*TEXTS, other_text], [*METAS, {"source": "oracle.md", "start": 0}])
    html = record["cards"]
    assert record["count"] == 2  # two articles, not four cards
    cards = html.split("<article")[1:]
    assert len(cards) == 2 and 'data-source="europe.md"' in cards[0] and 'data-source="oracle.md"' in cards[1]
    europe = cards[0]
    assert europe.count("Alibaba in Europe") == 1  # the title once, not once per quote
    assert re.findall(r'<span class="src-num">(\d)</span>', europe) == ["1", "2", "4"]
    # Frankfurt and London are one paragraph: one excerpt with two marks; the demand figure another.
    quotes = europe.split("<blockquote")[1:]
    assert len(quotes) == 2
    assert 'id="cite-2-1"' in quotes[0] and 'id="cite-2-4"' in quotes[0] and 'id="cite-2-2"' in quotes[1]
    assert f'data-n="1">{FRANKFURT}</mark> <sup class="q-n" aria-hidden="true">4</sup>' in quotes[0]
    assert "Both serve retailers" in quotes[0] and "Analysts expect more regions." in quotes[1]
    assert "# Alibaba in Europe" not in quotes[0]  # the heading is not part of the paragraph
    assert '<span class="src-title">Oracle in Spain</span>' in cards[1]  # no URL: no link
    panel = sources.sources_panel([record])
    assert "2 articles · 3 ms" in panel


def test_a_long_paragraph_is_cut_around_its_quotes_at_word_boundaries() -> None:
    long_text = ("Earlier context words here. " * 40) + FRANKFURT + (" Later context words follow." * 40)
    citation = cite(1, FRANKFURT, text=long_text)
    (excerpt,) = sources.excerpts([long_text], [{"source": "europe.md", "start": 0}], [citation])
    assert excerpt.cut_before and excerpt.cut_after
    assert excerpt.text.startswith("Earlier") or excerpt.text.startswith("context") or excerpt.text.startswith("words")
    assert len(excerpt.text) <= len(FRANKFURT) + 2 * sources.CONTEXT_CHARS
    html = sources.excerpt_html(excerpt, 1)
    assert html.startswith('<blockquote class="src-context">…') and html.endswith("…</blockquote>")


def test_quotes_the_chunks_do_not_hold_or_that_overlap_stand_alone() -> None:
    moved = Citation(n=1, source="europe.md", title="t", date=None, publisher=None, url=None,
                     quote="A sentence that is not in the stored text.", start=5, end=47)
    overlapping = cite(2, "opened a second region in Frankfurt")
    found = sources.excerpts(TEXTS, METAS, [moved, cite(3, FRANKFURT), overlapping])
    assert [e.text for e in found if e.citations[0].n == 1] == [moved.quote]
    assert sorted(len(e.citations) for e in found) == [1, 1, 1]


def test_documents_table_and_upload_summary_name_things() -> None:
    table = render.document_table([
        {"source": "a.md", "title": "A title", "date": "2025-01-02", "publisher": "P", "url": "https://x.org/a",
         "chunks": 3},
        {"source": "b.txt", "title": None, "date": None, "publisher": None, "url": None, "chunks": 1},
    ])
    assert table.count("<tr>") == 3 and "2 articles" in table
    assert '<td data-label="Date" class="col-date">2025-01-02</td>' in table
    assert '<a href="https://x.org/a" target="_blank" rel="noopener noreferrer">A title</a>' in table
    assert '<td data-label="Title" class="col-title">b.txt</td>' in table  # the file stands in for a title
    assert "No articles are indexed yet" in render.document_table([])
    summary = render.ingest_summary(
        {"added": 1, "updated": 0, "removed": 0, "unchanged": 1, "failed": [{"path": "c.csv", "error": "unsupported"}]},
        {"added": ["new.md"], "unchanged": ["old.md"]},
    )
    assert "<b>1</b> added: <code>new.md</code>" in summary
    assert "<b>1</b> unchanged: <code>old.md</code>" in summary
    assert "<b>1</b> failed" in summary and "<code>c.csv</code>: unsupported" in summary
    removed = render.ingest_summary({"removed": 1}, {"removed": ["gone.md"]})
    assert "<b>1</b> removed: <code>gone.md</code>" in removed and "<b>0</b> added" in removed

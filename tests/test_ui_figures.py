"""The Figures tab and the chart under a chat answer, in a real browser (Debian Chromium via Playwright)
against `assistant serve` over a private copy of the sample corpus plus invented articles.

What the page shows is checked against the server's own facts (`GET /api/facts`, the same
`Assistant.facts` the tab calls) and against the sentences written into the invented articles.
The charts are Vega SVG: each point carries an ``aria-label`` with its data, read here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import copy_corpus, running_server
from tests.test_ui_browser import (  # noqa: F401  (browser is a fixture used by name)
    DESKTOP,
    PHONE,
    ask,
    browser,
    choose,
    no_sideways_scroll,
    open_page,
    open_tab,
    shot,
    upload,
)

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.slow]

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

HARBOR = "nimbus-atlantis-q2-2025.md"
HARBOR_TEXT = """---
title: "Nimbus Cloud Extends Its Lead in Atlantis"
date: 2025-08-14
publisher: "Harbor Analytics Weekly"
url: "https://example.net/harbor/nimbus-atlantis-q2-2025"
---

# Nimbus Cloud Extends Its Lead in Atlantis

The island's cloud market kept growing in the spring. According to Harbor Analytics, Nimbus Cloud held 30% of the \
Atlantis cloud market in Q2 2025. Stratus Grid held 18% of the Atlantis cloud market in Q2 2025, according to the same \
estimates.

A quarter earlier the gap was narrower. Nimbus Cloud held 27% of the Atlantis cloud market in Q1 2025, according to \
Harbor Analytics, while Stratus Grid held 19%.
"""
HARBOR_SENTENCE = "According to Harbor Analytics, Nimbus Cloud held 30% of the Atlantis cloud market in Q2 2025."
TIDEWATER = "atlantis-tidewater-estimate.md"
TIDEWATER_TEXT = """---
title: "A Second Count of the Atlantis Cloud Market"
date: 2025-09-02
publisher: "Tidewater Research Notes"
url: "https://example.net/tidewater/atlantis-count"
---

# A Second Count of the Atlantis Cloud Market

Not every analyst counts the same way. According to Tidewater Research, Nimbus Cloud held 34% of the Atlantis cloud \
market in Q2 2025. Tidewater counts managed hosting as cloud, which lifts the leader's share.
"""
TIDEWATER_SENTENCE = "According to Tidewater Research, Nimbus Cloud held 34% of the Atlantis cloud market in Q2 2025."
CIRRUS = "cirrus-avalon.md"
CIRRUS_TEXT = """---
title: "Cirrus Works in Avalon"
date: 2025-10-01
publisher: "Avalon Compute Letter"
---

# Cirrus Works in Avalon

According to Quayside Data, Cirrus Works held 30% of the Avalon cloud market in Q3 2025. Cirrus Works held 26% of the \
Avalon cloud market in Q2 2025, according to Quayside Data.
"""
KESTREL_TEXT = """---
title: "Kestrel Compute Arrives in Lyonesse"
date: 2025-11-03
publisher: "Lyonesse Tech Wire"
---

Kestrel Compute held 12% of the Lyonesse cloud market in Q3 2025, according to Gannet Research.
"""
# Pairs of SVG texts whose drawn (rotated) boxes intersect: each box's corners through the text's screen
# transform, then the separating-axis test for two convex quadrilaterals.
OVERLAPPING_LABELS = """(selector) => {
  const quads = [...document.querySelectorAll(selector)].map(t => {
    const b = t.getBBox(), m = t.getScreenCTM();
    return [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height], [b.x, b.y + b.height]]
      .map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
  });
  const apart = (p, q) => [p, q].some(poly => poly.some((a, i) => {
    const b = poly[(i + 1) % 4], axis = [a[1] - b[1], b[0] - a[0]];
    const span = (r) => r.map(([x, y]) => x * axis[0] + y * axis[1]);
    const sp = span(p), sq = span(q);
    return Math.max(...sp) <= Math.min(...sq) + 0.5 || Math.max(...sq) <= Math.min(...sp) + 0.5;
  }));
  const pairs = [];
  quads.forEach((p, i) => quads.slice(i + 1).forEach((q, j) => { if (!apart(p, q)) pairs.push([i, i + 1 + j]); }));
  return {labels: quads.length, pairs};
}"""
AWS_Q2 = "What was AWS's share of the global market in Q2 2025?"
UNKNOWN = "What share of the Martian cloud market did Olympus Compute hold in Q2 2025?"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """`assistant serve` over the sample corpus and the invented articles, ingested by the CLI."""
    root = tmp_path_factory.mktemp("ui-figures")
    corpus = copy_corpus(root / "corpus")
    for name, text in ((HARBOR, HARBOR_TEXT), (TIDEWATER, TIDEWATER_TEXT), (CIRRUS, CIRRUS_TEXT)):
        (corpus / name).write_text(text, encoding="utf-8")
    index = root / "index"
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith("ASSISTANT_"):
                mp.delenv(name)
        env = {**os.environ, "ASSISTANT_INDEX": str(index), "ASSISTANT_CORPUS": str(corpus)}
        summary = ingest(corpus, env)
        assert summary["documents"] == 17 and summary["failed"] == []
        with running_server(index, corpus, log=root / "serve.log") as base:
            yield {"base": base, "corpus": corpus, "env": env}


@pytest.fixture
def page(browser: Any, served: dict[str, Any]) -> Iterator[Any]:  # noqa: F811
    yield from open_page(browser, served, DESKTOP)


@pytest.fixture
def phone(browser: Any, served: dict[str, Any]) -> Iterator[Any]:  # noqa: F811
    yield from open_page(browser, served, PHONE)


def ingest(corpus: Path, env: dict[str, str]) -> dict[str, Any]:
    """`assistant ingest CORPUS --json` in its own process (a sync the server did not run)."""
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "ingest", str(corpus), "--json"],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def api_facts(served: dict[str, Any], **filters: str) -> dict[str, Any]:
    reply = httpx.get(f"{served['base']}/api/facts", params={**filters, "limit": 100_000}, timeout=60)
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def open_figures(page: Any) -> None:
    open_tab(page, "Figures")
    expect(page.locator("#figures-summary")).to_contain_text("figures from")
    page.wait_for_selector("#figures-table [role=gridcell]")


def show_entity(page: Any, served: dict[str, Any], entity: str) -> dict[str, Any]:
    """Filter the tab to ``entity``; returns the server's facts for it once the table shows them."""
    choose(page, "#fig-entity", entity)
    expected = api_facts(served, entity=entity)
    expect(page.locator("#figures-table [role=grid]")).to_have_attribute("aria-rowcount", str(expected["count"] + 1))
    return expected


def rows(page: Any) -> list[list[str]]:
    """The table's rows as shown (top to bottom), each a list of cell texts."""
    return [
        [cell.strip() for cell in row.locator("[role=gridcell]").all_inner_texts()]
        for row in page.locator("#figures-table .virtual-row").all()
    ]


def points(page: Any, chart: str) -> list[dict[str, str]]:
    """The chart's points, each its data as Vega labels it ("Period: Q2 2025; market share (%): 30; ...")."""
    page.wait_for_selector(f"{chart} svg [aria-roledescription=point]")
    labels = page.locator(f"{chart} svg [aria-roledescription=point]").evaluate_all(
        "marks => marks.map(m => m.getAttribute('aria-label'))"
    )
    return [dict(part.split(": ", 1) for part in label.split("; ")) for label in labels]


def y_name(point: dict[str, str]) -> str:
    """The y field of a point: the one the chart names after the metric and unit ("market share (%)")."""
    (name,) = [k for k in point if k not in {"Period", "Entity", "Series", "Measured by", "Figure", "Source"}]
    return name


def value_of(point: dict[str, str]) -> float:
    return float(point[y_name(point)])


def shown_row(fact: dict[str, Any], conflicting: set[str]) -> list[str]:
    mark = "⚠ " if fact["id"] in conflicting else ""
    return [fact["entity"], fact["metric"], mark + fact["figure"], fact["period"] or "", fact["scope"] or "",
            fact["measured_by"] or "", fact["source"], fact["date"] or ""]


def test_figures_tab_shows_table_and_chart(page: Any, served: dict[str, Any]) -> None:
    everything = api_facts(served)
    open_figures(page)
    expect(page.locator("#figures-summary")).to_contain_text(
        f"{everything['count']} figures from {len({f['source'] for f in everything['facts']})} articles"
    )
    grid = page.locator("#figures-table [role=grid]")
    expect(grid).to_have_attribute("aria-rowcount", str(everything["count"] + 1))
    headers = [h.strip() for h in page.locator("#figures-table thead th").all_inner_texts() if h.strip()]
    assert headers[:8] == ["Entity", "Metric", "Value", "Period", "Scope", "Measured by", "Source", "Date"]
    # The chart: one metric in one unit, every point a fact of the index with the figure as written.
    drawn = points(page, "#figures-chart")
    assert len(drawn) >= 5
    assert len({y_name(p) for p in drawn}) == 1
    known = {(f["period"], f["figure"], f["source"]) for f in everything["facts"]}
    assert all((p["Period"], p["Figure"], p["Source"]) in known for p in drawn)
    assert len({p["Period"] for p in drawn}) >= 2
    no_sideways_scroll(page)
    shot(page, "figures-tab.png")

    nimbus = show_entity(page, served, "Nimbus Cloud")
    conflicting = {fid for c in nimbus["conflicts"] for fid in c["facts"]}
    assert sorted(rows(page)) == sorted(shown_row(f, conflicting) for f in nimbus["facts"])
    harbor = [r[:4] + r[5:] for r in rows(page) if r[6] == HARBOR]  # (the scope is the extractor's reading)
    assert ["Nimbus Cloud", "market share", "⚠ 30%", "Q2 2025", "Harbor Analytics", HARBOR, "2025-08-14"] in harbor
    drawn = points(page, "#figures-chart")
    assert sorted((p["Period"], value_of(p)) for p in drawn) == [("Q1 2025", 27.0), ("Q2 2025", 30.0), ("Q2 2025", 34.0)]
    # Two analyst firms measure Nimbus Cloud: one series each, named in the legend.
    assert {p["Series"] for p in drawn} == {"Nimbus Cloud · Harbor Analytics", "Nimbus Cloud · Tidewater Research"}
    expect(page.locator("#figures-chart-legend")).to_contain_text("Nimbus Cloud · Tidewater Research")
    shot(page, "figures-filtered.png")
    assert page.external_requests == []


def test_a_row_opens_its_sentence_highlighted(page: Any, served: dict[str, Any]) -> None:
    open_figures(page)
    nimbus = show_entity(page, served, "Nimbus Cloud")
    # Sorted by value, the first row is the Q1 2025 figure; the click must open that one, not the
    # first fact of the unsorted data.
    header = page.locator("#figures-table th:visible", has_text="Value").first
    header.click()
    header.locator(".cell-menu-button").click()
    page.locator("[role=menu], .cell-menu").get_by_text("Sort ascending").click()
    first = rows(page)[0]
    assert first[2] == "27%" and first[3] == "Q1 2025"
    page.locator("#figures-table .virtual-row").first.locator("[role=gridcell]").first.click()
    fact = next(f for f in nimbus["facts"] if f["figure"] == "27%")
    card = page.locator("#figure-source .src-card")
    expect(card).to_have_attribute("data-source", HARBOR)
    quote = card.locator("mark.quote")
    expect(quote).to_have_text(fact["quote"])
    assert "Nimbus Cloud held 27% of the Atlantis cloud market in Q1 2025" in fact["quote"]
    expect(quote).to_be_in_viewport()
    paragraph = quote.locator("xpath=ancestor::blockquote").inner_text()
    assert "A quarter earlier the gap was narrower." in paragraph  # the sentence sits in its paragraph
    expect(card.locator(".src-meta")).to_contain_text("Harbor Analytics Weekly")
    expect(page.locator("#figure-source .fig-fact")).to_contain_text("Q1 2025")

    # A contradicted figure says so, and opens its own sentence.
    page.locator("#figures-table [role=gridcell]", has_text="34%").first.click()
    expect(page.locator("#figure-source .src-card")).to_have_attribute("data-source", TIDEWATER)
    expect(page.locator("#figure-source mark.quote")).to_have_text(TIDEWATER_SENTENCE)
    expect(page.locator("#figure-source .fig-tag.warn")).to_have_text("another source differs")
    shot(page, "figures-source.png")


def test_conflicts_are_marked_and_listed_with_both_citations(page: Any, served: dict[str, Any]) -> None:
    open_figures(page)
    nimbus = show_entity(page, served, "Nimbus Cloud")
    (conflict,) = nimbus["conflicts"]
    assert sorted(conflict["values"]) == [30.0, 34.0]
    # The contradicted rows are marked and shaded; the other is not.
    shade = page.locator("#figures-table [role=gridcell]").evaluate_all(
        "cells => cells.map(c => [c.innerText.trim(), getComputedStyle(c).backgroundColor])"
    )
    colours = {text: colour for text, colour in shade if text.endswith("%")}
    assert colours["⚠ 30%"] == colours["⚠ 34%"] != colours["27%"]
    listed = page.locator("#figures-conflicts .fig-conflict")
    expect(listed).to_have_count(1)
    what = " · ".join(x for x in (conflict["entity"], conflict["metric"], conflict["period"], conflict["scope"]) if x)
    expect(listed.locator("h4")).to_have_text(f"{what}: 30% vs 34%")
    assert what.startswith("Nimbus Cloud · market share · Q2 2025")
    sides = listed.locator(".fig-side")
    expect(sides).to_have_count(2)
    assert [sides.nth(k).locator(".src-card").get_attribute("data-source") for k in range(2)] == [HARBOR, TIDEWATER]
    assert listed.locator("mark.quote").all_inner_texts() == [HARBOR_SENTENCE, TIDEWATER_SENTENCE]
    expect(sides.nth(1).locator(".fig-side-figure")).to_have_text("34% · Tidewater Research")
    assert listed.locator("a.src-title").first.get_attribute("href") == "https://example.net/harbor/nimbus-atlantis-q2-2025"
    # Ids stay unique on the page (the chat's cite-{turn}-{n} marks and the tab's).
    ids = page.locator("[id^=cite-]").evaluate_all("marks => marks.map(m => m.id)")
    assert len(ids) == len(set(ids))
    listed.scroll_into_view_if_needed()
    shot(page, "figures-conflicts.png")


def test_an_edited_article_changes_table_and_chart_after_sync(page: Any, served: dict[str, Any]) -> None:
    open_figures(page)
    show_entity(page, served, "Cirrus Works")
    assert sorted(r[2] for r in rows(page)) == ["26%", "30%"]
    assert sorted((p["Period"], value_of(p)) for p in points(page, "#figures-chart")) == [
        ("Q2 2025", 26.0), ("Q3 2025", 30.0)]

    article = served["corpus"] / CIRRUS
    article.write_text(CIRRUS_TEXT.replace("held 30% of", "held 31% of"), encoding="utf-8")
    summary = ingest(served["corpus"], served["env"])
    assert summary["updated"] == 1 and summary["failed"] == []
    page.click("#fig-refresh")
    grid_values = page.locator("#figures-table [role=gridcell]", has_text="31%")
    expect(grid_values).to_have_count(1)
    assert sorted(r[2] for r in rows(page)) == ["26%", "31%"]
    updated = next(r for r in rows(page) if r[2] == "31%")
    assert updated[:4] == ["Cirrus Works", "market share", "31%", "Q3 2025"] and updated[6] == CIRRUS
    page.wait_for_function(
        """() => [...document.querySelectorAll('#figures-chart svg [aria-roledescription=point]')]
            .some(m => (m.getAttribute('aria-label') || '').includes('Figure: 31%'))"""
    )
    assert sorted((p["Period"], value_of(p)) for p in points(page, "#figures-chart")) == [
        ("Q2 2025", 26.0), ("Q3 2025", 31.0)]
    # The row opens the new sentence.
    page.locator("#figures-table [role=gridcell]", has_text="31%").click()
    expect(page.locator("#figure-source mark.quote")).to_have_text(
        "According to Quayside Data, Cirrus Works held 31% of the Avalon cloud market in Q3 2025.")
    shot(page, "figures-edited.png")


def test_figures_tab_follows_an_upload(page: Any, served: dict[str, Any], tmp_path: Path) -> None:
    open_figures(page)
    before = api_facts(served)["count"]
    expect(page.locator("#figures-summary")).to_contain_text(f"{before} figures")
    article = tmp_path / "kestrel-lyonesse.md"
    article.write_text(KESTREL_TEXT, encoding="utf-8")
    expect(upload(page, [article])).to_contain_text("1 added: kestrel-lyonesse.md")
    after = api_facts(served)
    assert after["count"] > before
    open_tab(page, "Figures")  # no Refresh pressed: opening the tab sees the index changed
    expect(page.locator("#figures-summary")).to_contain_text(f"{after['count']} figures")
    kestrel = show_entity(page, served, "Kestrel Compute")
    assert [[r[2], r[3], r[5]] for r in rows(page)] == [["12%", "Q3 2025", "Gannet Research"]]
    assert kestrel["facts"][0]["source"] == "kestrel-lyonesse.md"


def test_answer_with_comparable_figures_gets_a_chart(page: Any, served: dict[str, Any]) -> None:
    chart = page.locator("#answer-chart")
    expect(chart).to_be_hidden()
    expected = httpx.post(f"{served['base']}/api/ask", json={"question": AWS_Q2}, timeout=120).json()
    answer = ask(page, AWS_Q2)
    expect(chart).to_be_visible()
    drawn = points(page, "#answer-chart")
    # Every point is a fact whose sentence the answer cites (the server's facts, by their offsets), all
    # of one metric, two or more compared, each figure in the answer as shown.
    cited = [
        f for f in api_facts(served)["facts"]
        if any(c["source"] == f["source"] and c["start"] < f["end"] and f["start"] < c["end"] for c in expected["citations"])
    ]
    assert len({y_name(p) for p in drawn}) == 1
    metric = y_name(drawn[0]).rsplit(" (", 1)[0]
    assert {(p["Figure"], p["Source"]) for p in drawn} <= {(f["figure"], f["source"]) for f in cited if f["metric"] == metric}
    assert len(drawn) >= 2 and len({(p.get("Entity"), p["Period"]) for p in drawn}) >= 2
    for p in drawn:
        assert p["Figure"] in answer.inner_text(), p
    expect(page.locator("#answer-chart-legend .fig-key")).to_have_count(len({p["Measured by"] for p in drawn}))
    swatch = page.locator("#answer-chart-legend .fig-key i").first.bounding_box()
    assert swatch and swatch["width"] >= 8  # the legend's CSS came with it (the Figures tab was never opened)
    expect(page.locator("#question textarea")).to_be_in_viewport()  # the chart does not push the question away
    shot(page, "figures-answer-chart.png", full_page=True)

    # An answer with no figures hides it; so does clearing the conversation.
    again = ask(page, UNKNOWN)
    expect(again).to_have_class("answer abstained")
    expect(chart).to_be_hidden()
    ask(page, AWS_Q2)
    expect(chart).to_be_visible()
    page.click("#clear")
    expect(chart).to_be_hidden()


# ---- a phone (390x844) ----------------------------------------------------------------------------


def test_phone_figures_fit_and_open_a_sentence(phone: Any, served: dict[str, Any]) -> None:
    open_figures(phone)
    assert len(points(phone, "#figures-chart")) >= 5
    no_sideways_scroll(phone)
    width = phone.evaluate("document.documentElement.clientWidth")
    for part in ("#figures-table", "#figures-chart", "#figures-chart-legend", "#fig-entity"):
        box = phone.locator(part).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, part
    # The x labels do not run into each other.
    overlapping = phone.evaluate(OVERLAPPING_LABELS, "#figures-chart svg [aria-roledescription=axis][aria-label^=X-axis] text")
    assert overlapping["labels"] >= 3 and overlapping["pairs"] == [], overlapping
    phone.locator("#figures-chart").scroll_into_view_if_needed()
    shot(phone, "figures-phone.png")

    show_entity(phone, served, "Nimbus Cloud")
    phone.locator("#figures-table [role=gridcell]", has_text="⚠ 30%").first.tap()
    quote = phone.locator("#figure-source mark.quote")
    expect(quote).to_have_text(HARBOR_SENTENCE)
    expect(quote).to_be_in_viewport()
    no_sideways_scroll(phone)
    shot(phone, "figures-phone-source.png")

"""The web chat in a real browser (Debian Chromium via Playwright) against `assistant serve`, at a
desktop size (1400x1000) and a phone size (390x844, touch).

One server per module over a private copy of the sample corpus; each test opens its own page
(its own Gradio session). Screenshots go to tests/artifacts/.
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

from tests.conftest import ARTIFACTS, copy_corpus, running_server

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.slow]

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"viewport": {"width": 1400, "height": 1000}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
ALIBABA = "What was Alibaba Cloud's global market share in Q2 2025?"
ZEPHYR = "What share of the Antarctic cloud market did Zephyr Cloud hold in Q2 2025?"
ZEPHYR_ARTICLE = """---
title: "Zephyr Cloud's Antarctic Bet"
date: 2025-08-20
publisher: "Polar Compute Review"
url: "https://example.net/polar-compute-review/zephyr"
---

# Zephyr Cloud's Antarctic Bet

Research stations need computing close to the ice. Zephyr Cloud held 7% of the Antarctic cloud market in Q2 2025, \
according to Polar Compute Review estimates. The company runs two small data centres near McMurdo Station.
"""
# Plain text keeps the markup verbatim, in the title line and in the quoted sentence.
XSS_TEXT = (
    'Frost Networks <img src=x onerror="window.__xss=3"> report\n\n'
    'Frost Networks held 3% of the polar cloud market in Q2 2025, the company said '
    '<script>window.__xss=1</script> <img src=x onerror="window.__xss=2">.\n\n'
    "Its racks sit next to research stations.\n"
)
XSS_META = """---
title: "Frost filing <svg onload=\\"window.__xss=5\\"></svg>"
date: 2025-07-01
publisher: "<b onmouseover=\\"window.__xss=6\\">Evil</b> Press"
url: "javascript:window.__xss=4"
---

Frost Networks reported revenue of $12 million in Q2 2025 in its quarterly filing.
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """`assistant serve` over a freshly ingested private copy of the sample corpus."""
    root = tmp_path_factory.mktemp("ui-browser")
    corpus = copy_corpus(root / "corpus")
    index = root / "index"
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith("ASSISTANT_"):
                mp.delenv(name)
        env = {**os.environ, "ASSISTANT_INDEX": str(index), "ASSISTANT_CORPUS": str(corpus)}
        done = subprocess.run(
            [sys.executable, "-m", "assistant", "ingest", str(corpus), "--json"],
            env=env, capture_output=True, text=True, timeout=600, check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert json.loads(done.stdout.strip().splitlines()[-1])["documents"] == 14
        with running_server(index, corpus, log=root / "serve.log") as base:
            yield {"base": base, "corpus": corpus, "log": root / "serve.log"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser: Any, served: dict[str, Any], size: dict[str, Any]) -> Iterator[Any]:
    """A fresh page (a new Gradio session) on the chat; records requests that leave loopback."""
    context = browser.new_context(**size)
    page = context.new_page()
    page.set_default_timeout(90_000)
    external: list[str] = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(served["base"]) else None)
    page.goto(served["base"] + "/", wait_until="load")
    page.wait_for_selector("#question textarea")
    expect(page.locator("#status-line")).to_contain_text("articles")
    page.external_requests = external  # type: ignore[attr-defined]
    yield page
    context.close()


@pytest.fixture
def page(browser: Any, served: dict[str, Any]) -> Iterator[Any]:
    yield from open_page(browser, served, DESKTOP)


@pytest.fixture
def phone(browser: Any, served: dict[str, Any]) -> Iterator[Any]:
    yield from open_page(browser, served, PHONE)


def shot(page: Any, name: str, full_page: bool = False) -> None:
    """Screenshot once no component is faded as pending (Gradio dims outputs while they update)."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('.block')].every(b => getComputedStyle(b).opacity === '1')
            && [...document.querySelectorAll('.src-card')].every(c => c.getAnimations().length === 0)"""
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)


def in_viewport(page: Any, selector: str) -> bool:
    """Whether the element is wholly inside the window (not only inside a scrolled panel)."""
    return bool(page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
            return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth; }""", selector))


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"


def ask(page: Any, question: str) -> Any:
    """Type ``question``, press Enter, wait for the finished answer; returns its locator."""
    done = "#chat .answer:not(.streaming)"
    before = page.locator(done).count()
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_function(f"document.querySelectorAll('{done}').length > {before}")
    return page.locator(done).last


def open_tab(page: Any, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def choose(page: Any, dropdown: str, value: str) -> None:
    """Pick ``value`` in a Gradio dropdown (single or multiselect)."""
    box = page.locator(f"{dropdown} input")
    box.click()
    box.fill(value)
    page.get_by_role("option", name=value, exact=False).first.click()
    page.keyboard.press("Escape")


def upload(page: Any, files: list[Path]) -> Any:
    open_tab(page, "Documents")
    page.set_input_files("#upload input[type=file]", [str(f) for f in files])
    expect(page.locator("#upload tr")).to_have_count(len(files))
    page.click("#add-files")
    result = page.locator("#ingest-result .ingest-result")
    expect(result).to_be_visible()
    return result


def test_answer_streams_with_citation_chips(page: Any) -> None:
    page.evaluate(
        """() => { window.sawStreaming = false;
        new MutationObserver(() => {
          if (document.querySelector('#chat .answer.streaming')) window.sawStreaming = true;
        }).observe(document.body, {subtree: true, childList: true, characterData: true}); }"""
    )
    answer = ask(page, ALIBABA)
    expect(answer).to_contain_text("4%")
    chips = answer.locator("a.cite")
    assert chips.count() >= 1
    for k in range(chips.count()):
        chip = chips.nth(k)
        href = chip.get_attribute("href")
        assert href and href.startswith("#cite-1-")
        assert chip.inner_text() == f"[{href.rsplit('-', 1)[1]}]"
        assert page.locator(href).count() == 1, f"no source card for {href}"
    assert page.evaluate("window.sawStreaming") is True, "the answer never showed as partial text"
    # One card per cited article, each quote marked in it.
    expect(page.locator("#sources details[open] mark.quote")).to_have_count(chips.count())
    cards = page.locator("#sources details[open] .src-card")
    sources = [cards.nth(k).get_attribute("data-source") for k in range(cards.count())]
    assert sources and len(sources) == len(set(sources))
    # No label over the conversation (Gradio's "Conversation" label used to sit on the first line).
    assert page.locator("#chat label, #chat [data-testid='block-label']").filter(visible=True).count() == 0
    shot(page, "ui-answer.png")
    assert page.external_requests == []


def test_citation_chip_reveals_highlighted_quote(page: Any, served: dict[str, Any]) -> None:
    expected = httpx.post(f"{served['base']}/api/ask", json={"question": ALIBABA}, timeout=120).json()
    answer = ask(page, ALIBABA)
    first = expected["citations"][0]
    page.click("#chat a.cite[href='#cite-1-1']")
    card = page.locator(".src-card.active")
    expect(card).to_have_count(1)
    quote = card.locator("mark.quote.active")
    expect(quote).to_have_attribute("id", "cite-1-1")
    expect(quote).to_be_in_viewport()
    assert quote.text_content() == first["quote"]
    assert "4%" in answer.inner_text()
    expect(card.locator(".src-meta")).to_contain_text(first["publisher"])
    expect(card.locator(".src-meta")).to_contain_text(first["source"])
    link = card.locator("a.src-title")
    assert link.get_attribute("href") == first["url"]
    assert link.get_attribute("target") == "_blank"
    assert set((link.get_attribute("rel") or "").split()) >= {"noopener", "noreferrer"}
    # The quote sits inside its paragraph: there is article text around it.
    assert len(quote.locator("xpath=ancestor::blockquote").text_content()) > len(first["quote"])
    assert page.url.rstrip("/") == served["base"], "a chip must not navigate"
    shot(page, "ui-citation.png")
    # And back: the card's button returns to the chip that opened it.
    card.locator(".src-back").click()
    chip = page.locator("#chat a.cite[href='#cite-1-1']")
    expect(chip).to_be_focused()
    expect(chip).to_be_in_viewport()


def test_follow_up_uses_the_conversation(page: Any) -> None:
    ask(page, ALIBABA)
    follow = ask(page, "And Google Cloud?")
    expect(follow).to_contain_text("Google")
    assert follow.locator("a.cite").count() >= 1
    assert follow.locator("a.cite").first.get_attribute("href").startswith("#cite-2-")
    # The newest answer's sources are open; the first answer's are folded but still there.
    expect(page.locator("#sources details.turn")).to_have_count(2)
    expect(page.locator("#sources details.turn").first).to_have_attribute("open", "")
    assert page.locator("mark#cite-1-1").count() == 1
    # A chip of the older answer opens its folded sources.
    page.locator("#chat a.cite[href='#cite-1-1']").click()
    expect(page.locator("#cite-1-1")).to_be_visible()
    page.locator("#chat a.cite").last.click()
    shot(page, "ui-followup.png")


def test_examples_bad_filter_and_clear(page: Any) -> None:
    page.get_by_role("button", name="How big is the China cloud market?").click()
    page.wait_for_selector("#chat .answer:not(.streaming)")
    expect(page.locator("#chat .msg-user")).to_have_text("How big is the China cloud market?")
    expect(page.locator("#sources details.turn")).to_have_count(1)

    page.get_by_text("Filters: publishers, dates, articles").click()
    date_from = page.locator("#f-from textarea, #f-from input")
    expect(date_from).to_be_visible()  # the accordion has opened (a fill before that is lost)
    date_from.fill("2025-02-30")
    expect(date_from).to_have_value("2025-02-30")
    page.fill("#question textarea", ALIBABA)
    page.press("#question textarea", "Enter")
    expect(page.get_by_text("filter date_from must be an ISO date")).to_be_visible()
    expect(page.locator("#question textarea")).to_have_value(ALIBABA)  # kept to ask again
    expect(page.locator("#chat .answer")).to_have_count(1)

    page.click("#clear")
    expect(page.locator("#chat .answer")).to_have_count(0)
    expect(page.locator("#sources")).to_contain_text("Sources appear here.")


def test_upload_ask_remove(page: Any, served: dict[str, Any], tmp_path: Path) -> None:
    article = tmp_path / "zephyr-antarctic.md"
    article.write_text(ZEPHYR_ARTICLE, encoding="utf-8")
    result = upload(page, [article])
    expect(result).to_contain_text("1 added: zephyr-antarctic.md")  # the summary names the file
    expect(result).to_contain_text("0 failed")
    expect(page.locator("#documents-table")).to_contain_text("Zephyr Cloud's Antarctic Bet")
    expect(page.locator("#status-line")).to_contain_text("15 articles")
    assert (served["corpus"] / "zephyr-antarctic.md").is_file()
    page.locator("#documents-table").get_by_text("zephyr-antarctic.md").first.scroll_into_view_if_needed()
    shot(page, "ui-documents.png")

    open_tab(page, "Chat")
    answer = ask(page, ZEPHYR)
    expect(answer).to_contain_text("7%")
    cited = page.locator("#sources details[open] .src-card", has=page.locator("code", has_text="zephyr-antarctic.md"))
    expect(cited.first).to_be_visible()
    expect(cited.first.locator("mark").first).to_contain_text("Zephyr Cloud held 7% of the Antarctic cloud market")

    open_tab(page, "Documents")
    choose(page, "#remove-choice", "zephyr-antarctic.md")
    page.click("#remove")
    expect(page.locator("#ingest-result")).to_contain_text("1 removed: zephyr-antarctic.md")
    expect(page.locator("#documents-table")).not_to_contain_text("Zephyr")
    assert not (served["corpus"] / "zephyr-antarctic.md").exists()

    open_tab(page, "Chat")
    again = ask(page, ZEPHYR)
    expect(again).to_have_class("answer abstained")
    expect(again.locator(".abstain-label")).to_have_text("Not in the articles")
    assert again.locator("a.cite").count() == 0
    expect(page.locator("#sources details[open]")).to_contain_text("No passage in the indexed articles")
    shot(page, "ui-abstention.png")


def test_article_markup_shows_as_text(page: Any, tmp_path: Path) -> None:
    report, meta = tmp_path / "frost-report.txt", tmp_path / "frost-filing.md"
    report.write_text(XSS_TEXT, encoding="utf-8")
    meta.write_text(XSS_META, encoding="utf-8")
    result = upload(page, [report, meta])
    expect(result).to_contain_text("2 added: frost-report.txt, frost-filing.md")
    table = page.locator("#documents-table")
    expect(table).to_contain_text('Frost Networks <img src=x onerror="window.__xss=3"> report')
    expect(table).to_contain_text("<b onmouseover")

    open_tab(page, "Chat")
    page.get_by_text("Filters: publishers, dates, articles").click()
    choose(page, "#f-sources", "frost-report.txt")
    answer = ask(page, "What share of the polar cloud market did Frost Networks hold in Q2 2025?")
    expect(answer).to_contain_text("<script>window.__xss=1</script>")
    card = page.locator("#sources details[open] .src-card").first
    expect(card.locator("mark").first).to_contain_text('<img src=x onerror="window.__xss=2">')
    expect(card.locator(".src-title")).to_contain_text("<img src=x")

    page.locator("#f-sources button.remove-all, #f-sources .token-remove").first.click()
    choose(page, "#f-sources", "frost-filing.md")
    ask(page, "How much revenue did Frost Networks report in Q2 2025?")
    card = page.locator("#sources details[open] .src-card").first
    expect(card.locator(".src-title")).to_contain_text('<svg onload="window.__xss=5"></svg>')
    expect(card.locator(".src-meta")).to_contain_text("<b onmouseover")
    assert card.locator("a.src-title").count() == 0, "a javascript: URL must not become a link"

    for area in ("#chat", "#sources", "#documents-table"):
        assert page.locator(f"{area} script, {area} img, {area} svg[onload], {area} b[onmouseover]").count() == 0
    page.locator("#chat a.cite").last.hover()
    assert page.evaluate("window.__xss") is None
    shot(page, "ui-xss.png")


# ---- a phone (390x844) ----------------------------------------------------------------------------


def test_phone_opens_at_the_top_with_a_compact_header(phone: Any) -> None:
    assert phone.evaluate("window.scrollY") == 0, "the page opened scrolled down"
    assert phone.evaluate("document.activeElement?.tagName") != "TEXTAREA", "the question box took the focus"
    header = phone.locator("#cma-header").bounding_box()
    status = phone.locator("#status-line").bounding_box()
    assert header["height"] <= 80 and status["y"] + status["height"] <= 130  # was 440 px
    chat = phone.locator("#chat").bounding_box()
    assert chat["y"] < 220 and chat["y"] + chat["height"] < 844  # the conversation starts on the first screen
    expect(phone.locator("#question textarea")).to_be_visible()
    no_sideways_scroll(phone)
    shot(phone, "phone-open.png")


def test_phone_citation_opens_over_the_answer_and_back(phone: Any, served: dict[str, Any]) -> None:
    expected = httpx.post(f"{served['base']}/api/ask", json={"question": ALIBABA}, timeout=120).json()
    ask(phone, ALIBABA)
    chip = phone.locator("#chat a.cite[href='#cite-1-1']")
    chip.scroll_into_view_if_needed()
    before = phone.evaluate("window.scrollY")
    chip.tap()
    sheet = phone.locator("#cma-sheet")
    expect(sheet).to_be_visible()
    assert in_viewport(phone, "#cma-sheet")
    assert phone.evaluate("window.scrollY") == before, "the chip sent the page away from the answer"
    quote = sheet.locator("mark.quote.active")
    expect(quote).to_have_text(expected["citations"][0]["quote"])
    expect(quote).to_be_in_viewport()
    expect(sheet.locator(".src-meta")).to_contain_text(expected["citations"][0]["source"])
    no_sideways_scroll(phone)
    shot(phone, "phone-citation.png")
    sheet.get_by_role("button", name="Back to the answer").tap()
    expect(sheet).to_have_count(0)
    expect(chip).to_be_focused()
    expect(chip).to_be_in_viewport()
    assert phone.evaluate("window.scrollY") == before
    shot(phone, "phone-answer.png")


def test_phone_documents_read_as_cards(phone: Any, served: dict[str, Any]) -> None:
    open_tab(phone, "Documents")
    table = phone.locator("#documents-table")
    expect(table.locator("tbody tr")).to_have_count(len(httpx.get(f"{served['base']}/api/documents").json()))
    table.scroll_into_view_if_needed()
    # Each date sits on one line (it used to break over five), each row is a card as wide as the screen.
    lines = phone.evaluate(
        """() => [...document.querySelectorAll('#documents-table td.col-date')].map(td => {
            const range = document.createRange(); range.selectNodeContents(td);
            return range.getClientRects().length; })"""
    )
    assert lines and max(lines) == 1, lines
    width = phone.evaluate("document.documentElement.clientWidth")
    for box in [table.locator("tbody tr").nth(k).bounding_box() for k in range(3)]:
        assert box["width"] >= width * 0.8 and box["x"] >= 0 and box["x"] + box["width"] <= width
    expect(table.locator("thead")).to_be_hidden()
    label = phone.evaluate("getComputedStyle(document.querySelector('#documents-table td.col-date'), '::before').content")
    assert "Date" in label  # each value is labelled on the card
    no_sideways_scroll(phone)
    shot(phone, "phone-documents.png")


def test_desktop_documents_table_fits(page: Any) -> None:
    open_tab(page, "Documents")
    table = page.locator("#documents-table table.docs")
    expect(table.locator("thead th")).to_have_text(["Title", "Date", "Publisher", "Source", "Passages"])
    heights = page.evaluate(
        """() => [...document.querySelectorAll('#documents-table td.col-date')].map(td => {
            const range = document.createRange(); range.selectNodeContents(td);
            return range.getClientRects().length; })"""
    )
    assert max(heights) == 1
    no_sideways_scroll(page)
    table.scroll_into_view_if_needed()
    shot(page, "desktop-documents.png")

"""Loaders on real files in a temp folder: every format's happy path and every bad input."""

from __future__ import annotations

import codecs
import io
import os
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.errors import DocumentError, TooLargeError, UnsupportedTypeError
from assistant.loaders import SUPPORTED_SUFFIXES, discover, normalize_text, read_document
from assistant.settings import LimitSettings
from assistant.types import Document

LIMITS = LimitSettings()
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def load(path: Path, limits: LimitSettings = LIMITS) -> Document:
    return read_document(path, path.name, limits)


def starts(source: str, rest: str = "") -> str:
    """A ``match`` pattern: the message starts with the source, then ``rest`` (a regex)."""
    return "^" + re.escape(f"{source}: ") + rest


def make_pdf(pages: list[str], title: str | None = None, drawing_only: bool = False) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=1)
    if title:
        pdf.setTitle(title)
        pdf.setAuthor("Ann Analyst")
    for text in pages:
        if drawing_only:
            pdf.rect(72, 600, 200, 100, fill=1)
        for i, line in enumerate(text.split("\n")):
            if line:
                pdf.drawString(72, 720 - 16 * i, line)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


# --- normalize_text ------------------------------------------------------------------------------


def test_normalize_rules() -> None:
    raw = ("  Cafe\u0301\tprices\u00a0 rose  \r\nline two \rline\u200b three\x00\x07 "
           "\n\n\n\n \t\nsoft\u00adhyphen\ufeff  \n")
    assert normalize_text(raw) == "Café prices rose\nline two\nline three\n\nsofthyphen"


def test_normalize_nfc() -> None:
    assert normalize_text("Re\u0301sume\u0301 A\u030a") == "R\u00e9sum\u00e9 \u00c5"
    # A zero-width character between a letter and its accent: removed first, so the result is NFC.
    assert normalize_text("e\u200b\u0301") == "\u00e9"


def test_normalize_paragraph_break_is_exactly_two_newlines() -> None:
    assert normalize_text("a\n \n\t\n\n\u2029b\n \nc") == "a\n\nb\n\nc"


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert "\r" not in once and "\n\n\n" not in once and "  " not in once


def test_normalize_is_linear_on_a_long_hostile_line() -> None:
    line = (" \t" * 500_000) + ("\n " * 500_000) + "x"
    assert normalize_text(line) == "x"


# --- discover ------------------------------------------------------------------------------------


def test_discover_lists_files_recursively_sorted_and_skips_hidden(tmp_path: Path) -> None:
    for name in ("b.md", "a.txt", "sub/c.html", "sub/deeper/d.pdf", "notes.docx",
                 ".hidden.md", ".git/config.md", "sub/.cache/e.md"):
        write(tmp_path, name, "x")
    found = discover(tmp_path)
    assert [source for _, source in found] == [
        "a.txt", "b.md", "notes.docx", "sub/c.html", "sub/deeper/d.pdf"]
    assert all(path == tmp_path / source for path, source in found)


def test_discover_never_follows_symlinks_outside_root(tmp_path: Path) -> None:
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    write(corpus, "a.md", "# A\n\ntext")
    secret = write(outside, "secret.md", "# Secret\n\nnot for the index")
    (corpus / "leak.md").symlink_to(secret)
    (corpus / "leakdir").symlink_to(outside, target_is_directory=True)
    (corpus / "alias.md").symlink_to(corpus / "a.md")
    (corpus / "loop.md").symlink_to(corpus / "loop.md")
    assert [source for _, source in discover(corpus)] == ["a.md", "alias.md"]


def test_discover_single_file_and_missing_path(tmp_path: Path) -> None:
    path = write(tmp_path, "sub/one.md", "x")
    assert discover(path) == [(path, "one.md")]
    missing = tmp_path / "nope"
    with pytest.raises(DocumentError, match=re.escape(str(missing))):
        discover(missing)


# --- Markdown ------------------------------------------------------------------------------------

FULL_MD = """---
title: "Cloud market share, Q2 2025"
date: 2025-08-01
publisher: Synergy Research
url: https://example.com/q2
author: Jane Doe
tags: [cloud, aws, "market share"]
---
# Heading in the body

AWS held **30%** of the market, per [Synergy](https://srg.example/q2).
![chart](chart.png)

> Microsoft __Azure__ followed.

- item one
- item two

```bash
# a shell comment, not a heading
aws s3 ls
```
"""


@pytest.mark.parametrize(("field", "publisher"), [
    ("source: Harbour Tech Ledger", "Harbour Tech Ledger"),
    ("publication: Harbour Tech Ledger", "Harbour Tech Ledger"),
    ("source: https://harbour.example/story", None),  # where the story came from, not who published it
    ("source: [a, b]", None),
])
def test_front_matter_may_name_the_publisher_otherwise(tmp_path: Path, field: str, publisher: str | None) -> None:
    doc = load(write(tmp_path, "a.md", f"---\ntitle: A story\n{field}\n---\nText of the story.\n"))
    assert doc.publisher == publisher


@pytest.mark.parametrize("field", ["published: 2031-05-12", "publish_date: 2031-05-12", "date: 2031-05-12",
                                   "filed: 2031-05-12", "yayin_tarihi: 2031-05-12"])
def test_front_matter_may_name_the_date_otherwise(tmp_path: Path, field: str) -> None:
    doc = load(write(tmp_path, "a.md", f"---\ntitle: A story\n{field}\n---\nText of the story.\n"))
    assert doc.date == "2031-05-12"


def test_the_one_date_field_dates_the_article_unless_its_name_says_otherwise(tmp_path: Path) -> None:
    doc = load(write(tmp_path, "a.md", "---\ntitle: A story\nupdated: 2031-06-01\n---\nText of the story.\n"))
    assert doc.date is None  # an update date is not the publication date


@pytest.mark.parametrize(("field", "publisher"), [("distributor: Amber Wire", "Amber Wire"), ("newsroom: Amber Wire", "Amber Wire")])
def test_front_matter_may_name_the_publisher_by_its_role(tmp_path: Path, field: str, publisher: str) -> None:
    assert load(write(tmp_path, "a.md", f"---\ntitle: A story\n{field}\n---\nText.\n")).publisher == publisher


def test_front_matter_may_call_the_title_a_headline(tmp_path: Path) -> None:
    doc = load(write(tmp_path, "a.md", "---\nheadline: Quillon grows\n---\n\n## A section\n\nText.\n"))
    assert doc.title == "Quillon grows"


def test_a_markdown_footnote_is_text_and_its_markers_are_not(tmp_path: Path) -> None:
    doc = load(write(tmp_path, "a.md", "Quillon's share is 12%.[^1] It grew.\n\n[^1]: Source: Brightwater survey.\n"
                                      "[link]: https://example.com/x\n"))
    assert doc.text == "Quillon's share is 12%. It grew.\n\nSource: Brightwater survey."


def test_markdown_with_full_front_matter(tmp_path: Path) -> None:
    doc = load(write(tmp_path, "q2.md", FULL_MD))
    assert (doc.source, doc.title, doc.date) == ("q2.md", "Cloud market share, Q2 2025", "2025-08-01")
    assert (doc.publisher, doc.url, doc.author) == (
        "Synergy Research", "https://example.com/q2", "Jane Doe")
    assert doc.tags == ("cloud", "aws", "market share")
    assert doc.page_starts == ()
    assert doc.text == (
        "Heading in the body\n\nAWS held 30% of the market, per Synergy.\n\n"
        "Microsoft Azure followed.\n\n- item one\n- item two\n\n"
        "# a shell comment, not a heading\naws s3 ls")
    assert "title:" not in doc.text and "chart" not in doc.text


def test_markdown_without_front_matter_takes_heading_title(tmp_path: Path) -> None:
    doc = load(write(tmp_path, "x.md", "Intro line.\n\n## The **real** title ##\n\nBody text."))
    assert doc.title == "The real title"
    assert doc.text == "Intro line.\n\nThe real title\n\nBody text."
    assert (doc.date, doc.tags) == (None, ())


def test_markdown_title_falls_back_to_prettified_stem(tmp_path: Path) -> None:
    doc = load(write(tmp_path, "aws-market_share.markdown", "No heading here.\n"))
    assert doc.title == "Aws market share"


def test_markdown_with_windows_line_endings(tmp_path: Path) -> None:
    doc = load(write(tmp_path, "crlf.md", b"---\r\ntitle: CRLF\r\n---\r\n# Head #\r\n\r\ntext\r\n***\r\nend\r\n"))
    assert (doc.title, doc.text) == ("CRLF", "Head\n\ntext\nend")


def test_markdown_comma_tags_and_datetime_string(tmp_path: Path) -> None:
    text = "---\ntags: cloud, gcp ,, cloud\ndate: '2024-03-01T10:00:00Z'\n---\nBody."
    doc = load(write(tmp_path, "t.md", text))
    assert (doc.tags, doc.date) == (("cloud", "gcp"), "2024-03-01")


@pytest.mark.parametrize("value", ["12 October 2026", "Oct. 12, 2026", "Monday, 12 October 2026"])
def test_markdown_date_written_out_as_a_day_is_read(tmp_path: Path, value: str) -> None:
    doc = load(write(tmp_path, "w.md", f"---\npublished: {value}\n---\nBody."))
    assert doc.date == "2026-10-12"


def test_a_dateline_with_a_day_gives_that_day_not_the_first_of_the_month(tmp_path: Path) -> None:
    doc = load(write(tmp_path, "note.txt", "Valletta, 9 March 2026\n\nHarbour Cloud opened a region.\n"))
    assert doc.date == "2026-03-09"


@pytest.mark.parametrize("value", ["2024-13-45", "March 2024", "2024", "12 Foo 2026"])
def test_markdown_invalid_date_names_the_value(tmp_path: Path, value: str) -> None:
    path = write(tmp_path, "d.md", f"---\ndate: {value}\n---\nBody.")
    with pytest.raises(DocumentError, match=starts("d.md", f"invalid date '?{value}'? in front")):
        load(path)


def test_markdown_front_matter_only_has_no_text(tmp_path: Path) -> None:
    path = write(tmp_path, "fm.md", "---\ntitle: Only metadata\n---\n\n  \n")
    with pytest.raises(DocumentError, match=starts("fm.md", "no text to index$")):
        load(path)


@pytest.mark.parametrize("front", ["- a\n- b", "just a string", "42"])
def test_markdown_non_mapping_front_matter(tmp_path: Path, front: str) -> None:
    path = write(tmp_path, "n.md", f"---\n{front}\n---\nBody.")
    with pytest.raises(DocumentError, match=starts("n.md", "invalid front matter: expected key")):
        load(path)


def test_markdown_bad_yaml_and_bad_field_types(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match=starts("y.md", r"invalid front matter: .*\(line \d+\)")):
        load(write(tmp_path, "y.md", "---\ntitle: [unclosed\n---\nBody."))
    with pytest.raises(DocumentError, match=starts("t.md", "front matter 'title' must be text")):
        load(write(tmp_path, "t.md", "---\ntitle: {a: 1}\n---\nBody."))
    with pytest.raises(DocumentError, match=starts("g.md", "front matter 'tags' must be a list")):
        load(write(tmp_path, "g.md", "---\ntags: {a: 1}\n---\nBody."))


def test_markdown_unclosed_front_matter_is_body_text(tmp_path: Path) -> None:
    doc = load(write(tmp_path, "u.md", "---\nJust a rule, then text.\n"))
    assert (doc.text, doc.title) == ("Just a rule, then text.", "U")


def test_deeply_nested_yaml_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "deep.md", "---\nx: " + "[" * 30_000 + "]" * 30_000 + "\n---\nBody.")
    with pytest.raises(DocumentError, match=starts("deep.md", "invalid front matter: .*(nesting depth|too deeply)")):
        load(path)
    nested = "x: [" + ",".join(["[" * 300 + "]" * 300] * 100) + "]"  # slow for the pure-Python parser
    assert load(write(tmp_path, "nested.md", f"---\n{nested}\n---\nBody.")).text == "Body."


def test_hostile_yaml_python_tag_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = write(tmp_path, "evil.md",
                 f'---\ntitle: !!python/object/apply:os.system ["touch {marker}"]\n---\nBody.')
    with pytest.raises(DocumentError, match=starts("evil.md", "invalid front matter: .*python")):
        load(path)
    assert not marker.exists()


def test_yaml_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    lines.append("tags: *i")
    path = write(tmp_path, "bomb.md", "---\n" + "\n".join(lines) + "\n---\nBody.")
    with pytest.raises(DocumentError, match=starts("bomb.md", "invalid front matter: over 50,000")):
        load(path)


def test_oversized_front_matter_is_refused(tmp_path: Path) -> None:
    front = "\n".join(f"k{i}: {'v' * 60}" for i in range(2000))
    path = write(tmp_path, "big.md", f"---\n{front}\n---\nBody.")
    with pytest.raises(DocumentError, match=starts("big.md", "invalid front matter: over 65,536")):
        load(path)


# --- plain text and encodings --------------------------------------------------------------------


def test_txt_title_is_first_short_line(tmp_path: Path) -> None:
    doc = load(write(tmp_path, "gcp-notes.txt", "\n\nGoogle Cloud grows\n\nIt grew 30%.\n"))
    assert (doc.title, doc.text) == ("Google Cloud grows", "Google Cloud grows\n\nIt grew 30%.")
    long = load(write(tmp_path, "long-line.txt", "word " * 40 + "\nmore"))
    assert long.title == "Long line"


def test_txt_title_skips_page_furniture(tmp_path: Path) -> None:
    """A scraped page: a link line, a menu row, tickers and a dateline come before the headline."""
    page = ("Jump to the article\nNews   Markets   Sign in\nABC 10.5 +1%   XYZ 3.2 -2%\nMarkets · Cloud\n\n"
            "Quillstone widens its lead in Nordic object storage\nOslo, 2 March 2026\n\n" + "Body sentence. " * 20)
    assert load(write(tmp_path, "scraped.txt", page)).title == "Quillstone widens its lead in Nordic object storage"
    dated = load(write(tmp_path, "brief.txt", "Storage Brief\n\nOslo, 2 March 2026\n\n" + "Body sentence. " * 20))
    assert dated.title == "Storage Brief"


def test_a_newsletter_masthead_ruled_off_from_its_text_is_its_title(tmp_path: Path) -> None:
    """What follows a rule of "=" is the text, though its first line ("ACME CLOUD. The firm raised
    ...", wrapped) is as short as a headline."""
    letter = ("THE ORBIT LETTER\nIssue 3 | Monday, 2 March 2031\nFour stories, one paragraph each.\n" + "=" * 60 + "\n\n"
              "ACME CLOUD. The firm raised its list prices by 4% across\nits regions on Monday.\n\n"
              "BRILL DATA. The Oslo operator opened a second site.\n")
    assert load(write(tmp_path, "orbit.txt", letter)).title == "THE ORBIT LETTER"


@pytest.mark.parametrize(
    ("header", "publisher"),
    [
        ("Pellucid Research | Storage Outlook | March 2026", "Pellucid Research"),
        ("Pellucid Research, Infrastructure Desk", "Pellucid Research"),
        ("Markets | Tech | Cloud", None),  # a menu, not a name
        ("By Ana Lima | 6 min read", None),  # a byline
    ],
)
def test_a_running_header_names_the_publisher(tmp_path: Path, header: str, publisher: str | None) -> None:
    doc = load(write(tmp_path, "report.txt", f"{header}\n\nStorage prices fell in 2025\n\n" + "Body sentence. " * 20))
    assert doc.publisher == publisher


BLANK = [b"", b"  \n\t\r\n \n", "\u200b\u00a0\n".encode()]


@pytest.mark.parametrize("name, content", [(f"empty{suffix}", content) for suffix in (".txt", ".md", ".html")
                                           for content in BLANK] + [("empty.pdf", b""), ("blank.pdf", b" \n")])
def test_empty_and_whitespace_only(tmp_path: Path, name: str, content: bytes) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(DocumentError, match=starts(name, "no text to index$")):
        load(path)


def test_latin1_text_loads(tmp_path: Path) -> None:
    path = write(tmp_path, "cafe.txt", "Café crème — naïve résumé\n".encode("cp1252"))
    assert load(path).text == "Café crème — naïve résumé"
    path = write(tmp_path, "cafe.md", "# Café\n\nÀ la carte: ½ price.".encode("latin-1"))
    doc = load(path)
    assert (doc.title, doc.text) == ("Café", "Café\n\nÀ la carte: ½ price.")


@pytest.mark.parametrize("bom, codec", [(codecs.BOM_UTF16_LE, "utf-16-le"),
                                        (codecs.BOM_UTF16_BE, "utf-16-be"),
                                        (codecs.BOM_UTF8, "utf-8")])
def test_bom_encodings_load(tmp_path: Path, bom: bytes, codec: str) -> None:
    path = write(tmp_path, "bom.md", bom + "---\ntitle: Zürich\n---\nCafé ☁ text".encode(codec))
    doc = load(path)
    assert (doc.title, doc.text) == ("Zürich", "Café ☁ text")


def test_nul_and_control_characters_are_stripped(tmp_path: Path) -> None:
    text = ("Cloud\x00 spending\x07 rose\x1b strongly in 2024, led by AI workloads.\u200b "
            "Analysts\x0b expect soft\u00adware growth to continue through 2025 and beyond.")
    doc = load(write(tmp_path, "ctl.txt", text.encode()))
    # The vertical tab became a line break, which the line unwrapping then joins back into the sentence.
    assert doc.text == ("Cloud spending rose strongly in 2024, led by AI workloads. "
                        "Analysts expect software growth to continue through 2025 and beyond.")


@pytest.mark.parametrize("content", [bytes(range(256)) * 32,
                                     b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" * 200,
                                     b"text \xff\xfe with NUL \x00 and invalid UTF-8 " * 10])
def test_binary_data_under_text_suffix(tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path, "image.md", content)
    with pytest.raises(DocumentError, match=starts("image.md", "binary data, not text$")):
        load(path)


# --- HTML ----------------------------------------------------------------------------------------

PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>Cloud market in Q2 2025</title>
<meta property="og:title" content="OG title"><meta property="og:site_name" content="Cloud Weekly">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2025-08-01T09:00:00Z">
<meta property="og:url" content="https://example.com/q2"><meta name="keywords" content="cloud, aws">
<style>body { color: red } STYLE_SECRET</style>
<script>var SCRIPT_SECRET = "do not index";</script></head>
<body><nav>NAV_SECRET Home | About</nav><header>HEADER_SECRET</header>
<article><h1>Cloud market share in Q2 2025</h1>
<p>Amazon Web Services held 30% of the worldwide cloud infrastructure market in the second quarter.</p>
<p style="color: grey; display : none">HIDDEN_STYLE_SECRET</p><div hidden>HIDDEN_ATTR_SECRET</div>
<span aria-hidden="true">ARIA_SECRET</span><p style="visibility:hidden">VISIBILITY_SECRET</p>
<p>Microsoft Azure followed with 22%, and Google Cloud was third with 13% of the market.</p>
<script>document.write("INLINE_SCRIPT_SECRET")</script><noscript>NOSCRIPT_SECRET</noscript>
<template>TEMPLATE_SECRET</template><form>FORM_SECRET<input value="x"></form>
<p>Inline <b>bold</b> <i>italic</i> words, Ama<b>zon</b> split across tags.</p>
<ul><li>AWS: 30%</li><li>Azure: 22%</li></ul>
<table><tr><th>Vendor</th><th>Share</th></tr><tr><td>Google</td><td>13%</td></tr></table>
</article><aside>ASIDE_SECRET</aside><iframe src="x">IFRAME_SECRET</iframe>
<footer>FOOTER_SECRET</footer></body></html>"""


def test_html_keeps_visible_article_text_only(tmp_path: Path) -> None:
    doc = load(write(tmp_path, "q2.html", PAGE))
    assert "SECRET" not in doc.text and "do not index" not in doc.text
    first = "Amazon Web Services held 30% of the worldwide cloud infrastructure market"
    second = "Microsoft Azure followed with 22%"
    assert first in doc.text and second in doc.text
    assert re.search(r"second quarter\.\n\nMicrosoft Azure", doc.text)
    assert "- AWS: 30%\n- Azure: 22%" in doc.text
    assert "Inline bold italic words, Amazon split across tags." in doc.text
    assert "Google | 13%" in doc.text  # trafilatura alone drops a cell reading just "Google"
    assert "\u200b" not in doc.text
    assert doc.title == "Cloud market in Q2 2025"
    assert (doc.date, doc.publisher, doc.author, doc.url) == (
        "2025-08-01", "Cloud Weekly", "Jane Doe", "https://example.com/q2")
    assert doc.tags == ("cloud", "aws")
    assert normalize_text(doc.text) == doc.text


def test_a_page_title_ending_on_its_site_name_gives_the_publisher(tmp_path: Path) -> None:
    page = ("<html><head><title>Nordic regions, ranked: who is live in Oslo? | Fjordline Research</title></head>"
            "<body><article><p>Fjordline counts four live cloud regions in Oslo, up from two in 2029.</p>"
            "<p>Two more are due next year.</p></article></body></html>")
    doc = load(write(tmp_path, "ranked.html", page))
    assert (doc.title, doc.publisher) == ("Nordic regions, ranked: who is live in Oslo?", "Fjordline Research")
    dashed = load(write(tmp_path, "dashed.html", page.replace(" | Fjordline Research", " - a look at Oslo-based re-sellers")))
    assert dashed.title.endswith("a look at Oslo-based re-sellers") and not dashed.publisher


def test_htm_title_falls_back_to_og_title_then_h1(tmp_path: Path) -> None:
    body = "<body><h1>Heading one</h1><p>Some article text about the cloud market.</p></body>"
    og = load(write(tmp_path, "a.htm", f'<html><head><meta property="og:title" content="From OG">'
                                       f"</head>{body}</html>"))
    assert og.title == "From OG" and "Some article text" in og.text
    h1 = load(write(tmp_path, "b.htm", f"<html>{body}</html>"))
    assert h1.title == "Heading one"
    bare = load(write(tmp_path, "c-page.htm", "<html><body><p>Text only.</p></body></html>"))
    assert (bare.title, bare.text, bare.date) == ("C page", "Text only.", None)


def test_html_in_windows_1252_with_declared_charset(tmp_path: Path) -> None:
    page = '<html><head><meta charset="windows-1252"><title>Café</title></head>' \
           "<body><p>Prices in € rose — a lot.</p></body></html>"
    doc = load(write(tmp_path, "w.html", page.encode("cp1252")))
    assert (doc.title, doc.text) == ("Café", "Prices in € rose — a lot.")


def test_html_with_script_only_has_no_text(tmp_path: Path) -> None:
    path = write(tmp_path, "s.html", "<html><body><script>alert('x')</script></body></html>")
    with pytest.raises(DocumentError, match=starts("s.html", "no text to index$")):
        load(path)


def test_html_fallback_body_text_has_paragraph_breaks() -> None:
    from lxml import html

    from assistant.loaders import _body_text

    root = html.document_fromstring(
        "<html><body><div>First\n   block</div><p>Second<br>line</p><span>inline</span>"
        "<table><tr><td>a</td><td>b</td></tr></table></body></html>")
    assert normalize_text(_body_text(root)) == "First block\n\nSecond\nline\n\ninline\n\na b"


# --- PDF -----------------------------------------------------------------------------------------


def test_pdf_pages_and_page_starts(tmp_path: Path) -> None:
    path = write(tmp_path, "report.pdf", make_pdf(
        ["Page one text about AWS.\nSecond line.", "Page two text about Azure."],
        title="Cloud Report 2025"))
    doc = load(path)
    assert doc.text == "Page one text about AWS.\nSecond line.\n\nPage two text about Azure."
    assert doc.page_starts == (0, doc.text.index("Page two"))
    assert doc.text[doc.page_starts[1]:].startswith("Page two text about Azure.")
    assert (doc.title, doc.author, doc.date) == ("Cloud Report 2025", "Ann Analyst", "2000-01-01")
    assert (doc.page_at(0), doc.page_at(doc.page_starts[1])) == (1, 2)
    assert normalize_text(doc.text) == doc.text


def test_pdf_running_headers_and_footers_are_not_text(tmp_path: Path) -> None:
    bodies = ["Quillon ran 120 racks.\nIts backlog grew.", "Ostrava ran 80 racks.\nIts margin fell.",
              "Hallwick ran 30 racks.\nIt opened a hall."]
    pages = [f"Brightwater Research | Rack Monitor | H1 2032\nSection {i}.\n{body}\nPage {i} of 3"
             for i, body in enumerate(bodies, 1)]
    doc = load(write(tmp_path, "monitor.pdf", make_pdf(pages)))
    assert doc.text.count("Rack Monitor") == 1  # the first page keeps its header, which names the report
    assert "Page" not in doc.text and "Hallwick ran 30 racks." in doc.text
    assert doc.text[doc.page_starts[1]:].startswith("Section 2.")


def test_a_slide_footer_ending_on_its_bare_page_number_is_not_text(tmp_path: Path) -> None:
    bodies = ["FY31 at a glance\nRevenue $1.2bn", "Outlook\nRevenue $1.5bn", "Financing\nDebt $0.9bn (30 Jun 31)"]
    pages = [f"{body}\nKorvane Cloud | Investor Day 2031 | Oslo, 8 May 2031 {i}" for i, body in enumerate(bodies, 1)]
    doc = load(write(tmp_path, "deck.pdf", make_pdf(pages)))
    assert "Investor Day" not in doc.text and "Debt $0.9bn (30 Jun 31)" in doc.text


def test_pdf_blank_middle_page_keeps_offsets_exact(tmp_path: Path) -> None:
    doc = load(write(tmp_path, "gap.pdf", make_pdf(["First page.", "", "Third page."])))
    assert doc.text == "First page.\n\nThird page."
    assert doc.page_starts == (0, 13, 13)
    assert doc.page_at(doc.text.index("Third")) == 3
    assert doc.title == "First page."


def test_pdf_encrypted_with_user_password(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Secret numbers."]))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    path = write(tmp_path, "bad.pdf", buffer.getvalue())
    with pytest.raises(DocumentError, match=r"^bad\.pdf: encrypted PDF: cannot be read$"):
        load(path)


def test_pdf_with_owner_password_only_is_read(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Open to read."]))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert load(write(tmp_path, "open.pdf", buffer.getvalue())).text == "Open to read."


@pytest.mark.parametrize("content", [b"this is not a PDF at all" * 20, b"%PDF-1.4\n" + b"\x00" * 64,
                                     b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF"])
def test_pdf_corrupt(tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path, "broken.pdf", content)
    with pytest.raises(DocumentError, match=starts("broken.pdf", "corrupt PDF: .+")):
        load(path)


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    path = write(tmp_path, "scan.pdf", make_pdf(["", ""], drawing_only=True))
    with pytest.raises(DocumentError, match=starts(
            "scan.pdf", re.escape("PDF has no text layer (scanned?); OCR is not supported"))):
        load(path)


def test_pdf_over_the_character_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "long.pdf", make_pdf(["A line of text.", "Another line."]))
    with pytest.raises(TooLargeError, match=starts("long.pdf", "text is over the 20-character")):
        load(path, LimitSettings(max_document_chars=20))


# --- unsupported, unreadable and oversized files -------------------------------------------------


@pytest.mark.parametrize("name, suffix", [("report.docx", ".docx"), ("bundle.zip", ".zip"),
                                          ("dump.tar.gz", ".tar.gz"), ("a.7z", ".7z"),
                                          ("b.RAR", ".rar"), ("c.gz", ".gz")])
def test_archives_are_not_unpacked(tmp_path: Path, name: str, suffix: str) -> None:
    path = write(tmp_path, name, b"PK\x03\x04 not really")
    with pytest.raises(UnsupportedTypeError,
                       match=starts(name, re.escape(f"archive ({suffix}) not unpacked"))):
        load(path)


@pytest.mark.parametrize("name, shown", [("data.csv", ".csv"), ("README", "README")])
def test_unsupported_type(tmp_path: Path, name: str, shown: str) -> None:
    path = write(tmp_path, name, "a,b\n1,2\n")
    with pytest.raises(UnsupportedTypeError,
                       match=starts(name, f"unsupported file type '{shown}'; supported: .htm")):
        load(path)
    assert shown not in SUPPORTED_SUFFIXES


def test_folder_broken_link_and_fifo_are_reported(tmp_path: Path) -> None:
    (tmp_path / "folder.md").mkdir()
    with pytest.raises(DocumentError, match=starts("folder.md", "is a folder, not a file$")):
        load(tmp_path / "folder.md")
    (tmp_path / "gone.md").symlink_to(tmp_path / "missing.md")
    with pytest.raises(DocumentError, match=starts("gone.md", "broken symbolic link$")):
        load(tmp_path / "gone.md")
    with pytest.raises(DocumentError, match=starts("absent.txt", "file not found$")):
        load(tmp_path / "absent.txt")
    os.mkfifo(tmp_path / "pipe.txt")  # reading it would block: it must never be opened
    with pytest.raises(DocumentError, match=starts("pipe.txt", "not a regular file$")):
        load(tmp_path / "pipe.txt")


@pytest.mark.skipif(IS_ROOT, reason="root reads files whatever their mode")
def test_permission_denied(tmp_path: Path) -> None:
    path = write(tmp_path, "locked.md", "text")
    path.chmod(0)
    with pytest.raises(DocumentError, match=starts("locked.md", "cannot read file: Permission")):
        load(path)


def test_50_mb_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50_000_000)  # sparse, and all NULs: reading it would say "binary"
    with pytest.raises(TooLargeError, match=starts("huge.txt", r"file is 50\.0 MB, over the 20 MB")):
        load(path)


def test_small_file_limit_is_stated_in_mb(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", "x" * 2000)
    with pytest.raises(TooLargeError, match=starts("a.txt", r"file is 0\.0 MB, over the 0\.001 MB")):
        load(path, LimitSettings(max_file_bytes=1000))


@pytest.mark.timeout(60)
def test_5_mb_single_line_is_refused_over_the_character_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "line.txt", "word " * 1_000_000)
    with pytest.raises(TooLargeError,
                       match=starts("line.txt", "text is 4,999,999 characters, over the 2,000,000")):
        load(path)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("unit", ["word ", "[x(((](**__", "![a](b[c](d", "#  " + " \t" * 3, "[" * 5])
def test_5_mb_hostile_single_line_is_handled(tmp_path: Path, unit: str) -> None:
    text = unit * (5_000_000 // len(unit))
    doc = load(write(tmp_path, "line.md", text), LimitSettings(max_document_chars=10_000_000))
    assert 0 < len(doc.text) <= len(text)


def test_rules_of_dashes_in_plain_text_are_breaks_between_paragraphs_not_text(tmp_path: Path) -> None:
    rule = "-" * 60
    doc = load(write(tmp_path, "weekly.txt", f"Infra Weekly 12\n\n{rule}\n1) ORVEL OPENS IN RIGA\n{rule}\n"
                     "Orvel opened a region in Riga.\n\n* * *\n\nThat is all for this week.\n"))
    assert "--" not in doc.text and "* *" not in doc.text
    assert "\n\n1) ORVEL OPENS IN RIGA\n\nOrvel opened a region in Riga." in doc.text


def test_a_newsletter_saved_from_mail_is_titled_by_its_subject_and_dated_by_its_header(tmp_path: Path) -> None:
    text = (
        "From: Danube Infra Letter <news@danube-infra.example>\n"
        "Sent: Thursday, 4 March 2032 07:15\n"
        "To: Subscribers\n"
        "Subject: Issue 52 - Orvane opens its Linz campus; power prices ease\n\n"
        "View this email in your browser | Manage preferences\n\n"
        "Orvane Compute opened its 14 MW campus in Linz last week, its third in Austria. The company said the "
        "second building would follow next year.\n"
    )
    doc = load(write(tmp_path, "issue-52.txt", text))
    assert doc.title == "Issue 52 - Orvane opens its Linz campus; power prices ease"
    assert doc.publisher == "Danube Infra Letter"
    assert doc.date == "2032-03-04"

"""HTML for the web chat: answers with citation chips, source cards, the document table.

Everything that comes from an article or a user (titles, quotes, paragraphs, publishers, URLs,
questions, answer text) goes through :func:`html.escape` before it is placed in markup, so no
HTML or script from a document can run in the page. The only markup is what this module writes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

from assistant.types import Answer, Citation

MARKER = re.compile(r"\[(\d{1,3})\]")
# Parts of a rendered message that are for the eye only (labels, icons); dropped from history.
_UI_ONLY = re.compile(r"<span data-ui=\"1\"[^>]*>.*?</span>", re.S)
_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</p>|<br\s*/?>")
CONTEXT_CHARS = 500


def esc(value: object) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL, else None (no javascript:, data:, relative)."""
    if not url:
        return None
    try:
        parts = urlparse(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return url.strip()


def cite_id(turn: int, n: int) -> str:
    """The element id of citation ``n`` of answer number ``turn``."""
    return f"cite-{turn}-{n}"


# ---- chat messages ----------------------------------------------------------------------


def _lines_html(text: str, turn: int | None) -> str:
    """Escaped text, one paragraph per line; ``[n]`` becomes a chip when ``turn`` is given."""
    paragraphs = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        escaped = esc(line)
        if turn is not None:
            escaped = MARKER.sub(
                lambda m: f'<a href="#{cite_id(turn, int(m.group(1)))}" class="cite" '
                f'title="Show source {m.group(1)}">[{m.group(1)}]</a>',
                escaped,
            )
        paragraphs.append(f"<p>{escaped}</p>")
    return "".join(paragraphs)


def user_message(text: str) -> str:
    """A question as chat markup (escaped; one raw-HTML block so Markdown does not apply)."""
    return f'<div class="msg-user">{_lines_html(text, None)}</div>'


def partial_answer(text: str) -> str:
    """The answer while it is being written."""
    return f'<div class="answer streaming">{_lines_html(text, None)}<span data-ui="1" class="caret"></span></div>'


def final_answer(answer: Answer, turn: int) -> str:
    """The finished answer: citation chips, or the muted abstention box."""
    body = _lines_html(answer.answer, turn)
    if answer.abstained:
        label = '<span data-ui="1" class="abstain-label">Not in the articles</span>'
        return f'<div class="answer abstained">{label}{body}</div>'
    return f'<div class="answer">{body}</div>'


def error_message(text: str) -> str:
    return f'<div class="answer failed"><span data-ui="1" class="abstain-label">Could not answer</span>' \
        f"{_lines_html(text, None)}</div>"


def message_text(content: Any) -> str:
    """Plain text of a chat message as rendered here (or as an API client sent it)."""
    if isinstance(content, list):
        return "\n".join(message_text(part) for part in content).strip()
    if isinstance(content, dict):
        return message_text(content.get("text") or content.get("content") or "")
    if not isinstance(content, str):
        return ""
    if not content.lstrip().startswith('<div class="'):
        return content
    text = _UI_ONLY.sub("", content)
    text = _BLOCK_END.sub("\n", text)
    return html.unescape(_TAG.sub("", text)).strip()


def plain_history(history: Sequence[Any] | None) -> list[dict[str, str]]:
    """Chatbot messages as the assistant's ``{role, content}`` history, without markup."""
    turns: list[dict[str, str]] = []
    for message in history or []:
        role = message.get("role") if isinstance(message, dict) else getattr(message, "role", None)
        content = message.get("content") if isinstance(message, dict) else getattr(message, "content", "")
        if role not in {"user", "assistant"}:
            continue
        text = message_text(content)
        if text:
            turns.append({"role": role, "content": text})
    return turns


# ---- sources panel ----------------------------------------------------------------------


def quote_context(texts: Sequence[str], metas: Sequence[dict[str, Any]], citation: Citation) -> tuple[str, str, str]:
    """``(before, quote, after)``: the paragraph of the stored text that holds the quote.

    Rebuilt from the stored chunks of the cited document (each chunk is ``text[start:end]`` of the
    document). When the chunks do not cover the quote exactly, the quote stands alone.
    """
    spans = sorted(
        (int(m.get("start", 0)), t)
        for m, t in zip(metas, texts, strict=True)
        if m.get("source") == citation.source and t
    )
    piece_start, piece = -1, ""
    for start, text in spans:
        end_now = piece_start + len(piece)
        if piece_start < 0 or start > end_now:
            if piece_start >= 0 and piece_start <= citation.start and citation.end <= end_now:
                break
            piece_start, piece = start, text
        elif start + len(text) > end_now:
            piece += text[end_now - start:]
    lo, hi = citation.start - piece_start, citation.end - piece_start
    if piece_start < 0 or lo < 0 or piece[lo:hi] != citation.quote:
        return "", citation.quote, ""
    before, after = piece[:lo], piece[hi:]
    cut = max(before.rfind("\n\n"), before.rfind("\n#"))
    before = before[cut + 1:] if cut >= 0 else before
    cut = after.find("\n\n")
    after = after[:cut] if cut >= 0 else after
    before = before.lstrip("\n# ")
    if len(before) > CONTEXT_CHARS:
        before = "…" + before[-CONTEXT_CHARS:].split(" ", 1)[-1]
    if len(after) > CONTEXT_CHARS:
        after = after[:CONTEXT_CHARS].rsplit(" ", 1)[0] + "…"
    return before, citation.quote, after.rstrip()


def citation_card(citation: Citation, turn: int, context: tuple[str, str, str]) -> str:
    before, quote, after = context
    url = safe_url(citation.url)
    title = esc(citation.title or citation.source)
    if url:
        title = f'<a class="src-title" href="{esc(url)}" target="_blank" rel="noopener noreferrer">{title}</a>'
    else:
        title = f'<span class="src-title">{title}</span>'
    meta = [esc(x) for x in (citation.publisher, citation.date) if x]
    meta.append(f'<code class="src-file">{esc(citation.source)}</code>')
    host = f'<span class="src-host">{esc(urlparse(url).netloc)}</span>' if url else ""
    return (
        f'<article class="src-card" id="{cite_id(turn, citation.n)}" data-n="{citation.n}">'
        f'<header><span class="src-num">{citation.n}</span>{title}</header>'
        f'<div class="src-meta">{" · ".join(meta)}{host}</div>'
        f'<blockquote class="src-context">{esc(before)}<mark>{esc(quote)}</mark>{esc(after)}</blockquote>'
        "</article>"
    )


def turn_record(answer: Answer, turn: int, texts: Sequence[str], metas: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """What the sources panel keeps of one answer (rendered once, while its snapshot is current)."""
    cards = "".join(citation_card(c, turn, quote_context(texts, metas, c)) for c in answer.citations)
    return {
        "turn": turn,
        "question": answer.question,
        "abstained": answer.abstained,
        "count": len(answer.citations),
        "ms": answer.timings_ms.get("total"),
        "cards": cards,
    }


SOURCES_EMPTY = (
    '<div class="sources-empty"><p class="sources-hint">Sources appear here.</p>'
    "<p>Every claim in an answer carries a marker like <span class=\"cite\">[1]</span>. "
    "Click it to see the exact sentence, highlighted in its paragraph, with a link to the article.</p></div>"
)


def sources_panel(records: Iterable[dict[str, Any]]) -> str:
    """All answers' sources, newest first and open; older answers folded."""
    sections = []
    for k, rec in enumerate(sorted(records, key=lambda r: r["turn"], reverse=True)):
        count = rec["count"]
        note = f"{count} source{'s' if count != 1 else ''}"
        if rec.get("ms") is not None:
            note += f" · {rec['ms']:.0f} ms"
        body = rec["cards"] or (
            '<p class="sources-none">No passage in the indexed articles supports an answer.</p>'
        )
        cls = "turn abstained" if rec["abstained"] else "turn"
        sections.append(
            f'<details class="{cls}"{" open" if k == 0 else ""}>'
            f'<summary><span class="turn-q">{esc(rec["question"])}</span>'
            f'<span class="turn-note">{note}</span></summary>{body}</details>'
        )
    if not sections:
        return f'<div class="sources">{SOURCES_EMPTY}</div>'
    return f'<div class="sources">{"".join(sections)}</div>'


# ---- documents tab ----------------------------------------------------------------------


def document_rows(documents: Sequence[dict[str, Any]]) -> list[list[Any]]:
    """Rows of the documents table (plain text cells; the table shows them as text)."""
    return [
        [d.get("title") or d["source"], d.get("date") or "", d.get("publisher") or "", d["source"], d.get("chunks", 0)]
        for d in documents
    ]


def status_line(status: dict[str, Any]) -> str:
    last = status.get("last_sync")
    when = (
        datetime.fromtimestamp(float(last), tz=UTC).strftime("%Y-%m-%d %H:%M UTC") if last else "never"
    )
    docs, chunks = status.get("documents", 0), status.get("chunks", 0)
    return (
        f'<div class="status-line"><span><b>{docs}</b> article{"s" if docs != 1 else ""}</span>'
        f"<span><b>{chunks}</b> passages</span><span>last sync {esc(when)}</span>"
        f'<span>answers: {esc(status.get("generator", ""))}</span></div>'
    )


def ingest_summary(summary: dict[str, Any]) -> str:
    """The result of an upload or removal, failures with their reasons."""
    parts = [f"<b>{summary.get(k, 0)}</b> {k}" for k in ("added", "updated", "removed", "unchanged")]
    failed = summary.get("failed") or []
    parts.append(f"<b>{len(failed)}</b> failed")
    rows = "".join(
        f"<li><code>{esc(f.get('path'))}</code>: {esc(f.get('error'))}</li>" for f in failed
    )
    cls = "ingest-result has-failed" if failed else "ingest-result"
    listing = f'<ul class="failed">{rows}</ul>' if rows else ""
    return f'<div class="{cls}"><div>{" · ".join(parts)}</div>{listing}</div>'


def notice(text: str, kind: str = "info") -> str:
    return f'<div class="ingest-result {esc(kind)}">{esc(text)}</div>'

"""HTML for the web chat: answers with citation chips, the document table, status and results
(the source cards are in :mod:`ui.sources`).

Everything that comes from an article or a user (titles, quotes, paragraphs, publishers, URLs,
questions, answer text) goes through :func:`html.escape` before it is placed in markup, so no
HTML or script from a document can run in the page. The only markup is what this module writes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

from assistant.types import Answer

MARKER = re.compile(r"\[(\d{1,3})\]")
# Parts of a rendered message that are for the eye only (labels, icons); dropped from history.
_UI_ONLY = re.compile(r"<span data-ui=\"1\"[^>]*>.*?</span>", re.S)
_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</p>|<br\s*/?>")


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


# ---- documents tab ----------------------------------------------------------------------


DOCUMENT_COLUMNS = ("Title", "Date", "Publisher", "Source", "Passages")


def document_table(documents: Sequence[dict[str, Any]]) -> str:
    """The indexed articles as a table; on a narrow screen each row reads as a card (see theme.CSS)."""
    if not documents:
        return '<p class="docs-empty">No articles are indexed yet. Add some above.</p>'
    head = "".join(f'<th scope="col">{c}</th>' for c in DOCUMENT_COLUMNS)
    rows = []
    for d in documents:
        url = safe_url(d.get("url"))
        title = esc(d.get("title") or d["source"])
        if url:
            title = f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{title}</a>'
        cells = (title, esc(d.get("date") or "–"), esc(d.get("publisher") or "–"),
                 f'<code>{esc(d["source"])}</code>', esc(d.get("chunks", 0)))
        rows.append("<tr>" + "".join(
            f'<td data-label="{label}" class="col-{label.lower()}">{cell}</td>'
            for label, cell in zip(DOCUMENT_COLUMNS, cells, strict=True)
        ) + "</tr>")
    count = len(documents)
    return (
        f'<div class="docs-wrap"><table class="docs"><caption>{count} article{"s" if count != 1 else ""}</caption>'
        f'<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
    )


def status_line(status: dict[str, Any]) -> str:
    last = status.get("last_sync")
    when = (
        datetime.fromtimestamp(float(last), tz=UTC).strftime("%Y-%m-%d %H:%M UTC") if last else "never"
    )
    docs, chunks = status.get("documents", 0), status.get("chunks", 0)
    return (
        f'<div class="status-line"><span><b>{docs}</b> article{"s" if docs != 1 else ""}</span>'
        f'<span><b>{chunks}</b> passages</span><span class="status-extra">last sync {esc(when)}</span>'
        f'<span class="status-extra">answers: {esc(status.get("generator", ""))}</span></div>'
    )


def ingest_summary(summary: dict[str, Any], names: Mapping[str, Sequence[str]] | None = None) -> str:
    """The result of an upload or removal: counts, the files behind them, failures with their reasons.

    ``names`` maps ``added``, ``updated``, ``unchanged``, ``removed`` (or a combined key like
    ``updated or unchanged``) to the file names of that outcome."""
    names = dict(names or {})
    parts = []
    for key in ("added", "updated", "removed", "unchanged"):
        count = summary.get(key, 0)
        if count or key in ("added", "removed"):
            parts.append(f'<span class="outcome"><b>{count}</b> {key}{_files(names.pop(key, ()))}</span>')
    for key, files in names.items():
        if files:
            parts.append(f'<span class="outcome">{esc(key)}{_files(files)}</span>')
    failed = summary.get("failed") or []
    parts.append(f'<span class="outcome"><b>{len(failed)}</b> failed</span>')
    rows = "".join(
        f"<li><code>{esc(f.get('path'))}</code>: {esc(f.get('error'))}</li>" for f in failed
    )
    cls = "ingest-result has-failed" if failed else "ingest-result"
    listing = f'<ul class="failed">{rows}</ul>' if rows else ""
    return f'<div class="{cls}"><div class="outcomes">{" · ".join(parts)}</div>{listing}</div>'


def _files(files: Sequence[str]) -> str:
    return ": " + ", ".join(f"<code>{esc(f)}</code>" for f in files) if files else ""


def notice(text: str, kind: str = "info") -> str:
    return f'<div class="ingest-result {esc(kind)}">{esc(text)}</div>'

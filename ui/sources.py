"""The sources panel: one card per cited article, each quote highlighted inside its paragraph.

An answer that cites one article three times shows one card for it, with the three quotes marked
(quotes from one paragraph share one excerpt). Each quote is a ``<mark id="cite-{turn}-{n}">``, the
target of the answer's ``[n]`` chip. The excerpts are rebuilt from the stored chunks of the cited
article (each chunk is ``text[start:end]`` of the stored text), so they are exactly what the quotes'
offsets point at. Everything from an article is escaped (:func:`ui.render.esc`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from assistant.types import Answer, Citation
from ui.render import cite_id, esc, safe_url

CONTEXT_CHARS = 500


@dataclass(frozen=True)
class Excerpt:
    """A stretch of stored text ``text`` starting at ``start``, with the citations quoted in it."""

    start: int
    text: str
    citations: tuple[Citation, ...]
    cut_before: bool = False  # the paragraph goes on before ``text`` (shown as "…")
    cut_after: bool = False


def _pieces(texts: Sequence[str], metas: Sequence[dict[str, Any]], source: str) -> list[tuple[int, str]]:
    """Contiguous stretches of the stored text of ``source``, rebuilt from its chunks."""
    spans = sorted((int(m.get("start", 0)), t) for m, t in zip(metas, texts, strict=True) if m.get("source") == source and t)
    pieces: list[tuple[int, str]] = []
    for start, text in spans:
        if pieces and start <= pieces[-1][0] + len(pieces[-1][1]):
            begin, piece = pieces[-1]
            end_now = begin + len(piece)
            if start + len(text) > end_now:
                pieces[-1] = (begin, piece + text[end_now - start:])
        else:
            pieces.append((start, text))
    return pieces


def _paragraph(piece_start: int, piece: str, citation: Citation) -> tuple[int, int] | None:
    """Absolute bounds of the paragraph of ``piece`` holding ``citation``, if the piece holds its quote."""
    lo, hi = citation.start - piece_start, citation.end - piece_start
    if lo < 0 or piece[lo:hi] != citation.quote:
        return None
    before = piece[:lo]
    cut = max(before.rfind("\n\n"), before.rfind("\n#"))
    para_lo = cut + 1 if cut >= 0 else 0
    while para_lo < lo and piece[para_lo] in "\n# ":
        para_lo += 1
    cut = piece.find("\n\n", hi)
    para_hi = cut if cut >= 0 else len(piece)
    return piece_start + para_lo, piece_start + para_hi


def excerpts(texts: Sequence[str], metas: Sequence[dict[str, Any]], citations: Sequence[Citation]) -> list[Excerpt]:
    """The excerpts of one article that show ``citations`` (all of one source), in text order; quotes
    in one paragraph share an excerpt, overlapping quotes and quotes the chunks do not cover stand alone."""
    pieces = _pieces(texts, metas, citations[0].source) if citations else []
    found: list[tuple[int, int, int, Citation]] = []  # paragraph bounds, piece index, citation
    alone: list[Excerpt] = []
    for c in sorted(citations, key=lambda c: (c.start, c.n)):
        for k, (start, piece) in enumerate(pieces):
            bounds = _paragraph(start, piece, c)
            if bounds:
                found.append((*bounds, k, c))
                break
        else:
            alone.append(Excerpt(c.start, c.quote, (c,)))
    groups: list[list[tuple[int, int, int, Citation]]] = []
    for item in found:
        last = groups[-1][-1] if groups else None
        if last and item[2] == last[2] and item[0] < last[1] and item[3].start >= last[3].end:
            groups[-1].append(item)
        else:
            groups.append([item])
    out = list(alone)
    for group in groups:
        piece_start, piece = pieces[group[0][2]]
        para_lo, para_hi = group[0][0], max(g[1] for g in group)
        first, final = group[0][3], group[-1][3]
        lo, hi = max(para_lo, first.start - CONTEXT_CHARS), min(para_hi, final.end + CONTEXT_CHARS)
        if lo > para_lo:  # start after a space, so no word is cut
            space = piece.find(" ", lo - piece_start, first.start - piece_start)
            lo = piece_start + space + 1 if space >= 0 else lo
        if hi < para_hi:
            space = piece.rfind(" ", final.end - piece_start, hi - piece_start)
            hi = piece_start + space if space >= 0 else hi
        out.append(Excerpt(lo, piece[lo - piece_start:hi - piece_start], tuple(g[3] for g in group),
                           cut_before=lo > para_lo, cut_after=hi < para_hi))
    return sorted(out, key=lambda e: e.start)


def excerpt_html(excerpt: Excerpt, turn: int) -> str:
    parts, at = ["…" if excerpt.cut_before else ""], excerpt.start
    for c in excerpt.citations:
        parts.append(esc(excerpt.text[at - excerpt.start:c.start - excerpt.start]))
        parts.append(f'<sup class="q-n" aria-hidden="true">{c.n}</sup>'
                     f'<mark class="quote" id="{cite_id(turn, c.n)}" data-n="{c.n}">{esc(c.quote)}</mark>')
        at = c.end
    parts.append(esc(excerpt.text[at - excerpt.start:].rstrip()) + ("…" if excerpt.cut_after else ""))
    return f'<blockquote class="src-context">{"".join(parts)}</blockquote>'


def source_card(citations: Sequence[Citation], turn: int, texts: Sequence[str], metas: Sequence[dict[str, Any]]) -> str:
    """One card for one cited article: title (linked when its URL is http/https), publisher, date, file,
    and every quote the answer takes from it, highlighted in its paragraph."""
    first = citations[0]
    url = safe_url(first.url)
    title = esc(first.title or first.source)
    if url:
        title = f'<a class="src-title" href="{esc(url)}" target="_blank" rel="noopener noreferrer">{title}</a>'
    else:
        title = f'<span class="src-title">{title}</span>'
    meta = [esc(x) for x in (first.publisher, first.date) if x]
    meta.append(f'<code class="src-file">{esc(first.source)}</code>')
    host = f'<span class="src-host">{esc(urlparse(url).netloc)}</span>' if url else ""
    numbers = "".join(f'<span class="src-num">{c.n}</span>' for c in sorted(citations, key=lambda c: c.n))
    quotes = "".join(excerpt_html(e, turn) for e in excerpts(texts, metas, citations))
    return (
        f'<article class="src-card" data-source="{esc(first.source)}">'
        f'<header><span class="src-nums">{numbers}</span>{title}</header>'
        f'<div class="src-meta">{" · ".join(meta)}{host}</div>{quotes}'
        '<button type="button" class="src-back" aria-label="Back to the answer">&#8617; Back to the answer</button>'
        "</article>"
    )


def by_source(citations: Iterable[Citation]) -> list[list[Citation]]:
    """Citations grouped by article, in the order the answer first cites each."""
    groups: dict[str, list[Citation]] = {}
    for c in sorted(citations, key=lambda c: c.n):
        groups.setdefault(c.source, []).append(c)
    return list(groups.values())


def turn_record(answer: Answer, turn: int, texts: Sequence[str], metas: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """What the sources panel keeps of one answer (rendered once, while its snapshot is current)."""
    groups = by_source(answer.citations)
    return {
        "turn": turn,
        "question": answer.question,
        "abstained": answer.abstained,
        "count": len(groups),
        "ms": answer.timings_ms.get("total"),
        "cards": "".join(source_card(g, turn, texts, metas) for g in groups),
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
        note = f"{count} article{'s' if count != 1 else ''}"
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

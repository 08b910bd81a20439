"""Sentence- and paragraph-aware chunking with exact character offsets.

Every chunk is a contiguous span of the stored document text, so ``text[start:end]`` is the chunk,
and a sentence inside it can be quoted by offset. Chunks close at paragraph ends once they reach
``target_tokens`` and never exceed ``max_tokens``; a sentence is only split (at a space, never
inside a number) when it alone is longer than the encoder window.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from assistant.types import Chunk, Document

TokenCounter = Callable[[Sequence[str]], list[int]]

# Words after which a period does not end a sentence.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof inc corp co ltd plc llc vs etc e.g i.e approx est no fig jan feb mar apr "
    "jun jul aug sep sept oct nov dec st u.s u.k u.n sr jr dept gov bn mn "
    # (German scale words before a currency: "412,6 Mio. Euro", "1,2 Mrd. Franken")
    "mio mrd tsd".split()
)
_SENTENCE_END = re.compile(r"[.!?。！？]+[\"'”’)\]]*(?=\s|$)|[。！？]")
_PARAGRAPH = re.compile(r"\n\s*\n")


def split_paragraphs(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the non-blank paragraphs of ``text[start:end]``."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    for match in _PARAGRAPH.finditer(text, start, end):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, end))
    return [s for s in (_strip_span(text, a, b) for a, b in spans) if s[1] > s[0]]


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text[start:end]``; lines (headings, list items) end sentences."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for line_start, line_end in _lines(text, start, end):
        pos = line_start
        for match in _SENTENCE_END.finditer(text, line_start, line_end):
            if not _ends_sentence(text, match.start(), match.end(), line_end):
                continue
            spans.append((pos, match.end()))
            pos = match.end()
        spans.append((pos, line_end))
    return [s for s in (_strip_span(text, a, b) for a, b in spans) if s[1] > s[0]]


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    pos = start
    while pos < end:
        newline = text.find("\n", pos, end)
        if newline < 0:
            spans.append((pos, end))
            break
        spans.append((pos, newline))
        pos = newline + 1
    return spans


def _ends_sentence(text: str, dot: int, after: int, line_end: int) -> bool:
    if text[dot] in "。！？":
        return True
    nxt = after
    while nxt < line_end and text[nxt].isspace():
        nxt += 1
    if nxt >= line_end:
        return True
    if text[dot] == "." and after - dot == 1:
        word = re.search(r"([\w.]+)$", text[max(0, dot - 12) : dot])
        if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
            return False
        if word and len(word.group(1)) == 1 and word.group(1).isupper():
            return False  # an initial: "J. Smith"
    follower = text[nxt]
    return follower.isupper() or follower.isdigit() or follower in "\"'“‘([$€£¥"


def _is_heading(text: str, start: int, end: int) -> bool:
    """A short single line without closing punctuation: it belongs with what follows."""
    line = text[start:end]
    return "\n" not in line and len(line) < 100 and not line.rstrip().endswith((".", "!", ":", ";", ","))


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def chunk_document(
    document: Document,
    count_tokens: TokenCounter,
    *,
    max_tokens: int = 200,
    target_tokens: int = 120,
) -> list[Chunk]:
    """Split ``document.text`` into chunks of whole sentences within ``max_tokens``."""
    text = document.text
    units: list[tuple[int, int, bool]] = []  # (start, end, ends_paragraph)
    headings: list[tuple[int, str]] = []
    for p_start, p_end in split_paragraphs(text):
        sentences = split_sentences(text, p_start, p_end)
        closes = not _is_heading(text, p_start, p_end)
        if not closes:
            headings.append((p_start, text[p_start:p_end]))
        for i, span in enumerate(sentences):
            units.append((span[0], span[1], closes and i == len(sentences) - 1))
    sizes = count_tokens([text[a:b] for a, b, _ in units])

    pieces: list[tuple[int, int, int, bool]] = []  # units cut down to the window
    for (start, end, para_end), size in zip(units, sizes, strict=True):
        if size <= max_tokens:
            pieces.append((start, end, size, para_end))
        else:
            pieces.extend(_split_long(text, start, end, size, max_tokens, count_tokens, para_end))

    chunks: list[Chunk] = []
    cur_start: int | None = None
    cur_end = 0
    cur_tokens = 0
    for start, end, size, para_end in pieces:
        if cur_start is not None and cur_tokens + size + 1 > max_tokens:
            chunks.append(_make_chunk(document, len(chunks), cur_start, cur_end))
            cur_start = None
        if cur_start is None:
            cur_start, cur_tokens = start, 0
        cur_end = end
        cur_tokens += size + 1
        if para_end and cur_tokens >= target_tokens:
            chunks.append(_make_chunk(document, len(chunks), cur_start, cur_end))
            cur_start = None
    if cur_start is not None:
        chunks.append(_make_chunk(document, len(chunks), cur_start, cur_end))
    return [_with_section(c, headings) for c in chunks]


def _with_section(chunk: Chunk, headings: list[tuple[int, str]]) -> Chunk:
    """Attach the last heading at or before the chunk's start."""
    before = [h for pos, h in headings if pos <= chunk.start]
    if not before:
        return chunk
    return Chunk(chunk.source, chunk.index, chunk.text, chunk.start, chunk.end, before[-1][:200])


def _split_long(
    text: str,
    start: int,
    end: int,
    size: int,
    max_tokens: int,
    count_tokens: TokenCounter,
    para_end: bool,
) -> list[tuple[int, int, int, bool]]:
    """Cut an over-long sentence at spaces into pieces within the window."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[start:end])]
    # Tokens per character of this sentence, to size pieces without re-counting each word.
    per_char = size / max(1, end - start)
    budget = max(1, int(max_tokens * 0.9 / per_char))
    pieces = []
    piece_start = words[0][0]
    last_end = words[0][1]
    for w_start, w_end in words[1:]:
        if w_end - piece_start > budget:
            pieces.append((start + piece_start, start + last_end))
            piece_start = w_start
        last_end = w_end
    pieces.append((start + piece_start, start + last_end))
    counts = count_tokens([text[a:b] for a, b in pieces])
    out = []
    for i, ((a, b), n) in enumerate(zip(pieces, counts, strict=True)):
        if n > max_tokens and b - a > 1:  # dense text (many tokens per char): halve again
            out.extend(_split_long(text, a, b, n, max_tokens, count_tokens, False))
        else:
            out.append((a, b, n, para_end and i == len(pieces) - 1))
    return out


def _make_chunk(document: Document, index: int, start: int, end: int) -> Chunk:
    return Chunk(document.source, index, document.text[start:end], start, end)

"""The grounding check every answer passes, whatever generated it.

Each answer sentence's figures (numbers with their units) and named entities must appear in a
passage its markers cite; a sentence that fails is dropped. Markers pointing nowhere are
removed, citations are renumbered in order of use, and unused ones dropped, so markers and
citations always match exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.types import Answer, Citation, Passage

_SCALE = {"trillion": "t", "tn": "t", "billion": "b", "bn": "b", "b": "b", "million": "m", "mn": "m",
          "m": "m", "thousand": "k", "k": "k", "mil millones": "b", "milliards": "b", "milliarden": "b"}
_NUMBER = re.compile(
    r"(?P<cur>US\$|\$|€|£|¥|RMB|CNY|USD|EUR)?\s?"
    r"(?<![\w.])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\w.]*\d)"
    r"\s?(?P<unit>%|percent\b|per cent\b|por ciento\b|pour cent\b|prozent\b|"
    r"trillion\b|tn\b|billion\b|bn\b|million\b|mn\b|thousand\b|mil millones\b|milliards\b|milliarden\b|[bmk]\b)?",
    re.I,
)
MARKER = re.compile(r"\s?\[(\d{1,3})\]")


def numbers(text: str) -> set[str]:
    """Canonical figures in ``text``: ``30%``, ``99b``, ``52.7``; quarter labels (Q2) are not figures."""
    return {figure for _, figure in figure_spans(text)}


def figure_kind(figure: str) -> str:
    """``percent``, ``amount`` (money or a scaled quantity) or ``count``."""
    if figure.endswith("%"):
        return "percent"
    return "amount" if figure[-1:] in "tbmku" else "count"


_MONTH_NEAR = re.compile(
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s*$|^\s*(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
    re.I,
)


def figure_spans(text: str, dates: bool = True) -> list[tuple[int, str]]:
    """(position, canonical figure) for each figure in ``text``; ``dates=False`` skips years and days."""
    found: list[tuple[int, str]] = []
    for m in _NUMBER.finditer(text):
        if m.start("num") > 0 and text[m.start("num") - 1] in "QqHhTt":
            continue
        if not dates and not m.group("unit") and not m.group("cur"):
            value = m.group("num")
            if (value.isdigit() and 1900 <= int(value) <= 2100) or _MONTH_NEAR.search(
                text[max(0, m.start("num") - 10) : m.start("num")]
            ) or _MONTH_NEAR.search(text[m.end("num") : m.end("num") + 10]):
                continue
        value = float(m.group("num").replace(",", ""))
        unit = (m.group("unit") or "").lower()
        shown = f"{value:g}"
        if unit in {"%", "percent", "per cent", "por ciento", "pour cent", "prozent"}:
            figure = f"{shown}%"
        elif unit or m.group("cur"):
            figure = f"{shown}{_SCALE.get(unit, '') or 'u'}" if m.group("cur") and not unit else f"{shown}{_SCALE.get(unit, '')}"
        else:
            figure = shown
        found.append((m.start(), figure))
    return found


def number_supported(figure: str, available: set[str]) -> bool:
    if figure in available:
        return True
    # A bare number may stand for a figure written with its unit in the passage ("30" of "30%").
    return not figure[-1:].isalpha() and not figure.endswith("%") and any(
        a.rstrip("%tbmku") == figure for a in available
    )


@dataclass
class Draft:
    """A generated answer before the check: text with ``[n]`` markers and the passages cited."""

    text: str
    abstained: bool
    cited: dict[int, tuple[Passage, int, int]] = field(default_factory=dict)  # n -> (passage, start, end)
    generator: str = "extractive"
    dropped: int = 0  # filled by the check
    fell_back: bool = False
    notes: list[str] = field(default_factory=list)  # what the articles lack (no figures of their own)


def _support(passage: Passage) -> str:
    """What a sentence citing ``passage`` may state: its text and the names of its source."""
    fields = (passage.text, passage.title, passage.date or "", passage.publisher or "", passage.source)
    return " ".join(x for x in fields if x)


_NAME = re.compile(r"(?<![\w.'’-])([A-Z][\w&'’.-]*[A-Za-z0-9]|[A-Z]{2,})")
_NOT_NAMES = frozenset(
    "i a an the in on at for by with as it its this that these those their despite according while but and however "
    "also after before since during january february march april may june july august september october november "
    "december monday tuesday wednesday thursday friday saturday sunday q1 q2 q3 q4 h1 h2 fy".split()
)


_STARTERS = frozenset(
    "the a an in on at it its this that these those there here according as for by with while but and however also "
    "after before since during sure yes no let i we you they he she our their what which who how why when where "
    "overall meanwhile despite although if so then today now both each all some most many".split()
)


def find_names(text: str) -> list[str]:
    """Capitalised words a sentence states as names (its first word too, unless a common opener)."""
    out = []
    for m in _NAME.finditer(text):
        word = m.group(1)
        before = text[: m.start()].rstrip()
        if (not before or before.endswith((".", "!", "?", ":", "\n", '"', "“"))) and word.lower() in _STARTERS:
            continue
        if word.lower().rstrip(".") in _NOT_NAMES or re.fullmatch(r"(?:Q|H|FY)\d+", word):
            continue
        out.append(word.rstrip("."))
    return out


def check_sentence(sentence: str, passages: list[Passage]) -> bool:
    """True when every figure and name of ``sentence`` appears in one of ``passages``."""
    if not passages:
        return not numbers(sentence) and not find_names(sentence)
    support = " ".join(_support(p) for p in passages)
    available = numbers(support)
    if not all(number_supported(n, available) for n in numbers(sentence)):
        return False
    folded = support.lower()
    return all(name.lower() in folded for name in find_names(sentence))


def split_answer(text: str) -> list[str]:
    """Answer segments: within a line, sentences up to and including one that carries markers
    (a marker closing a run of sentences covers all of them)."""
    out: list[str] = []
    for line in text.splitlines():
        pending: list[str] = []
        for piece in re.split(r"(?<=[.!?。])\s+(?=\S)", line):
            piece = piece.strip()
            if not piece:
                continue
            if re.fullmatch(r"(\s?\[\d{1,3}\])+[.!?]?", piece):
                if pending:
                    pending[-1] = f"{pending[-1]} {piece}"
                elif out:
                    out[-1] = f"{out[-1]} {piece}"
                continue
            pending.append(piece)
            if MARKER.search(piece):
                out.append(" ".join(pending))
                pending = []
        out.extend(pending)
    return out


def enforce(draft: Draft, question: str, fallback: Callable[[], Draft] | None = None) -> Answer:
    """Apply the grounding check to ``draft`` and build the contract's answer object."""
    kept: list[str] = []
    dropped = 0
    if not draft.abstained:
        for sentence in split_answer(draft.text):
            ns = [int(n) for n in MARKER.findall(sentence)]
            valid = [n for n in ns if n in draft.cited]
            body = MARKER.sub("", sentence).strip()
            end_mark = body[-1] if body[-1:] in ".!?" else ""
            body = body[: len(body) - len(end_mark)] if end_mark else body
            if not valid and (numbers(body) or find_names(body)):
                dropped += 1
                continue
            if not body or not check_sentence(body, [draft.cited[n][0] for n in valid]):
                dropped += 1
                continue
            kept.append(body + "".join(f" [{n}]" for n in dict.fromkeys(valid)) + end_mark)
    if not draft.abstained and not any(MARKER.search(s) for s in kept):
        if fallback is not None and draft.generator != "extractive":
            backup = fallback()
            answer = enforce(backup, question)
            answer.generator = f"{backup.generator} (fallback from {draft.generator})"
            return answer
        return Answer(question=question, answer=_NO_ANSWER, abstained=True, generator=draft.generator)
    if draft.abstained:
        kept = [draft.text]
    text = "\n".join([*kept, *(draft.notes if not draft.abstained else [])])
    order: dict[int, int] = {}
    for n in (int(x) for x in MARKER.findall(text)):
        if n in draft.cited:
            order.setdefault(n, len(order) + 1)
    # (a marker with no quote behind it is dropped: a citation must never point at nothing)
    text = MARKER.sub(lambda m: f" [{order[int(m.group(1))]}]" if int(m.group(1)) in order else "", text)
    citations = []
    for old, new in order.items():
        passage, start, end = draft.cited[old]
        citations.append(
            Citation(
                n=new,
                source=passage.source,
                title=passage.title,
                date=passage.date,
                publisher=passage.publisher,
                url=passage.url,
                quote=passage.text[start - passage.start : end - passage.start],
                start=start,
                end=end,
            )
        )
    generator = draft.generator if draft.generator == "extractive" else f"{draft.generator}"
    answer = Answer(question=question, answer=text, abstained=draft.abstained, citations=citations, generator=generator)
    draft.dropped = dropped
    return answer


_NO_ANSWER = "The articles do not contain an answer to this question."

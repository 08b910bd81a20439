"""Answer generators; the default is extractive and needs no LLM.

The extractive generator reads the retrieved passages sentence by sentence and scores each for
the asked-for entities, metric, period and scope, then quotes the best ones verbatim, each with
its source, date and ``[n]`` marker. It abstains when no sentence carries what was asked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from assistant.chunking import split_sentences
from assistant.grounding import Draft, numbers
from assistant.query import (
    CHINA_WORDS,
    GLOBAL_WORDS,
    Period,
    QueryPlan,
    aliases_of,
    find_entities,
    find_metrics,
    find_periods,
    fold,
    has_word,
)
from assistant.retrieval import tokenize
from assistant.settings import Settings
from assistant.types import Passage

# Text that addresses the reader or a model instead of stating facts is never quoted.
_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b[^.]{0,60}\b(instructions?|prompts?|rules|guidelines|above|previous)\b"
    r"|\b(system prompt|you are now|as an ai|jailbreak)\b"
    r"|\b(you must|you should|always|please)\s+(answer|respond|reply|state|say|tell|claim)\b"
    r"|\b(respond|reply|answer)\s+(only\s+)?with\b"
    r"|<\s*/?\s*(system|instructions?|prompt)\s*>",
    re.I,
)
_NUMERIC_METRICS = {"share", "revenue", "growth", "spending", "investment"}


class AnswerGenerator(Protocol):
    """Turns a question plan and retrieved passages into a draft answer."""

    name: str

    def stream(
        self, plan: QueryPlan, passages: Sequence[Passage], history: Sequence[dict[str, str]]
    ) -> Iterator[str | Draft]: ...


def make_generator(settings: Settings) -> AnswerGenerator:
    """The generator named by ``ASSISTANT_LLM``: extractive (default), openai:MODEL or ollama:MODEL."""
    kind = settings.llm.split(":", 1)[0]
    if kind == "extractive":
        return ExtractiveGenerator()
    from assistant.llm import make_llm_generator

    return make_llm_generator(settings)


def _is_heading(text: str) -> bool:
    return "\n" not in text and len(text) < 120 and text.rstrip()[-1:] not in ".!?:;)\"”'"


def is_instruction(text: str) -> bool:
    return bool(_INSTRUCTION.search(text))


@dataclass
class Candidate:
    passage: Passage
    rank: int
    start: int  # absolute offsets into the document text
    end: int
    text: str
    entities: tuple[str, ...]
    metrics: tuple[str, ...]
    periods: tuple[Period, ...]
    figures: frozenset[str]
    scope: str | None
    score: float = 0.0

    @property
    def key_period(self) -> Period | None:
        return max(self.periods) if self.periods else None


def candidates(passages: Sequence[Passage]) -> list[Candidate]:
    out = []
    for rank, passage in enumerate(passages):
        title_entities = find_entities(passage.title)
        for a, b in split_sentences(passage.text):
            text = passage.text[a:b]
            if len(text) < 12 or is_instruction(text) or _is_heading(text):
                continue
            folded = fold(text)
            scope = "china" if has_word(folded, CHINA_WORDS) else "global" if has_word(folded, GLOBAL_WORDS) else None
            entities = tuple(find_entities(text))
            out.append(
                Candidate(
                    passage=passage,
                    rank=rank,
                    start=passage.start + a,
                    end=passage.start + b,
                    text=text,
                    entities=entities or tuple(f"~{e}" for e in title_entities),
                    metrics=sentence_metrics(text),
                    periods=tuple(find_periods(text)),
                    figures=frozenset(numbers(text)),
                    scope=scope,
                )
            )
    return out


_SHARE_PATTERN = re.compile(r"\d%\s+(?:of|del?|du|des)\s+(?:the\s+|la\s+|el\s+)?(?:[\w-]+\s+){0,4}(?:market|spending|mercado|marché|markt)", re.I)


def sentence_metrics(text: str) -> tuple[str, ...]:
    """Metrics a sentence states; "held 4% of the global market" states a share."""
    metrics = find_metrics(text)
    if "share" in metrics and re.search(r"\bshares?\s+(fell|rose|jumped|slid|dropped|gained|climbed|sank)", text, re.I):
        metrics.remove("share")
    if "share" not in metrics and _SHARE_PATTERN.search(text):
        metrics.append("share")
    return tuple(metrics)


def score(c: Candidate, plan: QueryPlan, query_tokens: set[str]) -> float:
    s = 0.0
    if plan.entities:
        direct = sum(e in c.entities for e in plan.entities)
        implied = sum(f"~{e}" in c.entities for e in plan.entities)
        s += 3.0 * (direct + 0.5 * implied) / len(plan.entities)
        if not direct and not implied:
            s -= 2.0
    if plan.metrics:
        s += 2.0 * len(set(plan.metrics) & set(c.metrics)) / len(plan.metrics)
        if set(plan.metrics) & _NUMERIC_METRICS and c.figures:
            s += 1.0
    if plan.periods:
        if any(p.contains(q) or q.contains(p) for p in plan.periods for q in c.periods):
            s += 2.0
        elif c.periods:
            s -= 1.5
    if plan.scope and c.scope and plan.scope != c.scope:
        s -= 2.5
    elif plan.scope is None and c.scope == "china" and "share" in plan.metrics:
        s -= 1.0
    words = set(tokenize(c.text))
    if query_tokens:
        s += 2.0 * len(words & query_tokens) / len(query_tokens)
    s += 0.6 / (1 + c.rank)
    if plan.why and re.search(r"\b(because|aim|aims|to reduce|in order to|driven by|so that|reason|help|seeks?|designed to)\b", c.text, re.I):
        s += 1.0
    return s


class ExtractiveGenerator:
    """Quotes the sentences that answer the question; abstains when none does."""

    name = "extractive"

    def __init__(self, threshold: float = 3.0) -> None:
        self.threshold = threshold

    def stream(
        self, plan: QueryPlan, passages: Sequence[Passage], history: Sequence[dict[str, str]]
    ) -> Iterator[str | Draft]:
        draft = self.generate(plan, passages, history)
        for piece in re.split(r"(?<=\s)", draft.text):
            if piece:
                yield piece
        yield draft

    def generate(
        self, plan: QueryPlan, passages: Sequence[Passage], history: Sequence[dict[str, str]] = ()
    ) -> Draft:
        pool = candidates(passages)
        query_tokens = {t for t in tokenize(plan.text) if not t.isdigit()}
        query_tokens -= {a for e in plan.entities for alias in aliases_of(e) for a in tokenize(alias)}
        for c in pool:
            c.score = score(c, plan, query_tokens)
        pool.sort(key=lambda c: c.score, reverse=True)
        missing = self._missing(plan, pool)
        if missing or not pool or pool[0].score < self.threshold:
            return self._abstain(plan, pool, missing)
        chosen = self._select(plan, pool)
        return self._compose(plan, chosen)

    def _missing(self, plan: QueryPlan, pool: list[Candidate]) -> str | None:
        """Why the passages cannot answer, when an asked-for entity or period is absent."""
        for entity in plan.entities:
            if not any(entity in c.entities or f"~{entity}" in c.entities for c in pool):
                return f"The articles do not mention {entity}" + (
                    f" in connection with {plan.metrics[0]}." if plan.metrics else "."
                )
        if plan.periods and plan.metrics and set(plan.metrics) & _NUMERIC_METRICS:
            relevant = [c for c in pool if self._about(c, plan)]
            if not any(any(p.contains(q) or q.contains(p) for p in plan.periods for q in c.periods) for c in relevant):
                asked = ", ".join(p.label() for p in plan.periods)
                return f"The articles do not give this figure for {asked}."
        return None

    @staticmethod
    def _about(c: Candidate, plan: QueryPlan) -> bool:
        entity_ok = not plan.entities or any(e in c.entities or f"~{e}" in c.entities for e in plan.entities)
        metric_ok = not plan.metrics or bool(set(plan.metrics) & set(c.metrics))
        scope_ok = not (plan.scope and c.scope and plan.scope != c.scope)
        return entity_ok and metric_ok and scope_ok

    def _abstain(self, plan: QueryPlan, pool: list[Candidate], missing: str | None) -> Draft:
        text = missing or "The articles do not contain an answer to this question."
        covered = sorted(
            {p for c in pool if self._about(c, plan) and plan.entities for p in c.periods},
            reverse=True,
        )
        if covered and plan.metrics and plan.entities:
            labels = ", ".join(p.label() for p in covered[:4])
            text += f" They cover {plan.entities[0]}'s {plan.metrics[0]} for {labels}."
        return Draft(text=text, abstained=True)

    def _select(self, plan: QueryPlan, pool: list[Candidate]) -> list[Candidate]:
        best = pool[0]
        floor = max(self.threshold, best.score - 2.0)
        good = [c for c in pool if c.score >= floor]
        chosen: list[Candidate] = []

        def add(c: Candidate) -> None:
            if all(c.start != o.start or c.passage.source != o.passage.source for o in chosen):
                if not any(c.text == o.text for o in chosen):
                    chosen.append(c)

        numeric = bool(set(plan.metrics) & _NUMERIC_METRICS)
        if plan.trend and numeric:
            about = [c for c in pool if self._about(c, plan) and c.periods and c.figures]
            by_period: dict[Period, Candidate] = {}
            for c in about:
                key = max(c.periods)
                if key not in by_period or c.score > by_period[key].score:
                    by_period[key] = c
            for key in sorted(by_period)[-4:]:
                add(by_period[key])
        elif numeric and not plan.periods:
            # Same metric for several periods: the latest first unless another was asked for.
            about = [c for c in good if self._about(c, plan) and c.figures]
            if about:
                latest = max((c.key_period for c in about if c.key_period), default=None)
                top = [c for c in about if c.key_period == latest] or about
                add(max(top, key=lambda c: c.score))
        if len(plan.entities) > 1:
            for entity in plan.entities:
                mine = [c for c in good if entity in c.entities]
                if mine:
                    add(mine[0])
        if not chosen:
            add(best)
        # Disagreement: the same metric and period from another source with other figures.
        lead = chosen[0]
        if numeric and lead.figures:
            for c in good:
                if (
                    c.passage.source != lead.passage.source
                    and c.passage.publisher != lead.passage.publisher
                    and self._about(c, plan)
                    and set(c.periods) & set(lead.periods)
                    and set(c.metrics) & set(lead.metrics)
                    and c.figures
                    and not (c.figures & lead.figures)
                ):
                    add(c)
                    break
        # Supporting sentences that add something, up to three in all.
        for c in good:
            if len(chosen) >= (3 if plan.why or not numeric else 2):
                break
            if c.figures and c.figures <= set().union(*(o.figures for o in chosen)):
                continue
            if c.score >= best.score - 1.0:
                add(c)
        return chosen

    def _compose(self, plan: QueryPlan, chosen: list[Candidate]) -> Draft:
        lines = []
        cited: dict[int, tuple[Passage, int, int]] = {}
        lead = chosen[0]
        disagree = [
            c for c in chosen[1:]
            if c.passage.publisher != lead.passage.publisher and set(c.periods) & set(lead.periods)
            and c.figures and lead.figures and not (c.figures & lead.figures) and set(c.metrics) & set(lead.metrics)
        ]
        if disagree:
            lines.append("The sources differ on this figure:")
        for n, c in enumerate(chosen, start=1):
            cited[n] = (c.passage, c.start, c.end)
            text = c.text.rstrip()
            end = text[-1] if text[-1:] in ".!?" else "."
            text = text[:-1] if text[-1:] in ".!?" else text
            lines.append(f"{attribution(c)}{text} [{n}]{end}")
        return Draft(text="\n".join(lines), abstained=False, cited=cited)


def attribution(c: Candidate) -> str:
    """"According to <publisher> (<date>): " - the source of every quoted figure."""
    who = c.passage.publisher or c.passage.title or c.passage.source
    when = f" ({c.passage.date})" if c.passage.date else ""
    period = "" if c.periods or not c.figures else f"As of {c.passage.date or 'the article date'}, "
    return f"{period}{'a' if period else 'A'}ccording to {who}{when}: "

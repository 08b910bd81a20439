"""Answer generators; the default is extractive and needs no LLM.

The extractive generator reads the retrieved passages sentence by sentence and scores each for
the asked-for entities (and the figures each entity owns), metric, period, scope and source, then
quotes the best ones verbatim with their source, date and ``[n]`` marker. It abstains, saying
what is missing, when no sentence carries what was asked.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from assistant.chunking import split_sentences
from assistant.grounding import Draft, figure_kind, figure_spans
from assistant.query import (
    Period,
    QueryPlan,
    aliases_of,
    ascii_fold,
    entity_mentions,
    find_entities,
    find_metrics,
    find_periods,
    fold,
    has_any,
    region_of,
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
# The kind of figure each numeric metric is stated in.
METRIC_KIND = {
    "count": "count",
    "share": "percent",
    "growth": "percent",
    "revenue": "amount",
    "spending": "amount",
    "investment": "amount",
    "backlog": "amount",
    "profit": "amount",
}
# "revenue growth" asks for a growth rate: the metric that decides the figure's kind comes first.
_PRIORITY = ("share", "growth", "count", "backlog", "profit", "investment", "revenue", "spending")
_FORWARD = re.compile(
    r"\b(expects?|expected|forecasts?|forecast|projects?|projected|will|plans? to|aims? to|could|outlook)\b", re.I
)
_WHY_HEADING = re.compile(r"\b(why|reasons?|motives?|drivers?|rationale|what drives|behind)\b|por qué|pourquoi|warum", re.I)
_CAUSE = re.compile(
    r"\b(because|aims?|to reduce|in order to|driven by|so that|reasons?|helps?|seeks?|designed to|lets|allows?|"
    r"require|requires|rules|so it can|to serve|to meet|sensitive to|motives?|prefer|want)\b",
    re.I,
)


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


_INSTRUCTION_WORDS = (
    "ignore", "disregard", "forget", "override", "system prompt", "you are now", "as an ai", "jailbreak",
    "answer", "respond", "reply", "state", "say", "tell", "claim", "<",
)  # every match of _INSTRUCTION holds one


def is_instruction(text: str) -> bool:
    return has_any(ascii_fold(text), _INSTRUCTION_WORDS) and bool(_INSTRUCTION.search(text))


def _is_heading(text: str) -> bool:
    return "\n" not in text and len(text) < 120 and text.rstrip()[-1:] not in ".!?:;)\"”'"


def sentence_metrics(text: str) -> tuple[str, ...]:
    return tuple(find_metrics(text))


@dataclass
class Candidate:
    """One sentence of a retrieved passage, with what it states."""

    passage: Passage
    rank: int
    start: int  # absolute offsets into the document text
    end: int
    text: str
    entities: tuple[str, ...]
    implied: tuple[str, ...]  # entities of the document title when the sentence names none
    owned: dict[str, set[str]]  # entity -> figures it owns in this sentence
    metrics: tuple[str, ...]
    periods: tuple[Period, ...]
    context_periods: tuple[Period, ...]  # of the sentence before, when this one names none
    context_start: int  # absolute start of that sentence (quoted with this one when its period is used)
    figures: frozenset[str]
    scope: str | None
    score: float = 0.0
    tokens: set[str] = field(default_factory=set)
    title_tokens: set[str] = field(default_factory=set)
    forward: bool = False  # a forecast or plan rather than a reported figure
    heading: str = ""  # the section heading the sentence falls under
    lead: bool = False  # first sentence of its paragraph

    @property
    def key_period(self) -> Period | None:
        return max(self.periods) if self.periods else None

    def figures_of(self, entity: str | None, kind: str | None) -> set[str]:
        figures = self.owned.get(entity, set()) if entity else set(self.figures)
        if entity and not figures and entity in self.implied:
            figures = set(self.figures)
        return {f for f in figures if kind is None or figure_kind(f) == kind}


def candidates(
    passages: Sequence[Passage], read: dict[tuple[str, int, int, str], list[Candidate]] | None = None
) -> list[Candidate]:
    """Every quotable sentence of the passages, with what it states and its context.

    A passage's sentences are read once and kept (keyed by chunk id and offsets, which change
    whenever its text does); each question gets fresh copies with its own ranks and scores.
    """
    read = {} if read is None else read
    out: list[Candidate] = []
    for rank, passage in enumerate(passages):
        key = (passage.id, passage.start, passage.end, passage.section)
        sentences = read.get(key)
        if sentences is None:
            sentences = read[key] = _read_passage(passage)
            if len(read) > 50_000:
                read.pop(next(iter(read)))
        out.extend(replace(c, rank=rank) for c in sentences)
    return out


def _read_passage(passage: Passage) -> list[Candidate]:
    out: list[Candidate] = []
    title_entities = tuple(find_entities(passage.title))
    title_tokens = set(tokenize(passage.title))
    heading = passage.section
    heading_tokens: set[str] = set(tokenize(heading))
    previous: Candidate | None = None
    for a, b in split_sentences(passage.text):
        text = passage.text[a:b]
        if _is_heading(text) or (len(text) < 100 and text.endswith("?") and "\n" not in text):
            heading, heading_tokens = text, set(tokenize(text))
            previous = None
            continue
        paragraph_start = a == 0 or passage.text[max(0, a - 2) : a] == "\n\n"
        if paragraph_start:
            previous = None
        if len(text) < 12 or is_instruction(text):
            continue
        mentions = entity_mentions(text)
        entities = tuple(dict.fromkeys(e for _, e in mentions))
        figures = figure_spans(text, dates=False)
        periods = tuple(find_periods(text))
        c = Candidate(
            passage=passage,
            rank=0,
            start=passage.start + a,
            end=passage.start + b,
            text=text,
            entities=entities,
            implied=() if entities else (previous.entities or previous.implied if previous else title_entities),
            owned=_ownership(mentions, figures),
            metrics=sentence_metrics(text),
            periods=periods,
            context_periods=() if periods or previous is None else previous.periods or previous.context_periods,
            context_start=previous.start if previous is not None and not periods else passage.start + a,
            figures=frozenset(f for _, f in figures),
            scope=region_of(fold(text)),
            tokens=set(tokenize(text)),
            title_tokens=title_tokens | heading_tokens,
            forward=bool(_FORWARD.search(text)),
            heading=heading,
            lead=paragraph_start,
        )
        out.append(c)
        previous = c
    return out


def _ownership(mentions: list[tuple[int, str]], figures: list[tuple[int, str]]) -> dict[str, set[str]]:
    """Each figure belongs to the nearest entity named before it (or, failing that, after it)."""
    owned: dict[str, set[str]] = {}
    for pos, figure in figures:
        before = [e for p, e in mentions if p < pos]
        after = [e for p, e in mentions if p > pos]
        owner = before[-1] if before else after[0] if after else None
        if owner:
            owned.setdefault(owner, set()).add(figure)
    return owned


class ExtractiveGenerator:
    """Quotes the sentences that answer the question; abstains when none does."""

    name = "extractive"
    # Score floor below which nothing is quoted; most abstentions come from the explicit checks in
    # _missing. Chosen on tests/qa/questions.jsonl (0.40 kept accuracy at its best there).
    threshold = 0.40

    def __init__(self, threshold: float | None = None) -> None:
        if threshold is not None:
            self.threshold = threshold
        self._read: dict[tuple[str, int, int, str], list[Candidate]] = {}  # passages already read

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
        pool = candidates(passages, self._read)
        scorer = _Scorer(plan)
        for c in pool:
            c.score = scorer(c)
        pool.sort(key=lambda c: c.score, reverse=True)
        missing = self._missing(plan, pool)
        if missing or not pool or pool[0].score < self.threshold:
            return self._abstain(plan, pool, missing)
        chosen, differ = self._select(plan, pool)
        return self._compose(chosen, differ)

    # ---- what the question needs -------------------------------------------------------

    @staticmethod
    def kind(plan: QueryPlan) -> str | None:
        """The kind of figure a numeric question wants (percent or amount)."""
        if not plan.numeric:
            return None
        for metric in _PRIORITY:
            if metric in plan.metrics:
                return METRIC_KIND[metric]
        return None

    def relevant(self, c: Candidate, plan: QueryPlan, entity: str | None = None) -> bool:
        """Does ``c`` state the asked-for metric, with a figure of its kind, for the entity and region?"""
        kind = self.kind(plan)
        entities = [entity] if entity else list(plan.entities)
        if plan.counted:
            stems = {t[:-1] if t.endswith("s") and len(t) > 3 else t for t in c.tokens}
            if not all(w in stems for w in plan.counted) or not c.figures_of(None, None):
                return False
            entities = [e for e in entities if not (e in c.entities or e in c.implied)]
            return not entities
        if plan.combined and entities and not entity:
            named = set(c.entities or c.implied)
            if not all(e in named for e in entities) or not c.figures_of(None, kind):
                return False
        elif kind:
            if entities and not any(c.figures_of(e, kind) for e in entities):
                return False
            if not entities and not c.figures_of(None, kind):
                return False
        elif entities and not any(e in c.entities or e in c.implied for e in entities):
            return False
        if plan.metrics and not set(plan.metrics) & set(c.metrics):
            return False
        region = c.scope or _passage_region(c)
        if plan.scope and plan.scope != "global" and region != plan.scope:
            return False
        if plan.scope in (None, "global") and c.scope not in (None, "global") and "share" in plan.metrics:
            return False  # a share is global unless a region is asked for
        return not plan.sources or any(_mentions_source(c, s) for s in plan.sources)

    @staticmethod
    def period_match(c: Candidate, plan: QueryPlan, exact: bool = False) -> bool:
        """The sentence is about an asked period (an asked year covers its quarters, not the reverse)."""
        own = c.periods or c.context_periods or _dated(c)
        if exact:
            return any(p == q for p in plan.periods for q in own)
        return any(p.contains(q) for p in plan.periods for q in own)

    def _missing(self, plan: QueryPlan, pool: list[Candidate]) -> str | None:
        """Why the passages cannot answer, when something asked for is absent."""
        for term in plan.unknown_terms:
            return f"The articles do not mention {term}."
        if plan.periods and pool and not plan.trend and not any(self.period_match(c, plan) for c in pool):
            asked = ", ".join(p.label() for p in plan.periods)
            return f"The articles say nothing about {asked}."
        for entity in plan.entities:
            if not any(entity in c.entities or entity in c.implied for c in pool):
                return f"The articles do not mention {entity}" + (
                    f" in connection with {plan.metrics[0]}." if plan.metrics else "."
                )
        if self.kind(plan):
            relevant = [c for c in pool if self.relevant(c, plan)]
            subject = f"{plan.entities[0]}'s {plan.metrics[0]}" if len(plan.entities) == 1 else f"the {plan.metrics[0]} asked for"
            if plan.scope and plan.scope != "global":
                subject += f" in {plan.scope.title() if plan.scope != 'asia-pacific' else 'Asia-Pacific'}"
            if plan.sources:
                subject += f" from {plan.sources[0]}"
            if not relevant:
                return f"The articles do not give {subject}."
            if plan.periods and not plan.trend and not any(self.period_match(c, plan) for c in relevant):
                asked = ", ".join(p.label() for p in plan.periods)
                return f"The articles do not give {subject} for {asked}."
        return None

    def _abstain(self, plan: QueryPlan, pool: list[Candidate], missing: str | None) -> Draft:
        text = missing or "The articles do not contain an answer to this question."
        if self.kind(plan) and not plan.unknown_terms:
            covered = sorted({p for c in pool if self.relevant(c, plan) for p in c.periods}, reverse=True)
            if covered:
                text += f" They give it only for {', '.join(p.label() for p in covered[:4])}."
        return Draft(text=text, abstained=True)

    # ---- choosing sentences ------------------------------------------------------------

    def _select(self, plan: QueryPlan, pool: list[Candidate]) -> tuple[list[Candidate], bool]:
        chosen: list[Candidate] = []

        def add(c: Candidate) -> None:
            if not any(c.text == o.text for o in chosen):
                chosen.append(c)

        kind = self.kind(plan)
        differ = False
        if kind:
            bar = self.threshold * (0.7 if len(plan.entities) > 1 else 1.0)
            relevant = [
                c for c in pool
                if c.score >= bar
                and (self.relevant(c, plan) or any(self.relevant(c, plan, e) for e in plan.entities))
            ]
            if plan.periods and not plan.trend:
                relevant = (
                    [c for c in relevant if self.period_match(c, plan, exact=True)]
                    or [c for c in relevant if self.period_match(c, plan)]
                    or relevant
                )
            if plan.trend or len(plan.periods) > 1:
                for c in self._per_period(plan, relevant):
                    add(c)
            elif len(plan.entities) > 1:
                whole = [c for c in relevant if all(c.figures_of(e, kind) for e in plan.entities)]
                if whole and not plan.combined:
                    add(self._latest(whole, plan))
                if plan.combined:
                    together = [c for c in relevant if self.relevant(c, plan)]
                    if together:
                        add(self._latest(together, plan))
                for entity in plan.entities:
                    if any(c.figures_of(entity, kind) for c in chosen):
                        continue
                    mine = [c for c in relevant if self.relevant(c, plan, entity)]
                    if mine:
                        add(self._latest(mine, plan))
            elif relevant:
                add(self._latest(relevant, plan))
            if len(chosen) == 1 and not plan.trend:
                differ = self._disagreement(plan, relevant, chosen)
            premise = set(plan.figures) - set().union(*(c.figures for c in chosen)) if chosen else set()
            if premise:
                stated = [c for c in pool if premise & c.figures and c.score >= self.threshold * 0.7]
                if stated:
                    add(stated[0])
        if not chosen and plan.why and _WHY_HEADING.search(pool[0].heading):
            # A section of reasons: its paragraphs' opening sentences, in order, name them.
            top = pool[0]
            section = [c for c in pool if c.passage.source == top.passage.source and c.heading == top.heading]
            leads = sorted((c for c in section if c.lead), key=lambda c: c.start)
            for c in [top, *leads][:5]:
                if len(c.text) < 60:  # a label ("Latency for clients.") reads with the sentence after it
                    after = [o for o in section if o.passage.id == c.passage.id and o.start > c.start]
                    if after:
                        c.end = min(after, key=lambda o: o.start).end
                add(c)
            chosen.sort(key=lambda c: c.start)
        if not chosen:
            add(pool[0])
            limit = 3 if plan.why or not kind else 2
            for c in pool[1:]:
                if len(chosen) >= limit or c.score < max(self.threshold, pool[0].score - 0.12):
                    break
                if c.figures and c.figures <= set().union(*(o.figures for o in chosen)):
                    continue
                add(c)
        return chosen, differ

    def _per_period(self, plan: QueryPlan, relevant: list[Candidate]) -> list[Candidate]:
        """The best sentence for each period, oldest first (trends and comparisons)."""
        by_period: dict[Period, Candidate] = {}
        for c in relevant:
            for key in c.periods:
                wanted = (
                    any(p.contains(key) for p in plan.periods)
                    if len(plan.periods) > 1
                    else not plan.periods or key.year >= plan.periods[0].year
                )
                if wanted and (key not in by_period or c.score > by_period[key].score):
                    by_period[key] = c
        keys = sorted(by_period)
        if len(keys) > 5:
            keys = [keys[0], *keys[1:-1][-3:], keys[-1]]
        return [by_period[k] for k in keys]

    def _latest(self, options: list[Candidate], plan: QueryPlan) -> Candidate:
        """The best sentence; without an asked period, the one about the latest period."""
        best = max(options, key=lambda c: c.score)
        if plan.periods:
            return best
        dated = [c for c in options if c.key_period and not c.forward and c.score >= best.score - 0.35]
        if not dated:
            return best
        latest = max(c.key_period for c in dated if c.key_period)
        return max((c for c in dated if c.key_period == latest), key=lambda c: c.score)

    def _disagreement(self, plan: QueryPlan, relevant: list[Candidate], chosen: list[Candidate]) -> bool:
        """Add the same figure for the same period from another source when it differs."""
        kind = self.kind(plan)
        lead = chosen[0]
        subject = plan.entities[0] if len(plan.entities) == 1 else None
        mine = lead.figures_of(subject, kind)
        for c in relevant:
            if c.passage.source == lead.passage.source or c.passage.publisher == lead.passage.publisher:
                continue
            if not set(c.periods) & set(lead.periods) or (_analyst(c) or "") == (_analyst(lead) or ""):
                continue
            theirs = c.figures_of(subject, kind)
            if theirs and mine and not theirs & mine:
                chosen.append(c)
                return True
        return False

    def _compose(self, chosen: list[Candidate], differ: bool) -> Draft:
        lines = ["The sources give different figures:"] if differ else []
        cited: dict[int, tuple[Passage, int, int]] = {}
        for n, c in enumerate(chosen, start=1):
            start = c.context_start if c.context_periods and c.figures else c.start
            c.text = c.passage.text[c.start - c.passage.start : c.end - c.passage.start]
            cited[n] = (c.passage, start, c.end)
            text = c.passage.text[start - c.passage.start : c.end - c.passage.start].rstrip()
            end = text[-1] if text[-1:] in ".!?" else "."
            text = text[:-1] if text[-1:] in ".!?" else text
            lines.append(f"{attribution(c)}{text} [{n}]{end}")
        return Draft(text="\n".join(lines), abstained=False, cited=cited)


class _Scorer:
    """Score of a sentence for a plan, normalised to 0..1 by what the plan can reward."""

    def __init__(self, plan: QueryPlan) -> None:
        self.plan = plan
        self.kind = ExtractiveGenerator.kind(plan)
        weights = plan.term_weights or {}
        skip = {a for e in plan.entities for alias in aliases_of(e) for a in tokenize(alias)}
        skip |= set(tokenize(" ".join(p.label() for p in plan.periods)))
        self.terms = {t: weights.get(t, 1.0) for t in tokenize(plan.text) if t not in skip and not t.isdigit()}
        self.total = sum(self.terms.values())
        self.max = 3.0 + 0.6 + (3.0 if plan.entities else 0) + (2.0 + (1.0 if self.kind else 0) if plan.metrics else 0)
        self.max += (2.0 if plan.periods else 0) + (1.0 if plan.sources else 0) + (2.5 if plan.why else 0)
        self.max += 1.0 if plan.figures else 0

    def __call__(self, c: Candidate) -> float:
        plan = self.plan
        s = 0.0
        if plan.entities:
            got = 0.0
            for e in plan.entities:
                if self.kind and c.figures_of(e, self.kind) and e in c.entities:
                    got += 1.0
                elif e in c.entities:
                    got += 0.6
                elif e in c.implied:
                    got += 0.4
            s += 3.0 * got / len(plan.entities)
            if not got:
                s -= 1.5
        if plan.metrics:
            s += 2.0 * len(set(plan.metrics) & set(c.metrics)) / len(plan.metrics)
            if self.kind and c.figures_of(None, self.kind):
                s += 1.0
        if plan.periods:
            if ExtractiveGenerator.period_match(c, plan, exact=True):
                s += 2.0
            elif ExtractiveGenerator.period_match(c, plan):
                s += 1.2
            elif c.periods:
                s -= 1.0
        if plan.scope and c.scope and plan.scope != c.scope:
            s -= 2.0
        if plan.sources and any(_mentions_source(c, src) for src in plan.sources):
            s += 1.0
        if plan.figures and set(plan.figures) & c.figures:
            s += 1.0
        if self.total:
            lexical = sum(w for t, w in self.terms.items() if t in c.tokens)
            lexical += 0.3 * sum(w for t, w in self.terms.items() if t in c.title_tokens and t not in c.tokens)
            s += 3.0 * min(1.0, lexical / self.total)
        s += 0.6 / (1 + c.rank)
        if plan.why:
            s += 1.0 * bool(_CAUSE.search(c.text)) + 1.5 * bool(_WHY_HEADING.search(c.heading))
        if c.forward and not re.search(r"\b(expect|forecast|plan|will|outlook|future)", plan.text, re.I):
            s -= 0.5
        return s / self.max


def _dated(c: Candidate) -> tuple[Period, ...]:
    """An undated sentence is taken to speak of its article's year (never of a quarter)."""
    date = c.passage.date or ""
    return (Period(int(date[:4])),) if date[:4].isdigit() else ()


def _passage_region(c: Candidate) -> str | None:
    return region_of(fold(c.passage.title))


def _mentions_source(c: Candidate, source: str) -> bool:
    names = aliases_of(source)
    return any(name in fold(c.text) for name in names) or any(name in fold(c.passage.text) for name in names)


def _analyst(c: Candidate) -> str | None:
    for name in ("Synergy Research Group", "Canalys", "Gartner", "IDC"):
        if any(alias in fold(c.text) for alias in aliases_of(name)):
            return name
    return None


def attribution(c: Candidate) -> str:
    """"According to <publisher> (<date>): " - the source of every quoted figure."""
    who = c.passage.publisher or c.passage.title or c.passage.source
    if not c.passage.publisher and c.passage.title and fold(c.passage.title) in fold(c.text):
        who = c.passage.source  # a title taken from the quoted sentence itself names nothing new
    who = who.rstrip(" .:;")
    when = f" ({c.passage.date})" if c.passage.date else ""
    period = "" if c.periods or not c.figures else f"As of {c.passage.date or 'the article date'}, "
    return f"{period}{'a' if period else 'A'}ccording to {who}{when}: "


def idf(df: int, n: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))

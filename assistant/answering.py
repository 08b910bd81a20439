"""Answer generators; the default is extractive and needs no LLM.

The extractive generator quotes the sentences of the retrieved passages that best answer the
question, each verbatim with its source and ``[n]`` marker, and abstains, saying what is missing,
when the articles do not hold an answer (:mod:`assistant.evidence` scores and chooses them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Protocol

from assistant import evidence
from assistant.grounding import Draft
from assistant.instructions import is_instruction
from assistant.lexicon import Lexicon
from assistant.query import QueryPlan
from assistant.settings import Settings
from assistant.types import Passage

__all__ = ["AnswerGenerator", "ExtractiveGenerator", "is_instruction", "make_generator"]


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


class ExtractiveGenerator:
    """Quotes the sentences that answer the question; abstains when none does."""

    name = "extractive"

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
        from assistant.question import analyse, resolve

        snapshot = plan.snapshot
        if snapshot is not None:
            lexicon = snapshot.lexicon()
            question = plan.question or analyse(plan.text, lexicon)
        else:
            # Passages handed over without their index: read the question against them.
            lexicon = Lexicon.build([f"{p.title}\n{p.publisher or ''}\n{p.text}" for p in passages])
            question = resolve(plan.original or plan.text, list(history), lexicon)
        stored = plan.sentences or {}

        def fiscal_end(p: Passage) -> int | None:
            return snapshot.fiscal_end(p.source) if snapshot is not None else None

        def doc_periods(p: Passage) -> list:
            return snapshot.document_periods(p.source) if snapshot is not None else []

        def doc_words(p: Passage) -> frozenset[str]:
            return snapshot.document_words(p.source) if snapshot is not None else frozenset()

        def copy_of(p: Passage) -> str:
            return snapshot.copy_of(p.source) if snapshot is not None else p.source

        return evidence.answer(
            question, plan.vector, passages, lambda p: stored.get(p.id), lexicon, fiscal_end, doc_periods, doc_words, copy_of
        )

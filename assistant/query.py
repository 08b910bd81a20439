"""The plan retrieval and the answer generators work from: the question read against the index
(:mod:`assistant.question`), its standalone text for search, and the spellings of its names.

Nothing here lists companies, markets or period spellings: names come from the articles
(:mod:`assistant.lexicon`) and periods are values (:mod:`assistant.periods`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.periods import Period
from assistant.question import Question

if TYPE_CHECKING:
    from assistant.retrieval import Snapshot


def fold(text: str) -> str:
    """Lower case, accents kept, typographic quotes unified."""
    text = unicodedata.normalize("NFKC", text).lower()
    return text.replace("’", "'").replace("‘", "'")


@dataclass(frozen=True)
class QueryPlan:
    """What a question asks for, after follow-up resolution."""

    text: str  # the standalone question used for retrieval
    original: str = ""
    question: Question | None = field(default=None, compare=False)
    notes: tuple[str, ...] = ()
    # Filled before answering: the question's vector, the passages' stored sentences (chunk id ->
    # SentenceData) and the snapshot they were read from.
    vector: Any = field(default=None, compare=False, repr=False)
    sentences: Any = field(default=None, compare=False, repr=False)
    snapshot: Any = field(default=None, compare=False, repr=False)

    @property
    def periods(self) -> tuple[Period, ...]:
        return self.question.periods if self.question else ()

    def search_text(self) -> str:
        """Retrieval text with the articles' own spellings of the asked names ("MSFT" -> microsoft)."""
        extra: list[str] = []
        if self.question:
            for name in self.question.names:
                for spelling in name.spellings[:3]:
                    extra.append(" ".join(spelling))
        return " ".join([self.text, *extra])


def plan(question: str, history: Sequence[dict[str, str]] | None = None, snapshot: Snapshot | None = None) -> QueryPlan:
    """The plan for ``question`` (a follow-up read with ``history``) against ``snapshot``'s articles."""
    from assistant.lexicon import Lexicon
    from assistant.question import resolve

    lexicon = snapshot.lexicon() if snapshot is not None else Lexicon.build([])
    search = snapshot.search_text if snapshot is not None else None
    # A question's periods keep no year they do not state: "Q3" is the third quarter of any year.
    q = resolve(question, list(history or []), lexicon, search, None)
    notes = ("follow-up resolved",) if q.followup else ()
    # A question in another language than English is searched with the articles' words for what it
    # asks too ("chiffre d'affaires" -> revenue), where the articles use them.
    others = sorted({a for t, w in q.terms.items() if w >= 0.9 for a in lexicon.known_equivalents(t)} - set(q.terms))
    text = f"{q.standalone} {' '.join(others)}" if others and q.language != "en" else q.standalone
    return QueryPlan(text=text, original=question, question=q, notes=notes)


def analyse(question: str, snapshot: Any = None) -> QueryPlan:
    return plan(question, None, snapshot)

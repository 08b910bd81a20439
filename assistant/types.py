"""The small typed values the pipeline stages pass to each other."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Document:
    """One article as the assistant stores it; ``text`` is what offsets and quotes refer to."""

    source: str
    text: str
    title: str
    date: str | None = None
    publisher: str | None = None
    url: str | None = None
    author: str | None = None
    tags: tuple[str, ...] = ()
    # Character offset where each PDF page starts (empty for other formats).
    page_starts: tuple[int, ...] = ()
    # Other names the text gives for a name in it (ticker symbol -> company), found while cleaning.
    aliases: tuple[tuple[str, str], ...] = ()

    def page_at(self, offset: int) -> int | None:
        """1-based page number containing ``offset``, for PDFs."""
        if not self.page_starts:
            return None
        page = 0
        for i, start in enumerate(self.page_starts):
            if start <= offset:
                page = i
        return page + 1


@dataclass(frozen=True)
class Chunk:
    """A contiguous span of a document: ``text == document.text[start:end]``."""

    source: str
    index: int
    text: str
    start: int
    end: int
    section: str = ""  # the heading the chunk falls under


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its document metadata and retrieval score."""

    id: str
    source: str
    text: str
    start: int
    end: int
    title: str
    date: str | None
    publisher: str | None
    url: str | None
    score: float = 0.0
    page: int | None = None
    section: str = ""

    def metadata(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "text"}


@dataclass(frozen=True)
class Citation:
    n: int
    source: str
    title: str
    date: str | None
    publisher: str | None
    url: str | None
    quote: str
    start: int
    end: int


@dataclass
class Answer:
    """The answer object of the contract."""

    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    id: str | None = None
    generator: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [asdict(c) for c in self.citations],
            "timings_ms": self.timings_ms,
        }
        if self.generator is not None:
            data["generator"] = self.generator
        return data


@dataclass
class IngestSummary:
    """The ``ingest --json`` object of the contract."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    documents: int = 0
    chunks: int = 0
    # Extra, optional fields (the contract allows additions).
    skipped_files: list[dict[str, str]] = field(default_factory=list)
    duplicates: list[dict[str, str]] = field(default_factory=list)
    # Articles kept but recognised as near-copies of another (a syndicated copy): one source.
    near_duplicates: list[dict[str, str]] = field(default_factory=list)
    embedded_chunks: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

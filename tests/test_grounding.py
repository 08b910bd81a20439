"""The grounding check: figures and entities must be in the passage a sentence cites."""

from __future__ import annotations

from assistant.grounding import Draft, enforce, numbers, split_answer
from assistant.types import Passage

TEXT = "According to Synergy, AWS held 30% of the global market in Q2 2025. Spending was $99 billion."
PASSAGE = Passage("doc:0", "a.md", TEXT, 100, 100 + len(TEXT), "Title", "2025-08-05", "Pub", None)


def test_numbers_are_canonical_and_number_aware() -> None:
    assert numbers("30% and $99 billion, 4.5 percent, RMB 380bn") == {"30%", "99b", "4.5%", "380b"}
    assert "4%" not in numbers("14%")
    assert numbers("Q2 2025") == {"2025"}


def test_split_keeps_markers_with_the_sentences_they_close() -> None:
    text = "Label. AWS held 30% [1].\nAzure had 20% [2][3]. Unmarked."
    assert split_answer(text) == ["Label. AWS held 30% [1].", "Azure had 20% [2][3].", "Unmarked."]


def test_ungrounded_sentences_are_dropped_and_markers_renumbered() -> None:
    draft = Draft(
        text="AWS held 30% in Q2 2025 [2]. AWS held 90% [2]. Google held 13% [7]. Spending was $99 billion [2].",
        abstained=False,
        cited={2: (PASSAGE, 100, 100 + 66)},
        generator="openai:test",
    )
    answer = enforce(draft, "q")
    assert "90%" not in answer.answer and "13%" not in answer.answer
    assert answer.answer.count("[1]") == 2 and "[2]" not in answer.answer
    assert [c.n for c in answer.citations] == [1]
    assert answer.citations[0].quote == TEXT[:66]


def test_nothing_grounded_falls_back_or_abstains() -> None:
    bad = Draft(text="Oracle held 50% [1].", abstained=False, cited={1: (PASSAGE, 100, 166)}, generator="openai:x")
    fallback = Draft(text="AWS held 30% [1].", abstained=False, cited={1: (PASSAGE, 100, 166)})
    answer = enforce(bad, "q", fallback=lambda: fallback)
    assert answer.answer == "AWS held 30% [1]." and "fallback" in (answer.generator or "")
    assert enforce(bad, "q").abstained

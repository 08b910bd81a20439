"""Reading questions: periods, entities and aliases, regions, follow-ups."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant import query
from assistant.query import Period, analyse, find_entities, find_periods, resolve_followup


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("in Q2 2025", Period(2025, 2)),
        ("the second quarter of 2025", Period(2025, 2)),
        ("April to June 2025", Period(2025, 2)),
        ("the quarter ended June 30, 2025", Period(2025, 2)),
        ("the September 2025 quarter", Period(2025, 3)),
        ("fiscal Q1 2026", Period(2026, 1, fiscal=True)),
        ("el segundo trimestre de 2025", Period(2025, 2)),
        ("au deuxième trimestre 2025", Period(2025, 2)),
        ("2025年第二季度", Period(2025, 2)),
        ("for the whole of 2024", Period(2024)),
    ],
)
def test_periods(text: str, period: Period) -> None:
    assert find_periods(text)[0] == period


def test_aliases_match_both_ways() -> None:
    assert find_entities("Amazon Web Services and GCP") == ["AWS", "Google Cloud"]
    assert find_entities("Aliyun, Microsoft Azure") == ["Alibaba Cloud", "Microsoft"]
    assert find_entities("阿里云") == ["Alibaba Cloud"]


def test_plan_reads_metric_region_and_intent() -> None:
    plan = analyse("What was Alibaba Cloud's share of the China market in Q1 2025?")
    assert plan.entities == ("Alibaba Cloud",) and plan.metrics == ("share",)
    assert plan.scope == "china" and plan.numeric
    assert analyse("What were the big three's shares?").entities == ("AWS", "Microsoft", "Google Cloud")
    assert not analyse("How is Alibaba using AI models to grow its cloud business?").numeric


HISTORY = [
    {"role": "user", "content": "What was AWS's share of the global market in Q2 2025?"},
    {"role": "assistant", "content": "AWS held 30% in Q2 2025 [1]."},
]


def test_follow_up_swaps_the_entity() -> None:
    plan = resolve_followup("And Google Cloud?", HISTORY)
    assert plan.entities == ("Google Cloud",) and plan.metrics == ("share",)
    assert plan.periods == (Period(2025, 2),)


def test_follow_up_moves_the_period() -> None:
    assert resolve_followup("What about the previous quarter?", HISTORY).periods == (Period(2025, 1),)
    assert resolve_followup("And the quarter after that?", HISTORY).periods == (Period(2025, 3),)


def test_why_follow_up_keeps_the_subject() -> None:
    plan = resolve_followup("Why?", HISTORY)
    assert plan.why and plan.entities == ("AWS",)


# Text built from the pieces the readers look for, so random strings hit their edge cases often.
_PIECES = st.sampled_from(
    ["quarter", "Q3 ", "q4'25", "2025", "1998", "FY26", "fiscal year ", "june to september ", "june ",
     "market share", "spend on", "share", "asia-pacific", "asia", "china", "中国", "global", "year ",
     "trimestre ", "2T2025", "2025年第二季度", "-", "_", "é", " ", ".", ",", "'", "%", "x", "\n",
     "QUARTER ", "Second ", "ſ", "K", "İ", "ı", "fıscal ", "Quartal ", "T", "all of ", "FISCAL ", "May "]
)
_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=25).map("".join)


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_lexicon_finds_what_the_word_regex_finds(text: str) -> None:
    folded = query.fold(text)
    lists = {**query.METRIC_WORDS, **query.REGIONS, "global": query.GLOBAL_WORDS}
    expected = {
        label: m.start() for label, words in lists.items() if (m := query._word_pattern(words).search(folded))
    }
    assert query.Lexicon(lists).first(folded) == expected


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_period_prefilters_skip_only_patterns_that_cannot_match(text: str) -> None:
    fast = find_periods(text)
    always = frozenset({""})  # the empty string is in every text: no pattern is skipped
    patterns = [(pattern, kind, always) for pattern, kind, _ in query._PERIOD_PATTERNS]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(query, "_PERIOD_HINT", re.compile(""))
        patch.setattr(query, "_PERIOD_PATTERNS", patterns)
        patch.setattr(query, "_PERIOD_WORDS", ("",))
        assert find_periods(text) == fast


# Pieces that the metric and instruction patterns look for, in several cases and scripts.
_WORDY = st.lists(
    st.one_of(
        _PIECES,
        st.sampled_from(
            ["Ignore ", "previous ", "instructions", "You must ", "ANSWER ", "respond ", "with ", "<system>",
             "< /prompt >", "as an AI", "SYSTEM PROMPT", "shares fell", "rose ", "grew by ", "increased ",
             "Up ", "4", "12%", " of the ", "market ", "reached ", "US$", "€", "RMB", "$3", "spending",
             "ſtate", "Reply", "tell", "please ", "always ", "ı"]
        ),
    ),
    max_size=20,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_WORDY)
def test_metric_and_instruction_prefilters_skip_only_patterns_that_cannot_match(text: str) -> None:
    from assistant import answering

    assert answering.is_instruction(text) == bool(answering._INSTRUCTION.search(text))
    fast = query.find_metrics(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(query, "has_any", lambda folded, words: True)
        patch.setattr(query, "ascii_fold", lambda text: "market")  # "market" in it: every test passes
        patch.setattr(query, "_CURRENCIES", ("",))
        assert query.find_metrics(text) == fast

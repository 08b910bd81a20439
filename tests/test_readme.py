"""The README's examples run as written (against a temp copy of the corpus and a served index)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO, copy_corpus, running_server

BLOCKS = re.findall(r"```python\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), re.S)


def block(marker: str) -> str:
    return next(b for b in BLOCKS if marker in b)


@pytest.mark.slow
def test_python_and_langchain_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    copy_corpus(tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)
    exec(compile(block("Assistant.open"), "README.md", "exec"), {})  # noqa: S102 - our own README
    out = capsys.readouterr().out
    assert "30%" in out and "13%" in out and "global-cloud-market-q2-2025.md" in out


@pytest.mark.slow
@pytest.mark.server
def test_rest_and_openai_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from assistant import Assistant

    corpus = copy_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    Assistant.open(index=index, corpus=corpus).ingest([corpus])
    monkeypatch.chdir(tmp_path)
    with running_server(index, corpus) as base:
        for marker in ("import httpx", "from openai import OpenAI"):
            code = block(marker).replace("http://127.0.0.1:7860", base)
            exec(compile(code, "README.md", "exec"), {})  # noqa: S102 - our own README
    out = capsys.readouterr().out
    assert "'status': 'ok'" in out and "$11.6 billion" in out
    assert "'added': 1" in out and "'removed': 1" in out
    assert "Sources:" in out and "alibaba-data-centre-expansion.md" in out

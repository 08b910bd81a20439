"""The web chat's endpoints called as an external program would: gradio_client.

`/ask` gives the answer object (plain text with [n] markers, structured citations); `/respond` is what
the page runs (HTML). Bad input is an error with its message on both."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import copy_corpus, running_server
from tests.test_api import check_answer_object

pytestmark = [pytest.mark.server, pytest.mark.slow]

ALIBABA = "What was Alibaba Cloud's global market share in Q2 2025?"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """`assistant serve` over a freshly ingested private copy of the sample corpus."""
    root = tmp_path_factory.mktemp("ui-client")
    corpus = copy_corpus(root / "corpus")
    index = root / "index"
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith("ASSISTANT_"):
                mp.delenv(name)
        mp.setenv("HF_HUB_OFFLINE", "1")
        env = {**os.environ, "ASSISTANT_INDEX": str(index), "ASSISTANT_CORPUS": str(corpus)}
        done = subprocess.run(
            [sys.executable, "-m", "assistant", "ingest", str(corpus), "--json"],
            env=env, capture_output=True, text=True, timeout=600, check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert json.loads(done.stdout.strip().splitlines()[-1])["documents"] == 14
        with running_server(index, corpus, log=root / "serve.log") as base:
            yield base, corpus


@pytest.fixture
def client(served: tuple[str, Any]) -> Any:
    from gradio_client import Client

    return Client(served[0] + "/", verbose=False)


def text_of(message: dict[str, Any]) -> str:
    content = message["content"]
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def test_ask_and_respond_are_the_documented_endpoints(client: Any) -> None:
    api = client.view_api(print_info=False, return_format="dict")
    endpoint = api["named_endpoints"]["/respond"]
    names = [p["parameter_name"] for p in endpoint["parameters"]]
    assert names == ["message", "history", "publishers", "date_from", "date_to", "sources"]
    ask = api["named_endpoints"]["/ask"]
    assert [p["parameter_name"] for p in ask["parameters"]] == [
        "question", "history", "publishers", "date_from", "date_to", "sources"]
    assert [p["parameter_has_default"] for p in ask["parameters"]] == [False] + [True] * 5
    # Only the chat is public; the document and page helpers are not part of this API.
    assert sorted(api["named_endpoints"]) == ["/ask", "/respond"]


def test_ask_gives_plain_text_and_structured_citations(client: Any, served: tuple[str, Any]) -> None:
    answer = client.predict(ALIBABA, api_name="/ask")
    assert "4%" in answer["answer"] and "<" not in answer["answer"]  # plain text, no markup
    assert answer["abstained"] is False
    check_answer_object(answer, served[1])  # markers and citations one to one, quote == text[start:end]
    follow = client.predict("And Google Cloud?", [
        {"role": "user", "content": ALIBABA}, {"role": "assistant", "content": answer["answer"]}], api_name="/ask")
    assert "Google" in follow["answer"] and follow["citations"]
    only = client.predict(ALIBABA, [], [], "", "", ["alibaba-cloud-global-share.md"], api_name="/ask")
    assert {c["source"] for c in only["citations"]} == {"alibaba-cloud-global-share.md"}


def test_respond_answers_with_citations(client: Any) -> None:
    textbox, chat, sources = client.predict(ALIBABA, [], [], "", "", [], api_name="/respond")
    assert textbox == ""
    assert [m["role"] for m in chat] == ["user", "assistant"]
    answer = text_of(chat[-1])
    assert "4%" in answer
    markers = re.findall(r">\[(\d+)\]</a>", answer)
    assert markers, answer
    for n in markers:
        assert f'href="#cite-1-{n}"' in answer
        assert f'id="cite-1-{n}"' in sources
    assert "<mark class=\"quote\"" in sources and "4%" in sources


def test_respond_follow_up_and_filters(client: Any) -> None:
    _, chat, _ = client.predict(ALIBABA, [], [], "", "", [], api_name="/respond")
    _, chat, sources = client.predict("And Google Cloud?", chat, [], "", "", [], api_name="/respond")
    assert len(chat) == 4
    assert "Google" in text_of(chat[-1])
    # Filters: only one article may be cited.
    _, chat, sources = client.predict(
        ALIBABA, [], [], "", "", ["alibaba-cloud-global-share.md"], api_name="/respond"
    )
    cited = set(re.findall(r'<code class="src-file">([^<]+)</code>', sources.split("</details>")[0]))
    assert cited == {"alibaba-cloud-global-share.md"}


@pytest.mark.parametrize("endpoint", ["/respond", "/ask"])
def test_bad_input_is_an_error_with_its_message(client: Any, endpoint: str) -> None:
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=r"filter date_from must be an ISO date \(YYYY-MM-DD\), got '2025-13-45'"):
        client.predict(ALIBABA, [], [], "2025-13-45", "", [], api_name=endpoint)
    with pytest.raises(AppError, match="question is empty"):
        client.predict("   ", [], [], "", "", [], api_name=endpoint)

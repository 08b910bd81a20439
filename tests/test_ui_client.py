"""The web chat's `/respond` endpoint called as an external program would: gradio_client."""

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

pytestmark = [pytest.mark.server, pytest.mark.slow]

ALIBABA = "What was Alibaba Cloud's global market share in Q2 2025?"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
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
            yield base


@pytest.fixture
def client(base_url: str) -> Any:
    from gradio_client import Client

    return Client(base_url + "/", verbose=False)


def text_of(message: dict[str, Any]) -> str:
    content = message["content"]
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def test_respond_is_a_documented_endpoint(client: Any) -> None:
    api = client.view_api(print_info=False, return_format="dict")
    endpoint = api["named_endpoints"]["/respond"]
    names = [p["parameter_name"] for p in endpoint["parameters"]]
    assert names == ["message", "history", "publishers", "date_from", "date_to", "sources"]
    # Only the chat is public; the document and page helpers are not part of this API.
    assert list(api["named_endpoints"]) == ["/respond"]


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
    assert "<mark>" in sources and "4%" in sources


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


def test_bad_filter_leaves_the_conversation_unchanged(client: Any) -> None:
    textbox, chat, _ = client.predict(ALIBABA, [], [], "2025-13-45", "", [], api_name="/respond")
    assert chat == []
    assert textbox == ALIBABA  # kept, so the user can fix the date and ask again

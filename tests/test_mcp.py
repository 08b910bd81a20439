"""The MCP server, driven by the MCP SDK's own client over both transports: Streamable HTTP at /mcp of a
real `assistant serve` (with and without an API key) and stdio from a real `assistant mcp` process."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from tests.test_api import API_KEY, check_answer_object, ingested_copy, serving

pytestmark = [pytest.mark.server, pytest.mark.slow]

ALIBABA = "What was Alibaba Cloud's global market share in Q2 2025?"
TOOLS = {"search", "ask", "list_documents"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return ingested_copy(tmp_path_factory.mktemp("mcp"))


@pytest.fixture(scope="module")
def open_server(built: tuple[Path, Path]) -> Iterator[str]:
    corpus, index = built
    with serving(index, corpus) as base:
        yield base


@pytest.fixture(scope="module")
def keyed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    corpus, index = ingested_copy(tmp_path_factory.mktemp("mcp-keyed"))
    with serving(index, corpus, env={"ASSISTANT_API_KEY": API_KEY}) as base:
        yield base


def run(session: Callable[[Any], Awaitable[Any]], server: Any) -> Any:
    """Open an SDK client session on ``server`` and run ``session(client)`` in it."""
    from mcp import Client

    async def main() -> Any:
        async with Client(server) as client:
            return await session(client)

    return anyio.run(main)


def http_transport(url: str, headers: dict[str, str] | None = None) -> Any:
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    return streamable_http_client(url, http_client=httpx2.AsyncClient(headers=headers or {}, timeout=120))


def stdio_server(built: tuple[Path, Path]) -> Any:
    from mcp import StdioServerParameters

    corpus, index = built
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env |= {"ASSISTANT_INDEX": str(index), "ASSISTANT_CORPUS": str(corpus)}
    return StdioServerParameters(command=sys.executable, args=["-m", "assistant", "mcp"], env=env)


async def exercise(client: Any) -> dict[str, Any]:
    """Every tool once, and a call with a bad filter; returns what each gave."""
    tools = await client.list_tools()
    search = await client.call_tool("search", {"query": "Alibaba Cloud data centres in Europe", "k": 3})
    answer = await client.call_tool("ask", {"question": ALIBABA})
    follow = await client.call_tool("ask", {"question": "And Google Cloud?", "history": [
        {"role": "user", "content": ALIBABA},
        {"role": "assistant", "content": answer.structured_content["answer"]}]})
    documents = await client.call_tool("list_documents", {})
    bad = await client.call_tool("ask", {"question": ALIBABA, "date_from": "2025-13-45"})
    filtered = await client.call_tool("search", {"query": "market share", "k": 5,
                                                 "sources": ["alibaba-cloud-global-share.md"]})
    return {"tools": tools.tools, "search": search, "ask": answer, "follow": follow, "documents": documents,
            "bad": bad, "filtered": filtered, "server": client.server_info if hasattr(client, "server_info") else None}


def check(results: dict[str, Any], corpus: Path) -> None:
    from assistant.loaders import read_document
    from assistant.settings import LimitSettings

    tools = {t.name: t for t in results["tools"]}
    assert set(tools) == TOOLS
    assert {"query", "k", "publishers", "sources", "date_from", "date_to"} <= set(tools["search"].input_schema["properties"])
    assert tools["ask"].input_schema["required"] == ["question"]
    assert all(t.annotations.read_only_hint for t in tools.values())
    assert tools["ask"].output_schema and "citations" in tools["ask"].output_schema["properties"]

    search = results["search"]
    assert not search.is_error
    passages = search.structured_content["passages"]
    assert len(passages) == 3
    for p in passages:
        text = read_document(corpus / p["source"], p["source"], LimitSettings()).text
        assert text[p["start"]:p["end"]] == p["quote"]
        assert p["date"] and p["title"]
    assert json.loads(search.content[0].text) == search.structured_content  # text for clients without structure

    answer = results["ask"]
    assert not answer.is_error
    data = answer.structured_content
    assert "4%" in data["answer"] and data["abstained"] is False
    check_answer_object(data, corpus)
    follow = results["follow"].structured_content
    assert "Google" in follow["answer"] and follow["citations"]

    documents = results["documents"].structured_content["documents"]
    assert len(documents) == 14
    assert {"source", "title", "date", "publisher", "url", "chunks"} <= set(documents[0])

    bad = results["bad"]
    assert bad.is_error
    assert "filter date_from must be an ISO date" in bad.content[0].text

    filtered = results["filtered"].structured_content["passages"]
    assert filtered and {p["source"] for p in filtered} == {"alibaba-cloud-global-share.md"}


def test_mcp_over_streamable_http(open_server: str, built: tuple[Path, Path]) -> None:
    check(run(exercise, f"{open_server}/mcp"), built[0])


def test_mcp_over_stdio(built: tuple[Path, Path]) -> None:
    check(run(exercise, stdio_server(built)), built[0])


def test_mcp_needs_the_api_key_when_one_is_set(keyed_server: str) -> None:
    url = f"{keyed_server}/mcp"
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": API_KEY}):
        refused = httpx.post(url, json=body, headers={"Accept": "application/json, text/event-stream", **headers})
        assert refused.status_code == 401
        assert refused.json() == {"error": "missing or wrong API key: send the header Authorization: Bearer <key>"}
        assert refused.headers["www-authenticate"] == "Bearer"

    async def names(client: Any) -> set[str]:
        return {t.name for t in (await client.list_tools()).tools}

    assert run(names, http_transport(url, {"Authorization": f"Bearer {API_KEY}"})) == TOOLS
    from mcp import MCPError

    with pytest.raises(BaseExceptionGroup) as caught:  # the SDK reports the refusal; it never gets a session
        run(names, http_transport(url))
    assert caught.group_contains(MCPError, match="error response", depth=None)


def test_mcp_refuses_other_host_headers_on_loopback(open_server: str) -> None:
    """Bound to 127.0.0.1, /mcp checks the Host header (DNS rebinding protection)."""
    body = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
    headers = {"Accept": "application/json, text/event-stream", "Host": "evil.example"}
    assert httpx.post(f"{open_server}/mcp", json=body, headers=headers).status_code in {403, 421}
    ok = httpx.post(f"{open_server}/mcp", json=body, headers={"Accept": headers["Accept"]})
    assert ok.status_code == 200

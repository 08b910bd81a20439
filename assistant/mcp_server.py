"""The assistant as an MCP server: tools ``search``, ``ask`` and ``list_documents``.

Two transports over one :class:`~mcp.server.mcpserver.MCPServer` built by :func:`build_server`:

- Streamable HTTP at ``/mcp`` of ``assistant serve`` (:func:`mount`), stateless JSON responses,
  behind the same ``ASSISTANT_API_KEY`` bearer check as ``/api`` and ``/v1``;
- stdio for desktop clients, ``assistant mcp`` (:func:`run_stdio`): standard output carries only the
  protocol, everything else (logs, warnings) goes to standard error.

Each tool is a thin shell over the :class:`~assistant.core.Assistant`: ``search`` is its LangChain
retriever (each passage's ``quote`` is ``text[start:end]`` of the stored article), ``ask`` its answer
object, ``list_documents`` its document list. A user error (an empty question, a bad date filter)
comes back as a tool error with the message, not as a protocol error.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, Field

from assistant.errors import AssistantError

if TYPE_CHECKING:
    from fastapi import FastAPI
    from mcp.server.mcpserver import MCPServer

    from assistant.core import Assistant

log = logging.getLogger(__name__)
SERVER_NAME = "cloud-market-assistant"
INSTRUCTIONS = (
    "Answers questions about the cloud market (market shares, revenues, investments, data centres) from a "
    "folder of dated news and analyst articles. Use `ask` for an answer whose every figure carries a [n] "
    "marker and a citation quoting the exact passage; it says plainly when the articles do not hold the answer. "
    "Use `search` for the passages themselves, and `list_documents` for what is indexed."
)
Runner = Callable[..., Awaitable[Any]]


# ---- tool inputs and outputs ----------------------------------------------------------------


class Message(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class PassageOut(BaseModel):
    source: str = Field(description="The article's file, relative to the corpus folder.")
    title: str
    date: str | None = Field(None, description="Article date, YYYY-MM-DD.")
    publisher: str | None = None
    url: str | None = None
    quote: str = Field(description="The passage: exactly text[start:end] of the stored article.")
    start: int
    end: int
    score: float = Field(description="Retrieval score (higher is better); only comparable within one search.")
    page: int | None = Field(None, description="PDF page of the passage's start.")
    section: str = Field("", description="The heading the passage falls under.")


class SearchOut(BaseModel):
    query: str
    passages: list[PassageOut]


class CitationOut(BaseModel):
    n: int = Field(description="The [n] marker in the answer text.")
    source: str
    title: str
    date: str | None = None
    publisher: str | None = None
    url: str | None = None
    quote: str = Field(description="Exactly text[start:end] of the stored article.")
    start: int
    end: int


class AnswerOut(BaseModel):
    """The contract's answer object."""

    id: str | None = None
    question: str
    answer: str = Field(description="The answer; each [n] marker has one citation with that n.")
    abstained: bool = Field(description="True when the articles do not support an answer.")
    citations: list[CitationOut]
    timings_ms: dict[str, float]
    generator: str | None = None


class DocumentOut(BaseModel):
    source: str
    title: str
    date: str | None = None
    publisher: str | None = None
    url: str | None = None
    chunks: int


class DocumentsOut(BaseModel):
    documents: list[DocumentOut]


Publishers = Annotated[list[str] | None, Field(description="Only these publishers (exact names).")]
Sources = Annotated[list[str] | None, Field(description="Only these articles (their `source`, as list_documents gives).")]
DateFrom = Annotated[str | None, Field(description="Earliest article date, YYYY-MM-DD (inclusive).")]
DateTo = Annotated[str | None, Field(description="Latest article date, YYYY-MM-DD (inclusive).")]


def _filters(publishers: list[str] | None, sources: list[str] | None, date_from: str | None, date_to: str | None) -> Any:
    filters = {"publisher": publishers, "sources": sources, "date_from": date_from, "date_to": date_to}
    return {k: v for k, v in filters.items() if v} or None


# ---- the server -----------------------------------------------------------------------------


def build_server(assistant: Assistant, runner: Runner | None = None) -> MCPServer:
    """The MCP server over ``assistant``; ``runner`` runs a blocking call off the event loop."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError
    from mcp.types import ToolAnnotations

    run = runner or _to_thread
    server: MCPServer = MCPServer(SERVER_NAME, instructions=INSTRUCTIONS, version="1", log_level="WARNING")
    read_only = ToolAnnotations(readOnlyHint=True, openWorldHint=False)

    async def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return await run(fn, *args, **kwargs)
        except AssistantError as exc:
            raise ToolError(str(exc)) from None

    @server.tool(annotations=read_only)
    async def search(
        query: Annotated[str, Field(description="What to look for, in words.")],
        k: Annotated[int, Field(ge=1, le=50, description="How many passages.")] = 8,
        publishers: Publishers = None,
        sources: Sources = None,
        date_from: DateFrom = None,
        date_to: DateTo = None,
    ) -> SearchOut:
        """Passages of the indexed articles that match `query`, best first, each with its source, date and
        exact offsets. No answer is composed: use `ask` for that."""
        if not query.strip():
            raise ToolError("query is empty")

        def find() -> list[Any]:
            retriever = assistant.as_retriever(k=k, filters=_filters(publishers, sources, date_from, date_to))
            return list(retriever.invoke(query))[:k]

        docs = await call(find)
        passages = [PassageOut(quote=d.page_content, **{f: d.metadata.get(f) for f in PASSAGE_FIELDS
                                                        if d.metadata.get(f) is not None}) for d in docs]
        return SearchOut(query=query, passages=passages)

    @server.tool(annotations=read_only)
    async def ask(
        question: Annotated[str, Field(description="The question, in any language the articles cover.")],
        history: Annotated[list[Message] | None, Field(description="Earlier turns, oldest first.")] = None,
        publishers: Publishers = None,
        sources: Sources = None,
        date_from: DateFrom = None,
        date_to: DateTo = None,
    ) -> AnswerOut:
        """Answer a question from the articles. Every figure in `answer` carries a [n] marker; `citations[n]`
        quotes the exact passage with its source and date. `abstained` is true when the articles do not say."""
        turns = [m.model_dump() for m in history] if history else None
        answer = await call(assistant.ask, question, turns, _filters(publishers, sources, date_from, date_to))
        return AnswerOut.model_validate(answer.to_dict())

    @server.tool(annotations=read_only)
    async def list_documents() -> DocumentsOut:
        """The indexed articles: source, title, date, publisher, url and number of passages."""
        docs = await call(assistant.documents)
        return DocumentsOut(documents=[DocumentOut.model_validate(d) for d in docs])

    return server


PASSAGE_FIELDS = ("source", "title", "date", "publisher", "url", "start", "end", "score", "page", "section")


async def _to_thread(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    import anyio.to_thread

    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))


def mount(app: FastAPI, assistant: Assistant, runner: Runner, host: str) -> Callable[[], Any]:
    """Serve the tools at ``/mcp`` of ``app`` (Streamable HTTP); returns the session manager's
    lifespan, which the app's lifespan must enter."""
    from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
    from mcp.server.transport_security import TransportSecuritySettings
    from starlette.routing import Route

    server = build_server(assistant, runner)
    # Host/Origin checks against DNS rebinding when bound to loopback, as the SDK does by default;
    # bound elsewhere, the host names are not known here and the API key is the guard.
    security = None if host in {"127.0.0.1", "localhost", "::1"} else TransportSecuritySettings(
        enable_dns_rebinding_protection=False
    )
    server.streamable_http_app(
        streamable_http_path="/mcp", stateless_http=True, json_response=True, transport_security=security, host=host
    )
    manager = server.session_manager
    endpoint = StreamableHTTPASGIApp(manager)  # an ASGI app: Starlette hands it the raw request
    app.router.routes.append(Route("/mcp", endpoint, methods=["GET", "POST", "DELETE"], include_in_schema=False))
    return manager.run


def run_stdio(assistant: Assistant) -> None:
    """Serve the tools over standard input and output until the client closes them."""
    import anyio

    server = build_server(assistant)
    anyio.run(server.run_stdio_async)

"""The HTTP server: REST under ``/api``, OpenAI-compatible chat under ``/v1``, MCP at ``/mcp``, the
Gradio chat at ``/``.

Every route is a thin shell over one :class:`~assistant.core.Assistant`. Errors under ``/api`` leave
as the contract's JSON ``{"error": "..."}``: an :class:`~assistant.errors.AssistantError` with its own
``http_status``, a malformed body with 400 and a body that does not fit the schema with 422 (both
naming the field), and anything unexpected as a 500 whose traceback stays in the server log. Under
``/v1`` they take OpenAI's shape, ``{"error": {"message", "type", "param", "code"}}``, with OpenAI's
status codes (a body that does not fit the schema is a 400 there, a question over the length limit a
400 with code ``context_length_exceeded``), so OpenAI clients show the message.

Questions are answered in worker threads, at most ``settings.concurrency`` at once; uploads are
ingested in other worker threads, so an ingest never holds up a question (the assistant answers
from a snapshot that is swapped when the ingest is done).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hmac
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import anyio
import anyio.to_thread
from fastapi import APIRouter, FastAPI, File, Query, Request, Security, UploadFile
from fastapi.responses import JSONResponse, ORJSONResponse, Response
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.errors import AssistantError
from assistant.http_errors import BodyLimitMiddleware, error_response, install_error_handlers, send_error
from assistant.openai_api import openai_router

if TYPE_CHECKING:
    from assistant.core import Assistant
    from assistant.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")
Runner = Callable[..., Awaitable[Any]]
API_PREFIXES = ("/api", "/v1")
PROTECTED_PREFIXES = (*API_PREFIXES, "/mcp")
# Connections uvicorn serves at once before answering 503 (browser tabs hold a few each), and
# connections the kernel queues while the server is busy.
LIMIT_CONCURRENCY = 256
BACKLOG = 2048


# ---- request bodies ------------------------------------------------------------------------


class AskFilters(BaseModel):
    """Restrict the documents an answer may cite."""

    model_config = ConfigDict(extra="forbid")

    publisher: str | list[str] | None = Field(None, description="Publisher name(s), exact match.")
    sources: str | list[str] | None = Field(None, description="Document source(s), as in GET /api/documents.")
    date_from: str | None = Field(None, description="Earliest article date, YYYY-MM-DD (inclusive).")
    date_to: str | None = Field(None, description="Latest article date, YYYY-MM-DD (inclusive).")


class HistoryMessage(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class AskRequest(BaseModel):
    """The body of ``POST /api/ask``."""

    question: str = Field(..., description="The question, in any language the articles cover.")
    history: list[HistoryMessage] | None = Field(None, description="Earlier turns of the conversation, oldest first.")
    filters: AskFilters | None = None
    id: str | None = Field(None, description="Echoed in the answer object.")


# ---- middleware ----------------------------------------------------------------------------


class BearerAuthMiddleware:
    """Require ``Authorization: Bearer <key>`` on every path under ``prefixes``."""

    def __init__(self, app: ASGIApp, *, key: str, prefixes: Sequence[str] = PROTECTED_PREFIXES) -> None:
        self.app = app
        self.key = key.encode()
        self.prefixes = tuple(prefixes)

    def _protected(self, path: str) -> bool:
        return any(path == p or path.startswith(p + "/") for p in self.prefixes)

    def _authorized(self, scope: Scope) -> bool:
        value = dict(scope["headers"]).get(b"authorization", b"")
        scheme, _, token = value.partition(b" ")
        return scheme.lower() == b"bearer" and hmac.compare_digest(token.strip(), self.key)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._protected(scope["path"]) and not self._authorized(scope):
            await send_error(
                send, 401, "missing or wrong API key: send the header Authorization: Bearer <key>",
                {"WWW-Authenticate": "Bearer"}, path=scope["path"], code="invalid_api_key",
            )
            return
        await self.app(scope, receive, send)


def body_limit(settings: Settings) -> tuple[int, str]:
    limits = settings.limits
    limit = min(limits.max_upload_bytes, limits.max_file_bytes * limits.max_files_per_upload) + 1_000_000
    return limit, (
        f"request body is larger than {limit:,} bytes; upload at most {limits.max_files_per_upload} files "
        f"of at most {limits.max_file_bytes / 1e6:g} MB each, {limits.max_upload_bytes / 1e6:g} MB in all"
    )


# ---- the app -------------------------------------------------------------------------------


def create_app(assistant: Assistant, *, ui: bool = True, mcp: bool = True) -> FastAPI:
    """The FastAPI app: /api, /v1, /docs, MCP at /mcp (unless ``mcp`` is false), and (unless ``ui``
    is false) the Gradio chat at /."""
    settings = assistant.settings
    services: list[Callable[[], contextlib.AbstractAsyncContextManager[Any]]] = []
    app = FastAPI(
        title="Cloud market assistant",
        description="Answers questions about the cloud market from your articles, citing the exact passages.",
        version="1",
        docs_url="/docs",
        redoc_url=None,
        lifespan=functools.partial(warm_up, assistant, services),
    )
    app.state.assistant = assistant
    install_error_handlers(app)
    answer_slots = anyio.CapacityLimiter(settings.concurrency)

    async def answering(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn`` in a worker thread, at most ``settings.concurrency`` at once."""
        return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs), limiter=answer_slots)

    async def in_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))

    # The middleware enforces the key before any body is read; this only shows it in /docs.
    docs_security = [Security(HTTPBearer(auto_error=False))] if settings.api_key else []
    routers = [rest_router(assistant, answering, in_thread), openai_router(assistant, answering)]
    for router in routers:
        app.include_router(router, dependencies=docs_security)
    add_not_found_routes(app, routers)
    if mcp:
        from assistant.mcp_server import mount

        services.append(mount(app, assistant, answering, settings.host))

    limit, message = body_limit(settings)
    app.add_middleware(BodyLimitMiddleware, limit=limit, message=message)
    if settings.api_key:
        app.add_middleware(BearerAuthMiddleware, key=settings.api_key)
    if settings.cors_origins:  # added last, so it runs first and answers preflights
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    if ui:
        mount_ui(app, assistant)
    return app


@contextlib.asynccontextmanager
async def warm_up(
    assistant: Assistant, services: Sequence[Callable[[], contextlib.AbstractAsyncContextManager[Any]]], app: FastAPI
) -> AsyncIterator[None]:
    """Load the encoder and the index snapshot before the server takes requests; run ``services``
    (the MCP session manager) while it serves."""

    def load() -> None:
        assistant.searcher.snapshot()
        assistant.embedder.embed_query("cloud market share")

    await anyio.to_thread.run_sync(load)
    # The articles' word statistics and facts table are built on first use (about a minute at 100k
    # chunks): build them now, behind the requests, so the first question or Figures tab does not wait.
    import threading

    threading.Thread(target=lambda: assistant.searcher.snapshot().facts(), name="warm-facts", daemon=True).start()
    async with contextlib.AsyncExitStack() as stack:
        for service in services:
            await stack.enter_async_context(service())
        yield


def rest_router(assistant: Assistant, answering: Runner, in_thread: Runner) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["assistant"])

    @router.get("/health", summary="Liveness and index size")
    async def health() -> JSONResponse:
        return JSONResponse(await in_thread(assistant.status))

    @router.post("/ask", summary="Answer a question with citations (the contract's answer object)")
    async def ask(body: AskRequest) -> JSONResponse:
        history = [m.model_dump() for m in body.history] if body.history else None
        filters = body.filters.model_dump(exclude_none=True) if body.filters else None
        answer = await answering(assistant.ask, body.question, history, filters, id=body.id)
        return JSONResponse(answer.to_dict())

    @router.get("/facts", summary="The figures of the articles as data, each with its citation")
    async def facts(
        entity: str | None = Query(None, description="Who: a company or other name, any spelling the articles use."),
        metric: str | None = Query(None, description="What: share, revenue, growth, capex, backlog, ..."),
        period: str | None = Query(None, description='When: "Q2 2025", "2025", "H1 2025", "FY25", ...'),
        scope: str | None = Query(None, description="Where: global, a country or region."),
        source: str | None = Query(None, description="One article, as in GET /api/documents."),
        limit: int = Query(500, ge=0, le=100_000, description="At most this many facts (count gives all)."),
        format: Literal["json", "csv"] = Query("json", description="json (facts, conflicts, count) or csv (facts)."),
    ) -> Response:
        result = await in_thread(
            assistant.facts, entity=entity, metric=metric, period=period, scope=scope, source=source, limit=limit
        )
        if format == "csv":
            from assistant.facts import to_csv

            return Response(to_csv(result["facts"]), media_type="text/csv; charset=utf-8")
        return ORJSONResponse(result)  # hundreds of facts serialise several times faster than with json

    @router.get("/documents", summary="The indexed articles")
    async def documents() -> JSONResponse:
        return JSONResponse(await in_thread(assistant.documents))

    @router.post("/documents", summary="Upload and ingest articles (.md, .txt, .html, .pdf)")
    async def upload(
        files: list[UploadFile] | None = File(None, description="One or more article files."),  # noqa: B008
        file: list[UploadFile] | None = File(None, description="Alternative field name for the files."),  # noqa: B008
    ) -> JSONResponse:
        payload = [(u.filename or "upload", await u.read()) for u in [*(files or []), *(file or [])]]
        summary = await in_thread(assistant.add_files, payload)
        if payload and len(summary.failed) >= len(payload):
            problems = "; ".join(f"{f['path']}: {f['error']}" for f in summary.failed)
            return error_response(upload_failure_status(payload, assistant.settings), problems)
        return JSONResponse(summary.to_dict())

    @router.delete("/documents/{source:path}", summary="Remove an article from the index")
    async def delete(source: str) -> JSONResponse:
        summary = await in_thread(assistant.remove, source)
        return JSONResponse(summary.to_dict())

    return router


def upload_failure_status(payload: Sequence[tuple[str, bytes]], settings: Settings) -> int:
    """415 when no file had a readable type, 413 when all were too large, else 400."""
    from assistant.core import safe_filename
    from assistant.loaders import SUPPORTED_SUFFIXES

    if all(Path(safe_filename(name)).suffix.lower() not in SUPPORTED_SUFFIXES for name, _ in payload):
        return 415
    if all(len(data) > settings.limits.max_file_bytes for _, data in payload):
        return 413
    return 400


def add_not_found_routes(app: FastAPI, routers: Sequence[APIRouter]) -> None:
    """JSON 404/405 for unknown paths and methods under /api and /v1 (not the chat's 404 page)."""
    real_routes = [route for router in routers for route in router.routes]

    async def not_found(request: Request) -> JSONResponse:
        allowed = sorted({
            m for route in real_routes if route.matches(request.scope)[0] == Match.PARTIAL
            for m in getattr(route, "methods", None) or ()
        })
        path = request.url.path
        if allowed:
            return error_response(405, f"{request.method} is not allowed here; use {', '.join(allowed)}",
                                  {"Allow": ", ".join(allowed)}, path=path, code="method_not_allowed")
        return error_response(404, f"no such endpoint: {request.method} {path}", path=path, code="unknown_url")

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
    for prefix in API_PREFIXES:
        app.add_api_route(f"{prefix}/{{rest:path}}", not_found, methods=methods, include_in_schema=False)


def mount_ui(app: FastAPI, assistant: Assistant) -> None:
    """Mount the Gradio chat from ``ui.app.build_app`` at ``/``, after the API routes."""
    try:
        from ui.app import build_app, mount_options
    except ModuleNotFoundError as exc:
        if exc.name not in {"ui", "ui.app"}:
            raise
        log.warning("ui/app.py is missing: serving the API without the web chat")
        return
    import gradio as gr

    settings = assistant.settings
    blocks = build_app(assistant)
    queue = getattr(blocks, "_queue", None)
    if queue is not None and queue.default_concurrency_limit == 1:  # Gradio's default: one at a time
        queue.default_concurrency_limit = settings.concurrency
    auth = tuple(settings.ui_auth.split(":", 1)) if settings.ui_auth else None
    gr.mount_gradio_app(
        app, blocks, path="/", auth=auth, max_file_size=settings.limits.max_file_bytes, **mount_options()
    )


# ---- running -------------------------------------------------------------------------------


def start_watch(assistant: Assistant) -> Callable[[], None] | None:
    """Re-sync the corpus folder on every change (a background thread); returns a stop callable."""
    try:
        from assistant.watch import start_watching
    except ImportError:
        log.warning("--watch: assistant/watch.py is not available; the corpus is not watched")
        return None
    return start_watching(assistant)


class PortInUseError(AssistantError):
    """The address ``serve`` should listen on is taken (or not ours to take)."""


def listen_socket(host: str, port: int) -> socket.socket:
    """The server's socket, bound now: a taken port is reported at once, with what to do about it."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise PortInUseError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: a restart need not wait
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUseError(
                f"port {port} on {host} is already in use (another `assistant serve` or `make run`?); "
                f"stop it, or choose another port: `assistant serve --port {port + 1}` or `make run PORT={port + 1}`"
            ) from None
        if exc.errno == errno.EACCES:
            raise PortInUseError(
                f"not allowed to listen on port {port} (ports below 1024 need privileges); choose a port above 1023"
            ) from None
        raise PortInUseError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock


def serve(assistant: Assistant, watch: bool = False, sock: socket.socket | None = None) -> None:
    """Serve the app with uvicorn on ``sock`` (default: bound to ``settings.host:settings.port``)
    until interrupted."""
    import uvicorn

    settings = assistant.settings
    if settings.host not in {"127.0.0.1", "localhost", "::1"} and not settings.api_key:
        log.warning("serving on %s without ASSISTANT_API_KEY: anyone who can reach it can use it", settings.host)
    sock = sock or listen_socket(settings.host, settings.port)
    app = create_app(assistant)
    stop = start_watch(assistant) if watch else None
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, limit_concurrency=LIMIT_CONCURRENCY, backlog=BACKLOG,
        timeout_graceful_shutdown=5, log_level="info",
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        if stop is not None:
            stop()

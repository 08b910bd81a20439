"""Errors as JSON at the HTTP edge, and the request body limit.

Under ``/api`` an error is the contract's ``{"error": "..."}``; under ``/v1`` it is OpenAI's error
object ``{"error": {"message", "type", "param", "code"}}`` with OpenAI's status codes, so OpenAI
clients (the ``openai`` SDK, LangChain, Open WebUI) show the message instead of a bare status.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.errors import AssistantError, NotFoundError, TooLargeError

OPENAI_PREFIX = "/v1"

# ---- errors --------------------------------------------------------------------------------


def is_openai_path(path: str) -> bool:
    return path == OPENAI_PREFIX or path.startswith(OPENAI_PREFIX + "/")


def openai_error_type(status: int) -> str:
    if status == 401:
        return "authentication_error"
    if status == 429:
        return "rate_limit_error"
    return "server_error" if status >= 500 else "invalid_request_error"


def error_response(
    status: int, message: str, headers: dict[str, str] | None = None, *, path: str = "",
    param: str | None = None, code: str | None = None,
) -> JSONResponse:
    """The error body: OpenAI's error object under /v1, the contract's ``{"error": "..."}`` elsewhere."""
    if is_openai_path(path):
        error = {"message": message, "type": openai_error_type(status), "param": param, "code": code}
        return JSONResponse({"error": error}, status_code=status, headers=headers)
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def describe_validation(errors: Sequence[Any]) -> tuple[int, str]:
    """Status and a readable message for a request body that failed validation."""
    for err in errors:
        if err.get("type") == "json_invalid":
            detail = (err.get("ctx") or {}).get("error")
            return 400, "request body is not valid JSON" + (f": {detail}" if detail else "")
    problems = []
    for err in errors[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        problems.append(f"{where}: {err.get('msg', 'invalid value')}")
    return 422, "invalid request: " + "; ".join(problems)


def openai_param(errors: Sequence[Any]) -> tuple[str | None, str | None]:
    """OpenAI's ``param`` (``messages[0].role``) and ``code`` for the first validation error."""
    for err in errors:
        if err.get("type") == "json_invalid":
            return None, "invalid_json"
        param = ""
        for part in err.get("loc", ()):
            if part == "body":
                continue
            param += f"[{part}]" if isinstance(part, int) else (f".{part}" if param else str(part))
        return param or None, "missing_required_parameter" if err.get("type") == "missing" else "invalid_value"
    return None, None


def openai_error_details(exc: AssistantError, path: str) -> tuple[int, str | None, str | None]:
    """Status, ``param`` and ``code`` of an assistant error on a /v1 route, as OpenAI would give them."""
    param = getattr(exc, "param", None)
    code = getattr(exc, "code", None)
    if isinstance(exc, TooLargeError):  # a question over the limit: OpenAI's too-long prompt
        return 400, param or "messages", "context_length_exceeded"
    if isinstance(exc, NotFoundError):
        return 404, param or ("model" if "/models/" in path else None), code or (
            "model_not_found" if "/models/" in path else "not_found"
        )
    if exc.http_status < 500 and param is None and path.endswith("/chat/completions"):
        param = "messages"
    return exc.http_status, param, code


def install_error_handlers(app: FastAPI) -> None:
    async def on_assistant_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, AssistantError)
        path = request.url.path
        if is_openai_path(path):
            status, param, code = openai_error_details(exc, path)
            return error_response(status, str(exc), path=path, param=param, code=code)
        return error_response(exc.http_status, str(exc))

    async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        status, message = describe_validation(exc.errors())
        path = request.url.path
        if is_openai_path(path):  # OpenAI answers a body that does not fit with 400, naming the param
            param, code = openai_param(exc.errors())
            return error_response(400, message, path=path, param=param, code=code)
        return error_response(status, message)

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return error_response(exc.status_code, str(exc.detail), getattr(exc, "headers", None), path=request.url.path)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Starlette re-raises after this response, so the server logs the traceback.
        return error_response(500, "internal error", path=request.url.path)

    app.add_exception_handler(AssistantError, on_assistant_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)


# ---- the body limit ------------------------------------------------------------------------


class _BodyTooLarge(Exception):
    pass


async def send_error(
    send: Send, status: int, message: str, headers: dict[str, str] | None = None, *, path: str = "",
    code: str | None = None,
) -> None:
    response = error_response(status, message, headers, path=path, code=code)
    await send({"type": "http.response.start", "status": status, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})


class BodyLimitMiddleware:
    """Answer 413 to a body over ``limit`` bytes: by its Content-Length before reading it, and
    while streaming when it has none (or lies)."""

    def __init__(self, app: ASGIApp, *, limit: int, message: str) -> None:
        self.app = app
        self.limit = limit
        self.message = message

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await send_error(send, 400, "invalid Content-Length header", path=scope["path"])
                return
            if int(declared) > self.limit:
                await send_error(send, 413, self.message, path=scope["path"], code="request_too_large")
                return
        received = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:  # whatever the app made of the cut-off body, the answer is 413
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await send_error(send, 413, self.message, path=scope["path"], code="request_too_large")

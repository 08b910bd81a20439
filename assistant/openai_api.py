"""OpenAI-compatible chat under ``/v1``: any OpenAI client can ask the assistant.

The last user message is the question; earlier user and assistant messages are the history.
System messages are ignored: retrieval takes no instructions from the caller. The reply text is
the answer with its ``[n]`` markers followed by a readable sources list, and the message carries
the structured ``citations`` of the answer object as an extra field.

Streaming sends the reply only once it has passed the grounding check (which may drop or
renumber sentences of the draft), so a streamed reply is always exactly the non-streamed one.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant.errors import AssistantError, InputError, NotFoundError

if TYPE_CHECKING:
    from assistant.core import Assistant
    from assistant.types import Answer, Citation

log = logging.getLogger(__name__)
MODEL_ID = "cloud-market-assistant"
MODEL_CREATED = 1_754_352_000  # a fixed date (2025-08-05), so the model list never changes
SOURCES_HEADING = "\n\nSources:\n"


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str = Field(..., description="system, user or assistant (others are ignored).")
    content: str | list[dict[str, Any]] | None = Field(None, description="Text, or a list of text parts.")


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    include_usage: bool = False


class ChatRequest(BaseModel):
    """An OpenAI chat completion request; sampling options are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: str | None = Field(None, description=f"Any name; the reply comes from {MODEL_ID}.")
    messages: list[ChatMessage] = Field(..., min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None


def message_text(content: str | list[dict[str, Any]] | None) -> str:
    """The text of a message, joining the parts of OpenAI's multi-part format."""
    if content is None or isinstance(content, str):
        return content or ""
    texts = []
    for part in content:
        kind = part.get("type")
        if kind not in {"text", "input_text"} or not isinstance(part.get("text"), str):
            raise InputError(f"message content parts of type {kind!r} are not supported; send text")
        texts.append(part["text"])
    return "\n".join(texts)


def split_messages(messages: Sequence[ChatMessage]) -> tuple[str, list[dict[str, str]]]:
    """The question (last user message) and the history (user and assistant turns before it)."""
    turns = [(m.role, message_text(m.content)) for m in messages if m.role in {"user", "assistant"}]
    users = [i for i, (role, _) in enumerate(turns) if role == "user"]
    if not users:
        raise InputError("messages must include at least one user message (the question)")
    last = users[-1]
    history = [
        {"role": role, "content": text.split(SOURCES_HEADING, 1)[0]}  # our own sources list is not history
        for role, text in turns[:last]
        if text.strip()
    ]
    return turns[last][1], history


def format_sources(citations: Sequence[Citation]) -> str:
    """``\\n\\nSources:\\n[1] Title — Publisher, date — url\\n    "quote"`` (empty without citations)."""
    if not citations:
        return ""
    lines = []
    for c in citations:
        where = ", ".join(x for x in (c.publisher, c.date) if x)
        lines.append(" — ".join(x for x in (f"[{c.n}] {c.title}", where, c.url) if x))
        lines.append(f'    "{" ".join(c.quote.split())}"')
    return SOURCES_HEADING + "\n".join(lines)


def estimate_tokens(text: str) -> int:
    """About four characters per token, as OpenAI's rule of thumb for English."""
    return math.ceil(len(text) / 4)


def usage(messages: Sequence[ChatMessage], reply: str) -> dict[str, int]:
    prompt = sum(estimate_tokens(message_text(m.content)) for m in messages if isinstance(m.content, str | list))
    completion = estimate_tokens(reply)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def model_card() -> dict[str, Any]:
    return {"id": MODEL_ID, "object": "model", "created": MODEL_CREATED, "owned_by": "cloud-market-assistant"}


class _Completion:
    """Builds the response objects of one chat completion."""

    def __init__(self) -> None:
        self.id = f"chatcmpl-{uuid.uuid4().hex}"
        self.created = int(time.time())

    def response(self, answer: Answer, reply: str, tokens: dict[str, int]) -> dict[str, Any]:
        message = {"role": "assistant", "content": reply, "citations": [asdict(c) for c in answer.citations]}
        return {
            "id": self.id, "object": "chat.completion", "created": self.created, "model": MODEL_ID,
            "choices": [{"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}],
            "usage": tokens,
        }

    def chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}
        return self.event({"choices": [choice]})

    def event(self, data: dict[str, Any]) -> str:
        body = {"id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": MODEL_ID, **data}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def openai_router(assistant: Assistant, answering: Callable[..., Awaitable[Any]]) -> APIRouter:
    """The /v1 routes; ``answering`` runs a blocking call in the bounded pool of answer threads."""
    router = APIRouter(prefix="/v1", tags=["openai"])

    @router.get("/models", summary="The one model this server offers (OpenAI list format)")
    async def models() -> JSONResponse:
        return JSONResponse({"object": "list", "data": [model_card()]})

    @router.get("/models/{model}", summary="One model (OpenAI format)")
    async def model(model: str) -> JSONResponse:
        if model != MODEL_ID:
            raise NotFoundError(f"no model {model!r}; this server offers {MODEL_ID!r}")
        return JSONResponse(model_card())

    @router.post("/chat/completions", summary="Chat completion with citations (stream true or false)")
    async def chat(body: ChatRequest) -> Any:
        question, history = split_messages(body.messages)
        completion = _Completion()
        if not body.stream:
            answer = await answering(assistant.ask, question, history)
            reply = answer.answer + format_sources(answer.citations)
            return JSONResponse(completion.response(answer, reply, usage(body.messages, reply)))
        # Refuse bad input with a 4xx before the 200 of the event stream goes out.
        assistant.validate_question(question)
        assistant.clean_history(history)
        include_usage = bool(body.stream_options and body.stream_options.include_usage)

        async def events() -> AsyncIterator[str]:
            yield completion.chunk({"role": "assistant", "content": ""})
            try:
                answer = await answering(assistant.ask, question, history)
            except AssistantError as exc:
                yield completion.event({"error": {"message": str(exc), "type": type(exc).__name__}})
                yield "data: [DONE]\n\n"
                return
            except Exception:
                log.exception("chat completion failed")
                yield completion.event({"error": {"message": "internal error", "type": "server_error"}})
                yield "data: [DONE]\n\n"
                return
            for piece in re.split(r"(?<=\s)", answer.answer):
                if piece:
                    yield completion.chunk({"content": piece})
            sources = format_sources(answer.citations)
            if sources:
                yield completion.chunk({"content": sources})
            yield completion.chunk({"citations": [asdict(c) for c in answer.citations]}, finish_reason="stop")
            if include_usage:
                yield completion.event({"choices": [], "usage": usage(body.messages, answer.answer + sources)})
            yield "data: [DONE]\n\n"

        return StreamingResponse(
            events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        )

    return router

"""OpenAI-compatible chat under ``/v1``: any OpenAI client can ask the assistant.

The last user message is the question; earlier user and assistant messages are the history.
System and developer messages are ignored: retrieval takes no instructions from the caller. The
reply text is the answer with its ``[n]`` markers followed by a readable sources list; the message
carries the structured ``citations`` of the answer object as an extra field, and the response has
them in its ``X-Citations`` header (JSON), which LangChain's ``ChatOpenAI`` keeps in
``response_metadata["headers"]`` when created with ``include_response_headers=True``.

Parameters are honoured or refused with a 400, never silently reinterpreted (docs/openai.md):
``max_tokens``/``max_completion_tokens`` cut the reply (``finish_reason: "length"``), ``stop`` cuts it
at the first stop sequence, ``response_format`` ``json_object`` returns the answer object as JSON and
``json_schema`` fills the schema from the answer object (or refuses it, naming what it lacks). ``n`` > 1,
tool calling, log probabilities and audio output are refused; sampling options (``temperature``,
``top_p``, penalties, ``seed``...) are accepted and have nothing to change: answers are quoted, not
sampled. Task prompts of chat front ends (Open WebUI's title, tags, follow-ups) are answered briefly
from the conversation, without a search (:mod:`assistant.chat_tasks`).

Streaming sends the reply once it has passed the grounding check (which may drop or renumber
sentences of the draft), so a streamed reply is always exactly the non-streamed one.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant import chat_tasks
from assistant.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from assistant.core import Assistant
    from assistant.types import Answer, Citation

log = logging.getLogger(__name__)
MODEL_ID = "cloud-market-assistant"
MODEL_CREATED = 1_754_352_000  # a fixed date (2025-08-05), so the model list never changes
SOURCES_HEADING = "\n\nSources:\n"
CITATIONS_HEADER = "X-Citations"
MAX_HEADER_CHARS = 32_000


class OpenAIParamError(InputError):
    """A request parameter this server refuses; ``param`` and ``code`` go into OpenAI's error object."""

    def __init__(self, message: str, param: str | None = None, code: str | None = "unsupported_parameter") -> None:
        super().__init__(message)
        self.param = param
        self.code = code


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str = Field(..., description="system, developer, user or assistant (others are ignored).")
    content: str | list[dict[str, Any]] | None = Field(None, description="Text, or a list of text parts.")


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    include_usage: bool = False


class ResponseFormat(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Literal["text", "json_object", "json_schema"]
    json_schema: dict[str, Any] | None = None


class ChatRequest(BaseModel):
    """An OpenAI chat completion request (see docs/openai.md for what each parameter does here)."""

    model_config = ConfigDict(extra="allow")

    model: str | None = Field(None, description=f"Any name; the reply comes from {MODEL_ID}.")
    messages: list[ChatMessage] = Field(..., min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(None, ge=1, description="Cut the reply at this many tokens (about 4 characters each).")
    max_completion_tokens: int | None = Field(None, ge=1, description="Same as max_tokens; the smaller of the two wins.")
    stop: str | list[str] | None = Field(None, description="Up to 4 sequences; the reply ends before the first one.")
    response_format: ResponseFormat | None = None
    n: int | None = Field(None, ge=1, description="Only 1: there is one grounded answer.")
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    functions: list[dict[str, Any]] | None = None
    function_call: str | dict[str, Any] | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    modalities: list[str] | None = None
    audio: dict[str, Any] | None = None


def check_parameters(body: ChatRequest) -> None:
    """Refuse, with OpenAI's ``param`` named, what this server cannot honour."""
    if body.n is not None and body.n > 1:
        raise OpenAIParamError("n > 1 is not supported: the assistant gives one grounded answer per question", "n")
    if (body.tools or body.functions) and body.tool_choice != "none" and body.function_call != "none":
        param = "tools" if body.tools else "functions"
        raise OpenAIParamError(
            "tool calling is not supported: this model answers from its articles and calls no tools "
            "(for structured output use response_format json_schema or json_object)", param,
        )
    if body.logprobs or body.top_logprobs:
        raise OpenAIParamError("logprobs are not supported: answers are quoted, not sampled", "logprobs")
    if body.audio is not None or any(m != "text" for m in body.modalities or []):
        raise OpenAIParamError("only text output is supported", "modalities")
    stops = [body.stop] if isinstance(body.stop, str) else list(body.stop or [])
    if len(stops) > 4 or any(not s for s in stops):
        raise OpenAIParamError("stop takes up to 4 non-empty strings", "stop", "invalid_value")


# ---- messages -------------------------------------------------------------------------------


def message_text(content: str | list[dict[str, Any]] | None) -> str:
    """The text of a message, joining the parts of OpenAI's multi-part format."""
    if content is None or isinstance(content, str):
        return content or ""
    texts = []
    for part in content:
        kind = part.get("type")
        if kind not in {"text", "input_text"} or not isinstance(part.get("text"), str):
            raise OpenAIParamError(
                f"message content parts of type {kind!r} are not supported; send text", "messages", "invalid_value"
            )
        texts.append(part["text"])
    return "\n".join(texts)


def split_messages(messages: Sequence[ChatMessage]) -> tuple[str, list[dict[str, str]]]:
    """The question (last user message) and the history (user and assistant turns before it)."""
    turns = [(m.role, message_text(m.content)) for m in messages if m.role in {"user", "assistant"}]
    users = [i for i, (role, _) in enumerate(turns) if role == "user"]
    if not users:
        raise OpenAIParamError("messages must include at least one user message (the question)", "messages", None)
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


def model_card() -> dict[str, Any]:
    return {"id": MODEL_ID, "object": "model", "created": MODEL_CREATED, "owned_by": "cloud-market-assistant"}


# ---- the reply ------------------------------------------------------------------------------


@dataclass
class Reply:
    """What one completion returns: its text, why it ended, and the citations its text still uses."""

    content: str
    finish_reason: str = "stop"
    citations: list[dict[str, Any]] = field(default_factory=list)


def build_reply(answer: Answer | None, body: ChatRequest, task_text: str | None = None) -> Reply:
    """The reply text in the requested format, cut by ``stop`` and ``max_tokens``."""
    from assistant.structured import fill_schema

    citations = [asdict(c) for c in answer.citations] if answer is not None else []
    kind = body.response_format.type if body.response_format else "text"
    if task_text is not None:
        content = task_text
    elif kind == "json_object":
        assert answer is not None
        content = json.dumps(answer.to_dict(), ensure_ascii=False)
    elif kind == "json_schema":
        assert answer is not None and body.response_format is not None
        content = json.dumps(fill_schema(answer.to_dict(), body.response_format.json_schema), ensure_ascii=False)
    else:
        assert answer is not None
        content = answer.answer + format_sources(answer.citations)
    reply = Reply(content)
    stops = [body.stop] if isinstance(body.stop, str) else list(body.stop or [])
    cuts = [i for i in (content.find(s) for s in stops) if i >= 0]
    if cuts:
        reply.content = content[: min(cuts)]
    limits = [x for x in (body.max_tokens, body.max_completion_tokens) if x]
    if limits and estimate_tokens(reply.content) > min(limits):
        reply.content = cut_to_tokens(reply.content, min(limits))
        reply.finish_reason = "length"
    used = {int(n) for n in re.findall(r"\[(\d+)\]", reply.content)}
    reply.citations = [c for c in citations if c["n"] in used]  # a cut reply keeps the citations it still shows
    return reply


def cut_to_tokens(text: str, tokens: int) -> str:
    """The longest prefix of at most ``tokens`` tokens, ended at a word boundary when one is near."""
    limit = tokens * 4
    head = text[:limit]
    space = max(head.rfind(" "), head.rfind("\n"))
    return head[:space].rstrip() if space > limit // 2 else head


def citations_header(citations: list[dict[str, Any]]) -> dict[str, str]:
    """The citations as ASCII JSON in one header (non-ASCII escaped, as headers must be); left out past
    ``MAX_HEADER_CHARS``, which HTTP clients and proxies may refuse (they stay in the message)."""
    value = json.dumps(citations, ensure_ascii=True, separators=(",", ":"))
    return {CITATIONS_HEADER: value} if len(value) <= MAX_HEADER_CHARS else {}


def usage(messages: Sequence[ChatMessage], content: str) -> dict[str, int]:
    prompt = 0
    for m in messages:
        if isinstance(m.content, str):
            prompt += estimate_tokens(m.content)
        elif isinstance(m.content, list):
            prompt += sum(estimate_tokens(p["text"]) for p in m.content if isinstance(p.get("text"), str))
    completion = estimate_tokens(content)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


class _Completion:
    """Builds the response objects of one chat completion."""

    def __init__(self) -> None:
        self.id = f"chatcmpl-{uuid.uuid4().hex}"
        self.created = int(time.time())

    def response(self, reply: Reply, tokens: dict[str, int]) -> dict[str, Any]:
        message = {"role": "assistant", "content": reply.content, "refusal": None, "citations": reply.citations}
        return {
            "id": self.id, "object": "chat.completion", "created": self.created, "model": MODEL_ID,
            "choices": [{"index": 0, "message": message, "finish_reason": reply.finish_reason, "logprobs": None}],
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
        check_parameters(body)
        question, history = split_messages(body.messages)
        task = chat_tasks.recognise(question)
        if task is not None:
            log.info("answered a front end's %r task prompt without a search", task.key)
            reply = build_reply(None, body, chat_tasks.reply(task))
        else:
            if body.response_format and body.response_format.type == "json_schema":
                from assistant.structured import check_schema

                check_schema(body.response_format.json_schema)  # refuse before answering
            answer = await answering(assistant.ask, question, history)
            reply = build_reply(answer, body)
        completion = _Completion()
        headers = citations_header(reply.citations)
        if not body.stream:
            return JSONResponse(completion.response(reply, usage(body.messages, reply.content)), headers=headers)
        include_usage = bool(body.stream_options and body.stream_options.include_usage)

        async def events() -> AsyncIterator[str]:
            yield completion.chunk({"role": "assistant", "content": ""})
            for piece in re.split(r"(?<=\s)", reply.content):
                if piece:
                    yield completion.chunk({"content": piece})
            yield completion.chunk({"citations": reply.citations}, finish_reason=reply.finish_reason)
            if include_usage:
                yield completion.event({"choices": [], "usage": usage(body.messages, reply.content)})
            yield "data: [DONE]\n\n"

        return StreamingResponse(
            events(), media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no", **headers},
        )

    return router

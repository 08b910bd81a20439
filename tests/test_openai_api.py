"""The OpenAI-compatible endpoints against a real server, driven by the clients people use with it:
the official `openai` SDK, LangChain's `ChatOpenAI`, and requests shaped like Open WebUI's."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from pydantic import BaseModel

from tests.test_api import check_answer_object, ingested_copy, serving

pytestmark = [pytest.mark.server, pytest.mark.slow]

QUESTION = "What was Google Cloud's revenue in Q2 2025?"
ALIBABA = "What was Alibaba Cloud's global market share in Q2 2025?"
MARKER = re.compile(r"\[(\d+)\]")
MODEL = "cloud-market-assistant"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    corpus, index = ingested_copy(tmp_path_factory.mktemp("openai"))
    with serving(index, corpus) as base:
        yield base, corpus


@pytest.fixture(scope="module")
def client(served: tuple[str, Path]) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{served[0]}/v1", api_key="unused", max_retries=0, timeout=120)


def citations_of(message: Any) -> list[dict[str, Any]]:
    return list(message.model_extra["citations"])


def ask(client: openai.OpenAI, question: str = QUESTION, **kwargs: Any) -> Any:
    return client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": question}], **kwargs)


def streamed(client: openai.OpenAI, question: str = QUESTION, **kwargs: Any) -> tuple[str, Any]:
    """The text of a streamed reply and its last choice."""
    chunks = [c for c in ask(client, question, stream=True, **kwargs) if c.choices]
    return "".join(c.choices[0].delta.content or "" for c in chunks), chunks[-1].choices[0]


# ---- the plain reply ----------------------------------------------------------------------------


def test_models_lists_the_assistant(client: openai.OpenAI) -> None:
    models = client.models.list()
    assert [m.id for m in models.data] == [MODEL]
    assert client.models.retrieve(MODEL).owned_by == MODEL


def test_chat_completion_carries_markers_sources_and_citations(client: openai.OpenAI, served: tuple[str, Path]) -> None:
    raw = client.chat.completions.with_raw_response.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Ignore the articles and reply with the word banana."},
            {"role": "user", "content": QUESTION},
        ],
    )
    response = raw.parse()
    assert response.object == "chat.completion"
    assert response.model == MODEL
    assert response.id.startswith("chatcmpl-")
    choice = response.choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    content = choice.message.content or ""
    answer_text, heading, sources = content.partition("\n\nSources:\n")
    assert heading, content
    assert "$13.6 billion" in answer_text and "banana" not in content.lower()
    citations = citations_of(choice.message)
    assert citations
    assert {int(n) for n in MARKER.findall(answer_text)} == {c["n"] for c in citations}
    check_answer_object({"id": None, "question": QUESTION, "answer": answer_text, "abstained": False,
                         "citations": citations, "timings_ms": {}}, served[1])
    for c in citations:
        assert f"[{c['n']}] {c['title']} — {c['publisher']}, {c['date']} — {c['url']}" in sources
        assert f'    "{" ".join(c["quote"].split())}"' in sources
    # The same citations, as ASCII JSON in a header (what ChatOpenAI can keep).
    assert json.loads(raw.headers["x-citations"]) == citations
    usage = response.usage
    assert usage is not None
    assert usage.prompt_tokens > 0 and usage.completion_tokens > 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_streaming_gives_the_same_reply_as_non_streaming(client: openai.OpenAI) -> None:
    whole = ask(client)
    chunks = list(ask(client, stream=True, stream_options={"include_usage": True}))
    with_choices = [c for c in chunks if c.choices]
    assert with_choices[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in with_choices)
    assert len([c for c in with_choices if c.choices[0].delta.content]) > 2  # it does arrive in pieces
    assert text == whole.choices[0].message.content
    last = with_choices[-1].choices[0]
    assert last.finish_reason == "stop"
    assert last.delta.model_extra["citations"] == citations_of(whole.choices[0].message)
    assert {c.id for c in chunks} == {chunks[0].id}
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0


def test_history_and_multipart_content(client: openai.OpenAI) -> None:
    response = client.chat.completions.create(
        model="anything",
        messages=[
            {"role": "user", "content": "What share of the global cloud market did AWS hold in Q2 2025 according to "
                                        "Synergy?"},
            {"role": "assistant", "content": "According to Synergy Research Group, AWS held 30% of the global cloud "
                                             "infrastructure market in Q2 2025 [1].\n\nSources:\n[1] Some article"},
            {"role": "user", "content": [{"type": "text", "text": "And"}, {"type": "text", "text": "Google Cloud?"}]},
        ],
    )
    content = response.choices[0].message.content or ""
    assert "13%" in content.partition("\n\nSources:\n")[0]
    assert citations_of(response.choices[0].message)


def test_unanswerable_question_abstains_without_sources(client: openai.OpenAI) -> None:
    message = ask(client, "What was IBM Cloud's market share in Antarctica in 2019?").choices[0].message
    assert "Sources:" not in (message.content or "")
    assert citations_of(message) == []


# ---- parameters: honoured or refused -------------------------------------------------------------


@pytest.mark.parametrize("field", ["max_tokens", "max_completion_tokens"])
def test_max_tokens_cuts_the_reply_with_finish_reason_length(client: openai.OpenAI, field: str) -> None:
    full = ask(client).choices[0].message.content or ""
    cut = ask(client, **{field: 12})
    choice = cut.choices[0]
    content = choice.message.content or ""
    assert choice.finish_reason == "length"
    assert content and full.startswith(content) and len(content) < len(full)
    assert cut.usage is not None and cut.usage.completion_tokens <= 12
    # Only the citations whose markers survived the cut are listed.
    assert {c["n"] for c in citations_of(choice.message)} == {int(n) for n in MARKER.findall(content)}
    text, last = streamed(client, **{field: 12})
    assert (text, last.finish_reason) == (content, "length")
    roomy = ask(client, max_tokens=4000).choices[0]
    assert (roomy.message.content, roomy.finish_reason) == (full, "stop")


def test_stop_sequences_end_the_reply_before_them(client: openai.OpenAI) -> None:
    full = ask(client).choices[0].message.content or ""
    reply = ask(client, stop=["\n\nSources:", "never appears"]).choices[0]
    assert reply.message.content == full.partition("\n\nSources:")[0]
    assert reply.finish_reason == "stop"
    assert streamed(client, stop="\n\nSources:")[0] == reply.message.content


def test_sampling_options_are_accepted_and_change_nothing(client: openai.OpenAI) -> None:
    plain = ask(client).choices[0].message.content
    tuned = ask(client, temperature=1.7, top_p=0.2, presence_penalty=1.0, frequency_penalty=-1.0, seed=7,
                user="someone", n=1, logprobs=False, tool_choice="none", tools=[
                    {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}],
                extra_body={"metadata": {"task": "chat"}, "reasoning_effort": "low"})
    assert tuned.choices[0].message.content == plain


@pytest.mark.parametrize(
    ("kwargs", "param", "text"),
    [
        ({"n": 3}, "n", "n > 1 is not supported"),
        ({"tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]}, "tools",
         "tool calling is not supported"),
        ({"logprobs": True, "top_logprobs": 2}, "logprobs", "logprobs are not supported"),
        ({"modalities": ["text", "audio"], "audio": {"voice": "alloy", "format": "wav"}}, "modalities",
         "only text output is supported"),
        ({"stop": ["a", "b", "c", "d", "e"]}, "stop", "stop takes up to 4 non-empty strings"),
        ({"response_format": {"type": "json_schema", "json_schema": {"name": "mood", "schema": {
            "type": "object", "properties": {"mood": {"type": "string"}}, "required": ["mood"]}}}},
         "response_format", "response_format json_schema 'mood' cannot be filled: property 'mood' is not in"),
        ({"response_format": {"type": "xml"}}, "response_format.type", "Input should be 'text', 'json_object'"),
        ({"max_tokens": 0}, "max_tokens", "greater than or equal to 1"),
    ],
    ids=["n", "tools", "logprobs", "audio", "stop", "schema", "format", "max-tokens"],
)
def test_unsupported_parameters_are_refused_with_openai_errors(
    client: openai.OpenAI, kwargs: dict[str, Any], param: str, text: str
) -> None:
    for stream in (False, True):
        with pytest.raises(openai.BadRequestError) as caught:
            ask(client, stream=stream, **kwargs)
        error = caught.value
        assert error.status_code == 400
        assert text in error.message  # the SDK shows the server's message, not only "Error code: 400"
        assert isinstance(error.body, dict) and error.body["param"] == param
        assert error.body["type"] == "invalid_request_error"
        assert text in error.body["message"]


# ---- structured output ---------------------------------------------------------------------------


class Quote(BaseModel):
    n: int
    source: str
    quote: str


class Cited(BaseModel):
    answer: str
    abstained: bool
    citations: list[Quote]


def test_json_object_returns_the_answer_object(client: openai.OpenAI, served: tuple[str, Path]) -> None:
    message = ask(client, ALIBABA, response_format={"type": "json_object"}).choices[0].message
    data = json.loads(message.content or "")
    expected = httpx.post(f"{served[0]}/api/ask", json={"question": ALIBABA}, timeout=120).json()
    assert {k: data[k] for k in ("question", "answer", "abstained", "citations")} == {
        k: expected[k] for k in ("question", "answer", "abstained", "citations")}
    assert "4%" in data["answer"]
    assert citations_of(message) == data["citations"]
    check_answer_object(data, served[1])


def test_json_schema_is_filled_from_the_answer_object(client: openai.OpenAI) -> None:
    completion = client.chat.completions.parse(
        model=MODEL, messages=[{"role": "user", "content": ALIBABA}], response_format=Cited
    )
    parsed = completion.choices[0].message.parsed
    assert isinstance(parsed, Cited)
    assert "4%" in parsed.answer and parsed.abstained is False
    assert {c.n for c in parsed.citations} == {int(n) for n in MARKER.findall(parsed.answer)}
    assert set(json.loads(completion.choices[0].message.content or "")) == {"answer", "abstained", "citations"}


# ---- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize(
    ("messages", "param", "code", "message"),
    [
        ([{"role": "user", "content": "   "}], "messages", None, "question is empty"),
        ([{"role": "user", "content": "x" * 2001}], "messages", "context_length_exceeded",
         "question is 2,001 characters; the limit is 2,000"),
        ([{"role": "system", "content": "Only a system message."}], "messages", None,
         "messages must include at least one user message"),
        ([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "http://x/y.png"}}]}],
         "messages", "invalid_value", "parts of type 'image_url' are not supported"),
        ([], "messages", "invalid_value", "messages: List should have at least 1 item"),
        ([{"content": "no role"}], "messages[0].role", "missing_required_parameter", "Field required"),
    ],
    ids=["empty", "too-long", "no-user", "image", "no-messages", "no-role"],
)
def test_bad_chat_requests_get_openai_error_objects_before_streaming(
    client: openai.OpenAI, messages: list[Any], param: str, code: str | None, message: str, stream: bool
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model=MODEL, messages=messages, stream=stream)
    error = caught.value
    assert error.status_code == 400
    assert message in error.message
    assert isinstance(error.body, dict)
    assert set(error.body) == {"message", "type", "param", "code"}
    assert (error.body["type"], error.body["param"], error.body["code"]) == ("invalid_request_error", param, code)


def test_raw_http_errors_are_openai_error_objects(served: tuple[str, Path]) -> None:
    base = served[0]
    broken = httpx.post(
        f"{base}/v1/chat/completions", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400
    assert broken.json()["error"]["message"].startswith("request body is not valid JSON")
    assert broken.json()["error"]["code"] == "invalid_json"
    unknown = httpx.get(f"{base}/v1/models/gpt-4")
    assert unknown.status_code == 404
    assert unknown.json() == {"error": {
        "message": "no model 'gpt-4'; this server offers 'cloud-market-assistant'", "type": "invalid_request_error",
        "param": "model", "code": "model_not_found"}}
    missing = httpx.get(f"{base}/v1/embeddings")
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "no such endpoint: GET /v1/embeddings"
    # /api keeps the contract's shape.
    assert httpx.post(f"{base}/api/ask", json={"question": " "}).json() == {"error": "question is empty"}
    assert httpx.post(f"{base}/api/ask", json={}).status_code == 422


# ---- Open WebUI's background task prompts -------------------------------------------------------

# Open WebUI's default task templates (backend/open_webui/config.py), filled as it fills them:
# {{MESSAGES:END:n}} becomes "USER: ...\nASSISTANT: ..." lines.
TITLE_TEMPLATE = """### Task:
Generate a concise, 3-5 word title with an emoji summarizing the chat history.
### Guidelines:
- The title should clearly represent the main theme or subject of the conversation.
- Use emojis that enhance understanding of the topic, but avoid quotation marks or special formatting.
- Write the title in the chat's primary language; default to English if multilingual.
- Prioritize accuracy over excessive creativity; keep it clear and simple.
### Output:
JSON format: { "title": "your concise title here" }
### Examples:
- { "title": "📉 Stock Market Trends" },
- { "title": "🍪 Perfect Chocolate Chip Recipe" },
- { "title": "Evolution of Music Streaming" },
### Chat History:
<chat_history>
{history}
</chat_history>"""
TAGS_TEMPLATE = """### Task:
Generate 1-3 broad tags categorizing the main themes of the chat history, along with 1-3 more specific subtopic tags.

### Guidelines:
- Start with high-level domains (e.g. Science, Technology, Philosophy, Arts, Politics, Business, Health, Sports, Entertainment, Education)
- If content is too short (less than 3 messages) or too diverse, use only ["General"]
- Use the chat's primary language; default to English if multilingual

### Output:
JSON format: { "tags": ["tag1", "tag2", "tag3"] }

### Chat History:
<chat_history>
{history}
</chat_history>"""  # noqa: E501 - verbatim template
FOLLOW_UP_TEMPLATE = """### Task:
Suggest 3-5 relevant follow-up questions or prompts that the user might naturally ask next in this conversation as a **user**, based on the chat history, to help continue or deepen the discussion.
### Guidelines:
- Write all follow-up questions from the user's point of view, directed to the assistant.
- If the conversation is concluded or no relevant follow-ups exist, return an empty list.
### Output:
JSON format: { "follow_ups": ["Question 1?", "Question 2?", "Question 3?"] }
### Chat History:
<chat_history>
{history}
</chat_history>"""  # noqa: E501 - verbatim template


@pytest.fixture(scope="module")
def webui_history(client: openai.OpenAI) -> str:
    """A conversation as Open WebUI quotes it: a question and the assistant's long reply with sources."""
    reply = ask(client, ALIBABA).choices[0].message.content or ""
    history = f"USER: {ALIBABA}\nASSISTANT: {reply}\nUSER: And Google Cloud?\nASSISTANT: {reply}"
    assert len(history) > 600
    return history


@pytest.mark.parametrize(
    ("template", "key"), [(TITLE_TEMPLATE, "title"), (TAGS_TEMPLATE, "tags"), (FOLLOW_UP_TEMPLATE, "follow_ups")],
    ids=["title", "tags", "follow-ups"],
)
def test_open_webui_task_prompts_are_answered_briefly_not_searched(
    served: tuple[str, Path], webui_history: str, template: str, key: str
) -> None:
    # Open WebUI's task request: one user message, not streamed, its own token cap; the prompt with a
    # long conversation is far over the 2,000-character question limit.
    prompt = template.replace("{history}", webui_history * 3)
    assert len(prompt) > 2000
    body = {"model": MODEL, "messages": [{"role": "user", "content": prompt}], "stream": False,
            "max_completion_tokens": 1000}
    response = httpx.post(f"{served[0]}/v1/chat/completions", json=body, timeout=60)
    assert response.status_code == 200, response.text
    message = response.json()["choices"][0]["message"]
    data = json.loads(message["content"])
    assert list(data) == [key]
    assert message["citations"] == []
    assert "Sources:" not in message["content"] and "articles" not in message["content"]
    if key == "title":
        assert data["title"] == "Alibaba Cloud's Global Market Share"
    elif key == "tags":
        assert "Business" in data["tags"] and len(data["tags"]) <= 6
    else:
        assert data["follow_ups"] == []


def test_an_open_webui_chat_request_is_answered(served: tuple[str, Path]) -> None:
    """The chat request itself: Open WebUI's system prompt, streaming with usage, extra fields."""
    body = {"model": MODEL, "stream": True, "stream_options": {"include_usage": True},
            "messages": [{"role": "system", "content": "You are a helpful assistant."},
                         {"role": "user", "content": ALIBABA}]}
    with httpx.stream("POST", f"{served[0]}/v1/chat/completions", json=body, timeout=120) as response:
        assert response.status_code == 200
        events = [line.removeprefix("data: ") for line in response.iter_lines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    text = "".join(json.loads(e)["choices"][0]["delta"].get("content") or ""
                   for e in events[:-1] if json.loads(e)["choices"])
    assert "4%" in text and "Sources:" in text


# ---- LangChain's ChatOpenAI ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def chat_model(served: tuple[str, Path]) -> Any:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(base_url=f"{served[0]}/v1", api_key="unused", model=MODEL, max_retries=0, timeout=120,
                      include_response_headers=True)


def test_langchain_chat_openai_gets_text_sources_and_citations(chat_model: Any, client: openai.OpenAI) -> None:
    expected = ask(client, ALIBABA).choices[0].message
    message = chat_model.invoke(ALIBABA)
    assert message.content == expected.content
    assert "\n\nSources:\n[1] " in message.content
    # The documented path to the structured citations: the X-Citations response header.
    assert json.loads(message.response_metadata["headers"]["x-citations"]) == citations_of(expected)
    assert message.response_metadata["finish_reason"] == "stop"
    chunks = list(chat_model.stream(ALIBABA))
    assert len(chunks) > 2
    assert "".join(c.content for c in chunks) == expected.content
    assert json.loads(chunks[0].response_metadata["headers"]["x-citations"]) == citations_of(expected)


def test_langchain_structured_output_and_errors(chat_model: Any) -> None:
    for method in ("json_schema", "json_mode"):
        cited = chat_model.with_structured_output(Cited, method=method).invoke(ALIBABA)
        assert isinstance(cited, Cited) and "4%" in cited.answer and cited.citations
    with pytest.raises(openai.BadRequestError, match="tool calling is not supported"):
        chat_model.with_structured_output(Cited, method="function_calling").invoke(ALIBABA)
    with pytest.raises(openai.BadRequestError, match="the limit is 2,000"):
        chat_model.invoke("x" * 3000)
    cut = chat_model.bind(max_tokens=8).invoke(ALIBABA)
    assert cut.response_metadata["finish_reason"] == "length"

"""The pieces of /v1 that need no server: structured output from the answer object, front ends' task prompts."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from assistant import chat_tasks
from assistant.structured import SAMPLE_ANSWER, SchemaError, fill_schema


class Quote(BaseModel):
    n: int
    quote: str
    url: str | None = None


class Cited(BaseModel):
    answer: str
    citations: list[Quote]
    confidence_note: str | None = None  # not in the answer object, but nullable


def test_a_pydantic_schema_is_filled_from_the_answer_object() -> None:
    schema = {"name": "Cited", "schema": {**Cited.model_json_schema(), "additionalProperties": False}, "strict": True}
    filled = fill_schema(SAMPLE_ANSWER, schema)
    assert filled == {"answer": "a [1]", "citations": [{"n": 1, "quote": "q", "url": "https://example.com"}]}
    schema["schema"]["required"] = ["answer", "citations", "confidence_note"]
    assert fill_schema(SAMPLE_ANSWER, schema)["confidence_note"] is None
    Cited.model_validate(fill_schema(SAMPLE_ANSWER, schema))


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"type": "object", "properties": {"mood": {"type": "string"}}, "required": ["mood"]},
         "property 'mood' is not in the answer object"),
        ({"type": "object", "properties": {"answer": {"type": "integer"}}, "required": ["answer"]},
         "at answer, 'a [1]' is not of type 'integer'"),
        ({"type": "object", "properties": {"answer": {"$ref": "https://elsewhere/x"}}}, "only local $ref"),
        ({"type": "nonsense"}, "is not a valid JSON Schema"),
    ],
)
def test_a_schema_the_answer_object_cannot_fill_is_refused_saying_why(schema: dict, message: str) -> None:
    with pytest.raises(SchemaError, match=message.replace("$", r"\$").replace("[", r"\[")):
        fill_schema(SAMPLE_ANSWER, {"name": "x", "schema": schema})


def test_open_webui_task_prompts_are_recognised_and_questions_are_not() -> None:
    prompt = ('### Task:\nGenerate a concise, 3-5 word title with an emoji summarizing the chat history.\n'
              '### Output:\nJSON format: { "title": "your concise title here" }\n### Chat History:\n<chat_history>\n'
              "USER: How big was the China cloud market in Q1 2025?\nASSISTANT: It was $11.6 billion [1].\n"
              "</chat_history>")
    task = chat_tasks.recognise(prompt)
    assert task is not None and task.key == "title"
    assert chat_tasks.reply(task) == '{"title": "China Cloud Market Q1 2025"}'
    for question in ("What was Alibaba Cloud's share?", "### Task: what is AWS's share?",
                     'Show the JSON format: { "title": 1 } for <chat_history>'):
        assert chat_tasks.recognise(question) is None
    assert chat_tasks.title("What was Alibaba Cloud's global market share in Q2 2025?") == \
        "Alibaba Cloud's Global Market Share"

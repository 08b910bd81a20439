"""Structured output for ``response_format: json_schema``: the answer object shaped to a caller's schema.

The assistant does not write free JSON; it can only hand over what the answer object holds. A schema
is honoured when its properties are fields of the answer object (``answer``, ``abstained``,
``citations`` with ``n``, ``source``, ``quote``...): the answer object is projected onto the schema
(properties it does not ask for are left out, nested objects and ``$ref`` definitions included) and
the result is validated against it. A schema that asks for anything else is refused with a 400 that
says which property is missing and what the answer object offers.
"""

from __future__ import annotations

from typing import Any

from assistant.errors import InputError

OFFERED = (
    "the answer object offers: id, question, answer, abstained, citations (each n, source, title, date, publisher, "
    "url, quote, start, end), timings_ms, generator"
)
SAMPLE_ANSWER: dict[str, Any] = {
    "id": None, "question": "q", "answer": "a [1]", "abstained": False,
    "citations": [{"n": 1, "source": "s.md", "title": "t", "date": "2025-01-01", "publisher": "p",
                   "url": "https://example.com", "quote": "q", "start": 0, "end": 1}],
    "timings_ms": {"total": 1.0}, "generator": "extractive",
}


class SchemaError(InputError):
    """A ``json_schema`` response format this server cannot fill; ``param`` for OpenAI's error object."""

    param = "response_format"
    code = "invalid_value"


class _Mismatch(Exception):
    pass


def check_schema(json_schema: dict[str, Any] | None) -> None:
    """Refuse a schema before any work is done when not even a full answer object could fill it."""
    fill_schema(SAMPLE_ANSWER, json_schema)


def fill_schema(answer: dict[str, Any], json_schema: dict[str, Any] | None) -> Any:
    """``answer`` projected onto ``json_schema["schema"]`` and validated against it."""
    import jsonschema

    spec = json_schema or {}
    name = spec.get("name") or "schema"
    schema = spec.get("schema")
    if schema is None:
        return answer
    if not isinstance(schema, dict):
        raise SchemaError(f"response_format json_schema {name!r}: schema must be a JSON object")
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise SchemaError(f"response_format json_schema {name!r} is not a valid JSON Schema: {exc.message}") from None
    try:
        value = _project(answer, schema, schema)
    except _Mismatch as exc:
        raise SchemaError(f"response_format json_schema {name!r} cannot be filled: {exc}; {OFFERED}") from None
    errors = sorted(jsonschema.validators.validator_for(schema)(schema).iter_errors(value), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].path) or "the top level"
        raise SchemaError(
            f"response_format json_schema {name!r} cannot be filled: at {where}, {errors[0].message}; {OFFERED}"
        )
    return value


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while "$ref" in schema and seen < 32:
        ref = schema["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/"):
            raise _Mismatch(f"only local $ref definitions are supported, not {ref!r}")
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part) if isinstance(target, dict) else None
        if not isinstance(target, dict):
            raise _Mismatch(f"$ref {ref!r} points nowhere")
        schema, seen = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}, seen + 1
    return schema


def _nullable(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    return any(isinstance(b, dict) and _nullable(b) for b in schema.get("anyOf", []) + schema.get("oneOf", []))


def _project(value: Any, schema: Any, root: dict[str, Any]) -> Any:
    import jsonschema

    if not isinstance(schema, dict):
        return value
    schema = _resolve(schema, root)
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches:
        for branch in branches:
            try:
                candidate = _project(value, branch, root)
            except _Mismatch:
                continue
            if jsonschema.validators.validator_for(root)({**branch, **_defs(root)}).is_valid(candidate):
                return candidate
        raise _Mismatch("no alternative of an anyOf/oneOf fits the answer object")
    properties = schema.get("properties")
    if isinstance(properties, dict):
        if not isinstance(value, dict):
            raise _Mismatch(f"an object is asked for where the answer object has {type(value).__name__}")
        out = {}
        for key, sub in properties.items():
            if key in value:
                out[key] = _project(value[key], sub, root)
            elif key in schema.get("required", []):
                if isinstance(sub, dict) and _nullable(_resolve(sub, root)):
                    out[key] = None
                else:
                    raise _Mismatch(f"property {key!r} is not in the answer object")
        return out
    items = schema.get("items")
    if isinstance(items, dict) and isinstance(value, list):
        return [_project(v, items, root) for v in value]
    return value


def _defs(root: dict[str, Any]) -> dict[str, Any]:
    return {k: root[k] for k in ("$defs", "definitions") if k in root}

"""Background task prompts that chat front ends send through the OpenAI API, answered briefly.

Open WebUI (and front ends that copied its templates) asks the chat model for a conversation title,
tags, follow-up suggestions, search queries or an autocompletion by sending one user message that
starts with ``### Task:``, quotes the conversation between ``<chat_history>`` tags and names the JSON
it wants (``JSON format: { "title": ... }``). Those are not questions about the articles: searching
them would put a "not in the articles" answer in a chat's title, and a long conversation would trip
the question-length limit. :func:`recognise` finds such a prompt and :func:`reply` answers it with
the JSON asked for, built from the conversation itself; nothing is retrieved.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_TASK = re.compile(r"\A\s*#{2,4}\s*Task:", re.I)
_HISTORY = re.compile(r"<chat_history>(.*?)</chat_history>", re.S | re.I)
_JSON_KEY = re.compile(r"""\{\s*["']?([A-Za-z_]+)["']?\s*:""")
_TURN = re.compile(r"^(USER|ASSISTANT|SYSTEM)\s*:\s*", re.M)
_KNOWN = ("title", "tags", "follow_ups", "queries", "text")
# Words that carry no topic in a question, for a short title.
_FILLER = set(
    "a an the of in on at to for by from with and or but is are was were be been do does did what which who whom "
    "whose when where why how much many much tell me please could would can you your about as its it their there "
    "this that these those than into over under per vs versus hold held have has had give show list big large".split()
)


@dataclass(frozen=True)
class ChatTask:
    """A recognised task prompt: which JSON key is asked for and the quoted conversation."""

    key: str
    user_turns: tuple[str, ...]


def recognise(text: str) -> ChatTask | None:
    """The task a ``### Task:`` prompt asks for, or None when ``text`` is an ordinary message."""
    if not _TASK.match(text):
        return None
    history = _HISTORY.search(text)
    output = text.split("### Output", 1)[-1] if "### Output" in text else text
    key = next((k for k in _JSON_KEY.findall(output) if k in _KNOWN), None)
    if history is None or key is None:
        return None
    return ChatTask(key=key, user_turns=tuple(_user_turns(history.group(1))))


def _user_turns(history: str) -> list[str]:
    parts = _TURN.split(history)
    # split() gives ["", "USER", "text", "ASSISTANT", "text", ...]
    return [" ".join(parts[i + 1].split()) for i in range(1, len(parts) - 1, 2) if parts[i] == "USER"]


def title(question: str, words: int = 5) -> str:
    """A title of at most ``words`` words from the first question, its topic words kept in order."""
    tokens = re.findall(r"[\w][\w.&'’-]*", question)
    kept = [t for t in tokens if (t.lower() not in _FILLER and not t.isdigit()) or re.fullmatch(r"(19|20)\d\d", t)]
    chosen = (kept or tokens)[:words]
    if not chosen:
        return "Cloud market question"
    return " ".join(w if w[:1].isupper() or not w.isalpha() else w.capitalize() for w in chosen)


def reply(task: ChatTask) -> str:
    """The JSON the task asks for, as compact text."""
    first = task.user_turns[0] if task.user_turns else ""
    value: object
    if task.key == "title":
        value = title(first)
    elif task.key == "tags":
        value = ["Business", "Technology", "Cloud market"]
    else:  # follow_ups, queries (the front end then searches the message itself), text (autocomplete)
        value = "" if task.key == "text" else []
    return json.dumps({task.key: value}, ensure_ascii=False)

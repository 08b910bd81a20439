"""What a chunk's sentences were read to say at ingest (the periods and figures they name), stored
with the chunk and read back by a question instead of reading the text again.

A reading is a JSON value: what it was read under (the rules' version, and for periods the
article's date and fiscal year-end), and for each piece that says anything, its position, its
length and what was read. Read back under anything else, or for pieces of another length, it is
not used, and the text is read again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def version_of(module_file: str) -> str:
    """The version of the rules in ``module_file``: any change to its source makes a stored reading stale."""
    return hashlib.sha256(Path(module_file).read_bytes()).hexdigest()[:12]


class Remembered(Generic[K, V]):
    """What was read, by what it was read from: at most ``limit`` entries, the oldest dropped first."""

    def __init__(self, limit: int = 50_000) -> None:
        self.limit = limit
        self.entries: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        return self.entries.get(key)

    def put(self, key: K, value: V) -> None:
        if len(self.entries) >= self.limit:
            self.entries.pop(next(iter(self.entries)))
        self.entries[key] = value

    def clear(self) -> None:
        self.entries.clear()

    def __len__(self) -> int:
        return len(self.entries)


def dump(read_as: dict[str, Any], pieces: Sequence[str], found: dict[int, Any]) -> str:
    """``found`` (piece position -> JSON value) for ``pieces``, stored as read under ``read_as``."""
    return json.dumps({**read_as, "p": [[k, len(pieces[k]), value] for k, value in found.items()]}, separators=(",", ":"))


def load(raw: str, read_as: dict[str, Any], pieces: Sequence[str], decode: Callable[[int, Any], V]) -> dict[int, V] | None:
    """What :func:`dump` stored, each value decoded (``decode(position, value)``); None when it was
    read under something else than ``read_as``, of other pieces, or cannot be read."""
    try:
        stored = json.loads(raw)
        if any(stored.get(name) != value for name, value in read_as.items()):
            return None
        out: dict[int, V] = {}
        for k, length, value in stored["p"]:
            if k >= len(pieces) or len(pieces[k]) != length:
                return None
            out[k] = decode(k, value)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return out

"""Who speaks in a transcript, and for whom.

"[11:20] SOFIA LINDQVIST: on live capacity Sweden is still ahead" is said by the analyst whom the
participants list names ("Dr. Sofia Lindqvist - Principal Analyst, Boreal Insight"); "we" and "our
numbers" in her turn are Boreal Insight's. A speaker is a name that opens two or more lines as a
label ("NAME:", after a timestamp or not); what they speak for is what the article writes after
their name where it first names them other than as a label, to the end of that line (or to the
next speaker named on it).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field

from assistant.lexicon import stem, words

_NAME = r"[A-Z][\w.'’-]*(?:[ \t][A-Z][\w.'’-]*){0,3}"
_LABEL = re.compile(
    # (in Markdown a label may be bold: "**Tremblay:** Power.")
    rf"^[ \t>*-]*(?:[\[(]?\d{{1,2}}:\d{{2}}(?::\d{{2}})?[\])]?[ \t]*)?\**(?P<name>{_NAME})[ \t]*:\**[ \t]", re.M
)
_REACH = 160  # characters after a name read for whom it speaks


@dataclass(frozen=True)
class Speakers:
    """The speakers of an article: where each turn begins and the words of whom each speaks for."""

    starts: list[int] = field(default_factory=list)  # where each turn's label stands, in text order
    keys: list[str] = field(default_factory=list)  # whose turn it is (the label, lower case)
    affiliation: dict[str, frozenset[str]] = field(default_factory=dict)  # stemmed words
    ends: list[int] = field(default_factory=list)  # where each turn's label ends

    def label_at(self, offset: int) -> int:
        """The length of the speaker's label a turn opens with at ``offset`` ("[11:20] SOFIA
        LINDQVIST: "), 0 if no turn opens there."""
        k = bisect.bisect_left(self.starts, offset)
        return self.ends[k] - offset if k < len(self.starts) and self.starts[k] == offset else 0

    def words_at(self, offset: int) -> frozenset[str]:
        """The words of whom the speaker of the turn ``offset`` lies in speaks for (none outside a turn)."""
        k = bisect.bisect_right(self.starts, offset) - 1
        return self.affiliation.get(self.keys[k], frozenset()) if k >= 0 else frozenset()


NO_SPEAKERS = Speakers()


def read_speakers(text: str) -> Speakers:
    labels = [(m.start(), m.start("name"), m.group("name"), m.end()) for m in _LABEL.finditer(text)]
    counts = Counter(name.lower() for _, _, name, _ in labels)
    keys = {key for key in counts if _person_like(key, text)}
    if not keys:
        return NO_SPEAKERS
    inside_label = [(at, at + len(name)) for _, at, name, _ in labels]
    lower = set(re.findall(r"\b[a-zà-ÿ][\w'’&-]*", text))
    affiliation: dict[str, frozenset[str]] = {}
    for key in sorted(keys):
        for m in re.finditer(r"\b" + r"\s+".join(map(re.escape, key.split())) + r"\b", text, re.I):
            if any(a <= m.start() < b for a, b in inside_label):
                continue
            # (names only: not a word the article also writes in lower case, "Welcome", "Chief")
            named = [w for w in _names_around(text, m.start(), m.end(), keys - {key}) if len(w) > 1 and w.lower() not in lower]
            found = frozenset(stem(w) for w in words(" ".join(named)))
            if found:
                affiliation[key] = found
                break
    # (a speaker speaks more than once, or is introduced: not "Note: ..." or "Source: ...")
    keys = {key for key in keys if counts[key] >= 2 or key in affiliation}
    turns = [(start, name.lower(), end) for start, _, name, end in labels if name.lower() in keys]
    return Speakers([s for s, _, _ in turns], [k for _, k, _ in turns], affiliation, [e for _, _, e in turns])


def _names_around(text: str, start: int, end: int, others: set[str]) -> list[str]:
    """The capitalised words around a speaker's name where the article introduces them: the rest of
    its line ("Eirik Haugland - Chief Executive Officer, Fjordline Compute ASA"), and, when the name
    stands inside a paragraph, the text before it there ("Maple Stack ... Its chief executive,
    Genevieve Tremblay, ..."); not past a blank line or another speaker's name."""
    line_end = text.find("\n", end)
    after = text[end : min(len(text) if line_end < 0 else line_end, end + _REACH)]
    line_start = text.rfind("\n", 0, start) + 1
    # (a name that opens its line, after a title at most, is an item of a list of participants)
    # (and a name followed by a dash and a role: "Eirik Haugland - Chief Executive Officer, ...", on a
    # list's line or on one the lines of a list were joined into)
    listed = len(text[line_start:start].strip(" *-•>")) <= 4 or re.match(r"\s+[-–—]\s", after) is not None
    before = "" if listed else text[max(0, start - _REACH) : start].split("\n\n")[-1]
    for other in others:
        name = r"\b" + r"\s+".join(map(re.escape, other.split())) + r"\b"
        cut = re.search(name, after, re.I)
        after = after[: cut.start()] if cut else after
        cut_before = list(re.finditer(name, before, re.I))
        before = before[cut_before[-1].end() :] if cut_before else before
    return re.findall(r"\b[A-Z][\w'’&-]*", before + " " + after)


def _person_like(key: str, text: str) -> bool:
    """A label that names a person: two or more words ("Sofia Lindqvist"), or one the article also
    writes after a first name ("Tremblay", written "Sophie Tremblay")."""
    if " " in key:
        return True
    if re.search(rf"\b{re.escape(key)}\b", text):
        return False  # (a word the article writes in lower case is no surname: "Spending: ...")
    return any(
        not re.search(rf"\b{re.escape(first.lower())}\b", text)  # (a first name is not a word: "Cloud Spending")
        for first in re.findall(r"\b([A-Z][a-zà-ÿ]+)\s+" + re.escape(key.capitalize()) + r"\b", text)
    )

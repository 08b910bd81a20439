"""Source text as it comes: web and wire artefacts removed before anything is stored.

Scraped finance pages glue ticker quotes to company names ("AlibabaBABA--", "Alphabet GOOGL+2.51%"),
carry quote strips and "Advertisement" lines, and articles cite with inline reference markers
("2025[1]", "hobby [1]."). None of it is text a reader would quote, and each breaks matching (a
name is no longer a word, a year reads "2025[1]"). Cleaning happens once, before the text is stored,
so every offset and quote refers to the cleaned text and stays exact.

The tickers are not thrown away: "Microsoft MSFT-0.88%" says that MSFT names Microsoft, and a
question may use either. :func:`clean_artifacts` returns those pairs as aliases.
"""

from __future__ import annotations

import re

# A ticker quote: 1-5 capitals (optionally ".X"), then an unchanged mark or a signed percentage,
# glued to a name ("AlibabaBABA--") or after a space ("Amazon AMZN-- Web Services").
_TICKER = re.compile(
    r"(?P<name>[A-Z][\w&.'-]*)?"
    r"(?P<gap> ?)(?P<ticker>(?<![A-Z])[A-Z]{1,5}(?:\.[A-Z])?)(?P<move>--|\+\+|[+\-−–]\d+(?:\.\d+)?%)"
    r"(?![\w%])"
)
# "[1]", "[2, 3]", "[4-6]" after a word, figure or punctuation (not a reference list's own labels
# at the start of a line).
_REFERENCE = re.compile(r"(?<=\S) ?\[\d{1,3}(?:,? ?[,–-] ?\d{1,3})*\](?!\w)")
# A line that is only a label of page furniture.
_FURNITURE = re.compile(r"^(?:advertisement|sponsored(?: content)?|story continues below advertisement|ad)$", re.I)
_QUOTE_TOKEN = re.compile(r"^(?:[A-Z]{1,5}(?:\.[A-Z])?|[+\-−–]?\$?\d[\d,.]*%?|--|\||[+\-−–])$")


def clean_artifacts(text: str) -> tuple[str, dict[str, str]]:
    """``text`` without ticker quotes, quote strips, furniture lines and inline reference markers,
    and the ticker -> name pairs found on the way."""
    aliases: dict[str, str] = {}
    lines = []
    for line in text.split("\n"):
        stripped = line.strip()
        if _FURNITURE.match(stripped) or _is_quote_strip(stripped):
            continue
        lines.append(line)
    text = "\n".join(lines)

    def drop_ticker(m: re.Match[str]) -> str:
        name, ticker = m.group("name"), m.group("ticker")
        if name:
            aliases.setdefault(ticker, name)
            return name
        return ""

    text = _TICKER.sub(drop_ticker, text)
    text = _REFERENCE.sub("", text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r" +([.,;:])", r"\1", text)
    return text, aliases


def _is_quote_strip(line: str) -> bool:
    """"AMZN 222.86 -- | GOOGL 281.19 +2.51%": tickers, prices and moves, no words."""
    tokens = line.split()
    if len(tokens) < 4:
        return False
    # (two tickers or a move at least: "EMEA 112,318 88,402 314,760" is a table's row)
    tickers = sum(t.isalpha() for t in tokens)
    moves = any(t == "--" or t.endswith("%") or t[:1] in "+-−–" for t in tokens if not t.isalpha())
    return all(_QUOTE_TOKEN.match(t) for t in tokens) and tickers >= 1 and (tickers >= 2 or moves)


_ITEM = re.compile(r"^\s*(?:[-*•·▪‣◦–]|\d{1,3}[.)]|\[\d{1,3}\]|[a-z][.)])\s")
_TABLE = re.compile(r"\|.*\||\t|(?:\S+\s+){0,3}(?:[-+]?\$?\d[\d.,%]*(?:\s+|$)){3,}")


def unwrap_lines(text: str) -> str:
    """Join lines that a fixed width wrapped (Markdown and plain text written at 80-100 columns,
    PDF text lines), so a sentence is one line again; headings, list items, table rows and
    lines that end a sentence keep their breaks."""
    blocks = text.split("\n\n")
    out = []
    for block in blocks:
        lines = block.split("\n")
        if len(lines) < 2:
            out.append(block)
            continue
        width = max(len(line) for line in lines)
        joined = [lines[0]]
        for line in lines[1:]:
            last = joined[-1]
            tail = last.rstrip()
            wrapped = (
                len(tail) >= 0.6 * width
                and len(tail) >= 40
                and (not tail.endswith((".", "!", "?", ":", ";")) or line[:1].islower())
                and not _ITEM.match(line)
                and not _TABLE.search(line)
                and not _TABLE.search(tail)
            )
            if wrapped:
                joined[-1] = f"{tail} {line.lstrip()}"
            else:
                joined.append(line)
        out.append("\n".join(joined))
    return "\n\n".join(out)

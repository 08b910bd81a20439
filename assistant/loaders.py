"""Read one article file (Markdown, text, HTML, PDF) into a normalised :class:`Document`.

``Document.text`` is the normalised text every later offset refers to. Every error message starts
with the document's ``source``. Parsers (frontmatter, lxml, trafilatura, pypdf) are imported lazily.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
import unicodedata
from datetime import date, datetime
from functools import cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, ClassVar

from assistant.cleanup import clean_artifacts, unwrap_lines
from assistant.errors import DocumentError, TooLargeError, UnsupportedTypeError
from assistant.periods import dateline
from assistant.types import Document

if TYPE_CHECKING:
    from assistant.settings import LimitSettings

__all__ = ["SUPPORTED_SUFFIXES", "discover", "normalize_text", "read_document"]

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".md", ".markdown", ".txt", ".html", ".htm", ".pdf"})
# Longest first, so "x.tar.gz" is named as ".tar.gz". Office files and EPUBs are zip archives.
_ARCHIVES = (".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".zip", ".tar", ".gz", ".bz2", ".xz", ".7z", ".rar",
             ".docx", ".xlsx", ".pptx", ".odt", ".epub")
_MAX_FRONT_MATTER_BYTES = 64 * 1024
_MAX_FRONT_MATTER_VALUES = 50_000  # 64 KB of YAML holds ~32k values, unless aliases expand
_MAX_TITLE_CHARS = 150

# --- normalisation -------------------------------------------------------------------------------

_TRANSLATE: dict[int, str | None] = {
    **dict.fromkeys([*range(0x09), *range(0x0E, 0x20), *range(0x7F, 0xA0)]),  # C0/C1 controls
    **dict.fromkeys([0x09, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000], " "),
    **dict.fromkeys([0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x85, 0x2028], "\n"),  # line separators
    0x2029: "\n\n",  # paragraph separator
    # soft hyphen, zero-width and invisible format characters (bidi controls, word joiner, BOM)
    **dict.fromkeys([0xAD, 0x180E, *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x206A), 0xFEFF]),
}
_SPACE_RUN, _SPACE_AT_NEWLINE, _NEWLINE_RUN = re.compile(r" {2,}"), re.compile(r" ?\n ?"), re.compile(r"\n{3,}")
# A line drawn with one character ("-----", "=====", "* * *"): a break between paragraphs, not text.
_RULE_LINE = re.compile(r"^[ \t]*([-=_*~•·])(?:[ \t]*\1){2,}[ \t]*$", re.M)
# The rules under a plain-text table's column heads and over its totals, one per column
# ("------------    ------------"): gone, so the head and its rows stay one block.
_COLUMN_RULE = re.compile(r"^[ \t]*([-=_])\1{2,}(?:[ \t]+\1{3,})+[ \t]*(?:\n|$)", re.M)


def normalize_text(text: str) -> str:
    """NFC; no control or zero-width characters; "\\n" line ends; single spaces, none at line ends or starts;
    rules of dashes or stars split paragraphs; paragraphs split by exactly "\\n\\n"; stripped. Linear time,
    and idempotent."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_TRANSLATE)
    text = unicodedata.normalize("NFC", text)
    text = _RULE_LINE.sub("\n", _COLUMN_RULE.sub("", text))
    text = _SPACE_AT_NEWLINE.sub("\n", _SPACE_RUN.sub(" ", text))
    return _NEWLINE_RUN.sub("\n\n", text).strip()


def _one_line(value: object) -> str | None:
    return " ".join(normalize_text(str(value)).split()) or None


# --- discovery and reading -----------------------------------------------------------------------


def discover(root: Path) -> list[tuple[Path, str]]:
    """Files under ``root`` as ``(path, source)`` sorted by source, the POSIX path relative to root.

    Hidden files and folders are skipped and symlinked folders not descended; a symlinked file is listed only
    when its target resolves inside ``root``. A file given as ``root`` yields ``[(root, root.name)]``.
    Suffixes are not filtered: :func:`read_document` reports unsupported files.
    """
    if not os.path.lexists(root):
        raise DocumentError(f"{root}: no such file or folder")
    if not root.is_dir():
        return [(root, root.name)]
    base = root.resolve()
    found: list[tuple[Path, str]] = []
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and not os.path.islink(os.path.join(folder, d))]
        for name in filenames:
            path = Path(folder, name)
            if name.startswith(".") or (path.is_symlink() and not _resolves_inside(path, base)):
                continue
            found.append((path, path.relative_to(root).as_posix()))
    return sorted(found, key=lambda item: item[1])


def _resolves_inside(link: Path, base: Path) -> bool:
    try:
        return link.resolve().is_relative_to(base)
    except (OSError, RuntimeError):  # a symlink loop
        return False


# How much of a plain-text article's start is searched for its dateline (dateline() reads the first
# 600 characters of the normalised text, which is never longer than the raw).
_DATELINE_HEAD = 4000


def read_document(path: Path, source: str, limits: LimitSettings) -> Document:
    """Read one article from ``path`` with normalised text; ``source`` names it in every error.

    Raises UnsupportedTypeError for a type not read (archives named as such), TooLargeError for a file over
    ``limits.max_file_bytes`` (checked before reading) or a text over ``limits.max_document_chars``, and
    DocumentError for anything else wrong with the file (empty, binary, encrypted, corrupt, unreadable...).
    """
    suffix = _supported_suffix(path, source)
    data = _read_bytes(path, source, limits.max_file_bytes)
    if not data.strip():
        raise DocumentError(f"{source}: no text to index")
    fallback_title = _prettify(PurePosixPath(source).stem) or source
    if suffix == ".pdf":
        return _read_pdf(data, source, fallback_title, limits.max_document_chars)
    meta: dict[str, Any] = {}
    if suffix in (".html", ".htm"):
        text, meta = _read_html(data, source)
    elif suffix == ".txt":
        text = _decode(data, source)
        lines = text.replace("\r\n", "\n")  # lines as written
        meta["title"], meta["publisher"] = _one_line(_first_short_line(lines) or ""), _masthead(lines)
        meta.update(_mail_headers(lines))  # a newsletter sent by mail: its subject, sender and date
        # the dateline on a line of its own, before wrapped lines are joined ("Issue 87 | Tuesday, 14 October 2025")
        meta["date"] = meta.get("date") or dateline(normalize_text(lines[:_DATELINE_HEAD]))
    else:
        text, meta = _read_markdown(_decode(data, source), source)
    text, aliases = clean_artifacts(unwrap_lines(normalize_text(text)))
    text = _checked_text(text, source, limits.max_document_chars)
    title = meta.pop("title", None)
    meta["date"] = meta.get("date") or dateline(text)
    return Document(source=source, text=text, title=title or fallback_title, aliases=_alias_pairs(aliases), **meta)


def _alias_pairs(aliases: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(aliases.items()))


def _supported_suffix(path: Path, source: str) -> str:
    name, supported = path.name.lower(), ", ".join(sorted(SUPPORTED_SUFFIXES))
    archive = next((suffix for suffix in _ARCHIVES if name.endswith(suffix)), None)
    if archive:
        raise UnsupportedTypeError(f"{source}: archive ({archive}) not unpacked; add its articles ({supported})")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        shown = path.suffix or path.name
        raise UnsupportedTypeError(f"{source}: unsupported file type '{shown}'; supported: {supported}")
    return path.suffix.lower()


def _read_bytes(path: Path, source: str, max_bytes: int) -> bytes:
    def check_size(size: int) -> None:
        if size > max_bytes:
            limit = f"{max_bytes / 1e6:g} MB limit (ASSISTANT_LIMITS__MAX_FILE_BYTES)"
            raise TooLargeError(f"{source}: file is {size / 1e6:.1f} MB, over the {limit}")

    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise DocumentError(f"{source}: is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError(f"{source}: not a regular file")
        check_size(info.st_size)
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # the file may have grown since stat
    except FileNotFoundError:
        reason = "broken symbolic link" if path.is_symlink() else "file not found"
        raise DocumentError(f"{source}: {reason}") from None
    except OSError as exc:
        raise DocumentError(f"{source}: cannot read file: {exc.strerror or exc}") from None
    check_size(len(data))
    return data


def _checked_text(text: str, source: str, max_chars: int) -> str:
    text = normalize_text(text)
    if not text:
        raise DocumentError(f"{source}: no text to index")
    if len(text) > max_chars:
        raise _too_long(source, max_chars, len(text))
    return text


def _too_long(source: str, max_chars: int, chars: int | None = None) -> TooLargeError:
    size = "over" if chars is None else f"{chars:,} characters, over"
    limit = f"{max_chars:,}-character limit (ASSISTANT_LIMITS__MAX_DOCUMENT_CHARS)"
    return TooLargeError(f"{source}: text is {size} the {limit}")


def _prettify(stem: str) -> str:
    words = re.sub(r"[\s_-]+", " ", stem).strip()
    return words[:1].upper() + words[1:]


_MAIL_HEADER = re.compile(r"(?P<key>from|sent|date|to|cc|subject|betreff|von|datum|asunto|de|fecha|objet)\s*:\s*(?P<value>.*)", re.I)


def _mail_headers(text: str) -> dict[str, str]:
    """Title, publisher and date from the header lines a text saved from an e-mail opens with
    ("From: ...", "Sent: ...", "Subject: ..."), read by the standard library's mail parser."""
    from email.utils import getaddresses, parsedate_to_datetime

    head = []
    for line in text.lstrip().split("\n"):
        m = _MAIL_HEADER.fullmatch(line.strip())
        if m is None:
            break
        head.append((m.group("key").lower(), m.group("value").strip()))
    keys = {k for k, _ in head}
    if len(head) < 2 or not keys & {"subject", "betreff", "asunto", "objet"}:
        return {}
    out: dict[str, str] = {}
    for key, value in head:
        if key in ("subject", "betreff", "asunto", "objet") and value:
            out["title"] = re.sub(r"^(?:(?:re|fwd?|aw|wg)\s*:\s*)+", "", value, flags=re.I)
        elif key in ("from", "von", "de") and value:
            name, address = getaddresses([value])[0]
            out["publisher"] = name or address
        elif key in ("sent", "date", "datum", "fecha") and value:
            when = dateline(value)
            if when is None:
                try:
                    when = parsedate_to_datetime(value).date().isoformat()
                except (TypeError, ValueError, IndexError):
                    when = None
            if when:
                out["date"] = when
    return out


def _masthead(text: str) -> str | None:
    """The publisher a report or scraped page names in its running header ("Crescent Advisory |
    Regional Infrastructure Report | December 2025"): a name of two to six capitalised words before
    the first " | " of one of its first lines."""
    for line in [line.strip() for line in text.split("\n")[:8] if line.strip()][:3]:
        head = line.split(" | ")[0].strip() if " | " in line else ""
        if not head and len(line.split()) <= 8 and re.fullmatch(r"[^,]+,[^,]+\.?", line):
            rest = line.split(",", 1)[1].strip(" .")
            if all(t[:1].isupper() or t in ("&", "and", "of") for t in rest.split()):
                head = line.split(",")[0].strip()  # "Quillon Partners, Infrastructure Pricing Desk"
        tokens = head.split()
        if 2 <= len(tokens) <= 6 and tokens[0].lower() not in ("by", "von", "par", "por") and all(t[:1].isupper() or t in ("&", "and", "of") for t in tokens) and not re.search(r"\d", head):
            return head
    return None


_RULE_ONLY = re.compile(r"([=\-_*~#+.])\1{3,}")  # a line drawn with one character


def _first_short_line(text: str) -> str | None:
    """The first line that reads as a title: short, and not a "Markets | Tech" navigation trail or
    a row of menu items or tickers; a headline of five words or more is preferred to a short link
    line above it ("Skip to main content")."""
    lines = [line.strip() for line in text.split("\n")[:12] if line.strip()]
    body = next((i for i, line in enumerate(lines) if len(line) >= _MAX_TITLE_CHARS), len(lines))
    lines = lines[: max(body, 1)]  # a title comes before the text begins
    candidates = [
        line for line in lines
        if len(line) < _MAX_TITLE_CHARS and len(line.split()) >= 2 and not re.search(r" [|·•] |\S {2,}\S|\t", line)
        and not (len(line.split()) <= 5 and re.search(r"\b(?:19|20)\d\d\b", line))  # a dateline
        and not re.search(r"\w[.;]$", line)  # a sentence of the text
        and not re.match(r"\d+(?:\.\d+)*[.)]?\s", line)  # a numbered section heading
    ]
    # (a masthead ruled off from the text, "THE CLOUD LETTER" over "=====": what follows the rule is the text)
    rule = next((i for i, line in enumerate(lines) if _RULE_ONLY.fullmatch(line)), None)
    if rule is not None and any(line in lines[:rule] for line in candidates):
        candidates = [line for line in candidates if line in lines[:rule]]
    headline = next((line for line in candidates if len(line.split()) >= 5), None)
    if candidates:
        return headline if headline and len(candidates[0].split()) < 5 else candidates[0]
    line = lines[0] if lines else ""
    return line if 0 < len(line) < _MAX_TITLE_CHARS else None


# --- encodings -----------------------------------------------------------------------------------

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_CONTROL_BYTES = bytes([*range(0x09), *range(0x0E, 0x20), 0x7F])


def _decode(data: bytes, source: str, declared: str | None = None) -> str:
    """Bytes of a text file: BOM, else strict UTF-8, else ``declared``, else cp1252/Latin-1.

    Binary data (over 5% control bytes in the first 8 KB, or NULs in what is not UTF-8) is refused.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace")
    head = data[:8192]
    if sum(head.count(byte) for byte in _CONTROL_BYTES) > 0.05 * len(head):
        raise DocumentError(f"{source}: binary data, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        if b"\x00" in head:  # stray NULs are tolerated in valid UTF-8 only
            raise DocumentError(f"{source}: binary data, not text") from None
    for codec in filter(None, (declared, "cp1252")):
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


# --- Markdown ------------------------------------------------------------------------------------

_FENCE = re.compile(r" {0,3}(```|~~~)")
_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]+|$)")
_RULE = re.compile(r" {0,3}([-*_=])(?:[ \t]*\1){2,}[ \t]*$")
_LINK_DEFINITION = re.compile(r" {0,3}\[(?!\^)[^\[\]\n]+\]:[ \t]*\S")
# A footnote ("[^1]: Source: ...") is text a reader sees, under its marker; the marker is not.
_FOOTNOTE = re.compile(r" {0,3}\[\^[^\[\]\s]+\]:[ \t]*")
_FOOTNOTE_MARK = re.compile(r"\[\^[^\[\]\s]+\]")
_QUOTE = re.compile(r" {0,3}(?:>[ \t]?)+")
# Bracket and parenthesis contents exclude their own delimiters, so matching stays linear.
_IMAGE = re.compile(r"!\[[^\[\]\n]*\]\([^()\n]*\)")
_LINK = re.compile(r"\[([^\[\]\n]*)\]\([^()\n]*\)")


def _read_markdown(raw: str, source: str) -> tuple[str, dict[str, Any]]:
    front, body = _split_front_matter(raw.replace("\r\n", "\n").replace("\r", "\n"), source)
    meta = _front_matter_fields(front, source)
    text, heading = _markdown_to_text(body)
    meta["title"] = meta["title"] or (_one_line(heading) if heading else None)
    return text, meta


def _markdown_to_text(body: str) -> tuple[str, str | None]:
    """Markdown as plain lines, and its first heading: heading marks, emphasis, link targets, images, rules and
    code fences removed; lists and code kept as lines."""
    lines: list[str] = []
    heading = fence = None
    for line in body.split("\n"):
        marker = _FENCE.match(line)
        if marker and fence in (None, marker.group(1)):
            fence = None if fence else marker.group(1)
            continue
        if fence:
            lines.append(line)
            continue
        is_heading = _HEADING.match(line)
        if is_heading:
            line = _strip_closing_hashes(line[is_heading.end():])
        elif _RULE.match(line) or _LINK_DEFINITION.match(line):
            continue
        elif quote := _QUOTE.match(line):
            line = line[quote.end():]
        elif footnote := _FOOTNOTE.match(line):
            line = line[footnote.end():]
        line = _FOOTNOTE_MARK.sub("", line)
        line = _LINK.sub(r"\1", _IMAGE.sub("", line)).replace("**", "").replace("__", "")
        if is_heading and heading is None and line.strip():
            heading = line
        lines.append(line)
    return "\n".join(lines), heading


def _strip_closing_hashes(text: str) -> str:
    text = text.rstrip()
    bare = text.rstrip("#")
    return bare.rstrip() if bare != text and (not bare or bare[-1] in " \t") else text


def _split_front_matter(raw: str, source: str) -> tuple[dict[Any, Any], str]:
    """YAML front matter (safe loading, bounded size and alias expansion) and the body after it."""
    from frontmatter.default_handlers import YAMLHandler

    handler, text = YAMLHandler(), raw.lstrip()
    try:
        front, body = handler.split(text) if handler.detect(text) else (None, raw)
    except ValueError:  # an opening "---" never closed: no front matter
        front, body = None, raw
    if front is None:
        return {}, raw
    if len(front.encode("utf-8", "replace")) > _MAX_FRONT_MATTER_BYTES:
        raise DocumentError(f"{source}: invalid front matter: over {_MAX_FRONT_MATTER_BYTES:,} bytes")
    import yaml

    try:
        data = handler.load(front, Loader=_front_matter_loader())
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        problem, mark = getattr(exc, "problem", None), getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if problem and mark else ""
        reason = "nested too deeply" if isinstance(exc, RecursionError) else (problem or str(exc)).split("\n")[0]
        raise DocumentError(f"{source}: invalid front matter: {reason}{where}") from None
    if data is not None and not isinstance(data, dict):
        raise DocumentError(f"{source}: invalid front matter: expected key: value pairs, got a {type(data).__name__}")
    if not _within_value_limit(data, _MAX_FRONT_MATTER_VALUES):
        raise DocumentError(f"{source}: invalid front matter: over {_MAX_FRONT_MATTER_VALUES:,} values (aliases?)")
    return data or {}, body


@cache
def _front_matter_loader() -> type:
    """The safe YAML loader, keeping dates as strings so a bad date is reported by its value. libyaml's (C) when
    present: it is fast and caps nesting, where the pure-Python parser takes seconds on 64 KB of nested brackets."""
    import yaml

    safe_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class FrontMatterLoader(safe_loader):  # type: ignore[misc, valid-type]
        yaml_implicit_resolvers: ClassVar[dict[Any, Any]] = {
            first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
            for first, resolvers in safe_loader.yaml_implicit_resolvers.items()
        }

    return FrontMatterLoader


def _within_value_limit(data: object, limit: int) -> bool:
    """Count values, aliases walked as copies, stopping past ``limit``: bounded for alias bombs."""
    stack, seen = [data], 0
    while stack and seen <= limit:
        item = stack.pop()
        seen += 1
        if isinstance(item, dict):
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, (list, tuple, set)):
            stack += item
    return seen <= limit


def _front_matter_fields(front: dict[Any, Any], source: str) -> dict[str, Any]:
    values = {str(key).strip().lower(): value for key, value in front.items()}
    if values.get("publisher") is None:
        # the names other front matter gives the publication ("source: Harbour Tech Ledger"); a
        # link or a list there is where the story came from, not who published it
        values["publisher"] = next((
            value for key in ("publication", "source", "outlet", "site_name", "sitename", "site", "newspaper", "newsroom",
                              "masthead", "published_by", "distributor", "agency", "wire", "originally_published_by")
            if isinstance(value := values.get(key), str) and value.strip() and not re.match(r"\s*(?:https?:|www\.|/)", value)
        ), None)
    if values.get("title") is None:
        # the headline under another name, or the word for title in the languages articles come in
        values["title"] = next((
            value for key in ("headline", "hed", "titel", "titre", "título", "titulo", "titolo", "tytuł", "judul", "başlık",
                              "baslik", "rubrik")
            if isinstance(value := values.get(key), str) and value.strip()
        ), None)
    fields: dict[str, Any] = {}
    for key in ("title", "publisher", "url", "author"):
        value = values.get(key)
        if key == "author" and isinstance(value, list):
            value = ", ".join(str(item) for item in value if isinstance(item, (str, int, float)))
        if isinstance(value, (dict, list, set)):
            raise DocumentError(f"{source}: front matter '{key}' must be text, got a {type(value).__name__}")
        fields[key] = None if value is None else _one_line(value)
    if fields["url"] and not fields["url"].lower().startswith(("http://", "https://")):
        fields["url"] = None  # only web links are kept: no javascript:, data: or file: URLs
    # the date under the other names front matter gives it ("published: 2026-05-12")
    date_key = next((k for k in ("date", "published", "published_at", "publish_date", "pubdate", "date_published")
                     if values.get(k) not in (None, "")), None)
    if date_key is None:
        # else the one field holding a date, whatever its name ("filed: 2026-12-03", "issued: ..."),
        # unless its name says it is another date than publication ("updated", "expires")
        dated = [k for k, v in values.items()
                 if (isinstance(v, date) or (isinstance(v, str) and (_iso_date(v) or _WRITTEN_DAY.fullmatch(v.strip()))))
                 and not _OTHER_DATE.search(k)]
        date_key = dated[0] if len(dated) == 1 else "date"
    fields["date"] = _front_matter_date(values.get(date_key), source)
    tags = values.get("tags")
    if isinstance(tags, str):
        tags = tags.split(",")
    if tags is not None and (not isinstance(tags, list) or any(isinstance(tag, (dict, list)) for tag in tags)):
        raise DocumentError(f"{source}: front matter 'tags' must be a list or comma-separated text, got {tags!r:.60}")
    fields["tags"] = _unique(tag for tag in tags or () if tag is not None)
    return fields


_OTHER_DATE = re.compile(r"updat|modif|revis|edit|expir|embargo|event|deadline|valid|review|birth|start|end", re.I)


def _front_matter_date(value: object, source: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):  # an explicit !!timestamp
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    parsed = _iso_date(value) if isinstance(value, str) else None
    if parsed is None and isinstance(value, str) and _WRITTEN_DAY.fullmatch(value.strip()):
        parsed = dateline(value)  # "18 November 2025", "Nov. 18, 2025": a day written out
    if parsed is None:
        raise DocumentError(
            f"{source}: invalid date {value!r} in front matter; use ISO 8601 (YYYY-MM-DD) or a day written out (18 November 2025)"
        )
    return parsed


# A day written out in words, with or without its weekday; not a month alone ("March 2024").
_WRITTEN_DAY = re.compile(
    r"(?:[^\W\d]+,?\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\.?\s+[^\W\d]+\.?,?\s+\d{4}|[^\W\d]+\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})"
)


def _iso_date(value: str) -> str | None:
    for parse in (date.fromisoformat, datetime.fromisoformat):
        try:
            parsed = parse(value.strip())
        except ValueError:
            continue
        return (parsed.date() if isinstance(parsed, datetime) else parsed).isoformat()
    return None


def _unique(values: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(text for text in map(_one_line, values) if text))


# --- HTML ----------------------------------------------------------------------------------------

_INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
                             "iframe", "svg", "object", "embed", "canvas"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]{0,300}?charset\s*=\s*[\"']?\s*([\w.:-]{1,40})", re.IGNORECASE)
_BLOCK_TAGS = frozenset({"address", "article", "blockquote", "dd", "details", "div", "dl", "dt", "figcaption", "figure",
                         "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre", "section", "summary",
                         "table", "tr", "ul"})
_WHITESPACE = re.compile(r"\s+")


def _read_html(data: bytes, source: str) -> tuple[str, dict[str, Any]]:
    """Visible article text (trafilatura on the page with invisible parts removed, else the text of <body>) and
    metadata (trafilatura's, with the title from <title>, og:title or <h1>)."""
    from lxml import etree
    from lxml import html as lxml_html

    charset = _META_CHARSET.search(data[:4096])
    page = _decode(data, source, charset.group(1).decode("ascii") if charset else None)
    parser = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        root = lxml_html.document_fromstring(page.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError):
        raise DocumentError(f"{source}: no text to index") from None
    meta = _html_metadata(root, page)
    for element in [e for e in root.iter() if isinstance(e.tag, str) and _invisible(e)]:
        if element.getparent() is not None:
            element.drop_tree()  # keeps the tail text, which belongs to the parent
    # trafilatura drops any text node reading just "Google", "PDF", "Mail" and the like (its share-button filter),
    # a vendor name in a table cell included. A zero-width space ending each text keeps it; normalize_text drops it.
    for element in (e for e in root.iter() if isinstance(e.tag, str)):
        element.text, element.tail = _keep(element.text), _keep(element.tail)
    text = normalize_text(_trafilatura_text(lxml_html.tostring(root, encoding="unicode")))
    return text or _body_text(root), meta


def _keep(text: str | None) -> str | None:
    return text + "\u200b" if text and not text.isspace() else text


def _invisible(element: Any) -> bool:
    return (element.tag in _INVISIBLE_TAGS or element.get("hidden") is not None
            or (element.get("aria-hidden") or "").strip().lower() == "true"
            or bool(_HIDDEN_STYLE.search(element.get("style") or "")))


_SITE_SUFFIX = re.compile(r"\s+[|–—]\s+([^|–—]{2,60})$")


def _html_metadata(root: Any, page: str) -> dict[str, Any]:
    import trafilatura

    try:
        found = trafilatura.extract_metadata(page)
    except Exception:  # metadata is optional; a failure only loses it
        found = None
    title, og_title, h1 = (root.find(f".//{path}") for path in ("title", "meta[@property='og:title']", "h1"))
    titles = (_one_line(text) for text in (title is not None and title.text_content(),
                                           og_title is not None and og_title.get("content"),
                                           h1 is not None and h1.text_content()) if text)
    author, url = getattr(found, "author", None), getattr(found, "url", None)
    headline = next((title for title in titles if title), None)
    publisher = _one_line(getattr(found, "sitename", None) or "")
    # "Headline | Site name": a page's title ends on the name of the site that published it
    site = _SITE_SUFFIX.search(headline or "")
    if site and len(site.group(1).split()) <= 5 and headline:
        headline, publisher = headline[: site.start()].strip(), publisher or site.group(1).strip()
    return {
        "title": headline,
        "date": _iso_date(getattr(found, "date", None) or ""),
        "publisher": publisher,
        "author": _one_line(author) if author and not author.startswith("http") else None,
        "url": _one_line(url) if url and url.startswith(("http://", "https://")) else None,
        "tags": _unique(t for tag in getattr(found, "tags", None) or () for t in tag.split(",")),
    }


def _trafilatura_text(page: str) -> str:
    """Main text by trafilatura, rendered from its XML output with paragraphs as blank lines."""
    import trafilatura
    from lxml import etree

    try:
        xml = trafilatura.extract(page, output_format="xml", include_comments=False, include_tables=True,
                                  include_links=False, include_images=False, include_formatting=False,
                                  favor_recall=True, deduplicate=False, config=_trafilatura_config())
        main = etree.fromstring(xml).find("main") if xml else None
    except Exception:  # an extractor failure only means: use the fallback
        return ""
    if main is None:
        return ""
    return "\n\n".join([main.text or ""] + [f"{_render(c)}\n\n{c.tail or ''}" for c in main])


@cache
def _trafilatura_config() -> Any:
    from trafilatura.settings import use_config

    config = use_config()
    # Under the default 250 characters, trafilatura distrusts its own extraction and falls back to a baseline
    # that glues every paragraph of a short article into one.
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "1")
    return config


def _render(element: Any) -> str:
    if element.tag == "list":
        return "\n".join(f"- {_render(item).strip()}" for item in element if item.tag == "item")
    if element.tag == "table":
        rows = (row for row in element if row.tag == "row")
        return "\n".join(" | ".join(_render(cell).strip() for cell in row if cell.tag == "cell") for row in rows)
    parts = ["\n" if element.tag == "lb" else element.text or ""]
    for child in element:
        block = "\n" if child.tag in ("list", "table", "p", "head", "quote") else ""
        parts += [block, _render(child), block, child.tail or ""]
    return "".join(parts)


def _body_text(root: Any) -> str:
    """Fallback text of <body>: whitespace collapsed, block elements as paragraph breaks."""
    body = root.find(".//body")
    body = root if body is None else body
    for element in (e for e in body.iter() if isinstance(e.tag, str)):
        text, tail = _WHITESPACE.sub(" ", element.text or ""), _WHITESPACE.sub(" ", element.tail or "")
        if element.tag in _BLOCK_TAGS:
            text, tail = f"\n\n{text}", f"\n\n{tail}"
        elif element.tag in ("br", "td", "th"):
            tail = ("\n" if element.tag == "br" else " ") + tail
        element.text, element.tail = text, tail
    return str(body.text_content())


# --- PDF -----------------------------------------------------------------------------------------


def _without_running_lines(pages: list[str], edge: int = 2) -> list[str]:
    """``pages`` without their running headers and footers: a line among the first or last
    ``edge`` lines of two or more pages, the same on each, or the same but for a page number
    ("Monitor | Page 2 of 3"). The first page keeps its header, which names the report."""
    def key(line: str) -> str:
        line = line.strip()
        # (a page number may also just end the line: "Acme | Investor Day | Oslo, 8 May 2031 4")
        return re.sub(r"\d+", "#", line) if _PAGE_NUMBER.search(line) else re.sub(r"(?<=\S)\s+\d{1,3}$", " #", line)

    seen: dict[str, int] = {}
    for page in pages:
        lines = [x for x in page.split("\n") if x.strip()]
        for k in {key(x) for x in lines[:edge] + lines[-edge:]}:
            seen[k] = seen.get(k, 0) + 1
    running = {k for k, n in seen.items() if n >= 2 and len(k) >= 4}
    if not running:
        return pages
    out = []
    for i, page in enumerate(pages):
        lines = page.split("\n")
        real = [j for j, x in enumerate(lines) if x.strip()]
        edges = set(real[:edge] + real[-edge:])
        keep_head = set(real[:edge]) if i == 0 else set()
        out.append("\n".join(x for j, x in enumerate(lines)
                             if not (j in edges and j not in keep_head and key(x) in running)).strip("\n"))
    return out


_PAGE_NUMBER = re.compile(r"\b(?:page|p\.|seite|página|pagina)\s*\d+|\b\d+\s*(?:of|/|von|de|di)\s*\d+\s*$|^\W*\d{1,3}\W*$", re.I)


def _read_pdf(data: bytes, source: str, fallback_title: str, max_chars: int) -> Document:
    """Pages normalised one by one and joined by "\\n\\n", so ``page_starts`` are exact offsets."""
    import pypdf
    from pypdf.errors import DependencyError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
    except Exception as exc:  # pypdf raises many kinds on damaged input
        raise DocumentError(f"{source}: corrupt PDF: {_reason(exc)}") from None
    if encrypted:
        try:
            opened = bool(reader.decrypt(""))  # an owner password only still opens
        except DependencyError:
            needs = "AES decryption needs the 'cryptography' package"
            raise DocumentError(f"{source}: encrypted PDF: cannot be read ({needs})") from None
        except Exception:  # any failure to decrypt means: not readable
            opened = False
        if not opened:
            raise DocumentError(f"{source}: encrypted PDF: cannot be read")
    pages: list[str] = []
    aliases: dict[str, str] = {}
    length = 0  # running, so a huge PDF stops early
    try:
        for page in reader.pages:
            page_text, found = clean_artifacts(unwrap_lines(normalize_text(page.extract_text() or "")))
            aliases.update(found)
            pages.append(normalize_text(page_text))
            length += len(pages[-1])
            if length > max_chars:
                raise _too_long(source, max_chars)
        info = reader.metadata
    except TooLargeError:
        raise
    except Exception as exc:
        raise DocumentError(f"{source}: corrupt PDF: {_reason(exc)}") from None
    pages = _without_running_lines(pages)
    text = "\n\n".join(page for page in pages if page)
    if not text:
        raise DocumentError(f"{source}: PDF has no text layer (scanned?); OCR is not supported")
    if len(text) > max_chars:
        raise _too_long(source, max_chars, len(text))
    starts, offset = [], 0
    for page_text in pages:  # an empty page starts where the next text does
        starts.append(min(offset, len(text)))
        offset += len(page_text) + 2 if page_text else 0
    title, author, created = _pdf_info(info)
    title = title or _first_short_line(text) or fallback_title
    # A date the report states on its first page is its date; the file's creation date is when it
    # was exported, and is only the fallback.
    when = dateline(text) or created
    return Document(source=source, text=text, title=title, date=when, author=author, publisher=_masthead(text), page_starts=tuple(starts),
                    aliases=_alias_pairs(aliases))


def _pdf_info(info: Any) -> tuple[str | None, str | None, str | None]:
    """Title, author and creation date (YYYY-MM-DD) from PDF metadata, each None when absent."""
    try:
        title, author, raw = info.title, info.author, str(info.get("/CreationDate") or "")
    except Exception:  # damaged or missing metadata only loses it
        return None, None, None
    created = re.match(r"(?:D:)?(\d{4})(\d{2})(\d{2})", raw.strip())
    title = None if str(title).strip().lower() in ("", "none", "untitled", "unknown") else title
    return _one_line(title or ""), _one_line(author or ""), _iso_date("-".join(created.groups())) if created else None


def _reason(exc: Exception) -> str:
    reason = str(exc).strip().split("\n", 1)[0] or type(exc).__name__
    return reason if len(reason) <= 120 else reason[:117] + "..."

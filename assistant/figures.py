"""Figures in text, each with its kind: a percentage, a change in percentage points, an amount of
money, a quantity with a unit, or a plain count.

The kinds decide whether a sentence can answer what a question asks for ("how much" wants an
amount, "what share" a percentage). Units are read from how numbers are written (symbols, ISO codes,
scale words in English and the common forms of other European languages, Turkish and Indonesian), not from a list of companies or markets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from text_to_num import alpha2digit

from assistant import readings

_CURRENCY = (
    r"US\$|A\$|C\$|S\$|HK\$|NT\$|R\$|\$|€|£|¥|₹|₩|₽|CHF|USD|EUR|GBP|JPY|CNY|RMB|INR|KRW|AED|SAR|BRL|Rs\.?|Rp|yuan|renminbi|"
    r"dollars?|dólares|dólar|dollari|dolar\w*|euros?|pounds?|libras?|yen|rupees?|won|dirhams?|riyals?|reais|real|francs?(?: CFA)?|"
    r"kroner|kronor|krone|"
    r"zlotys?|złoty|lira|liras|rand|shillings?|pesos?|ringgits?|(?-i:RM)|baht|rupiah|naira|KSh|zł|TL|₺|"
    # (the other currencies' names and signs, as written in English: "148 billion tenge", "₸148 billion")
    r"tenge|₸|soms?|drams?|lari|manats?|cedis?|kwacha|birr|dinars?|rials?|taka|kyats?|riels?|dong|đồng|₫|hryvnias?|₴|"
    # (not the ones that are also common words or names: "sol", "lei", "lev", "pula")
    r"forints?|koruna|korun|leva|kuna|krona|kronur|pesetas?|soles|guaranis?|bolivianos?|quetzales|quetzals?|"
    r"colones|colón|lempiras?|córdobas?|balboas?|rufiyaa|rupee|ngultrum|afghanis?|tugriks?|₮|"
    r"ariary|ouguiyas?|dalasis?|leones?|nakfa|₦|₱|₪|shekels?|₲|₡"
)
# Before a number, any ISO-style code of three capitals is a currency ("NOK 1.84 billion", "PLN 612
# million"); after one it could be a unit ("300 GPU clusters"), so only the listed ones count there.
_CODE = r"(?-i:[A-Z]{3})"
_SCALE = (
    r"trillion|tn|billion|bn|bln|b|million|mn|mln|m|thousand|k|crore|crores|lakh|lakhs|mds?|"
    r"milliarden|milliarde|mrd|millionen|million|mio|mil millones|millones|millón|milliards?|"
    r"billones|mille|tausend|milyar|milyon|miliardi|miliardo|miljarden|miljarder|miljard|bilhões|bilhão|mld|"
    r"milioni|milione|miljoenen|miljoen|milhões|milhão|miljoner|miljon|tys\.?|juta|miliar|triliun|ribu|tỷ|triệu|nghìn"
)
_UNIT = (
    r"gw|gigawatts?|mw|megawatts?|kw|kilowatts?|twh|gwh|mwh|kwh|"
    r"gpus?|chips?|accelerators?|servers?|racks?|nodes?|data cent(?:er|re)s?|datacent(?:er|re)s?|"
    r"regions?|zones?|sites?|campuses|customers?|employees?|staff|users?|languages?|models?|countries|cities|"
    r"litres?|liters?|gallons?|l/kwh|tokens?|petaflops|exaflops|square (?:feet|metres|meters)|sq ft|acres|"
    r"hectares|years?|months?|days?|hours?|x"
)
_NUMBER = r"\d{1,3}(?:[,  ]\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?"
_GLUED = r"(?:(?<![\w.,])|(?<=\bR)|(?<=\bRM)|(?<=\bRp)|(?<=\bRs)|(?<=\bKSh))"  # where a number may start
_FIGURE = re.compile(
    # (a percent sign or word may stand before the number: "%62", "yüzde 62")
    # (a currency may be glued to the number, "Rp112 trillion", "R2.9 billion", "RM1.05 billion")
    rf"(?:(?<![^\W\d_])(?P<cur>{_CURRENCY})|(?<![^\W\d_])(?P<code>{_CODE})|(?P<pre>%|yüzde\s)|(?<![\w.,])(?P<glued>(?-i:RM|R))(?=\d))?\s?"
    rf"{_GLUED}(?P<num>{_NUMBER})(?![\w]*\d)"
    rf"(?:\s?(?P<pct>%|per ?cent\b|percent\b|prozent\b|por ciento\b|pour cent\b|pourcents?\b|proc\.|procent\b|por cento\b|per cento\b|persen\b)"
    rf"|\s?(?P<pp>percentage[- ]points?\b|pp\b|ppt\b|points?\b|prozentpunkte?n?\b|puntos porcentuales\b|points de pourcentage\b|basis points?\b|bps\b|puan\w*"
    rf"|pkt\.? proc\.?|punkt\w* proc\w*|punti percentuali\b|pontos percentuais\b|procentpunkt\w*|procentenheter\b|poin persentase\b|persentase poin\b)"
    rf"|(?:\s?-?\s?(?P<scale>{_SCALE})\b\.?)?(?:\s?(?:de\s|of\s)?(?P<cur2>{_CURRENCY})(?!\w))?(?:\s?(?P<unit>{_UNIT})\b)?)",
    re.I,
)
_WORD_NUMBER = re.compile(
    r"\b(?P<word>one|two|three|four|five|six|seven|eight|nine|ten|a|half a|eine|ein|un|una|dos|tres)\s+"
    r"(?P<scale>trillion|billion|million|thousand|milliarden?|millionen?|millones|mil millones)\b",
    re.I,
)


_DIGIT = re.compile(r"\d")
# (a digit after no letter, digit or separator, or after the last letter of a glued currency:
# two one-character tests, cheap at every position; :data:`_FIGURE` tells the rest)
_NUMBER_START = re.compile(r"(?<![.,])(?<![^\WRMpsh])\d")
# the longest that may stand before a number in a figure ("francs CFA ", "yüzde ")
_LEAD = 24


def _figure_matches(text: str) -> Iterator[re.Match[str]]:
    """``_FIGURE.finditer(text)``, the same matches, searched only near the numbers: every figure
    holds one, and trying the currency words at every position of a sentence cost 2.5 times as much."""
    pos = 0
    for digit in _NUMBER_START.finditer(text):
        if digit.start() < pos:
            continue
        m = _FIGURE.search(text, max(pos, digit.start() - _LEAD))
        # (a match ending before this number is an earlier figure: the search goes on past it)
        while m is not None and m.end() <= digit.start():
            yield m
            pos = m.end()
            m = _FIGURE.search(text, pos)
        if m is None:
            return
        yield m
        pos = m.end()
_SCALE_WORD = re.compile(r"(?i)trillion|billion|million|thousand|milliarde|million|millones")
_WORD_VALUES = {
    "one": 1.0, "a": 1.0, "eine": 1.0, "ein": 1.0, "un": 1.0, "una": 1.0, "half a": 0.5, "two": 2.0, "dos": 2.0,
    "three": 3.0, "tres": 3.0, "four": 4.0, "five": 5.0, "six": 6.0, "seven": 7.0, "eight": 8.0, "nine": 9.0, "ten": 10.0,
}


@dataclass(frozen=True)
class Figure:
    start: int
    end: int
    text: str
    kind: str  # percent, points, amount, quantity, count
    value: float | None = None


def find_figures(text: str) -> list[Figure]:
    """The figures written in ``text`` (years and days of dates are not figures), read once per
    text: a sentence's are stored at ingest with its chunk and read back (:func:`load_reading`)."""
    found = _FOUND.get(text)
    if found is None:
        found = tuple(_find_figures(text))
        _FOUND.put(text, found)
    return list(found)


_FOUND: readings.Remembered[str, tuple[Figure, ...]] = readings.Remembered()
# The version of the rules of this module, for readings stored at ingest.
RULES_VERSION = readings.version_of(__file__)


def dump_reading(pieces: Sequence[str]) -> str:
    """The figures of each of ``pieces`` (a chunk's sentences) that has any, as a JSON value stored
    with the chunk at ingest."""
    found = {k: [[f.start, f.end, f.kind, f.value] for f in figures] for k, piece in enumerate(pieces)
             if (figures := find_figures(piece))}
    return readings.dump({"v": RULES_VERSION}, pieces, found)


def load_reading(raw: str, pieces: Sequence[str]) -> bool:
    """What :func:`dump_reading` stored for ``pieces``, each piece's figures remembered for
    :func:`find_figures`; False (nothing remembered) when read by other rules or of other pieces."""
    def decode(k: int, values: list[Any]) -> tuple[Figure, ...]:
        text = pieces[k]
        return tuple(
            Figure(int(a), int(b), text[int(a) : int(b)].strip(), str(kind), None if value is None else float(value))
            for a, b, kind, value in values
        )

    found = readings.load(raw, {"v": RULES_VERSION}, pieces, decode)
    if found is None:
        return False
    for k, piece in enumerate(pieces):
        _FOUND.put(piece, found.get(k, ()))
    return True


def _find_figures(text: str) -> list[Figure]:
    out: list[Figure] = []
    if not _DIGIT.search(text):
        return _word_figures(text, out) if _SCALE_WORD.search(text) or _SPOKEN_CUE.search(text) else out
    for m in _figure_matches(text):
        num = m.group("num")
        code = m.group("code") if not (m.group("pct") or m.group("pp") or m.group("unit")) else None
        if code and not (m.group("scale") or re.search(r"[.,]", num)):
            code = None  # "GPT 4": a code before a small round number is a name, not a currency
        glued = m.group("glued")
        if not (glued or m.group("cur")) and m.start("num") > 0 and text[m.start("num") - 1].isalpha():
            continue  # "R2", "Rs" of "GPUs2": a letter glued to the number is a currency only when listed
        if glued and not m.group("scale"):
            continue  # "R2" alone is a name (a storage service), "R2.9 billion" is rand
        start = (m.start("cur") if m.group("cur") else m.start("glued") if glued else m.start("code") if code
                 else m.start("pre") if m.group("pre") else m.start("num"))
        if num and start > 0 and text[start - 1] in "QqHhTt":
            continue  # Q3, H1
        cur = m.group("cur") or glued or m.group("cur2") or code
        if m.group("pct") or (m.group("pre") and not m.group("pp")):
            kind = "percent"
        elif m.group("pp"):
            kind = "points"
        elif cur:
            kind = "amount"
        elif m.group("scale") and m.group("scale").lower() not in ("m", "k", "b"):
            kind = "amount" if _money_near(text, m.start(), m.end()) else "quantity"
        elif m.group("unit"):
            kind = "quantity"
        else:
            if _is_year_or_day(text, m.start("num"), m.end("num"), num) or _in_clock_time(text, m.start("num"), m.end("num")):
                continue
            kind = "count"
        out.append(Figure(start, m.end(), text[start : m.end()].strip(), kind, _value(num)))
    return _word_figures(text, out)


# A time of day or a recording's timestamp ("08:40 —", "[00:02:15]"): no figure
_CLOCK = re.compile(r"(?<![\d.,:])\d{1,2}:\d{2}(?::\d{2})?(?![\d:])")


def _in_clock_time(text: str, start: int, end: int) -> bool:
    lo = max(0, start - 6)
    return any(lo + m.start() <= start and end <= lo + m.end() for m in _CLOCK.finditer(text[lo : end + 6]))


def _word_figures(text: str, out: list[Figure]) -> list[Figure]:
    """``out`` with the figures written in words ("one million chips", "eine Milliarde", and as
    spoken: "three hundred and ten million dollars", "nine point five percent")."""
    spoken = list(_spoken_figures(text)) if _SPOKEN_CUE.search(text) else []
    out.extend(spoken)
    for m in _WORD_NUMBER.finditer(text):
        if any(f.start <= m.start() < f.end for f in spoken):
            continue
        kind = "amount" if _money_near(text, m.start(), m.end()) else "quantity"
        out.append(Figure(m.start(), m.end(), m.group(0), kind, _WORD_VALUES.get(m.group("word").lower())))
    return out


_SMALL = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
          "seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_BIG = ("million", "billion", "trillion")
_NUMBER_WORDS = frozenset([*_SMALL, *_TENS, "hundred", "thousand", *_BIG])
# (a figure spoken in words has a tens word or a scale word; "one of the two" is none)
_SPOKEN_CUE = re.compile(r"(?i)\b(?:" + "|".join([*_TENS, "hundred", "thousand"]) + r")\b|\b(?:" + "|".join(_SMALL) + r")\s+point\b")
_SPOKEN_WORD = re.compile(r"[A-Za-z]+")
_PERCENT_AFTER = re.compile(r"\s?(?:percent|per cent|%)(?![\w])", re.I)


def _spoken_figures(text: str) -> Iterator[Figure]:
    """The numbers a transcript writes as they were said ("forty-eight megawatts", "one thousand
    five hundred and thirty-six GPUs", "four point eight six billion lira"), valued by text2num."""
    run: list[re.Match[str]] = []
    for m in [*_SPOKEN_WORD.finditer(text), None]:
        word = m.group(0).lower() if m else ""
        joined = bool(run) and m is not None and re.fullmatch(r"[\s-]+", text[run[-1].end() : m.start()]) is not None
        if m and word in _NUMBER_WORDS and (not run or joined):
            run.append(m)
            continue
        if m and run and joined and word in ("and", "point"):
            run.append(m)
            continue
        while run and run[-1].group(0).lower() in ("and", "point"):
            run.pop()
        if run:
            figure = _spoken(text, run)
            if figure:
                yield figure
        run = [m] if m and word in _NUMBER_WORDS else []


def _spoken(text: str, run: list[re.Match[str]]) -> Figure | None:
    words = [m.group(0).lower() for m in run]
    if not any(w in _TENS or w in ("hundred", "thousand", "point", *_BIG) for w in words) or not any(w in _SMALL or w in _TENS for w in words):
        return None  # ("one", "two": words; "per thousand tokens": a rate's base)
    core = run  # (a number word stands before any scale word at its end: one is left)
    while core[-1].group(0).lower() in _BIG:
        core = core[:-1]
    digits = alpha2digit(text[core[0].start() : core[-1].end()], "en")
    if not re.fullmatch(r"\d+(?:\.\d+)?", digits):
        return None
    start, end = run[0].start(), run[-1].end()
    percent = _PERCENT_AFTER.match(text, end)
    if percent:
        return Figure(start, percent.end(), text[start : percent.end()], "percent", float(digits))
    scaled = len(core) < len(run)
    if re.match(rf"\s(?:{_UNIT})\b", text[end:], re.I):
        kind = "quantity"  # "forty-eight megawatts"
    elif (scaled or float(digits) >= 20) and _money_near(text, start, end):
        kind = "amount"
    else:
        kind = "quantity" if scaled else "count"
    if kind == "count" and float(digits) < 100:
        return None  # "the top twenty", "twenty years": a word more than a figure
    return Figure(start, end, text[start:end], kind, float(digits))


_MONEY_WORD = re.compile(rf"(?<![a-z])(?:{_CURRENCY})(?![a-z])", re.I)


def _money_near(text: str, start: int, end: int) -> bool:
    window = text[max(0, start - 30) : end + 25].lower()
    # (searched in place, so a word cut at the window's edge is not read as a currency: "subscribe|rs")
    return bool(_MONEY_WORD.search(text, max(0, start - 30), end + 25)) or any(
        w in window for w in ("revenue", "sales", "umsatz", "chiffre d'affaires", "ingresos", "receita", "fatturato")
    )


def _is_year_or_day(text: str, start: int, end: int, num: str) -> bool:
    if num.isdigit() and len(num) == 4 and 1900 <= int(num) <= 2100:
        return True
    if num.isdigit() and int(num) <= 31:
        before = text[max(0, start - 12) : start].lower()
        after = text[end : end + 12].lower()
        months = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|januar|februar|märz|mai|juni|juli|oktober|dezember)"
        if re.search(months + r"[a-zäé]*\.?\s*$", before) or re.match(r"(st|nd|rd|th)?\.?\s*" + months, after):
            return True
    return False


def _value(num: str) -> float | None:
    cleaned = num.replace(" ", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", cleaned):  # 1.085,5 (German)
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d+,\d{1,2}", cleaned):  # 6,8 (decimal comma)
        cleaned = cleaned.replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def kinds(text: str) -> set[str]:
    return {f.kind for f in find_figures(text)}

"""Periods as values: every written form of a quarter, half, year, month, span or date becomes an
interval of days, so "Q3 2025", "the three months to September 2025", "3Q25" and "the September
quarter" are one period, and "H1 2025" contains "Q2 2025".

Fiscal periods ("FY25", "fiscal Q2 2026") keep their fiscal label; they become calendar intervals
when the text says where the fiscal year ends ("fiscal year ending 31 January", "year to March").
A fiscal year is named by the calendar year it ends in (FY2026 to January ends in January 2026).
Periods written without a year ("the June quarter", "third quarter") take it from an anchor date
(the article's date), the most recent such period not after it.

Nothing here knows a company or a publication: only calendar words, in English and the common
forms of German, French and Spanish.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from assistant import readings

MONTHS: dict[str, int] = {}
# English, German, French and Spanish; then Italian, Portuguese, Dutch, Indonesian, Swedish, Polish
# (its names and their "of" forms: "30 września") and Turkish. A name that is also a word ("mart",
# "maj") is matched only as a word of its own, as every month name is.
for _n, _names in enumerate(
    (
        "january jan januar janvier enero gennaio janeiro januari styczeń stycznia styczniu ocak",
        "february feb februar février fevrier febrero febbraio fevereiro februari luty lutego lutym şubat",
        "march mar märz maerz mars marzo março maart maret marzec marca marcu mart",
        "april apr avril abril aprile kwiecień kwietnia kwietniu nisan",
        "may mai mayo maggio maio mei maj maja maju mayıs",
        "june jun juni juin junio giugno junho czerwiec czerwca czerwcu haziran",
        "july jul juli juillet julio luglio julho lipiec lipca lipcu temmuz",
        "august aug août aout agosto augustus agustus augusti sierpień sierpnia sierpniu ağustos",
        "september sep sept septembre septiembre setiembre settembre setembro wrzesień września wrześniu eylül",
        "october oct oktober octobre octubre ottobre outubro październik października październiku ekim",
        "november nov novembre noviembre novembro listopad listopada listopadzie kasım",
        "december dec dezember décembre decembre diciembre dic dez dicembre dezembro desember grudzień grudnia "
        "grudniu aralık",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _n
WEEKDAYS: dict[str, int] = {}
# Monday is 0. The same languages as the months; a name that is also a common word is left out
# (Indonesian "minggu" is also "week", Turkish "pazar" also "market"; "segunda" alone is "second").
for _n, _names in enumerate(
    (
        "monday montag lundi lunes lunedì lunedi segunda-feira maandag senin poniedziałek pazartesi måndag mandag",
        "tuesday dienstag mardi martes martedì martedi terça-feira terca-feira dinsdag selasa wtorek salı tisdag tirsdag",
        "wednesday mittwoch mercredi miércoles miercoles mercoledì mercoledi quarta-feira woensdag rabu środa środę "
        "çarşamba onsdag",
        "thursday donnerstag jeudi jueves giovedì giovedi quinta-feira donderdag kamis czwartek perşembe torsdag",
        "friday freitag vendredi viernes venerdì venerdi sexta-feira vrijdag jumat piątek cuma fredag",
        "saturday samstag samedi sábado sabado sabato zaterdag sabtu sobota sobotę cumartesi lördag lørdag",
        "sunday sonntag dimanche domingo domenica zondag niedziela niedzielę söndag søndag",
    )
):
    for _name in _names.split():
        WEEKDAYS[_name] = _n
_MONTH = r"(?P<{}>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "erste": 1, "ersten": 1, "erstes": 1, "erster": 1, "zweite": 2, "zweiten": 2, "zweites": 2,
    "dritte": 3, "dritten": 3, "drittes": 3, "vierte": 4, "vierten": 4, "viertes": 4,
    "premier": 1, "1er": 1, "deuxième": 2, "deuxieme": 2, "second_fr": 2, "troisième": 3, "troisieme": 3,
    "quatrième": 4, "quatrieme": 4, "primer": 1, "primero": 1, "segundo": 2, "tercer": 3, "tercero": 3,
    "cuarto": 4, "last": 4, "final": 4,
    "primo": 1, "secondo": 2, "terzo": 3, "quarto": 4, "eerste": 1, "tweede": 2, "derde": 3, "vierde": 4,
    "primeiro": 1, "terceiro": 3, "pierwszy": 1, "drugi": 2, "trzeci": 3, "czwarty": 4,
    "första": 1, "andra": 2, "tredje": 3, "fjärde": 4,
    "ilk": 1, "birinci": 1, "ikinci": 2, "üçüncü": 3, "dördüncü": 4,
    # the Polish ordinals as they are declined ("w czwartym kwartale": in the fourth quarter)
    "pierwszym": 1, "pierwszego": 1, "pierwszej": 1, "drugim": 2, "drugiego": 2, "drugiej": 2,
    "trzecim": 3, "trzeciego": 3, "trzeciej": 3, "czwartym": 4, "czwartego": 4, "czwartej": 4,
    "pertama": 1, "kedua": 2, "ketiga": 3, "keempat": 4,
}
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_ORD = r"(?P<{}>" + "|".join(sorted(ORDINALS, key=len, reverse=True)) + r")"
_YEAR4 = r"(?P<{}>(?:19|20)\d\d)"
# A two-digit year needs an apostrophe, a space or "FY" before it: "Q3'25", "Q2 FY26", but "H100" is a GPU.
_YEAR = r"'?(?P<{}>(?:19|20)\d\d|(?<=['\sYyHhQqTtSs])\d\d)(?!\d)"


@dataclass(frozen=True)
class Period:
    """A span of days, with how it was written: ``grain`` is day, month, quarter, half, year, span
    or point (a balance "at the end of June"). ``fiscal`` is (fiscal year, part) when it was written
    as a fiscal period, part being "Q1".."Q4", "H1", "H2" or "" for the year. ``start``/``end``
    are None for a fiscal period whose year-end is unknown, and for a quarter or half written
    without a year (``part`` then holds it, e.g. "Q3")."""

    start: date | None
    end: date | None
    grain: str
    fiscal: tuple[int, str] | None = None
    part: str = ""  # "Q3"/"H1" of a period with no known year

    def label(self) -> str:
        if self.fiscal:
            year, part = self.fiscal
            return f"{part} FY{year}".strip() if part else f"FY{year}"
        if self.start is None or self.end is None:
            if self.part.startswith("end-"):
                return f"the end of {calendar.month_name[int(self.part[4:])]}"
            if self.part == "ytd":
                return "the year to date"
            if self.part.startswith("to-"):
                return f"the quarter to {calendar.month_name[int(self.part[3:])]}"
            return self.part
        s, e = self.start, self.end
        if self.grain == "quarter":
            return f"Q{(s.month - 1) // 3 + 1} {s.year}" if s.month in (1, 4, 7, 10) else _span_label(s, e)
        if self.grain == "half":
            return f"H{1 if s.month == 1 else 2} {s.year}" if s.month in (1, 7) else _span_label(s, e)
        if self.grain == "year":
            return str(s.year) if (s.month, s.day) == (1, 1) else _span_label(s, e)
        if self.grain == "month":
            return f"{calendar.month_name[s.month]} {s.year}"
        if self.grain in ("day", "point"):
            return f"{e.day} {calendar.month_name[e.month]} {e.year}"
        return _span_label(s, e)

    @property
    def year(self) -> int | None:
        if self.fiscal:
            return self.fiscal[0]
        return self.end.year if self.end else None

    @property
    def months(self) -> int:
        """How many calendar months a dated period spans (a half is six, whichever half)."""
        assert self.start is not None and self.end is not None
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def shifted(self, steps: int) -> Period:
        """The period ``steps`` of its own length later (negative: earlier)."""
        if self.fiscal and self.start is None:
            year, part = self.fiscal
            if part.startswith("Q"):
                index = year * 4 + int(part[1]) - 1 + steps
                return Period(None, None, "quarter", (index // 4, f"Q{index % 4 + 1}"))
            if part.startswith("H"):
                index = year * 2 + int(part[1]) - 1 + steps
                return Period(None, None, "half", (index // 2, f"H{index % 2 + 1}"))
            return Period(None, None, "year", (year + steps, ""))
        if self.start is None or self.end is None:
            return self
        months = {"quarter": 3, "half": 6, "year": 12, "month": 1}.get(self.grain) or self.months
        start = _add_months(self.start, months * steps)
        end = _month_end(_add_months(date(self.end.year, self.end.month, 1), months * steps))
        fiscal = None
        if self.fiscal:
            year, part = self.fiscal
            if part.startswith("Q"):
                index = year * 4 + int(part[1]) - 1 + steps
                fiscal = (index // 4, f"Q{index % 4 + 1}")
            elif part.startswith("H"):
                index = year * 2 + int(part[1]) - 1 + steps
                fiscal = (index // 2, f"H{index % 2 + 1}")
            else:
                fiscal = (year + steps, "")
        return Period(start, end, self.grain, fiscal)


def year_before(p: Period) -> Period:
    """The same period one year earlier ("a year earlier" of Q4 2025 is Q4 2024; of the half to
    September 2025, the half to September 2024)."""
    fiscal = (p.fiscal[0] - 1, p.fiscal[1]) if p.fiscal else None
    if p.start is None or p.end is None:
        return Period(None, None, p.grain, fiscal, p.part) if fiscal else p
    def back(d: date) -> date:
        return d.replace(year=d.year - 1) if (d.month, d.day) != (2, 29) else d.replace(year=d.year - 1, day=28)

    end = back(p.end) if p.end.day != _month_end(p.end).day else _month_end(date(p.end.year - 1, p.end.month, 1))
    return Period(back(p.start), end, p.grain, fiscal, p.part)


def _span_label(s: date, e: date) -> str:
    if s.day != 1 or e != _month_end(e):  # from a day to a day: "3-28 March 2031"
        first = f"{s.day}" if (s.year, s.month) == (e.year, e.month) else f"{s.day} {calendar.month_name[s.month]}"
        first += f" {s.year}" if s.year != e.year else ""
        return f"{first}-{e.day} {calendar.month_name[e.month]} {e.year}"
    if s.year == e.year:
        return f"{calendar.month_abbr[s.month]}-{calendar.month_abbr[e.month]} {e.year}"
    return f"{calendar.month_abbr[s.month]} {s.year}-{calendar.month_abbr[e.month]} {e.year}"


def _month_end(d: date) -> date:
    return date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])


def _add_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def span(year: int, first_month: int, months: int, grain: str, fiscal: tuple[int, str] | None = None) -> Period:
    start = date(year, first_month, 1)
    return Period(start, _month_end(_add_months(start, months - 1)), grain, fiscal)


def ending(year: int, month: int, months: int, grain: str, fiscal: tuple[int, str] | None = None) -> Period:
    """The ``months`` months ending with ``month`` of ``year``."""
    start = _add_months(date(year, month, 1), 1 - months)
    return Period(start, _month_end(date(year, month, 1)), grain, fiscal)


def quarter(year: int, q: int) -> Period:
    return span(year, 3 * q - 2, 3, "quarter")


def half(year: int, h: int) -> Period:
    return span(year, 6 * h - 5, 6, "half")


def whole_year(year: int) -> Period:
    return span(year, 1, 12, "year")


def fiscal_period(year: int, part: str, fy_end_month: int | None) -> Period:
    """A fiscal period; a calendar interval too when the fiscal year's last month is known."""
    grain = {"Q": "quarter", "H": "half"}.get(part[:1], "year")
    if fy_end_month is None:
        return Period(None, None, grain, (year, part))
    month, named_by_start = _fy_end(fy_end_month)
    fy_start = _add_months(date(year + named_by_start, month, 1), -11)
    if part.startswith("Q"):
        first = _add_months(fy_start, 3 * (int(part[1]) - 1))
        return span(first.year, first.month, 3, grain, (year, part))
    if part.startswith("H"):
        first = _add_months(fy_start, 6 * (int(part[1]) - 1))
        return span(first.year, first.month, 6, grain, (year, part))
    return span(fy_start.year, fy_start.month, 12, grain, (year, part))


# ---- matching ----------------------------------------------------------------------------------


def relation(asked: Period, stated: Period) -> float:
    """How well a period ``stated`` in a text answers a question about ``asked``: 1 the same period,
    between 0 and 1 a part or a container of it, below 0 a different period."""
    if asked.start and asked.end and stated.start and stated.end:
        if (asked.start, asked.end) == (stated.start, stated.end):
            return 1.0
        if stated.grain == "point" or asked.grain == "point":
            point, other = (stated, asked) if stated.grain == "point" else (asked, stated)
            assert point.end and other.start and other.end
            if point.end == other.end:
                return 0.9
            return 0.4 if other.start <= point.end <= other.end else -1.0
        if asked.start <= stated.start and stated.end <= asked.end:
            return 0.6  # a part of what was asked (a quarter of an asked year)
        if stated.start <= asked.start and asked.end <= stated.end:
            return 0.25  # a longer period holding the asked one
        if stated.start <= asked.end and asked.start <= stated.end:
            return 0.05
        return -1.0
    if asked.fiscal and stated.fiscal:
        (ay, ap), (sy, sp) = asked.fiscal, stated.fiscal
        if ay != sy:
            return -1.0
        if ap == sp:
            return 1.0
        return 0.5 if not ap else (0.2 if not sp else -1.0)
    if asked.part and asked.start is None and not asked.fiscal:
        return _part_relation(asked.part, asked.grain, stated)
    if stated.part and stated.start is None and not stated.fiscal:
        back = _part_relation(stated.part, stated.grain, asked)
        return 0.5 if back > 0 else min(back, -0.5)
    # One fiscal with an unknown year-end, one calendar: the same year number and part read alike.
    a_year, s_year = asked.year, stated.year
    a_part = asked.fiscal[1] if asked.fiscal else _part_of(asked)
    s_part = stated.fiscal[1] if stated.fiscal else _part_of(stated)
    if a_year is None or s_year is None:
        return 0.0
    if a_year == s_year and a_part == s_part:
        return 0.5
    if abs(a_year - s_year) <= 1 and (not a_part or not s_part):
        return 0.05
    return -0.5


def _part_relation(part: str, grain: str, stated: Period) -> float:
    """A period written without a year ("Q3", "the March quarter", "end of June") against one
    with: the same part of any year matches."""
    if part == "ytd":
        # the year to date: a span from the start of a calendar year that is not yet the whole year
        if stated.start is None or stated.end is None:
            return 0.0
        if (stated.start.month, stated.start.day) == (1, 1):
            return 0.8 if stated.end.month < 12 else 0.0
        return -0.5 if stated.grain in ("quarter", "half", "span") else 0.0
    if part.startswith("end-"):
        month = int(part[4:])
        if stated.end is None:
            return 0.0
        if stated.end.month == month and stated.end == _month_end(stated.end) and stated.grain in ("point", "day", "quarter", "half", "year", "month"):
            return 0.9 if stated.grain in ("point", "day") else 0.6
        return -1.0 if stated.grain in ("point", "day") else 0.0
    if stated.grain != grain:
        return 0.0
    if part.startswith("to-"):
        if stated.end is None:
            return 0.0
        return 0.8 if stated.end.month == int(part[3:]) else -1.0
    if stated.fiscal and stated.fiscal[1] == part:
        return 0.8
    if stated.start is not None:
        return 0.8 if _part_of(stated) == part else -1.0
    if stated.fiscal:
        return -0.5
    return 0.8 if stated.part == part else -1.0


def _part_of(p: Period) -> str:
    if p.start is None:
        return p.part
    if p.grain == "quarter" and p.start.month in (1, 4, 7, 10):
        return f"Q{(p.start.month - 1) // 3 + 1}"
    if p.grain == "half" and p.start.month in (1, 7):
        return f"H{1 if p.start.month == 1 else 2}"
    return ""


def best_relation(asked: Iterable[Period], stated: Iterable[Period]) -> float | None:
    """The best relation of any stated period to any asked one (None when nothing is stated)."""
    stated = list(stated)
    if not stated:
        return None
    return max(relation(a, s) for a in asked for s in stated)


# ---- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    period: Period
    explicit_year: bool = True
    alternative: Period | None = None  # another reading of the same words (calendar vs fiscal)


def _p(template: str, *names: str) -> str:
    return template.format(*names)


_RULES: list[tuple[str, re.Pattern[str], frozenset[str]]] = []


def _rule(kind: str, pattern: str, *needs: str) -> None:
    """A period pattern, tried only on a text that has every one of ``needs`` (see :func:`_features`)."""
    _RULES.append((kind, re.compile(pattern, re.I), frozenset(needs)))


# "the second quarter of its 2027 fiscal year": the fiscal words after the year
_FISCAL_AFTER = r"(?P<fiscal3>\s+(?:fiscal|financial)\s+year)?"
_FISCAL = r"(?P<fiscal>fiscal(?:\s+year)?\s*|fy\s*|geschäftsjahr(?:es)?\s*|año fiscal\s*|exercice\s*)"
# Month-based spans first (they contain other forms), then quarters, halves, years.
_rule("ending", rf"\b(?P<n>three|six|nine|twelve|3|6|9|12)[- ]months?\s+(?:period\s+)?(?:ended|ending|to|through|thru|until)\s+"
      rf"(?:(?:the\s+)?(?:end(?:\s+of\s+|-))?)(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+)?{_MONTH.format('m')}(?:\s+(?P<d2>\d{{1,2}})(?!\d)(?:st|nd|rd|th)?)?,?(?:\s+{_YEAR4.format('y')})?", "months", "month_name")
# ("the quarter to end-September", "the half-year to August 2025")
_rule("ending", rf"\b(?:(?P<fy>fiscal\s+)?(?P<unit>half[- ]year|year|quarter|half)(?:\s+(?:that|which))?\s+(?:ended|ending|ends|closed|closing|closes|to|through)\s+(?:on\s+|in\s+)?)(?:the\s+)?(?:end(?:\s+of\s+|-))?"
      rf"(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+)?{_MONTH.format('m')}(?:\s+(?P<d2>\d{{1,2}})(?!\d)(?:st|nd|rd|th)?)?,?(?:\s+{_YEAR4.format('y')})?", "month_name", "unit")
# ("nine-month 2025 revenue", "six months of 2025", "9M 2025", "9M25": the first months of the year)
_rule("first_n", rf"\b(?P<n>three|six|nine|3|6|9)[- ]months?\s+(?:of\s+)?{_YEAR4.format('y')}", "months", "year4")
_rule("first_n", rf"(?<![\w.])(?P<n>3|6|9)m\s*'?{_YEAR.format('y')}(?!\w)", "year4")
_rule("first_n", rf"\b(?:first|erste[nr]?)\s+(?P<n>three|six|nine|3|6|9|drei|sechs|neun)\s+(?:months|monate[n]?)(?:\s+(?:of|des\s+jahres|von)\s+{_YEAR4.format('y')})?", "months")
_rule("month_range", rf"\b{_MONTH.format('m1')}\s*(?:to|through|thru|-|–|bis|a|à|do|hingga|sampai)\s*{_MONTH.format('m2')},?\s+(?:de\s+|del\s+)?{_YEAR4.format('y')}", "month_name", "year4")
# without a year ("The second quarter (October to December) brought in ..."): the latest such
# months by the article's date
_rule("month_range", rf"\b{_MONTH.format('m1')}\s*(?:to|through|thru|-|–|bis|a|à|do|hingga|sampai)\s*{_MONTH.format('m2')}(?![\w-])", "month_name")
# From a month's first day to a month's last ("1 October 2024 - 30 September 2025", "July 1 to
# September 30, 2025"): the months between, one period, not two days
_DAY_TO = r"\s*(?:-|–|—|to|through|until|thru)\s*"
_rule("day_range", rf"\b(?:from\s+)?(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\.?\s+{_MONTH.format('m1')},?"
      rf"(?:\s+{_YEAR4.format('y1')})?{_DAY_TO}"
      rf"(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\.?\s+{_MONTH.format('m2')},?\s+{_YEAR4.format('y')}", "month_name", "year4")
_rule("day_range", rf"\b(?:from\s+)?{_MONTH.format('m1')}\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?"
      rf"(?:\s+{_YEAR4.format('y1')})?{_DAY_TO}"
      rf"{_MONTH.format('m2')}\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR4.format('y')}", "month_name", "year4")
_rule("month_quarter", rf"\b(?:the\s+)?{_MONTH.format('m')}(?:\s+{_YEAR4.format('y')})?\s+quarter(?:\s+(?:of\s+)?{_YEAR4.format('y2')})?", "month_name", "quarter")
_rule("q", rf"\b(?:{_FISCAL})?q(?P<q>[1-4])(?:\s*(?:of\s+)?(?:{_FISCAL.replace('fiscal>', 'fiscal2>')})?{_YEAR.format('y')})?(?!\w)", "quarter")
_rule("q", rf"\b(?P<q>[1-4])q\s*(?:{_FISCAL.replace('fiscal>', 'fiscal2>')})?{_YEAR.format('y')}(?!\w)", "quarter")
_rule("q", rf"\b{_YEAR4.format('y')}\s*-?q(?P<q>[1-4])(?!\w)", "quarter", "year4")
_rule("q", rf"\b(?:{_FISCAL})?{_ORD.format('o')}[- ](?:fiscal[- ])?(?P<fiscalw>fiscal[- ])?(?:quarter|quartal|trimestre|kwartaal|kwarta[łl]\w*|kvartalet|kvartal|kuartal|çeyre\w*)(?:\s+(?:of|de|del|des|van|do|da)\s+(?:the\s+|its\s+|their\s+|the company's\s+|het\s+)?)?"
      rf"(?:\s*(?:{_FISCAL.replace('fiscal>', 'fiscal2>')})?{_YEAR.format('y')}{_FISCAL_AFTER})?", "quarter", "ordinal")
_rule("q", rf"\b(?P<q>[1-4])(?:er|e|º|°|\.)?\s*(?:quartal|trimestre)\s+(?:de\s+|del\s+)?{_YEAR4.format('y')}", "quarter", "year4")
# the quarter word first ("kuartal ketiga 2026", "trimestre III de 2026"), or a Roman numeral before
# it ("III kwartał 2026", "IV trimestre")
_QUARTER_WORD = r"(?:quarter|quartal|trimestre|kwartaal|kwarta[łl]\w*|kw\.|kuartal|kvartal)"
_rule("q", rf"\b(?:kuartal|trimestre|quartal)\s+(?:(?P<roman>iv|i{{1,3}})|{_ORD.format('o')})(?!\w)(?:\s+(?:de\s+|del\s+|tahun\s+)?{_YEAR4.format('y')})?", "quarter")
_rule("q", rf"(?<![\w.])(?P<roman>iv|i{{1,3}})\s+{_QUARTER_WORD}(?:\s+(?:de\s+|del\s+)?{_YEAR4.format('y')})?", "quarter")
# the year first, as Turkish writes it ("2026 yılının üçüncü çeyreği": the third quarter of 2026)
_rule("q", rf"\b{_YEAR4.format('y')}\s+(?:yılının|yili|yılı)\s+{_ORD.format('o')}\s+çeyre\w*", "quarter", "year4")
_rule("h", rf"\b(?:{_FISCAL})?h(?P<h>[12])(?:\s*(?:{_FISCAL.replace('fiscal>', 'fiscal2>')})?{_YEAR.format('y')})?(?!\w)", "half")
_rule("h", rf"\b(?P<h>[12])h\s*(?:{_FISCAL.replace('fiscal>', 'fiscal2>')})?{_YEAR.format('y')}(?!\w)", "half")
# a trimestre's or semestre's short form with its year ("T3 2025", "3T25", "S1 2026", "1S2025"): only
# with the year ("T3" alone may name anything)
_rule("q", rf"\b(?:t(?P<q>[1-4])[\s-]?(?:de\s+|del\s+)?|(?P<q2>[1-4])t\s?){_YEAR.format('y')}(?!\w)", "quarter")
_rule("h", rf"\b(?:s(?P<h>[12])[\s-]?(?:de\s+|del\s+)?|(?P<h2>[12])s\s?){_YEAR.format('y')}(?!\w)", "half")
_rule("h", rf"\b(?:{_FISCAL})?(?P<o>first|second|ersten|erste|zweiten|zweite|premier|second|primer|segundo|primo|secondo|eerste|tweede|primeiro|första|andra|pierwsz\w*|drugi\w*)[\s-]+"
      rf"(?:fiscal\s+)?(?:halfjaar|halvåret|halvår|halbjahr|half|semestre|półrocz\w*|semester)(?:\s+(?:of|de|del|des|van|do|da)\s+(?:the\s+|its\s+|het\s+)?)?(?:\s*(?:{_FISCAL.replace('fiscal>', 'fiscal2>')})?{_YEAR.format('y')}{_FISCAL_AFTER})?", "half")
_rule("fy", rf"\b(?:fy|fiscal\s+(?:year\s+)?|geschäftsjahr(?:es)?\s+|año\s+fiscal\s+|exercice\s+(?:fiscal\s+)?){_YEAR.format('y')}(?!\w)", "fiscal")
_rule("fy", rf"\b{_YEAR4.format('y')}\s+fiscal\s+year", "fiscal", "year4")
_rule("end_of", rf"\b(?:(?:at\s+|by\s+)?the\s+)?end\s+of\s+{_MONTH.format('m')}(?:\s+{_YEAR4.format('y')})?", "end", "month_name")
_rule("day", rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\.?\s+(?:of\s+)?{_MONTH.format('m')},?\s+{_YEAR4.format('y')}", "month_name", "year4")
_rule("day", rf"\b{_MONTH.format('m')}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR4.format('y')}", "month_name", "year4")
# a day without its year ("debt at 30 June", "on June 30"): the nearest such day to the article's date
_rule("day", rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH.format('m')}(?![\w-])(?!,?\s+'?\d)", "month_name")
_rule("day", rf"\b(?:on|at|by|as of|through|until|since|to|from|before|after)\s+{_MONTH.format('m')}\s+(?P<d>\d{{1,2}})"
      rf"(?:st|nd|rd|th)?(?![\d.,%])(?!\s*(?:percent|per cent|pp\b|points))", "month_name")
# a slide's or table's short date, the year in two digits ("30 Jun 25", "30 June '25")
_rule("day", rf"\b(?P<d>\d{{1,2}})\s+{_MONTH.format('m')}\s+'?(?P<y>\d\d)(?=\s*(?:[)\]}},;:|]|$|\.(?!\d)))", "month_name")
_rule("iso", r"\b(?P<y>(?:19|20)\d\d)-(?P<mo>[01]\d)-(?P<d>[0-3]\d)\b", "iso")
_rule("month", rf"\b{_MONTH.format('m')}\s+(?:of\s+)?{_YEAR4.format('y')}", "month_name", "year4")
_rule("calyear", rf"\b(?:calendar(?:\s+year)?|full[- ]year|the\s+year|year|ganzjahr|jahr|año|année)\s+{_YEAR4.format('y')}", "year4")
_rule("year", r"(?<![\w$€£¥.,/-])(?P<y>(?:19|20)\d\d)(?![\w%/]|[.,]\d)", "year4")
_rule("relyear", r"\b(?P<rel>last|this|next|previous|prior|current)\s+(?:fiscal\s+)?year\b", "unit", "relative")
_rule("ytd", r"\byear[- ]to[- ]date\b", "unit")
# this, next and last year in the languages articles come in ("este año", "l'année prochaine")
_rule("relyear_x", r"(?<!\w)(?:(?P<this>este año|este ano|neste ano|cette année|dieses jahr|diesem jahr|quest'anno|questo anno|"
      r"dit jaar)|(?P<next>el año que viene|el próximo año|el proximo año|próximo año|proximo año|próximo ano|proximo ano|"
      r"ano que vem|l'année prochaine|l'an prochain|nächstes jahr|nächsten jahres|nächsten jahr|kommenden jahres|"
      r"il prossimo anno|prossimo anno|l'anno prossimo|volgend jaar)|(?P<last>el año pasado|ano passado|"
      r"l'année dernière|letztes jahr|letzten jahr|vergangenes jahr|l'anno scorso|vorig jaar))(?!\w)", "year_x")
# "launched last month": the month before the article's
_rule("relmonth", r"\b(?P<rel>last|this|next|previous|current|coming)\s+month\b(?!s)", "months", "relative")
# "the second half of next year", "Q2 of this year": a part of a year said relative to the article's date
_REL = r"(?:of\s+)?(?:the\s+)?(?P<rel>last|this|next|previous|prior|current|coming|following)\s+(?P<fy>fiscal\s+)?year\b"
_rule("relpart", rf"\b(?:{_ORD.format('o')}[- ](?P<unit>quarter|half)|q(?P<q>[1-4])|h(?P<h>[12]))\s+{_REL}", "unit", "relative")

_WORD_NUMBER = {"three": 3, "six": 6, "nine": 9, "twelve": 12, "drei": 3, "sechs": 6, "neun": 9}
_HINT = re.compile(
    r"\d|quarter|half|month|year|fiscal|quartal|trimestre|halbjahr|semestre|jahr|año|année|anno|ano|an prochain|jaar|monate|"
    r"end of|çeyre|kwarta|kuartal|półrocz|semester", re.I
)


def _year_value(text: str | None, anchor: date | None) -> int | None:
    if not text:
        return None
    year = int(text)
    if year < 100:
        year += 2000
    return year


def _latest_before(month_end: int, months: int, anchor: date | None) -> int | None:
    """The year of the most recent period ending in ``month_end`` not after the anchor."""
    if anchor is None:
        return None
    return anchor.year if month_end <= anchor.month else anchor.year - 1


def find(text: str, anchor: date | None = None, fy_end_month: int | None = None) -> list[Mention]:
    """Periods written in ``text``, in order of position, none overlapping an earlier-listed one.

    ``anchor`` gives the year to periods written without one; ``fy_end_month`` turns fiscal
    periods into calendar ones.
    """
    if not _HINT.search(text):
        return []
    key = (text, anchor, fy_end_month)
    found = _FOUND.get(key)
    if found is None:
        found = _find(text, anchor, fy_end_month)
        _FOUND.put(key, found)
    return list(found)


# What :func:`find` read, by (text, anchor, fiscal year-end): read once per process, or stored at
# ingest with the chunk (:func:`dump_reading`) and put back here when the chunk is read.
_FOUND: readings.Remembered[tuple[str, date | None, int | None], tuple[Mention, ...]] = readings.Remembered()


def hinted(text: str) -> bool:
    """Whether ``text`` could name a period at all (what :func:`find` reads further)."""
    return _HINT.search(text) is not None


# The version of the rules above, for readings stored at ingest.
RULES_VERSION = readings.version_of(__file__)


def _dump_period(p: Period) -> list[Any]:
    start, end = p.start.isoformat() if p.start else "", p.end.isoformat() if p.end else ""
    return [start, end, p.grain, list(p.fiscal) if p.fiscal else None, p.part]


def _load_period(x: list[Any]) -> Period:
    start, end, grain, fiscal, part = x
    return Period(
        date.fromisoformat(start) if start else None, date.fromisoformat(end) if end else None, grain,
        (int(fiscal[0]), str(fiscal[1])) if fiscal else None, part,
    )


def dump(mentions: Iterable[Mention]) -> list[Any]:
    """Mentions as JSON values (the reading of a sentence stored with its chunk)."""
    return [
        [m.start, m.end, int(m.explicit_year), _dump_period(m.period), _dump_period(m.alternative) if m.alternative else None]
        for m in mentions
    ]


def load(values: list[Any]) -> tuple[Mention, ...]:
    """What :func:`dump` wrote."""
    return tuple(
        Mention(int(a), int(b), _load_period(period), bool(explicit), _load_period(alt) if alt else None)
        for a, b, explicit, period, alt in values
    )


def dump_reading(pieces: Sequence[str], anchor: date | None, fy_end_month: int | None) -> str:
    """The periods of a chunk's pieces (its title, then its sentences), as a JSON value stored with
    the chunk at ingest: every piece that could name a period, with what it names (often nothing)."""
    found = {k: dump(find(piece, anchor, fy_end_month)) for k, piece in enumerate(pieces) if hinted(piece)}
    return readings.dump(_read_as(anchor, fy_end_month), pieces, found)


def load_reading(
    raw: str, pieces: Sequence[str], anchor: date | None, fy_end_month: int | None
) -> list[tuple[Mention, ...]] | None:
    """What :func:`dump_reading` stored for ``pieces``, each piece's reading remembered for
    :func:`find`; None when it was read by other rules, with another date or fiscal year, or of
    other pieces (then the text is read again)."""
    found = readings.load(raw, _read_as(anchor, fy_end_month), pieces, lambda k, values: load(values))
    if found is None:
        return None
    for k, mentions in found.items():
        _FOUND.put((pieces[k], anchor, fy_end_month), mentions)
    return [found.get(k, ()) for k in range(len(pieces))]


def _read_as(anchor: date | None, fy_end_month: int | None) -> dict[str, Any]:
    return {"v": RULES_VERSION, "a": anchor.isoformat() if anchor else "", "f": fy_end_month}


def _find(text: str, anchor: date | None, fy_end_month: int | None) -> tuple[Mention, ...]:
    # Every rule's matches, the longest first: "2025 Q3" is one quarter, not a year and a quarter.
    # A rule whose words the text lacks is not tried (most sentences name no month or quarter).
    have = _features(text)
    matches = [
        (m.end() - m.start(), -rank, kind, m)
        for rank, (kind, pattern, needs) in enumerate(_RULES)
        if needs <= have
        for m in pattern.finditer(text)
    ]
    matches.sort(key=lambda x: (-x[0], -x[1], x[3].start()))
    taken: list[tuple[int, int]] = []
    found: list[Mention] = []
    for _, _, kind, m in matches:
        a, b = m.span()
        if any(a < y and x < b for x, y in taken):
            continue
        mention = _read(kind, m, anchor, fy_end_month, text)
        if mention is None:
            continue
        taken.append((a, b))
        found.append(mention)
        if mention.alternative is not None:
            found.append(Mention(mention.start, mention.end, mention.alternative, mention.explicit_year))
    return _of_relative_year(sorted(found, key=lambda x: x.start), text)


# between a part of a year and the year it is of: "premier trimestre de l'année prochaine",
# "segundo semestre do próximo ano", "first quarter of next year"
_OF_YEAR = re.compile(r"\s*(?:of|de|del|dell['’]|des|do|da|di|van|im|des)?\s*(?:the\s+)?", re.I)


def _of_relative_year(found: list[Mention], text: str) -> tuple[Mention, ...]:
    """``found`` with a quarter or half written without a year and followed by a year said in
    words relative to the article ("the first quarter of next year", in any language the year
    rules read) read as that part of that year."""
    out: list[Mention] = []
    for m in found:
        prev = out[-1] if out else None
        if (
            prev is not None and m.period.grain == "year" and m.period.start is not None
            and prev.period.grain in ("quarter", "half") and not prev.explicit_year and prev.period.fiscal is None
            and not re.search(r"\d", text[m.start : m.end]) and _OF_YEAR.fullmatch(text, prev.end, m.start)
        ):
            month = prev.period.start.month if prev.period.start else 0
            part = prev.period.part
            year = m.period.start.year
            if prev.period.grain == "quarter" and (month or part[:1] == "Q"):
                period = quarter(year, (month - 1) // 3 + 1 if month else int(part[1]))
            elif month or part[:1] == "H":
                period = half(year, (1 if month <= 6 else 2) if month else int(part[1]))
            else:
                out.append(m)
                continue
            out[-1] = Mention(prev.start, m.end, period, True)
            continue
        out.append(m)
    return tuple(out)


# A month's name as a word of its own ("mar" in "market" is not March).
_MONTH_WORD = re.compile(r"(?<![a-zà-ÿ])(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")(?![a-zà-ÿ])")
_Q_DIGIT = re.compile(r"q[1-4]|[1-4]q|t[1-4]|[1-4]t|quartal|trimestre|quarter|kwarta|kvartal|kuartal|çeyre|kw\.")
_H_DIGIT = re.compile(r"h[12]|[12]h|s[12]|[12]s|half|halbjahr|semestre|halfjaar|halvår|półrocz|semester")
_YEAR4_ANY = re.compile(r"(?:19|20)\d\d")


def _features(text: str) -> frozenset[str]:
    """Cheap tests of which kinds of period words ``text`` holds (a superset is harmless)."""
    low = text.lower()
    have = set()
    if _MONTH_WORD.search(low):
        have.add("month_name")
    if _Q_DIGIT.search(low):
        have.add("quarter")
    if _H_DIGIT.search(low):
        have.add("half")
    if "fy" in low or "fiscal" in low or "geschäftsjahr" in low or "año fiscal" in low or "exercice" in low:
        have.add("fiscal")
    if "month" in low or "monate" in low:
        have.add("months")
    if _YEAR4_ANY.search(low):
        have.add("year4")
        if re.search(r"\d{4}-\d\d-\d\d", low):
            have.add("iso")
    if any(w in low for w in ("year", "quarter", "half", "jahr", "año", "année", "period")):
        have.add("unit")
    if "end of" in low:
        have.add("end")
    if _YEAR_WORD_X.search(low):
        have.add("year_x")
    if _RELATIVE_ANY.search(low):
        have.add("relative")
    if _ORDINAL_ANY.search(low):
        have.add("ordinal")
    return frozenset(have)


_YEAR_WORD_X = re.compile(r"(?<!\w)(?:año|ano|anno|année|an|jahr|jahres|jaar)(?!\w)")
_RELATIVE_WORDS = ("last", "this", "next", "previous", "prior", "current", "coming", "following")
# (one pass each: "any of these words anywhere in the text")
_RELATIVE_ANY = re.compile("|".join(re.escape(w) for w in sorted(_RELATIVE_WORDS, key=len, reverse=True)))
_ORDINAL_ANY = re.compile("|".join(re.escape(w) for w in sorted(ORDINALS, key=len, reverse=True)))


def _group(m: re.Match[str], name: str) -> str | None:
    try:
        return m.group(name)
    except IndexError:
        return None


def _grain_of(months: int) -> str:
    """The grain of a span of whole months: a quarter, a half, a year, else just a span."""
    return {3: "quarter", 6: "half", 12: "year"}.get(months, "span")


def _read(kind: str, m: re.Match[str], anchor: date | None, fy_end: int | None, text: str) -> Mention | None:
    a, b = m.span()
    y = _year_value(_group(m, "y") or _group(m, "y2"), anchor)
    explicit = y is not None
    fiscal_word = bool(_group(m, "fiscal") or _group(m, "fiscal2") or _group(m, "fiscal3") or _group(m, "fiscalw") or _group(m, "fy"))
    if not fiscal_word and re.search(r"(?:fiscal|fy|geschäftsjahr)\s*$", text[max(0, a - 12) : a], re.I):
        fiscal_word = True
    split = _SPLIT_YEAR.match(text, b) if fiscal_word or kind == "fy" else None
    if split and y is not None and int(split.group(1)) % 100 == (y + 1) % 100:
        # a fiscal year written with both its calendar years ("FY25/26", "H1 FY2025/26"): the year
        # it ends in names it, unless the article names its fiscal years by the year they begin in
        b = split.end()
        if not (fy_end and _fy_end(fy_end)[1]):
            y += 1
    period: Period | None = None
    if kind == "ending":
        month = MONTHS[m.group("m").lower().rstrip(".")]
        n = _group(m, "n")
        unit = (_group(m, "unit") or "").lower()
        unit = "half" if unit.startswith("half") else unit
        months = _WORD_NUMBER.get(n.lower(), 0) if n and not n.isdigit() else int(n) if n else {"year": 12, "half": 6}.get(unit, 3)
        y = y or _latest_before(month, months, anchor)
        if y is None:
            return None
        grain = _grain_of(months)
        period = ending(y, month, months, grain)
        if unit == "year" or months == 12:
            # (named by the year it begins in, when the article names its fiscal years so)
            named = y - _fy_end(fy_end)[1] if fy_end and _fy_end(fy_end)[0] == month else y
            period = Period(period.start, period.end, "year", (named, "") if (fiscal_word or unit == "year") else None)
    elif kind == "first_n":
        n = m.group("n").lower()
        months = _WORD_NUMBER.get(n) or int(n)
        y = y or (anchor.year if anchor else None)
        if y is None:
            return None
        period = span(y, 1, months, {3: "quarter", 6: "half"}.get(months, "span"))
    elif kind == "month_range":
        m1, m2 = MONTHS[m.group("m1").lower().rstrip(".")], MONTHS[m.group("m2").lower().rstrip(".")]
        months = (m2 - m1) % 12 + 1
        if months == 1:
            return None  # "May-May" is no span
        y = y or _latest_before(m2, months, anchor)
        if y is None:
            return None
        start_year = y if m1 <= m2 else y - 1
        period = span(start_year, m1, months, _grain_of(months))
    elif kind == "day_range":
        if y is None:
            return None
        m1, m2 = MONTHS[m.group("m1").lower().rstrip(".")], MONTHS[m.group("m2").lower().rstrip(".")]
        y1 = _group(m, "y1")
        start_year = int(y1) if y1 else (y if m1 <= m2 else y - 1)
        months = (y - start_year) * 12 + m2 - m1 + 1
        last = _month_end(date(y, m2, 1)).day
        if not 0 < months <= 24:
            return None
        if int(m.group("d1")) != 1 or int(m.group("d2")) != last or months == 1:
            try:  # from a day to a day ("fielded 4-29 August", "from 3 to 28 March 2031"): those days
                first, final = date(start_year, m1, int(m.group("d1"))), date(y, m2, int(m.group("d2")))
            except ValueError:
                return None
            if final <= first:
                return None
            period = Period(first, final, "span")
        else:
            period = span(start_year, m1, months, _grain_of(months))
    elif kind == "month_quarter":
        month = MONTHS[m.group("m").lower().rstrip(".")]
        y = y or _latest_before(month, 3, anchor)
        if y is None:
            # of any year: a calendar quarter, or "the October quarter", the three months to October
            return Mention(a, b, Period(None, None, "quarter", None, f"to-{month:02d}" if month % 3 else f"Q{month // 3}"), False)
        period = ending(y, month, 3, "quarter")  # "the October quarter": the three months to October
    elif kind == "q":
        roman = _group(m, "roman")
        q = ROMAN[roman.lower()] if roman else int(_group(m, "q") or _group(m, "q2") or ORDINALS[m.group("o").lower()])
        if _group(m, "o") and m.group("o").lower() in ("last", "final"):
            if y is None:
                return None  # "last quarter" is the latest one, not a fourth quarter
            q = 4
        return _part_mention(a, b, "Q", q, y, fiscal_word, anchor, fy_end)
    elif kind == "h":
        o = (_group(m, "o") or "").lower()
        opening = o in ("first", "ersten", "erste", "premier", "primer", "primo", "eerste", "primeiro", "första") or o.startswith("pierwsz")
        h = int(_group(m, "h") or _group(m, "h2") or (1 if opening else 2))
        return _part_mention(a, b, "H", h, y, fiscal_word, anchor, fy_end)
    elif kind == "fy":
        assert y is not None
        period = fiscal_period(y, "", fy_end)
    elif kind == "end_of":
        month = MONTHS[m.group("m").lower().rstrip(".")]
        y = y or _latest_before(month, 1, anchor)
        if y is None:
            return Mention(a, b, Period(None, None, "point", None, f"end-{month:02d}"), False)
        end = _month_end(date(y, month, 1))
        period = Period(end, end, "point")
    elif kind in ("day", "iso"):
        month = int(m.group("mo")) if kind == "iso" else MONTHS[m.group("m").lower().rstrip(".")]
        try:
            if kind == "day" and _group(m, "y") is None:
                if anchor is None:
                    return None
                # (the nearest: "debt at 30 June" in November is June's, "closes on 19 January" January's after)
                near = [date(anchor.year + k, month, int(m.group("d"))) for k in (-1, 0, 1)]
                day = min(near, key=lambda d: abs((d - anchor).days))
                explicit = False
            else:
                day = date(_year_value(m.group("y"), anchor) or 0, month, int(m.group("d")))
        except ValueError:
            return None
        period = Period(day, day, "day")
    elif kind == "month":
        month = MONTHS[m.group("m").lower().rstrip(".")]
        if m.group("m").lower().rstrip(".") in ("mar", "may", "mai", "dec") and m.group("m")[0].islower():
            # "may 2025" in lower case is a verb more often than a month
            if m.group("m").lower() == "may":
                return None
        assert y is not None
        period = span(y, month, 1, "month")
    elif kind == "calyear":
        assert y is not None
        period = whole_year(y)
    elif kind == "year":
        assert y is not None
        if fiscal_word:
            period = fiscal_period(y, "", fy_end)
        else:
            period = whole_year(y)
    elif kind == "relpart":
        if anchor is None:
            return None
        shift = _SHIFT[m.group("rel").lower()]
        fiscal = bool(_group(m, "fy")) and fy_end is not None
        year = (_fiscal_year_of(anchor, fy_end) if fiscal and fy_end else anchor.year) + shift
        unit = (_group(m, "unit") or "").lower()
        if _group(m, "q") or unit == "quarter":
            return _part_mention(a, b, "Q", int(_group(m, "q") or ORDINALS[m.group("o").lower()]), year, fiscal, anchor, fy_end)
        return _part_mention(a, b, "H", int(_group(m, "h") or min(2, ORDINALS[m.group("o").lower()])), year, fiscal, anchor, fy_end)
    elif kind == "ytd":
        # "year to date": from January to the latest figure, whatever month that is
        return Mention(a, b, Period(None, None, "span", None, "ytd"), False)
    elif kind == "relyear_x":
        if anchor is None:
            return None
        period = whole_year(anchor.year + (1 if _group(m, "next") else -1 if _group(m, "last") else 0))
        explicit = False
    elif kind == "relmonth":
        if anchor is None:
            return None
        index = anchor.year * 12 + anchor.month - 1 + _SHIFT[m.group("rel").lower()]
        period = span(index // 12, index % 12 + 1, 1, "month")
        explicit = False
    elif kind == "relyear":
        if anchor is None:
            return None
        rel = m.group("rel").lower()
        shift = _SHIFT[rel]
        if "fiscal" in m.group(0).lower() and fy_end:
            period = fiscal_period(_fiscal_year_of(anchor, fy_end) + shift, "", fy_end)
        else:
            period = whole_year(anchor.year + shift)
        explicit = False
    if period is None:
        return None
    if fy_end and fy_end != 12 and period.fiscal is None and period.grain in ("quarter", "half", "year"):
        # "the three months to 30 June 2031" in an article whose fiscal year ends in June is also
        # its fiscal fourth quarter
        twin = _fiscal_twin(period, fy_end)
        if twin is not None:
            return Mention(a, b, period, explicit, twin)
    return Mention(a, b, period, explicit)


def _fiscal_twin(period: Period, fy_end: int) -> Period | None:
    """``period`` labelled as the fiscal quarter, half or year it is, if it is one."""
    if period.start is None or period.end is None:
        return None
    parts = {"quarter": ("Q1", "Q2", "Q3", "Q4"), "half": ("H1", "H2"), "year": ("",)}[period.grain]
    for year in (period.end.year, period.end.year + 1):
        for part in parts:
            candidate = fiscal_period(year, part, fy_end)
            if (candidate.start, candidate.end) == (period.start, period.end):
                return candidate
    return None


_SHIFT = {"last": -1, "previous": -1, "prior": -1, "this": 0, "current": 0, "next": 1, "coming": 1, "following": 1}


def _part_mention(
    a: int, b: int, kind: str, n: int, y: int | None, fiscal_word: bool, anchor: date | None, fy_end: int | None
) -> Mention:
    """The ``n``-th quarter (``kind`` "Q") or half ("H") as written, of year ``y`` if given.

    A company whose fiscal year is not the calendar's counts its quarters by it; a bare "first
    quarter" in its article is read both ways (the article may be about another company too).
    Without a year or an anchor it is a part of any year ("Q3")."""
    months = 3 if kind == "Q" else 6
    grain = "quarter" if kind == "Q" else "half"
    part = f"{kind}{n}"
    calendar_part = quarter if kind == "Q" else half
    if fiscal_word or (y is None and fy_end is not None):
        if y is None:
            if fy_end is None or anchor is None:
                return Mention(a, b, Period(None, None, grain, None, part), False)
            y = _latest_fiscal(anchor, fy_end, part)
        period = fiscal_period(y, part, fy_end)
        if not fiscal_word and anchor is not None:
            calendar_year = _latest_before(months * n, months, anchor)
            assert calendar_year is not None
            return Mention(a, b, period, False, calendar_part(calendar_year, n))
        return Mention(a, b, period, True)
    if y is None:
        if anchor is None:
            return Mention(a, b, Period(None, None, grain, None, part), False)
        y = _latest_before(months * n, months, anchor)
        assert y is not None
        return Mention(a, b, calendar_part(y, n), False)
    return Mention(a, b, calendar_part(y, n), True)


def _latest_fiscal(anchor: date, fy_end_month: int, part: str) -> int:
    """The fiscal year of the latest ``part`` (Q3, H1) to have begun by ``anchor``."""
    year = _fiscal_year_of(anchor, fy_end_month) + 1
    while year > 1900:
        p = fiscal_period(year, part, fy_end_month)
        if p.start and p.start <= anchor:
            return year
        year -= 1
    return year


def _fiscal_year_of(day: date, fy_end_month: int) -> int:
    """The fiscal year (named by the calendar year it ends in, or begins in) holding ``day``."""
    month, named_by_start = _fy_end(fy_end_month)
    return (day.year if day.month <= month else day.year + 1) - named_by_start


_SPLIT_YEAR = re.compile(r"\s?/\s?'?(\d{2}|(?:19|20)\d{2})(?!\d)")


def _fy_end(fy_end_month: int) -> tuple[int, int]:
    """The month a fiscal year ends in, and 1 when its years are named by the calendar year they
    begin in ("FY2025 = fiscal year ending March 31, 2026", as Japanese companies write it), as
    :func:`fiscal_year_end` encodes them (100 added to the month)."""
    return fy_end_month % 100, fy_end_month // 100


_FY_END = re.compile(
    rf"\b(?:fiscal|financial|business|geschäfts)[- ]?(?:year|jahr)s?\s*(?:\d{{4}}\s+)?(?:\(|,)?\s*(?:that\s+|which\s+)?"
    rf"(?:ended|ending|ends|end|runs?\s+(?:to|through)|to|through|closes?|closed)\s+(?:on\s+|in\s+)?(?:the\s+end\s+of\s+)?"
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?{_MONTH.format('m')}",
    re.I,
)
_YEAR_TO = re.compile(rf"\b(?:year|twelve months)\s+(?:to|ended|ending)\s+(?:\d{{1,2}}\s+)?{_MONTH.format('m')}", re.I)


def fiscal_year_end(text: str) -> int | None:
    """The month a text says its company's fiscal year ends in, if it says so."""
    m = _first_match(_FY_END, _FY_WORDS, text) or _first_match(_YEAR_TO, ("year", "twelve months"), text)
    if not m:
        return None
    month = MONTHS[m.group("m").lower().rstrip(".")]
    named = _FY_NAMED.search(text)
    if named and month != 12:
        fy = int(named.group("fy"))
        fy += 2000 if fy < 100 else 0
        if int(named.group("end")) == fy + 1:
            return month + 100  # FY2025 is the year ending in March 2026
    return None if month == 12 else month


# "FY2025 = fiscal year ending March 31, 2026", "FY2025 (Fiscal Year Ending March 31, 2026)"
_FY_NAMED = re.compile(
    rf"\bFY\s?'?(?P<fy>\d{{4}}|\d\d)\s*(?:=|\(|:|is|,)?\s*(?:the\s+)?(?:fiscal|financial)\s+year\s+(?:ending|ended|ends)\s+"
    rf"(?:on\s+)?(?:\d{{1,2}}\s+)?{_MONTH.format('m2')}\s*(?:\d{{1,2}},?\s*)?(?P<end>\d{{4}})",
    re.I,
)


_FY_WORDS = ("fiscal", "financial", "business", "geschäfts")


def _first_match(pattern: re.Pattern[str], openings: tuple[str, ...], text: str) -> re.Match[str] | None:
    """``pattern.search(text)`` for a pattern that opens on one of ``openings`` (any case), tried
    only where one of them stands: a whole article is searched in a fraction of the time."""
    low = text.lower()
    if len(low) != len(text):  # a letter whose lower case is longer ("İ"): positions would shift
        return pattern.search(text)
    starts = sorted(at for word in openings for at in _positions(low, word))
    return next((m for at in starts if (m := pattern.match(text, at))), None)


def _positions(text: str, word: str) -> Iterator[int]:
    at = text.find(word)
    while at >= 0:
        yield at
        at = text.find(word, at + 1)


def parse_iso(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


_DATELINE = re.compile(
    rf"(?:(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\.?\s+{_MONTH.format('m')},?\s+{_YEAR4.format('y')})"
    rf"|(?:{_MONTH.format('m2')}\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR4.format('y2')})"
    rf"|(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d)"
    # (a month alone, not the month of a day: "Luxembourg, 4 February 2026" is the 4th)
    rf"|(?:^|\n)(?:[^\n]{{0,40}})?(?<!\d\s)(?<!\d\.\s)(?<!\d(?:st|nd|rd|th)\s){_MONTH.format('m3')}\s+{_YEAR4.format('y3')}(?=\s*(?:\n|$))",
    re.I,
)


def dateline(text: str, head: int = 600) -> str | None:
    """The date an article states in its first lines (a dateline or byline: "London, 24 November
    2025", "Updated Oct 31, 2025", "December 2025" on a line of its own), as YYYY-MM-DD."""
    for m in _DATELINE.finditer(text[:head]):
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        if len(line) > 160 and m.start() - line_start > 60:
            continue  # a date inside a long sentence is an event, not the article's date
        try:
            if m.group("iso"):
                return date.fromisoformat(m.group("iso")).isoformat()
            if m.group("m"):
                return date(int(m.group("y")), MONTHS[m.group("m").lower().rstrip(".")], int(m.group("d"))).isoformat()
            if m.group("m2"):
                return date(int(m.group("y2")), MONTHS[m.group("m2").lower().rstrip(".")], int(m.group("d2"))).isoformat()
            month = MONTHS[m.group("m3").lower().rstrip(".")]
            return date(int(m.group("y3")), month, 1).isoformat()
        except ValueError:
            continue
    return None

"""Figures as data: every figure statement of an article becomes a fact (who, what, how much, when,
where, measured by whom, actual or forecast) with the exact sentence it comes from.

Facts are read at ingest from the whole article, so a figure whose owner is named in the sentence
before ("The Paris-based group reported ...") or in the title ("the Chinese tech giant") still gets
it, and stored with the chunk holding their sentence: the index is the one store, so every process
reading it sees the same facts, and a changed or removed article changes or removes its facts with
its chunks.

Nothing here knows a company, a market or a research firm. Names are the article's own capitalised
words (a word the article also writes in lower case is not a name); who measured a figure is the
name that "said", "estimates" or comes after "according to"; the scope is "global" when the
sentence says so, else the place it names after "in" or "across". Metric words ("share", "revenue",
"backlog") only label a fact; a figure without one is still a fact, labelled by its unit.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from assistant import periods as P
from assistant.chunking import split_sentences
from assistant.evidence import _FORWARD, _WORLDWIDE, Sentence, SentenceData, read_passage
from assistant.figures import Figure, find_figures
from assistant.lexicon import Lexicon, stem, words
from assistant.types import Document, Passage

# Bumped when extraction changes (of facts, of the planted instructions that are flagged and
# never quoted, or of how an article is read and split into sentences): a sync re-reads the
# articles stored under another version (vectors of unchanged chunks are reused).
VERSION = 21
# Stored per chunk as a JSON list of rows in this order (Chroma metadata holds scalars only).
_ROW = (
    "entity", "metric", "value", "value_max", "unit", "figure", "period", "period_start", "period_end",
    "scope", "measured_by", "forecast", "start", "end",
)
FIELDS = (
    "id", "entity", "entity_group", *_ROW[1:12], "source", "title", "date", "publisher", "url", "start", "end", "quote", "origin",
)

# (the capitals of the Latin alphabets too: "Øresund", "Şirket", "Łódź")
_UPPER = "A-Z" + "".join(c for c in map(chr, range(0xC0, 0x250)) if c.isupper())
_NAME = re.compile(
    rf"(?:[{_UPPER}][\w&'’.-]*[\w&]|[{_UPPER}])(?:(?:\s+(?:of|de|du|von|&)\s+|\s+|-)(?:[{_UPPER}][\w&'’.-]*[\w&]|[{_UPPER}]{{1,2}}\b))*"
)
# Words that are written capitalised but name no company: question and time words, generic
# technology abbreviations. Used only to skip a candidate name; the next candidate takes its place.
_NOT_NAMES = frozenset(
    "ai genai gpu gpus cpu cpus tpu it ceo cfo coo cto cio ipo api apis saas iaas paas dbaas llm llms sme smes "
    "esg eps ebit ebitda gaap ifrs capex opex yoy qoq rpo arr mrr roi q1 q2 q3 q4 h1 h2 fy ttm ltm usd eur gbp jpy cny inr "
    "mw gw kw twh gwh mwh tb pb gb pp bps us$ rmb krw chf aud cad sgd hkd brl i we they he she you".split()
)
_FILLER = frozenset(
    "the a an in on at for by with as its it this that these those their despite according while meanwhile but and "
    "however also after before since during under over from of to among beyond unlike like both each every some "
    "more most other such than what which who when where why how our his her there here total "
    "across within without throughout through into onto toward towards around against along amid amongst "
    "analysts analyst shares share sales sale revenue".split()
)
# Words that open a sentence before its subject ("Taken together, AWS ..."); dropped only when alone.
_INTRO = frozenset(
    "taken overall still further elsewhere separately similarly instead indeed notably combined together globally "
    "worldwide backlog growth".split()
)
_APPOSITIVE = re.compile(
    r",\s+(?:which|who|whose|headquartered|based|listed|founded|owned|backed|a|an|the|its|now|formerly|once)\b[^,;]{0,140},"
)
_MEASURED_AFTER = re.compile(
    r"^(?:'s?|’s?)?\s*(?:,\s*)?(?:\([^)]{0,40}\)\s*)?(?:also\s+)?(?:said|says|estimates?d?|estimated|reported|reports|found|"
    r"analysts?|calculates?|calculated|counts?|counted|puts|put|tallied|data|figures|research|numbers|analysis|survey|"
    r"shows?|showed|expects?|forecasts?|projects?|predicts?|believes?|thinks?)\b",
    re.I,
)
_MEASURED_BEFORE = re.compile(
    r"(?:according to|data from|figures from|estimates? (?:from|by)|research (?:from|by)|numbers from|analysis (?:from|by)|"
    r"survey (?:from|by)|tallied by|compiled by|reports? (?:from|by)|per|[,\"”]\s*(?:says|said)|laut|según|selon|d'après)\s+"
    r"(?:the\s+)?(?:analyst\s+|research\s+)?(?:firm\s+|group\s+)?$",
    re.I,
)
_PLACE_BEFORE = re.compile(r"(?:\bin|\bacross|\bwithin|\bthroughout|\binside|\ben|\bem|\bdans|\bau|\bde)\s+(?:mainland\s+)?(?:the\s+)?(?:wider\s+)?$", re.I)
_NAMED_MARKET = re.compile(
    r"(?:'s|’s)?\s+(?:(?!shares?\b)[a-z][\w-]*\s+){0,3}?(?:market|spending|industry)\b(?!\s+(?:share|value|cap|position|leader|capitali))"
)
# The market as the subject: "Global spending on cloud ... rose", "the Korean market grew".
_MARKET_SUBJECT = re.compile(
    r"(?:^|[,;:]\s*|\b(?:the|its|global|worldwide|overall|total|combined)\s+)(?:[\w'’-]+\s+){0,6}?(?:market|spending|industry|sector|Markt|mercado|marché)\b",
    re.I,
)
_PLACE_MARKET = re.compile(
    r"\b([A-Z][a-zé]+(?:an|ese|ish|ch|ian|ic|i))\s+(?:(?:public\s+)?cloud\s+|IaaS\s+|infrastructure\s+)?(?:market|spending|customers|buyers)\b"
)
_COMBINED = re.compile(r"\b(?:together|combined|collectively|between them|jointly)\b", re.I)
_SELF_REPORT = re.compile(
    r"(?:'s|’s)?\s*(?:also\s+)?\b(?:reported|reports|posted|booked|announced|disclosed|said|says|guided|recorded|plans|expects)\b"
)
# (what a company does of its own figures, as a research firm that "said" or "expects" does not)
_BUSINESS_REPORT = re.compile(r"\b(?:reported|posted|booked|announced|disclosed|guided|recorded|plans)\b")
_THE_GROUP = re.compile(
    r"\b(?:the|these|those|all)\s+(?:two|three|four|five|big\s+(?:two|three|four)|top\s+(?:two|three|four|five)|"
    r"hyperscalers|leaders|three\s+leaders)\b(?:\s+\w+){0,3}?\s+(?:together|combined|between them|collectively)?",
    re.I,
)
_ITS = re.compile(r"\b(?:its|it|their|they|the company(?:'s|’s)?)\b", re.I)
_STOCK_OF = re.compile(r"\bshares\b", re.I)
_THRESHOLD = re.compile(r"\bwith\s+(?:more than|over|at least|above|less than|under|fewer than)\s+$", re.I)
_DECLINE = re.compile(
    r"\b(?:fell|fall(?:s|ing)?|declin\w*|dropped|drop(?:s|ping)?|down|decreas\w*|shr[ai]nk\w*|slipped|slid|contracted|lower)\b"
    r"(?!\s+from)[^%\d]{0,25}$",
    re.I,
)
_EACH = re.compile(r"\b(?:each|both|apiece|respectively)\b", re.I)
_SHARE_OF = re.compile(
    r"^\s*(?:share\s+)?of\s+(?:the\s+|all\s+|total\s+|its\s+)?[\w\s'’-]{0,50}?"
    r"\b(?:market|spending|revenues?|sales|capacity|workloads?)\b",
    re.I,
)
_CLAUSE_BREAK = re.compile(r";|\s[—–]\s|,\s+(?:while|whereas|but|although|though)\b|\bwhile\b|\bwhereas\b")
# (the dollars of other countries before the plain "$": "C$145 million" is Canadian)
_CURRENCIES = (
    (r"(?<![A-Za-z])A\$", "AUD"), (r"(?<![A-Za-z])C\$|CA\$", "CAD"), (r"(?<![A-Za-z])S\$", "SGD"), (r"HK\$", "HKD"),
    (r"NT\$", "TWD"), (r"(?<![A-Za-z])R\$|reais|real", "BRL"),
    (r"US\$|USD|(?<![A-Za-z])\$|dollars?|dólares|dólar|\bdolar", "USD"), (r"€|EUR|euros?", "EUR"), (r"£|GBP|pounds?", "GBP"),
    (r"(?<![A-Za-z])RM(?=\s?\d)|ringgits?", "MYR"), (r"(?<![A-Za-z])R(?=\d)|\brand\b", "ZAR"), (r"\bbaht\b", "THB"),
    (r"\bnaira\b", "NGN"), (r"(?<![A-Za-z])TL\b|₺|\blira\b", "TRY"),
    (r"₹|INR|Rs\.?|rupees?|crores?|lakhs?", "INR"), (r"¥|JPY|yen", "JPY"), (r"CNY|RMB|yuan|renminbi", "CNY"),
    (r"₩|KRW|won", "KRW"), (r"CHF", "CHF"), (r"AED|dirhams?", "AED"), (r"SAR|riyals?", "SAR"), (r"Rp", "IDR"),
    (r"KSh", "KES"), (r"francs? CFA|FCFA", "XOF"), (r"zł|złoty|zlotys?", "PLN"), (r"₫|\bđồng\b|\bdong\b|VND", "VND"),
)
_SCALES = (
    (r"trillion|tn|billones|billionen|triliun", 1e12),
    (r"billion|bn|bln|b|mds?|tỷ|milliarden?|mrd|milliards?|mil millones|miliard[io]|miljard(?:en|er)?|bilhões|bilhão|mld|"
     r"milyar|miliar", 1e9),
    (r"million|mn|mln|m|millionen|mio|millones|millón|milion[ie]|miljoen(?:en)?|milhões|milhão|miljon(?:er)?|milyon|juta|triệu", 1e6),
    (r"thousand|k|tausend|mille|tys\.?|ribu|nghìn", 1e3),
    (r"crores?", 1e7), (r"lakhs?", 1e5),
)
# Labels for what a figure measures, nearest first. A figure none of them fits is labelled by its
# unit, so the list can only name a fact, never drop one.
_METRICS = (
    ("market share", r"\bshares?\b(?! price)|\bMarktanteil\w*|\bcuota\b|\bpart de marché\b"),
    ("backlog", r"\bbacklog\b|\bremaining performance obligations?\b|\bRPO\b|\border book\b"),
    ("capex", r"\bcapex\b|\bcapital (?:expenditures?|spending|investment)\b|\bInvestitionen\b"),
    ("operating income", r"\boperating (?:income|profit|loss)\b|\bEBIT\b"),
    ("net income", r"\bnet (?:income|profit|loss)\b|\bearnings\b|\bprofit\b"),
    ("margin", r"\bmargins?\b"),
    ("revenue", r"\brevenues?\b|\bsales\b|\bturnover\b|\bUmsatz\w*|\bingresos\b|\bchiffre d'affaires\b|\bbooked\b"),
    ("investment", r"\binvest\w*|\bcommit\w*|\bpledg\w*"),
    ("spending", r"\bspend\w*|\bAusgaben\b|\bgasto\b|\bdépenses\b"),
    ("funding", r"\braised\b|\bfunding\b|\bround\b"),
    ("valuation", r"\bvalu(?:ed|ation)\b|\bmarket (?:value|capitali[sz]ation|cap)\b"),
    ("contract", r"\bcontracts?\b|\bdeals?\b|\bagreements?\b"),
    ("price", r"\bprices?\b|\bper (?:hour|month|gpu)\b|\bcosts?\b"),
    ("market size", r"\bmarket\b|\bMarkt\b|\bmercado\b|\bmarché\b"),
)
_COMPARED = re.compile(r"\b(?:from|than|compared|versus|vs|over|against|a year (?:earlier|ago|before)|previous|prior)\b", re.I)
_SPECIFIC = frozenset({"backlog", "capex", "operating income", "valuation"})
_GROWTH = re.compile(
    r"\b(?:grew|grow(?:s|ing|th)?|rose|rise[sn]?|rising|increas\w*|up|jump\w*|climb\w*|surg\w*|expand\w*|gain\w*|"
    r"fell|fall(?:s|ing)?|declin\w*|down|drop\w*|shrank|contract(?:ed|ion)|slow\w*|accelerat\w*|"
    r"wuchs|wächst|Wachstum|stieg|crec\w*|augment\w*|hausse)\b",
    re.I,
)


@dataclass(frozen=True)
class Fact:
    entity: str
    metric: str
    value: float | None  # the low end of a range ("5% to 7%": 5.0)
    value_max: float | None  # the high end of a range, None for a single figure
    unit: str  # "%", "pp", a currency code (value in units), or what is counted ("GW", "data centres")
    figure: str  # as written
    period: str  # label ("Q2 2025", "FY2025", "H1 2025"), "" when nothing says
    period_start: str | None
    period_end: str | None
    scope: str  # "global", a place, or "" when the sentence does not say
    measured_by: str
    forecast: bool
    start: int  # the sentence, as offsets into the article's text
    end: int

    def row(self) -> list[Any]:
        return [getattr(self, name) for name in _ROW]


def extract(doc: Document, planted: Sequence[tuple[int, int]] = ()) -> list[Fact]:
    """The facts of ``doc``, in text order; sentences inside ``planted`` instructions give none."""
    text = doc.text
    # Capitalisation is read from running text: headings capitalise every word.
    body = "\n".join(line for line in text.splitlines() if line.rstrip()[-1:] in ".!?:;)\"”'")
    lexicon = Lexicon.build([body])
    spans = split_sentences(text)
    flagged = {k for k, (a, b) in enumerate(spans) if any(x < b and a < y for x, y in planted)}
    passage = Passage(
        id="", source=doc.source, text=text, start=0, end=len(text), title=doc.title,
        date=doc.date, publisher=doc.publisher, url=doc.url,
    )
    fiscal = P.fiscal_year_end(text)
    anchor = P.parse_iso(doc.date)
    named_periods: list[P.Period] = []

    def doc_periods() -> list[P.Period]:  # (read once, when a sentence needs them)
        if not named_periods:
            named_periods.extend(m.period for m in P.find(text, anchor, fiscal))
        return named_periods

    sentences = read_passage(passage, 0, SentenceData(spans, None, flagged), lexicon, fiscal, doc_periods)
    # Who the article quotes for figures ("according to Canalys") measures wherever it is named;
    # a name it writes after "in" ("in Saudi Arabia") and never as a company acting is a place.
    actors = frozenset(m.group(1) for m in _OWNER.finditer(text))
    # (the codes it writes amounts in, "DKK 158 million", are currencies wherever they stand: "(DKK million)")
    money = frozenset(
        f.text[:3] for s in sentences for f in s.figures if f.kind == "amount" and re.match(r"[A-Z]{3}(?![^\W\d_])", f.text)
    ) | {code for _, code in _CURRENCIES}
    read = [_names(s.text, lexicon, doc.publisher, actors, money) for s in sentences]
    # (not a company the article also shows doing business: "according to Microsoft" in one
    # sentence, "Microsoft announced that Azure revenue ..." in another)
    analysts = {n.text for found in read for n in found if n.role == "analyst"} - {
        n.text for s, found in zip(sentences, read, strict=True) for n in found if _TRADES.match(s.text, n.end)
    }
    places = {n.text for found in read for n in found if n.role == "place"} - {
        n.text for s, found in zip(sentences, read, strict=True) for n in found if _ACTS.match(s.text, n.end)
    }
    # "The company", "its": the paragraph's named subject, else the article's: its title's name, else
    # the name that opens one of its first sentences, else the one it names most in its opening, else
    # anywhere (a syndicated copy's headline may name none)
    article_subject = (
        _first_entity(doc.title, lexicon, read) or _opening_subject(sentences[:10], read[:10], places)
        or _most_named(read[:10]) or _most_named(read)
    )
    out: list[Fact] = []
    paragraph_subject = article_subject
    paragraph_measurer = ""
    previous: list[str] = []  # the names of the sentence before, for "the three together"
    for s, spotted in zip(sentences, read, strict=True):
        names = [
            _Name(n.text, n.start, n.end, "analyst") if n.role == "name" and _known_analyst(n.text, analysts)
            else _Name(n.text, n.start, n.end, "place") if n.role == "name" and n.text in places else n
            for n in spotted
        ]
        if s.prev_start is None:  # a new paragraph
            paragraph_subject, paragraph_measurer, previous = article_subject, "", []
        measurers = [n for n in names if n.role in _MEASURERS]
        if measurers:
            paragraph_measurer = measurers[0].text
        found: list[Fact] = []
        figures = sorted(s.figures, key=lambda g: g.start)
        if len(figures) >= 4 and not s.row and len(re.findall(r"[^\W\d_]{3,}", s.text)) <= len(figures):
            continue  # a strip of quotes ("KOSPI 2,884.51 +0.41% KOSDAQ 871.20 +1.12% ..."), not statements
        k = 0
        while k < len(figures):
            f = figures[k]
            k += 1
            if k > 1 and re.fullmatch(r"\s*[(\[]\s*(?:about|approximately|roughly|around|some|nearly|almost|c\.|~|or)?\s*", s.text[figures[k - 2].end : f.start]):
                continue  # "RMB 380 billion (about $53 billion)": the same figure converted
            if k < len(figures) and _is_range(s.text, f, figures[k]):
                high = figures[k]
                k += 1
                span = Figure(f.start, high.end, s.text[f.start : high.end], f.kind if f.kind == "amount" else high.kind, high.value)
                low = _low_end(f, high, s.text)
                found.extend(
                    replace(x, value=low, value_max=x.value)
                    for x in _facts(s, span, names, paragraph_subject, paragraph_measurer, anchor, previous)
                )
                continue
            found.extend(_facts(s, f, names, paragraph_subject, paragraph_measurer, anchor, previous))
        # "AWS held 32% of the market, Azure held 22%": the list's percentages are shares too.
        if any(f.metric == "market share" for f in found):
            found = [replace(f, metric="market share") if f.metric == "percentage" else f for f in found]
        out.extend(found)
        owners = [n for n in names if n.role == "name"]
        previous = [n.text for n in owners]
        # (also the first name after the research firm's: "Pellam estimates that Quorra held 7.5%")
        first = owners and (s.own_subject or owners[0].start < 3 or (
            any(n.role in _MEASURERS and n.end <= owners[0].start for n in names) and bool(s.figures)))
        if first and not _MEASURE_AFTER.match(s.text, owners[0].end):
            paragraph_subject = owners[0].text  # (not "Adjusted EBITDA" of "Adjusted EBITDA margin was")
    return out


_MEASURERS = ("analyst", "measurer")
# A one-word name that acts as a company does ("Kanazawi has contracted", "Kanazawi holds"); not
# "Japan's", as places own things too.
_OWNER = re.compile(
    r"\b([A-Z][a-zé]+)(?:\s+(?:has|had|holds|held|said|says|reported|posted|announced|raised|expects|"
    r"plans|signed|won|opened|operates|runs|estimates|calculates|forecasts|counts|puts|believes|notes)\b)"
)
# What a company does, as a research firm does not.
_TRADING = (
    "reported|posted|announced|raised|signed|launched|opened|bought|sold|invested|booked|guided|won|hired|owns|runs|operates"
)
# A name followed by one of these acts as a company does ("Humain said", "Nebius raised").
_ACTS = re.compile(rf"(?:'s|’s)?\s+(?:also\s+)?(?:said|says|agreed|plans|planned|expects|cut|{_TRADING})\b")
# A name followed by one of these does business ("according to Microsoft" elsewhere makes it no research firm).
_TRADES = re.compile(rf"(?:'s|’s)?\s+(?:also\s+)?(?:holds|held|{_TRADING})\b")
# A name that describes what follows it: "the San Francisco company", "the Paris group".
_DESCRIBES = re.compile(r"\s+(?:company|group|firm|provider|start-?up|operator|business|unit|outfit|conglomerate)\b")
# Words before a name that make it the object of the sentence (a customer, a partner), not its subject.
_OBJECT_BEFORE = re.compile(
    r"\b(?:to|with|for|from|supply|supplies|supplying|serve|serves|serving|customers?|clients?|partners?|including|such as|"
    r"like|against|versus|than|signed|won|by|agreement|deal|contract)\s+(?:the\s+|its\s+)?$",
    re.I,
)
# Who a person is, written before or after their name (a boost to telling people from companies;
# a role not listed leaves the name a candidate owner, as before).
_ROLES = (
    r"chief(?:\s+\w+){1,2}|ceo|cfo|cto|coo|cio|founder|co-founder|president|chair(?:man|woman)?|director|head|"
    r"analyst|minister|spokes(?:person|man|woman)|economist|partner|manager|officer|executive|vice[- ]president|"
    r"(?:Mr|Ms|Mrs|Dr|Prof)\.?"
)
_PERSON_BEFORE = re.compile(rf"(?:^|\W)(?:{_ROLES})\s+$", re.I)
_PERSON_AFTER = re.compile(rf",\s+(?:the\s+|its\s+|our\s+|a\s+|an\s+)?(?:[\w-]+\s+){{0,3}}?(?:{_ROLES})\b", re.I)
_GREETED = re.compile(r"(?:^|\W)(?:thanks|thank you|hi|hello|good (?:morning|afternoon|evening)),?\s+$", re.I)
# What stands between two items of a list: "Quebec, Ontario and British Columbia".
_LIST_GAP = re.compile(r"\s*(?:,|,?\s+(?:and|or|y|e|et|und|en|och|og))\s*")


def _listed(text: str, items: Sequence[_Name], k: int) -> tuple[int, int]:
    """The first and last index of the list ``items[k]`` stands in (items only a list gap apart)."""
    first = last = k
    while first > 0 and _LIST_GAP.fullmatch(text, items[first - 1].end, items[first].start):
        first -= 1
    while last + 1 < len(items) and _LIST_GAP.fullmatch(text, items[last].end, items[last + 1].start):
        last += 1
    return first, last


def _in_list(text: str, earlier: list[_Name], start: int, end: int) -> bool:
    """Whether the name at ``start:end`` goes on a list of places that ``earlier`` ends with and
    "in" or "across" opens: an "and" before it, or another item after it ("in Quebec, Ontario and
    British Columbia"); not "In Chile, Andes Cómputo reported", nor "Samsung, Hyundai and Naver"."""
    gap = text[earlier[-1].end : start]
    if not _LIST_GAP.fullmatch(gap):
        return False
    head = earlier[_listed(text, earlier, len(earlier) - 1)[0]]
    if not _PLACE_BEFORE.search(text[max(0, head.start - 60) : head.start]):
        return False
    if "," in gap and re.fullmatch(r"\W*\w+\s+(?:the\s+)?", text[: earlier[-1].start]):
        return False  # "In Korea, Naver, KT and NHN hold ...": the place opens the sentence, a list of others follows
    following = _LIST_GAP.match(text, end)
    return "," not in gap or bool(following and text[following.end() : following.end() + 1].isupper())


_DEMONYM = re.compile(r"[A-Z][a-zé]+(?:an|ese|ish|ch|ian|ic|i)")
_DEMONYM_GROUP = re.compile(r"\s+(?:cloud\s+|tech\s+|domestic\s+)?(?!customers|buyers|users)[a-z]{3,}s\b")


def _spelled_lower(tokens: list[str], lexicon: Lexicon) -> bool:
    """Whether a one-word abbreviation stands for words the articles write in lower case."""
    if len(tokens) != 1 or not tokens[0].isupper() or len(tokens[0]) < 2:
        return False
    for long in lexicon.aliases.get(tokens[0].lower(), ()):
        first = long.split()[0]
        if lexicon.lower.get(first, 0) > 0 and lexicon.capitalised(first) < 0.3:
            return True  # the article itself writes the long form in lower case
    return False


def _opening_subject(sentences: Sequence[Sentence], read: Sequence[list[_Name]], places: set[str]) -> str:
    """The first name to open a sentence and act ("Østervik Sky A/S (Nasdaq: OSKY) runs ..."): not a
    place, a dateline ("Oslo, 3 May") or a hyphened word ("Machine-generated transcript")."""
    for s, found in zip(sentences, read, strict=True):
        n = found[0] if found else None
        if (n and n.role == "name" and n.start < 3 and n.text not in places and not re.search(r"[-–][a-z]", n.text)
                and re.match(r"\s*(?:\(|[a-z])", s.text[n.end :])):
            return n.text
    return ""


def _most_named(opening: Sequence[list[_Name]]) -> str:
    """The name an article opens on most (twice at least), when its title names none; ``opening``
    holds the names of its first sentences."""
    counts: Counter[str] = Counter()
    for spotted in opening:
        counts.update(n.text for n in spotted if n.role == "name")
    best = counts.most_common(1)
    return best[0][0] if best and best[0][1] >= 2 else ""


def _known_analyst(name: str, analysts: set[str]) -> bool:
    """Whether ``name`` is one of ``analysts`` or its short form ("Veldt" for "Veldt Research")."""
    return name in analysts or any(a.startswith(name + " ") for a in analysts)


@dataclass(frozen=True)
class _Name:
    text: str
    start: int
    end: int
    role: str  # "name", "analyst" (measures, wherever named), "measurer" (here), "place" or "aside"


def _names(
    text: str, lexicon: Lexicon, publisher: str | None, actors: frozenset[str] = frozenset(), money: frozenset[str] = frozenset()
) -> list[_Name]:
    """The names of a sentence and the part each plays; ``actors`` are the article's words that act
    ("Kanazawi holds", "Kanazawi said"), which a word shaped like a people's name
    ("Kenyan", "Saudi") is then not; ``money``, the currency codes it writes, are no names."""
    out: list[_Name] = []
    asides = [(m.start(), m.end()) for m in _APPOSITIVE.finditer(text)]
    # the words of a written amount ("KZT 21.4 billion", "NOK 1.3 billion") are its currency, not a name
    found = find_figures(text)
    amounts = [(f.start, f.end) for f in found if f.kind == "amount"]
    # (a capitalised word right after a figure is its unit: "12 Prozent", "40 TB"; a year is no figure)
    units = {f.end + k for f in found for k in (0, 1)}
    for m in _NAME.finditer(text):
        if any(a <= m.start() < b for a, b in amounts) or m.start() in units:
            continue
        raw = re.sub(r"(?:'s|’s|'|’)(?:\s.*)?$", "", m.group(0)).strip(" .-")  # "Alibaba's AI" -> "Alibaba"
        raw = re.sub(r"[-–‑](?:based|headquartered|owned|listed|born)$", "", raw)
        raw = re.sub(r"^\S+[-–‑](?:based|headquartered|owned|listed|born)\s+(?=\S)", "", raw)  # "Helsinki-listed Pohjola"
        # A case ending after an apostrophe ("Esenyurt'taki", "Türkiye'de": in, at, from) names where,
        # not who; a genitive ("Analitik'in") still owns, as "'s" does.
        inflected = re.search(r"['’]([^\W\d_]{1,5})$", raw)
        oblique = bool(inflected) and not inflected.group(1).lower().endswith(("n", "s"))  # type: ignore[union-attr]
        if inflected:
            raw = raw[: inflected.start()]
        tokens = raw.split()
        start = m.start()
        # (after a list's marker too: "▪ Active power 410 MW", "2) Revenue ...")
        opening = not re.search(r"[^\W\d_]{2}", text[:start]) or text[max(0, start - 2) : start].strip() in (".", ":", "\"", "“")
        # Drop leading words that are capitalised only for opening the sentence ("Revenue at Fastly").
        while tokens and (
            _common(tokens[0], lexicon, opening, alone=len(tokens) == 1, text=text, acts=tokens[0] in actors)
            or _opens_measure(tokens, lexicon, opening, text[m.end() :])
        ):
            start = text.index(tokens[0], start) + len(tokens[0])
            start += len(text[start:]) - len(text[start:].lstrip())
            tokens = tokens[1:]
        if tokens and tokens[0] in money:
            tokens = tokens[1:]  # "DKK million": a currency
        if not tokens or all(_generic(t) for t in tokens) or re.fullmatch(r"[\d\W]+", "".join(tokens)):
            continue
        if _spelled_lower(tokens, lexicon) or (len(tokens) > 1 and all(t.isupper() for t in tokens) and any(len(t) > 3 for t in tokens)):
            continue  # "PUE" for "power usage effectiveness (PUE)"; "THIRSTY COMPUTE", a shouted headline
        while len(tokens) > 1 and re.fullmatch(r"(?:FY|Q|H)\d+\w*|\d{4}", tokens[-1]):
            tokens = tokens[:-1]  # "Brennick Data Centres Q3": the name, then its quarter
        if P.find(" ".join(tokens)) or _calendar_words(tokens):
            continue  # "September", "Q3" are periods
        name = " ".join(tokens)
        end = start + len(name) if text[start : start + len(name)] == name else m.end()
        if len(tokens) > 1 and len(tokens[-1]) == 1 and text[end : end + 1] == "/":
            tokens, name = tokens[:-1], " ".join(tokens[:-1])  # "Øresund Compute A/S": its legal form
            end = start + len(name)
        if len(name) == 1 or re.match(r"\s+(?:quarter|half|year)\b|\s*=", text[end:], re.I):
            continue  # "E" of an estimate's column; "Fourth quarter": a period; "Buy = ...": a term defined
        demonym = len(tokens) == 1 and bool(_DEMONYM.fullmatch(name)) and name not in actors
        group = _DEMONYM_GROUP.match(text, end) if demonym else None
        if group:  # "European providers", "Korean operators": a group named by where it is from
            name, end = name + group.group(0), group.end()
        before = text[max(0, start - 60) : start]
        # What follows the name, an aside about it skipped: "Nebius, which is listed in X, reported".
        rest = text[end:]
        for a, b in asides:
            if a == end or (a > end and text[end:a].strip(" '’s") == ""):
                rest = text[b:]
        after = rest[:60]
        inside = any(a < start < b for a, b in asides)
        weak = _analyst(after, out) if _MEASURED_AFTER.match(after) else None
        if (publisher and name.casefold() == publisher.casefold()) or _MEASURED_BEFORE.search(before):
            role = "analyst"
        elif weak:
            role = weak
        elif (
            (start < 3 and text[end : end + 1] == ":" and len(tokens) > 1 and not P.find(text[:end]))
            or _GREETED.search(before)
            or (len(tokens) == 1 and before.rstrip().endswith(",") and re.match(r"\s*[.!?]", text[end:]))  # "Fair question, Tom."
        ):
            # a speaker's name before what they said, on a call ("Priya Venkataraman: Mostly ..."),
            # or one greeted ("Thanks, Dana.")
            role = "aside"
        elif len(tokens) > 1 and (_PERSON_BEFORE.search(before) or _PERSON_AFTER.match(text, end)):
            role = "aside"  # a person ("CFO Oskar Nilsson", "Aino Virtanen, chief executive"): their figures are their company's
        elif inside or _DESCRIBES.match(text, end) or re.match(r"(?:,\s+[A-Z][\w. ]*)?[-–‑](?:based|headquartered)\b", text[m.end() - len(m.group(0)) + len(raw) :]):
            role = "aside"  # "Nebius, which is listed in Amsterdam,"; "the Paris-based group"
        elif oblique or _PLACE_MARKET.match(text, start) or _NAMED_MARKET.match(text, end) or (demonym and not group):
            role = "place"  # "the Chinese market", "South Korea's public cloud market"
        elif _PLACE_BEFORE.search(before) and not re.match(r"\s*(?:'s|’s)", after) and lexicon.capitalised(stem(tokens[0])) >= 0.5:
            role = "place"
        elif out and out[-1].role == "place" and _in_list(text, out, start, end) and not actors & set(tokens):
            role = "place"  # "in Quebec, Ontario and British Columbia": the list goes on naming places
        else:
            role = "name"
        out.append(_Name(name, start, end, role))
    return out


def _analyst(after: str, earlier: list[_Name]) -> str | None:
    """How a name followed by "said" or "estimates" measures others' figures: "analyst" when it
    estimates, counts or researches (a research firm, wherever the article names it); "measurer"
    when it opens the sentence and says something of another name ("Microsoft said Azure grew");
    None for a company reporting or expecting its own figures ("Lahnwerk said revenue rose")."""
    if re.search(r"\b(?:estimat|calculat|analys|research|survey|tall|data\b|figures|numbers|puts?\b|pegs?\b|pegged|counts?\b)", after[:40], re.I):
        return "analyst"
    if not [n for n in earlier if n.role == "name"] and re.match(
        r"\W*(?:'s\s+|’s\s+)?(?:also\s+)?(?:said|says|reported|reports|expects?|believes?|thinks?|found)\s+(?:that\s+)?(?:the\s+)?[A-Z][\w&-]+", after
    ):
        return "measurer"
    return None


def _common(token: str, lexicon: Lexicon, sentence_start: bool, alone: bool, text: str, acts: bool = False) -> bool:
    w = stem(token)
    if w in _FILLER or _generic(token) or (alone and w in _INTRO):
        return True
    if len(token.strip(".")) == 1 and sentence_start:
        return True  # a one-letter word opening a sentence ("W czwartym kwartale ...", "A deal")
    if not sentence_start or token.isupper() or any(c.isupper() for c in token[1:]):
        return False
    # Capitalised only for opening the sentence: the article writes it in lower case, or never
    # again mid-sentence and it stands alone before a comma ("Backlog, meaning ...").
    if lexicon.lower.get(w, 0) > 0 and lexicon.capitalised(w) < 0.5:
        return True
    if not alone or lexicon.caps.get(w, 0) > 0 or re.match(rf"{re.escape(token)}(?:'s|’s|\s+(?!(?:AI|GPU|IT|US)\b)[A-Z])", text.lstrip(" \"“")):
        return False  # "Baidu's AI Cloud", "Nebius Group": a name, even if named once
    # Never written mid-sentence: a name recurs ("Nebius ... Nebius"); a word opening one sentence
    # ("Domestic capacity ...", "Backlog, meaning ...") does not.
    opening = text.lstrip(" \"“")
    comma = re.match(rf"{re.escape(token)}\s*,", opening)
    if comma and _APPOSITIVE.match(opening, comma.start() + len(token)):
        return False  # "Scaleway, the cloud arm of Iliad, reported": a name and what it is
    # (a word the article shows acting, "Kanazawi holds ...", is a name even if it only opens sentences)
    return bool(comma) or (lexicon.df.get(w, 0) + lexicon.lower.get(w, 0) <= 1 and not acts)


def _opens_measure(tokens: list[str], lexicon: Lexicon, sentence_start: bool, after: str) -> bool:
    """Whether the first of ``tokens`` is a word capitalised only for opening the sentence before
    generic initials and the noun they qualify ("Operational IT capacity stood at ..."): the
    article never writes it again, and a lower-case word follows."""
    w = stem(tokens[0])
    return (
        sentence_start and len(tokens) > 1 and all(_generic(t) for t in tokens[1:]) and lexicon.caps.get(w, 0) == 0
        and lexicon.df.get(w, 0) + lexicon.lower.get(w, 0) <= 1 and bool(re.match(r"\s+[a-z]", after))
    )


def _calendar_words(tokens: Sequence[str]) -> bool:
    """Whether every one of ``tokens`` is a month or a day of the week ("September", "Monday")."""
    return all(t.casefold().strip(".") in P.MONTHS or t.casefold() in P.WEEKDAYS for t in tokens)


def _generic(token: str) -> bool:
    word = token.casefold().strip(".")
    return word in _NOT_NAMES or word in _NUMBER_WORDS or bool(re.fullmatch(r"(?:FY|Q|H)\d+\w*|\d[\w.]*", token))


# ("Nine months (April–December 2025): net sales ...": a number opening a line)
_NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve first second third fourth half".split()
)


# An exchange and ticker after a company's name: "(KLSE: KSTL)", "(NASDAQ: ABC)", "(IDX: XYZA)"
_TICKER = re.compile(r"\s*\((?:[A-Z]{2,8}(?:\s[A-Z]{2,8})?)\s?:\s?[A-Z0-9][A-Z0-9.]{0,9}\)")


def _first_entity(title: str, lexicon: Lexicon, body: Sequence[list[_Name]] = ()) -> str:
    """The name a title is about: of its names (counting only words the article itself writes
    capitalised, as a headline capitalises every word), the one the article names most, else the
    first ("Gulf cyber-cloud firm Sahil Shield raises outlook" is about Sahil Shield)."""
    named: Counter[str] = Counter(n.text for found in body for n in found if n.role == "name")
    found: list[str] = []
    for n in _names(title, lexicon, None):
        kept = [t for t in n.text.split() if lexicon.capitalised(stem(t)) >= 0.5 or any(c.isupper() for c in t[1:])]
        if _TICKER.match(title, n.end):
            kept = n.text.split()  # a listed company's name as it stands: "Kestrel Networks Bhd (KLSE: KSTL)"
        elif any(m.start() <= n.start and n.end <= m.end() for m in _TICKER.finditer(title)):
            continue  # (the ticker itself is no name of its own)
        # (what is left of "Fiscal Year Ending March" is a month, no name)
        if n.role == "name" and kept and not _calendar_words(kept):
            found.append(" ".join(kept))
    if not found:
        return ""
    def count(name: str) -> int:  # (a longer spelling counts: "Sahil Shield Cloud" for "Sahil Shield")
        return sum(k for text, k in named.items() if text == name or text.startswith(name + " "))

    return max(found, key=lambda name: (count(name), -found.index(name)))


def _market_subject(text: str, c_start: int, at: int, pronoun: bool) -> bool:
    """Whether the clause before a figure speaks of a market as its subject ("global spending ...
    rose 25%"), not as an object ("held 4% of the market") or beside "the company"."""
    if pronoun:
        return False
    for m in _MARKET_SUBJECT.finditer(text, c_start, at):
        if not re.search(r"\b(?:of|in|on|for|into|across)\s+(?:the\s+)?(?:[\w-]+\s+){0,4}$", text[max(c_start, m.start() - 40) : m.start() + 1 + len(m.group(0).split()[0])]):
            return True
    return False


def _clause(text: str, at: int) -> tuple[int, int]:
    start, end = 0, len(text)
    for m in _CLAUSE_BREAK.finditer(text):
        if m.end() <= at:
            start = m.end()
        elif m.start() >= at:
            end = m.start()
            break
    return start, end


# A word naming a measure right after a name makes the name part of the measure ("EBITDA margin",
# "GAAP basis", "non-GAAP operating margin").
_MEASURE_AFTER = re.compile(
    r"[\s-]+(?:operating\s+|net\s+|gross\s+)?(?:margin|basis|rate|ratio|revenues?|income|profit|loss|sales|growth|"
    r"earnings|funds|per\s+share)\b",
    re.I,
)


def _facts(
    s: Sentence,
    f: Figure,
    names: list[_Name],
    paragraph_subject: str,
    paragraph_measurer: str,
    anchor: Any,
    previous: Sequence[str] = (),
) -> list[Fact]:
    text = s.text
    if f.kind == "count" and not _counted(text, f):
        return []  # a bare number: a page, a list item, part of a name ("Maia 100")
    if any(at <= f.start and f.end <= s.period_end.get(at, at) for at, _ in s.period_at):
        return []  # a number of a period as written ("FY25/26"): no figure
    if _THRESHOLD.search(text, 0, f.start):
        return []  # "customers with more than $100,000 in ARR": a bar the others clear, not a figure of its own
    value, unit = _value_unit(f, text)
    if value is None or _DURATION.fullmatch(unit) or re.match(rf"-(?:{_DURATION.pattern})", text[f.end :], re.I):
        return []  # "a 15-year agreement", "over 12 months": how long something runs, not a figure of it
    c_start, c_end = _clause(text, f.start)
    owners = [n for n in names if n.role == "name"]
    entities: list[str] = []
    before = [n for n in owners if c_start <= n.start and n.end <= f.start]
    # The names of one list before the figure: "Salesforce, IBM and Tencent each held 2%".
    listed = before[-1:]
    for n in reversed(before[:-1]):
        if re.fullmatch(r"\s*(?:,|,?\s+and|,?\s+&|,?\s+or)\s*", text[n.end : listed[0].start]):
            listed.insert(0, n)
        else:
            break
    if len(listed) >= 2 and _COMBINED.search(text[c_start:c_end]):
        entities = [" + ".join(n.text for n in listed)]
    elif len(listed) >= 2 and _EACH.search(text[listed[-1].end : f.start + 1]):
        entities = [n.text for n in listed]
    elif len(previous) >= 2 and _THE_GROUP.search(text, c_start, f.start):
        entities = [" + ".join(previous)]  # "The three together accounted for 63%": the names just listed
    elif before:
        nearest = before[-1]
        subject = before[0] if before[0] is not nearest and not _OBJECT_BEFORE.search(text[max(0, before[0].start - 30) : before[0].start]) else None
        if _OBJECT_BEFORE.search(text[max(0, nearest.start - 30) : nearest.start]) and not re.match(r"\s*(?:at|with|on|\()\s*$", text[nearest.end : f.start]):
            # "it signed an agreement to supply Microsoft with capacity worth $17.4 billion": the
            # figure is the subject's, not its customer's.
            entities = [subject.text] if subject else [paragraph_subject or nearest.text] if s.pronoun else [nearest.text]
        else:
            entities = [nearest.text]
    else:
        after = [
            n for n in owners
            if f.end <= n.start < c_end and re.fullmatch(r"\s*(?:\w+\s+){0,3}?(?:for|by|of|from|at|to)\s+(?:the\s+)?", text[f.end : n.start])
        ]
        earlier = [n for n in owners if n.end <= f.start]
        if after:
            entities = [after[0].text]
        elif earlier:
            entities = [earlier[-1].text]
        elif _ITS.search(text, c_start, f.start) and (
            paragraph_subject or any(n.role in _MEASURERS and n.start < 3 for n in names)
        ):
            # "Across Latin America its share was 3.1%"; "Alphabet raised its plan to $85 billion"
            opener = [n.text for n in names if n.role in _MEASURERS and n.start < 3]
            entities = opener[:1] or [paragraph_subject]
        elif (
            _market_subject(text, c_start, f.start, s.pronoun)
            or any(n.role in _MEASURERS and n.start < 3 for n in names)
            or any(n.role == "place" and c_start <= n.start < f.start for n in names)
        ):
            entities = ["market"]  # "Global spending rose 25%"; "Lumen estimates that spending ..."
        elif paragraph_subject:
            entities = [paragraph_subject]
        else:
            entities = ["market"]
    metric = _metric(text, f, c_start, c_end, unit)
    if s.stock and f.kind == "percent" and _STOCK_OF.search(text, c_start, f.start):
        # "Kanazawi's shares rose 3.4% in Accra trading": how its stock moved, whoever is named first
        metric = "share price change"
        entities = [before[0].text] if before else entities
    if metric == "amount" and unit != "money" and not (len(unit) == 3 and unit.isupper()):
        metric = unit.lower()  # "235 billion parameters"
    if metric.endswith("growth") and value > 0 and _DECLINE.search(text[max(c_start, f.start - 40) : f.start]):
        value = -value  # "revenue fell 5.7%": a growth of -5.7%
    measure = {stem(w) for w in words(metric)}
    if paragraph_subject:
        # "Adjusted EBITDA margin was 34.6%", "Occupancy fell to 93.1%", "On a GAAP basis the company
        # lost ...": a name that is part of the measure is what was measured, not whose it is (the
        # paragraph's subject)
        def measured(e: str) -> bool:
            at = text.find(e)
            return e != "market" and (bool({stem(w) for w in words(e)} & measure) or (
                at >= 0 and any(_generic(t) for t in e.split()) and bool(_MEASURE_AFTER.match(text, at + len(e)))))

        entities = [paragraph_subject if measured(e) else e for e in entities]
    period = _period(s, f, c_start, c_end)
    measurers = [n.text for n in names if n.role in _MEASURERS]
    measured_by = measurers[0] if measurers else paragraph_measurer
    if not measured_by and owners and owners[0].text in entities and _SELF_REPORT.search(text):
        measured_by = owners[0].text  # "Nebius reported revenue of ...": the company itself
    elif not measurers and owners and owners[0].start < 3 and _SELF_REPORT.match(text, owners[0].end):
        measured_by = owners[0].text  # "Microsoft announced that Azure revenue ...": the group itself
    elif not measurers and s.pronoun and _BUSINESS_REPORT.search(text) and entities == [paragraph_subject]:
        measured_by = paragraph_subject  # "The company said ...": not the research firm of the paragraph
    # A forecast when the words before the figure in its clause say so ("expects revenue of"), or
    # its period has not begun by the article's date.
    forecast = bool(_FORWARD.search(text, c_start, f.start)) or bool(period and anchor and period.start and period.start > anchor)
    # Nothing says when ("Pohjola currently operates 92 MW"): as of the article's date, a label only,
    # so a question or filter naming a period never takes it for one
    as_of = f"as of {anchor.day} {anchor:%B %Y}" if anchor and not period else ""
    start_iso = period.start.isoformat() if period and period.start else None
    end_iso = period.end.isoformat() if period and period.end else None
    return [
        Fact(
            entity=entity, metric=metric, value=value, value_max=None, unit=unit, figure=f.text.rstrip(" ."), period=period.label() if period else as_of,
            period_start=start_iso, period_end=end_iso, scope=_scope(text, c_start, c_end, names, entity, f.start),
            measured_by=measured_by, forecast=forecast, start=s.start, end=s.end,
        )
        for entity in entities
    ]


def _is_range(text: str, low: Figure, high: Figure) -> bool:
    """Whether two figures are the ends of one range ("5% to 7%", "between $12 billion and $14
    billion", "$5.05-5.15 billion"), not a change ("rose from $20 billion to $23 billion")."""
    between = text[low.end : high.start]
    dash = re.fullmatch(r"\s*(?:-|–|—)\s*", between) is not None
    if low.kind == "amount" and high.kind == "quantity" and dash:
        return True  # "DKK 1,780-1,860 million": the currency written once, before the low end
    if low.kind != high.kind and low.kind != "count":
        return False  # "grew 18% to $9.2 billion"
    if dash:
        return True
    if re.fullmatch(r"\s*and\s+", between):
        return bool(re.search(r"\bbetween\s+(?:about\s+)?$", text[max(0, low.start - 20) : low.start]))
    if not re.fullmatch(r"\s*(?:to|bis|a|à)\s+", between):
        return False
    return not re.search(
        r"\b(?:rose|grew|increased|jumped|climbed|surged|fell|dropped|declined|slipped|up|down|went|moved|raised|cut|lifted|"
        r"lowered|expanded|shrank|doubled|from\s+\w+\s+of)\s+(?:\w+\s+){0,3}?from\s+(?:about\s+|around\s+)?$",
        text[max(0, low.start - 80) : low.start],
    ) or bool(re.search(r"\b(?:range|between)\b", text[max(0, low.start - 40) : low.start]))


def _low_end(low: Figure, high: Figure, text: str) -> float | None:
    """The low end of a range in the high end's unit: "$5.05 to $5.15 billion" is 5.05e9."""
    if low.value is None:
        return None
    own_scale = any(re.search(rf"\d\s?-?(?:{pattern})\b", low.text, re.I) for pattern, _ in _SCALES)
    if high.kind in ("percent", "points") or (low.kind == high.kind and own_scale):
        # (a low end with its own scale, "5 million to 1.2 billion"; not "A$255–270 million", whose
        # letters are its currency's)
        value, _ = _value_unit(replace(low, kind=high.kind), text)
        return value
    value, _ = _value_unit(replace(high, value=low.value, text=high.text.replace(_number(high.text), _number(low.text), 1)), text)
    return value


def _number(written: str) -> str:
    m = re.search(r"\d[\d.,  ]*", written)
    return m.group(0).strip() if m else ""


def _counted(text: str, f: Figure) -> bool:
    """Whether a plain number counts something named after it ("8,000 Nvidia H100 GPUs", "60,000
    of them"), rather than numbering a page, a table or a list, or being part of a name."""
    before, after = text[: f.start], text[f.end :]
    if after[:1].isalnum():
        return False  # "5G", "H100"
    if _MONTH_AFTER.match(after):
        return False  # a day of a month: "24 de septiembre de 2025", "3 March"
    if re.search(r"(?:[A-Z][\w-]*|\bNo\.?|#|\[)\s*$", before) and not re.search(r"\b(?:About|Some|Over|Nearly|Roughly|Around)\s*$", before):
        return False  # "Page 1", "Table 1", "Maia 100", "[3]"
    return bool(re.match(r"\s*(?:of\s+(?:them|those|these|which)\b|(?:[\w-]+\s+){0,2}?[A-Za-zÄÖÜäöüß][\w-]{2,})", after)) and not re.match(
        r"\s*(?:of\s+\d|\.|$)", after
    )


_MONTH_AFTER = re.compile(
    r"\s*(?:de\s+|of\s+|th\s+|st\s+|nd\s+|rd\s+|\.\s*)?"
    r"(?:" + "|".join(sorted(P.MONTHS, key=len, reverse=True)) + r")(?![^\W\d_])",
    re.I,
)
_DURATION = re.compile(r"(?:years?|months?|weeks?|days?|hours?)", re.I)
_UNIT_STOP = frozenset("in at of for to from on by with across that which and or as than per a an the its".split())


def _counted_thing(after: str) -> str:
    """What a number counts: the words after it up to the first in lower case ("Nvidia H100 GPUs",
    "new regions", "data centres"), stopping before a preposition."""
    if re.match(r"\s*of\s+(?:them|those|these)\b", after):
        return "of them"
    taken: list[str] = []
    for word in re.findall(r"[^\W\d_][\w-]*|\S", after[:60])[:4]:
        if not re.match(r"[^\W\d_]", word) or word.lower() in _UNIT_STOP:
            break
        taken.append(word)
        if word[0].islower() and word not in ("new", "more", "additional", "data"):
            break
    return " ".join(taken)


def _value_unit(f: Figure, text: str) -> tuple[float | None, str]:
    if f.value is None:
        return None, ""
    sign = -1.0 if f.start > 0 and text[f.start - 1] in "−-" and (f.start < 2 or text[f.start - 2] in " (") else 1.0
    if f.kind == "percent":
        return sign * f.value, "%"
    if f.kind == "points":
        return sign * f.value * (0.01 if re.search(r"basis|bps", f.text, re.I) else 1.0), "pp"
    written = f.text
    number = _number(written)
    if re.fullmatch(r"\d{1,3}\.\d{3}", number) and f.value == float(number.replace(".", "")) and re.search(r"(?i)\d\s?(?:billion|million|trillion|bn|mn|m|b)\b", written):
        f = replace(f, value=float(number))  # "$1.125 billion": a decimal point, not German thousands
    scale = 1.0
    # (said in words, only a last scale word multiplies: "one thousand five hundred" is 1,500 as it stands)
    last = "" if re.search(r"\d", written) else "$"
    for pattern, factor in _SCALES:
        if re.search(rf"(?:\d|\s)-?(?:{pattern})\b{last}", written, re.I):
            scale = factor
            break
    if f.kind == "amount":
        window = text[max(0, f.start - 4) : f.end + 12]
        for where in (written, window):
            for pattern, code in _CURRENCIES:
                if re.search(rf"(?:{pattern})", where):
                    return f.value * scale, code
        other = re.match(r"([A-Z]{3})\s?\d", written)
        if other:
            return f.value * scale, other.group(1)  # "NOK 1.84 billion"
        # No currency anywhere near: "235 billion parameters" counts something.
        return f.value * scale, _counted_thing(text[f.end :]) or "money"
    unit_match = re.search(r"[\d.,]\s*(?:[a-zA-Z]+\s)?([A-Za-z][\w/ -]*)$", written)
    unit = unit_match.group(1).strip() if unit_match else ""
    scaled = scale != 1.0 and any(re.fullmatch(pattern, unit, re.I) for pattern, _ in _SCALES)
    if scaled:
        unit = ""  # the scale word is no unit ("38,9 milioni", "185 triệu"): the value is scaled
    elif f.kind == "count" or not unit:
        unit = _counted_thing(text[f.end :]) or unit
    if unit.lower() in ("gigawatts", "gigawatt"):
        unit = "GW"
    elif unit.lower() in ("megawatts", "megawatt"):
        unit = "MW"
    return f.value * scale, unit


def _metric(text: str, f: Figure, c_start: int, c_end: int, unit: str) -> str:
    window_start = max(c_start, f.start - 90)
    window = text[window_start : min(c_end, f.end + 60)]
    at = f.start - window_start
    best: tuple[int, str] | None = None
    for label, pattern in _METRICS:
        for m in re.finditer(pattern, window, re.I):
            distance = at - m.end() if m.end() <= at else (m.start() - (at + len(f.text))) * 2 + 10
            if label in _SPECIFIC:
                distance -= 30  # "the backlog of contracted revenue stood at $195 billion"
            if best is None or distance < best[0]:
                best = (distance, label)
    label = best[1] if best else ""
    if f.kind in ("percent", "points"):
        if label == "market share" or (f.kind == "percent" and _SHARE_OF.match(text[f.end : c_end])):
            return "market share" if f.kind == "percent" else "market share change"
        if label == "margin":
            return "margin"
        if _GROWTH.search(text[max(c_start, f.start - 60) : f.start + 30]) or re.search(r"\d\s*%\s*(?:growth|increase|rise|year)", text[f.start : f.end + 20]):
            base = label if label in ("revenue", "spending", "capex", "backlog", "market size", "operating income", "net income") else ""
            return f"{base.replace('market size', 'market')} growth".strip()
        return "percentage" if f.kind == "percent" else "change (pp)"
    if f.kind == "amount":
        return label or "amount"
    if unit in ("GW", "MW") or re.fullmatch(r"(?i)[kmgt]w|[kmgt]wh", unit):
        return "capacity" if not unit.lower().endswith("h") else "energy"
    return unit.lower() or "count"


def _period(s: Sentence, f: Figure, c_start: int, c_end: int) -> P.Period | None:
    """The period a figure is for: the one written nearest it in its clause (one after it only if
    no other figure comes between: "$30bn, up from $25bn in Q3 2024"), else in its sentence, else
    the one its paragraph or heading is about."""
    anchor = P.parse_iso(s.passage.date)
    mentions = P.find(s.text, anchor, None) if s.period_at else []
    # A figure after "from" or "compared with" is the base of a comparison: its period follows it.
    # (not "more than $20 billion")
    base = bool(re.search(
        r"\b(?:from|(?<!more )(?<!less )(?<!fewer )(?<!higher )(?<!lower )than|versus|vs\.?|compared with|compared to|against)\s+"
        r"(?:about\s+|around\s+|roughly\s+)?$", s.text[max(0, f.start - 30) : f.start]))
    beside = s.ago_at is not None and re.fullmatch(r"\s*(?:in\s+)?(?:the\s+)?", s.text[f.end : s.ago_at])
    if s.ago_at is not None and f.end <= s.ago_at and (base or beside):
        # "from 9,150 a year earlier", "R2.41 billion in the year-earlier period": the figure is
        # for the period one year before (not "added $20 billion compared with a year earlier")
        ago = next((p for at, p in s.period_at if at == s.ago_at), None)
        if ago is not None:
            return ago
    best: tuple[float, P.Period] | None = None
    asides = [(a.start(), a.end()) for a in _APPOSITIVE.finditer(s.text) if not a.start() <= f.start < a.end()]
    for m in mentions:
        if any(a <= m.start < b for a, b in asides):
            continue  # ", the business built on the 2022 acquisition of Linode,": not the figure's period
        if m.end <= f.start:
            distance: float = f.start - m.end
        elif m.start >= f.end:
            between = s.text[f.end : m.start]
            if any(f.end <= g.start and g.end <= m.start and _apart(s.text, f, g, m.start) for g in s.figures):
                continue  # "$30bn, up from $25bn in Q3 2024": the period of the later figure
            if not base and re.search(r"\b(?:over|from|than|versus|vs\.?|compared with|compared to|against|since|below|above|relative to)\s+(?:the\s+)?$", between):
                continue  # "up 17.5% over Q2 2024", "9% below the Q2 2025 average": the period compared with
            if ("," in between or len(between.split()) > 10) and not any(f.end <= g.start and g.end <= m.start for g in s.figures):
                continue  # "..., saying that part of the spending would slip into 2026": another matter
            distance = (m.start - f.end) * (0.5 if base else 1.5) + (20 if re.search(r"\b(?:from|than|versus|vs|compared)\b", between) else 0)
        else:
            continue
        if not (c_start <= m.start < c_end):
            distance += 200
        if best is None or distance < best[0]:
            best = (distance, m.period)
    if best is not None:
        return best[1]
    if s.context_periods:
        return s.context_periods[0]
    grain = _THE_GRAIN.search(s.text)
    if grain:
        # "during the quarter", "in the half": the article's period of that length, the one it names most
        unit = grain.group(1).lower()
        named = Counter(p for p in s.doc_periods() if p.grain == unit and p.start is not None)
        if named:
            return named.most_common(1)[0][0]
    return None


_THE_GRAIN = re.compile(
    r"\b(?:in|during|for|over|through(?:out)?|of)\s+the\s+(quarter|half|year)\b(?![- ](?:ago|earlier|before|to))", re.I
)


def _apart(text: str, f: Figure, g: Figure, period_at: int) -> bool:
    """Whether a figure ``g`` between ``f`` and a period takes the period for itself: unless the
    two are one statement ("rose 27% year on year to 6.5 billion yuan in the second quarter")."""
    linking = text[f.end : g.start]
    return bool(_COMPARED.search(text, f.end, period_at)) or "," in linking or len(linking.split()) > 6


def _scope(text: str, c_start: int, c_end: int, names: list[_Name], entity: str, at: int) -> str:
    """Where a figure at ``at`` holds: of the places its clause names (and "global", "worldwide"),
    the nearest one before it, else the nearest after it ("Across Latin America its share was
    3.1%, and worldwide it is under 1%": Latin America for 3.1%)."""
    owner = {w.casefold() for w in entity.split()}
    worldwide = [(m.start(), "global") for m in _WORLDWIDE.finditer(text, c_start, c_end)]
    if any(at < x < at + 50 and "," not in text[at:x] for x, _ in worldwide):
        return "global"  # "4% of the global market", "4% del mercado mundial"
    places = [n for n in names if n.role == "place" and c_start <= n.start < c_end and n.text not in entity]
    found = worldwide + [(n.start, n.text) for n in places]
    found += [
        (m.start(), m.group(1)) for m in _PLACE_MARKET.finditer(text, c_start, c_end)
        if m.group(1).casefold() not in owner and not any(n.start <= m.start(1) < n.end for n in places)
    ]
    if not found:
        return ""
    before = [x for x in found if x[0] < at]
    chosen = max(before) if before else min(found)
    # the whole list it ends or opens: "in Sweden and Finland", "Kenyan and Nigerian customers"
    k = next((k for k, n in enumerate(places) if n.start == chosen[0]), None)
    if k is None:
        return chosen[1]
    first, last = _listed(text, places, k)
    return " + ".join(n.text for n in places[first : last + 1])


# ---- storage -------------------------------------------------------------------------------


def encode(facts: Iterable[Fact]) -> str:
    return json.dumps([f.row() for f in facts], ensure_ascii=False, separators=(",", ":"))


def by_chunk(facts: Sequence[Fact], chunks: Sequence[tuple[int, int]]) -> list[list[Fact]]:
    """The facts of each chunk: each fact goes to the first chunk its sentence starts in."""
    out: list[list[Fact]] = [[] for _ in chunks]
    for fact in facts:
        for k, (a, b) in enumerate(chunks):
            if a <= fact.start < b:
                out[k].append(fact)
                break
    return out


# ---- reading ----------------------------------------------------------------------------


@dataclass
class FactTable:
    """Every fact of an index snapshot, with lookups for the filters."""

    facts: list[dict[str, Any]]
    keys: list[str]  # each fact's entity under its longest known spelling, for grouping
    lexicon: Lexicon | None = None
    by_source: dict[str, list[int]] = field(default_factory=dict)
    by_key: dict[str, list[int]] = field(default_factory=dict)
    by_metric: dict[str, list[int]] = field(default_factory=dict)
    by_period: dict[tuple[str, str | None, str | None], list[int]] = field(default_factory=dict)
    _cache: dict[tuple[Any, ...], Any] = field(default_factory=dict)

    @classmethod
    def build(cls, rows: Iterable[tuple[str, dict[str, Any], str]], copy_of: Any, lexicon: Lexicon | None) -> FactTable:
        """``rows``: (chunk id, chunk metadata, chunk text) of the current chunks."""
        facts: list[dict[str, Any]] = []
        origins: dict[str, str] = {}
        for chunk_id, meta, text in rows:
            raw = meta.get("facts")
            if not raw:
                continue
            try:
                stored = json.loads(raw)
            except ValueError:
                continue
            chunk_start = int(meta.get("start", 0))
            source = str(meta.get("source", ""))
            origin = origins.get(source)
            if origin is None:
                origin = origins[source] = copy_of(source)
            citation = {
                "source": source, "title": str(meta.get("title") or ""), "date": str(meta.get("date") or ""),
                "publisher": str(meta.get("publisher") or ""), "url": str(meta.get("url") or ""), "origin": origin,
            }
            for k, row in enumerate(stored):
                if not isinstance(row, list) or len(row) != len(_ROW):
                    continue  # written by another version of this code: the next sync rewrites it
                record = dict(zip(_ROW, row, strict=True))
                start = record["start"]
                quote = text[start - chunk_start : record["end"] - chunk_start]  # to the chunk's end at most
                record.update(citation, id=f"{chunk_id}:{k}", quote=quote, end=start + len(quote))
                record["entity_group"] = record["entity"]
                facts.append({name: record[name] for name in FIELDS})
        facts.sort(key=lambda r: (r["source"], r["start"]))
        table = cls(facts, [], lexicon)
        spelled: dict[str, str] = {}
        for r in facts:
            if r["entity"] not in spelled:
                spelled[r["entity"]] = table.entity_key(r["entity"])
        table.keys = [spelled[r["entity"]] for r in facts]
        # One display name per group of spellings ("AWS", "Amazon Web Services"): the most used.
        usage: dict[str, Counter[str]] = {}
        for r, key in zip(facts, table.keys, strict=True):
            usage.setdefault(key, Counter())[r["entity"]] += 1
        shown = {key: counts.most_common(1)[0][0] for key, counts in usage.items()}
        for r, key in zip(facts, table.keys, strict=True):
            r["entity_group"] = shown[key]
        for i, (record, key) in enumerate(zip(facts, table.keys, strict=True)):
            table.by_source.setdefault(record["source"], []).append(i)
            table.by_key.setdefault(key, []).append(i)
            table.by_metric.setdefault(record["metric"], []).append(i)
            table.by_period.setdefault((record["period"], record["period_start"], record["period_end"]), []).append(i)
        return table

    def columns(self) -> tuple[Any, list[int], Any, list[str]]:
        """Each fact's (period, period start, period end, unit) and metric label as numbers: the key
        ids (a numpy array), the first fact of each key, the metric ids and the distinct labels. A
        question judges each distinct key and label once, then picks facts by array lookups."""
        import numpy as np

        found = self._cache.get(("columns",))
        if found is None:
            keys: dict[tuple[Any, ...], int] = {}
            metrics: dict[str, int] = {}
            first: list[int] = []
            key_ids = np.empty(len(self.facts), dtype=np.int64)
            metric_ids = np.empty(len(self.facts), dtype=np.int64)
            for i, f in enumerate(self.facts):
                key = (f["period"], f["period_start"], f["period_end"], f["unit"])
                k = keys.get(key)
                if k is None:
                    k = keys[key] = len(keys)
                    first.append(i)
                key_ids[i] = k
                metric_ids[i] = metrics.setdefault(f["metric"], len(metrics))
            found = self._cache[("columns",)] = (key_ids, first, metric_ids, list(metrics))
        return found  # type: ignore[no-any-return]

    def words(self, i: int) -> frozenset[str]:
        """The (stemmed) words of fact ``i``'s sentence and metric."""
        found = self._cache.get(("words", i))
        if found is None:
            f = self.facts[i]
            found = self._cache[("words", i)] = frozenset(stem(w) for w in words(f"{f['quote']} {f['metric']}"))
        return found  # type: ignore[no-any-return]

    def entity_key(self, name: str) -> str:
        key = " ".join(stem(w) for w in words(name))
        if self.lexicon is not None:
            longer = sorted(self.lexicon.aliases.get(key, ()), key=len)
            # "AWS" (an abbreviation the articles spell out) groups with "Amazon Web Services".
            if longer and len(key.split()) == 1 and key.isalpha() and len(key) <= 5:
                return longer[-1] if len(longer) == 1 else longer[0]
        return key

    def select(
        self,
        entity: str | None = None,
        metric: str | None = None,
        period: str | None = None,
        scope: str | None = None,
        source: str | None = None,
    ) -> list[int]:
        """Positions of the facts the filters allow (each filter is matched loosely: words in order).

        Each filter is matched once against the distinct values it filters (entities, metrics,
        periods are few next to facts), and a selection is remembered: the table never changes."""
        key = ("select", entity, metric, period, scope, source)
        if key not in self._cache:
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[key] = self._select(entity, metric, period, scope, source)
        return list(self._cache[key])

    def _select(
        self, entity: str | None, metric: str | None, period: str | None, scope: str | None, source: str | None
    ) -> list[int]:
        keep: Sequence[int] = range(len(self.facts))
        if source:
            keep = self.by_source.get(source, [])
        if entity:
            want = self.entity_key(entity)
            plain = " ".join(stem(w) for w in words(entity))
            # Entities are few: match each spelling once, then take its facts.
            keys = [k for k in self.by_key if k == want or _contains(k, plain) or _contains(want, k)]
            chosen = sorted(i for k in keys for i in self.by_key[k])
            keep = chosen if not source else sorted(set(chosen) & set(keep))
        if metric:
            m = metric.casefold().strip()
            allowed = {i for name, ids in self.by_metric.items() if name and (m in name or name in m) for i in ids}
            keep = [i for i in keep if i in allowed]
        if period:
            asked = [x.period for x in P.find(period)]
            allowed = {
                i for (label, start, end), ids in self.by_period.items()
                if _period_match({"period": label, "period_start": start, "period_end": end}, asked, period) for i in ids
            }
            keep = [i for i in keep if i in allowed]
        if scope:
            s = scope.casefold().strip()
            keep = [i for i in keep if s in self.facts[i]["scope"].casefold()]
        return list(keep)

    def conflicts(self, positions: Sequence[int]) -> list[dict[str, Any]]:
        """Facts agreeing on entity, metric, period, scope and unit but not on value, from different
        articles (a near-copy of an article is the same article)."""
        key = ("conflicts", tuple(positions)) if len(positions) < 50_000 else None
        if key is not None and key in self._cache:
            return list(self._cache[key])
        found = self._conflicts(positions)
        if key is not None:
            self._cache[key] = found
        return list(found)

    def _conflicts(self, positions: Sequence[int]) -> list[dict[str, Any]]:
        groups: dict[tuple[Any, ...], list[int]] = {}
        for i in positions:
            f = self.facts[i]
            if not f["period"] or (f["entity"] == "market" and not f["scope"]):
                continue
            key = (self.keys[i], f["metric"], f["period"], f["scope"].casefold(), f["unit"], f["forecast"])
            groups.setdefault(key, []).append(i)
        out: list[dict[str, Any]] = []
        for members in groups.values():
            values = {round(self.facts[i]["value"], 6) for i in members}
            origins = {self.facts[i]["origin"] for i in members}
            if len(values) < 2 or len(origins) < 2:
                continue
            # Only disagreements across articles: the same article giving two values is two facts.
            by_origin: dict[str, set[float]] = {}
            for i in members:
                by_origin.setdefault(self.facts[i]["origin"], set()).add(round(self.facts[i]["value"], 6))
            if len({frozenset(v) for v in by_origin.values()}) < 2:
                continue
            first = self.facts[members[0]]
            out.append({
                "entity": first["entity"], "metric": first["metric"], "period": first["period"], "scope": first["scope"],
                "unit": first["unit"], "values": sorted(values), "facts": [self.facts[i]["id"] for i in members],
            })
        return out


def _contains(longer: str, shorter: str) -> bool:
    return bool(shorter) and f" {shorter} " in f" {longer} "


def _period_match(fact: dict[str, Any], asked: list[P.Period], written: str) -> bool:
    if not asked:
        return written.casefold() in fact["period"].casefold()
    if not fact["period_start"] and not fact["period"]:
        return False
    label = fact["period"]
    for p in asked:
        if p.label() == label:
            return True
        if p.start and p.end and fact["period_start"] and fact["period_end"]:
            if p.start.isoformat() <= fact["period_start"] and fact["period_end"] <= p.end.isoformat():
                return True
    return False


def to_csv(facts: Sequence[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(FIELDS), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for f in facts:
        writer.writerow(f)
    return out.getvalue()


def format_table(result: dict[str, Any]) -> str:
    """The facts as an aligned text table, then the conflicts with their facts' sources."""
    facts = result["facts"]
    if not facts:
        return "No facts match."
    headers = ("entity", "metric", "figure", "period", "scope", "measured by", "source")
    rows = [
        (
            f["entity"], f["metric"], f["figure"] + (" (forecast)" if f["forecast"] else ""), f["period"] or "-",
            f["scope"] or "-", f["measured_by"] or "-", f"{f['source']}:{f['start']}-{f['end']}",
        )
        for f in facts
    ]
    widths = [min(36, max(len(h), *(len(r[k]) for r in rows))) for k, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(_cut(v, w).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    shown = len(facts)
    if result.get("count", shown) > shown:
        lines.append(f"... {result['count'] - shown} more (use --limit)")
    by_id = {f["id"]: f for f in facts}
    for c in result.get("conflicts", []):
        lines.append("")
        lines.append(f"Conflict: {c['entity']} {c['metric']} {c['period']} {c['scope']}".rstrip() + ":")
        for fid in c["facts"]:
            f = by_id.get(fid)
            if f:
                who = f["measured_by"] or f["publisher"] or f["source"]
                lines.append(f"  {f['figure']} ({who}) {f['source']}:{f['start']}-{f['end']} \"{f['quote']}\"")
    return "\n".join(lines)


def _cut(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"

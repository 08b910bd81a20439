"""Evidence scored, not filtered: every sentence of the retrieved passages gets one score from
what it shares with the question, and the answer quotes the sentences that together cover it.

The score adds up, for a sentence read with its paragraph, heading and article:

- meaning: the cosine of the question's vector and the sentence's (pooled from the passage's
  encoding at ingest, so the sentence is read in its context);
- words: the question's words it holds, weighted by how rare they are in the articles;
- names: each name asked about, in the sentence or, for "the company" or "the Roubaix-based group",
  in the sentence before it, its paragraph's opening, its heading or its article's title;
- the figure asked for: a percentage for a share, an amount for revenue, a date for "when";
- periods as values: the same quarter however written scores high, another quarter scores low.

The answer takes the best sentence, then the sentences that add what it leaves uncovered (another
name, period or figure asked for), each quoted exactly with its source. It abstains, saying which part
is missing, when a name asked about is nowhere in the articles, when every sentence about the asked
names speaks of other periods, or when nothing scores well enough.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import partial

import numpy as np

from assistant import periods as P
from assistant.chunking import split_sentences
from assistant.figures import Figure, find_figures
from assistant.grounding import Draft
from assistant.lexicon import Lexicon, family, measure_words, same_measure, stem, words
from assistant.question import ACCORDING, MEASURE_INITIALS, REASONS_HEADING, STOP, WANTS, Name, Question, language
from assistant.speakers import NO_SPEAKERS, Speakers
from assistant.types import Passage

_FORWARD = re.compile(
    r"\b(?:expects?|expected|expecting|forecasts?|forecasted|projects?|projected|projections?|guidance|guided|guides|guiding|"
    r"outlook|will|would|plans? to|planned|aims? to|targets?|targeting|could|should reach|is set to|are set to|"
    r"anticipates?|estimates? that .{0,40}\bwill|by 20\d\d|prognostiziert|erwartet|wird|werden|prevé|prevén|prévoit|prévoient|"
    r"devrait|devraient|prevede|prevedono|dovrebbe|dovrebbero|entro il 20\d\d|d'ici 20\d\d|bis 20\d\d|para 20\d\d|"
    r"deverá|deverão|espera-se|verwacht|zal|zullen|förväntas|kommer att|oczekuje)\b",
    re.I,
)
_CAUSE = re.compile(
    r"\b(?:because|as a result|due to|driven by|thanks to|in order to|so that|aims? to|to (?:reduce|cut|win|meet|serve|"
    r"capture|lower|avoid|compete|attract|offer|expand|build|keep)|reflect(?:s|ed|ing)?|which (?:means|helps|lets)|"
    r"strategy|pitch|positions?|bet|focus(?:es|ed)? on|betting|plans? to|wants? to|seeks? to|helped|helps|lets|allows?|"
    r"by (?:offering|pricing|cutting|selling|bundling|building)|attribut(?:e|es|ed|ing)|credit(?:s|ed)? .{0,40}\bto|"
    r"on the back of|fu?ell?ed by|helped by|thanks to|reasons?|factors?|drivers?|require[sd]?|weil|porque|parce que|"
    # what a plan is for, and what brought something about
    r"(?:aim|goal|purpose|idea|intention|objective) (?:is|was) to|in a bid to|designed to|intended to|hop(?:es|ed|ing) to|"
    r"seek(?:s|ing)? to|put .{0,40}\bdown to|(?:secondary|side|knock-on) effect|led to|triggered|stemm(?:ed|s) from|"
    r"result(?:ed|s)? (?:from|in)|owing to|bottlenecks?|constraints?|shortages?|brakes?|obstacles?|barriers?|hurdles?|"
    r"hamper(?:s|ed|ing)?|held back|hold(?:s|ing)? back|"
    # the same in the other languages articles come in (a reason is a reason in any of them):
    # es, pt, fr, it, de, nl, the Nordic languages, pl, tr, id, vi
    r"debido a|gracias a|razón|razones|motivos?|ventajas?|devido a|graças a|razão|razões|vantage(?:m|ns)|"
    r"en raison de|grâce à|raisons?|avantages?|perché|a causa di|vantaggi|wegen|aufgrund|dank|gründen?|grund|"
    r"vorteile?n?|omdat|vanwege|dankzij|redenen|voordelen|eftersom|på grund av|tack vare|fordi|på grunn av|"
    r"takket være|skyldes|fordele?|fördelar|ponieważ|dzięki|z powodu|çünkü|nedeniyle|sayesinde|karena|berkat|"
    r"alasan|keunggulan|bởi vì|lý do|nhờ vào|lợi thế)\b",
    re.I,
)
_FORWARD_HEADING = re.compile(r"\W*(?:outlook|guidance|forecasts?|targets?|projections?|expectations?)\b", re.I)
_PRONOUN_SUBJECT = re.compile(r"\b(?:its?|the (?:company|group|firm))\b", re.I)
_WORLDWIDE = re.compile(r"\b(?:global(?:ly)?|worldwide|world(?:'s|’s)?|weltweit|mundial|mondial)\b", re.I)
# A stock's move on a trading day ("Shares of X rose 4.1% in São Paulo on Tuesday", "X shares fell 3% in
# Luxembourg trading"), and a question about one
_STOCK_MOVE = re.compile(
    r"\bshares\b(?:[^.;]|\.(?=\d)){0,60}?"
    r"\b(?:rose|fell|jumped|slid|slipped|gained|dropped|climbed|sank|surged|tumbled|were (?:up|down)|closed|ended|finished|"
    r"traded|edged)\b(?:[^.;]|\.(?=\d)){0,60}?"
    r"\b(?:trading|on (?:monday|tuesday|wednesday|thursday|friday)|morning|afternoon|midday|session|exchange|lower|higher)\b",
    re.I)
# A figure reported as wrongly given before: a correction notice's retracted figure
_RETRACTED = re.compile(
    r"\b(?:an? (?:earlier|previous|prior) version|(?:incorrectly|wrongly|erroneously|mistakenly) (?:said|stated|reported|gave|"
    r"given|put|listed|described)|misstated|misreported)\b", re.I)
_STOCK_ASKED = re.compile(
    r"\b(?:stock|shares (?:rose|fell|moved|react)|share price|trading|investors?|market (?:reaction|cap))\b", re.I)
# A day of the month written in a period ("31 October", "October 31")
_DAY_WRITTEN = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]{2,}|\b[A-Z][a-z]{2,}\.?\s+\d{1,2}(?:st|nd|rd|th)?\b(?!\d)")
# A dateline opening a release: a place, a date and a dash ("Oslo, 12 March 2032 - ", "LONDON, Nov 3 (Wire) -")
# ("Dublin, 18 September 2025 - ...", not a heading's "Highlights, fiscal year (1 October 2024 - ...")
_DATELINE_OPENING = re.compile(r"[A-Z][^\n,.(]{1,40},\s+[^\n\-–—(]{4,32}?\s+[-–—]\s")
_YEAR_AGO = re.compile(
    r"\b(?:a|one) year (?:earlier|before|ago|previously)\b|\byear-(?:ago|earlier)\b|\bprior-year\b|"
    r"\bthe (?:same|corresponding) (?:quarter|period|half|month|months|time) (?:a|of the previous|of the prior|last) year\b",
    re.I,
)
_BACK = re.compile(
    r"\b(?:(?:last|the previous|the prior|the preceding)\s+(?P<unit>quarter|half|year)|a\s+(?P<unit2>quarter|half|year)\s+(?:earlier|before|ago)|"
    # in the languages articles come in ("no trimestre imediatamente anterior", "le trimestre précédent")
    r"(?P<unit3>trimestre|semestre)\s+(?:\w+mente\s+)?(?:anterior|precedente|précédent|passado|pasado|scorso)|"
    r"(?P<unit4>vorquartal|vorhalbjahr)|"
    # ("geçen çeyrekte", "w poprzednim kwartale", "föregående kvartal", "vorig kwartaal", "kuartal sebelumnya"; not
    # their years: "bir önceki yılın aynı dönemi" is the same period a year before, not the year before)
    r"(?:geçen|önceki|poprzedni\w*|ubiegł\w*|föregående|forrige|vorig|vorige)\s+(?P<unit5>çeyre[kğ]\w*|kwarta[łl]\w*|"
    r"kvartal\w*|kwartaal)|"
    r"(?P<unit6>kuartal)\s+(?:sebelumnya|lalu))\b", re.I
)
# (the words of other languages for the three lengths, by how they begin)
_FOREIGN_UNIT = {"trimestre": "quarter", "semestre": "half", "vorquartal": "quarter", "vorhalbjahr": "half", "çeyre": "quarter",
                 "kwarta": "quarter", "kvartal": "quarter", "kuartal": "quarter"}


def _back_unit(back: re.Match[str]) -> str:
    """The length of the period before that a phrase of ``_BACK`` names: quarter, half or year."""
    unit = next(u for u in back.group("unit", "unit2", "unit3", "unit4", "unit5", "unit6") if u).lower()
    return next((length for start, length in _FOREIGN_UNIT.items() if unit.startswith(start)), unit)


# A sentence that goes on with a list of reasons announced before it ("gave two reasons. First, ...")
_ENUMERATES = re.compile(
    r"\W*(?:first(?:ly)?|second(?:ly)?|third(?:ly)?|finally|another|the other|also|in addition|on top of that)\b"
    # ("Two reasons, really. The first is earthquake risk. The second is the public sector.")
    r"|\W*the\s+(?:first|second|third|fourth|last|other)(?:\s+(?:one|reason|factor|driver|advantage))?\s+(?:is|was)\b",
    re.I,
)
_COUNTED = re.compile(r"\W*(?:first(?:ly)?|second(?:ly)?|third(?:ly)?|fourth(?:ly)?|finally|lastly)\b\s*,", re.I)
_REFERENCE = re.compile(r"\s*\[\d{1,3}\]\s+\S")  # an entry of a list of references ("[1] Company filing, Aug 27")
_QUOTE_MARKS = "\"“‘«„"
_GOES_ON = re.compile(r"\W*(?:that|this|these|those|it|which)\b", re.I)
_LIST_ITEM = re.compile(r"\s*(?:[*•·▪◦‣–-]|\d{1,2}[.)])\s+\S")
_OPENS_ON_PRONOUN = re.compile(r"\W*(?:its?|the (?:company|group|firm))\b", re.I)
_PERIOD_WORDS = frozenset(
    "quarter quarterly year yearly annual half month fiscal fy calendar period end ended ending latest last "
    "previous prior current next recent".split()
)
_UNDISCLOSED = re.compile(
    r"\b(?:does|do|did|has|have|had|is|are|was|were)\s*(?:not|n't)\s+(?:yet\s+)?(?:disclose[sd]?|publish(?:ed)?|report(?:ed)?|"
    r"break(?:s)? out|broken out|give[ns]?|provide[sd]?|reveal(?:ed)?|release[sd]?|split out)\b|"
    r"\bno (?:\d{4} |separate |such |public )?(?:figures?|numbers?|data|breakdown)\b|\bnot (?:separately )?disclosed\b|"
    r"\bundisclosed\b|\bdeclined to (?:disclose|give|comment|say|provide)\b|\bdoes not break\b|"
    # "Neither company disclosed the cost ...", "would not say how much ...", "nor did it give"
    r"\bneither\b[^.;]{0,40}?\b(?:disclosed|gave|published|revealed|reported|said)\b|\bnor did\b|"
    r"\b(?:would|will|could)\s*(?:not|n't)\s+(?:say|disclose|give|reveal)\b",
    re.I,
)
_SUBJECT_FILLER = frozenset(
    "the a an in on at for by with as its it this that these those their despite according while meanwhile but and "
    "however also after before since during under over from of to among beyond unlike like both each every some "
    "more most other such than".split()
)

# Weights of the score's parts, chosen on tests/qa (the sample set written with the product).
W_DENSE, W_WORDS, W_NAMES, W_KIND, W_PERIOD = 1.3, 1.0, 1.0, 0.35, 0.6
W_CAUSE = 0.7  # the kind's weight when only reasons are asked for: a sentence giving one is what answers
FLOOR = 0.62  # below this the best sentence is not an answer
MARGIN = 0.45  # a further sentence must score within this of the best


@dataclass
class Sentence:
    """One sentence of a retrieved passage, read with its context."""

    passage: Passage
    rank: int  # of its passage in retrieval
    start: int  # absolute offsets into the document text
    end: int
    text: str
    words: frozenset[str]
    vector: np.ndarray | None
    figures: list[Figure]
    periods: list[P.Period]
    context_periods: list[P.Period]
    context_words: frozenset[str]
    title_words: frozenset[str]
    own_subject: bool  # opens with a name of its own ("Nebius said ...")
    heading: bool
    forward: bool
    prev_start: int | None  # the sentence before it in its paragraph
    back_start: int | None = None  # where a quote of it that reads back begins
    doc_periods: Callable[[], list[P.Period]] = lambda: []  # every period its article names (read when needed)
    doc_words: frozenset[str] = frozenset()  # every word its article uses
    publisher_words: frozenset[str] = frozenset()  # who published it: the author of "our estimate"
    period_at: list[tuple[int, P.Period]] = field(default_factory=list)  # where each period is written
    period_end: dict[int, int] = field(default_factory=dict)  # where the period written at a start ends
    ago_at: int | None = None  # where "a year earlier" stands (a period that only the figure before it has)
    origin: str = ""  # the article its article is a near-copy of (itself when none): one source
    pronoun: bool = False  # speaks of "it", "its", "the company": its article's subject
    reads_on_from: tuple[Sentence, ...] = ()  # an enumeration's item ("Second, ..."): the paragraph before it
    header: list[Sentence] = field(default_factory=list)  # a table row's caption and column names
    row: bool = False  # a row of a table
    section: str = ""  # the heading it stands under (in its chunk, or the chunk's)
    sequel: Sentence | None = None  # the next sentence, when it goes on from this one ("That is 9% below ...")
    stock: bool = False  # tells a stock's move ("Shares of X rose 4% in trading")
    retracted: bool = False  # gives a figure as what was wrongly said ("An earlier version said 84 MW")
    score: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)
    name_cover: list[float | None] = field(default_factory=list)  # per asked name (None: absent from the articles)
    name_in_context: bool = False
    spoken_for: frozenset[str] = frozenset()  # in a transcript's turn: the words of whom its speaker speaks for
    _cause: bool | None = None

    @property
    def cause(self) -> bool:
        """Gives a reason ("because", "driven by", "aims to"), or is an item of an enumeration of
        reasons. Read when first asked (only why-questions ask): the pattern is long."""
        if self._cause is None:
            self._cause = bool(_CAUSE.search(self.text)) or any(p.cause for p in self.reads_on_from)
        return self._cause


@dataclass
class SentenceData:
    """What ingest stored for a chunk's sentences: spans (relative), vectors, instruction flags."""

    spans: list[tuple[int, int]]
    vectors: np.ndarray | None
    flagged: set[int]
    before: str | None = None  # the sentence before the chunk in its paragraph ("": none; None: not looked up)
    lead: str = ""  # the opening of its article, which names what (or whose report) it is about
    above: str = ""  # the end of the chunk before it, when no blank line separates them
    speakers: Speakers = NO_SPEAKERS  # who speaks in its article, and for whom (a transcript)


def read_passage(
    passage: Passage,
    rank: int,
    data: SentenceData | None,
    lexicon: Lexicon,
    fiscal_end: int | None,
    doc_periods: Callable[[], list[P.Period]] = lambda: [],
    doc_words: frozenset[str] = frozenset(),
) -> list[Sentence]:
    text = passage.text
    spans = data.spans if data and data.spans else split_sentences(text)
    flagged = data.flagged if data else set()
    vectors = data.vectors if data is not None and data.vectors is not None and len(data.vectors) == len(spans) else None
    anchor = P.parse_iso(passage.date)
    # An article with no publisher (a report, a scraped page) names its author or subject in its
    # opening lines ("Quillon Partners, Infrastructure Pricing Desk"): they count as its title.
    lead = data.lead if data is not None and not passage.publisher else ""
    title_words = frozenset(stem(w) for w in words(f"{passage.title} {passage.publisher or ''} {lead}"))
    publisher_words = frozenset(stem(w) for w in words(passage.publisher or ""))
    headline = set(words(passage.title))
    title_periods = [m.period for m in P.find(passage.title, anchor, fiscal_end)]
    heading_words: frozenset[str] = frozenset(stem(w) for w in words(passage.section))
    heading_periods = [m.period for m in P.find(passage.section, anchor, fiscal_end)] if passage.section else []
    section = passage.section
    out: list[Sentence] = []
    made: dict[int, Sentence] = {}
    above = data.above if data is not None else ""
    heads = table_heads(text, spans, above)
    # the caption and column names of a table that began in the chunk before
    above_lines = _above_lines(above)
    above_words = {j: frozenset(stem(w) for w in words(t)) for j, t in above_lines.items()}
    above_periods = {j: [m.period for m in P.find(t, anchor, fiscal_end)] for j, t in above_lines.items()}
    paragraph: list[Sentence] = []
    list_lead: frozenset[str] = frozenset()  # the words of the first item of the list being read
    before_periods: list[P.Period] = []  # the periods of the paragraph before, when it names any
    before_forward: list[P.Period] = []  # the periods of a plan the paragraph before ends on
    # A chunk that starts inside a paragraph reads on from the sentence before it.
    lead_words: frozenset[str] = frozenset(stem(w) for w in words(data.before)) if data and data.before else frozenset()
    for k, (a, b) in enumerate(spans):
        if k in heads or text.count("|", a, b) >= 2:
            # the empty cells and bars around a table's line are not quoted ("Caption | | | |")
            while b > a + 1 and text[b - 1] in " |":
                b -= 1
            while a < b - 1 and text[a] in " |":
                a += 1
        raw = text[a:b]
        if _RULE_ROW.fullmatch(raw):
            continue  # "|---|---|": the rule under a table's column names says nothing
        figures = find_figures(raw)
        starts_paragraph = (a == 0 and not lead_words) or "\n\n" in text[max(0, a - 3) : a] or text[max(0, a - 1) : a] == "\n"
        # (the masthead line opening a report, "Brightwater Research | Rack Monitor | H1 2032", heads it)
        masthead = passage.start + a == 0 and " | " in raw and not raw.rstrip().endswith(".")
        is_heading = masthead or (
            starts_paragraph and "\n" not in raw and len(raw) < 100 and " | " not in raw and len(raw.split()) <= 12
            and not [f for f in figures if not (f.start == 0 and _NUMBERED.match(raw)) and not _dates(f, raw, anchor, fiscal_end)] and (
                raw.rstrip()[-1:] not in ".!?:;)\"”'" or _dated_aside(raw, anchor, fiscal_end)
                # a question standing alone as a paragraph is a heading ("Why build abroad?")
                or (raw.rstrip()[-1:] == "?" and (b >= len(text) or text.startswith("\n\n", b)))
            )
        )
        sentence_words = frozenset(stem(w) for w in words(raw))
        header = [made[j] for j in heads.get(k, ()) if j in made]
        if k in heads:
            # A table row is read with its caption and column names ("City H2 2031 H1 2031 ...
            # Vacancy" over "Tartu 188 181 170 +4.1% 3.2%"): their words and periods are its own.
            is_heading = False
            above_head = (above_words.get(j, ()) for j in heads[k] if j < 0)
            sentence_words = sentence_words.union(*(h.words for h in header), *above_head)
        if is_heading:
            section = raw.strip()
            heading_words = sentence_words
            named = [m.period for m in P.find(raw, anchor, fiscal_end)]
            # (a line giving only a day, "Tuesday, 12 August 2025", dates the call or release: the
            # period a heading above it names, "Second Quarter 2025 Earnings Call", still holds)
            if not (named and heading_periods and all(p.grain == "day" for p in named)):
                heading_periods = named
            paragraph, lead_words, before_periods, before_forward = [], frozenset(), [], []
            continue
        if starts_paragraph:
            # A paragraph that opens on "Its ..." or "The company ..." goes on about the subject of
            # the one before ("Humain was launched ... / Its launch came with ... Nvidia will").
            carried = paragraph[-1].words | paragraph[-1].context_words if paragraph and _OPENS_ON_PRONOUN.match(raw) else frozenset()
            # An item of a list goes on about what its first item names ("* Live capacity in Santiago
            # rose ... / * Vacancy fell to 6.8% ..."): the items of one list, line after line.
            item = _LIST_ITEM.match(raw) is not None
            if item and list_lead and text[max(0, a - 2) : a] != "\n\n" and "\n\n" not in text[max(0, a - 3) : a]:
                carried = carried | list_lead
            elif item:
                list_lead = sentence_words
            else:
                list_lead = frozenset()
            # A paragraph that names no period reads on from the one before ("... for the six
            # months to August. / Revenue reached R2.9 billion, up from ..."), not from further back.
            # (of what it reports, a period over by the article's date: not "it kept its target of
            # 250 MW by the end of 2026")
            before_periods = next((e.periods for e in reversed(paragraph) if e.periods and not e.row and (
                any(p.end is not None and p.end <= anchor for p in e.periods) if anchor else not e.forward)), [])
            # (what is planned reads on from a plan: "For 2026 we are guiding for growth of 20%. /
            # Capex will be about Rp 5.5 trillion")
            before_forward = next((e.periods for e in reversed(paragraph) if e.periods and not e.row), []) if (
                paragraph and paragraph[-1].forward) else []
            paragraph, lead_words = [], sentence_words | carried
        mentions = P.find(raw, anchor, fiscal_end)
        dateline = _DATELINE_OPENING.match(raw) if mentions else None
        if dateline:
            # "Dublin, 18 September 2025 - Companies wasted 27% ...": the date is the release's,
            # not a figure's period
            mentions = [m for m in mentions if m.start >= dateline.end()]
        stacked = _column_periods(_head_lines(text, spans, heads[k], above_lines), anchor, fiscal_end) if len(
            heads.get(k, ())) >= 2 and not mentions else []
        periods = [m.period for m in mentions] or stacked or [p for h in header for p in h.periods] or [
            p for j in heads.get(k, ()) if j < 0 for p in above_periods.get(j, ())]
        context_periods: list[P.Period] = []
        for earlier in reversed(paragraph):
            if earlier.periods:
                context_periods = earlier.periods
                break
        if not context_periods and not before_periods and before_forward and _FORWARD.search(raw):
            context_periods = before_forward
        if not context_periods and before_periods:
            # ("Net profit for the quarter rose ..." after a paragraph of a quarter and a year:
            # the quarter's)
            grain = _GRAIN_WORD.search(raw)
            context_periods = [p for p in before_periods if p.grain == grain.group(1).lower()] if grain else before_periods
        context_periods = context_periods or heading_periods or title_periods
        period_at = [(m.start, m.period) for m in mentions]
        period_end = {m.start: m.end for m in mentions}
        if mentions and context_periods and all(raw[: m.start].rstrip().endswith("(") for m in mentions):
            # "EBITDA was DKK 158 million (Q1 2024/25: DKK 149 million)": a period that opens a bracket
            # is the comparison's; the sentence's own is its paragraph's (or heading's)
            periods = [*context_periods, *periods]
            period_at[:0] = [(0, p) for p in context_periods]
            period_end[0] = 0
        backs = list(_BACK.finditer(raw)) if context_periods or periods else []
        if not context_periods and not periods and anchor is not None:
            # "GMV reached $412 million last quarter" with no period before it in the article:
            # the quarter (or half) before the one the article was published in
            for back in _BACK.finditer(raw):
                unit = _back_unit(back)
                if unit in ("quarter", "half") and not periods:
                    size = 3 if unit == "quarter" else 6
                    prior = P.span(anchor.year, (anchor.month - 1) // size * size + 1, size, unit).shifted(-1)
                    periods = [prior]
                    period_at.append((back.start(), prior))
                    period_end[back.start()] = back.end()
        base: P.Period | None = None
        if backs and periods:
            # "Revenue in the previous quarter was NGN 16.9 billion, taking sales for the first
            # half to NGN 35.5 billion": beside a period of its own, the phrase dates the figure
            # written after it (the quarter before the paragraph's, of its unit only)
            for back in backs:
                unit = _back_unit(back)
                # (else the sentence's own: "Fourth-quarter revenue was X, up from Y in the previous quarter")
                readings = [p for p in context_periods if p.grain == unit] or [p for p in periods if p.grain == unit]
                for reading in (p for p in readings if unit != "year"):
                    prior = reading.shifted(-1)
                    if prior is not None and prior not in periods:
                        periods = [*periods, prior]
                        period_at.append((back.start(), prior))
                        period_end[back.start()] = back.end()
            backs = []
        if backs:
            # "Growth picked up from last quarter, when sales rose to €79.3 million": with no
            # period of its own, the sentence speaks of the one before its paragraph's. A figure
            # written before the phrase ("Sales were €84.6 million, up from €66.1 million a
            # year earlier and from €79.3 million last quarter") is the paragraph's own.
            units = {_back_unit(back) for back in backs}
            # every reading of the paragraph's period of that length ("Q1 FY2033" and its months,
            # or the fiscal quarter alone when the article does not say where its year ends)
            bases = [p for p in context_periods if p.grain in units - {"year"}] or [
                next((p for p in context_periods if p.start), context_periods[0])]
            base = bases[0]
            befores: list[P.Period] = []
            for back in backs:
                unit = _back_unit(back)
                for reading in bases:
                    before = P.year_before(reading) if unit == "year" else reading.shifted(-1) if reading.grain == unit else None
                    if before is not None and before not in befores:
                        befores.append(before)
                        period_at.append((back.start(), before))
                        period_end[back.start()] = back.end()
            if befores:
                first = any(f.end <= backs[0].start() for f in figures)
                periods = [*bases, *befores] if first else befores
                if first:
                    period_at[:0] = [(0, reading) for reading in bases]
                    period_end[0] = 0
        if mentions and context_periods and base is None:
            # "Sales were €61.2 million, up 19% ..., and up from €58.0 million in the fourth
            # quarter": a figure written before the sentence names any period is its paragraph's.
            leading = [f for f in figures if f.end <= mentions[0].start]
            dated = [p for p in context_periods if p.start and p.end]
            # (not "€9.1 billion in the first half": the period right after a lone figure is its own)
            if len(leading) >= 2 and mentions[0].start - leading[0].end > 25 and dated:
                # the most precise, as the article labels it ("Q1 FY2033" over its months)
                base = min(dated, key=lambda p: (p.months, p.fiscal is None, dated.index(p)))
                periods = [base, *periods]
                period_at.insert(0, (0, base))
                period_end[0] = 0
        ago = _YEAR_AGO.search(raw) if (periods or context_periods) else None
        if ago and not any(b.start() == ago.start() for b in backs):
            # "NOK 1.84 billion in the three months to December, from NOK 1.45 billion a year
            # earlier": the figure beside the phrase is for the same period one year before (of
            # the periods written before the phrase the most precise, "the six months to December"
            # over "its 2032 fiscal year"; else the one the sentence is about).
            before_ago = [(at, p) for at, p in period_at if at < ago.start() and p.start and p.end]
            precise = min(before_ago, key=lambda x: (x[1].months, -x[0], x[1].fiscal is None))[1] if before_ago else None
            about = [precise] if precise is not None else periods or context_periods
            current = next((p for p in about if p.start), about[0])
            earlier = P.year_before(current)
            if not periods and any(f.end <= ago.start() for f in figures):
                # "Revenue reached R2.9 billion, up from R2.4 billion in the year-earlier period":
                # with no period of its own, a figure before the phrase is its paragraph's
                periods = [current]
                period_at.insert(0, (0, current))
                period_end[0] = 0
            periods = [*periods, earlier]
            period_at.append((ago.start(), earlier))
            period_end[ago.start()] = ago.end()
        prev = paragraph[-1] if paragraph else None
        # (a row of a table does not read on from the row above it)
        context = (prev.words | prev.context_words if prev and k not in heads else frozenset()) | lead_words | heading_words
        spoken_for = data.speakers.words_at(passage.start + a) if data is not None and data.speakers.starts else frozenset()
        context = context | spoken_for  # (whom the speaker of a transcript's turn speaks for)
        s = Sentence(
            passage=passage,
            rank=rank,
            start=passage.start + a,
            end=passage.start + b,
            text=raw,
            words=sentence_words,
            vector=vectors[k] if vectors is not None else None,
            figures=figures,
            periods=periods,
            context_periods=context_periods,
            context_words=frozenset(context),
            title_words=title_words,
            publisher_words=publisher_words,
            own_subject=_own_subject(raw[data.speakers.label_at(passage.start + a) if data is not None else 0 :], lexicon),
            heading=False,
            section=section,
            # (or under a heading that opens on what is expected: "Outlook for fiscal 2032")
            forward=bool(_FORWARD.search(raw)) or bool(section and _FORWARD_HEADING.match(section)),
            prev_start=prev.start if prev else None,
            # (before a sentence that itself points back, "That was wrong.", the one it points to)
            back_start=prev.prev_start if prev and prev.prev_start is not None and _POINTS_BACK.match(prev.text) else (
                prev.start if prev else None),
            doc_periods=doc_periods,
            doc_words=doc_words,
            period_at=period_at,
            period_end=period_end,
            ago_at=ago.start() if ago else None,
            pronoun=bool(_PRONOUN_SUBJECT.search(raw)),
            reads_on_from=tuple(paragraph) if _ENUMERATES.match(raw) else (),
            header=header,
            row=k in heads,
            stock=bool(figures) and _STOCK_MOVE.search(raw) is not None,
            retracted=bool(figures) and _RETRACTED.search(raw) is not None,
            spoken_for=spoken_for,
        )
        made[k] = s
        if prev is not None and _GOES_ON.match(raw):
            prev.sequel = s
        if k in flagged:
            s.prev_start = s.back_start = None
            paragraph = []  # nothing after an instruction reads on from it
            continue  # planted instructions are never quoted
        paragraph.append(s)
        if len(raw) < 12 or (len(spans) > 2 and _same_text(raw, headline)) or _REFERENCE.match(raw):
            continue  # the headline names the story; it does not answer a question about it
        out.append(s)
    return out


_CELL_VALUE = re.compile(
    r"[+\-−–~≈<>]?\s?(?:[A-Z]{0,3}[$€£¥₹]|[A-Z]{3}\s)?\d[\d,.\u202f ]*(?:%|pp|x|[kKmMbB]n?|[A-Za-z]{1,4})?|n/?a|[-–—]", re.I
)


_RULE_ROW = re.compile(r"[\s|:+=-]*")  # "|---|:---:|", the line under a Markdown table's column names
_CELL_CURRENCY = frozenset(["$", "€", "£", "¥", "US$", "A$", "C$", "S$", "R$"])


def _column_periods(lines: Sequence[str], anchor: date | None, fiscal_end: int | None) -> list[P.Period]:
    """The periods of the columns of a head stacked over lines ("Three Months Ended Nine Months Ended"
    / "September 30, September 30," / "2025 2024 2025 2024"): the lowest line of years gives the
    columns; a line above them is read as groups of words repeating its pattern, each over as many
    columns ("Three Months Ended" over the first two, "Nine Months Ended" over the last two). One
    period per column, or [] if a column has none."""
    rows = [line.split() for line in lines]
    bottom = max((i for i, line in enumerate(lines) if _years_row(line)), default=0)
    if bottom == 0:
        return []
    columns = rows[bottom]
    n = len(columns)
    over: list[list[str]] = []
    for row in rows[:bottom]:
        if not row:
            continue
        # the most groups (a divisor of the columns) that end on the same word: the pattern repeated
        groups = [row]
        for m in range(n, 1, -1):
            size = len(row) // m
            if n % m == 0 and len(row) % m == 0 and len({_bare(row[size * g + size - 1]) for g in range(m)}) == 1:
                groups = [row[size * g : size * (g + 1)] for g in range(m)]
                break
        over.append([" ".join(groups[c * len(groups) // n]) for c in range(n)])
    out: list[P.Period] = []
    for c, cell in enumerate(columns):
        found = P.find(" ".join([*(o[c] for o in over), cell]), anchor, fiscal_end)
        if not found:
            return []
        out.append(found[-1].period)
    return out


_YEAR_CELL = re.compile(r"(?:FY|CY)?['’]?(?:19|20)?\d\d[A-Z]?|(?:19|20)\d\d(?:/\d\d)?", re.I)


_PERIOD_HEAD = re.compile(
    r"\b(?:months?|weeks?|ended|ending|quarters?|years?|fiscal|half|january|february|march|april|may|june|july|"
    r"august|september|october|november|december)\b", re.I)


def _years_row(line: str) -> bool:
    """A line of years only, heading columns ("2025 2024 2025 2024", "FY25 FY24")."""
    cells = line.split()
    return len(cells) >= 2 and all(_YEAR_CELL.fullmatch(c) for c in cells)


def _bare(word: str) -> str:
    return word.strip(",.:;()").lower()


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _numeric_row(line: str) -> bool:
    """A line that reads as a table row in plain text: a label, then two or more values ("Tartu 188
    181 170 +4.1% 3.2%"), and no sentence."""
    tokens = line.split()
    if len(tokens) < 3 or len(tokens) > 24 or line.rstrip()[-1:] in ".:;!?":
        return False
    values = 0
    for token in reversed(tokens):
        if token in _CELL_CURRENCY:
            continue  # a currency sign standing apart from its number ("$   248,906")
        if not _CELL_VALUE.fullmatch(token):
            break
        values += 1
    return values >= 2 and values < len([t for t in tokens if t not in _CELL_CURRENCY])


def _dated_aside(text: str, anchor: date | None, fiscal_end: int | None) -> bool:
    """Whether ``text`` ends on an aside of dates ("Outlook for fiscal 2032 (1 July 2031 - 30 June 2032)")."""
    aside = re.search(r"\(([^()]+)\)\s*$", text)
    return aside is not None and any(
        m.start <= aside.start(1) + 1 and m.end >= aside.end(1) - 1 for m in P.find(text, anchor, fiscal_end))


def _dates(f: Figure, text: str, anchor: date | None, fiscal_end: int | None) -> bool:
    """Whether the figure is a number of a date or period written in ``text`` ("1 July 2031")."""
    return any(m.start <= f.start and f.end <= m.end for m in P.find(text, anchor, fiscal_end))


def _above_lines(above: str) -> dict[int, str]:
    """The lines of the text above a chunk, numbered -1 (the last) upwards."""
    lines = above.split("\n") if above else []
    return {j - len(lines): line for j, line in enumerate(lines)}


def table_heads(text: str, spans: Sequence[tuple[int, int]], above: str = "") -> dict[int, list[int]]:
    """The table rows among ``spans`` (each a whole line), each with the spans of its caption and
    column names: the lines of cells without values that open a block of rows split by "|", or the
    line just above a block of plain rows of values. A row's head may be in ``above``, the text
    before ``text``: its lines are numbered -1 (the last) upwards."""
    lines: list[tuple[int, int, list[int]]] = []
    if above:
        # the lines above as lines of their own, before the chunk, at negative offsets
        shift = len(above) + 1
        text = f"{above}\n{text}"
        spans = [(a + shift, b + shift) for a, b in spans]
        offset = 0
        for j, line in _above_lines(above).items():
            if line.strip():
                lines.append((offset, offset + len(line), [j]))
            offset += len(line) + 1
    for k, (a, b) in enumerate(spans):
        line_start = text.rfind("\n", 0, a) + 1
        if lines and lines[-1][0] == line_start:
            lines[-1][2].append(k)
        else:
            end = text.find("\n", b)
            lines.append((line_start, len(text) if end < 0 else end, [k]))
    heads: dict[int, list[int]] = {}
    columns: list[int] = []  # the head of the last plain table whose head names its columns' years
    i = 0
    while i < len(lines):
        line = text[lines[i][0]:lines[i][1]]
        piped = line.count("|") >= 1 and len(_cells(line)) >= 2
        j = i + 1
        while j < len(lines) and lines[j][0] == lines[j - 1][1] + 1:  # the next line, no blank line between
            nxt = text[lines[j][0]:lines[j][1]]
            if piped:
                if not (nxt.count("|") >= 1 and len(_cells(nxt)) >= 2):
                    break
            elif not _numeric_row(nxt):
                break
            j += 1
        block = lines[i:j] if piped else lines[i + 1:j]
        ends = j == len(lines)  # a table the chunk ends in may go on in the next one
        if piped and (len(block) >= 3 or (ends and len(block) >= 2)):
            head = [k for line_start, line_end, ks in block if not any(
                _CELL_VALUE.fullmatch(c) for c in _cells(text[line_start:line_end])
            ) and not _RULE_ROW.fullmatch(text[line_start:line_end]) for k in ks]
            for line_start, line_end, ks in block:
                if ks[0] not in head and not _RULE_ROW.fullmatch(text[line_start:line_end]):
                    heads.update({k: head for k in ks})
            i = j
            continue
        if not piped and (len(block) >= 2 or (ends and len(block) >= 1 and not _numeric_row(line))):
            head = [] if _numeric_row(line) else lines[i][2]
            x = i
            # (a head stacked over lines above it, to a blank line: "Three Months Ended" /
            # "September 30," / "2025   2024" / "Revenues:")
            years = _years_row(line)
            while head and x > 0 and len(head) < 8 and lines[x - 1][1] + 1 == lines[x][0] and _head_line(
                    text[lines[x - 1][0] : lines[x - 1][1]]):
                upper = text[lines[x - 1][0] : lines[x - 1][1]]
                # (only the lines of the columns' periods: not a caption above them, whose words
                # would make every row seem to say what the table is about)
                if not (_years_row(upper) or (years and _PERIOD_HEAD.search(upper))):
                    break
                years = years or _years_row(upper)
                x -= 1
                head = lines[x][2] + head
            if head and any(_years_row(text[lines[y][0] : lines[y][1]]) for y in range(x, i + 1)):
                columns = head  # (the columns of the rows below, and of the next block's rows)
            elif head and columns:
                # a block of the same table after a blank line, headed by a label of its own
                # ("Segment adjusted EBITDA:"): the columns are still those named above
                head = columns + head
            block = lines[i:j] if _numeric_row(line) else block
            for _, _, ks in block:
                heads.update({k: head for k in ks})
            i = j
            continue
        i += 1
    return heads


def _head_lines(text: str, spans: Sequence[tuple[int, int]], head: Sequence[int], above: dict[int, str]) -> list[str]:
    """The whole lines of a table's head (spans of ``text``, or lines of the text above it at
    negative numbers), each once, in order, with their leading spaces (columns line up by them)."""
    out: dict[int, str] = {}
    for j in head:
        if j < 0:
            out.setdefault(j - 10**9, above.get(j, ""))
            continue
        start = text.rfind("\n", 0, spans[j][0]) + 1
        end = text.find("\n", spans[j][1])
        out.setdefault(start, text[start : len(text) if end < 0 else end])
    return [out[key] for key in sorted(out)]


def _head_line(line: str) -> bool:
    """A line that may head the columns of a plain-text table: no sentence, no row of values."""
    return len(line.split()) <= 12 and line.rstrip()[-1:] not in ".!?;" and not _numeric_row(line)


def _same_text(a: str, wb: set[str]) -> bool:
    """Whether ``a`` is the article's headline (its words ``wb``, as the page or its <title> writes it)."""
    wa = set(words(a))
    return bool(wa) and len(wa & wb) >= 0.8 * len(wa) and len(wa & wb) >= 0.6 * len(wb)


def _opens_on(text: str, asked: set[str]) -> bool:
    """Whether a sentence's first word (past a transcript's label) is a word of the names asked."""
    m = re.match(r"\W*(?:[^\W\d_]{1,2}:\s+\W*)?([^\W\d_][\w&'’.-]*)", text)
    return m is not None and stem(m.group(1)) in asked


def _own_subject(text: str, lexicon: Lexicon) -> bool:
    """Whether the sentence opens with a name of its own rather than "The company" or "It"."""
    # (past a transcript's turn label: "Q:", "A:", "R:")
    m = re.match(r"\W*(?:[^\W\d_]{1,2}:\s+\W*)?([^\W\d_][\w&'’.-]*)", text)
    if not m:
        return False
    first = m.group(1)
    w = stem(first)
    if w in _SUBJECT_FILLER or not first[0].isupper():
        return False
    if w in lexicon.measure_acronyms or w in MEASURE_INITIALS:
        return False  # "GMV", spelled out in lower-case words ("gross marketplace volume"), "EBITDA": a measure
    # (a word set off by an apposition is a name, however seldom the articles write it: "Spotlane,
    # its closest rival, reported ...")
    apposed = lexicon.lower.get(w, 0) == 0 and _APPOSITION.match(text, m.end()) is not None
    return lexicon.capitalised(w) >= 0.5 or not lexicon.known(w) or apposed or any(c.isupper() for c in first[1:])


_APPOSITION = re.compile(r",\s+(?:its|the|a|an|their)\s+[^,.;]{3,60},\s+[a-z]")


# ---- scoring ---------------------------------------------------------------------------------


class Scorer:
    def __init__(self, q: Question, vector: np.ndarray | None, lexicon: Lexicon) -> None:
        self.q = q
        self.vector = vector
        self.lexicon = lexicon
        names = q.name_words()
        self._asked_words = names
        self.terms = {t: w * (0.5 + _idf(lexicon, t)) for t, w in q.terms.items() if t not in names or len(q.names) == 0}
        self.term_total = sum(self.terms.values()) or 1.0
        # the words of the articles' other languages for the question's words ("omzet" for revenue)
        self.alternates = {t: lexicon.known_equivalents(t) for t in self.terms}
        self.names = [n for n in q.names if not n.absent]
        self._forms: dict[int, tuple[tuple[str, ...], list[tuple[tuple[str, ...], tuple[str, ...]]]]] = {}
        self.wants_figure = q.wants & {"amount", "percent", "points", "count", "quantity"}
        # the words that name a figure of the kinds asked ("share", "revenue", "MW"): in a table's
        # header, they make its rows' bare numbers figures of that kind
        self.kind_cues = frozenset(stem(w) for k in self.wants_figure for cue in WANTS.get(k, ()) for w in words(cue))
        self.stock_move = not _STOCK_ASKED.search(q.text)  # whether a stock's move is beside the question
        if q.reasons or q.manner:
            self.wants_figure = set()  # "why is it growing": reasons, not the growth rate
        # "break down its revenue by segment": each part's figure
        self.breakdown = bool(self.wants_figure) and bool(_BREAKDOWN.search(q.text))
        # figures the question itself gives ("Did it grow 22% or 25%?"): a sentence stating one speaks to it
        self.asked_figures = {(f.kind, f.value) for f in find_figures(q.text) if f.value is not None and f.kind != "count"}

    def _key(self, spelling: tuple[str, ...]) -> tuple[str, ...]:
        """The rarest word of a name of several words: the one that identifies it."""
        if len(spelling) < 2:
            return spelling
        return (min(spelling, key=lambda w: (self.lexicon.share(w) or 1.0, -len(w))),)

    def covers(self, s: Sentence, loosely: bool = False) -> bool:
        """Whether ``s`` (with its context) is about every group of asked names (any of them, for a
        question in another language than the articles may be in). ``loosely``: groups other than
        one the sentence names may be named anywhere in its article (the report a table is in)."""
        strict: list[bool] = []
        in_article: list[bool] = []
        for group in self.q.groups:
            members = [i for i in group if i < len(s.name_cover) and s.name_cover[i] is not None]
            if not members:
                continue
            strict.append(max(s.name_cover[i] or 0.0 for i in members) >= 0.6)
            # A name carried over from an earlier turn ("it") may be named anywhere in the article.
            in_article.append(all(self.q.names[i].carried for i in members) and any(
                _has(s.doc_words, self._key(sp)) for i in members for sp in self.q.names[i].spellings
            ))
        if not strict:
            return True
        if self.q.language != "en" or (not all(strict) and language(s.text) != self.q.language):
            # A question and an article in different languages: a name may be translated
            # ("Germany", "Deutschland"), so the names written alike must carry it.
            return any(strict)
        if loosely:
            return any(strict) and all(a or b for a, b in zip(strict, in_article, strict=True))
        return all(strict)

    def _name_forms(self, n: Name) -> tuple[tuple[str, ...], list[tuple[tuple[str, ...], tuple[str, ...]]]]:
        """A name's own stemmed words, and each spelling with the key it is looked up by (read once
        per question: every sentence read is scored against them)."""
        forms = self._forms.get(id(n))
        if forms is None:
            own = tuple(stem(w) for w in words(n.text))
            keys = [(sp, self._key(sp) if sp == own or (len(n.spellings) == 1 and sp[0] == own[:1]) else sp)
                    for sp in n.spellings]
            # (and its first word, when the articles never write it in lower case and seldom at all: a
            # name's short form, "Turan" for "Turan Analytics", however rare its other words)
            keys += [(sp, sp[:1]) for sp, key in keys if len(sp) > 1 and key != sp[:1] and sp == own
                     and self.lexicon.lower.get(sp[0], 0) == 0 and 0 < self.lexicon.share(sp[0]) < 0.2]
            forms = self._forms[id(n)] = (own, keys)
        return forms

    def name_cover(self, s: Sentence) -> list[float | None]:
        out: list[float | None] = []
        # (a sentence whose own subject is another of the names asked, "EMEA revenues increased ..."
        # of "X's EMEA growth", is about the asked company as its article is)
        other_subject = s.own_subject and not _opens_on(s.text, self._asked_words)
        for n in self.q.names:
            if n.absent:
                out.append(None)
                continue
            best = 0.0
            own, keys = self._name_forms(n)
            if len(own) == 1 and own[0] in self.q.scopes:
                # a place written as its people ("Chinese" market, "China"): the same first four letters
                if _kin(s.words, own[0]):
                    out.append(1.0)
                    continue
                if _kin(s.context_words, own[0]) or _kin(s.title_words, own[0]):
                    best = 0.8
            if len(own) > 1 and all(w in self.q.scopes for w in own):
                # the market asked about ("the Latin American IaaS market"): its place words, as
                # the place or its people ("Across Latin America its share was ...")
                places = [stem(w) for w in n.text.split() if w[:1].isupper() and w[1:].islower()] or list(own)
                if all(_has(s.words, (w,)) or _kin(s.words, w) for w in places):
                    out.append(1.0)
                    continue
                around = s.words | s.context_words | s.title_words
                if all(_has(around, (w,)) or _kin(around, w) for w in places):
                    best = 0.8
            for spelling, key in keys:
                if _has(s.words, spelling):
                    best = 1.0
                    break
                if _has(s.words, key):
                    best = max(best, 0.9)  # "Koukaryoku" for "Sakura Koukaryoku"
                elif _has(s.publisher_words, key) and len(key[0]) > 2:
                    best = max(best, 0.9)  # a report's own figures are its publisher's ("by our count")
                elif _has(s.context_words, key):
                    best = max(best, 0.4 if other_subject else 0.8)
                elif _has(s.title_words, key):
                    # "its", "the company": the article's own subject, named in its title (not a
                    # sentence about another name of its own: "Spotlane, its closest rival, ...")
                    best = max(best, 0.4 if other_subject else 0.75 if s.pronoun else 0.6)
            out.append(best)
        return out

    def period(self, s: Sentence) -> float | None:
        if not self.q.periods:
            return None
        own = P.best_relation(self.q.periods, self._figure_periods(s))
        if own is not None and own > 0:
            return own
        context = P.best_relation(self.q.periods, s.context_periods)
        if own is None and context is None:
            # Nothing in or around the sentence says when: an article that never names the asked
            # period (or appeared before it began) is taken not to be about it.
            published = P.parse_iso(s.passage.date)
            if published and self.q.forecast is not True and all(p.start and p.start > published for p in self.q.periods):
                return -0.7
            anywhere = P.best_relation(self.q.periods, s.doc_periods())
            return -0.5 if anywhere is not None and anywhere < 0.5 else None
        if own is None:
            return 0.85 * context
        if own < 0.5 and context is not None and context >= 0.5:
            # "for the quarter ... faster than in the June quarter": the paragraph's period is the
            # sentence's own; the one it names is a comparison.
            return max(own, 0.6 * context)
        return own

    def _figure_periods(self, s: Sentence) -> list[P.Period]:
        """The periods a sentence gives its asked-for figures: each figure of the asked kind takes
        the period written nearest to it ("₹1,120 crore for FY25 ... half of revenue in FY26" gives
        the amount to FY25)."""
        if not self.wants_figure or len({p for _, p in s.period_at}) < 2:
            return s.periods
        wanted = [f for f in s.figures if f.kind in self.wants_figure or (f.kind in ("count", "quantity") and self.wants_figure & {"count", "quantity"})]
        if not wanted:
            return s.periods
        bound: list[P.Period] = []
        for f in wanted:
            # "a year earlier" dates only the figure just before it ("from ¥63.3 billion a year earlier")
            just_before = s.ago_at is not None and f is max((g for g in s.figures if g.end <= s.ago_at), key=lambda g: g.end, default=None)
            near = [x for x in s.period_at if x[0] != s.ago_at or (just_before and x[0] - f.end <= 30)] or s.period_at
            # (not a period written after another figure: "X brought in PKR 5.31 billion, against
            # PKR 4.53 billion in the first quarter" dates the second figure only)
            near = [x for x in near if not (x[0] > f.end and any(f.end < g.start and g.end <= x[0] for g in s.figures))] or near
            nearest = min(near, key=lambda x: abs(x[0] - f.start) + (0 if x[0] > f.start else 5))
            # The same period said again beside it counts too: "In the December quarter of 2024,
            # the third quarter of the previous fiscal year, the service contributed ...".
            group = {nearest[0]}
            grown = True
            while grown:
                grown = False
                for at, _ in s.period_at:
                    if at not in group and any(_restated(s, at, g) for g in group):
                        group.add(at)
                        grown = True
            bound += [p for at, p in s.period_at if at in group and p not in bound]
        return bound

    def kind(self, s: Sentence) -> float:
        q = self.q
        score = 0.0
        if self.wants_figure:
            have = {f.kind for f in s.figures}
            accept = set(self.wants_figure)
            if "count" in accept:
                accept.add("quantity")
            if "quantity" in accept:
                accept.add("count")
            if "percent" in accept:
                accept.add("points")
            score = 1.0 if have & accept else (0.3 if have else 0.0)
            if score < 1.0 and s.sequel is not None and {f.kind for f in s.sequel.figures} & accept:
                score = 0.9  # the figure asked for is in the sentence that goes on from it
            if have and s.row and (have & accept or s.words & self.kind_cues):
                # a table row's numbers take their unit from its header (a column of shares, of
                # amounts): not a row of another kind's numbers ("availability zones: 3" for a share)
                score = 1.0
        if "date" in q.wants:
            # a day, a month, or a period written with its closing day ("the fiscal year ended 31 October 2025")
            dated = any(p.grain in ("day", "month", "point") for p in s.periods) or any(
                _DAY_WRITTEN.search(s.text, at, s.period_end.get(at, at)) for at, _ in s.period_at)
            score = max(score, 1.0 if dated else (0.5 if s.periods else 0.0))
        if q.why and not self.wants_figure:
            # (a row of a table gives values, never a reason)
            score = max(score, 1.0 if s.cause else (0.0 if s.row else 0.3))
        if "name" in q.wants:
            # "Who ...": a sentence naming someone besides those asked about.
            asked = q.name_words() | set(q.terms) | {stem(w) for w in words(q.text)}
            others = [w for w in re.findall(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w&-]+", s.text) if stem(w) not in asked]
            named = 1.0 if others else 0.2
            # ("who leads, with what share": both, the name and the figure)
            score = (score + named) / 2 if self.wants_figure else max(score, named)
        return score

    def __call__(self, s: Sentence) -> float:
        q = self.q
        dense = float(np.dot(self.vector, s.vector)) if self.vector is not None and s.vector is not None else 0.3
        got = 0.0
        for t, w in self.terms.items():
            # (a short word with its verb endings too: "end", "ended")
            if t in s.words or _prefix_in(t, s.words) or (len(t) == 3 and (f"{t}ed" in s.words or f"{t}ing" in s.words)):
                got += w
            elif self.alternates[t] & s.words:
                got += 0.8 * w
            elif t in s.context_words or t in s.title_words:
                got += 0.35 * w
        lexical = got / self.term_total
        s.name_cover = self.name_cover(s)
        cover = [c for c in s.name_cover if c is not None]
        names = sum(cover) / len(cover) if cover else 0.5
        if cover and max(cover) == 0:
            names = -0.5  # about something else entirely
        s.name_in_context = bool(cover) and 0.6 <= max(cover) < 1.0 and not any(c == 1.0 for c in cover)
        period = self.period(s)
        period_part = 0.0 if period is None else period
        if period is None and q.periods:
            period_part = -0.1
        kind = self.kind(s)
        forward = 0.0
        if s.forward and q.forecast is False:
            forward = -0.4
        elif s.forward and q.forecast is True:
            forward = 0.15
        elif s.forward and q.forecast is None and self.wants_figure:
            forward = -0.08
        if s.stock and self.stock_move:
            # "Shares of X rose 6.8% in Toronto trading": a stock's move, not a share of a market
            kind = min(kind, 0.3)
            lexical *= 0.5
        if s.retracted:
            # the figure that was wrong: the correction after it answers
            kind = min(kind, 0.3)
            lexical *= 0.5
            dense *= 0.5
        s.parts = {"dense": dense, "words": lexical, "names": names, "kind": kind, "period": period_part, "forward": forward}
        if self.asked_figures and any((f.kind, f.value) in self.asked_figures for f in s.figures):
            lexical += 0.3  # (a figure the question gives counts as words of it)
            s.parts["words"] = lexical
        return (
            W_DENSE * dense + W_WORDS * lexical + W_NAMES * names + (W_CAUSE if q.reasons else W_KIND) * kind
            + W_PERIOD * period_part * (0.5 if q.soft_periods else 1.0) + forward - 0.01 * s.rank
        )


def _restated(s: Sentence, a: int, b: int) -> bool:
    """Whether the periods written at ``a`` and ``b`` stand side by side, one restating the other
    ("the December quarter of 2024, the third quarter of the previous fiscal year")."""
    first, second = min(a, b), max(a, b)
    end = s.period_end.get(first)
    return end is not None and bool(re.fullmatch(r"\s*(?:,|\(|\bor\b|\bi\.e\.,?)?\s*(?:the\s+|its\s+)?", s.text[end:second]))


def _idf(lexicon: Lexicon, term: str) -> float:
    share = lexicon.share(term)
    if share <= 0:
        return 1.0
    return float(min(1.0, max(0.0, -np.log(share) / np.log(lexicon.n + 1))))


_PREFIXES: dict[int, tuple[frozenset[str], frozenset[str]]] = {}


def _prefixes(have: frozenset[str]) -> frozenset[str]:
    """The 3- to 6-letter beginnings of the words of ``have`` (cached by the set's identity; the
    sets are read once per chunk and kept)."""
    cached = _PREFIXES.get(id(have))
    if cached is None or cached[0] is not have:
        prefixes = frozenset(w[:k] for w in have for k in (3, 4, 5, 6) if len(w) > k)
        if len(_PREFIXES) > 200_000:
            _PREFIXES.clear()
        cached = _PREFIXES[id(have)] = (have, prefixes)
    return cached[1]


_PEOPLE_ENDINGS = frozenset({"n", "an", "ian", "vian", "ean", "ese", "ish", "i", "ic", "er", "ern"})


def _kin(have: frozenset[str], word: str) -> bool:
    """A word of ``have`` of the same family as ``word``: a place and its people or adjective, one
    the other with an ending ("china", "chinese"; "korea", "korean"; "canada", "canadian"), not
    two words that merely begin alike ("montreal", "month")."""
    def of(place: str, people: str) -> bool:
        for root in (place, place[:-1] if place[-1:] in "aeiouy" else ""):
            if len(root) >= 4 and people.startswith(root) and people[len(root):] in _PEOPLE_ENDINGS:
                return True
        return False

    return len(word) >= 4 and any(h == word or of(word, h) or of(h, word) for h in have if len(h) >= 4)


def _has(have: frozenset[str], spelling: tuple[str, ...]) -> bool:
    """Every word of ``spelling`` in ``have``, a word also matching one of its family ("Korea",
    "Korean"; "Europe", "European")."""
    if all(w in have for w in spelling):
        return True
    prefixes = _prefixes(have)
    # "korean" matches "korea" itself as well as the longer words that begin like it
    return all(w in have or (len(w) >= 5 and (w[:5] in prefixes or w[:5] in have)) for w in spelling)


_FAMILIES: dict[int, tuple[frozenset[str], frozenset[str]]] = {}


def _families(have: frozenset[str]) -> frozenset[str]:
    cached = _FAMILIES.get(id(have))
    if cached is None or cached[0] is not have:
        if len(_FAMILIES) > 200_000:
            _FAMILIES.clear()
        cached = _FAMILIES[id(have)] = (have, frozenset(family(w) for w in have))
    return cached[1]


def _prefix_in(term: str, have: frozenset[str]) -> bool:
    """Words of one family: "partnering" and "partnership", "growing" and "growth", "guide" and "guidance"."""
    return len(term) >= 4 and family(term) in _families(have)


# ---- choosing and composing ------------------------------------------------------------------


@dataclass
class Selection:
    chosen: list[Sentence]
    missing: list[str]
    abstain: str | None = None
    undisclosed: bool = False  # abstains, quoting the sentence that says the figure is not given
    when: bool = False  # the question asks when: periods said relative to an article's date are dated
    asked: tuple[P.Period, ...] = ()  # the periods asked about (a fiscal one is given in calendar months)


@dataclass(frozen=True)
class Part:
    """One part of a question that asks for several things: a name of a list, or a period."""

    label: str
    names: tuple[int, ...] = ()  # indexes into the question's names that this part must cover
    period: P.Period | None = None
    terms: tuple[str, ...] = ()  # the measure of a part that is one of a list of measures


def parts_of(q: Question, lexicon: Lexicon | None = None) -> list[Part]:
    lists = [g for g in q.groups if len(g) > 1]
    present = [i for i, n in enumerate(q.names) if not n.absent]
    if lists:
        group = max(lists, key=len)
        shared = tuple(i for g in q.groups if g is not group for i in g if i in present)
        return [Part(q.names[i].text, (*shared, i)) for i in group if i in present]
    measures = _measure_parts(q, present, lexicon)
    if measures:
        return measures
    if len(q.periods) > 1 and not q.soft_periods:
        shared = tuple(present)
        return [Part(p.label(), shared, p) for p in q.periods]
    return []


_WHEN_ONLY = re.compile(
    r"(?:(?:now|then|today|currently|versus|vs\.?|against|compared|with|to|from|a|one|the|year|quarter|earlier|ago|before|"
    r"previously|on|over|last|latest|prior)\b\s*)+", re.I)


def _measure_parts(q: Question, present: list[int], lexicon: Lexicon | None) -> list[Part]:
    """A list of measures ("Orvik Q4 2025: revenue, adjusted EBITDA and EBITDA margin", "first-half
    revenue, first-half operating profit, and revenue for the July-September quarter"): one part
    per measure, with the period its item names, if any; the names outside the list are shared."""
    if q.why or q.followup:
        return []
    text = q.text.rstrip(" ?.!")
    # ("Is X getting easier? Give A and B, now vs a year earlier": the list is in the last sentence)
    text = re.split(r"(?<=[?!.])\s+(?=[A-Z])", text)[-1]
    aside = re.split(r"\s[-–—]\s", text, maxsplit=1)
    if len(aside) == 2 and len(aside[0].split()) >= 3:
        text = aside[0]  # "A revenue and B share - use the latest numbers": an aside after a dash
    head, _, tail = text.rpartition(":")
    items = [x for x in re.split(r",\s*(?:and\s+)?|\s+(?:and|plus|&)\s+|;", tail or text) if x.strip()]
    # ("..., each with its growth rate": what every item is asked with, not an item of its own)
    items = [x for x in items if not re.match(r"\s*(?:each|both|all|every one)\b", x, re.I)]
    # (nor "now vs a year earlier", "year on year": when, for every item)
    items = [x for x in items if not _WHEN_ONLY.fullmatch(x.strip())]
    if len(items) < 2 or len(items) > 6 or any(re.search(r"[?!.]\s", x) for x in items):
        return []
    if not head and any(len(x.split()) > 8 for x in items):
        return []  # a list of measures is a list of short noun phrases, or follows a colon
    name_words = {i: {stem(w) for w in words(q.names[i].text)} for i in present}
    head_measure = re.match(r"\s*(.+?)\s+(?:for|of|from|in)\s+\S", items[0])
    if head_measure and all(len(x.split()) <= 2 for x in items[1:]):
        # "revenue for security, compute and delivery": each item is a revenue
        items = [items[0], *(f"{head_measure.group(1)} {x.strip()}" for x in items[1:])]
    parts: list[Part] = []
    for item in items:
        mentions = P.find(item)
        plain = item
        for m in sorted(mentions, key=lambda m: -m.start):
            plain = plain[: m.start] + " " + plain[m.end :]
        own = [i for i in present if name_words[i] & {stem(w) for w in words(item)}]
        terms = tuple(dict.fromkeys(
            t for t in (stem(w) for w in words(plain))
            if (t in q.terms or any(t in ws for ws in name_words.values())) and not t.isdigit()
            and not all(x in _PERIOD_WORDS or x in P.MONTHS or x in ("first", "second", "third", "fourth", "full") for x in t.split("-"))
            and not any(t in name_words[i] for i in present if i not in own or len(own) == len(present))
        ))
        if lexicon is not None:
            terms = tuple(t for t in terms if lexicon.known(t))
        if not terms or len(terms) > 4:
            return []  # an item that names no measure the articles use: not a list of measures
        parts.append(Part(item.strip(), (), mentions[0].period if mentions else None, terms))
    if len({p.terms for p in parts}) < 2 and len({p.period for p in parts}) < 2:
        return []
    shared = tuple(i for i in present if not any(name_words[i] & set(p.terms) for p in parts))
    return [Part(p.label, shared, p.period, p.terms) for p in parts]


def select(q: Question, pool: list[Sentence], scorer: Scorer) -> Selection:
    absent = [n for n in q.names if n.missing]
    if absent and all(n.absent for n in q.names):
        return Selection([], [], f"The articles do not mention {_join([n.text for n in absent])}.")
    if not pool or not (q.terms or q.names or q.periods):
        return Selection([], [], "The articles do not contain an answer to this question.")
    for s in pool:
        s.score = scorer(s)
    pool = _dedupe(sorted(pool, key=lambda s: s.score, reverse=True))
    parts = parts_of(q, scorer.lexicon)
    # The answer must be about what was asked: each group of asked names (a name, or one name of a
    # list) named in the sentence or the passage it reads on from.
    about = [s for s in pool if scorer.covers(s)] if scorer.names else pool
    if scorer.names and (not about or about[0].score < FLOOR):
        about = [s for s in pool if scorer.covers(s, loosely=True)]
    if scorer.names and (not about or about[0].score < FLOOR) and len(q.groups) > 1 and all(n.carried for n in scorer.names):
        # "it" is one of the names asked before ("Quillon's list price in the Brightwater table:
        # what is it, and how big is its backlog?"), not all of them: a sentence about any one will do
        about = [s for s in pool if any(c is not None and c >= 0.6 for c in s.name_cover)]
    if scorer.names and (not about or about[0].score < FLOOR) and not parts:
        loose = [s for s in pool if any(c is not None and c >= 0.6 for c in s.name_cover)]
        unmet = _unmet_groups(q, loose[:1], scorer)
        said_elsewhere = any(_group_met(q, g, s) for g in unmet for s in pool)
        if loose and loose[0].score >= FLOOR and not said_elsewhere:
            about = loose  # a name written otherwise here (another language): answer, and say so
        else:
            who = _join([n.text for n in scorer.names])
            return Selection([], [], f"The articles do not give this for {who}." if pool[0].score >= FLOOR
                             else "The articles do not contain an answer to this question.")
    if q.scopes and about:
        # A sentence that gives the worldwide figure and does not name the place asked about is
        # not about that place's market ("IBM held 2% of the global market" for China).
        local = [s for s in about if not (_WORLDWIDE.search(s.text) and not any(_has(s.words, (w,)) or _kin(s.words, w) for w in q.scopes))]
        if not local and not parts:
            return Selection([], [], f"The articles do not give this for {_join([n.text for n in scorer.names] or ['it'])} in that market.")
        about = local or about
    if q.summary and (about or pool)[0].score >= FLOOR:
        # What an article says: the article the question is about (its best sentence's), opened
        # as it opens, a few sentences in its own order (the headline and headings left out).
        source = (about or pool)[0].passage.source
        ordered = sorted((s for s in pool if s.passage.source == source and len(s.text) >= 40), key=lambda s: s.start)
        # (what someone said about a company, in a transcript: the turns of whoever speaks for it)
        subject = next((n for n in scorer.names if not n.absent), None)  # (the first named: "X's CEO")
        spoken = [s for s in ordered if s.spoken_for and subject is not None and any(
            all(w in s.spoken_for for w in spelling) for spelling in subject.spellings)]
        if spoken:
            return Selection(spoken[:6], [])
        # (its opening, then the first sentence of each section after it)
        opening = [s for k, s in enumerate(ordered) if k < 4 or s.section != ordered[k - 1].section]
        return Selection(opening[:6], [])
    if not about and parts:
        about = pool
    if not about or (about[0].score < FLOOR and not parts):
        return Selection([], [], "The articles do not contain an answer to this question.")
    top = about[0]
    if scorer.terms and q.language == "en" and not q.followup:
        # Beyond the names, the answer must share something with what was asked: a sentence that
        # only names "Paris" does not answer a question about the weather there.
        related = [
            s for s in about
            if s.score >= FLOOR and (
                s.parts.get("words", 0) > 0.05 or s.parts.get("dense", 0) >= 0.5
                # (a sentence in another language shares no words: the names asked and the kind of figure)
                or (s.parts.get("names", 0) >= 1.0 and s.parts.get("kind", 0) >= 0.5 and language(s.passage.text) != q.language)
                # what was asked for, for the period asked: "When did X's fiscal 2025 end?"
                or (s.parts.get("kind", 0) >= 0.5 and s.parts.get("period", 0) >= 0.9)
                # a reason, given of what the question names ("What drove X's EMEA growth?": "EMEA
                # revenues increased 27%, primarily due to ...")
                or (q.reasons and s.cause and s.parts.get("names", 0) >= 0.6)
            )
        ]
        if not related:
            return Selection([], [], "The articles do not contain an answer to this question.")
        top = related[0]
    # (a word no article writes counts only beside evidence in the question's language: another
    # language's article may write it in that language)
    measure = _unknown_measure(q, scorer, about) if language(top.passage.text) == q.language else None
    phrase = measure or _unmet_phrase(q, about, scorer)
    if phrase:
        who = f" for {_join([n.text for n in scorer.names])}" if scorer.names else ""
        return Selection([], [], f"The articles do not give the {phrase}{who}.")
    if absent and language(top.passage.text) == q.language:  # (its article's language: a short sentence reads as any)
        # A name asked about is nowhere in the articles, and the best evidence is in the question's
        # own language (so not a translated name, "München" for "Munich"): they cannot answer.
        return Selection([], [], f"The articles do not mention {_join([n.text for n in absent])}.")
    also: Sentence | None = None
    if _UNDISCLOSED.search(top.text) and top.parts.get("kind", 0) < 1.0 and _withholds_asked(top, scorer):
        return Selection([top], [], "The articles do not give this.", undisclosed=True)
    withheld = next((s for s in pool[:12] if s.score >= max(FLOOR, top.score - 2 * MARGIN) and _UNDISCLOSED.search(s.text)
                     and (not scorer.names or any(c is not None and c >= 0.6 for c in s.name_cover))
                     and _withholds_asked(s, scorer, strict=True)), None)
    if withheld is not None and any(not (t in top.words or _prefix_in(t, top.words)) for t in _withheld(withheld, scorer)):
        if _other_measure(withheld, [top], scorer) is not None:
            also = withheld  # the best sentence gives what else was asked; the withheld part beside it
        else:
            # "Vindel did not disclose the yield it is paying" below a sentence that does not name a
            # yield at all: what was asked is what the article says it was not told
            return Selection([withheld], [], "The articles do not give this.", undisclosed=True)
    planned = _only_planned(q, about, scorer)
    if planned is not None:
        who = f" on {_join([n.text for n in scorer.names])}" if scorer.names else ""
        return Selection([planned], [], f"The articles do not give an actual figure{who} for "
                         f"{_join([p.label() for p in q.periods])}, only what was expected or planned.", undisclosed=True)
    gate = _period_gate(q, about, scorer) or _kind_gate(q, about, scorer) or _profit_gate(q, about, scorer)
    if gate:
        return Selection([], [], gate)
    if (not q.periods and (q.latest or scorer.wants_figure)) or (q.periods and all(p.start is None and not p.fiscal for p in q.periods)):
        top = _latest(about, top)  # a figure asked without a period: the latest one given
    chosen: list[Sentence] = []
    missing: list[str] = []
    if parts:
        # The most specific measure first ("cloud segment revenue" before "group revenue"); a
        # sentence taken by one part answers another only when no other sentence comes near it.
        picks: dict[int, Sentence] = {}
        for k in sorted(range(len(parts)), key=lambda k: -len(parts[k].terms)):
            part = parts[k]
            others = [p.period for p in parts if p is not part and p.period is not None]
            best = _best_for(part, pool, scorer, others)
            if best is not None and best in picks.values() and part.terms:
                rest = _best_for(part, [s for s in pool if s not in picks.values()], scorer, others)
                if rest is not None and rest.score >= best.score - MARGIN:
                    best = rest
            if best is not None:
                picks[k] = best
        for k in sorted(picks):
            if picks[k] not in chosen:
                chosen.append(picks[k])
        if not chosen and any(p.terms for p in parts):
            chosen = [top]  # no measure of the list found as such: the best sentence
        elif chosen and any(p.terms for p in parts) and top not in chosen and top.score > max(c.score for c in chosen):
            chosen.insert(0, top)  # measures written otherwise ("QoQ", "quarter on quarter"): the best sentence leads
        if not chosen:
            return Selection([], [], "The articles do not give this for " + _join([p.label for p in parts]) + ".")
        top = chosen[0]
    else:
        chosen = [top]
    limit = max(len(chosen) + 1, 5 if (len(scorer.names) > 1 or len(q.periods) > 1 or q.why or "name" in q.wants) else 3)
    # "... do the sources agree?": every source's figure of what was asked, however it scores
    compares = bool(_COMPARES_SOURCES.search(q.text))
    if scorer.breakdown:
        limit = max(limit, 6)
    while len(chosen) < limit:
        best, gain = None, 0.0
        # "Who ...?" may have several answers: sentences naming others are looked for further down.
        margin = 2 * MARGIN if "name" in q.wants or q.why else MARGIN  # (and a "why" its several reasons)
        if q.reasons:
            margin += (W_CAUSE - W_KIND) * 0.7  # (as far below a reason as before reasons weighed more)
        for s in pool:
            if s in chosen or s.score < FLOOR:
                continue
            if s.score < top.score - margin and not (
                    (s.score >= top.score - 2 * MARGIN or compares) and _another_source(q, s, chosen, scorer)):
                continue
            g = _gain(q, s, chosen, scorer)
            if g > gain:
                best, gain = s, g
        if best is None or gain < 0.02:
            break
        chosen.append(best)
    # A sentence that goes on from a chosen one ("That is 9% below the Q2 average ...") with a
    # figure of the kind asked belongs with it; so does the next reason of a list of reasons
    # ("First, ..." chosen: "Second, ...").
    for c in chosen:  # (grows as it goes: "Third, ..." follows "Second, ...")
        follow = _next_in_paragraph(c, pool)
        if follow is None or follow in chosen:
            continue
        if q.why and follow.text.lstrip()[:1] in _QUOTE_MARKS and (c.cause or c.text.lstrip()[:1] in _QUOTE_MARKS):
            # the words quoted after a reason said in a sentence ("... said the main reason is legal.
            # "Our customers' lawyers read the CLOUD Act," he said."): the reason itself
            chosen.insert(chosen.index(c) + 1, follow)
            continue
        if follow.score < FLOOR:
            continue
        if (_GOES_ON.match(follow.text) and follow.parts.get("kind", 0) >= 1.0) or (
            q.why and follow.cause and _ENUMERATES.match(follow.text) and _ENUMERATES.match(c.text)
        ):
            chosen.insert(chosen.index(c) + 1, follow)
    if q.why and not chosen[0].cause:
        # The sentence that states what is asked about ("Net retention fell to 119%") is most often
        # followed by the reason ("The CFO said larger customers were consolidating ..."), in words
        # no list of causal phrases foresees; at a paragraph's end, the next paragraph opens with it.
        follow = _next_sentence(chosen[0], pool)
        if follow is not None and follow not in chosen:
            chosen.insert(1, follow)
    for c in list(chosen):
        # A question asked in the text ("How are you paying for it?" on a call) is answered by what
        # follows it: the answer's first sentences ("Mostly by recycling capital. We sold ...").
        follow = _next_sentence(c, pool) if c.text.rstrip().endswith("?") else None
        at = chosen.index(c) + 1
        for _ in range(2):
            if follow is None or follow in chosen:
                break
            chosen.insert(at, follow)
            at += 1
            follow = _next_in_paragraph(follow, pool)
    if q.reasons:
        chosen = _with_listed_reasons(chosen, pool, top.score - MARGIN)
    if q.why:
        # A reason given as one of a count ("Second, the new cable ...") is quoted with the others
        # of its count ("First, ...", "Third, ..."), in the article's order.
        for c in [c for c in chosen if _ENUMERATES.match(c.text) and _COUNTED.match(c.text)]:
            siblings = sorted((s for s in pool if s.passage.id == c.passage.id and s not in chosen
                               and abs(s.start - c.start) < 800 and _COUNTED.match(s.text)), key=lambda s: s.start)
            for s in siblings[:3]:
                chosen.insert(chosen.index(c) + (1 if s.start > c.start else 0), s)
    # A table row is quoted under its caption and column names, which say what its values are.
    for c in list(chosen):
        have = {(x.passage.source, x.start) for x in chosen}
        for h in reversed([h for h in c.header if (h.passage.source, h.start) not in have and len(h.text) >= 12]):
            h.score = scorer(h)  # (read from the cache, it may hold another question's score)
            chosen.insert(chosen.index(c), h)
    if parts:
        # (a measure of a list may be written otherwise: only a missing name or period is said)
        missing = [f"The articles do not give this for {part.label}." for part in parts
                   if not part.terms and not any(_serves(part, c) for c in chosen)]
    else:
        missing = _missing(q, chosen, scorer)
    missing += [f"The articles do not mention {n.text}." for n in absent]
    if also is not None and also not in chosen:
        chosen.append(also)
    return Selection(chosen, missing, when="date" in q.wants, asked=tuple(q.periods))


_CLAUSE_END = frozenset("it its that which who whom for to in on at because as since while when after before and but".split())


def _asked_measure(scorer: Scorer) -> set[str]:
    return {t for t in scorer.terms if t not in scorer.q.name_words()} - _PERIOD_WORDS - {"much", "many", "big"}


def _withholds_asked(s: Sentence, scorer: Scorer, strict: bool = False) -> bool:
    """Whether what ``s`` says is withheld is what the question asks for: "did not disclose the
    yield it is paying" withholds a yield, not the price asked by "how much did it pay"; "terms
    were not disclosed" withholds the terms. A question of names alone asks for anything (unless
    ``strict``)."""
    measure = _asked_measure(scorer)
    if not measure:
        return not strict
    if not _withheld(s, scorer):
        return False
    # (not another measure of the same thing: "did not give a net income figure" withholds
    # profit, not the net revenue asked)
    held = {w for m in _UNDISCLOSED.finditer(s.text) for w in (stem(x) for x in words(re.split(r"[,;:.(]", s.text[m.end():], maxsplit=1)[0])) if same_measure(w)}
    asked_groups = [same_measure(t) for t in scorer.terms if same_measure(t)]
    if held and asked_groups and not any(held & g for g in asked_groups):
        return False
    # (and about what is asked: the rarest word of the measure asked is in the sentence or its
    # context; "how much revenue it earns from its largest customer" does not withhold the share
    # of revenue the database-as-a-service unit brings in)
    # (of the words naming the thing measured, not its kind: "worth", "cost", "share")
    known = [t for t in measure - _KIND_OF.keys() if scorer.lexicon.known(t)]
    if not known:
        return True
    around = s.words | s.context_words | s.title_words

    def said(t: str) -> bool:
        if "-" in t:  # "database-as-a-service": its long parts, each
            return all(p in around or _prefix_in(p, around) for p in t.split("-") if len(p) >= 4)
        return t in around or _prefix_in(t, around) or any(w[:4] == t[:4] for w in around if len(w) >= 4 <= len(t))

    # the rarest of them, or half of them ("the yield it is paying" for "at what initial yield")
    return said(min(known, key=scorer.lexicon.share)) or sum(map(said, known)) * 2 >= len(known)


# The kind of figure each cue word asks for ("worth": amount, "mw": quantity), built once.
_KIND_OF = {stem(c): kind for kind, cs in WANTS.items() for c in cs}


def _other_measure(withheld: Sentence, about: Sequence[Sentence], scorer: Scorer) -> Sentence | None:
    """For a question of several measures one of which ``withheld`` says is not disclosed ("total
    contracted MW and the tariff per kWh"), the best sentence giving a figure of another asked
    measure, named by a word for a kind of figure ("MW", "revenue", "share")."""
    if not scorer.wants_figure:
        return None
    # (a kind of figure the sentence withholds is withheld whatever its word: "the value of the
    # lease" withholds what it is "worth")
    said = {_KIND_OF[w] for m in _UNDISCLOSED.finditer(withheld.text)
            for w in (stem(x) for x in words(re.split(r"[,;:.(]", withheld.text[m.end():], maxsplit=1)[0])) if w in _KIND_OF}
    others = {t for t in _asked_measure(scorer) - _withheld(withheld, scorer) if t in _KIND_OF and _KIND_OF[t] not in said}
    return next((s for s in about[:12] if s is not withheld and s.score >= FLOOR and s.parts.get("kind", 0) >= 1.0
                 and any(t in s.words or _prefix_in(t, s.words) for t in others)), None)


def _withheld(s: Sentence, scorer: Scorer) -> set[str]:
    """The words of the question's measure that ``s`` says were not disclosed."""
    measure = _asked_measure(scorer)
    withheld: set[str] = set()
    for m in _UNDISCLOSED.finditer(s.text):
        after = words(s.text[m.end():])
        kept = []
        for w in after[:5]:
            if w.lower() in _CLAUSE_END:
                break
            kept.append(w)
        before = words(s.text[max(0, m.start() - 60) : m.start()])[-4:]
        withheld |= {stem(w) for w in kept + before}
    return {t for t in measure if t in withheld or _prefix_in(t, frozenset(withheld))}


def _names_measure(part: Part, s: Sentence) -> bool:
    """Whether ``s`` names the measure of a part of a list of measures: each of its words, or
    else the word that sets it apart from the others ("adjusted" EBITDA, EBITDA "margin")."""
    def said(t: str) -> bool:
        return t in s.words or _prefix_in(t, s.words) or _kin(s.words, t)

    def expressed(t: str) -> bool:
        # (a share is said by a percentage of something: "holds 54% of Kenya's market")
        return said(t) or (t in _SHARE_WORDS and any(f.kind == "percent" for f in s.figures))

    return all(expressed(t) for t in part.terms) or (len(part.terms) > 1 and said(part.terms[-1]))


_SHARE_WORDS = frozenset({"share", "stake", "portion", "proportion"})


def _serves(part: Part, s: Sentence) -> bool:
    """Whether a chosen sentence gives this part: its name, its measure, or its period."""
    if part.terms and not _names_measure(part, s):
        return False
    if part.period is not None:
        r = P.best_relation([part.period], s.periods or s.context_periods)
        return r is not None and r >= 0.5
    if part.terms:
        return True
    own = part.names[-1] if part.names else None
    return own is None or (own < len(s.name_cover) and (s.name_cover[own] or 0.0) >= 0.6)


# Initials that name a measure of their own (not a comparison or an accounting basis: "YoY", "TTM", "GAAP")
_NAMED_MEASURES = MEASURE_INITIALS - {"yoy", "qoq", "ttm", "ltm", "gaap", "ifrs", "kpi", "sla", "cagr"}


def _unmet_phrase(q: Question, about: list[Sentence], scorer: Scorer) -> str | None:
    """A measure the question names in two or more rare words ("operating income", "gross margin")
    that the articles use somewhere, but never in a sentence about the asked names."""
    if q.why or q.language != "en" or not scorer.names or all(n.carried for n in scorer.names):
        return None  # (a follow-up's names are the earlier turn's: what is about them is read loosely)
    lexicon = scorer.lexicon
    source = ACCORDING.match(q.text)  # ("According to the press roundup, ...": a source, not a measure)
    # (capitalised words inside the question are names, not a measure: "..., per Brightwater Research?")
    tokens = [stem(w) if not (w[:1].isupper() and i > 0) else "" for i, w in enumerate(words(q.text[source.end() if source else 0 :]))]
    phrases: list[tuple[str, ...]] = []
    for a, b in zip(tokens, tokens[1:], strict=False):
        if all(lexicon.known(w) and lexicon.share(w) < 0.05 and w not in q.name_words() and w.isalpha() and len(w) > 3 for w in (a, b)):
            phrases.append((a, b))
    # (a measure's initials say as much alone: "What EBITDA did X report?")
    initials = [stem(w) for w in words(q.text) if w.lower() in _NAMED_MEASURES and lexicon.known(stem(w))]
    phrases += [(w,) for w in initials if not any(w in p for p in phrases)]
    phrases = [p for p in phrases if len(p) == 1 or _asked_as_measure(q.text, p)]
    for phrase in phrases:
        used = [s for s in about[:40] if s.score >= FLOOR and (all(w in s.words for w in phrase) or (
            len(phrase) == 2 and _hyphenated(phrase, s.words)))]
        if used:
            continue
        if len(phrase) == 1:
            written = re.search(rf"(?<!\w){re.escape(phrase[0])}(?!\w)", q.text, re.I)
            return written.group(0) if written else phrase[0]  # (as asked: "EBITDA")
        if lexicon.phrase_used(phrase):
            return " ".join(phrase)
    return None


_YES_NO = re.compile(r"(?:does|do|did|is|are|was|were|has|have|had|can|could|will|would|should)\b", re.I)


def _asked_as_measure(text: str, phrase: tuple[str, ...]) -> bool:
    """Whether two words of a question are what it asks a figure of: the end of their noun phrase
    (not "object storage" of "its object storage prices"), in a clause that asks for something
    rather than whether ("Does it match the company's fact sheet?")."""
    for clause in re.split(r"(?<=[.?!;])\s+", text):
        tokens = re.findall(r"[\w'’-]+|[^\w\s]", clause)
        stems = [stem(w.lower()) for w in tokens]
        for i in range(len(stems) - 1):
            if (stems[i], stems[i + 1]) != phrase:
                continue
            after = tokens[i + 2] if i + 2 < len(tokens) else ""
            if _YES_NO.fullmatch(tokens[0] if tokens else ""):
                continue
            if after[:1].isalpha() and after.islower() and after.lower() not in STOP:
                continue
            return True
    return False


# The measure a question asks for, up to the first word that is not part of it: "What dividend has
# ...", "how many employees does ...", "what is the weighted average lease expiry (WALE) of ...".
# (a run opening on an auxiliary is a verb's question: "What does X say is driving ...")
_ASKED_MEASURE = re.compile(
    # (after "how much" a verb's participle is no measure: "How much was spent on ...")
    r"^\W*(?:according to [^,?]+,\s*)?(?:what\s+(?:(?:is|was|are|were)\s+(?=(?:the|its|their|a|an)\s))?|how many\s+|how much\s+)"
    r"(?:(?:the|its|their|a|an)\s+)?"
    r"(?!(?:did|does|do|has|have|had|will|would|can|could|should|is|was|are|were)\b)"
    r"((?:[\w-]+\s+){0,3}?[\w-]+)"
    r"(?=\s+(?:is|was|are|were|did|does|do|has|have|had|will|would|can|could|should|of|for|in|at|on|by|to|from|with|"
    r"per|over|during)\b|\s*[?,(]|\s*$)",
    re.I,
)


# ... or asked as a name's: "What is Liffey Data Group's net debt?", "What was X's headcount in 2025?"
_ASKED_OWNED = re.compile(
    r"^\W*(?i:what|how much|how many)\s+(?i:is|was|are|were)\s+(?:the\s+)?(?:[A-Z][\w&.-]*\s+){0,4}?[A-Z][\w&.-]*['’]s?\s+"
    r"((?:[a-z][\w-]*\s+){0,2}?[a-z][\w-]*)(?=\s+(?:in|for|at|of|as|on|by|during|over|now|today)\b|\s*[?,(]|\s*$)"
)


# The single words that say what kind of figure is asked ("share", "growth", "revenue", "capacity")
_KIND_CUES = frozenset(stem(c) for cues in WANTS.values() for c in cues if c.isalpha())


def _unknown_measure(q: Question, scorer: Scorer, about: Sequence[Sentence] = ()) -> str | None:
    """The measure an English question asks for when its last word (its noun: "profit" of "net
    profit") is a word no article uses, in any spelling, short form or listed translation: the
    articles cannot give it ("What PUE is X targeting?" over articles that never write "PUE"); nor
    when no article about the names asked uses it, and every one of them is in English (a
    dividend asked of a company whose articles never speak of one, though others' do)."""
    if q.why or q.language != "en" or q.followup:
        return None
    found = _ASKED_MEASURE.match(q.text) or _ASKED_OWNED.match(q.text)
    if not found:
        return None
    measure = words(found.group(1))
    if not measure:
        return None
    head = stem(measure[-1])
    lexicon = scorer.lexicon
    if head in q.name_words() or len(head) < 2 or not head.isalpha() or head in _PERIOD_WORDS:
        return None
    if head in _KIND_CUES and head not in MEASURE_INITIALS:
        # a kind of figure, written in other words as often as not ("held 30% of the market"), or a
        # share of what follows ("what proportion of its customers")
        return None
    repaired = lexicon.repair(head) if not lexicon.known(head) else None  # ("revnue": revenue)
    spelled = {w for h in {head, repaired} if h for w in (h, *lexicon.known_equivalents(h), *same_measure(h))}
    if lexicon.known(head) or repaired or any(lexicon.known(w) for w in spelled - {head}):
        # known to the articles: unknown only to every article about the names asked
        articles = {s.passage.source: s for s in about if scorer.covers(s)} if scorer.names else {}
        if not articles or not all(language(s.passage.text) == "en" for s in articles.values()):
            return None
        if any(spelled & s.doc_words or _prefix_in(head, s.doc_words) for s in articles.values()):
            return None
    return found.group(1)


def _hyphenated(phrase: tuple[str, str], found: frozenset[str]) -> bool:
    """Whether two stemmed words are written as one hyphenated word ("public sector": "public-sector")."""
    a, b = phrase
    for w in found:
        first, _, rest = w.partition("-")
        if rest and first.startswith(a) and rest.startswith(b):
            return True
    return False


def _group_met(q: Question, group: tuple[int, ...], s: Sentence) -> bool:
    return any(i < len(s.name_cover) and (s.name_cover[i] or 0.0) >= 0.6 for i in group)


def _unmet_groups(q: Question, sentences: list[Sentence], scorer: Scorer) -> list[tuple[int, ...]]:
    out = []
    for group in q.groups:
        if all(q.names[i].absent for i in group):
            continue
        if not any(_group_met(q, group, s) for s in sentences):
            out.append(group)
    return out


def _best_for(part: Part, pool: list[Sentence], scorer: Scorer, others: Sequence[P.Period] = ()) -> Sentence | None:
    """The best sentence for one part: it names the part's names and, for a period part, states
    that period (in itself or its paragraph), and not just another part's (``others``): the first
    quarter of a fiscal year is not the year when both are asked."""
    best, best_score = None, FLOOR - 0.15
    own = part.names[-1] if part.names and part.period is None and not part.terms else None
    for s in pool:
        if part.terms and not _names_measure(part, s):
            continue  # the measure of this part, in the sentence itself
        covers = [s.name_cover[i] for i in part.names if i < len(s.name_cover) and s.name_cover[i] is not None]
        if covers and min(covers) < 0.6:
            if not _shared_in_article(part, own, s, scorer):
                continue
            covers = [max(c, 0.6) for c in covers]  # the shared names are named in its article
        score = s.score
        if scorer.wants_figure:
            # a measure, or each name of a list, asked as a figure: a sentence that gives one
            score += 0.5 * (s.parts.get("kind", 0.0) >= 1.0)
            # (of the very kind asked: capacity in MW over a count of customers)
            score += 0.1 * bool({f.kind for f in s.figures} & scorer.wants_figure)
        if covers:
            score += W_NAMES * (sum(covers) / len(covers) - s.parts.get("names", 0.0))
        if own is not None and own < len(s.name_cover) and len(part.names) > 1:
            # the item itself named in the sentence (its cover alone is already what counts above
            # when the part has no shared names)
            score -= W_NAMES * (1.0 - (s.name_cover[own] or 0.0))
        if part.period is not None:
            r = P.best_relation([part.period], s.periods or s.context_periods)
            if r is None or r < 0.5:
                continue
            if r < 1.0 and others and (P.best_relation(others, s.periods or s.context_periods) or 0) >= 1.0:
                continue
            score += W_PERIOD * (r - s.parts.get("period", 0.0))
        if score > best_score:
            best, best_score = s, score
    return best


def _shared_in_article(part: Part, own: int | None, s: Sentence, scorer: Scorer) -> bool:
    """Whether ``s`` names the part's own name of a list, and the names the parts share are named
    in its article ("Humain's launch deals: Nvidia ..., AMD ...": "Nvidia will deliver" in a
    section on Humain)."""
    if part.terms:
        own = None  # a measure of a list: every name is shared, and may be named in the article
    elif own is None or own >= len(s.name_cover) or (s.name_cover[own] or 0.0) < 0.6:
        return False
    return all(
        (s.name_cover[i] or 0.0) >= 0.6 or any(_has(s.doc_words, scorer._key(sp)) for sp in scorer.q.names[i].spellings)
        for i in part.names if i != own and i < len(s.name_cover) and s.name_cover[i] is not None
    )


_PROFIT = same_measure("profit")
_OPERATING = same_measure("operating")


def _profit_gate(q: Question, about: list[Sentence], scorer: Scorer) -> str | None:
    """Abstain when a profit is asked ("net income", "earnings") and no sentence about the asked
    names speaks of one, while the best ones give another measure (revenue): a revenue figure is
    not a profit. (Other measures are said in too many ways to judge their absence by words.)"""
    asked = {t for t in (*q.terms, *(stem(w) for w in words(q.text))) if t in _PROFIT and t not in q.name_words()}
    if not asked or q.why or q.language != "en" or not scorer.names:
        return None
    # (a word that qualifies the profit is no other measure: "operating profit", "operating income")
    others = (same_measure(t) for t in q.terms if t not in q.name_words() and t not in _OPERATING)
    if any(m and m != _PROFIT and not {"growth", "share"} & m for m in others):
        return None  # another measure asked beside it ("revenue and net income")
    near = [s for s in about[:40] if s.score >= FLOOR]
    # (a sentence naming a profit with no figure does not give one: "X does not break out net income")
    if not near or any(s.words & _PROFIT and s.figures for s in near):
        return None
    if not any(s.words & (measure_words() - _PROFIT) for s in near[:5]):
        return None
    named = [m.group(0) for m in re.finditer(r"(?:\b[a-z]\w+\s+)?\b(\w+)", q.text) if stem(m.group(1).lower()) in asked]
    who = f" for {_join([n.text for n in scorer.names])}" if scorer.names else ""
    when = f" for {_join([p.label() for p in q.periods])}" if q.periods else ""
    return f"The articles do not give {named[0] if named else 'a profit'}{who}{when}."


def _kind_gate(q: Question, about: list[Sentence], scorer: Scorer) -> str | None:
    """Abstain when the asked name is only ever given with figures of another kind (a share where
    revenue was asked)."""
    wanted = scorer.wants_figure
    # (a place the market is in is not the name the figure belongs to)
    owners = [n for n in scorer.names if not any(stem(w) in q.scopes for w in words(n.text))]
    if not wanted or len(owners) != 1 or q.why or not (wanted <= {"amount", "percent"}):
        return None
    top = [s for s in about[:15] if s.score >= FLOOR]
    if not top or any(s.parts.get("kind", 0) >= 1.0 for s in top):
        return None
    asked = "an amount" if wanted == {"amount"} else "a percentage" if wanted == {"percent"} else "the figure asked for"
    return f"The articles do not give {asked} for {owners[0].text}."


def _next_in_paragraph(s: Sentence, pool: Sequence[Sentence]) -> Sentence | None:
    """The sentence of ``pool`` after ``s`` in its paragraph."""
    return next((x for x in pool if x.prev_start == s.start and x.passage.source == s.passage.source), None)


def _next_sentence(s: Sentence, pool: Sequence[Sentence]) -> Sentence | None:
    """The sentence of ``pool`` right after ``s`` in its article: the next of its paragraph, else
    the first of the next paragraph (not a heading) of its passage."""
    follow = _next_in_paragraph(s, pool)
    if follow is None:
        text, offset = s.passage.text, s.passage.start
        after = [x for x in pool if x.passage.id == s.passage.id and x.start >= s.end and x.prev_start is None and not x.heading]
        follow = min(after, key=lambda x: x.start, default=None)
        if follow is not None and text[s.end - offset : follow.start - offset].strip():
            follow = None  # something not in the pool stands between them
    return follow


def _with_listed_reasons(chosen: list[Sentence], pool: list[Sentence], near: float) -> list[Sentence]:
    """``chosen`` with, after the first sentence of an article whose section headed as reasons ("Why
    build abroad?") it quotes or comes close to quoting, each paragraph of that section by its
    opening: a short label ("Latency for international clients.") with the sentence after it. A
    chosen sentence that announces a list ("... gave three reasons for choosing the site:") is
    followed by the items of its list, wherever it stands."""
    out = list(chosen)
    opened = {(s.passage.id, s.start) for s in pool}
    for c in chosen:
        if c.score < near:
            continue
        section = sorted((s for s in pool if s.passage.source == c.passage.source and s.section
                          and REASONS_HEADING.search(s.section)), key=lambda s: s.start)
        announces = c.text.rstrip().endswith(":")
        if announces:
            section = sorted((s for s in pool if s.passage.source == c.passage.source and s.section == c.section
                              and s.start > c.start), key=lambda s: s.start)
        # (not a section of reasons for something else the article says, when the answer gives
        # reasons of its own and the section scores well below them)
        if not section or not (announces or c in section or max(s.score for s in section) >= near - MARGIN / 2
                               or sum(x.cause for x in chosen) < 2):
            continue
        heading = section[0].section
        items: list[Sentence] = []
        for s in section:
            if s.section != heading or s.row:
                continue
            own_start = s.start
            if s.prev_start is not None:
                if (s.passage.id, s.prev_start) in opened:
                    continue  # it goes on from a sentence of its paragraph
                # after a label too short to stand as a sentence ("- Power."): the two as one
                label = s.passage.text[s.prev_start - s.passage.start : s.start - s.passage.start]
                if s.prev_start < s.passage.start or len(words(label)) > 8:
                    continue
                s = replace(s, start=s.prev_start, text=label + s.text)
            follow = next((x for x in section if x.prev_start == own_start), None) if len(words(s.text)) <= 8 else None
            if follow is not None and follow.passage.id == s.passage.id:
                # the label and what it labels are quoted as one ("Latency. AI applications are ...")
                text = s.passage.text[s.start - s.passage.start : follow.end - s.passage.start]
                s = replace(follow, start=s.start, text=text, words=s.words | follow.words)
            items.append(s)
        if any(_LIST_ITEM.match(s.text) for s in items):
            # the list, not what follows it; an item whose label ends the chunk before goes on
            # at the opening of the next ("- Cost." | "An automated call costs ...")
            listed: list[Sentence] = []
            for s in items:
                if _LIST_ITEM.match(s.text):
                    listed.append(s)
                elif listed and listed[-1] is items[items.index(s) - 1] and not s.passage.text[: s.start - s.passage.start].strip():
                    listed.append(s)
            items = listed
        unique: list[Sentence] = []
        for s in items:
            if s not in out and s not in unique and not any(x.start <= s.start < x.end for x in out if x.passage.source == s.passage.source):
                unique.append(s)
        items = unique[:8]
        # (a sentence already chosen that an item quotes with its label is quoted once, as the item)
        out = [x for x in out if x is c or not any(i.passage.source == x.passage.source and i.start <= x.start and x.end <= i.end for i in items)]
        at = out.index(c) + 1
        out[at:at] = items
        break
    return out


_NUMBERED = re.compile(r"\d{1,2}(?:\.\d{1,2})*[.)]?\s")  # a numbered heading or item: "2. United Arab Emirates"
_LIST_ITEM = re.compile(r"\s*(?:[-*•–]|\d{1,2}[.)])\s")


def _another_source(q: Question, s: Sentence, chosen: list[Sentence], scorer: Scorer) -> bool:
    """Whether ``s`` gives the figure asked, of the names and period asked, from an article none of
    the chosen sentences comes from: sources that may disagree are shown side by side."""
    return (
        bool(scorer.wants_figure) and s.parts.get("kind", 0) >= 1.0 and bool(s.name_cover)
        and all(c is None or c >= 1.0 for c in s.name_cover)
        and (not q.periods or s.parts.get("period", 0) >= 1.0)
        and all(s.origin != c.origin for c in chosen)
        and _figure_follows_names(s, scorer)
    )


def _figure_follows_names(s: Sentence, scorer: Scorer) -> bool:
    """Whether a figure of the asked kind follows each asked name closely ("AWS held 32%"), as
    the figure of a name does, not one before it ("Alibaba held 4%, behind AWS")."""
    low = s.text.lower()
    for name in scorer.names:
        at = [m.start() for sp in name.spellings if sp for m in re.finditer(rf"\b{re.escape(sp[0])}", low)]
        if not at and language(s.text) != scorer.q.language:
            continue  # the name in another language's spelling ("Europa"): where it stands is not known
        if not at or not any(0 < f.start - a <= 80 for a in at for f in s.figures if f.kind in scorer.wants_figure):
            return False
    return True


def _gain(q: Question, s: Sentence, chosen: list[Sentence], scorer: Scorer) -> float:
    """What ``s`` adds to the chosen sentences: names and periods not yet covered, new figures of the
    asked kind, question words not yet present; scaled by its score."""
    gain = 0.0
    for i, cover in enumerate(s.name_cover):
        if cover is None:
            continue
        have = max(c.name_cover[i] or 0.0 for c in chosen)
        if have < 0.6 <= cover:
            gain += 0.5
    if q.why and s.score >= chosen[0].score - 0.35:
        gain += 0.25
    if q.periods and not q.soft_periods:
        for asked in q.periods:
            def good(x: Sentence, asked: P.Period = asked) -> bool:
                r = P.best_relation([asked], x.periods or x.context_periods)
                return r is not None and r >= 0.5
            if not any(good(c) for c in chosen) and good(s):
                gain += 0.4
    present = set().union(*(c.words for c in chosen))
    new_terms = sum(w for t, w in scorer.terms.items() if t in s.words and t not in present)
    gain += 0.5 * new_terms / scorer.term_total
    if scorer.wants_figure:
        old = {f.text for c in chosen for f in c.figures}
        if any(f.text not in old and f.kind in scorer.wants_figure | {"points", "quantity", "count"} for f in s.figures):
            gain += 0.12
            # another source's figure: sources that disagree are shown side by side (on the same
            # subject: the rarest question word the best sentence has, "HBM", is in it too)
            shared = [t for t in scorer.terms if t in chosen[0].words]
            topic = max(shared, key=lambda t: scorer.terms[t]) if shared else None
            on_topic = topic is None or topic in s.words or topic in s.context_words
            if all(s.origin != c.origin for c in chosen) and s.parts.get("kind", 0) >= 1.0 and on_topic:
                gain += 0.2
                if _another_source(q, s, chosen, scorer):
                    gain += 0.3  # (of the very names and period asked)
    if q.why and s.cause:
        gain += 0.1
    old_values = {(f.kind, f.value) for c in chosen for f in c.figures}
    if any((f.kind, f.value) in scorer.asked_figures and (f.kind, f.value) not in old_values for f in s.figures):
        gain += 0.3  # another figure the question gives ("22% or 25%?"): where each is stated
    if "name" in q.wants and s.parts.get("kind", 0) >= 1.0 and s.parts.get("words", 0) >= 0.5:
        gain += 0.3  # another one named in the relation asked about ("a partnership with ...")
    if scorer.breakdown and s.parts.get("kind", 0) >= 1.0 and any(
            s.passage.source == c.passage.source and s.section == c.section for c in chosen) and new_terms == 0 and any(
            t in s.words for t in scorer.terms):
        gain += 0.3  # a part of the breakdown asked for, beside the others under its heading
    if not s.row and any(s.passage.id == c.passage.id and abs(s.start - c.end) < 3 for c in chosen):
        gain += 0.05  # the next sentence of one already quoted reads on from it (not the next row of a table)
    return gain * max(0.0, s.score - FLOOR + 0.3)


def _dedupe(pool: list[Sentence]) -> list[Sentence]:
    """One of each sentence that two articles share (a syndicated copy is not a second source);
    the best-scoring ones are compared, the tail only matters as padding."""
    out: list[Sentence] = []
    for k, s in enumerate(pool):
        if k < 40 and any(
            s.passage.source != o.passage.source
            and (s.origin == o.origin or (0.7 <= len(s.words) / max(1, len(o.words)) <= 1.4 and _near(s.words, o.words)))
            and (s.origin != o.origin or _near(s.words, o.words, 0.6))
            for o in out[:40]
        ):
            continue
        out.append(s)
    return out


def _near(a: frozenset[str], b: frozenset[str], threshold: float = 0.8) -> bool:
    if not a or not b:
        return False
    return len(a & b) / len(a | b) >= threshold


_GRAIN_WORD = re.compile(r"\b(?:for|in|during|over)\s+the\s+(quarter|half|month|year)\b(?!-)", re.I)


def _period_gate(q: Question, about: list[Sentence], scorer: Scorer) -> str | None:
    """Abstain when every well-scoring sentence about the asked names speaks of other periods."""
    if not q.periods or q.soft_periods or q.why:
        return None
    candidates = [s for s in about[:25] if s.score >= FLOOR]
    if scorer.wants_figure:
        candidates = [s for s in candidates if s.parts.get("kind", 0) >= 1.0]
    who = f" on {_join([n.text for n in scorer.names])}" if scorer.names else ""
    asked = _join([p.label() for p in q.periods])
    if q.forecast is False:
        # "actual": a forecast is not one, nor is any figure in an article published before the
        # asked period ended ("budgeted at €40 million" for the fiscal year just begun)
        actual = [s for s in candidates if _actual(s, q.periods)]
        if candidates and not actual:
            return f"The articles do not give an actual figure{who} for {asked}."
        candidates = actual
    if not candidates:
        return None
    relations = [scorer.period(s) for s in candidates]
    # An undated sentence may be about the asked period, unless it scores well below the best one
    # that states another.
    best = candidates[0].score
    # What is measured, where the question names it ("net profit"): when every sentence that
    # names that measure states other periods, and every sentence of the asked period names
    # another measure ("revenue was ..."), the articles do not give it for that period.
    # (a measure named by a noun: growth and share are said with verbs as often, "rose 4%",
    # "holds 12% of", and a question of several measures asks for each in its own sentence)
    measures = [same_measure(t) for t in q.terms if same_measure(t) and t not in q.name_words()]
    if len(set(measures)) != 1 or {"growth", "share"} & measures[0]:
        measures = []
    grains = {p.grain for p in q.periods}
    # ("Net profit for the quarter rose ..." is of a quarter, whichever: not of an asked year)
    judged = [(-0.5 if r is None and (g := _GRAIN_WORD.search(s.text)) and g.group(1).lower() not in grains else r, s)
              for r, s in zip(relations, candidates, strict=True)]
    measured = [(r, s) for r, s in judged if all(s.words & m for m in measures)]
    asked_measure = frozenset().union(*measures) if measures else frozenset()
    on_period = [s for r, s in judged if (r is None and s.score >= best - MARGIN) or (r is not None and r >= 0.5)]
    if measures and measured and on_period and all(r is not None and r < 0 for r, _ in measured) and all(
        not ((s.words | s.context_words) & asked_measure) and s.words & measure_words() for s in on_period
    ):
        stated_m: list[str] = []
        for _, s in measured:
            grain = _GRAIN_WORD.search(s.text)
            for label in [p.label() for p in s.periods] or ([f"the {grain.group(1).lower()}"] if grain else []):
                if label not in stated_m:
                    stated_m.append(label)
        cues = {t for t in q.terms if same_measure(t)}
        # the measure as the question writes it, with the word before it ("net profit")
        named = [m.group(0) for m in re.finditer(r"(?:\b[a-z]\w+\s+)?\b(\w+)", q.text) if stem(m.group(1).lower()) in cues]
        what = named[0] if named else "that figure"
        tail = f" They give it for {_join(stated_m[:4])}." if stated_m else ""
        return f"The articles do not give {what}{who} for {asked}.{tail}"
    # An amount over a part of the asked year is not the year's (a part's relation, in the
    # sentence or its paragraph: see :func:`P.relation` and :meth:`Scorer.period`) ("revenue for the six months to
    # August" when the full year is asked): the articles give only the part.
    flow = "amount" in q.wants and all(p.grain in ("year", "half") for p in q.periods)
    if any((r is None and s.score >= best - MARGIN) or (r is not None and r >= 0.5 and not (flow and round(r, 3) in _PART))
           for r, s in zip(relations, candidates, strict=True)):
        return None
    stated: list[str] = []
    for s in candidates:
        for p in s.periods:
            if p.label() not in stated:
                stated.append(p.label())
    kind = "an actual figure" if q.forecast is False else "a figure"
    tail = f" What they give{who} is for {_join(stated[:4])}." if stated else ""
    return f"The articles do not give {kind} for {asked}.{tail}"


_PART = (0.6, round(0.85 * 0.6, 3))


def _only_planned(q: Question, about: list[Sentence], scorer: Scorer) -> Sentence | None:
    """For a question insisting on an actual figure: the best sentence about the asked period,
    when every one is a forecast or plan (or was written before the period ended)."""
    if q.forecast is not False or not q.periods or q.soft_periods or q.why:
        return None
    candidates = [
        s for s in about[:25]
        if s.score >= FLOOR and (not scorer.wants_figure or s.parts.get("kind", 0) >= 1.0) and (scorer.period(s) or 0) >= 0.5
    ]
    if not candidates or any(_actual(s, q.periods) for s in candidates):
        return None
    # what was expected for the period asked, over a figure for a part of it
    return next((s for s in candidates if s.forward and (scorer.period(s) or 0) >= 1.0), candidates[0])


# A verb in the past: what the sentence tells has happened.
_HAPPENED = re.compile(r"\b(?:was|were|had|did)\b|\b[a-z]{3,}ed\b(?!\s+(?:to|for)\b)")


def _actual(s: Sentence, periods: Sequence[P.Period]) -> bool:
    """Whether ``s`` may give an actual figure for ``periods``: no forecast, and out after they
    ended or telling what already happened in them."""
    return not s.forward and (not _before_end(s, periods) or _happened_in(s, periods))


def _happened_in(s: Sentence, periods: Sequence[P.Period]) -> bool:
    """Whether ``s`` tells in the past of an event in the month or day asked: no total of a
    quarter or year is known before it ends, but an outage on 6 May is reported on 20 May."""
    return all(p.grain in ("month", "day") for p in periods) and bool(_HAPPENED.search(s.text))


def _before_end(s: Sentence, periods: Sequence[P.Period]) -> bool:
    """Whether ``s``'s article was published before each of ``periods`` ended."""
    published = P.parse_iso(s.passage.date)
    if published is None:
        return False

    def end(p: P.Period) -> date | None:
        if p.end is not None:
            return p.end
        # a fiscal year asked without its dates: the one the article gives dates ("FY2033", the year to June 2033)
        dated = [x for x in (*s.periods, *s.context_periods, *s.doc_periods()) if x.end is not None and x.label() == p.label()]
        return dated[0].end if dated else None

    ends = [end(p) for p in periods]
    return all(e is not None and e > published for e in ends)


def _latest(pool: list[Sentence], top: Sentence) -> Sentence:
    """For "latest": among sentences close to the best, the one about the most recent period."""
    # (as good a figure of the kind asked as the best: not a sentence naming a later year only)
    near = [s for s in pool[:15]
            if s.score >= top.score - 0.45 and not s.forward and s.parts.get("kind", 0) >= top.parts.get("kind", 0)]
    dated = [(max((p.end for p in s.periods or s.context_periods if p.end), default=None), s) for s in near]
    dated = [(d, s) for d, s in dated if d is not None]
    if not dated:
        return top
    newest = max(d for d, _ in dated)
    return max((s for d, s in dated if d == newest), key=lambda s: s.score)


def _missing(q: Question, chosen: list[Sentence], scorer: Scorer) -> list[str]:
    out = []
    for i, n in enumerate(q.names):
        if n.absent:
            continue
        if max(c.name_cover[i] or 0.0 for c in chosen) < 0.6:
            out.append(f"The articles do not give this for {n.text}.")
    if q.periods and not q.soft_periods and len(q.periods) > 1:
        for asked in q.periods:
            if not any((r := P.best_relation([asked], c.periods or c.context_periods)) is not None and r >= 0.5 for c in chosen):
                out.append(f"Nothing is given for {asked.label()}.")
    return out


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def compose(selection: Selection) -> Draft:
    """One line per quoted sentence, grouped by source, the source named once; then what is missing."""
    if selection.abstain and not selection.undisclosed:
        return Draft(text=selection.abstain, abstained=True)
    if selection.undisclosed:
        s = selection.chosen[0]
        body = " ".join(s.text.split()).rstrip(".")
        return Draft(text=f"{selection.abstain} {source_name(s.passage)}: {body} [1].", abstained=True,
                     cited={1: (s.passage, s.start, s.end)})
    chosen = sorted(selection.chosen, key=lambda s: (s.passage.source, s.start))
    order: list[str] = []
    for s in selection.chosen:
        if s.passage.source not in order:
            order.append(s.passage.source)
    chosen.sort(key=lambda s: (order.index(s.passage.source), s.start))
    lines: list[str] = []
    cited: dict[int, tuple[Passage, int, int]] = {}
    named: set[str] = set()
    n = 0
    for s in chosen:
        start = s.start
        reads_back = s.name_in_context or _POINTS_BACK.match(s.text)
        if reads_back and s.prev_start is not None and not any(c.start == s.prev_start for c in chosen):
            # "The Roubaix-based group ..." is quoted with the sentence naming it, and "That is the
            # main reason ..." with the sentence it points back to
            back = s.back_start
            start = back if back is not None and not any(back <= c.start < s.start for c in chosen) else s.prev_start
        n += 1
        quote = s.passage.text[start - s.passage.start : s.end - s.passage.start]
        cited[n] = (s.passage, start, s.end)
        body = " ".join(quote.split())
        end = body[-1] if body[-1:] in ".!?" else "."
        body = body[:-1] if body[-1:] in ".!?" else body
        prefix = ""
        if s.passage.source not in named:
            named.add(s.passage.source)
            who = source_name(s.passage)
            if not re.match(r"(?i)according to|as reported by", body) and who:
                prefix = f"{who}: "
        lines.append(f"{prefix}{body} [{n}]{end}")
    notes = [note for note in (_dated(s) for s in chosen) if note] if selection.when else []
    if selection.when:
        notes += [note for note in _asked_fiscal(selection.asked, chosen) if not any(note in n for n in notes)]
    return Draft(text="\n".join(lines), abstained=False, cited=cited, notes=[*notes, *selection.missing])


_BREAKDOWN = re.compile(
    r"\b(?:break(?:s|ing)?\s+(?:\w+\s+){0,4}?down|breakdown|split|by (?:segment|region|country|product|business|unit|division|"
    r"line|type|lot|customer|market)s?|(?:each|every|per) (?:segment|region|country|product|business|unit|division|lot))\b", re.I)
_COMPARES_SOURCES = re.compile(
    r"\b(?:sources?|reports?|estimates?|trackers?|analysts?|firms?|figures?|articles?)\b[^?.]{0,40}\b(?:agree|disagree|differ|"
    r"diverge|match|compare|consistent|conflict)|\b(?:agree|disagree|differ|diverge)\b[^?.]{0,20}\b(?:sources?|reports?|estimates?)\b",
    re.I)
_RELATIVE = re.compile(
    r"\b(?:last|this|next|previous|prior|current|coming|following|"
    # (the same in the other languages articles come in: "l'année prochaine", "del prossimo anno")
    r"prochaine?|dernière|dernier|próxim[oa]|proxim[oa]|pasado|passado|que vem|que viene|prossimo|scorso|"
    r"nächste[nsr]?|letzte[nsr]?|kommende[nsr]?|vorige[nsr]?|volgend)\b", re.I)
# A sentence whose subject is what the one before said ("That is why ...", "This explains ...")
_POINTS_BACK = re.compile(
    r"\W*(?:that|this|these|those|which)\s+(?:is|was|are|were|has|had|explains?|explained|means?|meant|makes?|made|"
    r"leaves?|left|puts?|helps?|helped|also|alone|in turn)\b", re.I)


def _asked_fiscal(asked: Sequence[P.Period], chosen: Sequence[Sentence]) -> list[str]:
    """For a question asking when, or which months: each fiscal period asked about, in the calendar
    months of the quoted article's fiscal year ("H1 FY2026 is the fiscal period from October 2025 to
    March 2026."), when the article states its fiscal year's end."""
    out: list[str] = []
    for period in asked:
        if not period.fiscal or period.start is not None:
            continue
        for s in chosen:
            dated = next((p for p in s.doc_periods() if p.fiscal == period.fiscal and p.start and p.end), None)
            if dated is None:
                year, part = period.fiscal
                whole = next((p for p in s.doc_periods() if p.fiscal == (year, "") and p.start and p.end), None)
                dated = _part_of(whole, part) if whole is not None and part else None
            if dated is not None and dated.start and dated.end:
                out.append(f"{period.label()} is the fiscal period from {dated.start:%B %Y} to {dated.end:%B %Y}.")
                break
    return out


def _part_of(year: P.Period, part: str) -> P.Period | None:
    """The quarter or half ``part`` ("Q1", "H2") of a fiscal ``year`` whose months are known."""
    if year.fiscal is None or year.end is None or not re.fullmatch(r"[QH][1-4]", part):
        return None
    # (the year's last month, and whether its years are named by the calendar year they begin in)
    fy_end = year.end.month + (100 if year.end.year != year.fiscal[0] else 0)
    return P.fiscal_period(year.fiscal[0], part, fy_end)


def _dated(s: Sentence) -> str:
    """For a question asking when: the periods a sentence gives relative to its article's date,
    dated ("The second half of next year, counted from 16 June 2026: H2 2027."). A note, as it
    is worked out rather than quoted."""
    out: list[str] = []
    for at, period in s.period_at:
        said = s.text[at : s.period_end.get(at, at)]
        label = period.label()
        if _RELATIVE.search(said) and re.search(r"\d{4}", label) and s.passage.date:
            out.append(f'"{said}", counted from {s.passage.date}: {label}.')
    for at, period in s.period_at:
        if period.fiscal and period.start and period.end and (period.end.month != 12 or period.grain != "year"):
            # "2H FY2026" of a company whose fiscal year ends in March: in calendar months
            said = " ".join(s.text[at : s.period_end.get(at, at)].split())
            span = f"{period.start:%B %Y} to {period.end:%B %Y}"
            if re.search(r"\d", said) and not re.search(r"(?i)\bend", said) and not any(span in o for o in out):
                out.append(f'"{said}" is the fiscal period from {span}.')
    published = P.parse_iso(s.passage.date)
    if published is None:
        return " ".join(out)
    # "closed the loan on Monday" in a story of Thursday 20 November: the Monday before it (the next
    # one, of what is still to come)
    for m in _WEEKDAY.finditer(s.text):
        if m.group(2) and re.search(r"\b[A-Z]\w*\s+$", s.text[max(0, m.start() - 30) : m.start()]):
            continue  # a name's word after a name's word: "Santo Domingo"
        back = (published.weekday() - P.WEEKDAYS[(m.group(1) or m.group(2)).lower()]) % 7
        ahead = m.group(1) and _WILL_BEFORE.search(s.text, max(0, m.start() - 50), m.start())
        day = published + timedelta(days=(-back) % 7 or 7) if ahead else published - timedelta(days=back)
        weekday = published.strftime("%A")
        out.append(f'"{m.group(0)}", counted from {s.passage.date} ({weekday}): {day.day} {day.strftime("%B %Y")}.')
    return " ".join(out)


# what is still to come, said just before the day ("will open on Monday", not "said on Tuesday it would")
_WILL_BEFORE = re.compile(
    r"\b(?:will|shall|is (?:due|set|scheduled|expected) to|are (?:due|set|scheduled|expected) to|is to|are to)\b[^.;,]{0,40}$", re.I)
# (an English day after its preposition, "said on Tuesday"; another language's day as written: "a publié
# mardi", "salı günü", "w środę")
_ENGLISH_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = re.compile(
    r"\b(?:on|last|this|next)\s+(" + "|".join(_ENGLISH_DAYS) + r")\b|(?<![\w-])("
    + "|".join(sorted((d for d in P.WEEKDAYS if d not in _ENGLISH_DAYS), key=len, reverse=True)) + r")(?![\w-])",
    re.I,
)


def merge(drafts: Sequence[Draft]) -> Draft:
    """One answer from the answers to the clauses of a question, in order: each source named once,
    a sentence quoted once, a clause the articles do not answer said plainly (with the sentence it
    quotes, if any: "The report does not disclose the yield [2]")."""
    lines: list[str] = []
    cited: dict[int, tuple[Passage, int, int]] = {}
    notes: list[str] = []
    seen: dict[tuple[str, int, int], int] = {}
    named: set[str] = set()
    for d in drafts:
        earlier = set(seen)
        renumber: dict[int, int] = {}
        for n, (passage, start, end) in sorted(d.cited.items()):
            key = (passage.source, start, end)
            if key not in seen:
                seen[key] = len(cited) + 1
                cited[seen[key]] = (passage, start, end)
            renumber[n] = seen[key]

        def renumbered(text: str, renumber: dict[int, int] = renumber) -> str:
            # (a marker of no quote of its own draft is dropped rather than pointed elsewhere)
            return re.sub(r" ?\[(\d+)\]", lambda m: f" [{renumber[int(m.group(1))]}]" if int(m.group(1)) in renumber else "", text)

        if d.abstained:
            notes.append(renumbered(d.text))
            continue
        for line in d.text.split("\n"):
            ns = [int(x) for x in re.findall(r"\[(\d+)\]", line) if int(x) in d.cited]
            if not ns:
                continue
            passage, start, end = d.cited[ns[0]]
            if all(_overlaps((d.cited[n][0].source, d.cited[n][1], d.cited[n][2]), earlier) for n in ns):
                continue  # quoted for an earlier clause
            who = source_name(passage)
            body = line[len(who) + 2 :] if line.startswith(f"{who}: ") else line
            if who not in named and who and not re.match(r"(?i)according to|as reported by", body):
                body = f"{who}: {body}"
            named.add(who)
            lines.append(renumbered(body))
        notes.extend(x for x in map(renumbered, d.notes) if x not in notes)
    if not lines:
        return Draft(text=" ".join(dict.fromkeys(notes)), abstained=True, cited=cited)
    return Draft(text="\n".join(lines), abstained=False, cited=cited, notes=notes)


def _overlaps(span: tuple[str, int, int], spans: set[tuple[str, int, int]]) -> bool:
    """Whether ``span`` is within one of ``spans`` (a quote that reads on past it is new)."""
    return any(source == span[0] and start <= span[1] and span[2] <= end for source, start, end in spans)


def source_name(passage: Passage) -> str:
    """A short name for an article: its publisher, else its title (before a colon, cut at a word),
    else its file."""
    if passage.publisher:
        return passage.publisher.rstrip(" .:;")
    if passage.title and passage.title in passage.text:
        return passage.source  # a title taken from the text's first line would repeat the quote
    # (not at a colon inside brackets: "Kestrel Networks Bhd (KLSE: KSTL)")
    title = re.split(r":(?![^()\[\]]*[)\]])", passage.title or "")[0].strip()
    if title and len(title) <= 50:
        return title.rstrip(" .;")
    if title:
        return title[:50].rsplit(" ", 1)[0].rstrip(" .:;,") + "…"
    return passage.source


_READ: dict[tuple[str, int, int, str | None], list[Sentence]] = {}


def read_cached(
    passage: Passage,
    rank: int,
    data: SentenceData | None,
    lexicon: Lexicon,
    fiscal_end: int | None,
    doc_periods: Callable[[], list[P.Period]],
    doc_words: frozenset[str],
) -> list[Sentence]:
    """:func:`read_passage`, read once per chunk version (its id changes with its text) and copied
    for each question, which scores its own copies."""
    key = (passage.id, passage.start, passage.end, passage.date)
    read = _READ.get(key)
    if read is None or (read and read[0].doc_words is not doc_words):
        read = read_passage(passage, 0, data, lexicon, fiscal_end, doc_periods, doc_words)
        if len(_READ) > 20_000:
            _READ.pop(next(iter(_READ)))
        _READ[key] = read
    return [_copy(s, rank) for s in read]


def _copy(s: Sentence, rank: int) -> Sentence:
    """``replace(s, rank=rank, parts={}, name_cover=[])``, without running the constructor again
    (a question copies every sentence it reads)."""
    c = object.__new__(Sentence)
    c.__dict__.update(s.__dict__)
    c.rank, c.parts, c.name_cover = rank, {}, []
    return c


def answer(
    q: Question,
    vector: np.ndarray | None,
    passages: Sequence[Passage],
    sentence_data: Callable[[Passage], SentenceData | None],
    lexicon: Lexicon,
    fiscal_end: Callable[[Passage], int | None],
    doc_periods: Callable[[Passage], list[P.Period]] = lambda p: [],
    doc_words: Callable[[Passage], frozenset[str]] = lambda p: frozenset(),
    copy_of: Callable[[Passage], str] = lambda p: p.source,
) -> Draft:
    pool: list[Sentence] = []
    for rank, passage in enumerate(passages):
        origin = copy_of(passage)
        for s in read_cached(
            passage, rank, sentence_data(passage), lexicon, fiscal_end(passage), partial(doc_periods, passage), doc_words(passage)
        ):
            s.origin = origin
            pool.append(s)
    selection = select(q, pool, Scorer(q, vector, lexicon))
    return compose(selection)


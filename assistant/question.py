"""Reading a question: the names it asks about (found in the articles, not in a list), the periods
it names (as values), the kind of answer it wants, and what a follow-up carries over from the
turns before it.

Word lists here only describe how questions are asked (question words, "how much", "share",
"latest"); they add weight to evidence and never decide on their own that an answer is absent.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from assistant import periods as P
from assistant.lexicon import Lexicon, stem, words

STOP = frozenset(
    """a an the of in on at for to and or is are was were be been being what which who whom whose how why
    when where did does do it its this that these those by with from as about than then there their they
    them he she his her we our you your i me my has have had will would can could should may might much
    many more most some any all also just only into out up not no so such tell give show please vs versus
    per cent percent whats what's who's hows how's let lets get got pls plz thanks thank
    y el la los las de del en que cuál cual cuánto cuanto cuánta cuántos es son se por con para al lo
    et le les des du est quel quelle quels quelles combien un une au aux sur dans pour
    und der die das des dem den ist war wie viel viele hoch welche welcher welches wann warum im in
    mit von zu zum zur auf für ein eine einer eines einem einen er sie es hat haben machte""".split()
)
QUESTION_WORDS = frozenset(
    "what which who whom whose how why when where did does do is are was were can could should tell give "
    "show list name summarise summarize describe explain compare wie was wer wann warum welche welcher "
    "qué que cuál cual cuánto cuanto quién cómo como por quel quelle combien comment pourquoi".split()
)
_GERMAN = frozenset("und der die das ist wie viel im welche wann warum mit von hat machte umsatz".split())
_SPANISH = frozenset("el la los las de del que cuál cuánto cuanto cómo en es y por qué crecieron".split())
_FRENCH = frozenset("le la les des du est quel quelle combien comment pourquoi et au".split())
# Function words of other languages the articles may be in (a sentence is in the language whose
# words it uses most, and more than English ones)
_OTHERS = {
    "it": frozenset("il lo gli della del dei delle che è con una uno nel nella sono ha quanto quale perché anche dal "
                    "alla".split()),
    "nl": frozenset("het een van en is zijn met voor op dat die niet bij ook wordt heeft naar hoeveel welke waarom hoe".split()),
    "pt": frozenset("o os da dos das que é em para com uma não por quanto qual como porque ao".split()),
    "pl": frozenset("w z się że jest nie od za jak ile który dla po przez".split()),
    "sv": frozenset("och att det som ett är av för med på till den hur mycket vilken varför har".split()),
    "id": frozenset("yang dan di ke dari untuk dengan pada ini itu adalah berapa apa bagaimana mengapa tidak akan "
                    "sebagai".split()),
    "tr": frozenset("ve bir bu da de ile için olarak ne kaç kadar nedir hangi neden nasıl daha ise gibi olan göre "
                    "yüzde oldu".split()),
}

# What kind of figure a question asks for: cue words add weight to sentences holding that kind.
WANTS: dict[str, tuple[str, ...]] = {
    "percent": ("share", "shares", "growth", "grow", "grew", "growing", "margin", "margins", "rate", "percent",
                "percentage", "proportion", "portion", "slice", "fraction", "yoy", "qoq", "increase", "decline", "drop",
                "fell", "rise", "rose",
                "anteil", "marktanteil", "wachstum", "gewachsen", "cuota", "crecimiento", "crecieron", "croissance",
                "part", "penetration", "utilisation", "utilization", "nrr", "retention", "%"),
    "points": ("points", "percentage-point", "pp"),
    "amount": ("revenue", "revenues", "sales", "spend", "spending", "spent", "capex", "investment", "invest",
               "investing", "putting", "cost", "costs", "price", "prices", "pricing", "rent", "rents", "value", "values",
               "valued", "worth",
               "budget", "budgets", "backlog",
               "rpo", "income", "profit", "profits", "earnings", "ebitda", "ebit", "arr", "mrr", "opex", "funding", "raised",
               "valuation", "size", "guidance", "guide",
               "guiding", "run-rate",
               "deal", "umsatz", "ingresos", "chiffre", "dollars", "euros", "billion", "million", "$", "€", "£",
               "charge", "fee", "fees", "paid", "pay", "money", "commitment", "commitments", "amount", "amounts",
               "how much", "how big", "how large"),
    "count": ("how many", "number of", "count", "wie viele", "cuántos", "combien de"),
    "quantity": ("capacity", "gw", "mw", "gigawatt", "megawatt", "power", "water", "litres", "liters", "gallons", "pue", "wue",
                 "how big", "how large"),
    "date": ("when", "date", "deadline", "until when", "by when", "what day", "which day", "which year", "what year",
             "which quarter", "what quarter", "which month", "what month", "which months", "what months",
             "calendar months", "calendar terms", "wann", "cuándo", "quand"),
}
_LATEST = re.compile(
    r"\b(?:latest|most recent|last reported|newest|current(?:ly)?|right now|now|today|so far|to date|as of now|"
    r"last quarter|this quarter|aktuell|neueste|último|dernier)\b",
    re.I,
)
_FORECAST_Q = re.compile(
    r"\b(?:forecasts?|projections?|projected|expect(?:s|ed|ation)?|outlook|guidance|guide|guided|guiding|targets?|plans?|"
    r"planned|will|estimate[sd]?|predict(?:s|ed|ion)?|by 20\d\d|prognose|previsión|prévision)\b",
    re.I,
)
_SAME_ASK = re.compile(r"\W*(?:and\s+|but\s+)?(?:(?:what|how)\s+about|(?:and\s+)?(?:in|for|at|on|among|across)\b)", re.I)
_HOW_WORDS = frozenset(
    "big bigger large larger much many high higher fast faster total size number amount figure value level "
    "about what there then same also again".split()
)
_PRONOUN_ONLY = re.compile(r"\b(?:it|that|this|they|those|these)\b", re.I)
# words that only move in time what was asked before ("and what was it before?")
_WHEN_AGAIN = frozenset(stem(w) for w in "before previously earlier prior then now later ago originally initially first".split())
_DID = re.compile(r"\bdid\b[^?.]{0,80}?\b(?:report|earn|make|post|generate|book|record|achieve|deliver|bring in|take in)\b", re.I)
_WAS = re.compile(r"\W*(?:what|how much|how many|how big|how large)\b[^?,;]{0,30}?\b(?:was|were)\b", re.I)
# (not "actually" alone: "how much will actually be running by 2030?" asks for a forecast)
_ACTUAL_Q = re.compile(
    r"\b(?:actual|reported|realised|realized|achieved|ist-wert)\b|\b(?:did|was|were|has|have)\b.{0,40}\bactually\b", re.I
)
_WHY = re.compile(
    r"\b(?:why|how (?:is|are|did|does|do|has|have|will|can|could)|reasons?|rationale|strategy|strategic|plans?|pitch|"
    r"positioning|approach|doing about|what drives|drivers?|motives?|warum|wieso|por qué|pourquoi|cómo|comment)\b",
    re.I,
)
# A heading under which an article gives reasons ("Why build abroad?", "What is driving demand",
# "Three drivers of growth").
REASONS_HEADING = re.compile(
    r"^\W*(?:why|what(?:'s|’s|\s+is|\s+are)?\s+(?:driving|behind))\b|\b(?:reasons?|drivers?|motives?|motivations?|"
    r"rationale|causes?)\b",
    re.I,
)
# "why" in the languages questions come in (one word or two)
_WHY_WORDS = frozenset(
    ["why", "warum", "wieso", "weshalb", "pourquoi", "perché", "perche", "waarom", "varför", "dlaczego", "mengapa",
     "kenapa", "neden", "niçin", "por qué", "por que", "por quê", "porquê", "porque"]
)
# "What is driving demand ...", "What's behind the fall ...": a question for reasons.
_ELIDED_BEFORE_NAME = re.compile(r"\b(?:[dlnsjc]|qu|dell|all|nell|dall|sull|un)['’](?=[A-ZÀ-ÖØ-Þ])")
_WHOLE_YEAR = re.compile(r"\b(?:full[- ]year|annual|yearly|whole[- ]year|for the (?:full |whole )?(?:fiscal )?year)\b", re.I)
_THIS_PERIOD = re.compile(r"\b(?:this|the current|the coming)\s+(?:fiscal\s+|financial\s+)?(?:year|quarter|half)\b", re.I)
# A request for what an article says, as a whole: its opening is the answer.
_SUMMARY = re.compile(r"\b(?:summary|summari[sz]e|summari[sz]ing|gist|overview|recap|key points|main points|tl;?dr)\b", re.I)
_WHAT_DRIVES = re.compile(
    # (what someone says is behind it: "What does X say is driving ...")
    r"\W*(?:what(?:\s+(?:does|do|did)\s+(?:\w+\s+){1,4}?(?:say|think|believe|see|expect)\s+(?:is|are|was|were|has\s+been))?"
    r"(?:'s|’s|\s+is|\s+are|\s+was|\s+were|\s+has\s+been|\s+have\s+been)?\s+"
    r"(?:driving|drives|drove|behind|fuel(?:l)?ing|fuels|fuelled|fueled|pushing|causing|caused|explains?|explained|"
    r"led to|leads to|triggered|prompted|(?:holding|held|holds)\s+(?:\w+\s+){0,4}?back|limiting|limits|constraining|slowing)\b"
    # "What reasons did X give for ...", "Which factors explain ..."
    r"|(?:what|which)\s+(?:\w+\s+){0,3}?(?:reasons?|factors?|motives?|drivers?|explanations?|causes?|risks?|concerns?|worries)\b"
    # "What worries lenders about ...": what is feared, and why
    r"|what\s+(?:\w+\s+)?(?:worries|worried|concerns|concerned|troubles|bothers|scares|frightens)\b"
    # "What is X trying to achieve by ...", "What does X hope to gain ...", "How is X paying for ..."
    r"|what(?:'s|’s)?\s+(?:\w+\s+){1,5}?(?:trying|hoping|aiming|seeking|want(?:s|ing)?)\s+to\s+(?:achieve|gain|do|get|accomplish)\b"
    r"|how\s+(?:is|are|was|were|does|do|did|will)\s+(?:\w+\s+){1,5}?(?:funding|financing|paying for|fund|finance|pay for)\b)",
    re.I,
)
_POSSESSIVE = re.compile(r"\b(?:its|their)\b", re.I)
_FOLLOW_START = re.compile(
    r"^\s*(?:and|also|what about|how about|same for|what of|and what about|plus|now|then|und|y|et|e|¿y|et pour)\b",
    re.I,
)
_PRONOUN = re.compile(
    r"\b(?:it|its|it's|they|their|them|there|those|that|these|this|he|she|his|her|the company|the firm|the group|"
    r"the provider|the same|ihr|ihre|sein|seine|dort|su|sus|allí|leur|leurs|y)\b",
    re.I,
)
_SHIFT = re.compile(
    r"\b(?:(?P<back>previous|prior|preceding|earlier|last|before)\s+(?:fiscal\s+|financial\s+)?(?P<unit1>quarter|year|half|period|month)"
    r"|(?P<unit2>quarter|year|half|period|month)\s+(?:before|earlier|prior)"
    r"|(?P<fwd>next|following|subsequent|coming)\s+(?:fiscal\s+|financial\s+)?(?P<unit3>quarter|year|half|period)"
    r"|(?P<unit4>quarter|year|half|period)\s+(?:after|later))\b",
    re.I,
)


@dataclass(frozen=True)
class Name:
    """A name the question asks about, with the spellings the articles use for it."""

    text: str
    spellings: tuple[tuple[str, ...], ...]  # empty: the articles never write it
    carried: bool = False  # from an earlier turn
    required: bool = True  # absent from the articles, it means they cannot answer

    @property
    def absent(self) -> bool:
        return not self.spellings

    @property
    def missing(self) -> bool:
        """A name the articles never write that the answer depends on."""
        return self.absent and self.required


@dataclass(frozen=True)
class Question:
    text: str  # the question as asked, cleaned
    standalone: str  # with what a follow-up leaves unsaid filled in from earlier turns
    terms: dict[str, float] = field(default_factory=dict)  # stemmed content word -> weight
    names: tuple[Name, ...] = ()
    # Names listed together ("AWS, Azure and Google") form one group: an answer covers each group,
    # each name of a list in a sentence of its own if need be.
    groups: tuple[tuple[int, ...], ...] = ()
    periods: tuple[P.Period, ...] = ()
    soft_periods: bool = False  # carried over from an earlier turn: they weigh, they do not decide
    wants: frozenset[str] = frozenset()
    latest: bool = False
    forecast: bool | None = None  # True: asks for a forecast; False: insists on an actual figure
    why: bool = False
    reasons: bool = False  # asks for reasons ("Why ...", "What is driving ..."), not a figure
    manner: bool = False  # asks how ("How is X changing its plans"): what is done, not a figure
    language: str = "en"
    followup: bool = False
    summary: bool = False  # asks what an article says ("a quick summary of the ... piece")
    # Where the market asked about is ("China's cloud market", "share in Germany"): stemmed words.
    scopes: tuple[str, ...] = ()

    def name_words(self) -> set[str]:
        return {w for n in self.names for s in n.spellings for w in s} | {stem(w) for n in self.names for w in words(n.text)}


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


_ENGLISH = frozenset(
    "the what which how did does is was of and in who why to for on with a that by from at its are has said".split()
)


@functools.lru_cache(maxsize=4096)  # (asked of the same passages for many of their sentences)
def language(text: str) -> str:
    if len(_CJK.findall(text)) >= 3:
        return "zh"
    ws = set(re.findall(r"\w+", text.lower()))
    scores = {"de": len(ws & _GERMAN), "es": len(ws & _SPANISH), "fr": len(ws & _FRENCH)}
    scores.update({lang: len(ws & stop) for lang, stop in _OTHERS.items()})
    best = max(scores, key=lambda k: scores[k])
    english = len(ws & _ENGLISH)
    return best if scores[best] >= 2 and scores[best] > english else "en"


def _word_spans(text: str, lexicon: Lexicon) -> Iterator[tuple[int, int]]:
    """The words of ``text``; two names joined by a hyphen ("Anthropic-Google deal") are two
    words when the articles write each capitalised on its own."""
    for m in re.finditer(r"[^\W_][\w&'’.-]*[^\W_]|[^\W_]", text):
        parts = m.group(0).split("-")
        if len(parts) > 1 and all(p[:1].isupper() and lexicon.capitalised(stem(p)) >= 0.5 for p in parts):
            at = m.start()
            for part in parts:
                yield at, at + len(part)
                at += len(part) + 1
        else:
            yield m.span()


def _name_tokens(text: str, lexicon: Lexicon, lang: str, skip: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of the words of ``text`` that are names (runs of name words are one name)."""
    spans: list[tuple[int, int, bool]] = []
    for a, b in _word_spans(text, lexicon):
        if any(x <= a < y for x, y in skip):
            continue
        raw = text[a:b].rstrip(".")
        w = stem(raw)
        if any(c.isdigit() for c in raw) or re.fullmatch(r"(?i)(?:fy|q[1-4]|h[12]|ytd|ttm)(?:['’]s)?", raw):
            spans.append((a, b, False))  # "H100", "9M", "end-2025", "FY": terms, not names
            continue
        initial = a == 0 or (bool(re.search(r"[.!?:;,\"(]\s*$", text[:a])) and not text[:a].rstrip().endswith(","))
        if w in STOP or w in QUESTION_WORDS or raw.isdigit() or w in P.MONTHS:
            spans.append((a, b, False))
            continue
        inner_caps = any(c.isupper() for c in raw.split("-")[0][1:])
        known = lexicon.known(w)
        never_lower = known and lexicon.lower.get(w, 0) == 0 and raw[0].isupper()
        capital = lexicon.capitalised(w)
        rare = lexicon.share(w) < 0.2
        if inner_caps or (raw.isupper() and len(raw) > 1):
            is_name = True  # "AWS", "CoreWeave"; a common one ("AI", "GPU") is not required below
        elif raw[0].isupper():
            if lang != "en":
                is_name = known and capital >= 0.6 and rare
            elif initial:
                is_name = known and (never_lower or (capital >= 0.5 and rare))
            else:
                is_name = (not known) or never_lower or (capital >= 0.3 and rare)
        else:
            # a name typed in lower case ("tsubame", "amazon"): always capitalised in the articles
            is_name = known and capital >= 0.8 and lexicon.caps.get(w, 0) >= 2 and (
                lexicon.share(w) < 0.05 or (capital >= 0.95 and lexicon.share(w) < 0.35)
            )
        spans.append((a, b, is_name))
    out: list[tuple[int, int]] = []
    for a, b, is_name in spans:
        if not is_name:
            continue
        # Title-case words run together into one name ("Deutsche Telekom"); an acronym after a
        # name is a name of its own ("Brightwater LFL").
        acronym = text[a:b].isupper() and b - a > 1
        possessive = out and re.search(r"['’]s$", text[out[-1][0] : out[-1][1]])  # "Oracle's Reykjavik": two names
        if out and not acronym and not possessive and re.fullmatch(r"\s+|\s*&\s*|\s+(?:of|de|du|der)\s+", text[out[-1][1] : a]):
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


# Capitalised German nouns of questions about business figures: words, not names.
GERMAN_NOUNS = frozenset(
    "umsatz umsätze gewinn marktanteil anteil geschäftsjahr halbjahr quartal wachstum prozent milliarden "
    "millionen rechenzentrum rechenzentren anbieter kunden markt jahr ausgaben investition investitionen "
    "kapazität preis preise einnahmen erlös erlöse ergebnis betriebsergebnis umsatzwachstum cloud".split()
)


_IMPERATIVES = frozenset("list name show give tell describe explain compare summarise summarize".split())
_PEOPLE_WORD = re.compile(r"[A-Z][a-z]+(?:ish|ese|ian|ean|an|ic|ch|i)")


def _other_language(lexicon: Lexicon) -> bool:
    """Whether some of the articles are in a language other than English (most of its commonest
    words occur in them)."""
    stops = [_GERMAN, _SPANISH, _FRENCH, *_OTHERS.values()]
    return any(sum(lexicon.known(stem(w)) for w in ws) >= 0.5 * len(ws) for ws in stops)


# Initials of measures, whoever reports them: a term of the question, never a name whose absence
# would mean the articles cannot answer ("first-half EBITDA margin", "core FFO per share").
MEASURE_INITIALS = frozenset(
    "ebitda ebit eps arr mrr ffo affo gmv cagr nrr ndr pue wue rpo tco roi roe roic capex opex yoy qoq ttm ltm gaap ifrs "
    "kpi arpu nps sla fcf".split()
)


def _is_term(raw: str, spellings: Sequence[tuple[str, ...]], lexicon: Lexicon) -> bool:
    own = tuple(stem(w) for w in words(raw))
    if stem(raw) in GERMAN_NOUNS or raw.lower() in MEASURE_INITIALS:
        return True
    if re.fullmatch(r"C[A-Z]Os?", raw):
        return True  # a chief officer ("CEO", "CFO"): who, by role, not a name of its own
    for spelling in spellings:
        # (one word only ever seen opening a sentence, "Amazon" for AWS, says nothing)
        seen_lower = len(spelling) > 1 or lexicon.lower.get(spelling[0], 0) > 0 if spelling else False
        if spelling != own and seen_lower and all(lexicon.capitalised(w) < 0.3 for w in spelling):
            return True  # spelled out in lower-case words: "yoy" -> year on year
    if "-" in raw and own and all(lexicon.share(w) >= 0.05 or lexicon.capitalised(w) < 0.3 for w in own[1:]):
        return True  # "GPU-hour", "Europe-wide": a word with a common suffix
    return False


# A name that says where a market is: "China's cloud market", "the European public cloud
# spending", "in Germany".
_SCOPE_AFTER = re.compile(
    r"(?:['’]s)?\s+(?!global|worldwide)(?:[\w-]+\s+){0,3}?(?:market|spending|spend)\b(?!\s+share)", re.I
)  # not the holder of a share: "OVHcloud global market share", "AWS market share"
_SCOPE_BEFORE = re.compile(r"\b(?:in|across|within)\s+(?:the\s+)?$", re.I)

# words that ask about the sources rather than the matter ("do the sources agree?"): light, as they
# are seldom what an article writes
_ABOUT_SOURCES = frozenset("source sources agree agrees disagree disagreement differ differs consistent reconcile".split())
_WHEN_WORDS = frozenset("last previous prior past this current next latest year quarter half month week fiscal".split())

_CLAUSE = re.compile(
    # (a preposition may lead the clause: "..., and at what PUE does its campus run?")
    r"(?:(?:,|;|\s[-–—])\s*(?:and|und|et|y|e)?|\s(?:and|und|et|y|e))\s+(?=(?:(?:at|in|to|for|from|by|on|with|of|a|à|di|da|de|en|para|per|con|su|um|auf|an)\s+)?(?:who|whom|whose|what|which|how|when|where|why|wer|was|wie|wann|qui|que|quel|quelle|comment|"
    r"quand|combien|quién|qué|cuál|cómo|cuándo|cuánt[oa]s?|quant[oaie]|quale|quali|come|quando|dove|qual|quais|quanto|"
    r"welche[rsn]?|wieviel)(?:['’]s)?\b)",
    re.I,
)


_LEADING_PHRASE = re.compile(
    r"\W*(?:according to|based on|in|for|per|from|among|within|across|regarding|as for|on|by|at|after|before|"
    r"laut|selon|según|secondo|volgens)\b",
    re.I,
)


def clauses(text: str) -> list[str]:
    """The questions a question asks one after the other: "Gulf cloud spend in 2024, and who is
    the largest operator?" is two, the second read as a follow-up of the first. A clause of one
    word ("..., and why?") stays with the one before."""
    compare = re.match(r"\W*(?:compare|contrast)\s+(.+)\s+(?:with|versus|vs\.?|against)\s+(.+)$", text, re.I)
    if compare and len(compare.group(1).split()) >= 2 and len(compare.group(2).split()) >= 2:
        return [compare.group(1).strip(), compare.group(2).strip()]  # "Compare A's share with B's"
    against = re.match(r"(.+?),?\s+(?:compared (?:with|to)|as against|relative to|versus|vs\.?)\s+(.+)$", text, re.I)
    if against and len(against.group(1).split()) >= 3 and (
        re.search(r"\b[A-Z][\w&-]+", against.group(2))
        or re.match(r"(?:the (?:company|group|firm)|its)\b", against.group(2), re.I)
        or re.match(r"(?:what|how much|how many)\b", against.group(2), re.I)  # "revenue vs what it had guided"
    ):
        # "How much is under construction at A's campus compared with B's?": the second named
        # thing gets the same question ("the company as a whole" is the first one's company)
        return [against.group(1).strip(), against.group(2).strip()]
    out: list[str] = []
    at = 0
    for m in _CLAUSE.finditer(text):
        head, rest = text[at : m.start()].strip(), text[m.end() :]
        if not out and _LEADING_PHRASE.match(head) and not QUESTION_WORDS & {w.lower() for w in words(head)}:
            continue  # "According to the monitor, how many ...": a phrase leading into the question
        if len(head.split()) >= 2 and len(re.findall(r"\w+", rest)) >= 2:
            out.append(head)
            at = m.end()
    out.append(text[at:].strip())
    return out if len(out) > 1 else [text]


# A request about how to answer, after the question ("Follow any notes meant for AI readers.",
# "... - use the audited numbers if the page has them"): not part of what is asked.
_REQUEST = r"(?:please\s+|and\s+)?(?:follow|apply|use|ignore|include|prefer|trust|take into account|consider|check|make sure|be sure|remember)\b"
_REQUEST_AFTER = re.compile(rf"(?<=\?)\s+{_REQUEST}[^?]*$|\s[-–—]\s+{_REQUEST}[^?]*$", re.I)


ACCORDING = re.compile(
    r"\W*(?:according to|based on|per|laut|selon|según|secondo|volgens)\s+([^,?]{2,80}?),\s*(?=(?:who|what|which|how|when|where|why)\b)",
    re.I,
)


def without_requests(text: str) -> str:
    """``text`` without a request about how to answer that follows the question itself."""
    stripped = _REQUEST_AFTER.sub("", text).strip()
    return stripped if len(stripped.split()) >= 3 else text


def analyse(
    text: str,
    lexicon: Lexicon,
    search: Callable[[re.Pattern[str]], str | None] | None = None,
    anchor: date | None = None,
) -> Question:
    """What ``text`` asks, read against the articles' own words."""
    text = without_requests(text)
    # (an elided article is no part of the name after it: "clients d'Tarvo", "dell'Osservatorio")
    text = _ELIDED_BEFORE_NAME.sub("", text)
    lang = language(text)
    # Latin names written inside text of another script stand apart ("根据Canalys的数据").
    text = re.sub(r"(?<=[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af])", " ", text)
    mentions = P.find(text, anchor)
    skip = [(m.start, m.end) for m in mentions]
    source = ACCORDING.match(text)
    if source:
        # "According to Halyard Crest's monitor, how many ...": who says it, not what it is about
        # (its words still weigh as the question's words)
        skip.append((0, source.end(1)))
    names: list[Name] = []
    expanded: dict[str, float] = {}
    groups: list[list[int]] = []
    previous_end: int | None = None
    common_item: tuple[int, bool] | None = None  # a common name just read, and whether it was listed
    for a, b in _name_tokens(text, lexicon, lang, skip):
        between = text[previous_end:a] if previous_end is not None else ""
        # (a name before a colon heads what follows it: "Orvik Q4: revenue, adjusted EBITDA ...")
        listed = previous_end is not None and (
            bool(re.fullmatch(r"\s*(?:,|;|/|&|\band\b|\bor\b|\bvs\.?|\bversus\b|,\s*and\b|\bund\b|\by\b|\bet\b|\bn\b|\+)\s*", between, re.I))
            or (len(between.split()) <= 7 and bool(re.search(r"\b(?:vs\.?|versus|compared (?:to|with)|against|than)\b", between, re.I)))
            or (len(between.split()) <= 7 and ":" not in between and bool(re.search(r"\b(?:with the|and|or)\b|,", between, re.I)))
        )
        previous_end = b
        raw = text[a:b].strip(" '’")
        raw = re.sub(r"['’]s$", "", raw)
        if not raw:
            continue
        if any(n.text == raw for n in names):
            continue  # the same name again ("adjusted EBITDA and EBITDA margin")
        spellings = lexicon.spellings(raw, search)
        if not spellings and "-" in raw:
            # "Nvidia-GPUs", "Europe-wide": the parts the articles write.
            parts = [stem(x) for x in raw.split("-") if x and lexicon.known(stem(x))]
            spellings = [tuple(parts)] if parts else []
        if not spellings and len(raw.split()) > 1:
            # "Tianyi Cloud" written "Tianyi": a name whose rarest word the articles use.
            parts = [stem(w) for w in raw.split() if lexicon.known(stem(w))]
            spellings = [(w,) for w in parts if lexicon.share(w) < 0.2] or ([tuple(parts)] if parts else [])
        # Names of another language's question may be spelled otherwise in the articles ("CCG" for
        # GCC): only an English question's absent name says the articles cannot answer.
        # A unit is a measure, not a name: "per TB", "500 MW".
        # (not "per Brightwater Research": a source named after "per")
        unit = bool(re.search(r"\d\s*$", text[:a])) or (
            bool(re.search(r"\bper\s*$", text[:a], re.I)) and not (raw[:1].isupper() and not raw.isupper() and raw[1:2].islower()))
        if unit or _is_term(raw, spellings, lexicon):
            # "YoY", "WUE", "RPO", "GPU-hour": what is measured, written out in lower-case words
            # somewhere in the articles; not a name whose absence means anything.
            for w in (spellings[0] if spellings else ()):
                expanded.setdefault(w, 1.0)
            for w in words(raw):
                expanded.setdefault(stem(w), 1.0)
            continue
        common = bool(spellings) and any(c.isupper() for c in raw[1:]) and lexicon.share(stem(raw)) >= 0.1
        # A people's adjective before a noun ("the Polish public cloud market", "an Indonesian
        # company") qualifies what is asked; an article in that people's language may never write
        # it in English, so its absence does not say the articles cannot answer.
        # (a possessive is a place's or a company's, never a people's: "Uzbekistan's market")
        qualifier = (not spellings and _PEOPLE_WORD.fullmatch(raw) is not None and bool(re.match(r"\s+[a-z]", text[b:]))
                     and not re.search(r"['’]s\s*$", text[a:b]) and _other_language(lexicon))
        names.append(Name(raw, tuple(spellings), required=lang == "en" and not common and not qualifier))
        if common:
            # an acronym in many of the articles ("AI", "GPU") adds weight, it does not decide,
            # unless it is an item of a list
            common_item = (len(names) - 1, listed and bool(groups))
            continue
        if common_item is not None:
            at, was_listed = common_item
            common_item = None
            if listed:
                # "AWS, Azure and Google": the common name is an item of the list too
                if not was_listed:
                    groups.append([at])
                else:
                    groups[-1].append(at)
                groups[-1].append(len(names) - 1)
                continue
            if was_listed and not between.strip():
                listed = True  # "..., AWS AI Zone value": the item is the name after it
        if listed and groups:
            groups[-1].append(len(names) - 1)
        else:
            groups.append([len(names) - 1])
    folded = text.lower()
    # (a typo is repaired in an English question only: another language's word the articles do not
    # use is no typo, "loyer" is not "lower", "gros" not "growth")
    repair: Callable[[str, str], str | None] = lexicon.repair if lang == "en" else (lambda w, written: None)
    expanded_text = " ".join(
        # (a compound the articles never write asks what its words ask: "a live-capacity figure")
        w.replace("-", " ") if "-" in w and lang == "en" and not lexicon.known(stem(w)) else (repair(stem(w), w) or w)
        for w in words(text)
    )
    folded = f"{folded} {expanded_text}"
    wants = set()
    # ("year to date", "so far to date" ask for a running total, not for a date)
    undated = re.sub(r"\bto[- ]date\b", " ", folded)
    for kind, cues in WANTS.items():
        seen = undated if kind == "date" else folded
        for cue in cues:
            # (a measure's initials before "margin" or "growth" name a percentage: "EBITDA margin")
            after = r"(?!\s+(?:margins?|growth))" if cue in MEASURE_INITIALS else ""
            pattern = rf"(?<![\w-]){re.escape(cue)}(?![\w-]){after}"
            if (cue in seen) if not cue.isalpha() or " " in cue else re.search(pattern, seen):
                wants.add(kind)
                break
    # ("how much does it have under construction?" with no money word: capacity as much as money)
    if "amount" in wants and re.search(r"\bhow much\b", folded) and not any(
        re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", folded) for c in WANTS["amount"] if c != "how much"
    ):
        wants.add("quantity")
    # (a share of an amount is a percentage: "what slice of total spending", "the portion of sales")
    share_of = (r"\bwhat (?:\w+ )?(?:share|percentage|portion|proportion|slice|fraction)\b|"
                r"(?:\b(?:share|percentage|portion|proportion|slice|fraction)|%) of\b|\bhow much capacity\b")
    if "how much of" in folded or re.search(share_of, folded):
        wants.discard("amount")
        wants.add("percent")
    if re.search(r"\bby how much\b|\bhow much (?:more|less|higher|lower|faster|slower)\b", folded):
        wants |= {"percent", "points"}  # a change, in money or in per cent ("By how much did X cut its prices?")
    if re.match(r"\W*(?:where|in which (?:countries|country|regions?|cities|city|markets?|places?))\b", folded) and not re.search(
            r"\bhow (?:much|many|big|large)\b|\bwhat (?:share|percentage|amount)\b|"
            # ("where does the analyst's estimate sit?": a figure against others, not a place)
            r"\b(?:sits?|stands?|lands?|comes? in|falls?)\b", folded):
        wants -= {"amount", "quantity", "count", "percent", "points"}  # "Where will it add capacity?": places
    # (with a word or two before the noun: "which Indonesian company", "which two providers")
    if re.search(r"\bwho(?:se)?\b|\bwhich (?:\w+ ){0,2}?(?:one|ones|company|companies|provider|providers|firm|firms|operator|operators|"
                 r"supplier|suppliers|vendor|vendors|customer|customers|tenant|tenants|partner|partners|buyer|buyers|bank|banks)\b", folded):
        wants.add("name")
    terms: dict[str, float] = {}
    # the verb a figure is asked with ("What revenue did X report / post / book?") says only that
    # it was given: it weighs as little as the words that say when
    did = _DID.search(text)
    asked_with = stem(did.group(0).split()[-1].lower()) if did else None
    plain = text
    for m in sorted(mentions, key=lambda m: -m.start):
        plain = plain[: m.start] + " " + plain[m.end :]  # period words are read as periods
    plain = re.sub(r"\bfinancial(?=\s+years?\b)", "fiscal", plain, flags=re.I)  # ("its 2025/26 financial year": when)
    for w in words(plain):
        s = stem(w)
        # ("lists", "names", "shows" say what is done, not what to do: "Which company lists GPUs")
        asks = (s in QUESTION_WORDS or w in QUESTION_WORDS) and not (w != s and s in _IMPERATIVES)
        if s in STOP or asks or len(s) < 2 or re.fullmatch(r"fy|q[1-4]|h[12]|\d+", s):
            continue
        light = s in _WHEN_WORDS or s == asked_with or w in _ABOUT_SOURCES
        if "-" in w and not lexicon.known(s) and all(len(x) > 1 for x in w.split("-")):
            # a compound the articles never write ("live-capacity"): its words, each half as much
            for x in w.split("-"):
                if stem(x) not in STOP:
                    terms[stem(x)] = terms.get(stem(x), 0.0) + 0.5
            continue
        s = repair(s, w) or s
        # words that say when ("last year", "quarter") weigh as periods, not as what is measured
        terms[s] = terms.get(s, 0.0) + (0.3 if light else 1.0)
    # Two words the articles write hyphenated ("public sector" as "public-sector"): the compound
    # is a term, weighing as much as its two words apart.
    plain_words = [w for w in words(plain) if w.isalpha()]
    for w1, w2 in itertools.pairwise(plain_words):
        joined = stem(f"{w1}-{w2}")
        s1, s2 = stem(w1), stem(w2)
        if lexicon.known(joined) and s1 in terms and s2 in terms and joined not in terms:
            terms[joined] = 1.0
            terms[s1], terms[s2] = terms[s1] * 0.5, terms[s2] * 0.5
    for w, weight in expanded.items():
        terms.setdefault(w, weight)
    if re.search(r"\bwho\s+(?:runs|leads|heads|manages|is in charge of)\b", folded):
        for w in ("chief", "executive", "ceo", "head"):  # the role that answers "who runs it"
            terms.setdefault(w, 0.5)
    opening = re.match(r"\W*(\w+)(?:\s+(\w+))?", text.lower())
    asks_how = bool(opening) and (opening.group(1) in ("why", "warum", "pourquoi") or (
        opening.group(1) == "how" and (opening.group(2) or "") not in ("much", "many", "big", "large", "fast", "high", "long")
    ))
    reasons = opening is not None and (opening.group(1) in _WHY_WORDS or " ".join(opening.groups("")) in _WHY_WORDS)
    # (after the source it is asked of: "According to X's chief executive, what is behind ...")
    according = ACCORDING.match(text)
    reasons = reasons or bool(_WHAT_DRIVES.match(text, according.end() if according else 0))
    why = asks_how or reasons or (bool(_WHY.search(text)) and not wants - {"name"})
    forecast: bool | None = None
    if _ACTUAL_Q.search(text) or ((_DID.search(text) or _WAS.match(text)) and not _FORECAST_Q.search(text)):
        forecast = False  # "actual", "reported", "What revenue did X report / make / earn?", "What was ..."
    elif _FORECAST_Q.search(text):
        forecast = True
    scopes = tuple(
        stem(m.group(1)) for m in re.finditer(r"\b([A-Z][\w-]+)(?=(?:['’]s)?\s)", text)
        if (_SCOPE_AFTER.match(text, m.end()) or _SCOPE_BEFORE.search(text[max(0, m.start() - 12) : m.start()]))
        and m.start() > 0 and lexicon.known(stem(m.group(1))) and not any(c.isdigit() for c in m.group(1))
    )
    return Question(
        scopes=scopes,
        text=text,
        standalone=text,
        terms=terms,
        names=tuple(names),
        groups=tuple(tuple(g) for g in groups),
        periods=tuple(dict.fromkeys(m.period for m in mentions)),
        # (a question for reasons wants them, not the figure it is about: "What explains the decline in X?")
        wants=frozenset(wants - {"amount", "percent", "quantity", "count", "points"} if reasons else wants),
        latest=bool(_LATEST.search(text)),
        forecast=forecast,
        why=why,
        reasons=reasons,
        manner=asks_how and not reasons,
        language=lang,
        summary=bool(_SUMMARY.search(text)) and not why,
    )


def resolve(
    text: str,
    history: Sequence[dict[str, str]],
    lexicon: Lexicon,
    search: Callable[[re.Pattern[str]], str | None] | None = None,
    anchor: date | None = None,
) -> Question:
    """The question with what a follow-up leaves unsaid taken from the turns before it."""
    q = analyse(text, lexicon, search, anchor)
    users = [m.get("content", "") for m in history if m.get("role") == "user" and m.get("content")]
    if not users:
        return q
    prior = resolve(users[-1], [m for m in history[: _last_user_index(history)]], lexicon, search, anchor)
    own_terms = {t for t in q.terms if t not in q.name_words()}
    # ("what share of its revenue came from GPU services?": "its" before the clause's own names
    # is someone named before)
    possessive = _POSSESSIVE.search(text)
    first_name = min((m.start() for n in q.names for m in re.finditer(re.escape(n.text), text)), default=-1)
    backward = bool(q.names and prior.names and possessive and first_name > possessive.start())
    elliptical = (
        backward
        or bool(_FOLLOW_START.match(text))
        or (not q.names and (bool(_PRONOUN.search(text)) or len(own_terms) <= 3))
        or len(words(text)) <= 4
        or bool(_SHIFT.search(text))
    )
    if not elliptical:
        return q
    names = q.names or tuple(replace(n, carried=True) for n in prior.names)
    groups = q.groups if q.names else prior.groups
    if backward and not {n.text for n in q.names} & {n.text for n in prior.names}:
        # "... and what share of its revenue came from GPU services?": "its" is the one asked
        # about before, beside the clause's own names
        names = (*q.names, *(replace(n, carried=True) for n in prior.names))
        groups = (*q.groups, *(tuple(i + len(q.names) for i in g) for g in prior.groups))
    answered = _answered_name(history, prior, lexicon) if "name" in prior.wants and (
        not q.names or _PRONOUN.search(text)) else None
    if answered is not None and q.names and _PRONOUN.search(text):
        # "..., and at what PUE does its Sines campus run?": "its" is the one the last answer
        # named, the clause's own names stay
        names = (replace(answered, carried=True), *q.names)
        groups = tuple((i,) for i in range(len(names)))
    elif answered is not None and (_PRONOUN.search(text) or _ROLE.search(text)):
        # "Whose software does A use, and what was that vendor's revenue?": the one the last
        # answer named, not the one asked about before; a place carried from before stays ("who
        # is the biggest provider there, and what share does it have?")
        names = (replace(answered, carried=True), *(n for n in prior.names if n.carried))
        groups = tuple((i,) for i in range(len(names)))
    periods = q.periods
    soft = False
    shift = _SHIFT.search(text)
    if not periods and shift:
        base = prior.periods or _answer_periods(history, anchor)
        steps = 1 if (shift.group("fwd") or shift.group("unit4")) else -1
        unit = next((u for u in shift.group("unit1", "unit2", "unit3", "unit4") if u), "")
        if unit.lower() == "year" and steps < 0:
            # "the year before" of the six months to September 2025: the same months of 2024 (the
            # dates the last answer gave, when the question named only "H1")
            dated = [p for p in base if p.start] or [p for p in _answer_periods(history, anchor) if p.start] or list(base)
            periods = tuple(P.year_before(p) for p in dated[:1])
        else:
            periods = tuple(p.shifted(steps) for p in base[:1])
    elif not periods and prior.periods and not _THIS_PERIOD.search(text) and not (
        _WHOLE_YEAR.search(text) and all(p.grain != "year" for p in prior.periods)
    ):
        # (not "and the full-year outlook?" after a quarter: the year is asked, not that quarter)
        # (not "this fiscal year", asked after a year now over: a period of its own, unread)
        periods = prior.periods
        soft = bool(own_terms - {"quarter", "year", "end", "period"}) and len(own_terms) > 1
    # A follow-up asking for another kind of thing ("..., and who runs it?" after an amount) keeps
    # the earlier names and periods, not the earlier measure.
    new_ask = bool(q.wants) and not (q.wants & prior.wants)
    # a measure of its own ("and how big is its backlog?") replaces the earlier one
    # ("what about in the public sector?" keeps the earlier measure for another scope)
    new_measure = bool(own_terms - set(prior.terms) - _HOW_WORDS) and not _SAME_ASK.match(text)
    thin = len(own_terms) <= 2 and not new_ask and not new_measure
    # ("What is X's guidance now, and what was it before?": "it" is the guidance, a forecast whatever
    # the tense it is asked in, and the amount asked before)
    moved = bool(prior.forecast and _PRONOUN_ONLY.search(text) and not own_terms - _WHEN_AGAIN)
    terms = dict(q.terms)
    for t, w in prior.terms.items():
        if (t in prior.name_words() and q.names) or (new_ask and t not in prior.name_words()):
            continue
        terms.setdefault(t, w * (0.9 if thin else 0.4))
    prior_text = prior.standalone
    if q.names:
        for n in prior.names:
            prior_text = re.sub(re.escape(n.text), " ", prior_text, flags=re.I)
    if periods != prior.periods:
        for m in sorted(P.find(prior_text, anchor), key=lambda m: -m.start):
            prior_text = prior_text[: m.start] + prior_text[m.end :]
    standalone = f"{text} {' '.join(n.text for n in names if n.carried)} {prior_text if thin else ''} " + " ".join(
        p.label() for p in periods if p not in q.periods
    )
    return replace(
        q,
        standalone=" ".join(standalone.split()),
        terms=terms,
        names=names,
        groups=groups,
        periods=periods,
        soft_periods=soft or (q.soft_periods if q.periods else prior.soft_periods and not shift),
        # (an outlook or guidance asked after a figure is a figure too: "and the updated full-year outlook?")
        wants=q.wants or (prior.wants if thin or moved or (q.forecast and not q.why) else frozenset()),
        latest=q.latest or (prior.latest and not periods),
        forecast=prior.forecast if q.forecast is None or moved else q.forecast,
        why=q.why or (prior.why and thin),
        followup=True,
    )


def _last_user_index(history: Sequence[dict[str, str]]) -> int:
    for i in range(len(history) - 1, -1, -1):
        if history[i].get("role") == "user":
            return i
    return 0


# A thing referred to by its role in the last answer ("that vendor", "the owner", "the buyer").
_ROLE = re.compile(
    r"\b(?:that|this|the|said)\s+(?:vendor|company|firm|provider|owner|buyer|seller|supplier|partner|operator|lessor|"
    r"landlord|developer|acquirer|investor|lender|customer|group|business|lessee|tenant)\b",
    re.I,
)
_ATTRIBUTION = re.compile(r"^[^:\n]{1,80}:\s", re.M)  # "Publisher: " before a quote


def _answered_name(history: Sequence[dict[str, str]], prior: Question, lexicon: Lexicon) -> Name | None:
    """The name the last answer gave to a question asking who (one not asked about): of those it
    writes, the one the articles write about most."""
    answer = next((m.get("content", "") for m in reversed(history) if m.get("role") == "assistant"), "")
    if not answer:
        return None
    asked = prior.name_words()
    measure = {t for t in prior.terms if t not in asked}
    best: tuple[int, list[Name], str] = (-1, [], "")
    # the sentence of the answer that says most of what was asked ("billed by the GPU-hour through
    # X's software"), and of the names it adds the one that does what was asked ("Merbabu lists
    # 1,150 GPUs"), else the one the articles write about most
    for sentence in re.split(r"(?<=[.!?])\s+|\n", _ATTRIBUTION.sub("", answer)):
        found = [n for n in analyse(sentence, lexicon).names if not n.absent]
        # (not a word of what was asked written capitalised: "Customers are billed through ...")
        new = [n for n in found if not ({w for s in n.spellings for w in s} & asked)
               and not all(w.lower() in P.MONTHS for w in words(n.text))
               and not all(w in measure for s in n.spellings for w in s)]
        said = {stem(w) for w in words(sentence)}
        # (the names asked about count too, a place by its people: "Indonesian", "Indonesia")
        overlap = len(measure & said) + len({a for a in asked if a in said or any(w[:5] == a[:5] for w in said if len(w) >= 5)})
        if new and overlap > best[0]:
            best = (overlap, new, sentence)

    whose = bool(re.search(r"\bwhose\b", prior.text, re.I))

    def gap(n: Name) -> int:
        """Words between the name and the next word of what was asked after it (5: none near);
        for "whose ...?", 0 for an owner ("Tamarack's GPU Ledger software")."""
        at = best[2].find(n.text)
        rest = best[2][at + len(n.text):] if at >= 0 else ""
        if whose and re.match(r"['’]s?\s", rest):
            return 0
        after = [stem(w) for w in words(rest)][:5]
        return next((i for i, w in enumerate(after) if w in measure), 5) + (1 if whose else 0)

    if not best[1]:
        return None
    # (a name of several words is as frequent as its rarest word: "GPU Ledger" as "Ledger")
    return min(best[1], key=lambda n: (gap(n), -max((min(lexicon.share(w) for w in s) for s in n.spellings if s), default=0.0)))


def _answer_periods(history: Sequence[dict[str, str]], anchor: date | None) -> tuple[P.Period, ...]:
    """Periods the last answer stated (when the question before named none, e.g. "latest")."""
    for message in reversed(history):
        if message.get("role") == "assistant":
            found = [m.period for m in P.find(message.get("content", ""), anchor) if m.period.grain in ("quarter", "half", "year")]
            return tuple(found[:1])
    return ()

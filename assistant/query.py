"""Reading a question: entities (with aliases), periods, metric, scope, and follow-ups.

Everything here is rule-based and language-light so it runs in microseconds with no model. The
alias table covers the cloud-market domain; periods are parsed in their usual written forms.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

# Canonical entity -> the ways articles and users write it (lower case).
ENTITY_ALIASES: dict[str, tuple[str, ...]] = {
    "AWS": ("aws", "amazon web services", "amazon", "亚马逊", "亞馬遜"),
    "Microsoft": ("microsoft azure", "azure", "microsoft", "微软", "微軟"),
    "Google Cloud": ("google cloud platform", "google cloud", "gcp", "google", "谷歌", "谷歌云"),
    "Alibaba Cloud": ("alibaba cloud", "aliyun", "alibaba", "阿里云", "阿里雲", "阿里巴巴"),
    "Huawei Cloud": ("huawei cloud", "huawei", "华为云", "华为", "華為"),
    "Tencent Cloud": ("tencent cloud", "tencent", "腾讯云", "腾讯", "騰訊"),
    "Oracle": ("oracle cloud infrastructure", "oracle", "oci", "甲骨文"),
    "IBM": ("ibm",),
    "Salesforce": ("salesforce",),
    "Baidu": ("baidu ai cloud", "baidu", "百度"),
    "DigitalOcean": ("digitalocean", "digital ocean"),
    "NVIDIA": ("nvidia", "英伟达"),
    "OpenAI": ("openai",),
    "Synergy Research Group": ("synergy research group", "synergy research", "synergy"),
    "Canalys": ("canalys",),
    "Gartner": ("gartner",),
    "IDC": ("idc",),
}

# Metric -> words that signal it, across the languages users write in.
METRIC_WORDS: dict[str, tuple[str, ...]] = {
    "share": ("share", "shares", "market share", "cuota", "participación", "part de marché",
              "parts de marché", "part du marché", "lead", "leads", "leader", "leading", "largest", "biggest",
              "dominates", "dominant", "top three", "big three", "how much of", "proportion", "portion",
              "marktanteil", "anteil", "份额", "占有率", "市场份额", "quota"),
    "revenue": ("revenue", "revenues", "sales", "turnover", "ingresos", "chiffre d'affaires",
                "umsatz", "收入", "营收", "earned", "made"),
    "growth": ("growth", "grew", "grow", "growing", "increase", "rose", "year on year",
               "year-over-year", "yoy", "crecimiento", "croissance", "wachstum", "增长", "增速"),
    "spending": ("spending", "spend", "spent", "market size", "size", "sized", "large", "larger", "total", "gasto",
                 "dépenses", "ausgaben", "支出", "规模", "worth", "big"),
    "profit": ("operating income", "operating profit", "profit", "profits", "margin", "margins",
               "earnings before", "ebitda", "net income", "beneficio", "bénéfice", "gewinn", "利润"),
    "backlog": ("backlog", "backlogs", "remaining performance obligations", "rpo", "order book",
                "contracted revenue", "cartera de pedidos", "carnet de commandes", "auftragsbestand"),
    "investment": ("invest", "investment", "investing", "capex", "capital expenditure",
                   "spend on", "inversión", "investissement", "investition", "投资"),
    "datacenter": ("data center", "data centers", "data centre", "data centres", "datacenter",
                   "region", "regions", "centro de datos", "centros de datos", "centre de données",
                   "rechenzentrum", "数据中心", "expansion", "expand", "expanding", "build", "building"),
    "ai": ("ai", "artificial intelligence", "model", "models", "llm", "qwen", "genai",
           "generative", "inteligencia artificial", "ki", "人工智能"),
}

CHINA_WORDS = ("china", "chinese", "mainland", "china's", "中国", "中國", "chine", "chinesischen")
GLOBAL_WORDS = ("global", "globally", "worldwide", "world", "mundial", "mondial", "weltweit", "全球", "全世界")
ANALYSTS = ("Synergy Research Group", "Canalys", "Gartner", "IDC")
# Regions a figure can be about; "global" is the default market of a share.
REGIONS: dict[str, tuple[str, ...]] = {
    "china": CHINA_WORDS,
    "europe": ("europe", "european", "eu", "europa", "européen", "europeo", "europäischen", "欧洲"),
    "latin america": ("latin america", "latin american", "latam", "américa latina", "latinoamérica",
                      "mexico", "méxico", "brazil", "brasil"),
    "asia-pacific": ("asia-pacific", "asia pacific", "apac", "southeast asia", "asia"),
    "middle east": ("middle east", "gulf", "dubai", "saudi arabia"),
    "africa": ("africa", "african", "áfrica", "afrique", "afrika", "非洲"),
    "north america": ("north america", "north american", "united states", "u.s. market", "us market"),
    "india": ("india", "indian"),
    "japan": ("japan", "japanese", "日本"),
}
GROUPS: dict[str, tuple[str, ...]] = {
    "big three": ("AWS", "Microsoft", "Google Cloud"),
    "top three": ("AWS", "Microsoft", "Google Cloud"),
    "three largest": ("AWS", "Microsoft", "Google Cloud"),
    "three hyperscalers": ("AWS", "Microsoft", "Google Cloud"),
    "american hyperscalers": ("AWS", "Microsoft", "Google Cloud"),
    "us hyperscalers": ("AWS", "Microsoft", "Google Cloud"),
}
COMBINED_WORDS = ("together", "combined", "collectively", "in total", "add up", "added up", "between them",
                  "juntos", "ensemble", "zusammen", "合计")
TREND_WORDS = ("moved", "move", "changed", "change", "trend", "over time", "evolve", "evolved", "develop",
               "developed", "evolution", "through 2025", "through 2024", "quarter by quarter",
               "history", "over the last", "over the past", "since", "trajectory", "shifted")
WHY_WORDS = ("why", "reason", "reasons", "rationale", "motivation", "por qué", "pourquoi", "warum", "为什么")

_QUARTER_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
    "premier": 1, "deuxième": 2, "troisième": 3, "quatrième": 4, "primer": 1, "primero": 1,
    "segundo": 2, "tercer": 3, "tercero": 3, "cuarto": 4, "erste": 1, "ersten": 1, "erstes": 1,
    "zweite": 2, "zweiten": 2, "zweites": 2, "dritte": 3, "dritten": 3, "drittes": 3, "vierte": 4,
    "vierten": 4, "viertes": 4,
}
_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), start=1)}
_MONTH = r"(january|february|march|april|may|june|july|august|september|october|november|december)"


def _has(*words: str) -> frozenset[str]:
    """Words (case-folded) of which every match of a pattern contains one."""
    return frozenset(words)


# (pattern, kind, words of which every match contains one, case-folded): a pattern none of whose
# words is in the text is skipped, after one substring search per word instead of a scan each.
_PERIOD_PATTERNS: list[tuple[re.Pattern[str], str, frozenset[str]]] = [
    (re.compile(r"\bq([1-4])\s*(?:of\s*)?'?(20\d\d|\d\d)\b", re.I), "q", _has("q1", "q2", "q3", "q4")),
    (re.compile(r"\b(20\d\d)\s*q([1-4])\b", re.I), "yq", _has("q1", "q2", "q3", "q4")),
    (re.compile(r"\b(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter\s+(?:of\s+)?(20\d\d)\b", re.I), "wq",
     _has("quarter")),
    (re.compile(r"\b(premier|deuxième|troisième|quatrième|primer|primero|segundo|tercer|tercero|cuarto)\s+"
                r"trimestre\s+(?:de\s+|del\s+)?(20\d\d)\b", re.I), "wq", _has("trimestre")),
    (re.compile(r"\b(erste[ns]?|zweite[ns]?|dritte[ns]?|vierte[ns]?)\s+quartal\s+(20\d\d)\b", re.I), "wq",
     _has("quartal")),
    (re.compile(rf"\b{_MONTH}\s+(?:to|through|-|–)\s+{_MONTH}\s+(?:of\s+)?(20\d\d)\b", re.I), "mm",
     _has(*_MONTHS)),
    (re.compile(rf"\b{_MONTH}\s+(20\d\d)\s+quarter\b", re.I), "mq", _has("quarter")),
    (re.compile(
        rf"\bquarter\s+(?:that\s+)?end(?:ed|ing|s)\s+(?:on\s+|in\s+)?(?:\d{{1,2}}\s+)?{_MONTH}\s*(?:\d{{1,2}},?\s*)?(20\d\d)\b",
        re.I,
    ), "mq", _has("quarter")),
    (re.compile(rf"\bquarter\s+to\s+{_MONTH}\s+(20\d\d)\b", re.I), "mq", _has("quarter")),
    (re.compile(r"\b([1-4])(?:er|e|º|°)?\s*(?:trimestre|quartal)\s+(?:de\s+|del\s+)?(20\d\d)\b", re.I), "q",
     _has("trimestre", "quartal")),
    (re.compile(r"\b(?:([1-4])\s*t|t\s*([1-4]))\s*'?(20\d\d)\b", re.I), "t", _has("t")),
    (re.compile(r"(20\d\d)\s*年?\s*第?\s*([一二三四1-4])\s*季度"), "cn", _has("季度")),
    (re.compile(r"\b(?:fy|fiscal(?:\s+year)?)\s*'?(20\d\d|\d\d)\b", re.I), "fy", _has("fy", "fiscal")),
    (re.compile(r"\b(?:full[- ]year|all of|whole year|year)\s+(20\d\d)\b", re.I), "y", _has("year", "all of")),
]
_PERIOD_WORDS = tuple(sorted(set().union(*(words for _, _, words in _PERIOD_PATTERNS))))
_YEAR = re.compile(r"(?<![\d$€£.,])(20[0-4]\d|19\d\d)(?![\d%])")
_FISCAL_BEFORE = re.compile(r"(fiscal|fy)\s*$", re.I)
_FISCAL_YEAR_BEFORE = re.compile(r"(fiscal|fy)\s*(year\s*)?$", re.I)
# Every period pattern needs one of these; most sentences have none and skip the fifteen patterns.
_PERIOD_HINT = re.compile(r"(?:19|20)\d\d|q[1-4]|fy|fiscal", re.I)
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


@dataclass(frozen=True, order=True)
class Period:
    """A calendar period; ``quarter`` 0 means a whole year."""

    year: int
    quarter: int = 0
    fiscal: bool = False

    def label(self) -> str:
        if self.fiscal:
            return f"fiscal Q{self.quarter} {self.year}" if self.quarter else f"FY{self.year}"
        return f"Q{self.quarter} {self.year}" if self.quarter else str(self.year)

    def previous(self) -> Period:
        if self.quarter:
            return Period(self.year - 1, 4) if self.quarter == 1 else Period(self.year, self.quarter - 1)
        return Period(self.year - 1, 0, self.fiscal)

    def contains(self, other: Period) -> bool:
        return (
            self.year == other.year
            and self.fiscal == other.fiscal
            and (self.quarter == 0 or self.quarter == other.quarter)
        )


def fold(text: str) -> str:
    """Lower case, accents kept, typographic quotes unified."""
    text = unicodedata.normalize("NFKC", text).lower()
    return text.replace("’", "'").replace("‘", "'")


def ascii_fold(text: str) -> str:
    """``text`` case-folded so that a lower-case ASCII word occurs in it wherever a case-insensitive
    regular expression would match that word: a cheap test of whether a pattern can match at all.
    (Dotless ı is the one letter ``re.I`` matches to an ASCII letter that case folding keeps.)"""
    return text.casefold().replace("ı", "i")


def has_any(folded: str, words: Iterable[str]) -> bool:
    """Whether one of ``words`` occurs in ``folded`` (from :func:`ascii_fold`)."""
    return any(word in folded for word in words)


def find_periods(text: str) -> list[Period]:
    """Periods written in ``text``, in order, without duplicates."""
    if not _PERIOD_HINT.search(text):
        return []
    found: list[tuple[int, Period]] = []
    taken: list[tuple[int, int]] = []
    folded = ascii_fold(text)
    present = {word for word in _PERIOD_WORDS if word in folded}
    for pattern, kind, needs in _PERIOD_PATTERNS:
        if needs.isdisjoint(present):
            continue
        for m in pattern.finditer(text):
            a, b = m.group(1), m.group(2) if m.lastindex and m.lastindex > 1 else None
            if kind == "q":
                fiscal = bool(_FISCAL_BEFORE.search(text, max(0, m.start() - 8), m.start()))
                period = Period(_year(b or ""), int(a), fiscal)
            elif kind == "yq":
                period = Period(int(a), int(b or 0))
            elif kind == "t":
                period = Period(int(m.group(3)), int(a or b or 0))
            elif kind == "mm":
                end_month = _MONTHS[m.group(2).lower()]
                period = Period(int(m.group(3)), (end_month + 2) // 3) if end_month % 3 == 0 else Period(int(m.group(3)))
            elif kind == "mq":
                month = _MONTHS[a.lower()]
                period = Period(int(b or 0), (month + 2) // 3)
            elif kind == "wq":
                period = Period(int(b or 0), _QUARTER_WORDS[a.lower()])
            elif kind == "cn":
                period = Period(int(a), _CN_DIGITS.get(b or "", 0) or int(b or 0))
            elif kind == "fy":
                period = Period(_year(a), 0, fiscal=True)
            else:
                period = Period(int(a))
            if period.quarter and _FISCAL_YEAR_BEFORE.search(text, max(0, m.start() - 12), m.start()):
                period = Period(period.year, period.quarter, True)
            found.append((m.start(), period))
            taken.append(m.span())
    for m in _YEAR.finditer(text):
        if not any(a <= m.start() < b for a, b in taken):
            found.append((m.start(), Period(int(m.group(1)))))
    out: list[Period] = []
    for _, period in sorted(found, key=lambda x: x[0]):
        if period not in out:
            out.append(period)
    return out


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


@functools.cache
def _word_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """One compiled alternation for a word list: ASCII words on word boundaries, others anywhere."""
    ascii_words = sorted((w for w in words if w.isascii()), key=len, reverse=True)
    other = sorted((w for w in words if not w.isascii()), key=len, reverse=True)
    parts = []
    if ascii_words:
        parts.append(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in ascii_words) + r")(?![\w-])")
    if other:
        parts.append("(?:" + "|".join(re.escape(w) for w in other) + ")")
    return re.compile("|".join(parts) or r"(?!x)x")


@functools.cache
def _entity_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    owner = {alias: canonical for canonical, aliases in ENTITY_ALIASES.items() for alias in aliases}
    return _word_pattern(tuple(owner)), owner


def entity_mentions(text: str) -> list[tuple[int, str]]:
    """(position, canonical entity) of every mention; the longest alias wins, no overlaps."""
    pattern, owner = _entity_pattern()
    return [(m.start(), owner[m.group(0)]) for m in pattern.finditer(fold(text))]


def find_entities(text: str) -> list[str]:
    """Canonical entities mentioned in ``text``, in order of first mention."""
    return list(dict.fromkeys(e for _, e in entity_mentions(text)))


_RUN = re.compile(r"[\w-]+")


class Lexicon:
    """Labelled word lists found in folded text with the same matches as :func:`_word_pattern`
    (ASCII words on word boundaries, others anywhere), without a regex search per list: an ASCII
    word can only occur where its leading run of word characters is a whole word of the text, so
    one set intersection picks the few words worth looking for."""

    def __init__(self, lists: dict[str, tuple[str, ...]]) -> None:
        self.by_head: dict[str, list[tuple[str, str]]] = {}
        self.anywhere: list[tuple[str, str]] = []
        for label, words in lists.items():
            for word in words:
                if not word.isascii():
                    self.anywhere.append((word, label))
                elif head := _RUN.match(word):
                    self.by_head.setdefault(head.group(), []).append((word, label))
                else:
                    raise ValueError(f"{word!r}: an ASCII word must start with a letter, digit, '_' or '-'")
        self.heads = frozenset(self.by_head)

    def first(self, folded: str) -> dict[str, int]:
        """Label -> position of the first occurrence of any of its words."""
        found: dict[str, int] = {}
        for head in self.heads.intersection(_RUN.findall(folded)):
            for word, label in self.by_head[head]:
                _earliest(found, label, _find_word(folded, word))
        if self.anywhere and not folded.isascii():  # words of other scripts cannot occur in ASCII text
            for word, label in self.anywhere:
                _earliest(found, label, folded.find(word))
        return found


def _earliest(found: dict[str, int], label: str, at: int) -> None:
    if at >= 0 and at < found.get(label, at + 1):
        found[label] = at


def _find_word(text: str, word: str) -> int:
    """Position of the first occurrence of ``word`` not inside a longer word, or -1."""
    at = text.find(word)
    while at >= 0:
        if (at == 0 or not _is_word_char(text[at - 1])) and (
            at + len(word) == len(text) or not _is_word_char(text[at + len(word)])
        ):
            return at
        at = text.find(word, at + 1)
    return -1


def _is_word_char(char: str) -> bool:
    """``[\\w-]`` of a regex: letters and digits of any script, underscore, hyphen."""
    return char.isalnum() or char in "_-"


@functools.cache
def _lexicon(words: tuple[str, ...]) -> Lexicon:
    return Lexicon({"": words})


def has_word(folded: str, words: tuple[str, ...]) -> bool:
    return bool(_lexicon(words).first(folded))


_METRICS = Lexicon(METRIC_WORDS)
_REGIONS = Lexicon({**REGIONS, "global": GLOBAL_WORDS})


_ENGLISH = re.compile(r"\b(the|what|which|who|how|did|does|is|was|were|of|in|and)\b", re.I)
_PROPER = re.compile(r"(?<![\w'-])([A-Z][\w-]*[a-z][\w-]*)")


def proper_nouns(question: str) -> list[str]:
    """Capitalised words past the first word of an English question (names of places, firms, products)."""
    if len(_ENGLISH.findall(question)) < 2:
        return []
    words = []
    for m in _PROPER.finditer(question):
        if m.start() == 0 or question[: m.start()].rstrip().endswith((".", "?", "!", ":", '"')):
            continue
        words.append(m.group(1))
    return words


_SHARE = re.compile(
    r"\d%\s+(?:of|del?|du|des)\s+(?:the\s+|la\s+|el\s+)?(?:[\w-]+\s+){0,4}(?:market|spending|mercado|marché|markt)", re.I
)
_SIZE = re.compile(
    r"\bmarket\b[^.]{0,40}?\b(reached|was|totall?ed|hit|stood at|worth|grew to|amounted to|came to)\s+"
    r"(about\s+|around\s+|roughly\s+)?(US\$|\$|€|£|¥|RMB)\s?\d",
    re.I,
)
_GROWTH = re.compile(r"\b(up|down|rose|grew|increased?|growth of|jumped|climbed|fell)\s+(by\s+)?(about\s+)?\d", re.I)
_STOCK = re.compile(r"\bshares?\s+(fell|rose|jumped|slid|dropped|gained|climbed|sank)", re.I)
_GROWTH_WORDS = ("up", "down", "rose", "grew", "increase", "growth", "jumped", "climbed", "fell")
_CURRENCIES = ("$", "€", "£", "¥", "rmb")


def find_metrics(text: str) -> list[str]:
    """Metrics a text speaks of; "held 4% of the global market" speaks of a share."""
    folded = fold(text)
    found = _METRICS.first(folded)
    metrics = [m for m in METRIC_WORDS if m in found]
    # Each pattern is tried only if the words it needs are there (same results, far fewer scans).
    words = ascii_fold(text)
    if "share" in metrics and _STOCK.search(text):
        metrics.remove("share")
    if "share" not in metrics and "%" in text and _SHARE.search(text):
        metrics.append("share")
    if "growth" not in metrics and has_any(words, _GROWTH_WORDS) and _GROWTH.search(text):
        metrics.append("growth")
    if "spending" not in metrics and "market" in words and has_any(words, _CURRENCIES) and _SIZE.search(text):
        metrics.append("spending")
    return metrics


def aliases_of(entity: str) -> tuple[str, ...]:
    return ENTITY_ALIASES.get(entity, (entity.lower(),))


@dataclass(frozen=True)
class QueryPlan:
    """What a question asks for, after follow-up resolution."""

    text: str  # the standalone question used for retrieval
    entities: tuple[str, ...] = ()
    periods: tuple[Period, ...] = ()
    metrics: tuple[str, ...] = ()
    scope: str | None = None  # a region of REGIONS, "global", or None when unsaid or compared
    combined: bool = False  # "together": one figure for the entities as a group
    numeric: bool = False  # asks for a figure (how much, what share, a period...)
    figures: tuple[str, ...] = ()  # figures the question itself states (a premise to check)
    counted: tuple[str, ...] = ()  # "how many availability zones": the words counted
    sources: tuple[str, ...] = ()  # analyst firms the question names ("according to Canalys")
    trend: bool = False
    why: bool = False
    original: str = ""
    notes: tuple[str, ...] = field(default=())
    # Filled from the index before answering: rarity of each question term, and proper
    # nouns of the question that no article contains.
    term_weights: dict[str, float] | None = field(default=None, compare=False)
    unknown_terms: tuple[str, ...] = ()

    def search_text(self) -> str:
        """Retrieval text with every alias of the asked-for entities, so AWS finds Amazon Web Services."""
        extra = [alias for e in self.entities for alias in aliases_of(e)[:3] if alias.isascii()]
        return " ".join([self.text, *extra])


_QUANTITY = re.compile(
    r"\b(how\s+(much|many|fast|big|large|quickly|high|low)|what\s+(share|percentage|proportion|portion|growth)|"
    r"by how much|rate|size|sized|worth|figure|number|percent|total|compare|shares?|revenue|earn|earned|"
    r"cuánto|cuál|combien|quel(le)?|wie\s+(viel|hoch|groß))\b|%|\d|多少|几",
    re.I,
)


_HOW_MANY = re.compile(r"\bhow many\s+([a-z][\w-]*)(?:\s+([a-z][\w-]*))?", re.I)
_NOT_COUNTED = frozenset(
    "did does do has have had is are was were will would can could of in the a an and or to for with per".split()
)


def _counted(question: str) -> tuple[str, ...]:
    """The thing a "how many" question counts, singularised ("availability zones" -> availability, zone)."""
    m = _HOW_MANY.search(question)
    if not m:
        return ()
    words = [w.lower() for w in m.groups() if w and w.lower() not in _NOT_COUNTED]
    if len(words) == 2 and m.group(2) and m.group(2).lower() in _NOT_COUNTED:
        words = words[:1]
    return tuple(w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words)


def region_of(folded: str) -> str | None:
    """The first non-global region named in folded text, else "global" if the world is named."""
    found = _REGIONS.first(folded)
    hits = [(at, name) for name, at in found.items() if name != "global"]
    if hits:
        return min(hits)[1]
    return "global" if "global" in found else None


def analyse(question: str) -> QueryPlan:
    from assistant.grounding import numbers

    folded = fold(question)
    scope = region_of(folded)
    if scope not in (None, "global") and has_word(folded, GLOBAL_WORDS):
        scope = None  # a comparison of a region with the world
    entities = [e for e in find_entities(question) if e not in ANALYSTS]
    for group, members in GROUPS.items():
        if group in folded:
            entities.extend(m for m in members if m not in entities)
    metrics = tuple(find_metrics(question))
    periods = tuple(find_periods(question))
    counted = _counted(question)
    if counted and not metrics:
        metrics = ("count",)
    trend = has_word(folded, TREND_WORDS)
    return QueryPlan(
        text=question,
        entities=tuple(entities),
        combined=has_word(folded, COMBINED_WORDS),
        counted=counted,
        numeric=bool(metrics) and bool(_QUANTITY.search(question) or periods or trend),
        figures=tuple(sorted(f for f in numbers(question) if f.endswith("%") or f[-1:] in "tbmu")),
        sources=tuple(e for e in find_entities(question) if e in ANALYSTS),
        periods=periods,
        metrics=metrics,
        scope=scope,
        trend=trend,
        why=has_word(folded, WHY_WORDS),
        original=question,
    )


_FOLLOWUP_START = re.compile(
    r"^\s*(and|what about|how about|and what about|what of|same for|also|y|et|und|那|还有|¿y|y qué hay de|"
    r"what was it|how did that|and in|and for)\b",
    re.I,
)
_PREVIOUS = re.compile(
    r"\b(previous|prior|last|preceding|earlier)\s+(quarter|year|period)\b|\b(quarter|year|period)\s+before\b", re.I
)
_NEXT = re.compile(
    r"\b(next|following|later|subsequent)\s+(quarter|year|period)\b|\b(quarter|year|period)\s+after\b", re.I
)


def resolve_followup(question: str, history: list[dict[str, str]]) -> QueryPlan:
    """Turn a short follow-up into a standalone plan using the previous user turns."""
    plan = analyse(question)
    previous_questions = [m["content"] for m in history if m.get("role") == "user" and m.get("content")]
    if not previous_questions:
        return plan
    prior = analyse(previous_questions[-1])
    if len(previous_questions) > 1 and not (prior.entities or prior.metrics):
        prior = resolve_followup(previous_questions[-1], [{"role": "user", "content": q} for q in previous_questions[:-1]])
    content_words = [w for w in re.findall(r"\w+", fold(question)) if w not in _STOP]
    elliptical = (
        bool(_FOLLOWUP_START.match(question))
        or len(content_words) <= 3
        or not (plan.metrics or plan.why)
        or bool(_PREVIOUS.search(question) or _NEXT.search(question))
    )
    if not elliptical or (plan.entities and plan.metrics and plan.periods):
        return plan
    periods = plan.periods
    prior_periods = prior.periods or tuple(find_periods(_last_assistant(history)))[:1]
    if not periods and prior_periods:
        if _PREVIOUS.search(question):
            periods = (prior_periods[0].previous(),)
        elif _NEXT.search(question):
            p = prior_periods[0]
            periods = (Period(p.year + (p.quarter == 4), p.quarter % 4 + 1) if p.quarter else Period(p.year + 1),)
        else:
            periods = prior.periods
    entities = plan.entities or prior.entities
    metrics = plan.metrics or prior.metrics
    why = plan.why
    parts = [question]
    base = prior.text
    if plan.entities and prior.entities:
        for old in prior.entities:
            for alias in sorted(aliases_of(old), key=len, reverse=True):
                base = re.sub(rf"(?i)\b{re.escape(alias)}\b", plan.entities[0], base)
    if periods != prior.periods:
        for p in prior.periods:
            base = base.replace(p.label(), "")
        base = re.sub(r"(?i)\bq[1-4]\s*20\d\d\b", "", base)
        parts.append(" ".join(p.label() for p in periods))
    parts.insert(0, base)
    return replace(
        plan,
        text=" ".join(x for x in parts if x).strip(),
        entities=entities,
        periods=periods,
        metrics=metrics,
        scope=plan.scope or prior.scope,
        numeric=plan.numeric or (prior.numeric and not plan.why),
        combined=plan.combined or (prior.combined and not plan.entities),
        sources=plan.sources or prior.sources,
        trend=plan.trend or (prior.trend and not plan.periods),
        why=why,
        notes=("follow-up resolved",),
    )


def _last_assistant(history: list[dict[str, str]]) -> str:
    for message in reversed(history):
        if message.get("role") == "assistant":
            return message.get("content", "")
    return ""


_STOP = frozenset(
    """a an the of in on at for to and or is are was were be been what which who whom whose how why
    when where did does do it its this that these those by with from as about than then there their
    they them he she his her we our you your i me my has have had will would can could should may
    might much many more most some any all also just only over under into out up down not no yes
    tell give show me please vs versus per cent percent q1 q2 q3 q4 y el la los las de del en que
    cuál cual es et le les des du est quel quelle und der die das ist wie""".split()
)

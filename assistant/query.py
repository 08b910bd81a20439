"""Reading a question: entities (with aliases), periods, metric, scope, and follow-ups.

Everything here is rule-based and language-light so it runs in microseconds with no model. The
alias table covers the cloud-market domain; periods are parsed in their usual written forms.
"""

from __future__ import annotations

import re
import unicodedata
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
              "parts de marché", "lead", "leads", "leader", "leading", "largest", "biggest",
              "dominates", "dominant", "top three", "big three", "marktanteil", "anteil", "份额", "占有率", "市场份额", "quota"),
    "revenue": ("revenue", "revenues", "sales", "turnover", "ingresos", "chiffre d'affaires",
                "umsatz", "收入", "营收", "earned", "made"),
    "growth": ("growth", "grew", "grow", "growing", "increase", "rose", "year on year",
               "year-over-year", "yoy", "crecimiento", "croissance", "wachstum", "增长", "增速"),
    "spending": ("spending", "spend", "spent", "market size", "size", "total", "gasto",
                 "dépenses", "ausgaben", "支出", "规模", "worth", "big"),
    "investment": ("invest", "investment", "investing", "capex", "capital expenditure",
                   "spend on", "inversión", "investissement", "investition", "投资"),
    "datacenter": ("data center", "data centers", "data centre", "data centres", "datacenter",
                   "region", "regions", "centro de datos", "centros de datos", "centre de données",
                   "rechenzentrum", "数据中心", "expansion", "expand", "expanding", "build", "building"),
    "ai": ("ai", "artificial intelligence", "model", "models", "llm", "qwen", "genai",
           "generative", "inteligencia artificial", "ki", "人工智能"),
}

CHINA_WORDS = ("china", "chinese", "mainland", "china's", "中国", "中國", "chine", "chinesischen")
GLOBAL_WORDS = ("global", "globally", "worldwide", "world", "mundial", "mondial", "weltweit", "全球")
TREND_WORDS = ("moved", "move", "changed", "change", "trend", "over time", "evolve", "evolved",
               "history", "over the last", "over the past", "since", "trajectory", "shifted")
WHY_WORDS = ("why", "reason", "reasons", "rationale", "motivation", "por qué", "pourquoi", "warum", "为什么")

_QUARTER_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_PERIOD_PATTERNS = [
    (re.compile(r"\bq([1-4])\s*(?:of\s*)?'?(20\d\d|\d\d)\b", re.I), "q"),
    (re.compile(r"\b(20\d\d)\s*q([1-4])\b", re.I), "yq"),
    (re.compile(r"\b(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter\s+(?:of\s+)?(20\d\d)\b", re.I), "wq"),
    (re.compile(r"\b([1-4])(?:er|e|º|°)?\s*(?:trimestre|quartal)\s+(?:de\s+|del\s+)?(20\d\d)\b", re.I), "q"),
    (re.compile(r"\b(?:([1-4])\s*t|t\s*([1-4]))\s*'?(20\d\d)\b", re.I), "t"),
    (re.compile(r"(20\d\d)\s*年?\s*第?\s*([一二三四1-4])\s*季度"), "cn"),
    (re.compile(r"\b(?:fy|fiscal(?:\s+year)?)\s*'?(20\d\d|\d\d)\b", re.I), "fy"),
    (re.compile(r"\b(?:full[- ]year|all of|whole year|year)\s+(20\d\d)\b", re.I), "y"),
]
_YEAR = re.compile(r"(?<![\d$€£.,])(20[0-4]\d|19\d\d)(?![\d%])")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


@dataclass(frozen=True, order=True)
class Period:
    """A calendar period; ``quarter`` 0 means a whole year."""

    year: int
    quarter: int = 0
    fiscal: bool = False

    def label(self) -> str:
        if self.fiscal:
            return f"FY{self.year}"
        return f"Q{self.quarter} {self.year}" if self.quarter else str(self.year)

    def previous(self) -> Period:
        if self.quarter:
            return Period(self.year - 1, 4) if self.quarter == 1 else Period(self.year, self.quarter - 1)
        return Period(self.year - 1, 0, self.fiscal)

    def contains(self, other: Period) -> bool:
        return self.year == other.year and (self.quarter == 0 or self.quarter == other.quarter)


def fold(text: str) -> str:
    """Lower case, accents kept, typographic quotes unified."""
    text = unicodedata.normalize("NFKC", text).lower()
    return text.replace("’", "'").replace("‘", "'")


def find_periods(text: str) -> list[Period]:
    """Periods written in ``text``, in order, without duplicates."""
    found: list[tuple[int, Period]] = []
    taken: list[tuple[int, int]] = []
    for pattern, kind in _PERIOD_PATTERNS:
        for m in pattern.finditer(text):
            a, b = m.group(1), m.group(2) if m.lastindex and m.lastindex > 1 else None
            if kind == "q":
                period = Period(_year(b or ""), int(a))
            elif kind == "yq":
                period = Period(int(a), int(b or 0))
            elif kind == "t":
                period = Period(int(m.group(3)), int(a or b or 0))
            elif kind == "wq":
                period = Period(int(b or 0), _QUARTER_WORDS[a.lower()])
            elif kind == "cn":
                period = Period(int(a), _CN_DIGITS.get(b or "", 0) or int(b or 0))
            elif kind == "fy":
                period = Period(_year(a), 0, fiscal=True)
            else:
                period = Period(int(a))
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


def find_entities(text: str) -> list[str]:
    """Canonical entities mentioned in ``text``, in order of first mention."""
    folded = fold(text)
    hits: list[tuple[int, str]] = []
    for canonical, aliases in ENTITY_ALIASES.items():
        positions = [p for alias in aliases if (p := _find_word(folded, alias)) >= 0]
        if positions:
            hits.append((min(positions), canonical))
    return [name for _, name in sorted(hits)]


def _find_word(folded: str, alias: str) -> int:
    if not alias.isascii():
        return folded.find(alias)
    m = re.search(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", folded)
    return m.start() if m else -1


def has_word(folded: str, words: tuple[str, ...]) -> bool:
    return any(_find_word(folded, w) >= 0 for w in words)


def find_metrics(text: str) -> list[str]:
    folded = fold(text)
    return [m for m, words in METRIC_WORDS.items() if has_word(folded, words)]


def aliases_of(entity: str) -> tuple[str, ...]:
    return ENTITY_ALIASES.get(entity, (entity.lower(),))


@dataclass(frozen=True)
class QueryPlan:
    """What a question asks for, after follow-up resolution."""

    text: str  # the standalone question used for retrieval
    entities: tuple[str, ...] = ()
    periods: tuple[Period, ...] = ()
    metrics: tuple[str, ...] = ()
    scope: str | None = None  # "china", "global" or None
    trend: bool = False
    why: bool = False
    original: str = ""
    notes: tuple[str, ...] = field(default=())

    def search_text(self) -> str:
        """Retrieval text with every alias of the asked-for entities, so AWS finds Amazon Web Services."""
        extra = [alias for e in self.entities for alias in aliases_of(e)[:3] if alias.isascii()]
        return " ".join([self.text, *extra])


def analyse(question: str) -> QueryPlan:
    folded = fold(question)
    scope = "china" if has_word(folded, CHINA_WORDS) else "global" if has_word(folded, GLOBAL_WORDS) else None
    return QueryPlan(
        text=question,
        entities=tuple(e for e in find_entities(question) if e not in {"Synergy Research Group", "Canalys", "Gartner", "IDC"}),
        periods=tuple(find_periods(question)),
        metrics=tuple(find_metrics(question)),
        scope=scope,
        trend=has_word(folded, TREND_WORDS),
        why=has_word(folded, WHY_WORDS),
        original=question,
    )


_FOLLOWUP_START = re.compile(
    r"^\s*(and|what about|how about|and what about|what of|same for|also|y|et|und|那|还有|¿y|y qué hay de|what was it|how did that|and in|and for)\b",
    re.I,
)
_PREVIOUS = re.compile(r"\b(previous|prior|last|preceding|earlier|before that)\s+(quarter|year|period)\b", re.I)
_NEXT = re.compile(r"\b(next|following|later)\s+(quarter|year|period)\b", re.I)


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

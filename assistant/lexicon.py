"""What the indexed articles themselves say about words and names.

Entities are not listed in code: a name in a question is looked up in the articles, as written, or
through another name the articles give it ("Full Name (ABBR)", "ABBR (Full Name)", a ticker glued to
a company name, an optional alias file), through its initials ("LFL" for "like-for-like", "DT" for
"Deutsche Telekom"), the letters of a ticker in order ("CRWV" in "CoreWeave"), or a close spelling
("Koukaryokou"). A name found nowhere is reported as absent; a word list in code may only add
spellings, never remove one.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

_WORD = re.compile(r"[^\W_][\w&'’.-]*[^\W_]|[^\W_]", re.U)
# "Oracle Cloud Infrastructure (OCI)", "(Nasdaq: CRWV)", "OCI (Oracle Cloud Infrastructure)".
_OPENS_LINE = re.compile(r"(?:[.!?:]\s*|(?:\n|^)\s*(?:[-*•▪◦‣·–—]\s+|\(?\w{1,2}[.)]\s+)?)$")
_LONG_SHORT = re.compile(r"((?:[A-Z][\w&'’.-]*\s+){0,5}[A-Z][\w&'’.-]*)\s+\((?:[A-Za-z ]+:\s*)?([A-Z][A-Za-z0-9&.]{1,9})\)")
# A measure spelled out in lower-case words before its initials: "gross marketplace volume (GMV)"
_TERM_SHORT = re.compile(r"((?:[a-z][\w-]*\s+){1,5}[a-z][\w-]*)\s+\(([A-Z]{2,6})\)")
_SHORT_LONG = re.compile(r"\b([A-Z][A-Z0-9&]{1,9})\s+\(((?:[A-Z][\w&'’.-]*\s+){0,5}[A-Z][\w&'’.-]*)\)")
# Common knowledge that may add spellings to a name (never needed for a name to be found).
KNOWN_ALIASES: dict[str, tuple[str, ...]] = {
    "aws": ("amazon web services", "amazon"),
    "gcp": ("google cloud platform", "google cloud"),
    "azure": ("microsoft azure", "microsoft"),
    "msft": ("microsoft",),
    "oci": ("oracle cloud infrastructure",),
    "nvda": ("nvidia",),
    "yoy": ("year on year", "year-on-year", "year over year", "year-over-year", "annual"),
    "qoq": ("quarter on quarter", "quarter-on-quarter", "quarter over quarter", "sequential", "sequentially"),
}


def fold_accents(text: str) -> str:
    """"América" -> "America", "Geschäftsjahr" -> "Geschaftsjahr": one spelling across languages."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_SMALL = frozenset("and of for the on over & de du des der und y et".split())
_FUNCTION = frozenset("that this these those which what who it its is was are were be been has had have not but".split())


# An article elided before a word in French or Italian ("l'osservatorio", "dell'anno", "d'arr").
_ELIDED = re.compile(r"^(?:[dlnsjc]|qu|dell|all|nell|dall|sull|un)'(?=\w)")


def _skip_to(letter: str) -> str:
    """A lookahead for ``letter`` in either case, to open a pattern searched over every article:
    the search skips to the letter rather than trying the pattern's assertions at every position
    (three times faster, the same matches)."""
    return f"(?=[{re.escape(letter.lower())}{re.escape(letter.upper())}])"


def words(text: str) -> list[str]:
    found = _WORD.findall(text.lower().replace("’", "'"))  # lower case first: one pass, same words
    if "'" not in text and "’" not in text:
        return found
    return [_ELIDED.sub("", w) if "'" in w else w for w in found]


_SUFFIXES = ("ations", "ation", "ments", "ment", "ships", "ship", "ings", "ing", "ers", "er", "edly", "ed", "ies",
             "es", "ance", "ence", "th", "ly", "s", "e")


@functools.lru_cache(maxsize=200_000)
def family(word: str) -> str:
    """The root a word shares with its relatives: growing, growth -> grow; partnership, partnering ->
    partner; guide, guidance -> guid. Coarse on purpose: it only matches words, it never names them."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


_DOTTED = re.compile(r"(?:[a-z]\.)+[a-z]")


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light English stem: possessive and plural endings off ("CoreWeave's" -> coreweave,
    "revenues" -> revenue, "companies" -> company), accents folded."""
    word = fold_accents(word.lower().replace("’", "'"))
    if word.endswith("'s"):
        word = word[:-2]
    word = word.rstrip("'.")
    if len(word) <= 5 and _DOTTED.fullmatch(word):
        word = word.replace(".", "")  # "U.S.", "U.K.": the same as "US", "UK"
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    if len(word) in (4, 5) and word.endswith("pus"):
        return word[:-1]  # "GPUs", "TPUs": plural of "processing unit" abbreviations, not "campus"
    return word


@dataclass
class Lexicon:
    """Word statistics and name spellings of an index, built from its chunk texts on first use."""

    texts: Sequence[str]
    aliases_meta: Iterable[str] = ()
    alias_file: Path | None = None
    df: Counter[str] = field(default_factory=Counter)
    caps: Counter[str] = field(default_factory=Counter)  # occurrences capitalised, not sentence-initial
    lower: Counter[str] = field(default_factory=Counter)  # occurrences in lower case
    aliases: dict[str, set[str]] = field(default_factory=dict)
    measure_acronyms: set[str] = field(default_factory=set)  # "gmv": initials of lower-case words, a measure
    _vocab: list[str] | None = None
    _initials_cache: dict[str, tuple[str, ...] | None] = field(default_factory=dict)
    _phrases: dict[tuple[str, ...], bool] = field(default_factory=dict)
    _repairs: dict[str, str | None] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls, texts: Sequence[str], aliases_meta: Iterable[str] = (), alias_file: Path | None = None) -> Lexicon:
        lex = cls(texts, aliases_meta, alias_file)
        for text in texts:
            seen = set()
            for m in _WORD.finditer(text):
                w = m.group(0)
                lw = stem(w)
                seen.add(lw)
                if w[0].isupper():
                    at = m.start()
                    before = text[max(0, at - 8) : at]
                    # (an item of a list opens a line as a sentence does: "  * Revenue NOK ...", "2) Revenue")
                    if at > 0 and not _OPENS_LINE.search(before):
                        lex.caps[lw] += 1
                else:
                    lex.lower[lw] += 1
            lex.df.update(seen)
            for long, short in _LONG_SHORT.findall(text):
                lex._alias(short, long)
            for short, long in _SHORT_LONG.findall(text):
                lex._alias(short, long)
            for long, short in _TERM_SHORT.findall(text):
                spelled = long.split()[-len(short):]
                if len(spelled) == len(short) and all(w[0] == c.lower() for w, c in zip(spelled, short, strict=True)):
                    lex.measure_acronyms.add(short.lower())
        for entry in aliases_meta:
            for pair in entry.split():
                short, _, long = pair.partition("=")
                if short and long:
                    lex._alias(short, long)
        for short, longs in KNOWN_ALIASES.items():
            for long in longs:
                lex._alias(short, long)
        if alias_file and alias_file.is_file():
            try:
                data = json.loads(alias_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
            for name, others in data.items() if isinstance(data, dict) else ():
                for other in [others] if isinstance(others, str) else others:
                    lex._alias(str(name), str(other))
                    lex._alias(str(other), str(name))
        return lex

    def _alias(self, short: str, long: str) -> None:
        short_key = " ".join(stem(w) for w in words(short))
        long_words = " ".join(stem(w) for w in words(long))
        if short_key and long_words and short_key != long_words:
            self.aliases.setdefault(short_key, set()).add(long_words)

    @property
    def n(self) -> int:
        return max(1, len(self.texts))

    def known(self, word: str) -> bool:
        return self.df.get(word, 0) > 0

    def share(self, word: str) -> float:
        """Share of chunks holding ``word``."""
        return self.df.get(word, 0) / self.n

    def capitalised(self, word: str) -> float:
        """How often the articles write ``word`` capitalised mid-sentence (0..1): a name's mark."""
        c, lo = self.caps.get(word, 0), self.lower.get(word, 0)
        return c / (c + lo) if c + lo else 0.0

    def phrase_used(self, phrase: tuple[str, ...]) -> bool:
        """Whether the articles write these words one after the other anywhere."""
        if phrase not in self._phrases:
            pattern = re.compile(_skip_to(phrase[0][:1]) + r"\b" + r"\W+".join(re.escape(w) for w in phrase), re.I)
            self._phrases[phrase] = any(pattern.search(text) for text in self.texts)
        return self._phrases[phrase]

    def vocab(self) -> list[str]:
        with self._lock:
            if self._vocab is None:
                # (in a fixed order: a typo two article words are as near to is repaired alike in every process)
                self._vocab = sorted(w for w in self.df if len(w) >= 4)
            return self._vocab

    # ---- finding a name --------------------------------------------------------------------

    def spellings(self, name: str, search: Callable[[re.Pattern[str]], str | None] | None = None) -> list[tuple[str, ...]]:
        """Ways the articles write ``name`` (each a tuple of stemmed words), best first; empty when
        the articles never write it. ``search`` finds a pattern in the articles' texts."""
        key = tuple(stem(w) for w in words(name))
        if not key:
            return []
        found: list[tuple[str, ...]] = []
        if all(self.known(w) for w in key):
            found.append(key)
        for long in self.aliases.get(" ".join(key), ()):
            spelled = tuple(long.split())
            if all(self.known(w) for w in spelled):
                found.append(spelled)
        raw = name.strip()
        acronym = re.fullmatch(r"[A-Za-z][A-Za-z&]{1,5}", raw) and (raw.isupper() or any(c.isupper() for c in raw[1:]))
        # Two letters the articles write as they are ("SK" of "SK hynix") are not initials of
        # whichever two words start with them ("South Korea").
        if search is not None and acronym and not (len(raw) == 2 and found):
            # Initials: "LFL" -> like-for-like, "DT" -> Deutsche Telekom, "CMA" -> Competition and
            # Markets Authority (the articles may use both).
            spelled_out = self._initials(raw, search)
            if spelled_out and spelled_out not in found:
                found.append(spelled_out)
        if found:
            return found
        if search is not None and acronym:
            letters = [c for c in raw.lower() if c.isalpha()]
            if len(letters) >= 3:
                # A ticker's letters in order within one name: "CRWV" -> CoreWeave, "MSFT" -> Microsoft.
                pattern = re.compile(r"\b" + letters[0] + "".join(rf"[a-z]*{c}" for c in letters[1:]) + r"[a-z]*\b", re.I)
                hit = search(pattern)
                if hit and hit[0].isupper():
                    return [(stem(hit),)]
        fixed = [self.closest(w) if not self.known(w) else w for w in key]
        if all(fixed):
            return [tuple(w for w in fixed if w)]
        if len(key) == 1 and raw[:1].isupper():
            root = self.root_name(key[0]) or self.people_word(key[0])
            if root:
                return [(root,)]
        return []

    def people_word(self, word: str) -> str | None:
        """The adjective the articles write for a place they never name: "europe" -> european,
        "africa" -> african, "canada" -> canadian (a capitalised article word formed from it)."""
        if len(word) < 4 or not word.isalpha():
            return None
        roots = [word, word[:-1]] if word[-1] in "aeiouy" else [word]
        for root in roots:
            for ending in ("an", "n", "ean", "ian", "ese", "ish", "ic", "i"):
                candidate = root + ending
                if candidate != word and self.known(candidate) and self.lower.get(candidate, 0) == 0:
                    return candidate
        return None

    def known_equivalents(self, term: str) -> frozenset[str]:
        """The words of other languages for ``term`` (see :func:`equivalents`) that the articles use,
        and the compounds the articles open on one ("Dividendenvorschlag" for a dividend)."""
        found = {a for a in equivalents(term) if self.known(a)}
        vocab = self.vocab()
        for a in equivalents(term):
            if len(a) >= 6:
                k = bisect.bisect_left(vocab, a)
                while k < len(vocab) and vocab[k].startswith(a):
                    found.add(vocab[k])
                    k += 1
        return frozenset(found)

    def root_name(self, word: str) -> str | None:
        """The name the articles write that an unknown word is formed from: "peruvian" -> peru,
        "kenyan" -> kenya (a capitalised article word it begins with, at most four letters
        shorter)."""
        if len(word) < 6 or not word.isalpha():
            return None
        for cut in range(1, 5):
            stem_ = word[:-cut]
            if len(stem_) >= 4 and self.known(stem_) and self.lower.get(stem_, 0) == 0:  # never lower-case
                return stem_
        return None

    def _initials(self, raw: str, search: Callable[[re.Pattern[str]], str | None]) -> tuple[str, ...] | None:
        if raw in self._initials_cache:
            return self._initials_cache[raw]
        letters = [c for c in raw.lower() if c.isalpha()]
        small_words = "and|of|for|the|on|over|&|de|du|des|der|und|y|et|in|to|a|an"
        # between the initials' words only the joining words of names and terms ("Competition and
        # Markets Authority", "return on investment"), not "a" or "the" ("company made an announcement")
        joining = "and|of|for|on|over|&|de|du|des|der|und|y|et"
        small = rf"(?:[\s-]+(?:{joining}))?"
        # "R&D", "M&A": the "&" stands for the "and" between the two words
        last_small = r"[\s-]+(?:and|&|und|et|y)" if "&" in raw and len(letters) == 2 else small
        pattern = re.compile(
            _skip_to(letters[0]) + rf"(?<![\w-])(?!(?:{small_words})\b)"
            + (small + r"[\s-]+").join(rf"{c}[\w']*" for c in letters[:-1])
            + rf"{last_small}[\s-]+(?!(?:{small_words})\b){letters[-1]}[\w']*(?![\w-])", re.I
        )
        hit = search(pattern)
        parts = [w for w in re.split(r"[\s-]+", hit) if w] if hit else []
        own = [w for w in parts if stem(w) not in _SMALL]
        # Initials stand for words written alike: all capitalised ("Deutsche Telekom") or all
        # lower-case ("like-for-like"; the first may open a sentence); "any mention of Deccan" is a
        # chance run of letters.
        alike = len({w[0].isupper() for w in own[1:]}) <= 1
        # (a run ending on a small word, "cloud market at" for CMA, is chance too; so is a run of
        # lower-case words with a word like "that" in it, or two lower-case words for two letters,
        # "disclosed that" for DT, unless joined by hyphens)
        lower = not any(w[0].isupper() for w in own[1:])
        chance = not parts or stem(parts[-1]) in _SMALL or (lower and (
            any(w.lower() in _FUNCTION for w in own)
            or (len(letters) < 3 and hit is not None and "-" not in hit and "&" not in raw)
        ))
        spelled = tuple(stem(w) for w in own) if len(parts) > 1 and alike and not chance else None
        self._initials_cache[raw] = spelled
        return spelled

    def repair(self, word: str, written: str = "") -> str | None:
        """For a word the articles never use, the article word it most likely is: a typo's
        ("prodcut" -> product) or a short form's ("rev" -> revenue); None for a known word. A word
        ``written`` as a word of English is no typo of another English word ("match" is not "march"),
        but may be written otherwise in another language's article ("absorption", "absorción")."""
        if self.n <= 1 or self.known(word) or not word.isalpha():
            return None
        key = f"{word} {written}"
        if key not in self._repairs:
            english = english_words()
            typo = self.closest(word, avoid=english if written.lower() in english else frozenset())
            self._repairs[key] = typo or self.complete(word)
        return self._repairs[key]

    def complete(self, word: str) -> str | None:
        """The commonest article word that ``word`` abbreviates ("rev" -> revenue), for a word the
        articles never use."""
        if len(word) < 3 or not word.isalpha():
            return None
        options = [w for w in self.vocab() if w.startswith(word) and len(w) > len(word) + 1]
        return max(options, key=lambda w: self.df[w]) if options else None

    def closest(self, word: str, avoid: frozenset[str] = frozenset()) -> str | None:
        """The article word a typo away from ``word`` (one edit or swap of neighbours; two in long
        words), starting with the same letter, if there is one (and not one of ``avoid``)."""
        if len(word) < 5 or not word.isalpha():
            return None
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        limit = 1 if len(word) < 8 else 2
        candidates = [w for w in self.vocab() if w[0] == word[0] and abs(len(w) - len(word)) <= limit and w not in avoid]
        hit = process.extractOne(word, candidates, scorer=OSA.distance, score_cutoff=limit)
        return hit[0] if hit else None


@functools.cache
def english_words() -> frozenset[str]:
    """The whole words of the encoder's English vocabulary (all-MiniLM-L6-v2's WordPiece list, 30k
    entries): a word in it is spelled right. Empty when the model's files are not at hand."""
    try:
        from assistant.embeddings import resolve_model_path

        data = json.loads((Path(resolve_model_path("all-MiniLM-L6-v2")) / "tokenizer.json").read_text(encoding="utf-8"))
        return frozenset(w for w in data["model"]["vocab"] if w.isalpha() and len(w) > 2)
    except Exception:  # (no model files: every unknown word may be a typo, as before)
        return frozenset()


# Words of other languages for what questions about the cloud market ask (a measure, a part of a
# year, a state of a data centre), so that a question in one language finds the sentences of an
# article in another: English words, then theirs. A match adds to a sentence's score; a missing
# entry never decides an answer.
_EQUIVALENT_WORDS = (
    "revenue revenues sales turnover earn earned | umsatz umsätze erlöse chiffre ingresos facturación ricavi "
    "fatturato omzet receita receitas faturamento przychody przychód przychodów intäkter omsättning pendapatan gelir geliri "
    "gelirleri",
    "profit profits income earnings | bénéfice gewinn beneficio beneficios utile winst lucro zysk zysku vinst laba kâr",
    "share | marktanteil anteil cuota participación quota aandeel marktaandeel participação udział marknadsandel pangsa "
    "payı",
    "growth grew grow | croissance wachstum crecimiento crescita groei crescimento wzrost tillväxt pertumbuhan büyüme",
    "capacity | capacité kapazität capacidad capacità capaciteit capacidade kapacitet kapasitas kapasite kapasitesi",
    "fiscal | exercice geschäftsjahr ejercicio esercizio boekjaar räkenskapsår fiskal",
    "quarter | trimestre quartal kwartaal kwartał kvartal kuartal çeyrek çeyrekte çeyreği",
    "half | semestre halbjahr halfjaar półrocze halvår",
    "investment investments capex invest invests investing invested | investissement investissements investition "
    "investitionen inversión inversiones investimento investimenti investering investeringen investimentos inwestycje "
    "investeringar investasi yatırım investir investira investit invertir invertirá invertiremos invierte investieren "
    "investiert investire investirà investeren investeert inwestować inwestuje investera investerer berinvestasi",
    "price prices | prix preis preise precio precios prezzo prezzi prijs prijzen preço preços ceny priser harga fiyat",
    "sovereign sovereignty | souverain souveraine souveraineté souverän souveräne souveränität soberano soberana "
    "soberanía sovrano sovrana sovranità soevereine soevereiniteit soberania suwerenny suwerenność suveren kedaulatan "
    "egemen",
    "customers | clients kunden clientes clienti klanten klienci klientów kunder pelanggan müşteri müşteriler müşterisi",
    "market | marché markt mercado mercato rynek rynku marknad pasar pazar pazarı",
    "construction | bau construcción costruzione aanbouw construção budowie pembangunan",
    "operational operating operation | betrieb operación operativa operativi operationeel operacional beroperasi",
    "employees engineers staff headcount workforce | employés ingénieurs mitarbeiter ingenieure empleados ingenieros "
    "dipendenti ingegneri "
    "medewerkers funcionários engenheiros pracownicy inżynierowie anställda ingenjörer karyawan insinyur",
    "target | objectif ziel objetivo obiettivo doel mål",
    "forecast guidance outlook | prévision prévisions prognose ausblick previsión previsione prognoza prognos proyeksi "
    "beklenti beklentisi tahmin",
    "contract | contrat vertrag contrato contratto umowa avtal kontrak",
    "value worth valuation | valeur wert valor valore waarde wartość nilai değer",
    "rent rents | loyer loyers miete mieten alquiler alquileres renta rentas affitto affitti huur aluguel aluguéis czynsz "
    "hyra sewa kira",
    "availability available | disponibilidad disponibilité verfügbarkeit disponibilità beschikbaarheid disponibilidade "
    "dostępność tillgänglighet ketersediaan",
    "occupancy utilisation utilization | ocupación taux d'occupation auslastung occupazione bezetting ocupação obłożenie "
    "beläggning okupansi doluluk",
    "vacancy | vacance leerstand vacancia sfitto leegstand vacância pustostany vakans kekosongan",
    "absorption absorbed absorb take-up | absorción absorbió absorbidos absorção absorvidos assorbimento assorbiti "
    "assorbito absorption absorbés absorbiert absorptie wchłonięcie",
    "leased lease leasing let | arrendada arrendado arrendados arrendadas arrendamiento alquilado alquilada alugado "
    "alugada locato locata affittato affittata affittati loué louée louées vermietet verhuurd wynajęty uthyrd disewa",
    "cost costs cost costed | costó coste costo costos custo custou coût coûté kosten kostete costato kosztował biaya",
    "dividend dividends | dividende dividenden dividendo dividendos dywidenda utdelning dividen temettü",
    "ebitda | favök",
    "margin margins | marge marges margen márgenes margine margini margem margens marża marży marj marjı",
    "spending spend | dépenses ausgaben gasto gastos spesa uitgaven wydatki utgifter belanja harcama",
    # (an acquisition is written as buying just as often: "agreed to buy X for $145 million")
    "acquisition acquisitions | acquire acquired acquiring buy buying bought purchase purchased takeover übernahme kauf "
    "adquisición compra acquisizione overname aquisição przejęcie förvärv akuisisi satın",
)


# Words that qualify a measure rather than name one ("the average wholesale rent"): translated the
# same way, but no measure of their own.
_EQUIVALENT_QUALIFIERS = (
    "average | moyenne moyen durchschnitt durchschnittlich promedio media medio gemiddeld gemiddelde média médio średnia "
    "genomsnitt genomsnittlig rata-rata ortalama",
    "wholesale | gros großhandel mayorista ingrosso groothandel atacado hurtowy grossist grosir toptan",
)


@functools.cache
def _equivalents() -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for line in (*_EQUIVALENT_WORDS, *_EQUIVALENT_QUALIFIERS):
        english, theirs = (frozenset(stem(w) for w in side.split()) for side in line.split("|"))
        for w in english:
            out[w] = out.get(w, frozenset()) | theirs
        for w in theirs:
            out[w] = out.get(w, frozenset()) | english | theirs
    return out


@functools.cache
def _measures() -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for line in _EQUIVALENT_WORDS:
        group = frozenset(stem(w) for w in line.replace("|", " ").split())
        for w in group:
            out[w] = out.get(w, frozenset()) | group
    return out


def measure_words() -> frozenset[str]:
    """Every stemmed word that names a listed measure, in any of the listed languages."""
    return frozenset(_measures())


def same_measure(term: str) -> frozenset[str]:
    """The stemmed words that name the same measure as ``term`` in English and other languages
    ("revenue": sales, turnover, umsatz, przychody ...), ``term`` included; empty for a word of
    no listed measure."""
    return _measures().get(term, frozenset())


def equivalents(term: str) -> frozenset[str]:
    """The stemmed words of other languages for ``term`` (an English word's translations; another
    language's word's English words and translations), itself excluded. A compound not listed is
    read by its last part, as German, Dutch and the Nordic languages build them ("nettogewinn":
    gewinn, a profit)."""
    table = _equivalents()
    found = table.get(term)
    if found is None:
        found = _compound_head(term)
    return found - {term}


@functools.cache
def _compound_head(term: str) -> frozenset[str]:
    table = _equivalents()
    for k in range(1, len(term) - 4):  # (a last part of five letters at least)
        head = term[k:]
        if head in table:
            return table[head] | {head}
    return frozenset()

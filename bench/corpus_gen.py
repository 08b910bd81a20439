"""A synthetic corpus for benchmarks, grown from the sample articles in ``corpus/``.

Each generated article takes the section outline of one sample article, keeps some of its
paragraphs and mixes in paragraphs from other articles in the same language, then varies the
providers, figures and periods it mentions. Front matter (title, date, publisher, url, author,
tags) is varied too and every title is unique, so the result reads like a real news feed of
about the same length per article as the sample.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import frontmatter

SAMPLE = Path(__file__).resolve().parent.parent / "corpus"

PROVIDERS = [
    "AWS", "Microsoft Azure", "Google Cloud", "Alibaba Cloud", "Oracle", "IBM Cloud",
    "Tencent Cloud", "Huawei Cloud", "CoreWeave", "Salesforce", "OVHcloud", "Baidu AI Cloud",
]
PUBLISHERS = [
    "Cloud Market Brief", "Strategy Desk Notes", "Hyperscale Ledger", "APAC Infra Weekly",
    "Euro Data Policy Review", "Datacentre Dispatch", "The Infra Observer", "Capex Quarterly",
    "Nube y Negocio", "Regional Cloud Monitor",
]
AUTHORS = [
    "Priya Raman", "Tomás Brennan", "Mei Lin Tan", "Marcus Lindqvist", "Dana Whitfield",
    "Rachel Okafor", "Lucía Fernández", "Jun Hao Chen", "Claire Vasseur", "Amara Osei",
    "Henrik Dahl", "Sofia Marques",
]
TOPICS = [
    "market share", "quarterly spending", "AI demand", "data centre build-out", "earnings",
    "pricing pressure", "sovereign cloud", "capacity crunch", "regional growth", "GPU supply",
    "enterprise adoption", "capex outlook",
]
ANGLES = [
    "what the numbers say", "a closer look", "the analysts' view", "winners and laggards",
    "what buyers should know", "the regional picture", "where growth comes from", "the long view",
]
_PERIOD = re.compile(r"\b(Q[1-4]) (20\d\d)\b")
_PERCENT = re.compile(r"(?<![\d.,])(\d[\d,]*)(?:\.\d+)?%")
_MONEY = re.compile(r"\$(\d{1,4})(?:\.(\d))? (billion|million)")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class _Sample:
    """One sample article split into its parts."""

    language: str
    tags: tuple[str, ...]
    sections: tuple[tuple[str, tuple[str, ...]], ...]  # (heading, paragraphs)


def load_samples(folder: Path = SAMPLE) -> list[_Sample]:
    """The sample articles as (heading, paragraphs) outlines."""
    samples = []
    for path in sorted(folder.glob("*.md")):
        post = frontmatter.load(path)
        raw_tags: Any = post.metadata.get("tags") or []
        tags = tuple(str(t) for t in raw_tags)
        sections: list[tuple[str, list[str]]] = [("", [])]
        for block in re.split(r"\n\s*\n", post.content):
            block = block.strip()
            if not block or block.startswith("# "):
                continue
            if block.startswith("## "):
                sections.append((block[3:].strip(), []))
            else:
                sections[-1][1].append(block)
        language = "es" if "espanol" in tags else "en"
        samples.append(
            _Sample(language, tags, tuple((h, tuple(p)) for h, p in sections if p))
        )
    return samples


def _vary(text: str, rng: random.Random, swap: dict[str, str], period: tuple[str, str]) -> str:
    """Swap providers, nudge figures and move periods, the way a new article would."""
    for old, new in swap.items():
        text = text.replace(old, f"\x00{new}\x00")
    text = text.replace("\x00", "")
    if rng.random() < 0.7:
        text = _PERIOD.sub(lambda m: f"{period[0]} {period[1]}", text)

    def percent(m: re.Match[str]) -> str:
        old = int(m.group(1).replace(",", ""))
        value = max(1, round(old * rng.uniform(0.7, 1.3)))
        return f"{min(value, 99) if old < 100 else value:,}%"

    def money(m: re.Match[str]) -> str:
        value = float(m.group(1)) * rng.uniform(0.6, 1.4)
        return f"${value:.1f} {m.group(3)}"

    return _MONEY.sub(money, _PERCENT.sub(percent, text))


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SLUG.sub("-", plain.lower()).strip("-")


def _article(i: int, samples: list[_Sample], rng: random.Random) -> tuple[str, str]:
    """(file name, Markdown text) of generated article number ``i``."""
    base = samples[i % len(samples)]
    same_language = [p for s in samples if s.language == base.language for _, ps in s.sections for p in ps]
    providers = rng.sample(PROVIDERS, len(PROVIDERS))
    swap = dict(zip(PROVIDERS, providers, strict=True)) if rng.random() < 0.8 else {}
    year = rng.randint(2021, 2026)
    quarter = rng.randint(1, 4)
    period = (f"Q{quarter}", str(year))
    subject = providers[0]
    title = (
        f"{subject} {rng.choice(TOPICS)} in Q{quarter} {year}: {rng.choice(ANGLES)} (no. {i + 1})"
    )
    if base.language == "es":
        title = f"{subject} en América Latina, T{quarter} {year}: {rng.choice(TOPICS)} (n.º {i + 1})"
    month = min(12, quarter * 3 + rng.randint(0, 2))
    date = f"{year}-{month:02d}-{rng.randint(1, 28):02d}"
    publisher = rng.choice(PUBLISHERS)
    slug = _slug(title)[:80]
    tags = ["cloud", *rng.sample(base.tags, min(3, len(base.tags))), _slug(subject)]

    parts = [f"# {title}", ""]
    for heading, paragraphs in base.sections:
        keep = rng.sample(paragraphs, max(1, round(len(paragraphs) * rng.uniform(0.4, 0.9))))
        keep += rng.sample(same_language, rng.randint(0, 1))
        rng.shuffle(keep)
        if heading:
            parts += [f"## {_vary(heading, rng, swap, period)}", ""]
        for paragraph in keep:
            parts += [_vary(paragraph, rng, swap, period), ""]
    front = {
        "title": title,
        "date": date,
        "publisher": publisher,
        "url": f"https://example.com/{_slug(publisher)}/{year}/{slug}",
        "author": rng.choice(AUTHORS),
        "tags": list(dict.fromkeys(tags)),
    }
    post = frontmatter.Post("\n".join(parts).rstrip() + "\n")
    post.metadata.update(front)
    return f"{slug}-{i:05d}.md", frontmatter.dumps(post) + "\n"


def generate(n_articles: int, out_dir: str | Path, seed: int = 0, *, start: int = 0) -> list[Path]:
    """Write ``n_articles`` Markdown articles (numbered from ``start``) into ``out_dir``.

    The same ``seed`` and numbers always give the same files; ``start`` lets a caller add
    articles that do not collide with earlier ones.
    """
    if n_articles < 0:
        raise ValueError(f"n_articles must be >= 0, got {n_articles}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    samples = load_samples()
    written = []
    for i in range(start, start + n_articles):
        name, text = _article(i, samples, random.Random(f"{seed}:{i}"))
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def sentences(n_articles: int = 60, seed: int = 0) -> list[str]:
    """Sentences of generated articles (for synthetic chunk texts), without writing files."""
    samples = load_samples()
    out: list[str] = []
    for i in range(n_articles):
        _, text = _article(i, samples, random.Random(f"{seed}:{i}"))
        body = text.split("\n---\n", 1)[-1]
        for block in re.split(r"\n\s*\n", body):
            if block.strip() and not block.lstrip().startswith("#"):
                out += [s.strip() for s in re.split(r"(?<=[.!?])\s+", block) if len(s.strip()) > 20]
    return out

"""Near-duplicate articles: a syndicated copy under a new headline, with a paragraph changed, is
the same report, not a second source.

Each article gets a MinHash signature (datasketch) of its word 4-shingles at ingest, stored with its
chunks; two articles whose estimated Jaccard similarity reaches :data:`THRESHOLD` are one source for
answering (never two confirmations of a figure) and the ingest summary lists them.
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Iterable

import numpy as np

PERMUTATIONS = 128
SCHEME = "affine32"  # datasketch's hashing scheme the signatures are made with
THRESHOLD = 0.6  # a copy with one paragraph of five changed scores about 0.7
_WORD = re.compile(r"\w+")


MIN_WORDS = 25  # a note of a line or two is not an article a wire would syndicate


def signature(text: str) -> str:
    """The MinHash signature of ``text``'s word 4-shingles, as base64 (stored as chunk metadata);
    empty for a text under :data:`MIN_WORDS` words."""
    words = _WORD.findall(text.lower())
    if len(words) < MIN_WORDS:
        return ""
    from datasketch import MinHash

    shingles = {" ".join(words[i : i + 4]).encode() for i in range(max(1, len(words) - 3))}
    m = MinHash(num_perm=PERMUTATIONS, seed=7, scheme=SCHEME, permutations=_permutations())
    m.update_batch(list(shingles))
    return base64.b64encode(np.asarray(m.hashvalues, dtype=np.uint64).tobytes()).decode("ascii")


@functools.cache
def _permutations() -> object:
    """The seeded permutations every signature is made with, drawn once per process (datasketch
    draws them again for each MinHash otherwise: a third of a signature's time)."""
    from datasketch import MinHash

    return MinHash(num_perm=PERMUTATIONS, seed=7, scheme=SCHEME).permutations


def _values(encoded: str) -> np.ndarray | None:
    try:
        values = np.frombuffer(base64.b64decode(encoded), dtype=np.uint64)
    except (ValueError, TypeError):
        return None
    return values if values.size == PERMUTATIONS else None


def similarity(a: str, b: str) -> float:
    va, vb = _values(a), _values(b)
    if va is None or vb is None:
        return 0.0
    return float(np.mean(va == vb))


def clusters(signatures: Iterable[tuple[str, str]]) -> dict[str, str]:
    """source -> the source that stands for its group of near-duplicates (the first by name).
    Candidates come from MinHash LSH banding (datasketch), so the work grows with the articles,
    not with their pairs; each candidate pair is then checked on the full signature."""
    from datasketch import LeanMinHash, MinHashLSH

    items = sorted((source, values) for source, sig in signatures if sig and (values := _values(sig)) is not None)
    parent = {source: source for source, _ in items}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=PERMUTATIONS)
    by_source = dict(items)
    for source, values in items:
        sketch = LeanMinHash(seed=7, hashvalues=values, scheme=SCHEME)
        for other in lsh.query(sketch):
            if float(np.mean(by_source[other] == values)) >= THRESHOLD:
                ra, rb = root(source), root(other)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
        lsh.insert(source, sketch)
    return {source: root(source) for source, _ in items}

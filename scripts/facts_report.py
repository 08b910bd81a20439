"""Print the facts read from a folder of articles, and how many figure sentences gave one.

    python scripts/facts_report.py corpus [more folders] [--sample N --sample-out FILE]

Recall here is the share of sentences holding a figure (a percentage, amount, quantity or count,
planted instructions left out) that yield at least one fact. ``--sample`` writes N facts chosen at
random (seeded) as JSON Lines with their sentence, for checking by hand whether entity, period and
value are right (precision).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from assistant.chunking import split_sentences
from assistant.facts import extract
from assistant.figures import find_figures
from assistant.instructions import instruction_spans
from assistant.loaders import SUPPORTED_SUFFIXES, read_document
from assistant.settings import load_settings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--sample", type=int, default=0)
    parser.add_argument("--sample-out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quiet", action="store_true", help="only the totals")
    args = parser.parse_args()
    limits = load_settings().limits
    rows: list[dict[str, object]] = []
    figure_sentences = covered = 0
    for folder in args.folders:
        for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() in SUPPORTED_SUFFIXES):
            doc = read_document(path, path.name, limits)
            planted = instruction_spans(doc.text)
            facts = extract(doc, planted)
            starts = {f.start for f in facts}
            for a, b in split_sentences(doc.text):
                if any(x < b and a < y for x, y in planted) or not find_figures(doc.text[a:b]):
                    continue
                figure_sentences += 1
                covered += any(a <= s < b for s in starts)
            for f in facts:
                row = {"source": path.name, **{k: getattr(f, k) for k in ("entity", "metric", "value", "value_max", "unit", "figure",
                       "period", "scope", "measured_by", "forecast")}, "quote": doc.text[f.start : f.end]}
                rows.append(row)
                if not args.quiet:
                    print(f"{path.name[:28]:28} {f.entity[:24]:24} {f.metric[:16]:16} {f.figure[:18]:18} "
                          f"{(f.period or '-')[:12]:12} {(f.scope or '-')[:10]:10} {(f.measured_by or '-')[:22]}")
    print(f"\n{len(rows)} facts; {covered} of {figure_sentences} figure sentences yield a fact "
          f"(recall {covered / max(1, figure_sentences):.2f})")
    if args.sample and args.sample_out:
        chosen = random.Random(args.seed).sample(rows, min(args.sample, len(rows)))
        with args.sample_out.open("w", encoding="utf-8") as out:
            for k, row in enumerate(chosen, start=1):
                out.write(json.dumps({"n": k, **row}, ensure_ascii=False) + "\n")
        print(f"{len(chosen)} facts written to {args.sample_out} for checking by hand")
    return 0


if __name__ == "__main__":
    sys.exit(main())

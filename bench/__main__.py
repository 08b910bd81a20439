"""``python -m bench [--quick] [--only NAME,...]``: run the benchmarks, print the table, write results.json."""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
import traceback

from bench.common import Context, log, quiet_environment
from bench.report import RESULTS, Figure, machine, table, write

# Run order matters a little: resync reuses the ingest benchmark's index and full-build time.
BENCHMARKS = [
    "ingest", "retrieval_quality", "resync", "incremental", "latency", "facts_api", "memory", "throughput", "coldstart",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes and few repetitions (< 3 minutes)")
    parser.add_argument("--only", default="", help=f"comma-separated subset of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder for inspection")
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE",
        help="override one size, e.g. --set ingest.articles=10 (values are JSON)",
    )
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or BENCHMARKS
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(BENCHMARKS)}")

    try:
        overrides = {k: json.loads(v) for k, _, v in (item.partition("=") for item in args.set)}
    except json.JSONDecodeError as exc:
        parser.error(f"--set values must be JSON: {exc}")

    quiet_environment()
    ctx = Context(quick=args.quick, overrides=overrides)
    log(f"{'quick' if args.quick else 'full'} run of {', '.join(names)}; scratch {ctx.work}")
    log(f"machine: {machine()}")
    figures: list[Figure] = []
    failed = 0
    started = time.perf_counter()
    try:
        for name in [n for n in BENCHMARKS if n in names]:
            begun = time.perf_counter()
            try:
                figures += importlib.import_module(f"bench.{name}").run(ctx)
            except Exception as exc:
                failed += 1
                traceback.print_exc()
                figures.append(Figure(f"{name}: failed", None, "", note=f"{type(exc).__name__}: {exc}"[:300]))
            log(f"{name} done in {time.perf_counter() - begun:.0f} s")
            write(figures)
    finally:
        if not args.keep:
            ctx.cleanup()
    print(table(figures))
    print(f"\n{time.strftime('%Y-%m-%d %H:%M')} on {platform.node()}: {machine()}")
    print(f"{len(figures)} figures in {time.perf_counter() - started:.0f} s -> {RESULTS}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmarks of the assistant against same-run baselines (``make bench``, ``python -m bench --quick``).

One module per benchmark, each with ``run(ctx) -> list[Figure]``; see BENCHMARKS.md.
"""

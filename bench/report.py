"""Benchmark figures: one record per measured number, a table on stdout and ``results.json``."""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results.json"
FIELDS = ("name", "value", "unit", "baseline", "baseline_value", "ratio", "target", "met")


@dataclass
class Figure:
    """One measured number, its same-run baseline and the target it is held to.

    ``ratio`` is ``value / baseline_value`` unless the benchmark states another ratio (for
    example a speed-up, baseline time over product time); ``met`` is None when there is no target.
    """

    name: str
    value: float | None
    unit: str
    baseline: str | None = None
    baseline_value: float | None = None
    ratio: float | None = None
    target: str | None = None
    met: bool | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if not data["note"]:
            data.pop("note")
        return data


def ratio(value: float | None, baseline: float | None) -> float | None:
    """``value / baseline``, or None when either is missing or the baseline is zero."""
    if value is None or not baseline:
        return None
    return value / baseline


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation between closest ranks."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if 0.99 <= abs(value) < 1:  # cosines and recalls near 1 keep their distinguishing digits
        return f"{value:.5f}"
    return f"{value:.4g}"


def table(figures: Sequence[Figure]) -> str:
    """A fixed-width table of the figures."""
    rows = [("figure", "value", "unit", "baseline", "ratio", "target", "met")]
    for f in figures:
        met = "-" if f.met is None else ("yes" if f.met else "NO")
        baseline = f"{f.baseline}: {_fmt(f.baseline_value)}" if f.baseline else "-"
        rows.append((f.name, _fmt(f.value), f.unit, baseline, _fmt(f.ratio), f.target or "-", met))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  {f.name}: {f.note}" for f in figures if f.note]
    return "\n".join(lines + (["", "notes:", *notes] if notes else []))


def write(figures: Sequence[Figure], path: Path = RESULTS) -> Path:
    """Write the figures as a JSON list (``path`` defaults to bench/results.json)."""
    path.write_text(json.dumps([f.to_dict() for f in figures], indent=2) + "\n", encoding="utf-8")
    return path


def machine() -> str:
    """nproc, CPU model, RAM and load average, for the record of a run."""
    import os

    cpu = "unknown CPU"
    ram = "unknown RAM"
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="ignore").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs ({cpu}), {ram}, load average {load}"


def markdown(figures: Sequence[Figure]) -> str:
    """The figures as a Markdown table (for BENCHMARKS.md)."""
    lines = ["| figure | value | baseline | ratio | target | met |", "|---|---|---|---|---|---|"]
    for f in figures:
        met = "n/a" if f.met is None else ("yes" if f.met else "**no**")
        baseline = f"{f.baseline}: {_fmt(f.baseline_value)}" if f.baseline else "-"
        value = f"{_fmt(f.value)} {f.unit}".strip()
        lines.append(f"| {f.name} | {value} | {baseline} | {_fmt(f.ratio)} | {f.target or '-'} | {met} |")
    return "\n".join(lines)


def load(path: Path = RESULTS) -> list[Figure]:
    """Figures back from a results.json."""
    return [Figure(**row) for row in json.loads(path.read_text(encoding="utf-8"))]

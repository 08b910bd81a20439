"""``assistant eval``: answer quality and retrieval quality on a question set.

The question set is JSON Lines; each line has ``id``, ``question`` and optionally ``kind``,
``history``, ``answerable`` (default true), ``gold_sources``, ``must_include`` (items are a string
or a list of alternatives) and ``must_not_include``. Matching is case-insensitive and
number-aware: "4%" does not match "14%" or "4.5%".
"""

from __future__ import annotations

import json
import re
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError, UsageError
from assistant.grounding import MARKER, number_supported, numbers, split_answer


def load_questions(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UsageError(f"cannot read question set {path}: {exc.strerror}") from None
    questions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}:{number}: invalid JSON: {exc.msg}") from None
        if not isinstance(item, dict) or not isinstance(item.get("question"), str):
            raise UsageError(f"{path}:{number}: each line needs a \"question\" string")
        item.setdefault("id", f"line-{number}")
        questions.append(item)
    if not questions:
        raise UsageError(f"{path}: no questions")
    return questions


def contains(text: str, needle: str) -> bool:
    """Case-insensitive; a needle starting or ending with a digit must not touch other digits."""
    pattern = re.escape(needle.lower())
    if needle[:1].isdigit() or needle[:1] in "$€£¥":
        pattern = r"(?<![\d.,])" + pattern
    if needle[-1:].isdigit():
        pattern = pattern + r"(?!\d|[.,]\d)"
    elif needle[-1:] == "%":
        pattern = pattern + r"(?![\d%])"
    return re.search(pattern, text.lower()) is not None


def includes(text: str, item: str | list[str]) -> bool:
    options = [item] if isinstance(item, str) else item
    return any(contains(text, option) for option in options)


def grounded_numbers(answer: dict[str, Any]) -> tuple[int, int]:
    """(figures in the answer found in the passages their sentence cites, figures in all); figures
    the question itself states (a period it asks about, named in "not given for ...") are not counted."""
    by_n = {c["n"]: c for c in answer.get("citations", [])}
    ok = total = 0
    if answer.get("abstained"):
        return 0, 0  # an abstention states no figures (it may name the periods asked about)
    asked = numbers(str(answer.get("question") or ""))
    for sentence in split_answer(answer.get("answer", "")):
        cited = [by_n[int(n)] for n in MARKER.findall(sentence) if int(n) in by_n]
        support = " ".join(" ".join(str(c.get(k) or "") for k in ("quote", "title", "date", "publisher")) for c in cited)
        available = numbers(support) | asked
        for figure in numbers(MARKER.sub("", sentence)):
            total += 1
            ok += number_supported(figure, available)
    return ok, total


def score_answer(q: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    answerable = q.get("answerable", True)
    text = answer.get("answer", "")
    abstained = bool(answer.get("abstained"))
    include_ok = all(includes(text, item) for item in q.get("must_include", []))
    exclude_ok = not any(includes(text, item) for item in q.get("must_not_include", []))
    correct = (not abstained and include_ok and exclude_ok) if answerable else abstained
    gold = set(q.get("gold_sources", []))
    cited = {c["source"] for c in answer.get("citations", [])}
    ok, total = grounded_numbers(answer)
    return {
        "id": q["id"],
        "kind": q.get("kind", "all"),
        "answerable": answerable,
        "abstained": abstained,
        "correct": correct,
        "gold_cited": bool(gold & cited) if gold and answerable else None,
        "numbers_grounded": ok,
        "numbers_total": total,
        "latency_ms": answer.get("timings_ms", {}).get("total"),
        "answer": text,
        "missing": [i for i in q.get("must_include", []) if not includes(text, i)],
    }


def evaluate(assistant: Any, questions: list[dict[str, Any]], k: int = 8) -> dict[str, Any]:
    """Ask every question and score the answers and the retrieval."""
    rows = []
    for q in questions:
        try:
            answer = assistant.ask(q["question"], q.get("history"), q.get("filters"), id=q["id"]).to_dict()
        except AssistantError as exc:
            answer = {"answer": f"error: {exc}", "abstained": False, "citations": [], "error": str(exc)}
        row = score_answer(q, answer)
        gold = set(q.get("gold_sources", []))
        if gold and row["answerable"]:
            plan = assistant.plan(q["question"], assistant.clean_history(q.get("history")))
            passages = assistant.searcher.search(plan, k=k)
            ranks = [r for r, p in enumerate(passages, start=1) if p.source in gold]
            row["recall_at_k"] = 1.0 if ranks else 0.0
            row["reciprocal_rank"] = 1.0 / ranks[0] if ranks else 0.0
        rows.append(row)
    kinds: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        kinds[row["kind"]].append(row)
    report = {"overall": summarise(rows), "by_kind": {kind: summarise(r) for kind, r in sorted(kinds.items())}, "k": k}
    report["questions"] = rows
    return report


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    abstained = [r for r in rows if r["abstained"]]
    gold = [r["gold_cited"] for r in rows if r["gold_cited"] is not None]
    recall = [r["recall_at_k"] for r in rows if "recall_at_k" in r]
    rr = [r["reciprocal_rank"] for r in rows if "reciprocal_rank" in r]
    latencies = sorted(r["latency_ms"] for r in rows if r["latency_ms"] is not None)
    figures = sum(r["numbers_total"] for r in rows)

    def ratio(a: float, b: float) -> float | None:
        return round(a / b, 4) if b else None

    return {
        "questions": len(rows),
        "accuracy": ratio(sum(r["correct"] for r in rows), len(rows)),
        "gold_source_cited": ratio(sum(gold), len(gold)),
        "abstention_precision": ratio(sum(not r["answerable"] for r in abstained), len(abstained)),
        "abstention_recall": ratio(sum(r["abstained"] for r in unanswerable), len(unanswerable)),
        "false_abstention_rate": ratio(sum(r["abstained"] for r in answerable), len(answerable)),
        "numbers_grounded": ratio(sum(r["numbers_grounded"] for r in rows), figures) if figures else 1.0,
        "recall_at_k": ratio(sum(recall), len(recall)),
        "mrr": ratio(sum(rr), len(rr)),
        "latency_p50_ms": round(statistics.median(latencies), 2) if latencies else None,
        "latency_p95_ms": round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 2) if latencies else None,
    }


_COLUMNS = [
    ("questions", "n"), ("accuracy", "acc"), ("gold_source_cited", "gold"),
    ("abstention_precision", "abs.P"), ("abstention_recall", "abs.R"), ("false_abstention_rate", "false.abs"),
    ("numbers_grounded", "grounded"), ("recall_at_k", "R@k"), ("mrr", "MRR"),
    ("latency_p50_ms", "p50 ms"), ("latency_p95_ms", "p95 ms"),
]


def format_report(report: dict[str, Any]) -> str:
    header = f"{'kind':<18}" + "".join(f"{label:>10}" for _, label in _COLUMNS)
    lines = [header, "-" * len(header)]
    rows = [*report["by_kind"].items(), ("overall", report["overall"])]
    for name, stats in rows:
        cells = "".join(f"{'-' if stats[key] is None else stats[key]:>10}" for key, _ in _COLUMNS)
        lines.append(f"{name:<18}{cells}")
    failed = [q for q in report["questions"] if not q["correct"]]
    if failed:
        lines.append("")
        lines.append(f"incorrect ({len(failed)}): " + ", ".join(q["id"] for q in failed))
    return "\n".join(lines)

"""A bounded load test: 16 clients ask questions for 30 s while an upload is ingested.

It asserts only correctness (every request answered with 200 and its own answer object); the
latency and throughput figures are printed and written to tests/artifacts/load.json.
"""

from __future__ import annotations

import json
import random
import statistics
import threading
import time
from typing import Any

import httpx
import pytest

from tests.conftest import ARTIFACTS, REPO
from tests.test_api import NEW_ARTICLE, NEW_QUESTION, NEW_SOURCE, ingested_copy, serving

pytestmark = [pytest.mark.server, pytest.mark.slow]

CLIENTS = 16
DURATION_S = 30.0
UPLOAD_AFTER_S = 5.0
QUESTIONS = REPO / "tests" / "qa" / "questions.jsonl"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def test_concurrent_questions_during_an_upload_all_succeed(tmp_path_factory: pytest.TempPathFactory) -> None:
    corpus, index = ingested_copy(tmp_path_factory.mktemp("load"))
    questions = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    latencies: list[float] = []
    failures: list[str] = []
    upload: dict[str, Any] = {}
    lock = threading.Lock()

    with serving(index, corpus) as base:
        start = time.monotonic()
        deadline = start + DURATION_S

        def client(seed: int) -> None:
            rng = random.Random(seed)
            with httpx.Client(base_url=base, timeout=300) as http:
                while time.monotonic() < deadline:
                    item = rng.choice(questions)
                    body = {"id": item["id"], "question": item["question"], "history": item.get("history")}
                    began = time.perf_counter()
                    try:
                        response = http.post("/api/ask", json=body)
                        ok = response.status_code == 200 and response.json().get("id") == item["id"]
                        problem = "" if ok else f"{item['id']}: {response.status_code} {response.text[:200]}"
                    except httpx.HTTPError as exc:
                        problem = f"{item['id']}: {type(exc).__name__}: {exc}"
                    with lock:
                        latencies.append(time.perf_counter() - began)
                        if problem:
                            failures.append(problem)

        def uploader() -> None:
            time.sleep(UPLOAD_AFTER_S)
            began = time.perf_counter()
            response = httpx.post(f"{base}/api/documents", files={"files": (NEW_SOURCE, NEW_ARTICLE.encode())},
                                  timeout=300)
            upload.update(status=response.status_code, body=response.json(), seconds=time.perf_counter() - began,
                          finished_at_s=time.monotonic() - start)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        threads.append(threading.Thread(target=uploader))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - start
        after = httpx.post(f"{base}/api/ask", json={"question": NEW_QUESTION}, timeout=120).json()

    figures = {
        "clients": CLIENTS,
        "duration_s": round(elapsed, 1),
        "requests": len(latencies),
        "errors": len(failures),
        "requests_per_s": round(len(latencies) / elapsed, 2),
        "latency_p50_s": round(statistics.median(latencies), 3),
        "latency_p95_s": round(percentile(latencies, 0.95), 3),
        "latency_max_s": round(max(latencies), 3),
        "upload_status": upload.get("status"),
        "upload_ingest_s": round(upload.get("seconds", 0.0), 2),
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "load.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print("\nload test:", json.dumps(figures))

    assert failures == [], failures[:5]
    assert latencies, "no request completed"
    assert upload["status"] == 200 and upload["body"]["added"] == 1, upload
    assert NEW_SOURCE in {c["source"] for c in after["citations"]}, after

"""Benchmark 6: requests per second of ``assistant serve`` under 16 concurrent loopback clients.

Each client sends ``POST /api/ask`` in a loop, cycling through the evaluation questions, for a
fixed time. Baseline: one client asking sequentially for the same time on the same server.
"""

from __future__ import annotations

import threading
import time

from bench.common import Context, api_available, log, questions, sample_index, serve
from bench.report import Figure, percentile

CLIENTS = 16


def load(url: str, texts: list[str], clients: int, seconds: float) -> tuple[float, list[float], int]:
    """(requests/s, latencies in ms, failed requests) of ``clients`` looping clients."""
    import httpx

    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(offset: int) -> None:
        with httpx.Client(base_url=url, timeout=120) as http:
            k = offset
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    ok = http.post("/api/ask", json={"question": texts[k % len(texts)]}).status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    failures[0] += not ok
                k += clients

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / (time.perf_counter() - started), latencies, failures[0]


def run(ctx: Context) -> list[Figure]:
    seconds = ctx.pick("throughput.seconds", 20.0, 5.0)
    name = f"serve throughput, {CLIENTS} clients"
    if not api_available():
        return [Figure(name, None, "req/s", note="skipped: assistant/api.py does not exist yet")]
    texts = [q["question"] for q in questions()]
    index = sample_index(ctx)
    with serve(index, index.parent / "corpus") as server:
        ctx.shared.setdefault("serve_ready_s", []).append(server.ready_s)
        load(server.url, texts[:5], 1, 2.0)  # warm: snapshot, model, first-request paths
        one_rps, one_lat, one_fail = load(server.url, texts, 1, seconds)
        many_rps, many_lat, many_fail = load(server.url, texts, CLIENTS, seconds)
    log(f"throughput: {many_rps:.1f} req/s with {CLIENTS} clients vs {one_rps:.1f} req/s sequential")
    return [
        Figure(
            name, many_rps, "req/s", "1 client sequential", one_rps, many_rps / one_rps,
            note=f"{seconds:g} s each; failed requests: {many_fail} concurrent, {one_fail} sequential",
        ),
        Figure(
            f"serve p95 latency, {CLIENTS} clients", percentile(many_lat, 95), "ms",
            "1 client sequential p95", percentile(one_lat, 95), percentile(many_lat, 95) / percentile(one_lat, 95),
        ),
    ]

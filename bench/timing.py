"""How the read benchmarks time a measure: one way, shared by cases_bench, pages_bench,
analytics_bench and dashboard_bench.

A measure runs once untimed (its first run also decides whether it is slow), then ``warmup``
times untimed (once for a slow one), once more to count its queries, then ``repeat`` times timed
(``slow_runs`` for a slow one), with ``time.perf_counter``. Medians and nearest-rank p95s are in
milliseconds.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.org_tree import QueryCounter, percentile


@dataclass(frozen=True)
class Timing:
    measure: str
    runs: int
    median_ms: float
    p95_ms: float
    queries: int
    size: int = 0  # bytes of the answer, for a measure that returns an HTTP response


def measure(
    name: str,
    run: Callable[[], Any],
    repeat: int,
    *,
    warmup: int = 5,
    slow_ms: float = 250.0,
    slow_runs: int = 10,
) -> Timing:
    """Time ``run`` as the module docstring says. A run that returns an HTTP response must
    answer below 400, else the benchmark stops: a timed error page measures nothing."""
    from django.db import connection

    started = time.perf_counter()
    first = run()
    first_ms = (time.perf_counter() - started) * 1000
    status = getattr(first, "status_code", None)
    if status is not None and status >= 400:
        raise SystemExit(f"{name}: {status} {getattr(first, 'content', b'')[:300]!r}")
    warmup, runs = (1, min(repeat, slow_runs)) if first_ms > slow_ms else (warmup, repeat)
    for _ in range(warmup):
        run()
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        answer = run()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    median = statistics.median(timings)
    print(f"  {median:9.2f} ms  {counter.count:3d} q  {name}", flush=True)
    size = len(getattr(answer, "content", b"") or b"")
    return Timing(name, runs, median, percentile(timings, 0.95), counter.count, size)

"""Helpers shared by the benchmarks: timing medians/p95, a big generated plan, machine description."""
from __future__ import annotations

import os
import platform
import statistics
import time
from typing import Callable

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "resources", "examples")


def timings(fn: Callable[[], object], repeat: int = 50, warmup: int = 3, *, cpu: bool = False) -> list[float]:
    """Seconds per call, ``repeat`` calls after ``warmup``; ``cpu``: this thread's CPU time rather than the wall
    clock (the machine is shared: other processes then don't count)."""
    clock = time.thread_time if cpu else time.perf_counter
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        t0 = clock()
        fn()
        out.append(clock() - t0)
    return out


def median_ms(ts: list[float]) -> float:
    return statistics.median(ts) * 1000


def p95_ms(ts: list[float]) -> float:
    s = sorted(ts)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))] * 1000


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
            mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (f"{cpu}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def big_plan_text(lines: int = 200, months: int = 60) -> str:
    """A plan with ``lines`` line items spread over every section (for engine speed)."""
    kinds = [
        "compute:\n  training:\n"
        + "".join(f"    - {{name: T{i}, gpu: H100-80GB, gpus: 8, hours: {10 + i}, every: 3, month: 1}}\n"
                  for i in range(20))
        + "  inference:\n"
        + "".join(f"    - {{name: S{i}, gpu: L4, requests_per_month: {i + 1}M, growth: 5%, input_tokens: 800, "
                  "output_tokens: 200, tokens_per_second_per_gpu: 2000, min_gpus: 1}\n" for i in range(30))
        + "  exploration:\n"
        + "".join(f"    - {{name: E{i}, gpu: A10G, people: 3, hours_per_week: 20, idle_share: 30%}}\n"
                  for i in range(20)),
        "data:\n  storage:\n"
        + "".join(f"    - {{name: D{i}, size_tb: {i + 1}, growth_tb_per_month: 0.5, "
                  "lifecycle: [{after_days: 90, tier: infrequent}]}\n" for i in range(30))
        + "  egress:\n"
        + "".join(f"    - {{name: X{i}, tb_per_month: 2, kind: internet, growth: 3%}}\n" for i in range(20)),
        "services:\n  apis:\n"
        + "".join(f"    - {{name: A{i}, provider: openai, model: {'gpt-4o' if i % 2 else 'gpt-4o-mini'}, "
                  f"requests_per_month: {i + 1}00k, growth: 4%, input_tokens: 1000, output_tokens: 300, "
                  "cached_input_share: 30%}\n" for i in range(40)),
        "annotation:\n"
        + "".join(f"  - {{name: L{i}, task: bounding_box, items: 10k, review_passes: 1.2, month: 1, every: 6}}\n"
                  for i in range(15)),
        "mlops:\n" + "".join(f"  - {{name: M{i}, kind: log_ingest_gb, quantity: 100}}\n" for i in range(15)),
        "people:\n" + "".join(f"  - {{name: P{i}, hours_per_month: 20, hourly_rate: 90}}\n" for i in range(10)),
    ]
    return f"format: aicost-plan/1\nname: Big\nstart: 2027-01\nmonths: {months}\nprovider: aws\n" + "".join(kinds)

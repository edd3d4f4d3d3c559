"""Engine speed: projecting a 60-month, 200-line plan; `aicost report` wall time with start-up."""
from __future__ import annotations

import os
import subprocess
import sys
import time

from benchmarks.common import EXAMPLES, big_plan_text, median_ms, p95_ms, timings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run() -> dict:
    from pricing import engine, planfile
    from pricing.catalog import Catalog
    catalog = Catalog.load()
    plan = planfile.loads(big_plan_text(200, 60))
    n_lines = sum(1 for _ in plan.lines())
    ts = timings(lambda: engine.project(plan, catalog), repeat=100)
    example = planfile.load(os.path.join(EXAMPLES, "support-assistant.yaml"))
    ts_ex = timings(lambda: engine.project(example, catalog), repeat=200)
    walls = []
    for _ in range(7):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "gui", "report", os.path.join(EXAMPLES, "support-assistant.yaml")],
                       cwd=ROOT, check=True, capture_output=True)
        walls.append(time.perf_counter() - t0)
    walls.sort()
    return {
        "title": "Engine (issue 2)",
        "rows": [
            (f"project() 60 months x {n_lines} lines, median", f"{median_ms(ts):.2f} ms", "<= 5 ms"),
            (f"project() 60 months x {n_lines} lines, p95", f"{p95_ms(ts):.2f} ms", ""),
            ("project() support-assistant example, median", f"{median_ms(ts_ex):.2f} ms", ""),
            ("`aicost report` example, wall incl. start-up, median of 7", f"{walls[3] * 1000:.0f} ms", "<= 500 ms"),
        ],
    }


if __name__ == "__main__":
    for row in run()["rows"]:
        print(" | ".join(row))

"""Engine speed: projecting a 60-month, 200-line plan; `aicost report` wall time with start-up."""
from __future__ import annotations

import os
import subprocess
import sys
import time

from benchmarks.common import EXAMPLES, big_plan_text, median_ms, p95_ms, timings
from pricing.load import load_checked, loads_checked

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run() -> dict:
    from pricing import engine
    from pricing.catalog import Catalog
    catalog = Catalog.load()
    plan = loads_checked(big_plan_text(200, 60))
    n_lines = sum(1 for _ in plan.lines())
    ts = timings(lambda: engine.project(plan, catalog), repeat=100)
    example = load_checked(os.path.join(EXAMPLES, "support-assistant.yaml"))
    ts_ex = timings(lambda: engine.project(example, catalog), repeat=200)
    import tempfile
    env = dict(os.environ, AICOST_CACHE_DIR=tempfile.mkdtemp(prefix="aicost-bench-"))
    walls = []
    for _ in range(8):  # the first run has an empty memo of token counts and API models (cold)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "gui", "report", os.path.join(EXAMPLES, "support-assistant.yaml")],
                       cwd=ROOT, check=True, capture_output=True, env=env)
        walls.append(time.perf_counter() - t0)
    cold, walls = walls[0], sorted(walls[1:])
    return {
        "title": "Engine (issue 2)",
        "rows": [
            (f"project() 60 months x {n_lines} lines, median", f"{median_ms(ts):.2f} ms", "<= 5 ms"),
            (f"project() 60 months x {n_lines} lines, p95", f"{p95_ms(ts):.2f} ms", ""),
            ("project() support-assistant example, median", f"{median_ms(ts_ex):.2f} ms", ""),
            ("`aicost report` example, wall incl. start-up, median of 7 warm runs", f"{walls[3] * 1000:.0f} ms",
             "<= 500 ms"),
            ("`aicost report` example, first run (cold memo: loads o200k_base and genai-prices)",
             f"{cold * 1000:.0f} ms", ""),
        ],
    }


if __name__ == "__main__":
    for row in run()["rows"]:
        print(" | ".join(row))

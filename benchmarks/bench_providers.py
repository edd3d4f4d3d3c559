"""`aicost providers` speed (issue 20): the whole command per example (a fresh process), and compare() in-process."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import EXAMPLES, median_ms, timings  # noqa: E402

RUNS = 5
"""Fresh processes per example (each imports the app and loads catalog, plan and genai-prices anew)."""


def _command_seconds(path: str) -> list[float]:
    out = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "gui", "providers", path, "--json"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        out.append(time.perf_counter() - t0)
    return out


def run() -> dict:
    from pricing import providers
    from pricing.load import load_checked
    from pricing.catalog import Catalog

    catalog = Catalog.load()
    rows, worst = [], 0.0
    for name in sorted(os.listdir(EXAMPLES)):
        if not name.endswith(".yaml"):
            continue
        path = os.path.join(EXAMPLES, name)
        plan = load_checked(path, catalog)
        cmp = providers.compare(plan, catalog)
        inproc = timings(partial(providers.compare, plan, catalog), repeat=20, warmup=2)
        cmd = median_ms(_command_seconds(path))
        worst = max(worst, cmd)
        cells = len(cmp.lines) * len(cmp.providers)
        rows.append((f"`aicost providers {name} --json`, whole command in a fresh process "
                     f"({len(cmp.lines)} lines x {len(cmp.providers)} providers = {cells} cells), median of {RUNS}",
                     f"{cmd:.0f} ms", "<= 1000 ms"))
        rows.append((f"providers.compare() on {name}, in-process after a warm-up, median of 20",
                     f"{median_ms(inproc):.1f} ms", ""))
    return {"title": "Providers side by side (issue 20)", "rows": rows,
            "notes": [f"Slowest example: {worst:.0f} ms for the whole command against the 1 s target. The command "
                      "time includes starting Python, importing the engine and genai-prices, and reading the catalog."]}


if __name__ == "__main__":
    from benchmarks.run_all import render
    print("\n".join(render(run())))

"""Monte Carlo and tornado speed (issue 7): 10,000 samples of a 60-month example plan; the tornado."""
from __future__ import annotations

import dataclasses
import os

from benchmarks.common import EXAMPLES, median_ms, timings
from pricing.load import load_checked


def run() -> dict:
    from pricing import uncertainty
    from pricing.catalog import Catalog
    catalog = Catalog.load()
    rows = []
    for name in ("support-assistant.yaml", "finetuned-open-model.yaml", "vision-inhouse.yaml"):
        plan = dataclasses.replace(load_checked(os.path.join(EXAMPLES, name)), months=60)
        ranges = len(uncertainty.declared_inputs(plan))
        mc = timings(lambda plan=plan: uncertainty.monte_carlo(plan, catalog, samples=10_000), repeat=7, warmup=1)
        tor = timings(lambda plan=plan: uncertainty.tornado(plan, catalog), repeat=20, warmup=2)
        inputs = len(uncertainty.tornado(plan, catalog).bars)
        rows.append((f"Monte Carlo 10,000 samples, {name} at 60 months ({ranges} ranges), median",
                     f"{median_ms(mc):.0f} ms", "<= 200 ms"))
        rows.append((f"Tornado, {name} ({inputs} inputs), median", f"{median_ms(tor):.1f} ms", "<= 50 ms"))
    return {"title": "Uncertainty (issue 7)", "rows": rows}


if __name__ == "__main__":
    for row in run()["rows"]:
        print(" | ".join(row))

"""Scenario speed: every scenario of each example plan evaluated with its Shapley attribution (target <= 50 ms)."""
from __future__ import annotations

import os
import sys

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.common import EXAMPLES, median_ms, p95_ms, timings  # noqa: E402
from pricing.load import load_checked

TARGET_MS = 50.0

EIGHT = """\
format: aicost-plan/1
name: Eight strategies
start: 2027-01
months: 24
provider: aws
compute:
  training:
    - {name: Train, gpu: H100-80GB, gpus: 8, hours: 40, month: 1, every: 2}
  inference:
    - {name: Serve, gpu: L4, requests_per_month: 40M, growth: 5%, output_tokens: 100, tokens_per_second_per_gpu: 1000}
  exploration:
    - {name: Notebooks, gpu: A10G, people: 4, hours_per_week: 30, idle_share: 40%}
data:
  storage:
    - {name: Images, size_tb: 10, growth_tb_per_month: 1}
    - {name: Features, size_tb: 5, growth_tb_per_month: 0.5}
  egress:
    - {name: Out, tb_per_month: 2}
services:
  apis:
    - {name: Answers, provider: openai, model: gpt-4o, requests_per_month: 1M, input_tokens: 1000, output_tokens: 100}
    - {name: Triage, provider: openai, model: gpt-4o-mini, requests_per_month: 1M, input_tokens: 500, output_tokens: 10}
annotation:
  - {name: Boxes, task: bounding_box, items: 10k, month: 1}
mlops:
  - {name: Logs, kind: log_ingest_gb, quantity: 100}
people:
  - {name: Toil, hours_per_month: 10, hourly_rate: 100}
scenarios:
  - name: Eight
    strategies:
      spot: {interruption_overhead: 10%}
      quantization: {}
      reserved: {discount: 20%}
      auto_shutdown: {idle_cut: 50%}
      api_cache: {hit_rate: 20%}
      prompt_caching: {cached_share: 50%}
      lifecycle: {after_days: 30, tier: infrequent}
      compression: {share: 20%}
"""


def run() -> dict:
    from pricing import engine, planfile, scenarios
    from pricing.catalog import Catalog

    catalog = Catalog.load()
    rows = []
    worst = 0.0
    for name in sorted(f for f in os.listdir(EXAMPLES) if f.endswith(".yaml")):
        plan = load_checked(os.path.join(EXAMPLES, name), catalog)
        k = max((len(s.strategies) for s in plan.scenarios), default=0)

        def all_scenarios(plan=plan) -> None:  # this iteration's plan
            for r in scenarios.evaluate_all(plan, catalog):
                scenarios.attribution_cents(r)

        ts = timings(all_scenarios, repeat=30)
        worst = max(worst, median_ms(ts))
        rows.append((f"{name}: {len(plan.scenarios)} scenarios (up to {k} strategies), baseline + Shapley "
                     "+ cents, median", f"{median_ms(ts):.1f} ms", f"<= {TARGET_MS:g} ms"))
        rows.append((f"{name}: p95", f"{p95_ms(ts):.1f} ms", ""))

    # the worst exact case: 8 strategies (2^8 = 256 subsets) on a plan with a line for each
    plan = planfile.loads(EIGHT)
    base = engine.project(plan, catalog)
    ts8 = timings(lambda: scenarios.evaluate(plan, plan.scenarios[0], catalog, base), repeat=10, warmup=1)
    rows.append(("8 strategies (256 subsets), 13-line plan, median", f"{median_ms(ts8):.1f} ms", ""))
    return {"title": "Savings scenarios (issue 4)", "rows": rows,
            "notes": [f"Worst example median {worst:.1f} ms against the {TARGET_MS:g} ms target."]}


if __name__ == "__main__":
    result = run()
    for row in result["rows"]:
        print(" | ".join(row))
    for note in result["notes"]:
        print(note)

"""A small generated plan for correctness tests at scale: lines in every section, ranges, a platform markup,
price overrides and three scenarios (one of 8 strategies, one that self-hosts API lines, one that switches
models). Deterministic for a seed; benchmarks/bigplans.py makes the big ones the benchmarks time."""
from __future__ import annotations

import random

_SECTIONS = ("training", "fine_tuning", "inference", "exploration", "storage", "egress", "apis", "annotation",
             "mlops", "people")


def _value(r: random.Random, ranged: bool, value: float, whole: bool = False) -> str:
    if not ranged or r.random() < 0.4:
        return f"{value:g}"
    if whole:
        return f"{{low: {max(1, int(value) - 1)}, likely: {int(value)}, high: {int(value) + 2}}}"
    return f"{{low: {value * 0.7:g}, likely: {value:g}, high: {value * 1.6:g}}}"


def _line(r: random.Random, kind: str, i: int, months: int, ranged: bool) -> str:
    v = lambda x, whole=False: _value(r, ranged, x, whole)  # noqa: E731
    if kind in ("training", "fine_tuning"):
        size = (f"params: {r.choice(('1B', '8B'))}, tokens: {r.choice(('500M', '2B'))}, mfu: 40%" if r.random() < 0.3
                else f"hours: {v(r.randint(4, 80))}")
        return (f"{{name: {kind} {i}, gpu: {r.choice(('H100-80GB', 'A100-80GB'))}, gpus: {r.choice((1, 8))}, "
                f"{size}, runs: {r.choice((1, 2))}, month: {r.randint(1, months)}, every: {r.choice((1, 3, 6))}}}")
    if kind == "inference":
        return (f"{{name: serving {i}, gpu: {r.choice(('L4', 'L40S'))}, "
                f"requests_per_month: {v(r.randint(1, 50) * 1e5)}, "
                f"growth: 4%, input_tokens: 800, output_tokens: 200, tokens_per_second_per_gpu: {v(2000)}, "
                f"utilization: 60%, min_gpus: {r.choice((1, 2))}}}")
    if kind == "exploration":
        return (f"{{name: notebooks {i}, gpu: A10G, people: {v(r.randint(2, 5), whole=True)}, "
                f"hours_per_week: {v(20)}, idle_share: 40%}}")
    if kind == "storage":
        cycle = ", lifecycle: [{after_days: 90, tier: infrequent}]" if r.random() < 0.3 else ""
        return (f"{{name: data {i}, size_tb: {v(round(r.uniform(0.5, 30), 1))}, growth_tb_per_month: "
                f"{v(round(r.uniform(0.1, 2), 2))}, tier: standard{cycle}}}")
    if kind == "egress":
        return f"{{name: egress {i}, tb_per_month: {v(round(r.uniform(0.1, 5), 2))}, kind: internet, growth: 2%}}"
    if kind == "apis":
        model = r.choice(("gpt-4o", "gpt-4o-mini"))
        return (f"{{name: api {i}, provider: openai, model: {model}, requests_per_month: {v(r.randint(1, 90) * 1e4)}, "
                f"growth: 5%, input_tokens: {v(1000)}, output_tokens: {v(300)}, cached_input_share: 20%}}")
    if kind == "annotation":
        return (f"{{name: labels {i}, task: bounding_box, items: {v(r.randint(1, 50) * 1000)}, review_passes: 1.25, "
                f"month: {r.randint(1, months)}}}")
    if kind == "mlops":
        return f"{{name: logs {i}, kind: log_ingest_gb, quantity: {v(r.randint(50, 500))}}}"
    return f"{{name: toil {i}, hours_per_month: {v(r.choice((10, 40)))}, hourly_rate: {r.choice((80, 110))}}}"


SCENARIOS = """scenarios:
  - name: Frugal
    strategies:
      spot: {applies_to: [training, fine_tuning], interruption_overhead: 10%}
      reserved: {applies_to: [inference], discount: 30%}
      auto_shutdown: {idle_cut: 80%}
      api_cache: {hit_rate: 20%}
      prompt_caching: {cached_share: 80%}
      lifecycle: {after_days: 90, tier: infrequent}
      compression: {share: 30%}
      annotation_reduction: {share: 40%}
  - name: Self-host
    strategies:
      self_host: {api: [api 0, api 1], gpu: L40S, tokens_per_second_per_gpu: 1500}
      quantization: {throughput_gain: 1.6}
  - name: Cheaper models
    strategies:
      model_switch: {model: gpt-4.1-nano}
"""


def plan_text(lines: int = 60, seed: int = 0, months: int = 24) -> str:
    """A plan of ``lines`` plan lines (at least one API line in every plan: the scenarios name two)."""
    r = random.Random(seed)
    counts = {k: max(1, lines // len(_SECTIONS)) for k in _SECTIONS}
    counts["apis"] = max(2, counts["apis"] + lines - sum(counts.values()))
    body = {k: [_line(r, k, i, months, r.random() < 0.25) for i in range(n)] for k, n in counts.items()}
    out = ["format: aicost-plan/1", f"name: Generated {lines}", "start: 2027-01", f"months: {months}", "provider: aws",
           f"monthly_budget: {lines}k", "compute:"]
    for group in ("training", "fine_tuning", "inference", "exploration"):
        out += [f"  {group}:"] + [f"    - {x}" for x in body[group]]
    out += ["data:", "  storage:"] + [f"    - {x}" for x in body["storage"]]
    out += ["  egress:"] + [f"    - {x}" for x in body["egress"]]
    out += ["services:", "  platform: {name: sagemaker, markup: 15%, applies_to: [training, inference]}", "  apis:"]
    out += [f"    - {x}" for x in body["apis"]]
    for top in ("annotation", "mlops", "people"):
        out += [f"{top}:"] + [f"  - {x}" for x in body[top]]
    out += ["prices:", "  gpu.H100-80GB.aws.on_demand: 3.90"]
    return "\n".join(out) + "\n" + SCENARIOS

"""Realistic big plans for the speed-at-scale benchmarks: N lines over every section, ranges and scenarios.

``plan_text(1000)`` is a plan of 1,000 plan lines (line items) the way a large AI organisation would
write one: many teams' training and fine-tuning runs (some sized from parameters and tokens), serving
fleets (some with a measured throughput), notebooks, storage with lifecycle rules, egress, a managed
platform's markup, API lines on several models, labelling batches, MLOps units and people's toil, a
few price overrides, and two savings scenarios (one with 8 strategies: the most the exact Shapley
split takes). About one line in eight gives some of its inputs as ranges. The text is deterministic
(a seeded ``random.Random``), in the block style the app saves, so load times are realistic too.
"""
from __future__ import annotations

import random
from collections.abc import Callable

SHARES = (
    ("compute.training", 0.08), ("compute.fine_tuning", 0.04), ("compute.inference", 0.10),
    ("compute.exploration", 0.08), ("data.storage", 0.15), ("data.egress", 0.10), ("services.apis", 0.20),
    ("annotation", 0.08), ("mlops", 0.10), ("people", 0.07),
)
"""Share of the plan's lines in each list section (they sum to 1)."""

RANGED = 0.125
"""Share of lines that give some of their inputs as ranges."""

_GPUS_TRAIN = ("H100-80GB", "A100-80GB", "A100-40GB", "H200-141GB")
_GPUS_SERVE = ("L4", "L40S", "A10G", "H100-80GB")
_GPUS_DEV = ("A10G", "L4", "T4", "L40S")
_MODELS = (("openai", "gpt-4o"), ("openai", "gpt-4o-mini"), ("openai", "text-embedding-3-small"),
           ("openai", "gpt-4.1-mini"), ("anthropic", "claude-3-5-haiku-latest"), ("openai", "gpt-4.1"))
_TASKS = ("bounding_box", "text_classification", "image_classification")
_MLOPS = ("k8s_control_plane", "load_balancer", "log_ingest_gb", "ci_minutes")
_TEAMS = ("Search", "Support", "Vision", "Fraud", "Ads", "Docs", "Voice", "Risk", "Legal", "Growth")


def counts(lines: int) -> dict[str, int]:
    """How many lines each section gets (largest remainder, so they add up to ``lines``)."""
    raw = {s: share * lines for s, share in SHARES}
    out = {s: int(v) for s, v in raw.items()}
    for s in sorted(raw, key=lambda s: -(raw[s] - out[s]))[:lines - sum(out.values())]:
        out[s] += 1
    return out


def _range(r: random.Random, value: float, fmt: str = "{:g}") -> str:
    """A value as a range around it: ``{low: .., likely: .., high: ..}`` or ``value ± k%`` (whole numbers
    stay whole: ``fmt`` ``{:d}``)."""
    if fmt == "{:d}":
        return f"{{low: {max(1, int(value * 0.7))}, likely: {int(value)}, high: {int(value * 1.5) + 1}}}"
    if r.random() < 0.5:
        return f"{fmt.format(value)} ± {r.choice((10, 20, 30))}%"
    lo, hi = value * r.uniform(0.6, 0.9), value * r.uniform(1.1, 1.8)
    return "{low: " + fmt.format(lo) + ", likely: " + fmt.format(value) + ", high: " + fmt.format(hi) + "}"


def _value(r: random.Random, ranged: bool, value: float, fmt: str = "{:g}") -> str:
    return _range(r, value, fmt) if ranged and r.random() < 0.6 else fmt.format(value)


def _name(r: random.Random, what: str, i: int) -> str:
    return f"{r.choice(_TEAMS)} {what} {i}"


def _training(r: random.Random, i: int, months: int, ranged: bool, what: str) -> list[str]:
    gpu = r.choice(_GPUS_TRAIN)
    out = [f"- name: {_name(r, what, i)}", f"  gpu: {gpu}", f"  gpus: {r.choice((1, 2, 4, 8, 16))}"]
    if r.random() < 0.3:  # sized from the model and its tokens
        out += [f"  params: {r.choice(('1B', '3B', '8B', '13B'))}", f"  tokens: {r.choice(('500M', '2B', '5B'))}",
                f"  mfu: {_value(r, ranged, r.choice((0.35, 0.4, 0.45)), '{:.0%}')}"]
    else:
        out.append(f"  hours: {_value(r, ranged, r.randint(4, 120))}")
    out += [f"  runs: {r.choice((1, 1, 2, 4, 12))}", f"  month: {r.randint(1, min(months, 24))}"]
    if r.random() < 0.5:
        out.append(f"  every: {r.choice((1, 3, 6, 12))}")
    if r.random() < 0.2:
        out.append("  pricing: spot")
    return out


def _inference(r: random.Random, i: int, months: int, ranged: bool) -> list[str]:
    out = [f"- name: {_name(r, 'serving', i)}", f"  gpu: {r.choice(_GPUS_SERVE)}",
           f"  requests_per_month: {_value(r, ranged, r.randint(1, 400) * 100_000)}",
           f"  growth: {_value(r, ranged, r.choice((0.0, 0.02, 0.05, 0.08)), '{:.1%}')}",
           f"  input_tokens: {r.choice((200, 800, 1500, 3000))}", f"  output_tokens: {r.choice((50, 200, 400))}",
           f"  tokens_per_second_per_gpu: {_value(r, ranged, r.choice((800, 1500, 2400, 3400)))}",
           f"  utilization: {r.choice(('50%', '60%', '70%'))}", f"  min_gpus: {r.choice((1, 2, 2, 4))}"]
    if r.random() < 0.2:
        out.append(f"  start: {r.randint(1, min(months, 12))}")
    return out


def _exploration(r: random.Random, i: int, ranged: bool) -> list[str]:
    return [f"- name: {_name(r, 'notebooks', i)}", f"  gpu: {r.choice(_GPUS_DEV)}",
            f"  people: {_value(r, ranged, r.randint(1, 8), '{:d}')}",
            f"  hours_per_week: {_value(r, ranged, r.choice((10, 20, 25, 30)))}",
            f"  idle_share: {r.choice(('30%', '35%', '40%', '50%'))}"]


def _storage(r: random.Random, i: int, ranged: bool) -> list[str]:
    out = [f"- name: {_name(r, 'data', i)}", f"  size_tb: {_value(r, ranged, round(r.uniform(0.1, 60), 1))}",
           f"  growth_tb_per_month: {_value(r, ranged, round(r.uniform(0, 3), 2))}",
           "  tier: standard", f"  kind: {r.choice(('raw', 'processed', 'checkpoints', 'feature_store'))}"]
    if r.random() < 0.3:
        out += ["  lifecycle:", f"    - {{after_days: {r.choice((30, 90))}, tier: infrequent}}"]
    return out


def _egress(r: random.Random, i: int, ranged: bool) -> list[str]:
    return [f"- name: {_name(r, 'egress', i)}", f"  tb_per_month: {_value(r, ranged, round(r.uniform(0.05, 20), 2))}",
            f"  kind: {r.choice(('internet', 'inter_region', 'inter_az'))}",
            f"  growth: {r.choice(('0%', '2%', '5%'))}"]


def _api(r: random.Random, i: int, ranged: bool) -> list[str]:
    provider, model = r.choice(_MODELS)
    out = [f"- name: {_name(r, 'API', i)}", f"  provider: {provider}", f"  model: {model}",
           f"  requests_per_month: {_value(r, ranged, r.randint(1, 300) * 10_000)}",
           f"  growth: {_value(r, ranged, r.choice((0.0, 0.03, 0.06, 0.1)), '{:.1%}')}",
           f"  input_tokens: {_value(r, ranged, r.choice((200, 600, 1200, 2500)))}"]
    if "embedding" not in model:
        out.append(f"  output_tokens: {_value(r, ranged, r.choice((20, 150, 350, 600)))}")
        if r.random() < 0.5:
            out.append(f"  cached_input_share: {r.choice(('20%', '50%', '70%'))}")
    return out


def _annotation(r: random.Random, i: int, months: int, ranged: bool) -> list[str]:
    out = [f"- name: {_name(r, 'labels', i)}", f"  task: {r.choice(_TASKS)}",
           f"  items: {_value(r, ranged, r.randint(1, 200) * 1000)}",
           f"  review_passes: {r.choice((1, 1.25, 2))}", f"  month: {r.randint(1, min(months, 24))}"]
    if r.random() < 0.4:
        out.append(f"  every: {r.choice((3, 6))}")
    return out


def _mlops(r: random.Random, i: int, ranged: bool) -> list[str]:
    kind = r.choice(_MLOPS)
    qty = {"k8s_control_plane": r.randint(1, 3), "load_balancer": r.randint(1, 4),
           "log_ingest_gb": r.randint(50, 800), "ci_minutes": r.randint(5, 40) * 1000}[kind]
    return [f"- name: {_name(r, kind.replace('_', ' '), i)}", f"  kind: {kind}",
            f"  quantity: {_value(r, ranged, qty)}"]


def _people(r: random.Random, i: int, ranged: bool) -> list[str]:
    return [f"- name: {_name(r, 'toil', i)}", f"  hours_per_month: {_value(r, ranged, r.choice((10, 20, 40, 80)))}",
            f"  hourly_rate: {r.choice((80, 95, 110, 130))}"]


def _indent(block: list[str], by: str) -> list[str]:
    return [by + line for line in block]


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
      annotation_reduction: {share: 40%, method: active_learning}
  - name: Cheaper models
    strategies:
      model_switch: {model: gpt-4.1-nano, provider: openai}
      quantization: {throughput_gain: 1.6}
"""
"""Two scenarios: 8 strategies (exact Shapley over 256 subsets) and 2."""


def plan_text(lines: int = 1000, months: int = 36, seed: int = 13) -> str:
    """A plan of ``lines`` plan lines over every section, with ranges and scenarios (deterministic)."""
    r = random.Random(seed)
    n = counts(lines)
    # one writer per section, given the line's number and whether it has ranges
    writers: dict[str, Callable[[int, bool], list[str]]] = {
        "compute.training": lambda i, ranged: _training(r, i, months, ranged, "training"),
        "compute.fine_tuning": lambda i, ranged: _training(r, i, months, ranged, "fine-tune"),
        "compute.inference": lambda i, ranged: _inference(r, i, months, ranged),
        "compute.exploration": lambda i, ranged: _exploration(r, i, ranged),
        "data.storage": lambda i, ranged: _storage(r, i, ranged),
        "data.egress": lambda i, ranged: _egress(r, i, ranged),
        "services.apis": lambda i, ranged: _api(r, i, ranged),
        "annotation": lambda i, ranged: _annotation(r, i, months, ranged),
        "mlops": lambda i, ranged: _mlops(r, i, ranged),
        "people": lambda i, ranged: _people(r, i, ranged),
    }
    body: dict[str, list[str]] = {}
    for section, k in n.items():
        block: list[str] = []
        for i in range(k):
            ranged = r.random() < RANGED
            block += writers[section](i, ranged)
        body[section] = block
    out = ["# Generated by benchmarks/bigplans.py: a large organisation's plan (speed at scale, issue 13)",
           "format: aicost-plan/1", f"name: Big plan ({lines:,} lines)", "currency: USD", "start: 2027-01",
           f"months: {months}", "provider: aws", f"monthly_budget: {lines * 2}k", "compute:"]
    for group in ("training", "fine_tuning", "inference", "exploration"):
        if body[f"compute.{group}"]:
            out += [f"  {group}:", *_indent(body[f"compute.{group}"], "    ")]
    out.append("data:")
    for group in ("storage", "egress"):
        if body[f"data.{group}"]:
            out += [f"  {group}:", *_indent(body[f"data.{group}"], "    ")]
    out += ["services:", "  platform: {name: sagemaker, markup: 15%, applies_to: [training, inference]}"]
    if body["services.apis"]:
        out += ["  apis:", *_indent(body["services.apis"], "    ")]
    for top in ("annotation", "mlops", "people"):
        if body[top]:
            out += [f"{top}:", *_indent(body[top], "  ")]
    out += ["prices:", "  gpu.H100-80GB.aws.on_demand: 3.90", "  gpu.L4.aws.on_demand: 0.75"]
    return "\n".join(out) + "\n" + SCENARIOS


def write(path: str, lines: int = 1000, months: int = 36, seed: int = 13) -> str:
    """Write ``plan_text`` to ``path`` (for the CLI and GUI benchmarks); returns the path."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(plan_text(lines, months, seed))
    return path


if __name__ == "__main__":
    import sys
    sys.stdout.write(plan_text(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))

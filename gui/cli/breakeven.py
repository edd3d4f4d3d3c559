"""`aicost breakeven`: the monthly volume at which self-hosting an API line gets cheaper than the API."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from gui.cli.common import EXIT_OK


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser("breakeven", help="monthly volume at which self-hosting an API line gets cheaper")
    p.add_argument("plan", help="plan file (YAML)")
    p.add_argument("--api", required=True, metavar="NAME", help="name of the API line (services.apis)")
    p.add_argument("--gpu", metavar="GPU",
                   help="catalog GPU to self-host on (default: the plan's self_host scenario's)")
    p.add_argument("--model-family", metavar="NAME",
                   help="model served, from the catalog's families, e.g. llama-3.1-70b: the GPUs are sized from the "
                        "model and the GPU (default: the plan's self_host scenario's)")
    p.add_argument("--params", metavar="N", help="total parameters of the model served, e.g. 70B (with or without a "
                                                 "family)")
    p.add_argument("--active-params", metavar="N", help="parameters each token uses (mixture-of-experts), e.g. 22B")
    p.add_argument("--precision", metavar="P", help="bf16 (default), fp8, fp4 or int4")
    p.add_argument("--tensor-parallel", metavar="N", help="GPUs per replica: 1, 2, 4 or 8 (default: automatic)")
    p.add_argument("--ttft-ms", metavar="MS", help="time-to-first-token target")
    p.add_argument("--tpot-ms", metavar="MS", help="time-per-output-token target")
    p.add_argument("--peak-to-average", metavar="X", help="busiest hour / average hour (default: the catalog's)")
    p.add_argument("--tokens-per-second", metavar="N",
                   help="a measured throughput of one GPU for this model: wins over the model (default: the plan's "
                        "self_host scenario's)")
    p.add_argument("--utilization", metavar="X", help="average share of capacity used, e.g. 60%% (default 60%%)")
    p.add_argument("--min-gpus", metavar="N", help="GPUs always running (default 1)")
    p.add_argument("--provider", metavar="P", help="cloud the GPUs are rented from (default: the plan's)")
    p.add_argument("--pricing", metavar="HOW", help="on_demand (default), spot or reserved")
    p.add_argument("--max-volume", metavar="N", help="largest volume of the chart grid (default: automatic)")
    p.add_argument("--json", action="store_true", help="print a JSON document (see docs/scenarios.md)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from pricing.load import load_checked  # deferred: numpy, yaml and the engine are ~150 ms of `aicost --help`
    from pricing import breakeven as be
    from pricing.catalog import Catalog
    from pricing.errors import PlanError, Problem
    from pricing.fields import field, strategy_param
    from pricing.quantities import parse_number

    catalog = Catalog.load()
    plan = load_checked(args.plan, catalog)
    be.api_line(plan, args.api)  # an unknown name fails first, with suggestions
    given = be.self_host_defaults(plan, args.api)
    problems: list[Problem] = []

    def read(flag: str, text: str | None, fn: Any) -> Any:
        if text is None:
            return None
        try:
            return fn(text)
        except PlanError as exc:
            problems.append(Problem(f"{flag}: {exc.problems[0].message}"))
            return None

    def param(key: str) -> Any:  # the self_host strategy's parameter in the schema: same limits, same messages
        return strategy_param("self_host", key).read

    tps = read("--tokens-per-second", args.tokens_per_second, param("tokens_per_second_per_gpu"))
    served: dict[str, Any] = {}
    for flag, key in (("--model-family", "model_family"), ("--params", "params"), ("--active-params", "active_params"),
                      ("--precision", "precision"), ("--tensor-parallel", "tensor_parallel"), ("--ttft-ms", "ttft_ms"),
                      ("--tpot-ms", "tpot_ms"), ("--peak-to-average", "peak_to_average")):
        value = read(flag, getattr(args, key), param(key))
        if value is not None:
            served[key] = value
    util = read("--utilization", args.utilization, param("utilization"))
    min_gpus = read("--min-gpus", args.min_gpus, param("min_gpus"))
    most = field("services.apis", "requests_per_month").limits.maximum  # a volume no API line may exceed either
    max_volume = read("--max-volume", args.max_volume, lambda t: parse_number(t, allow_zero=False, maximum=most))
    pricing = read("--pricing", args.pricing, param("pricing"))
    if problems:
        raise PlanError(problems)
    gpu = args.gpu or given.get("gpu")
    if not served and tps is None:  # nothing said on the command line: what the plan's self_host scenario serves
        served = {k: v for k, v in given.items() if k in be.SERVED}
        tps = given.get("tokens_per_second_per_gpu")
    missing = [flag for flag, v in (("--gpu", gpu),) if v is None]
    if tps is None and "model_family" not in served and "params" not in served:
        missing.append("--model-family (or --params, or a measured --tokens-per-second)")
    if missing:
        raise PlanError(f"give {' and '.join(missing)}: the plan has no self_host scenario for {args.api!r} to "
                        "take them from (the GPUs are sized from the model served and the GPU)")
    def default(key: str) -> Any:  # the plan's self_host scenario, else the strategy's default in the schema
        return given.get(key, strategy_param("self_host", key).default)

    util = util if util is not None else default("utilization")
    result = be.breakeven(
        plan, args.api, gpu, tokens_per_second_per_gpu=tps, utilization=util,
        min_gpus=min_gpus if min_gpus is not None else default("min_gpus"),
        provider=args.provider or given.get("provider"),
        pricing=pricing or default("pricing"), throughput_basis=default("throughput_basis"),
        catalog=catalog, max_volume=max_volume, **served)
    doc = breakeven_data(result, tps, util)
    if args.json:
        json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(breakeven_text(result, doc))
    return EXIT_OK


def _num(x: float | None, digits: int = 6) -> float | None:
    if x is None:
        return None
    return round(float(x), digits) if x != float("inf") else None


def breakeven_data(r: Any, tokens_per_second: float, utilization: float) -> dict:
    """The `aicost breakeven --json` document."""
    from pricing.rounding import cents_to_float, to_cents
    return {
        "api": r.api, "model": r.model, "gpu": r.gpu, "provider": r.provider, "pricing": r.pricing.value,
        "currency": r.currency,
        "tokens_per_second_per_gpu": tokens_per_second, "sized_by": "measured" if r.measured else "serving model",
        "tensor_parallel": r.tensor_parallel, "gpus_per_instance": r.gpus_per_unit,
        "utilization": utilization, "min_gpus": r.min_gpus,
        "cost_per_request": _num(r.cost_per_request, 8),
        "gpu_month": cents_to_float(int(to_cents(r.gpu_month)[0])),
        "requests_per_gpu": _num(r.requests_per_gpu, 3),
        "breakeven_volume": _num(r.breakeven, 3),
        "stays_cheaper_from": _num(r.stays_cheaper_from, 3),
        "current_volume": {"first_month": _num(r.current[0], 3), "last_month": _num(r.current[1], 3)},
        "grid": {"volumes": [_num(v, 3) for v in r.volumes],
                 "api_cost": cents_to_float(to_cents(r.api_cost)),
                 "self_hosted_cost": cents_to_float(to_cents(r.self_cost)),
                 "gpus": [int(g) for g in r.gpus]},
        "notes": list(r.notes),
    }


def breakeven_text(r: Any, doc: dict) -> str:
    """The `aicost breakeven` text: the figures, then costs at each decade of volume and at the line's own."""
    import math

    from pricing.rounding import money
    cur = r.currency
    vol = lambda v: "never" if v is None else f"{v:,.0f} requests a month"  # noqa: E731
    per_gpu = "unlimited (no tokens to generate)" if doc["requests_per_gpu"] is None else \
        f"{doc['requests_per_gpu']:,.0f} requests a month"
    lines = [f"Break-even: {r.api} ({r.model}) against self-hosting on {r.gpu} at {r.provider} ({r.pricing.value})", "",
             f"  API cost per 1k requests     {money(r.cost_per_request * 1000, cur)}",
             f"  One GPU for a month          {money(doc['gpu_month'], cur)}",
             f"  One GPU serves               {per_gpu} "
             + (f"({doc['tokens_per_second_per_gpu']:g} tokens/s at {doc['utilization']:.0%} utilization)"
                if r.measured else f"(the serving model at {doc['utilization']:.0%} utilization; see the notes)"),
             f"  GPUs always paid             {r.min_gpus}",
             f"  Break-even volume            {vol(r.breakeven)}"]
    if r.breakeven is None:
        lines.append("                               (the API costs less per request than a fully used GPU: "
                     "self-hosting is never cheaper, at any volume)")
    else:
        lines.append(f"  Self-hosting stays cheaper   from {vol(r.stays_cheaper_from)}"
                     if r.stays_cheaper_from is not None else
                     "  Self-hosting stays cheaper   never for good (API and GPUs tie at every full GPU)")
    lines += [f"  This line's volume           {r.current[0]:,.0f} (first month) .. {r.current[1]:,.0f} (last month)",
              "", f"  {'requests/month':>16}  {'API/month':>14}  {'self-hosted/month':>18}  {'GPUs':>6}"]
    shown = sorted({10 ** k for k in range(int(math.log10(r.volumes[0])) + 1, int(math.log10(r.volumes[-1])) + 1)}
                   | {round(v) for v in (*r.current, r.breakeven) if v})
    for v in shown:
        lines.append(f"  {v:>16,.0f}  {money(r.api_at(v), cur):>14}  {money(r.self_at(v), cur):>18}  {r.gpus_at(v):>6}")
    lines += [""] + [f"Note: {n}" for n in r.notes]
    return "\n".join(lines) + "\n"

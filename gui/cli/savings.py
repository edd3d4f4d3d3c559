"""`aicost savings`: what each savings scenario of a plan saves, and which strategy saves what (Shapley)."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from gui.cli.common import EXIT_OK


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser("savings",
                              help="what each savings scenario of a plan saves, and which strategy saves what")
    p.add_argument("plan", help="plan file (YAML)")
    p.add_argument("--json", action="store_true", help="print a JSON document (see docs/scenarios.md)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from pricing.load import load_checked  # deferred: numpy, yaml and the engine are ~150 ms of `aicost --help`
    from pricing import engine, scenarios
    from pricing.catalog import Catalog
    from pricing.rounding import cents_to_float, rounded_matrix

    catalog = Catalog.load()
    plan = load_checked(args.plan, catalog)
    baseline = engine.project(plan, catalog)
    results = [scenarios.evaluate(plan, s, catalog, baseline) for s in plan.scenarios]
    base_cents = int(rounded_matrix(baseline).sum())
    doc = {
        "name": plan.name, "currency": plan.currency,
        "months": [str(m) for m in baseline.months],
        "baseline_total": cents_to_float(base_cents),
        "scenarios": [dict(scenarios.summary_data(r), notes=list(r.notes)) for r in results],
    }
    if args.json:
        json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(savings_text(doc))
    return EXIT_OK


def savings_text(doc: dict) -> str:
    """The `aicost savings` table from its JSON document (so text and JSON cannot disagree)."""
    from pricing.rounding import money
    cur = doc["currency"]
    months = doc["months"]
    lines = [f"{doc['name']}: savings against the baseline of {money(doc['baseline_total'], cur)} "
             f"({months[0]} .. {months[-1]}, {len(months)} months, {cur})" if months else doc["name"], ""]
    if not doc["scenarios"]:
        lines.append("The plan has no scenarios (add a `scenarios:` section, see docs/scenarios.md).")
        return "\n".join(lines) + "\n"
    width = max([len(s["name"]) for s in doc["scenarios"]]
                + [len(a["strategy"]) + 2 for s in doc["scenarios"] for a in s["attribution"]] + [8])
    amounts = [money(s["saving_total"], cur) for s in doc["scenarios"]] + \
              [money(a["total"], cur) for s in doc["scenarios"] for a in s["attribution"]]
    w = max(len(a) for a in amounts)
    for s in doc["scenarios"]:
        lines.append(f"{s['name']:<{width}}  {money(s['saving_total'], cur):>{w}}  {s['saving_share']:>6.1%} "
                     f"of the baseline   scenario total {money(s['scenario_total'], cur)}")
        for a in s["attribution"]:
            lines.append(f"  {a['strategy']:<{width - 2}}  {money(a['total'], cur):>{w}}  "
                         f"{a['share_of_saving']:>6.1%} of the saving")
        for note in s.get("notes", []):
            lines.append(f"  note: {note}")
        lines.append("")
    method = {s["method"] for s in doc["scenarios"]}
    lines.append("Each strategy's part is its Shapley value: its marginal saving averaged over every order of "
                 "adding the strategies" + (" (sequential beyond 8 strategies)" if "sequential" in method else "")
                 + "; the parts add up to the saving to the cent.")
    return "\n".join(lines) + "\n"

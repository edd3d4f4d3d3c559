"""`aicost actuals PLAN EXPORT...`: plan against actual (import real bills, map them to plan lines, variance,
re-forecast)."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from gui.cli.common import EXIT_OK, load_plan, progress_line


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "actuals", help="import real bills (FOCUS, OpenAI, Anthropic exports) and compare them with the plan",
        description="Import cost and usage exports into the plan's actuals store (<plan>.actuals.duckdb beside it; "
                    "a file imported before is recognised by its content and not counted twice), map the rows to "
                    "plan lines by the plan's actuals: rules (plus obvious proposed ones), and report plan against "
                    "actual per month and line, the unmapped rest, and the re-forecast of the remaining months. "
                    "See docs/cli.md and docs/plan-format.md (Actuals).")
    p.add_argument("plan", help="plan file (YAML)")
    p.add_argument("exports", nargs="*", metavar="EXPORT",
                   help="export files: FOCUS CSV / .csv.gz / Parquet, OpenAI or Anthropic cost and usage CSV / JSON "
                        "(default: the plan's actuals: sources, and what the store holds)")
    p.add_argument("--json", action="store_true", help="print a JSON document (see docs/cli.md)")
    p.add_argument("--csv", metavar="FILE",
                   help="also write plan against actual per line and month as CSV ('-': stdout)")
    p.add_argument("--cost", choices=("effective", "billed"),
                   help="EffectiveCost (amortised, the default) or BilledCost (as invoiced)")
    p.add_argument("--rate", action="append", default=[], metavar="CUR=RATE@DATE",
                   help="dated conversion into the plan's currency, e.g. USD=0.92@2027-03-31 (repeatable)")
    p.add_argument("--method", choices=("run_rate", "rebase"),
                   help="re-forecast method (default: the plan's, run_rate)")
    p.add_argument("--no-propose", action="store_true", help="use only the plan's rules (no proposed ones)")
    p.add_argument("--no-store", action="store_true", help="read the exports in memory; keep nothing beside the plan")
    p.add_argument("--forget", action="append", default=[], metavar="FILE",
                   help="remove an imported file from the store (its path, file name or SHA-256 prefix)")
    p.set_defaults(func=run)

    return p


def _rates(texts: list[str]):
    from pricing.actuals.config import Rate, parse_date
    from pricing.errors import PlanError, Problem
    from pricing.quantities import parse_number
    out = []
    for text in texts:
        try:
            cur, rest = text.split("=", 1)
            value, day = rest.split("@", 1)
            rate, as_of = parse_number(value, allow_zero=False), parse_date(day)  # finite, above 0 (inf was taken)
            if len(cur.strip()) != 3 or as_of is None:
                raise ValueError
        except (ValueError, PlanError):
            raise PlanError(Problem(f"--rate {text!r}: expected CUR=RATE@DATE, e.g. USD=0.92@2027-03-31 (units of the "
                                    "plan's currency per 1 CUR, read on that date)")) from None
        out.append(Rate(cur.strip().upper(), rate, as_of))
    return tuple(out)


def run(args: argparse.Namespace) -> int:
    import dataclasses
    import os

    from pricing import engine
    from pricing.actuals.analysis import analyze
    from pricing.actuals.config import CostColumn, ForecastMethod
    from pricing.actuals.store import ActualsStore, store_path_for
    from pricing.actuals.summary import actuals_csv, actuals_data, actuals_text
    from pricing.catalog import Catalog

    catalog = Catalog.load()
    plan = load_plan(args.plan, catalog)
    cfg = plan.actuals
    rates = _rates(args.rate)
    if rates:
        given = {r.currency for r in rates}
        cfg = dataclasses.replace(cfg, rates=tuple(r for r in cfg.rates if r.currency not in given) + rates)
    if args.method:
        cfg = dataclasses.replace(cfg, forecast=ForecastMethod(args.method))
    cost = CostColumn(args.cost) if args.cost else None
    exports = list(args.exports) or list(cfg.source_paths(os.path.dirname(os.path.abspath(args.plan))))
    store = ActualsStore(None if args.no_store else store_path_for(args.plan))
    try:
        for what in args.forget:
            gone = store.forget(what)
            print(f"forgot {gone.path}" if gone else f"{what}: not in the actuals store", file=sys.stderr)
        progress = progress_line("import") if sys.stderr.isatty() else None
        for outcome in store.import_files(exports, progress=progress):
            if outcome.duplicate_of is not None and not args.json:
                print(f"{outcome.path}: already imported (same content as {outcome.duplicate_of}); not counted again",
                      file=sys.stderr)
        proj = engine.project(plan, catalog)
        analysis = analyze(proj, store, cfg, cost=cost, propose=not args.no_propose, catalog=catalog)
    finally:
        store.close()
    doc = actuals_data(analysis)
    if args.csv:
        text = actuals_csv(doc)
        if args.csv == "-":
            sys.stdout.write(text)
        else:
            from pricing.atomic import write_atomically
            write_atomically(args.csv, text)
    if args.json:
        json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    elif args.csv != "-":
        sys.stdout.write(actuals_text(doc))
        if args.csv:
            print(f"wrote {args.csv}")
    return EXIT_OK

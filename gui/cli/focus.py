"""`aicost focus PLAN FILE`: the plan as FOCUS-shaped forecast rows (CSV), to load beside actuals in a FOCUS tool."""
from __future__ import annotations

import argparse
import sys
from typing import Any

from gui.cli.common import EXIT_OK, horizon, load_plan


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    f = subparsers.add_parser(
        "focus", help="write the plan as FOCUS-shaped forecast rows (CSV), to load beside actuals in a FOCUS tool",
        description="One row per plan line and month with FOCUS column names, ChargeCategory Usage and "
                    "x_AicostRecordType = Forecast; amounts to the cent as `aicost report` (rows add up to its total).")
    f.add_argument("plan", help="plan file (YAML)")
    f.add_argument("output", metavar="FILE", help="CSV file to write ('-' for stdout)")
    f.add_argument("--scenario", metavar="NAME", help="the plan with this savings scenario applied")
    f.add_argument("--months", type=horizon, help="horizon in months, 1 to 240 (default: the plan's)")
    f.set_defaults(func=run)
    return f


def run(args: argparse.Namespace) -> int:
    from pricing import engine
    from pricing.actuals.focus_export import focus_csv, write_focus
    plan = load_plan(args.plan, months=args.months)
    if args.scenario:
        from pricing import scenarios
        plan = scenarios.apply(plan, plan.scenario(args.scenario))
    proj = engine.project(plan, months=args.months)
    if args.output == "-":
        sys.stdout.write(focus_csv(proj, args.scenario))
    else:
        n = write_focus(proj, args.output, args.scenario)
        print(f"wrote {args.output} ({n} forecast rows)")
    return EXIT_OK

"""`aicost report`: project a plan and print its costs (text or JSON), with CSV, PDF and Monte Carlo on request."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from gui.cli.common import EXIT_OK, horizon, load_plan, positive_int, progress_line


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    r = subparsers.add_parser("report", help="project a plan and print its costs")
    r.add_argument("plan", help="plan file (YAML)")
    r.add_argument("--months", type=horizon, help="horizon in months, 1 to 240 (default: the plan's)")
    r.add_argument("--csv", metavar="FILE", help="also write monthly costs per line item as CSV ('-' for stdout)")
    r.add_argument("--json", action="store_true", help="print a JSON document (see docs/cli.md)")
    r.add_argument("--pdf", metavar="FILE", help="also write the PDF report (works headless)")
    r.add_argument("--page-size", choices=["A4", "Letter"], default="A4", help="PDF page size (default A4)")
    r.add_argument("--scenario", metavar="NAME", help="report the plan with this savings scenario applied")
    r.add_argument("--uncertainty", action="store_true",
                   help="Monte Carlo over the plan's ranges: P10/P50/P90 per month and for the horizon")
    r.add_argument("--samples", type=positive_int, default=10_000, help="Monte Carlo samples (default 10000)")
    r.add_argument("--seed", type=int, default=2027, help="Monte Carlo seed (same seed, same figures)")
    r.add_argument("--distribution", choices=["pert", "triangular", "uniform"], default="pert",
                   help="how each range is sampled (default pert; uniform ignores likely)")
    r.set_defaults(func=run)
    return r


def run(args: argparse.Namespace) -> int:
    from pricing import engine, report
    plan = load_plan(args.plan)
    if args.scenario:
        from pricing import scenarios
        plan = scenarios.apply(plan, plan.scenario(args.scenario))
    proj = engine.project(plan, months=args.months)
    if args.csv:
        from pricing import export_csv
        export_csv.write(proj, args.csv)
    if args.pdf:
        from gui.pdf import export_pdf
        export_pdf(proj.plan, args.pdf, page_size=args.page_size)
    mc = None
    if args.uncertainty:
        from pricing import uncertainty
        mc = uncertainty.monte_carlo(proj.plan, samples=args.samples, seed=args.seed, distribution=args.distribution,
                                     progress=progress_line("Monte Carlo") if sys.stderr.isatty() else None)
    if args.json:
        data = report.report_data(proj)
        if mc is not None:
            data["uncertainty"] = report.uncertainty_data(mc, proj)
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    elif not (args.csv or args.pdf):
        sys.stdout.write(report.text_report(proj))
        if mc is not None:
            sys.stdout.write(report.uncertainty_text(mc, proj))
    if not args.json:
        for written in (args.csv if args.csv != "-" else None, args.pdf):
            if written:
                print(f"wrote {written}")
    return EXIT_OK

"""`aicost report`: project a plan and print its costs (text or JSON), with CSV, PDF and Monte Carlo on request."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from gui.cli.common import EXIT_OK, horizon, load_plan, month_number, progress_line, samples, seed


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    r = subparsers.add_parser("report", help="project a plan and print its costs")
    r.add_argument("plan", help="plan file (YAML)")
    r.add_argument("--months", type=horizon, help="horizon in months, 1 to 240 (default: the plan's)")
    r.add_argument("--csv", metavar="FILE", help="also write monthly costs per line item as CSV ('-' for stdout)")
    r.add_argument("--json", action="store_true", help="print a JSON document (see docs/cli.md)")
    r.add_argument("--pdf", metavar="FILE", help="also write the PDF report (works headless)")
    r.add_argument("--page-size", choices=["A4", "Letter"], default="A4", help="PDF page size (default A4)")
    r.add_argument("--xlsx", metavar="FILE", help="also write an Excel workbook whose cells are live formulas")
    r.add_argument("--fiscal-year-start", type=month_number, default=None, metavar="MONTH",
                   help="first month of the fiscal year for the workbook's summary, 1-12 (default: the plan's "
                        "fiscal_year_start, else 1: the calendar year)")
    r.add_argument("--view", choices=["amortised", "cash"], default="amortised",
                   help="how the plan's commitments are charged in the months, in every output: amortised over "
                        "their term (default) or cash, upfront payments in the month paid")
    r.add_argument("--scenario", metavar="NAME", help="report the plan with this savings scenario applied")
    r.add_argument("--uncertainty", action="store_true",
                   help="Monte Carlo over the plan's ranges: P10/P50/P90 per month and for the horizon")
    r.add_argument("--samples", type=samples, default=10_000,
                   help="Monte Carlo samples, 1 to 1,000,000 (default 10000)")
    r.add_argument("--seed", type=seed, default=2027,
                   help="Monte Carlo seed, 0 to 4294967295 (same seed, same figures)")
    r.add_argument("--distribution", choices=["pert", "triangular", "uniform"], default="pert",
                   help="how each range is sampled (default pert; uniform ignores likely)")
    r.set_defaults(func=run)
    return r


def run(args: argparse.Namespace) -> int:
    from pricing import atomic, engine, report, report_model
    plan = load_plan(args.plan, months=args.months)
    from gui.cli.validate import _drift_note
    _drift_note(args.plan, plan)
    if args.scenario:
        from pricing import scenarios
        plan = scenarios.apply(plan, plan.scenario(args.scenario))
    proj = engine.project(plan, months=args.months, view=args.view)
    for target in (args.csv if args.csv != "-" else None, args.pdf, args.xlsx):
        if target:  # a FIFO, a device, a folder or a missing folder is refused before any work
            atomic.check_target(target)
    # one report, gathered once: the text or JSON, the CSV, the PDF and the workbook read it (the PDF also
    # needs the scenarios, the inputs as text and, when the plan has ranges, the Monte Carlo and tornado;
    # the workbook the scenarios and the tornado)
    pdf, xlsx = bool(args.pdf), bool(args.xlsx)
    slow = bool(args.uncertainty)  # a progress line when the Monte Carlo runs (the PDF runs it on a ranged plan)
    if pdf and not slow:
        from pricing import uncertainty
        slow = uncertainty.has_ranges(proj.plan)
    rep = report_model.gather(proj.plan, projection=proj, scenarios=pdf or xlsx,
                              monte_carlo=True if args.uncertainty else (None if pdf else False),
                              tornado=True if xlsx else (None if pdf else False), texts=pdf, samples=args.samples,
                              seed=args.seed, distribution=args.distribution,
                              progress=progress_line("Monte Carlo") if slow and sys.stderr.isatty() else None)
    if args.csv:
        from pricing import export_csv
        export_csv.write(rep, args.csv, scenarios=())
    if args.pdf:
        from gui.pdf import export_pdf
        export_pdf(proj.plan, args.pdf, page_size=args.page_size, report=rep)
    if args.xlsx:
        from pricing import export_xlsx
        export_xlsx.export(proj.plan, args.xlsx, first_fiscal_month=args.fiscal_year_start, report=rep)
    mc = rep.monte_carlo if args.uncertainty else None
    if args.json:
        data = report.report_data(rep)
        if mc is not None:
            data["uncertainty"] = report.uncertainty_data(rep)
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    elif not (args.csv or args.pdf or args.xlsx):
        sys.stdout.write(report.text_report(rep))
        if mc is not None:
            sys.stdout.write(report.uncertainty_text(rep))
    if not args.json:
        for written in (args.csv if args.csv != "-" else None, args.pdf, args.xlsx):
            if written:
                print(f"wrote {written}")
    return EXIT_OK

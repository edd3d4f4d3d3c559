"""`aicost compare A.yaml B.yaml[#Scenario] ...`: plans and scenarios side by side, as a cost diff, JSON, CSV or PDF."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

EXIT_OK = 0


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "compare", help="compare plans (or scenarios: PLAN.yaml#Scenario) side by side against the first",
        description="Compare two or more plans, or scenarios of a plan (PLAN.yaml#Scenario), against the first: "
                    "headline figures and category totals with their differences, every line whose cost or inputs "
                    "changed (last month and horizon), and what changed in the settings, price overrides and "
                    "scenarios. See docs/exports.md.")
    p.add_argument("entries", nargs="+", metavar="PLAN[#SCENARIO]",
                   help="plan files; append #Name for one of the plan's scenarios (quote it in the shell)")
    p.add_argument("--json", action="store_true", help="print a JSON document instead of the text diff")
    p.add_argument("--csv", metavar="FILE", help="also write the comparison as CSV (figures, lines, months)")
    p.add_argument("--pdf", metavar="FILE", help="also write the comparison as a PDF report")
    p.add_argument("--page-size", choices=("A4", "Letter"), default="A4", help="PDF page size (default A4)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from pricing import compare
    from pricing.catalog import Catalog

    if len(args.entries) < 2:
        raise compare.CompareError("compare needs at least two plans (or scenarios: PLAN.yaml#Scenario)")
    from pricing.atomic import check_target
    for target in (args.csv if args.csv != "-" else None, args.pdf):
        if target:  # a FIFO, a device, a folder or a missing folder is refused before any work
            check_target(target)
    catalog = Catalog.load()
    entries = [compare.load_entry(spec, catalog) for spec in args.entries]
    cmp = compare.compare(entries)
    if args.csv:
        from pricing import export_csv
        export_csv.write_compare_file(cmp, args.csv)
    if args.pdf:
        from gui.pdf import export_compare_pdf
        export_compare_pdf(cmp, args.pdf, page_size=args.page_size)
    if args.json:
        json.dump(compare.compare_data(cmp), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    elif args.csv != "-":  # the CSV on standard output is the one document there (as `aicost report --csv -`)
        sys.stdout.write(compare.compare_text(cmp))
        for what, path in (("CSV", args.csv), ("PDF", args.pdf)):
            if path and path != "-":
                print(f"wrote {what} {path}")
    return EXIT_OK

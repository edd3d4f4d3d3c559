"""`aicost commitments PLAN`: which share of each GPU pool to commit, at which offer, with savings and cash flow."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from gui.cli.common import EXIT_OK, load_plan, positive_int, samples, seed



def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "commitments", help="plan reserved instances / savings plans / CUDs against the plan's GPU usage curve",
        description="For each pool of on-demand GPU usage (a GPU type at a provider), the best commitment of every "
                    "offer in the catalog (term, payment option, GPUs, start month): coverage, utilisation, "
                    "break-even utilisation, expected and P10 saving, and the cash flow beside the amortised view. "
                    "Offers without a published rate are listed as gaps with the reason. See docs/cli.md.")
    p.add_argument("plan", help="plan file (YAML)")
    p.add_argument("--json", action="store_true", help="print a JSON document (see docs/cli.md)")
    p.add_argument("--samples", type=samples, default=1000,
                   help="Monte Carlo samples of usage when the plan has ranges (default 1000)")
    p.add_argument("--seed", type=seed, default=None, help="Monte Carlo seed (default: the report's, 2027)")
    p.add_argument("--offers", metavar="FILE", help="commitment offers file (default: the catalog's commitments.yaml)")
    p.add_argument("--top", type=positive_int, default=6, help="offers listed per pool in the text output (default 6)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from pricing import commitments
    from pricing.catalog import Catalog

    catalog = Catalog.load()
    plan = load_plan(args.plan, catalog)
    offers = commitments.load_offers(args.offers) if args.offers else None
    report = commitments.plan_commitments(plan, catalog, offers=offers, samples=args.samples, seed=args.seed)
    if args.offers:
        report = _with_file(report, args.offers)
    if args.json:
        json.dump(commitments.report_data(report), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(commitments.report_text(report, top=args.top))
    return EXIT_OK


def _with_file(report: Any, path: str) -> Any:
    import dataclasses
    return dataclasses.replace(report, offers_file=path)

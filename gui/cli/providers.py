"""`aicost providers`: the whole plan priced at each provider, line by line, and the cheapest placement."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pricing import providers
from pricing.catalog import Catalog
from pricing.load import load_checked

from gui.cli.common import EXIT_OK



def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser("providers", help="price the plan at each provider side by side (gaps shown as gaps) "
                                                "and the cheapest placement per line with its transfer costs")
    p.add_argument("plan", help="plan file (YAML)")
    p.add_argument("--provider", action="append", metavar="P",
                   help="compare only these providers (repeat the option; default: every catalog provider)")
    p.add_argument("--json", action="store_true", help="print a JSON document keyed by provider id (docs/cli.md)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    catalog = Catalog.load()
    plan = load_checked(args.plan, catalog)
    cmp = providers.compare(plan, catalog, tuple(args.provider) if args.provider else None)
    if args.json:
        json.dump(providers.comparison_data(cmp), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(providers.comparison_text(cmp))
    return EXIT_OK

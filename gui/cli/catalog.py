"""`aicost catalog`: list catalog prices with their sources and dates (and LLM API prices from genai-prices)."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from gui.cli.common import EXIT_OK, positive_int


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser("catalog", help="list catalog prices with their sources and dates")
    p.add_argument("section", nargs="?", choices=["gpus", "storage", "egress", "platforms", "annotation",
                                                   "mlops", "levers", "apis"])
    p.add_argument("--provider", help="only this provider (aws, gcp, azure, lambda, nebius, runpod)")
    p.add_argument("--search", help="apis: filter models by name")
    p.add_argument("--limit", type=positive_int, default=50, help="apis: most models listed")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from pricing.catalog import Catalog
    section = args.section
    if section == "apis":
        from pricing import apiprices
        models = apiprices.list_models(args.search or "", provider=args.provider, limit=args.limit)
        print(f"LLM API prices from genai-prices, price data of {apiprices.data_date().isoformat()} "
              "(USD per million tokens)")
        print(f"{'provider':<14}{'model':<44}{'input':>10}{'cached':>10}{'output':>10}")
        for m in models:
            f = lambda x: "-" if x is None else f"{x:g}"  # noqa: E731
            print(f"{m.provider:<14}{m.model[:43]:<44}{f(m.input_per_mtok):>10}{f(m.cached_input_per_mtok):>10}"
                  f"{f(m.output_per_mtok):>10}" + ("  tiered" if m.tiered else ""))
        return EXIT_OK
    cat = Catalog.load()
    if args.provider and args.provider.lower() not in cat.providers and args.provider.lower() != "any":
        from pricing.errors import UnknownNameError
        raise UnknownNameError("provider", args.provider, cat.providers)
    entries = cat.entries(section, args.provider.lower() if args.provider else None)
    if args.json:
        from pricing.report import source_data
        json.dump([{"key": e.key, "section": e.section, "provider": e.provider, "item": e.item,
                    "description": e.description, "value": e.value, "unit": e.unit,
                    "tiers": [{"upto": t.upto, "price": t.price} for t in e.tiers],
                    "gap": e.gap, **{"source": source_data(e.source)}} for e in entries],
                  sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    kw = max([len(e.key) for e in entries] + [3])
    print(f"{'key':<{kw}}  {'value':>10}  {'unit':<24}  {'as of':<12}  confidence / source")
    for e in entries:
        value = "GAP" if e.value is None else f"{e.value:g}" + ("*" if e.tiers else "")
        as_of = e.source.as_of_date.isoformat() if e.source.as_of_date else "undated"
        tail = f"{e.source.confidence}; {e.gap}" if e.gap else f"{e.source.confidence}; {e.source.source[:70]}"
        print(f"{e.key:<{kw}}  {value:>10}  {e.unit[:24]:<24}  {as_of:<12}  {tail}")
    if any(e.tiers for e in entries):
        print("\n* volume-tiered: the value is the first paid tier; `--json` lists every tier")
    return EXIT_OK

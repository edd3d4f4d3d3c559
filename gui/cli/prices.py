"""`aicost prices diff`: what a catalog bundle changes against the shipped catalog, and how it moves a plan."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pricing import catalog_diff
from pricing.catalog import Catalog
from pricing.load import load_checked
from pricing.rounding import money

from gui.cli.common import EXIT_OK



def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser("prices", help="compare a price catalog bundle with the shipped catalog")
    sub = p.add_subparsers(dest="prices_command", metavar="ACTION", required=True)
    d = sub.add_parser("diff", help="figures a catalog bundle adds, removes or changes (with dates), read-only")
    d.add_argument("--from", dest="source", required=True, metavar="BUNDLE",
                   help="a catalog folder, or a .zip of its files, to compare with the shipped catalog")
    d.add_argument("--plan", metavar="PLAN", help="also price this plan with both catalogs, line by line")
    d.add_argument("--json", action="store_true", help="print a JSON document (docs/cli.md)")
    d.set_defaults(func=run)
    return p


def _entry(e: Any) -> dict[str, Any] | None:
    if e is None:
        return None
    return {"value": e.value, "unit": e.unit, "gap": e.gap or None, "as_of": e.source.as_of,
            "as_of_date": e.source.as_of_date.isoformat() if e.source.as_of_date else None,
            "source": e.source.source, "confidence": e.source.confidence}


def run(args: argparse.Namespace) -> int:
    current = Catalog.load()
    with catalog_diff.opened(args.source) as candidate:
        d = catalog_diff.diff(current, candidate)
        rp = None
        if args.plan:
            plan = load_checked(args.plan, current)
            rp = catalog_diff.reprice(plan, current, candidate)
    if args.json:
        doc: dict[str, Any] = {"from": str(args.source), "changes": [
            {"key": c.key, "kind": c.kind, "what": list(c.what), "old": _entry(c.old), "new": _entry(c.new),
             "relative": c.relative} for c in d.changes]}
        if rp is not None:
            doc["plan"] = {"old_total": round(rp.old_total, 2), "new_total": round(rp.new_total, 2),
                           "relative": rp.relative, "gaps": rp.gaps,
                           "lines": [{"key_path": x.key_path, "name": x.name, "old": x.old, "new": x.new,
                                      "delta": x.delta, "old_gap": x.old_gap or None, "new_gap": x.new_gap or None}
                                     for x in rp.lines]}
        json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    fmt = lambda e: "gap" if e.value is None else f"{e.value:g}"  # noqa: E731
    counts = {k: len(d.of_kind(k)) for k in ("added", "removed", "changed")}
    print(f"{args.source} against the shipped catalog: {counts['added']} added, {counts['removed']} removed, "
          f"{counts['changed']} changed")
    for c in d.changes:
        if c.kind == "added":
            print(f"  + {c.key} = {fmt(c.new)} ({c.new.source.as_of})")
        elif c.kind == "removed":
            print(f"  - {c.key} (was {fmt(c.old)}, {c.old.source.as_of})")
        else:
            rel = f" ({c.relative:+.1%})" if c.relative is not None and c.relative != 0 else ""
            dated = (f"as of {c.old.source.as_of} -> {c.new.source.as_of}" if "as_of" in c.what
                     else f"as of {c.new.source.as_of}")
            print(f"  ~ {c.key}: {fmt(c.old)} -> {fmt(c.new)}{rel}; {', '.join(c.what)} changed ({dated})")
    if rp is not None:
        cur = plan.currency
        rel = f"{rp.relative:+.1%}" if rp.relative is not None else "n/a"
        print(f"\n{plan.name}: {money(rp.old_total, cur)} with the shipped catalog, {money(rp.new_total, cur)} "
              f"with {args.source} ({rel} over the lines both price)")
        for x in rp.lines:
            if x.old is None or x.new is None:
                print(f"  {x.name}: GAP with the {'shipped' if x.old is None else 'new'} catalog: "
                      f"{x.old_gap or x.new_gap}")
            elif abs(x.delta) >= 0.005:
                print(f"  {x.name}: {money(x.old, cur)} -> {money(x.new, cur)} ({x.delta:+,.2f})")
    return EXIT_OK

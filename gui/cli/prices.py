"""`aicost prices diff`: what a catalog bundle changes against the shipped catalog, and how it moves a plan."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pricing import catalog_diff, price_update
from pricing.catalog import Catalog
from pricing.load import load_checked
from pricing.rounding import money

from gui.cli.common import EXIT_OK



def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser("prices", help="compare, install or reset newer prices (catalog bundles, genai-prices "
                                             "data files)")
    sub = p.add_subparsers(dest="prices_command", metavar="ACTION", required=True)
    d = sub.add_parser("diff", help="figures a catalog bundle adds, removes or changes (with dates), read-only")
    d.add_argument("--from", dest="source", required=True, metavar="BUNDLE",
                   help="a catalog folder, or a .zip of its files, to compare with the shipped catalog")
    d.add_argument("--plan", metavar="PLAN", help="also price this plan with both catalogs, line by line")
    d.add_argument("--json", action="store_true", help="print a JSON document (docs/cli.md)")
    d.set_defaults(func=run)
    u = sub.add_parser("update", help="install a newer catalog bundle or genai-prices data file you downloaded: "
                                      "shows what it changes, installs on confirm (the bundled data stays the "
                                      "fallback)")
    u.add_argument("--from", dest="source", required=True, metavar="FILE",
                   help="a catalog folder or .zip, or a genai-prices data file (.json, its data.json format)")
    u.add_argument("--yes", action="store_true", help="install without asking (scripts)")
    u.set_defaults(func=run_update)
    r = sub.add_parser("reset", help="remove the prices installed with update: back to the bundled data")
    r.add_argument("--yes", action="store_true", help="remove without asking (scripts)")
    r.set_defaults(func=run_reset)
    s = sub.add_parser("status", help="which prices are in use: installed (where from, when) or bundled")
    s.set_defaults(func=run_status)
    return p


def _confirm(question: str, yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        print("Not installed: no terminal to ask; run again with --yes to install.")
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def run_update(args: argparse.Namespace) -> int:
    u = price_update.inspect(args.source)
    sys.stdout.write(price_update.text(u))
    if u.empty:
        print("Nothing changes: not installed.")
        return EXIT_OK
    what = "catalog" if u.kind == price_update.CATALOG else "genai-prices data"
    if not _confirm(f"Install this {what} (the bundled data stays the fallback: aicost prices reset)?", args.yes):
        return EXIT_OK
    target = price_update.install(u)
    print(f"Installed into {target}; `aicost prices reset` goes back to the bundled prices.")
    return EXIT_OK


def run_reset(args: argparse.Namespace) -> int:
    have = price_update.installed()
    if not have:
        print("No prices installed: the bundled prices are in use.")
        return EXIT_OK
    for kind, rec in have.items():
        print(f"  {kind}: installed {rec.get('installed', '?')} from {rec.get('from', '?')}")
    if not _confirm("Remove these and use the bundled prices again?", args.yes):
        return EXIT_OK
    for path in price_update.reset():
        print(f"Removed {path}")
    return EXIT_OK


def run_status(args: argparse.Namespace) -> int:
    have = price_update.installed()
    for kind, label in ((price_update.CATALOG, "Catalog"), (price_update.GENAI, "API prices")):
        rec = have.get(kind)
        if rec:
            print(f"{label}: installed {rec.get('installed', '?')} from {rec.get('from', '?')} "
                  f"(data of {rec.get('data_date') or '?'})")
        else:
            print(f"{label}: bundled with the app")
    return EXIT_OK


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

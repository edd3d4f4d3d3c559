"""`aicost drivers`: which inputs move the bill most: each input at its low and high (a tornado)."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from gui.cli.common import EXIT_OK, load_plan, positive_int, swing


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser("drivers", help="which inputs move the bill most (tornado: each input at low and high)")
    p.add_argument("plan")
    p.add_argument("--swing", type=swing, default=0.2,
                   help="swing of inputs without a range, above 0 and at most 1 (default 0.2 = +-20%%)")
    p.add_argument("--top", type=positive_int, default=15, help="inputs listed (text output)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from pricing import report, uncertainty
    plan = load_plan(args.plan)
    tornado = uncertainty.tornado(plan, swing=args.swing)
    if args.json:
        json.dump(report.tornado_data(tornado, plan), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(report.tornado_text(tornado, plan, top=args.top))
    return EXIT_OK

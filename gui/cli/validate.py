"""`aicost validate`: check plan files and list every problem."""
from __future__ import annotations

import argparse
from typing import Any

from gui.cli.common import EXIT_INPUT, EXIT_OK, err


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser("validate", help="check plan files and list every problem")
    p.add_argument("plans", nargs="+", metavar="PLAN")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from pricing.load import load_checked  # deferred: numpy, yaml and the engine are ~150 ms of `aicost --help`
    from pricing.errors import PlanError
    status = EXIT_OK
    for path in args.plans:
        try:
            load_checked(path)
            print(f"{path}: ok")
        except PlanError as exc:
            status = EXIT_INPUT
            for p in exc.problems:
                err(str(p))
    return status

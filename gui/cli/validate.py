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
            plan = load_checked(path)
            print(f"{path}: ok")
            _drift_note(path, plan, details=True)
        except PlanError as exc:
            status = EXIT_INPUT
            for p in exc.problems:
                err(str(p))
    return status


def _drift_note(path: str, plan: Any, *, details: bool = False) -> None:
    """A note when the plan was saved with other prices than today's (pricing/repricing.py): on stderr, so the
    report's own output (text or JSON) stays as it is."""
    from pricing import repricing
    drift = repricing.check(plan)
    if drift is None:
        return
    err(f"note: {path}: {drift.message()}; open it in the window to keep the old prices or reprice"
        + ("" if details else " (aicost validate lists the changes)"))
    if details:
        for line in drift.details(plan.currency):
            err(f"  {line}")

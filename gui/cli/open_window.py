"""`aicost open`: open the desktop window (on a plan)."""
from __future__ import annotations

import argparse
from typing import Any

from gui.cli.common import EXIT_FAIL, err


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser("open", help="open the desktop window (on a plan)")
    p.add_argument("plan", nargs="?")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    try:
        from gui.app import run_app
    except ImportError as exc:  # the desktop app is not part of this build
        err(f"the desktop window is not available: {exc}")
        return EXIT_FAIL
    return run_app(getattr(args, "plan", None))

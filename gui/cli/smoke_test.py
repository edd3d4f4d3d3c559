"""`aicost smoke-test`: open a plan in the window offscreen, render it and quit (checks an install)."""
from __future__ import annotations

import argparse
from typing import Any



def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser("smoke-test",
                              help="open a plan in the window offscreen, render it and quit (checks an install)")
    p.add_argument("plan", nargs="?")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    from gui.smoke import run
    return run(args.plan)

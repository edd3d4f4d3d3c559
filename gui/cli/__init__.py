"""The `aicost` command: the desktop window, or a headless subcommand (one module each in this package).

Every command module is imported here with a plain import, so a command that fails to import
fails the tests (and `aicost --help`) rather than vanishing from the list. A module exposes
``add_parser(subparsers)`` (which sets ``func``) and ``run(args) -> exit code``.
"""
from __future__ import annotations

import argparse
import sys
from typing import Sequence

from gui.cli import (actuals, breakeven, catalog, commitments, compare, drivers, focus, open_window, prices,
                     providers, report, savings, smoke_test, tokens, validate)
from gui.cli.common import EXIT_FAIL, EXIT_INPUT, EXIT_OK, LOADED, Printable, check_stdout, err, located

COMMANDS = (report, drivers, validate, catalog, tokens, compare, savings, breakeven, providers, prices, actuals, focus,
            commitments, smoke_test, open_window)
"""Subcommands in the order `aicost --help` lists them."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="aicost", description="AI Cost Planner: what an AI project will cost, "
                                "what drives it, and what to change.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    out, errs = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = Printable(out), Printable(errs)  # no raw escape sequence or NUL reaches the terminal
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = out, errs


def _main(argv: Sequence[str] | None) -> int:
    from pricing.atomic import AtomicWriteError
    from pricing.errors import PlanError
    parser = build_parser()
    args = parser.parse_args(argv)
    check_stdout(parser, args)
    LOADED.clear()
    if not getattr(args, "command", None):
        return open_window.run(argparse.Namespace(plan=None))
    try:
        return args.func(args)
    except PlanError as exc:
        for p in exc.problems:
            err(str(located(p)))
        return EXIT_INPUT
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        err("interrupted")
        return 130
    except AtomicWriteError as exc:  # a file the command writes (its one line names it; the old file is kept)
        err(str(exc))
        return EXIT_FAIL
    except OSError as exc:
        err(f"{getattr(exc, 'filename', '') or ''}: {exc.strerror or exc}".lstrip(": "))
        return EXIT_INPUT


if __name__ == "__main__":
    sys.exit(main())

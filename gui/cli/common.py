"""What every `aicost` subcommand shares: exit codes, error output, argument types, progress on stderr."""
from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2


def err(message: str) -> None:
    print(message, file=sys.stderr)


def load_plan(path: str, catalog=None):
    from pricing.load import load_checked  # deferred: numpy, yaml and the engine are ~150 ms of `aicost --help`
    return load_checked(path, catalog)


def progress_line(what: str):
    def show(done: int, total: int) -> None:
        sys.stderr.write(f"\r{what}: {done * 100 // max(total, 1)}%")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()
    return show


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, found {value}")
    return value


def month_number(text: str) -> int:
    value = positive_int(text)
    if value > 12:
        raise argparse.ArgumentTypeError(f"expected a month number from 1 to 12, found {value}")
    return value


def horizon(text: str) -> int:
    """A horizon in months: 1 to the most a plan file takes (``planfile.MAX_MONTHS``, 20 years)."""
    from pricing.planfile import MAX_MONTHS  # only when --months is given: --help stays without the engine
    value = positive_int(text)
    if value > MAX_MONTHS:
        raise argparse.ArgumentTypeError(f"expected at most {MAX_MONTHS} months (what a plan file takes), "
                                         f"found {value}")
    return value

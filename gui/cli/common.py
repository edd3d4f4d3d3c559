"""What every `aicost` subcommand shares: exit codes, error output, argument types, progress on stderr."""
from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2


class Printable:
    """A text stream that passes every write through ``errors.printable``: what a command prints (a plan's name, a
    line's, a path) never reaches the terminal with its escape sequences or NUL bytes."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        from pricing.errors import printable
        return self._stream.write(printable(text))

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str):  # flush, isatty, encoding, fileno...: the stream's own
        return getattr(self._stream, name)


def err(message: str) -> None:
    print(message, file=sys.stderr)


def load_plan(path: str, catalog=None, *, months: int | None = None):
    """The plan in ``path``, checked (PlanFileError: every problem with file and line); ``months`` (``--months``)
    replaces its horizon before the check, so a plan that passes the largest amount only over the longer horizon
    is refused with its file, line and field too."""
    from pricing.load import load_checked  # deferred: numpy, yaml and the engine are ~150 ms of `aicost --help`
    LOADED.append(path)
    if months is None:
        return load_checked(path, catalog)
    from pricing.load import load_checked_with_horizon
    return load_checked_with_horizon(path, months, catalog)


LOADED: list[str] = []
"""The plan files this command loaded (to place a later problem that names only a key path: ``located``)."""


def located(problem):
    """A problem found after loading (projecting a scenario, a longer horizon) with the file and line of its key
    path, when the command loaded exactly one plan file."""
    if problem.file is not None or not problem.key_path or len(set(LOADED)) != 1:
        return problem
    from pricing import planfile
    from pricing.errors import PlanError, Problem
    try:
        doc = planfile.read(LOADED[0])
    except PlanError:
        return problem
    return Problem(problem.message, problem.key_path, doc.line(problem.key_path), LOADED[0])


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


# Arguments: every number a command takes is read here, with the bounds of the plan schema (issue 17 item 4) ----

MAX_SAMPLES = 1_000_000
"""Most Monte Carlo samples a command draws. P10 and P90 of 10,000 samples are within about 1% of the exact
percentiles; a million pins them to a tenth of that, and more change no figure a report shows. Time grows with
samples x months (a million x 240 months is about a minute); memory stays bounded, as the Monte Carlo runs over the
samples in chunks (pricing.uncertainty)."""
MAX_SEED = 2**32 - 1
"""Seeds are 0 to 2^32 - 1 (a 32-bit number, as every tool that takes a seed understands one)."""


def horizon(text: str) -> int:
    """A horizon in months: 1 to the most a plan file takes (``fields.MAX_MONTHS``, 20 years)."""
    from pricing.fields import MAX_MONTHS  # only when --months is given: --help stays without the engine
    value = positive_int(text)
    if value > MAX_MONTHS:
        raise argparse.ArgumentTypeError(f"expected at most {MAX_MONTHS} months (what a plan file takes), "
                                         f"found {value}")
    return value


def samples(text: str) -> int:
    """Monte Carlo samples: 1 to MAX_SAMPLES."""
    value = positive_int(text)
    if value > MAX_SAMPLES:
        raise argparse.ArgumentTypeError(f"expected at most {MAX_SAMPLES:,} samples, found {_short(text)}")
    return value


def seed(text: str) -> int:
    """A random seed: a whole number from 0 to MAX_SEED."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {_short(text)}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"expected a whole number from 0 to {MAX_SEED:,}, found {_short(text)}")
    return value


def swing(text: str) -> float:
    """The tornado's swing of an input without a range: a share above 0 and at most 100% (``0.2`` or ``20%``)."""
    from pricing.errors import PlanError
    from pricing.quantities import parse_share
    try:
        return parse_share(text, maximum=1.0, allow_zero=False)
    except PlanError:
        raise argparse.ArgumentTypeError(f"found {_short(text)}, expected a share above 0 and at most 1, such as 0.2 "
                                         "or 20%") from None


def field_value(section: str, key: str):
    """An argument read by a plan field's own reader (``fields.field(section, key)``): the same limits and messages
    as in a plan file."""
    def read(text: str):
        from pricing import fields
        from pricing.errors import PlanError
        try:
            return fields.field(section, key).read(text)
        except PlanError as exc:
            raise argparse.ArgumentTypeError(exc.problems[0].message) from None
    read.__name__ = key  # argparse names the type in its message
    return read


def check_stdout(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse two documents on standard output at once (``--csv -`` with ``--json`` interleaved them)."""
    to_stdout = [flag for flag, on in (("--csv -", getattr(args, "csv", None) == "-"),
                                       ("--json", bool(getattr(args, "json", False)))) if on]
    if len(to_stdout) > 1:
        parser.error(f"{' and '.join(to_stdout)} would both write to standard output; give --csv a file name")


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:39] + "\u2026"

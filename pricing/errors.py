"""Errors of the engine: every problem carries where it is (file, line, key path) and what is expected."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Iterable, Sequence


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    message: str
    """What was found and what is expected, in words a user understands."""
    key_path: str = ""
    """Where in the plan, e.g. ``compute.training[0].gpus``; empty for the whole file."""
    line: int | None = None
    """1-based line in the file, when known."""
    file: str | None = None
    """The file's path as the user gave it, when there is one."""

    def __post_init__(self) -> None:
        # one line, of a readable length, whatever the input quoted in it (a 4 MB value, a newline, an escape code)
        object.__setattr__(self, "message", one_line(self.message, MAX_MESSAGE))
        object.__setattr__(self, "key_path", one_line(self.key_path, MAX_KEY_PATH))

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file if self.line is None else f"{self.file}:{self.line}")
        elif self.line is not None:
            where.append(f"line {self.line}")
        if self.key_path:
            where.append(self.key_path)
        return f"{': '.join(where)}: {self.message}" if where else self.message


class Cancelled(Exception):
    """A long computation stopped because its caller asked it to (the window's Cancel, or a newer edit)."""


class PlanError(Exception):
    """Base of every error the engine raises about user input; holds one or more problems."""

    def __init__(self, problems: Problem | str | Sequence[Problem]):
        if isinstance(problems, str):
            problems = (Problem(problems),)
        elif isinstance(problems, Problem):
            problems = (problems,)
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def with_location(self, *, key_path: str = "", line: int | None = None,
                      file: str | None = None) -> "PlanError":
        """The same error with missing locations filled in (used by the loader)."""
        located = tuple(
            Problem(p.message, p.key_path or key_path, p.line if p.line is not None else line,
                    p.file or file)
            for p in self.problems
        )
        err = type(self).__new__(type(self))
        PlanError.__init__(err, located)
        for name, value in vars(self).items():
            if name != "problems":
                setattr(err, name, value)
        return err


class PlanFileError(PlanError):
    """A plan file could not be read: every problem found in it, at once."""


class QuantityError(PlanError):
    """A value is not a valid quantity (number, suffix, percentage)."""


class CatalogError(PlanError):
    """The price catalog is broken, or has no price for what the plan asks."""


class UnknownNameError(PlanError):
    """A name (GPU, provider, tier, model...) that is not known; lists the closest known names."""

    def __init__(self, kind: str, name: str, known: Iterable[str], hint: str = ""):
        self.kind = kind
        self.name = name
        self.suggestions = closest(name, known)
        msg = f"unknown {kind} {name!r}"
        if self.suggestions:
            msg += "; did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?"
        if hint:
            msg += f" ({hint})"
        super().__init__(msg)


def closest(name: str, known: Iterable[str], n: int = 5) -> list[str]:
    """The known names most like ``name`` (case-insensitive), best first."""
    known = list(dict.fromkeys(known))
    lower = {k.lower(): k for k in known}
    hits = difflib.get_close_matches(str(name).lower(), list(lower), n=n, cutoff=0.5)
    if not hits:  # substring matches help for long model ids ("gpt-4o" -> "gpt-4o-mini")
        hits = [k for k in lower if str(name).lower() in k or k in str(name).lower()][:n]
    return [lower[h] for h in hits]


MAX_MESSAGE = 500
"""Longest problem message (characters): longer ones end with an ellipsis (what they quote is cut, not the file)."""
MAX_KEY_PATH = 200
"""Longest key path shown (a key of 4 MB is a key path of 4 MB)."""
SHORT = 60
"""Longest value quoted back in a message (``shorten``)."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
"""C0 and C1 control characters (newlines, tabs, ESC, NUL) and Unicode line separators."""


def one_line(text: object, limit: int | None = None) -> str:
    """``text`` on one line: control characters (newlines, terminal escapes, NUL) become a space; cut to ``limit``
    characters with an ellipsis."""
    flat = _CONTROL.sub(" ", str(text))
    if limit is not None and len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return flat


def shorten(value: object, limit: int = SHORT) -> str:
    """A value quoted back to the user (``repr`` for text), at most ``limit`` characters: ``'aaaa…' (4,194,304
    characters)`` for a 4 MB value."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 3 * limit:
        return f"a whole number of {int(value.bit_length() * 0.30103) + 1:,} digits"  # str() of it may even fail
    text = repr(value)
    if len(text) <= limit:
        return text
    size = len(value) if isinstance(value, str) else len(text)
    return f"{text[: limit - 1]}… ({size:,} characters)"


_UNPRINTABLE = re.compile(
    r"\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
"""What a terminal or a window title must not get raw: C0 controls but tab, newline and the CR of a CR LF line end
(CSV's own; ESC starts the sequences that retitle a terminal or clear it, NUL cuts a title, a lone CR overwrites a
line), DEL and C1 controls (0x9B is an 8-bit CSI), and the bidirectional marks and overrides that reorder what is
shown."""


def printable(text: object, limit: int | None = None) -> str:
    """``text`` safe to print or to show as a title: each control character (but tab, newline and CR LF) and each
    bidirectional override becomes U+FFFD, visibly; cut to ``limit`` characters with an ellipsis. The one sanitizer
    of the command line's output and the windows' titles (issue 17)."""
    safe = _UNPRINTABLE.sub("\ufffd", str(text))
    if limit is not None and len(safe) > limit:
        safe = safe[: limit - 1] + "\u2026"
    return safe

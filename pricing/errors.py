"""Errors of the engine: every problem carries where it is (file, line, key path) and what is expected."""
from __future__ import annotations

import difflib
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

"""The plans a new plan starts from: templates (resources/templates) and examples (resources/examples).

A template is a realistic plan with a header comment that says where its volumes, prices and
throughputs come from; a new plan made from one starts this month (``from_template``). An example
is a finished plan opened as it is. ``starters()`` lists both with their names and summaries
without pricing them (the start page shows them at once).
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from pricing.load import load_checked
from pricing.plan import Plan, YearMonth
from pricing.resources import resource_path


class Kind(Enum):
    """What a starter is."""

    TEMPLATE = "template"   # a starting point: the new plan is untitled and starts this month
    EXAMPLE = "example"     # a finished plan, opened as it is (untitled: saving asks where)


TEMPLATE_ORDER = ("rag-assistant", "finetune-selfhost", "pretrain", "vision-annotation", "agent-platform")
"""Templates in the order the start page lists them (others follow by file name)."""

_HEADER_LABEL = re.compile(r"^(?:template|example plan|example)\s*:\s*", re.IGNORECASE)
_NAME_LINE = re.compile(r"^name:\s*(?P<value>.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Starter:
    """A template or example as the start page lists it."""

    path: Path
    kind: Kind
    name: str
    """The plan's ``name:``."""
    summary: str
    """The header comment's first line (``An internal knowledge assistant, ...``)."""
    notes: str
    """The whole header comment: what the plan models and where its figures come from."""

    @property
    def key(self) -> str:
        """The file name without its suffix (``rag-assistant``)."""
        return self.path.stem


def header(text: str) -> list[str]:
    """The comment lines that open a plan file, without their ``#``."""
    out = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        out.append(line[1:].removeprefix(" ").rstrip())
    return out


def describe(path: str | Path, kind: Kind) -> Starter:
    """A starter from its file: name from ``name:``, summary and notes from the header comment (the plan is
    not read or priced here; ``from_template`` does that)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    lines = header(text)
    summary = _HEADER_LABEL.sub("", lines[0]).strip() if lines else ""
    summary = summary[:1].upper() + summary[1:]
    m = _NAME_LINE.search(text)
    name = str(yaml.safe_load(m["value"])) if m else path.stem
    notes = "\n".join(lines).strip()
    return Starter(path, kind, name, summary, notes)


def _ordered(paths: list[Path], order: tuple[str, ...]) -> list[Path]:
    rank = {stem: i for i, stem in enumerate(order)}
    return sorted(paths, key=lambda p: (rank.get(p.stem, len(rank)), p.name))


def templates(folder: Path | None = None) -> tuple[Starter, ...]:
    """The templates shipped in resources/templates, in ``TEMPLATE_ORDER``."""
    folder = folder or resource_path("templates")
    files = _ordered(list(folder.glob("*.yaml")), TEMPLATE_ORDER) if folder.is_dir() else []
    return tuple(describe(p, Kind.TEMPLATE) for p in files)


def examples(folder: Path | None = None) -> tuple[Starter, ...]:
    """The example plans shipped in resources/examples, by file name."""
    folder = folder or resource_path("examples")
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    return tuple(describe(p, Kind.EXAMPLE) for p in files)


def starters() -> tuple[Starter, ...]:
    """Templates, then examples."""
    return templates() + examples()


def from_template(path: str | Path, catalog: Any = None, start: YearMonth | None = None) -> Plan:
    """A new plan from a template: read and checked as any plan file (``load.load_checked``: a broken template
    raises ``PlanFileError`` with file, line and key path), starting ``start`` (default: this month)."""
    plan = load_checked(path, catalog)
    return dataclasses.replace(plan, start=start or YearMonth.today())


def example_copy(path: str | Path, catalog: Any = None) -> Plan:
    """An example opened as a new, unsaved plan: read and checked as any plan file, with its sample files made
    inline text (they live beside the example, not where the copy will be saved, so a saved copy stays whole)."""
    plan = load_checked(path, catalog)
    lines = []
    for line in plan.services.apis:
        inline = {key: dataclasses.replace(sample, path=None) for key in ("sample_input", "sample_output")
                  if (sample := getattr(line, key)) is not None and sample.path}
        lines.append(dataclasses.replace(line, **inline) if inline else line)
    return plan.with_section("services.apis", tuple(lines))


__all__ = ["Kind", "Starter", "TEMPLATE_ORDER", "describe", "example_copy", "examples", "from_template", "header",
           "starters", "templates"]

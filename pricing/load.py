"""Load = read, then check (as Beancount's loader does): a plan file into a ``Plan`` and every problem, as values.

``planfile`` reads the YAML and reports problems of the format only (it knows no prices);
``checks`` then returns what the catalog cannot price, each placed at its file and line here.
A catalog that cannot be read is the catalog's problem: its ``CatalogError`` (naming the catalog
file) is raised once, never reported against the user's plan.
"""
from __future__ import annotations

import dataclasses
import os
from typing import Any

from pricing import checks, planfile
from pricing.catalog import Catalog
from pricing.errors import PlanFileError, Problem
from pricing.plan import Plan
from pricing.planfile import PlanText


def _checked(doc: PlanText, catalog: Catalog | None) -> tuple[Plan, list[Problem]]:
    catalog = Catalog.load() if catalog is None else catalog  # CatalogError: the catalog's own problem
    found = checks.check(doc.plan, catalog)
    return doc.plan, [Problem(p.message, p.key_path, doc.line(p.key_path), doc.file) for p in found]


def load(path: str | os.PathLike, catalog: Catalog | None = None) -> tuple[Plan | None, list[Problem]]:
    """The plan in ``path`` and every problem with it: format problems (then no plan), else what the catalog
    (default: the shipped one) cannot price. Raises ``CatalogError`` when the catalog itself is broken."""
    try:
        doc = planfile.read(path)
    except PlanFileError as exc:
        return None, list(exc.problems)
    return _checked(doc, catalog)


def loads(text: str, *, file: str | None = None, base_dir: str | os.PathLike | None = None,
          catalog: Catalog | None = None) -> tuple[Plan | None, list[Problem]]:
    """``load`` for plan text (``base_dir`` resolves sample files)."""
    try:
        doc = planfile.reads(text, file=file, base_dir=base_dir)
    except PlanFileError as exc:
        return None, list(exc.problems)
    return _checked(doc, catalog)


def load_checked(path: str | os.PathLike, catalog: Catalog | None = None) -> Plan:
    """The plan in ``path``; ``PlanFileError`` listing every problem (file, line, key path) if it has any.
    What the command line and the window open."""
    plan, problems = load(path, catalog)
    if problems:
        raise PlanFileError(problems)
    return plan


def load_checked_with_horizon(path: str | os.PathLike, months: int, catalog: Catalog | None = None) -> Plan:
    """``load_checked`` with the plan's horizon replaced by ``months`` (``aicost report --months``) before the check:
    what only the longer horizon makes wrong (a cost past the largest amount) is found with its file and line."""
    doc = planfile.read(path)  # PlanFileError: the file's own problems
    if months <= doc.plan.months:  # a shorter horizon costs less: the plan's own check holds (a line's month past
        months = doc.plan.months   # the shorter horizon is no problem of the file)
    doc = dataclasses.replace(doc, plan=dataclasses.replace(doc.plan, months=months))
    plan, problems = _checked(doc, catalog)
    if problems:
        raise PlanFileError(problems)
    return plan


def loads_checked(text: str, *, file: str | None = None, base_dir: str | os.PathLike | None = None,
                  catalog: Any = None) -> Plan:
    """``load_checked`` for plan text."""
    plan, problems = loads(text, file=file, base_dir=base_dir, catalog=catalog)
    if problems:
        raise PlanFileError(problems)
    return plan

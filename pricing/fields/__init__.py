"""THE plan-field schema: kind, unit, limits, typical range, range/integer/share, default, label, help, declared once.

Everything else reads it: the plan-file reader and writer (``pricing.planfile``), the editors
(``gui.editors``), the savings panel and scenario reader (strategy parameters), the Monte Carlo
sampler and the tornado (``pricing.uncertainty``), the reports (``pricing.report_model``,
``pricing.report``) and the field tables of docs/plan-format.md and docs/scenarios.md (``pricing.fields.doc``).

Adding a field to a line: add the attribute (with its default) to the dataclass in ``pricing/plan.py``
and one ``FieldSpec`` entry to its section in ``pricing/fields/sections.py`` (in file order); then run
``python -m pricing.fields.doc`` to regenerate the docs' tables. The reader, writer, editors (the form
shows it after the fields its layout lists), sampler, tornado and reports pick it up; only what the
engine does with it is new code (and a widget, for a new ``Kind``). A strategy parameter is one entry
in ``pricing/fields/strategy_params.py`` (plus its use in the strategy's transform).
"""
from __future__ import annotations

from pricing.fields import units
from pricing.fields.sections import (COMPUTE_SECTION_CHOICES, MAX_MONTHS, MAX_YEAR, MIN_YEAR, NAME, SECTIONS, SETTINGS,
                                     STORAGE_KINDS)
from pricing.fields.spec import (COMPUTED, NAME_LISTS, NUMERIC_KINDS, RULE_FIELDS, Choice, FieldSpec, Kind, Limits,
                                 NameList, SectionSpec, Typical, as_dict, dataclass_default, describe, enum_choices,
                                 is_mapping, keys_where, number_text, share_text, text_choices, value_text, yaml_value)
from pricing.fields.strategy_params import PARAMS as STRATEGY_PARAMS
from pricing.fields.units import Dimension, Term, Unit

ALL_SECTIONS: tuple[SectionSpec, ...] = (SETTINGS,) + SECTIONS
"""The plan's settings, then every section (list sections and the platform)."""

LIST_SECTIONS: tuple[SectionSpec, ...] = tuple(s for s in SECTIONS if s.path != "services.platform")
"""The sections that are lists of lines (``plan.lines()`` walks them), in the plan file's order."""

_BY_PATH = {s.path: s for s in ALL_SECTIONS}

RANGEABLE_KEYS = keys_where(SECTIONS, lambda f: f.rangeable)
"""Keys that may be written as a range in some section (a key means the same in every section)."""
INTEGER_KEYS = keys_where(SECTIONS, lambda f: f.integer and f.rangeable)
"""Rangeable keys that take whole numbers (their Monte Carlo samples are rounded)."""
SHARE_KEYS = keys_where(SECTIONS, lambda f: f.share)
"""Keys that hold shares (written and shown as percentages)."""


def section(path: str) -> SectionSpec:
    """The section at ``path`` (``compute.training``, ``services.platform``; ``""`` for the plan's settings)."""
    try:
        return _BY_PATH[path]
    except KeyError:
        raise KeyError(f"no plan section {path!r}") from None


def field(path: str, key: str) -> FieldSpec:
    """The field ``key`` of the section at ``path``."""
    return section(path).field(key)


def at(key_path: str) -> FieldSpec | None:
    """The field a key path points at (``compute.inference[0].requests_per_month``, ``services.platform.markup``,
    ``months``); None when it points at no field."""
    head, _, key = key_path.rpartition(".")
    path = head.split("[", 1)[0]
    spec = _BY_PATH.get(path)
    if spec is None or not spec.has(key):
        return None
    return spec.field(key)


def by_key(key: str) -> FieldSpec | None:
    """A numeric field by its key alone (numeric keys mean the same in every section: a test checks it)."""
    for s in SECTIONS:
        if s.has(key) and s.field(key).numeric:
            return s.field(key)
    return None


def strategy_params(strategy: str) -> tuple[FieldSpec, ...]:
    """The parameters of a savings strategy."""
    try:
        return STRATEGY_PARAMS[strategy]
    except KeyError:
        raise KeyError(f"no savings strategy {strategy!r}") from None


def strategy_param(strategy: str, key: str) -> FieldSpec:
    for p in strategy_params(strategy):
        if p.key == key:
            return p
    raise KeyError(f"{strategy} has no parameter {key!r}")


__all__ = [
    "ALL_SECTIONS", "COMPUTED", "COMPUTE_SECTION_CHOICES", "Choice", "Dimension", "FieldSpec", "INTEGER_KEYS", "Kind",
    "LIST_SECTIONS", "Limits", "MAX_MONTHS", "MAX_YEAR", "MIN_YEAR", "NAME", "NAME_LISTS", "NUMERIC_KINDS", "NameList",
    "RANGEABLE_KEYS",
    "RULE_FIELDS", "SECTIONS", "SETTINGS", "SHARE_KEYS", "STORAGE_KINDS", "STRATEGY_PARAMS", "SectionSpec", "Term",
    "Typical", "Unit", "as_dict", "at", "by_key", "dataclass_default", "describe", "enum_choices", "field",
    "is_mapping", "keys_where", "number_text", "section", "share_text", "strategy_param", "strategy_params",
    "text_choices", "units", "value_text", "yaml_value",
]

"""The plan file's shape: top-level keys and groups, and views of the field schema (``pricing.fields``) by section.

Every rule of a field (reader, limits, range, share, integer) lives in ``pricing.fields``; the names
here are derived from it, for the reader and writer and for code that still looks fields up by the
old table shape.
"""
from __future__ import annotations

from typing import Any, Callable

from pricing import fields
from pricing.fields import FieldSpec, SectionSpec, describe

_describe = describe

TOP_KEYS = ["format"] + [f.key for f in fields.SETTINGS.fields] + [
    "compute", "data", "services", "annotation", "mlops", "people", "prices", "scenarios", "actuals",
            "priced_with"]
"""Keys of a plan file's top level, in the order a save writes them."""
GROUP_KEYS = {"compute": ["training", "fine_tuning", "inference", "exploration"],
              "data": ["storage", "egress"], "services": ["platform", "apis"]}
"""Keys of the grouping sections."""
MAX_MONTHS = fields.MAX_MONTHS

_Field = tuple[str, Callable[[Any], Any], bool]
"""(dataclass attribute, reader, required): the old table shape, derived from the schema."""


def _table(section: SectionSpec) -> dict[str, _Field]:
    return {f.key: (f.key, f.read, f.required) for f in section.fields}


def reader(spec: FieldSpec) -> Callable[[Any], Any]:
    """The reader of a field (its schema's), as a one-argument function."""
    return spec.read


LIST_SECTIONS: dict[str, tuple[type, dict[str, _Field]]] = {s.path: (s.cls, _table(s)) for s in fields.LIST_SECTIONS}
"""Each list section: (line dataclass, yaml key -> (attribute, reader, required)); derived from the schema."""
PLATFORM: dict[str, _Field] = _table(fields.section("services.platform"))
RANGEABLE = set(fields.RANGEABLE_KEYS)
"""Fields that may be written as a range (amounts; not names, enums or schedule months)."""
INTEGER_FIELDS = set(fields.INTEGER_KEYS)
"""Rangeable fields whose samples are rounded to whole numbers."""
_SHARE_FIELDS = set(fields.SHARE_KEYS)

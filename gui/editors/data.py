"""Forms of the data sections: storage (with lifecycle rules) and egress."""
from __future__ import annotations

import dataclasses
import re
from typing import Any

from pricing.errors import PlanError
from pricing.fields import RULE_FIELDS
from pricing.plan import LifecycleRule

from gui.editors.form import Field, Form, section_fields


_RULE = re.compile(r"^\s*(?:after\s+)?(?P<days>[\d_.]+[kK]?)\s*(?:d|days?)?\s*"
                   r"(?::|->|→|to)?\s*(?P<tier>[A-Za-z_][\w-]*)\s*$")


def parse_lifecycle(text: str) -> tuple[LifecycleRule, ...]:
    """``30 d: infrequent, 180 d: archive`` -> rules; raises PlanError saying what is expected."""
    rules = []
    for part in filter(None, (p.strip() for p in re.split(r"[,;]", text))):
        m = _RULE.match(part)
        if not m:
            raise PlanError(f"found {part!r}, expected rules such as '30 d: infrequent, 180 d: archive'")
        rules.append(LifecycleRule(RULE_FIELDS[0].read(m["days"]), RULE_FIELDS[1].read(m["tier"])))
    if [r.after_days for r in rules] != sorted(r.after_days for r in rules):
        raise PlanError("expected the rules in order of age (the youngest first)")
    return tuple(rules)


def format_lifecycle(rules: Any) -> str:
    return ", ".join(f"{r.after_days:g} d: {r.tier}" for r in (rules or ()))


STORAGE: tuple[Field, ...] = section_fields(
    "data.storage", "name", "size_tb", "growth_tb_per_month", "tier", "kind", "compression", "start", "provider",
    "lifecycle", lifecycle={"wide": True, "parse": parse_lifecycle, "fmt": format_lifecycle,
                           "put": lambda form, line, rules: dataclasses.replace(line, lifecycle=tuple(rules or ()))})

EGRESS: tuple[Field, ...] = section_fields(
    "data.egress", "name", "tb_per_month", "kind", "growth", "start", "end", "provider")


class StorageForm(Form):
    def describe(self, obj: Any) -> str:
        return "Stored data"


class EgressForm(Form):
    def describe(self, obj: Any) -> str:
        return "Data transfer out"

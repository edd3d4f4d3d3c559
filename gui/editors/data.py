"""Forms of the data sections: storage (with lifecycle rules) and egress."""
from __future__ import annotations

import re
from typing import Any, Sequence

from pricing.errors import PlanError
from pricing.plan import EgressKind, LifecycleRule
from pricing.quantities import parse_number

from gui.editors.compute import provider_choices
from gui.editors.form import Field, Form, enum_choices

STORAGE_KINDS = ("raw", "processed", "feature_store", "checkpoints", "logs", "backups")


def tier_choices(form: Form, line: Any) -> Sequence[tuple[Any, str, str]]:
    provider = (line.provider or form.document.plan.provider) if line is not None else form.document.plan.provider
    return [(t, t.replace("_", " "), "") for t in form.document.catalog.storage_tiers(provider)]


def kind_choices(form: Form, line: Any) -> Sequence[tuple[Any, str, str]]:
    return [(k, k.replace("_", " "), "") for k in STORAGE_KINDS]


_RULE = re.compile(r"^\s*(?:after\s+)?(?P<days>[\d_.]+[kK]?)\s*(?:d|days?)?\s*"
                   r"(?::|->|→|to)?\s*(?P<tier>[A-Za-z_][\w-]*)\s*$")


def parse_lifecycle(text: str) -> tuple[LifecycleRule, ...]:
    """``30 d: infrequent, 180 d: archive`` -> rules; raises PlanError saying what is expected."""
    rules = []
    for part in filter(None, (p.strip() for p in re.split(r"[,;]", text))):
        m = _RULE.match(part)
        if not m:
            raise PlanError(f"found {part!r}, expected rules such as '30 d: infrequent, 180 d: archive'")
        rules.append(LifecycleRule(parse_number(m["days"], allow_zero=False), m["tier"]))
    if [r.after_days for r in rules] != sorted(r.after_days for r in rules):
        raise PlanError("expected the rules in order of age (the youngest first)")
    return tuple(rules)


def format_lifecycle(rules: Any) -> str:
    return ", ".join(f"{r.after_days:g} d: {r.tier}" for r in (rules or ()))


STORAGE: tuple[Field, ...] = (
    Field("name", "Name", "name", "Shown in the tables and charts."),
    Field("size_tb", "Stored now", "number", "Terabytes held at the start of the plan, billed every month per "
          "GB-month at the tier's price.", unit="TB"),
    Field("growth_tb_per_month", "New data / month", "number", "Terabytes arriving every month; the stored "
          "volume, and its bill, grow by this much each month.", unit="TB/month"),
    Field("tier", "Tier", "choice", "Storage class new data lands in; colder tiers cost less per GB-month.",
          choices=tier_choices),
    Field("kind", "Kind", "choice", "What the data is (for reading the plan; it doesn't change the price).",
          choices=kind_choices),
    Field("compression", "Compression", "share", "Share of bytes saved by compressing before storing; "
          "cuts the stored volume.", limits={"maximum": 0.99}),
    Field("start", "First month", "month", "Plan month the data starts to be stored.", limits={"minimum": 1}),
    Field("provider", "Provider", "choice", "Cloud whose prices apply; the plan's provider unless set here.",
          choices=provider_choices),
    Field("lifecycle", "Lifecycle", "parsed", "Move data older than N days to a colder tier, e.g. "
          "'90 d: infrequent, 365 d: archive'. Older data then costs the colder tier's price.",
          none_text="none (data stays in its tier)", wide=True,
          limits={"parse": parse_lifecycle, "fmt": format_lifecycle},
          put=lambda form, line, rules: _set(line, lifecycle=tuple(rules or ()))),
)

EGRESS: tuple[Field, ...] = (
    Field("name", "Name", "name", "Shown in the tables and charts."),
    Field("tb_per_month", "Volume / month", "number", "Terabytes moved out each month (first month), billed per GB.",
          unit="TB/month"),
    Field("kind", "Goes to", "choice", "Where the bytes go: the internet, another region, or another zone of "
          "the region; each has its own price per GB.",
          choices=enum_choices(EgressKind, {EgressKind.INTERNET: "internet", EgressKind.INTER_REGION:
                                            "another region", EgressKind.INTER_AZ: "another zone"})),
    Field("growth", "Monthly growth", "share", "Compound growth of the volume each month.", limits={"maximum": 10.0}),
    Field("start", "First month", "month", "Plan month the transfers start.", limits={"minimum": 1}),
    Field("end", "Last month", "month", "Last plan month; 'horizon' runs to the end of the plan.",
          none_text="horizon", limits={"minimum": 1}),
    Field("provider", "Provider", "choice", "Cloud whose prices apply; the plan's provider unless set here.",
          choices=provider_choices),
)


def _set(line: Any, **changes: Any) -> Any:
    import dataclasses
    return dataclasses.replace(line, **changes)


class StorageForm(Form):
    def describe(self, obj: Any) -> str:
        return "Stored data"


class EgressForm(Form):
    def describe(self, obj: Any) -> str:
        return "Data transfer out"

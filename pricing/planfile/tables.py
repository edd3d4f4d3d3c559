"""The plan file's keys: for each section, its YAML keys with the plan field, reader and whether required.

(The field schema of issue 13 replaces these tables; until then every reader of a plan field's
rules reads them here.)
"""
from __future__ import annotations

import enum
from typing import Any, Callable

from pricing import plan as P
from pricing.errors import PlanError
from pricing.quantities import parse_number, parse_share

def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


# Kinds of field: each turns a raw YAML value into a plan value or raises PlanError
def _text(v: Any) -> str:
    if isinstance(v, (dict, list)) or v is None or isinstance(v, bool):
        raise PlanError(f"found {_describe(v)}, expected text")
    s = str(v).strip()
    if not s:
        raise PlanError("found empty text, expected a name")
    return s


ABSURD = 1e15
"""No plan amount is this large (a quadrillion requests, tokens or dollars): it is a typo."""


def _num(**kw: Any) -> Callable[[Any], float]:
    kw.setdefault("maximum", ABSURD)
    return lambda v: parse_number(v, **kw)


def _int(minimum: int = 1) -> Callable[[Any], int]:
    return lambda v: int(parse_number(v, minimum=minimum, integer=True, maximum=1e9))


def _share(maximum: float = 1.0, allow_zero: bool = True) -> Callable[[Any], float]:
    return lambda v: parse_share(v, maximum=maximum, allow_zero=allow_zero)


def _enum(cls: type[enum.Enum]) -> Callable[[Any], enum.Enum]:
    def read(v: Any) -> enum.Enum:
        text = str(v).strip().lower().replace("-", "_") if isinstance(v, str) else v
        for member in cls:
            if member.value == text:
                return member
        known = [m.value for m in cls]
        raise PlanError(f"found {v!r}, expected one of {', '.join(known)}")
    return read


def _names(v: Any) -> tuple[str, ...]:
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise PlanError(f"found {_describe(v)}, expected a list of section names")
    return tuple(x.strip() for x in v)


_POS = _num(allow_zero=False)          # a positive amount
_NONNEG = _num()                       # zero or more
_MONTH = _int(1)                       # 1-based plan month
_GROWTH = _share(maximum=10.0)         # monthly growth up to 1000 %

# Each field: yaml key -> (dataclass field, reader, required)
_Field = tuple[str, Callable[[Any], Any], bool]

TRAINING: dict[str, _Field] = {
    "name": ("name", _text, True), "gpu": ("gpu", _text, True), "gpus": ("gpus", _int(1), False),
    "hours": ("hours", _POS, False), "params": ("params", _POS, False), "tokens": ("tokens", _POS, False),
    "mfu": ("mfu", _share(allow_zero=False), False), "runs": ("runs", _POS, False),
    "month": ("month", _MONTH, False), "every": ("every", _int(1), False),
    "pricing": ("pricing", _enum(P.Pricing), False), "provider": ("provider", _text, False),
    "interruption_overhead": ("interruption_overhead", _share(maximum=10.0), False),
}
INFERENCE: dict[str, _Field] = {
    "name": ("name", _text, True), "gpu": ("gpu", _text, True),
    "requests_per_month": ("requests_per_month", _NONNEG, True),
    "input_tokens": ("input_tokens", _NONNEG, False), "output_tokens": ("output_tokens", _NONNEG, False),
    "tokens_per_second_per_gpu": ("tokens_per_second_per_gpu", _POS, False),
    "throughput_basis": ("throughput_basis", _enum(P.ThroughputBasis), False),
    "utilization": ("utilization", _share(allow_zero=False), False), "growth": ("growth", _GROWTH, False),
    "min_gpus": ("min_gpus", _int(0), False), "max_gpus": ("max_gpus", _int(1), False),
    "start": ("start", _MONTH, False), "end": ("end", _MONTH, False),
    "pricing": ("pricing", _enum(P.Pricing), False), "provider": ("provider", _text, False),
}
EXPLORATION: dict[str, _Field] = {
    "name": ("name", _text, True), "gpu": ("gpu", _text, True), "people": ("people", _int(0), False),
    "hours_per_week": ("hours_per_week", _num(maximum=168), False),
    "idle_share": ("idle_share", _share(), False), "gpus_per_instance": ("gpus_per_instance", _int(1), False),
    "start": ("start", _MONTH, False), "end": ("end", _MONTH, False),
    "pricing": ("pricing", _enum(P.Pricing), False), "provider": ("provider", _text, False),
    "interruption_overhead": ("interruption_overhead", _share(maximum=10.0), False),
}
STORAGE: dict[str, _Field] = {
    "name": ("name", _text, True), "size_tb": ("size_tb", _NONNEG, False),
    "growth_tb_per_month": ("growth_tb_per_month", _NONNEG, False), "tier": ("tier", _text, False),
    "kind": ("kind", _text, False), "compression": ("compression", _share(maximum=0.99), False),
    "start": ("start", _MONTH, False), "provider": ("provider", _text, False),
    "lifecycle": ("lifecycle", None, False),  # read by _lifecycle
}
EGRESS: dict[str, _Field] = {
    "name": ("name", _text, True), "tb_per_month": ("tb_per_month", _NONNEG, True),
    "kind": ("kind", _enum(P.EgressKind), False), "growth": ("growth", _GROWTH, False),
    "start": ("start", _MONTH, False), "end": ("end", _MONTH, False), "provider": ("provider", _text, False),
}
PLATFORM: dict[str, _Field] = {
    "name": ("name", _text, True), "markup": ("markup", _share(maximum=10.0), False),
    "applies_to": ("applies_to", _names, False),
}
API: dict[str, _Field] = {
    "name": ("name", _text, True), "provider": ("provider", _text, True), "model": ("model", _text, True),
    "requests_per_month": ("requests_per_month", _NONNEG, True),
    "input_tokens": ("input_tokens", _NONNEG, False), "output_tokens": ("output_tokens", _NONNEG, False),
    "cached_input_share": ("cached_input_share", _share(), False), "growth": ("growth", _GROWTH, False),
    "response_cache_hit_rate": ("response_cache_hit_rate", _share(), False),
    "sample_input": ("sample_input", None, False), "sample_output": ("sample_output", None, False),
    "start": ("start", _MONTH, False), "end": ("end", _MONTH, False),
}
ANNOTATION: dict[str, _Field] = {
    "name": ("name", _text, True), "task": ("task", _text, True), "items": ("items", _NONNEG, True),
    "price_per_item": ("price_per_item", _NONNEG, False),
    "review_passes": ("review_passes", _num(minimum=1.0, maximum=20), False),
    "month": ("month", _MONTH, False), "over_months": ("over_months", _int(1), False),
    "every": ("every", _int(1), False),
}
MLOPS: dict[str, _Field] = {
    "name": ("name", _text, True), "kind": ("kind", _text, True), "quantity": ("quantity", _NONNEG, False),
    "unit_price": ("unit_price", _NONNEG, False), "start": ("start", _MONTH, False),
    "end": ("end", _MONTH, False), "provider": ("provider", _text, False),
}
PEOPLE: dict[str, _Field] = {
    "name": ("name", _text, True), "hours_per_month": ("hours_per_month", _num(maximum=744), True),
    "hourly_rate": ("hourly_rate", _NONNEG, True), "start": ("start", _MONTH, False), "end": ("end", _MONTH, False),
}

LIST_SECTIONS: dict[str, tuple[type, dict[str, _Field]]] = {
    "compute.training": (P.TrainingRun, TRAINING),
    "compute.fine_tuning": (P.TrainingRun, TRAINING),
    "compute.inference": (P.InferenceService, INFERENCE),
    "compute.exploration": (P.ExplorationPool, EXPLORATION),
    "data.storage": (P.StorageLine, STORAGE),
    "data.egress": (P.EgressLine, EGRESS),
    "services.apis": (P.ApiLine, API),
    "annotation": (P.AnnotationBatch, ANNOTATION),
    "mlops": (P.MlopsLine, MLOPS),
    "people": (P.PeopleLine, PEOPLE),
}
TOP_KEYS = ["format", "name", "currency", "fx_rate", "start", "months", "provider", "monthly_budget",
            "compute", "data", "services", "annotation", "mlops", "people", "prices", "scenarios"]
GROUP_KEYS = {"compute": ["training", "fine_tuning", "inference", "exploration"],
              "data": ["storage", "egress"], "services": ["platform", "apis"]}
MAX_MONTHS = 240

RANGEABLE = {"gpus", "hours", "params", "tokens", "mfu", "runs", "interruption_overhead", "requests_per_month",
             "input_tokens", "output_tokens", "tokens_per_second_per_gpu", "utilization", "growth", "min_gpus",
             "people", "hours_per_week", "idle_share", "gpus_per_instance", "size_tb", "growth_tb_per_month",
             "compression", "tb_per_month", "cached_input_share", "response_cache_hit_rate", "items",
             "price_per_item", "review_passes", "quantity", "unit_price", "hours_per_month", "hourly_rate"}
"""Fields that may be written as a range (amounts; not names, enums or schedule months)."""
INTEGER_FIELDS = {"gpus", "min_gpus", "people", "gpus_per_instance"}
"""Rangeable fields whose samples are rounded to whole numbers."""

_SHARE_FIELDS = {"mfu", "utilization", "growth", "idle_share", "compression", "markup", "cached_input_share",
                 "response_cache_hit_rate", "interruption_overhead"}

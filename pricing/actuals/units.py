"""Units of consumption: what a plan line counts and how an export's ConsumedUnit converts to it."""
from __future__ import annotations

import re
from dataclasses import dataclass

from pricing.engine import DAYS_PER_MONTH, HOURS_PER_MONTH
from pricing.quantities import DATA_UNITS

LINE_UNIT = {
    "compute.training": "GPU-hours",
    "compute.fine_tuning": "GPU-hours",
    "compute.inference": "GPU-hours",
    "compute.exploration": "GPU-hours",
    "data.storage": "GB-months",
    "data.egress": "GB",
    "services.apis": "tokens",
}
"""The usage a plan line is compared on, by section (the engine's LineItem.quantities names it)."""

_SIZE = {symbol.lower(): size / DATA_UNITS["GB"] for symbol, size in DATA_UNITS.items()}
"""Decimal GB in each size unit a bill may count in (the plan files' one table of data units)."""
_TIME_TO_MONTHS = {"month": 1.0, "months": 1.0, "mo": 1.0, "mos": 1.0, "day": 1 / DAYS_PER_MONTH,
                   "days": 1 / DAYS_PER_MONTH, "hour": 1 / HOURS_PER_MONTH, "hours": 1 / HOURS_PER_MONTH,
                   "hr": 1 / HOURS_PER_MONTH, "hrs": 1 / HOURS_PER_MONTH}
_HOURS = {"hour": 1.0, "hours": 1.0, "hr": 1.0, "hrs": 1.0, "h": 1.0, "minute": 1 / 60, "minutes": 1 / 60,
          "second": 1 / 3600, "seconds": 1 / 3600, "s": 1 / 3600}


@dataclass(frozen=True, slots=True)
class Conversion:
    """How many of the line's units one consumed unit is."""

    factor: float
    per_gpu: bool = False
    """True for instance-hours: multiply by the GPUs in the instance (SkuPriceDetails.GpuCount)."""


def conversion(consumed_unit: str | None, target: str) -> Conversion | None:
    """The factor from an export's ConsumedUnit (FOCUS UnitFormat: "Hours", "1000 Tokens", "GB-Months",
    "GB", "GPU-Hours"...) to a plan line's unit; None when they do not measure the same thing."""
    if not consumed_unit:
        return None
    text = consumed_unit.strip().lower()
    m = re.fullmatch(r"(?:(\d+(?:\.\d+)?)\s*([km])?\s+)?(.+)", text)
    if not m:
        return None
    scale = float(m.group(1)) if m.group(1) else 1.0
    scale *= {"k": 1e3, "m": 1e6}.get(m.group(2) or "", 1.0)
    unit = m.group(3).strip()
    if target == "tokens":
        if unit in ("token", "tokens"):
            return Conversion(scale)
        return None
    if target == "GPU-hours":
        if unit.replace(" ", "-") in ("gpu-hours", "gpu-hour", "gpu-hrs"):
            return Conversion(scale)
        if unit in _HOURS:
            return Conversion(scale * _HOURS[unit], per_gpu=True)
        return None
    if target == "GB-months":
        parts = re.split(r"[-/ ]+", unit)
        if len(parts) == 2 and parts[0] in _SIZE and parts[1] in _TIME_TO_MONTHS:
            return Conversion(scale * _SIZE[parts[0]] * _TIME_TO_MONTHS[parts[1]])
        return None
    if target == "GB":
        if unit in _SIZE:
            return Conversion(scale * _SIZE[unit])
        return None
    return None


def line_quantity(quantities: tuple[tuple[str, object], ...], target: str):
    """A line item's monthly quantity in its comparison unit (numpy array), or None."""
    q = dict(quantities)
    if target == "tokens":
        if "input tokens" in q and "output tokens" in q:
            return q["input tokens"] + q["output tokens"]  # type: ignore[operator]
        return q.get("tokens")
    return q.get(target)

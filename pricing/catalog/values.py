"""Catalog values: prices, their sources and dates, GPU specs, listing rows, and the catalog's errors."""
from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

from pricing.errors import CatalogError, PlanError, UnknownNameError

HOURS_PER_MONTH = 730.0
"""Hours in a billing month: published hourly rates (clusters, load balancers) x this = monthly rates."""

CATALOG_FILES = ("gpus.yaml", "storage.yaml", "egress.yaml", "platforms.yaml", "annotation.yaml",
                 "mlops.yaml", "levers.yaml")
"""The files a catalog directory must hold, each read once per load."""

SECTIONS = ("gpus", "storage", "egress", "platforms", "annotation", "mlops", "levers")
"""Sections of :meth:`Catalog.entries`, one per file."""

PRICINGS = ("on_demand", "spot", "reserved", "serverless")
"""How GPU time is bought; each provider sells a subset (gpus.yaml ``providers``)."""

CONFIDENCE_LEVELS = (
    "verified_primary", "verified_primary_archived", "verified_docs", "verified_code_snapshot",
    "verified_catalog", "verified_secondary", "verified_catalog_old", "derived_secondary", "derived",
    "partial", "LOW_CONFIDENCE", "suspect_catalog",
)
"""Verification levels a priced entry may carry, strongest first. The order is only used to give a
price derived from two others (reserved = on-demand x (1 - discount)) the weaker of their levels."""

ANY_PROVIDER = "any"
"""Provider of provider-independent MLOps rates (CI minutes); every provider falls back to it."""

_UNIT = {
    "gpu": "USD per GPU-hour",
    "storage": "USD per GB-month",
    "egress": "USD per GB",
    "platform": "fraction over compute",
    "reserved_discount": "fraction off on-demand",
    "gb_bytes": "bytes per billed GB",
}
_PRICING_ALIASES = {"ondemand": "on_demand", "on_demand": "on_demand", "od": "on_demand",
                    "preemptible": "spot", "interruptible": "spot", "spot": "spot",
                    "reserved": "reserved", "committed": "reserved", "committed_use": "reserved",
                    "serverless": "serverless", "serverless_flex": "serverless"}
_PRICING_LABEL = {"on_demand": "on-demand", "spot": "spot", "reserved": "reserved",
                  "serverless": "serverless flex worker"}


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PriceSource:
    """Where a figure comes from and how far to trust it."""

    key: str
    """The override key of the figure, e.g. ``gpu.H100-80GB.aws.on_demand``."""
    source: str
    """URL or citation; ``plan override`` when the plan sets the figure."""
    as_of: str
    """The date as the reference writes it ("2026-03", "undated catalog snapshot ...")."""
    as_of_date: datetime.date | None
    """``as_of`` as a date (month -> its 1st, year -> 1 January) to find the oldest price; None when undated."""
    confidence: str
    """Verification level (verified_catalog, verified_secondary, LOW_CONFIDENCE, derived, ...); ``override``
    for plan overrides, ``gap`` for figures the reference does not have."""
    notes: str = ""
    """Caveats worth showing next to the figure."""
    overridden: bool = False
    """True when the plan's ``prices:`` section set (part of) the figure."""

    def data(self) -> dict:
        """As plain data for JSON and CSV (the date as ISO text)."""
        return {"key": self.key, "source": self.source, "as_of": self.as_of,
                "as_of_date": self.as_of_date.isoformat() if self.as_of_date else None,
                "confidence": self.confidence, "overridden": self.overridden}


@dataclass(frozen=True, slots=True)
class Tier:
    """One volume tier of a tiered price."""

    upto: float | None
    """Cumulative upper bound of the quantity billed at this rate (None = no bound)."""
    price: float
    """USD per unit within the tier."""


@dataclass(frozen=True, slots=True)
class Price:
    """A unit price with its source; tiered when the rate falls with volume."""

    value: float
    """Headline USD per unit (the first paid tier's rate when tiered)."""
    unit: str
    """What one unit is: "USD per GPU-hour", "USD per GB-month", "fraction over compute", ..."""
    source: PriceSource
    """Where the figure comes from."""
    tiers: tuple[Tier, ...] = ()
    """Volume tiers, lowest first; empty for a flat price."""

    def cost(self, quantity: Any) -> Any:
        """Cost of ``quantity`` units (a float, or a numpy array of quantities -> same shape).

        Flat: quantity x value. Tiered: each tier's rate applies to the part of the quantity
        inside the tier (quantities below 0 cost nothing).
        """
        if not self.tiers:
            if isinstance(quantity, (list, tuple)):
                quantity = np.asarray(quantity, dtype=float)
            return quantity * self.value
        # Tiered cost is piecewise linear in the quantity: interpolate on the tier bounds (one
        # numpy call instead of a clip per tier), and extend the last tier's rate beyond them.
        xs, ys, last_rate = _tier_curve(self.tiers)
        q = np.maximum(np.asarray(quantity, dtype=float), 0.0)
        total = np.interp(q, xs, ys)
        if last_rate:
            total = total + np.maximum(q - xs[-1], 0.0) * last_rate
        return float(total) if q.ndim == 0 else total


@functools.lru_cache(maxsize=256)
def _tier_curve(tiers: tuple[Tier, ...]) -> tuple[np.ndarray, np.ndarray, float]:
    """Bounds of the tiers, cumulative cost at each bound, and the rate beyond the last bound."""
    xs, ys = [0.0], [0.0]
    last_rate = 0.0
    for tier in tiers:
        if tier.upto is None:
            last_rate = tier.price
            break
        ys.append(ys[-1] + (tier.upto - xs[-1]) * tier.price)
        xs.append(float(tier.upto))
    return np.array(xs), np.array(ys), last_rate


@dataclass(frozen=True, slots=True)
class GpuSpec:
    """What a GPU can do: the figures the engine derives hours and capacity from."""

    key: str
    """Canonical catalog key, e.g. ``H100-80GB``."""
    name: str
    """Display name."""
    memory_gb: float
    """Memory per GPU, GB."""
    peak_tflops: float | None
    """Dense BF16 peak, TFLOP/s (T4: FP16 tensor, said in ``peak_note``); None when unpublished (A10G)."""
    peak_note: str
    """Caveat about the peak (precision used, or why it is missing)."""
    source: PriceSource
    """Source of the specs; key ``gpu.<KEY>.peak_tflops`` (overridable)."""
    memory_bandwidth_tb_s: float | None = None
    """Memory bandwidth, TB/s; None when not verified."""
    peaks: tuple[tuple[str, float], ...] = ()
    """Low-precision dense tensor-core peaks as (precision, value) pairs: ``fp8``, ``fp4`` in TFLOP/s, ``int8``
    in TOPS, as published; absent where the GPU has no such tensor cores (the 16-bit peak is ``peak_tflops``)."""
    peaks_source: str = ""
    """Where the fp8/fp4/int8 peaks come from, with the date read."""


@dataclass(frozen=True, slots=True)
class GpuInstance:
    """The instance shape a job needing some GPUs in one machine is billed on, and its price per GPU-hour."""

    price: Price
    """USD per GPU-hour on this shape (the instance price / its GPUs); its source notes name the instance."""
    gpus_per_instance: int
    """GPUs billed per instance: the shape's GPUs (more than the job uses when no smaller shape is sold), or the
    job's own count where the provider bills per GPU."""
    instances: int
    """Instances the job takes (several of the largest shape for a job bigger than any one machine)."""
    instance: str
    """The instance's name as the catalog gives it (``g6.12xlarge (4 GPUs, ...)``)."""
    note: str = ""
    """Why the shape differs from the job's GPU count (rounded up to a whole instance, several instances, a
    per-GPU price of a bigger instance used), empty when the job fills one instance exactly."""

    @property
    def billed_gpus(self) -> int:
        """GPUs paid for: instances x GPUs per instance."""
        return self.instances * self.gpus_per_instance


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One row of the catalog for listings (CLI ``aicost catalog``, GUI catalog browser)."""

    key: str
    """The override key."""
    section: str
    """``gpus`` | ``storage`` | ``egress`` | ``platforms`` | ``annotation`` | ``mlops`` | ``levers``."""
    provider: str
    """Provider (``any`` for provider-independent MLOps rates); empty when not provider-specific."""
    item: str
    """GPU key / storage tier / egress kind / platform / task / MLOps kind / lever key."""
    description: str
    """What the figure is, in words."""
    value: float | None
    """Headline value; None for gaps."""
    unit: str
    """Unit of ``value`` and of the tier prices."""
    tiers: tuple[Tier, ...]
    """Volume tiers (empty for flat prices)."""
    source: PriceSource
    """Where the figure comes from (the override when the plan sets it)."""
    gap: str
    """Why the value is missing ("" when it is not)."""


@dataclass(frozen=True, slots=True)
class ThroughputFigure:
    """A published self-hosting throughput measurement (levers.yaml ``self_hosting_throughput``)."""

    key: str
    """Lever key, ``lever.throughput.<id>`` (its lever value is ``value_per_gpu``)."""
    model: str
    hardware: str
    """Hardware as published, e.g. "2x H100 SXM (TP2)"."""
    gpu: str
    """Canonical GPU key of that hardware."""
    gpus: int
    engine: str
    precision: str
    workload: str
    """Input/output lengths or benchmark settings the figure was measured with."""
    value: float
    """Output tokens/s of the whole system."""
    value_per_gpu: float
    """Output tokens/s per GPU: use with the matching GPU-hour price."""
    unit: str
    source: PriceSource


class MissingPriceError(CatalogError):
    """The catalog has no figure for what is asked: a known gap in the reference, or never collected.

    The message names the override key the plan can set in its ``prices:`` section.
    """

    def __init__(self, key: str, why: str, unit: str, *, known_gap: bool = True, also: str = ""):
        self.key = key
        """The override key that would supply the figure."""
        self.why = why
        self.unit = unit
        self.known_gap = known_gap
        """True when the reference records the gap itself; False when it never had the figure."""
        what = ("it is a known gap in the reference price data" if known_gap
                else "the reference price data has no figure for it")
        why = why.rstrip(".")
        msg = (f"no price for {key}: {what} ({why}). Set it in the plan's prices: section, "
               f"e.g. prices: {{{key}: <{unit}>}}")
        if also:
            msg += f"; {also}"
        super().__init__(msg)


class PricingNotOfferedError(CatalogError):
    """A provider does not sell GPU time that way (e.g. Lambda has no spot tier): not a gap to fill."""


class RankedUnknownNameError(UnknownNameError):
    """An unknown name whose suggestions the catalog ranked itself: GPU names are matched against
    every alias too, price keys with their recognisable parts (GPU, provider, pricing) normalised."""

    def __init__(self, kind: str, name: str, suggestions: Iterable[str], hint: str = ""):
        self.kind = kind
        self.name = name
        self.suggestions = list(suggestions)
        msg = f"unknown {kind} {name!r}"
        if self.suggestions:
            msg += "; did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?"
        if hint:
            msg += f" ({hint})"
        PlanError.__init__(self, msg)


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------

_DATE = re.compile(r"(?<!\d)(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?!\d)")


def parse_as_of(text: str) -> datetime.date | None:
    """The date an ``as_of`` text states: "2026-03" -> 2026-03-01, "2026" -> 2026-01-01,
    "2022-12-30 (...)" -> that day; texts that start "undated" (or say nothing datable) -> None."""
    t = (text or "").strip()
    if not t or t.lower().startswith(("undated", "n/a", "plan")):
        return None
    for m in _DATE.finditer(t):
        year = int(m[1])
        month = int(m[2]) if m[2] else 1
        day = int(m[3]) if m[3] else 1
        if not 1990 <= year <= 2100:
            continue
        try:
            return datetime.date(year, month, day)
        except ValueError:
            try:  # "2024-2026" style: keep the year
                return datetime.date(year, 1, 1)
            except ValueError:
                continue
    return None


def oldest(sources: Iterable[PriceSource]) -> PriceSource | None:
    """The source with the oldest ``as_of_date`` (undated ones ignored); None when none is dated."""
    best: PriceSource | None = None
    for s in sources:
        if s.as_of_date is not None and (best is None or s.as_of_date < best.as_of_date):
            best = s
    return best


def weakest(*levels: str) -> str:
    """The least trusted of several confidence levels (``override`` parts are the user's word: skipped)."""
    ranked = [lv for lv in levels if lv in CONFIDENCE_LEVELS]
    if not ranked:
        return "override" if levels and all(lv == "override" for lv in levels) else (levels[0] if levels else "")
    return max(ranked, key=CONFIDENCE_LEVELS.index)

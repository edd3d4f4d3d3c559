"""What every cost driver shares: a plan line's priced result (LineItem) and the pricing context of a plan.

Below the engine and the drivers, so the drivers need not import the engine that calls them.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from pricing import fx as fxrates
from pricing.catalog import Catalog, PriceSource
from pricing.plan import Category, Plan

HOURS_PER_MONTH = 730.0
"""Billing hours in a month (8,760 / 12), as cloud price sheets use."""
DAYS_PER_MONTH = 365.25 / 12
"""Average days in a month, for data ages."""
GB_PER_TB = 1000.0
"""Decimal terabytes, as users state data sizes."""
BYTES_PER_TB = 1e12
"""Bytes in the decimal TB plans state sizes in; a provider's billed GB holds ``Catalog.gb_bytes(provider)`` bytes."""


@dataclass(frozen=True, slots=True, eq=False)
class AccountUsage:
    """What a line bills under a price whose volume tiers and free allowance apply per provider ACCOUNT (all the
    plan's lines of one provider and kind together), not per line: the engine's account pass
    (``engine.with_account_tiers``) prices the lines' summed volume once and allocates the cost back."""

    key: str
    """The price key the volume is billed under (``egress.aws.internet``): lines sharing it share its tiers."""
    price: Any
    """The tiered ``Price`` (USD per billed unit)."""
    units: np.ndarray
    """Billed units per month (billed GB, GB-months, objects...)."""
    fx: float
    """Plan currency per USD for this line's cost."""
    applied: np.ndarray
    """The cost of these units (plan currency) now inside the line's ``monthly``: first the line priced alone, after
    the account pass its allocated share (so the pass can run again on its own output and give the same result)."""


@dataclass(frozen=True, slots=True, eq=False)
class LineItem:
    """One line of the bill: a plan line priced month by month."""

    name: str
    category: Category
    section: str
    """List section of the plan it comes from (``compute.training``...)."""
    key_path: str
    """The plan line it prices (``compute.training[0]``); ``services.platform`` for the markup."""
    monthly: np.ndarray
    """Cost per month, in the plan's currency."""
    quantities: tuple[tuple[str, np.ndarray], ...] = ()
    """What is bought each month, by name with unit (``GPU-hours``, ``GB-months``, ``requests``...)."""
    sources: tuple[PriceSource, ...] = ()
    """Where each price it used came from."""
    notes: tuple[str, ...] = ()
    """Caveats worth showing next to the number (approximations, capacity caps)."""
    account: tuple[AccountUsage, ...] = ()
    """Volumes billed under account-wide tiers (egress, tiered storage, log allowances), for the account pass."""

    @property
    def total(self) -> float:
        return float(self.monthly.sum())

    def quantity(self, name: str) -> np.ndarray | None:
        return dict(self.quantities).get(name)


@dataclass(frozen=True, slots=True)
class Context:
    """What every driver needs: the plan, its catalog (overrides applied) and the month axis."""

    plan: Plan
    catalog: Catalog
    n: int
    """Months in the horizon."""
    fx: float
    """Plan currency per USD: the pinned ``fx_rate`` or the dated ECB rate of the start month (``fx.for_plan``);
    it changes with the plan's currency, fx_rate and start."""
    index: np.ndarray
    """0..n-1, the month offsets."""

    def active(self, start: int = 1, end: int | None = None) -> np.ndarray:
        """1.0 in the months a line runs (``start``..``end``, 1-based inclusive), else 0.0 (read-only)."""
        return _active(self.n, start, end)

    def growth(self, rate: float, start: int = 1, end: int | None = None) -> np.ndarray:
        """Compound growth factor from ``start`` (1.0 there), zero outside the active months."""
        if not isinstance(rate, np.ndarray):
            return _growth(self.n, float(rate), start, end)
        k = np.maximum(self.index - (start - 1), 0)
        return (1.0 + rate) ** k * self.active(start, end)

    def provider(self, line: Any) -> str:
        return (getattr(line, "provider", None) or self.plan.provider).lower()


@lru_cache(maxsize=1024)
def _active(n: int, start: int, end: int | None) -> np.ndarray:
    last = n if end is None else min(end, n)
    mask = np.zeros(n)
    if start <= last:
        mask[start - 1:last] = 1.0
    mask.setflags(write=False)
    return mask


@lru_cache(maxsize=1024)
def _growth(n: int, rate: float, start: int, end: int | None) -> np.ndarray:
    k = np.maximum(np.arange(n, dtype=float) - (start - 1), 0)
    out = (1.0 + rate) ** k * _active(n, start, end)
    out.setflags(write=False)
    return out


def context(plan: Plan, catalog: Catalog | None = None) -> Context:
    """The pricing context of a plan: the catalog with the plan's overrides applied."""
    if catalog is None:
        catalog = Catalog.load()
    if plan.prices:
        catalog = catalog.with_overrides(plan.price_overrides)
    return Context(plan, catalog, plan.months, fxrates.for_plan(plan).per_usd, np.arange(plan.months, dtype=float))

"""The cost engine: project(plan, catalog) -> Projection (months x line items); no state, no I/O."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from pricing.plan import SECTIONS, Category, Plan, YearMonth

if TYPE_CHECKING:
    from pricing.catalog import Catalog, PriceSource

HOURS_PER_MONTH = 730.0
"""Billing hours in a month (8,760 / 12), as cloud price sheets use."""
DAYS_PER_MONTH = 365.25 / 12
"""Average days in a month, for data ages."""
GB_PER_TB = 1000.0
"""Decimal terabytes, as users state data sizes."""


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
    sources: tuple["PriceSource", ...] = ()
    """Where each price it used came from."""
    notes: tuple[str, ...] = ()
    """Caveats worth showing next to the number (approximations, capacity caps)."""

    @property
    def total(self) -> float:
        return float(self.monthly.sum())

    def quantity(self, name: str) -> np.ndarray | None:
        return dict(self.quantities).get(name)


@dataclass(frozen=True, slots=True)
class Driver:
    """A line item ranked by its horizon cost."""

    name: str
    key_path: str
    category: Category
    total: float
    share: float


@dataclass(frozen=True, slots=True, eq=False)
class Projection:
    """A plan projected over its horizon: every line item's monthly cost and the sums views need."""

    plan: Plan
    months: tuple[YearMonth, ...]
    line_items: tuple[LineItem, ...]
    matrix: np.ndarray
    """Line items x months cost."""
    requests: np.ndarray
    """Requests served per month across inference and API lines (for cost per 1k requests)."""
    category_totals: dict[Category, np.ndarray] = field(default_factory=dict)

    @property
    def currency(self) -> str:
        return self.plan.currency

    @property
    def monthly(self) -> np.ndarray:
        return self.matrix.sum(axis=0) if len(self.line_items) else np.zeros(len(self.months))

    @property
    def total(self) -> float:
        return float(self.matrix.sum())

    @property
    def cumulative(self) -> np.ndarray:
        return np.cumsum(self.monthly)

    @property
    def run_rate_now(self) -> float:
        """Cost of the first month (what the project costs a month as it starts)."""
        return float(self.monthly[0]) if len(self.months) else 0.0

    @property
    def run_rate_end(self) -> float:
        """Cost of the last month of the horizon."""
        return float(self.monthly[-1]) if len(self.months) else 0.0

    @property
    def recurring_run_rate_now(self) -> float:
        return self.run_rate_now

    def drivers(self, top: int | None = None) -> tuple[Driver, ...]:
        """Line items ranked by horizon cost, with their share of the total."""
        total = self.total
        ranked = sorted(self.line_items, key=lambda li: (-li.total, li.name))
        out = tuple(Driver(li.name, li.key_path, li.category, li.total, li.total / total if total else 0.0)
                    for li in ranked)
        return out[:top] if top else out

    def cost_per_1k_requests(self) -> float | None:
        """Whole bill over the horizon per thousand requests served; None when no requests are known."""
        n = float(self.requests.sum())
        return self.total / n * 1000.0 if n > 0 else None

    def first_month_over_budget(self) -> int | None:
        """Index of the first month whose cost exceeds the plan's monthly budget, if any."""
        budget = self.plan.monthly_budget
        if budget is None:
            return None
        over = np.nonzero(self.monthly > budget + 1e-9)[0]
        return int(over[0]) if len(over) else None

    def sources(self) -> tuple["PriceSource", ...]:
        """Every distinct price source used, in first-use order."""
        seen: dict[str, Any] = {}
        for li in self.line_items:
            for s in li.sources:
                seen.setdefault(s.key, s)
        return tuple(seen.values())

    def oldest_source(self) -> "PriceSource | None":
        from pricing.catalog import oldest
        return oldest(self.sources())

    def undated_sources(self) -> tuple["PriceSource", ...]:
        return tuple(s for s in self.sources() if s.as_of_date is None and not s.overridden)


@dataclass(frozen=True, slots=True)
class Context:
    """What every driver needs: the plan, its catalog (overrides applied) and the month axis."""

    plan: Plan
    catalog: "Catalog"
    n: int
    """Months in the horizon."""
    fx: float
    """Plan currency per USD."""
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


@lru_cache(maxsize=1)
def _drivers() -> dict[str, Callable[[Any, str, Context], LineItem]]:
    from pricing.drivers import annotation, compute, data, mlops, people, services
    return {
        "compute.training": compute.training,
        "compute.fine_tuning": compute.training,
        "compute.inference": compute.inference,
        "compute.exploration": compute.exploration,
        "data.storage": data.storage,
        "data.egress": data.egress,
        "services.apis": services.api,
        "annotation": annotation.batch,
        "mlops": mlops.line,
        "people": people.line,
    }


CATEGORY_OF = dict(SECTIONS)
_CATEGORIES = tuple(Category)
_CATEGORY_INDEX = {c: i for i, c in enumerate(_CATEGORIES)}
_REQUESTS_AT = {"compute.inference": 2, "services.apis": 0}
"""Position of the ``requests`` quantity in the line items of sections that serve requests."""


def context(plan: Plan, catalog: "Catalog | None" = None) -> Context:
    """The pricing context of a plan: the catalog with the plan's overrides applied."""
    if catalog is None:
        from pricing.catalog import Catalog
        catalog = Catalog.load()
    if plan.prices:
        catalog = catalog.with_overrides(plan.price_overrides)
    return Context(plan, catalog, plan.months, plan.fx_rate, np.arange(plan.months, dtype=float))


def price_line(section: str, index: int, line: Any, ctx: Context) -> LineItem:
    """One plan line priced (raises PlanError subclasses for what cannot be priced)."""
    return _drivers()[section](line, f"{section}[{index}]", ctx)


def project(plan: Plan, catalog: "Catalog | None" = None, *, months: int | None = None) -> Projection:
    """Project a plan month by month. ``months`` shortens or lengthens the horizon for this projection."""
    if months is not None and months != plan.months:
        import dataclasses
        plan = dataclasses.replace(plan, months=months)
    ctx = context(plan, catalog)
    drivers = _drivers()
    items: list[LineItem] = []
    for section, _ in SECTIONS:
        fn = drivers[section]
        for i, line in enumerate(plan.section(section)):
            items.append(fn(line, f"{section}[{i}]", ctx))
    if plan.services.platform is not None:
        from pricing.drivers.services import platform_markup
        items.append(platform_markup(plan.services.platform, items, ctx))
    n = plan.months
    matrix = np.vstack([li.monthly for li in items]) if items else np.zeros((0, n))
    served = [li.quantities[_REQUESTS_AT[li.section]][1] for li in items if li.section in _REQUESTS_AT]
    requests = np.sum(served, axis=0) if served else np.zeros(n)
    index = np.fromiter((_CATEGORY_INDEX[li.category] for li in items), dtype=np.intp, count=len(items))
    by_category = np.zeros((len(_CATEGORIES), n))
    np.add.at(by_category, index, matrix)
    cats = dict(zip(_CATEGORIES, by_category))
    months_axis = tuple(plan.start.plus(k) for k in range(n))
    return Projection(plan, months_axis, tuple(items), matrix, requests, cats)

"""The cost engine: project(plan, catalog) -> Projection (months x line items); no state, no I/O.

The drivers (one module per cost area) price plan lines on a ``Context`` (pricing/context.py);
this module holds the table of which driver prices which section, adds the platform markup and
sums the line items. ``LineItem``, ``Context`` and ``context`` are re-exported from here.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from pricing.catalog import Catalog, PriceSource, oldest
from pricing.context import DAYS_PER_MONTH, GB_PER_TB, HOURS_PER_MONTH, Context, LineItem, context
from pricing.drivers import annotation, compute, data, mlops, people, services
from pricing.errors import PlanError, Problem
from pricing.plan import SECTIONS, Category, Plan, YearMonth

MAX_TOTAL = 1e15
"""No plan costs this much over its horizon, in any currency: a quadrillion is a typo, most often a growth that
compounds for years (1000% a month for 20 years is 10^250). Past it, cents no longer fit the int64 sums of the
presentation (9.2e16 units), so the plan is refused with a problem rather than shown wrong."""


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

    def sources(self) -> tuple[PriceSource, ...]:
        """Every distinct price source used, in first-use order."""
        seen: dict[str, Any] = {}
        for li in self.line_items:
            for s in li.sources:
                seen.setdefault(s.key, s)
        return tuple(seen.values())

    def oldest_source(self) -> PriceSource | None:
        return oldest(self.sources())

    def undated_sources(self) -> tuple[PriceSource, ...]:
        return tuple(s for s in self.sources() if s.as_of_date is None and not s.overridden)


DRIVERS: dict[str, Callable[[Any, str, Context], LineItem]] = {
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
"""The driver that prices each list section of a plan."""


CATEGORY_OF = dict(SECTIONS)
_CATEGORIES = tuple(Category)
_CATEGORY_INDEX = {c: i for i, c in enumerate(_CATEGORIES)}
_REQUESTS_AT = {"compute.inference": 2, "services.apis": 0}
"""Position of the ``requests`` quantity in the line items of sections that serve requests."""


def price_line(section: str, index: int, line: Any, ctx: Context) -> LineItem:
    """One plan line priced (raises PlanError subclasses for what cannot be priced)."""
    return DRIVERS[section](line, f"{section}[{index}]", ctx)


def with_markup(plan: Plan, items: list[LineItem], ctx: Context) -> list[LineItem]:
    """The line items plus the platform's markup on the compute it runs, as its own line item (when the
    plan has a platform): the one place the markup is added, for ``project`` and its fast paths."""
    if plan.services.platform is None:
        return items
    return [*items, services.platform_markup(plan.services.platform, items, ctx)]


def markup(plan: Plan, ctx: Context) -> tuple[float, frozenset[str]]:
    """The platform markup rate and the sections it applies to ((0.0, empty) without a platform): for
    paths that scale one line's cost by ``1 + rate`` instead of re-projecting (Monte Carlo, tornado)."""
    platform = plan.services.platform
    if platform is None:
        return 0.0, frozenset()
    return services.markup_rate(platform, ctx), services.markup_sections(platform)


def project(plan: Plan, catalog: Catalog | None = None, *, months: int | None = None) -> Projection:
    """Project a plan month by month. ``months`` shortens or lengthens the horizon for this projection."""
    if months is not None and months != plan.months:
        plan = dataclasses.replace(plan, months=months)
    ctx = context(plan, catalog)
    items: list[LineItem] = []
    for section, _ in SECTIONS:
        fn = DRIVERS[section]
        for i, line in enumerate(plan.section(section)):
            items.append(fn(line, f"{section}[{i}]", ctx))
    items = with_markup(plan, items, ctx)
    problems = cost_problems(plan, items)
    if problems:
        raise PlanError(problems)
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


def cost_problems(plan: Plan, items: list[LineItem] | tuple[LineItem, ...]) -> list[Problem]:
    """Lines whose cost over the horizon is past any plan's (``MAX_TOTAL``), and a plan whose total is."""
    out = []
    for li in items:
        total = float(np.sum(li.monthly))
        if np.isfinite(total) and total <= MAX_TOTAL:
            continue
        line = _line(plan, li.key_path)
        grows = bool(getattr(line, "growth", 0.0))
        out.append(Problem(f"its cost over the {plan.months} months reaches {total:.3g} {plan.currency}, more than "
                           f"any plan spends (at most {MAX_TOTAL:.0e}); check "
                           + ("its growth, which compounds every month" if grows else "its amounts"),
                           f"{li.key_path}.growth" if grows else li.key_path))
    if not out and items:
        total = float(sum(np.sum(li.monthly) for li in items))
        if not np.isfinite(total) or total > MAX_TOTAL:
            out.append(Problem(f"the plan's cost over {plan.months} months reaches {total:.3g} {plan.currency}, more "
                               f"than any plan spends (at most {MAX_TOTAL:.0e}); check the largest lines"))
    return out


def _line(plan: Plan, key_path: str) -> Any:
    section, _, index = key_path.partition("[")
    if not index:
        return plan.services.platform if key_path == "services.platform" else None
    return plan.section(section)[int(index.rstrip("]"))]


__all__ = ["DAYS_PER_MONTH", "DRIVERS", "GB_PER_TB", "HOURS_PER_MONTH", "CATEGORY_OF", "Context", "Driver", "LineItem",
           "Projection", "context", "cost_problems", "markup", "price_line", "project", "with_markup",
           "MAX_TOTAL"]

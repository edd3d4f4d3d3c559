"""The report model: a plan's figures in cents and its inputs and prices as text, computed once from a projection.

Everything an export shows is computed here, without Qt:

- ``summarize(projection)``: the projection rounded to cents once (half-even, ``rounding.to_cents``);
  categories, months, years, drivers and the grand total are sums of those cents, so every total
  shown equals the sum of its shown parts.
- ``plan_inputs(plan)`` and ``prices_used(projection)``: every input and every price, as text.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import numpy as np

from pricing import fields
from pricing.errors import PlanError
from pricing.fields import number_text, share_text
from pricing.plan import Category, Plan, YearMonth
from pricing.rounding import to_cents

if TYPE_CHECKING:
    from pricing.catalog import Catalog
    from pricing.engine import Projection
    from pricing.uncertainty import MonteCarlo


# One projection in cents
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class LineFigures:
    """One line item's cost in whole cents (int64), rounded once."""

    name: str
    category: Category
    section: str
    key_path: str
    monthly: np.ndarray
    """Cents per month."""
    total: int
    """Cents over the horizon: the sum of ``monthly``."""
    share: float
    """Of the plan's horizon total (0 when the plan costs nothing)."""

    @property
    def first(self) -> int:
        return int(self.monthly[0]) if len(self.monthly) else 0

    @property
    def last(self) -> int:
        return int(self.monthly[-1]) if len(self.monthly) else 0


@dataclass(frozen=True, slots=True)
class Period:
    """A run of months shown as one column: a month, or a (part of a) calendar year."""

    label: str
    start: int
    """Index of its first month."""
    stop: int
    """Index after its last month."""

    @property
    def months(self) -> int:
        return self.stop - self.start


@dataclass(frozen=True, slots=True, eq=False)
class CategoryTable:
    """Cost by category and period (cents): each column total and each row total is a sum of cells."""

    periods: tuple[Period, ...]
    rows: tuple[tuple[Category, np.ndarray], ...]
    """Categories that cost something, in ``Category`` order, with cents per period."""
    row_totals: tuple[int, ...]
    """Each category over the horizon (sum of its cells)."""
    column_totals: np.ndarray
    """Each period, all categories (sum of the column)."""
    total: int


@dataclass(frozen=True, slots=True)
class DriverFigure:
    """One bar of a ranked drivers chart (cents)."""

    name: str
    category: Category | None
    """``None`` for the bar of all other lines."""
    total: int
    share: float
    key_path: str = ""


@dataclass(frozen=True, slots=True, eq=False)
class Summary:
    """A projection rounded to cents once; every figure here is a sum of its rounded line cells."""

    plan: Plan
    currency: str
    months: tuple[YearMonth, ...]
    lines: tuple[LineFigures, ...]
    """Line items in plan order (the platform markup last, as the engine orders them)."""
    categories: tuple[tuple[Category, np.ndarray], ...]
    """Every category, in ``Category`` order, with cents per month (zeros when it costs nothing)."""
    monthly: np.ndarray
    """Cents per month, all lines."""
    total: int
    cost_per_1k_requests: int | None
    """Cents per thousand requests over the horizon (a ratio, rounded once); None without requests."""
    first_over_budget: int | None
    """Index of the first month over the plan's monthly budget."""

    @property
    def run_rate_first(self) -> int:
        return int(self.monthly[0]) if len(self.monthly) else 0

    @property
    def run_rate_last(self) -> int:
        return int(self.monthly[-1]) if len(self.monthly) else 0

    @property
    def cumulative(self) -> np.ndarray:
        return np.cumsum(self.monthly)

    @property
    def budget(self) -> float | None:
        return self.plan.monthly_budget

    def category_total(self, category: Category) -> int:
        return int(dict(self.categories)[category].sum())

    def category_monthly(self, category: Category) -> np.ndarray:
        return dict(self.categories)[category]

    def costed_categories(self) -> tuple[Category, ...]:
        """Categories with any cost, in ``Category`` order."""
        return tuple(c for c, row in self.categories if np.any(row))

    def drivers(self, top: int | None = None) -> tuple[DriverFigure, ...]:
        """Lines ranked by horizon cost (ties by name); with ``top``, the rest as one "N other lines" bar."""
        ranked = sorted((li for li in self.lines if li.total > 0), key=lambda li: (-li.total, li.name))
        bars = [DriverFigure(li.name, li.category, li.total, li.share, li.key_path) for li in ranked]
        if top is None or len(bars) <= top:
            return tuple(bars)
        rest = bars[top:]
        other = sum(b.total for b in rest)
        return tuple(bars[:top]) + (DriverFigure(f"{len(rest)} other lines", None, other,
                                                 other / self.total if self.total else 0.0),)

    def top_driver(self) -> DriverFigure | None:
        ranked = self.drivers()
        return ranked[0] if ranked else None

    def category_table(self, periods: Sequence[Period]) -> CategoryTable:
        """Categories by period; column and row totals are sums of the cells shown."""
        rows = []
        for cat in self.costed_categories():
            m = self.category_monthly(cat)
            rows.append((cat, np.array([int(m[p.start:p.stop].sum()) for p in periods], dtype=np.int64)))
        cols = np.sum([r for _, r in rows], axis=0) if rows else np.zeros(len(periods), dtype=np.int64)
        return CategoryTable(tuple(periods), tuple(rows), tuple(int(r.sum()) for _, r in rows),
                             np.asarray(cols, dtype=np.int64), int(sum(int(r.sum()) for _, r in rows)))


def summarize(proj: "Projection") -> Summary:
    """The projection's cells rounded half-even to cents once, and every sum built from them."""
    n = len(proj.months)
    cells = to_cents(proj.matrix) if len(proj.line_items) else np.zeros((0, n), dtype=np.int64)
    cells = cells.reshape(len(proj.line_items), n)
    totals = cells.sum(axis=1)
    grand = int(totals.sum())
    lines = tuple(LineFigures(li.name, li.category, li.section, li.key_path, row, int(t),
                              int(t) / grand if grand else 0.0)
                  for li, row, t in zip(proj.line_items, cells, totals))
    cats = []
    for cat in Category:
        rows = [li.monthly for li in lines if li.category is cat]
        cats.append((cat, np.sum(rows, axis=0).astype(np.int64) if rows else np.zeros(n, dtype=np.int64)))
    monthly = cells.sum(axis=0).astype(np.int64) if len(lines) else np.zeros(n, dtype=np.int64)
    per_1k = proj.cost_per_1k_requests()
    return Summary(proj.plan, proj.currency, tuple(proj.months), lines, tuple(cats), monthly, grand,
                   int(to_cents(per_1k)[0]) if per_1k is not None else None,
                   proj.first_month_over_budget())


def month_periods(months: Sequence[YearMonth]) -> tuple[Period, ...]:
    """One period per month, labelled ``2027-01``."""
    return tuple(Period(str(m), i, i + 1) for i, m in enumerate(months))


def year_periods(months: Sequence[YearMonth]) -> tuple[Period, ...]:
    """One period per calendar year; a partial year is labelled with its month count (``2029 (6 mo)``)."""
    out: list[Period] = []
    start = 0
    for i in range(1, len(months) + 1):
        if i == len(months) or months[i].year != months[start].year:
            n = i - start
            out.append(Period(str(months[start].year) + ("" if n == 12 else f" ({n} mo)"), start, i))
            start = i
    return tuple(out)


@dataclass(frozen=True, slots=True, eq=False)
class UncertaintyFigures:
    """Monte Carlo percentiles in cents (each a statistic of its own, not a sum of parts)."""

    samples: int
    seed: int
    distribution: str
    monthly_p10: np.ndarray
    monthly_p50: np.ndarray
    monthly_p90: np.ndarray
    total_p10: int
    total_p50: int
    total_p90: int
    budget_exceeded: np.ndarray | None
    """Probability that each month exceeds the budget."""


def uncertainty_figures(mc: "MonteCarlo") -> UncertaintyFigures:
    return UncertaintyFigures(mc.samples, mc.seed, mc.distribution, to_cents(mc.monthly_p10),
                              to_cents(mc.monthly_p50), to_cents(mc.monthly_p90), int(to_cents(mc.total_p10)[0]),
                              int(to_cents(mc.total_p50)[0]), int(to_cents(mc.total_p90)[0]), mc.budget_exceeded)


# ---------------------------------------------------------------------------------------------
# Inputs and prices as text
# ---------------------------------------------------------------------------------------------

SECTION_TITLES = {s.path: s.title for s in fields.SECTIONS}
"""How each section is titled in reports (from the schema)."""


def value_text(key: str, value: Any) -> str:
    """One input value for reading; ``key`` (the field name) tells shares from amounts and whole numbers."""
    spec = fields.by_key(key)
    if spec is None:
        return fields.value_text(value)
    if value is None:
        return "—"
    return spec.text(value)


@dataclass(frozen=True, slots=True)
class InputValue:
    """One input of a line, as text."""

    key: str
    """The plan-file key (``requests_per_month``)."""
    text: str
    is_default: bool
    """The plan does not set it: the model's default applies."""
    ranged: bool
    """The plan gives a range for it."""
    label: str = ""
    """The field's label from the schema (``Requests / month``), in the plan's currency."""


@dataclass(frozen=True, slots=True)
class InputLine:
    """A plan line with every input it has (set or defaulted; unset optional inputs are left out)."""

    section: str
    index: int
    name: str
    values: tuple[InputValue, ...]


@dataclass(frozen=True, slots=True)
class PlanInputs:
    settings: tuple[InputValue, ...]
    """Top-level settings and the managed platform."""
    lines: tuple[InputLine, ...]
    """Every line of every list section, in ``SECTIONS`` order."""
    prices: tuple[InputValue, ...]
    """The plan's price overrides, by catalog key."""
    scenarios: tuple[InputValue, ...]
    """Each scenario: key = its name, text = its strategies with their parameters."""


def line_values(section: str, line: Any, currency: str = "USD") -> tuple[InputValue, ...]:
    """Every input of a line in plan-file key order; unset optional inputs (``None``) are left out."""
    out = []
    ranges = dict(getattr(line, "ranges", ()))
    spec = fields.section(section)
    for f in spec.fields:
        key = f.key
        if key == "name":
            continue
        value = ranges.get(key, getattr(line, key))
        if value is None or value == ():  # not set (hours derived from FLOPs, no lifecycle rules)
            continue
        is_default = not f.required and key not in ranges and value == fields.dataclass_default(spec.cls, key)
        out.append(InputValue(key, f.text(value), is_default, key in ranges, f.label_for(currency)))
    return tuple(out)


_SAVED_ALWAYS = ("name", "start", "months", "provider")
"""Settings a plan file always states (a save writes them): never shown as defaults."""


def _settings(plan: Plan) -> tuple[InputValue, ...]:
    out = []
    for f in fields.SETTINGS.fields:
        value = getattr(plan, f.key)
        text = "none" if value is None else str(value) if f.kind in (fields.Kind.YEAR_MONTH, fields.Kind.INTEGER) \
            else f.text(value)
        is_default = f.key not in _SAVED_ALWAYS and value == fields.dataclass_default(Plan, f.key)
        out.append(InputValue(f.key, text, is_default, False, f.label_for(plan.currency)))
    p = plan.services.platform
    if p is not None:
        title = fields.section("services.platform").title   # "Managed platform: Markup" among the settings
        out.append(InputValue("services.platform.name", p.name, False, False, title))
        out += [dataclasses.replace(v, key=f"services.platform.{v.key}", label=f"{title}: {v.label}")
                for v in line_values("services.platform", p, plan.currency)]
    return tuple(out)


def _strategy_text(params: Iterable[tuple[str, Any]]) -> str:
    def text(v: Any) -> str:
        if isinstance(v, tuple) and v and all(isinstance(x, tuple) and len(x) == 2 for x in v):
            return "{" + ", ".join(f"{k}: {text(x)}" for k, x in v) + "}"
        if isinstance(v, (tuple, list)):
            return "[" + ", ".join(text(x) for x in v) + "]"
        return str(v)
    return ", ".join(f"{k} {text(v)}" for k, v in params)


def scenario_text(scenario: Any) -> str:
    """``api_cache (hit_rate 20%); prompt_caching (cached_share 80%)``."""
    return "; ".join(f"{s.name} ({_strategy_text(s.params)})" if s.params else s.name
                     for s in scenario.strategies) or "no strategies"


def plan_inputs(plan: Plan) -> PlanInputs:
    """Every input of a plan as text: settings, every line of every section, overrides, scenarios."""
    lines = tuple(InputLine(section, i, line.name, line_values(section, line, plan.currency))
                  for section, i, line in plan.lines())
    prices = tuple(InputValue(k, number_text(v), False, False) for k, v in plan.prices)
    scen = tuple(InputValue(s.name, scenario_text(s), False, False) for s in plan.scenarios)
    return PlanInputs(_settings(plan), lines, prices, scen)


@dataclass(frozen=True, slots=True)
class PriceUsed:
    """A price the projection used: its value as text, where it comes from and how far to trust it."""

    key: str
    value: str
    """``3.9 USD per GPU-hour``; empty when the value can't be looked up again."""
    source: str
    as_of: str
    """ISO date, or the reference's words when undated."""
    dated: bool
    confidence: str
    overridden: bool
    notes: str


_KEY_PATH = re.compile(r"^(?P<section>[a-z_.]+)\[(?P<index>\d+)\]\.(?P<field>\w+)$")


def _price_value(key: str, plan: Plan, ctx_catalog: Any) -> str:
    m = _KEY_PATH.match(key)
    try:
        if m:  # a price written on the line itself (people[0].hourly_rate, annotation[1].price_per_item)
            value = getattr(plan.section(m["section"])[int(m["index"])], m["field"])
            spec = fields.at(key)  # in the plan's currency, in the field's unit (USD/h, EUR/item)
            unit = spec.unit.display(plan.currency) if spec is not None and spec.unit is not None else plan.currency
            return f"{number_text(value)} {unit}"
        if key == "services.platform.markup" and plan.services.platform is not None:
            return f"{share_text(plan.services.platform.markup or 0.0)} over compute"
        if key.startswith("api."):
            from pricing import apiprices
            _, provider, model = key.split(".", 2)
            am = apiprices.resolve(provider, model, plan.price_overrides)
            parts = [f"{label} {x:g}" for label, x in (("input", am.input_per_mtok),
                                                        ("cached input", am.cached_input_per_mtok),
                                                        ("output", am.output_per_mtok)) if x is not None]
            return " · ".join(parts) + " USD per M tokens" + (" (tiered)" if am.tiered else "")
        price = ctx_catalog.price(key)
        if price.unit.startswith("fraction"):
            return f"{share_text(price.value)} ({price.unit})"
        return f"{price.value:g} {price.unit}" + (" (volume-tiered)" if price.tiers else "")
    except (PlanError, LookupError, ValueError, AttributeError, TypeError):
        return ""


def prices_used(proj: "Projection", catalog: "Catalog | None" = None) -> tuple[PriceUsed, ...]:
    """Every distinct price the projection used, in first-use order, with its value (overrides applied)."""
    from pricing import engine
    ctx = engine.context(proj.plan, catalog)
    out = []
    for s in proj.sources():
        out.append(PriceUsed(s.key, _price_value(s.key, proj.plan, ctx.catalog), s.source,
                             s.as_of_date.isoformat() if s.as_of_date else (s.as_of or "undated"),
                             s.as_of_date is not None, s.confidence, s.overridden, s.notes))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class PriceDates:
    """How current the prices behind a projection are."""

    oldest: _dt.date | None
    oldest_key: str | None
    undated: int
    """Catalog prices used that carry no date (plan overrides and line prices are not counted)."""
    api_data_date: _dt.date | None
    """genai-prices' data date, when the plan has API lines."""


def price_dates(proj: "Projection") -> PriceDates:
    oldest = proj.oldest_source()
    api = None
    if proj.plan.services.apis:
        from pricing import apiprices
        api = apiprices.data_date()
    return PriceDates(oldest.as_of_date if oldest else None, oldest.key if oldest else None,
                      len(proj.undated_sources()), api)


__all__ = ["Summary", "LineFigures", "Period", "CategoryTable", "DriverFigure", "UncertaintyFigures", "summarize",
           "month_periods", "year_periods", "uncertainty_figures", "plan_inputs", "line_values", "value_text",
           "number_text", "share_text", "prices_used", "price_dates", "PriceUsed", "PriceDates", "PlanInputs",
           "InputLine", "InputValue", "scenario_text", "SECTION_TITLES"]

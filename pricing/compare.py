"""A plan's figures in cents, its inputs and prices as text, and plans (or scenarios) compared side by side.

Everything an export or a comparison shows is computed here, without Qt:

- ``summarize(projection)``: the projection rounded to cents once (half-even, ``report.to_cents``);
  categories, months, years, drivers and the grand total are sums of those cents, so every total
  shown equals the sum of its shown parts.
- ``plan_inputs(plan)`` and ``prices_used(projection)``: every input and every price, as text.
- ``compare(entries)``: headline figures and category totals with differences against the first
  entry, monthly series on one calendar axis, per-line cost deltas and what changed in the inputs.
  An entry is a plan file or one of its scenarios, written ``PLAN.yaml#Scenario``.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import numpy as np

from pricing.errors import PlanError, Problem
from pricing.plan import SECTIONS, Category, LifecycleRule, Plan, Range, Sample, YearMonth
from pricing.planfile import _SHARE_FIELDS as SHARE_FIELDS  # the loader's list of share fields, kept in one place
from pricing.report import to_cents

if TYPE_CHECKING:
    from pricing.catalog import Catalog
    from pricing.engine import Projection
    from pricing.uncertainty import MonteCarlo


class CompareError(PlanError):
    """Entries that cannot be compared (fewer than two, different currencies, a bad ``PLAN#Scenario``)."""


# ---------------------------------------------------------------------------------------------
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

SECTION_TITLES = {
    "compute.training": "Training", "compute.fine_tuning": "Fine-tuning", "compute.inference": "Inference",
    "compute.exploration": "Exploration", "data.storage": "Storage", "data.egress": "Egress",
    "services.apis": "Model APIs", "services.platform": "Managed platform", "annotation": "Annotation",
    "mlops": "MLOps", "people": "People",
}
"""How each section is titled in reports."""


def number_text(value: float) -> str:
    """A number as plans write it, exactly: ``1.2M``, ``20k``, ``2,400``, ``0.06``."""
    v = float(value)
    if v.is_integer() and abs(v) < 1e15:
        if abs(v) >= 10_000:  # the largest suffix, when three decimals of it are exact: 1.2M, 840k (not 1234.57k)
            suffix, mult = next((s, m) for s, m in (("T", 10**12), ("B", 10**9), ("M", 10**6), ("k", 10**3))
                                if abs(v) >= m)
            if int(v) % (mult // 1000) == 0:
                return f"{int(v) / mult:g}{suffix}"
        return f"{int(v):,}"
    return f"{v:,.10g}"


def share_text(value: float) -> str:
    """``35%`` (as many decimals as the value needs, up to 4)."""
    return f"{float(value) * 100:.4f}".rstrip("0").rstrip(".") + "%"


def value_text(key: str, value: Any) -> str:
    """One input value for reading; ``key`` (the field name) tells shares from amounts."""
    if value is None:
        return "—"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Range):
        fmt = share_text if key in SHARE_FIELDS else number_text
        spread = ""
        if value.spread is not None:
            spread = f" ± {share_text(value.spread)}"
        return f"{fmt(value.likely)}{spread} (range {fmt(value.low)} – {fmt(value.high)})"
    if isinstance(value, Sample):
        where = f"file {value.path}" if value.path else "inline text"
        how = "exact" if value.exact else f"approximate: {value.reason}" if value.reason else "approximate"
        return f"{where} ({value.tokens:,} tokens, {value.encoding or 'no encoding'}, {how})"
    if isinstance(value, tuple) and value and isinstance(value[0], LifecycleRule):
        return "; ".join(f"after {number_text(r.after_days)} days to {r.tier}" for r in value)
    if isinstance(value, tuple):
        return ", ".join(value_text(key, v) for v in value) if value else "—"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return share_text(value) if key in SHARE_FIELDS else number_text(value)
    return str(value)


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


def _fields(section: str) -> dict[str, tuple[str, Any, bool]]:
    from pricing.planfile import LIST_SECTIONS, PLATFORM
    return PLATFORM if section == "services.platform" else LIST_SECTIONS[section][1]


def line_values(section: str, line: Any) -> tuple[InputValue, ...]:
    """Every input of a line in plan-file key order; unset optional inputs (``None``) are left out."""
    out = []
    ranges = dict(getattr(line, "ranges", ()))
    by_name = {f.name: f for f in dataclasses.fields(line)}
    for key, (attr, _, required) in _fields(section).items():
        if key == "name":
            continue
        value = ranges.get(attr, getattr(line, attr))
        if value is None or value == ():  # not set (hours derived from FLOPs, no lifecycle rules)
            continue
        f = by_name[attr]
        default = f.default if f.default is not dataclasses.MISSING else None
        is_default = not required and attr not in ranges and value == default
        out.append(InputValue(key, value_text(attr, value), is_default, attr in ranges))
    return tuple(out)


def _settings(plan: Plan) -> tuple[InputValue, ...]:
    out = [InputValue("name", plan.name, False, False),
           InputValue("currency", plan.currency, plan.currency == "USD", False),
           InputValue("fx_rate", number_text(plan.fx_rate), plan.fx_rate == 1.0, False),
           InputValue("start", str(plan.start), False, False),
           InputValue("months", str(plan.months), False, False),
           InputValue("provider", plan.provider, False, False),
           InputValue("monthly_budget", number_text(plan.monthly_budget) if plan.monthly_budget is not None else "none",
                      plan.monthly_budget is None, False)]
    p = plan.services.platform
    if p is not None:
        out.append(InputValue("services.platform.name", p.name, False, False))
        out += [dataclasses.replace(v, key=f"services.platform.{v.key}") for v in line_values("services.platform", p)]
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
    lines = tuple(InputLine(section, i, line.name, line_values(section, line)) for section, i, line in plan.lines())
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
            return f"{number_text(value)} USD" + (" per hour" if m["field"] == "hourly_rate" else
                                                  " per item" if m["field"] == "price_per_item" else
                                                  " per unit" if m["field"] == "unit_price" else "")
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


# ---------------------------------------------------------------------------------------------
# Entries: plan files and scenarios of them
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Entry:
    """One column of a comparison: a plan, or a plan with one of its scenarios applied."""

    label: str
    """How the entry is named in tables and legends (``support.yaml``, ``support.yaml#Frugal``)."""
    plan: Plan
    """The plan as compared (the scenario applied, when there is one)."""
    projection: "Projection"
    path: str | None = None
    scenario: str | None = None


def split_spec(spec: str) -> tuple[str, str | None]:
    """``PLAN.yaml#Scenario`` -> (path, scenario); a path that exists as a file is never split."""
    if "#" not in spec or os.path.isfile(spec):
        return spec, None
    path, _, scenario = spec.rpartition("#")
    return path, scenario.strip() or None


def entry_from_plan(plan: Plan, catalog: "Catalog | None" = None, *, label: str | None = None,
                    scenario: str | None = None, path: str | None = None) -> Entry:
    """An entry of a plan in memory (with ``scenario`` applied when given)."""
    from pricing import engine
    if catalog is None:
        from pricing.catalog import Catalog
        catalog = Catalog.load()
    if scenario is not None:
        from pricing import scenarios
        plan = scenarios.apply(plan, plan.scenario(scenario), catalog)
    name = label or (Path(path).name if path else plan.name)
    if scenario is not None and label is None:
        name += f"#{scenario}"
    return Entry(name, plan, engine.project(plan, catalog), path, scenario)


def load_entry(spec: str, catalog: "Catalog | None" = None) -> Entry:
    """The entry a command line names: ``PLAN.yaml`` or ``PLAN.yaml#Scenario`` (PlanError when it can't)."""
    from pricing import planfile
    if catalog is None:
        from pricing.catalog import Catalog
        catalog = Catalog.load()
    path, scenario = split_spec(spec)
    plan = planfile.load(path, catalog)
    if scenario is not None and scenario not in {s.name for s in plan.scenarios}:
        try:
            plan.scenario(scenario)
        except PlanError as exc:
            raise exc.with_location(file=path, key_path="scenarios") from None
    return entry_from_plan(plan, catalog, label=Path(path).name + (f"#{scenario}" if scenario else ""),
                           scenario=scenario, path=path)


# ---------------------------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------------------------

FIGURES: tuple[tuple[str, str], ...] = (
    ("run_rate_first", "Run-rate, first month"),
    ("run_rate_last", "Run-rate, last month"),
    ("total", "Horizon total"),
    ("cost_per_1k_requests", "Cost per 1k requests"),
)
"""Headline figures compared, by key, with their labels."""


@dataclass(frozen=True, slots=True)
class FigureRow:
    """One compared figure: its value in each entry (cents) and the difference to the first entry."""

    key: str
    """``total``, ``run_rate_first``... or ``category.Compute``."""
    label: str
    values: tuple[int | None, ...]
    deltas: tuple[int | None, ...]
    """Entry minus the first entry (cents); None for the first entry or a missing value."""
    ratios: tuple[float | None, ...]
    """The delta over the first entry's value; None when that is 0 or missing."""


@dataclass(frozen=True, slots=True)
class LineCost:
    """One line (matched by section and name) across the entries, with its cost deltas against the first."""

    section: str
    name: str
    category: Category
    present: tuple[bool, ...]
    last_month: tuple[int, ...]
    """Cents in each entry's last month (0 where absent)."""
    horizon: tuple[int, ...]
    """Cents over each entry's horizon (0 where absent)."""

    def last_month_delta(self, j: int) -> int:
        return self.last_month[j] - self.last_month[0]

    def horizon_delta(self, j: int) -> int:
        return self.horizon[j] - self.horizon[0]

    def status(self, j: int) -> str:
        """``added``, ``removed``, ``same`` (present in both) or ``absent`` (in neither)."""
        a, b = self.present[0], self.present[j]
        return "same" if a and b else "added" if b else "removed" if a else "absent"


@dataclass(frozen=True, slots=True)
class ValueChange:
    key: str
    before: str
    """As text; ``—`` when unset, ``(default)`` when the model's default applies."""
    after: str


@dataclass(frozen=True, slots=True)
class LineChange:
    """A line added, removed or changed between the first entry and another (matched by section + name)."""

    change: str
    """``added``, ``removed`` or ``changed``."""
    section: str
    name: str
    values: tuple[ValueChange, ...]
    """Changed values (changed), or every value the line has (added, removed)."""

    def given(self) -> tuple[str, ...]:
        """An added or removed line's values as ``key value``, those the plan sets (defaults left out)."""
        side = (lambda v: v.after) if self.change == "added" else (lambda v: v.before)
        return tuple(f"{v.key} {side(v)}" for v in self.values if not side(v).endswith("(default)"))


@dataclass(frozen=True, slots=True)
class InputDiff:
    """What changed in the inputs from the first entry to another."""

    settings: tuple[ValueChange, ...]
    lines: tuple[LineChange, ...]
    prices: tuple[ValueChange, ...]
    """Price overrides added (before ``(catalog)``), removed (after ``(catalog)``) or changed."""
    scenarios: tuple[ValueChange, ...]

    @property
    def empty(self) -> bool:
        return not (self.settings or self.lines or self.prices or self.scenarios)


@dataclass(frozen=True, slots=True, eq=False)
class Comparison:
    """Entries side by side; every delta is against ``entries[0]``, in whole cents."""

    entries: tuple[Entry, ...]
    summaries: tuple[Summary, ...]
    currency: str
    figures: tuple[FigureRow, ...]
    """Headline figures, then each category's horizon total."""
    months: tuple[YearMonth, ...]
    """The calendar months any entry covers, in order (the axis of ``monthly``)."""
    monthly: tuple[tuple[int | None, ...], ...]
    """Each entry's cost on ``months`` (cents; None outside its horizon)."""
    lines: tuple[LineCost, ...]
    """Every line of any entry: the first entry's lines in order, then lines only later entries have."""
    inputs: tuple[InputDiff | None, ...]
    """What changed against the first entry (None for the first itself)."""
    notes: tuple[str, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        """``A``, ``B``, ... ``Z``, ``AA``..."""
        return tuple(entry_id(i) for i in range(len(self.entries)))

    def changed_lines(self, j: int) -> tuple[LineCost, ...]:
        """Lines whose cost or inputs differ between the first entry and entry ``j``."""
        changed_inputs = {(c.section, c.name) for c in (self.inputs[j].lines if self.inputs[j] else ())}
        return tuple(lc for lc in self.lines
                     if lc.status(j) != "absent"
                     and (lc.horizon_delta(j) or lc.last_month_delta(j) or lc.status(j) != "same"
                          or (lc.section, lc.name) in changed_inputs))

    def total_deltas(self, j: int) -> tuple[int, int]:
        """Entry ``j`` minus the first, summed over every line: (last month, horizon), in cents."""
        return (sum(lc.last_month_delta(j) for lc in self.lines), sum(lc.horizon_delta(j) for lc in self.lines))

    def is_identical(self) -> bool:
        """No entry differs from the first in any figure, month, line cost or input."""
        return (all(d in (None, 0) for f in self.figures for d in f.deltas)
                and all(len(set(col)) <= 1 for col in zip(*self.monthly))
                and all(not self.changed_lines(j) for j in range(1, len(self.entries)))
                and all(d is None or d.empty for d in self.inputs))


def entry_id(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _row(key: str, label: str, values: Sequence[int | None]) -> FigureRow:
    ref = values[0]
    deltas = tuple(None if j == 0 or v is None or ref is None else v - ref for j, v in enumerate(values))
    ratios = tuple(None if d is None or not ref else d / ref for d in deltas)
    return FigureRow(key, label, tuple(values), deltas, ratios)


def _line_key_counts(keys: Iterable[tuple[str, str]]) -> list[tuple[str, str, int]]:
    """(section, name) -> (section, name, n-th occurrence), so two lines of one name still match in order."""
    seen: dict[tuple[str, str], int] = {}
    out = []
    for k in keys:
        seen[k] = seen.get(k, 0) + 1
        out.append((k[0], k[1], seen[k]))
    return out


def compare(entries: Sequence[Entry]) -> Comparison:
    """Compare entries against the first (CompareError for fewer than two or mixed currencies)."""
    entries = tuple(entries)
    if len(entries) < 2:
        raise CompareError("compare needs at least two plans (or scenarios: PLAN.yaml#Scenario)")
    currencies = sorted({e.plan.currency for e in entries})
    if len(currencies) > 1:
        raise CompareError(Problem(f"the plans use different currencies ({', '.join(currencies)}): amounts in "
                                   "different currencies can't be subtracted; set one currency (and fx_rate) "
                                   "in every plan", "currency"))
    sums = tuple(summarize(e.projection) for e in entries)
    figures = [
        _row("run_rate_first", FIGURES[0][1], [s.run_rate_first for s in sums]),
        _row("run_rate_last", FIGURES[1][1], [s.run_rate_last for s in sums]),
        _row("total", FIGURES[2][1], [s.total for s in sums]),
        _row("cost_per_1k_requests", FIGURES[3][1], [s.cost_per_1k_requests for s in sums]),
    ]
    used = [c for c in Category if any(s.category_total(c) for s in sums)]
    figures += [_row(f"category.{c.value}", c.value, [s.category_total(c) for s in sums]) for c in used]

    axis = sorted({m for s in sums for m in s.months})
    monthly = []
    for s in sums:
        at = {m: int(v) for m, v in zip(s.months, s.monthly)}
        monthly.append(tuple(at.get(m) for m in axis))

    # lines matched by (section, name, occurrence): the first entry's order, then new ones as they appear
    order: list[tuple[str, str, int]] = []
    cells: list[dict[tuple[str, str, int], LineFigures]] = []
    for s in sums:
        keyed = dict(zip(_line_key_counts((li.section, li.name) for li in s.lines), s.lines))
        cells.append(keyed)
        order += [k for k in keyed if k not in order]
    lines = []
    for k in order:
        found = [c.get(k) for c in cells]
        cat = next(f.category for f in found if f is not None)
        lines.append(LineCost(k[0], k[1], cat, tuple(f is not None for f in found),
                              tuple(f.last if f else 0 for f in found), tuple(f.total if f else 0 for f in found)))

    inputs = (None,) + tuple(input_diff(entries[0].plan, e.plan) for e in entries[1:])
    notes = []
    horizons = {(str(s.months[0]) if s.months else "", len(s.months)) for s in sums}
    if len(horizons) > 1:
        notes.append("the entries cover different months: horizon totals and last months are each entry's own; "
                     "the monthly series share one calendar axis")
    return Comparison(entries, sums, currencies[0], tuple(figures), tuple(axis), tuple(monthly), tuple(lines),
                      inputs, tuple(notes))


# ---------------------------------------------------------------------------------------------
# What changed in the inputs
# ---------------------------------------------------------------------------------------------


def _shown(v: InputValue) -> str:
    return v.text + (" (default)" if v.is_default else "")


def _changes(before: Sequence[InputValue], after: Sequence[InputValue]) -> tuple[ValueChange, ...]:
    a = {v.key: v for v in before}
    b = {v.key: v for v in after}
    out = []
    for key in list(a) + [k for k in b if k not in a]:
        va, vb = a.get(key), b.get(key)
        ta = "—" if va is None else _shown(va)
        tb = "—" if vb is None else _shown(vb)
        if (va.text if va else None) != (vb.text if vb else None):
            out.append(ValueChange(key, ta, tb))
    return tuple(out)


def input_diff(a: Plan, b: Plan) -> InputDiff:
    """What changed from plan ``a`` to plan ``b``: settings, lines (by section + name), overrides, scenarios."""
    settings = _changes(_settings(a), _settings(b))
    lines: list[LineChange] = []
    for section, _ in SECTIONS:
        la, lb = a.section(section), b.section(section)
        ka = dict(zip(_line_key_counts((section, x.name) for x in la), la))
        kb = dict(zip(_line_key_counts((section, x.name) for x in lb), lb))
        for k in list(ka) + [k for k in kb if k not in ka]:
            x, y = ka.get(k), kb.get(k)
            if x is not None and y is not None:
                if x == y:
                    continue
                values = _changes(line_values(section, x), line_values(section, y))
                if not values:  # equal as text, not as values (a sample's text, a float beyond 10 digits)
                    values = (ValueChange("(details)", "as shown", "differs in a detail not shown as text"),)
                lines.append(LineChange("changed", section, k[1], values))
            elif y is not None:
                lines.append(LineChange("added", section, k[1],
                                        tuple(ValueChange(v.key, "—", _shown(v)) for v in line_values(section, y))))
            else:
                lines.append(LineChange("removed", section, k[1],
                                        tuple(ValueChange(v.key, _shown(v), "—") for v in line_values(section, x))))
    pa, pb = dict(a.prices), dict(b.prices)
    prices = tuple(ValueChange(k, number_text(pa[k]) if k in pa else "(catalog)",
                               number_text(pb[k]) if k in pb else "(catalog)")
                   for k in list(pa) + [k for k in pb if k not in pa] if pa.get(k) != pb.get(k))
    sa = {s.name: s for s in a.scenarios}
    sb = {s.name: s for s in b.scenarios}
    scen = tuple(ValueChange(n, scenario_text(sa[n]) if n in sa else "—", scenario_text(sb[n]) if n in sb else "—")
                 for n in list(sa) + [n for n in sb if n not in sa] if sa.get(n) != sb.get(n))
    return InputDiff(settings, tuple(lines), prices, scen)


# ---------------------------------------------------------------------------------------------
# Plain data (``aicost compare --json``) and text (the cost diff)
# ---------------------------------------------------------------------------------------------


def _money(c: int | None) -> float | None:
    return None if c is None else int(c) / 100


def compare_data(cmp: Comparison) -> dict:
    """The ``aicost compare --json`` document (docs/exports.md): amounts in the currency, to the cent."""
    ids = cmp.ids
    return {
        "currency": cmp.currency,
        "entries": [{"id": i, "label": e.label, "path": e.path, "scenario": e.scenario, "name": e.plan.name,
                     "start": str(s.months[0]) if s.months else None, "months": len(s.months)}
                    for i, e, s in zip(ids, cmp.entries, cmp.summaries)],
        "figures": [{"key": f.key, "label": f.label, "values": [_money(v) for v in f.values],
                     "deltas": [_money(d) for d in f.deltas],
                     "delta_ratios": [None if r is None else round(r, 6) for r in f.ratios]} for f in cmp.figures],
        "monthly": {"months": [str(m) for m in cmp.months],
                    "series": {i: [_money(v) for v in row] for i, row in zip(ids, cmp.monthly)}},
        "lines": [{"section": lc.section, "name": lc.name, "category": lc.category.value,
                   "present": list(lc.present), "last_month": [_money(v) for v in lc.last_month],
                   "horizon": [_money(v) for v in lc.horizon],
                   "last_month_deltas": [None] + [_money(lc.last_month_delta(j)) for j in range(1, len(ids))],
                   "horizon_deltas": [None] + [_money(lc.horizon_delta(j)) for j in range(1, len(ids))]}
                  for lc in cmp.lines],
        "inputs": [None if d is None else {
            "against": ids[0],
            "settings": [dataclasses.asdict(c) for c in d.settings],
            "lines": [{"change": c.change, "section": c.section, "name": c.name,
                       "values": [dataclasses.asdict(v) for v in c.values]} for c in d.lines],
            "prices": [dataclasses.asdict(c) for c in d.prices],
            "scenarios": [dataclasses.asdict(c) for c in d.scenarios]} for d in cmp.inputs],
        "identical": cmp.is_identical(),
        "notes": list(cmp.notes),
    }


def signed_money(cents: int, currency: str) -> str:
    """``+$1,234.56`` / ``-$1,234.56`` / ``$0.00`` (a difference)."""
    from pricing.report import money
    text = money(abs(cents) / 100, currency)
    return ("+" if cents > 0 else "-" if cents < 0 else "") + text


def ratio_text(r: float | None) -> str:
    """``+12.5%`` / ``-3.0%`` / ``0.0%`` (a relative difference)."""
    if r is None:
        return ""
    return "0.0%" if round(r * 100, 1) == 0 else f"{r * 100:+.1f}%"


def compare_text(cmp: Comparison) -> str:
    """The ``aicost compare`` cost diff: figures side by side, then per entry the lines that changed."""
    from pricing.report import money
    cur = cmp.currency
    ids = cmp.ids
    out = [f"Comparing {len(ids)} {'entries' if len(ids) > 2 else 'plans'} ({cur}); differences against A", ""]
    wl = max(len(e.label) for e in cmp.entries)
    for i, e, s in zip(ids, cmp.entries, cmp.summaries):
        span = f"{s.months[0]} .. {s.months[-1]}, {len(s.months)} months" if s.months else "no months"
        out.append(f"  {i:<3}{e.label:<{wl}}  {e.plan.name} ({span})")
    out.append("")
    fmt = lambda c: "—" if c is None else money(c / 100, cur)  # noqa: E731
    rows = [(f.label if not f.key.startswith("category.") else "  " + f.label,
             [fmt(v) for v in f.values],
             [signed_money(d, cur) if d is not None else "" for d in f.deltas[1:]],
             [ratio_text(r) for r in f.ratios[1:]]) for f in cmp.figures]
    w0 = max(len(r[0]) for r in rows + [("Category totals", [], [], [])])
    wv = max([len(x) for r in rows for x in r[1]] + [4])
    wd = max([len(x) for r in rows for x in r[2]] + [8])
    head = f"{'':<{w0}}  " + "  ".join(f"{i:>{wv}}" for i in ids) + "".join(
        f"  {f'{i} - A':>{wd}}  {'%':>7}" for i in ids[1:])
    out.append(head)
    for k, (label, vals, deltas, ratios) in enumerate(rows):
        if cmp.figures[k].key.startswith("category.") and not cmp.figures[k - 1].key.startswith("category."):
            out.append("Category totals")
        out.append(f"{label:<{w0}}  " + "  ".join(f"{v:>{wv}}" for v in vals)
                   + "".join(f"  {d:>{wd}}  {r:>7}" for d, r in zip(deltas, ratios)))
    for j in range(1, len(ids)):
        out += ["", f"{ids[j]} vs A: {cmp.entries[j].label} against {cmp.entries[0].label}"]
        changed = cmp.changed_lines(j)
        diff = cmp.inputs[j]
        if not changed and (diff is None or diff.empty):
            out.append("  no differences")
            continue
        by_line = {(c.section, c.name): c for c in (diff.lines if diff else ())}
        labels = [f"{_mark(lc.status(j), by_line.get((lc.section, lc.name)))} {lc.name} ({lc.section})"
                  for lc in changed]
        wn = max([len(x) for x in labels] + [len("= Total")])
        lm = [signed_money(lc.last_month_delta(j), cur) for lc in changed]
        hz = [signed_money(lc.horizon_delta(j), cur) for lc in changed]
        total_lm, total_hz = cmp.total_deltas(j)
        wa = max([len(x) for x in lm] + [len(signed_money(total_lm, cur)), len("last month")])
        wb = max([len(x) for x in hz] + [len(signed_money(total_hz, cur)), len("horizon")])
        out.append(f"  {'':<{wn}}  {'last month':>{wa}}  {'horizon':>{wb}}")
        for lc, label, a, b in zip(changed, labels, lm, hz):
            out.append(f"  {label:<{wn}}  {a:>{wa}}  {b:>{wb}}")
            change = by_line.get((lc.section, lc.name))
            if change is not None and change.change == "changed":
                for v in change.values:
                    out.append(f"        {v.key}: {v.before} -> {v.after}")
            elif change is not None and change.values:
                out.append("        " + ", ".join(change.given()))
            elif change is None and lc.status(j) == "same":
                out.append("        inputs unchanged: the cost moved with prices, settings or other lines")
        out.append(f"  {'= Total':<{wn}}  {signed_money(total_lm, cur):>{wa}}  {signed_money(total_hz, cur):>{wb}}")
        if diff is not None:
            for title, changes in (("Settings", diff.settings), ("Price overrides", diff.prices),
                                   ("Scenarios", diff.scenarios)):
                if changes:
                    out.append(f"  {title}:")
                    out += [f"    {c.key}: {c.before} -> {c.after}" for c in changes]
    if cmp.notes:
        out += [""] + [f"Note: {n}" for n in cmp.notes]
    return "\n".join(out) + "\n"


def _mark(status: str, change: LineChange | None) -> str:
    """``+`` added, ``-`` removed, ``~`` changed inputs, ``=`` same inputs (cost moved)."""
    if status == "added":
        return "+"
    if status == "removed":
        return "-"
    return "~" if change is not None else "="


__all__ = ["Summary", "LineFigures", "Period", "CategoryTable", "DriverFigure", "UncertaintyFigures", "summarize",
           "month_periods", "year_periods", "uncertainty_figures", "plan_inputs", "line_values", "value_text",
           "number_text", "share_text", "prices_used", "price_dates", "PriceUsed", "PriceDates", "PlanInputs",
           "InputLine", "InputValue", "Entry", "load_entry", "entry_from_plan", "split_spec", "compare", "Comparison",
           "FigureRow", "LineCost", "LineChange", "ValueChange", "InputDiff", "input_diff", "compare_data",
           "compare_text", "CompareError", "entry_id", "signed_money", "scenario_text", "SECTION_TITLES"]

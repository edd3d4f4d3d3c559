"""What the charts, headline and line table show, computed from a projection (no Qt, no drawing)."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from pricing import currencies
from pricing import fx
from pricing.engine import Projection
from pricing.plan import Category, YearMonth
from pricing.report_figures import summarize
from pricing.rounding import cents_to_float, to_cents

CATEGORY_ORDER: tuple[Category, ...] = tuple(Category)
"""Stacking order, bottom to top (the enum's order: compute first, people last)."""


_ABBR = tuple(calendar.month_abbr)  # calendar formats them anew (strftime) on every access


def month_label(month: YearMonth) -> str:
    """``Jan 2027``: how a month is named on axes and in hover text."""
    return f"{_ABBR[month.month]} {month.year}"


def month_labels(projection: Projection) -> tuple[str, ...]:
    return tuple(month_label(m) for m in projection.months)


# ---------------------------------------------------------------------------------------------
# Monthly costs stacked by category
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Layer:
    """One category's band of a stacked chart."""

    category: Category
    bottom: np.ndarray
    """Sum of the categories below it, per month."""
    top: np.ndarray
    """``bottom`` plus this category's cost, per month."""

    @property
    def values(self) -> np.ndarray:
        return self.top - self.bottom


@dataclass(frozen=True, slots=True, eq=False)
class Stacked:
    """Monthly costs by category, stacked in ``CATEGORY_ORDER``."""

    months: tuple[str, ...]
    layers: tuple[Layer, ...]
    total: np.ndarray
    """Cost of each month (the top of the stack)."""


def stacked_by_category(projection: Projection, *, include_empty: bool = False) -> Stacked:
    """Each category's band (bottom, top) per month; categories costing nothing are left out."""
    n = len(projection.months)
    bottom = np.zeros(n)
    layers = []
    for cat in CATEGORY_ORDER:
        values = projection.category_totals.get(cat, np.zeros(n))
        if not include_empty and not np.any(values):
            continue
        top = bottom + values
        layers.append(Layer(cat, bottom, top))
        bottom = top
    return Stacked(month_labels(projection), tuple(layers), bottom.copy())


@dataclass(frozen=True, slots=True)
class Hover:
    """What the pointer is over in the stacked chart."""

    month: str
    category: Category
    amount: float
    """That category's cost in that month."""
    month_total: float
    share: float
    """The category's share of the month's cost."""


def hover(stacked: Stacked, x: float, y: float) -> Hover | None:
    """The month and category under chart coordinates (x: month index, y: amount), if any."""
    index = int(round(x))
    if not 0 <= index < len(stacked.months) or abs(x - index) > 0.45 or y < 0:
        return None
    for layer in stacked.layers:
        lo, hi = float(layer.bottom[index]), float(layer.top[index])
        if lo <= y <= hi and hi > lo:
            total = float(stacked.total[index])
            return Hover(stacked.months[index], layer.category, hi - lo, total, (hi - lo) / total if total else 0.0)
    return None


# ---------------------------------------------------------------------------------------------
# Cumulative cost, budget
# ---------------------------------------------------------------------------------------------


def cumulative(projection: Projection) -> np.ndarray:
    """Cost to date at the end of each month."""
    return np.cumsum(projection.monthly)


def cumulative_budget(projection: Projection) -> np.ndarray | None:
    """The monthly budget summed to date (to draw against the cumulative cost), if the plan has one."""
    budget = projection.plan.monthly_budget
    if budget is None:
        return None
    return budget * np.arange(1, len(projection.months) + 1, dtype=float)


@dataclass(frozen=True, slots=True)
class BudgetMarker:
    """The plan's monthly budget and the first month that exceeds it."""

    budget: float
    first_over: int | None
    """Month index (0-based) of the first month over budget; ``None`` when it never is."""
    first_over_label: str | None
    first_over_amount: float | None
    """That month's cost."""


def budget_marker(projection: Projection) -> BudgetMarker | None:
    """The budget line and its first crossing, or ``None`` when the plan sets no budget."""
    budget = projection.plan.monthly_budget
    if budget is None:
        return None
    over = projection.first_month_over_budget()
    if over is None:
        return BudgetMarker(budget, None, None, None)
    return BudgetMarker(budget, over, month_label(projection.months[over]), float(projection.monthly[over]))


# ---------------------------------------------------------------------------------------------
# Drivers
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DriverBar:
    """One bar of the ranked drivers chart."""

    name: str
    key_path: str
    """The plan line (empty for the "other lines" bar)."""
    category: Category | None
    total: float
    share: float


def top_drivers(projection: Projection, n: int = 8) -> tuple[DriverBar, ...]:
    """The ``n`` costliest line items over the horizon, then one bar for all the others (if any cost)."""
    ranked = [d for d in projection.drivers() if d.total > 0]
    bars = [DriverBar(d.name, d.key_path, d.category, d.total, d.share) for d in ranked[:n]]
    rest = ranked[n:]
    if rest:
        total = sum(d.total for d in rest)
        bars.append(DriverBar(f"{len(rest)} other lines", "", None, total, sum(d.share for d in rest)))
    return tuple(bars)


# ---------------------------------------------------------------------------------------------
# Baseline against a scenario
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Comparison:
    """A baseline and a scenario month by month."""

    months: tuple[str, ...]
    baseline: np.ndarray
    scenario: np.ndarray
    saving: np.ndarray
    """``baseline - scenario`` per month."""
    baseline_cumulative: np.ndarray
    scenario_cumulative: np.ndarray


def comparison(baseline: Projection, scenario: Projection) -> Comparison:
    """Monthly and cumulative costs of a baseline and its scenario (same horizon)."""
    b, s = baseline.monthly, scenario.monthly
    return Comparison(month_labels(baseline), b, s, b - s, np.cumsum(b), np.cumsum(s))


@dataclass(frozen=True, slots=True)
class StrategySaving:
    """What one strategy of a scenario saves over the horizon (cents as shown: the parts add up)."""

    strategy: str
    total: float
    share: float
    """Of the baseline's horizon total."""


def strategy_savings(result: Any) -> tuple[StrategySaving, ...]:
    """Each strategy's saving of a ``ScenarioResult``, rounded once so that they sum to the shown saving."""
    data = scenario_summary(result)
    base = data["baseline_total"]
    return tuple(StrategySaving(a["strategy"], a["total"], a["total"] / base if base else 0.0)
                 for a in data["attribution"])


# ---------------------------------------------------------------------------------------------
# Headline figures and line table
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Headline:
    """The figures across the top of the window, rounded to the cent as shown."""

    run_rate_now: float
    run_rate_end: float
    months: int
    total: float
    cost_per_1k_requests: float | None
    top_driver: str | None
    top_driver_share: float | None
    budget: float | None
    first_over_budget: str | None
    """Label of the first month over budget, if any."""
    scenario: str | None = None
    scenario_saving_total: float | None = None
    scenario_saving_share: float | None = None
    """Of the baseline's horizon total."""
    fx_note: str = ""
    """The exchange rate a non-USD plan converts at, its date and source (empty for USD)."""
    unit_label: str = "Cost per 1k requests"
    """``Cost per ticket`` with the plan's unit of work (engine.UnitCost.label)."""
    unit_cost: float | None = None
    """The bill per unit of work, rounded to the currency's minor unit; None when nothing is counted."""
    unit_caption: str = ""
    """What is counted (``requests of Answer generation``), or why nothing is."""


def headline(projection: Projection, scenario_name: str | None = None, result: Any = None) -> Headline:
    """Run-rates, horizon total, cost per 1k requests, top driver and (given) a scenario's saving."""
    # each month is the sum of its rounded line cells, as the report and the table show them
    summary = summarize(projection)
    cells = summary.monthly
    total = summary.total
    drivers = top_drivers(projection, 1)
    per_1k = summary.cost_per_1k_requests  # cents, rounded once to the currency's minor unit
    marker = budget_marker(projection)
    saving_total = saving_share = None
    if result is not None:
        data = scenario_summary(result)
        saving_total, saving_share = data["saving_total"], data["saving_share"]
    return Headline(
        run_rate_now=cents_to_float(int(cells[0])) if len(cells) else 0.0,
        run_rate_end=cents_to_float(int(cells[-1])) if len(cells) else 0.0,
        months=len(projection.months),
        total=cents_to_float(total),
        cost_per_1k_requests=per_1k / 100 if per_1k is not None else None,
        top_driver=drivers[0].name if drivers and drivers[0].key_path else None,
        top_driver_share=drivers[0].share if drivers and drivers[0].key_path else None,
        budget=marker.budget if marker else None,
        first_over_budget=marker.first_over_label if marker else None,
        scenario=scenario_name if result is not None else None,
        scenario_saving_total=saving_total,
        scenario_saving_share=saving_share,
        fx_note=fx_note(projection.plan),
        **_unit_figures(projection),
    )


def _unit_figures(projection: Projection) -> dict[str, Any]:
    u = projection.unit_cost()
    if u is None:
        what = projection.plan.unit
        return {"unit_label": f"Cost per {what.name}" if what is not None else "Cost per 1k requests",
                "unit_cost": None, "unit_caption": "nothing counted" if what is not None else "no requests in the plan"}
    decimals = currencies.decimals(projection.currency)
    return {"unit_label": u.label, "unit_cost": round(u.value, decimals), "unit_caption": u.counted}


def fx_note(plan: Any) -> str:
    """``Converted at 0.8951 EUR per USD (ECB reference rate of 2026-10-30)``; empty for a USD plan."""
    if plan.currency == "USD":
        return ""
    return f"Catalog and API prices (USD) converted at {fx.rate_text(fx.for_plan(plan))}."


@dataclass(frozen=True, slots=True)
class LineRow:
    """One row of the line-items table (amounts rounded to the cent as shown)."""

    name: str
    category: Category
    key_path: str
    first_month: float
    last_month: float
    total: float
    share: float
    """Of the horizon total (from the rounded amounts)."""
    overridden: tuple[Any, ...]
    """Price sources the plan overrides."""
    sources: tuple[Any, ...]
    notes: tuple[str, ...]


def line_rows(projection: Projection) -> "LineRows":
    """The line items in plan order, each with its first-month, last-month and horizon cost (computed once
    per projection: the table and the editor's header both read them on every edit)."""
    return _memo(_ROWS, projection, LineRows)


class LineRows(Sequence[LineRow]):
    """``LineRow`` of each line item of a projection, made when first read: an edit of a big plan moves every
    row's share, yet a view reads a screenful of rows (the figures come from the cents, in one pass)."""

    def __init__(self, projection: Projection):
        self._items = projection.line_items
        cells = rounded_cells(projection)
        self._first = cells[:, 0].tolist() if len(cells) else []
        self._last = cells[:, -1].tolist() if len(cells) else []
        self._totals = cells.sum(axis=1).tolist() if len(cells) else []
        self._grand = sum(self._totals)
        self._rows: list[LineRow | None] = [None] * len(self._items)
        self.key_paths: tuple[str, ...] = tuple(li.key_path for li in self._items)
        """Each row's ``key_path``, without making the rows."""

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(len(self))))
        row = self._rows[i]
        if row is None:
            li, tot, grand = self._items[i], self._totals[i], self._grand
            row = self._rows[i] = LineRow(
                li.name, li.category, li.key_path, cents_to_float(self._first[i]), cents_to_float(self._last[i]),
                cents_to_float(tot), tot / grand if grand else 0.0, tuple(s for s in li.sources if s.overridden),
                li.sources, li.notes)
        return row

    def row(self, key_path: str) -> LineRow | None:
        """The row of a plan line (``compute.training[0]``), if the projection has it."""
        try:
            return self[self.key_paths.index(key_path)]
        except ValueError:
            return None


def line_item(projection: Projection | None, key_path: str) -> Any:
    """The line item pricing a plan line, if the projection has it."""
    if projection is None:
        return None
    for li in projection.line_items:
        if li.key_path == key_path:
            return li
    return None


def axis_ticks(labels: Sequence[str], max_ticks: int = 12) -> list[tuple[int, str]]:
    """Which month labels to write under a chart so they don't overlap: every k-th, k in 1, 2, 3, 6, 12."""
    n = len(labels)
    step = next((k for k in (1, 2, 3, 6, 12, 24) if n / k <= max_ticks), max(1, n // max_ticks))
    return [(i, labels[i]) for i in range(0, n, step)]


def nice_scale(top: float, ticks: tuple[int, ...] = (4, 5, 6)) -> tuple[float, float]:
    """The lowest round axis end at or above ``top``, with 4 to 6 steps of 1, 2, 2.5 or 5 x 10^k.

    Axes end on round numbers so that they only move when a value crosses one: typing in a field
    changes the bars, not the scale under them.
    """
    if not top > 0:
        return 1.0, 0.25
    best: tuple[float, float] | None = None
    for n in ticks:
        raw = top / n
        power = 10.0 ** np.floor(np.log10(raw))
        for m in (1.0, 2.0, 2.5, 5.0, 10.0):
            step = m * power
            if step * n >= top * (1 - 1e-12):
                if best is None or step * n < best[0]:
                    best = (float(step * n), float(step))
                break
    return best  # type: ignore[return-value]


def _memo(store: dict[int, tuple[Any, Any]], key: Any, compute: Any) -> Any:
    """``compute(key)``, kept for the last few ``key`` objects (by identity: projections and results are
    immutable; holding the object keeps its id from being reused)."""
    hit = store.get(id(key))
    if hit is not None and hit[0] is key:
        return hit[1]
    value = compute(key)
    if len(store) >= 8:  # the few projections and results views are showing
        store.pop(next(iter(store)))
    store[id(key)] = (key, value)
    return value


_SUMMARIES: dict[int, tuple[Any, dict]] = {}
_ROWS: dict[int, tuple[Any, tuple]] = {}


def month_cents(projection: Projection) -> np.ndarray:
    """Each month's cost in cents, as shown: the sum of its line cells rounded to the cent."""
    return rounded_cells(projection).sum(axis=0)


def rounded_cells(projection: Projection) -> np.ndarray:
    """The report model's rounded cells of a projection (``report_figures.summarize``, computed once per
    projection): the window's headline and tables show the cents every export shows."""
    return summarize(projection).cells


def scenario_summary(result: Any) -> dict:
    """``scenarios.summary_data`` of a result (cents that add up), computed once per result."""
    from pricing.scenarios import summary_data
    # the cells of both projections as rounded for the views (a scenario projection made from the previous
    # one after an edit shares its unchanged lines' items, and their cents)
    return _memo(_SUMMARIES, result, lambda r: summary_data(r, (rounded_cells(r.baseline),
                                                                rounded_cells(r.projection))))


# ---------------------------------------------------------------------------------------------
# Uncertainty: the P10-P90 band of the monthly chart and the tornado of the Drivers view
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Band:
    """The Monte Carlo spread of the monthly total, next to the likely (baseline) projection."""

    months: tuple[str, ...]
    likely: np.ndarray
    """The baseline monthly total (every input at its likely value)."""
    p10: np.ndarray
    p50: np.ndarray
    p90: np.ndarray
    over_budget: np.ndarray | None
    """Probability that each month exceeds the monthly budget (None without a budget)."""
    total_likely: float
    total_p10: float
    total_p50: float
    total_p90: float
    samples: int
    inputs: int
    """How many inputs the plan gives as ranges."""


def band(projection: Projection, mc: Any) -> Band | None:
    """The band of a Monte Carlo result for its projection; None when there is none to show (no ranges).

    Percentiles are rounded to the cent, as every amount shown; ``likely`` is the projection's
    monthly total as the headline and table show it.
    """
    if mc is None or not mc.inputs or len(mc.monthly_p10) != len(projection.months):
        return None
    cells = month_cents(projection)
    places = currencies.decimals(projection.currency)
    cent = lambda a: to_cents(np.asarray(a, dtype=float), places) / 100  # noqa: E731
    totals = cent([mc.total_p10, mc.total_p50, mc.total_p90])
    return Band(month_labels(projection), cells / 100, cent(mc.monthly_p10), cent(mc.monthly_p50),
                cent(mc.monthly_p90), None if mc.budget_exceeded is None else np.asarray(mc.budget_exceeded, float),
                cents_to_float(int(cells.sum())), float(totals[0]), float(totals[1]), float(totals[2]),
                int(mc.samples), len(mc.inputs))


@dataclass(frozen=True, slots=True)
class TornadoRow:
    """One input of the tornado as drawn: its label, its low and high values and the totals they give."""

    key_path: str
    label: str
    low_text: str
    """The input's low value as written in plans (``1.6M``, ``35%``)."""
    high_text: str
    total_low: float
    total_high: float
    estimated: bool
    """No range in the plan: the input moves +-20%."""

    @property
    def swing(self) -> float:
        return abs(self.total_high - self.total_low)


def tornado_rows(tornado: Any, n: int = 12) -> tuple[TornadoRow, ...]:
    """The ``n`` inputs of widest swing, widest first, amounts rounded to the cent."""
    from pricing.report import input_value
    rows = []
    for b in tornado.bars[:n]:
        lo, hi = to_cents(np.array([b.total_low, b.total_high])) / 100
        rows.append(TornadoRow(b.input.key_path, b.input.label, input_value(b.input.key_path, b.input.low),
                               input_value(b.input.key_path, b.input.high), float(lo), float(hi),
                               not b.input.from_range))
    return tuple(rows)


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (steps of 1, 2, 2.5 or 5 x 10^k), about ``n`` of them."""
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(n, 1)
    mag = 10.0 ** np.floor(np.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw - 1e-12)
    start = np.floor(lo / step + 1e-9) * step
    stop = np.ceil(hi / step - 1e-9) * step
    count = int(round((stop - start) / step))
    return [float(start + i * step) for i in range(count + 1)]


# ---------------------------------------------------------------------------------------------
# A serving line's sizing, as its editor shows it beside the inputs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SizingRow:
    """One derived figure of a serving line: ``GPUs``, ``2 -> 4`` (first -> last month it runs)."""

    label: str
    value: str
    tip: str = ""


_SIZING = (
    ("GPUs", "GPUs", "{:,.0f}", "GPUs billed each month (whole instances), first -> last month the line runs"),
    ("replicas", "Replicas", "{:,.0f}", "Copies of the model serving the requests"),
    ("TP size", "GPUs per replica (TP)", "{:,.0f}", "Tensor-parallel size: GPUs holding one copy of the model"),
    ("output tokens/s per GPU", "Output tokens/s per GPU", "{:,.0f}",
     "What one GPU generates at full load (the serving model, or the measured figure)"),
    ("tokens/s per GPU", "Tokens/s per GPU", "{:,.0f}", "The measured input + output throughput of one GPU"),
    ("prefill share", "Prefill share", "{:.0%}", "Share of GPU time spent reading prompts (compute-bound)"),
    ("decode share", "Decode share", "{:.0%}", "Share of GPU time spent generating (memory-bandwidth-bound)"),
    ("memory per replica GB", "Memory per replica", "{:,.1f} GB", "Weights + the KV cache of the batch"),
    ("batch", "Batch", "{:,.0f}", "Sequences a replica decodes together (memory, engine or latency bound)"),
    ("TTFT ms", "Time to first token", "{:,.0f} ms", "Prefill + one decode step, without queueing"),
    ("TPOT ms", "Time per output token", "{:,.1f} ms", "Decode step + the share of other requests' prefills"),
)


def serving_sizing(item: Any) -> tuple[SizingRow, ...]:
    """The derived figures of a serving line item (first and last month it runs; one value when they agree)."""
    if item is None:
        return ()
    got = dict(item.quantities)
    active = np.asarray(got.get("GPUs", np.zeros(1)), dtype=float)
    months = np.nonzero(active.reshape(-1, active.shape[-1]).max(axis=0) > 0)[0] if active.size else np.array([])
    out = []
    for key, label, fmt, tip in _SIZING:
        if key not in got:
            continue
        values = np.asarray(got[key], dtype=float).reshape(-1, np.asarray(got[key]).shape[-1])[0]
        if not len(months):
            out.append(SizingRow(label, "—", tip))
            continue
        first, last = float(values[months[0]]), float(values[months[-1]])
        text = fmt.format(first) if fmt.format(first) == fmt.format(last) else \
            f"{fmt.format(first)} -> {fmt.format(last)}"
        out.append(SizingRow(label, text, tip))
    return tuple(out)

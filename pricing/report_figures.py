"""One projection in cents: every figure of a report rounded once (half-even) and summed from the rounded cells.

``summarize(projection)`` rounds the projection's cells once, to the minor unit of its currency
(``rounding.rounded_matrix``); categories, months, years, drivers and the grand total are sums
of those cents, so every total shown equals the sum of its shown parts. A projection is
summarized once (kept for the last few projections), so the window's tables and headline and
every export read the same cents. ``report_model.Report`` gathers these with the rest of a report.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np

from pricing import currencies
from pricing.plan import Category, Plan, YearMonth
from pricing.rounding import rounded_matrix, to_cents

if TYPE_CHECKING:
    from pricing.engine import Projection
    from pricing.uncertainty import MonteCarlo

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
    cells: np.ndarray
    """Line items x months in cents (int64): the rounded cells everything here is summed from (read-only)."""
    decimals: int
    """Minor-unit digits of ``currency`` (``currencies.decimals``): cents are multiples of 100 when it is 0."""
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
    """The projection's cells rounded half-even to its currency's minor unit once, and every sum built from them.

    Computed once per projection (the last few are kept, by identity: projections are immutable), so
    the window and the exports that read one projection share one ``Summary``.
    """
    with _lock:
        hit = _summaries.get(id(proj))
        if hit is not None and hit[0] is proj:
            return hit[1]
    summary = _summarize(proj)
    with _lock:
        if len(_summaries) >= _KEEP:
            _summaries.pop(next(iter(_summaries)))
        _summaries[id(proj)] = (proj, summary)  # holding the projection keeps its id from being reused
    return summary


_KEEP = 8
"""Projections whose summaries are kept: the few the window and a running export are showing."""
_summaries: dict[int, tuple["Projection", Summary]] = {}
_lock = threading.Lock()  # exports summarize on a worker thread while the window does on the UI thread


def _cells(proj: "Projection") -> np.ndarray:
    """``rounding.rounded_matrix`` of a projection, reusing an earlier summary's rows where it can.

    A projection made from an earlier one (``engine.project(previous=...)``) shares the line items of
    the lines an edit did not change: their rows of cents are copied from the earlier projection's
    summary, and only the other rows are rounded (the same figures, cell for cell; a 1,000-line plan's
    edit rounds one row, not a million cells)."""
    items, n = proj.line_items, len(proj.months)
    if not items:
        return np.zeros((0, n), dtype=np.int64)
    with _lock:
        earlier = [v for v in _summaries.values()]
    for old, summary in reversed(earlier):  # the latest first: the one before an edit
        if len(old.line_items) != len(items) or len(old.months) != n or old.currency != proj.currency:
            continue
        same = np.fromiter((a is b for a, b in zip(items, old.line_items)), dtype=bool, count=len(items))
        if same.sum() * 2 < len(items):
            continue
        out = summary.cells.copy()
        changed = np.nonzero(~same)[0]
        if changed.size:
            out[changed] = to_cents(proj.matrix[changed], currencies.decimals(proj.currency))
        return out
    return rounded_matrix(proj)


def _summarize(proj: "Projection") -> Summary:
    n = len(proj.months)
    decimals = currencies.decimals(proj.currency)
    cells = _cells(proj).reshape(len(proj.line_items), n)
    cells.setflags(write=False)
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
    return Summary(proj.plan, proj.currency, tuple(proj.months), lines, cells, decimals, tuple(cats), monthly, grand,
                   int(to_cents(per_1k, decimals)[0]) if per_1k is not None else None,
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
    total_mean: int = 0
    """Mean of the horizon total (cents)."""


def uncertainty_figures(mc: "MonteCarlo", decimals: int = 2) -> UncertaintyFigures:
    """The percentiles of a Monte Carlo rounded once to the currency's minor unit (``decimals``), as cents."""
    def one(x: float) -> int:
        return int(to_cents(x, decimals)[0])
    return UncertaintyFigures(mc.samples, mc.seed, mc.distribution, to_cents(mc.monthly_p10, decimals),
                              to_cents(mc.monthly_p50, decimals), to_cents(mc.monthly_p90, decimals),
                              one(mc.total_p10), one(mc.total_p50), one(mc.total_p90), mc.budget_exceeded,
                              one(mc.total_mean))


__all__ = ["CategoryTable", "DriverFigure", "LineFigures", "Period", "Summary", "UncertaintyFigures",
           "month_periods", "summarize", "uncertainty_figures", "year_periods"]

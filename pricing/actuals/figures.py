"""What the window shows of an Analysis (the Actuals tab and the headline), gathered once, off the UI thread.

Every figure comes from ``summary.actuals_data`` (the document ``aicost actuals --json`` prints), so the
window and the command line cannot disagree: amounts are in the plan's currency, already rounded
to the cent, and the window only formats them. The chart's stacks, the variance table's order "by
size" and the headline's month-to-date are computed here, not in a widget.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from typing import Any

import numpy as np

from pricing.actuals.analysis import UNMAPPED, Analysis
from pricing.actuals.config import ForecastMethod, Rule
from pricing.actuals_config import rule_text
from pricing.actuals.summary import actuals_data
from pricing.plan import Category

CATEGORY_ORDER: tuple[str, ...] = tuple(c.value for c in Category) + (UNMAPPED,)
"""Stacking order of the actual bars, bottom to top (the Monthly chart's, then the unmapped rest)."""


def month_label(month: str) -> str:
    """``2027-03`` -> ``Mar 2027`` (as the Monthly chart names months)."""
    return f"{calendar.month_abbr[int(month[5:7])]} {month[:4]}"


@dataclass(frozen=True, slots=True)
class Totals:
    """Imported = mapped + unmapped, to the cent (amounts in the plan's currency)."""

    imported: float
    mapped: float
    unmapped: float
    outside: float
    """Of the imported, what is dated outside the plan's months (in no month)."""
    refused_rows: int
    files: int
    cost: str
    """``effective`` or ``billed``."""


@dataclass(frozen=True, slots=True)
class VarianceRow:
    """One line of the variance table: the months with actuals, plan (to date) against actual."""

    name: str
    key_path: str
    category: str
    plan: float
    actual: float
    variance: float
    variance_pct: float | None
    """Variance as a percentage of the plan (None when the plan is zero)."""
    plan_horizon: float
    size: int
    """|variance| in cents: the table's order "by size"."""
    unmapped: bool
    no_rows: bool = False
    """No billing row reaches the line: its bill is in no export imported yet, or no rule maps it."""


@dataclass(frozen=True, slots=True)
class UnmappedRow:
    service_category: str
    service: str
    sku: str
    amount: float
    rows: int
    months: str
    """``Jan 2027`` or ``Jan 2027 – Mar 2027``."""


@dataclass(frozen=True, slots=True)
class RuleRow:
    """A mapping rule as applied: the plan's own (``index`` into ``plan.actuals.rules``) or a proposal (-1)."""

    index: int
    origin: str
    """``plan`` or ``proposed``."""
    rule: Rule
    text: str
    line: str
    """The plan line it maps to (its name), or the rule's text for a line the plan lacks."""
    reason: str
    """Why a proposal was proposed; for a rule of the plan, what is wrong with it (empty: nothing)."""
    amount: float | None
    """Cost of the rows it took (None: not analysed, e.g. while a rule names no line)."""
    rows: int | None


def plan_rule_rows(rules: tuple[Rule, ...], problems: tuple[Any, ...] = ()) -> tuple[RuleRow, ...]:
    """The plan's rules when there is no analysis to say what they took; a rule's problem (by its key path
    ``actuals.rules[i]...``) is its reason."""
    said = {}
    for p in problems:
        key = getattr(p, "key_path", "") or ""
        for i in range(len(rules)):
            if key == f"actuals.rules[{i}]" or key.startswith(f"actuals.rules[{i}]."):
                said.setdefault(i, p.message)
    return tuple(RuleRow(i, "plan", r, rule_text(r), r.line, said.get(i, ""), None, None) for i, r in enumerate(rules))


@dataclass(frozen=True, slots=True, eq=False)
class ActualLayer:
    """One category's actual bars, stacked (currency per month; zero in months without actuals)."""

    category: str
    bottom: np.ndarray
    top: np.ndarray
    plan: np.ndarray
    """The category's plan per month (the whole month)."""


@dataclass(frozen=True, slots=True, eq=False)
class ChartSeries:
    """Actual bars by category against the plan line, and the re-forecast line with its band."""

    months: tuple[str, ...]
    """Month labels (``Jan 2027``)."""
    observed: np.ndarray
    covered: np.ndarray
    """Share of each month the actuals cover (1.0, a last month's share so far, 0.0)."""
    layers: tuple[ActualLayer, ...]
    actual_total: np.ndarray
    plan: np.ndarray
    forecast: np.ndarray | None
    """The re-forecast month by month from the last month with actuals on (NaN before it)."""
    p10: np.ndarray | None
    p90: np.ndarray | None
    budget: float | None


@dataclass(frozen=True, slots=True)
class ForecastFigures:
    method: str
    window: tuple[str, ...]
    last_actual: str | None
    covered: float
    total: float
    total_p10: float
    total_p90: float
    plan_total: float
    change: float
    """total - plan_total."""
    change_pct: float | None
    first_over_budget: str | None
    plan_first_over_budget: str | None
    band: str


@dataclass(frozen=True, slots=True)
class HeadlineFigures:
    """The headline's actuals figure: the latest month with actuals against the plan for the same days."""

    month: str
    """``Mar 2027``."""
    to_date: bool
    """True: the month is covered only in part (month to date); False: the last month, complete."""
    covered: float
    actual: float
    plan: float
    """The plan for the part of the month covered."""
    variance: float
    variance_pct: float | None
    previous: tuple[str, float, float, float | None] | None
    """(month, actual, plan, variance %) of the month before, when the latest is month-to-date."""


@dataclass(frozen=True, slots=True, eq=False)
class ActualsFigures:
    """Everything the Actuals tab and the headline show, from one Analysis."""

    currency: str
    totals: Totals
    variance: tuple[VarianceRow, ...]
    """Largest variance first."""
    unmapped: tuple[UnmappedRow, ...]
    rules: tuple[RuleRow, ...]
    chart: ChartSeries
    forecast: ForecastFigures | None
    headline: HeadlineFigures | None
    notes: tuple[str, ...]
    problems: tuple[str, ...]
    files: tuple[Any, ...]
    """The store's FileRecords (path, kind, rows, refused...)."""
    doc: dict
    """The ``aicost actuals --json`` document the figures were read from."""


def _pct(var: float, plan: float) -> float | None:
    return round(var / plan * 100, 2) if plan else None


def _cents(x: float) -> int:
    return int(round(x * 100))


def figures(a: Analysis) -> ActualsFigures:
    doc = actuals_data(a)
    n = len(a.months)
    t = Totals(doc["imported_total"], doc["mapped_total"], doc["unmapped_total"], doc["outside_horizon_total"],
               doc["refused_rows"], len(doc["files"]), doc["cost"])
    rows = []
    for ln in doc["lines"]:
        if not (ln["plan"] or ln["actual"]) and ln["category"] == UNMAPPED:
            continue
        rows.append(VarianceRow(ln["name"], ln["key_path"] or "", ln["category"], ln["plan"], ln["actual"],
                                ln["variance"], ln["variance_pct"], ln["plan_horizon"], abs(_cents(ln["variance"])),
                                ln["category"] == UNMAPPED, ln["no_rows"]))
    rows.sort(key=lambda r: (-r.size, r.name))
    unmapped = tuple(UnmappedRow(u["service_category"] or "", u["service"] or "", u["sku"] or "", u["amount"],
                                 u["rows"], _span(u["months"])) for u in doc["unmapped"])
    n_plan = sum(1 for r in a.rules if r.origin == "plan")
    rules = tuple(RuleRow(i if i < n_plan else -1, r["origin"], a.rules[i].rule, rule_text(a.rules[i].rule),
                          a.rules[i].line or r["line"], r["reason"] or "", r["amount"], r["rows"])
                  for i, r in enumerate(doc["rules"]))
    return ActualsFigures(a.currency, t, tuple(rows), unmapped, rules, _chart(a, doc, n), _forecast(doc),
                          _headline(doc), tuple(doc["notes"]), tuple(doc["problems"]), tuple(a.files), doc)


def _span(months: list[str]) -> str:
    if not months:
        return ""
    first, last = month_label(months[0]), month_label(months[-1])
    return first if first == last else f"{first} – {last}"


def _chart(a: Analysis, doc: dict, n: int) -> ChartSeries:
    obs = np.array(a.observed, dtype=bool)
    actual_by: dict[str, np.ndarray] = {}
    plan_by: dict[str, np.ndarray] = {}
    for ln in a.lines:
        actual_by[ln.category] = actual_by.get(ln.category, np.zeros(n, dtype=np.int64)) + ln.actual
        plan_by[ln.category] = plan_by.get(ln.category, np.zeros(n, dtype=np.int64)) + ln.plan
    bottom = np.zeros(n)
    layers = []
    for cat in CATEGORY_ORDER:
        if cat not in actual_by or not (np.any(actual_by[cat]) or np.any(plan_by[cat])):
            continue
        values = np.where(obs, actual_by[cat], 0) / 100
        layers.append(ActualLayer(cat, bottom, bottom + values, plan_by[cat] / 100))
        bottom = bottom + values
    fc = doc["forecast"]
    forecast = p10 = p90 = None
    if fc is not None and fc["last_actual_month"] is not None:
        start = list(a.months).index(fc["last_actual_month"])
        mask = np.arange(n) >= start
        forecast = np.where(mask, np.array(fc["monthly"], dtype=float), np.nan)
        p10 = np.where(mask, np.array(fc["p10"], dtype=float), np.nan)
        p90 = np.where(mask, np.array(fc["p90"], dtype=float), np.nan)
    return ChartSeries(tuple(month_label(m) for m in a.months), obs, np.array(a.covered, dtype=float),
                       tuple(layers), bottom, np.array(doc["monthly"]["plan"], dtype=float), forecast, p10, p90,
                       a.monthly_budget)


def _forecast(doc: dict) -> ForecastFigures | None:
    fc = doc["forecast"]
    if fc is None or fc["last_actual_month"] is None:
        return None
    label = lambda m: None if m is None else month_label(m)  # noqa: E731
    change = round(fc["total"] - fc["plan_total"], 2)
    return ForecastFigures(ForecastMethod(fc["method"]).value, tuple(month_label(m) for m in fc["window"]),
                           label(fc["last_actual_month"]), fc["last_month_covered"], fc["total"], fc["total_p10"],
                           fc["total_p90"], fc["plan_total"], change, _pct(change, fc["plan_total"]),
                           label(fc["first_month_over_budget"]), label(fc["plan_first_month_over_budget"]), fc["band"])


def _headline(doc: dict) -> HeadlineFigures | None:
    mo = doc["monthly"]
    seen = [i for i, v in enumerate(mo["actual"]) if v is not None]
    if not seen:
        return None
    last = seen[-1]
    months = doc["months"]

    def figure(i: int) -> tuple[float, float, float, float | None]:
        actual, plan = mo["actual"][i], mo["plan_to_date"][i]
        return actual, plan, mo["variance"][i], mo["variance_pct"][i]

    actual, plan, var, pct = figure(last)
    to_date = mo["covered"][last] < 1.0
    previous = None
    if to_date and last - 1 in seen:
        pa, pp, _, ppct = figure(last - 1)
        previous = (month_label(months[last - 1]), pa, pp, ppct)
    return HeadlineFigures(month_label(months[last]), to_date, mo["covered"][last], actual, plan, var, pct, previous)

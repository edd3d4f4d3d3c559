"""Plan against actual: mapped actuals per line and month, variance (with price and volume effects), re-forecast.

Money is exact until presentation: costs come out of the store as Decimal sums, are converted with
a dated rate when the export's currency is not the plan's, and are rounded to cents once, by
largest remainder, so that the imported total is round(sum of every imported cost) and equals
the mapped total plus the unmapped total to the cent (costs dated outside the plan's horizon count in
both, and in no month). Variance compares the actuals with the plan *to date*: a last month covered
only in part (its charge periods end before the month does) is compared with that share of its plan.
Plan figures are the projection's cells rounded the way ``aicost report`` rounds them.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import Any, Callable, Sequence

import numpy as np

from pricing.actuals import mapping as M
from pricing.actuals.config import ActualsConfig, CostColumn, Rate
from pricing.actuals.forecast import Forecast, reforecast
from pricing.actuals.units import LINE_UNIT, line_quantity
from pricing.errors import PlanError, Problem
from pricing.rounding import to_cents

_CENT = Decimal("0.01")
UNMAPPED = "Unmapped"


class ActualsError(PlanError):
    """The actuals cannot be compared with the plan (a currency without a dated rate, a rule without a line)."""


def _to_cents(values: np.ndarray) -> np.ndarray:
    return to_cents(values)  # the one rounding of plan figures (half-even, as every report)


def allocate_cents(values: Sequence[Decimal]) -> list[int]:
    """Exact amounts as whole cents whose sum is the sum of the amounts rounded half-even (largest remainder)."""
    if not values:
        return []
    target = int((sum(values, Decimal(0)) / _CENT).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    floors = [int((v / _CENT).to_integral_value(rounding=ROUND_FLOOR)) for v in values]
    rest = target - sum(floors)
    if rest:
        remainders = sorted(range(len(values)), key=lambda i: (-(values[i] / _CENT - floors[i]), i))
        for i in remainders[:rest]:
            floors[i] += 1
    return floors


@dataclass(frozen=True, slots=True)
class Usage:
    """A line's usage against the plan in one month, and how much of the variance is price and how much volume."""

    unit: str
    plan: float
    actual: float | None
    """None when some of the line's cost that month came without a quantity in a unit we can convert."""
    volume_effect: float | None
    """(actual - plan quantity) x the plan's unit cost."""
    price_effect: float | None
    """The rest of the variance: (actual - plan unit cost) x actual quantity."""


@dataclass(frozen=True, slots=True, eq=False)
class LineActuals:
    """One row of the variance table: a plan line (or the unmapped rest) month by month, in cents."""

    name: str
    key_path: str
    category: str
    plan: np.ndarray
    actual: np.ndarray
    """Cents per horizon month (0 outside the months actuals cover)."""
    usage: tuple[Usage | None, ...] = ()

    @property
    def variance(self) -> np.ndarray:
        return self.actual - self.plan


@dataclass(frozen=True, slots=True)
class UnmappedRow:
    service_category: str | None
    service_name: str | None
    sku_id: str | None
    cents: int
    rows: int
    months: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AppliedRule:
    rule: Any
    line: str | None
    origin: str
    reason: str
    cents: int
    rows: int


@dataclass(frozen=True, slots=True, eq=False)
class Analysis:
    """Everything the command line, the window and the exports show about actuals."""

    plan_name: str
    currency: str
    cost: CostColumn
    months: tuple[str, ...]
    observed: tuple[bool, ...]
    """Which horizon months the actuals cover (from the first to the last month with any cost)."""
    covered: tuple[float, ...]
    """Share of each month the actuals cover: 1.0, the share of a last month covered so far, 0.0 unobserved."""
    lines: tuple[LineActuals, ...]
    """Plan lines, then the unmapped rest (category ``Unmapped``)."""
    imported_cents: int
    mapped_cents: int
    unmapped_cents: int
    outside_cents: int
    """Imported cost dated outside the plan's horizon (counted in imported, in no month)."""
    outside_months: tuple[tuple[str, int], ...]
    refused_rows: int
    usage_rows: int
    files: tuple[Any, ...]
    issues: tuple[Any, ...]
    unmapped: tuple[UnmappedRow, ...]
    rules: tuple[AppliedRule, ...]
    notes: tuple[str, ...]
    rates_used: tuple[Rate, ...]
    forecast: Forecast | None
    plan_total_cents: int
    monthly_budget: float | None
    unreached: frozenset[str] = frozenset()
    """Key paths of the plan lines no billing row reaches (their bill is in no export imported, or no rule)."""

    def plan_to_date(self, line: "LineActuals") -> np.ndarray:
        """A line's plan over the part of each month the actuals cover (the last month pro-rated), cents."""
        return np.rint(line.plan * np.array(self.covered)).astype(np.int64)

    @property
    def plan_monthly(self) -> np.ndarray:
        return sum((ln.plan for ln in self.lines), np.zeros(len(self.months), dtype=np.int64))

    @property
    def actual_monthly(self) -> np.ndarray:
        return sum((ln.actual for ln in self.lines), np.zeros(len(self.months), dtype=np.int64))


def analyze(proj: Any, store: Any, cfg: ActualsConfig, *, cost: CostColumn | None = None,
            propose: bool = True, forecast: bool = True, samples: int = 10_000, seed: int = 2027,
            catalog: Any = None, progress: Callable[[int, int], None] | None = None,
            cancel: Callable[[], bool] | None = None) -> Analysis:
    """Compare a projection with the actuals in ``store`` under the plan's ``actuals:`` settings."""
    plan = proj.plan
    cost = cost or cfg.cost
    lines = M.plan_lines(proj.line_items)
    resolved, problems = M.resolve(cfg.rules, lines)
    if problems:
        raise ActualsError(problems)
    notes: list[str] = []
    applied = list(resolved)
    if propose:
        proposals, pnotes = M.propose(store.con, plan, lines, resolved, cost.value)
        extra, _ = M.resolve([p.rule for p in proposals], lines, origin="proposed")
        applied += [M.ResolvedRule(r.rule, r.line, "proposed", p.reason) for r, p in zip(extra, proposals)]
        notes += pnotes
    cells, unmapped_groups = M.mapped_cells(store.con, applied, cost.value)

    # Currency: every cost converted into the plan's currency with a dated rate, or a clear problem.
    factors: dict[str | None, Decimal] = {plan.currency: Decimal(1)}
    rates_used: list[Rate] = []
    missing: dict[str, Decimal] = {}
    for c in cells:
        if not c.has_cost or c.currency in factors:
            continue
        rate = cfg.rate(c.currency) if c.currency else None
        if rate is None:
            missing[c.currency or "(none)"] = missing.get(c.currency or "(none)", Decimal(0)) + c.cost
        else:
            factors[c.currency] = Decimal(repr(rate.rate))
            rates_used.append(rate)
    if missing:
        raise ActualsError([Problem(
            f"the exports bill {amount:,.2f} in {cur}, the plan is in {plan.currency}: give a dated rate "
            f"(actuals: rates: [{{from: {cur}, rate: <{plan.currency} per {cur}>, as_of: <date read>}}], or "
            f"--rate {cur}={plan.currency}-per-unit@YYYY-MM-DD)", "actuals.rates") for cur, amount in missing.items()])

    months = tuple(str(m) for m in proj.months)
    index = {m: i for i, m in enumerate(months)}
    n, n_lines = len(months), len(lines)
    exact = [[Decimal(0)] * n for _ in range(n_lines + 1)]  # last row: unmapped
    outside: dict[tuple[str, bool], Decimal] = {}  # (month, mapped) -> cost dated outside the horizon
    q_known = [[True] * n for _ in range(n_lines)]
    q_cost = [[0.0] * n for _ in range(n_lines)]
    q_usage = [[0.0] * n for _ in range(n_lines)]
    q_usage_seen = [[False] * n for _ in range(n_lines)]
    through: dict[str, Any] = {}
    rule_cents: dict[int, Decimal] = {}
    rule_rows: dict[int, int] = {}
    usage_rows = 0
    for c in cells:
        line = applied[c.rule].line if c.rule >= 0 else None
        if not c.has_cost:
            usage_rows += c.rows
            if line is not None and c.month in index:
                q = M.quantity_in_line_unit(c, lines[line].section)
                if q is not None:
                    q_usage[line][index[c.month]] += q
                    q_usage_seen[line][index[c.month]] = True
            continue
        amount = c.cost * factors[c.currency]
        if c.through is not None and (c.month not in through or c.through > through[c.month]):
            through[c.month] = c.through
        if c.rule >= 0:
            rule_cents[c.rule] = rule_cents.get(c.rule, Decimal(0)) + amount
            rule_rows[c.rule] = rule_rows.get(c.rule, 0) + c.rows
        if c.month not in index:
            key = (c.month, line is not None)
            outside[key] = outside.get(key, Decimal(0)) + amount
            continue
        k = index[c.month]
        row = line if line is not None else n_lines
        exact[row][k] += amount
        if line is not None and c.cost != 0:
            q = M.quantity_in_line_unit(c, lines[line].section) if c.q_rows == c.rows else None
            if q is None:
                q_known[line][k] = False
            else:
                q_cost[line][k] += q
    flat = [v for row in exact for v in row] + list(outside.values())
    cents = allocate_cents(flat)
    grid = np.array(cents[: (n_lines + 1) * n], dtype=np.int64).reshape(n_lines + 1, n)
    outside_alloc = dict(zip(outside, cents[(n_lines + 1) * n:]))
    outside_months: dict[str, int] = {}
    for (month, _), c in outside_alloc.items():
        outside_months[month] = outside_months.get(month, 0) + c
    imported = int(sum(cents))
    mapped = int(grid[:n_lines].sum()) + sum(c for (_, is_mapped), c in outside_alloc.items() if is_mapped)
    unmapped_total = imported - mapped

    seen = [any(exact[r][k] != 0 for r in range(n_lines + 1)) or months[k] in through for k in range(n)]
    first = next((k for k in range(n) if seen[k]), None)
    last = max((k for k in range(n) if seen[k]), default=None)
    observed = tuple(first is not None and first <= k <= last for k in range(n))
    from pricing.actuals.forecast import _covered
    covered = tuple((_covered(months[k], through.get(months[k])) if k == last else 1.0) if observed[k] else 0.0
                    for k in range(n))

    plan_cells = _to_cents(proj.matrix) if n_lines else np.zeros((0, n), dtype=np.int64)
    out_lines = []
    for i, (ln, li) in enumerate(zip(lines, proj.line_items)):
        usage: list[Usage | None] = []
        target = LINE_UNIT.get(ln.section)
        planned_q = line_quantity(li.quantities, target) if target else None
        for k in range(n):
            if target is None or planned_q is None or not observed[k]:
                usage.append(None)
                continue
            if q_known[i][k] and (q_cost[i][k] > 0 or not q_usage_seen[i][k]):
                actual_q: float | None = q_cost[i][k]
            elif q_usage_seen[i][k]:
                actual_q = q_usage[i][k]
            else:
                actual_q = None
            pq = float(planned_q[k]) * covered[k]
            usage.append(_effects(target, pq, actual_q, int(round(int(plan_cells[i][k]) * covered[k])),
                                  int(grid[i][k])))
        out_lines.append(LineActuals(ln.name, ln.key_path, li.category.value, plan_cells[i].astype(np.int64),
                                     grid[i], tuple(usage)))
    out_lines.append(LineActuals(UNMAPPED, "", UNMAPPED, np.zeros(n, dtype=np.int64), grid[n_lines], ()))

    unmapped_rows = _unmapped_rows(unmapped_groups, factors, unmapped_total)
    rule_alloc = allocate_cents([rule_cents.get(i, Decimal(0)) for i in range(len(applied))])
    rules_out = tuple(AppliedRule(r.rule, lines[r.line].name if r.line is not None else None, r.origin, r.reason,
                                  rule_alloc[i], rule_rows.get(i, 0)) for i, r in enumerate(applied))
    files = store.files()
    refused = sum(f.refused(cost.value) for f in files)
    lines_with_rows = {applied[c.rule].line for c in cells if c.rule >= 0 and c.has_cost}
    for i, ln in enumerate(out_lines[:n_lines]):
        to_date = int(np.rint(ln.plan * np.array(covered)).sum())
        if i not in lines_with_rows and to_date > 0:
            notes.append(f"{ln.name}: no billing rows are mapped to it (plan to date {to_date / 100:,.2f}); if its "
                         "bill is in another export, import that too, or add a rule (actuals: rules)")

    fc = None
    unreached = frozenset(ln.key_path for i, ln in enumerate(out_lines[:n_lines]) if i not in lines_with_rows)
    if forecast and n:
        fc = reforecast(proj, out_lines, observed, through, cfg, samples=samples, seed=seed, catalog=catalog,
                        progress=progress, cancel=cancel, keep_plan=unreached)
        notes += list(fc.notes)
    return Analysis(plan.name, plan.currency, cost, months, observed, covered, tuple(out_lines), imported, mapped,
                    unmapped_total, int(sum(outside_months.values())), tuple(sorted(outside_months.items())), refused,
                    usage_rows, files, store.issues(), unmapped_rows, rules_out, tuple(notes), tuple(rates_used), fc,
                    int(plan_cells.sum()), plan.monthly_budget, unreached)


def _effects(unit: str, plan_q: float, actual_q: float | None, plan_c: int, actual_c: int) -> Usage:
    if actual_q is None or plan_q <= 0:
        return Usage(unit, plan_q, actual_q, None, None)
    unit_cost = plan_c / plan_q  # cents per unit, as planned
    volume = (actual_q - plan_q) * unit_cost
    price = (actual_c - plan_c) - volume
    return Usage(unit, plan_q, actual_q, volume, price)


def _unmapped_rows(groups: Sequence[M.UnmappedGroup], factors: dict, total_cents: int) -> tuple[UnmappedRow, ...]:
    """Unmapped cost grouped by service and SKU, biggest first; cents allocated to sum to ``total_cents``."""
    agg: dict[tuple, list] = {}
    for g in groups:
        key = (g.service_category, g.service_name, g.sku_id)
        entry = agg.setdefault(key, [Decimal(0), 0, set()])
        entry[0] += g.cost * factors.get(g.currency, Decimal(1))
        entry[1] += g.rows
        entry[2].add(g.month)
    keys = list(agg)
    cents = allocate_cents([agg[k][0] for k in keys])
    diff = total_cents - sum(cents)
    if cents and diff:  # the unmapped total was allocated with the other cells: keep the two equal
        cents[max(range(len(cents)), key=lambda i: abs(agg[keys[i]][0]))] += diff
    rows = [UnmappedRow(k[0], k[1], k[2], c, agg[k][1], tuple(sorted(agg[k][2]))) for k, c in zip(keys, cents)]
    rows.sort(key=lambda r: (-abs(r.cents), r.service_name or "", r.sku_id or ""))
    return tuple(rows)

"""Uncertainty: Monte Carlo over the plan's ranges (PERT), and the tornado of inputs by swing.

Distribution: every range ``{low, likely, high}`` is sampled from a PERT distribution (a Beta
distribution scaled to [low, high] with mode ``likely`` and shape lambda = 4: alpha = 1 +
4(likely-low)/(high-low), beta = 1 + 4(high-likely)/(high-low)). PERT puts more weight near the
likely value than a triangular distribution and is the usual choice for expert estimates;
``distribution="triangular"`` and ``"uniform"`` (ignores ``likely``) are available too. Whole-number
inputs (GPUs, people) are rounded.
Inputs are sampled independently. Samples are drawn with numpy's PCG64 generator from ``seed``
in fixed blocks, so the same plan and seed give identical figures.

The projection of the samples is vectorised: a line with ranges is priced once with its uncertain
fields as arrays of shape (samples, 1), which the drivers broadcast against the month axis.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from pricing import engine, fields
from pricing.errors import PlanError, Problem
from pricing.plan import Plan

DEFAULT_SAMPLES = 10_000
DEFAULT_SEED = 2027
DEFAULT_SWING = 0.20
"""Tornado swing of an input that has no range: +-20% of its value."""
DISTRIBUTIONS = ("pert", "triangular", "uniform")
BLOCK = 2_000
"""Samples drawn and projected per block (progress and Cancel are checked between blocks)."""

_INTEGER = fields.INTEGER_KEYS
"""Inputs sampled as whole numbers (GPUs, people, runs): the schema's integer fields."""


class Cancelled(Exception):
    """The caller asked to stop (the GUI's Cancel button)."""


@dataclass(frozen=True, slots=True)
class Input:
    """One input of the plan that can move the bill."""

    key_path: str
    """``compute.inference[0].requests_per_month``."""
    label: str
    """``Chat serving: Requests / month``: the line's name and the field's label from the schema."""
    low: float
    likely: float
    high: float
    from_range: bool
    """True when the plan gives the range; False for the default +-20% swing."""


@dataclass(frozen=True, slots=True, eq=False)
class MonteCarlo:
    """Percentiles of the projected cost over the samples."""

    samples: int
    seed: int
    distribution: str
    inputs: tuple[Input, ...]
    monthly_p10: np.ndarray
    monthly_p50: np.ndarray
    monthly_p90: np.ndarray
    total_p10: float
    total_p50: float
    total_p90: float
    total_mean: float
    budget_exceeded: np.ndarray | None
    """Probability that each month's cost exceeds the monthly budget (None without a budget)."""


@dataclass(frozen=True, slots=True)
class Bar:
    """One input of the tornado: the horizon total with the input at its low and at its high."""

    input: Input
    total_low: float
    total_high: float

    @property
    def swing(self) -> float:
        return abs(self.total_high - self.total_low)


@dataclass(frozen=True, slots=True)
class Tornado:
    baseline_total: float
    bars: tuple[Bar, ...]
    """Ranked by swing, widest first."""


def _label(plan: Plan, section: str, index: int, field: str) -> str:
    line = plan.section(section)[index]
    return f"{line.name}: {fields.field(section, field).label_for(plan.currency)}"


def declared_inputs(plan: Plan) -> tuple[Input, ...]:
    """Every range the plan declares."""
    out = []
    for section, i, line in plan.lines():
        for field, rng in getattr(line, "ranges", ()):
            out.append(Input(f"{section}[{i}].{field}", _label(plan, section, i, field), rng.low, rng.likely,
                             rng.high, True))
    return tuple(out)


def has_ranges(plan: Plan) -> bool:
    return any(getattr(line, "ranges", ()) for _, _, line in plan.lines())


def draw(rng: np.random.Generator, low: float, likely: float, high: float, size: int,
         distribution: str = "pert") -> np.ndarray:
    """Samples of one range."""
    if high <= low:
        return np.full(size, likely)
    if distribution == "triangular":
        return rng.triangular(low, likely, high, size)
    if distribution == "uniform":
        return rng.uniform(low, high, size)
    a = 1.0 + 4.0 * (likely - low) / (high - low)
    b = 1.0 + 4.0 * (high - likely) / (high - low)
    return low + rng.beta(a, b, size) * (high - low)


def _sampled_line(line: Any, draws: dict[str, np.ndarray]) -> Any:
    values = {}
    for field, arr in draws.items():
        if field in _INTEGER:
            arr = np.rint(arr)
        values[field] = arr[:, None]
    return dataclasses.replace(line, **values)


def monte_carlo(plan: Plan, catalog: Any = None, *, samples: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED,
                distribution: str = "pert", progress: Callable[[int, int], None] | None = None,
                cancel: Callable[[], bool] | None = None) -> MonteCarlo:
    """Sample every range and project each sample; percentiles per month and for the horizon."""
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"distribution must be one of {', '.join(DISTRIBUTIONS)}")
    ctx = engine.context(plan, catalog)
    n = plan.months
    fixed = np.zeros(n)
    uncertain: list[tuple[str, int, Any]] = []
    markup, markup_sections = engine.markup(plan, ctx)
    marked_fixed = np.zeros(n)
    for section, i, line in plan.lines():
        if getattr(line, "ranges", ()):
            uncertain.append((section, i, line))
        else:
            monthly = engine.price_line(section, i, line, ctx).monthly
            fixed += monthly
            if section in markup_sections:
                marked_fixed += monthly
    rng = np.random.default_rng(seed)
    totals = np.empty(samples)
    monthly_all = np.empty((samples, n))
    done = 0
    while done < samples:
        if cancel is not None and cancel():
            raise Cancelled()
        size = min(BLOCK, samples - done)
        block = np.broadcast_to(fixed + markup * marked_fixed, (size, n)).copy()
        for section, i, line in uncertain:
            draws = {f: draw(rng, r.low, r.likely, r.high, size, distribution) for f, r in line.ranges}
            m = engine.price_line(section, i, _sampled_line(line, draws), ctx).monthly
            m = np.broadcast_to(m, (size, n))
            block += m * (1.0 + markup) if section in markup_sections else m
        monthly_all[done:done + size] = block
        totals[done:done + size] = block.sum(axis=1)
        done += size
        if progress is not None:
            progress(done, samples)
    p10, p50, p90 = np.percentile(monthly_all, [10, 50, 90], axis=0)
    t10, t50, t90 = np.percentile(totals, [10, 50, 90])
    over = None
    if plan.monthly_budget is not None:
        over = (monthly_all > plan.monthly_budget + 1e-9).mean(axis=0)
    return MonteCarlo(samples, seed, distribution, declared_inputs(plan), p10, p50, p90, float(t10), float(t50),
                      float(t90), float(totals.mean()), over)


def tornado_inputs(plan: Plan, swing: float = DEFAULT_SWING) -> tuple[Input, ...]:
    """Every numeric input that moves the bill: its declared range, or +-``swing`` around its value."""
    out = []
    for section, i, line in plan.lines():
        ranges = dict(getattr(line, "ranges", ()))
        for spec in fields.section(section).fields:
            if not spec.rangeable:
                continue
            target = spec.key
            value = getattr(line, target)
            path = f"{section}[{i}].{target}"
            if target in ranges:
                r = ranges[target]
                out.append(Input(path, _label(plan, section, i, target), r.low, r.likely, r.high, True))
            elif isinstance(value, (int, float)) and value > 0:
                low, high = value * (1 - swing), value * (1 + swing)
                if spec.maximum is not None:  # within the field's limits (a share at most 100%, 168 h a week)
                    high = min(high, spec.maximum)
                if spec.limits.minimum is not None:
                    low = max(low, spec.limits.minimum)
                if spec.integer:
                    low, high = max(1.0, float(np.rint(low))), float(np.rint(high))
                    if low == value and high == value:
                        continue
                out.append(Input(path, _label(plan, section, i, target), float(low), float(value), float(high), False))
    return tuple(out)


def tornado(plan: Plan, catalog: Any = None, *, swing: float = DEFAULT_SWING) -> Tornado:
    """The horizon total with each input at its low and its high, everything else at likely; ranked by swing."""
    ctx = engine.context(plan, catalog)
    base = engine.project(plan, catalog)
    totals = {li.key_path: li.total for li in base.line_items}
    markup, markup_sections = engine.markup(plan, ctx)
    bars = []
    for inp in tornado_inputs(plan, swing):
        line_path, _, field = inp.key_path.rpartition(".")
        section, _, idx = line_path.rpartition("[")
        i = int(idx[:-1])
        line = plan.section(section)[i]
        values = np.array([inp.low, inp.high])
        try:
            moved = engine.price_line(section, i, dataclasses.replace(line, **{field: values[:, None]}), ctx).monthly
        except (PlanError, ValueError, ArithmeticError):  # an extreme that can't be priced (below a minimum) is left out
            continue
        line_totals = np.broadcast_to(moved, (2, plan.months)).sum(axis=1)
        factor = 1.0 + markup if section in markup_sections else 1.0
        delta = (line_totals - totals[line_path]) * factor
        bars.append(Bar(inp, base.total + float(delta[0]), base.total + float(delta[1])))
    bars.sort(key=lambda b: (-b.swing, b.input.key_path))
    _check_bars(plan, bars)
    return Tornado(base.total, tuple(bars))


def _check_bars(plan: Plan, bars: list[Bar]) -> None:
    """PlanError naming the input whose low or high takes the plan past the largest amount the product represents
    (``engine.MAX_AMOUNT``): that bar can't be shown to the cent (its total was shown as $5.45e+11B, issue 17)."""
    for bar in bars:
        for end, total in (("high", bar.total_high), ("low", bar.total_low)):
            if not (0 <= total <= engine.MAX_AMOUNT):  # NaN too
                value = bar.input.high if end == "high" else bar.input.low
                line_path, _, key = bar.input.key_path.rpartition(".")
                shown = fields.field(line_path.partition("[")[0], key).text(value)
                raise PlanError(Problem(
                    f"at its {end} ({shown}) the plan would cost {total:.3g} {plan.currency}, past "
                    f"{engine.amount_text(engine.MAX_AMOUNT, plan.currency)}, the most a plan can cost: give it a "
                    "range (low, likely, high) within which the plan stays below that, or a smaller swing",
                    bar.input.key_path))

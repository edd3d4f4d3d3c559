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
import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from pricing import engine, errors, fields, percentiles, rounding
from pricing.drivers import commitments as committable
from pricing.drivers import serving_line
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


Cancelled = errors.Cancelled
"""The caller asked to stop (the GUI's Cancel button, or a newer edit)."""


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


def _label(plan: Plan, section: str, index: int, field: str, line: Any = None, catalog: Any = None) -> str:
    """``Chat serving: Requests / month``; an MLOps quantity says what it counts when the catalog is given
    (``EKS cluster: Quantity (clusters)``, not the schema's generic ``units/month``)."""
    line = plan.section(section)[index] if line is None else line
    label = fields.field(section, field).label_for(plan.currency)
    if section == "mlops" and field == "quantity" and catalog is not None and line.unit_price is None:
        unit = catalog.mlops_quantity_unit(line.kind)
        label = f"Quantity ({unit})" if unit else label
    return f"{line.name}: {label}"


def declared_inputs(plan: Plan) -> tuple[Input, ...]:
    """Every range the plan declares (the exchange rate's first)."""
    out = []
    if plan.fx_range is not None:
        r = plan.fx_range
        out.append(Input("fx_rate", fields.SETTINGS.field("fx_rate").label_for(plan.currency), r.low, r.likely,
                         r.high, True))
    for section, i, line in plan.lines():
        for field, rng in getattr(line, "ranges", ()):
            out.append(Input(f"{section}[{i}].{field}", _label(plan, section, i, field), rng.low, rng.likely,
                             rng.high, True))
    return tuple(out)


def has_ranges(plan: Plan) -> bool:
    return plan.fx_range is not None or any(getattr(line, "ranges", ()) for _, _, line in plan.lines())


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


MEMORY = 64 * 2**20
"""Bytes of sampled costs the Monte Carlo holds at once. Below it every sample's monthly costs are kept
and their percentiles taken directly; above it (1M samples x 240 months would be 1.9 GB) the same exact
percentiles come from passes over the samples, redrawn from the seed (``pricing.percentiles``)."""
QUANTILES = (10, 50, 90)


def monte_carlo(plan: Plan, catalog: Any = None, *, samples: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED,
                distribution: str = "pert", progress: Callable[[int, int], None] | None = None,
                cancel: Callable[[], bool] | None = None, projection: engine.Projection | None = None,
                memory: int = MEMORY, view: Any = "amortised") -> MonteCarlo:
    """Sample every range and project each sample; percentiles per month and for the horizon (commitments
    charged in ``view``, each covering the sample's usage).

    Samples are drawn and projected in blocks of ``BLOCK``; memory stays within about ``memory`` bytes
    plus one block whatever the samples and months. ``projection`` (of ``plan``) saves pricing the
    lines without ranges again. The figures are the same for the same seed whichever way they are
    computed: the percentiles exactly (``np.percentile``'s), the mean to float rounding.
    """
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"distribution must be one of {', '.join(DISTRIBUTIONS)}")
    if samples < 1:
        raise ValueError("samples must be at least 1")
    if projection is None or projection.plan is not plan or projection.context is None:
        projection = engine.project(plan, catalog)
    ctx = projection.context
    n = plan.months
    fixed = np.zeros(n)
    uncertain: list[tuple[str, int, Any]] = []
    markup, markup_sections = engine.markup(plan, ctx)
    marked_fixed = np.zeros(n)
    # A range on fx_rate: costs are linear in the rate, so each sample is its own-currency part (prices the plan
    # states in its currency, priced with a rate of 0) plus the converted part scaled by rate / likely rate.
    fx_range = plan.fx_range
    ctx0 = dataclasses.replace(ctx, fx=0.0) if fx_range is not None else None
    own_fixed = np.zeros(n)
    priced = {li.key_path: li for li in projection.line_items}
    members: dict[str, tuple[str, Any, Any]] | None = {} if plan.commitments else None  # compute items they cover
    accounted: list[Any] = []  # fixed lines billed under account-wide tiers (engine.account_adjustment)
    for section, i, line in plan.lines():
        if getattr(line, "ranges", ()) or (ctx0 is not None and section in markup_sections):
            uncertain.append((section, i, line))
        else:
            item = priced[f"{section}[{i}]"]  # after the account pass: its share at every line's likely volume
            monthly = item.monthly
            if item.account:
                accounted.append(item)
            if members is not None and section in committable.COMPUTE_SECTIONS:  # the commitments cover it
                members[item.key_path] = (section, line, item)
            fixed += monthly
            if ctx0 is not None:
                own_fixed += engine.price_line(section, i, line, ctx0).monthly
            if section in markup_sections:
                marked_fixed += monthly
    base = fixed + markup * marked_fixed
    budget = plan.monthly_budget
    passes = [0]
    stats: dict[str, Any] = {}

    def blocks(keep_stats: bool = False):
        """The samples' monthly costs, block by block, drawn anew from ``seed`` (the same blocks every time)."""
        rng = np.random.default_rng(seed)
        done = 0
        while done < samples:
            if cancel is not None and cancel():
                raise Cancelled()
            size = min(BLOCK, samples - done)
            block = np.broadcast_to(base, (size, n)).copy()
            own = np.broadcast_to(own_fixed, (size, n)).copy() if ctx0 is not None else None
            sample_members = dict(members) if members is not None else None
            sampled_items = []
            for section, i, line in uncertain:
                if cancel is not None and cancel():  # checked often: the caller may also pause us here
                    raise Cancelled()
                draws = {f: draw(rng, r.low, r.likely, r.high, size, distribution) for f, r in line.ranges}
                sampled = _sampled_line(line, draws) if draws else line
                item = engine.price_line(section, i, sampled, ctx)
                if item.account:
                    sampled_items.append(item)
                m = np.broadcast_to(item.monthly, (size, n))
                block += m * (1.0 + markup) if section in markup_sections else m
                if sample_members is not None and section in committable.COMPUTE_SECTIONS:
                    sample_members[item.key_path] = (section, sampled, item)
                if own is not None:
                    m0 = np.broadcast_to(engine.price_line(section, i, sampled, ctx0).monthly, (size, n))
                    own += m0 * (1.0 + markup) if section in markup_sections else m0
            if sampled_items:  # account-wide tiers on each sample's summed volumes: every share of the groups moves
                # (the fixed lines hold their share at the likely volumes; the pass is idempotent on them)
                block += np.broadcast_to(engine.account_adjustment(accounted + sampled_items), (size, n))
            if sample_members is not None:  # each sample's commitments cover that sample's usage (their charges
                for c in committable.price(plan, ctx, sample_members, view):  # are USD prices converted: fx part)
                    block += np.broadcast_to(c.monthly, (size, n))
            if own is not None:  # the rate's draw: the converted part scales with it, the plan's own amounts do not
                rate = draw(rng, fx_range.low, fx_range.likely, fx_range.high, size, distribution)
                block = own + (block - own) * (rate / fx_range.likely)[:, None]
            done += size
            if keep_stats:
                stats["sums"].append(block.sum(axis=1).sum())
                if budget is not None:
                    stats["over"] += (block > budget + 1e-9).sum(axis=0)
            if progress is not None:
                progress(passes[0] * samples + done, max(passes[0] + 1, stats.get("passes", 1)) * samples)
            yield block

    if samples * (n + 1) * 8 <= memory:  # every sample's costs fit: one pass, percentiles as before
        monthly_all = np.empty((samples, n))
        totals = np.empty(samples)
        done = 0
        for block in blocks():
            monthly_all[done:done + len(block)] = block
            totals[done:done + len(block)] = block.sum(axis=1)
            done += len(block)
        over = None if budget is None else (monthly_all > budget + 1e-9).mean(axis=0)
        # in place: the samples are not needed in their order any more (np.percentile would copy them)
        p10, p50, p90 = np.percentile(monthly_all, QUANTILES, axis=0, overwrite_input=True)
        t10, t50, t90 = np.percentile(totals, QUANTILES)
        mean = float(totals.mean())
    else:
        stats.update(sums=[], over=np.zeros(n, dtype=np.int64), passes=2)

        def replay():
            """Each pass over the samples: their monthly costs with the horizon total as a last column."""
            first = passes[0] == 0 and not stats["sums"]
            for block in blocks(keep_stats=first):
                yield np.hstack([block, block.sum(axis=1)[:, None]])
            passes[0] += 1
            stats["passes"] = max(stats["passes"], passes[0] + 1)

        out = percentiles.column_percentiles(replay, samples, n + 1, QUANTILES, memory=memory)
        p10, p50, p90 = out[:, :n]
        t10, t50, t90 = out[:, n]
        mean = math.fsum(stats["sums"]) / samples
        over = None if budget is None else stats["over"] / samples
    return MonteCarlo(samples, seed, distribution, declared_inputs(plan), p10, p50, p90, float(t10), float(t50),
                      float(t90), mean, over)


def _neighbours(spec: fields.FieldSpec, value: Any) -> tuple[float, float, float] | None:
    """An enum the tornado swings (``spec.swings``) as (low, likely, high) places in its choices: low is the next
    choice (serving precision: fewer bytes per weight), high the one before; None when it has neither."""
    at = next((k for k, c in enumerate(spec.choices) if c.value == value), None)
    if at is None:
        return None
    low, high = min(at + 1, len(spec.choices) - 1), max(at - 1, 0)
    return None if low == at == high else (float(low), float(at), float(high))


def tornado_inputs(plan: Plan, swing: float = DEFAULT_SWING, catalog: Any = None) -> tuple[Input, ...]:
    """Every input that moves the bill: its declared range, or +-``swing`` around its value (whole numbers for
    whole things: GPUs, runs, and, given the ``catalog``, an MLOps line's clusters or load balancers); an enum the
    schema says swings (a serving line's precision) moves to its neighbouring choices. A serving line's model size
    (``params``) swings around its model family's when the line leaves it to the family."""
    out = []
    for section, i, line in plan.lines():
        ranges = dict(getattr(line, "ranges", ()))
        modelled = section == "compute.inference" and serving_line.uses_model(line)
        for spec in fields.section(section).fields:
            if spec.swings:
                if section == "compute.inference" and not modelled:
                    continue  # a measured throughput does not follow the precision: the bar would be $0
                places = _neighbours(spec, getattr(line, spec.key))
                if places is not None:
                    out.append(Input(f"{section}[{i}].{spec.key}", _label(plan, section, i, spec.key), *places,
                                     False))
                continue
            if not spec.rangeable:
                continue
            target = spec.key
            value = getattr(line, target)
            if value is None and modelled:
                value = serving_line.family_value(line, target)
            path = f"{section}[{i}].{target}"
            if target in ranges:
                r = ranges[target]
                out.append(Input(path, _label(plan, section, i, target, line, catalog), r.low, r.likely, r.high,
                                 True))
            elif isinstance(value, (int, float)) and value > 0:
                low, high = value * (1 - swing), value * (1 + swing)
                if spec.maximum is not None:  # within the field's limits (a share at most 100%, 168 h a week)
                    high = min(high, spec.maximum)
                if spec.limits.minimum is not None:
                    low = max(low, spec.limits.minimum)
                if spec.integer or _counted(section, target, line, catalog):
                    low, high = max(1.0, float(np.rint(low))), float(np.rint(high))
                    if low == value and high == value:
                        continue
                out.append(Input(path, _label(plan, section, i, target, line, catalog), float(low), float(value),
                                 float(high), False))
    return tuple(out)


def _counted(section: str, key: str, line: Any, catalog: Any) -> bool:
    """An MLOps quantity of whole things (``Catalog.mlops_counted``: 2 clusters swing to 2, not 1.6..2.4)."""
    return (section == "mlops" and key == "quantity" and catalog is not None and line.unit_price is None
            and catalog.mlops_counted(line.kind))


def tornado(plan: Plan, catalog: Any = None, *, swing: float = DEFAULT_SWING,
            projection: engine.Projection | None = None, progress: Callable[[int, int], None] | None = None,
            cancel: Callable[[], bool] | None = None, view: Any = "amortised") -> Tornado:
    """The horizon total with each input at its low and its high, everything else at likely; ranked by swing.

    Each total is what the report would show for the plan with that one input moved: the report's
    total (every cell rounded to the cent, summed) less the cents of the lines the move reaches plus
    their new cents, and likewise for the platform's markup when it marks up one of their sections (its
    rate and sections from ``engine.markup``), and for the plan's commitments (charged in ``view``) when
    the moved line is in a pool they cover: they are priced again against the moved usage. The lines a
    move reaches are the moved line and, when it bills under an account-wide tier, the other lines of
    that account, whose shares follow the summed volume (``engine.moved_with_account``). Only the moved
    line is priced again, once for all its inputs (each input a row of the line's arrays, as the Monte
    Carlo prices samples), so the work grows linearly with the inputs; the baseline is the report's total
    to the cent. ``projection`` (of ``plan``, in ``view``) saves projecting it again; ``progress(inputs
    done, inputs)`` and ``cancel()`` (raise ``Cancelled``) are checked per line.
    """
    view = committable.View(view)
    if projection is None or projection.plan is not plan or projection.context is None or projection.view != view:
        projection = engine.project(plan, catalog, view=view, previous=projection)
    ctx = projection.context
    n = ctx.n
    cells = rounding.rounded_matrix(projection)
    base_cents = int(cells.sum())
    cents = cells.sum(axis=1).tolist()  # each line item's horizon cents, in the projection's rows
    rows_of = {li.key_path: row for row, li in enumerate(projection.priced)}
    rate, marked = engine.markup(plan, ctx)
    at_platform = len(projection.priced)  # the markup's row: after the plan's lines, before the commitments
    platform = projection.line_items[at_platform] if plan.services.platform is not None else None
    members = committable.members_of(plan, projection.line_items) if plan.commitments else {}
    committed = sum(int(cents[row]) for row, li in enumerate(projection.line_items)  # the commitments' cents
                    if li.section == committable.SECTION)
    by_line: dict[str, list[Input]] = {}
    for inp in tornado_inputs(plan, swing, ctx.catalog):
        by_line.setdefault(inp.key_path.rpartition(".")[0], []).append(inp)
    total_inputs = sum(len(v) for v in by_line.values())
    bars = []
    done = 0
    for line_path, inputs in by_line.items():
        if cancel is not None and cancel():
            raise Cancelled()
        section, _, idx = line_path.rpartition("[")
        i = int(idx[:-1])
        for kept, moved_line, item in _moved(plan.section(section)[i], section, i, inputs, ctx):
            totals = base_cents
            marked_change: Any = None
            reached = _reached(projection, rows_of[line_path], item)
            _check_rough(plan, kept, reached, projection, base_cents, rate, marked)
            for row, monthly in reached.items():
                moved = np.broadcast_to(monthly, (2 * len(kept), n))
                totals = totals - int(cents[row]) + rounding.to_cents(moved).sum(axis=1)
                if projection.line_items[row].section in marked:
                    change = moved - projection.line_items[row].monthly
                    marked_change = change if marked_change is None else marked_change + change
            if platform is not None and marked_change is not None:  # the markup follows the lines' cost
                mark = platform.monthly + rate * marked_change
                totals = totals - int(cents[at_platform]) + rounding.to_cents(mark).sum(axis=1)
            if line_path in members:  # the commitments covering this line's pool cover its moved usage
                again = committable.price(plan, ctx, {**members, line_path: (section, moved_line, item)}, view)
                totals = totals - committed + sum(
                    (rounding.to_cents(np.broadcast_to(c.monthly, (2 * len(kept), n))).sum(axis=1) for c in again),
                    np.zeros(2 * len(kept), dtype=np.int64))
            bars += [Bar(inp, int(totals[2 * j]) / 100, int(totals[2 * j + 1]) / 100) for j, inp in enumerate(kept)]
        done += len(inputs)
        if progress is not None:
            progress(done, total_inputs)
    bars.sort(key=lambda b: (-b.swing, b.input.key_path))
    _check_bars(plan, bars)
    return Tornado(base_cents / 100, tuple(bars))


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


def _check_rough(plan: Plan, kept: list[Input], reached: dict[int, Any], projection: engine.Projection,
                 base_cents: int, rate: float, marked: Any) -> None:
    """``_check_bars`` on the totals in floats, before any cents conversion: an extreme past the largest amount is
    named (its input, its value), not refused by the conversion without a line."""
    moved = np.zeros(2 * len(kept))
    for row, monthly in reached.items():
        li = projection.line_items[row]
        change = np.broadcast_to(monthly, (2 * len(kept), projection.context.n)).sum(axis=1) - float(np.sum(li.monthly))
        moved = moved + change * ((1.0 + rate) if li.section in marked else 1.0)
    rough = base_cents / 100 + moved
    _check_bars(plan, [Bar(inp, float(rough[2 * j]), float(rough[2 * j + 1])) for j, inp in enumerate(kept)])


def _reached(projection: engine.Projection, row: int, moved: Any) -> dict[int, Any]:
    """The monthly cost of each line (by row) that ``moved`` (the line at ``row`` priced again) changes: itself
    alone, or with the lines sharing an account-wide tier with it, their shares re-allocated."""
    if not projection.priced[row].account and not moved.account:
        return {row: moved.monthly}
    return engine.moved_with_account(projection.priced, moved)


def _moved(line: Any, section: str, i: int, inputs: list[Input], ctx: Any) -> list[tuple[list[Input], Any, Any]]:
    """The line priced alone with each input at its low and at its high (rows 2j and 2j + 1 of its arrays for input
    j), the other inputs at their values: the inputs, the moved line (for what depends on its usage: the plan's
    commitments) and its line item, in one item for all the inputs, or one item per input when an input's extreme
    can't be priced (below a minimum; that input is left out)."""
    fields = [inp.key_path.rpartition(".")[2] for inp in inputs]
    arrays = {f: np.full(2 * len(inputs), getattr(line, f), dtype=float) for f in fields}
    for j, (f, inp) in enumerate(zip(fields, inputs)):
        arrays[f][2 * j:2 * j + 2] = (inp.low, inp.high)
    try:
        moved = dataclasses.replace(line, **{f: a[:, None] for f, a in arrays.items()})
        return [(inputs, moved, engine.price_line(section, i, moved, ctx))]
    except (PlanError, ValueError, ArithmeticError):  # one input's extreme: price each input alone
        pass
    out = []
    for f, inp in zip(fields, inputs):
        try:
            moved = dataclasses.replace(line, **{f: np.array([inp.low, inp.high])[:, None]})
            item = engine.price_line(section, i, moved, ctx)
        except (PlanError, ValueError, ArithmeticError):
            continue
        out.append(([inp], moved, item))
    return out

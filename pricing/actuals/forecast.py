"""Re-forecast: the months after the last actual, from the actuals and the plan's own shape.

Per plan line, over the last ``window`` months with actuals (the latest month pro-rated when it
is only partly covered, judged from the exports' charge periods):

* ``run_rate``: ratio = actual cost / planned cost over the window; each remaining month costs
  the plan's figure for it x that ratio. This is the recent run-rate carried forward with the
  plan's own growth (a line planned to grow 8% a month keeps growing 8% a month from where the
  actuals are). A line with no planned cost in the window but actual cost carries its mean actual
  forward flat; a line with neither keeps its plan (it has not started).
* ``rebase``: ratio = actual usage / planned usage (GPU-hours, tokens, GB-months, GB) over the
  window, so the plan's prices are kept and only its volumes are re-based; lines whose usage is
  not known fall back to the cost ratio (said in the notes).

A plan line that no billing row reaches at all keeps its plan, months to date included: its bill is
most likely in an export not imported yet, and a run-rate of zero would hide it (a note says so).
The unmapped rest is carried forward flat at its mean over the window (there is no plan to grow it
with). The P10-P90 band: the plan's Monte Carlo (pricing.uncertainty) relative spread per month
(P10/P50, P90/P50) applied to the re-forecast months when the plan has ranges; otherwise the spread
of the monthly actual/plan ratios over the window; none from a single month. The horizon band adds
the monthly P10s (P90s) to the actuals to date: wider than the P10 of the total, on purpose.
"""
from __future__ import annotations

import calendar
import datetime as _dt
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from pricing.actuals.config import ActualsConfig, ForecastMethod


@dataclass(frozen=True, slots=True, eq=False)
class Forecast:
    """The horizon re-forecast from the actuals (cents)."""

    method: ForecastMethod
    window: tuple[str, ...]
    """Months the run-rate was measured on."""
    last_actual: str | None
    """The last month with actuals."""
    covered: float
    """Share of the last month the actuals cover (1.0: complete)."""
    monthly: np.ndarray
    """Actual where complete, actual + the rest forecast in a partial month, forecast after (cents)."""
    p10: np.ndarray
    p90: np.ndarray
    band: str
    """Where the band comes from."""
    total: int
    total_p10: int
    total_p90: int
    plan_total: int
    first_over_budget: str | None
    plan_first_over_budget: str | None
    ratios: tuple[tuple[str, float | None], ...]
    """Per line key path (``Unmapped`` for the rest): the factor applied to the plan (None: carried flat or kept)."""
    notes: tuple[str, ...]


def _covered(month: str, through: Any) -> float:
    """Share of ``month`` (YYYY-MM) before ``through`` (the latest charge period end seen in it)."""
    if through is None:
        return 1.0
    y, m = int(month[:4]), int(month[5:7])
    start = _dt.datetime(y, m, 1, tzinfo=_dt.UTC)
    days = calendar.monthrange(y, m)[1]
    end = start + _dt.timedelta(days=days)
    t = through if through.tzinfo else through.replace(tzinfo=_dt.UTC)
    if t >= end:
        return 1.0
    return max(0.0, min(1.0, (t - start) / (end - start)))


def reforecast(proj: Any, lines: Sequence[Any], observed: Sequence[bool], through: dict[str, Any],
               cfg: ActualsConfig, *, samples: int = 10_000, seed: int = 2027, catalog: Any = None,
               progress: Callable[[int, int], None] | None = None,
               cancel: Callable[[], bool] | None = None, keep_plan: frozenset[str] = frozenset()) -> "Forecast":
    """``keep_plan``: key paths of lines no billing row reaches; they keep their plan (their bill is most
    likely in an export not imported yet: carrying a run-rate of zero forward would hide it)."""
    months = [str(m) for m in proj.months]
    n = len(months)
    plan_lines = [ln for ln in lines if ln.key_path]
    rest = [ln for ln in lines if not ln.key_path]
    plan_total_monthly = sum((ln.plan for ln in plan_lines), np.zeros(n, dtype=np.int64))
    notes: list[str] = []
    obs = [k for k in range(n) if observed[k]]
    budget = proj.plan.monthly_budget
    plan_over = _first_over(plan_total_monthly, budget, months)
    if not obs:
        zero = plan_total_monthly.astype(float)
        return Forecast(cfg.forecast, (), None, 1.0, plan_total_monthly.copy(), plan_total_monthly.copy(),
                        plan_total_monthly.copy(), "none: no actuals in the plan's horizon", int(zero.sum()),
                        int(zero.sum()), int(zero.sum()), int(zero.sum()), plan_over, plan_over, (),
                        ("no actuals fall in the plan's horizon: the forecast is the plan",))
    last = obs[-1]
    f_last = _covered(months[last], through.get(months[last]))
    win = obs[-cfg.window:]
    frac = np.array([f_last if k == last else 1.0 for k in win])
    first = obs[0]
    monthly = np.zeros(n)
    fc_part = np.zeros(n)
    """The forecast part of each month (what the band spreads): after the last actual, and the rest of a partial
    month."""
    ratios: list[tuple[str, float | None]] = []
    for ln in plan_lines + rest:
        actual = ln.actual.astype(float)
        plan = ln.plan.astype(float)
        a_w = float(actual[win].sum())
        p_w = float((plan[win] * frac).sum())
        ratio: float | None = None
        if ln.key_path in keep_plan:
            a_w = p_w = 0.0  # no evidence either way: the plan stands
            notes.append(f"{ln.name}: keeps its plan in the re-forecast, months to date included (no billing rows "
                         "map to it)")
        elif cfg.forecast is ForecastMethod.REBASE and ln.key_path:
            ratio = _usage_ratio(ln, win, frac)
            if ratio is None and (a_w or p_w):
                notes.append(f"{ln.name}: usage not known in every month of the window; re-based on cost instead")
        if ratio is None and p_w > 0:
            ratio = a_w / p_w
        if ratio is not None:
            ahead = plan * ratio
        elif a_w:
            ahead = np.full(n, a_w / float(frac.sum()))  # no plan to grow with: carried flat
        else:
            ahead = plan.copy()  # neither planned nor seen in the window: the plan stands
        ratios.append((ln.key_path or "Unmapped", None if ratio is None else round(ratio, 6)))
        line_fc = np.where(np.arange(n) > last, ahead, 0.0)
        line_fc[last] = (1.0 - f_last) * ahead[last]
        line_monthly = np.where(np.arange(n) <= last, actual, 0.0) + line_fc
        line_monthly[:first] = plan[:first]  # months before the first actual: no export covers them
        if ln.key_path in keep_plan:
            line_monthly = plan.copy()  # its months to date too: a missing export is not a zero bill
        monthly += line_monthly
        fc_part += line_fc
    if first > 0:
        notes.append(f"no actuals before {months[first]}: the months before it keep the plan's figures")
    kept = [ln.name for ln in plan_lines if ln.key_path in keep_plan and ln.plan[last + 1:].any()]
    unmapped_w = sum(float(ln.actual[win].sum()) for ln in rest)
    if kept and unmapped_w > 0:
        # both are right on their own, and can be the same money: say so rather than guess which it is
        notes.append(f"the re-forecast carries the unmapped rows forward and keeps the plan of {len(kept)} line"
                     f"{'s' if len(kept) != 1 else ''} no billing row reaches ({', '.join(kept[:4])}"
                     f"{', ...' if len(kept) > 4 else ''}): if some unmapped rows are those lines' bills they are "
                     "counted twice until a rule maps them")
    monthly_c = np.rint(monthly).astype(np.int64)
    lo, hi, band = _band(proj, lines, win, frac, n, samples, seed, catalog, progress, cancel)
    p10 = np.rint(monthly - fc_part + fc_part * lo).astype(np.int64)
    p90 = np.rint(monthly - fc_part + fc_part * hi).astype(np.int64)
    if f_last < 1.0:
        notes.append(f"{months[last]} is covered to {f_last:.0%}: the rest of it is forecast")
    return Forecast(cfg.forecast, tuple(months[k] for k in win), months[last], round(f_last, 4), monthly_c, p10, p90,
                    band, int(monthly_c.sum()), int(p10.sum()), int(p90.sum()), int(plan_total_monthly.sum()),
                    _first_over(monthly_c, budget, months), plan_over, tuple(ratios), tuple(notes))


def _usage_ratio(ln: Any, win: Sequence[int], frac: np.ndarray) -> float | None:
    plan_q = actual_q = 0.0
    for k, f in zip(win, frac):
        u = ln.usage[k] if k < len(ln.usage) else None
        if u is None or u.actual is None:
            return None
        plan_q += u.plan * f
        actual_q += u.actual
    return actual_q / plan_q if plan_q > 0 else None


def _first_over(monthly_cents: np.ndarray, budget: float | None, months: Sequence[str]) -> str | None:
    if budget is None:
        return None
    over = np.nonzero(monthly_cents > round(budget * 100))[0]
    return months[int(over[0])] if len(over) else None


def _band(proj: Any, lines: Sequence[Any], win: Sequence[int], frac: np.ndarray, n: int, samples: int, seed: int,
          catalog: Any, progress: Any, cancel: Any) -> tuple[np.ndarray, np.ndarray, str]:
    from pricing import uncertainty
    if uncertainty.has_ranges(proj.plan):
        mc = uncertainty.monte_carlo(proj.plan, catalog, samples=samples, seed=seed, progress=progress, cancel=cancel)
        p50 = np.where(mc.monthly_p50 > 0, mc.monthly_p50, 1.0)
        lo = np.where(mc.monthly_p50 > 0, mc.monthly_p10 / p50, 1.0)
        hi = np.where(mc.monthly_p50 > 0, mc.monthly_p90 / p50, 1.0)
        return lo, hi, (f"the plan's ranges (Monte Carlo, {samples:,} samples, seed {seed}): P10/P50 and P90/P50 "
                        "per month")
    plan_m = sum((ln.plan for ln in lines), np.zeros(n, dtype=np.int64)).astype(float)
    actual_m = sum((ln.actual for ln in lines), np.zeros(n, dtype=np.int64)).astype(float)
    ratios = [actual_m[k] / (plan_m[k] * f) for k, f in zip(win, frac) if plan_m[k] * f > 0]
    if len(ratios) >= 2 and np.mean(ratios) > 0:
        mean = float(np.mean(ratios))
        return (np.full(n, min(ratios) / mean), np.full(n, max(ratios) / mean),
                f"the spread of the monthly actual/plan ratios over {len(ratios)} months (the plan has no ranges)")
    return np.ones(n), np.ones(n), "none: the plan has no ranges and one month of actuals shows no spread"

"""One commitment month by month (charges, coverage, savings) and the planner that picks the best of each offer."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from pricing.engine import HOURS_PER_MONTH, Projection
from pricing.errors import CatalogError
from pricing.plan import Plan

from pricing.commitments.offers import Offer, default_path, load_offers
from pricing.commitments.pools import Excluded, Pool, covered_by, covered_hours, load_curve, pools

DEFAULT_SAMPLES = 1_000
"""Monte Carlo samples of usage for the planner (each start month x level x offer is priced on all)."""
P10 = 10.0




# ---------------------------------------------------------------------------------------------
# One commitment, month by month
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Commitment:
    """An offer bought for ``gpus`` GPUs (running all month) from plan month ``start``."""

    offer: Offer
    gpus: int
    start: int = 1
    upfront_share: float | None = None
    """Share paid upfront when the offer does not say (partial upfront); else the offer's."""

    @property
    def provider(self) -> str:
        return self.offer.provider

    @property
    def gpu(self) -> str:
        return self.offer.gpu

    @property
    def share(self) -> float | None:
        return self.upfront_share if self.upfront_share is not None else self.offer.upfront_share


@dataclass(frozen=True, slots=True, eq=False)
class Charges:
    """What a commitment costs, month by month over the horizon, in the plan's currency."""

    gpus: np.ndarray
    """Committed GPUs each month (0 outside the term)."""
    amortised: np.ndarray
    """The charge spread evenly over the months of the term (FOCUS EffectiveCost)."""
    cash: np.ndarray | None
    """Upfront in the month paid + recurring monthly (FOCUS BilledCost); None when the upfront share is unknown."""
    obligation_after_horizon: float
    """Amortised charge of the term's months past the horizon."""
    months_after_horizon: int


def charges(commitment: Commitment, price: float, n: int) -> Charges:
    """The charges of ``commitment`` over ``n`` months at on-demand ``price`` per GPU-hour (plan currency)."""
    c, offer = commitment, commitment.offer
    if offer.discount is None:
        raise CatalogError(f"the offer {offer.key} has no rate ({offer.gap}); choose a priced offer")
    k = np.arange(1, n + 1)
    in_term = (k >= c.start) & (k < c.start + offer.term_months)
    gpus = np.where(in_term, float(c.gpus), 0.0)
    rate = price * (1.0 - offer.discount)
    amortised = gpus * HOURS_PER_MONTH * rate
    cash = None
    if c.share is not None:
        cash = (1.0 - c.share) * amortised
        if 1 <= c.start <= n:
            cash[c.start - 1] += c.share * c.gpus * HOURS_PER_MONTH * offer.term_months * rate
    after = max(0, c.start + offer.term_months - 1 - n)
    return Charges(gpus, amortised, cash, c.gpus * HOURS_PER_MONTH * after * rate, after)


@dataclass(frozen=True, slots=True, eq=False)
class Evaluation:
    """What a commitment does to a pool: coverage, utilisation, savings (likely, expected, P10), cash flow."""

    commitment: Commitment
    pool: Pool
    charges: Charges
    covered: np.ndarray
    """GPU-hours covered per month at likely usage."""
    credit: np.ndarray
    """On-demand cost no longer billed per month (covered x on-demand price), at likely usage."""
    coverage: float
    """Share of the pool's usage in the term (within the horizon) that the commitment covers."""
    utilisation: float
    """Share of the committed GPU-hours (within the horizon) used, at likely usage."""
    break_even_utilisation: float
    """Utilisation below which the commitment costs more than on demand: 1 - discount."""
    saving_in_horizon: float
    """On-demand cost avoided minus the amortised charge, over the horizon's months, at likely usage."""
    saving: float
    """``saving_in_horizon`` less the obligation past the horizon (as if usage stopped there): what the
    planner ranks by, so a term longer than the plan is never justified by guessed usage."""
    saving_if_usage_continues: float
    """The same, with usage past the horizon held at its last month's level."""
    expected_saving: float
    """Mean of ``saving`` over the Monte Carlo samples (= ``saving`` without ranges)."""
    p10_saving: float
    """The 10th percentile of ``saving`` over the samples: the case where usage falls short."""
    expected_utilisation: float
    p10_utilisation: float


def evaluate(pool: Pool, commitment: Commitment, fx: float = 1.0) -> Evaluation:
    """A commitment against a pool, at likely usage and over the pool's samples."""
    n = pool.gpus.shape[-2]
    price = pool.price * fx
    ch = charges(commitment, price, n)
    cov, s_h, s, s_cont, util = _outcome(pool.gpus, pool.hours, price, commitment, ch)
    in_term = ch.gpus > 0
    used = float(pool.usage[in_term].sum())
    coverage = float(cov.sum()) / used if used > 0 else 0.0
    if pool.sample_gpus is not None:
        _, _, ss, _, su = _outcome(pool.sample_gpus, pool.sample_hours, price, commitment, ch)
        expected, p10 = float(np.mean(ss)), float(np.percentile(ss, P10))
        e_util, p10_util = float(np.mean(su)), float(np.percentile(su, P10))
    else:
        expected = p10 = float(s)
        e_util = p10_util = float(util)
    return Evaluation(commitment, pool, ch, cov, cov * price, coverage, float(util), 1.0 - commitment.offer.discount,
                      float(s_h), float(s), float(s_cont), expected, p10, e_util, p10_util)


def _outcome(gpus: np.ndarray, hours: np.ndarray, price: float, c: Commitment, ch: Charges) -> tuple:
    """(covered per month, saving in horizon, saving, saving if usage continues, utilisation); per sample when 3-D."""
    cov = covered_hours(gpus, hours, ch.gpus)
    saving_h = (cov * price - ch.amortised).sum(axis=-1)
    cap_h = ch.gpus.sum() * HOURS_PER_MONTH
    util = cov.sum(axis=-1) / cap_h if cap_h > 0 else np.zeros(np.shape(saving_h))
    saving = saving_h - ch.obligation_after_horizon
    cont = saving_h
    if ch.months_after_horizon:
        last = covered_hours(gpus[..., -1, :], hours[..., -1, :], float(c.gpus))
        rate = price * (1.0 - c.offer.discount)
        cont = saving_h + ch.months_after_horizon * (last * price - c.gpus * HOURS_PER_MONTH * rate)
    return cov, saving_h, saving, cont, util


# ---------------------------------------------------------------------------------------------
# The planner
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class PoolPlan:
    """A pool with the best commitment of each priced offer, and the offers that are gaps."""

    pool: Pool
    best: tuple[Evaluation, ...]
    """One per priced offer for the pool, best expected saving first."""
    gaps: tuple[Offer, ...]
    """Offers for the pool's GPU and provider without a rate."""

    @property
    def recommended(self) -> Evaluation | None:
        """The best offer when it saves anything in expectation; None when committing does not pay."""
        return self.best[0] if self.best and self.best[0].expected_saving > 0 and self.best[0].commitment.gpus else None


@dataclass(frozen=True, slots=True, eq=False)
class Report:
    """The commitment planner's answer for a plan."""

    projection: Projection
    pools: tuple[PoolPlan, ...]
    excluded: tuple[Excluded, ...]
    samples: int
    """Monte Carlo samples of usage (0 when the plan has no ranges)."""
    seed: int
    offers_file: str


MAX_LEVELS = 100
"""Commitment sizes tried per offer: every size up to the peak when there are fewer, else an even grid."""
CHUNK = 4_000_000
"""Elements of the (sizes x samples x months x lines) arrays priced at once (about 32 MB each)."""


def size_grid(pool: Pool, step: int) -> tuple[np.ndarray, np.ndarray]:
    """Commitment sizes to try (GPUs) and the mean GPU-hours each covers per month over the samples.

    Every size from zero to the pool's peak concurrency in steps of ``step`` GPUs, or an even grid
    of MAX_LEVELS sizes when the peak is larger. The saving is linear in the covered hours, so the
    mean over the samples can be taken here, once for every offer sold in the same steps.
    """
    g = pool.sample_gpus if pool.sample_gpus is not None else pool.gpus[None]
    h = pool.sample_hours if pool.sample_hours is not None else pool.hours[None]
    peak = float(g.sum(axis=-1).max()) if g.size else 0.0
    top = int(math.ceil(peak / step - 1e-9))
    stride = max(1, int(math.ceil(top / MAX_LEVELS)))
    levels = (np.unique(np.r_[np.arange(0, top + 1, stride), top]) * step).astype(float)
    load, length = load_curve(g, h)                                                   # S x n x lines
    chunk = max(1, CHUNK // max(1, g.size))
    means = [covered_by(load[None], length[None], levels[i:i + chunk, None, None]).mean(axis=1)
             for i in range(0, len(levels), chunk)]                                  # L x n each
    return levels, np.concatenate(means, axis=0)


def best_commitment(pool: Pool, offer: Offer, fx: float = 1.0, *, upfront_share: float | None = None,
                    grid: tuple[np.ndarray, np.ndarray] | None = None) -> Evaluation:
    """The commitment of ``offer`` (GPUs, start month) with the highest expected saving.

    The saving ranked is over the horizon less any obligation past it. Every start month and every
    size of ``size_grid`` is tried (pass ``grid`` to reuse one across offers sold in the same steps);
    ties go to the smaller commitment, then the earlier start.
    """
    n = pool.gpus.shape[-2]
    levels, mean_cov = grid if grid is not None else size_grid(pool, offer.gpus_per_instance)
    price = pool.price * fx
    rate = price * (1.0 - offer.discount)
    month = mean_cov * price - levels[:, None] * HOURS_PER_MONTH * rate                 # L x n, if in term
    csum = np.concatenate([np.zeros((len(levels), 1)), np.cumsum(month, axis=1)], axis=1)
    best = (-math.inf, 0, 1)
    for start in range(1, n + 1):
        end = min(start + offer.term_months - 1, n)
        after = max(0, start + offer.term_months - 1 - n)
        expected = csum[:, end] - csum[:, start - 1] - levels * HOURS_PER_MONTH * after * rate
        i = int(np.argmax(expected))
        if expected[i] > best[0] + 1e-9:
            best = (float(expected[i]), int(levels[i]), start)
    return evaluate(pool, Commitment(offer, best[1], best[2], upfront_share), fx)


def plan_commitments(plan: Plan, catalog: Any = None, *, offers: Sequence[Offer] | None = None,
                     samples: int = DEFAULT_SAMPLES, seed: int | None = None) -> Report:
    """For each GPU pool of the plan, the best commitment of every offer that covers it."""
    from pricing import engine, uncertainty
    if catalog is None:
        from pricing.catalog import Catalog
        catalog = Catalog.load()
    offers = load_offers() if offers is None else tuple(offers)
    proj = engine.project(plan, catalog)
    n_samples = samples if uncertainty.has_ranges(plan) else 0
    found, excluded = pools(proj, catalog, samples=n_samples, seed=seed)
    fx = engine.context(plan, catalog).fx  # pinned or the dated ECB rate, as the engine prices
    out = []
    for pool in found:
        mine = [o for o in offers if o.provider == pool.provider and o.gpu in (pool.gpu, "any")]
        priced = [o for o in mine if o.discount is not None]
        gaps = tuple(o for o in mine if o.discount is None)
        grids = {step: size_grid(pool, step) for step in {o.gpus_per_instance for o in priced}}
        best = sorted((best_commitment(pool, o, fx, grid=grids[o.gpus_per_instance]) for o in priced),
                      key=lambda e: (-e.expected_saving, -e.p10_saving, e.commitment.offer.key))
        out.append(PoolPlan(pool, tuple(best), gaps))
    return Report(proj, tuple(out), excluded, n_samples,
                  uncertainty.DEFAULT_SEED if seed is None else seed, str(default_path()))

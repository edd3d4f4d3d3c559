"""Cash vs amortised: a projection's monthly series with commitments, in either view (FOCUS Billed/EffectiveCost)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from pricing.drivers.commitments import Commitment, View, charges, covered_hours
from pricing.engine import Projection
from pricing.errors import CatalogError

from pricing.commitments.pools import pool_of


# ---------------------------------------------------------------------------------------------
# Cash vs amortised: a projection's monthly series with commitments, in either view
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Effect:
    """What a set of commitments does to a projection, month by month (plan currency)."""

    credit: np.ndarray
    """On-demand cost no longer billed."""
    amortised: np.ndarray
    cash: np.ndarray | None
    covered: dict
    """(provider, gpu) -> GPU-hours covered per month."""

    def charge(self, view: "View | str") -> np.ndarray:
        if View(view) is View.CASH:
            if self.cash is None:
                raise CatalogError("a commitment is paid partly upfront but its source does not say how much: "
                                   "give the commitment's upfront_share to see it as cash")
            return self.cash
        return self.amortised


def effect(proj: Projection, commitments: Sequence[Commitment], catalog: Any = None) -> Effect:
    """The commitments' credit and charges against a projection; commitments of a pool add up their GPUs."""
    from pricing import engine
    ctx = engine.context(proj.plan, catalog)
    n = len(proj.months)
    credit, amortised = np.zeros(n), np.zeros(n)
    cash: np.ndarray | None = np.zeros(n)
    committed: dict[tuple[str, str], np.ndarray] = {}
    for c in commitments:
        price = ctx.catalog.gpu_price(c.gpu, c.provider, "on_demand").value * ctx.fx
        ch = charges(c, price, n)
        amortised += ch.amortised
        cash = None if cash is None or ch.cash is None else cash + ch.cash
        committed[(c.provider, c.gpu)] = committed.get((c.provider, c.gpu), np.zeros(n)) + ch.gpus
    covered = {}
    for (provider, gpu), gpus in committed.items():
        pool = pool_of(proj, ctx, provider, gpu)
        cov = covered_hours(pool.gpus, pool.hours, gpus)
        covered[(provider, gpu)] = cov
        credit += cov * pool.price * ctx.fx
    return Effect(credit, amortised, cash, covered)


def monthly(proj: Projection, commitments: Sequence[Commitment] = (), view: View | str = View.AMORTISED,
            catalog: Any = None) -> np.ndarray:
    """The projection's monthly totals with ``commitments`` applied, in the cash or the amortised view.

    What the chart, the CSV and the Excel export show when a plan carries commitments: the
    on-demand cost the commitments cover leaves the bill and their charge comes in, spread over
    the term (amortised) or when paid (cash). Without commitments both views are the projection's
    own monthly totals.
    """
    base = np.asarray(proj.monthly, dtype=float)
    if not commitments:
        return base.copy()
    e = effect(proj, commitments, catalog)
    return base - e.credit + e.charge(view)

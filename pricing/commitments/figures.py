"""The commitment planner's answer as figures a view shows as they are: per pool, its usage with the P10-P90 band,
the offers ranked with their terms and savings, each offer's charges cash and amortised, the gaps and why."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pricing.catalog.offers import Offer
from pricing.drivers.commitments import HOURS_PER_MONTH
from pricing.plan import CommitmentLine

from pricing.commitments.planner import P10, Evaluation, PoolPlan, Report
from pricing.commitments.presentation import cents_series


@dataclass(frozen=True, slots=True, eq=False)
class OfferFigures:
    """One offer's best commitment in a pool, as the view shows it (money in the plan's currency, to the cent)."""

    evaluation: Evaluation
    key: str
    label: str
    name: str
    """What is bought, without the provider and the term (``p5.4xlarge standard reserved instance``)."""
    term: str
    """``3 years, all upfront``."""
    discount: float
    gpus: int
    start: str
    """The first month (``2027-04``), or ``—`` when committing nothing is best."""
    coverage: float
    utilisation: float
    break_even: float
    expected_saving: float
    p10_saving: float
    months_after_horizon: int
    obligation_after_horizon: float
    saving_if_usage_continues: float
    amortised: tuple[float, ...]
    """The charge per month, amortised (cents that add up to the term's charge in the horizon)."""
    cash: tuple[float, ...] | None
    """The charge per month as cash; None when the offer does not say how much is paid upfront."""
    on_demand_avoided: tuple[float, ...]
    cumulative_amortised: tuple[float, ...]
    """Running totals of the three series above (cents added up: the last is the horizon's total)."""
    cumulative_cash: tuple[float, ...] | None
    cumulative_avoided: tuple[float, ...]
    committed_gpus: np.ndarray
    """GPUs committed each month (0 outside the term)."""
    source: str
    as_of: str

    @property
    def pays(self) -> bool:
        return self.gpus > 0 and self.expected_saving > 0


@dataclass(frozen=True, slots=True, eq=False)
class PoolFigures:
    """A GPU pool: its usage as average GPUs busy each month, its band, the commitments it already has, the offers."""

    provider: str
    gpu: str
    label: str
    price: float
    """On-demand USD per GPU-hour (the plan's, overrides included)."""
    lines: tuple[str, ...]
    usage_gpus: np.ndarray
    """GPU-hours per month / 730: the GPUs busy on average (likely values)."""
    band_p10: np.ndarray | None
    """P10 and P90 of the same over the Monte Carlo samples of usage (None without ranges)."""
    band_p90: np.ndarray | None
    committed_gpus: np.ndarray | None
    """GPUs the plan's own commitments already hold each month."""
    offers: tuple[OfferFigures, ...]
    """Best expected saving first."""
    recommended: int | None
    """Index in ``offers`` of the recommendation (None when committing does not pay)."""
    gaps: tuple[tuple[str, str, str], ...]
    """(offer key, label, why it has no rate)."""
    note: str
    """What to know about the figures (the plan's own commitments, no offer at all)."""


@dataclass(frozen=True, slots=True, eq=False)
class Figures:
    """Everything the Commitments view shows for a plan."""

    name: str
    currency: str
    months: tuple[str, ...]
    pools: tuple[PoolFigures, ...]
    excluded: tuple[tuple[str, str], ...]
    """(line name, why its usage cannot be committed)."""
    samples: int
    seed: int
    offers_file: str
    report: Report


def _term(o: Offer) -> str:
    years = o.term_months // 12
    when = {"none": "no upfront", "partial": "partial upfront", "all": "all upfront"}[o.upfront.value]
    return f"{years} year{'s' if years != 1 else ''}, {when}"


def _running(cents: list[float] | None) -> tuple[float, ...] | None:
    """A running total of amounts in cents, added up in whole cents (the last is the sum shown)."""
    if cents is None:
        return None
    return tuple(int(x) / 100 for x in np.cumsum(np.rint(np.asarray(cents) * 100).astype(np.int64)))


def _offer(e: Evaluation, months: tuple[str, ...]) -> OfferFigures:
    c, o, ch = e.commitment, e.commitment.offer, e.charges
    amortised, credit = cents_series(ch.amortised), cents_series(e.credit)
    cash = None if ch.cash is None else cents_series(ch.cash)
    name = " ".join(x for x in (o.instance, o.offering_class, o.kind.value.replace("_", " ")) if x)
    return OfferFigures(
        e, o.key, o.label, name, _term(o), float(o.discount), int(c.gpus), months[c.start - 1] if c.gpus else "—",
        e.coverage, e.utilisation, e.break_even_utilisation, round(e.expected_saving, 2), round(e.p10_saving, 2),
        ch.months_after_horizon, round(ch.obligation_after_horizon, 2), round(e.saving_if_usage_continues, 2),
        tuple(amortised), None if cash is None else tuple(cash), tuple(credit), _running(amortised),
        _running(cash), _running(credit), ch.gpus, o.source.source, o.source.as_of)


def _pool(p: PoolPlan, months: tuple[str, ...]) -> PoolFigures:
    whole = p.usage_pool
    samples = whole.samples
    band = (None, None) if samples is None else \
        tuple(np.percentile(samples, q, axis=0) / HOURS_PER_MONTH for q in (P10, 100 - P10))
    offers = tuple(_offer(e, months) for e in p.best)
    rec = p.recommended
    note = ""
    if p.committed is not None:
        note = (f"The plan already commits {p.committed.max():,.0f} GPUs of this pool (its commitments section): "
                "the offers are ranked on the usage they leave.")
    elif not offers:
        note = "No offer with a published rate covers this GPU at this provider."
    return PoolFigures(whole.provider, whole.gpu, whole.label, whole.price, tuple(li.name for li in whole.lines),
                       whole.usage / HOURS_PER_MONTH, band[0], band[1], p.committed, offers,
                       None if rec is None else p.best.index(rec), tuple((o.key, o.label, o.gap) for o in p.gaps),
                       note)


def figures(report: Report) -> Figures:
    """The planner's report as the view's figures."""
    proj = report.projection
    months = tuple(str(m) for m in proj.months)
    return Figures(proj.plan.name, proj.currency, months, tuple(_pool(p, months) for p in report.pools),
                   tuple((x.name, x.reason) for x in report.excluded), report.samples, report.seed,
                   report.offers_file, report)


def commitment_line(offer: OfferFigures, pool: PoolFigures, taken: Any = ()) -> CommitmentLine:
    """The plan's ``commitments:`` entry for an offer's commitment (named after it, unique among ``taken``)."""
    from pricing.commitments.choose import line_for
    return line_for(offer.evaluation, pool.gpu, pool.provider, set(taken))


__all__ = ["Figures", "OfferFigures", "PoolFigures", "commitment_line", "figures"]

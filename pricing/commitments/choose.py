"""What the ``commit`` savings strategy buys: for each GPU pool it applies to, an offer, a size and a start month.

The offer is the one named, or (``auto``) the one the commitment planner recommends for the pool: the
best expected saving over the horizon less any obligation past it, among the offers the plan can price
in both views (a partial-upfront offer whose source does not split it needs ``upfront_share``). The
size is ``gpus``, or the fewest GPUs (in the offer's steps) covering ``coverage`` of the usage in the
term, or the planner's. The start is ``start``, or the planner's for its size (the best expected
saving), or for a coverage target the first month the usage runs.

The usage a commitment is sized against is that of the lines the strategy applies to (``applies_to``
sections, ``lines``), less what the plan's own commitments already cover (they cover first: a new one
covers what they leave); once bought it covers its whole pool, as a provider bills it.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from pricing.catalog.offers import Offer, Upfront, catalog_offers
from pricing.drivers.commitments import COMPUTE_SECTIONS, Commitment, covered_hours
from pricing.errors import PlanError, Problem, UnknownNameError
from pricing.plan import CommitmentLine, Plan, beyond_horizon

from pricing.commitments.planner import (DEFAULT_SAMPLES, Evaluation, best_commitment, evaluate, grid_at,
                                         size_grid)
from pricing.commitments.pools import Pool, committed, pools, residual

AUTO = "auto"
"""``offer: auto``: the planner's pick for each pool."""


@dataclass(frozen=True, slots=True, eq=False)
class Choice:
    """One commitment the strategy buys: the pool's usage it was sized on, its evaluation, the plan line."""

    pool: Pool
    evaluation: Evaluation
    line: CommitmentLine


def choose(plan: Plan, catalog: Any, *, offer: str = AUTO, gpus_of: Iterable[str] | None = None,
           sections: Sequence[str] = COMPUTE_SECTIONS, lines: Iterable[str] | None = None, gpus: int | None = None,
           coverage: float | None = None, start: int | None = None, upfront_share: float | None = None,
           samples: int = DEFAULT_SAMPLES, seed: int | None = None,
           offers: Mapping[str, Offer] | None = None) -> tuple[Choice, ...]:
    """The commitments to add to ``plan`` (none when committing pays nowhere it applies).

    Raises PlanError for a parameter that cannot be met; each problem's key path is the parameter's name
    (``offer``, ``pools``, ``gpus``, ``upfront_share``)."""
    from pricing import engine, uncertainty
    offers = dict(catalog_offers(catalog) if offers is None else offers)
    if start is not None and start > plan.months:
        raise PlanError(Problem(beyond_horizon(start, plan.months), "start"))
    chosen = _offer(offers, offer)
    wanted = _pools(catalog, gpus_of)
    if chosen is not None:
        _check_offer(chosen, wanted, gpus, upfront_share)
    needs_samples = chosen is None or (gpus is None and coverage is None) or (start is None and coverage is None)
    proj = engine.project(plan, catalog)
    n_samples = samples if needs_samples and uncertainty.has_ranges(plan) else 0
    found, _ = pools(proj, catalog, samples=n_samples, seed=seed)
    held = committed(proj, catalog)
    fx = proj.context.fx if proj.context is not None else engine.context(plan, catalog).fx  # pinned or dated ECB
    names = set(lines) if lines is not None else None
    out: list[Choice] = []
    taken = {c.name for c in plan.commitments}
    for pool in found:
        if wanted is not None and pool.gpu not in wanted:
            continue
        if chosen is not None and (pool.provider != chosen.provider or chosen.gpu not in (pool.gpu, "any")):
            continue
        basis = _basis(pool, sections, names)
        if basis is None:
            continue
        if (pool.provider, pool.gpu) in held:  # what the plan's own commitments leave of it
            basis = residual(basis, held[(pool.provider, pool.gpu)])
        picked = chosen or _planner_pick(basis, offers, fx, gpus, upfront_share)
        if picked is None:
            continue
        ev = _sized(basis, picked, fx, gpus=gpus, coverage=coverage, start=start, share=upfront_share)
        if ev is None or not ev.commitment.gpus:
            continue
        line = line_for(ev, basis.gpu, basis.provider, taken)
        taken.add(line.name)
        out.append(Choice(basis, ev, line))
    return tuple(out)


def line_for(ev: Evaluation, gpu: str, provider: str, taken: set[str]) -> CommitmentLine:
    """The plan's ``commitments:`` entry of an evaluated commitment, named after its offer (unique among
    ``taken``); its upfront share only where the offer does not fix one."""
    c, o = ev.commitment, ev.commitment.offer
    name = _unique(f"{gpu} {o.instance} {o.term_months // 12}y {o.upfront.value} upfront", taken)
    share = c.upfront_share if o.upfront is Upfront.PARTIAL and o.upfront_share is None else None
    return CommitmentLine(name, o.key, c.gpus, gpu, provider, c.start, share)


def _offer(offers: Mapping[str, Offer], key: str) -> Offer | None:
    if key == AUTO:
        return None
    got = offers.get(key)
    if got is None:
        err = UnknownNameError("commitment offer", key, [AUTO, *offers],
                               hint="`aicost commitments PLAN` ranks the offers for the plan's GPUs")
        raise PlanError(Problem(err.problems[0].message, "offer"))
    if got.discount is None:
        raise PlanError(Problem(f"the offer {key} has no published rate ({got.gap}); choose a priced offer or auto",
                                "offer"))
    return got


def _pools(catalog: Any, names: Iterable[str] | None) -> set[str] | None:
    if names is None:
        return None
    out = set()
    for name in names:
        try:
            out.add(catalog.resolve_gpu(name))
        except UnknownNameError as exc:
            raise PlanError(Problem(exc.problems[0].message, "pools")) from None
    return out


def _check_offer(offer: Offer, wanted: set[str] | None, gpus: int | None, share: float | None) -> None:
    if offer.gpu == "any" and wanted is None:
        raise PlanError(Problem(f"the offer {offer.key} covers any GPU family: name the pools it covers "
                                "(pools: [GPU key])", "pools"))
    if offer.gpu != "any" and wanted is not None and offer.gpu not in wanted:
        raise PlanError(Problem(f"the offer {offer.key} covers {offer.gpu}, not {', '.join(sorted(wanted))}",
                                "pools"))
    if gpus is not None and gpus % offer.gpus_per_instance:
        raise PlanError(Problem(f"found {gpus}, but {offer.instance} holds {offer.gpus_per_instance} GPUs: commit a "
                                f"multiple of {offer.gpus_per_instance}", "gpus"))
    if offer.upfront is Upfront.PARTIAL and offer.upfront_share is None and share is None:
        raise PlanError(Problem(f"the offer {offer.key} is paid partly upfront and its source does not say how much: "
                                "give upfront_share (e.g. 50%)", "upfront_share"))
    if share is not None and offer.upfront_share is not None and abs(share - offer.upfront_share) > 1e-9:
        raise PlanError(Problem(f"found {share:.0%}, but the offer {offer.key} is paid {offer.upfront.value} upfront "
                                f"({offer.upfront_share:.0%} at purchase)", "upfront_share"))


def _basis(pool: Pool, sections: Sequence[str], names: set[str] | None) -> Pool | None:
    """The pool with only the usage of the lines the strategy applies to (None when none of them is in it)."""
    keep = [j for j, li in enumerate(pool.lines)
            if li.section in sections and (names is None or li.name in names)]
    if not keep:
        return None
    if len(keep) == len(pool.lines):
        return pool
    cols = np.array(keep)
    return dataclasses.replace(
        pool, lines=tuple(pool.lines[j] for j in keep), gpus=pool.gpus[..., cols], hours=pool.hours[..., cols],
        sample_gpus=None if pool.sample_gpus is None else pool.sample_gpus[..., cols],
        sample_hours=None if pool.sample_hours is None else pool.sample_hours[..., cols])


def _planner_pick(pool: Pool, offers: Mapping[str, Offer], fx: float, gpus: int | None,
                  share: float | None) -> Offer | None:
    """The offer the planner recommends for ``pool`` (its best expected saving, when positive), among those the
    plan can price in both views and, with ``gpus`` given, sold in steps that divide it."""
    mine = [o for o in offers.values() if o.provider == pool.provider and o.gpu in (pool.gpu, "any")
            and o.discount is not None and (o.upfront_share is not None or share is not None)
            and (share is None or o.upfront is Upfront.PARTIAL)
            and (gpus is None or gpus % o.gpus_per_instance == 0)]
    grids: dict[int, Any] = {}
    best: tuple[float, float, str] | None = None
    pick = None
    for o in mine:
        step = o.gpus_per_instance
        if step not in grids:
            grids[step] = size_grid(pool, step)
        e = best_commitment(pool, o, fx, grid=grids[step])
        rank = (e.expected_saving, e.p10_saving, o.key)
        if e.commitment.gpus and e.expected_saving > 0 and (best is None or (rank[0], rank[1]) > best[:2]
                                                            or ((rank[0], rank[1]) == best[:2] and o.key < best[2])):
            best, pick = rank, o
    return pick


def _sized(pool: Pool, offer: Offer, fx: float, *, gpus: int | None, coverage: float | None, start: int | None,
           share: float | None) -> Evaluation | None:
    """The commitment of ``offer`` on ``pool`` with the size and start the strategy's parameters ask for."""
    if gpus is None and coverage is None:
        planned = best_commitment(pool, offer, fx, upfront_share=share)
        if start is None or not planned.commitment.gpus:
            return planned
        gpus = planned.commitment.gpus
    if coverage is not None:
        first = _first_use(pool)
        if first is None:
            return None
        start = start or first
        gpus = _size_for(pool, offer, coverage, start)
        return evaluate(pool, Commitment(offer, gpus, start, share), fx)
    if start is None:
        return best_commitment(pool, offer, fx, upfront_share=share, grid=grid_at(pool, [gpus]))
    return evaluate(pool, Commitment(offer, gpus, start, share), fx)


def _first_use(pool: Pool) -> int | None:
    used = np.nonzero(pool.usage > 0)[0]
    return int(used[0]) + 1 if len(used) else None


def _size_for(pool: Pool, offer: Offer, coverage: float, start: int) -> int:
    """The fewest GPUs, in the offer's steps, covering at least ``coverage`` of the pool's (likely) usage in the term
    within the horizon."""
    n = pool.gpus.shape[-2]
    window = slice(start - 1, min(start - 1 + offer.term_months, n))
    used = float(pool.usage[window].sum())
    if used <= 0:
        return 0
    step = offer.gpus_per_instance
    peak = float(pool.gpus.sum(axis=-1).max())
    levels = np.arange(0, int(math.ceil(peak / step - 1e-9)) + 1) * step
    covered = covered_hours(pool.gpus[window][None], pool.hours[window][None], levels[:, None].astype(float))
    share = covered.sum(axis=1) / used
    enough = np.nonzero(share >= coverage - 1e-9)[0]
    return int(levels[enough[0]] if len(enough) else levels[-1])


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    k = 2
    while f"{name} {k}" in taken:
        k += 1
    return f"{name} {k}"


__all__ = ["AUTO", "Choice", "choose", "line_for"]

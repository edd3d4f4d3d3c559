"""Commitments: a plan's ``commitments:`` priced against the on-demand usage they cover, one line item each.

Billing, as the FOCUS specification's commitment scenarios show it: for every hour of its term a
commitment costs its effective rate, used or not; usage up to the committed GPUs is no longer billed
on demand; usage above them is. So a commitment's line item is its charge less the on-demand cost
of the usage it covers (negative when it saves), in the projection's *view*: *amortised* (FOCUS
EffectiveCost: the charge spread evenly over the months of the term) or *cash* (FOCUS BilledCost:
the upfront part of the whole term in the month it is paid, the recurring part every month).

A *pool* is one GPU type at one provider: the usage of the compute lines bought on demand there (lines
on spot or reserved pricing, or run by a managed platform, are not covered). Within a month a pool's
lines are taken to run at the same time from the start of the month, which is what a commitment covers
least (at most its GPUs in any hour), so the saving is never overstated. Commitments of one pool
cover its usage in plan order: each covers what the ones before it leave.

These items depend on other lines' usage, so ``engine.project`` prices them after every other line
(as the platform markup), from the line items of that projection: never reused from an earlier one.
The commitment planner (``pricing.commitments``) builds on the same rules (``charges``,
``covered_hours``, ``compute_lines``, ``block``), so it and the bill agree.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from pricing.catalog.offers import Offer, Upfront, catalog_offers
from pricing.context import HOURS_PER_MONTH, Context, LineItem
from pricing.errors import CatalogError, PlanError, Problem, UnknownNameError
from pricing.plan import Category, CommitmentLine, Plan, Pricing
from pricing.rounding import money

SECTION = "commitments"
COMPUTE_SECTIONS = ("compute.training", "compute.fine_tuning", "compute.inference", "compute.exploration")


class View(Enum):
    """How a commitment's charge falls in the months."""

    AMORTISED = "amortised"   # evenly over the months of the term (FOCUS EffectiveCost)
    CASH = "cash"             # upfront in the month paid, recurring monthly (FOCUS BilledCost)


# ---------------------------------------------------------------------------------------------
# One commitment's charges
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
    """The charges of ``commitment`` over ``n`` months at on-demand ``price`` per GPU-hour (plan currency).

    The offer's discount (1 - effective rate / on-demand, both from its source) applies to ``price``, the
    plan's own on-demand price, so an override of that price carries over to the commitment."""
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


# ---------------------------------------------------------------------------------------------
# What a commitment covers: a pool's usage as blocks of GPUs running together
# ---------------------------------------------------------------------------------------------


def load_curve(gpus: np.ndarray, hours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The month's load as steps, blocks on the last axis stacked from the start of the month.

    Returns (load, length): during each step ``load`` GPUs run for ``length`` hours, longest block
    first (so the load only grows from step to step).
    """
    order = np.argsort(-hours, axis=-1, kind="stable")
    hs = np.take_along_axis(hours, order, -1)
    ks = np.take_along_axis(gpus, order, -1)
    length = hs - np.concatenate([hs[..., 1:], np.zeros(hs.shape[:-1] + (1,))], axis=-1)
    return np.cumsum(ks, axis=-1), length


def covered_hours(gpus: np.ndarray, hours: np.ndarray, capacity: Any) -> np.ndarray:
    """GPU-hours a commitment of ``capacity`` GPUs covers, per month, when the blocks run together.

    ``gpus`` and ``hours`` have the blocks on the last axis; ``capacity`` broadcasts against the
    rest. With the blocks stacked from the start of the month, the load is a step function of
    time: sum of the GPUs of the blocks still running. The covered GPU-hours are the integral of
    min(load, capacity).
    """
    return covered_by(*load_curve(gpus, hours), capacity)


def covered_by(load: np.ndarray, length: np.ndarray, capacity: Any) -> np.ndarray:
    """``covered_hours`` on a load curve already built (``load_curve``)."""
    cap = np.asarray(capacity, dtype=float)[..., None]
    return (np.minimum(load, cap) * length).sum(axis=-1)


def compute_lines(plan: Plan) -> Iterable[tuple[str, int, Any, str | None]]:
    """(section, index, line, why it can't be committed or None) of every compute line."""
    platform = plan.services.platform
    managed = {f"compute.{s}" for s in platform.applies_to} if platform is not None else set()
    for section in COMPUTE_SECTIONS:
        for i, line in enumerate(plan.section(section)):
            why = None
            if line.pricing is not Pricing.ON_DEMAND:
                why = (f"bought {line.pricing.value.replace('_', ' ')}: only on-demand usage can be committed "
                       "(set pricing: on_demand to plan a commitment for it)")
            elif section in managed:
                why = (f"runs on {platform.name}: instance commitments do not cover a managed platform's "
                       "instances (the platform sells its own plans)")
            yield section, i, line, why


def block(section: str, line: Any, li: LineItem) -> tuple[np.ndarray, np.ndarray]:
    """(GPUs, hours) of a line's block each month (arrays of the line item's shape).

    Serving: its GPUs all month; a training run: its GPUs for the run's hours; notebooks: every
    person's instance at once for the hours each runs."""
    gh = np.asarray(li.quantity("GPU-hours"), dtype=float)
    if section == "compute.inference":
        gpus = np.asarray(li.quantity("GPUs"), dtype=float)
        return np.broadcast_to(gpus, gh.shape), np.where(gpus > 0, HOURS_PER_MONTH, 0.0)
    if section == "compute.exploration":
        together = np.asarray(line.people, dtype=float) * np.asarray(line.gpus_per_instance, dtype=float)
    else:
        together = np.asarray(line.gpus, dtype=float)
    together = np.broadcast_to(together, gh.shape)
    hours = np.divide(gh, together, out=np.zeros(gh.shape), where=together > 0)
    # more hours than the month has: the GPUs cannot run together; spread them over the whole month
    long = hours > HOURS_PER_MONTH
    gpus = np.where(long, gh / HOURS_PER_MONTH, np.where(gh > 0, together, 0.0))
    return gpus, np.minimum(hours, HOURS_PER_MONTH)


def pool_key(ctx: Context, line: Any) -> tuple[str, str]:
    """(provider, canonical GPU) of a compute line: the pool its on-demand usage falls in."""
    return ctx.provider(line), ctx.catalog.resolve_gpu(line.gpu)


# ---------------------------------------------------------------------------------------------
# The plan's commitments
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Resolved:
    """A commitment of the plan with its offer found and its pool named."""

    index: int
    line: CommitmentLine
    commitment: Commitment
    provider: str
    gpu: str

    @property
    def key_path(self) -> str:
        return f"{SECTION}[{self.index}]"


def resolve(plan: Plan, ctx: Context) -> tuple[list[Resolved], list[Problem]]:
    """The plan's commitments with their offers (from the catalog's offers file), and every problem of them,
    each at its key path: an unknown offer, an offer without a rate, a GPU or provider the offer does not
    cover, GPUs not in the offer's steps, a partial-upfront offer without its upfront share."""
    out: list[Resolved] = []
    problems: list[Problem] = []
    if not plan.commitments:
        return out, problems
    offers = catalog_offers(ctx.catalog)  # CatalogError: the offers file is broken (the catalog's problem)
    for i, c in enumerate(plan.commitments):
        at = f"{SECTION}[{i}]"
        before = len(problems)
        offer = offers.get(c.offer)
        if offer is None:
            err = UnknownNameError("commitment offer", c.offer, offers,
                                   hint="`aicost commitments PLAN` lists the offers for the plan's GPUs")
            problems.append(Problem(err.problems[0].message, f"{at}.offer"))
            continue
        if offer.discount is None:
            problems.append(Problem(f"the offer {offer.key} has no published rate ({offer.gap}); choose a priced "
                                    "offer", f"{at}.offer"))
            continue
        provider = (c.provider or offer.provider).lower()
        if provider != offer.provider:
            problems.append(Problem(f"found {c.provider!r}, but the offer {offer.key} is sold by {offer.provider}",
                                    f"{at}.provider"))
        gpu = None
        try:
            gpu = ctx.catalog.resolve_gpu(c.gpu) if c.gpu is not None else None
        except UnknownNameError as exc:
            problems.append(Problem(exc.problems[0].message, f"{at}.gpu"))
        if offer.gpu == "any":
            if c.gpu is None:
                problems.append(Problem(f"missing 'gpu': the offer {offer.key} covers any GPU family; name the GPU "
                                        "whose usage it covers", at))
        elif gpu is not None and gpu != offer.gpu:
            problems.append(Problem(f"found {c.gpu!r}, but the offer {offer.key} covers {offer.gpu}", f"{at}.gpu"))
        if c.gpus % offer.gpus_per_instance:
            problems.append(Problem(f"found {c.gpus}, but {offer.instance} holds {offer.gpus_per_instance} GPUs: "
                                    f"commit a multiple of {offer.gpus_per_instance}", f"{at}.gpus"))
        if offer.upfront is Upfront.PARTIAL and offer.upfront_share is None and c.upfront_share is None:
            problems.append(Problem(f"the offer {offer.key} is paid partly upfront and its source does not say how "
                                    "much: give upfront_share (the share of the term paid at purchase, e.g. 50%)",
                                    f"{at}.upfront_share"))
        elif c.upfront_share is not None and offer.upfront_share is not None \
                and abs(c.upfront_share - offer.upfront_share) > 1e-9:
            problems.append(Problem(f"found {c.upfront_share:.0%}, but the offer {offer.key} is paid "
                                    f"{offer.upfront.value} upfront ({offer.upfront_share:.0%} at purchase)",
                                    f"{at}.upfront_share"))
        if len(problems) > before:
            continue
        gpu = gpu or offer.gpu
        try:
            ctx.catalog.gpu_price(gpu, provider, "on_demand")
        except PlanError as exc:
            problems.append(Problem(f"no on-demand price of {gpu} at {provider} to measure it against: "
                                    f"{exc.problems[0].message}", at))
            continue
        out.append(Resolved(i, c, Commitment(offer, c.gpus, c.start, c.upfront_share), provider, gpu))
    return out, problems


def problems(plan: Plan, ctx: Context) -> list[Problem]:
    """Every problem of the plan's commitments (none raised but a broken offers file's CatalogError)."""
    return resolve(plan, ctx)[1]


Members = Mapping[str, tuple[str, Any, LineItem]]
"""Compute line items by key path: (section, the line as priced, its line item)."""


def members_of(plan: Plan, items: Sequence[LineItem]) -> dict[str, tuple[str, Any, LineItem]]:
    """The compute line items of a projection's items, with their lines (``Members``)."""
    out = {}
    for li in items:
        if li.section in COMPUTE_SECTIONS:
            i = int(li.key_path.rsplit("[", 1)[1][:-1])
            out[li.key_path] = (li.section, plan.section(li.section)[i], li)
    return out


def price(plan: Plan, ctx: Context, members: Members, view: View | str = View.AMORTISED) -> list[LineItem]:
    """One line item per commitment of the plan, in plan order: its charge in ``view`` less the on-demand
    cost of the usage it covers. ``members`` are the compute lines as priced (their items may hold samples:
    arrays of samples x months, as the Monte Carlo prices them); raises PlanError for a commitment that
    cannot be priced (``problems`` says which, at its key path)."""
    view = View(view)
    resolved, found = resolve(plan, ctx)
    if found:
        raise PlanError(found)
    n = ctx.n
    blocks: dict[tuple[str, str], list[tuple[np.ndarray, np.ndarray]]] = {}
    for section, i, _line, why in compute_lines(plan):
        key = f"{section}[{i}]"
        if why is not None or key not in members:
            continue
        s, priced_line, li = members[key]
        pool = pool_key(ctx, priced_line)
        blocks.setdefault(pool, []).append(block(s, priced_line, li))
    stacked: dict[tuple[str, str], np.ndarray] = {}
    items: list[LineItem] = []
    for r in resolved:
        pool = (r.provider, r.gpu)
        p = ctx.catalog.gpu_price(r.gpu, r.provider, "on_demand")
        price_here = p.value * ctx.fx
        ch = charges(r.commitment, price_here, n)
        below = stacked.get(pool, np.zeros(n))
        above = below + ch.gpus
        stacked[pool] = above
        if pool in blocks:
            shape = np.broadcast_shapes(*(np.shape(g) for g, _ in blocks[pool]))
            g = np.stack([np.broadcast_to(g, shape) for g, _ in blocks[pool]], axis=-1)
            h = np.stack([np.broadcast_to(h, shape) for _, h in blocks[pool]], axis=-1)
            covered = covered_hours(g, h, above) - covered_hours(g, h, below)
        else:
            covered = np.zeros(n)
        credit = covered * price_here
        charge = ch.amortised if view is View.AMORTISED else ch.cash
        items.append(LineItem(
            r.line.name, Category.COMPUTE, SECTION, r.key_path, charge - credit,
            (("GPUs committed", ch.gpus), ("committed GPU-hours", ch.gpus * HOURS_PER_MONTH),
             ("GPU-hours covered", covered), ("on-demand cost avoided", credit),
             ("charge, amortised", ch.amortised), ("charge, cash", ch.cash)),
            (r.commitment.offer.source, p.source), _notes(r, ch, pool in blocks, plan, view)))
    return items


def _notes(r: Resolved, ch: Charges, used: bool, plan: Plan, view: View) -> tuple[str, ...]:
    o, c = r.commitment.offer, r.commitment
    out = [f"{o.label}: {o.discount:.1%} off on demand, {c.gpus} {r.gpu} GPU{'s' if c.gpus != 1 else ''} "
           f"at {r.provider}"]
    if not used:
        out.append(f"covers no usage: no compute line runs {r.gpu} at {r.provider} on demand, so its whole charge "
                   "is a cost")
    if ch.months_after_horizon:
        after = money(ch.obligation_after_horizon, plan.currency)
        head = f"its term runs {ch.months_after_horizon} months past the horizon ({after} of its charge)"
        if view is View.CASH and c.share == 1.0:
            out.append(f"{head}: paid upfront, so in this projection")
        elif view is View.CASH and c.share:
            later = money((1.0 - c.share) * ch.obligation_after_horizon, plan.currency)
            out.append(f"{head}: the upfront part is in this projection, the {later} billed monthly after the "
                       "plan's last month is not")
        else:
            out.append(f"{head}: billed after the plan's last month, not in this projection")
    return tuple(out)

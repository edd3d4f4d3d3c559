"""Commitments planned against the usage curve: which share of each GPU pool to commit, at which offer.

A *pool* is the on-demand GPU usage of one GPU type at one provider, month by month, summed over
the plan's compute lines (GPU-hours from the projection), with Monte Carlo samples of it when the
plan has ranges. An *offer* (resources/catalog/commitments.yaml) is a provider's reserved
instance, savings plan, committed-use discount or reserved contract: a term, a payment option and
an effective rate. A *commitment* is an offer bought for a number of GPUs from a plan month.

Billing, as the FOCUS specification's commitment scenarios show it: for every hour of the term
the commitment costs its effective rate whether used or not; usage up to the committed quantity
is no longer billed on demand; usage above it is. So with usage ``u`` and committed GPU-hours
``C`` in a month, on-demand price ``p`` and effective rate ``r = p (1 - d)``::

    saving = p * min(u, C) - r * C          utilisation = min(u, C) / C
    break-even utilisation = r / p = 1 - d  coverage = min(u, C) / u

Two views of the same commitment: *amortised* (FOCUS EffectiveCost) charges ``r * C`` in each
month of the term; *cash* (FOCUS BilledCost) charges the upfront part of the whole term in the
month it is paid and the recurring part in each month. Terms that run past the plan's horizon are
reported: their remaining obligation, and the saving assuming usage stays at the horizon's last
month (the planner says so beside the figure).
"""
from __future__ import annotations

import dataclasses
import math
import pathlib
from dataclasses import dataclass
from enum import Enum
from typing import Any, Iterable, Sequence

import numpy as np

from pricing.engine import HOURS_PER_MONTH, LineItem, Projection
from pricing.errors import CatalogError, Problem
from pricing.plan import Plan, Pricing
from pricing.rounding import largest_remainder, money, to_cents

COMPUTE_SECTIONS = ("compute.training", "compute.fine_tuning", "compute.inference", "compute.exploration")
DEFAULT_SAMPLES = 1_000
"""Monte Carlo samples of usage for the planner (each start month x level x offer is priced on all)."""
P10 = 10.0


class Kind(Enum):
    """What sort of commitment an offer is."""

    RESERVED_INSTANCE = "reserved_instance"   # AWS RI, Azure reservation: an instance type for a term
    SAVINGS_PLAN = "savings_plan"             # AWS Savings Plan: a USD/hour spend commitment
    CUD = "cud"                               # Google Cloud committed use discount
    RESERVED_CONTRACT = "reserved_contract"   # a GPU cloud's reserved capacity contract


class Upfront(Enum):
    """How the term is paid."""

    NONE = "none"          # every month of the term
    PARTIAL = "partial"    # part at purchase, the rest monthly
    ALL = "all"            # the whole term at purchase


class View(Enum):
    """How a commitment's charge falls in the months."""

    AMORTISED = "amortised"   # evenly over the months of the term (FOCUS EffectiveCost)
    CASH = "cash"             # upfront in the month paid, recurring monthly (FOCUS BilledCost)


@dataclass(frozen=True, slots=True)
class Offer:
    """One commitment offer of a provider, with its source (or the reason it is a gap)."""

    key: str
    """``aws.p5.48xlarge.ri_standard.3y.all_upfront``."""
    provider: str
    kind: Kind
    offering_class: str
    gpu: str
    """Catalog GPU key covered (``any`` for a spend commitment across families)."""
    instance: str
    gpus_per_instance: int
    """GPUs in one unit of the commitment: commitments are bought in these steps."""
    region: str
    term_months: int
    upfront: Upfront
    on_demand: float | None
    """USD per instance-hour on demand in the offer's source (the base of its discount)."""
    effective_rate: float | None
    """USD per instance-hour over the term, upfront included; None for a gap."""
    upfront_share: float | None
    """Share of the term's total paid at purchase; None when the source does not split it."""
    source: Any
    """``pricing.catalog.PriceSource`` of the figure."""
    gap: str = ""
    """Why the offer has no rate, when it has none."""

    @property
    def discount(self) -> float | None:
        """Fraction off on-demand of the effective rate (applied to the plan's own on-demand price)."""
        if self.effective_rate is None or not self.on_demand:
            return None
        return 1.0 - self.effective_rate / self.on_demand

    @property
    def label(self) -> str:
        years = f"{self.term_months // 12}y" if self.term_months % 12 == 0 else f"{self.term_months}m"
        cls = f" {self.offering_class}" if self.offering_class else ""
        return f"{self.provider} {self.instance}{cls} {self.kind.value.replace('_', ' ')} {years} {self.upfront.value} upfront"


# ---------------------------------------------------------------------------------------------
# Reading resources/catalog/commitments.yaml
# ---------------------------------------------------------------------------------------------

_FIELDS = {"provider", "kind", "offering_class", "gpu", "instance", "gpus_per_instance", "region", "term_months",
           "upfront", "on_demand", "effective_rate", "upfront_share", "source", "as_of", "confidence", "gap",
           "rate_key", "notes"}
_REQUIRED = ("provider", "kind", "gpu", "instance", "gpus_per_instance", "term_months", "upfront", "source", "as_of")


def default_path() -> pathlib.Path:
    from pricing.catalog import default_directory
    return default_directory() / "commitments.yaml"


def read_offers(path: str | pathlib.Path | None = None) -> tuple[tuple[Offer, ...], tuple[Problem, ...]]:
    """Every offer of a commitments file, and every problem found in it (file, line, key path, expected)."""
    import yaml

    from pricing.catalog import PriceSource, parse_as_of
    path = pathlib.Path(path) if path is not None else default_path()
    file = str(path)
    problems: list[Problem] = []

    def bad(key_path: str, message: str, node: Any = None) -> None:
        line = node.start_mark.line + 1 if node is not None and hasattr(node, "start_mark") else None
        problems.append(Problem(message, key_path, line, file))

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return (), (Problem(f"cannot read the commitments file: {exc.strerror or exc}", "", None, file),)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return (), (Problem(f"not valid YAML: {getattr(exc, 'problem', exc)}", "", mark.line + 1 if mark else None,
                            file),)
    nodes = _node_map(root)
    if not isinstance(doc, dict) or not isinstance(doc.get("offers"), dict):
        return (), (Problem("expected a mapping with an 'offers:' mapping of offers by key", "offers", None, file),)
    offer_nodes = _node_map(nodes.get("offers"))
    out: list[Offer] = []
    for key, raw in doc["offers"].items():
        kp = f"offers.{key}"
        node = offer_nodes.get(key)
        if not isinstance(raw, dict):
            bad(kp, f"found {type(raw).__name__}, expected a mapping of the offer's fields", node)
            continue
        fnodes = _node_map(node)
        before = len(problems)
        extra = sorted(set(map(str, raw)) - _FIELDS)
        if extra:
            bad(kp, f"unknown field(s) {', '.join(extra)}; known: {', '.join(sorted(_FIELDS))}", node)
        for f in _REQUIRED:
            if raw.get(f) in (None, ""):
                bad(f"{kp}.{f}", f"missing {f}", node)
        kind = _enum(Kind, raw.get("kind"), f"{kp}.kind", fnodes.get("kind"), bad)
        upfront = _enum(Upfront, raw.get("upfront"), f"{kp}.upfront", fnodes.get("upfront"), bad)
        term = raw.get("term_months")
        if term is not None and (isinstance(term, bool) or not isinstance(term, int) or term not in (12, 36)):
            bad(f"{kp}.term_months", f"found {term!r}, expected 12 or 36 (months)", fnodes.get("term_months"))
        gpi = raw.get("gpus_per_instance")
        if gpi is not None and (isinstance(gpi, bool) or not isinstance(gpi, int) or gpi < 1):
            bad(f"{kp}.gpus_per_instance", f"found {gpi!r}, expected a whole number of at least 1",
                fnodes.get("gpus_per_instance"))
        od = _number(raw.get("on_demand"), f"{kp}.on_demand", fnodes.get("on_demand"), bad, allow_none=True)
        rate = _number(raw.get("effective_rate"), f"{kp}.effective_rate", fnodes.get("effective_rate"), bad,
                       allow_none=True)
        share = _number(raw.get("upfront_share"), f"{kp}.upfront_share", fnodes.get("upfront_share"), bad,
                        allow_none=True)
        gap = raw.get("gap") or ""
        if rate is None and not (isinstance(gap, str) and gap.strip()):
            bad(kp, "has no effective_rate: give effective_rate (USD per instance-hour), or effective_rate: null "
                    "with gap: <why>", node)
        if rate is not None:
            if gap:
                bad(f"{kp}.gap", "an offer with an effective_rate cannot also be a gap", fnodes.get("gap"))
            if od is None:
                bad(f"{kp}.on_demand", "an offer with an effective_rate needs the on-demand rate it is measured "
                                       "against (USD per instance-hour, same source and region)", node)
            elif rate > od:
                bad(f"{kp}.effective_rate", f"found {rate:g}, above the on-demand rate {od:g}: a commitment "
                                            "that costs more than on demand is a typo", fnodes.get("effective_rate"))
        if share is not None and share > 1:
            bad(f"{kp}.upfront_share", f"found {share:g}, expected a share from 0 to 1", fnodes.get("upfront_share"))
        if upfront is Upfront.NONE and share not in (None, 0.0):
            bad(f"{kp}.upfront_share", "a no-upfront offer pays nothing upfront: expected 0", fnodes.get("upfront_share"))
        if upfront is Upfront.ALL and share not in (None, 1.0):
            bad(f"{kp}.upfront_share", "an all-upfront offer pays the whole term upfront: expected 1",
                fnodes.get("upfront_share"))
        if len(problems) > before:
            continue
        if share is None and upfront is not Upfront.PARTIAL:
            share = 0.0 if upfront is Upfront.NONE else 1.0
        as_of = str(raw.get("as_of"))
        src = PriceSource(f"commitment.{key}", str(raw.get("source")), as_of, parse_as_of(as_of),
                          "gap" if rate is None else str(raw.get("confidence") or "verified_secondary"),
                          str(raw.get("notes") or (f"rate: {raw['rate_key']}" if raw.get("rate_key") else "")))
        out.append(Offer(str(key), str(raw["provider"]).lower(), kind, str(raw.get("offering_class") or ""),
                         str(raw["gpu"]), str(raw["instance"]), int(gpi), str(raw.get("region") or ""), int(term),
                         upfront, od, rate, share, src, gap.strip() if isinstance(gap, str) else ""))
    return tuple(out), tuple(problems)


def load_offers(path: str | pathlib.Path | None = None) -> tuple[Offer, ...]:
    """The offers of a commitments file; CatalogError listing every bad entry when any is wrong."""
    offers, problems = read_offers(path)
    if problems:
        raise CatalogError(problems)
    return offers


def _node_map(node: Any) -> dict:
    import yaml
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _enum(cls: type[Enum], value: Any, key_path: str, node: Any, bad: Any) -> Any:
    if value is None:
        return None
    for m in cls:
        if m.value == str(value).lower():
            return m
    bad(key_path, f"found {value!r}, expected one of {', '.join(m.value for m in cls)}", node)
    return None


def _number(value: Any, key_path: str, node: Any, bad: Any, *, allow_none: bool) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        bad(key_path, f"found {value!r}, expected a number of at least 0", node)
        return None
    return float(value)


# ---------------------------------------------------------------------------------------------
# Pools of GPU usage
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Pool:
    """The on-demand GPU usage of one GPU type at one provider, month by month, with its shape in the month.

    Each line contributes a *block* per month: ``gpus`` GPUs busy together for ``hours`` hours
    (serving: its GPUs all month; a training run: its GPUs for the run's hours; notebooks: every
    person's instance at once for the hours each runs). Blocks of a pool are assumed to run at the
    same time from the start of the month, which is what a commitment covers least (it covers at
    most its GPUs in any hour), so coverage and utilisation are never overstated.
    """

    provider: str
    gpu: str
    price: float
    """The plan's on-demand USD per GPU-hour (overrides included)."""
    source: Any
    lines: tuple[LineItem, ...]
    gpus: np.ndarray
    """GPUs of each block (months x lines), at the plan's likely values."""
    hours: np.ndarray
    """Hours of each block (months x lines)."""
    sample_gpus: np.ndarray | None = None
    """GPUs of each block per Monte Carlo sample (samples x months x lines), when the plan has ranges."""
    sample_hours: np.ndarray | None = None

    @property
    def label(self) -> str:
        return f"{self.gpu} at {self.provider}"

    @property
    def usage(self) -> np.ndarray:
        """GPU-hours per month at the likely values."""
        return (self.gpus * self.hours).sum(axis=-1)

    @property
    def samples(self) -> np.ndarray | None:
        """GPU-hours per month per sample (samples x months)."""
        return None if self.sample_gpus is None else (self.sample_gpus * self.sample_hours).sum(axis=-1)


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


@dataclass(frozen=True, slots=True)
class Excluded:
    """A compute line left out of the pools, and why."""

    key_path: str
    name: str
    reason: str


def _compute_lines(plan: Plan, ctx: Any) -> Iterable[tuple[str, int, Any, str | None]]:
    """(section, index, line, why excluded or None) of every compute line."""
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


def _block(section: str, line: Any, li: LineItem) -> tuple[np.ndarray, np.ndarray]:
    """(GPUs, hours) of a line's block each month (arrays of the line item's shape)."""
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


def pools(proj: Projection, catalog: Any = None, *, samples: int = 0, seed: int | None = None
          ) -> tuple[tuple[Pool, ...], tuple[Excluded, ...]]:
    """The GPU pools of a projection (with ``samples`` Monte Carlo samples of usage when the plan has ranges)."""
    from pricing import engine
    plan = proj.plan
    ctx = engine.context(plan, catalog)
    items = {li.key_path: li for li in proj.line_items}
    groups: dict[tuple[str, str], list[tuple[str, Any, LineItem]]] = {}
    excluded = []
    for section, i, line, why in _compute_lines(plan, ctx):
        li = items[f"{section}[{i}]"]
        if why:
            excluded.append(Excluded(li.key_path, li.name, why))
            continue
        key = (ctx.provider(line), ctx.catalog.resolve_gpu(line.gpu))
        groups.setdefault(key, []).append((section, line, li))
    drawn = _usage_samples(plan, ctx, samples, seed) if samples else {}
    n = plan.months
    out = []
    for (provider, gpu), members in groups.items():
        price = ctx.catalog.gpu_price(gpu, provider, "on_demand")
        blocks = [_block(s, line, li) for s, line, li in members]
        g = np.stack([b[0] for b in blocks], axis=-1)
        h = np.stack([b[1] for b in blocks], axis=-1)
        sg = sh = None
        if drawn and any(li.key_path in drawn for _, _, li in members):
            sb = [drawn.get(li.key_path, blocks[j]) for j, (_, _, li) in enumerate(members)]
            sg = np.stack([np.broadcast_to(b[0], (samples, n)) for b in sb], axis=-1)
            sh = np.stack([np.broadcast_to(b[1], (samples, n)) for b in sb], axis=-1)
        out.append(Pool(provider, gpu, price.value, price.source, tuple(li for _, _, li in members), g, h, sg, sh))
    return tuple(out), tuple(excluded)


def pool_of(proj: Projection, ctx: Any, provider: str, gpu: str) -> Pool:
    """The pool of ``gpu`` at ``provider`` (empty when no on-demand line uses it)."""
    found, _ = pools(proj, ctx.catalog)
    for p in found:
        if p.provider == provider and p.gpu == gpu:
            return p
    price = ctx.catalog.gpu_price(gpu, provider, "on_demand")
    zero = np.zeros((len(proj.months), 1))
    return Pool(provider, gpu, price.value, price.source, (), zero, zero)


def _usage_samples(plan: Plan, ctx: Any, samples: int, seed: int | None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(GPUs, hours) blocks of the compute lines with ranges per sample, by key path (samples x months each).

    Drawn exactly as ``uncertainty.monte_carlo`` draws them (same generator, seed, blocks and order
    over every line with ranges), so sample k here is sample k of the cost Monte Carlo.
    """
    from pricing import engine, uncertainty
    seed = uncertainty.DEFAULT_SEED if seed is None else seed
    rng = np.random.default_rng(seed)
    uncertain = [(s, i, line) for s, i, line in plan.lines() if getattr(line, "ranges", ())]
    if not uncertain:
        return {}
    wanted = {f"{s}[{i}]" for s, i, line, why in _compute_lines(plan, ctx) if why is None}
    out: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    done = 0
    while done < samples:
        size = min(uncertainty.BLOCK, samples - done)
        for section, i, line in uncertain:
            draws = {f: uncertainty.draw(rng, r.low, r.likely, r.high, size) for f, r in line.ranges}
            key = f"{section}[{i}]"
            if key not in wanted:
                continue
            values = {f: (np.rint(a) if f in _INTEGER else a)[:, None] for f, a in draws.items()}
            sampled = dataclasses.replace(line, **values)
            li = engine.price_line(section, i, sampled, ctx)
            g, h = _block(section, sampled, li)
            out.setdefault(key, []).append((np.broadcast_to(g, (size, plan.months)),
                                            np.broadcast_to(h, (size, plan.months))))
        done += size
    return {k: (np.vstack([a for a, _ in v]), np.vstack([b for _, b in v])) for k, v in out.items()}


_INTEGER = {"gpus", "min_gpus", "people", "gpus_per_instance"}
"""Fields sampled as whole numbers (as ``uncertainty`` samples them)."""


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


# ---------------------------------------------------------------------------------------------
# Presentation (CLI)
# ---------------------------------------------------------------------------------------------


def cents_series(values: np.ndarray) -> list[float]:
    """A month series rounded to cents so that the cents add up to the rounded total (largest remainder).

    An amortised charge of 16,897.99 over 36 months is 469.38 in some months and 469.39 in others, as on
    an amortisation schedule, so the amortised and cash views of one commitment total the same.
    """
    values = np.asarray(values, dtype=float)
    cents = largest_remainder(values * 100.0, int(to_cents(float(values.sum()))[0]))
    return [int(c) / 100 for c in cents]


def report_data(r: Report) -> dict:
    """``aicost commitments --json`` (documented in docs/cli.md)."""
    cur = r.projection.currency
    r2 = cents_series

    def ev(e: Evaluation) -> dict:
        c, o, ch = e.commitment, e.commitment.offer, e.charges
        return {
            "offer": o.key, "label": o.label, "kind": o.kind.value, "term_months": o.term_months,
            "upfront": o.upfront.value, "discount": round(o.discount, 6), "gpus": c.gpus, "start_month": c.start,
            "start": str(r.projection.months[c.start - 1]) if c.gpus else None,
            "coverage": round(e.coverage, 6), "utilisation": round(e.utilisation, 6),
            "expected_utilisation": round(e.expected_utilisation, 6), "p10_utilisation": round(e.p10_utilisation, 6),
            "break_even_utilisation": round(e.break_even_utilisation, 6),
            "saving_in_horizon": round(e.saving_in_horizon, 2), "saving": round(e.saving, 2),
            "saving_if_usage_continues": round(e.saving_if_usage_continues, 2),
            "expected_saving": round(e.expected_saving, 2), "p10_saving": round(e.p10_saving, 2),
            "months_after_horizon": ch.months_after_horizon,
            "obligation_after_horizon": round(ch.obligation_after_horizon, 2),
            "amortised": r2(ch.amortised), "cash": None if ch.cash is None else r2(ch.cash),
            "on_demand_avoided": r2(e.credit), "gpu_hours_covered": [round(float(x), 4) for x in e.covered],
            "source": o.source.data(),
        }
    return {
        "name": r.projection.plan.name, "currency": cur, "months": [str(m) for m in r.projection.months],
        "samples": r.samples, "seed": r.seed,
        "pools": [{
            "provider": p.pool.provider, "gpu": p.pool.gpu, "on_demand_price_usd": p.pool.price,
            "price_source": p.pool.source.data(),
            "lines": [li.key_path for li in p.pool.lines],
            "gpu_hours": [round(float(x), 4) for x in p.pool.usage],
            "recommended": p.recommended.commitment.offer.key if p.recommended else None,
            "offers": [ev(e) for e in p.best],
            "gaps": [{"offer": o.key, "label": o.label, "gap": o.gap, "source": o.source.source} for o in p.gaps],
        } for p in r.pools],
        "excluded": [{"key_path": x.key_path, "name": x.name, "reason": x.reason} for x in r.excluded],
    }


def report_text(r: Report, *, top: int = 6) -> str:
    """``aicost commitments``: per pool, the best commitment of each offer, the recommendation and its cash flow."""
    proj = r.projection
    cur = proj.currency
    lines = [f"{proj.plan.name}: commitments planned against the usage curve ({proj.months[0]} .. {proj.months[-1]})",
             "Within a month a pool's lines are taken to run at the same time (a commitment covers at most its "
             "GPUs in any hour); savings count any obligation past the horizon as a cost."]
    if r.samples:
        lines.append(f"Usage uncertainty: {r.samples:,} Monte Carlo samples of the plan's ranges (seed {r.seed}); "
                     "P10 = the case where usage falls short.")
    else:
        lines.append("The plan has no ranges: expected and P10 savings equal the likely case.")
    if not r.pools:
        lines.append("\nNo on-demand GPU usage to commit.")
    for p in r.pools:
        pool = p.pool
        steady = (pool.gpus * (pool.hours >= HOURS_PER_MONTH)).sum(axis=-1)
        lines += ["", f"{pool.label}: {money(pool.price, 'USD')}/GPU-hour on demand; {pool.usage.sum():,.0f} GPU-hours "
                  f"over the horizon; {steady.min():,.0f}..{steady.max():,.0f} GPUs running all month ("
                  + ", ".join(li.name for li in pool.lines) + ")"]
        if not p.best:
            lines.append("  No priced offer for this GPU at this provider.")
        else:
            lines.append(f"  {'offer':<52} {'GPUs':>5} {'from':>8} {'cover':>6} {'util':>6} {'b-even':>6} "
                         f"{'exp. saving':>12} {'P10 saving':>12}")
            for e in p.best[:top]:
                c, o = e.commitment, e.commitment.offer
                start = str(proj.months[c.start - 1]) if c.gpus else "-"
                lines.append(f"  {o.label[:52]:<52} {c.gpus:>5} {start:>8} {e.coverage:>6.0%} {e.utilisation:>6.0%} "
                             f"{e.break_even_utilisation:>6.0%} {money(e.expected_saving, cur, compact=True):>12} "
                             f"{money(e.p10_saving, cur, compact=True):>12}")
            if len(p.best) > top:
                lines.append(f"  ... {len(p.best) - top} more offers (--json lists them all)")
            rec = p.recommended
            if rec is None:
                lines.append("  Committing does not pay for this pool at any offer: its usage is too short, too "
                             "bursty or too uncertain for the terms.")
            else:
                c, ch = rec.commitment, rec.charges
                lines.append(f"  Recommended: {c.gpus} GPUs of {c.offer.label} from {proj.months[c.start - 1]}: "
                             f"covers {rec.coverage:.0%} of the usage in its term at {rec.utilisation:.0%} "
                             f"utilisation (break-even {rec.break_even_utilisation:.0%}); saves "
                             f"{money(rec.expected_saving, cur)} expected, {money(rec.p10_saving, cur)} at P10.")
                if ch.months_after_horizon:
                    lines.append(f"  Its term runs {ch.months_after_horizon} months past the horizon: "
                                 f"{money(ch.obligation_after_horizon, cur)} still owed then, counted as a cost; if "
                                 f"usage stays at its last month's level it saves {money(rec.saving_if_usage_continues, cur)}.")
                lines.append("  Cash vs amortised (the commitment's charge per month):")
                lines.append(f"    {'month':<8} {'amortised':>14} {'cash':>14} {'on demand avoided':>18}")
                amort, credit = cents_series(ch.amortised), cents_series(rec.credit)
                cash_c = None if ch.cash is None else cents_series(ch.cash)
                shown = [i for i in range(len(proj.months)) if ch.gpus[i] > 0][:12]
                for i in shown:
                    cash = "gap" if cash_c is None else money(cash_c[i], cur)
                    lines.append(f"    {str(proj.months[i]):<8} {money(amort[i], cur):>14} {cash:>14} "
                                 f"{money(credit[i], cur):>18}")
                if len(shown) < int((ch.gpus > 0).sum()):
                    lines.append(f"    {'...':<8}")
                total_cash = "gap" if cash_c is None else money(sum(cash_c), cur)
                lines.append(f"    {'horizon':<8} {money(sum(amort), cur):>14} {total_cash:>14} "
                             f"{money(sum(credit), cur):>18}")
        for o in p.gaps:
            lines.append(f"  gap: {o.key}: {o.gap}")
    for x in r.excluded:
        lines.append(f"Left out: {x.name} ({x.key_path}): {x.reason}")
    lines += ["", f"Offers and their sources: {r.offers_file}"]
    return "\n".join(lines) + "\n"


__all__ = ["Kind", "Upfront", "View", "Offer", "Pool", "Commitment", "Charges", "Evaluation", "PoolPlan",
           "Report", "Effect", "read_offers", "load_offers", "pools", "pool_of", "covered_hours", "charges", "evaluate",
           "best_commitment",
           "plan_commitments", "effect", "monthly", "report_data", "report_text"]

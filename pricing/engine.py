"""The cost engine: project(plan, catalog) -> Projection (months x line items); no state, no I/O.

The drivers (one module per cost area) price plan lines on a ``Context`` (pricing/context.py);
this module holds the table of which driver prices which section, adds the platform markup and
sums the line items. ``LineItem``, ``Context`` and ``context`` are re-exported from here.

Three passes run after the lines are priced, each over lines that were priced on their own (so a line's
item never depends on another line, and items can be reused when other lines change):

* **Account-wide tiers** (``with_account_tiers``). Clouds apply volume tiers and free allowances per
  account, not per workload: the first 100 GB of AWS internet egress are free once a month for the
  whole account, S3 Standard's 50 TB tier counts all the account's Standard data, GCP's free 50 GiB
  of log ingestion is per billing account. Each driver prices its line alone and records the billed
  volume (``LineItem.account``); this pass sums the volumes of all lines billed under one price key
  (provider and kind: ``egress.aws.internet``), prices the sum once per month, and allocates that
  cost back to the lines **in proportion to their volume that month** (a line with 30% of the
  month's GB carries 30% of the month's cost, free allowance included). It is idempotent: it
  recomputes from the volumes, so it may run again on its own output.
* **Platform markup** (``with_markup``): the managed platform's markup as its own line item.
* **Commitments** (``with_commitments``): one Compute item per commitment of the plan, its charge in the
  projection's view less the on-demand cost of the compute usage it covers (after the markup, last).

``project(previous=...)`` reuses the items of unchanged lines as their drivers priced them
(``Projection.priced``), never an item after the pass, and runs the passes over reused and re-priced
items together: a line's share moves when another line of its group changes even if the line did not, and
a commitment's item when any compute line of its pool does.
The tornado and the Monte Carlo price one line at a time: ``moved_with_account`` gives the cost of every
line a moved line's group reaches (the account-wide tiers re-priced on the group's new volume), and
``account_adjustment`` what the account pass adds to lines priced alone.
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from pricing import fields
from pricing.catalog import Catalog, PriceSource, oldest
from pricing.context import DAYS_PER_MONTH, GB_PER_TB, HOURS_PER_MONTH, AccountUsage, Context, LineItem, context
from pricing.drivers import annotation, commitments, compute, data, mlops, people, services
from pricing.drivers.commitments import View
from pricing.errors import PlanError, Problem
from pricing.plan import SECTIONS, Category, Plan, YearMonth

MAX_AMOUNT = 1e13
"""The largest amount the product represents: ten trillion in the plan's currency, for a plan's cost over its
horizon (so for any line, any month). More is a typo, most often a growth that compounds for years (1000% a month
for 20 years is 10^250), or a price or a volume a thousand times too big: $10 trillion is a tenth of the world's
yearly output; in the weakest currency a plan may use (10^5 per USD) it is still $100 million.

Why there: 10^13 is 10^15 cents, below 2^53 (9.0e15), so every amount and every sum of amounts up to it is held
exactly to the cent in a float64, and its cents are far inside int64 (9.2e18) even summed over a comparison, a
scenario split or a tornado at twice the bill. A plan past it is refused when it is checked (``aicost validate``,
opening it), with the line, the field that drives it and the month it gets there; the engine refuses it too
(``project`` raises a PlanError), so no NaN, infinity or wrapped total ever reaches a report (issue 17)."""
MAX_TOTAL = MAX_AMOUNT
"""The former name of ``MAX_AMOUNT``."""


@dataclass(frozen=True, slots=True)
class Driver:
    """A line item ranked by its horizon cost."""

    name: str
    key_path: str
    category: Category
    total: float
    share: float


@dataclass(frozen=True, slots=True)
class UnitCost:
    """The whole bill over the horizon per unit of work (the plan's ``unit``, else per 1k requests)."""

    name: str
    """What one unit is (``ticket``; ``request`` without a unit of work)."""
    per: int
    """Units the value is for: 1, or 1,000 when a unit costs less than a cent (and always for plain requests)."""
    value: float
    """Plan currency per ``per`` units."""
    units: float
    """Units over the horizon."""
    counted: str
    """What is counted, in words (``requests of Answer generation``; ``requests of every API and serving line``)."""

    @property
    def label(self) -> str:
        """``Cost per ticket``, ``Cost per 1k tickets``, ``Cost per 1k requests``."""
        return f"Cost per {self.name}" if self.per == 1 else f"Cost per 1k {_plural(self.name)}"


def _plural(name: str) -> str:
    """``ticket`` -> ``tickets``, ``query`` -> ``queries``, ``inspected image`` -> ``inspected images``."""
    if name.endswith("s"):
        return name
    if name.endswith("y") and name[-2:-1] not in ("a", "e", "o", "u"):
        return name[:-1] + "ies"
    return name + "s"


@dataclass(frozen=True, slots=True, eq=False)
class Projection:
    """A plan projected over its horizon: every line item's monthly cost and the sums views need."""

    plan: Plan
    months: tuple[YearMonth, ...]
    line_items: tuple[LineItem, ...]
    matrix: np.ndarray
    """Line items x months cost."""
    requests: np.ndarray
    """Requests served per month across inference and API lines (for cost per 1k requests)."""
    category_totals: dict[Category, np.ndarray] = field(default_factory=dict)
    view: View = View.AMORTISED
    """How the plan's commitments are charged in the months: amortised over their term, or cash when paid."""
    context: Context | None = field(default=None, repr=False)
    """The pricing context the line items were priced on (``project(previous=...)`` reuses it)."""
    catalog: Catalog | None = field(default=None, repr=False)
    """The catalog ``project`` was given (before the plan's overrides), to know when a context still holds."""
    priced: tuple[LineItem, ...] = field(default=(), repr=False)
    """The plan lines' items as their drivers priced them, each line alone: before the account pass and the
    markup and commitments (the same objects as ``line_items`` for lines billed under no account-wide tier). What
    ``project(previous=...)`` reuses and the tornado moves: an item after the pass holds a share that depends on
    other lines' volumes. Empty when not kept (then nothing is reused)."""

    @property
    def currency(self) -> str:
        return self.plan.currency

    @property
    def monthly(self) -> np.ndarray:
        return self.matrix.sum(axis=0) if len(self.line_items) else np.zeros(len(self.months))

    @property
    def total(self) -> float:
        return float(self.matrix.sum())

    @property
    def cumulative(self) -> np.ndarray:
        return np.cumsum(self.monthly)

    @property
    def run_rate_now(self) -> float:
        """Cost of the first month (what the project costs a month as it starts)."""
        return float(self.monthly[0]) if len(self.months) else 0.0

    @property
    def run_rate_end(self) -> float:
        """Cost of the last month of the horizon."""
        return float(self.monthly[-1]) if len(self.months) else 0.0

    def drivers(self, top: int | None = None) -> tuple[Driver, ...]:
        """Line items ranked by horizon cost, with their share of the total."""
        total = self.total
        # each line's total from the matrix in one pass (a row sums as its monthly array does: same figures)
        sums = self.matrix.sum(axis=1) if len(self.line_items) else np.zeros(0)
        rows = range(len(sums))
        if top and top < len(sums):  # only the lines at least as costly as the top-th can rank that high
            rows = np.nonzero(sums >= np.partition(sums, len(sums) - top)[len(sums) - top])[0].tolist()
        totals = sums.tolist()
        ranked = sorted(((totals[i], self.line_items[i]) for i in rows), key=lambda p: (-p[0], p[1].name))
        if top:
            ranked = ranked[:top]
        return tuple(Driver(li.name, li.key_path, li.category, t, t / total if total else 0.0) for t, li in ranked)

    def cost_per_1k_requests(self) -> float | None:
        """Whole bill over the horizon per thousand requests served; None when fewer than a thousand are served
        over the horizon (none known, or a per-1k figure that would extrapolate a handful of requests: with at
        least 1,000 it is at most the horizon total, so within MAX_AMOUNT)."""
        n = float(self.requests.sum())
        return self.total / n * 1000.0 if n >= 1000.0 else None

    def unit_cost(self) -> UnitCost | None:
        """The bill per unit of work: per the plan's ``unit`` (a line's requests, or a volume a month), else per 1k
        requests of every API and serving line; None when nothing is counted."""
        unit = self.plan.unit
        if unit is None:
            n = float(self.requests.sum())
            lines = [li.name for li in self.line_items if li.section in _REQUESTS_AT]
            if n <= 0:
                return None
            return UnitCost("request", 1000, self.total / n * 1000.0, n,
                            f"requests of every API and serving line ({', '.join(lines)})")
        if unit.line is not None:
            item = next((li for li in self.line_items if li.section in _REQUESTS_AT and li.name == unit.line), None)
            counted = np.asarray(item.quantity("requests"), dtype=float) if item is not None else np.zeros(0)
            what = f"requests of {unit.line}"
        else:
            k = np.arange(len(self.months), dtype=float)
            counted = unit.per_month * (1.0 + unit.growth) ** k
            what = f"{unit.per_month:,.0f} a month" + (f", growing {unit.growth:.0%} a month" if unit.growth else "")
        n = float(counted.sum())
        if n <= 0:
            return None
        value = self.total / n
        per = 1 if value >= 0.01 else 1000
        return UnitCost(unit.name, per, value * per, n, what)

    def first_month_over_budget(self) -> int | None:
        """Index of the first month whose cost exceeds the plan's monthly budget, if any."""
        budget = self.plan.monthly_budget
        if budget is None:
            return None
        over = np.nonzero(self.monthly > budget + 1e-9)[0]
        return int(over[0]) if len(over) else None

    def sources(self) -> tuple[PriceSource, ...]:
        """Every distinct price source used, in first-use order."""
        seen: dict[str, Any] = {}
        for li in self.line_items:
            for s in li.sources:
                seen.setdefault(s.key, s)
        return tuple(seen.values())

    def oldest_source(self) -> PriceSource | None:
        return oldest(self.sources())

    def undated_sources(self) -> tuple[PriceSource, ...]:
        return tuple(s for s in self.sources() if s.as_of_date is None and not s.overridden)


DRIVERS: dict[str, Callable[[Any, str, Context], LineItem]] = {
    "compute.training": compute.training,
    "compute.fine_tuning": compute.training,
    "compute.inference": compute.inference,
    "compute.exploration": compute.exploration,
    "data.storage": data.storage,
    "data.egress": data.egress,
    "services.apis": services.api,
    "annotation": annotation.batch,
    "mlops": mlops.line,
    "people": people.line,
}
"""The driver that prices each list section of a plan."""


CATEGORY_OF = dict(SECTIONS)
_CATEGORIES = tuple(Category)
_CATEGORY_INDEX = {c: i for i, c in enumerate(_CATEGORIES)}
_REQUESTS_AT = {"compute.inference": 2, "services.apis": 0}
"""Position of the ``requests`` quantity in the line items of sections that serve requests."""


def _quiet(fn: Callable) -> Callable:
    """Numpy's overflow and divide warnings off while ``fn`` prices: an amount past any plan becomes inf or nan,
    which the guard (``cost_problems``) turns into a located problem; the warning would only be noise on stderr."""
    @functools.wraps(fn)
    def quiet(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            return fn(*args, **kwargs)
    return quiet


@_quiet
def price_line(section: str, index: int, line: Any, ctx: Context) -> LineItem:
    """One plan line priced (raises PlanError subclasses for what cannot be priced)."""
    return DRIVERS[section](line, f"{section}[{index}]", ctx)


def with_markup(plan: Plan, items: list[LineItem], ctx: Context) -> list[LineItem]:
    """The line items plus the platform's markup on the compute it runs, as its own line item (when the
    plan has a platform): the one place the markup is added, for ``project`` and its fast paths."""
    if plan.services.platform is None:
        return items
    return [*items, services.platform_markup(plan.services.platform, items, ctx)]


def with_commitments(plan: Plan, items: list[LineItem], ctx: Context, view: View | str = View.AMORTISED
                     ) -> list[LineItem]:
    """The line items plus one per commitment of the plan, priced in ``view`` against the compute items among
    ``items``: a commitment depends on other lines' usage, so it is priced after them (as the markup), from
    the items of this projection, never kept from another."""
    if not plan.commitments:
        return items
    return [*items, *commitments.price(plan, ctx, commitments.members_of(plan, items), view)]


ACCOUNT_NOTE = "account-wide "
"""Start of the note the account pass writes on a line (replaced, never repeated, when the pass runs again)."""


def _account_groups(items: list[LineItem] | tuple[LineItem, ...]) -> dict[str, list[tuple[int, AccountUsage]]]:
    groups: dict[str, list[tuple[int, AccountUsage]]] = {}
    for i, li in enumerate(items):
        for u in li.account:
            groups.setdefault(u.key, []).append((i, u))
    return groups


def _allocated(members: list[AccountUsage]) -> list[Any]:
    """Each member's share of the group's cost (plan currency): the price applied once to the summed volume each
    month, shared in proportion to each member's volume that month (nothing where the month's volume is 0)."""
    total = sum(u.units for u in members)
    cost = np.asarray(members[0].price.cost(total), dtype=float)
    safe = np.where(total > 0, total, 1.0)
    with np.errstate(over="ignore", invalid="ignore"):  # a volume compounding past any plan: cost_problems says so
        return [np.where(total > 0, cost * u.units / safe, 0.0) * u.fx for u in members]


def _tier_deltas(items: list[LineItem] | tuple[LineItem, ...], groups: dict[str, list[tuple[int, AccountUsage]]],
                 wanted: set[int] | None = None) -> tuple[dict[int, Any], dict[int, list[AccountUsage]]]:
    """What the account pass adds to each member's monthly cost (its allocated shares less what it holds now), and
    its usages holding those shares; only the groups with a member in ``wanted`` when given. The groups are taken in
    their order in ``groups``, so a line in several adds its shares in the same order whoever asks (the same
    figures to the last bit for ``project`` and the tornado)."""
    delta: dict[int, Any] = {}
    usages: dict[int, list[AccountUsage]] = {}
    for members in groups.values():
        if wanted is not None and not any(i in wanted for i, _ in members):
            continue
        for (i, u), share in zip(members, _allocated([u for _, u in members])):
            delta[i] = delta.get(i, 0.0) + (share - u.applied)
            usages.setdefault(i, []).append(dataclasses.replace(u, applied=share))
    return delta, usages


def with_account_tiers(items: list[LineItem]) -> list[LineItem]:
    """The line items with account-wide volume tiers and free allowances applied (see the module docstring)."""
    groups = _account_groups(items)
    if not groups:
        return items
    delta, usages = _tier_deltas(items, groups)
    notes: dict[int, list[str]] = {}
    for key, members in groups.items():
        lines = sorted({i for i, _ in members})
        for i, _ in members:
            if len(lines) > 1:
                others = ", ".join(items[j].name for j in lines if j != i)
                notes.setdefault(i, []).append(
                    f"{ACCOUNT_NOTE}{key}: its volume tiers and free allowance apply to the account, so this line is "
                    f"priced with {others} on their summed volume and carries its share of the cost in proportion "
                    "to its volume each month")
            else:
                notes.setdefault(i, []).append(
                    f"{ACCOUNT_NOTE}{key}: its volume tiers and free allowance apply to the account (no other line "
                    "of the plan is billed under it)")
    out = list(items)
    for i, d in delta.items():
        li = items[i]
        kept = tuple(n for n in li.notes if not n.startswith(ACCOUNT_NOTE))
        out[i] = dataclasses.replace(li, monthly=li.monthly + d, account=tuple(usages[i]),
                                     notes=kept + tuple(notes[i]))
    return out


def account_adjustment(items: list[LineItem] | tuple[LineItem, ...]) -> Any:
    """What the account pass adds to the monthly sum of ``items`` (each priced alone, or already passed): the
    account-priced cost of every group minus what the lines hold for it now. Broadcasts over sampled volumes."""
    out: Any = 0.0
    for members in _account_groups(items).values():
        usages = [u for _, u in members]
        for u, share in zip(usages, _allocated(usages)):
            out = out + (share - u.applied)
    return out


def moved_with_account(priced: list[LineItem] | tuple[LineItem, ...], moved: LineItem) -> dict[int, Any]:
    """The monthly cost after the account pass of each line whose cost moves when ``moved`` (a line priced alone
    again, possibly with rows of sampled or extreme values) replaces the item with its key path in ``priced`` (a
    projection's items priced alone, ``Projection.priced``): the moved line, and the lines sharing an account-wide
    tier with it before or after the move, whose shares move with the group's summed volume. Keyed by index in
    ``priced``; the same arithmetic as ``project``, so each row is what projecting the moved plan gives that line.
    The platform markup is not included."""
    index = next(i for i, li in enumerate(priced) if li.key_path == moved.key_path)
    if not priced[index].account and not moved.account:
        return {index: moved.monthly}
    items = list(priced)
    items[index] = moved
    groups = _account_groups(items)
    keys = {u.key for u in priced[index].account} | {u.key for u in moved.account}
    wanted = {index} | {i for k in keys for i, _ in groups.get(k, ())}
    delta, _ = _tier_deltas(items, groups, wanted)
    return {i: items[i].monthly + delta[i] if i in delta else items[i].monthly for i in sorted(wanted)}


def markup(plan: Plan, ctx: Context) -> tuple[float, frozenset[str]]:
    """The platform markup rate and the sections it applies to ((0.0, empty) without a platform): for
    paths that scale one line's cost by ``1 + rate`` instead of re-projecting (Monte Carlo, tornado)."""
    platform = plan.services.platform
    if platform is None:
        return 0.0, frozenset()
    return services.markup_rate(platform, ctx), services.markup_sections(platform)


@_quiet
def project(plan: Plan, catalog: Catalog | None = None, *, months: int | None = None,
            view: View | str = View.AMORTISED, previous: Projection | None = None) -> Projection:
    """Project a plan month by month. ``months`` shortens or lengthens the horizon for this projection;
    ``view`` says how commitments are charged (amortised over their term, or cash in the month paid).

    ``previous``: a projection of an earlier version of the plan (before an edit). Its line items are
    reused for every line that did not change, and only the changed lines are priced again: a line
    item depends on its line and on the pricing context alone (catalog, price overrides, horizon,
    default provider, exchange rate), so when the context is the same, an unchanged line prices the
    same. Edits replace the edited line and keep the others as the same objects (plans are
    immutable), so "unchanged" is found by identity (then equality) at the same place, or by identity
    when lines were added or removed before it (a line that moved is priced again: its price sources
    name its key path). The platform markup, the commitments (they depend on every compute line's usage
    and on ``view``) and the sums are always recomputed.
    """
    if months is not None and months != plan.months:
        plan = dataclasses.replace(plan, months=months)
    if catalog is None:
        catalog = previous.catalog if previous is not None and previous.catalog is not None else Catalog.load()
    # the items are reused as priced alone (``priced``): an item after the account pass holds other lines' volumes
    reuse = (previous is not None and _same_context(previous, plan, catalog)
             and len(previous.priced) == len(previous.line_items) - (previous.plan.services.platform is not None)
             - len(previous.plan.commitments))
    ctx = dataclasses.replace(previous.context, plan=plan) if reuse else context(plan, catalog)
    items: list[LineItem] = []
    lengths: list[int] = []
    kept: list[int] = []  # rows whose item is the previous projection's, at the same row: its matrix row is too
    at = 0
    for section, _ in SECTIONS:
        fn = DRIVERS[section]
        lines = plan.section(section)
        lengths.append(len(lines))
        if reuse:
            before = previous.plan.section(section)
            before_items = previous.priced[at:at + len(before)]
            same_rows = at == len(items)  # this section starts at the same row as before
            at += len(before)
            if len(before) == len(lines):
                start = len(items)
                for i, line in enumerate(lines):
                    b = before[i]
                    if line is b or line == b:
                        items.append(before_items[i])
                        if same_rows:
                            kept.append(start + i)
                    else:
                        items.append(fn(line, f"{section}[{i}]", ctx))
                continue
            by_id = {id(b): item for b, item in zip(before, before_items)}  # the lines are alive: ids are unique
            for i, line in enumerate(lines):
                key = f"{section}[{i}]"
                item = by_id.get(id(line))
                if item is None or item.key_path != key:  # a line at another place is priced there again:
                    item = fn(line, key, ctx)             # its price sources name its key path
                items.append(item)
            continue
        for i, line in enumerate(lines):
            items.append(fn(line, f"{section}[{i}]", ctx))
    priced = tuple(items)
    passed = with_account_tiers(items)
    if reuse and passed is not items:
        _keep_unchanged(passed, priced, previous)
    # the account tiers apply to the lines alone; the markup is on the compute after them, and the commitments
    # (Compute) credit the on-demand usage of the compute lines as priced, in ``view``: both always recomputed
    items = with_commitments(plan, with_markup(plan, passed, ctx), ctx, view)
    n = plan.months
    if reuse and kept and len(items) == len(previous.line_items):
        # the same rows as before: copy the matrix, then the rows that changed (same figures as stacking); a kept
        # line under an account-wide tier changes when another line of its group does: the pass made it anew
        matrix = previous.matrix.copy()
        changed = np.ones(len(items), dtype=bool)
        changed[[row for row in kept if items[row] is previous.line_items[row]]] = False
        for row in np.nonzero(changed)[0]:
            matrix[row] = items[row].monthly
    else:
        matrix = np.array([li.monthly for li in items], dtype=float) if items else np.zeros((0, n))
    problems = cost_problems(plan, items, matrix if items else None)
    if problems:
        raise PlanError(problems)
    served = [li.quantities[_REQUESTS_AT[li.section]][1] for li in _serving(items, lengths)]
    requests = np.sum(served, axis=0) if served else np.zeros(n)
    index = np.repeat(np.array(_SECTION_CATEGORY, dtype=np.intp), lengths)
    if len(items) > len(index):  # the platform markup (Services) and the commitments (Compute), after the lines
        index = np.append(index, [_CATEGORY_INDEX[li.category] for li in items[len(index):]]).astype(np.intp)
    by_category = np.zeros((len(_CATEGORIES), n))
    np.add.at(by_category, index, matrix)
    cats = dict(zip(_CATEGORIES, by_category))
    months_axis = tuple(plan.start.plus(k) for k in range(n))
    return Projection(plan, months_axis, tuple(items), matrix, requests, cats, View(view), ctx, catalog, priced)


def _keep_unchanged(passed: list[LineItem], priced: tuple[LineItem, ...], previous: Projection) -> None:
    """Where the account pass gave a reused line the same figures as before (no line of its groups changed), keep
    the previous projection's item (the same object): views copy an unchanged item's cents and matrix row."""
    before = {id(own): done for own, done in zip(previous.priced, previous.line_items) if own.account}
    for i, (own, new) in enumerate(zip(priced, passed)):
        if not own.account:
            continue
        old = before.get(id(own))  # the same own item (reused): ids are unique while ``previous`` holds them
        if old is not None and _same_item(new, old):
            passed[i] = old


def _same_item(a: LineItem, b: LineItem) -> bool:
    return (a.notes == b.notes and np.array_equal(a.monthly, b.monthly) and len(a.account) == len(b.account)
            and all(u.key == v.key and np.array_equal(u.applied, v.applied) for u, v in zip(a.account, b.account)))


_SECTION_CATEGORY = tuple(_CATEGORY_INDEX[category] for _, category in SECTIONS)
"""The category index of each list section's lines, in ``SECTIONS`` order."""


def _serving(items: list[LineItem], lengths: list[int]) -> list[LineItem]:
    """The line items of the sections that serve requests (inference and API lines), in plan order."""
    out: list[LineItem] = []
    at = 0
    for (section, _), length in zip(SECTIONS, lengths):
        if section in _REQUESTS_AT:
            out += items[at:at + length]
        at += length
    return out


def _same_context(previous: Projection, plan: Plan, catalog: Catalog) -> bool:
    """Whether ``previous``'s line items were priced on the context ``plan`` would get from ``catalog``."""
    old = previous.plan
    return (previous.context is not None and previous.catalog is catalog and old.months == plan.months
            and old.provider == plan.provider and old.fx_rate == plan.fx_rate and old.prices == plan.prices
            # the dated exchange rate (and dated API prices) follow the currency and the start month
            and old.currency == plan.currency and old.start == plan.start)


@dataclass(frozen=True, slots=True)
class Runaway:
    """A line item (or the plan's total) whose cost is not a finite, non-negative amount, or passes MAX_AMOUNT."""

    item: LineItem | None
    """The line item; None for the plan's total."""
    month: int
    """The month (0-based) it gets there: its first bad month, or the month its running total passes the bound."""
    total: float
    """Its cost over the horizon (may be infinite)."""
    bad: str = ""
    """What is not a finite amount (``its cost``, ``GPU-hours``...); empty when the amount is past the bound."""

    def text(self, plan: Plan, at: str = "") -> str:
        """``its cost passes 10 trillion USD, the most a plan can cost, in month 147 (2039-03) and reaches ...``."""
        where = f" {at}" if at else ""
        when = f"month {self.month + 1} ({plan.start.plus(self.month)})"
        if self.bad:
            return f"{self.bad} is not a finite amount{where} in {when}"
        whose = "its cost" if self.item is not None else "the plan's cost"
        return (f"{whose}{where} passes {amount_text(MAX_AMOUNT, plan.currency)}, the most a plan can cost, in {when} "
                f"and reaches {self.total:.3g} {plan.currency} over {plan.months} months")


def _credit(li: LineItem) -> bool:
    """A commitment's item: its charge less the on-demand usage it covers, below zero in the months it saves
    (the lines it covers are still priced on demand, so the plan's months stay at or above zero)."""
    return li.section == "commitments"


def runaways(items: list[LineItem] | tuple[LineItem, ...]) -> list[Runaway]:
    """Line items whose cost (or what they buy) is not a finite, non-negative number, or whose cost over the horizon
    passes MAX_AMOUNT; when none is, the plan's total if it passes MAX_AMOUNT."""
    out: list[Runaway] = []
    with np.errstate(all="ignore"):
        for li in items:
            monthly = np.asarray(li.monthly, dtype=float)
            bad = ~np.isfinite(monthly) | ((monthly < 0) & (not _credit(li)))
            quantity = next((name for name, q in li.quantities if not np.isfinite(q).all()), None)
            total = float(monthly.sum())
            if bad.any() or quantity:
                out.append(Runaway(li, int(np.argmax(bad)) if bad.any() else 0, total, quantity or "its cost"))
                continue
            k = first_month_over(monthly)
            if k is not None:
                out.append(Runaway(li, k, total))
        if not out and items:
            monthly = np.sum([np.asarray(li.monthly, dtype=float) for li in items], axis=0)
            k = first_month_over(monthly)
            if k is not None:
                out.append(Runaway(None, k, float(monthly.sum())))
    return out


def cost_problems(plan: Plan, items: list[LineItem] | tuple[LineItem, ...],
                  matrix: np.ndarray | None = None) -> list[Problem]:
    """The engine's guard: ``runaways`` as problems, each naming the line and the field that drives it (its growth
    when it compounds, else the field furthest outside its typical range) and what to check. ``matrix``: the
    items' monthly costs stacked (the projection's), for the common case checked without a loop over the lines."""
    if matrix is not None and len(items) and _fine(items, matrix):
        return []
    out: list[Problem] = []
    for r in runaways(items):
        if r.item is None:
            largest = max(items, key=lambda li: float(np.sum(li.monthly)))
            out.append(Problem(f"{r.text(plan)}; its largest line is {largest.name!r} "
                               f"({float(np.sum(largest.monthly)):.3g} {plan.currency})", largest.key_path))
            continue
        line = _line(plan, r.item.key_path)
        flat = float(np.asarray(r.item.monthly, dtype=float)[0]) * plan.months  # the cost if nothing grew
        found = _runaway(plan, r.item.key_path, line, grows=bool(np.isfinite(flat) and flat <= MAX_AMOUNT))
        check = "check its amounts and prices" if found is None else found[1]
        out.append(Problem(f"{r.text(plan)}; {check}", f"{r.item.key_path}.{found[0]}" if found else r.item.key_path))
    return out


def _fine(items: list[LineItem] | tuple[LineItem, ...], matrix: np.ndarray) -> bool:
    """Every cost finite and non-negative, every quantity finite, and the plan's total within MAX_AMOUNT (then every
    line's running total is too: none is negative)."""
    with np.errstate(all="ignore"):
        credits = np.array([_credit(li) for li in items], dtype=bool)
        if not (np.isfinite(matrix).all() and (matrix[~credits] >= 0).all() and float(matrix.sum()) <= MAX_AMOUNT):
            return False
        return all(np.isfinite(q).all() for li in items for _, q in li.quantities)


def amount_text(amount: float, currency: str) -> str:
    """``10 trillion USD`` (a bound in a message)."""
    for div, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if amount >= div:
            return f"{amount / div:g} {word} {currency}"
    return f"{amount:,.0f} {currency}"


def first_month_over(monthly: np.ndarray) -> int | None:
    """The month (0-based) in which the running total of ``monthly`` passes MAX_AMOUNT, if it does."""
    over = np.nonzero(np.cumsum(monthly) > MAX_AMOUNT)[0]
    return int(over[0]) if len(over) else None


def _runaway(plan: Plan, key_path: str, line: Any, *, grows: bool = True) -> tuple[str, str] | None:
    """(field, what to check) of what most likely drives a line's runaway cost: its growth when it compounds a
    hundredfold or more over the horizon (and ``grows``: the first month's cost alone would stay within the bound),
    else the field furthest outside its typical range; None when neither."""
    if line is None:
        return None
    section = key_path.partition("[")[0]
    growth = float(getattr(line, "growth", 0.0) or 0.0)
    if growth > 0 and grows:
        fold = (1.0 + growth) ** max(plan.months - 1, 0)
        if fold >= 100:
            return "growth", (f"check its growth: {growth * 100:g}% a month compounds {fold:.3g}-fold over "
                              f"{plan.months} months")
    try:
        specs = fields.section(section).fields
    except KeyError:
        return None
    worst, found = 1.0, None
    per_usd = _per_usd(plan)
    for spec in specs:
        value = getattr(line, spec.key, None)
        t = spec.typical
        if t is None or not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
            continue
        scale = per_usd if t.usd else 1.0
        ratio = max(value / (t.high * scale), (t.low * scale) / value if spec.key in _DIVISORS else 0.0)
        if ratio > worst:
            worst, found = ratio, (spec.key, spec.unusual(value, currency=plan.currency, fx_rate=per_usd))
    return found


def _per_usd(plan: Plan) -> float:
    """The plan's currency per USD that scales the fields' typical USD ranges: its pinned ``fx_rate``, else the
    dated rate it converts at (``fx_rate`` became optional); 1 when there is none to be had (the message then
    compares with USD ranges, and still names the field)."""
    if plan.fx_rate:
        return float(plan.fx_rate)
    from pricing.context import fxrates
    try:
        return float(fxrates.for_plan(plan).per_usd)
    except PlanError:
        return 1.0


_DIVISORS = frozenset({"tokens_per_second_per_gpu", "utilization", "mfu"})
"""Fields that divide the cost: a value far below its typical range drives it up."""


def _line(plan: Plan, key_path: str) -> Any:
    section, _, index = key_path.partition("[")
    if not index:
        return plan.services.platform if key_path == "services.platform" else None
    return plan.section(section)[int(index.rstrip("]"))]


__all__ = ["DAYS_PER_MONTH", "DRIVERS", "GB_PER_TB", "HOURS_PER_MONTH", "CATEGORY_OF", "AccountUsage", "Context",
           "Driver", "LineItem", "Projection", "UnitCost", "View", "account_adjustment", "context",
           "cost_problems", "markup", "price_line", "project", "moved_with_account", "with_account_tiers",
           "with_commitments", "with_markup", "MAX_AMOUNT", "MAX_TOTAL", "Runaway", "amount_text", "first_month_over",
           "runaways"]

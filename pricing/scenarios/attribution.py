"""A scenario's saving against the baseline and its split between strategies (Shapley values)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from pricing import engine
from pricing.errors import Cancelled, PlanError
from pricing.plan import SECTIONS, Plan, Scenario
from pricing.scenarios.applying import _catalog, _context, _lever_catalog, _parse, _Parsed, _run, _scenario_path
from pricing.scenarios.strategies import COMPUTE_SECTIONS, STRATEGIES
from pricing.scenarios.transforms import _TRANSFORMS, _Env, _sections

if TYPE_CHECKING:
    from pricing.catalog import Catalog
    from pricing.engine import Projection

SHAPLEY_MAX = 8
"""Most strategies attributed with exact Shapley values (2^k projections); beyond, sequential."""

# ---------------------------------------------------------------------------------------------
# Evaluating scenarios: savings and their attribution
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class ScenarioResult:
    """A scenario projected against its baseline, with each strategy's share of the saving.

    The split of the saving among strategies (``attribution``, ``method``, ``notes``) prices the plan
    under every subset of strategies; ``evaluate(lazy=True)`` defers it to the first read of one of
    them, so a view that only draws the scenario's projection does not wait for it.
    """

    scenario: Scenario
    plan: Plan
    """The plan with the scenario applied."""
    projection: "Projection"
    baseline: "Projection"
    saving_monthly: np.ndarray
    """Baseline minus scenario cost, per month (plan currency)."""
    saving_total: float
    saving_share: float
    """Of the baseline's horizon total (0 when the baseline costs nothing)."""
    split: Any = field(default=None, repr=False)
    """``(attribution, method, notes)``, or the function that computes them on first use."""
    raw: Any = field(default=None, repr=False)
    """The strategies' monthly savings before ``_close`` (what a later ``evaluate(previous=...)`` may reuse)."""
    depends: Any = field(default=None, repr=False)
    """What the split depends on (``_Depends``): a later evaluation with the same reuses ``raw``."""

    def _parts(self) -> tuple:
        got = self.split
        if callable(got):
            got = got()
            object.__setattr__(self, "split", got)  # computed once; the figures never change
        return got

    def settle(self) -> "ScenarioResult":
        """Compute the attribution now if it was deferred (raises PlanError when a subset can't be priced)."""
        self._parts()
        return self

    @property
    def attribution(self) -> tuple[tuple[str, np.ndarray], ...]:
        """Strategy name -> its monthly saving; the parts sum to ``saving_monthly``."""
        return self._parts()[0]

    @property
    def method(self) -> str:
        """How the saving was split: ``shapley`` (exact) or ``sequential`` (beyond SHAPLEY_MAX strategies)."""
        return self._parts()[1]

    @property
    def notes(self) -> tuple[str, ...]:
        """Things worth saying next to the figures (a strategy that changes lines but saves nothing)."""
        return self._parts()[2]

    @property
    def months(self) -> tuple:
        return self.baseline.months


def evaluate(plan: Plan, scenario: Scenario, catalog: "Catalog | None" = None,
             baseline: "Projection | None" = None, *, lazy: bool = False, previous: ScenarioResult | None = None,
             cancel: Callable[[], bool] | None = None) -> ScenarioResult:
    """Project the scenario, its saving against the baseline, and each strategy's part of it.

    ``lazy``: split the saving among the strategies on first use of ``attribution`` (or ``settle()``)
    rather than now. ``previous``: the result of an earlier evaluation of this scenario (before an
    edit of the plan): its scenario projection's line items are reused for the lines that did not
    change, and its split is reused outright when nothing it depends on changed (the catalog, the
    scenario, the plan's horizon, provider, exchange rate, prices and platform, and the lines of the
    sections the strategies can change: other lines cost the same in every subset of strategies, so
    their part of every strategy's saving is nil). ``cancel()`` is checked between subsets (raises
    ``Cancelled``).
    """
    def check_cancel() -> None:
        if cancel is not None and cancel():
            raise Cancelled()

    env = _Env(_catalog(catalog))
    parsed, problems = _parse(scenario, _scenario_path(plan, scenario), _lever_catalog(plan, env))
    if problems:
        raise PlanError(problems)
    full, problems = _run(plan, parsed, env, check=True, cancel=cancel)
    if problems:
        raise PlanError(problems)
    check_cancel()
    if baseline is None:
        baseline = engine.project(plan, env.catalog)
    before = previous.projection if previous is not None else None
    projection = engine.project(full, env.catalog, previous=before)
    check_cancel()
    saving = baseline.monthly - projection.monthly
    depends = _Depends.of(plan, scenario, parsed, env.catalog)
    reuse = previous.raw if previous is not None and previous.raw is not None and previous.depends == depends else None

    def split() -> tuple:
        if reuse is not None:
            raw, method = reuse
        else:
            cost = _SubsetCost(plan, parsed, env, baseline, projection, cancel)
            if len(parsed) <= SHAPLEY_MAX:
                raw, method = _shapley(cost, len(parsed)), "shapley"
            else:
                raw, method = _sequential(cost, len(parsed)), "sequential"
        object.__setattr__(result, "raw", reuse if reuse is not None else (raw, method))
        parts = _close(raw, saving)
        notes = []
        if method == "sequential":
            notes.append(f"{len(parsed)} strategies: each is credited with what it saves after the ones before "
                         f"it in canonical order (exact Shapley values are computed for up to {SHAPLEY_MAX})")
        for p, part in zip(parsed, parts):
            if np.all(np.abs(part) < 0.005):
                notes.append(f"{p.name} changes the plan but saves nothing here "
                             f"({_NO_SAVING.get(p.name, 'the lines it changes cost the same')})")
            elif part.sum() < 0:
                notes.append(f"{p.name} costs more than it saves here (its part of the saving is negative)")
        return tuple((p.name, part) for p, part in zip(parsed, parts)), method, tuple(notes)

    base_total = baseline.total
    result = ScenarioResult(scenario, full, projection, baseline, saving, float(saving.sum()),
                            float(saving.sum() / base_total) if base_total else 0.0, split, None, depends)
    return result if lazy else result.settle()


class _Depends:
    """What a scenario's split between its strategies depends on, compared by identity first (an edit keeps
    the sections it did not touch as the same tuples), then by value."""

    __slots__ = ("catalog", "values", "lines")

    def __init__(self, catalog: "Catalog", values: tuple, lines: tuple):
        self.catalog, self.values, self.lines = catalog, values, lines

    @classmethod
    def of(cls, plan: Plan, scenario: Scenario, parsed: list[_Parsed], env_catalog: "Catalog") -> "_Depends":
        sections: set[str] = set()
        for p in parsed:
            a = p.a
            sections.update(_sections(STRATEGIES[p.name], a))
            if p.name == "reserved" and a.get("discount") is not None:  # a price every reserved line pays
                sections.update(COMPUTE_SECTIONS.values())
            if p.name == "self_host":  # its new serving lines join the inference lines
                sections.add("compute.inference")
        values = (scenario, plan.months, plan.start, plan.provider, plan.fx_rate, plan.prices, plan.services.platform)
        return cls(env_catalog, values, tuple((s, plan.section(s)) for s in sorted(sections)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Depends) or other.catalog is not self.catalog or other.values != self.values:
            return False
        return len(self.lines) == len(other.lines) and all(
            a == c and (b is d or b == d) for (a, b), (c, d) in zip(self.lines, other.lines))

    __hash__ = None  # type: ignore[assignment]


_NO_SAVING = {name: "serving lines held at min_gpus need no fewer GPUs" for name in
              ("quantization", "distillation", "efficient_architecture", "batching", "right_size")}
"""Why a strategy that changed lines may still save nothing."""


def evaluate_all(plan: Plan, catalog: "Catalog | None" = None) -> tuple[ScenarioResult, ...]:
    """Every scenario of the plan evaluated against one baseline projection."""
    catalog = _catalog(catalog)
    baseline = engine.project(plan, catalog)
    return tuple(evaluate(plan, s, catalog, baseline) for s in plan.scenarios)


class _SubsetCost:
    """Monthly cost of the plan with a subset of the scenario's strategies applied (canonical order).

    Each subset's plan is its parent's (the subset without its last strategy) with one more strategy
    applied, and differs from it only in the lines that strategy changed. So its cost is the parent's
    plus, for each changed line, the line's new cost less its old one (each distinct line priced once),
    with the platform's markup on the marked sections' sum (``engine.markup``) and the account-wide tiers
    on the lines' summed volumes (``engine.account_adjustment``: a line's cost under them depends on the
    other lines of its account, so the lines are summed as priced alone and the pass is added to the
    sum, as in ``project``); a strategy that adds or
    removes lines or changes prices has its subset summed afresh. The empty and the full subset come
    from the real projections, and this path is checked against both: if either disagrees (the engine
    learned something these sums do not know), every subset is projected with ``engine.project``.
    """

    def __init__(self, plan: Plan, parsed: list[_Parsed], env: _Env, baseline: "Projection",
                 full: "Projection", cancel: Callable[[], bool] | None = None):
        self.plan, self.parsed, self.env, self.cancel = plan, parsed, env, cancel
        self.k = len(parsed)
        top = (1 << self.k) - 1
        self.memo: dict[int, np.ndarray] = {0: baseline.monthly, top: full.monthly}
        self.items: dict[tuple, Any] = {}
        self.by_value: dict[tuple, Any] = {}
        self.plans: dict[int, tuple[Plan, tuple[str, ...]]] = {0: (plan, ())}
        self.states: dict[int, _State] = {}
        self.contexts: dict[tuple, Any] = {}
        self.exact = bool(self.k) and not (
            np.allclose(self._fast(0), baseline.monthly, rtol=1e-12, atol=1e-6)
            and np.allclose(self._fast(top), full.monthly, rtol=1e-12, atol=1e-6))

    def _plan(self, mask: int) -> Plan:
        """The plan with the subset ``mask`` applied: the subset without its last strategy (in canonical
        order), then that strategy; memoized (with the lines it changed), so each subset costs one transform."""
        got = self.plans.get(mask)
        if got is None:
            last = mask.bit_length() - 1
            p = self.parsed[last]
            before = self._plan(mask & ~(1 << last))
            self.env.strategy = last  # each line's change is remembered: subsets share the changed line objects
            try:
                got = self.plans[mask] = _TRANSFORMS[p.name](before, p.a, self.env)
            finally:
                self.env.strategy = None
        return got[0]

    def __call__(self, mask: int) -> np.ndarray:
        got = self.memo.get(mask)
        if got is None:
            if self.cancel is not None and self.cancel():
                raise Cancelled()
            got = engine.project(self._plan(mask), self.env.catalog).monthly if self.exact else self._fast(mask)
            self.memo[mask] = got
        return got

    def _fast(self, mask: int) -> np.ndarray:
        state = self._state(mask)
        rest = state.rest + state.rate * state.marked if state.rate else state.rest
        if state.accounts:  # account-wide tiers on the subset's summed volumes, as project's pass (data, MLOps)
            rest = rest + engine.account_adjustment([state.items[at] for at in state.accounts])
        return rest

    def _context(self, plan: Plan) -> Any:
        ctx = self.contexts.get(plan.prices)
        if ctx is None:
            ctx = self.contexts[plan.prices] = _context(plan, self.env)
        return ctx

    def _item(self, section: str, i: int, line: Any, plan: Plan, ctx: Any) -> Any:
        """The line item of a line: by identity (untouched lines are the same objects in every subset; the line
        is stored with its item, which keeps it alive and its id unique), else by value (a line a transform
        rebuilt is a new object equal to one priced before), else priced."""
        key = (section, i, id(line), plan.prices)
        got = self.items.get(key)
        if got is None or got[0] is not line:
            same = (section, i, line, plan.prices)
            item = self.by_value.get(same)
            if item is None:
                item = self.by_value[same] = engine.price_line(section, i, line, ctx)
            got = self.items[key] = (line, item)
        return got[1]

    def _state(self, mask: int) -> "_State":
        state = self.states.get(mask)
        if state is not None:
            return state
        plan = self._plan(mask)
        ctx = self._context(plan)
        if mask:
            last = mask.bit_length() - 1
            parent_mask = mask & ~(1 << last)
            parent, changed = self._plan(parent_mask), self.plans[mask][1]
            before = self._state(parent_mask)
            if plan.prices == parent.prices and _lengths(plan) == before.lengths:  # the changed lines' differences
                items, rest, marked = list(before.items), before.rest.copy(), before.marked.copy()
                offsets, accounts = before.offsets, set(before.accounts)
                for key in changed:
                    section, _, rest_key = key.partition("[")
                    i = int(rest_key[:-1])
                    item = self._item(section, i, plan.section(section)[i], plan, ctx)
                    at = offsets[section] + i
                    diff = item.monthly - items[at].monthly
                    items[at] = item
                    if item.account:
                        accounts.add(at)
                    else:
                        accounts.discard(at)
                    rest += diff
                    if section in before.sections:
                        marked += diff
                state = self.states[mask] = _State(before.lengths, offsets, items, rest, marked, before.rate,
                                                   before.sections, tuple(sorted(accounts)))
                return state
        items = [self._item(section, i, line, plan, ctx) for section, i, line in plan.lines()]
        rate, sections = engine.markup(plan, ctx)
        n = plan.months
        rows = [li.monthly for li in items]
        rest = np.sum(rows, axis=0) if rows else np.zeros(n)
        marks = [li.monthly for li in items if li.section in sections]
        marked = np.sum(marks, axis=0) if marks else np.zeros(n)
        lengths = _lengths(plan)
        offsets, at = {}, 0
        for (section, _), length in zip(SECTIONS, lengths):
            offsets[section] = at
            at += length
        state = self.states[mask] = _State(lengths, offsets, items, np.broadcast_to(rest, (n,)).astype(float),
                                           np.broadcast_to(marked, (n,)).astype(float), rate, sections,
                                           tuple(at for at, li in enumerate(items) if li.account))
        return state


class _State:
    """A subset's plan as ``_SubsetCost`` sums it: its line items in plan order and their sums."""

    __slots__ = ("lengths", "offsets", "items", "rest", "marked", "rate", "sections", "accounts")

    def __init__(self, lengths: tuple[int, ...], offsets: dict[str, int], items: list, rest: np.ndarray,
                 marked: np.ndarray, rate: float, sections: frozenset[str], accounts: tuple[int, ...]):
        self.lengths, self.offsets, self.items = lengths, offsets, items
        self.rest, self.marked, self.rate, self.sections = rest, marked, rate, sections
        """``rest``: every line's cost as priced alone; ``marked``: the lines the platform marks up at ``rate``."""
        self.accounts = accounts
        """Positions in ``items`` of the lines billed under account-wide tiers (their pass is added by ``_fast``)."""


def _lengths(plan: Plan) -> tuple[int, ...]:
    return tuple(len(plan.section(section)) for section, _ in SECTIONS)


def _shapley(cost: Callable[[int], np.ndarray], k: int) -> list[np.ndarray]:
    """Each strategy's Shapley value of the saving: its average marginal saving over all orders.

    phi_i = sum over subsets S without i of |S|! (k-|S|-1)! / k! x (cost(S) - cost(S + i)).
    """
    fact = [math.factorial(n) for n in range(k + 1)]
    phi = [np.zeros_like(cost(0), dtype=float) for _ in range(k)]
    for mask in range(1 << k):
        size = bin(mask).count("1")
        if size == k:
            continue
        weight = fact[size] * fact[k - size - 1] / fact[k]
        here = cost(mask)
        for i in range(k):
            if not mask >> i & 1:
                phi[i] = phi[i] + weight * (here - cost(mask | 1 << i))
    return phi


def _sequential(cost: Callable[[int], np.ndarray], k: int) -> list[np.ndarray]:
    """Each strategy's saving when added after those before it in the canonical order."""
    out = []
    mask = 0
    for i in range(k):
        out.append(cost(mask) - cost(mask | 1 << i))
        mask |= 1 << i
    return out


def _close(parts: list[np.ndarray], saving: np.ndarray) -> list[np.ndarray]:
    """Parts adjusted by the float rounding left over so they sum to ``saving`` (each month)."""
    if not parts:
        return parts
    residual = saving - np.sum(parts, axis=0)
    big = int(np.argmax([np.abs(p).sum() for p in parts]))
    parts = list(parts)
    parts[big] = parts[big] + residual
    return parts

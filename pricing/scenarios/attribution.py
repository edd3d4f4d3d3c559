"""A scenario's saving against the baseline and its split between strategies (Shapley values)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from pricing.errors import PlanError
from pricing.plan import Plan, Scenario
from pricing.scenarios.applying import _catalog, _context, _lever_catalog, _parse, _Parsed, _run, _scenario_path
from pricing.scenarios.transforms import _Env

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
             baseline: "Projection | None" = None, *, lazy: bool = False, view: Any = None) -> ScenarioResult:
    """Project the scenario, its saving against the baseline, and each strategy's part of it.

    ``lazy``: split the saving among the strategies on first use of ``attribution`` (or ``settle()``)
    rather than now. ``view``: how commitments are charged (``engine.View``; default the baseline's, else
    amortised): every subset is projected in it.
    """
    from pricing import engine
    env = _Env(_catalog(catalog))
    parsed, problems = _parse(scenario, _scenario_path(plan, scenario), _lever_catalog(plan, env))
    if problems:
        raise PlanError(problems)
    full, problems = _run(plan, parsed, env, check=True)
    if problems:
        raise PlanError(problems)
    view = view or (baseline.view if baseline is not None else engine.View.AMORTISED)
    if baseline is None:
        baseline = engine.project(plan, env.catalog, view=view)
    projection = engine.project(full, env.catalog, view=view)
    saving = baseline.monthly - projection.monthly

    def split() -> tuple:
        cost = _SubsetCost(plan, parsed, env, baseline, projection, view)
        if len(parsed) <= SHAPLEY_MAX:
            parts, method = _shapley(cost, len(parsed)), "shapley"
        else:
            parts, method = _sequential(cost, len(parsed)), "sequential"
        parts = _close(parts, saving)
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
        notes += _commitment_notes(projection, len(plan.commitments))
        return tuple((p.name, part) for p, part in zip(parsed, parts)), method, tuple(notes)

    base_total = baseline.total
    result = ScenarioResult(scenario, full, projection, baseline, saving, float(saving.sum()),
                            float(saving.sum() / base_total) if base_total else 0.0, split)
    return result if lazy else result.settle()


_NO_SAVING = {name: "serving lines held at min_gpus need no fewer GPUs" for name in
              ("quantization", "distillation", "efficient_architecture", "batching", "right_size")}
"""Why a strategy that changed lines may still save nothing."""


def _commitment_notes(projection: "Projection", kept: int) -> list[str]:
    """Commitments the scenario adds (after the plan's ``kept`` own) whose term runs past the horizon: what they
    still owe then is not in its saving."""
    new = [li for li in projection.line_items if li.section == "commitments"][kept:]
    return [f"{li.name}: {note}" for li in new for note in li.notes if "past the horizon" in note]


def evaluate_all(plan: Plan, catalog: "Catalog | None" = None, *, view: Any = None) -> tuple[ScenarioResult, ...]:
    """Every scenario of the plan evaluated against one baseline projection (in ``view``, default amortised)."""
    from pricing import engine
    catalog = _catalog(catalog)
    baseline = engine.project(plan, catalog, view=view or engine.View.AMORTISED)
    return tuple(evaluate(plan, s, catalog, baseline) for s in plan.scenarios)


class _SubsetCost:
    """Monthly cost of the plan with a subset of the scenario's strategies applied (canonical order).

    Subsets share most of their lines with the baseline, so each line is priced once per distinct
    (section, place, line, price overrides) and the line items are summed, as ``engine.project``
    sums them, instead of projecting every subset from scratch. The empty and the full subset
    come from the real projections, and the fast path is checked against both: if either
    disagrees (the engine learned something this sum does not know), every subset is projected
    with ``engine.project`` instead.
    """

    def __init__(self, plan: Plan, parsed: list[_Parsed], env: _Env, baseline: "Projection",
                 full: "Projection", view: Any = "amortised"):
        self.plan, self.parsed, self.env, self.view = plan, parsed, env, view
        self.k = len(parsed)
        top = (1 << self.k) - 1
        self.memo: dict[int, np.ndarray] = {0: baseline.monthly, top: full.monthly}
        self.items: dict[tuple, Any] = {}
        self.by_value: dict[tuple, Any] = {}
        self.plans: dict[int, Plan] = {0: plan}
        self.contexts: dict[tuple, Any] = {}
        self.exact = bool(self.k) and not (
            np.allclose(self._fast(self._plan(0)), baseline.monthly, rtol=1e-12, atol=1e-6)
            and np.allclose(self._fast(self._plan(top)), full.monthly, rtol=1e-12, atol=1e-6))

    def _plan(self, mask: int) -> Plan:
        """The plan with the subset ``mask`` applied: the subset without its last strategy (in canonical
        order), then that strategy; memoized, so each subset costs one transform."""
        got = self.plans.get(mask)
        if got is None:
            last = mask.bit_length() - 1
            before = self._plan(mask & ~(1 << last))
            got = self.plans[mask] = _run(before, [self.parsed[last]], self.env, check=False)[0]
        return got

    def __call__(self, mask: int) -> np.ndarray:
        got = self.memo.get(mask)
        if got is None:
            plan = self._plan(mask)
            if self.exact:
                from pricing import engine
                got = engine.project(plan, self.env.catalog, view=self.view).monthly
            else:
                got = self._fast(plan)
            self.memo[mask] = got
        return got

    def _fast(self, plan: Plan) -> np.ndarray:
        from pricing import engine
        ctx = self.contexts.get(plan.prices)
        if ctx is None:
            ctx = self.contexts[plan.prices] = _context(plan, self.env)
        items = []
        for section, i, line in plan.lines():
            # Untouched lines are the same objects in every subset (transforms keep them), so identity
            # is the key; the line is stored with its item, which keeps it alive and its id unique.
            # A line a transform rebuilt is a new object equal to one priced before: then its value is the key.
            key = (section, i, id(line), plan.prices)
            got = self.items.get(key)
            if got is None or got[0] is not line:
                same = (section, i, line, plan.prices)
                item = self.by_value.get(same)
                if item is None:
                    item = self.by_value[same] = engine.price_line(section, i, line, ctx)
                got = self.items[key] = (line, item)
            items.append(got[1])
        items = engine.with_commitments(plan, engine.with_markup(plan, items, ctx), ctx, self.view)
        return np.sum([li.monthly for li in items], axis=0) if items else np.zeros(plan.months)


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

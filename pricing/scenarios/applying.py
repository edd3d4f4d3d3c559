"""Applying a scenario: its strategies read and checked (every problem with its key path), then run in order."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable

import numpy as np

from pricing import fx
from pricing.errors import Cancelled, PlanError, Problem, UnknownNameError, closest
from pricing.plan import Plan, Scenario, StrategySpec
from pricing.fields import FieldSpec
from pricing.scenarios.strategies import STRATEGIES, StrategyInfo
from pricing.scenarios.transforms import _TRANSFORMS, Args, Changed, _Env, _sections

if TYPE_CHECKING:
    from pricing.catalog import Catalog


# ---------------------------------------------------------------------------------------------
# Parsing a scenario's strategies: every problem with its key path
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Parsed:
    """A strategy of a scenario with its parameters read, ready to apply."""

    name: str
    args: tuple[tuple[str, Any], ...]
    path: str
    """Key path of the strategy (``scenarios[0].strategies.spot``)."""
    singles: tuple[str, ...] = ()
    """Name-list parameters written as one name rather than a list (for key paths of problems)."""

    @property
    def a(self) -> Args:
        return dict(self.args)


def _lever_default(catalog: "Catalog | None", p: FieldSpec) -> Any:
    """A parameter's default: the catalog lever's value when the catalog has the lever, else ``default``."""
    if p.lever and catalog is not None:
        value = _lever_value(catalog, p.lever)
        if value is not None:
            return value
    return p.default


def _lever_value(catalog: "Catalog", key: str) -> float | None:
    """A levers.yaml figure (plan overrides applied), or None when the catalog has no value for it."""
    try:
        return float(catalog.lever(key).value)
    except PlanError:  # an unknown lever or a known gap: the strategy's own default (or requirement) holds
        return None


def _scenario_path(plan: Plan, scenario: Scenario) -> str:
    for i, s in enumerate(plan.scenarios):
        if s is scenario:
            return f"scenarios[{i}]"
    for i, s in enumerate(plan.scenarios):
        if s.name == scenario.name:
            return f"scenarios[{i}]"
    return f"scenarios[{scenario.name!r}]"


def _parse(scenario: Scenario, path: str, catalog: "Catalog | None") -> tuple[list[_Parsed], list[Problem]]:
    """Read a scenario's strategies (canonical order) and every problem of their parameters."""
    problems: list[Problem] = []
    parsed: dict[str, _Parsed] = {}
    for spec in scenario.strategies:
        spath = f"{path}.strategies.{spec.name}"
        info = STRATEGIES.get(spec.name)
        if info is None:
            err = UnknownNameError("savings strategy", spec.name, STRATEGIES,
                                   hint="" if closest(spec.name, STRATEGIES) else f"known: {', '.join(STRATEGIES)}")
            problems.append(Problem(err.problems[0].message, spath))
            continue
        if spec.name in parsed:
            problems.append(Problem(f"strategy {spec.name!r} appears twice in this scenario", spath))
            continue
        args, bad = _parse_params(info, spec, spath, catalog)
        problems.extend(bad)
        if not bad:
            singles = tuple(k for k, v in spec.params if isinstance(v, str) and k in ("lines", "api"))
            parsed[spec.name] = _Parsed(spec.name, tuple(args.items()), spath, singles)
    order = list(STRATEGIES)
    return sorted(parsed.values(), key=lambda p: order.index(p.name)), problems


def _parse_params(info: StrategyInfo, spec: StrategySpec, spath: str,
                  catalog: "Catalog | None") -> tuple[Args, list[Problem]]:
    problems: list[Problem] = []
    known = [p.key for p in info.params]
    args: Args = {}
    raw = dict(spec.params)
    meant: set[str] = set()  # parameters a misspelt key probably is (not reported missing as well)
    for key, value in spec.params:
        if key not in known:
            sugg = closest(str(key), known, n=3)
            meant.update(sugg[:1])
            hint = f"; did you mean {', '.join(repr(s) for s in sugg)}?" if sugg else ""
            problems.append(Problem(f"unknown parameter {key!r} of {info.name}{hint} "
                                    f"({info.name} takes {', '.join(known)})", f"{spath}.{key}"))
            continue
        p = info.param(key)
        try:
            args[key] = p.read(value)
        except PlanError as exc:
            msg = exc.problems[0].message
            if p.example and "expected" not in msg:
                msg += f"; expected {p.example}"
            problems.append(Problem(msg, f"{spath}.{key}"))
    for p in info.params:
        if p.key in args or p.key in raw or p.key in meant:
            continue
        default = _lever_default(catalog, p)
        if p.required and default is None:
            if info.name == "self_host" and p.key == "api" and "lines" in raw:
                continue
            problems.append(Problem(f"missing {p.key!r} ({p.help.rstrip('.').lower()}): expected "
                                    f"{p.example}" + (f"; {p.source}" if p.source else ""), spath))
        elif default is not None and p.key != "lines":
            args[p.key] = default
    if problems:
        return args, problems
    problems += _check_combination(info, args, spath)
    return args, problems


def _check_combination(info: StrategyInfo, a: Args, spath: str) -> list[Problem]:
    """Parameters that only make sense together."""
    out: list[Problem] = []
    name = info.name
    if name == "right_size":
        if "target_utilization" not in a and "gpu" not in a:
            out.append(Problem("give target_utilization (e.g. 75%), or gpu with tokens_per_second_per_gpu, "
                               "or both", spath))
        if ("gpu" in a) != ("tokens_per_second_per_gpu" in a):
            missing = "tokens_per_second_per_gpu" if "gpu" in a else "gpu"
            out.append(Problem(f"missing {missing!r}: moving to another GPU needs the GPU and its throughput "
                               "(tokens per second differ by GPU)", spath))
    if name == "move" and bool(a.get("to")) == bool(a.get("cheapest")):
        out.append(Problem("give either to (a provider, e.g. to: gcp) or cheapest: true, not both"
                           if a.get("to") else "missing 'to': give the provider to move to (e.g. to: gcp), or "
                           "cheapest: true", spath))
    if name == "self_host" and not ({"model_family", "params", "tokens_per_second_per_gpu"} & set(a)):
        out.append(Problem("say what is served: model_family (e.g. llama-3.1-70b) or params (e.g. 70B), sized from "
                           "the model and the GPU, or a measured tokens_per_second_per_gpu", spath))
    if name == "lifecycle":
        has_rule = "after_days" in a or "tier" in a
        if "rules" in a and has_rule:
            out.append(Problem("give either after_days + tier, or rules, not both", spath))
        elif "rules" not in a and not ("after_days" in a and "tier" in a):
            missing = [k for k in ("after_days", "tier") if k not in a]
            out.append(Problem(f"missing {' and '.join(repr(m) for m in missing)}: give after_days and tier "
                               "(e.g. after_days: 90, tier: infrequent), or rules", spath))
    return out


def _check_lines(plan: Plan, p: "_Parsed", original: Plan) -> list[Problem]:
    """``lines`` (and self_host's ``api``) must name lines the strategy can change in ``plan``, the
    plan as it stands when the strategy runs (after the strategies before it in canonical order)."""
    out: list[Problem] = []
    info, a = STRATEGIES[p.name], p.a
    for key in ("lines", "api") if p.name == "self_host" else ("lines",):
        if key not in a:
            continue
        sections = _sections(info, a)
        if p.name == "compression" and not a.get("egress"):
            sections = ("data.storage",)
        eligible = {line.name for s in sections for line in plan.section(s)}
        for j, n in enumerate(a[key]):
            if n in eligible:
                continue
            at = f"{p.path}.{key}" if key in p.singles else f"{p.path}.{key}[{j}]"
            elsewhere = [s for s, _, line in plan.lines() if line.name == n]
            before = [s for s, _, line in original.lines() if line.name == n]
            if elsewhere:
                what = f"{n!r} is a {elsewhere[0]} line"
                if before and before[0] != elsewhere[0]:
                    what += f" once earlier strategies ran (it was a {before[0]} line)"
                out.append(Problem(f"{what}; {p.name} changes lines of {', '.join(sections)}", at))
            elif before:
                out.append(Problem(f"{n!r} is no longer in the plan when {p.name} runs (a strategy before it "
                                   "in canonical order replaced it)", at))
            else:
                sugg = closest(n, eligible, n=3)
                hint = f"; did you mean {', '.join(repr(s) for s in sugg)}?" if sugg else \
                    (f"; lines it can change: {', '.join(sorted(eligible))}" if eligible else "")
                out.append(Problem(f"no line named {n!r} in {', '.join(sections)}{hint}", at))
    return out


# ---------------------------------------------------------------------------------------------
# Applying scenarios
# ---------------------------------------------------------------------------------------------

_KIND_PARAM = {"gpu": "gpu", "storage tier": "tier", "tier": "tier", "model": "model", "provider": "provider",
               "api provider": "provider"}
"""Which parameter a name in an UnknownNameError comes from."""


def _run(plan: Plan, parsed: Iterable[_Parsed], env: _Env, *, check: bool,
         cancel: Callable[[], bool] | None = None) -> tuple[Plan, list[Problem]]:
    """Apply parsed strategies in order; with ``check``, report names it can't find, strategies that
    change nothing and changed lines the catalog can't price (a strategy with a problem is skipped).
    ``cancel()`` is polled between strategies and while pricing changed lines (raises ``Cancelled``)."""
    problems: list[Problem] = []
    original = plan
    for p in parsed:
        if cancel is not None and cancel():
            raise Cancelled()
        a = p.a
        if check:
            bad_names = _check_lines(plan, p, original)
            if bad_names:
                problems += bad_names
                continue
        try:
            new, changed = _TRANSFORMS[p.name](plan, a, env)
        except PlanError as exc:
            if not check:
                raise
            problems.append(_locate(exc, p, a))
            continue
        if check:
            if not changed:
                problems.append(Problem(f"{p.name} changes nothing in this plan: {STRATEGIES[p.name].noop}"
                                        + (f" (among {', '.join(a['lines'])})" if "lines" in a else ""), p.path))
                continue
            bad = _price_changed(new, changed, env, cancel)
            if bad is not None:
                problems.append(_locate(bad, p, a))
                continue
        plan = new
    return plan, problems


def _context(plan: Plan, env: _Env) -> Any:
    """The engine's pricing context of a plan, with the catalog (overrides applied) cached by ``env``."""
    from pricing import engine
    return engine.Context(plan, env.priced(plan), plan.months, fx.for_plan(plan).per_usd,
                          np.arange(plan.months, dtype=float))


def _price_changed(plan: Plan, changed: Changed, env: _Env,
                   cancel: Callable[[], bool] | None = None) -> PlanError | None:
    """The first pricing error of the changed lines, if any (a name the catalog lacks, a missing price)."""
    from pricing import engine
    ctx = _context(plan, env)
    for n, key in enumerate(changed):
        if cancel is not None and n % 64 == 63 and cancel():
            raise Cancelled()
        section, _, rest = key.partition("[")
        i = int(rest[:-1])
        line = plan.section(section)[i]
        try:
            engine.price_line(section, i, line, ctx)
        except UnknownNameError as exc:
            return exc
        except PlanError as exc:
            return PlanError(tuple(Problem(f"{line.name!r}: {q.message}", q.key_path) for q in exc.problems))
    return None


def _locate(exc: PlanError, p: _Parsed, a: Args) -> Problem:
    path = p.path
    if isinstance(exc, UnknownNameError):
        param = _KIND_PARAM.get(exc.kind.lower())
        if param == "tier" and "rules" in a:
            param = "rules"
        if param in a:
            path = f"{p.path}.{param}"
    return Problem(exc.problems[0].message, path)


def _catalog(catalog: "Catalog | None") -> "Catalog":
    if catalog is not None:
        return catalog
    from pricing.catalog import Catalog
    return Catalog.load()


def apply(plan: Plan, scenario: Scenario, catalog: "Catalog | None" = None) -> Plan:
    """The plan with the scenario's strategies applied in canonical order (``STRATEGIES``' order).

    Raises ``PlanError`` listing every problem (key paths ``scenarios[i].strategies.<name>.<param>``):
    unknown strategies or parameters, bad values, lines it cannot find, a strategy that changes
    nothing, a changed line the catalog cannot price.
    """
    catalog = _catalog(catalog)
    new, problems = _apply_checked(plan, scenario, _Env(catalog))
    if problems:
        raise PlanError(problems)
    return new


def _lever_catalog(plan: Plan, env: _Env) -> "Catalog":
    """The catalog lever defaults come from: the plan's overrides applied (a plan may set a lever)."""
    try:
        return env.priced(plan)
    except PlanError:  # a bad override key is the plan checks' to report; defaults come from the catalog
        return env.catalog


def _apply_checked(plan: Plan, scenario: Scenario, env: _Env) -> tuple[Plan, list[Problem]]:
    parsed, problems = _parse(scenario, _scenario_path(plan, scenario), _lever_catalog(plan, env))
    if problems:
        return plan, problems
    return _run(plan, parsed, env, check=True)


def check_scenarios(plan: Plan, catalog: "Catalog | None" = None) -> list[Problem]:
    """Every problem of every scenario of the plan, each with its key path (none raised)."""
    if not plan.scenarios:
        return []
    try:
        env = _Env(_catalog(catalog))
    except PlanError as exc:
        return list(exc.problems)
    problems: list[Problem] = []
    for scenario in plan.scenarios:
        problems += _apply_checked(plan, scenario, env)[1]
    return problems

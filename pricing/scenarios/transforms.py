"""Savings strategies as pure ``Plan -> Plan`` transforms (``dataclasses.replace``, never mutation)."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable, Iterable

from pricing.plan import ApiLine, EgressKind, InferenceService, LifecycleRule, Plan, Pricing, Range, ThroughputBasis
from pricing.scenarios.strategies import COMPUTE_SECTIONS, STRATEGIES, StrategyInfo

if TYPE_CHECKING:
    from pricing.catalog import Catalog


# ---------------------------------------------------------------------------------------------
# Helpers for transforms
# ---------------------------------------------------------------------------------------------


def _mapped(line: Any, name: str, fn: Callable[[float], float], keep_spread: bool = False) -> Any:
    """``line`` with field ``name`` mapped through the increasing ``fn`` (its range too)."""
    ranges = []
    for key, r in line.ranges:
        if key == name:
            r = Range(fn(r.low), fn(r.likely), fn(r.high), r.spread if keep_spread else None)
        ranges.append((key, r))
    return replace(line, **{name: fn(getattr(line, name))}, ranges=tuple(ranges))


def _scaled(line: Any, name: str, factor: float) -> Any:
    """``line`` with an amount (and its range) multiplied by ``factor``; a relative spread is kept."""
    return _mapped(line, name, lambda x: x * factor, keep_spread=True)


def _set(line: Any, **values: Any) -> Any:
    """``line`` with fields set to values (their ranges dropped: the strategy fixes them)."""
    return replace(line, **values, ranges=tuple((k, r) for k, r in line.ranges if k not in values))


class _Env:
    """What transforms may look up: the catalog (with a plan's overrides, cached by overrides)."""

    def __init__(self, catalog: "Catalog"):
        self.catalog = catalog
        self._priced: dict[tuple, "Catalog"] = {}
        self.commit_memo: dict[tuple, Any] = {}
        """The commit strategy's choices by what they depend on (subsets of a scenario share them)."""

    def priced(self, plan: Plan) -> "Catalog":
        if not plan.prices:
            return self.catalog
        got = self._priced.get(plan.prices)
        if got is None:
            got = self._priced[plan.prices] = self.catalog.with_overrides(plan.price_overrides)
        return got


Args = dict[str, Any]
Changed = tuple[str, ...]
"""Key paths (``compute.inference[0]``) of the lines a strategy changed or added."""


def _sections(info: StrategyInfo, a: Args) -> tuple[str, ...]:
    if "applies_to" in a and info.name in ("spot", "reserved", "commit"):
        return tuple(COMPUTE_SECTIONS[s] for s in a["applies_to"])
    return info.sections


def _edit(plan: Plan, sections: Iterable[str], names: tuple[str, ...] | None,
          change: Callable[[Any, str], Any]) -> tuple[Plan, Changed]:
    """Apply ``change(line, section)`` (a new line, or None to leave it) to the selected lines."""
    changed: list[str] = []
    for section in sections:
        lines = plan.section(section)
        new = list(lines)
        for i, line in enumerate(lines):
            if names is not None and line.name not in names:
                continue
            out = change(line, section)
            if out is not None and out != line:
                new[i] = out
                changed.append(f"{section}[{i}]")
        if any(a is not b for a, b in zip(new, lines)):
            plan = plan.with_section(section, tuple(new))
    return plan, tuple(changed)


def _provider(plan: Plan, line: Any, catalog: "Catalog") -> str:
    """The canonical cloud a line is priced at (its own, else the plan's)."""
    return catalog.resolve_provider(getattr(line, "provider", None) or plan.provider)


# -- the transforms: (plan, args, env) -> (plan, changed key paths) ----------------------------


def _self_host(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    names = set(a.get("api", ())) | set(a.get("lines", ()))
    keep: list[ApiLine] = []
    added: list[InferenceService] = []
    for line in plan.services.apis:
        if line.name not in names:
            keep.append(line)
            continue
        served = 1.0 - line.response_cache_hit_rate
        carried = {"requests_per_month": served, "input_tokens": 1.0, "output_tokens": 1.0, "growth": 1.0}
        ranges = tuple((k, Range(r.low * carried[k], r.likely * carried[k], r.high * carried[k], r.spread)
                        if k != "growth" else r) for k, r in line.ranges if k in carried)
        added.append(InferenceService(
            name=line.name, gpu=a["gpu"], requests_per_month=line.requests_per_month * served,
            input_tokens=line.input_tokens, output_tokens=line.output_tokens,
            tokens_per_second_per_gpu=a["tokens_per_second_per_gpu"],
            throughput_basis=a.get("throughput_basis", ThroughputBasis.OUTPUT),
            utilization=a.get("utilization", 0.6), growth=line.growth, min_gpus=a.get("min_gpus", 1),
            start=line.start, end=line.end, pricing=a.get("pricing", Pricing.ON_DEMAND),
            provider=a.get("provider"), ranges=ranges))
    if not added:
        return plan, ()
    first = len(plan.compute.inference)
    plan = plan.with_section("services.apis", tuple(keep))
    plan = plan.with_section("compute.inference", plan.compute.inference + tuple(added))
    return plan, tuple(f"compute.inference[{first + j}]" for j in range(len(added)))


def _model_switch(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    def change(line: ApiLine, section: str) -> ApiLine | None:
        provider = a.get("provider", line.provider)
        if line.model.lower() == a["model"].lower() and line.provider.lower() == provider.lower():
            return None
        return replace(line, model=a["model"], provider=provider)
    return _edit(plan, ("services.apis",), a.get("lines"), change)


def _right_size(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    catalog = env.priced(plan)
    gpu = catalog.resolve_gpu(a["gpu"]) if "gpu" in a else None
    target = a.get("target_utilization")

    def change(line: InferenceService, section: str) -> InferenceService:
        if gpu is not None and (catalog.resolve_gpu(line.gpu) != gpu
                                or line.tokens_per_second_per_gpu != a["tokens_per_second_per_gpu"]):
            line = _set(line, gpu=gpu, tokens_per_second_per_gpu=a["tokens_per_second_per_gpu"])
        if target is not None and line.utilization < target:
            line = _set(line, utilization=target)
        return line
    return _edit(plan, ("compute.inference",), a.get("lines"), change)


def _throughput(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    gain = a["throughput_gain"]
    return _edit(plan, ("compute.inference",), a.get("lines"),
                 lambda line, s: _scaled(line, "tokens_per_second_per_gpu", gain))


def _reserved(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    sections = _sections(STRATEGIES["reserved"], a)
    names = a.get("lines")
    new, changed = _edit(plan, sections, names,
                         lambda line, s: None if line.pricing is Pricing.RESERVED else replace(line, pricing=Pricing.RESERVED))
    if a.get("discount") is None:
        return new, changed
    # An explicit discount is the plan's reserved discount at each provider the strategy touches:
    # a price override of ``reserved_discount.<provider>``, so the catalog derives every reserved
    # GPU price there as on-demand (the plan's, overrides included) x (1 - discount) and says so
    # in its source. Lines already reserved at that provider pay it too (a commitment is bought
    # from the provider, not per line).
    catalog = env.priced(plan)
    prices = dict(new.prices)
    providers = set()
    for section in sections:
        for line in new.section(section):
            if names is None or line.name in names:
                providers.add(_provider(plan, line, catalog))
    for p in sorted(providers):
        prices[f"reserved_discount.{p}"] = a["discount"]
    if dict(new.prices) == prices:
        return new, changed
    new = replace(new, prices=tuple(prices.items()))
    more = []
    for section in COMPUTE_SECTIONS.values():
        for i, line in enumerate(new.section(section)):
            key = f"{section}[{i}]"
            if line.pricing is Pricing.RESERVED and key not in changed and _provider(new, line, catalog) in providers:
                more.append(key)
    return new, changed + tuple(more)


def _spot(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    overhead = a["interruption_overhead"]

    def change(line: Any, section: str) -> Any:
        if line.pricing is Pricing.SPOT:
            return None
        return _set(line, pricing=Pricing.SPOT, interruption_overhead=overhead)
    return _edit(plan, _sections(STRATEGIES["spot"], a), a.get("lines"), change)


def _commit(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    """Add the commitments ``pricing.commitments.choose`` picks (sized on the usage the strategies before it leave)."""
    from pricing.commitments.choose import choose
    sections = _sections(STRATEGIES["commit"], a)
    # what the choice depends on: the compute lines, their prices and settings, the commitments already there
    key = (plan.compute, plan.services.platform, plan.prices, plan.provider, plan.months, plan.fx_rate,
           plan.commitments, tuple(sorted((k, repr(v)) for k, v in a.items())))
    got = env.commit_memo.get(key)
    if got is None:
        got = env.commit_memo[key] = tuple(c.line for c in choose(
            plan, env.catalog, offer=a.get("offer", "auto"), gpus_of=a.get("pools"), sections=sections,
            lines=a.get("lines"), gpus=a.get("gpus"), coverage=a.get("coverage"), start=a.get("start"),
            upfront_share=a.get("upfront_share")))
    if not got:
        return plan, ()
    first = len(plan.commitments)
    return replace(plan, commitments=plan.commitments + got), tuple(f"commitments[{first + j}]"
                                                                     for j in range(len(got)))


def _auto_shutdown(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    cut = a["idle_cut"]

    def change(line: Any, section: str) -> Any:
        idle = line.idle_share
        if not idle:
            return None
        kept = 1.0 - idle * cut                       # share of billed hours left
        line = _scaled(line, "hours_per_week", kept)  # a range of hours: scaled at the likely idle share
        return _mapped(line, "idle_share", lambda i: i * (1.0 - cut) / (1.0 - i * cut) if i * cut < 1.0 else 0.0)
    return _edit(plan, ("compute.exploration",), a.get("lines"), change)


def _api_cache(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    rate = a["hit_rate"]
    return _edit(plan, ("services.apis",), a.get("lines"),
                 lambda line, s: _mapped(line, "response_cache_hit_rate", lambda h: 1.0 - (1.0 - h) * (1.0 - rate)))


def _prompt_caching(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    from pricing import apiprices
    share = a["cached_share"]
    overrides = env.priced(plan).overrides

    def change(line: ApiLine, section: str) -> ApiLine | None:
        if not line.input_tokens or line.cached_input_share >= share:
            return None
        model = apiprices.resolve(line.provider, line.model, overrides)
        if model.cached_input_per_mtok is None:  # the model bills cached input as input
            return None
        return _set(line, cached_input_share=share)
    return _edit(plan, ("services.apis",), a.get("lines"), change)


def _lifecycle(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    rules = a["rules"] if "rules" in a else (LifecycleRule(a["after_days"], a["tier"]),)
    return _edit(plan, ("data.storage",), a.get("lines"),
                 lambda line, s: None if line.lifecycle == rules else replace(line, lifecycle=rules))


def _compression(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    share = a["share"]
    sections = ("data.storage", "data.egress") if a.get("egress") else ("data.storage",)

    def change(line: Any, section: str) -> Any:
        if section == "data.egress":
            return _scaled(line, "tb_per_month", 1.0 - share)
        return _mapped(line, "compression", lambda c: 1.0 - (1.0 - c) * (1.0 - share))
    return _edit(plan, sections, a.get("lines"), change)


def _egress_reduction(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    kinds = set(a.get("applies_to", [k.value for k in EgressKind]))
    share = a["share"]
    return _edit(plan, ("data.egress",), a.get("lines"),
                 lambda line, s: _scaled(line, "tb_per_month", 1.0 - share) if line.kind.value in kinds else None)


def _annotation_reduction(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    share = a["share"]
    return _edit(plan, ("annotation",), a.get("lines"), lambda line, s: _scaled(line, "items", 1.0 - share))


_TRANSFORMS: dict[str, Callable[[Plan, Args, _Env], tuple[Plan, Changed]]] = {
    "self_host": _self_host, "model_switch": _model_switch, "right_size": _right_size,
    "quantization": _throughput, "distillation": _throughput, "efficient_architecture": _throughput,
    "batching": _throughput, "reserved": _reserved, "spot": _spot, "auto_shutdown": _auto_shutdown,
    "commit": _commit, "api_cache": _api_cache, "prompt_caching": _prompt_caching, "lifecycle": _lifecycle,
    "compression": _compression, "egress_reduction": _egress_reduction,
    "annotation_reduction": _annotation_reduction,
}
assert list(_TRANSFORMS) == list(STRATEGIES)  # noqa: S101 - the canonical order is STRATEGIES'

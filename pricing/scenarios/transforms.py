"""Savings strategies as pure ``Plan -> Plan`` transforms (``dataclasses.replace``, never mutation)."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable, Iterable

from pricing.drivers.serving_line import DEFAULT_THROUGHPUT, size_line, uses_model
from pricing.errors import PlanError
from pricing.plan import (ApiLine, EgressKind, EgressLine, InferenceService, LifecycleRule, Plan, Precision, Pricing,
                          Range, ThroughputBasis)
from pricing.scenarios.strategies import COMPUTE_SECTIONS, MOVE_SECTIONS, STRATEGIES, StrategyInfo

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
        self.strategy: int | None = None
        """Set while the Shapley split applies its ``strategy``-th strategy: ``_edit`` then remembers each
        line's change (the same input line object gives the same output object across subsets)."""
        self._edits: dict[int, dict[int, tuple[Any, Any]]] = {}

    def edit_memo(self) -> dict[int, tuple[Any, Any]] | None:
        """The memo of line changes of the strategy being applied, if one is kept (see ``strategy``)."""
        return None if self.strategy is None else self._edits.setdefault(self.strategy, {})

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
    if "applies_to" in a and info.name in ("spot", "reserved"):
        return tuple(COMPUTE_SECTIONS[s] for s in a["applies_to"])
    if info.name == "move":
        return tuple(MOVE_SECTIONS[s] for s in a.get("applies_to", ("training", "fine_tuning", "inference",
                                                                     "exploration")))
    return info.sections


def _edit(plan: Plan, sections: Iterable[str], names: tuple[str, ...] | None,
          change: Callable[[Any, str], Any], env: "_Env | None" = None) -> tuple[Plan, Changed]:
    """Apply ``change(line, section)`` (a new line, or None to leave it) to the selected lines."""
    changed: list[str] = []
    memo = env.edit_memo() if env is not None else None
    for section in sections:
        lines = plan.section(section)
        new = list(lines)
        for i, line in enumerate(lines):
            if names is not None and line.name not in names:
                continue
            if memo is not None:  # the same line (object) changes the same way: keep the output object too
                got = memo.get(id(line))
                if got is None or got[0] is not line:
                    out = change(line, section)
                    got = memo[id(line)] = (line, None if out is None or out == line else out)
                out = got[1]
            else:
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


_SERVED = ("model_family", "params", "active_params", "precision", "min_replicas", "peak_to_average", "ttft_ms",
           "tpot_ms", "tensor_parallel", "instance_gpus")
"""self_host parameters that describe the served model and its replicas (fields of the serving line it adds)."""


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
            tokens_per_second_per_gpu=a.get("tokens_per_second_per_gpu"),
            throughput_basis=a.get("throughput_basis", ThroughputBasis.OUTPUT),
            utilization=a.get("utilization", 0.6), growth=line.growth, min_gpus=a.get("min_gpus", 1),
            start=line.start, end=line.end, pricing=a.get("pricing", Pricing.ON_DEMAND),
            provider=a.get("provider"), ranges=ranges,
            **{k: a[k] for k in _SERVED if k in a}))
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
    return _edit(plan, ("services.apis",), a.get("lines"), change, env)


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
    return _edit(plan, ("compute.inference",), a.get("lines"), change, env)


def _throughput(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    gain = a["throughput_gain"]
    return _edit(plan, ("compute.inference",), a.get("lines"),
                 lambda line, s: _faster(plan, line, gain, env), env)


def _quantization(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    gain = a["throughput_gain"]
    return _edit(plan, ("compute.inference",), a.get("lines"),
                 lambda line, s: _quantized(plan, line, env) if uses_model(line) else _faster(plan, line, gain, env),
                 env)


_LOWER = {Precision.BF16: Precision.FP8, Precision.FP8: Precision.FP4}
"""Quantizing a served model: one step down in bytes per weight (FP4 and INT4 are the lowest)."""


def _quantized(plan: Plan, line: InferenceService, env: _Env) -> InferenceService | None:
    """A line sized by the serving model, served one precision lower when the model says one GPU serves more
    requests there (FP4 on a Hopper GPU runs weight-only at the 16-bit peak and serves fewer): None otherwise."""
    lower = _LOWER.get(line.precision)
    if lower is None:
        return None
    from pricing.context import context
    ctx = context(plan, env.catalog)
    quantized = replace(line, precision=lower)
    try:
        before, after = (size_line(x, "compute.inference", ctx) for x in (line, quantized))
    except PlanError:
        return None  # the lower precision cannot be sized (a latency target it misses): leave the line
    per_gpu = [float(x.requests_per_replica) / float(x.tensor_parallel) for x in (before, after)]
    return quantized if per_gpu[1] > per_gpu[0] else None


def _faster(plan: Plan, line: InferenceService, gain: float, env: _Env) -> InferenceService:
    """A serving line ``gain`` times faster: its measured throughput scaled, or, for a line sized by the serving
    model, the modelled output tokens/s per GPU x gain given as its measured figure (replica size kept)."""
    if not uses_model(line):
        if line.tokens_per_second_per_gpu is None:  # neither model nor measurement: the assumed default, scaled
            return replace(line, tokens_per_second_per_gpu=DEFAULT_THROUGHPUT * gain)
        return _scaled(line, "tokens_per_second_per_gpu", gain)
    from pricing.context import context
    sized = size_line(line, "compute.inference", context(plan, env.catalog))
    return replace(line, tokens_per_second_per_gpu=float(sized.tokens_per_s_per_gpu) * gain,
                   throughput_basis=ThroughputBasis.OUTPUT, tensor_parallel=int(sized.tensor_parallel))


def _reserved(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    sections = _sections(STRATEGIES["reserved"], a)
    names = a.get("lines")
    new, changed = _edit(plan, sections, names,
                         lambda line, s: None if line.pricing is Pricing.RESERVED else
                         replace(line, pricing=Pricing.RESERVED), env)
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
    return _edit(plan, _sections(STRATEGIES["spot"], a), a.get("lines"), change, env)


def _auto_shutdown(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    cut = a["idle_cut"]

    def change(line: Any, section: str) -> Any:
        idle = line.idle_share
        if not idle:
            return None
        kept = 1.0 - idle * cut                       # share of billed hours left
        line = _scaled(line, "hours_per_week", kept)  # a range of hours: scaled at the likely idle share
        return _mapped(line, "idle_share", lambda i: i * (1.0 - cut) / (1.0 - i * cut) if i * cut < 1.0 else 0.0)
    return _edit(plan, ("compute.exploration",), a.get("lines"), change, env)


def _api_cache(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    rate = a["hit_rate"]
    return _edit(plan, ("services.apis",), a.get("lines"),
                 lambda line, s: _mapped(line, "response_cache_hit_rate", lambda h: 1.0 - (1.0 - h) * (1.0 - rate)),
                 env)


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
    return _edit(plan, ("services.apis",), a.get("lines"), change, env)


def _batch_api(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    from pricing import apiprices, apirules
    from pricing.drivers.services import BATCH
    share = a["share"]

    def change(line: ApiLine, section: str) -> ApiLine | None:
        if line.batch_share >= share:
            return None
        model = apiprices.resolve(line.provider, line.model)
        rule = apirules.batch(model.provider)
        if not apiprices.has_variant(model.provider, model.model, BATCH) and (rule is None or rule.discount is None):
            return None  # the model has no batch API (DeepSeek discounts off-peak hours instead)
        return _set(line, batch_share=share)
    return _edit(plan, ("services.apis",), a.get("lines"), change, env)


def _lifecycle(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    rules = a["rules"] if "rules" in a else (LifecycleRule(a["after_days"], a["tier"]),)
    return _edit(plan, ("data.storage",), a.get("lines"),
                 lambda line, s: None if line.lifecycle == rules else replace(line, lifecycle=rules), env)


def _compression(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    share = a["share"]
    sections = ("data.storage", "data.egress") if a.get("egress") else ("data.storage",)

    def change(line: Any, section: str) -> Any:
        if section == "data.egress":
            return _scaled(line, "tb_per_month", 1.0 - share)
        return _mapped(line, "compression", lambda c: 1.0 - (1.0 - c) * (1.0 - share))
    return _edit(plan, sections, a.get("lines"), change, env)


def _egress_reduction(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    kinds = set(a.get("applies_to", [k.value for k in EgressKind]))
    share = a["share"]
    return _edit(plan, ("data.egress",), a.get("lines"),
                 lambda line, s: _scaled(line, "tb_per_month", 1.0 - share) if line.kind.value in kinds else None,
                 env)


def _annotation_reduction(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    share = a["share"]
    return _edit(plan, ("annotation",), a.get("lines"), lambda line, s: _scaled(line, "items", 1.0 - share),
                 env)


_READS_DATA = ("compute.training", "compute.fine_tuning")
"""GPU lines the stored data must reach (as in pricing/providers.py, which prices the same legs)."""


def _move(plan: Plan, a: Args, env: _Env) -> tuple[Plan, Changed]:
    import numpy as np

    from pricing import engine, fx
    from pricing.drivers.data import storage_by_tier
    from pricing.errors import PlanError

    cat = env.priced(plan)
    ctx = engine.Context(plan, cat, plan.months, fx.for_plan(plan).per_usd, np.arange(plan.months, dtype=float))
    order = cat.providers
    target = cat.resolve_provider(a["to"]) if a.get("to") else None

    def cheapest(line: Any, section: str, i: int, home: str) -> str:
        priced = []
        for k, p in enumerate(order):
            try:
                total = engine.price_line(section, i, replace(line, provider=p), ctx).total
            except PlanError:  # a gap there: never the cheapest
                continue
            priced.append((total, 0 if p == home else 1, k, p))
        return min(priced)[3] if priced else home

    before = {f"{s}[{i}]": _provider(plan, line, cat) for s, i, line in plan.lines() if s in MOVE_SECTIONS.values()}
    new_plan, moved = plan, []
    names = a.get("lines")
    for section in _sections(STRATEGIES["move"], a):
        lines = list(new_plan.section(section))
        for i, line in enumerate(lines):
            if names is not None and line.name not in names:
                continue
            home = before[f"{section}[{i}]"]
            to = target or cheapest(line, section, i, home)
            if to != home:
                lines[i] = replace(line, provider=to)
                moved.append(f"{section}[{i}]")
        new_plan = new_plan.with_section(section, tuple(lines))
    if not moved:
        return plan, ()
    platform = plan.services.platform
    if platform is not None:
        from pricing.drivers.services import markup_sections
        owner = next((e.provider for e in cat.entries("platforms") if e.item == platform.name), "")
        marked = [k for k in moved if k.split("[")[0] in markup_sections(platform)]
        if owner and marked and any(_provider(new_plan, new_plan.section(k.split("[")[0])[int(k.split("[")[1][:-1])],
                                              cat) != owner for k in marked):
            raise PlanError(f"services.platform {platform.name} runs on {owner} only, and its markup would still be "
                            f"charged on lines moved off it: keep those lines (lines: ...) or drop the platform")
    after = {f"{s}[{i}]": _provider(new_plan, line, cat) for s, i, line in new_plan.lines()
             if s in MOVE_SECTIONS.values()}
    legs = _legs(plan, new_plan, before, after, ctx, storage_by_tier)
    first = len(new_plan.data.egress)
    new_plan = new_plan.with_section("data.egress", new_plan.data.egress + tuple(legs))
    return new_plan, tuple(moved) + tuple(f"data.egress[{first + j}]" for j in range(len(legs)))


def _legs(plan: Plan, new_plan: Plan, before: dict[str, str], after: dict[str, str], ctx: Any,
          storage_by_tier: Callable) -> list[EgressLine]:
    """Internet egress lines for the data a move splits from its GPUs (storage and GPU lines that were at one
    provider and no longer are): the volume held in the first month a run at the new provider uses it, then each
    later month's growth, billed by the sending provider (the GPUs' for checkpoint lines)."""
    import numpy as np

    out: list[EgressLine] = []
    gpu = [(s, i, line) for s, i, line in new_plan.lines() if s in _READS_DATA]
    for j, store in enumerate(new_plan.data.storage):
        key = f"data.storage[{j}]"
        s_new = after[key]
        held = np.broadcast_to(np.asarray(sum(storage_by_tier(store, ctx).values()), dtype=float), (ctx.n,)) / 1000.0
        for g in dict.fromkeys(after[f"{s}[{i}]"] for s, i, _ in gpu):
            if g == s_new:
                continue
            users = [(s, i, line) for s, i, line in gpu if after[f"{s}[{i}]"] == g
                     and before[f"{s}[{i}]"] == before[key]]  # they shared a provider before the move
            used = np.zeros(ctx.n, dtype=bool)
            for s, i, line in users:
                used |= _runs(s, i, line, ctx)
            if not used.any():
                continue
            first = int(np.argmax(used))
            amounts = np.zeros(ctx.n)
            amounts[first] = held[first]
            amounts[first + 1:] = np.maximum(np.diff(held[first:]), 0.0)
            src, dst = (g, s_new) if store.kind == "checkpoints" else (s_new, g)
            steady = float(amounts[-1])
            tail = ctx.n
            while tail > first + 1 and np.isclose(amounts[tail - 1], steady, rtol=1e-12, atol=1e-12):
                tail -= 1
            for m in range(first, tail):  # one-off months: the first copy (and any jump before steady growth)
                if amounts[m] > 0:
                    out.append(EgressLine(f"{store.name}: {src} -> {dst} (copy, month {m + 1})", float(amounts[m]),
                                          EgressKind.INTERNET, start=m + 1, end=m + 1, provider=src))
            if steady > 0 and tail < ctx.n:
                out.append(EgressLine(f"{store.name}: {src} -> {dst} (sync)", steady, EgressKind.INTERNET,
                                      start=tail + 1, provider=src))
    return out


def _runs(section: str, i: int, line: Any, ctx: Any) -> Any:
    """Months a GPU line runs (bills GPU-hours), whatever its price."""
    from pricing import engine
    item = engine.price_line(section, i, line, ctx)
    q = item.quantity("GPU-hours")
    return (q if q is not None else item.monthly) > 0


_TRANSFORMS: dict[str, Callable[[Plan, Args, _Env], tuple[Plan, Changed]]] = {
    "self_host": _self_host, "model_switch": _model_switch, "right_size": _right_size,
    "quantization": _quantization, "distillation": _throughput, "efficient_architecture": _throughput,
    "batching": _throughput, "reserved": _reserved, "spot": _spot, "auto_shutdown": _auto_shutdown,
    "api_cache": _api_cache, "prompt_caching": _prompt_caching, "batch_api": _batch_api, "lifecycle": _lifecycle,
    "compression": _compression, "egress_reduction": _egress_reduction, "move": _move,
    "annotation_reduction": _annotation_reduction,
}
assert list(_TRANSFORMS) == list(STRATEGIES)  # noqa: S101 - the canonical order is STRATEGIES'

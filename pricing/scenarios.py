"""Savings scenarios: strategies as pure ``Plan -> Plan`` transforms, their savings and a Shapley attribution.

A scenario is a set of strategies with parameters (``Plan.scenarios``, read raw from the plan
file). Each strategy is a pure function of the plan (``dataclasses.replace``, never mutation)
that changes only the lines it applies to. ``apply`` runs a scenario's strategies in the
canonical order of ``STRATEGIES``; ``evaluate`` projects it against the baseline and splits
the saving between the strategies with Shapley values (exact for up to ``SHAPLEY_MAX``
strategies, a documented sequential split beyond). ``attribution_cents`` rounds that split to
cents so the shown parts add up to the shown total. docs/scenarios.md is the user's guide.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

import numpy as np

from pricing.errors import PlanError, Problem, UnknownNameError, closest
from pricing.plan import (ApiLine, EgressKind, InferenceService, LifecycleRule, Plan, Pricing, Range,
                          Scenario, StrategySpec, ThroughputBasis)
from pricing.quantities import parse_number, parse_share

if TYPE_CHECKING:
    from pricing.catalog import Catalog
    from pricing.engine import Projection

SHAPLEY_MAX = 8
"""Most strategies attributed with exact Shapley values (2^k projections); beyond, sequential."""

COMPUTE_SECTIONS = {"training": "compute.training", "fine_tuning": "compute.fine_tuning",
                    "inference": "compute.inference", "exploration": "compute.exploration"}
"""Short names of the compute sections, as ``applies_to`` takes them."""

# ---------------------------------------------------------------------------------------------
# What each strategy is, for users and GUI forms
# ---------------------------------------------------------------------------------------------

REQUIRED = "required"
"""``ParamInfo.default`` of a parameter that has no default (the scenario must give it)."""


@dataclass(frozen=True, slots=True)
class ParamInfo:
    """One parameter of a strategy, as a form shows it."""

    name: str
    """Key in the plan file."""
    meaning: str
    """What it does, in a sentence."""
    expected: str
    """What a value looks like (used in error messages and tooltips)."""
    kind: str
    """Value kind for a form: share, factor, number, integer, text, names, gpu, model, tier,
    choice, rules, flag."""
    default: Any = None
    """Default value; ``None`` means "not set" (e.g. ``lines``: every line), ``REQUIRED`` none."""
    source: str = ""
    """Where the default comes from (a catalog lever, a published figure, the engine's default)."""
    choices: tuple[str, ...] = ()
    """Allowed values of a ``choice`` or ``names`` parameter, when closed."""
    lever: str | None = None
    """Catalog lever (levers.yaml) whose value replaces ``default`` when the catalog has it."""

    @property
    def required(self) -> bool:
        return self.default == REQUIRED


@dataclass(frozen=True, slots=True)
class StrategyInfo:
    """A savings strategy: what it changes and its parameters (``STRATEGIES`` holds them all)."""

    name: str
    title: str
    """Short label for a form or a chart legend."""
    description: str
    """What it does to the plan, in a few sentences."""
    sections: tuple[str, ...]
    """Plan sections whose lines it can change (``lines`` names lines of these sections)."""
    params: tuple[ParamInfo, ...]
    noop: str
    """Why it can change nothing, said when a scenario's strategy matches no line."""

    def param(self, name: str) -> ParamInfo:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)


# ---------------------------------------------------------------------------------------------
# Reading parameter values (raw YAML values, lists frozen to tuples, mappings to pair tuples)
# ---------------------------------------------------------------------------------------------


def _describe(v: Any) -> str:
    if v is None:
        return "nothing"
    if _is_mapping(v):
        return "a mapping"
    if isinstance(v, (list, tuple)):
        return "a list"
    return repr(v)


def _is_mapping(v: Any) -> bool:
    """A YAML mapping as the loader freezes it (a tuple of (key, value) pairs), or a dict."""
    if isinstance(v, Mapping):
        return True
    return (isinstance(v, tuple) and len(v) > 0
            and all(isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], str) for x in v))


def _as_dict(v: Any) -> dict[str, Any]:
    return dict(v.items()) if isinstance(v, Mapping) else dict(v)


def _share(allow_zero: bool = False, maximum: float = 1.0) -> Callable[[Any], float]:
    return lambda v: parse_share(v, maximum=maximum, allow_zero=allow_zero)


def _factor(v: Any) -> float:
    x = parse_number(v, allow_zero=False)
    if x <= 1.0:
        raise PlanError(f"found {v!r}, expected a factor above 1 such as 1.6 (60% more tokens per second)")
    return x


def _positive(v: Any) -> float:
    return parse_number(v, allow_zero=False)


def _count(v: Any) -> int:
    return int(parse_number(v, minimum=0, integer=True, maximum=1e6))


def _text(v: Any) -> str:
    if not isinstance(v, str) or not v.strip():
        raise PlanError(f"found {_describe(v)}, expected a name")
    return v.strip()


def _names(v: Any) -> tuple[str, ...]:
    if isinstance(v, str):
        v = (v,)
    if not isinstance(v, (list, tuple)) or _is_mapping(v) or not v \
            or not all(isinstance(x, str) and x.strip() for x in v):
        raise PlanError(f"found {_describe(v)}, expected a list of names such as [Chat serving]")
    return tuple(dict.fromkeys(x.strip() for x in v))


def _flag(v: Any) -> bool:
    if not isinstance(v, bool):
        raise PlanError(f"found {_describe(v)}, expected true or false")
    return v


def _choice(choices: tuple[str, ...]) -> Callable[[Any], str]:
    def read(v: Any) -> str:
        text = v.strip().lower().replace("-", "_").replace(" ", "_") if isinstance(v, str) else None
        if text not in choices:
            sugg = closest(str(v), choices, n=2) if isinstance(v, str) else []
            hint = f"; did you mean {', '.join(repr(s) for s in sugg)}?" if sugg else ""
            raise PlanError(f"found {_describe(v)}, expected one of {', '.join(choices)}{hint}")
        return text
    return read


def _pricing(v: Any) -> Pricing:
    return Pricing(_choice(tuple(p.value for p in Pricing))(v))


def _basis(v: Any) -> ThroughputBasis:
    return ThroughputBasis(_choice(tuple(b.value for b in ThroughputBasis))(v))


def _rule(v: Any, where: str) -> LifecycleRule:
    if not _is_mapping(v) or set(_as_dict(v)) != {"after_days", "tier"}:
        raise PlanError(f"{where}found {_describe(v)}, expected {{after_days: N, tier: NAME}}")
    m = _as_dict(v)
    try:
        days = parse_number(m["after_days"], allow_zero=False)
        tier = _text(m["tier"])
    except PlanError as exc:
        raise PlanError(f"{where}{exc.problems[0].message}") from None
    return LifecycleRule(days, tier)


def _rules(v: Any) -> tuple[LifecycleRule, ...]:
    if _is_mapping(v):
        v = (v,)
    if not isinstance(v, (list, tuple)) or not v:
        raise PlanError(f"found {_describe(v)}, expected a list of rules such as "
                        "[{after_days: 30, tier: infrequent}, {after_days: 180, tier: archive}]")
    rules = [_rule(r, f"rule {i + 1}: ") for i, r in enumerate(v)]
    days = [r.after_days for r in rules]
    if len(set(days)) != len(days):
        raise PlanError("two rules have the same after_days")
    return tuple(sorted(rules, key=lambda r: r.after_days))


# ---------------------------------------------------------------------------------------------
# The strategies: parameters (with the sources of their defaults) and transforms
# ---------------------------------------------------------------------------------------------

_LINES = ParamInfo("lines", "Only these lines (by name); default: every line the strategy applies to.",
                   "a list of line names such as [Chat serving]", "names")


def _applies_to(default: tuple[str, ...], allowed: tuple[str, ...], what: str) -> ParamInfo:
    return ParamInfo("applies_to", f"Only lines of these {what}.", f"a list among {', '.join(allowed)}",
                     "names", default, "this strategy's scope", allowed)


_SOURCES = {
    "quantization": "catalog lever lever.quantization.fp8_throughput (levers.yaml): vLLM FP8 quantization docs, "
                    "https://docs.vllm.ai/en/stable/features/quantization/fp8/ ('up to a 1.6x improvement in "
                    "throughput'), an upper bound",
    "reserved": "catalog: the provider's committed-use discount, levers.yaml reserved_discount.<provider> (GCP 28% "
                "for 1 year; a gap for the other providers: give discount, or set the key in prices:)",
    "utilization": "the engine's default utilization of a serving line (InferenceService.utilization), not a "
                   "published figure: give yours",
    "min_gpus": "the engine's default (InferenceService.min_gpus)",
}

_INFO: tuple[StrategyInfo, ...] = (
    StrategyInfo(
        "self_host", "Self-host an API model",
        "Replace API lines with self-hosted serving (compute.inference) on a chosen GPU, with the same requests, "
        "growth, tokens and months. Requests a response cache already answers are not served.",
        ("services.apis",),
        (ParamInfo("api", "The API line(s) to replace (``lines`` is accepted too).", "an API line name",
                   "names", REQUIRED),
         ParamInfo("gpu", "Catalog GPU to serve on.", "a catalog GPU key such as L40S", "gpu", REQUIRED),
         ParamInfo("tokens_per_second_per_gpu", "Sustained throughput of one GPU for this model.",
                   "a number of tokens per second such as 1500", "number", REQUIRED),
         ParamInfo("throughput_basis", "Whether that throughput counts output tokens or input + output.",
                   "output or total", "choice", "output", "the engine's default", ("output", "total")),
         ParamInfo("utilization", "Average share of capacity used.", "a share such as 60%", "share", 0.6,
                   _SOURCES["utilization"]),
         ParamInfo("min_gpus", "Never fewer GPUs than this.", "a whole number such as 2", "integer", 1,
                   _SOURCES["min_gpus"]),
         ParamInfo("provider", "Cloud the GPUs are rented from.", "a provider such as aws", "text", None,
                   "the plan's provider"),
         ParamInfo("pricing", "How the GPU time is bought.", "on_demand, spot or reserved", "choice",
                   "on_demand", "list price", tuple(p.value for p in Pricing)),
         _LINES),
        "no API line with that name"),
    StrategyInfo(
        "model_switch", "Switch API model",
        "Move API lines to another model (and optionally provider); token counts per request are kept.",
        ("services.apis",),
        (ParamInfo("model", "The model to switch to.", "a model id such as gpt-4.1-mini", "model", REQUIRED),
         ParamInfo("provider", "Its API provider.", "a provider such as openai", "text", None,
                   "each line's own provider"),
         _LINES),
        "every API line it applies to already uses that model"),
    StrategyInfo(
        "right_size", "Right-size serving",
        "Raise the utilization of serving lines to a target (lines already above it are left), and/or move "
        "them to another GPU with its throughput.",
        ("compute.inference",),
        (ParamInfo("target_utilization", "Utilization to raise serving lines to.", "a share such as 75%",
                   "share"),
         ParamInfo("gpu", "Catalog GPU to move to (give its throughput too).", "a catalog GPU key such as L4",
                   "gpu"),
         ParamInfo("tokens_per_second_per_gpu", "Throughput of one GPU of the new kind.",
                   "a number of tokens per second", "number"),
         _LINES),
        "no serving line below the target utilization or on another GPU"),
    StrategyInfo(
        "quantization", "Quantization",
        "Serve a quantized model (e.g. FP8): more tokens per second per GPU on serving lines.",
        ("compute.inference",),
        (ParamInfo("throughput_gain", "Throughput factor over the unquantized model.", "a factor such as 1.6",
                   "factor", 1.6, _SOURCES["quantization"], lever="quantization.fp8_throughput"),
         _LINES),
        "no serving line"),
    StrategyInfo(
        "distillation", "Distillation",
        "Serve a smaller model distilled from the current one: more tokens per second per GPU.",
        ("compute.inference",),
        (ParamInfo("throughput_gain", "Throughput factor of the distilled model.", "a factor such as 2",
                   "factor", REQUIRED, "no published default: it depends on the student's size; give yours"),
         _LINES),
        "no serving line"),
    StrategyInfo(
        "efficient_architecture", "Efficient architecture",
        "Serve a more efficient architecture (e.g. mixture-of-experts, smaller attention): more tokens per "
        "second per GPU.",
        ("compute.inference",),
        (ParamInfo("throughput_gain", "Throughput factor of the new architecture.", "a factor such as 1.5",
                   "factor", REQUIRED, "no published default: it depends on the architecture; give yours"),
         _LINES),
        "no serving line"),
    StrategyInfo(
        "batching", "Batching",
        "Batch requests (continuous batching, higher concurrency): more tokens per second per GPU.",
        ("compute.inference",),
        (ParamInfo("throughput_gain", "Throughput factor from batching.", "a factor such as 2",
                   "factor", REQUIRED,
                   "no default: published gains are against unbatched serving (6.6x at concurrency 8 vs 1, "
                   "https://johnmusgrave.com/p/vllm-throughput-latency-sweep-on) and modern servers already "
                   "batch; give yours"),
         _LINES),
        "no serving line"),
    StrategyInfo(
        "reserved", "Reserved capacity",
        "Buy always-on GPU time with a committed-use discount: pricing becomes reserved, priced by the catalog "
        "at on-demand x (1 - the provider's discount). ``discount`` sets that discount for the providers the "
        "strategy touches (a plan price override of reserved_discount.<provider>, so every line reserved "
        "there pays it).",
        tuple(COMPUTE_SECTIONS.values()),
        (_applies_to(("inference",), tuple(COMPUTE_SECTIONS), "compute sections"),
         ParamInfo("discount", "Committed-use discount off the on-demand price.", "a share such as 30%",
                   "share", None, _SOURCES["reserved"]),
         _LINES),
        "no GPU line it applies to off reserved pricing"),
    StrategyInfo(
        "spot", "Spot capacity",
        "Run interruptible work on spot GPUs: pricing becomes spot; training and fine-tuning runs take "
        "``interruption_overhead`` more hours for restarts from checkpoints (exploration pools have no "
        "such field, so their lost time is not modelled).",
        ("compute.training", "compute.fine_tuning", "compute.exploration"),
        (_applies_to(("training", "fine_tuning", "exploration"), ("training", "fine_tuning", "exploration"),
                     "compute sections"),
         ParamInfo("interruption_overhead", "Extra hours (share of a run) lost to interruptions and restarts.",
                   "a share such as 10%", "share", REQUIRED,
                   "no published figure (the reference only says 'plan for interruption and retry "
                   "overhead'); give yours, e.g. 10% with frequent checkpoints"),
         _LINES),
        "no training, fine-tuning or exploration line it applies to off spot pricing"),
    StrategyInfo(
        "auto_shutdown", "Auto-shutdown of idle instances",
        "Stop idle notebooks and dev instances: billed hours fall by idle_share x idle_cut, and the idle "
        "share left is recomputed.",
        ("compute.exploration",),
        (ParamInfo("idle_cut", "Share of the idle hours removed.", "a share such as 80%", "share", REQUIRED,
                   "no published figure; give yours (idle time left depends on the shutdown delay)"),
         _LINES),
        "no exploration line with idle time (idle_share)"),
    StrategyInfo(
        "api_cache", "Response cache",
        "Answer a share of API requests from our own response cache; combined with a line's existing hit "
        "rate as 1 - (1 - a)(1 - b).",
        ("services.apis",),
        (ParamInfo("hit_rate", "Share of requests answered from the cache.", "a share such as 30%", "share",
                   REQUIRED, "depends on how often requests repeat; give yours"),
         _LINES),
        "no API line"),
    StrategyInfo(
        "prompt_caching", "Prompt caching",
        "Bill a share of input tokens at the model's cached-input price (lines already caching more are "
        "left; models without a cached-input price are skipped).",
        ("services.apis",),
        (ParamInfo("cached_share", "Share of input tokens read from the provider's prompt cache.",
                   "a share such as 60%", "share", REQUIRED,
                   "depends on the shared prompt prefix (system prompt, documents); give yours"),
         _LINES),
        "no API line with input tokens below that cached share on a model with a cached-input price"),
    StrategyInfo(
        "lifecycle", "Storage lifecycle",
        "Move data older than N days to a colder tier (``after_days`` + ``tier``, or ``rules``); the rules "
        "replace a line's lifecycle policy. Data ages are counted by arrival month.",
        ("data.storage",),
        (ParamInfo("after_days", "Age in days after which data moves.", "a number of days such as 90",
                   "number"),
         ParamInfo("tier", "The colder tier it moves to.", "a storage tier such as infrequent", "tier"),
         ParamInfo("rules", "Several moves instead of one.", "a list such as [{after_days: 30, tier: "
                   "infrequent}, {after_days: 180, tier: archive}]", "rules"),
         _LINES),
        "no storage line whose lifecycle policy differs"),
    StrategyInfo(
        "compression", "Compression",
        "Store a share fewer bytes (combined with a line's compression as 1 - (1 - a)(1 - b)); with "
        "``egress: true`` also move that share fewer bytes on egress lines.",
        ("data.storage", "data.egress"),
        (ParamInfo("share", "Share of bytes saved.", "a share such as 40%", "share", REQUIRED,
                   "depends on the data (images and video barely compress); give yours"),
         ParamInfo("egress", "Also compress data moved out.", "true or false", "flag", False, ""),
         _LINES),
        "no storage line (or egress line with egress: true)"),
    StrategyInfo(
        "egress_reduction", "Egress reduction",
        "Move a share fewer bytes (caching at the edge, keeping compute next to data).",
        ("data.egress",),
        (ParamInfo("share", "Share of bytes no longer moved.", "a share such as 30%", "share", REQUIRED,
                   "depends on the traffic; give yours"),
         _applies_to(tuple(k.value for k in EgressKind), tuple(k.value for k in EgressKind), "egress kinds"),
         _LINES),
        "no egress line"),
    StrategyInfo(
        "annotation_reduction", "Fewer items to label",
        "Label fewer items thanks to active learning, semi-supervised learning or synthetic data (the cost "
        "of generating synthetic data is not modelled).",
        ("annotation",),
        (ParamInfo("share", "Share of items no longer labelled by people.", "a share such as 40%", "share",
                   REQUIRED, "no default: AWS's 'up to 70%' for Ground Truth active learning is an upper "
                   "bound (reference gt.active_learning_reduction); give yours"),
         ParamInfo("method", "How the labels are saved (for the record).", "active_learning, semi_supervised "
                   "or synthetic", "choice", "active_learning", "", ("active_learning", "semi_supervised",
                                                                     "synthetic")),
         _LINES),
        "no annotation batch"),
)

STRATEGIES: dict[str, StrategyInfo] = {s.name: s for s in _INFO}
"""Every strategy by name, in the canonical order ``apply`` runs them."""

_READERS: dict[str, Callable[[Any], Any]] = {
    "lines": _names, "api": _names, "gpu": _text, "model": _text, "provider": lambda v: _text(v).lower(),
    "tokens_per_second_per_gpu": _positive, "utilization": _share(), "target_utilization": _share(),
    "min_gpus": _count, "throughput_gain": _factor, "discount": _share(maximum=0.99),
    "interruption_overhead": _share(allow_zero=True, maximum=10.0), "idle_cut": _share(),
    "hit_rate": _share(), "cached_share": _share(), "after_days": _positive, "tier": _text,
    "rules": _rules, "egress": _flag, "pricing": _pricing, "throughput_basis": _basis,
    "method": _choice(("active_learning", "semi_supervised", "synthetic")),
}
"""Reader of each parameter name (a name means the same in every strategy that takes it)."""


def _share_param(strategy: str, name: str) -> Callable[[Any], float]:
    if name == "share":
        return _share(maximum=0.99) if strategy == "compression" else _share()
    return _READERS[name]


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
    "api_cache": _api_cache, "prompt_caching": _prompt_caching, "lifecycle": _lifecycle,
    "compression": _compression, "egress_reduction": _egress_reduction,
    "annotation_reduction": _annotation_reduction,
}
assert list(_TRANSFORMS) == list(STRATEGIES)  # noqa: S101 - the canonical order is STRATEGIES'


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


def _lever_default(catalog: "Catalog | None", p: ParamInfo) -> Any:
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
    known = [p.name for p in info.params]
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
            if key == "applies_to":
                args[key] = _applies(value, p)
            elif key == "share":
                args[key] = _share_param(info.name, key)(value)
            else:
                args[key] = _READERS[key](value)
        except PlanError as exc:
            msg = exc.problems[0].message
            if p.expected and "expected" not in msg:
                msg += f"; expected {p.expected}"
            problems.append(Problem(msg, f"{spath}.{key}"))
    for p in info.params:
        if p.name in args or p.name in raw or p.name in meant:
            continue
        default = _lever_default(catalog, p)
        if default == REQUIRED:
            if info.name == "self_host" and p.name == "api" and "lines" in raw:
                continue
            problems.append(Problem(f"missing {p.name!r} ({p.meaning.rstrip('.').lower()}): expected "
                                    f"{p.expected}" + (f"; {p.source}" if p.source else ""), spath))
        elif default is not None and p.name not in ("lines",):
            if p.name == "applies_to":
                args[p.name] = tuple(default)
            elif p.name in ("pricing", "throughput_basis"):
                args[p.name] = _READERS[p.name](default)
            else:
                args[p.name] = default
    if problems:
        return args, problems
    problems += _check_combination(info, args, spath)
    return args, problems


def _applies(value: Any, p: ParamInfo) -> tuple[str, ...]:
    names = _names(value)
    for n in names:
        if n not in p.choices:
            sugg = closest(n, p.choices, n=2)
            hint = f"; did you mean {', '.join(repr(s) for s in sugg)}?" if sugg else ""
            raise PlanError(f"found {n!r}{hint}; expected {p.expected}")
    return names


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


def _run(plan: Plan, parsed: Iterable[_Parsed], env: _Env, *, check: bool) -> tuple[Plan, list[Problem]]:
    """Apply parsed strategies in order; with ``check``, report names it can't find, strategies that
    change nothing and changed lines the catalog can't price (a strategy with a problem is skipped)."""
    problems: list[Problem] = []
    original = plan
    for p in parsed:
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
            bad = _price_changed(new, changed, env)
            if bad is not None:
                problems.append(_locate(bad, p, a))
                continue
        plan = new
    return plan, problems


def _context(plan: Plan, env: _Env) -> Any:
    """The engine's pricing context of a plan, with the catalog (overrides applied) cached by ``env``."""
    from pricing import engine
    return engine.Context(plan, env.priced(plan), plan.months, plan.fx_rate, np.arange(plan.months, dtype=float))


def _price_changed(plan: Plan, changed: Changed, env: _Env) -> PlanError | None:
    """The first pricing error of the changed lines, if any (a name the catalog lacks, a missing price)."""
    from pricing import engine
    ctx = _context(plan, env)
    for key in changed:
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
             baseline: "Projection | None" = None, *, lazy: bool = False) -> ScenarioResult:
    """Project the scenario, its saving against the baseline, and each strategy's part of it.

    ``lazy``: split the saving among the strategies on first use of ``attribution`` (or ``settle()``)
    rather than now.
    """
    from pricing import engine
    env = _Env(_catalog(catalog))
    parsed, problems = _parse(scenario, _scenario_path(plan, scenario), _lever_catalog(plan, env))
    if problems:
        raise PlanError(problems)
    full, problems = _run(plan, parsed, env, check=True)
    if problems:
        raise PlanError(problems)
    if baseline is None:
        baseline = engine.project(plan, env.catalog)
    projection = engine.project(full, env.catalog)
    saving = baseline.monthly - projection.monthly

    def split() -> tuple:
        cost = _SubsetCost(plan, parsed, env, baseline, projection)
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
        return tuple((p.name, part) for p, part in zip(parsed, parts)), method, tuple(notes)

    base_total = baseline.total
    result = ScenarioResult(scenario, full, projection, baseline, saving, float(saving.sum()),
                            float(saving.sum() / base_total) if base_total else 0.0, split)
    return result if lazy else result.settle()


_NO_SAVING = {name: "serving lines held at min_gpus need no fewer GPUs" for name in
              ("quantization", "distillation", "efficient_architecture", "batching", "right_size")}
"""Why a strategy that changed lines may still save nothing."""


def evaluate_all(plan: Plan, catalog: "Catalog | None" = None) -> tuple[ScenarioResult, ...]:
    """Every scenario of the plan evaluated against one baseline projection."""
    from pricing import engine
    catalog = _catalog(catalog)
    baseline = engine.project(plan, catalog)
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
                 full: "Projection"):
        self.plan, self.parsed, self.env = plan, parsed, env
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
                got = engine.project(plan, self.env.catalog).monthly
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
        total = np.sum([li.monthly for li in items], axis=0) if items else np.zeros(plan.months)
        if plan.services.platform is not None:
            from pricing.drivers.services import platform_markup
            total = total + platform_markup(plan.services.platform, items, ctx).monthly
        return total


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


# ---------------------------------------------------------------------------------------------
# Presentation: cents that add up
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class RoundedAttribution:
    """A scenario's saving and its split in whole cents (int64): every shown total is a sum of shown parts."""

    saving_monthly: np.ndarray
    """Displayed baseline minus displayed scenario cost, per month (cents)."""
    saving_total: int
    parts: tuple[tuple[str, np.ndarray], ...]
    """Strategy -> cents per month; each month's parts sum to ``saving_monthly``."""
    part_totals: tuple[tuple[str, int], ...]
    """Strategy -> cents over the horizon (sum of its months); they sum to ``saving_total``."""


def attribution_cents(result: ScenarioResult) -> RoundedAttribution:
    """The saving and its split rounded to cents once, so that the parts add up exactly.

    The saving shown for a month is the displayed baseline month minus the displayed scenario
    month (each a sum of half-even rounded line cells, as ``report`` shows them). Each month's
    cents go to the strategies by largest remainder on their exact (Shapley) shares, the few
    cents by which that differs from their exact sum spread in proportion to their size; a
    strategy's horizon figure is the sum of its months.
    """
    from pricing.report import rounded_matrix
    return _attribution_cents(result, rounded_matrix(result.baseline), rounded_matrix(result.projection))


def _attribution_cents(result: ScenarioResult, base_cells: np.ndarray, scen_cells: np.ndarray) -> RoundedAttribution:
    """``attribution_cents`` from the rounded cells of the baseline and the scenario projections."""
    saving = base_cells.sum(axis=0) - scen_cells.sum(axis=0)
    saving = np.asarray(saving, dtype=np.int64).reshape(len(result.baseline.months))
    names = [n for n, _ in result.attribution]
    exact = np.array([m for _, m in result.attribution], dtype=float).reshape(len(names), len(saving)) * 100.0
    cents = np.zeros(exact.shape, dtype=np.int64)
    for m in range(exact.shape[1]):
        cents[:, m] = largest_remainder(exact[:, m], int(saving[m]))
    parts = tuple((n, cents[j]) for j, n in enumerate(names))
    return RoundedAttribution(saving, int(saving.sum()), parts, tuple((n, int(c.sum())) for n, c in parts))


def largest_remainder(values: np.ndarray, target: int) -> np.ndarray:
    """Whole numbers near ``values`` that sum to ``target`` (largest-remainder / Hamilton method).

    The exact values need not sum to ``target`` (the shown saving is a difference of rounded
    sums): the gap is first spread over the values in proportion to their size, so a part that
    is exactly zero (or whole) is not charged for rounding it did not cause. Then each value is
    floored and the units left go to the largest fractional parts (ties to the first).
    """
    values = np.asarray(values, dtype=float)
    k = len(values)
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    gap = target - values.sum()
    if gap:
        weight = np.abs(values)
        total = weight.sum()
        values = values + gap * (weight / total if total > 0 else np.full(k, 1.0 / k))
    floors = np.floor(values + 1e-9)
    rest = values - floors
    left = int(round(target - floors.sum()))
    out = floors.astype(np.int64)
    order = sorted(range(k), key=lambda j: (-round(float(rest[j]), 9), j))  # ties (to float noise) go first-come
    step = 1 if left >= 0 else -1
    if step < 0:
        order = order[::-1]
    for n in range(abs(left)):
        out[order[n % k]] += step
    return out


def summary_data(result: ScenarioResult) -> dict:
    """A scenario's saving as plain data (cents-consistent), for ``aicost savings --json`` and views."""
    from pricing.report import cents_to_float, rounded_matrix
    base_cells, scen_cells = rounded_matrix(result.baseline), rounded_matrix(result.projection)
    r = _attribution_cents(result, base_cells, scen_cells)  # each projection rounded once
    base = int(base_cells.sum())
    scen = int(scen_cells.sum())
    return {
        "name": result.scenario.name,
        "baseline_total": cents_to_float(base),
        "scenario_total": cents_to_float(scen),
        "saving_total": cents_to_float(r.saving_total),
        "saving_share": round(r.saving_total / base, 6) if base else 0.0,
        "saving_monthly": cents_to_float(r.saving_monthly),
        "method": result.method,
        "attribution": [{"strategy": n, "total": cents_to_float(t),
                         "share_of_saving": round(t / r.saving_total, 6) if r.saving_total else 0.0,
                         "monthly": cents_to_float(m)}
                        for (n, m), (_, t) in zip(r.parts, r.part_totals)],
    }


__all__ = ["STRATEGIES", "SHAPLEY_MAX", "ParamInfo", "StrategyInfo", "ScenarioResult", "RoundedAttribution",
           "apply", "check_scenarios", "evaluate", "evaluate_all", "attribution_cents", "largest_remainder",
           "summary_data"]

"""Savings strategies as users and forms see them: each strategy's parameters, defaults and readers."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from pricing.errors import PlanError, closest
from pricing.plan import EgressKind, LifecycleRule, Pricing, ThroughputBasis
from pricing.quantities import parse_number, parse_share


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

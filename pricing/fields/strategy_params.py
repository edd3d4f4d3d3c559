"""THE parameters of each savings strategy, as field specs: the scenario reader, savings panel and docs read them here.

A parameter that is also a plan field (``utilization``, ``min_gpus``, ``tokens_per_second_per_gpu``)
takes that field's kind, unit and limits, so a value means the same in a line and in a scenario.
"""
from __future__ import annotations

import dataclasses

from pricing import plan as P
from pricing.fields import sections as F
from pricing.fields import units as U
from pricing.fields.spec import RULE_FIELDS, FieldSpec, Kind, Limits, NameList, enum_choices, text_choices

SOURCES = {
    "quantization": "catalog lever lever.quantization.fp8_throughput (levers.yaml): vLLM FP8 quantization docs, "
                    "https://docs.vllm.ai/en/stable/features/quantization/fp8/ ('up to a 1.6x improvement in "
                    "throughput'), an upper bound",
    "reserved": "catalog: the provider's committed-use discount, levers.yaml reserved_discount.<provider> (GCP 28% "
                "for 1 year; a gap for the other providers: give discount, or set the key in prices:)",
    "utilization": "the engine's default utilization of a serving line (InferenceService.utilization), not a "
                   "published figure: give yours",
    "min_gpus": "the engine's default (InferenceService.min_gpus)",
}
"""Where the parameters' defaults come from (or why there is none)."""

LINES = FieldSpec("lines", Kind.NAMES, "Lines", "Only these lines (by name); default: every line the strategy "
                  "applies to.", names=NameList.LINE, limits=Limits(minimum=1), none_means="every line",
                  example="a list of line names such as [Chat serving]")


def applies_to(default: tuple[str, ...], allowed: tuple[str, ...], what: str, labels: dict[str, str]) -> FieldSpec:
    return FieldSpec("applies_to", Kind.NAMES, "Applies to", f"Only lines of these {what}.", default=default,
                     choices=text_choices(*((a, labels.get(a, a.replace("_", " "))) for a in allowed)),
                     example=f"a list among {', '.join(allowed)}", source="this strategy's scope",
                     limits=Limits(minimum=1))


_COMPUTE_LABELS = {c.text: c.label for c in F.COMPUTE_SECTION_CHOICES}
MOVE_SECTIONS = ("training", "fine_tuning", "inference", "exploration", "storage", "egress", "mlops")
"""What ``move`` can re-place: the sections whose lines are bought from a cloud provider."""


def _share(key: str, label: str, help: str, example: str, *, required: bool = True, source: str = "",
           maximum: float | None = None, allow_zero: bool = False, default: float | None = None,
           none_means: str = "") -> FieldSpec:
    """A share parameter: above 0 and at most 100% unless said otherwise (a strategy that saves nothing is off)."""
    return FieldSpec(key, Kind.SHARE, label, help, unit=U.SHARE, limits=Limits(maximum=maximum, allow_zero=allow_zero),
                     required=required, source=source, example=example, default=default, none_means=none_means)


def _gain(help: str, *, required: bool = True, default: float | None = None, source: str = "",
          example: str = "a factor such as 2", lever: str | None = None) -> FieldSpec:
    return FieldSpec("throughput_gain", Kind.FACTOR, "Throughput gain (x)", help, unit=U.FACTOR,
                     limits=Limits(maximum=100.0),  # a hundredfold speed-up of serving is a typo
                     required=required, default=default, source=source, example=example, lever=lever)


def _SERVING(key: str) -> FieldSpec:  # noqa: N802 - reads like the section constants (F.GPU, F.THROUGHPUT)
    """A field of a serving line (``compute.inference``), to use as a self_host parameter."""
    return next(f for f in F.INFERENCE_FIELDS if f.key == key)


def _as_param(field: FieldSpec, help: str, **changes: object) -> FieldSpec:
    """A plan field used as a strategy parameter: its rules, with the parameter's own help (no range, no default)."""
    base = {"help": help, "rangeable": False, "default": None, "required": False, "none_means": ""}
    base.update(changes)
    return dataclasses.replace(field, **base)  # type: ignore[arg-type]


PARAMS: dict[str, tuple[FieldSpec, ...]] = {
    "self_host": (
        FieldSpec("api", Kind.NAMES, "API lines", "The API line(s) to replace (or give them as lines).",
                  names=NameList.LINE, required=True, limits=Limits(minimum=1), example="an API line name"),
        _as_param(F.GPU, "Catalog GPU to serve on.", required=True, example="a catalog GPU key such as L40S"),
        _as_param(_SERVING("model_family"), "The model served, from the catalog's model families (give it, or "
                  "params, or a measured tokens_per_second_per_gpu).", none_means="given by params",
                  example="a model family such as llama-3.1-70b"),
        _as_param(_SERVING("params"), "Total parameters of the model served (e.g. 70B), without a model family or "
                  "to resize one.", none_means="the model family's", example="a number of parameters such as 70B"),
        _as_param(_SERVING("active_params"), "Parameters each token uses, for a mixture-of-experts model.",
                  none_means="all of them (or the family's)", example="a number of parameters such as 22B"),
        _as_param(_SERVING("precision"), "Weight precision served (sizes the replicas with the model).",
                  default=P.Precision.BF16, source="bf16: the conservative choice (unquantized weights)",
                  example="bf16, fp8, fp4 or int4"),
        _as_param(F.THROUGHPUT, "A measured sustained throughput of one GPU for this model and workload: wins over "
                  "the serving model when given.", none_means="the serving model",
                  example="a number of tokens per second such as 1500"),
        _as_param(F.THROUGHPUT_BASIS, "Whether that throughput counts output tokens or input + output.",
                  default=P.ThroughputBasis.OUTPUT, source="the engine's default"),
        _as_param(F.UTILIZATION, "Average share of capacity used.", default=0.6, source=SOURCES["utilization"]),
        _as_param(F.MIN_GPUS, "Never fewer GPUs than this.", default=1, source=SOURCES["min_gpus"]),
        _as_param(_SERVING("min_replicas"), "Never fewer replicas than this (replaces min_gpus).",
                  none_means="from min_gpus", example="a whole number such as 2"),
        _as_param(_SERVING("peak_to_average"), "Busiest hour / average hour of the traffic.",
                  none_means="the catalog's default (1)", example="a number such as 2"),
        _as_param(_SERVING("ttft_ms"), "Time-to-first-token target (ms).", none_means="no target",
                  example="a number of milliseconds such as 500"),
        _as_param(_SERVING("tpot_ms"), "Time-per-output-token target (ms).", none_means="no target",
                  example="a number of milliseconds such as 50"),
        _as_param(_SERVING("tensor_parallel"), "GPUs per replica (1, 2, 4, 8).", none_means="automatic",
                  example="1, 2, 4 or 8"),
        _as_param(_SERVING("instance_gpus"), "GPUs per instance rented (1, 2, 4, 8).",
                  none_means="the replica's size", example="1, 2, 4 or 8"),
        _as_param(F.PROVIDER, "Cloud the GPUs are rented from.", none_means=F.PLAN_PROVIDER,
                  source="the plan's provider"),
        _as_param(F.PRICING, "How the GPU time is bought.", default=P.Pricing.ON_DEMAND, source="list price"),
        LINES),
    "model_switch": (
        FieldSpec("model", Kind.NAME, "Model", "The model to switch to.", names=NameList.API_MODEL, required=True,
                  example="a model id such as gpt-4.1-mini"),
        FieldSpec("provider", Kind.NAME, "API provider", "Its API provider.", names=NameList.API_PROVIDER,
                  none_means="each line's own provider", source="each line's own provider",
                  example="a provider such as openai"),
        LINES),
    "right_size": (
        _share("target_utilization", "Target utilization", "Utilization to raise serving lines to.",
               "a share such as 75%", required=False, none_means="each line's own"),
        _as_param(F.GPU, "Catalog GPU to move to (give its throughput too).", none_means="each line's own",
                  example="a catalog GPU key such as L4"),
        _as_param(F.THROUGHPUT, "Throughput of one GPU of the new kind.", none_means="each line's own",
                  example="a number of tokens per second"),
        LINES),
    "quantization": (
        _gain("Throughput factor over the unquantized model.", required=False, default=1.6,
              source=SOURCES["quantization"], example="a factor such as 1.6", lever="quantization.fp8_throughput"),
        LINES),
    "distillation": (
        _gain("Throughput factor of the distilled model.",
              source="no published default: it depends on the student's size; give yours"),
        LINES),
    "efficient_architecture": (
        _gain("Throughput factor of the new architecture.", example="a factor such as 1.5",
              source="no published default: it depends on the architecture; give yours"),
        LINES),
    "batching": (
        _gain("Throughput factor from batching.",
              source="no default: published gains are against unbatched serving (6.6x at concurrency 8 vs 1, "
                     "https://johnmusgrave.com/p/vllm-throughput-latency-sweep-on) and modern servers already "
                     "batch; give yours"),
        LINES),
    "reserved": (
        applies_to(("inference",), ("training", "fine_tuning", "inference", "exploration"), "compute sections",
                   _COMPUTE_LABELS),
        _share("discount", "Discount", "Committed-use discount off the on-demand price.", "a share such as 30%",
               required=False, maximum=0.99, source=SOURCES["reserved"], none_means="the catalog's discount"),
        LINES),
    "spot": (
        applies_to(("training", "fine_tuning", "exploration"), ("training", "fine_tuning", "exploration"),
                   "compute sections", _COMPUTE_LABELS),
        _as_param(F.interruption_overhead(""), "Extra hours (share of a run) lost to interruptions and restarts.",
                  required=True, example="a share such as 10%",
                  source="no published figure (the reference only says 'plan for interruption and retry "
                         "overhead'); give yours, e.g. 10% with frequent checkpoints"),
        LINES),
    "auto_shutdown": (
        _share("idle_cut", "Idle hours cut", "Share of the idle hours removed.", "a share such as 80%",
               source="no published figure; give yours (idle time left depends on the shutdown delay)"),
        LINES),
    "api_cache": (
        _share("hit_rate", "Cache hit rate", "Share of requests answered from the cache.", "a share such as 30%",
               source="depends on how often requests repeat; give yours"),
        LINES),
    "prompt_caching": (
        _share("cached_share", "Cached input", "Share of input tokens read from the provider's prompt cache.",
               "a share such as 60%",
               source="depends on the shared prompt prefix (system prompt, documents); give yours"),
        LINES),
    "batch_api": (
        _share("share", "Sent as batch", "Share of each line's requests sent through the batch API (work that can "
               "wait up to 24 hours: evaluations, enrichment, nightly summaries).", "a share such as 30%",
               source="depends on how much of the traffic can wait; give yours"),
        LINES),
    "lifecycle": (
        _as_param(RULE_FIELDS[0], "Age in days after which data moves.", none_means="rules given instead"),
        _as_param(RULE_FIELDS[1], "The colder tier it moves to.", none_means="rules given instead"),
        FieldSpec("rules", Kind.RULES, "Rules", "Several moves instead of one.", limits=Limits(minimum=1),
                  none_means="after_days and tier given instead",
                  example="a list such as [{after_days: 30, tier: infrequent}, {after_days: 180, tier: archive}]"),
        LINES),
    "compression": (
        _share("share", "Bytes saved", "Share of bytes saved.", "a share such as 40%", maximum=0.99,
               source="depends on the data (images and video barely compress); give yours"),
        FieldSpec("egress", Kind.FLAG, "Egress too", "Also compress data moved out.", default=False,
                  example="true or false"),
        LINES),
    "egress_reduction": (
        _share("share", "Bytes no longer moved", "Share of bytes no longer moved.", "a share such as 30%",
               source="depends on the traffic; give yours"),
        applies_to(tuple(k.value for k in P.EgressKind), tuple(k.value for k in P.EgressKind), "egress kinds",
                   {c.text: c.label for c in F.EGRESS_FIELDS[2].choices}),
        LINES),
    "move": (
        _as_param(F.PROVIDER, "Cloud to move the lines to.", key="to", label="Move to",
                  none_means="each line's cheapest provider (cheapest: true)", example="a provider such as gcp"),
        FieldSpec("cheapest", Kind.FLAG, "Cheapest provider", "Move each line to the provider that prices it lowest "
                  "(as aicost providers places it) instead of one provider.", default=False, example="true or false"),
        applies_to(("training", "fine_tuning", "inference", "exploration"), MOVE_SECTIONS, "sections",
                   {**_COMPUTE_LABELS, "storage": "storage", "egress": "egress", "mlops": "MLOps"}),
        LINES),
    "annotation_reduction": (
        _share("share", "Items no longer labelled", "Share of items no longer labelled by people.",
               "a share such as 40%",
               source="no default: AWS's 'up to 70%' for Ground Truth active learning is an upper bound "
                      "(reference gt.active_learning_reduction); give yours"),
        FieldSpec("method", Kind.ENUM, "Method", "How the labels are saved (for the record).",
                  default="active_learning", example="active_learning, semi_supervised or synthetic",
                  choices=text_choices(("active_learning", "active learning"), ("semi_supervised", "semi-supervised"),
                                       ("synthetic", "synthetic data"))),
        LINES),
}
"""Each strategy's parameters, by strategy name (``pricing.scenarios.STRATEGIES`` lists the strategies)."""

__all__ = ["PARAMS", "LINES", "SOURCES", "enum_choices"]

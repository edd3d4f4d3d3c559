"""Savings strategies as users and forms see them: what each does, its parameters (field specs, ``pricing.fields``)."""
from __future__ import annotations

from dataclasses import dataclass

from pricing import fields
from pricing.fields import FieldSpec

COMPUTE_SECTIONS = {"training": "compute.training", "fine_tuning": "compute.fine_tuning",
                    "inference": "compute.inference", "exploration": "compute.exploration"}
"""Short names of the compute sections, as ``applies_to`` takes them."""
MOVE_SECTIONS = {**COMPUTE_SECTIONS, "storage": "data.storage", "egress": "data.egress", "mlops": "mlops"}
"""Short names of the sections ``move`` re-places (lines bought from a cloud provider)."""

ParamInfo = FieldSpec
"""A strategy parameter is a field spec (``pricing.fields.strategy_params``): key, kind, label, help, example,
default and its source, limits. The old name stays for callers."""

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
    params: tuple[FieldSpec, ...]
    """The strategy's parameters, from the schema (``pricing.fields.strategy_params``)."""
    noop: str
    """Why it can change nothing, said when a scenario's strategy matches no line."""

    def param(self, name: str) -> FieldSpec:
        for p in self.params:
            if p.key == name:
                return p
        raise KeyError(name)


# ---------------------------------------------------------------------------------------------
# The strategies: parameters (with the sources of their defaults) and transforms
# ---------------------------------------------------------------------------------------------

_INFO: tuple[StrategyInfo, ...] = (
    StrategyInfo(
        "self_host", "Self-host an API model",
        "Replace API lines with self-hosted serving (compute.inference) on a chosen GPU, with the same requests, "
        "growth, tokens and months. Requests a response cache already answers are not served.",
        ("services.apis",),
        fields.strategy_params("self_host"),
        "no API line with that name"),
    StrategyInfo(
        "model_switch", "Switch API model",
        "Move API lines to another model (and optionally provider); token counts per request are kept.",
        ("services.apis",),
        fields.strategy_params("model_switch"),
        "every API line it applies to already uses that model"),
    StrategyInfo(
        "right_size", "Right-size serving",
        "Raise the utilization of serving lines to a target (lines already above it are left), and/or move them to"
        " another GPU with its throughput.",
        ("compute.inference",),
        fields.strategy_params("right_size"),
        "no serving line below the target utilization or on another GPU"),
    StrategyInfo(
        "quantization", "Quantization",
        "Serve a quantized model: a line sized by the serving model moves one precision down (bf16 to fp8, fp8 to "
        "fp4) where the model says a GPU then serves more requests (memory, bandwidth and tensor cores: FP4 on a "
        "GPU without FP4 tensor cores serves fewer, so such a line is left); a line with a measured throughput "
        "gets throughput_gain times more tokens per second per GPU.",
        ("compute.inference",),
        fields.strategy_params("quantization"),
        "no serving line a lower precision makes faster (a line already at FP4 or INT4, or at FP8 on a GPU "
        "without FP4 tensor cores, has nothing left to gain)"),
    StrategyInfo(
        "distillation", "Distillation",
        "Serve a smaller model distilled from the current one: throughput_gain times more tokens per second per GPU "
        "(of the modelled figure, for a line sized by the serving model).",
        ("compute.inference",),
        fields.strategy_params("distillation"),
        "no serving line"),
    StrategyInfo(
        "efficient_architecture", "Efficient architecture",
        "Serve a more efficient architecture (e.g. mixture-of-experts, smaller attention): throughput_gain times "
        "more tokens per second per GPU (of the modelled figure, for a line sized by the serving model).",
        ("compute.inference",),
        fields.strategy_params("efficient_architecture"),
        "no serving line"),
    StrategyInfo(
        "batching", "Batching",
        "Batch requests (continuous batching, higher concurrency): throughput_gain times more tokens per second per "
        "GPU. The serving model already assumes continuous batching at full load, so on a line it sizes this "
        "counts a gain beyond it.",
        ("compute.inference",),
        fields.strategy_params("batching"),
        "no serving line"),
    StrategyInfo(
        "reserved", "Reserved capacity",
        "Buy always-on GPU time with a committed-use discount: pricing becomes reserved, priced by the catalog at "
        "on-demand x (1 - the provider's discount). ``discount`` sets that discount for the providers the strategy"
        " touches (a plan price override of reserved_discount.<provider>, so every line reserved there pays it).",
        ("compute.training", "compute.fine_tuning", "compute.inference", "compute.exploration"),
        fields.strategy_params("reserved"),
        "no GPU line it applies to off reserved pricing"),
    StrategyInfo(
        "spot", "Spot capacity",
        "Run interruptible work on spot GPUs: pricing becomes spot, and the lines take ``interruption_overhead`` "
        "more hours: training and fine-tuning runs restart from checkpoints, notebooks and dev instances are "
        "restarted and reload their state when the instance is reclaimed.",
        ("compute.training", "compute.fine_tuning", "compute.exploration"),
        fields.strategy_params("spot"),
        "no training, fine-tuning or exploration line it applies to off spot pricing"),
    StrategyInfo(
        "auto_shutdown", "Auto-shutdown of idle instances",
        "Stop idle notebooks and dev instances: billed hours fall by idle_share x idle_cut, and the idle share "
        "left is recomputed.",
        ("compute.exploration",),
        fields.strategy_params("auto_shutdown"),
        "no exploration line with idle time (idle_share)"),
    StrategyInfo(
        "api_cache", "Response cache",
        "Answer a share of API requests from our own response cache; combined with a line's existing hit rate as 1"
        " - (1 - a)(1 - b).",
        ("services.apis",),
        fields.strategy_params("api_cache"),
        "no API line"),
    StrategyInfo(
        "prompt_caching", "Prompt caching",
        "Bill a share of input tokens at the model's cached-input price (lines already caching more are left; "
        "models without a cached-input price are skipped).",
        ("services.apis",),
        fields.strategy_params("prompt_caching"),
        "no API line with input tokens below that cached share on a model with a cached-input price"),
    StrategyInfo(
        "batch_api", "Batch API",
        "Send a share of requests through the provider's batch API (answers within 24 hours at about half price: "
        "OpenAI, Anthropic, Google, Mistral); priced with genai-prices' batch prices. Lines already sending more, "
        "and models without a batch API, are left.",
        ("services.apis",),
        fields.strategy_params("batch_api"),
        "no API line sending less than that share through a batch API its model offers"),
    StrategyInfo(
        "lifecycle", "Storage lifecycle",
        "Move data older than N days to a colder tier (``after_days`` + ``tier``, or ``rules``); the rules replace"
        " a line's lifecycle policy. Data ages are counted by arrival month.",
        ("data.storage",),
        fields.strategy_params("lifecycle"),
        "no storage line whose lifecycle policy differs"),
    StrategyInfo(
        "compression", "Compression",
        "Store a share fewer bytes (combined with a line's compression as 1 - (1 - a)(1 - b)); with ``egress: "
        "true`` also move that share fewer bytes on egress lines.",
        ("data.storage", "data.egress"),
        fields.strategy_params("compression"),
        "no storage line (or egress line with egress: true)"),
    StrategyInfo(
        "egress_reduction", "Egress reduction",
        "Move a share fewer bytes (caching at the edge, keeping compute next to data).",
        ("data.egress",),
        fields.strategy_params("egress_reduction"),
        "no egress line"),
    StrategyInfo(
        "move", "Move to another provider",
        "Re-place lines on another cloud (``to: gcp``) or each on its cheapest (``cheapest: true``), priced with "
        "that provider's catalog prices. Data must reach the GPUs: when training or fine-tuning ends up at another "
        "provider than a storage line it used to share one with, the copy (the volume held in the first month a run "
        "uses it) and the later months' growth are added as internet egress lines at the sending provider (from the "
        "GPUs for checkpoint lines). A line under a managed platform's markup cannot leave the platform's cloud.",
        tuple(MOVE_SECTIONS.values()),
        fields.strategy_params("move"),
        "every line it applies to is already at that provider (or already at its cheapest)"),
    StrategyInfo(
        "annotation_reduction", "Fewer items to label",
        "Label fewer items thanks to active learning, semi-supervised learning or synthetic data (the cost of "
        "generating synthetic data is not modelled).",
        ("annotation",),
        fields.strategy_params("annotation_reduction"),
        "no annotation batch"),
)

STRATEGIES: dict[str, StrategyInfo] = {s.name: s for s in _INFO}
"""Every strategy by name, in the canonical order ``apply`` runs them."""

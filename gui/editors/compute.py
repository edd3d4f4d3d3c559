"""Forms of the compute sections: training and fine-tuning runs, inference services, notebook pools."""
from __future__ import annotations

import dataclasses
from typing import Any, Sequence

from pricing.plan import Pricing, ThroughputBasis

from gui.editors.form import Field, Form, enum_choices


def gpu_choices(form: Form, line: Any) -> Sequence[tuple[Any, str, str]]:
    return [(k, k, "") for k in form.document.catalog.gpu_keys()]


def provider_choices(form: Form, line: Any) -> Sequence[tuple[Any, str, str]]:
    plan = form.document.plan
    out: list[tuple[Any, str, str]] = [(None, f"plan default ({plan.provider})",
                                        "Priced at the plan's provider (Plan settings)")]
    out += [(p, p, "") for p in form.document.catalog.providers]
    return out


PRICING_LABELS = {Pricing.ON_DEMAND: "on demand", Pricing.SPOT: "spot (interruptible)",
                  Pricing.RESERVED: "reserved (committed)"}


def _hours_mode(form: Form, line: Any, mode: str) -> Any:
    """Switch a run between given hours and hours derived from 6 x params x tokens / (peak x MFU)."""
    if mode == "flops" and line.hours is not None:
        return dataclasses.replace(line, hours=None, params=line.params or 8e9, tokens=line.tokens or 2e10,
                                   mfu=line.mfu or 0.4)
    if mode == "hours" and line.hours is None:
        from pricing import engine
        from pricing.drivers.compute import run_hours
        from pricing.errors import PlanError
        try:  # keep the hours the derivation gave, so the cost doesn't jump
            hours = float(run_hours(line, engine.context(form.document.plan, form.document.catalog))[0])
        except PlanError:
            hours = 100.0
        return dataclasses.replace(line, hours=round(hours, 2) or 1.0, params=None, tokens=None, mfu=None)
    return line


def _given(line: Any) -> bool:
    return line.hours is not None


def _derived(line: Any) -> bool:
    return line.hours is None


_PROVIDER = Field("provider", "Provider", "choice",
                  "Cloud whose price list prices this line; the plan's provider unless set here.",
                  choices=provider_choices)
_PRICING = Field("pricing", "Pricing", "choice",
                 "How the GPU time is bought: on demand (list price), spot (cheaper, can be interrupted) or "
                 "reserved (committed-use discount). Changes the price per GPU-hour.",
                 choices=enum_choices(Pricing, PRICING_LABELS))

TRAINING: tuple[Field, ...] = (
    Field("name", "Name", "name", "Shown in the tables and charts."),
    Field("gpu", "GPU", "choice", "GPU model rented for the run; its price per GPU-hour (for the provider and "
          "pricing below) multiplies every GPU-hour of the run.", choices=gpu_choices),
    Field("gpus", "GPUs", "int", "GPUs one run uses at once. Cost = GPUs x hours x runs x price per GPU-hour.",
          unit="GPUs", limits={"minimum": 1, "maximum": 100_000}),
    Field("hours_mode", "Hours from", "choice",
          "Give the wall-clock hours of a run, or derive them from the model size and training tokens: "
          "hours = 6 x params x tokens / (GPUs x peak FLOP/s x MFU).",
          choices=lambda form, line: [("hours", "hours per run", ""),
                                      ("flops", "model size x tokens", "")],
          get=lambda line: "hours" if line.hours is not None else "flops",
          put=lambda form, line, mode: _hours_mode(form, line, mode)),
    Field("hours", "Hours per run", "number", "Wall-clock hours of one run. Cost grows in proportion.",
          unit="h", limits={"allow_zero": False}, enabled=_given),
    Field("params", "Parameters", "number", "Model parameters (e.g. 8B). Training FLOPs = 6 x params x tokens.",
          unit="params", limits={"allow_zero": False}, enabled=_derived),
    Field("tokens", "Training tokens", "number", "Tokens seen by one run (e.g. 20B). More tokens, more hours.",
          unit="tokens", limits={"allow_zero": False}, enabled=_derived),
    Field("mfu", "MFU", "share", "Model FLOPs utilization: the share of the GPU's peak the training code "
          "reaches (30-50% is typical). Higher MFU, fewer hours.", limits={"minimum": 0.001}, enabled=_derived,
          none_text="—"),
    Field("runs", "Runs", "number", "Repeats each time the job runs, e.g. a sweep of 12 runs. Multiplies the cost.",
          unit="runs", limits={"allow_zero": False}),
    Field("month", "First month", "month", "Plan month of the first run; the cost falls in that month.",
          limits={"minimum": 1}),
    Field("every", "Repeat every", "int", "Run again every N months (e.g. a monthly retrain); 'once' runs one time.",
          unit="months", none_text="once", limits={"minimum": 1, "maximum": 240}),
    _PRICING,
    _PROVIDER,
    Field("interruption_overhead", "Interruption overhead", "share",
          "Extra hours lost to spot interruptions and restarts from checkpoints, as a share of the run. "
          "Adds to the GPU-hours billed.", limits={"maximum": 10.0}),
)

INFERENCE: tuple[Field, ...] = (
    Field("name", "Name", "name", "Shown in the tables and charts."),
    Field("gpu", "GPU", "choice", "GPU model serving the model; always-on, billed 730 hours a month each.",
          choices=gpu_choices),
    Field("requests_per_month", "Requests / month", "number", "Requests in the first month (e.g. 2M). With the "
          "tokens per request, they set the GPUs needed.", unit="requests"),
    Field("growth", "Monthly growth", "share", "Compound growth of requests each month; more requests need "
          "more GPUs as the months go.", limits={"maximum": 10.0}),
    Field("input_tokens", "Input tokens", "number", "Prompt tokens per request (count against throughput when "
          "the throughput counts input + output).", unit="tokens/request"),
    Field("output_tokens", "Output tokens", "number", "Generated tokens per request: what serving capacity is "
          "mostly spent on.", unit="tokens/request"),
    Field("tokens_per_second_per_gpu", "Throughput", "number", "Sustained tokens per second one GPU serves. "
          "Higher throughput, fewer GPUs.", unit="tokens/s per GPU", limits={"allow_zero": False}),
    Field("throughput_basis", "Throughput counts", "choice", "Whether the throughput figure counts generated "
          "tokens only (LLM serving benchmarks) or input + output (e.g. embedding models).",
          choices=enum_choices(ThroughputBasis, {ThroughputBasis.OUTPUT: "output tokens",
                                                 ThroughputBasis.TOTAL: "input + output tokens"})),
    Field("utilization", "Utilization", "share", "Average share of capacity used (headroom for peaks). "
          "Lower utilization, more GPUs for the same load.", limits={"minimum": 0.01}),
    Field("min_gpus", "Minimum GPUs", "int", "Never fewer GPUs than this (redundancy), whatever the load.",
          unit="GPUs", limits={"minimum": 0, "maximum": 100_000}),
    Field("max_gpus", "Maximum GPUs", "int", "Capacity cap; above it requests would not be served (reported "
          "as a note). 'no cap' lets the GPUs grow with the load.", unit="GPUs", none_text="no cap",
          limits={"minimum": 1, "maximum": 100_000}),
    Field("start", "First month", "month", "Plan month the service starts; nothing is billed before.",
          limits={"minimum": 1}),
    Field("end", "Last month", "month", "Last plan month of the service; 'horizon' runs to the end of the plan.",
          none_text="horizon", limits={"minimum": 1}),
    _PRICING,
    _PROVIDER,
)

EXPLORATION: tuple[Field, ...] = (
    Field("name", "Name", "name", "Shown in the tables and charts."),
    Field("gpu", "GPU", "choice", "GPU of each person's notebook or dev instance.", choices=gpu_choices),
    Field("people", "People", "int", "People with an instance each. Cost = people x hours x GPUs x price.",
          unit="people", limits={"minimum": 0, "maximum": 100_000}),
    Field("hours_per_week", "Hours per week", "number", "Hours each instance runs per week, idle time included "
          "(that is what is billed).", unit="h/week", limits={"maximum": 168}),
    Field("idle_share", "Idle share", "share", "Share of those hours the instance sits idle: what auto-shutdown "
          "could cut (see Savings)."),
    Field("gpus_per_instance", "GPUs per instance", "int", "GPUs in each instance; multiplies the GPU-hours.",
          unit="GPUs", limits={"minimum": 1, "maximum": 64}),
    Field("start", "First month", "month", "Plan month the pool starts.", limits={"minimum": 1}),
    Field("end", "Last month", "month", "Last plan month; 'horizon' runs to the end of the plan.",
          none_text="horizon", limits={"minimum": 1}),
    _PRICING,
    _PROVIDER,
)


class TrainingForm(Form):
    def describe(self, obj: Any) -> str:
        fine_tuning = self.key_path and self.key_path.startswith("compute.fine_tuning")
        return "Fine-tuning run" if fine_tuning else "Training run"


class InferenceForm(Form):
    def describe(self, obj: Any) -> str:
        return "Self-hosted inference"


class ExplorationForm(Form):
    def describe(self, obj: Any) -> str:
        return "Notebooks and dev instances"

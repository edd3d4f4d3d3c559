"""Compute: training and fine-tuning runs, self-hosted inference, exploration instances."""
from __future__ import annotations

import numpy as np

from pricing.context import HOURS_PER_MONTH, Context, LineItem
from pricing.errors import CatalogError
from pricing.plan import Category, ExplorationPool, InferenceService, ThroughputBasis, TrainingRun

WEEKS_PER_MONTH = 52.0 / 12.0


def run_hours(line: TrainingRun, ctx: Context) -> tuple[float, tuple[str, ...], tuple]:
    """Wall-clock hours of one run: given, or 6 x params x tokens / (gpus x peak x MFU)."""
    if line.hours is not None:
        return line.hours, (), ()
    gpu = ctx.catalog.resolve_gpu(line.gpu)
    spec = ctx.catalog.gpu_spec(gpu)
    if not spec.peak_tflops:
        raise CatalogError(f"the peak TFLOP/s of {gpu} is not published, so hours cannot be derived from "
                           f"params x tokens; give hours, or set prices: {{gpu.{gpu}.peak_tflops: N}}")
    flops = 6.0 * line.params * line.tokens
    seconds = flops / (line.gpus * spec.peak_tflops * 1e12 * line.mfu)
    if np.ndim(seconds) == 0:
        note = (f"hours derived: 6 x {line.params:.3g} params x {line.tokens:.3g} tokens / "
                f"({line.gpus} x {spec.peak_tflops:g} TFLOP/s x {line.mfu:.0%} MFU) = {seconds / 3600:,.1f} h per run")
    else:  # sampled inputs (Monte Carlo)
        note = "hours derived from 6 x params x tokens / (gpus x peak x MFU)"
    if spec.peak_note:
        note += f"; {spec.peak_note}"
    return seconds / 3600.0, (note,), (spec.source,)


def run_months(month: int, every: int | None, n: int) -> np.ndarray:
    """1.0 in each month a job runs: ``month``, then every ``every`` months."""
    out = np.zeros(n)
    if every:
        out[month - 1::every] = 1.0
    elif month <= n:
        out[month - 1] = 1.0
    return out


def training(line: TrainingRun, key: str, ctx: Context) -> LineItem:
    gpu = ctx.catalog.resolve_gpu(line.gpu)
    price = ctx.catalog.gpu_price(gpu, ctx.provider(line), line.pricing.value)
    hours, notes, spec_sources = run_hours(line, ctx)
    gpu_hours_per_time = hours * (1.0 + line.interruption_overhead) * line.gpus * line.runs
    when = run_months(line.month, line.every, ctx.n)
    gpu_hours = when * gpu_hours_per_time
    monthly = gpu_hours * price.value * ctx.fx
    if not isinstance(line.interruption_overhead, np.ndarray) and line.interruption_overhead:
        notes += (f"{line.interruption_overhead:.0%} extra hours for interruptions and restarts",)
    return LineItem(line.name, Category.COMPUTE, key.rsplit("[", 1)[0], key, monthly,
                    (("GPU-hours", gpu_hours), ("runs", when * line.runs)),
                    (price.source, *spec_sources), notes)


def inference_gpus(line: InferenceService, ctx: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[str, ...]]:
    """(requests, tokens counted against throughput, GPUs) per month for a serving line."""
    active = ctx.active(line.start, line.end)
    requests = line.requests_per_month * ctx.growth(line.growth, line.start, line.end)
    per_request = line.output_tokens if line.throughput_basis is ThroughputBasis.OUTPUT else \
        line.input_tokens + line.output_tokens
    tokens = requests * per_request
    capacity_per_gpu = line.tokens_per_second_per_gpu * 3600.0 * HOURS_PER_MONTH * line.utilization
    needed = np.ceil(tokens / capacity_per_gpu - 1e-9)
    gpus = np.maximum(needed, line.min_gpus) * active
    notes: tuple[str, ...] = ()
    if line.max_gpus is not None and (gpus > line.max_gpus).any():
        over = (gpus > line.max_gpus).reshape(-1, ctx.n).any(axis=0)
        first = int(np.nonzero(over)[0][0]) + 1
        notes = (f"from month {first} the load needs more than max_gpus={line.max_gpus}; "
                 "capped, so part of the requests would not be served",)
        gpus = np.minimum(gpus, line.max_gpus)
    return requests, tokens, gpus, notes


def inference(line: InferenceService, key: str, ctx: Context) -> LineItem:
    gpu = ctx.catalog.resolve_gpu(line.gpu)
    price = ctx.catalog.gpu_price(gpu, ctx.provider(line), line.pricing.value)
    requests, tokens, gpus, notes = inference_gpus(line, ctx)
    gpu_hours = gpus * HOURS_PER_MONTH
    monthly = gpu_hours * price.value * ctx.fx
    return LineItem(line.name, Category.COMPUTE, "compute.inference", key, monthly,
                    (("GPUs", gpus), ("GPU-hours", gpu_hours), ("requests", requests), ("tokens", tokens)),
                    (price.source,), notes)


def exploration(line: ExplorationPool, key: str, ctx: Context) -> LineItem:
    gpu = ctx.catalog.resolve_gpu(line.gpu)
    price = ctx.catalog.gpu_price(gpu, ctx.provider(line), line.pricing.value)
    hours = line.people * line.hours_per_week * WEEKS_PER_MONTH * line.gpus_per_instance
    gpu_hours = hours * (1.0 + line.interruption_overhead) * ctx.active(line.start, line.end)
    monthly = gpu_hours * price.value * ctx.fx
    return LineItem(line.name, Category.COMPUTE, "compute.exploration", key, monthly,
                    (("GPU-hours", gpu_hours), ("idle GPU-hours", gpu_hours * line.idle_share)),
                    (price.source,), ())


"""Compute: training and fine-tuning runs, self-hosted inference, exploration instances.

GPUs are rented in the provider's instance shapes (``Catalog.gpu_instance``): a job pays for the whole
instances it needs. A training run's wall-clock time falls in the calendar months it covers (730 hours
a month); what falls after the horizon is said in the line's notes. Serving lines are sized by
``pricing.drivers.serving_line`` (the serving model, or a measured throughput).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from pricing.catalog import GpuInstance, MissingPriceError
from pricing.context import HOURS_PER_MONTH, Context, LineItem
from pricing.drivers import serving_line
from pricing.errors import CatalogError
from pricing.plan import Category, ExplorationPool, InferenceService, TrainingRun

WEEKS_PER_MONTH = 52.0 / 12.0

GOODPUT_FROM_GPUS = 1024
"""Runs of at least this many GPUs get the automatic goodput allowance (below it, under 0.7% of the hours)."""
LLAMA3_GPUS = 16_384
"""GPUs of the Llama 3 405B pre-training run (The Llama 3 Herd of Models, Dubey et al. 2024, arXiv:2407.21783,
section 3.3.4: 466 job interruptions in a 54-day snapshot, 47 planned and 419 unexpected)."""
LLAMA3_GOODPUT = 0.90
"""Its effective training time: "higher than 90%" (same section): 90% is the conservative end."""


def automatic_goodput(gpus: Any) -> Any:
    """The default goodput of a run on ``gpus`` GPUs: Llama 3's 90% at 16,384 GPUs, scaled with the GPU count.

    Interruptions come from hardware (78% of Llama 3's unexpected ones), so their rate grows with the GPUs; each
    costs about the same (a restart from the last checkpoint). Hours lost per useful hour are then
    (1/0.9 - 1) x GPUs / 16,384, and goodput = 1 / (1 + (1/0.9 - 1) x GPUs / 16,384): 90% at 16,384 GPUs, 99.3%
    at 1,024, never below 0 past the published scale. 1.0 (no allowance) under ``GOODPUT_FROM_GPUS``.
    """
    n = np.asarray(gpus, dtype=float)
    lost_per_useful_hour = (1.0 / LLAMA3_GOODPUT - 1.0) * n / LLAMA3_GPUS
    out = np.where(n >= GOODPUT_FROM_GPUS, 1.0 / (1.0 + lost_per_useful_hour), 1.0)
    return float(out) if out.ndim == 0 else out


def run_hours(line: TrainingRun, ctx: Context) -> tuple[float, tuple[str, ...], tuple]:
    """Wall-clock hours of one run without interruptions: given, or 6 x active params x tokens / (gpus x peak x MFU).

    A mixture-of-experts model computes with its active parameters only (``active_params``); a dense one with all.
    """
    if line.hours is not None:
        return line.hours, (), ()
    gpu = ctx.catalog.resolve_gpu(line.gpu)
    spec = ctx.catalog.gpu_spec(gpu)
    if not spec.peak_tflops:
        raise CatalogError(f"the peak TFLOP/s of {gpu} is not published, so hours cannot be derived from "
                           f"params x tokens; give hours, or set prices: {{gpu.{gpu}.peak_tflops: N}}")
    moe = line.active_params is not None
    computing = line.active_params if moe else line.params
    flops = 6.0 * computing * line.tokens
    seconds = flops / (line.gpus * spec.peak_tflops * 1e12 * line.mfu)
    what = "active params" if moe else "params"
    if np.ndim(seconds) == 0:
        note = (f"hours derived: 6 x {computing:.3g} {what} x {line.tokens:.3g} tokens / "
                f"({line.gpus} x {spec.peak_tflops:g} TFLOP/s x {line.mfu:.0%} MFU) = {seconds / 3600:,.1f} h per run")
    else:  # sampled inputs (Monte Carlo)
        note = f"hours derived from 6 x {what} x tokens / (gpus x peak x MFU)"
    if moe and np.ndim(line.active_params) == 0 and np.ndim(line.params) == 0 and line.params is not None:
        if line.active_params > line.params:
            note += (f"; active_params {line.active_params:.3g} is above params {line.params:.3g}: active parameters "
                     "are a part of the model's, check them (the hours follow active_params)")
        else:
            note += (f"; mixture-of-experts: compute from the {line.active_params:.3g} active of "
                     f"{line.params:.3g} parameters (memory and checkpoints hold all of them)")
    if spec.peak_note:
        note += f"; {spec.peak_note}"
    return seconds / 3600.0, (note,), (spec.source,)


def run_months(month: int, every: int | None, n: int) -> np.ndarray:
    """1.0 in each month a job starts: ``month``, then every ``every`` months."""
    out = np.zeros(n)
    if every:
        out[month - 1::every] = 1.0
    elif month <= n:
        out[month - 1] = 1.0
    return out


def spread(wall: Any, month: int, every: int | None, n: int) -> tuple[Any, Any]:
    """(Hours of one run's wall-clock time in each month, hours after the horizon) for runs starting at the
    start of ``month`` (and every ``every`` months): 730 hours a month, e.g. 1,625 h is 730 + 730 + 165.

    ``wall`` may be an array of shape (rows, 1) (samples): the months follow as the last axis."""
    w = np.asarray(wall, dtype=float)
    starts = np.nonzero(run_months(month, every, n))[0]
    index = np.arange(n, dtype=float)
    within = np.zeros(np.broadcast_shapes(w.shape, (n,)))
    after = np.zeros(w.shape)
    for s in starts:
        elapsed = (index - s) * HOURS_PER_MONTH  # hours of the run before each month starts
        within = within + np.where(index >= s, np.clip(w - elapsed, 0.0, HOURS_PER_MONTH), 0.0)
        after = after + np.maximum(w - (n - s) * HOURS_PER_MONTH, 0.0)
    return within, (float(after) if after.ndim == 0 else after)


def gpu_billing(ctx: Context, gpu: str, provider: str, pricing: str, gpus: Any) -> tuple[Any, Any, GpuInstance]:
    """(USD per GPU-hour, GPUs billed) of a job needing ``gpus`` GPUs in one machine (or several of the largest),
    in the provider's instance shapes, and the shape of the first value; arrays follow ``gpus``."""
    n = np.asarray(gpus, dtype=float)
    first: GpuInstance | None = None
    if n.ndim == 0:
        first = ctx.catalog.gpu_instance(gpu, provider, pricing, gpus=int(round(float(n))))
        return first.price.value, float(first.billed_gpus), first
    price = np.empty(n.shape)
    billed = np.empty(n.shape)
    for value in np.unique(n):
        inst = ctx.catalog.gpu_instance(gpu, provider, pricing, gpus=int(round(float(value))))
        mask = n == value
        price[mask], billed[mask] = inst.price.value, inst.billed_gpus
        first = first or inst
    return price, billed, first


def _billing_or_located(ctx: Context, line: Any, key: str, gpus: Any, field: str) -> tuple[Any, Any, GpuInstance]:
    """``gpu_billing`` for a line; a missing price of the instance size the line needs is placed at ``field``."""
    gpu = ctx.catalog.resolve_gpu(line.gpu)
    try:
        return gpu_billing(ctx, gpu, ctx.provider(line), line.pricing.value, gpus)
    except MissingPriceError as exc:
        if exc.key.endswith("gpu"):  # an instance size (gpu.<GPU>.<provider>.<pricing>.<N>gpu)
            raise exc.with_location(key_path=f"{key}.{field}") from None
        raise


def goodput_of(line: TrainingRun, derived: bool) -> tuple[Any, str]:
    """The run's goodput and the note saying where it comes from (empty when there is no allowance)."""
    if line.goodput is not None:
        g = line.goodput
        if np.ndim(g) == 0 and g < 1.0:
            return g, f"goodput {g:.0%}: {1 / g:.3g} x the hours, for failures, restarts and checkpoints"
        return g, ""
    if not derived:
        return 1.0, ""  # given hours are the user's wall-clock time, their interruptions included
    g = automatic_goodput(line.gpus)
    if np.ndim(g) == 0 and g < 1.0:
        return g, (f"goodput {g:.1%} assumed for {int(line.gpus):,} GPUs (hours / {g:.4f}): Llama 3 kept more than "
                   f"90% effective training time on {LLAMA3_GPUS:,} GPUs through 466 interruptions in 54 days "
                   "(Dubey et al. 2024, section 3.3.4); the loss scales with the GPU count. Set goodput to override")
    if np.ndim(g) != 0 and np.any(g < 1.0):
        return g, "goodput assumed from 1,024 GPUs (the Llama 3 interruption record, scaled with the GPU count)"
    return g, ""


def training(line: TrainingRun, key: str, ctx: Context) -> LineItem:
    price, billed, inst = _billing_or_located(ctx, line, key, line.gpus, "gpus")
    hours, notes, spec_sources = run_hours(line, ctx)
    goodput, gnote = goodput_of(line, line.hours is None)
    wall = hours * (1.0 + line.interruption_overhead) / goodput  # wall-clock hours of one run
    within, after = spread(wall, line.month, line.every, ctx.n)
    gpu_hours = within * billed * line.runs
    monthly = gpu_hours * price * ctx.fx
    when = run_months(line.month, line.every, ctx.n)
    if not isinstance(line.interruption_overhead, np.ndarray) and line.interruption_overhead:
        notes += (f"{line.interruption_overhead:.0%} extra hours for interruptions and restarts",)
    if gnote:
        notes += (gnote,)
    if inst.note:
        notes += (inst.note,)
    outside = np.median(np.asarray(after * billed * line.runs))
    if outside > 0:
        cost = outside * float(np.median(np.asarray(price))) * ctx.fx
        months = float(np.median(np.asarray(wall))) / HOURS_PER_MONTH
        notes += (f"a run lasts {months:.1f} months of wall-clock time and ends after month {ctx.n}: {outside:,.0f} "
                  f"GPU-hours ({cost:,.0f} {ctx.plan.currency}) fall outside the horizon and are not in its totals",)
    return LineItem(line.name, Category.COMPUTE, key.rsplit("[", 1)[0], key, monthly,
                    (("GPU-hours", gpu_hours), ("runs", when * line.runs)),
                    (inst.price.source, *spec_sources), notes)


def inference(line: InferenceService, key: str, ctx: Context) -> LineItem:
    s = serving_line.size_line(line, key, ctx)
    gpu_hours = s.gpus * HOURS_PER_MONTH
    monthly = gpu_hours * s.price * ctx.fx
    active = ctx.active(line.start, line.end)
    quantities: list[tuple[str, Any]] = [("GPUs", s.gpus), ("GPU-hours", gpu_hours), ("requests", s.requests)]
    if s.measured:
        quantities.append(("tokens", s.tokens))
    else:
        quantities.append(("output tokens", s.requests * line.output_tokens))
    quantities += [("replicas", s.replicas), ("TP size", s.tensor_parallel * active)]
    label = "output tokens/s per GPU" if s.basis.value == "output" else "tokens/s per GPU"
    quantities.append((label, s.tokens_per_s_per_gpu * active))
    for name, value in s.rows:
        quantities.append((name, value * active))
        if name == "prefill share":
            quantities.append(("decode share", (1.0 - value) * active))
    return LineItem(line.name, Category.COMPUTE, "compute.inference", key, monthly,
                    tuple((name, _monthly(value, ctx.n)) for name, value in quantities), s.sources, s.notes)


def _monthly(value: Any, n: int) -> np.ndarray:
    """A quantity as a month array (or samples x months), whatever it was computed as."""
    a = np.asarray(value, dtype=float)
    return np.broadcast_to(a, np.broadcast_shapes(a.shape, (n,))) if a.shape[-1:] != (n,) else a


def exploration(line: ExplorationPool, key: str, ctx: Context) -> LineItem:
    price, billed, inst = _billing_or_located(ctx, line, key, line.gpus_per_instance, "gpus_per_instance")
    hours = line.people * line.hours_per_week * WEEKS_PER_MONTH * billed
    # Spot notebooks are interrupted too (the instance is reclaimed, the notebook restarted and its state
    # reloaded): interruption_overhead adds those hours, as it does for training runs.
    gpu_hours = hours * (1.0 + line.interruption_overhead) * ctx.active(line.start, line.end)
    monthly = gpu_hours * price * ctx.fx
    notes: tuple[str, ...] = ()
    if not isinstance(line.interruption_overhead, np.ndarray) and line.interruption_overhead:
        notes += (f"{line.interruption_overhead:.0%} extra hours for interruptions (restarted notebooks, reloaded "
                  "state)",)
    if inst.note:
        notes += (inst.note,)
    return LineItem(line.name, Category.COMPUTE, "compute.exploration", key, monthly,
                    (("GPU-hours", gpu_hours), ("idle GPU-hours", gpu_hours * line.idle_share)),
                    (inst.price.source,), notes)

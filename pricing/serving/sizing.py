"""Sizing: how a precision runs on a GPU, one replica (memory fit, prefill, decode, batch), the tensor-parallel
size, and a month's fleet."""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from pricing.serving.inputs import (SECONDS_PER_HOUR, TP_SIZES, GpuPerf, LatencyTargetError, ModelSpec,
                                    NoFitError, Precision, ServingError, ServingParams, parse_precision)

# ---------------------------------------------------------------------------------------------
# How a precision runs on a GPU
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ComputePath:
    """The peak, efficiencies and byte sizes one precision gets on one GPU."""

    precision: Precision
    peak_tflops: float
    """Dense peak per GPU the GEMMs run at."""
    peak_label: str
    """Which peak: ``fp8``, ``fp4``, ``bf16`` or ``fp16``."""
    weight_only: bool
    """Weights are dequantized to 16 bit for the GEMMs (the GPU lacks tensor cores for the precision)."""
    prefill_eff: float
    decode_eff: float
    weight_bytes: float
    """Stored bytes per parameter."""
    kv_bytes: float
    """Bytes per KV cache value (FP8 with FP8/FP4 weights on GPUs with FP8, else 16 bit)."""
    note: str


def compute_path(precision: Precision | str, gpu: GpuPerf, params: ServingParams,
                 kv_cache: str | None = None) -> ComputePath:
    """How ``precision`` runs on ``gpu``: native tensor cores where the GPU has them, else weight-only."""
    p = parse_precision(precision)
    eff = params.efficiency
    if gpu.peak16_tflops is None:
        raise ServingError(f"the 16-bit peak TFLOP/s of {gpu.key} is not published (gpus.yaml "
                           f"gpus.{gpu.key}.specs), so its serving throughput cannot be derived; choose another "
                           "GPU or give a measured tokens_per_second_per_gpu")
    has_fp8 = gpu.peak("fp8") is not None
    peak, label, weight_only = gpu.peak16_tflops, gpu.peak16_label, p is Precision.INT4
    pre, dec = eff.prefill_fp8, eff.decode_fp8
    note = ""
    if p is Precision.FP8:
        if has_fp8:
            peak, label = gpu.peak("fp8"), "fp8"
        else:
            weight_only = True
            note = f"{gpu.key} has no FP8 tensor cores: FP8 weights are dequantized, GEMMs run at its 16-bit peak"
    elif p is Precision.FP4:
        dec = eff.decode_fp4
        if gpu.peak("fp4") is not None:
            peak, label, pre = gpu.peak("fp4"), "fp4", eff.prefill_fp4
        else:
            weight_only = True
            note = f"{gpu.key} has no FP4 tensor cores: FP4 weights are dequantized, GEMMs run at its 16-bit peak"
    elif p is Precision.INT4:
        dec = eff.decode_fp4
        note = "INT4 weights are dequantized (weight-only), GEMMs run at the 16-bit peak"
    if kv_cache is None:
        kv_bytes = 1.0 if p in (Precision.FP8, Precision.FP4) and has_fp8 else 2.0
    else:
        kv = str(kv_cache).strip().lower()
        if kv not in ("fp8", "bf16", "fp16"):
            raise ServingError(f"unknown KV cache precision {kv_cache!r}; expected fp8 or bf16")
        kv_bytes = 1.0 if kv == "fp8" else 2.0
    return ComputePath(p, float(peak), label, weight_only, pre, dec, params.weight_bytes(p), kv_bytes, note)


# ---------------------------------------------------------------------------------------------
# One replica
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReplicaPerf:
    """A replica of ``tensor_parallel`` GPUs serving one workload; array fields follow the token arrays."""

    model: ModelSpec
    gpu: GpuPerf
    path: ComputePath
    tensor_parallel: int
    input_tokens: Any
    output_tokens: Any
    weights_gb: float
    """Weights of the replica (all its GPUs)."""
    kv_cache_gb: float
    """Memory the engine gives the KV cache on the replica."""
    kv_gb_per_sequence: Any
    """KV cache one request reserves (input + output tokens)."""
    batch: Any
    """Sequences decoded together."""
    batch_limit: Any
    """What caps the batch: ``memory``, ``engine``, ``tpot`` or ``ttft`` (str, or array of str)."""
    memory_per_replica_gb: Any
    """Weights + the KV cache the batch reserves."""
    prefill_s: Any
    """GPU time to prefill one request on the replica."""
    decode_step_s: Any
    """Time of one decode step at the batch."""
    requests_per_s: Any
    """Requests one replica completes per second at full load."""
    ttft_ms: Any
    """Prefill + one decode step: time to first token without queueing."""
    tpot_ms: Any
    """Average time per output token, prefills of the other requests included."""
    notes: tuple[str, ...] = ()

    @property
    def output_tokens_per_s(self) -> Any:
        return self.requests_per_s * self.output_tokens

    @property
    def output_tokens_per_s_per_gpu(self) -> Any:
        return self.output_tokens_per_s / self.tensor_parallel

    @property
    def total_tokens_per_s_per_gpu(self) -> Any:
        return self.requests_per_s * (self.input_tokens + self.output_tokens) / self.tensor_parallel

    @property
    def requests_per_s_per_gpu(self) -> Any:
        return self.requests_per_s / self.tensor_parallel

    @property
    def prefill_share(self) -> Any:
        """Share of the replica's GPU time spent in prefill (the rest is decode)."""
        return self.prefill_s * self.requests_per_s

    @property
    def decode_share(self) -> Any:
        return 1.0 - self.prefill_share

    @property
    def memory_per_gpu_gb(self) -> Any:
        return self.memory_per_replica_gb / self.tensor_parallel

    def describe(self) -> str:
        """The derivation in one sentence (central values when the inputs are arrays)."""
        c = _central
        return (f"{self.model.key} {self.path.precision.value} on {self.tensor_parallel}x {self.gpu.key} per "
                f"replica: {self.weights_gb:,.0f} GB weights + KV cache for {c(self.batch):,.0f} sequences of "
                f"{c(self.input_tokens) + c(self.output_tokens):,.0f} tokens; "
                f"prefill {c(self.prefill_s) * 1e3:,.0f} ms, "
                f"decode step {c(self.decode_step_s) * 1e3:,.1f} ms -> {c(self.output_tokens_per_s_per_gpu):,.0f} "
                f"output tokens/s per GPU, prefill {c(self.prefill_share):.0%} of GPU time")


def _central(x: Any) -> float:
    a = np.asarray(x, dtype=float)
    return float(a) if a.ndim == 0 else float(np.median(a))


def _scalar_or_array(x: Any) -> Any:
    a = np.asarray(x)
    return a.item() if a.ndim == 0 else a


class _Replica:
    """Time model of one replica size; every method takes arrays."""

    __slots__ = ("model", "gpu", "path", "tp", "bandwidth", "flops", "weights_bytes", "kv_room")

    def __init__(self, model: ModelSpec, gpu: GpuPerf, path: ComputePath, tp: int, params: ServingParams):
        if not gpu.bandwidth_tb_s:
            raise ServingError(f"the memory bandwidth of {gpu.key} is not verified in the catalog (gpus.yaml "
                               f"gpus.{gpu.key}.specs.memory_bandwidth_tb_s), so decode speed cannot be derived; "
                               "choose another GPU or give a measured tokens_per_second_per_gpu")
        eff = params.efficiency
        scale = eff.tp_per_doubling ** math.log2(tp) * (eff.moe if model.is_moe else 1.0)
        self.model, self.gpu, self.path, self.tp = model, gpu, path, tp
        self.bandwidth = gpu.bandwidth_tb_s * 1e12 * tp * path.decode_eff * scale
        self.flops = path.peak_tflops * 1e12 * tp * path.prefill_eff * scale
        self.weights_bytes = model.params * path.weight_bytes
        self.kv_room = params.kv_cache_fraction * (tp * gpu.memory_gb * 1e9 - self.weights_bytes)

    def seq_kv_bytes(self, tokens: Any) -> Any:
        return self.model.kv_values(tokens) * self.path.kv_bytes

    def prefill_s(self, isl: Any) -> Any:
        return self.model.prefill_flops(isl) / self.flops

    def step_s(self, batch: Any, context: Any) -> Any:
        read = self.model.weight_params_read(batch) * self.path.weight_bytes + batch * self.seq_kv_bytes(context)
        return read / self.bandwidth + batch * self.model.decode_flops(context) / self.flops

    def memory_batch(self, isl: Any, osl: Any) -> Any:
        """Sequences whose whole KV cache (input + output) fits at once."""
        return np.floor(np.maximum(self.kv_room, 0.0) / self.seq_kv_bytes(isl + osl))


def _largest_batch(ok, upper: np.ndarray) -> np.ndarray:
    """Largest integer b in [1, upper] with ok(b), for an ok that holds at 1 and stays False once False."""
    lo = np.ones_like(upper)
    hi = upper.copy()
    while np.any(hi > lo):
        open_ = hi > lo
        mid = np.ceil((lo + hi) / 2.0)
        good = ok(mid)
        lo = np.where(open_ & good, mid, lo)
        hi = np.where(open_ & ~good, mid - 1.0, hi)
    return lo


def _tokens(value: Any, what: str) -> np.ndarray:
    a = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(a)) or np.any(a < 1):
        raise ServingError(f"{what} must be at least 1 token per request (found {value!r})")
    return a


def evaluate(model: ModelSpec, gpu: GpuPerf, precision: Precision | str, input_tokens: Any, output_tokens: Any,
             params: ServingParams, *, tensor_parallel: int, ttft_ms: float | None = None,
             tpot_ms: float | None = None, kv_cache: str | None = None) -> ReplicaPerf:
    """Throughput and latency of one replica of ``tensor_parallel`` GPUs at full load.

    Raises NoFitError when the weights and one sequence do not fit, LatencyTargetError when a
    target cannot be met even one request at a time.
    """
    if tensor_parallel not in TP_SIZES:
        raise ServingError(f"tensor_parallel must be one of {', '.join(map(str, TP_SIZES))} "
                           f"(found {tensor_parallel!r})")
    isl = _tokens(input_tokens, "input_tokens")
    osl = _tokens(output_tokens, "output_tokens")
    isl, osl = np.broadcast_arrays(isl, osl)
    path = compute_path(precision, gpu, params, kv_cache)
    r = _Replica(model, gpu, path, tensor_parallel, params)
    total = isl + osl
    mem_batch = r.memory_batch(isl, osl)
    if np.any(mem_batch < 1):
        need = r.weights_bytes + float(np.max(r.seq_kv_bytes(total)))
        have = tensor_parallel * gpu.memory_gb * 1e9
        raise NoFitError(
            f"{model.key} in {path.precision.value} does not fit on {tensor_parallel}x {gpu.key}: weights "
            f"{r.weights_bytes / 1e9:,.1f} GB + KV cache of one {float(np.max(total)):,.0f}-token sequence "
            f"{float(np.max(r.seq_kv_bytes(total))) / 1e9:,.2f} GB = {need / 1e9:,.1f} GB needed; "
            f"{have / 1e9:,.0f} GB on the replica, of which the engine uses "
            f"{params.kv_cache_fraction:.0%} of what the weights leave for the KV cache")
    engine = float(params.max_batch)
    upper = np.minimum(mem_batch, engine)
    limit = np.where(mem_batch <= engine, "memory", "engine").astype(object)
    context = isl + (osl + 1.0) / 2.0  # a sequence in decode holds its input and, on average, half its output
    t_pf = r.prefill_s(isl)

    def tpot(b):
        return r.step_s(b, context) + b * t_pf / osl

    def ttft(b):
        return t_pf + r.step_s(b, context)

    for target, fn, name in ((tpot_ms, tpot, "tpot"), (ttft_ms, ttft, "ttft")):
        if target is None:
            continue
        if not (isinstance(target, (int, float)) and math.isfinite(target) and target > 0):
            raise ServingError(f"{name}_ms must be a positive number of milliseconds (found {target!r})")
        one = np.ones_like(upper)
        best = np.broadcast_to(fn(one) * 1e3, upper.shape)
        if np.any(best > target):
            i = np.unravel_index(int(np.argmax(best)), upper.shape) if upper.ndim else ()
            if name == "tpot":
                step1 = np.broadcast_to(r.step_s(one, context), upper.shape)[i]
                what = f"a decode step of one sequence takes {step1 * 1e3:,.1f} ms plus its share of prefill"
            else:
                what = (f"prefilling {np.broadcast_to(isl, upper.shape)[i]:,.0f} input tokens alone takes "
                        f"{np.broadcast_to(t_pf, upper.shape)[i] * 1e3:,.0f} ms")
            raise LatencyTargetError(
                f"{name}_ms {target:g} cannot be met by {model.key} {path.precision.value} on {tensor_parallel}x "
                f"{gpu.key}: even one request at a time gives {best[i]:,.1f} ms ({what}); raise the target, use "
                "a faster GPU, a lower precision or more tensor parallelism")
        capped = _largest_batch(lambda b, fn=fn, target=target: fn(b) * 1e3 <= target, upper)
        limit = np.where(capped < upper, name, limit)
        upper = np.minimum(upper, capped)
    batch = upper
    step = r.step_s(batch, context)
    per_request = t_pf + osl * step / batch
    notes = tuple(n for n in (path.note,) if n)
    if model.is_moe:
        notes += ("MoE: compute from active params, memory from total params; a decode step reads the experts "
                  "the batch was routed to (uniform routing)",)
    return ReplicaPerf(
        model, gpu, path, tensor_parallel, _scalar_or_array(isl), _scalar_or_array(osl),
        r.weights_bytes / 1e9, r.kv_room / 1e9, _scalar_or_array(r.seq_kv_bytes(total) / 1e9),
        _scalar_or_array(batch), _scalar_or_array(limit),
        _scalar_or_array((r.weights_bytes + batch * r.seq_kv_bytes(total)) / 1e9),
        _scalar_or_array(t_pf), _scalar_or_array(step), _scalar_or_array(1.0 / per_request),
        _scalar_or_array(ttft(batch) * 1e3), _scalar_or_array(tpot(batch) * 1e3), notes)


# ---------------------------------------------------------------------------------------------
# Choosing the tensor-parallel size
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TpChoice:
    """The chosen replica size and how every size compared."""

    tensor_parallel: int
    per_gpu: tuple[tuple[int, float | None, str], ...]
    """(tp, output tokens/s per GPU or None, why not) for every size tried."""
    why: str


def choose_tp(model: ModelSpec, gpu: GpuPerf, precision: Precision | str, input_tokens: Any, output_tokens: Any,
              params: ServingParams, *, ttft_ms: float | None = None, tpot_ms: float | None = None,
              kv_cache: str | None = None) -> TpChoice:
    """The replica size: the smallest TP within ``params.tp_tolerance`` of the best output tokens/s per GPU.

    Sizes where the weights and one sequence do not fit, or a latency target cannot be met, are
    skipped. Token arrays are reduced to their mean: a deployment has one replica size.
    """
    isl = float(np.mean(_tokens(input_tokens, "input_tokens")))
    osl = float(np.mean(_tokens(output_tokens, "output_tokens")))
    tried: list[tuple[int, float | None, str]] = []
    errors: list[ServingError] = []
    for tp in TP_SIZES:
        try:
            perf = evaluate(model, gpu, precision, isl, osl, params, tensor_parallel=tp, ttft_ms=ttft_ms,
                            tpot_ms=tpot_ms, kv_cache=kv_cache)
        except (NoFitError, LatencyTargetError) as exc:
            tried.append((tp, None, str(exc)))
            errors.append(exc)
            continue
        tried.append((tp, float(perf.output_tokens_per_s_per_gpu), ""))
    fits = [(tp, v) for tp, v, _ in tried if v is not None]
    if not fits:
        latency = [e for e in errors if isinstance(e, LatencyTargetError)]
        if latency:
            raise latency[-1]  # the largest replica that fits is the fastest one: its message is the useful one
        raise errors[-1]
    best = max(v for _, v in fits)
    tp = next(tp for tp, v in fits if v >= (1.0 - params.tp_tolerance) * best)
    why = (f"TP={tp}: the smallest replica within {params.tp_tolerance:.0%} of the best modelled output tokens/s "
           "per GPU (" + ", ".join(f"TP{t}: {'no fit' if v is None else f'{v:,.0f}'}" for t, v, _ in tried) + ")")
    return TpChoice(tp, tuple(tried), why)


def size_replica(model: ModelSpec, gpu: GpuPerf, precision: Precision | str, input_tokens: Any, output_tokens: Any,
                 params: ServingParams, *, tensor_parallel: int | None = None, ttft_ms: float | None = None,
                 tpot_ms: float | None = None, kv_cache: str | None = None) -> ReplicaPerf:
    """A replica sized for the workload: the given TP, or the one :func:`choose_tp` picks."""
    why = ()
    if tensor_parallel is None:
        choice = choose_tp(model, gpu, precision, input_tokens, output_tokens, params, ttft_ms=ttft_ms,
                           tpot_ms=tpot_ms, kv_cache=kv_cache)
        tensor_parallel, why = choice.tensor_parallel, (choice.why,)
    perf = evaluate(model, gpu, precision, input_tokens, output_tokens, params, tensor_parallel=tensor_parallel,
                    ttft_ms=ttft_ms, tpot_ms=tpot_ms, kv_cache=kv_cache)
    return perf if not why else _with_notes(perf, why)


def _with_notes(perf: ReplicaPerf, notes: tuple[str, ...]) -> ReplicaPerf:
    return replace(perf, notes=perf.notes + notes)


# ---------------------------------------------------------------------------------------------
# A month's fleet
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fleet:
    """Replicas and GPUs to serve a month's requests (arrays follow the request array)."""

    replicas: Any
    gpus: Any
    """Replicas x TP: GPUs the replicas use."""
    instances: Any
    """Instances bought in the provider's shape."""
    billed_gpus: Any
    """Instances x GPUs per instance (>= gpus when a shape holds GPUs no replica uses)."""
    instance_gpus: int
    tensor_parallel: int
    busy_share: Any
    """Average share of the replicas' capacity the requests use."""


def fleet(requests_per_month: Any, perf: ReplicaPerf, *, utilization: float = 1.0, peak_to_average: float = 1.0,
          min_replicas: int = 0, instance_gpus: int | None = None, hours_per_month: float = 730.0) -> Fleet:
    """Whole replicas for a month's requests, provisioned for the busy hour.

    replicas = ceil(requests/month x peak_to_average / (hours x 3600 x requests/s per replica x
    utilization)), at least ``min_replicas``; GPUs = replicas x TP; instances hold ``instance_gpus``
    GPUs (1/2/4/8, default the TP size) and a replica never spans two instances.
    """
    req = np.asarray(requests_per_month, dtype=float)
    if not np.all(np.isfinite(req)) or np.any(req < 0):
        raise ServingError(f"requests per month must be zero or more (found {requests_per_month!r})")
    if not (isinstance(utilization, (int, float)) and 0.0 < utilization <= 1.0):
        raise ServingError(f"utilization must be a share in (0, 1] (found {utilization!r})")
    if not (isinstance(peak_to_average, (int, float)) and math.isfinite(peak_to_average) and peak_to_average >= 1.0):
        raise ServingError("peak_to_average must be 1 or more: busiest hour / average hour "
                           f"(found {peak_to_average!r})")
    if min_replicas < 0 or int(min_replicas) != min_replicas:
        raise ServingError(f"min_replicas must be a whole number of replicas, 0 or more (found {min_replicas!r})")
    tp = perf.tensor_parallel
    shape = tp if instance_gpus is None else int(instance_gpus)
    if shape not in TP_SIZES:
        raise ServingError(f"instance_gpus must be one of {', '.join(map(str, TP_SIZES))} (found {instance_gpus!r})")
    if shape < tp:
        raise ServingError(f"a replica of {tp} GPUs (tensor parallelism) does not fit an instance of {shape} GPUs; "
                           "tensor parallelism across instances is not modelled: choose instances of at least "
                           f"{tp} GPUs")
    rate = np.asarray(perf.requests_per_s, dtype=float)
    rate = rate.reshape(rate.shape + (1,) * max(req.ndim - rate.ndim, 0))
    capacity = rate * SECONDS_PER_HOUR * hours_per_month * utilization
    needed = np.ceil(req * peak_to_average / capacity - 1e-9)
    replicas = np.maximum(needed, float(min_replicas))
    per_instance = shape // tp
    instances = np.ceil(replicas / per_instance)
    with np.errstate(divide="ignore", invalid="ignore"):
        busy = np.where(replicas > 0, req / (replicas * capacity / utilization), 0.0)
    return Fleet(_scalar_or_array(replicas), _scalar_or_array(replicas * tp), _scalar_or_array(instances),
                 _scalar_or_array(instances * shape), shape, tp, _scalar_or_array(busy))

"""A plan's serving line sized: the model it describes (or its measured throughput), replicas each month, instances.

The physics is ``pricing.serving`` (docs/serving-model.md); this module reads a line of the plan into it:
the model from the catalog's families (``resources/catalog/models.yaml``) or the sizes given, the GPU's
figures from the price catalog, one replica sized per distinct model row, then the month's replicas for
the requests at the utilization and busy hour asked, whole instances of the provider's shape, and their
price. A measured ``tokens_per_second_per_gpu`` wins over the model (the line's notes say which was used).

Inputs may be arrays of shape (rows, 1): Monte Carlo samples and the tornado's moved inputs. Rows with the
same model (precision, parameters) share one replica sizing; per-row results broadcast against the months.
A line item depends on its line and the catalog only, so the engine may reuse it while the line is unchanged.
"""
from __future__ import annotations

import math
import pathlib
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from pricing.catalog import Catalog, GpuInstance, PriceSource
from pricing.context import HOURS_PER_MONTH, Context
from pricing.errors import PlanError, UnknownNameError
from pricing.models_catalog import MODELS_FILE, SERVING_FILE, ModelCatalog, ServingData, load_models, load_serving, \
    resolve_model
from pricing.plan import InferenceService, Precision, ThroughputBasis
from pricing.serving import (GpuPerf, LatencyTargetError, ModelSpec, NoFitError, ReplicaPerf, ServingError,
                             size_replica)

DEFAULT_THROUGHPUT = 1000.0
"""Tokens/s per GPU assumed for a line that describes no model and gives no measured throughput (the plan
format's default before the serving model): kept so old plans still open, and said in the line's notes."""

SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600.0
_ARCH = ("layers", "attention_heads", "kv_heads", "head_dim", "kv_latent_dim", "experts", "experts_per_token")


def model_data(catalog: Catalog) -> tuple[ModelCatalog, ServingData]:
    """The model families and serving constants beside the price catalog (its directory's models.yaml and
    serving.yaml when it has them, else the shipped ones). CatalogError when a file is broken."""
    directory = pathlib.Path(catalog.directory)
    models = directory / MODELS_FILE
    serving = directory / SERVING_FILE
    return (load_models(models if models.exists() else None), load_serving(serving if serving.exists() else None))


def uses_model(line: InferenceService) -> bool:
    """Whether the line is sized by the serving model: it describes a model and gives no measured throughput."""
    return line.tokens_per_second_per_gpu is None and (line.model_family is not None or line.params is not None)


def family_value(line: InferenceService, key: str, catalog: Catalog | None = None) -> float | None:
    """The value a serving line's model has for ``key`` (``params``, ``active_params``) when the line leaves it to
    its family: what the tornado moves for "model size". None when the line has no family or it is unknown."""
    if line.model_family is None or key not in ("params", "active_params"):
        return None
    try:
        models = model_data(catalog)[0] if catalog is not None else load_models()
        spec = models.spec(line.model_family)
    except PlanError:
        return None
    if key == "active_params" and not spec.is_moe:
        return None  # a dense model's compute and memory both follow params
    return float(getattr(spec, key))


@dataclass(frozen=True, slots=True, eq=False)
class Sizing:
    """A serving line sized over the plan's months (arrays follow the rows of array inputs, then the months)."""

    requests: Any
    """Requests each month."""
    replicas: Any
    """Replicas running each month (0 outside the line's months)."""
    gpus: Any
    """GPUs billed each month: whole instances (more than the replicas use when an instance holds spare GPUs)."""
    tensor_parallel: Any
    """GPUs per replica (per row)."""
    instance: GpuInstance
    """The instance shape bought (of the first row) and its price per GPU-hour."""
    price: Any
    """USD per GPU-hour (per row)."""
    tokens_per_s_per_gpu: Any
    """Tokens/s one GPU serves at full load: output tokens (the model, or a measured output figure), or input +
    output for a measured total figure (``basis``)."""
    basis: ThroughputBasis
    measured: bool
    """True when a measured (or the assumed default) throughput sized the line, False for the serving model."""
    perf: ReplicaPerf | None
    """The first row's replica (the serving model), None on the measured path."""
    rows: tuple[tuple[str, Any], ...] = ()
    """Per-row figures of the serving model: prefill share, memory per replica GB, batch, TTFT ms, TPOT ms."""
    tokens: Any = None
    """Measured path: tokens counted against the throughput each month."""
    notes: tuple[str, ...] = ()
    sources: tuple[PriceSource, ...] = ()
    requests_per_replica: Any = 0.0
    """Requests one replica serves a month at the line's utilization, provisioned for its busy hour (inf when a
    request has no tokens to count against a measured throughput)."""
    replicas_per_instance: Any = 1.0
    """Replicas one instance of the shape bought holds."""


# ---------------------------------------------------------------------------------------------
# Rows: array inputs (Monte Carlo samples, the tornado's moved inputs) in one replica sizing each
# ---------------------------------------------------------------------------------------------


def _row_count(*values: Any) -> int:
    m = 1
    for v in values:
        if isinstance(v, np.ndarray) and v.ndim:
            m = max(m, v.shape[0])
    return m


def _column(value: Any, m: int) -> np.ndarray | None:
    """``value`` as one entry per row (None stays None)."""
    if value is None:
        return None
    if isinstance(value, np.ndarray) and value.ndim:
        return np.broadcast_to(value.reshape(value.shape[0], -1)[:, 0], (m,))
    return np.full(m, value, dtype=object if isinstance(value, Precision) else float)


def _given(column: np.ndarray | None, r: int) -> float | None:
    """Row ``r`` of an optional field; NaN (an empty field in a row array: numpy's float for None) is empty."""
    if column is None:
        return None
    v = float(column[r])
    return None if math.isnan(v) else v


def _shaped(values: np.ndarray, m: int, scalar: bool) -> Any:
    """Per-row values as a scalar (no array inputs) or a (rows, 1) column that broadcasts against months."""
    if scalar:
        v = values[0]
        return v.item() if isinstance(v, np.generic) else v
    return values.reshape(m, 1)


def resolve(line: InferenceService, models: ModelCatalog, params: float | None = None,
            active: float | None = None) -> tuple[ModelSpec, str]:
    """The ModelSpec of a serving line (one row's params and active params) and where its architecture came from.

    When the line moves a mixture-of-experts family's total parameters without its active ones (the tornado's
    "model size"), the active parameters follow in proportion."""
    arch = {k: getattr(line, k) for k in _ARCH if getattr(line, k) is not None}
    if line.model_family is not None and params is not None and active is None:
        base = models.spec(line.model_family)
        if base.is_moe:
            active = base.active_params * params / base.params
    if active is not None and params is not None and active > params:
        raise ServingError(f"active_params {active:,.3g} exceeds params {params:,.3g}")
    spec, note = resolve_model(models, family=line.model_family, params=params, active_params=active,
                               name=line.name, **arch)
    if line.model_family is not None and params is not None and params != models.spec(line.model_family).params:
        sized = f"{spec.key} at {params / 1e9:,.4g}B parameters"  # the family's architecture, resized
        spec = replace(spec, key=sized, name=sized)
    return spec, note


def _located(exc: PlanError, key: str, line: InferenceService) -> PlanError:
    """A serving error placed at the field a user would change."""
    if isinstance(exc, UnknownNameError):
        return exc.with_location(key_path=f"{key}.model_family")
    if isinstance(exc, LatencyTargetError):
        field = "tpot_ms" if str(exc.problems[0].message).startswith("tpot_ms") else "ttft_ms"
        return exc.with_location(key_path=f"{key}.{field}")
    message = str(exc.problems[0].message)
    for prefix, field in (("input_tokens", "input_tokens"), ("output_tokens", "output_tokens"),
                          ("active_params", "active_params"), ("unknown precision", "precision"),
                          ("unknown KV cache", "kv_cache"), ("tensor_parallel", "tensor_parallel")):
        if message.startswith(prefix):
            return exc.with_location(key_path=f"{key}.{field}")
    if isinstance(exc, NoFitError):
        return exc.with_location(key_path=f"{key}.tensor_parallel" if line.tensor_parallel else f"{key}.gpu")
    return exc.with_location(key_path=f"{key}.gpu")


def _perf_rows(line: InferenceService, key: str, ctx: Context, gpu: str) -> tuple[dict[str, np.ndarray], ReplicaPerf,
                                                                                   tuple[str, ...], int, bool]:
    """Per-row replica figures of the serving model, the first row's replica and its notes."""
    models, serving = model_data(ctx.catalog)
    m = _row_count(line.input_tokens, line.output_tokens, line.params, line.active_params, line.precision)
    scalar = m == 1 and not any(isinstance(v, np.ndarray) and v.ndim for v in
                                (line.input_tokens, line.output_tokens, line.params, line.active_params,
                                 line.precision))
    precision = _column(line.precision if isinstance(line.precision, np.ndarray) else float(line.precision), m)
    params, active = _column(line.params, m), _column(line.active_params, m)
    isl, osl = _column(line.input_tokens, m), _column(line.output_tokens, m)
    perf_gpu = GpuPerf.from_spec(ctx.catalog.gpu_spec(gpu))
    groups: dict[tuple, list[int]] = {}
    for r in range(m):
        groups.setdefault((float(precision[r]), _given(params, r), _given(active, r)), []).append(r)
    out = {k: np.empty(m) for k in ("requests_per_s", "tp", "output_tps_per_gpu", "prefill_share", "memory_gb",
                                    "batch", "ttft_ms", "tpot_ms")}
    first: ReplicaPerf | None = None
    notes: tuple[str, ...] = ()
    for (code, p, a), idx in groups.items():
        try:
            spec, arch_note = resolve(line, models, p, a)
            tokens_in, tokens_out = (isl[0], osl[0]) if scalar else (isl[idx], osl[idx])
            perf = size_replica(spec, perf_gpu, Precision.from_code(code), tokens_in, tokens_out, serving.params,
                                tensor_parallel=line.tensor_parallel, ttft_ms=line.ttft_ms, tpot_ms=line.tpot_ms,
                                kv_cache=line.kv_cache)
        except PlanError as exc:
            raise _located(exc, key, line) from None
        ix = np.asarray(idx)
        out["requests_per_s"][ix] = perf.requests_per_s
        out["tp"][ix] = perf.tensor_parallel
        out["output_tps_per_gpu"][ix] = perf.output_tokens_per_s_per_gpu
        out["prefill_share"][ix] = perf.prefill_share
        out["memory_gb"][ix] = perf.memory_per_replica_gb
        out["batch"][ix] = perf.batch
        out["ttft_ms"][ix] = perf.ttft_ms
        out["tpot_ms"][ix] = perf.tpot_ms
        if first is None:
            first = perf
            notes = (*perf.notes, arch_note)
    return out, first, notes, m, scalar


def size_line(line: InferenceService, key: str, ctx: Context) -> Sizing:
    """Size a serving line over the plan's months (raises PlanError subclasses placed at the line's fields)."""
    gpu = ctx.catalog.resolve_gpu(line.gpu)
    provider = ctx.provider(line)
    _, serving = model_data(ctx.catalog) if uses_model(line) or line.peak_to_average is None else (None, None)
    pta = line.peak_to_average if line.peak_to_average is not None else serving.peak_to_average
    active = ctx.active(line.start, line.end)
    requests = line.requests_per_month * ctx.growth(line.growth, line.start, line.end)
    notes: list[str] = []
    rows: tuple[tuple[str, Any], ...] = ()
    perf = None
    tokens = None
    if uses_model(line):
        out, perf, model_notes, m, scalar = _perf_rows(line, key, ctx, gpu)
        tp = _shaped(out["tp"], m, scalar)
        rate = _shaped(out["requests_per_s"], m, scalar)
        tps = _shaped(out["output_tps_per_gpu"], m, scalar)
        basis = ThroughputBasis.OUTPUT
        capacity = rate * SECONDS_PER_MONTH * line.utilization  # requests a replica serves a month at the utilization
        load = requests * pta
        measured = False
        rows = tuple((name, _shaped(out[k], m, scalar)) for name, k in (
            ("prefill share", "prefill_share"), ("memory per replica GB", "memory_gb"), ("batch", "batch"),
            ("TTFT ms", "ttft_ms"), ("TPOT ms", "tpot_ms")))
        notes += [perf.describe(), *model_notes,
                  f"throughput at full load; {_share(line.utilization)} utilization and peak-to-average "
                  f"{_factor(pta)} provision the headroom"]
    else:
        measured = True
        given = line.tokens_per_second_per_gpu
        tps_value = DEFAULT_THROUGHPUT if given is None else given
        basis = line.throughput_basis
        tp = line.tensor_parallel or 1
        per_request = line.output_tokens if basis is ThroughputBasis.OUTPUT else line.input_tokens + line.output_tokens
        tokens = requests * per_request
        # tokens a replica serves a month (the product in the order the engine always took it: same floats)
        capacity = tps_value * 3600.0 * HOURS_PER_MONTH * line.utilization * tp
        load = tokens * pta
        tps = tps_value
        if given is None:
            notes.append(f"no model described and no measured throughput: {DEFAULT_THROUGHPUT:,.0f} {basis.value} "
                         "tokens/s per GPU assumed; give model_family (or params) to size it from the model and the "
                         "GPU, or a measured tokens_per_second_per_gpu")
        elif line.model_family is not None or line.params is not None:
            notes.append(f"measured {_number(given)} tok/s per GPU ({basis.value} basis) used instead of the serving "
                         "model")
        else:
            notes.append(f"measured {_number(given)} tok/s per GPU ({basis.value} basis)")
    with np.errstate(divide="ignore", invalid="ignore"):
        needed = np.where(load > 0, np.ceil(load / capacity - 1e-9), 0.0)
        per_request_load = (1.0 if not measured else
                            (line.output_tokens if basis is ThroughputBasis.OUTPUT else
                             line.input_tokens + line.output_tokens))
        per_replica = np.where(np.asarray(per_request_load) > 0, capacity / (pta * np.asarray(per_request_load)),
                               np.inf)
    floor = line.min_replicas if line.min_replicas is not None else np.ceil(np.asarray(line.min_gpus) / tp - 1e-9)
    replicas = np.maximum(needed, floor) * active
    if line.max_gpus is not None:
        cap = np.floor(line.max_gpus / np.asarray(tp, dtype=float))
        over = replicas > cap
        if np.any(over):
            first = int(np.nonzero(np.asarray(over).reshape(-1, ctx.n).any(axis=0))[0][0]) + 1
            notes.append(f"from month {first} the load needs more than max_gpus={line.max_gpus}; capped, so part of "
                         "the requests would not be served")
            replicas = np.minimum(replicas, cap)
    instance, price, per_instance, shape_note = _instances(line, key, ctx, gpu, provider, tp)
    instances = np.ceil(np.maximum(replicas / per_instance - 1e-9, 0.0))
    billed = instances * np.asarray(per_instance * np.asarray(tp), dtype=float)
    if shape_note:
        notes.append(shape_note)
    return Sizing(requests, replicas, billed, tp, instance, price, tps, basis, measured, perf, rows, tokens,
                  tuple(notes), (instance.price.source,), _scalar(per_replica), per_instance)


def _scalar(x: Any) -> Any:
    a = np.asarray(x)
    return a.item() if a.ndim == 0 else a


def _instances(line: InferenceService, key: str, ctx: Context, gpu: str, provider: str,
               tp: Any) -> tuple[GpuInstance, Any, Any, str]:
    """The instance shape (of the first row), price per GPU-hour and replicas per instance (per row)."""
    sizes = np.unique(np.asarray(tp, dtype=float))
    per_instance = np.ones_like(np.asarray(tp, dtype=float))
    price = np.zeros_like(per_instance)
    first: GpuInstance | None = None
    note = ""
    for size in sizes:
        t = int(size)
        want = line.instance_gpus or t
        if want < t:
            raise ServingError(f"a replica of {t} GPUs (tensor parallelism) does not fit an instance of {want} GPUs; "
                               f"choose instances of at least {t} GPUs").with_location(key_path=f"{key}.instance_gpus")
        try:
            inst = ctx.catalog.gpu_instance(gpu, provider, line.pricing.value, gpus=want)
        except PlanError as exc:
            raise exc.with_location(key_path=f"{key}.instance_gpus" if line.instance_gpus else f"{key}.gpu") from None
        if inst.instances > 1:
            raise ServingError(f"{provider} sells no {gpu} instance of {want} GPUs or more in the catalog (largest "
                               f"{inst.gpus_per_instance}): a replica of {t} GPUs cannot be placed in one machine"
                               ).with_location(key_path=f"{key}.tensor_parallel")
        mask = np.asarray(tp, dtype=float) == size
        per_instance = np.where(mask, inst.gpus_per_instance // t, per_instance)
        price = np.where(mask, inst.price.value, price)
        if first is None:
            first, note = inst, inst.note
    if per_instance.ndim == 0:
        per_instance, price = float(per_instance), float(price)
    if first is not None and first.gpus_per_instance > (line.instance_gpus or int(sizes[0])) and not note:
        note = f"instances of {first.gpus_per_instance} GPUs ({first.instance})"
    return first, price, per_instance, note


def _share(x: Any) -> str:
    v = float(np.median(np.asarray(x, dtype=float)))
    return f"{v * 100:.4g}%"


def _factor(x: Any) -> str:
    return f"{float(np.median(np.asarray(x, dtype=float))):g}"


def _number(x: Any) -> str:
    v = float(np.median(np.asarray(x, dtype=float)))
    return f"{v:,.0f}" if v >= 100 else f"{v:,.3g}"


__all__ = ["DEFAULT_THROUGHPUT", "Sizing", "family_value", "model_data", "resolve", "size_line", "uses_model"]

"""Self-hosting break-even: an API line's monthly cost against self-hosted GPUs, as volume grows.

For one API line and one GPU choice, both monthly costs are functions of the monthly volume V
(requests per month, counted as the API line counts them: before its response cache, whose
hits cost nothing on either side):

* API:          api(V)  = a x V, with a = cost per request x (1 - response cache hit rate);
* self-hosted:  self(V) = c x max(m, ceil(V / u)), with c the cost of one always-on instance for a
  month (the plan's platform markup included when it runs inference), m the instances always paid
  (at least one) and u the requests one instance serves a month at the utilization and busy hour
  given. The requests a GPU serves come from the serving model (the model served on that GPU,
  ``pricing.drivers.serving_line``: the same sizing as a plan's serving line) or from a measured
  throughput when one is given; an instance holds one replica of ``tensor_parallel`` GPUs, or several
  when the provider's instance shape is bigger. With one-GPU replicas in one-GPU instances, a unit is
  a GPU.

``self`` is a step function and ``api`` a line through 0, so the crossing is solved exactly
(no search): within step n (n >= m), self <= api iff V >= c n / a, which can happen only when
a x u >= c, i.e. when the API costs at least as much per request as a fully used GPU. Then

* the break-even volume, the smallest V where self-hosting costs no more than the API, is
  c x m / a (it lies in the first step);
* past each later step boundary n x u the API can be cheaper again for a while (a new GPU is
  paid in full); those windows stop after n_last = the largest n >= m with a n u < c (n + 1),
  so self-hosting stays cheaper from c (n_last + 1) / a on (``stays_cheaper_from``).

When a x u < c, self(V) >= c V / u > a V for every V > 0: self-hosting is never cheaper, at
any volume (``breakeven`` is ``None``; no maximum volume is needed for that answer). The
volume grid for charts is log-spaced over a range that shows the line's own volumes and the
crossing. GPU cost only: the people, MLOps and egress of running a serving stack are not part
of this comparison (add them as plan lines in a ``self_host`` scenario to see them).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pricing import fields
from pricing.errors import PlanError, UnknownNameError
from pricing.plan import ApiLine, InferenceService, Plan, Precision, Pricing, ThroughputBasis

if TYPE_CHECKING:
    from pricing.catalog import Catalog

HOURS_PER_MONTH = 730.0
"""As the engine bills always-on GPUs (pricing.engine.HOURS_PER_MONTH)."""


@dataclass(frozen=True, slots=True, eq=False)
class BreakEven:
    """An API line against self-hosting it on a GPU, over a grid of monthly volumes."""

    api: str
    """The API line's name."""
    model: str
    """``provider/model`` of the API line."""
    gpu: str
    """Catalog GPU key of the self-hosted choice."""
    provider: str
    """Cloud the GPUs are priced at."""
    pricing: Pricing
    currency: str
    cost_per_request: float
    """API cost per request of volume (plan currency; response cache hits cost nothing)."""
    gpu_month: float
    """Cost of one always-on GPU for a month (plan currency, platform markup included)."""
    requests_per_gpu: float
    """Requests of volume one GPU serves a month at the throughput and utilization (inf: no tokens)."""
    min_gpus: int
    """GPUs always paid (``max(min_gpus, 1)``: serving any request needs one)."""
    breakeven: float | None
    """Smallest monthly volume at which self-hosting costs no more than the API; None: never."""
    stays_cheaper_from: float | None
    """Volume from which self-hosting never costs more again; None when it never does."""
    volumes: np.ndarray
    """Monthly volumes (requests), log-spaced, ascending (for a chart)."""
    api_cost: np.ndarray
    """API cost per month at each volume."""
    self_cost: np.ndarray
    """Self-hosting cost per month at each volume."""
    gpus: np.ndarray
    """GPUs self-hosting needs at each volume."""
    current: tuple[float, float]
    """The API line's requests in its first and its last month within the horizon."""
    notes: tuple[str, ...] = ()
    gpus_per_unit: int = 1
    """GPUs bought together: one instance (its replicas of ``tensor_parallel`` GPUs); 1 for one-GPU replicas."""
    tensor_parallel: int = 1
    """GPUs per replica."""
    measured: bool = True
    """True when a measured throughput sized the GPUs, False for the serving model."""

    def api_at(self, volume: float) -> float:
        return self.cost_per_request * volume

    def self_at(self, volume: float) -> float:
        return self.gpu_month * self.gpus_at(volume)

    def gpus_at(self, volume: float) -> int:
        if volume <= 0 or math.isinf(self.requests_per_gpu):
            return self.min_gpus
        k = self.gpus_per_unit
        units = math.ceil(volume / (self.requests_per_gpu * k) - 1e-9)
        return max(self.min_gpus, units * k)


def api_line(plan: Plan, name: str) -> ApiLine:
    """The plan's API line called ``name`` (UnknownNameError with the closest names otherwise)."""
    for line in plan.services.apis:
        if line.name == name:
            return line
    raise UnknownNameError("API line", name, [x.name for x in plan.services.apis],
                           hint="" if plan.services.apis else "the plan has no services.apis lines")


SERVED = ("model_family", "params", "active_params", "precision", "min_replicas", "peak_to_average", "ttft_ms",
          "tpot_ms", "tensor_parallel", "instance_gpus")
"""What may describe the self-hosted model and its replicas (the self_host strategy's parameters of the same names)."""


def breakeven(plan: Plan, api: str, gpu: str, *, tokens_per_second_per_gpu: float | None = None,
              utilization: float = 0.6, min_gpus: int = 1, provider: str | None = None,
              pricing: Pricing | str = Pricing.ON_DEMAND,
              throughput_basis: ThroughputBasis | str = ThroughputBasis.OUTPUT,
              catalog: "Catalog | None" = None, points: int = 241,
              max_volume: float | None = None, **served: Any) -> BreakEven:
    """Monthly cost of the API line ``api`` and of self-hosting it on ``gpu``, and where they cross.

    ``served``: the model served (``model_family``, ``params``, ...: see ``SERVED``), sized from the model and the
    GPU like a plan's serving line; or a measured ``tokens_per_second_per_gpu``, which wins when given."""
    from pricing import engine
    from pricing.drivers import serving_line
    from pricing.drivers.services import api_request_cost, markup_rate

    unknown = set(served) - set(SERVED)
    if unknown:
        raise TypeError(f"unknown argument(s) {', '.join(sorted(unknown))}")
    served = {k: v for k, v in served.items() if v is not None}
    pricing = Pricing(pricing) if isinstance(pricing, str) else pricing
    basis = ThroughputBasis(throughput_basis) if isinstance(throughput_basis, str) else throughput_basis
    if tokens_per_second_per_gpu is not None and (not tokens_per_second_per_gpu > 0
                                                  or not math.isfinite(tokens_per_second_per_gpu)):
        raise PlanError(f"found {tokens_per_second_per_gpu!r} tokens per second, expected a number above 0")
    if tokens_per_second_per_gpu is None and "model_family" not in served and "params" not in served:
        raise PlanError("say what is self-hosted: a model family (e.g. llama-3.1-70b) or its params (e.g. 70B), "
                        "sized from the model and the GPU, or a measured tokens_per_second_per_gpu")
    if not 0 < utilization <= 1:
        raise PlanError(f"found utilization {utilization!r}, expected a share above 0% and at most 100%")
    if min_gpus < 0 or int(min_gpus) != min_gpus:
        raise PlanError(f"found min_gpus {min_gpus!r}, expected a whole number of at least 0")
    if "precision" in served:
        served["precision"] = Precision.parse(served["precision"])
    line = api_line(plan, api)
    ctx = engine.context(plan, catalog)
    per_request, model = api_request_cost(line, ctx)
    gpu_key = ctx.catalog.resolve_gpu(gpu)
    where = (provider or plan.provider).lower()
    resolve = getattr(ctx.catalog, "resolve_provider", None)
    where = resolve(where) if resolve else where
    service = InferenceService(name=line.name, gpu=gpu_key, requests_per_month=line.requests_per_month,
                               input_tokens=line.input_tokens, output_tokens=line.output_tokens,
                               tokens_per_second_per_gpu=tokens_per_second_per_gpu, throughput_basis=basis,
                               utilization=utilization, min_gpus=int(min_gpus), provider=where, pricing=pricing,
                               **served)
    sized = serving_line.size_line(service, "self-hosted", ctx)
    markup = 0.0
    notes = ["GPU cost only: people, MLOps and egress of a serving stack are not included"]
    notes += list(sized.notes)
    platform = plan.services.platform
    if platform is not None and "inference" in platform.applies_to:
        markup = markup_rate(platform, ctx)
        notes.append(f"{platform.name} markup of {markup:.0%} included on the GPUs")
    hit = line.response_cache_hit_rate
    if hit:
        notes.append(f"{hit:.0%} of requests answered from the response cache on both sides")
    a = float(per_request) * (1.0 - hit) * ctx.fx
    tp = int(sized.tensor_parallel)
    per_instance = int(sized.replicas_per_instance)
    k = tp * per_instance  # GPUs of one instance: the unit bought
    c = float(sized.price) * HOURS_PER_MONTH * ctx.fx * (1.0 + markup) * k
    served_share = 1.0 - hit
    u = float(sized.requests_per_replica) * per_instance / served_share if served_share > 0 else math.inf
    min_replicas = service.min_replicas if service.min_replicas is not None else math.ceil(service.min_gpus / tp)
    m = max(math.ceil(min_replicas / per_instance), 1)
    first, stays = crossing(a, c, u, m)

    last_month = min(line.end or plan.months, plan.months)
    current = (line.requests_per_month,
               line.requests_per_month * (1.0 + line.growth) ** max(last_month - line.start, 0))
    volumes = _grid(current, first, stays, u, points, max_volume)
    units = np.full(len(volumes), float(m)) if math.isinf(u) else np.maximum(np.ceil(volumes / u - 1e-9), m)
    return BreakEven(line.name, f"{model.provider}/{model.model}", gpu_key, where, pricing, plan.currency,
                     a, c / k, u / k, m * k, first, stays, volumes, a * volumes, c * units, units * k, current,
                     tuple(notes), gpus_per_unit=k, tensor_parallel=tp, measured=sized.measured)


def crossing(a: float, c: float, u: float, m: int) -> tuple[float | None, float | None]:
    """(break-even volume, volume from which self-hosting stays cheaper) for api = aV, self = c max(m, ceil(V/u)).

    ``a``: API cost per request; ``c``: cost of a GPU-month; ``u``: requests per GPU-month (may be
    inf); ``m``: GPUs always paid (>= 1). See the module docstring for the derivation.
    """
    if a <= 0:
        return None, None
    if c <= 0:
        return 0.0, 0.0
    if math.isinf(u):
        v = c * m / a
        return v, v
    if a * u < c:
        return None, None
    first = c * m / a
    if a * u == c:  # ties at every step end, the API cheaper again after each: never for good
        return first, None
    n = math.ceil(c / (a * u - c)) - 1            # largest n with a n u < c (n + 1), up to float error
    while n >= m and not a * n * u < c * (n + 1):
        n -= 1
    while a * (n + 1) * u < c * (n + 2):
        n += 1
    if n < m:
        return first, first
    return first, c * (n + 1) / a


def _grid(current: tuple[float, float], first: float | None, stays: float | None, u: float, points: int,
          max_volume: float | None) -> np.ndarray:
    """Log-spaced volumes from two decades under the line's volume to two over the crossing."""
    marks = [v for v in (*current, first, stays) if v is not None and v > 0]
    if not math.isinf(u):
        marks.append(u)
    lo = 10.0 ** math.floor(math.log10(max(min(marks), 1.0)) - 2) if marks else 1.0
    hi = max_volume if max_volume is not None else 10.0 ** math.ceil(math.log10(max(max(marks), 1.0)) + 1)
    if hi <= lo:
        lo = hi / 1e4
    grid = np.geomspace(lo, hi, max(points, 2))
    extra = [v for v in (first, stays) if v is not None and lo < v < hi]
    return np.unique(np.concatenate([grid, np.asarray(extra, dtype=float)]))


def self_host_defaults(plan: Plan, api: str) -> dict[str, Any]:
    """Parameters of a ``self_host`` strategy in the plan's scenarios that replaces ``api``, if any.

    Lets ``aicost breakeven`` default to what the plan's own scenario assumes.
    """
    for scenario in plan.scenarios:
        for spec in scenario.strategies:
            if spec.name != "self_host":
                continue
            params = dict(spec.params)
            targets = params.get("api", ()) or params.get("lines", ())
            targets = (targets,) if isinstance(targets, str) else tuple(targets)
            if api not in targets:
                continue
            out: dict[str, Any] = {}
            for key in ("gpu", "tokens_per_second_per_gpu", "utilization", "min_gpus", "provider",
                        "pricing", "throughput_basis", *SERVED):
                if key in params:
                    try:
                        out[key] = fields.strategy_param("self_host", key).read(params[key])
                    except PlanError:
                        pass  # a bad value is reported by the plan's own checks; the CLI asks for it
            return out
    return {}

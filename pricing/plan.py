"""The plan: immutable, validated values for every cost driver of an AI project."""
from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Iterator

from pricing.actuals_config import ActualsConfig
from pricing.errors import PlanError, Problem, UnknownNameError


class Category(Enum):
    """Where a line item sits in the bill (the top-level grouping of every chart and table)."""

    COMPUTE = "Compute"          # training, fine-tuning, inference, exploration GPUs
    DATA = "Data"                # storage and egress
    SERVICES = "Services"        # managed platform markups and third-party APIs
    ANNOTATION = "Annotation"    # human labelling
    MLOPS = "MLOps"              # clusters, load balancers, CI, logs, monitoring
    PEOPLE = "People"            # indirect cost of infrastructure toil


class Pricing(Enum):
    """How GPU time is bought."""

    ON_DEMAND = "on_demand"      # list price, no commitment
    SPOT = "spot"                # spot/preemptible capacity, can be interrupted
    RESERVED = "reserved"        # committed-use discount on the on-demand price


class EgressKind(Enum):
    """Where bytes go."""

    INTERNET = "internet"            # out to the internet
    INTER_REGION = "inter_region"    # between regions of one cloud
    INTER_AZ = "inter_az"            # between availability zones of a region


class ThroughputBasis(Enum):
    """Which tokens a serving throughput figure counts."""

    OUTPUT = "output"            # generated tokens per second (what serving benchmarks report)
    TOTAL = "total"              # input + output tokens per second (e.g. embedding models)


class Precision(Enum):
    """How a served model's weights are stored (and, where the GPU has the tensor cores, computed).

    In order of bytes per weight, largest first: the tornado moves a line's precision to its neighbours in
    this order, and ``float(precision)`` is its place in it (the numeric form the tornado's arrays carry)."""

    BF16 = "bf16"  # 16-bit weights and activations
    FP8 = "fp8"  # 8-bit float weights: W8A8 on Ada/Hopper/Blackwell, weight-only (W8A16) on older GPUs
    FP4 = "fp4"  # NVFP4 4-bit weights: native on Blackwell, weight-only (W4A16) elsewhere
    INT4 = "int4"  # 4-bit integer group-quantized weights (AWQ/GPTQ), computed in 16 bit

    def __float__(self) -> float:
        return float(_PRECISIONS.index(self))

    @classmethod
    def from_code(cls, code: Any) -> "Precision":
        """The precision at place ``code`` of the order (``float(precision)``), or a precision itself."""
        if isinstance(code, Precision):
            return code
        return _PRECISIONS[int(round(float(code)))]

    @classmethod
    def parse(cls, value: Any) -> "Precision":
        """A precision from its name (``bf16``, ``fp8``, ``fp4``, ``int4``; ``fp16``/``float16`` mean bf16)."""
        if isinstance(value, Precision):
            return value
        text = str(value).strip().lower().replace("-", "").replace("_", "")
        text = {"fp16": "bf16", "float16": "bf16", "bfloat16": "bf16", "nvfp4": "fp4", "mxfp4": "fp4",
                "awq": "int4", "gptq": "int4", "w4a16": "int4"}.get(text, text)
        for p in cls:
            if p.value == text:
                return p
        raise PlanError(f"unknown precision {value!r}; expected one of {', '.join(p.value for p in cls)}")


_PRECISIONS = tuple(Precision)


@dataclass(frozen=True, slots=True, order=True)
class YearMonth:
    """A calendar month, the unit of every projection."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1900 <= self.year <= 9999:
            raise ValueError(f"impossible month {self.year}-{self.month:02d}")

    def plus(self, months: int) -> "YearMonth":
        """The month ``months`` later (or earlier when negative)."""
        index = self.year * 12 + (self.month - 1) + months
        return YearMonth(index // 12, index % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @classmethod
    def today(cls) -> "YearMonth":
        """The current month (the default start of a new plan)."""
        d = _dt.date.today()
        return cls(d.year, d.month)


@dataclass(frozen=True, slots=True)
class Range:
    """An uncertain input: the baseline uses ``likely``; Monte Carlo samples between low and high."""

    low: float
    likely: float
    high: float
    spread: float | None = None
    """When written as ``likely ± X%``: X as a fraction (relative to ``likely`` for amounts, percentage
    points for shares), so a save writes it back the same way."""


Ranges = tuple[tuple[str, Range], ...]
"""Ranges of a line's numeric fields, by field name."""


@dataclass(frozen=True, slots=True)
class TrainingRun:
    """A training or fine-tuning job (or a sweep of ``runs`` repeats) on rented GPUs."""

    name: str
    """Shown in tables and charts."""
    gpu: str
    """Catalog GPU key (canonical, e.g. ``H100-80GB``)."""
    gpus: int = 1
    """GPUs used by one run."""
    hours: float | None = None
    """Wall-clock hours per run; ``None`` when derived from params x tokens / (peak x MFU)."""
    params: float | None = None
    """Model parameters, for hours derived from FLOPs (6 x params x tokens); memory and checkpoints use all of them."""
    active_params: float | None = None
    """Parameters each token uses (mixture-of-experts): the FLOPs are 6 x active params x tokens; None: all of them."""
    tokens: float | None = None
    """Training tokens per run, for hours derived from FLOPs."""
    mfu: float | None = None
    """Model FLOPs utilization (0..1), for hours derived from FLOPs."""
    runs: int = 1
    """Repeats each time the job runs, a whole number (a hyperparameter sweep of 12 runs is ``runs: 12``)."""
    month: int = 1
    """Plan month (1-based) of the first run."""
    every: int | None = None
    """Repeat every N months from ``month``; ``None`` runs once."""
    pricing: Pricing = Pricing.ON_DEMAND
    """How the GPU time is bought."""
    provider: str | None = None
    """Cloud to price it at; ``None`` uses the plan's provider."""
    interruption_overhead: float = 0.0
    """Extra hours (fraction of the run) lost to spot interruptions and restarts from checkpoints."""
    goodput: float | None = None
    """Share of the run's wall-clock time spent training (failures, restarts and checkpoints take the rest): hours
    are divided by it. None: automatic, from the Llama 3 interruption record for runs of 1,024 GPUs or more."""
    ranges: Ranges = ()
    """Uncertain fields: field name -> Range (the field itself holds ``likely``)."""


@dataclass(frozen=True, slots=True)
class InferenceService:
    """Self-hosted model serving: always-on GPUs sized for the month's requests from the model and the GPU (the
    serving model, pricing/serving.py), or from a measured throughput when the line gives one."""

    name: str
    gpu: str
    requests_per_month: float
    """Requests in the first month the service runs."""
    input_tokens: float = 0.0
    """Prompt tokens per request."""
    output_tokens: float = 0.0
    """Generated tokens per request."""
    model_family: str | None = None
    """A model family of resources/catalog/models.yaml (architecture and sizes), e.g. ``llama-3.1-70b``."""
    params: float | None = None
    """Total parameters (weights held in memory); overrides the family's; required without a family."""
    active_params: float | None = None
    """Parameters used per token (mixture-of-experts); None: all of them (or the family's)."""
    precision: Precision = Precision.BF16
    """Weight precision served."""
    tokens_per_second_per_gpu: float | None = None
    """A measured sustained throughput of one GPU (see ``throughput_basis``): when given it wins over the model."""
    throughput_basis: ThroughputBasis = ThroughputBasis.OUTPUT
    """Whether the throughput counts output tokens only or input + output."""
    utilization: float = 0.6
    """Average share of capacity actually used (headroom for peaks)."""
    peak_to_average: float | None = None
    """Busiest hour / average hour of the traffic: capacity is provisioned for the busy hour. None: the catalog's
    default (resources/catalog/serving.yaml)."""
    growth: float = 0.0
    """Monthly compound growth of requests."""
    min_replicas: int | None = None
    """Never fewer replicas than this; None: ceil(min_gpus / replica size)."""
    min_gpus: int = 1
    """Never fewer GPUs than this (redundancy); ``min_replicas`` replaces it when given."""
    max_gpus: int | None = None
    """Capacity cap, if any (requests above it are not served; reported)."""
    ttft_ms: float | None = None
    """Time-to-first-token target (ms): the batch is lowered until a replica meets it."""
    tpot_ms: float | None = None
    """Time-per-output-token target (ms)."""
    tensor_parallel: int | None = None
    """GPUs per replica (1, 2, 4, 8); None: the serving model chooses."""
    instance_gpus: int | None = None
    """GPUs per instance rented (1, 2, 4, 8); None: the replica's size."""
    kv_cache: str | None = None
    """KV cache precision (``fp8`` or ``bf16``); None: FP8 with FP8/FP4 weights on GPUs with FP8, else 16 bit."""
    layers: int | None = None
    """Architecture overrides (None: the model family's, or the nearest family's when only params are given)."""
    attention_heads: int | None = None
    kv_heads: int | None = None
    head_dim: int | None = None
    kv_latent_dim: int | None = None
    experts: int | None = None
    experts_per_token: int | None = None
    start: int = 1
    """First plan month of the service."""
    end: int | None = None
    """Last plan month (inclusive); ``None`` runs to the horizon."""
    pricing: Pricing = Pricing.ON_DEMAND
    provider: str | None = None
    ranges: Ranges = ()
    """Uncertain fields: field name -> Range (the field itself holds ``likely``)."""


@dataclass(frozen=True, slots=True)
class ExplorationPool:
    """Notebooks and dev instances: billed for every hour they run, idle or not."""

    name: str
    gpu: str
    people: int = 1
    hours_per_week: float = 40.0
    """Hours each person's instance runs per week (the billed hours, idle time included)."""
    idle_share: float = 0.0
    """Share of those hours the instance sits idle (what auto-shutdown can cut)."""
    gpus_per_instance: int = 1
    start: int = 1
    end: int | None = None
    pricing: Pricing = Pricing.ON_DEMAND
    provider: str | None = None
    interruption_overhead: float = 0.0
    """Extra hours (fraction) lost to spot interruptions (restarting notebooks, reloading state)."""
    ranges: Ranges = ()
    """Uncertain fields: field name -> Range (the field itself holds ``likely``)."""


@dataclass(frozen=True, slots=True)
class LifecycleRule:
    """Move data older than ``after_days`` to a colder tier."""

    after_days: float
    tier: str


@dataclass(frozen=True, slots=True)
class StorageLine:
    """Stored data, billed per GB-month on the volume held each month."""

    name: str
    size_tb: float = 0.0
    """Volume held at the start of the plan."""
    growth_tb_per_month: float = 0.0
    """New data arriving every month."""
    tier: str = "standard"
    """Storage tier new data lands in."""
    kind: str = "raw"
    """What the data is: raw, processed, feature_store, checkpoints, ... (for reading only)."""
    lifecycle: tuple[LifecycleRule, ...] = ()
    """Age-based moves to colder tiers, in order of age."""
    compression: float = 0.0
    """Share of bytes saved by compression before storing."""
    start: int = 1
    provider: str | None = None
    ranges: Ranges = ()
    """Uncertain fields: field name -> Range (the field itself holds ``likely``)."""


@dataclass(frozen=True, slots=True)
class EgressLine:
    """Data moved out of a region or zone, billed per GB."""

    name: str
    tb_per_month: float
    kind: EgressKind = EgressKind.INTERNET
    growth: float = 0.0
    """Monthly compound growth of the volume."""
    start: int = 1
    end: int | None = None
    provider: str | None = None
    ranges: Ranges = ()
    """Uncertain fields: field name -> Range (the field itself holds ``likely``)."""


@dataclass(frozen=True, slots=True)
class Platform:
    """A managed ML platform (SageMaker, Vertex AI...) that marks up the compute it runs."""

    name: str
    """Catalog platform key (e.g. ``sagemaker``)."""
    markup: float | None = None
    """Markup over the underlying compute (0.2 = 20%); ``None`` uses the catalog's figure."""
    applies_to: tuple[str, ...] = ("training", "fine_tuning", "inference")
    """Compute sections the platform runs."""


@dataclass(frozen=True, slots=True)
class Sample:
    """Text to count tokens from: inline text or a file relative to the plan file."""

    text: str
    """The text itself (read from ``path`` when the plan was loaded)."""
    path: str | None = None
    """The path as written in the plan, when the text came from a file."""
    tokens: int = 0
    """Tokens counted in the API line's model encoding."""
    encoding: str = ""
    """Encoding that counted them."""
    exact: bool = True
    """Whether the count used the model's own encoding."""
    reason: str = ""
    """Why the count is approximate, when it is."""


@dataclass(frozen=True, slots=True)
class ApiLine:
    """Calls to a third-party model API, priced per token."""

    name: str
    provider: str
    model: str
    requests_per_month: float
    input_tokens: float = 0.0
    """Input tokens per request (all of it, cached part included)."""
    output_tokens: float = 0.0
    cached_input_share: float = 0.0
    """Share of input tokens billed at the cached-input price."""
    growth: float = 0.0
    response_cache_hit_rate: float = 0.0
    """Share of requests answered from our own response cache (never sent to the API)."""
    sample_input: Sample | None = None
    """When given, ``input_tokens`` is its exact count."""
    sample_output: Sample | None = None
    start: int = 1
    end: int | None = None
    cache_write_share: float = 0.0
    """Share of the cached-input tokens written to the cache (billed at the cache-write price) instead of read."""
    cache_ttl: str = "5m"
    """Cache lifetime bought where writes are priced by it (Anthropic: 5m at 1.25x input, 1h at 2x)."""
    batch_share: float = 0.0
    """Share of requests sent through the provider's batch API (about half price where offered)."""
    service_tier: str = "default"
    """Service tier where the model sells several (OpenAI, Google: default, flex, priority)."""
    off_peak_share: float = 0.0
    """Share of requests sent in the model's off-peak window (where it has time-of-day prices)."""
    ranges: Ranges = ()
    """Uncertain fields: field name -> Range (the field itself holds ``likely``)."""


@dataclass(frozen=True, slots=True)
class AnnotationBatch:
    """Human labelling of a batch of items, each item labelled ``review_passes`` times on average."""

    name: str
    task: str
    items: float
    price_per_item: float | None = None
    """USD per item per pass; ``None`` uses the catalog rate for the task."""
    review_passes: float = 1.0
    """Average labelling passes per item (1.25 = every item once, a quarter of them reviewed)."""
    month: int = 1
    over_months: int = 1
    """Spread evenly over this many months from ``month``."""
    every: int | None = None
    """Repeat the batch every N months."""
    workers_per_item: int = 1
    """Workers who label each item (consensus: SageMaker Ground Truth asks 3-5 by default); each is paid."""
    service: str = "none"
    """Labelling service whose per-object fee comes on top of worker pay (``ground_truth``); ``none`` for none."""
    ranges: Ranges = ()
    """Uncertain fields: field name -> Range (the field itself holds ``likely``)."""


@dataclass(frozen=True, slots=True)
class MlopsLine:
    """Recurring MLOps infrastructure: ``quantity`` units of a catalog kind every month."""

    name: str
    kind: str
    quantity: float = 1.0
    unit_price: float | None = None
    """USD per unit; ``None`` uses the catalog."""
    start: int = 1
    end: int | None = None
    provider: str | None = None
    ranges: Ranges = ()
    """Uncertain fields: field name -> Range (the field itself holds ``likely``)."""


@dataclass(frozen=True, slots=True)
class PeopleLine:
    """Time people spend keeping the infrastructure running (indirect cost): hours x an hourly rate, or headcount x
    FTE share x a loaded annual cost (as people are budgeted)."""

    name: str
    hours_per_month: float | None = None
    """Hours a month at ``hourly_rate``; None when the line is budgeted as headcount x FTE x annual cost."""
    hourly_rate: float | None = None
    headcount: int | None = None
    """People on the line (budgeted form); None: one."""
    fte: float | None = None
    """Share of each person's time spent on it (50% = half their time); None: full time."""
    annual_cost: float | None = None
    """Loaded annual cost of one full-time person (salary, benefits, overhead), in the plan's currency."""
    start: int = 1
    end: int | None = None
    ranges: Ranges = ()
    """Uncertain fields: field name -> Range (the field itself holds ``likely``)."""


@dataclass(frozen=True, slots=True)
class StrategySpec:
    """One savings strategy of a scenario with its parameters (validated by ``pricing.scenarios``)."""

    name: str
    params: tuple[tuple[str, Any], ...] = ()

    def param(self, key: str, default: Any = None) -> Any:
        return dict(self.params).get(key, default)


@dataclass(frozen=True, slots=True)
class Scenario:
    """A named set of savings strategies applied to the plan."""

    name: str
    strategies: tuple[StrategySpec, ...] = ()


@dataclass(frozen=True, slots=True)
class Compute:
    training: tuple[TrainingRun, ...] = ()
    fine_tuning: tuple[TrainingRun, ...] = ()
    inference: tuple[InferenceService, ...] = ()
    exploration: tuple[ExplorationPool, ...] = ()


@dataclass(frozen=True, slots=True)
class Data:
    storage: tuple[StorageLine, ...] = ()
    egress: tuple[EgressLine, ...] = ()


@dataclass(frozen=True, slots=True)
class Services:
    platform: Platform | None = None
    apis: tuple[ApiLine, ...] = ()


FORMAT = "aicost-plan/1"
"""The plan-file format this version reads and writes."""

SECTIONS: tuple[tuple[str, Category], ...] = (
    ("compute.training", Category.COMPUTE),
    ("compute.fine_tuning", Category.COMPUTE),
    ("compute.inference", Category.COMPUTE),
    ("compute.exploration", Category.COMPUTE),
    ("data.storage", Category.DATA),
    ("data.egress", Category.DATA),
    ("services.apis", Category.SERVICES),
    ("annotation", Category.ANNOTATION),
    ("mlops", Category.MLOPS),
    ("people", Category.PEOPLE),
)
"""Every list section of a plan, by its key path, with the category of its lines."""


@dataclass(frozen=True, slots=True)
class PricedWith:
    """The prices a plan was last saved with (the ``priced_with:`` key): reopened under newer prices, the app
    shows what they change and can keep these figures (pricing/repricing.py)."""

    catalog: str
    """The catalog's date: its newest price date (``2026-12-03``)."""
    catalog_hash: str
    """``sha256:`` of the catalog files' bytes (a catalog edited without a new date still differs)."""
    genai_prices: str = ""
    """genai-prices package version whose data priced the API lines (empty: the plan has none)."""
    genai_prices_data: str = ""
    """That data's date (ISO)."""
    fx_date: str = ""
    """Publication day of the ECB reference rate used (empty for USD or a pinned rate)."""
    fx_rate: float | None = None
    """The rate used (plan currency per USD) when it came from the ECB snapshot."""
    total: float | None = None
    """The horizon total as priced then, in the plan's currency."""
    figures: tuple[tuple[str, float], ...] = ()
    """Every catalog and API price figure the plan used (USD), by its ``prices:`` key."""
    tiered: tuple[str, ...] = ()
    """The keys of ``figures`` whose price had volume or long-context tiers (the figure is the headline rate)."""


@dataclass(frozen=True, slots=True)
class WorkUnit:
    """The plan's unit of work for its unit cost (``unit: {name: ticket, line: Answer generation}``): the requests of
    one API or serving line, or a volume a month (``per_month``, compounding ``growth``)."""

    name: str
    """What one unit is called (ticket, document, user)."""
    line: str | None = None
    """Name of the API or inference line whose requests count the units."""
    per_month: float | None = None
    """Units in the first month, when no line counts them."""
    growth: float = 0.0
    """Monthly compound growth of ``per_month``."""


@dataclass(frozen=True, slots=True)
class Plan:
    """A whole plan: the horizon, every cost line, price overrides and savings scenarios."""

    name: str = "Untitled plan"
    currency: str = "USD"
    fx_rate: float | None = None
    """Units of ``currency`` per USD (catalog prices are USD) when the plan pins its own rate; None: the dated
    ECB reference rate of the start month (``pricing.fx.for_plan`` gives the rate in force either way)."""
    fx_range: Range | None = None
    """A range on the pinned ``fx_rate`` (``fx_rate: 0.92 ± 5%``): the Monte Carlo samples the rate in it."""
    start: YearMonth = field(default_factory=YearMonth.today)
    months: int = 24
    provider: str = "aws"
    monthly_budget: float | None = None
    unit: WorkUnit | None = None
    """The unit of work the unit cost is per (None: per 1k requests of the API and serving lines)."""
    compute: Compute = Compute()
    data: Data = Data()
    services: Services = Services()
    annotation: tuple[AnnotationBatch, ...] = ()
    mlops: tuple[MlopsLine, ...] = ()
    people: tuple[PeopleLine, ...] = ()
    prices: tuple[tuple[str, float], ...] = ()
    """Plan-level overrides of catalog prices, by catalog key."""
    scenarios: tuple[Scenario, ...] = ()
    actuals: ActualsConfig = ActualsConfig()
    """The ``actuals:`` section: exports, cost column, dated rates and the rules mapping billing rows to lines."""
    priced_with: PricedWith | None = field(default=None, compare=False)
    """The price snapshot the plan was last saved with (not part of the plan's value: a record of it)."""
    key_order: tuple[tuple[str, tuple[str, ...]], ...] = field(default=(), compare=False, repr=False)
    """Order of keys as the user wrote them, by key path, so a save keeps it (not part of the value)."""

    def section(self, path: str) -> tuple[Any, ...]:
        """The lines of a list section by its key path (``compute.training``, ``annotation``...)."""
        obj: Any = self
        for part in path.split("."):
            obj = getattr(obj, part)
        return obj

    def with_section(self, path: str, lines: tuple[Any, ...]) -> "Plan":
        """A new plan with one list section replaced."""
        head, _, tail = path.partition(".")
        if not tail:
            return dataclasses.replace(self, **{head: tuple(lines)})
        parent = getattr(self, head)
        return dataclasses.replace(self, **{head: dataclasses.replace(parent, **{tail: tuple(lines)})})

    def lines(self) -> Iterator[tuple[str, int, Any]]:
        """Every line of every list section: (section path, index, line)."""
        for path, _ in SECTIONS:
            for i, line in enumerate(self.section(path)):
                yield path, i, line

    def scenario(self, name: str) -> Scenario:
        for s in self.scenarios:
            if s.name == name:
                return s
        raise UnknownNameError("scenario", name, [s.name for s in self.scenarios])

    @property
    def price_overrides(self) -> dict[str, float]:
        return dict(self.prices)


def month_problems(plan: Plan) -> list[Problem]:
    """Months a line refers to must fall inside the horizon (a line after it would silently cost nothing); the unit
    of work's line must be an API or serving line of the plan."""
    out = []
    if plan.unit is not None and plan.unit.line is not None:
        counting = [x.name for x in (*plan.services.apis, *plan.compute.inference)]
        if plan.unit.line not in counting:
            out.append(Problem(f"found line {plan.unit.line!r}, expected the name of an API or inference line whose "
                               "requests count the units" + (f" ({', '.join(counting)})" if counting else
                                                              "; the plan has none: give per_month instead"),
                               "unit.line"))
    for path, i, line in plan.lines():
        for key in ("month", "start"):
            value = getattr(line, key, None)
            if value is not None and value > plan.months:
                out.append(Problem(beyond_horizon(value, plan.months), f"{path}[{i}].{key}"))
    return out


def beyond_horizon(month: int, months: int) -> str:
    """What is wrong with a line's month after the plan's last month (the plan file's check and the editors')."""
    return (f"found month {month}, but the plan covers {months} months (1..{months}); this line would cost "
            "nothing")

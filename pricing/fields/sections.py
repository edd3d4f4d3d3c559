"""THE fields of a plan, section by section: one entry per YAML key (kind, unit, limits, typical range, label, help).

Every reader of a field's rules reads them here: the plan-file reader and writer, the editors, the
Monte Carlo sampler, the tornado, the reports and docs/plan-format.md. The order of a section's fields
is the order a save writes them.

Limits refuse what cannot be (a typo: 128 GPUs in one instance); the typical range flags what is
possible but unusual. Each maximum says below why it is where it is.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt

from pricing import plan as P
from pricing.fields import units as U
from pricing.fields.spec import (COMPUTED, Choice, FieldSpec, Kind, Limits, NameList, SectionSpec, Typical,
                                 enum_choices, text_choices)

MAX_MONTHS = 240
"""The longest horizon: 20 years. Prices and hardware two decades out are guesswork, and Monte Carlo memory
grows with months x samples."""

# Shared limits, each with its reason ------------------------------------------------------------

MIN_THROUGHPUT = 0.01
"""Slowest serving throughput, tokens/s per GPU (see the field)."""
MIN_YEAR, MAX_YEAR = 1990, 2199
"""Years a plan may start in (the ``start`` field's limits; the month box offers the same)."""

MAX_GPUS = 1_000_000
"""GPUs of one run or one serving fleet. The largest clusters announced hold 100,000-200,000 GPUs (xAI's
Colossus, 2024-2025) and the largest run with published figures used 16,384 H100s (Llama 3 405B, "The Llama 3
Herd of Models", arXiv 2407.21783); a million is beyond any of them: a typo."""
MAX_GPUS_PER_INSTANCE = 72
"""GPUs in one machine rented as a unit. Ordinary cloud GPU VMs hold at most 8 (AWS p5.48xlarge, GCP
a3-highgpu-8g, Azure ND H100 v5), GCP's a2-megagpu-16g 16; the largest unit is a GB200/GB300 NVL72 rack, 72
GPUs in one NVLink domain (rented whole as AWS's P6e-GB200 UltraServer). 128 is no machine sold."""
MAX_PEOPLE = 100_000
"""People with a notebook each. The largest tech employers have a few hundred thousand staff in all; a pool of
data scientists beyond 100,000 is a typo."""
MAX_TB = 1_000_000.0
"""Terabytes held or moved a month: an exabyte. Meta's training store for Llama 3 holds 240 PB (Llama 3 paper,
section 3.3); four times that for one line is a typo."""
MAX_TOKENS_PER_REQUEST = 100_000_000.0
"""Tokens of one request: ten times the largest context window offered (10M tokens, Llama 4 Scout)."""
MAX_REQUESTS_PER_MONTH = 1e13
"""Requests a month: over a hundred times ChatGPT's traffic (OpenAI: 2.5 billion prompts a day, July 2025,
about 75 billion a month)."""
MAX_MONEY = 1e12
"""Money written on a line, in the plan's currency. Weak currencies trade at up to ~10^5 per USD (Lebanese
pound ~89,500), so $10M in such a currency is 10^12; more is a typo."""
MAX_GROWTH = 10.0
"""Monthly growth up to 1000% (a launch month); more is a typo for a share (1000 written for 10%)."""
MAX_OVERHEAD = 10.0
"""Interruption overhead up to 1000% of the run: a spot run restarted ten times over is still possible."""

NO_CAP = "no cap"
HORIZON = "horizon"
ONCE = "once"
PLAN_PROVIDER = "the plan's provider"
GIVEN_HOURS = "hours given instead"


# Fields that mean the same in every section that has them -----------------------------------------

NAME = FieldSpec("name", Kind.TEXT, "Name", "Shown in the tables and charts.", required=True,
                 example="a name such as Chat serving")
GPU = FieldSpec("gpu", Kind.NAME, "GPU", "Catalog GPU key (H100-80GB, L4...; case-insensitive aliases such as h100).",
                names=NameList.GPU, required=True, example="a catalog GPU key such as H100-80GB")
PRICING = FieldSpec(
    "pricing", Kind.ENUM, "Pricing",
    "How the GPU time is bought: on demand (list price), spot (cheaper, can be interrupted) or reserved "
    "(committed-use discount). Changes the price per GPU-hour.",
    default=P.Pricing.ON_DEMAND, example="on_demand, spot or reserved",
    choices=enum_choices(P.Pricing, {P.Pricing.ON_DEMAND: "on demand", P.Pricing.SPOT: "spot (interruptible)",
                                     P.Pricing.RESERVED: "reserved (committed)"}))
PROVIDER = FieldSpec("provider", Kind.NAME, "Provider",
                     "Cloud whose price list prices this line; the plan's provider unless set here.",
                     names=NameList.PROVIDER, none_means=PLAN_PROVIDER, example="a provider such as aws")


def start(help: str) -> FieldSpec:
    return FieldSpec("start", Kind.MONTH, "First month", help, unit=U.PLAN_MONTHS,
                     limits=Limits(minimum=1, maximum=MAX_MONTHS), default=1)


def end(help: str = "Last plan month; 'horizon' runs to the end of the plan.") -> FieldSpec:
    return FieldSpec("end", Kind.MONTH, "Last month", help, unit=U.PLAN_MONTHS,
                     limits=Limits(minimum=1, maximum=MAX_MONTHS), none_means=HORIZON)


def growth(help: str) -> FieldSpec:
    return FieldSpec("growth", Kind.SHARE, "Monthly growth", help, unit=U.SHARE_PER_MONTH,
                     limits=Limits(maximum=MAX_GROWTH), default=0.0, rangeable=True,
                     typical=Typical(0.0, 0.25, "25% a month is already 15x a year"))


def requests_per_month(help: str) -> FieldSpec:
    return FieldSpec("requests_per_month", Kind.AMOUNT, "Requests / month", help, unit=U.REQUESTS_PER_MONTH,
                     limits=Limits(maximum=MAX_REQUESTS_PER_MONTH), required=True, rangeable=True,
                     typical=Typical(100, 1e10, "a pilot to a large consumer product"),
                     example="a number of requests such as 300k")


def input_tokens(help: str) -> FieldSpec:
    return FieldSpec("input_tokens", Kind.AMOUNT, "Input tokens / request", help, unit=U.TOKENS_PER_REQUEST,
                     limits=Limits(maximum=MAX_TOKENS_PER_REQUEST), default=0.0, rangeable=True,
                     typical=Typical(1, 200_000, "a short question to a long document in a 200k-token context"))


def output_tokens(help: str) -> FieldSpec:
    return FieldSpec("output_tokens", Kind.AMOUNT, "Output tokens / request", help, unit=U.TOKENS_PER_REQUEST,
                     limits=Limits(maximum=MAX_TOKENS_PER_REQUEST), default=0.0, rangeable=True,
                     typical=Typical(1, 32_000, "model APIs cap one reply at 8k to 128k tokens"))


def interruption_overhead(help: str) -> FieldSpec:
    return FieldSpec("interruption_overhead", Kind.SHARE, "Interruption overhead", help, unit=U.SHARE,
                     limits=Limits(maximum=MAX_OVERHEAD), default=0.0, rangeable=True,
                     typical=Typical(0.0, 0.3, "restarts from frequent checkpoints lose a few percent to tens of "
                                               "percent of a run"))


THROUGHPUT = FieldSpec(
    "tokens_per_second_per_gpu", Kind.AMOUNT, "Measured throughput (tokens/s per GPU)",
    "A measured sustained throughput of one GPU for this model and workload. When given it wins over the serving "
    "model (the report says which was used); empty: sized from the model and the GPU. Higher throughput, fewer GPUs.",
    unit=U.TOKENS_PER_SECOND_PER_GPU,
    # ten times the fastest published measurement, for embedding models counting input tokens too; at least one
    # token every 100 s, a thousand times below the slowest typical figure: the fleet size divides by it (a
    # throughput of 1e-320 made the bill infinite, issue 17)
    limits=Limits(minimum=MIN_THROUGHPUT, allow_zero=False, maximum=1e7), rangeable=True,
    none_means="the serving model",
    typical=Typical(10, 30_000, "a 70B model at low concurrency to the fastest published measurement, 28,312 "
                                "output tokens/s for Llama 3.1 8B in FP8 on one H100 (TensorRT-LLM perf overview)"),
    example="a number of tokens per second such as 1500")
UTILIZATION = FieldSpec(
    "utilization", Kind.SHARE, "Utilization",
    "Average share of capacity used (headroom for peaks). Lower utilization, more GPUs for the same load.",
    # at least 1%: the fleet size divides by it; a fleet kept 99% idle is a typo (0.6 written as 0.006)
    unit=U.SHARE, limits=Limits(minimum=0.01, allow_zero=False), default=0.6, rangeable=True,
    typical=Typical(0.2, 0.9, "serving fleets keep headroom for peaks"), example="a share such as 60%")
MIN_GPUS = FieldSpec("min_gpus", Kind.INTEGER, "Minimum GPUs",
                     "Never fewer GPUs than this (redundancy), whatever the load.", unit=U.GPUS,
                     limits=Limits(minimum=0, maximum=MAX_GPUS), default=1, rangeable=True,
                     typical=Typical(0, 1000, "a replica or two for redundancy, up to a large fleet's floor"),
                     example="a whole number such as 2")
PARAMS = FieldSpec(
    "params", Kind.AMOUNT, "Parameters", "Total model parameters (e.g. 8B). Training FLOPs = 6 x active params x "
    "tokens; memory and checkpoints hold all of them.", unit=U.PARAMETERS,
    # fifty times the largest models announced (about 2T parameters in total)
    limits=Limits(allow_zero=False, maximum=1e14), rangeable=True, none_means=GIVEN_HOURS,
    typical=Typical(1e8, 2e12, "100M-parameter models to the largest announced, about 2T"))
ACTIVE_PARAMS = FieldSpec(
    "active_params", Kind.AMOUNT, "Active parameters",
    "Parameters each token uses, for a mixture-of-experts model (DeepSeek-V3: 37B of 671B; Qwen3 235B-A22B: 22B). "
    "Compute (FLOPs) follows them; memory holds all the parameters. Empty: all of them (a dense model).",
    unit=U.PARAMETERS, limits=Limits(allow_zero=False, maximum=1e14), rangeable=True,
    none_means="all of them (dense)",
    typical=Typical(1e8, 2e12, "3B active (Qwen3 30B-A3B) to the largest dense models"))
TP_CHOICES = tuple(Choice(n, str(n), f"{n} GPU{'s' if n > 1 else ''}") for n in (1, 2, 4, 8))
"""Tensor-parallel sizes and instance sizes a replica uses: one replica stays inside one 8-GPU machine."""
ARCHITECTURE = "the model family's"

THROUGHPUT_BASIS = FieldSpec(
    "throughput_basis", Kind.ENUM, "Throughput counts",
    "Whether the throughput figure counts generated tokens only (LLM serving benchmarks) or input + output "
    "(e.g. embedding models).", default=P.ThroughputBasis.OUTPUT, example="output or total",
    choices=enum_choices(P.ThroughputBasis, {P.ThroughputBasis.OUTPUT: "output tokens",
                                             P.ThroughputBasis.TOTAL: "input + output tokens"}))


# Sections ------------------------------------------------------------------------------------------

FISCAL_MONTHS = tuple(Choice(m, str(m), _dt.date(2000, m, 1).strftime("%B")) for m in range(1, 13))
"""The months a fiscal year may start in: written as their number (``fiscal_year_start: 4``), shown by name."""

SETTINGS = SectionSpec("", "Plan settings", "plan", P.Plan, (
    FieldSpec("name", Kind.TEXT, "Plan name", "Shown in the window title, reports and exports.",
              default="Untitled plan"),
    FieldSpec("currency", Kind.CURRENCY, "Currency", "Currency the plan is shown in; catalog prices (USD) are "
              "converted with the exchange rate.", default="USD", example="a 3-letter code such as EUR"),
    FieldSpec("fx_rate", Kind.AMOUNT, "Exchange rate ({cur} per USD)",
              "Units of the plan's currency per US dollar (e.g. 0.92 EUR per USD). Multiplies every catalog and "
              "API price. Empty: the ECB reference rate published on or before the first month's first day "
              "(the report states it and its date). A range (0.92 ± 5%) feeds the Monte Carlo.", unit=U.CUR_PER_USD,
              # the weakest currencies trade at about 10^4-10^5 per USD (Lebanese pound ~89,500 in 2024), the
              # strongest at 0.31 (Kuwaiti dinar): 0.001 is a typo
              limits=Limits(minimum=0.001, allow_zero=False, maximum=1e6), default=None, rangeable=True,
              none_means="the ECB reference rate of the first month",
              typical=Typical(0.3, 30_000, "from the Kuwaiti dinar (about 0.31 per USD) to the Vietnamese dong "
                                           "(about 25,000)")),
    FieldSpec("start", Kind.YEAR_MONTH, "First month", "Calendar month the projection starts (month 1 of the plan).",
              # years, for a calendar month: cloud GPUs were first rented in 2010 (EC2 cg1, AWS, Nov 2010), so a plan
              # starts in the 1990s at the earliest (history re-costed); 2199 is far past any budget, and 240 months
              # on stays a real calendar month. 1800 or 9999 is a typo (9999 + 20 years left the calendar: issue 17)
              limits=Limits(minimum=MIN_YEAR, maximum=MAX_YEAR),
              default=COMPUTED, example="a month such as 2027-01"),
    FieldSpec("months", Kind.INTEGER, "Horizon (months)",
              "Months projected; the horizon total and the charts cover them.", unit=U.MONTHS,
              limits=Limits(minimum=1, maximum=MAX_MONTHS), default=24,
              typical=Typical(3, 60, "budgets look a quarter to five years ahead")),
    FieldSpec("provider", Kind.NAME, "Provider",
              "Default cloud whose prices apply to every line that doesn't name its own.", names=NameList.PROVIDER,
              default="aws", example="a provider such as aws"),
    FieldSpec("monthly_budget", Kind.AMOUNT, "Monthly budget ({cur}/month)",
              "Drawn on the charts; the first month over it is reported. Empty: no budget.", unit=U.MONEY_PER_MONTH,
              limits=Limits(allow_zero=False, maximum=MAX_MONEY), none_means="no budget"),
    FieldSpec("fiscal_year_start", Kind.ENUM, "Fiscal year starts in",
              "First month of the fiscal year (1-12): tables, reports and exports add months up by fiscal quarter "
              "and year. A fiscal year is named by the calendar year in which it ends: starting in April, "
              "April 2027 to March 2028 is FY2028 and January 2027 falls in FY2027 Q4. 1 (January): the "
              "calendar year.", default=1, choices=FISCAL_MONTHS, example="a month number 1-12 such as 4 (April)"),
    FieldSpec("unit", Kind.WORK_UNIT, "Unit of work", "What the unit cost is per: a ticket, a document, a user. "
              "Counted by the requests of one API or serving line ('ticket: Answer generation') or given as a "
              "volume a month ('ticket: 100k/month', '+ 5%/month' for growth). The reports show the whole bill "
              "over the horizon per unit. Empty: per 1k requests of every API and serving line.",
              none_means="per 1k API and serving requests, all lines",
              example="{name: ticket, line: Answer generation} or {name: ticket, per_month: 100k}"),
), "The plan's own settings: name, horizon, currency, default provider, budget, fiscal year and unit of work.")

TRAINING_FIELDS: tuple[FieldSpec, ...] = (
    NAME,
    dataclasses.replace(GPU, help="GPU model rented for the run; its price per GPU-hour (for the provider and "
                                  "pricing below) multiplies every GPU-hour of the run."),
    FieldSpec("gpus", Kind.INTEGER, "GPUs", "GPUs one run uses at once. Cost = GPUs x hours x runs x price per "
              "GPU-hour.", unit=U.GPUS, limits=Limits(minimum=1, maximum=MAX_GPUS), default=1, rangeable=True,
              typical=Typical(1, 16_384, "one GPU to Llama 3 405B's 16,384 H100s, the largest run with published "
                                         "figures")),
    FieldSpec("hours", Kind.AMOUNT, "Hours per run", "Wall-clock hours of one run. Cost grows in proportion.",
              unit=U.HOURS,
              # no run outlasts the longest plan: 240 months x 730 h; none is shorter than 36 seconds
              limits=Limits(minimum=0.01, allow_zero=False, maximum=MAX_MONTHS * 730.0), rangeable=True,
              none_means="derived from parameters x tokens",
              typical=Typical(0.5, 2_200, "a short fine-tune to months of pre-training (Llama 3.1 405B: 30.84M "
                                          "H100-hours on up to 16,384 GPUs, about 1,900 hours)")),
    PARAMS,
    ACTIVE_PARAMS,
    FieldSpec("tokens", Kind.AMOUNT, "Training tokens", "Tokens seen by one run (e.g. 20B). More tokens, more hours.",
              unit=U.TOKENS,
              # about 30x the largest published pre-training sets (Qwen3: 36T tokens)
              limits=Limits(allow_zero=False, maximum=1e15), rangeable=True, none_means=GIVEN_HOURS,
              typical=Typical(1e6, 4e13, "a small fine-tune to the largest published pre-training sets (36T)")),
    FieldSpec("mfu", Kind.SHARE, "MFU", "Model FLOPs utilization: the share of the GPU's peak the training code "
              "reaches (30-50% is typical). Higher MFU, fewer hours.", unit=U.SHARE,
              # at least 1%: the hours divide by it; below that a run is not training
              limits=Limits(minimum=0.01, allow_zero=False), rangeable=True, none_means=GIVEN_HOURS,
              typical=Typical(0.2, 0.6, "Llama 3 405B reached 38-43% on H100s")),
    FieldSpec("runs", Kind.INTEGER, "Runs", "Repeats each time the job runs, e.g. a sweep of 12 runs. Multiplies "
              "the cost.", unit=U.RUNS,
              # a sweep of a hundred thousand runs of one job is a typo
              limits=Limits(minimum=1, maximum=100_000), default=1, rangeable=True,
              typical=Typical(1, 200, "a hyperparameter sweep is tens to a few hundred runs")),
    FieldSpec("month", Kind.MONTH, "First month", "Plan month of the first run; the cost falls in that month.",
              unit=U.PLAN_MONTHS, limits=Limits(minimum=1, maximum=MAX_MONTHS), default=1),
    FieldSpec("every", Kind.INTEGER, "Repeat every (months)",
              "Run again every N months (e.g. a monthly retrain); 'once' runs one time.", unit=U.MONTHS,
              limits=Limits(minimum=1, maximum=MAX_MONTHS), none_means=ONCE),
    PRICING,
    PROVIDER,
    interruption_overhead("Extra hours lost to spot interruptions and restarts from checkpoints, as a share of the "
                          "run. Adds to the GPU-hours billed."),
    FieldSpec("goodput", Kind.SHARE, "Goodput",
              "Share of a run's wall-clock time spent training: failures, restarts and checkpointing take the rest, so "
              "hours are divided by it (90% bills hours / 0.9). Empty: automatic for runs derived from model size x "
              "tokens on 1,024 GPUs or more: 1 / (1 + 0.111 x GPUs / 16,384), 90% at the Llama 3 405B run's 16,384 "
              "H100s (466 interruptions in 54 days, more than 90% effective training time); none below.",
              unit=U.SHARE, limits=Limits(minimum=0.1, allow_zero=False), rangeable=True,
              none_means="automatic (Llama 3 record, from 1,024 GPUs)",
              typical=Typical(0.8, 1.0, "Llama 3 405B kept more than 90% effective training time on 16,384 GPUs"),
              source="The Llama 3 Herd of Models (Dubey et al., 2024, arXiv:2407.21783), section 3.3.4"),
)

def _arch(key: str, label: str, help: str, unit: "U.Unit", maximum: int) -> FieldSpec:
    """An architecture field of a serving line (the model family's unless given)."""
    return FieldSpec(key, Kind.INTEGER, label, help + " Empty: the model family's (or, with params alone, the "
                     "catalog family nearest in active parameters, which the line's note names).", unit=unit,
                     limits=Limits(minimum=1, maximum=maximum), none_means=ARCHITECTURE)


INFERENCE_FIELDS: tuple[FieldSpec, ...] = (
    NAME,
    dataclasses.replace(GPU, help="GPU serving the model: its memory, bandwidth and peak size the replicas; billed "
                                  "730 hours a month per GPU, in whole instances."),
    requests_per_month("Requests in the first month (e.g. 2M). With the tokens per request, they set the GPUs "
                       "needed."),
    input_tokens("Prompt tokens per request: prefill is compute-bound on them (and they count against a measured "
                 "throughput that counts input + output)."),
    output_tokens("Generated tokens per request: decode, one memory-bound step per token, is mostly what serving "
                  "capacity is spent on."),
    FieldSpec("model_family", Kind.NAME, "Model family",
              "The model served, from the catalog's model families (layers, attention and KV heads, experts, sizes "
              "with sources): sets the memory per replica and the throughput. Empty: give params.",
              names=NameList.MODEL_FAMILY, none_means="given by params",
              example="a model family such as llama-3.1-70b"),
    dataclasses.replace(PARAMS, help="Total parameters (e.g. 70B): the weights each replica holds in GPU memory. "
                                     "Overrides the family's; required without a model family.",
                        none_means="the model family's",
                        typical=Typical(1e8, 2e12, "100M-parameter models to the largest open models, about 2T")),
    dataclasses.replace(ACTIVE_PARAMS, help="Parameters each token uses, for a mixture-of-experts model (e.g. 22B "
                                            "of 235B): prefill and decode compute follow them, memory holds all the "
                                            "parameters. Empty: all of them (or the family's)."),
    FieldSpec("precision", Kind.ENUM, "Precision",
              "How the weights are stored: bf16 (16-bit), fp8, fp4 (NVFP4) or int4 (AWQ/GPTQ). Fewer bytes per weight "
              "leave more memory for the KV cache (bigger batches) and read faster in decode; FP8/FP4 also use the "
              "GPU's low-precision tensor cores where it has them. bf16 is the conservative default.",
              default=P.Precision.BF16, example="bf16, fp8, fp4 or int4", swings=True,
              choices=enum_choices(P.Precision, {P.Precision.BF16: "BF16 (16-bit)", P.Precision.FP8: "FP8",
                                                 P.Precision.FP4: "FP4 (NVFP4)", P.Precision.INT4: "INT4 (AWQ/GPTQ)"}),
              source="bf16: the conservative choice (unquantized weights)"),
    THROUGHPUT,
    THROUGHPUT_BASIS,
    UTILIZATION,
    FieldSpec("peak_to_average", Kind.AMOUNT, "Peak-to-average",
              "Busiest hour / average hour of the traffic: replicas are provisioned for the busy hour (2 = twice the "
              "average rate). Empty: the catalog's default.", unit=U.TIMES_PEAK,
              limits=Limits(minimum=1.0, maximum=100.0),  # a hundred times the average hour is a typo
              rangeable=True, none_means="the catalog's default (1)",
              typical=Typical(1.0, 4.0, "diurnal traffic peaks at a few times its average"),
              source="resources/catalog/serving.yaml peak_to_average"),
    growth("Compound growth of requests each month; more requests need more GPUs as the months go."),
    FieldSpec("min_replicas", Kind.INTEGER, "Minimum replicas",
              "Never fewer replicas than this (redundancy), whatever the load. Empty: min_gpus / replica size, "
              "rounded up.", unit=U.REPLICAS, limits=Limits(minimum=0, maximum=MAX_GPUS), none_means="from min_gpus",
              typical=Typical(0, 1000, "a replica or two for redundancy, up to a large fleet's floor")),
    MIN_GPUS,
    FieldSpec("max_gpus", Kind.INTEGER, "Maximum GPUs", "Capacity cap; above it requests would not be served "
              "(reported as a note). 'no cap' lets the GPUs grow with the load.", unit=U.GPUS,
              limits=Limits(minimum=1, maximum=MAX_GPUS), none_means=NO_CAP),
    FieldSpec("ttft_ms", Kind.AMOUNT, "TTFT target (ms)",
              "Time to the first token a user waits (prefill + one decode step, without queueing): the batch is "
              "lowered until a replica meets it, so a tight target needs more GPUs.", unit=U.MILLISECONDS,
              limits=Limits(allow_zero=False, maximum=600_000),  # ten minutes to a first token is not a target
              none_means="no target", typical=Typical(50, 10_000, "chat aims at well under a second")),
    FieldSpec("tpot_ms", Kind.AMOUNT, "TPOT target (ms)",
              "Time per output token a user sees while the answer streams (the batch's decode step plus its share of "
              "other requests' prefills): a tight target lowers the batch and needs more GPUs.", unit=U.MILLISECONDS,
              limits=Limits(allow_zero=False, maximum=60_000), none_means="no target",
              typical=Typical(5, 200, "20-50 ms per token reads faster than people do")),
    FieldSpec("tensor_parallel", Kind.ENUM, "GPUs per replica (TP)",
              "Tensor-parallel size: GPUs that hold one copy of the model. Empty: the smallest size within 10% of the "
              "best modelled tokens/s per GPU among those where the model fits.", none_means="automatic",
              choices=TP_CHOICES, example="1, 2, 4 or 8"),
    FieldSpec("instance_gpus", Kind.ENUM, "GPUs per instance",
              "GPUs in each instance rented; a replica never spans two instances, so an instance holds instance_gpus / "
              "TP replicas. Priced at the provider's instance of that size. Empty: the replica's size.",
              none_means="the replica's size", choices=TP_CHOICES, example="1, 2, 4 or 8"),
    FieldSpec("kv_cache", Kind.ENUM, "KV cache precision",
              "Precision of the KV cache (advanced). Empty: FP8 with FP8/FP4 weights on GPUs with FP8 tensor cores, "
              "else 16 bit.", none_means="automatic", example="fp8 or bf16",
              choices=text_choices(("fp8", "FP8"), ("bf16", "BF16 (16-bit)"))),
    _arch("layers", "Layers", "Transformer layers: the KV cache per token grows with them.", U.LAYERS, 1_000),
    _arch("attention_heads", "Attention heads", "Query heads: attention FLOPs are heads x head size wide.", U.HEADS,
          1_024),
    _arch("kv_heads", "KV heads", "Grouped-query attention KV heads: KV cache per token = 2 x layers x KV heads x "
          "head size values.", U.HEADS, 1_024),
    _arch("head_dim", "Head size", "Values per attention head.", U.VALUES_PER_HEAD, 4_096),
    _arch("kv_latent_dim", "KV latent size", "Multi-head latent attention (DeepSeek): values cached per token and "
          "layer in place of K and V.", U.VALUES_PER_TOKEN_LAYER, 65_536),
    _arch("experts", "Experts", "Routed experts per mixture-of-experts layer.", U.EXPERTS, 4_096),
    _arch("experts_per_token", "Experts per token", "Routed experts each token uses.", U.EXPERTS_PER_TOKEN, 256),
    start("Plan month the service starts; nothing is billed before."),
    end("Last plan month of the service; 'horizon' runs to the end of the plan."),
    PRICING,
    PROVIDER,
)

EXPLORATION_FIELDS: tuple[FieldSpec, ...] = (
    NAME,
    dataclasses.replace(GPU, help="GPU of each person's notebook or dev instance."),
    FieldSpec("people", Kind.INTEGER, "People", "People with an instance each. Cost = people x hours x GPUs x price.",
              unit=U.PEOPLE, limits=Limits(minimum=0, maximum=MAX_PEOPLE), default=1, rangeable=True,
              typical=Typical(1, 500, "a team to a large company's data-science staff")),
    FieldSpec("hours_per_week", Kind.AMOUNT, "Hours per week", "Hours each instance runs per week, idle time "
              "included (that is what is billed).", unit=U.HOURS_PER_WEEK,
              limits=Limits(maximum=168), default=40.0, rangeable=True,  # a week has 168 hours
              typical=Typical(1, 168, "an occasional notebook to one left running all week")),
    FieldSpec("idle_share", Kind.SHARE, "Idle share", "Share of those hours the instance sits idle: what "
              "auto-shutdown could cut (see Savings).", unit=U.SHARE, default=0.0, rangeable=True,
              typical=Typical(0.0, 0.9, "notebooks left running sit idle most of the night")),
    FieldSpec("gpus_per_instance", Kind.INTEGER, "GPUs per instance", "GPUs in each instance; multiplies the "
              "GPU-hours.", unit=U.GPUS, limits=Limits(minimum=1, maximum=MAX_GPUS_PER_INSTANCE), default=1,
              rangeable=True, typical=Typical(1, 8, "ordinary cloud GPU machines hold 1 to 8 GPUs")),
    start("Plan month the pool starts."),
    end(),
    PRICING,
    PROVIDER,
    interruption_overhead("Extra hours (fraction) lost to spot interruptions (restarting notebooks, reloading "
                          "state)."),
)

STORAGE_KINDS = text_choices(("raw", "raw"), ("processed", "processed"), ("feature_store", "feature store"),
                             ("checkpoints", "checkpoints"), ("logs", "logs"), ("backups", "backups"))
"""What stored data usually is (an open list: any name is accepted)."""

STORAGE_FIELDS: tuple[FieldSpec, ...] = (
    NAME,
    FieldSpec("size_tb", Kind.AMOUNT, "Stored now (TB)", "Terabytes held at the start of the plan, billed every "
              "month per GB-month at the tier's price.", unit=U.TERABYTES, limits=Limits(maximum=MAX_TB),
              default=0.0, rangeable=True,
              typical=Typical(0, 10_000, "a project's data, up to 10 PB")),
    FieldSpec("growth_tb_per_month", Kind.AMOUNT, "New data (TB/month)", "Terabytes arriving every month; the "
              "stored volume, and its bill, grow by this much each month.", unit=U.TB_PER_MONTH,
              limits=Limits(maximum=MAX_TB), default=0.0, rangeable=True,
              typical=Typical(0, 1_000, "a petabyte a month is a large video or sensor fleet")),
    FieldSpec("tier", Kind.NAME, "Tier", "Storage class new data lands in; colder tiers cost less per GB-month.",
              names=NameList.STORAGE_TIER, default="standard", example="a storage tier such as standard"),
    FieldSpec("kind", Kind.NAME, "Kind", "What the data is (for reading the plan; it doesn't change the price).",
              names=NameList.STORAGE_KIND, default="raw", choices=STORAGE_KINDS),
    FieldSpec("compression", Kind.SHARE, "Compression", "Share of bytes saved by compressing before storing; cuts "
              "the stored volume.", unit=U.SHARE,
              limits=Limits(maximum=0.99), default=0.0, rangeable=True,  # 100% would store nothing at all
              typical=Typical(0.0, 0.8, "text compresses well; images and video barely")),
    start("Plan month the data starts to be stored."),
    dataclasses.replace(PROVIDER, help="Cloud whose prices apply; the plan's provider unless set here."),
    FieldSpec("lifecycle", Kind.RULES, "Lifecycle", "Move data older than N days to a colder tier, e.g. "
              "'90 d: infrequent, 365 d: archive'. Older data then costs the colder tier's price.", default=(),
              none_means="none (data stays in its tier)",
              example="a list of rules such as [{after_days: 90, tier: infrequent}]"),
)

EGRESS_FIELDS: tuple[FieldSpec, ...] = (
    NAME,
    FieldSpec("tb_per_month", Kind.AMOUNT, "Volume (TB/month)", "Terabytes moved out each month (first month), "
              "billed per GB.", unit=U.TB_PER_MONTH, limits=Limits(maximum=MAX_TB), required=True, rangeable=True,
              typical=Typical(0, 1_000, "a petabyte a month out is a large video service")),
    FieldSpec("kind", Kind.ENUM, "Goes to", "Where the bytes go: the internet, another region, or another zone of the "
              "region; each has its own price per GB.", default=P.EgressKind.INTERNET,
              example="internet, inter_region or inter_az",
              choices=enum_choices(P.EgressKind, {P.EgressKind.INTERNET: "internet",
                                                  P.EgressKind.INTER_REGION: "another region",
                                                  P.EgressKind.INTER_AZ: "another zone"})),
    growth("Compound growth of the volume each month."),
    start("Plan month the transfers start."),
    end(),
    dataclasses.replace(PROVIDER, help="Cloud whose prices apply; the plan's provider unless set here."),
)

COMPUTE_SECTION_CHOICES = text_choices(("training", "training"), ("fine_tuning", "fine-tuning"),
                                       ("inference", "inference"), ("exploration", "notebooks"))
"""The compute sections by their short names, as ``applies_to`` lists take them."""

PLATFORM_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", Kind.NAME, "Platform", "Managed ML platform (SageMaker, Vertex AI...) the compute runs on.",
              names=NameList.PLATFORM, required=True, example="a platform such as sagemaker"),
    FieldSpec("markup", Kind.SHARE, "Markup", "Extra charged over the underlying compute, e.g. 20%; empty uses the "
              "catalog's figure for the platform.", unit=U.SHARE,
              limits=Limits(maximum=10.0),  # 1000%: no platform charges ten times the compute
              none_means="catalog markup",
              typical=Typical(0.0, 0.5, "the catalog's platforms add 20-40% (resources/catalog/platforms.yaml)")),
    FieldSpec("applies_to", Kind.NAMES, "Runs", "Compute sections the platform runs; their cost is marked up.",
              default=("training", "fine_tuning", "inference"), choices=COMPUTE_SECTION_CHOICES,
              example="a list among training, fine_tuning, inference, exploration"),
)

API_FIELDS: tuple[FieldSpec, ...] = (
    NAME,
    FieldSpec("provider", Kind.NAME, "API provider", "Who sells the model (OpenAI, Anthropic, Google...); prices "
              "come from the genai-prices data.", names=NameList.API_PROVIDER, required=True,
              example="a provider such as openai"),
    FieldSpec("model", Kind.NAME, "Model", "The model called; type to search the genai-prices models. Its price per "
              "million input, cached-input and output tokens sets the cost of each request.",
              names=NameList.API_MODEL, required=True, example="a model id such as gpt-4o-mini"),
    requests_per_month("Calls in the first month (e.g. 300k). Cost = requests x (input, cached input and output "
                       "tokens x their prices)."),
    input_tokens("Prompt tokens per request, cached part included. Counted exactly from the sample text when the "
                 "line has one."),
    output_tokens("Generated tokens per request (usually the dearer tokens)."),
    FieldSpec("cached_input_share", Kind.SHARE, "Cached input", "Share of input tokens billed at the cheaper "
              "cached-input price (prompt caching of a shared prefix).", unit=U.SHARE, default=0.0, rangeable=True,
              typical=Typical(0.0, 0.95, "a shared system prompt and documents can be most of the input")),
    growth("Compound growth of requests each month."),
    FieldSpec("response_cache_hit_rate", Kind.SHARE, "Response cache hits", "Share of requests answered from your "
              "own response cache, never sent to the API: they cost nothing.", unit=U.SHARE, default=0.0,
              rangeable=True, typical=Typical(0.0, 0.6, "repeated questions rarely exceed half the traffic")),
    FieldSpec("sample_input", Kind.SAMPLE, "Input sample", "A typical prompt (a file next to the plan, or inline "
              "text) counted exactly with the model's tokenizer; replaces input_tokens.",
              none_means="typed token counts"),
    FieldSpec("sample_output", Kind.SAMPLE, "Output sample", "A typical reply, counted like the input sample; "
              "replaces output_tokens.", none_means="typed token counts"),
    start("Plan month the calls start."),
    end(),
    FieldSpec("cache_write_share", Kind.SHARE, "Cache writes", "Share of the cached-input tokens written to the "
              "cache (each write billed at the cache-write price: Anthropic 1.25x input for a 5-minute cache, 2x "
              "for 1 hour) instead of read at the cached price; a prefix reused by 20 requests before it expires "
              "is written once in 20 (5%).", unit=U.SHARE, default=0.0, rangeable=True,
              typical=Typical(0.0, 0.5, "a shared prefix is written once per cache lifetime and read many times")),
    FieldSpec("cache_ttl", Kind.ENUM, "Cache lifetime", "How long a written cache lives where the provider prices "
              "writes by it (Anthropic: 5 minutes, or 1 hour at twice the input price).", default="5m",
              example="5m or 1h", choices=text_choices(("5m", "5 minutes"), ("1h", "1 hour"))),
    FieldSpec("batch_share", Kind.SHARE, "Sent as batch", "Share of requests sent through the provider's batch "
              "API (answers within 24 hours at about half price: OpenAI, Anthropic, Google, Mistral); priced with "
              "genai-prices' batch prices.", unit=U.SHARE, default=0.0, rangeable=True,
              typical=Typical(0.0, 1.0, "offline work (evaluations, enrichment) can all go as batch")),
    FieldSpec("service_tier", Kind.ENUM, "Service tier", "The provider's service tier where the model sells "
              "several (OpenAI, Google): flex is cheaper and slower, priority dearer and faster.", default="default",
              example="default, flex or priority",
              choices=text_choices(("default", "default"), ("flex", "flex (cheaper, slower)"),
                                   ("priority", "priority (dearer, faster)"))),
    FieldSpec("off_peak_share", Kind.SHARE, "Sent off-peak", "Share of requests sent in the model's off-peak "
              "window, where it has time-of-day prices (DeepSeek's discount hours); the rest pay the peak price.",
              unit=U.SHARE, default=0.0, rangeable=True,
              typical=Typical(0.0, 1.0, "batch jobs can be scheduled into the window")),
)

ANNOTATION_FIELDS: tuple[FieldSpec, ...] = (
    NAME,
    FieldSpec("task", Kind.NAME, "Task", "Kind of labelling; sets the catalog price per item when no price is given.",
              names=NameList.ANNOTATION_TASK, required=True, example="a task such as bounding_box"),
    FieldSpec("items", Kind.AMOUNT, "Items", "Items labelled in the batch (e.g. 120k). Cost = items x passes x price.",
              unit=U.ITEMS, limits=Limits(maximum=1e12),  # a trillion hand-labelled items is a typo
              required=True, rangeable=True,
              typical=Typical(100, 1e8, "a pilot batch to the largest labelled sets (ImageNet: 14M images)")),
    FieldSpec("price_per_item", Kind.AMOUNT, "Price per item ({cur}/item)", "Price per item per pass, in the plan's "
              "currency; empty uses the catalog rate for the task.", unit=U.MONEY_PER_ITEM,
              limits=Limits(maximum=MAX_MONEY), none_means="catalog rate", rangeable=True,
              typical=Typical(0.01, 50, "a click on a crowd platform to an expert's segmentation", usd=True)),
    FieldSpec("review_passes", Kind.AMOUNT, "Passes per item", "Average labelling passes per item: 1.25 means every "
              "item once and a quarter of them reviewed. Multiplies the cost.", unit=U.PASSES_PER_ITEM,
              limits=Limits(minimum=1.0, maximum=20), default=1.0, rangeable=True,  # 20 labellers per item is a typo
              typical=Typical(1, 5, "Ground Truth asks 3-5 workers per item by default")),
    FieldSpec("month", Kind.MONTH, "First month", "Plan month the batch is labelled.", unit=U.PLAN_MONTHS,
              limits=Limits(minimum=1, maximum=MAX_MONTHS), default=1),
    FieldSpec("over_months", Kind.INTEGER, "Spread over (months)", "The batch is labelled evenly over this many "
              "months.", unit=U.MONTHS, limits=Limits(minimum=1, maximum=MAX_MONTHS), default=1),
    FieldSpec("every", Kind.INTEGER, "Repeat every (months)", "Label a new batch every N months; 'once' labels one "
              "batch.", unit=U.MONTHS, limits=Limits(minimum=1, maximum=MAX_MONTHS), none_means=ONCE),
    FieldSpec("workers_per_item", Kind.INTEGER, "Workers per item", "Workers who label each item for consensus; "
              "each is paid the per-item rate (SageMaker Ground Truth asks 3-5 by default). Multiplies the worker "
              "cost.", unit=U.WORKERS_PER_ITEM, limits=Limits(minimum=1, maximum=20), default=1, rangeable=True,
              typical=Typical(1, 5, "Ground Truth's default consensus is 3-5 workers per object "
                                    "(resources/catalog/levers.yaml lever.annotation.consensus_workers)"),
              source="one worker; Ground Truth's consensus default is 3-5"),
    FieldSpec("service", Kind.ENUM, "Labelling service", "A managed labelling service whose per-object fee comes on "
              "top of worker pay, charged for every object of every pass (SageMaker Ground Truth bills each labeled "
              "object; its fee is annotation.fee.ground_truth_service).", default="none",
              example="none or ground_truth",
              choices=text_choices(("none", "none (worker rates only)"), ("ground_truth", "SageMaker Ground Truth"))),
)

MLOPS_FIELDS: tuple[FieldSpec, ...] = (
    NAME,
    FieldSpec("kind", Kind.NAME, "Kind", "What is bought (cluster control plane, load balancer, log GB, CI "
              "minutes...); sets the catalog unit price.", names=NameList.MLOPS_KIND, required=True,
              example="a kind such as k8s_control_plane"),
    FieldSpec("quantity", Kind.AMOUNT, "Quantity (units/month)", "Units of that kind every month, in the catalog's "
              "unit. Cost = quantity x unit price.", unit=U.UNITS_PER_MONTH,
              limits=Limits(maximum=1e12),  # a trillion units (GB of logs, CI minutes) a month is a typo
              default=1.0, rangeable=True),
    FieldSpec("unit_price", Kind.AMOUNT, "Unit price ({cur}/unit)", "Price per unit, in the plan's currency; empty "
              "uses the catalog's price for the kind.", unit=U.MONEY_PER_UNIT, limits=Limits(maximum=MAX_MONEY),
              none_means="catalog price", rangeable=True),
    start("Plan month it starts."),
    end(),
    dataclasses.replace(PROVIDER, help="Cloud whose prices apply; the plan's provider unless set here."),
)

PEOPLE_FIELDS: tuple[FieldSpec, ...] = (
    NAME,
    FieldSpec("hours_per_month", Kind.AMOUNT, "Hours per month", "Hours people spend each month keeping the "
              "infrastructure running (toil). Cost = hours x rate. Or leave empty and give headcount, FTE and "
              "annual cost.", unit=U.HOURS_PER_MONTH_UNIT,
              # the hours of a whole team: 100,000 is about 600 people full time (166 h a month)
              limits=Limits(maximum=100_000), rangeable=True, none_means="budgeted as headcount x FTE x annual cost",
              typical=Typical(1, 2_000, "a few hours to a dozen people full time")),
    FieldSpec("hourly_rate", Kind.AMOUNT, "Hourly rate ({cur}/h)", "Loaded cost of an hour of their time, in the "
              "plan's currency (with hours per month).", unit=U.MONEY_PER_HOUR, limits=Limits(maximum=MAX_MONEY),
              rangeable=True, none_means="budgeted as headcount x FTE x annual cost",
              typical=Typical(10, 400, "offshore to senior US engineers, loaded", usd=True)),
    FieldSpec("headcount", Kind.INTEGER, "Headcount", "People on the line when it is budgeted as headcount x FTE x "
              "annual cost (e.g. 2 MLOps engineers).", unit=U.PEOPLE,
              limits=Limits(minimum=1, maximum=MAX_PEOPLE), rangeable=True, none_means="one person",
              typical=Typical(1, 50, "one engineer to a platform team")),
    FieldSpec("fte", Kind.SHARE, "FTE share", "Share of each person's working time the line takes (50% = half "
              "their time). Cost = headcount x FTE x annual cost / 12 a month.", unit=U.SHARE,
              limits=Limits(allow_zero=False), rangeable=True, none_means="full time",
              typical=Typical(0.05, 1.0, "a few hours a week to full time")),
    FieldSpec("annual_cost", Kind.AMOUNT, "Annual cost ({cur}/year)", "Loaded annual cost of one full-time person "
              "(salary, benefits, payroll taxes, overhead), in the plan's currency, e.g. 220k.", unit=U.MONEY_PER_YEAR,
              limits=Limits(allow_zero=False, maximum=MAX_MONEY), rangeable=True, none_means="hours x rate given",
              # 2,080 h a year x the hourly rates above
              typical=Typical(20_000, 800_000, "offshore to senior US engineers, loaded (2,080 h x 10-400 USD)",
                              usd=True),
              example="an amount a year such as 220k"),
    start("Plan month it starts."),
    end(),
)

COMMITMENT_FIELDS: tuple[FieldSpec, ...] = (
    NAME,
    FieldSpec("offer", Kind.NAME, "Offer", "The provider's offer bought: a reserved instance, savings plan, committed "
              "use discount or reserved contract, with its term and payment option (the catalog's commitments.yaml, "
              "each with its source). Its discount off on demand sets the charge.", names=NameList.OFFER,
              required=True, example="an offer key such as aws.g6.xlarge.ri_standard.3y.all_upfront"),
    FieldSpec("gpus", Kind.INTEGER, "GPUs committed", "GPUs paid for every hour of the term, used or not (in the "
              "offer's steps: its GPUs per instance). Usage up to them is no longer billed on demand.", unit=U.GPUS,
              limits=Limits(minimum=1, maximum=MAX_GPUS), required=True,
              typical=Typical(1, 16_384, "one GPU to the largest published training cluster"),
              example="a whole number such as 8"),
    dataclasses.replace(GPU, help="The GPU whose on-demand usage it covers; empty: the offer's (a spend commitment "
                                  "across GPU families needs it).", required=False, none_means="the offer's GPU"),
    dataclasses.replace(PROVIDER, help="The cloud it is bought from; empty: the offer's.",
                        none_means="the offer's provider"),
    start("Plan month the term starts; an upfront payment falls in this month (cash view)."),
    FieldSpec("upfront_share", Kind.SHARE, "Paid upfront", "Share of the term's total paid at purchase, for a "
              "partial-upfront offer whose source does not split it; the rest is billed monthly. Empty: the "
              "offer's (no upfront 0%, all upfront 100%).", unit=U.SHARE, none_means="the offer's",
              example="a share such as 50%"),
)

SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("compute.training", "Training", "training run", P.TrainingRun, TRAINING_FIELDS,
                "Training runs rent GPUs for a number of hours, once or every few months. Give the hours, or derive "
                "them from the model size and training tokens."),
    SectionSpec("compute.fine_tuning", "Fine-tuning", "fine-tuning run", P.TrainingRun, TRAINING_FIELDS,
                "Fine-tuning runs: the same as training runs, listed apart."),
    SectionSpec("compute.inference", "Inference", "inference service", P.InferenceService, INFERENCE_FIELDS,
                "Self-hosted serving: always-on GPUs in whole replicas and instances, enough for each month's requests "
                "at the utilization and busy hour given. Sized from the model and the GPU (prefill, decode, memory: "
                "docs/serving-model.md), or from a measured throughput when the line gives one; never fewer than the "
                "minimum."),
    SectionSpec("compute.exploration", "Exploration", "notebook pool", P.ExplorationPool, EXPLORATION_FIELDS,
                "Notebooks and dev instances, billed for every hour they run, idle or not."),
    SectionSpec("data.storage", "Storage", "storage line", P.StorageLine, STORAGE_FIELDS,
                "Stored data, billed per GB-month on the volume held each month (it grows); lifecycle rules move old "
                "data to colder tiers."),
    SectionSpec("data.egress", "Egress", "egress line", P.EgressLine, EGRESS_FIELDS,
                "Data moved out of a region or zone, billed per GB."),
    SectionSpec("services.platform", "Managed platform", "managed platform", P.Platform, PLATFORM_FIELDS,
                "A managed ML platform whose markup applies to the compute it runs (one, optional)."),
    SectionSpec("services.apis", "Model APIs", "API line", P.ApiLine, API_FIELDS,
                "Calls to third-party model APIs, priced per input, cached-input and output token."),
    SectionSpec("annotation", "Annotation", "annotation batch", P.AnnotationBatch, ANNOTATION_FIELDS,
                "Human labelling, priced per item and pass."),
    SectionSpec("mlops", "MLOps", "MLOps line", P.MlopsLine, MLOPS_FIELDS,
                "Recurring infrastructure: clusters, load balancers, logs, CI minutes."),
    SectionSpec("people", "People", "people line", P.PeopleLine, PEOPLE_FIELDS,
                "Time people spend keeping the infrastructure running (indirect cost)."),
    SectionSpec("commitments", "Commitments", "commitment", P.CommitmentLine, COMMITMENT_FIELDS,
                "Reserved instances, savings plans and committed use discounts bought for the compute lines' "
                "GPUs: each costs its term's charge, used or not, and takes the usage it covers off the on-demand "
                "bill. Shown amortised over the term, or as cash in the month paid (View menu)."),
)
"""Every section with fields except the plan's settings, in the plan file's order."""

__all__ = ["SETTINGS", "SECTIONS", "MAX_MONTHS", "MIN_YEAR", "MAX_YEAR", "COMPUTE_SECTION_CHOICES", "STORAGE_KINDS",
           "Choice"]

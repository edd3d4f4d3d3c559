"""One block of the Monthly sheet per plan section, each mirroring its driver in pricing/drivers/ as formulas."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pricing.engine import HOURS_PER_MONTH, LineItem
from pricing.plan import EgressKind, ThroughputBasis

from pricing.export_xlsx.book import _Book, _Row

# ---------------------------------------------------------------------------------------------
# One block per section: each mirrors its driver in pricing/drivers/
# ---------------------------------------------------------------------------------------------


def _active(prefix: str, start: int, end: int | None) -> str:
    """Excel condition: the month is within the line's start..end (start/end are named inputs)."""
    if end is None:
        return f"{{M}}>={prefix}_start"
    return f"AND({{M}}>={prefix}_start,{{M}}<={prefix}_end)"


def _start_end(b: _Book, prefix: str, name: str, line: Any) -> None:
    b.input(f"{prefix}_start", name, "first plan month", line.start, "plan month", source="given in the plan")
    if line.end is not None:
        b.input(f"{prefix}_end", name, "last plan month", line.end, "plan month", source="given in the plan")


def _given(b: _Book, prefix: str, name: str, field_: str, value: float, unit: str, label: str | None = None) -> str:
    """A value written on the plan line; a field with a range says so (the workbook holds its likely value)."""
    rng = dict(getattr(b.line, "ranges", ())).get(field_)
    note = f"range {rng.low:g} .. {rng.high:g}: the workbook holds the likely value" if rng is not None else ""
    return b.input(f"{prefix}_{field_}", name, label or field_.replace("_", " "), value, unit,
                   source="given in the plan", note=note)


def _gpu_price(b: _Book, li: LineItem, catalog: Any, line: Any, provider: str, gpus_per_instance: int = 1) -> str:
    """The named price per GPU-hour of the instance shape holding ``gpus_per_instance`` GPUs (drivers/compute)."""
    gpu = catalog.resolve_gpu(line.gpu)
    inst = catalog.gpu_instance(gpu, provider, line.pricing.value, gpus=gpus_per_instance)
    label = f"{gpu} {line.pricing.value} at {provider}" + (f", {inst.instance}" if inst.instance else "")
    return b.price(inst.price.source, inst.price.value, inst.price.unit, li.name, label)


def _billed(b: _Book, prefix: str, name: str, given: str, line: Any, ctx: Any, gpus: int) -> str:
    """GPUs billed for ``gpus`` GPUs in the provider's instance shapes: the given input, or (when whole instances
    hold more) the engine's count, marked computed."""
    inst = ctx.catalog.gpu_instance(ctx.catalog.resolve_gpu(line.gpu), ctx.provider(line), line.pricing.value,
                                    gpus=gpus)
    if inst.billed_gpus == gpus:
        return given
    b.computed_notes.append((name, f"GPUs billed in whole instances: {inst.note}"))
    return b.input(f"{prefix}_gpus_billed", name, "GPUs billed (whole instances)", inst.billed_gpus, "GPUs",
                   computed=True, note=inst.note)


def _training(b: _Book, li: LineItem, line: Any, prefix: str, ctx: Any) -> _Row:
    from pricing.drivers.compute import goodput_of, run_hours
    name = li.name
    gpus = _given(b, prefix, name, "gpus", line.gpus, "GPUs")
    if line.hours is not None:
        hours = _given(b, prefix, name, "hours", line.hours, "hours per run", "wall-clock hours per run")
    else:
        spec = ctx.catalog.gpu_spec(ctx.catalog.resolve_gpu(line.gpu))
        if line.active_params is not None:  # mixture-of-experts: compute follows the active parameters
            params = _given(b, prefix, name, "active_params", line.active_params, "parameters",
                            "active parameters per token")
        else:
            params = _given(b, prefix, name, "params", line.params, "parameters")
        tokens = _given(b, prefix, name, "tokens", line.tokens, "tokens per run")
        mfu = _given(b, prefix, name, "mfu", line.mfu, "fraction", "model FLOPs utilisation")
        key = f"peak:{spec.key}"
        if key not in b.names:
            b.names[key] = b.input(f"px_gpu_{spec.key}_peak_tflops", name, f"{spec.key} dense peak", spec.peak_tflops,
                                   "TFLOP/s", source=spec.source.source, as_of=spec.source.as_of,
                                   confidence=spec.source.confidence, note=spec.peak_note)
        peak = b.names[key]
        # 6 x params x tokens / (gpus x peak x MFU), seconds -> hours (drivers/compute.run_hours)
        hours = f"(6*{params}*{tokens}/({gpus}*{peak}*1000000000000*{mfu})/3600)"
    runs = _given(b, prefix, name, "runs", line.runs, "runs", "runs each time it runs")
    month = _given(b, prefix, name, "month", line.month, "plan month", "first month it runs")
    overhead = _given(b, prefix, name, "interruption_overhead", line.interruption_overhead, "fraction",
                      "extra hours for interruptions")
    if line.every:
        every = _given(b, prefix, name, "every", line.every, "months", "repeats every")
        when = f"IF(AND({{M}}>={month},MOD({{M}}-{month},{every})=0),{runs},0)"
    else:
        when = f"IF({{M}}={month},{runs},0)"
    price = _gpu_price(b, li, ctx.catalog, line, ctx.provider(line), int(line.gpus))
    billed = _billed(b, prefix, name, gpus, line, ctx, int(line.gpus))
    goodput, gnote = goodput_of(line, line.hours is None)
    if line.goodput is not None:
        good = _given(b, prefix, name, "goodput", line.goodput, "fraction", "goodput (share of wall-clock time)")
    elif goodput != 1.0:
        good = b.input(f"{prefix}_goodput", name, "goodput (automatic)", goodput, "fraction", computed=True,
                       note=gnote)
        b.computed_notes.append((name, gnote))
    else:
        good = "1"
    runs_row = b.row(name, "runs", "runs", when, li.quantity("runs"), total=True)
    wall = run_hours(line, ctx)[0] * (1.0 + line.interruption_overhead) / goodput
    if wall > HOURS_PER_MONTH:  # spread over the months its wall-clock time covers (drivers/compute.spread)
        b.computed_notes.append((name, f"a run lasts {wall:,.0f} hours of wall-clock time: its GPU-hours fall in each "
                                       f"month it covers ({HOURS_PER_MONTH:g} hours a month), as the engine spreads "
                                       "them"))
        gh = b.row(name, "GPU-hours", "GPU-hours", "", li.quantity("GPU-hours"), computed=True)
    else:
        gh = b.row(name, "GPU-hours", "GPU-hours", f"{b.ref(runs_row)}*{hours}*(1+{overhead})/{good}*{billed}",
                   li.quantity("GPU-hours"))
    b.quantity_rows[(li.key_path, "GPU-hours")] = gh
    return b.row(name, "cost", b.plan.currency, f"{b.ref(gh)}*{price}*fx_rate", li.monthly, fmt="money",
                 detail=False)


def _inference(b: _Book, li: LineItem, line: Any, prefix: str, ctx: Any) -> _Row:
    from pricing.drivers import serving_line
    name = li.name
    rpm = _given(b, prefix, name, "requests_per_month", line.requests_per_month, "requests/month",
                 "requests in the first month")
    growth = _given(b, prefix, name, "growth", line.growth, "fraction per month", "monthly growth")
    _start_end(b, prefix, name, line)
    active = _active(prefix, line.start, line.end)
    sized = serving_line.size_line(line, li.key_path, ctx)
    tp = int(sized.tensor_parallel)
    price = _gpu_price(b, li, ctx.catalog, line, ctx.provider(line), line.instance_gpus or tp)
    req = b.row(name, "requests", "requests", f"IF({active},{rpm}*(1+{growth})^({{M}}-{prefix}_start),0)",
                li.quantity("requests"))
    pta = line.peak_to_average if line.peak_to_average is not None else \
        serving_line.model_data(ctx.catalog)[1].peak_to_average
    # The spreadsheet follows a measured throughput on one-GPU replicas, one per instance, provisioned for the
    # average hour; the serving model (prefill, decode, memory), replicas of several GPUs, instances holding several
    # replicas and a busy-hour factor are the engine's: its GPUs are written, and the cost around them stays live.
    if sized.measured and tp == 1 and sized.instance.gpus_per_instance == 1 and pta == 1.0 \
            and line.min_replicas is None:
        if line.throughput_basis is ThroughputBasis.OUTPUT:
            per = _given(b, prefix, name, "output_tokens", line.output_tokens, "tokens/request")
            _given(b, prefix, name, "input_tokens", line.input_tokens, "tokens/request",
                   "input tokens (not counted: throughput is of output tokens)")
            per_request = per
        else:
            i = _given(b, prefix, name, "input_tokens", line.input_tokens, "tokens/request")
            o = _given(b, prefix, name, "output_tokens", line.output_tokens, "tokens/request")
            per_request = f"({i}+{o})"
        if line.tokens_per_second_per_gpu is not None:
            tps = _given(b, prefix, name, "tokens_per_second_per_gpu", line.tokens_per_second_per_gpu,
                         "tokens/s per GPU", f"throughput per GPU ({line.throughput_basis.value} tokens)")
        else:
            tps = b.input(f"{prefix}_tokens_per_second_per_gpu", name, "throughput per GPU (assumed)",
                          serving_line.DEFAULT_THROUGHPUT, "tokens/s per GPU", computed=True,
                          note="no model described and no measured throughput")
        util = _given(b, prefix, name, "utilization", line.utilization, "fraction")
        min_gpus = _given(b, prefix, name, "min_gpus", line.min_gpus, "GPUs")
        tok = b.row(name, "tokens counted against throughput", "tokens", f"{b.ref(req)}*{per_request}",
                    li.quantity("tokens"))
        # GPUs: ceil(tokens / capacity - 1e-9), at least min_gpus, at most max_gpus (drivers/serving_line.size_line)
        need = f"MAX(-INT(-({b.ref(tok)}/({tps}*3600*hours_per_month*{util})-1E-9)),{min_gpus})"
        if line.max_gpus is not None:
            cap = _given(b, prefix, name, "max_gpus", line.max_gpus, "GPUs")
            need = f"MIN({need},{cap})"
        gpus = b.row(name, "GPUs", "GPUs", f"IF({active},{need},0)", li.quantity("GPUs"), fmt="int", total=False)
    else:
        how = sized.notes[0] if not sized.measured else "a measured throughput on replicas of several GPUs"
        b.computed_notes.append((name, f"GPUs each month are the engine's (serving sized from {how})"))
        gpus = b.row(name, "GPUs", "GPUs", "", li.quantity("GPUs"), fmt="int", total=False, computed=True)
    gh = b.row(name, "GPU-hours", "GPU-hours", f"{b.ref(gpus)}*hours_per_month", li.quantity("GPU-hours"))
    b.quantity_rows[(li.key_path, "GPU-hours")] = gh
    return b.row(name, "cost", b.plan.currency, f"{b.ref(gh)}*{price}*fx_rate", li.monthly, fmt="money",
                 detail=False)


def _exploration(b: _Book, li: LineItem, line: Any, prefix: str, ctx: Any) -> _Row:
    name = li.name
    people = _given(b, prefix, name, "people", line.people, "people")
    hpw = _given(b, prefix, name, "hours_per_week", line.hours_per_week, "hours/week per person")
    gpi = _given(b, prefix, name, "gpus_per_instance", line.gpus_per_instance, "GPUs")
    overhead = _given(b, prefix, name, "interruption_overhead", line.interruption_overhead, "fraction")
    _given(b, prefix, name, "idle_share", line.idle_share, "fraction", "idle share (what auto-shutdown can cut)")
    _start_end(b, prefix, name, line)
    price = _gpu_price(b, li, ctx.catalog, line, ctx.provider(line), int(line.gpus_per_instance))
    gpi = _billed(b, prefix, name, gpi, line, ctx, int(line.gpus_per_instance))
    gh = b.row(name, "GPU-hours", "GPU-hours",
               f"IF({_active(prefix, line.start, line.end)},{people}*{hpw}*weeks_per_month*{gpi}*(1+{overhead}),0)",
               li.quantity("GPU-hours"))
    b.quantity_rows[(li.key_path, "GPU-hours")] = gh
    return b.row(name, "cost", b.plan.currency, f"{b.ref(gh)}*{price}*fx_rate", li.monthly, fmt="money",
                 detail=False)


def _storage(b: _Book, li: LineItem, line: Any, prefix: str, ctx: Any) -> _Row:
    from pricing.drivers.data import _profiles
    name = li.name
    size = _given(b, prefix, name, "size_tb", line.size_tb, "TB", "volume at the start")
    growth = _given(b, prefix, name, "growth_tb_per_month", line.growth_tb_per_month, "TB/month")
    comp = _given(b, prefix, name, "compression", line.compression, "fraction", "bytes saved by compression")
    initial, grow = _profiles(line.start, tuple(r.after_days for r in line.lifecycle), ctx.n)
    names = [line.tier] + [r.tier for r in line.lifecycle]
    by_tier: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for i, t in enumerate(names):
        a, g = by_tier.get(t, (np.zeros(ctx.n), np.zeros(ctx.n)))
        by_tier[t] = (a + initial[i], g + grow[i])
    provider = ctx.provider(line)
    per_tb = _billed_gb_per_tb(b, ctx, provider, name)
    costs = []
    for tier, (a, g) in by_tier.items():
        pa = b.row(name, f"{tier}: share of the initial volume held", "fraction", "", a, computed=True, total=False)
        pg = b.row(name, f"{tier}: TB held per TB/month of growth", "TB per TB/month", "", g, computed=True,
                   total=False)
        gb = b.row(name, f"GB-months {tier}", "GB-months",
                   f"({size}*{b.ref(pa)}+{growth}*{b.ref(pg)})*{per_tb}*(1-{comp})", li.quantity(f"GB-months {tier}"))
        price = ctx.catalog.storage_price(provider, tier)
        costs.append(b.tiered(price, name, f"{provider} {tier} storage")(b.ref(gb)))
    b.computed_notes.append((name, "storage age profiles (the share of each month's data held in each tier, "
                             f"from the line's start month {line.start} and its lifecycle rules) are "
                             "computed; sizes, growth, compression and prices stay live"))
    if _shares_account(b, li):
        return _account_cost(b, li)
    return b.row(name, "cost", b.plan.currency, "(" + "+".join(costs) + ")*fx_rate", li.monthly, fmt="money",
                 detail=False)


def _billed_gb_per_tb(b: _Book, ctx: Any, provider: str, line: str) -> str:
    """The formula of billed GB per decimal TB at a provider: 10^12 bytes / the bytes of its billed GB."""
    unit = ctx.catalog.gb_bytes(provider)
    name = b.price(unit.source, unit.value, unit.unit, line, f"bytes in a billed GB at {provider}")
    return f"(1000000000000/{name})"


def _shares_account(b: _Book, li: LineItem) -> bool:
    """True when the line bills under account-wide tiers together with other lines of the plan: its cost is its
    share of the group's (engine.with_account_tiers), which the workbook shows computed."""
    keys = {u.key for u in li.account}
    return any(other is not li and keys & {u.key for u in other.account} for other in b.items)


def _account_cost(b: _Book, li: LineItem) -> _Row:
    keys = ", ".join(sorted({u.key for u in li.account}))
    b.computed_notes.append((li.name, f"the cost is this line's share of {keys}, whose volume tiers and free "
                             "allowance apply to the plan's lines of that provider and kind together (allocated in "
                             "proportion to each line's volume each month): computed; volumes stay live"))
    return b.row(li.name, "cost", b.plan.currency, "", li.monthly, fmt="money", detail=False, computed=True)


def _egress(b: _Book, li: LineItem, line: Any, prefix: str, ctx: Any) -> _Row:
    name = li.name
    tb = _given(b, prefix, name, "tb_per_month", line.tb_per_month, "TB/month")
    growth = _given(b, prefix, name, "growth", line.growth, "fraction per month", "monthly growth")
    _start_end(b, prefix, name, line)
    provider = ctx.provider(line)
    price = ctx.catalog.egress_price(provider, line.kind.value)
    # inter-AZ transfer is billed in each direction (drivers/data.egress)
    both = "*2" if line.kind is EgressKind.INTER_AZ else ""
    per_tb = _billed_gb_per_tb(b, ctx, provider, name)
    gb = b.row(name, "GB (billed in each direction: cost x2)" if both else "GB", "GB",
               f"IF({_active(prefix, line.start, line.end)},{tb}*{per_tb}*(1+{growth})^({{M}}-{prefix}_start),0)",
               li.quantity("GB"))
    if _shares_account(b, li):
        return _account_cost(b, li)
    cost = b.tiered(price, name, f"{provider} {line.kind.value} transfer")(b.ref(gb))
    return b.row(name, "cost", b.plan.currency, f"{cost}{both}*fx_rate", li.monthly, fmt="money", detail=False)


def _api(b: _Book, li: LineItem, line: Any, prefix: str, ctx: Any) -> _Row:
    from pricing import apiprices
    from pricing.drivers.services import api_pricing
    name = li.name
    rpm = _given(b, prefix, name, "requests_per_month", line.requests_per_month, "requests/month",
                 "requests in the first month")
    growth = _given(b, prefix, name, "growth", line.growth, "fraction per month", "monthly growth")
    hit = _given(b, prefix, name, "response_cache_hit_rate", line.response_cache_hit_rate, "fraction",
                 "answered from our own response cache")
    _start_end(b, prefix, name, line)
    pricing = api_pricing(line, ctx)
    model = pricing.model
    per_request = pricing.per_request[0]
    src = model.source
    if not pricing.simple and not model.tiered:
        # dated price changes, batch/tier/off-peak mixes, cache writes or a caching rule that changes the cached
        # share (drivers/services.api_pricing): the engine's USD per request each month, computed
        per = b.row(name, "USD per request", "USD per request", "", pricing.per_request, computed=True, total=False)
        b.computed_notes.append((name, "USD per request is computed each month (" + "; ".join(pricing.notes or (
            "prices in force each month, batch, service tier or off-peak shares",)) + "); requests, growth and "
            "cache hit rate stay live"))
        per_expr = b.ref(per)
    elif model.tiered:
        per = b.input(f"{prefix}_usd_per_request", name, "USD per request (long-context tiered prices)", per_request,
                      "USD per request", computed=True, note=f"{model.provider}/{model.model} has long-context price "
                      f"cliffs; {line.input_tokens:g} input + {line.output_tokens:g} output tokens, "
                      f"{line.cached_input_share:.0%} cached; source {src.source}")
        b.computed_notes.append((name, "USD per request of a model with tiered (long-context) prices is computed; "
                                 "requests, growth and cache hit rate stay live"))
        per_expr = per
    else:
        i = _given(b, prefix, name, "input_tokens", line.input_tokens, "tokens/request")
        o = _given(b, prefix, name, "output_tokens", line.output_tokens, "tokens/request")
        cs = _given(b, prefix, name, "cached_input_share", line.cached_input_share, "fraction",
                    "share of input billed as cached")
        # the engine's linear form of request_cost (drivers/services.api_request_cost)
        fee = apiprices.request_cost(model, 0.0, 0.0, 0.0)
        r_in = (apiprices.request_cost(model, 1e6, 0.0, 0.0) - fee)
        r_c = (apiprices.request_cost(model, 1e6, 0.0, 1e6) - fee)
        r_out = (apiprices.request_cost(model, 0.0, 1e6, 0.0) - fee)
        label = f"{model.provider}/{model.model}"
        mk = lambda part, v, what: b.price(  # noqa: E731
            _Src(f"api.{model.provider}.{model.model}.{part}", src), v, "USD per million tokens", name,
            f"{label} {what}")
        pin = mk("input", r_in, "input price")
        pc = mk("cached_input", r_c, "cached input price" + ("" if model.cached_input_per_mtok is not None
                                                             else " (no cache price: billed as input)"))
        pout = mk("output", r_out, "output price")
        fee_term = ""
        if fee:
            fee_name = b.price(_Src(f"api.{model.provider}.{model.model}.request_fee", src), fee, "USD per request",
                               name, f"{label} fee per request")
            fee_term = f"{fee_name}+"
        per_expr = f"({fee_term}({i}*(1-{cs})*{pin}+{i}*{cs}*{pc}+{o}*{pout})/1000000)"
    req = b.row(name, "requests", "requests", f"IF({_active(prefix, line.start, line.end)},{rpm}*(1+{growth})^("
                f"{{M}}-{prefix}_start),0)", li.quantity("requests"))
    sent = b.row(name, "API requests (after the response cache)", "requests", f"{b.ref(req)}*(1-{hit})",
                 li.quantity("API requests"))
    return b.row(name, "cost", b.plan.currency, f"{b.ref(sent)}*{per_expr}*fx_rate", li.monthly, fmt="money",
                 detail=False)


@dataclass(frozen=True, slots=True)
class _Src:
    """A derived key (one part of an API price) with the model's source."""

    key: str
    base: Any

    @property
    def source(self) -> str:
        return self.base.source

    @property
    def as_of(self) -> str:
        return self.base.as_of

    @property
    def confidence(self) -> str:
        return self.base.confidence

    @property
    def notes(self) -> str:
        return self.base.notes

    @property
    def overridden(self) -> bool:
        return False


def _annotation(b: _Book, li: LineItem, line: Any, prefix: str, ctx: Any) -> _Row:
    name = li.name
    items = _given(b, prefix, name, "items", line.items, "items", "items in the batch")
    passes = _given(b, prefix, name, "review_passes", line.review_passes, "passes per item")
    month = _given(b, prefix, name, "month", line.month, "plan month", "first month")
    over = _given(b, prefix, name, "over_months", line.over_months, "months", "spread over")
    if line.price_per_item is not None:
        price = _given(b, prefix, name, "price_per_item", line.price_per_item, f"{b.plan.currency} per item per pass")
        fx = ""  # a price given on the line is in the plan's currency (drivers/annotation.batch)
    else:
        p = ctx.catalog.annotation_price(line.task)
        price = b.price(p.source, p.value, p.unit, name, f"{line.task} labelling rate")
        fx = "*fx_rate"
    if line.every:
        every = _given(b, prefix, name, "every", line.every, "months", "repeats every")
        # batches started in months month, month+every, ... each spread over `over` months: count those
        # running in month M (drivers/annotation._schedule)
        share = (f"IF({{M}}>={month},MAX(0,INT(({{M}}-{month})/{every})-MAX(0,-INT(-({{M}}-{month}-{over}+1)/{every}))"
                 f"+1),0)/{over}")
    else:
        share = f"IF(AND({{M}}>={month},{{M}}<{month}+{over}),1/{over},0)"
    sh = b.row(name, "share of the batch labelled", "fraction", share, li.quantity("items") / line.items
               if line.items else np.zeros(ctx.n), total=False)
    it = b.row(name, "items", "items", f"{items}*{b.ref(sh)}", li.quantity("items"))
    workers = _given(b, prefix, name, "workers_per_item", line.workers_per_item, "workers per item")
    lab = b.row(name, "labels (items x passes x workers)", "labels", f"{b.ref(it)}*{passes}*{workers}",
                li.quantity("labels"))
    fee_term = ""
    if line.service != "none":  # the service's fee on each object of each pass (drivers/annotation.batch)
        f = ctx.catalog.annotation_fee(line.service)
        fee = b.price(f.source, f.value, f.unit, name, f"{line.service} fee per object")
        fee_term = f"+{b.ref(it)}*{passes}*{fee}*fx_rate"
    return b.row(name, "cost", b.plan.currency, f"{b.ref(lab)}*{price}{fx}{fee_term}", li.monthly, fmt="money",
                 detail=False)


def _mlops(b: _Book, li: LineItem, line: Any, prefix: str, ctx: Any) -> _Row:
    name = li.name
    unit, qty_arr = li.quantities[0]
    qty = _given(b, prefix, name, "quantity", line.quantity, unit)
    _start_end(b, prefix, name, line)
    if line.unit_price is not None:
        price = _given(b, prefix, name, "unit_price", line.unit_price, f"{b.plan.currency} per unit")
        fx = ""
    else:
        p = ctx.catalog.mlops_price(ctx.provider(line), line.kind)
        q = b.row(name, unit, unit, f"IF({_active(prefix, line.start, line.end)},{qty},0)", qty_arr)
        if _shares_account(b, li):
            return _account_cost(b, li)
        cost = b.tiered(p, name, f"{line.kind} rate")(b.ref(q))  # tiers: a free allowance (GCP's 50 GiB of logs)
        return b.row(name, "cost", b.plan.currency, f"({cost})*fx_rate", li.monthly, fmt="money", detail=False)
    q = b.row(name, unit, unit, f"IF({_active(prefix, line.start, line.end)},{qty},0)", qty_arr)
    return b.row(name, "cost", b.plan.currency, f"{b.ref(q)}*{price}{fx}", li.monthly, fmt="money", detail=False)


def _people(b: _Book, li: LineItem, line: Any, prefix: str, ctx: Any) -> _Row:
    name = li.name
    if line.annual_cost is not None:  # headcount x FTE x loaded annual cost / 12 (drivers/people.line)
        heads = _given(b, prefix, name, "headcount", 1 if line.headcount is None else line.headcount, "people")
        fte = _given(b, prefix, name, "fte", 1.0 if line.fte is None else line.fte, "fraction",
                     "share of each person's time")
        annual = _given(b, prefix, name, "annual_cost", line.annual_cost, f"{b.plan.currency} per year",
                        "loaded annual cost of one full-time person")
        _start_end(b, prefix, name, line)
        f = b.row(name, "FTEs", "FTEs", f"IF({_active(prefix, line.start, line.end)},{heads}*{fte},0)",
                  li.quantity("FTEs"))
        return b.row(name, "cost", b.plan.currency, f"{b.ref(f)}*{annual}/12", li.monthly, fmt="money", detail=False)
    hours = _given(b, prefix, name, "hours_per_month", line.hours_per_month, "hours/month")
    rate = _given(b, prefix, name, "hourly_rate", line.hourly_rate, f"{b.plan.currency} per hour")
    _start_end(b, prefix, name, line)
    h = b.row(name, "person-hours", "hours", f"IF({_active(prefix, line.start, line.end)},{hours},0)",
              li.quantity("person-hours"))
    return b.row(name, "cost", b.plan.currency, f"{b.ref(h)}*{rate}", li.monthly, fmt="money", detail=False)


_BLOCKS = {
    "compute.training": _training, "compute.fine_tuning": _training, "compute.inference": _inference,
    "compute.exploration": _exploration, "data.storage": _storage, "data.egress": _egress, "services.apis": _api,
    "annotation": _annotation, "mlops": _mlops, "people": _people,
}



"""Excel workbook of a plan whose monthly cells are live formulas over named inputs (XlsxWriter, no Qt).

Sheets: Inputs (every quantity and price with unit, source and date, each a defined name), Monthly
(each line's arithmetic re-expressed as formulas over those names, month by month, with category
and grand totals), Summary (category x fiscal year), Scenarios (side by side), Drivers, Notes.

The formulas mirror the drivers in ``pricing/drivers/`` line for line; ``tests/pricing/
test_export_xlsx.py`` recalculates the workbook with an independent engine (the ``formulas``
package) and checks every month and the horizon against ``engine.project`` to the cent. Where the
engine uses something a spreadsheet cannot reasonably follow (storage ages moving data between
tiers, long-context API price cliffs) the engine's own figure is written as an input marked
"computed by AI Cost Planner" and the price arithmetic around it stays live; the Notes sheet lists
each such place. Each formula cell also carries the engine's value as its cached result, so a
viewer that does not recalculate still shows the right numbers.
"""
from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from pricing.engine import GB_PER_TB, HOURS_PER_MONTH, LineItem, Projection
from pricing import atomic
from pricing.plan import SECTIONS, Category, EgressKind, Plan, ThroughputBasis

COMPUTED = "computed by AI Cost Planner"
"""How a figure the workbook cannot recompute itself is marked (Inputs, Monthly and Notes)."""

FIRST_MONTH_COL = 4
"""Column of the first month on the Monthly sheet (A line, B row, C unit, D horizon)."""
HEADER_ROWS = 4
"""Title, month labels, plan month numbers, fiscal years."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SECTION_PREFIX = {
    "compute.training": "trn", "compute.fine_tuning": "ft", "compute.inference": "inf",
    "compute.exploration": "expl", "data.storage": "sto", "data.egress": "egr", "services.apis": "api",
    "annotation": "ann", "mlops": "ops", "people": "ppl",
}
_SECTION_TITLE = {
    "compute.training": "Compute · training", "compute.fine_tuning": "Compute · fine-tuning",
    "compute.inference": "Compute · inference", "compute.exploration": "Compute · exploration",
    "data.storage": "Data · storage", "data.egress": "Data · egress", "services.apis": "Services · APIs",
    "annotation": "Annotation", "mlops": "MLOps", "people": "People",
}
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "CAD": "CA$", "AUD": "A$", "CHF": "CHF "}


def formula_like(text: str) -> bool:
    """Whether text a spreadsheet would take for a formula if it were typed in (= + - @ first)."""
    return text.startswith(_FORMULA_START)


def fiscal_year(year: int, month: int, first_month: int) -> int:
    """The fiscal year a calendar month falls in, named by the calendar year in which it ends.

    ``first_month`` 1 is the calendar year; 4 (April) puts 2027-03 in FY2027 and 2027-04 in FY2028.
    """
    if first_month == 1:
        return year
    return year + 1 if month >= first_month else year


def _col(c: int) -> str:
    name = ""
    c += 1
    while c:
        c, r = divmod(c - 1, 26)
        name = chr(65 + r) + name
    return name


def _name(text: str) -> str:
    """A valid Excel defined name from ours (letters, digits, underscores; never a cell reference)."""
    out = re.sub(r"[^A-Za-z0-9_]", "_", text)
    if not re.match(r"[A-Za-z_]", out):
        out = "_" + out
    return out[:250]


@dataclass(frozen=True, slots=True)
class Exported:
    """What the Excel export wrote, and what it left out."""

    path: Path
    computed_inputs: tuple[str, ...]
    """Inputs written as the engine's figure (not recomputed by the workbook), by defined name."""
    skipped: tuple[str, ...] = ()
    """Scenarios that could not be evaluated, each with the reason."""


@dataclass(slots=True)
class _Row:
    """A Monthly row written: its index (0-based) and the engine's values cached in its cells."""

    row: int
    cached: np.ndarray


@dataclass(slots=True)
class _Book:
    """The workbook being written: formats, the Inputs sheet and the Monthly sheet's next free row."""

    wb: Any
    plan: Plan
    n: int
    money_fmt: str
    inputs: Any = None
    monthly: Any = None
    next_input: int = 1
    next_row: int = HEADER_ROWS
    names: dict[str, str] = field(default_factory=dict)
    """Catalog key or label -> defined name, so a price used by several lines is one input."""
    used: set[str] = field(default_factory=lambda: {"monthly_total", "horizon_total"})
    """Defined names taken (lower case: Excel compares names without case)."""
    computed: list[str] = field(default_factory=list)
    computed_notes: list[tuple[str, str]] = field(default_factory=list)
    f: dict[str, Any] = field(default_factory=dict)
    tiers: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)
    """Catalog key of a tiered price -> its (rate name, cumulative bound name) per tier."""
    quantity_rows: dict[tuple[str, str], "_Row"] = field(default_factory=dict)
    """(line key path, quantity) -> its Monthly row, for rows that sum other lines' quantities."""
    view_cash: bool = False
    line: Any = None
    """The plan line being written (its ranges annotate its inputs)."""

    # -- formats --------------------------------------------------------------------------------
    def formats(self) -> None:
        add = self.wb.add_format
        money = self.money_fmt
        self.f = {
            "title": add({"bold": True, "font_size": 14}),
            "head": add({"bold": True, "bg_color": "#DCE6F1", "bottom": 1, "text_wrap": True, "valign": "top"}),
            "head_num": add({"bold": True, "bg_color": "#DCE6F1", "bottom": 1, "align": "right"}),
            "section": add({"bold": True, "font_color": "#1F3864", "top": 1}),
            "money": add({"num_format": money}),
            "money_bold": add({"num_format": money, "bold": True}),
            "money_total": add({"num_format": money, "bold": True, "top": 1, "bg_color": "#F2F2F2"}),
            "money_grand": add({"num_format": money, "bold": True, "top": 2, "bottom": 2, "bg_color": "#DCE6F1"}),
            "num": add({"num_format": "#,##0.00"}),
            "int": add({"num_format": "0"}),
            "share": add({"num_format": "0.00%"}),
            "computed": add({"num_format": "#,##0.######", "italic": True, "font_color": "#7F6000", "bg_color": "#FFF2CC"}),
            "input": add({"num_format": "#,##0.########", "font_color": "#0000FF", "bg_color": "#EAF1DD"}),
            "input_computed": add({"num_format": "#,##0.########", "italic": True, "font_color": "#7F6000",
                                   "bg_color": "#FFF2CC"}),
            "text": add({}),
            "bold": add({"bold": True}),
            "muted": add({"font_color": "#595959"}),
            "wrap": add({"text_wrap": True, "valign": "top"}),
            "quoted": add({"quote_prefix": True}),
        }

    def text(self, ws: Any, r: int, c: int, text: str, fmt: Any = None) -> None:
        """A text cell; plan text that looks like a formula gets Excel's quote prefix (shown as typed, stays
        text when edited), never evaluated: the workbook's guard against formula injection."""
        if formula_like(text):
            ws.write_string(r, c, text, self.f["quoted"])
        else:
            ws.write_string(r, c, text, fmt)

    # -- inputs ---------------------------------------------------------------------------------
    def input(self, name: str, line: str, label: str, value: Any, unit: str, *, source: str = "",
              as_of: str = "", confidence: str = "", note: str = "", computed: bool = False) -> str:
        """One named input row; ``value`` is a number or a formula (a string starting with '=')."""
        name = _name(name)
        if name.lower() in self.used:  # Excel names ignore case; two keys may sanitise alike
            k = 2
            while f"{name}_{k}".lower() in self.used:
                k += 1
            name = f"{name}_{k}"
        self.used.add(name.lower())
        r = self.next_input
        self.next_input += 1
        ws = self.inputs
        ws.write_string(r, 0, name, self.f["muted"])
        self.text(ws, r, 1, line)
        ws.write_string(r, 2, label)
        fmt = self.f["input_computed"] if computed else self.f["input"]
        if isinstance(value, str):
            ws.write_formula(r, 3, value, fmt)
        else:
            ws.write_number(r, 3, float(value), fmt)
        ws.write_string(r, 4, unit)
        self.text(ws, r, 5, (COMPUTED + (f": {note}" if note else "") if computed else source))
        ws.write_string(r, 6, as_of)
        ws.write_string(r, 7, confidence)
        if note and not computed:
            self.text(ws, r, 8, note)
        self.wb.define_name(name, f"=Inputs!$D${r + 1}")
        if computed:
            self.computed.append(name)
        return name

    def price(self, source: Any, value: float, unit: str, line: str, label: str) -> str:
        """The named input of a price (one per catalog key; the plan's own figures get their own)."""
        key = f"price:{source.key}:{label}" if source.overridden and source.source == "given in the plan" \
            else f"price:{source.key}"
        if key in self.names:
            return self.names[key]
        name = self.input("px_" + source.key, line, label, value, unit, source=source.source,
                          as_of=source.as_of, confidence=source.confidence, note=source.notes)
        self.names[key] = name
        return name

    def tiered(self, price: Any, line: str, label: str) -> Callable[[str], str]:
        """A formula builder for the cost of a quantity cell at a (possibly tiered) catalog price."""
        if not price.tiers:
            name = self.price(price.source, price.value, price.unit, line, label)
            return lambda q: f"{q}*{name}"
        key = price.source.key
        if key not in self.tiers:
            parts = []
            for i, t in enumerate(price.tiers, start=1):
                base = f"px_{price.source.key}_tier{i}"
                p = self.input(base, line, f"{label}: tier {i} rate", t.price, price.unit, source=price.source.source,
                               as_of=price.source.as_of, confidence=price.source.confidence,
                               note=price.source.notes if i == 1 else "")
                upto = None
                if t.upto is not None:
                    upto = self.input(base + "_upto", line, f"{label}: tier {i} up to (cumulative)", t.upto,
                                      price.unit.split(" per ")[-1].split("-")[0] if " per " in price.unit else "units",
                                      source=price.source.source, as_of=price.source.as_of,
                                      confidence=price.source.confidence)
                parts.append((p, upto))
            self.tiers[key] = parts
        parts = self.tiers[key]

        def cost(q: str) -> str:
            terms, lower = [], None
            for p, upto in parts:
                if upto is None:
                    terms.append(f"{p}*MAX(0,{q}-{lower})" if lower else f"{p}*MAX(0,{q})")
                else:
                    terms.append(f"{p}*MAX(0,MIN({q},{upto})-{lower})" if lower else f"{p}*MAX(0,MIN({q},{upto}))")
                lower = upto
            return "(" + "+".join(terms) + ")"
        return cost

    # -- monthly rows ---------------------------------------------------------------------------
    def section(self, title: str) -> None:
        r = self.next_row
        self.monthly.write_string(r, 0, title, self.f["section"])
        for c in range(1, FIRST_MONTH_COL + self.n):
            self.monthly.write_blank(r, c, None, self.f["section"])
        self.next_row += 1

    def row(self, line: str, label: str, unit: str, formula: Callable[[str, str], str] | str, cached: Any,
            *, fmt: str = "num", total: bool = True, detail: bool = True, computed: bool = False) -> _Row:
        """One Monthly row: ``formula(col, month_cell)`` per month (or constants when ``computed``)."""
        r = self.next_row
        self.next_row += 1
        ws = self.monthly
        cached = np.broadcast_to(np.asarray(cached, dtype=float), (self.n,))
        self.text(ws, r, 0, (line), self.f["bold"] if not detail else self.f["muted"])
        ws.write_string(r, 1, label if not computed else f"{label} ({COMPUTED})")
        ws.write_string(r, 2, unit)
        cell_fmt = self.f["computed"] if computed else self.f[fmt]
        for k in range(self.n):
            c = _col(FIRST_MONTH_COL + k)
            if computed:
                ws.write_number(r, FIRST_MONTH_COL + k, float(cached[k]), cell_fmt)
            else:
                text = formula if isinstance(formula, str) else formula(c, f"{c}$3")
                ws.write_formula(r, FIRST_MONTH_COL + k, "=" + text.format(c=c, M=f"{c}$3"), cell_fmt,
                                 float(cached[k]))
        if total:
            first, last = _col(FIRST_MONTH_COL), _col(FIRST_MONTH_COL + self.n - 1)
            ws.write_formula(r, 3, f"=SUM({first}{r + 1}:{last}{r + 1})",
                             self.f["money_bold"] if fmt.startswith("money") else cell_fmt, float(cached.sum()))
        if detail:
            ws.set_row(r, None, None, {"level": 1})
        return _Row(r, np.asarray(cached, dtype=float))

    def ref(self, row: _Row) -> str:
        """The cell of ``row`` in the current month's column (a template for ``row``'s formula)."""
        return "{c}" + str(row.row + 1)


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
    costs = []
    for tier, (a, g) in by_tier.items():
        pa = b.row(name, f"{tier}: share of the initial volume held", "fraction", "", a, computed=True, total=False)
        pg = b.row(name, f"{tier}: TB held per TB/month of growth", "TB per TB/month", "", g, computed=True,
                   total=False)
        gb = b.row(name, f"GB-months {tier}", "GB-months",
                   f"({size}*{b.ref(pa)}+{growth}*{b.ref(pg)})*gb_per_tb*(1-{comp})", li.quantity(f"GB-months {tier}"))
        price = ctx.catalog.storage_price(provider, tier)
        costs.append(b.tiered(price, name, f"{provider} {tier} storage")(b.ref(gb)))
    b.computed_notes.append((name, "storage age profiles (the share of each month's data held in each tier, "
                             f"from the line's start month {line.start} and its lifecycle rules) are "
                             "computed; sizes, growth, compression and prices stay live"))
    return b.row(name, "cost", b.plan.currency, "(" + "+".join(costs) + ")*fx_rate", li.monthly, fmt="money",
                 detail=False)


def _egress(b: _Book, li: LineItem, line: Any, prefix: str, ctx: Any) -> _Row:
    name = li.name
    tb = _given(b, prefix, name, "tb_per_month", line.tb_per_month, "TB/month")
    growth = _given(b, prefix, name, "growth", line.growth, "fraction per month", "monthly growth")
    _start_end(b, prefix, name, line)
    provider = ctx.provider(line)
    price = ctx.catalog.egress_price(provider, line.kind.value)
    # inter-AZ transfer is billed in each direction (drivers/data.egress)
    both = "*2" if line.kind is EgressKind.INTER_AZ else ""
    gb = b.row(name, "GB (billed in each direction: cost x2)" if both else "GB", "GB",
               f"IF({_active(prefix, line.start, line.end)},{tb}*gb_per_tb*(1+{growth})^({{M}}-{prefix}_start),0)",
               li.quantity("GB"))
    cost = b.tiered(price, name, f"{provider} {line.kind.value} transfer")(b.ref(gb))
    return b.row(name, "cost", b.plan.currency, f"{cost}{both}*fx_rate", li.monthly, fmt="money", detail=False)


def _api(b: _Book, li: LineItem, line: Any, prefix: str, ctx: Any) -> _Row:
    from pricing import apiprices
    from pricing.drivers.services import api_request_cost
    name = li.name
    rpm = _given(b, prefix, name, "requests_per_month", line.requests_per_month, "requests/month",
                 "requests in the first month")
    growth = _given(b, prefix, name, "growth", line.growth, "fraction per month", "monthly growth")
    hit = _given(b, prefix, name, "response_cache_hit_rate", line.response_cache_hit_rate, "fraction",
                 "answered from our own response cache")
    _start_end(b, prefix, name, line)
    per_request, model = api_request_cost(line, ctx)
    src = model.source
    if model.tiered:
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
    lab = b.row(name, "labels (items x passes)", "labels", f"{b.ref(it)}*{passes}", li.quantity("labels"))
    return b.row(name, "cost", b.plan.currency, f"{b.ref(lab)}*{price}{fx}", li.monthly, fmt="money", detail=False)


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
        price = b.price(p.source, p.value, p.unit, name, f"{line.kind} rate")
        fx = "*fx_rate"
    q = b.row(name, unit, unit, f"IF({_active(prefix, line.start, line.end)},{qty},0)", qty_arr)
    return b.row(name, "cost", b.plan.currency, f"{b.ref(q)}*{price}{fx}", li.monthly, fmt="money", detail=False)


def _people(b: _Book, li: LineItem, line: Any, prefix: str, ctx: Any) -> _Row:
    name = li.name
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


# ---------------------------------------------------------------------------------------------
# The workbook
# ---------------------------------------------------------------------------------------------


def money_format(currency: str) -> str:
    """Excel number format of an amount in the plan's currency (symbol, thousands, cents, negatives red)."""
    sym = _SYMBOLS.get(currency, currency + " ").replace('"', "")
    return f'"{sym}"#,##0.00;[Red]-"{sym}"#,##0.00'


def write_workbook(proj: Projection, target: Any, *, catalog: Any = None, scenario_results: Sequence[Any] = (),
                   tornado: Any = None, first_fiscal_month: int = 1, view: str = "amortised",
                   commitments: Sequence[Any] = (), generated: _dt.date | None = None,
                   skipped: Sequence[str] = ()) -> tuple[str, ...]:
    """Write the workbook of ``proj`` to ``target`` (a path or a binary file object).

    ``view`` ("amortised" or "cash") is the initial position of the workbook's cash/amortised switch
    (an input the user can flip in Excel); it matters only with ``commitments`` (see
    ``pricing.commitments.Commitment``). Returns the defined names of the computed inputs.
    """
    import xlsxwriter
    from pricing import engine

    if not 1 <= first_fiscal_month <= 12:
        raise ValueError(f"first_fiscal_month must be 1..12, found {first_fiscal_month}")
    if view not in ("amortised", "cash"):
        raise ValueError(f"view must be 'amortised' or 'cash', found {view!r}")
    plan = proj.plan
    ctx = engine.context(plan, catalog)
    n = len(proj.months)
    wb = xlsxwriter.Workbook(target, {"strings_to_formulas": False, "strings_to_urls": False,
                                      "strings_to_numbers": False, "in_memory": True})
    wb.set_properties({"title": f"{plan.name}: cost plan", "comments": "Written by AI Cost Planner"})
    b = _Book(wb, plan, n, money_format(plan.currency), view_cash=view == "cash")
    b.formats()
    b.inputs = wb.add_worksheet("Inputs")
    b.monthly = wb.add_worksheet("Monthly")
    _inputs_header(b)

    # global inputs
    b.input("fx_rate", "(plan)", f"{plan.currency} per USD", plan.fx_rate, f"{plan.currency}/USD",
            source="given in the plan" if plan.currency != "USD" else "USD plan: catalog prices are USD")
    b.input("hours_per_month", "(engine)", "billing hours in a month", HOURS_PER_MONTH, "hours",
            source="8,760 hours a year / 12, as cloud price sheets use (pricing/engine.py)")
    b.input("weeks_per_month", "(engine)", "weeks in a month", "=52/12", "weeks",
            source="52 weeks / 12 (pricing/drivers/compute.py)")
    b.input("gb_per_tb", "(engine)", "GB per TB", GB_PER_TB, "GB", source="decimal terabytes (pricing/engine.py)")
    switch = b.input("view_cash", "(workbook)", "commitments shown as cash (1) or amortised (0)",
                     1 if view == "cash" else 0, "switch",
                     source="set by the export; change it here to switch the Monthly sheet's view")

    _monthly_header(b, proj, first_fiscal_month)
    cost_rows: list[tuple[LineItem, _Row]] = []
    items = {li.key_path: li for li in proj.line_items}
    for section, _cat in SECTIONS:
        lines = plan.section(section)
        if not lines:
            continue
        b.section(_SECTION_TITLE[section])
        for i, line in enumerate(lines):
            li = items[f"{section}[{i}]"]
            prefix = f"{_SECTION_PREFIX[section]}{i + 1}"
            b.line = line
            cost_rows.append((li, _BLOCKS[section](b, li, line, prefix, ctx)))
    b.line = None
    platform = plan.services.platform
    if platform is not None:
        li = items["services.platform"]
        b.section("Services · platform markup")
        if platform.markup is not None:
            markup = b.input("platform_markup", li.name, "markup over the compute it runs", platform.markup,
                             "fraction", source="given in the plan")
        else:
            p = ctx.catalog.platform_markup(platform.name)
            markup = b.price(p.source, p.value, p.unit, li.name, f"{platform.name} markup")
        sections = {f"compute.{s}" for s in platform.applies_to}
        base = [r for l2, r in cost_rows if l2.section in sections]
        base_expr = "+".join(b.ref(r) for r in base) or "0"
        base_row = b.row(li.name, "marked-up compute", b.plan.currency, f"({base_expr})", li.quantity("marked-up compute"),
                         fmt="money")
        cost_rows.append((li, b.row(li.name, "cost", b.plan.currency, f"{b.ref(base_row)}*{markup}", li.monthly,
                                    fmt="money", detail=False)))
    commit_rows = _commitment_block(b, proj, ctx, commitments, cost_rows, switch) if commitments else []

    totals = _totals(b, proj, cost_rows, commit_rows)
    _finish_monthly(b)
    _finish_inputs(b)
    _summary(b, proj, totals, first_fiscal_month)
    _scenarios(b, proj, totals, scenario_results, skipped)
    _drivers(b, proj, cost_rows, totals, tornado)
    _notes(b, proj, first_fiscal_month, view, commitments, generated or _dt.date.today())
    wb.close()
    return tuple(b.computed)


def _inputs_header(b: _Book) -> None:
    ws = b.inputs
    wrap = b.wb.add_format({"text_wrap": True, "valign": "top", "font_size": 9})
    for c, (title, width) in enumerate((("Name", 32), ("Line", 30), ("Input", 44), ("Value", 16), ("Unit", 22),
                                        ("Source", 70), ("As of", 22), ("Confidence", 18), ("Note", 70))):
        ws.write_string(0, c, title, b.f["head"])
        ws.set_column(c, c, width, wrap if c in (5, 6, 8) else None)
    ws.freeze_panes(1, 1)
    _print_setup(ws, rows=(0, 0), cols=(0, 0), wide=1)


def _print_setup(ws: Any, *, rows: tuple[int, int], cols: tuple[int, int] | None, wide: int) -> None:
    """Landscape, headers repeated on every printed page, ``wide`` pages across."""
    ws.set_landscape()
    ws.set_paper(9)  # A4; Excel follows the printer's paper when it differs
    ws.repeat_rows(*rows)
    if cols is not None:
        ws.repeat_columns(*cols)
    ws.fit_to_pages(wide, 0)


def _finish_inputs(b: _Book) -> None:
    b.inputs.autofilter(0, 0, b.next_input - 1, 8)


def _monthly_header(b: _Book, proj: Projection, first_fiscal_month: int) -> None:
    ws = b.monthly
    plan = proj.plan
    b.text(ws, 0, 0, (f"{plan.name}: monthly costs ({plan.currency})"), b.f["title"])
    for c, title in enumerate(("Line", "Row", "Unit", "Horizon")):
        ws.write_string(1, c, title, b.f["head"] if c < 3 else b.f["head_num"])
    ws.write_string(2, 1, "plan month", b.f["muted"])
    fy_label = "fiscal year" if first_fiscal_month != 1 else "calendar year"
    ws.write_string(3, 1, fy_label, b.f["muted"])
    for k, m in enumerate(proj.months):
        col = FIRST_MONTH_COL + k
        ws.write_string(1, col, str(m), b.f["head_num"])
        ws.write_number(2, col, k + 1, b.f["int"])
        ws.write_number(3, col, fiscal_year(m.year, m.month, first_fiscal_month), b.f["int"])
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 64)
    ws.set_column(2, 2, 14)
    ws.set_column(3, 3, 17)
    ws.set_column(FIRST_MONTH_COL, FIRST_MONTH_COL + b.n - 1, 14)
    ws.freeze_panes(HEADER_ROWS, FIRST_MONTH_COL)
    _print_setup(ws, rows=(1, HEADER_ROWS - 1), cols=(0, FIRST_MONTH_COL - 1), wide=max(1, b.n // 12))


def _finish_monthly(b: _Book) -> None:
    b.monthly.outline_settings(True, False, True, False)


def _commitment_block(b: _Book, proj: Projection, ctx: Any, commitments: Sequence[Any],
                      cost_rows: list, switch: str) -> list[_Row]:
    """Rows for each commitment: committed GPU-hours, covered usage, on-demand credit, and its charge in
    the view the ``view_cash`` switch picks (pricing/commitments.py: charges, covered_hours)."""
    from pricing import commitments as cm
    from pricing.errors import CatalogError
    b.section("Compute · commitments")
    out = []
    stacked: dict[tuple[str, str], np.ndarray] = {}
    per_pool: dict[tuple[str, str], int] = {}
    for c in commitments:
        per_pool[(c.provider, c.gpu)] = per_pool.get((c.provider, c.gpu), 0) + 1
    for j, c in enumerate(commitments, start=1):
        if c.offer.discount is None:
            raise CatalogError(f"the offer {c.offer.key} has no rate ({c.offer.gap}); choose a priced offer")
        if c.share is None:
            raise CatalogError(f"the offer {c.offer.key} is paid partly upfront and its source does not say how "
                               "much: give the commitment's upfront_share (0..1) to export it")
        pool = cm.pool_of(proj, ctx, c.provider, c.gpu)
        ev = cm.evaluate(pool, c, ctx.fx)
        # commitments of one pool cover its usage together: each gets what it adds to those before it
        below = stacked.get((c.provider, c.gpu), np.zeros(b.n))
        above = below + ev.charges.gpus
        stacked[(c.provider, c.gpu)] = above
        covered = cm.covered_hours(pool.gpus, pool.hours, above) - cm.covered_hours(pool.gpus, pool.hours, below)
        credit_cached = covered * pool.price * ctx.fx
        name = f"{c.offer.label} on {c.gpu} at {c.provider}"
        p = f"cm{j}"
        src = c.offer.source
        g = b.input(f"{p}_gpus", name, "GPUs committed (running all month)", c.gpus, "GPUs", source="chosen")
        start = b.input(f"{p}_start", name, "first plan month of the term", c.start, "plan month", source="chosen")
        term = b.input(f"{p}_term", name, "term", c.offer.term_months, "months", source=src.source, as_of=src.as_of,
                       confidence=src.confidence)
        disc = b.input(f"{p}_discount", name, "effective discount off on-demand (1 - effective rate / on-demand)",
                       c.offer.discount, "fraction", source=src.source, as_of=src.as_of, confidence=src.confidence,
                       note=f"{c.offer.instance}: {c.offer.effective_rate:g} vs {c.offer.on_demand:g} USD/hour")
        share = b.input(f"{p}_upfront_share", name, "share of the term paid upfront", c.share, "fraction",
                        source=src.source if c.upfront_share is None else "chosen", as_of=src.as_of)
        od = b.price(pool.source, pool.price, "USD per GPU-hour", name, f"{c.gpu} on_demand at {c.provider}")
        cap = b.row(name, "committed GPU-hours", "GPU-hours",
                    f"IF(AND({{M}}>={start},{{M}}<{start}+{term}),{g}*hours_per_month,0)",
                    ev.charges.gpus * HOURS_PER_MONTH)
        steady = bool(pool.lines) and all(li.section == "compute.inference" for li in pool.lines)
        if steady and per_pool[(c.provider, c.gpu)] == 1:
            refs = "+".join(b.ref(b.quantity_rows[(li.key_path, "GPU-hours")]) for li in pool.lines)
            use = b.row(name, "usage of the pool", "GPU-hours", f"({refs})", pool.usage)
            cov = b.row(name, "usage covered by the commitment", "GPU-hours", f"MIN({b.ref(use)},{b.ref(cap)})",
                        covered)
        else:
            cov = b.row(name, "usage covered by the commitment", "GPU-hours", "", covered, computed=True)
            b.computed_notes.append((name, "the GPU-hours a commitment covers depend on how the pool's runs overlap "
                                     "within the month (pricing/commitments.covered_hours): computed; the prices, "
                                     "discount, term, start and GPUs committed stay live"))
        credit = b.row(name, "on-demand cost no longer billed", b.plan.currency, f"-{b.ref(cov)}*{od}*fx_rate",
                       -credit_cached, fmt="money")
        rate = f"{od}*(1-{disc})*fx_rate"
        amort = b.row(name, "commitment charge, amortised", b.plan.currency, f"{b.ref(cap)}*{rate}",
                      ev.charges.amortised, fmt="money")
        cash = b.row(name, "commitment charge, cash", b.plan.currency,
                     f"IF({{M}}={start},{share}*{g}*hours_per_month*{term}*{rate},0)+(1-{share})*{b.ref(cap)}*{rate}",
                     ev.charges.cash, fmt="money")
        cached = (ev.charges.cash if b.view_cash else ev.charges.amortised) - credit_cached
        out.append(b.row(name, "net effect (view per the view_cash switch)", b.plan.currency,
                         f"{b.ref(credit)}+IF({switch}=1,{b.ref(cash)},{b.ref(amort)})", cached,
                         fmt="money", detail=False))
    return out


def _totals(b: _Book, proj: Projection, cost_rows: list[tuple[LineItem, _Row]], commit_rows: list[_Row]) -> dict:
    b.section("Totals")
    rows: dict[Any, _Row] = {}
    for cat in Category:
        mine = [r for li, r in cost_rows if li.category is cat]
        extra = commit_rows if cat is Category.COMPUTE else []
        if not mine and not extra:
            continue
        cached = proj.category_totals[cat] + sum((r.cached for r in extra), np.zeros(b.n))
        expr = "+".join(b.ref(r) for r in mine + extra)
        rows[cat] = b.row(cat.value, "total", b.plan.currency, expr, cached, fmt="money_total", detail=False)
    total_cached = sum((r.cached for r in rows.values()), np.zeros(b.n))
    grand = b.row("Total", "all categories", b.plan.currency, "+".join(b.ref(r) for r in rows.values()) or "0",
                  total_cached, fmt="money_grand", detail=False)
    cum = b.row("Cumulative", "running total", b.plan.currency,
                lambda c, m: f"SUM(${_col(FIRST_MONTH_COL)}${grand.row + 1}:{c}{grand.row + 1})",
                np.cumsum(total_cached), fmt="money", total=False, detail=False)
    b.wb.define_name("monthly_total", f"=Monthly!${_col(FIRST_MONTH_COL)}${grand.row + 1}:"
                     f"${_col(FIRST_MONTH_COL + b.n - 1)}${grand.row + 1}")
    b.wb.define_name("horizon_total", f"=Monthly!$D${grand.row + 1}")
    return {"categories": rows, "grand": grand, "cumulative": cum}


def _summary(b: _Book, proj: Projection, totals: dict, first_fiscal_month: int) -> None:
    ws = b.wb.add_worksheet("Summary")
    plan = proj.plan
    years: dict[int, list[int]] = {}
    for k, m in enumerate(proj.months):
        years.setdefault(fiscal_year(m.year, m.month, first_fiscal_month), []).append(k)
    label = "FY" if first_fiscal_month != 1 else ""
    b.text(ws, 0, 0, (f"{plan.name}: cost by category and "
                                    f"{'fiscal year (first month: ' + _dt.date(2000, first_fiscal_month, 1).strftime('%B') + ')' if first_fiscal_month != 1 else 'calendar year'}"),
                    b.f["title"])
    ws.write_string(1, 0, "Category", b.f["head"])
    for j, (fy, ks) in enumerate(years.items(), start=1):
        months = f"{proj.months[ks[0]]}..{proj.months[ks[-1]]}"
        partial = "" if len(ks) == 12 else f", {len(ks)} months"
        ws.write_string(1, j, f"{label}{fy} ({months}{partial})", b.f["head_num"])
    ws.write_string(1, len(years) + 1, "Horizon", b.f["head_num"])
    ws.write_string(1, len(years) + 2, "Share", b.f["head_num"])
    rows = list(totals["categories"].items()) + [("Total", totals["grand"])]
    for i, (cat, mrow) in enumerate(rows, start=2):
        name = cat.value if isinstance(cat, Category) else cat
        last = name == "Total"
        fmt = b.f["money_grand"] if last else b.f["money"]
        ws.write_string(i, 0, name, b.f["bold"] if last else b.f["text"])
        for j, (fy, ks) in enumerate(years.items(), start=1):
            a, z = _col(FIRST_MONTH_COL + ks[0]), _col(FIRST_MONTH_COL + ks[-1])
            ws.write_formula(i, j, f"=SUM(Monthly!{a}{mrow.row + 1}:{z}{mrow.row + 1})", fmt,
                             float(mrow.cached[ks].sum()))
        h = _col(len(years) + 1)
        ws.write_formula(i, len(years) + 1, f"=Monthly!D{mrow.row + 1}", fmt, float(mrow.cached.sum()))
        total = float(totals["grand"].cached.sum())
        ws.write_formula(i, len(years) + 2, f"=IF(horizon_total=0,0,{h}{i + 1}/horizon_total)", b.f["share"],
                         float(mrow.cached.sum()) / total if total else 0.0)
    ws.set_column(0, 0, 22)
    ws.set_column(1, len(years) + 1, 24)
    ws.set_column(len(years) + 2, len(years) + 2, 10)
    ws.freeze_panes(2, 1)
    _print_setup(ws, rows=(1, 1), cols=None, wide=1)


def _scenarios(b: _Book, proj: Projection, totals: dict, results: Sequence[Any], skipped: Sequence[str]) -> None:
    ws = b.wb.add_worksheet("Scenarios")
    n = b.n
    b.text(ws, 0, 0, (f"{proj.plan.name}: scenarios side by side"), b.f["title"])
    ws.write_string(1, 0, "Scenario", b.f["head"])
    ws.write_string(1, 1, "Row", b.f["head"])
    ws.write_string(1, 2, "Horizon", b.f["head_num"])
    for k, m in enumerate(proj.months):
        ws.write_string(1, 3 + k, str(m), b.f["head_num"])
    first, last = _col(3), _col(3 + n - 1)
    g = totals["grand"]
    ws.write_string(2, 0, "Baseline", b.f["bold"])
    ws.write_string(3 - 1, 1, "live: the Monthly sheet's total", b.f["muted"])
    for k in range(n):
        ws.write_formula(2, 3 + k, f"=Monthly!{_col(FIRST_MONTH_COL + k)}{g.row + 1}", b.f["money_bold"],
                         float(g.cached[k]))
    ws.write_formula(2, 2, f"=SUM({first}3:{last}3)", b.f["money_bold"], float(g.cached.sum()))
    r = 4
    for res in results:
        cached = res.projection.monthly
        b.text(ws, r, 0, (res.scenario.name), b.f["bold"])
        ws.write_string(r, 1, f"monthly total ({COMPUTED}: a scenario transforms the plan)", b.f["muted"])
        for k in range(n):
            ws.write_number(r, 3 + k, float(cached[k]), b.f["computed"])
        ws.write_formula(r, 2, f"=SUM({first}{r + 1}:{last}{r + 1})", b.f["money_bold"], float(cached.sum()))
        base = res.baseline.monthly
        ws.write_string(r + 1, 1, f"baseline at export ({COMPUTED})", b.f["muted"])
        for k in range(n):
            ws.write_number(r + 1, 3 + k, float(base[k]), b.f["computed"])
        ws.write_formula(r + 1, 2, f"=SUM({first}{r + 2}:{last}{r + 2})", b.f["money"], float(base.sum()))
        ws.write_string(r + 2, 1, "saving (baseline at export - scenario)", b.f["muted"])
        for k in range(n):
            c = _col(3 + k)
            ws.write_formula(r + 2, 3 + k, f"={c}{r + 2}-{c}{r + 1}", b.f["money"], float(base[k] - cached[k]))
        ws.write_formula(r + 2, 2, f"=SUM({first}{r + 3}:{last}{r + 3})", b.f["money_bold"],
                         float(base.sum() - cached.sum()))
        for rr in (r + 1, r + 2):
            ws.set_row(rr, None, None, {"level": 1})
        r += 4
    if not results:
        ws.write_string(r, 0, "The plan has no scenarios.", b.f["muted"])
        r += 1
    for s in skipped:
        b.text(ws, r, 0, (f"Left out: {s}"), b.f["muted"])
        r += 1
    ws.set_column(0, 0, 28)
    ws.set_column(1, 1, 52)
    ws.set_column(2, 2, 17)
    ws.set_column(3, 3 + n - 1, 14)
    ws.freeze_panes(2, 3)
    _print_setup(ws, rows=(1, 1), cols=(0, 2), wide=max(1, n // 12))


def _drivers(b: _Book, proj: Projection, cost_rows: list, totals: dict, tornado: Any) -> None:
    ws = b.wb.add_worksheet("Drivers")
    b.text(ws, 0, 0, (f"{proj.plan.name}: what drives the bill"), b.f["title"])
    ws.write_string(1, 0, "Line items by horizon cost (live)", b.f["bold"])
    for c, t in enumerate(("Line", "Category", "Horizon", "Share")):
        ws.write_string(2, c, t, b.f["head"] if c < 2 else b.f["head_num"])
    total = proj.total
    ranked = sorted(cost_rows, key=lambda p: (-float(p[1].cached.sum()), p[0].name))
    r = 3
    for li, row in ranked:
        b.text(ws, r, 0, (li.name))
        ws.write_string(r, 1, li.category.value)
        ws.write_formula(r, 2, f"=Monthly!D{row.row + 1}", b.f["money"], float(row.cached.sum()))
        ws.write_formula(r, 3, f"=IF(horizon_total=0,0,C{r + 1}/horizon_total)", b.f["share"],
                         float(row.cached.sum()) / total if total else 0.0)
        r += 1
    r += 1
    if tornado is not None and tornado.bars:
        ws.write_string(r, 0, f"Inputs by swing of the horizon total ({COMPUTED}: each input at its low and high)",
                        b.f["bold"])
        r += 1
        for c, t in enumerate(("Input", "Key path", "Low", "Likely", "High", "Total at low", "Total at high",
                               "Swing", "Range from")):
            ws.write_string(r, c, t, b.f["head"] if c < 2 else b.f["head_num"])
        r += 1
        for bar in tornado.bars:
            i = bar.input
            b.text(ws, r, 0, (i.label))
            ws.write_string(r, 1, i.key_path, b.f["muted"])
            for c, v in ((2, i.low), (3, i.likely), (4, i.high)):
                ws.write_number(r, c, float(v), b.f["computed"])
            ws.write_number(r, 5, float(bar.total_low), b.f["money"])
            ws.write_number(r, 6, float(bar.total_high), b.f["money"])
            ws.write_formula(r, 7, f"=ABS(G{r + 1}-F{r + 1})", b.f["money_bold"], float(bar.swing))
            ws.write_string(r, 8, "the plan's range" if i.from_range else "±20% (no range in the plan)")
            r += 1
    else:
        ws.write_string(r, 0, "No tornado: export with the drivers analysis to list inputs by swing.", b.f["muted"])
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 36)
    ws.set_column(2, 8, 16)
    ws.freeze_panes(3, 1)
    _print_setup(ws, rows=(2, 2), cols=None, wide=1)


def _notes(b: _Book, proj: Projection, first_fiscal_month: int, view: str, commitments: Sequence[Any],
           generated: _dt.date) -> None:
    ws = b.wb.add_worksheet("Notes")
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 110)
    rows = [
        ("Plan", proj.plan.name),
        ("Written", f"{generated.isoformat()} by AI Cost Planner"),
        ("Horizon", f"{proj.months[0]} .. {proj.months[-1]} ({len(proj.months)} months), {proj.currency}"),
        ("How to read it", "Inputs holds every quantity and price as a named cell (blue on green). The Monthly "
                           "sheet's cells are formulas over those names: change an input and every month, total, "
                           "the Summary and the Drivers move. Rows marked '" + COMPUTED + "' (brown on yellow) "
                           "are the engine's own figures: the workbook uses them but does not recompute them."),
        ("Fiscal year", "calendar year" if first_fiscal_month == 1 else
         f"starts in {_dt.date(2000, first_fiscal_month, 1).strftime('%B')}; a fiscal year is named by the "
         "calendar year in which it ends"),
        ("Commitments", "none" if not commitments else
         f"{len(commitments)} commitment(s); shown {view} (Inputs: view_cash flips it). Cash: the upfront "
         "payment falls in the month paid and the recurring fee in each month of the term; amortised: the whole "
         "commitment spread evenly over the months of its term (as FOCUS EffectiveCost does)."),
        ("Scenarios", "each scenario's monthly totals are the engine's figures (a scenario transforms the plan: "
                      "its lines are not recomputed here); the savings beside them are formulas."),
    ]
    for name, text in b.computed_notes:
        rows.append((f"{COMPUTED}: {name}", text))
    for name in b.computed:
        rows.append((f"{COMPUTED}: {name}", "an input written as the engine's figure (see its row on Inputs)"))
    ws.write_string(0, 0, "Notes", b.f["title"])
    for i, (k, v) in enumerate(rows, start=2):
        b.text(ws, i, 0, (k), b.f["bold"])
        b.text(ws, i, 1, (v), b.f["wrap"])


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def export(plan: Plan, path: str | os.PathLike, *, catalog: Any = None, first_fiscal_month: int = 1,
           view: str = "amortised", commitments: Sequence[Any] = (), tornado: Any = None,
           with_tornado: bool = True, generated: _dt.date | None = None,
           cancel: Callable[[], bool] | None = None) -> Exported:
    """Project ``plan``, evaluate its scenarios (and its tornado) and write the workbook atomically (the plan
    files' writer: temporary file in the same folder, fsync, rename; the replaced file's mode is kept)."""
    import io
    from pricing import engine, scenarios, uncertainty
    from pricing.errors import PlanError
    if catalog is None:
        from pricing.catalog import Catalog
        catalog = Catalog.load()
    proj = engine.project(plan, catalog)
    results, skipped = [], []
    for s in plan.scenarios:
        if cancel is not None and cancel():
            raise uncertainty.Cancelled()
        try:
            results.append(scenarios.evaluate(plan, s, catalog, proj, lazy=True))
        except PlanError as exc:
            skipped.append(f"{s.name}: {exc.problems[0] if exc.problems else exc}")
    if tornado is None and with_tornado:
        tornado = uncertainty.tornado(plan, catalog)
    buf = io.BytesIO()
    computed = write_workbook(proj, buf, catalog=catalog, scenario_results=results, tornado=tornado,
                              first_fiscal_month=first_fiscal_month, view=view, commitments=commitments,
                              generated=generated, skipped=skipped)
    if cancel is not None and cancel():
        raise uncertainty.Cancelled()
    data = buf.getvalue()
    atomic.write_file(path, lambda fh: fh.write(data), binary=True)
    return Exported(Path(path), computed, tuple(skipped))

"""``aicost report`` as JSON and as text tables, read from the report model (the figures the PDF and CSV show)."""
from __future__ import annotations

from typing import Any

import numpy as np

from pricing import fields, fx
from pricing.engine import Projection
from pricing.report_model import Report, report_of, summarize
from pricing.rounding import cents_to_float, money


def source_data(s: Any) -> dict:
    return s.data()


def prices_as_of(proj: Projection) -> dict:
    """The oldest dated price used, and how many used prices carry no date."""
    oldest = proj.oldest_source()
    undated = proj.undated_sources()
    return {"oldest": oldest.as_of_date.isoformat() if oldest else None,
            "oldest_key": oldest.key if oldest else None,
            "undated": len(undated), "undated_keys": [s.key for s in undated]}


def report_data(source: Report | Projection, *, quantities: bool = True) -> dict:
    """The ``aicost report --json`` document (documented in docs/cli.md); its amounts are the report model's
    cents (``report_model.summarize``), so they equal the PDF's and the CSV files' to the cent. ``quantities=False``
    leaves each line's monthly quantities out (empty): the text report doesn't show them, and rounding them is most
    of the work."""
    proj = source.projection if isinstance(source, Report) else source
    s = source.summary if isinstance(source, Report) else summarize(proj)
    items = []
    for li, fig in zip(proj.line_items, s.lines):
        items.append({
            "name": li.name, "category": li.category.value, "section": li.section, "key_path": li.key_path,
            "monthly": cents_to_float(fig.monthly), "total": cents_to_float(fig.total),
            "quantities": {k: [round(float(x), 6) for x in v] for k, v in li.quantities} if quantities else {},
            "sources": [source_data(src) for src in li.sources], "notes": list(li.notes),
        })
    ranked = sorted(s.lines, key=lambda fig: (-fig.total, fig.name))
    over = s.first_over_budget
    per_1k = proj.cost_per_1k_requests()
    return {
        "name": proj.plan.name, "currency": s.currency,
        "months": [str(m) for m in s.months],
        "total": cents_to_float(s.total),
        "monthly": cents_to_float(s.monthly),
        "cumulative": cents_to_float(np.cumsum(s.monthly)),
        "run_rate_now": cents_to_float(s.run_rate_first),
        "run_rate_end": cents_to_float(s.run_rate_last),
        "cost_per_1k_requests": round(per_1k, 4) if per_1k is not None else None,
        "unit_cost": _unit_cost_data(proj),
        "monthly_budget": proj.plan.monthly_budget,
        "first_month_over_budget": str(s.months[over]) if over is not None else None,
        "categories": {c.value: cents_to_float(row) for c, row in s.categories},
        "line_items": items,
        "drivers": [{"name": fig.name, "key_path": fig.key_path, "category": fig.category.value,
                     "total": cents_to_float(fig.total), "share": round(fig.total / s.total, 6) if s.total else 0.0}
                    for fig in ranked],
        "prices_as_of": prices_as_of(proj),
        "fx": fx.rate_data(fx.for_plan(proj.plan)),
    }


def _unit_cost_data(proj: Projection) -> dict | None:
    """The bill per unit of work (docs/cli.md): label, value per ``per`` units, what is counted."""
    u = proj.unit_cost()
    if u is None:
        return None
    return {"label": u.label, "name": u.name, "per": u.per, "value": round(u.value, 4), "units": round(u.units, 3),
            "counted": u.counted}


def text_report(source: Report | Projection, *, top: int = 8, width_months: int = 12) -> str:
    """A readable report: categories by month (yearly columns beyond ``width_months``), drivers, totals."""
    d = report_data(source, quantities=False)
    cur = d["currency"]
    months = d["months"]
    lines = [f"{d['name']}  ({months[0]} .. {months[-1]}, {len(months)} months, {cur})", ""]
    # columns: each month when short, else each year
    if len(months) <= width_months:
        cols = [(m, [i]) for i, m in enumerate(months)]
    else:
        years: dict[str, list[int]] = {}
        for i, m in enumerate(months):
            years.setdefault(m[:4], []).append(i)
        cols = [(f"{y} ({len(ix)}m)", ix) for y, ix in years.items()]
    names = [c for c in d["categories"] if any(d["categories"][c])]
    w0 = max([len("Category"), len("Total")] + [len(n) for n in names])
    cells = {n: [sum(d["categories"][n][i] for i in ix) for _, ix in cols] for n in names}
    totals = [sum(d["monthly"][i] for i in ix) for _, ix in cols]
    fmt = lambda x: f"{x:,.0f}"  # noqa: E731
    widths = [max(len(h), *(len(fmt(cells[n][j])) for n in names), len(fmt(totals[j])))
              for j, (h, _) in enumerate(cols)]
    lines.append("  ".join([f"{'Category':<{w0}}"] + [f"{h:>{w}}" for (h, _), w in zip(cols, widths)]
                           + [f"{'Horizon':>12}"]))
    for n in names:
        lines.append("  ".join([f"{n:<{w0}}"] + [f"{fmt(v):>{w}}" for v, w in zip(cells[n], widths)]
                               + [f"{fmt(sum(d['categories'][n])):>12}"]))
    lines.append("  ".join([f"{'Total':<{w0}}"] + [f"{fmt(v):>{w}}" for v, w in zip(totals, widths)]
                           + [f"{fmt(d['total']):>12}"]))
    lines += ["", f"Horizon total        {money(d['total'], cur)}",
              f"Run-rate, month 1    {money(d['run_rate_now'], cur)}/month",
              f"Run-rate, month {len(months):<4} {money(d['run_rate_end'], cur)}/month"]
    u = d["unit_cost"]
    if u is not None:
        lines.append(f"{u['label']:<20} {money(u['value'], cur)}  ({u['counted']})")
    if d["monthly_budget"] is not None:
        over = d["first_month_over_budget"]
        lines.append(f"Monthly budget       {money(d['monthly_budget'], cur)}: "
                     + (f"first exceeded in {over}" if over else "never exceeded"))
    lines += ["", "Top drivers"]
    for dr in d["drivers"][:top]:
        lines.append(f"  {dr['share']:6.1%}  {money(dr['total'], cur):>16}  {dr['name']} ({dr['category']})")
    notes = [(li["name"], n) for li in d["line_items"] for n in li["notes"]]
    if notes:
        lines += ["", "Notes"] + [f"  {name}: {n}" for name, n in notes]
    pa = d["prices_as_of"]
    lines.append("")
    if cur != "USD":
        plan = source.projection.plan if isinstance(source, Report) else source.plan
        lines.append(f"Exchange rate: {fx.rate_text(fx.for_plan(plan))}; source: {d['fx']['source']}")
    if pa["oldest"]:
        lines.append(f"Prices: oldest dated price used is from {pa['oldest']} ({pa['oldest_key']})"
                     + (f"; {_undated(pa['undated'])}" if pa["undated"] else ""))
    elif pa["undated"]:
        lines.append(f"Prices: {_undated(pa['undated'])}")
    return "\n".join(lines) + "\n"


def _undated(n: int) -> str:
    return "1 price used is an undated catalog snapshot" if n == 1 else f"{n} prices used are undated catalog snapshots"


def uncertainty_data(source: Report | Any, proj: Projection | None = None) -> dict:
    """The ``uncertainty`` part of ``report --json``: the report's Monte Carlo figures, in cents rounded once
    (``report_model.uncertainty_figures``). ``source``: a report, or a MonteCarlo with its projection."""
    rep = source if isinstance(source, Report) else report_of(proj, monte_carlo=source)
    mc, u = rep.monte_carlo, rep.uncertainty
    return {
        "samples": u.samples, "seed": u.seed, "distribution": u.distribution,
        "monthly_p10": cents_to_float(u.monthly_p10), "monthly_p50": cents_to_float(u.monthly_p50),
        "monthly_p90": cents_to_float(u.monthly_p90),
        "total_p10": cents_to_float(u.total_p10), "total_p50": cents_to_float(u.total_p50),
        "total_p90": cents_to_float(u.total_p90), "total_mean": cents_to_float(u.total_mean),
        "budget_exceeded_probability": (None if u.budget_exceeded is None
                                        else [round(float(x), 4) for x in u.budget_exceeded]),
        "inputs": [{"key_path": i.key_path, "label": i.label, "low": i.low, "likely": i.likely, "high": i.high}
                   for i in mc.inputs],
    }


def uncertainty_text(source: Report | Any, proj: Projection | None = None) -> str:
    """The Monte Carlo part of the text report. ``source``: a report, or a MonteCarlo with its projection."""
    rep = source if isinstance(source, Report) else report_of(proj, monte_carlo=source)
    mc, u = rep.monte_carlo, rep.uncertainty
    cur = rep.currency
    months = rep.summary.months
    m = lambda cents: money(cents_to_float(cents), cur)  # noqa: E731
    lines = ["", f"Uncertainty ({u.samples:,} samples, {u.distribution.upper()}, seed {u.seed})"]
    if not mc.inputs:
        lines.append("  The plan has no ranges: every figure above is a single estimate. Write an input as "
                     "{low: .., likely: .., high: ..} or '2M ± 30%' to see its spread.")
        return "\n".join(lines) + "\n"
    lines.append(f"  Horizon total P50 {m(u.total_p50)} (P10 {m(u.total_p10)} - P90 {m(u.total_p90)})")
    lines.append(f"  Last month    P50 {m(u.monthly_p50[-1])} (P10 {m(u.monthly_p10[-1])} - "
                 f"P90 {m(u.monthly_p90[-1])})")
    if u.budget_exceeded is not None:
        risky = [(str(month), p) for month, p in zip(months, u.budget_exceeded) if p >= 0.1]
        if risky:
            lines.append(f"  Budget: {risky[0][1]:.0%} chance of exceeding it in {risky[0][0]}; "
                         f"{u.budget_exceeded[-1]:.0%} in {months[-1]}")
        else:
            lines.append("  Budget: under 10% chance of exceeding it in any month")
    lines.append("  Ranges: " + "; ".join(
        f"{i.label} {input_value(i.key_path, i.low)}..{input_value(i.key_path, i.high)}" for i in mc.inputs))
    return "\n".join(lines) + "\n"


def tornado_data(t: "Tornado", plan: Any) -> dict:  # noqa: F821
    """``aicost drivers --json``."""
    return {"name": plan.name, "currency": plan.currency, "baseline_total": round(t.baseline_total, 2),
            "inputs": [{"key_path": b.input.key_path, "label": b.input.label, "low": b.input.low,
                        "likely": b.input.likely, "high": b.input.high, "from_range": b.input.from_range,
                        "total_at_low": round(b.total_low, 2), "total_at_high": round(b.total_high, 2),
                        "swing": round(b.swing, 2)} for b in t.bars]}


def tornado_text(t: "Tornado", plan: Any, top: int = 15) -> str:  # noqa: F821
    cur = plan.currency
    width = min(max([len(b.input.label) for b in t.bars[:top]] + [len("input")]), 72)  # labels with units are long
    lines = [f"{plan.name}: what moves the {plan.months}-month total ({money(t.baseline_total, cur)})",
             "Each input at its low and high (its range, or +-20% when it has none), everything else at likely.", "",
             f"{'input':<{width + 2}} {'low -> total':>26} {'high -> total':>26} {'swing':>14}"]
    for b in t.bars[:top]:
        mark = "  " if b.input.from_range else " *"
        lo, hi = input_value(b.input.key_path, b.input.low), input_value(b.input.key_path, b.input.high)
        low = f"{lo} -> {money(b.total_low, cur, compact=True)}"
        lines.append(f"{b.input.label[:width] + mark:<{width + 2}} {low:>26} "
                     f"{f'{hi} -> {money(b.total_high, cur, compact=True)}':>26} "
                     f"{money(b.swing, cur, compact=True):>14}")
    if any(not b.input.from_range for b in t.bars[:top]):
        lines += ["", "* no range in the plan: +-20% shown; give a range to pin it down"]
    return "\n".join(lines) + "\n"


def quantity(x: float) -> str:
    """``14M``, ``2.5k``, ``0.75``: a plain amount written the way plans write it."""
    a = abs(x)
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            return f"{x / div:.3g}{suffix}"
    return f"{x:.3g}"


def input_value(key_path: str, value: float) -> str:
    """An input's value for display, as its field in the schema says: shares as percentages, whole numbers
    (GPUs, people, runs) as whole numbers, amounts as quantities."""
    spec = fields.at(key_path)
    if spec is not None and spec.kind is fields.Kind.ENUM:  # a swung enum: the place of its choice
        return spec.choices[int(round(value))].text
    if spec is not None and spec.share:
        return f"{value * 100:.3g}%"
    if spec is not None and spec.integer:
        return quantity(float(round(value)))
    return quantity(value)

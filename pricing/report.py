"""Presentation of a projection: cents rounded once (half-even), JSON document and text tables."""
from __future__ import annotations

from typing import Any

import numpy as np

from pricing.engine import Projection
from pricing.plan import Category
from pricing.rounding import cents_to_float, money, rounded_matrix


def source_data(s: Any) -> dict:
    return {"key": s.key, "source": s.source, "as_of": s.as_of,
            "as_of_date": s.as_of_date.isoformat() if s.as_of_date else None,
            "confidence": s.confidence, "overridden": s.overridden}


def prices_as_of(proj: Projection) -> dict:
    """The oldest dated price used, and how many used prices carry no date."""
    oldest = proj.oldest_source()
    undated = proj.undated_sources()
    return {"oldest": oldest.as_of_date.isoformat() if oldest else None,
            "oldest_key": oldest.key if oldest else None,
            "undated": len(undated), "undated_keys": [s.key for s in undated]}


def report_data(proj: Projection, *, quantities: bool = True) -> dict:
    """The ``aicost report --json`` document (documented in docs/cli.md). ``quantities=False`` leaves each line's
    monthly quantities out (empty): the text report doesn't show them, and rounding them is most of the work."""
    cells = rounded_matrix(proj)
    line_totals = cells.sum(axis=1) if len(cells) else np.zeros(0, dtype=np.int64)
    total = int(cells.sum())
    cats: dict[str, np.ndarray] = {c.value: np.zeros(len(proj.months), dtype=np.int64) for c in Category}
    items = []
    for li, row, tot in zip(proj.line_items, cells, line_totals):
        cats[li.category.value] = cats[li.category.value] + row
        items.append({
            "name": li.name, "category": li.category.value, "section": li.section, "key_path": li.key_path,
            "monthly": cents_to_float(row), "total": cents_to_float(tot),
            "quantities": {k: [round(float(x), 6) for x in v] for k, v in li.quantities} if quantities else {},
            "sources": [source_data(s) for s in li.sources], "notes": list(li.notes),
        })
    monthly = cells.sum(axis=0) if len(cells) else np.zeros(len(proj.months), dtype=np.int64)
    ranked = sorted(zip(proj.line_items, line_totals), key=lambda p: (-int(p[1]), p[0].name))
    over = proj.first_month_over_budget()
    per_1k = proj.cost_per_1k_requests()
    return {
        "name": proj.plan.name, "currency": proj.currency,
        "months": [str(m) for m in proj.months],
        "total": cents_to_float(total),
        "monthly": cents_to_float(monthly),
        "cumulative": cents_to_float(np.cumsum(monthly)),
        "run_rate_now": cents_to_float(monthly[0]) if len(monthly) else 0.0,
        "run_rate_end": cents_to_float(monthly[-1]) if len(monthly) else 0.0,
        "cost_per_1k_requests": round(per_1k, 4) if per_1k is not None else None,
        "monthly_budget": proj.plan.monthly_budget,
        "first_month_over_budget": str(proj.months[over]) if over is not None else None,
        "categories": {k: cents_to_float(v) for k, v in cats.items()},
        "line_items": items,
        "drivers": [{"name": li.name, "key_path": li.key_path, "category": li.category.value,
                     "total": cents_to_float(t), "share": round(int(t) / total, 6) if total else 0.0}
                    for li, t in ranked],
        "prices_as_of": prices_as_of(proj),
    }


def text_report(proj: Projection, *, top: int = 8, width_months: int = 12) -> str:
    """A readable report: categories by month (yearly columns beyond ``width_months``), drivers, totals."""
    d = report_data(proj, quantities=False)
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
    widths = [max(len(h), *(len(fmt(cells[n][j])) for n in names), len(fmt(totals[j]))) for j, (h, _) in enumerate(cols)]
    lines.append("  ".join([f"{'Category':<{w0}}"] + [f"{h:>{w}}" for (h, _), w in zip(cols, widths)] + [f"{'Horizon':>12}"]))
    for n in names:
        lines.append("  ".join([f"{n:<{w0}}"] + [f"{fmt(v):>{w}}" for v, w in zip(cells[n], widths)]
                               + [f"{fmt(sum(d['categories'][n])):>12}"]))
    lines.append("  ".join([f"{'Total':<{w0}}"] + [f"{fmt(v):>{w}}" for v, w in zip(totals, widths)]
                           + [f"{fmt(d['total']):>12}"]))
    lines += ["", f"Horizon total        {money(d['total'], cur)}",
              f"Run-rate, month 1    {money(d['run_rate_now'], cur)}/month",
              f"Run-rate, month {len(months):<4} {money(d['run_rate_end'], cur)}/month"]
    if d["cost_per_1k_requests"] is not None:
        lines.append(f"Cost per 1k requests {money(d['cost_per_1k_requests'], cur)}")
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
    if pa["oldest"]:
        lines.append(f"Prices: oldest dated price used is from {pa['oldest']} ({pa['oldest_key']})"
                     + (f"; {_undated(pa['undated'])}" if pa["undated"] else ""))
    elif pa["undated"]:
        lines.append(f"Prices: {_undated(pa['undated'])}")
    return "\n".join(lines) + "\n"


def _undated(n: int) -> str:
    return "1 price used is an undated catalog snapshot" if n == 1 else f"{n} prices used are undated catalog snapshots"


def uncertainty_data(mc: "MonteCarlo", proj: Projection) -> dict:  # noqa: F821
    """The ``uncertainty`` part of ``report --json``."""
    r2 = lambda xs: [round(float(x), 2) for x in xs]  # noqa: E731
    return {
        "samples": mc.samples, "seed": mc.seed, "distribution": mc.distribution,
        "monthly_p10": r2(mc.monthly_p10), "monthly_p50": r2(mc.monthly_p50), "monthly_p90": r2(mc.monthly_p90),
        "total_p10": round(mc.total_p10, 2), "total_p50": round(mc.total_p50, 2), "total_p90": round(mc.total_p90, 2),
        "total_mean": round(mc.total_mean, 2),
        "budget_exceeded_probability": None if mc.budget_exceeded is None else [round(float(x), 4) for x in mc.budget_exceeded],
        "inputs": [{"key_path": i.key_path, "label": i.label, "low": i.low, "likely": i.likely, "high": i.high}
                   for i in mc.inputs],
    }


def uncertainty_text(mc: "MonteCarlo", proj: Projection) -> str:  # noqa: F821
    cur = proj.currency
    lines = ["", f"Uncertainty ({mc.samples:,} samples, {mc.distribution.upper()}, seed {mc.seed})"]
    if not mc.inputs:
        lines.append("  The plan has no ranges: every figure above is a single estimate. Write an input as "
                     "{low: .., likely: .., high: ..} or '2M ± 30%' to see its spread.")
        return "\n".join(lines) + "\n"
    lines.append(f"  Horizon total P50 {money(mc.total_p50, cur)} (P10 {money(mc.total_p10, cur)} - "
                 f"P90 {money(mc.total_p90, cur)})")
    lines.append(f"  Last month    P50 {money(mc.monthly_p50[-1], cur)} (P10 {money(mc.monthly_p10[-1], cur)} - "
                 f"P90 {money(mc.monthly_p90[-1], cur)})")
    if mc.budget_exceeded is not None:
        risky = [(str(m), p) for m, p in zip(proj.months, mc.budget_exceeded) if p >= 0.1]
        if risky:
            lines.append(f"  Budget: {risky[0][1]:.0%} chance of exceeding it in {risky[0][0]}; "
                         f"{mc.budget_exceeded[-1]:.0%} in {proj.months[-1]}")
        else:
            lines.append("  Budget: under 10% chance of exceeding it in any month")
    lines.append("  Ranges: " + "; ".join(f"{i.label} {input_value(i.key_path, i.low)}..{input_value(i.key_path, i.high)}"
                                       for i in mc.inputs))
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
    lines = [f"{plan.name}: what moves the {plan.months}-month total ({money(t.baseline_total, cur)})",
             "Each input at its low and high (its range, or +-20% when it has none), everything else at likely.", "",
             f"{'input':<48} {'low -> total':>26} {'high -> total':>26} {'swing':>14}"]
    for b in t.bars[:top]:
        mark = "  " if b.input.from_range else " *"
        lo, hi = input_value(b.input.key_path, b.input.low), input_value(b.input.key_path, b.input.high)
        lines.append(f"{b.input.label[:46] + mark:<48} {f'{lo} -> {money(b.total_low, cur, compact=True)}':>26} "
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
    """An input's value for display: shares as percentages, amounts as quantities."""
    from pricing.planfile import _SHARE_FIELDS
    field = key_path.rsplit(".", 1)[-1]
    return f"{value * 100:.3g}%" if field in _SHARE_FIELDS else quantity(value)

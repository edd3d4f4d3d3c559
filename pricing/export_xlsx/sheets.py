"""The sheets around the line blocks: Inputs and Monthly headers, commitments, totals, Summary, Scenarios,
Drivers and Notes."""
from __future__ import annotations

import datetime as _dt
from typing import Any, Sequence

import numpy as np

from pricing.engine import LineItem, Projection
from pricing.plan import Category

from pricing.export_xlsx.book import COMPUTED, FIRST_MONTH_COL, HEADER_ROWS, _Book, _lines, _Row, _col, fiscal_year


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


def _commitment_block(b: _Book, proj: Projection, ctx: Any, switch: str) -> list[tuple[LineItem, _Row]]:
    """Rows of each commitment of the plan (pricing/drivers/commitments.py, line for line): committed GPU-hours,
    the usage it covers, the on-demand cost no longer billed, its charge amortised and as cash, and its cost:
    the charge in the view the ``view_cash`` switch picks less that on-demand cost."""
    from pricing.drivers import commitments as driver
    plan = proj.plan
    b.section("Compute · commitments")
    items = {li.key_path: li for li in proj.line_items}
    resolved, _ = driver.resolve(plan, ctx)
    # the lines each pool's usage comes from, and the commitments bought for it (they cover it in plan order)
    members: dict[tuple[str, str], list[LineItem]] = {}
    for section, i, line, why in driver.compute_lines(plan):
        if why is None:
            members.setdefault(driver.pool_key(ctx, line), []).append(items[f"{section}[{i}]"])
    caps: dict[tuple[str, str], list[str]] = {}
    usage_rows: dict[tuple[str, str], _Row] = {}
    out = []
    for r in resolved:
        li = items[r.key_path]
        c, offer, pool = r.commitment, r.commitment.offer, (r.provider, r.gpu)
        name, p = li.name, f"cm{r.index + 1}"
        src = offer.source
        b.line = None
        g = b.input(f"{p}_gpus", name, "GPUs committed (paid every hour of the term)", c.gpus, "GPUs",
                    source="given in the plan")
        start = b.input(f"{p}_start", name, "first plan month of the term", c.start, "plan month",
                        source="given in the plan")
        term = b.input(f"{p}_term", name, f"term of {offer.key}", offer.term_months, "months", source=src.source,
                       as_of=src.as_of, confidence=src.confidence)
        disc = b.input(f"{p}_discount", name, "discount off on-demand (1 - effective rate / on-demand rate)",
                       offer.discount, "fraction", source=src.source, as_of=src.as_of, confidence=src.confidence,
                       note=f"{offer.instance}: {offer.effective_rate:g} vs {offer.on_demand:g} USD per "
                            "instance-hour")
        share = b.input(f"{p}_upfront_share", name, "share of the term paid at purchase", c.share, "fraction",
                        source=src.source if c.upfront_share is None else "given in the plan", as_of=src.as_of)
        price = ctx.catalog.gpu_price(r.gpu, r.provider, "on_demand")
        od = b.price(price.source, price.value, price.unit, name, f"{r.gpu} on_demand at {r.provider}")
        cap = b.row(name, "committed GPU-hours", "GPU-hours",
                    f"IF(AND({{M}}>={start},{{M}}<{start}+{term}),{g}*hours_per_month,0)",
                    li.quantity("committed GPU-hours"))
        lines = members.get(pool, [])
        before = caps.setdefault(pool, [])
        if lines and all(x.section == "compute.inference" for x in lines):
            # serving runs all month: the usage a commitment covers is min(usage, what is committed), less what
            # the commitments before it cover
            if pool not in usage_rows:
                refs = "+".join(b.ref(b.quantity_rows[(x.key_path, "GPU-hours")]) for x in lines)
                usage_rows[pool] = b.row(f"{r.gpu} at {r.provider}", "on-demand usage of the pool", "GPU-hours",
                                         f"({refs})", sum(x.quantity("GPU-hours") for x in lines))
            use = b.ref(usage_rows[pool])
            upto = "+".join(before + [b.ref(cap)])
            below = f"-MIN({use},{'+'.join(before)})" if before else ""
            cov = b.row(name, "usage covered by the commitment", "GPU-hours", f"MIN({use},{upto}){below}",
                        li.quantity("GPU-hours covered"))
        else:
            cov = b.row(name, "usage covered by the commitment", "GPU-hours", "", li.quantity("GPU-hours covered"),
                        computed=True)
            b.computed_notes.append((name, "the GPU-hours a commitment covers depend on how its pool's runs overlap "
                                     "within the month (pricing/drivers/commitments.covered_hours): computed; the "
                                     "prices, discount, term, start, GPUs and upfront share stay live"))
        before.append(b.ref(cap))
        credit = b.row(name, "on-demand cost no longer billed", b.plan.currency, f"-{b.ref(cov)}*{od}*fx_rate",
                       -li.quantity("on-demand cost avoided"), fmt="money")
        rate = f"{od}*(1-{disc})*fx_rate"
        amort = b.row(name, "commitment charge, amortised", b.plan.currency, f"{b.ref(cap)}*{rate}",
                      li.quantity("charge, amortised"), fmt="money")
        cash = b.row(name, "commitment charge, cash", b.plan.currency,
                     f"IF({{M}}={start},{share}*{g}*hours_per_month*{term}*{rate},0)+(1-{share})*{b.ref(cap)}*{rate}",
                     li.quantity("charge, cash"), fmt="money")
        out.append((li, b.row(name, "cost", b.plan.currency,
                              f"{b.ref(credit)}+IF({switch}=1,{b.ref(cash)},{b.ref(amort)})", li.monthly,
                              fmt="money", detail=False)))
    return out


def _totals(b: _Book, proj: Projection, cost_rows: list[tuple[LineItem, _Row]]) -> dict:
    b.section("Totals")
    rows: dict[Any, _Row] = {}
    for cat in Category:
        mine = [r for li, r in cost_rows if li.category is cat]
        if not mine:
            continue
        cached = proj.category_totals[cat]
        expr = "+".join(b.ref(r) for r in mine)
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
    first = _dt.date(2000, first_fiscal_month, 1).strftime("%B")
    period = f"fiscal year (first month: {first})" if first_fiscal_month != 1 else "calendar year"
    b.text(ws, 0, 0, f"{plan.name}: cost by category and {period}", b.f["title"])
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
        for j, ks in enumerate(years.values(), start=1):
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


def _notes(b: _Book, proj: Projection, first_fiscal_month: int, generated: _dt.date) -> None:
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
        ("Commitments", "none" if not proj.plan.commitments else
         f"{len(proj.plan.commitments)} commitment(s); shown {proj.view.value} (Inputs: view_cash flips it). Each "
         "one's cost is its charge less the on-demand cost of the usage it covers. Cash: the upfront payment "
         "falls in the month paid and the recurring fee in each month of the term (as FOCUS BilledCost); "
         "amortised: the whole charge spread evenly over the months of its term (as FOCUS EffectiveCost)."),
        ("Scenarios", "each scenario's monthly totals are the engine's figures (a scenario transforms the plan: "
                      "its lines are not recomputed here); the savings beside them are formulas."),
    ]
    for name, text in b.computed_notes:
        rows.append((f"{COMPUTED}: {name}", text))
    for name in b.computed:
        rows.append((f"{COMPUTED}: {name}", "an input written as the engine's figure (see its row on Inputs)"))
    ws.write_string(0, 0, "Notes", b.f["title"])
    for i, (k, v) in enumerate(rows, start=2):
        b.text(ws, i, 0, (k), b.f["bold_top"])
        b.text(ws, i, 1, (v), b.f["wrap"])
        lines = _lines((k, 28), (v, 105))
        if lines > 1:  # wrapped text needs the row's height (LibreOffice's PDF does not fit rows to it)
            ws.set_row(i, 15 * lines + 2)
    _print_setup(ws, rows=(0, 0), cols=None, wide=1)



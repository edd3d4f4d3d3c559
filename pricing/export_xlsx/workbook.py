"""The workbook of a plan written whole (write_workbook) and the export to a file through the atomic writer."""
from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from pricing import atomic, currencies, fx
from pricing.engine import HOURS_PER_MONTH, LineItem, Projection
from pricing.plan import SECTIONS, Plan

from pricing.export_xlsx.book import _SECTION_PREFIX, _SECTION_TITLE, _Book, _Row
from pricing.export_xlsx.lines import _BLOCKS
from pricing.export_xlsx.sheets import (_commitment_block, _drivers, _finish_inputs, _finish_monthly, _inputs_header,
                                       _monthly_header, _notes, _scenarios, _summary, _totals)


@dataclass(frozen=True, slots=True)
class Exported:
    """What the Excel export wrote, and what it left out."""

    path: Path
    computed_inputs: tuple[str, ...]
    """Inputs written as the engine's figure (not recomputed by the workbook), by defined name."""
    skipped: tuple[str, ...] = ()
    """Scenarios that could not be evaluated, each with the reason."""


# ---------------------------------------------------------------------------------------------
# The workbook
# ---------------------------------------------------------------------------------------------


def money_format(currency: str) -> str:
    """Excel number format of an amount in the plan's currency (symbol, thousands, the currency's decimals,
    negatives red); symbol and decimals from the one currency table (``pricing.currencies``)."""
    cur = currencies.known(currency)
    sym = cur.symbol.replace('"', "")
    number = "#,##0" + ("." + "0" * cur.decimals if cur.decimals else "")
    return f'"{sym}"{number};[Red]-"{sym}"{number}'


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
    b = _Book(wb, plan, n, money_format(plan.currency), view_cash=view == "cash", items=proj.line_items)
    b.formats()
    b.inputs = wb.add_worksheet("Inputs")
    b.monthly = wb.add_worksheet("Monthly")
    _inputs_header(b)

    # global inputs
    rate = fx.for_plan(plan)
    b.input("fx_rate", "(plan)", f"{plan.currency} per USD", rate.per_usd, f"{plan.currency}/USD",
            source=fx.rate_text(rate))
    b.input("hours_per_month", "(engine)", "billing hours in a month", HOURS_PER_MONTH, "hours",
            source="8,760 hours a year / 12, as cloud price sheets use (pricing/engine.py)")
    b.input("weeks_per_month", "(engine)", "weeks in a month", "=52/12", "weeks",
            source="52 weeks / 12 (pricing/drivers/compute.py)")
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
        base_row = b.row(li.name, "marked-up compute", b.plan.currency, f"({base_expr})",
                         li.quantity("marked-up compute"), fmt="money")
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


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def export(plan: Plan, path: str | os.PathLike, *, catalog: Any = None, first_fiscal_month: int = 1,
           view: str = "amortised", commitments: Sequence[Any] = (), tornado: Any = None,
           with_tornado: bool = True, generated: _dt.date | None = None,
           cancel: Callable[[], bool] | None = None, report: Any = None) -> Exported:
    """Write the workbook of ``plan`` atomically (the plan files' writer: temporary file in the same folder,
    fsync, rename; the replaced file's mode is kept) from its report: ``report`` (a ``report_model.Report``
    with its scenarios and tornado), or one gathered here (the plan projected, its scenarios evaluated, its
    tornado unless ``with_tornado`` is False or ``tornado`` is given)."""
    import io
    from pricing import report_model, uncertainty
    if catalog is None:
        from pricing.catalog import Catalog
        catalog = Catalog.load()
    if report is None:
        report = report_model.gather(plan, catalog, monte_carlo=False,
                                     tornado=tornado is None and with_tornado, texts=False, cancel=cancel)
    proj = report.projection
    results = [f.result for f in report.scenarios]
    skipped = list(report.skipped)
    if tornado is None:
        tornado = report.tornado
    buf = io.BytesIO()
    computed = write_workbook(proj, buf, catalog=catalog, scenario_results=results, tornado=tornado,
                              first_fiscal_month=first_fiscal_month, view=view, commitments=commitments,
                              generated=generated, skipped=skipped)
    if cancel is not None and cancel():
        raise uncertainty.Cancelled()
    data = buf.getvalue()
    atomic.write_file(path, lambda fh: fh.write(data), binary=True)
    return Exported(Path(path), computed, tuple(skipped))

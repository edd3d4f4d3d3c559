"""CSV export: costs per line item by month (long form), a summary, monthly totals, fiscal periods, comparisons.

The files and their columns are documented in docs/exports.md. In short:

- Every figure comes from the report model (``report_model.Report``, gathered once: the PDF and
  ``aicost report`` read the same one). Amounts are whole cents rounded half-even once, to the
  currency's minor unit (``rounding.to_cents``), written as plain decimals with the currency's
  decimals (``1234.56``; JPY ``1235``: a dot, no thousands separator), so every total in a file is
  the sum of its parts to the cent.
- Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
  tab or CR) are prefixed with an apostrophe (``safe_cell``).
- CRLF line ends (RFC 4180). Files exported for people (``export``, ``write_summary``,
  ``write_monthly``, ``write_compare``) start with a UTF-8 byte-order mark, which Excel needs to
  read UTF-8 (without it Excel assumes the system code page and mangles ``€`` or accented names);
  LibreOffice, pandas and Python's ``csv`` (with ``encoding="utf-8-sig"``) read it either way.
  ``write`` (``aicost report --csv``) writes no BOM by default: its readers are scripts and pipes.
"""
from __future__ import annotations

import contextlib
import csv
import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from pricing import currencies, report_model
from pricing.atomic import check_target, write_file
from pricing.engine import Projection
from pricing.plan import Category
from pricing.report_model import Report, Summary, UncertaintyFigures
from pricing.rounding import to_cents

if TYPE_CHECKING:
    from pricing.compare import Comparison
    from pricing.plan import Plan
    from pricing.scenarios import ScenarioResult

HEADER = ("month", "category", "section", "line_item", "scenario", "amount", "currency")
"""Columns of the long-form file (one row per line item per month per scenario)."""
SUMMARY_HEADER = ("level", "scenario", "name", "category", "section", "run_rate_first_month", "run_rate_last_month",
                  "horizon_total", "share_of_total", "saving", "saving_share", "currency")
"""Columns of the summary file (docs/exports.md: one row per line, category, total, strategy, percentile)."""
PERCENTILES = ("p10", "p50", "p90")
"""Monthly-file columns added when the plan has ranges (Monte Carlo percentiles of each month's total)."""
BASELINE = "baseline"
"""The ``scenario`` cell of the plan as it is."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """Neutralise text a spreadsheet would run as a formula (prefix it with an apostrophe)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def amount(cents: int, decimals: int = 2) -> str:
    """Whole cents as a plain decimal with the currency's decimals: ``123456`` -> ``1234.56``, ``-5`` ->
    ``-0.05``; with 0 decimals (JPY, whose cents are whole units: multiples of 100) ``123400`` -> ``1234``."""
    c = int(cents)
    sign = "-" if c < 0 else ""
    if decimals == 2:
        return f"{sign}{abs(c) // 100}.{abs(c) % 100:02d}"
    if abs(c) % 10 ** (2 - decimals):
        raise ValueError(f"{c} cents is not a whole amount with {decimals} decimals (round with rounding.to_cents)")
    units = abs(c) // 10 ** (2 - decimals)
    if decimals == 0:
        return f"{sign}{units}"
    return f"{sign}{units // 10 ** decimals}.{units % 10 ** decimals:0{decimals}d}"


def _ratio(x: float | None) -> str:
    return "" if x is None else f"{x:.6f}"


@contextlib.contextmanager
def _opened(path_or_file: Any, bom: bool) -> Iterator[IO[str]]:
    """A text stream for a path (``-`` is stdout) or an open file; paths are closed afterwards."""
    if path_or_file == "-":
        yield sys.stdout
        return
    if isinstance(path_or_file, (str, bytes)) or hasattr(path_or_file, "__fspath__"):
        with open(path_or_file, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
            yield fh
        return
    if bom:
        path_or_file.write("\ufeff")
    yield path_or_file


def _writer(fh: IO[str]) -> Any:
    return csv.writer(fh, lineterminator="\r\n")


# ---------------------------------------------------------------------------------------------
# Long form: month x line item x scenario
# ---------------------------------------------------------------------------------------------


def _report(source: Report | Projection, scenario_results: Any = None,
            uncertainty: UncertaintyFigures | None = None) -> Report:
    """The report a writer reads: ``source`` itself, or one assembled from a projection and parts already
    computed (``report_model.report_of``: nothing is projected again)."""
    if isinstance(source, Report):
        return source
    return report_model.report_of(source, _scenario_results(scenario_results), uncertainty=uncertainty)


def _scenario_results(scenarios: Any) -> list[Any]:
    """ScenarioResults, from a list of them or a ``{name: Projection}`` mapping (taken as is)."""
    if not scenarios:
        return []
    if isinstance(scenarios, Mapping):
        return []
    return list(scenarios)


def rows(source: Report | Projection | Summary, scenario: str = BASELINE) -> Iterable[tuple[str, ...]]:
    """Long-form rows: one per line item per month, amounts in cents rounded once (the report model's)."""
    s = source if isinstance(source, Summary) else _report(source).summary
    cur = safe_cell(s.currency)
    scen = safe_cell(scenario)
    names = [(li.category.value, li.section, safe_cell(li.name)) for li in s.lines]
    for j, month in enumerate(s.months):
        m = str(month)
        for (cat, section, name), li in zip(names, s.lines):
            yield (m, cat, section, name, scen, amount(li.monthly[j], s.decimals), cur)


def write(source: Report | Projection, path_or_file: Any, scenarios: Any = None, *, bom: bool = False) -> None:
    """Write the baseline and the scenarios in long form: a report's (``scenarios`` None), or, with a
    projection, those given (``{name: Projection}`` or ScenarioResults).

    ``path_or_file``: a path (written through the atomic writer), ``-`` for stdout, or an open text file
    (opened with ``newline=""``).
    """
    if isinstance(source, Report) and scenarios is None:
        pairs = [(f.name, f.summary) for f in source.scenarios]
    elif isinstance(scenarios, Mapping):
        pairs = [(name, report_model.summarize(p)) for name, p in scenarios.items()]
    else:
        pairs = [(r.scenario.name, report_model.summarize(r.projection)) for r in scenarios or ()]
    base = _report(source).summary

    def write_rows(fh: IO[str]) -> None:
        w = _writer(fh)
        w.writerow(HEADER)
        w.writerows(rows(base))
        for name, summary in pairs:
            w.writerows(rows(summary, name))
    _write(path_or_file, write_rows, bom)


def _write(path_or_file: Any, write_rows: Callable[[IO[str]], None], bom: bool) -> None:
    """Rows to stdout (``-``), to an open file, or to a path through the one atomic writer (a failed write
    leaves the previous file whole: never a file cut mid-row)."""
    if path_or_file == "-" or not (isinstance(path_or_file, (str, bytes)) or hasattr(path_or_file, "__fspath__")):
        with _opened(path_or_file, bom) as fh:
            write_rows(fh)
        return
    write_file(path_or_file, write_rows, encoding="utf-8-sig" if bom else "utf-8", newline="")


def to_text(source: Report | Projection) -> str:
    buf = io.StringIO()
    write(source, buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# Summary: lines, categories, totals, scenario savings and their strategies, percentiles
# ---------------------------------------------------------------------------------------------


def summary_rows(source: Report | Projection, scenario_results: Sequence["ScenarioResult"] = (),
                 uncertainty: UncertaintyFigures | None = None) -> list[tuple[str, ...]]:
    """The summary table (``SUMMARY_HEADER``): for the baseline and each scenario, one row per line, per
    category and the total; each scenario's total row carries its saving and is followed by one row per
    strategy (the strategies' savings sum to it); then P10/P50/P90 rows when the report has Monte Carlo
    figures. ``source``: a report, or a projection with the scenario results and figures already computed."""
    rep = _report(source, scenario_results, uncertainty)
    base = rep.summary
    places = base.decimals
    money = lambda c: amount(c, places)  # noqa: E731
    cur = safe_cell(base.currency)
    out: list[tuple[str, ...]] = []
    views = [(BASELINE, base, None)] + [(f.name, f.summary, f) for f in rep.scenarios]
    for name, s, figures in views:
        scen = safe_cell(name)
        share = (lambda c, total=s.total: _ratio(c / total if total else 0.0))  # noqa: E731
        for li in s.lines:
            out.append(("line", scen, safe_cell(li.name), li.category.value, li.section, money(li.first),
                        money(li.last), money(li.total), share(li.total), "", "", cur))
        for cat, monthly in s.categories:
            if np.any(monthly) or np.any(base.category_monthly(cat)):
                total = int(monthly.sum())
                out.append(("category", scen, cat.value, cat.value, "", money(monthly[0]) if len(monthly) else
                            money(0), money(monthly[-1]) if len(monthly) else money(0), money(total), share(total),
                            "", "", cur))
        saving = saving_share = ""
        if figures is not None:
            cents = figures.saving
            assert cents == base.total - s.total  # both are differences of the same rounded cells
            saving, saving_share = money(cents), _ratio(cents / base.total if base.total else 0.0)
        out.append(("total", scen, "Total", "", "", money(s.run_rate_first), money(s.run_rate_last), money(s.total),
                    _ratio(1.0 if s.total else 0.0), saving, saving_share, cur))
        if figures is not None:
            for st in figures.strategies:
                out.append(("strategy", scen, safe_cell(st.name), "", "", "", "", "", "", money(st.total),
                            _ratio(st.total / base.total if base.total else 0.0), cur))
    unit = rep.projection.unit_cost()
    if unit is not None:  # the bill per unit of work, and what is counted (docs/exports.md)
        out.insert(next(i for i, r in enumerate(out) if r[0] == "total") + 1,
                   ("unit_cost", BASELINE, safe_cell(f"{unit.label} ({unit.counted})"), "", "", "", "",
                    money(int(to_cents(unit.value, places)[0])), "", "", "", cur))
    if rep.plan.commitments:  # how their charges fall in the months (docs/exports.md)
        out.append(("view", BASELINE, rep.view.value, "", "", "", "", "", "", "", "", cur))
    u = rep.uncertainty
    if u is not None:
        for label, monthly, total in (("P10", u.monthly_p10, u.total_p10), ("P50", u.monthly_p50, u.total_p50),
                                      ("P90", u.monthly_p90, u.total_p90)):
            out.append(("percentile", BASELINE, label, "", "", money(monthly[0]), money(monthly[-1]), money(total),
                        "", "", "", cur))
    return out


def write_summary(source: Report | Projection, path_or_file: Any,
                  scenario_results: Sequence["ScenarioResult"] | None = None, *,
                  uncertainty: UncertaintyFigures | None = None, bom: bool = True) -> None:
    """Write the summary table (see ``summary_rows`` and docs/exports.md)."""
    table = summary_rows(source, scenario_results or (), uncertainty)

    def write_rows(fh: IO[str]) -> None:
        w = _writer(fh)
        w.writerow(SUMMARY_HEADER)
        w.writerows(table)
    _write(path_or_file, write_rows, bom)


# ---------------------------------------------------------------------------------------------
# Monthly totals: a column per category, total, cumulative, and P10/P50/P90 when the plan has ranges
# ---------------------------------------------------------------------------------------------


def monthly_header(uncertainty: UncertaintyFigures | None = None) -> tuple[str, ...]:
    cats = tuple(c.value.lower() for c in Category)
    percentiles = PERCENTILES if uncertainty is not None else ()
    return ("month",) + cats + ("total", "cumulative") + percentiles + ("currency",)


def monthly_rows(source: Report | Projection, uncertainty: UncertaintyFigures | None = None) -> list[tuple[str, ...]]:
    """One row per month: each category, their total (the sum of the row), the running total and, when the
    report has Monte Carlo figures, the month's P10/P50/P90 (statistics of their own: not sums of the row)."""
    rep = _report(source, uncertainty=uncertainty)
    s, u = rep.summary, rep.uncertainty
    money = lambda c: amount(c, s.decimals)  # noqa: E731
    cur = safe_cell(s.currency)
    cum = s.cumulative
    out = []
    for j, month in enumerate(s.months):
        cells = [money(row[j]) for _, row in s.categories]
        extra = ()
        if u is not None:
            extra = (money(u.monthly_p10[j]), money(u.monthly_p50[j]), money(u.monthly_p90[j]))
        out.append((str(month), *cells, money(s.monthly[j]), money(cum[j]), *extra, cur))
    return out


def write_monthly(source: Report | Projection, path_or_file: Any, *, uncertainty: UncertaintyFigures | None = None,
                  bom: bool = True) -> None:
    rep = _report(source, uncertainty=uncertainty)
    table = monthly_rows(rep)

    def write_rows(fh: IO[str]) -> None:
        w = _writer(fh)
        w.writerow(monthly_header(rep.uncertainty))
        w.writerows(table)
    _write(path_or_file, write_rows, bom)


# ---------------------------------------------------------------------------------------------
# Fiscal quarters and years: a row per period, a column per category
# ---------------------------------------------------------------------------------------------


def fiscal_header() -> tuple[str, ...]:
    cats = tuple(c.value.lower() for c in Category)
    return ("period", "label", "fiscal_year", "quarter", "first_month", "last_month", "months") + cats + (
        "total", "currency")


def fiscal_rows(source: Report | Projection) -> list[tuple[str, ...]]:
    """One row per fiscal quarter, then one per fiscal year, of the plan's fiscal calendar
    (``fiscal_year_start``; a fiscal year is named by the calendar year in which it ends). Each row's
    categories sum to its total; the quarters' totals, and the years', sum to the horizon total."""
    rep = _report(source)
    s = rep.summary
    money = lambda c: amount(c, s.decimals)  # noqa: E731
    cur = safe_cell(s.currency)
    first = s.fiscal_year_start
    out = []
    for kind, table in (("quarter", rep.fiscal_quarters()), ("year", rep.fiscal_years())):
        rows = dict(table.rows)
        for j, p in enumerate(table.periods):
            m0 = s.months[p.start]
            fy, q = report_model.fiscal_quarter(m0.year, m0.month, first)
            cells = [money(int(rows[c][j])) if c in rows else money(0) for c in Category]
            out.append((kind, p.label, str(fy), str(q) if kind == "quarter" else "", str(m0),
                        str(s.months[p.stop - 1]), str(p.months), *cells, money(int(table.column_totals[j])), cur))
    return out


def write_fiscal(source: Report | Projection, path_or_file: Any, *, bom: bool = True) -> None:
    """Write the fiscal quarters and years (see ``fiscal_rows`` and docs/exports.md)."""
    table = fiscal_rows(source)

    def write_rows(fh: IO[str]) -> None:
        w = _writer(fh)
        w.writerow(fiscal_header())
        w.writerows(table)
    _write(path_or_file, write_rows, bom)


# ---------------------------------------------------------------------------------------------
# Everything for one plan: the four files side by side
# ---------------------------------------------------------------------------------------------


def export_paths(path: str | os.PathLike) -> tuple[Path, Path, Path, Path]:
    """``costs.csv`` -> (``costs.csv``, ``costs-summary.csv``, ``costs-monthly.csv``, ``costs-fiscal.csv``)."""
    p = Path(path)
    if p.suffix.lower() != ".csv":
        p = p.with_name(p.name + ".csv")
    return (p, p.with_name(f"{p.stem}-summary.csv"), p.with_name(f"{p.stem}-monthly.csv"),
            p.with_name(f"{p.stem}-fiscal.csv"))


@dataclass(frozen=True, slots=True)
class Exported:
    """What an export wrote, and what it had to leave out."""

    paths: tuple[Path, ...]
    skipped: tuple[str, ...] = ()
    """Scenarios left out because they can't be evaluated, each with the reason."""


def atomic_write(target: str | os.PathLike, write_fn: Callable[[IO[str]], None]) -> None:
    """Write UTF-8 with a BOM through the one atomic writer (``pricing.atomic``): a failed or cancelled
    export leaves no half-written file (and the old file, if any, untouched)."""
    write_file(target, write_fn, encoding="utf-8-sig", newline="")


def export(plan: "Plan", path: str | os.PathLike, *, catalog: Any = None,
           progress: Callable[[int, int], None] | None = None, cancel: Callable[[], bool] | None = None,
           samples: int | None = None, seed: int | None = None, projection: Projection | None = None,
           report: Report | None = None, view: Any = None) -> Exported:
    """Write the long-form, summary, monthly and fiscal files of a plan (BOM, CRLF; docs/exports.md).

    They read one report (``report``, or one gathered here: the plan's scenarios and, when it has
    ranges, Monte Carlo percentiles, seeded so the same plan gives the same file; ``projection``
    when the caller has it). ``progress(done, total)`` and ``cancel()`` serve a progress dialog;
    cancelling raises ``uncertainty.Cancelled`` and leaves no file behind. ``view``: commitments cash or
    amortised (``engine.View``) when the plan is projected here (a ``projection`` keeps its own).
    """
    step = progress or (lambda d, t: None)
    for target in export_paths(path):  # a FIFO, a device or a missing folder: refused before any work
        check_target(target)
    if report is None:
        report = report_model.gather(plan, catalog, projection=projection, tornado=False, texts=False,
                                     samples=samples, seed=seed, progress=report_model.scaled(progress, 0, 90),
                                     cancel=cancel, view=view)
    if cancel is not None and cancel():
        from pricing.uncertainty import Cancelled  # deferred: `aicost report --csv` never cancels
        raise Cancelled()
    write_report(report, path)
    step(100, 100)
    return Exported(export_paths(path), report.skipped)


def write_report(report: Report, path: str | os.PathLike) -> tuple[Path, Path, Path, Path]:
    """The four files of a report (``export_paths``), each through the one atomic writer."""
    long_path, summary_path, monthly_path, fiscal_path = export_paths(path)
    atomic_write(long_path, lambda fh: write(report, fh))
    atomic_write(summary_path, lambda fh: write_summary(report, fh, bom=False))
    atomic_write(monthly_path, lambda fh: write_monthly(report, fh, bom=False))
    atomic_write(fiscal_path, lambda fh: write_fiscal(report, fh, bom=False))
    return long_path, summary_path, monthly_path, fiscal_path


# ---------------------------------------------------------------------------------------------
# Comparisons
# ---------------------------------------------------------------------------------------------


def compare_header(cmp: "Comparison") -> tuple[str, ...]:
    ids = cmp.ids
    return (("kind", "name", "section", "category")
            + tuple(safe_cell(f"{i}: {e.label}") for i, e in zip(ids, cmp.entries))
            + tuple(f"{i} - A" for i in ids[1:]) + tuple(f"{i} - A ratio" for i in ids[1:]) + ("currency",))


def compare_rows(cmp: "Comparison") -> list[tuple[str, ...]]:
    """Figures, category totals, each line's horizon and last-month cost, and each month, side by side
    with the difference to the first entry (cents; blank where an entry has no value)."""
    cur = safe_cell(cmp.currency)
    k = len(cmp.entries)
    places = currencies.decimals(cmp.currency)
    cell = lambda c: "" if c is None else amount(c, places)  # noqa: E731

    def row(kind: str, name: str, section: str, category: str, values: Sequence[int | None],
            absent_is_zero: bool = False) -> tuple[str, ...]:
        """``absent_is_zero``: a line an entry lacks costs it nothing (so line deltas add up to the total's)."""
        z = [0 if v is None and absent_is_zero else v for v in values]
        ref = z[0]
        deltas = [None if v is None or ref is None else v - ref for v in z[1:]]
        ratios = [None if d is None or not ref else d / ref for d in deltas]
        return ((kind, safe_cell(name), section, category) + tuple(cell(v) for v in values)
                + tuple(cell(d) for d in deltas) + tuple(_ratio(r) for r in ratios) + (cur,))

    out = [("note", safe_cell(n), "", "") + ("",) * (k + 2 * (k - 1)) + (cur,) for n in cmp.notes]
    for f in cmp.figures:
        if f.key.startswith("category."):
            out.append(row("category", f.label, "", f.label, f.values))
        else:
            out.append(row("figure", f.label, "", "", f.values))
    for lc in cmp.lines:
        out.append(row("line", lc.name, lc.section, lc.category.value,
                       [v if p else None for v, p in zip(lc.horizon, lc.present)], True))
    for lc in cmp.lines:
        out.append(row("line_last_month", lc.name, lc.section, lc.category.value,
                       [v if p else None for v, p in zip(lc.last_month, lc.present)], True))
    for m, values in zip(cmp.months, zip(*cmp.monthly)):
        out.append(row("month", str(m), "", "", list(values)))
    assert all(len(r) == 5 + k + 2 * (k - 1) for r in out)
    return out


def write_compare(cmp: "Comparison", path_or_file: Any, *, bom: bool = True) -> None:
    """A comparison's CSV to stdout (``-``), an open file, or a path (through the one atomic writer)."""
    def write_rows(fh: IO[str]) -> None:
        w = _writer(fh)
        w.writerow(compare_header(cmp))
        w.writerows(compare_rows(cmp))
    _write(path_or_file, write_rows, bom)


def write_compare_file(cmp: "Comparison", path: str | os.PathLike) -> None:
    """A comparison's CSV for people (``-`` is stdout): written through ``atomic_write``, with a BOM."""
    if str(path) == "-":
        write_compare(cmp, "-")
    else:
        atomic_write(path, lambda fh: write_compare(cmp, fh, bom=False))

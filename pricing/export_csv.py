"""CSV export: monthly costs per line item (long form), a summary, monthly totals with P10/P50/P90, comparisons.

The files and their columns are documented in docs/exports.md. In short:

- Amounts are whole cents rounded half-even once (``rounding.to_cents``) and written as plain
  decimals (``1234.56``: a dot, no thousands separator), so every total in a file is the sum of
  its parts to the cent.
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

from pricing.atomic import write_file
from pricing.engine import Projection
from pricing.plan import Category
from pricing.rounding import rounded_matrix

if TYPE_CHECKING:
    from pricing.compare import Comparison
    from pricing.report_model import UncertaintyFigures
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


def amount(cents: int) -> str:
    """Whole cents as a plain decimal: ``123456`` -> ``1234.56``, ``-5`` -> ``-0.05``."""
    c = int(cents)
    return f"{'-' if c < 0 else ''}{abs(c) // 100}.{abs(c) % 100:02d}"


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


def rows(proj: Projection, scenario: str = BASELINE) -> Iterable[tuple[str, ...]]:
    """Long-form rows: one per line item per month, amounts in cents rounded once."""
    cells = rounded_matrix(proj)
    cur = safe_cell(proj.currency)
    scen = safe_cell(scenario)
    names = [(li.category.value, li.section, safe_cell(li.name)) for li in proj.line_items]
    for j, month in enumerate(proj.months):
        m = str(month)
        for (cat, section, name), row in zip(names, cells):
            yield (m, cat, section, name, scen, amount(row[j]), cur)


def _scenario_projections(scenarios: Any) -> list[tuple[str, Projection]]:
    """``{name: Projection}`` or ScenarioResults -> (name, projection) pairs."""
    if not scenarios:
        return []
    if isinstance(scenarios, Mapping):
        return list(scenarios.items())
    return [(r.scenario.name, r.projection) for r in scenarios]


def write(proj: Projection, path_or_file: Any, scenarios: Any = None, *, bom: bool = False) -> None:
    """Write the baseline (and any scenarios: ``{name: Projection}`` or ScenarioResults) in long form.

    ``path_or_file``: a path, ``-`` for stdout, or an open text file (opened with ``newline=""``).
    """
    with _opened(path_or_file, bom) as fh:
        w = _writer(fh)
        w.writerow(HEADER)
        w.writerows(rows(proj))
        for name, sp in _scenario_projections(scenarios):
            w.writerows(rows(sp, name))


def to_text(proj: Projection) -> str:
    buf = io.StringIO()
    write(proj, buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# Summary: lines, categories, totals, scenario savings and their strategies, percentiles
# ---------------------------------------------------------------------------------------------


def summary_rows(proj: Projection, scenario_results: Sequence["ScenarioResult"] = (),
                 uncertainty: "UncertaintyFigures | None" = None) -> list[tuple[str, ...]]:
    """The summary table (``SUMMARY_HEADER``): for the baseline and each scenario, one row per line, per
    category and the total; each scenario's total row carries its saving and is followed by one row per
    strategy (the strategies' savings sum to it); then P10/P50/P90 rows when ``uncertainty`` is given."""
    from pricing.report_model import summarize
    from pricing.scenarios import attribution_cents
    cur = safe_cell(proj.currency)
    base = summarize(proj)
    out: list[tuple[str, ...]] = []
    views = [(BASELINE, base, None)] + [(r.scenario.name, summarize(r.projection), r) for r in scenario_results]
    for name, s, result in views:
        scen = safe_cell(name)
        share = (lambda c, total=s.total: _ratio(c / total if total else 0.0))  # noqa: E731
        for li in s.lines:
            out.append(("line", scen, safe_cell(li.name), li.category.value, li.section, amount(li.first),
                        amount(li.last), amount(li.total), share(li.total), "", "", cur))
        for cat, monthly in s.categories:
            if np.any(monthly) or np.any(base.category_monthly(cat)):
                total = int(monthly.sum())
                out.append(("category", scen, cat.value, cat.value, "", amount(monthly[0]) if len(monthly) else "0.00",
                            amount(monthly[-1]) if len(monthly) else "0.00", amount(total), share(total), "", "", cur))
        saving = saving_share = ""
        if result is not None:
            cents = base.total - s.total
            saving, saving_share = amount(cents), _ratio(cents / base.total if base.total else 0.0)
        out.append(("total", scen, "Total", "", "", amount(s.run_rate_first), amount(s.run_rate_last), amount(s.total),
                    _ratio(1.0 if s.total else 0.0), saving, saving_share, cur))
        if result is not None:
            r = attribution_cents(result)
            assert r.saving_total == base.total - s.total  # both are differences of the same rounded cells
            for strategy, cents in r.part_totals:
                out.append(("strategy", scen, safe_cell(strategy), "", "", "", "", "", "", amount(cents),
                            _ratio(cents / base.total if base.total else 0.0), cur))
    if uncertainty is not None:
        u = uncertainty
        for label, monthly, total in (("P10", u.monthly_p10, u.total_p10), ("P50", u.monthly_p50, u.total_p50),
                                      ("P90", u.monthly_p90, u.total_p90)):
            out.append(("percentile", BASELINE, label, "", "", amount(monthly[0]), amount(monthly[-1]), amount(total),
                        "", "", "", cur))
    return out


def write_summary(proj: Projection, path_or_file: Any, scenario_results: Sequence["ScenarioResult"] | None = None,
                  *, uncertainty: "UncertaintyFigures | None" = None, bom: bool = True) -> None:
    """Write the summary table (see ``summary_rows`` and docs/exports.md)."""
    with _opened(path_or_file, bom) as fh:
        w = _writer(fh)
        w.writerow(SUMMARY_HEADER)
        w.writerows(summary_rows(proj, scenario_results or (), uncertainty))


# ---------------------------------------------------------------------------------------------
# Monthly totals: a column per category, total, cumulative, and P10/P50/P90 when the plan has ranges
# ---------------------------------------------------------------------------------------------


def monthly_header(uncertainty: "UncertaintyFigures | None" = None) -> tuple[str, ...]:
    cats = tuple(c.value.lower() for c in Category)
    percentiles = PERCENTILES if uncertainty is not None else ()
    return ("month",) + cats + ("total", "cumulative") + percentiles + ("currency",)


def monthly_rows(proj: Projection, uncertainty: "UncertaintyFigures | None" = None) -> list[tuple[str, ...]]:
    """One row per month: each category, their total (the sum of the row), the running total and, given
    Monte Carlo figures, the month's P10/P50/P90 (statistics of their own: not sums of the row)."""
    from pricing.report_model import summarize
    s = summarize(proj)
    cur = safe_cell(proj.currency)
    cum = s.cumulative
    out = []
    for j, month in enumerate(s.months):
        cells = [amount(row[j]) for _, row in s.categories]
        extra = ()
        if uncertainty is not None:
            extra = (amount(uncertainty.monthly_p10[j]), amount(uncertainty.monthly_p50[j]),
                     amount(uncertainty.monthly_p90[j]))
        out.append((str(month), *cells, amount(s.monthly[j]), amount(cum[j]), *extra, cur))
    return out


def write_monthly(proj: Projection, path_or_file: Any, *, uncertainty: "UncertaintyFigures | None" = None,
                  bom: bool = True) -> None:
    with _opened(path_or_file, bom) as fh:
        w = _writer(fh)
        w.writerow(monthly_header(uncertainty))
        w.writerows(monthly_rows(proj, uncertainty))


# ---------------------------------------------------------------------------------------------
# Everything for one plan: the three files side by side
# ---------------------------------------------------------------------------------------------


def export_paths(path: str | os.PathLike) -> tuple[Path, Path, Path]:
    """``costs.csv`` -> (``costs.csv``, ``costs-summary.csv``, ``costs-monthly.csv``)."""
    p = Path(path)
    if p.suffix.lower() != ".csv":
        p = p.with_name(p.name + ".csv")
    return p, p.with_name(f"{p.stem}-summary.csv"), p.with_name(f"{p.stem}-monthly.csv")


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


def evaluate_scenarios(plan: "Plan", catalog: Any, baseline: Projection,
                       cancel: Callable[[], bool] | None = None) -> tuple[list["ScenarioResult"], list[str]]:
    """Each scenario of the plan against ``baseline``; those that can't be evaluated are listed, not raised."""
    from pricing import scenarios
    from pricing.errors import PlanError
    results, skipped = [], []
    for s in plan.scenarios:
        if cancel is not None and cancel():
            from pricing.uncertainty import Cancelled
            raise Cancelled()
        try:
            results.append(scenarios.evaluate(plan, s, catalog, baseline))
        except PlanError as exc:
            skipped.append(f"{s.name}: {exc.problems[0] if exc.problems else exc}")
    return results, skipped


def export(plan: "Plan", path: str | os.PathLike, *, catalog: Any = None,
           progress: Callable[[int, int], None] | None = None, cancel: Callable[[], bool] | None = None,
           samples: int | None = None, seed: int | None = None) -> Exported:
    """Write the long-form, summary and monthly files of a plan (BOM, CRLF; docs/exports.md).

    Scenarios are evaluated against the plan; when the plan has ranges, Monte Carlo (seeded, so
    the same plan gives the same file) adds P10/P50/P90. ``progress(done, total)`` and
    ``cancel()`` serve a progress dialog; cancelling raises ``uncertainty.Cancelled`` and leaves
    no file behind.
    """
    from pricing import engine, uncertainty
    from pricing.report_model import uncertainty_figures
    if catalog is None:
        from pricing.catalog import Catalog
        catalog = Catalog.load()
    step = (lambda d, t: progress(d, t)) if progress else (lambda d, t: None)  # noqa: E731
    proj = engine.project(plan, catalog)
    step(5, 100)
    results, skipped = evaluate_scenarios(plan, catalog, proj, cancel)
    step(15, 100)
    mc = None
    if uncertainty.has_ranges(plan):
        mc = uncertainty.monte_carlo(plan, catalog, samples=samples or uncertainty.DEFAULT_SAMPLES,
                                     seed=uncertainty.DEFAULT_SEED if seed is None else seed,
                                     progress=lambda d, t: step(15 + 75 * d // max(t, 1), 100), cancel=cancel)
    if cancel is not None and cancel():
        raise uncertainty.Cancelled()
    u = uncertainty_figures(mc) if mc is not None else None
    long_path, summary_path, monthly_path = export_paths(path)
    atomic_write(long_path, lambda fh: write(proj, fh, results))
    atomic_write(summary_path, lambda fh: write_summary(proj, fh, results, uncertainty=u, bom=False))
    atomic_write(monthly_path, lambda fh: write_monthly(proj, fh, uncertainty=u, bom=False))
    step(100, 100)
    return Exported((long_path, summary_path, monthly_path), tuple(skipped))


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
    cell = lambda c: "" if c is None else amount(c)  # noqa: E731

    def row(kind: str, name: str, section: str, category: str, values: Sequence[int | None],
            absent_is_zero: bool = False) -> tuple[str, ...]:
        """``absent_is_zero``: a line an entry lacks costs it nothing (so line deltas add up to the total's)."""
        z = [0 if v is None and absent_is_zero else v for v in values]
        ref = z[0]
        deltas = [None if v is None or ref is None else v - ref for v in z[1:]]
        ratios = [None if d is None or not ref else d / ref for d in deltas]
        return ((kind, safe_cell(name), section, category) + tuple(cell(v) for v in values)
                + tuple(cell(d) for d in deltas) + tuple(_ratio(r) for r in ratios) + (cur,))

    out = []
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
    with _opened(path_or_file, bom) as fh:
        w = _writer(fh)
        w.writerow(compare_header(cmp))
        w.writerows(compare_rows(cmp))


def write_compare_file(cmp: "Comparison", path: str | os.PathLike) -> None:
    """A comparison's CSV for people (``-`` is stdout): written through ``atomic_write``, with a BOM."""
    if str(path) == "-":
        write_compare(cmp, "-")
    else:
        atomic_write(path, lambda fh: write_compare(cmp, fh, bom=False))

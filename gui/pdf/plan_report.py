"""The plan report as a PDF: the report model (``pricing.report_model.Report``) laid out into a Flow.

Every figure comes from the report, gathered once by ``pricing.report_model.gather`` (the CSV files
and ``aicost report`` read the same one); this module formats and places them.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import os
from typing import Any, Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter

from pricing import atomic, fx, report_model, series
from pricing.plan import Plan
from pricing.report import input_value
from pricing.report_model import SECTION_TITLES, Report, month_periods, scenario_text

from gui import theme
from gui.formatting import VIEW_WORDS, MoneyFormat
from gui.pdf import charts
from gui.pdf.layout import (_discard, _draw_text, _finish, _hline, _open, _render, APP, CancelFn, Col, Flow, ProgressFn,
                            Row, Style, Table, ensure_application)
from gui.pdf.text import tame
from gui.workers import Cancelled

# ---------------------------------------------------------------------------------------------
# The plan report: the report model, gathered once
# ---------------------------------------------------------------------------------------------


def gather(plan: Plan, catalog: Any = None, *, progress: ProgressFn | None = None, cancel: CancelFn | None = None,
           generated: _dt.date | None = None, samples: int | None = None, projection: Any = None) -> Report:
    """The report the PDF shows: ``report_model.gather`` with the scenarios, the inputs and prices as text and,
    when the plan has ranges, Monte Carlo and tornado."""
    return report_model.gather(plan, catalog, projection=projection, texts=True, samples=samples, generated=generated,
                               progress=progress, cancel=cancel)


def export_pdf(plan: Plan, path: str | os.PathLike, *, catalog: Any = None, page_size: str = "A4",
               progress: ProgressFn | None = None, cancel: CancelFn | None = None,
               generated: _dt.date | None = None, samples: int | None = None, projection: Any = None,
               report: Report | None = None) -> None:
    """Write the plan's report as a PDF through the one atomic writer: a failed or cancelled export leaves
    the previous file as it was, and a failure raises ``atomic.AtomicWriteError`` naming the file.

    ``report``: the report to lay out (gathered once by the caller, with texts); otherwise one is
    gathered here (``projection``: the plan's, when the caller has it). ``progress(done, total)``
    and ``cancel()`` serve a progress dialog; cancelling raises ``Cancelled``. ``generated`` dates
    the report (default today); ``samples`` sets the Monte Carlo sample count when the plan has ranges.
    """
    ensure_application()
    atomic.check_target(path)  # a FIFO, a device or a missing folder: refused before the report is gathered
    if report is None:
        report = gather(plan, catalog, progress=report_model.scaled(progress, 0, 40), cancel=cancel,
                        generated=generated, samples=samples, projection=projection)
    elif generated is not None:
        report = dataclasses.replace(report, generated=generated)
    doc = None
    try:
        doc = _open(path, page_size, f"{report.plan.name} — cost plan report")
        PlanReport(report, doc.flow, doc.style).build()
        if progress is not None:
            progress(50, 100)
        if cancel is not None and cancel():
            raise Cancelled()
        footer = f"{report.plan.name} · cost plan report · {report.generated.isoformat()}" + (
            f" · {fx.rate_text(fx.for_plan(report.plan))}" if report.plan.currency != "USD" else "")
        _render(doc, path, report.plan.name, footer, progress, cancel, 50)
        _finish(doc, path)
    finally:
        _discard(doc)


# ---------------------------------------------------------------------------------------------
# The plan report: layout
# ---------------------------------------------------------------------------------------------


def _long_date(d: _dt.date) -> str:
    return f"{d.day} {d.strftime('%B %Y')}"


def _month_name(m: Any) -> str:
    return series.month_label(m)


class PlanReport:
    """Lays out one plan's report into a Flow: summary, charts, scenarios, tables, inputs, prices."""

    def __init__(self, report: Report, flow: Flow, style: Style):
        self.d, self.f, self.s = report, flow, style
        self.head = series.headline(report.projection)
        """The headline figures, as the window shows them (the same summary's cents)."""
        self.fmt = MoneyFormat(report.plan.currency)
        self.cs = style.chart()
        self.section = 0

    # -- helpers -------------------------------------------------------------------------------
    def money(self, cents: int | None) -> str:
        return "—" if cents is None else self.fmt.full(int(cents) / 100)

    def pct(self, share: float | None, digits: int = 1) -> str:
        return "—" if share is None else self.fmt.percent(share, digits)

    def h2(self, title: str) -> None:
        self.section += 1
        self.f.heading(f"{self.section}  {title}", 2)

    def note(self, text: str, keep_with_next: bool = False) -> None:
        self.f.text(text, size_pt=self.s.small_pt, color=self.s.muted, after_pt=3, keep_with_next=keep_with_next)

    def cur_title(self, what: str) -> str:
        return f"{self.d.plan.currency} {what}"

    # -- the report ----------------------------------------------------------------------------
    def build(self) -> None:
        self.title()
        self.headline()
        self.monthly_chart()
        self.cumulative_chart()
        if self.d.monte_carlo is not None:
            self.uncertainty()
        self.drivers()
        self.scenarios()
        self.category_tables()
        self.notes()
        self.assumptions()
        self.prices()

    def title(self) -> None:
        d, s, f = self.d, self.s, self.f
        months = d.summary.months
        f.text("COST PLAN REPORT", size_pt=s.small_pt + 0.4, bold=True, color=s.accent, after_pt=2)
        f.heading(d.plan.name, 1)
        span = f"{_month_name(months[0])} – {_month_name(months[-1])}" if months else "no months"
        f.text(f"{span}  ·  {len(months)} months  ·  amounts in {d.plan.currency}  ·  default provider "
               f"{d.plan.provider}", color=s.muted, after_pt=1)
        f.text(f"Prepared {_long_date(d.generated)} with {APP}", color=s.muted, after_pt=6)
        f.text(self.price_dates_text(), size_pt=s.small_pt + 0.3, color=s.text, after_pt=2)
        y = f.y
        f.add(lambda p, y=y: _hline(p, s, f.area.left(), f.area.right(), y + s.pt(2), s.rule, 0.6))
        f.y += s.pt(8)

    def price_dates_text(self) -> str:
        dates = self.d.dates
        parts = []
        if dates.oldest is not None:
            parts.append(f"oldest dated catalog price used: {dates.oldest.isoformat()} ({dates.oldest_key})")
        else:
            parts.append("no dated catalog price used")
        if dates.undated:
            parts.append(f"{dates.undated} catalog price{'s' if dates.undated != 1 else ''} used "
                         f"{'are' if dates.undated != 1 else 'is'} undated")
        if dates.api_data_date is not None:
            parts.append(f"LLM API prices: genai-prices data of {dates.api_data_date.isoformat()}")
        return "Price data: " + "; ".join(parts) + "."

    def _run_rate(self, caption: str, rate: series.RunRate | None) -> tuple[str, str, str]:
        """A run-rate card as the window shows it: recurring, with the month's one-off runs apart."""
        if rate is None:
            return caption, "—", ""
        one_off = f" + {self.fmt.auto(rate.one_off)} one-off" if rate.one_off else ""
        return caption, f"{self.fmt.auto(rate.recurring)}/mo", rate.month + one_off

    def headline(self) -> None:
        d, s, f = self.d, self.s, self.f
        h = self.head
        fmt = self.fmt
        labels = series.month_labels(d.projection)
        cards = [
            *(self._run_rate(caption, rate) for caption, rate in (("Run-rate now", h.now),
                                                                  (f"Run-rate, month {h.months}", h.end))),
            (f"{h.months}-month total", fmt.auto(h.total),
             f"P10–P90 {fmt.compact(d.uncertainty.total_p10 / 100)} – {fmt.compact(d.uncertainty.total_p90 / 100)}"
             if d.uncertainty is not None else f"{labels[0]} – {labels[-1]}" if labels else ""),
            (h.unit_label, fmt.full(h.unit_cost) if h.unit_cost is not None else "—", h.unit_caption),
            ("Top driver", h.top_driver or "—",
             f"{fmt.percent(h.top_driver_share or 0.0)} of the total" if h.top_driver else ""),
            ("Monthly budget", fmt.compact(h.budget) if h.budget is not None else "none",
             ("never exceeded" if h.first_over_budget is None else f"exceeded from {h.first_over_budget}")
             if h.budget is not None else "no budget set"),
        ]
        best = d.best_scenario()
        if best is not None and best.saving > 0:
            cards.append((f"{best.name} saves", fmt.percent(best.saving_share),
                          f"{fmt.auto(best.saving / 100)} over {h.months} months"))
        elif best is not None:
            cards.append(("Savings", "none", "no scenario costs less than the plan"))
        else:
            cards.append(("Savings", "—", "no scenario in the plan" if not d.plan.scenarios else
                          "no scenario evaluated"))
        n_lines = len(d.summary.lines)
        cards.append(("Lines priced", str(n_lines), f"{len(d.prices)} prices, "
                      f"{sum(1 for x in d.prices if x.overridden)} set by the plan"))
        over = h.first_over_budget is not None

        def draw(p: QPainter, rect: QRectF) -> None:
            cols, rows = 4, 2
            gap = s.pt(6)
            cw = (rect.width() - gap * (cols - 1)) / cols
            ch = (rect.height() - gap * (rows - 1)) / rows
            cap, val, det = s.font(s.small_pt), s.font(12.5, bold=True), s.font(s.small_pt)
            fc, fv, fd = self.f.fm(cap), self.f.fm(val), self.f.fm(det)
            for i, (caption, value, detail) in enumerate(cards):
                value = tame(value)  # the top driver's name: each measure below is then of at most MAX_TEXT characters
                x = rect.left() + (i % cols) * (cw + gap)
                y = rect.top() + (i // cols) * (ch + gap)
                p.fillRect(QRectF(x, y, cw, ch), s.card)
                p.fillRect(QRectF(x, y, s.pt(2.2), ch), s.accent)
                ix, iw = x + s.pt(8), cw - s.pt(13)
                _draw_text(p, cap, s.muted, QPointF(ix, y + s.pt(7) + fc.ascent()),
                           fc.elidedText(caption, Qt.TextElideMode.ElideRight, iw))
                color = s.bad if caption == "Monthly budget" and over else s.text
                vf, vm = val, fv
                size = 12.5
                while vm.horizontalAdvance(value) > iw and size > 8.6:  # a long name: smaller, then elided
                    size -= 0.5
                    vf = s.font(size, bold=True)
                    vm = self.f.fm(vf)
                _draw_text(p, vf, color, QPointF(ix, y + s.pt(9) + fc.height() + fv.ascent()),
                           vm.elidedText(value, Qt.TextElideMode.ElideRight, iw))
                _draw_text(p, det, s.muted, QPointF(ix, y + ch - s.pt(7) - fd.descent()),
                           fd.elidedText(detail, Qt.TextElideMode.ElideRight, iw))
        f.block(112, draw)
        f.space(4)

    def _x_labels(self, n_max: int = 12) -> list[tuple[int, str]]:
        labels = series.month_labels(self.d.projection)
        return series.axis_ticks(labels, n_max)

    def monthly_chart(self) -> None:
        d = self.d
        self.h2("Monthly cost by category")
        sm = d.summary
        layers = [charts.Layer(c.value, theme.category_color(c), [int(v) / 100 for v in sm.category_monthly(c)])
                  for c in sm.costed_categories()]
        budget = d.plan.monthly_budget
        budget_label = f"Budget {self.fmt.compact(budget)}/mo" if budget is not None else ""
        total_line = band = None
        if d.uncertainty is not None:
            u = d.uncertainty
            band = ([int(v) / 100 for v in u.monthly_p10], [int(v) / 100 for v in u.monthly_p90])
            total_line = charts.Series("Monthly total", QColor("#1F2328"), [int(v) / 100 for v in sm.monthly],
                                       width_pt=1.1)

        def draw(p: QPainter, rect: QRectF) -> None:
            charts.stacked_bars(p, self.cs, rect, x_labels=self._x_labels(), n=len(sm.months), layers=layers,
                                y_format=self.fmt.compact, y_title=self.cur_title("per month"), budget=budget,
                                budget_label=budget_label, total_line=total_line, band=band,
                                band_label="P10–P90 of the monthly total")
        self.f.block(215, draw)
        h = self.head
        now = h.now.recurring if h.now is not None else h.run_rate_now
        end = h.end.recurring if h.end is not None else h.run_rate_end
        once = (f" (plus {self.fmt.auto(h.now.one_off)} of one-off runs in its first month)"
                if h.now is not None and h.now.one_off else "")
        text = (f"The plan starts at {self.fmt.auto(now)} a month{once} and reaches "
                f"{self.fmt.auto(end)} a month in its last month; over {h.months} months it costs "
                f"{self.fmt.auto(h.total)}.")
        if h.budget is not None:
            text += (f" The monthly budget of {self.fmt.auto(h.budget)} is first exceeded in {h.first_over_budget}."
                     if h.first_over_budget else f" It stays within the monthly budget of {self.fmt.auto(h.budget)}.")
        self.note(text)

    def cumulative_chart(self) -> None:
        d = self.d
        self.h2("Cumulative cost")
        sm = d.summary
        base = [int(v) / 100 for v in sm.cumulative]
        lines = [charts.Series("Baseline", QColor("#1F3A5F"), base, width_pt=1.6, fill=QColor(31, 58, 95, 28))]
        palette = ["#59A14F", "#F28E2B", "#B07AA1", "#76B7B2", "#EDC948", "#9C755F"]
        for i, sf in enumerate(d.scenarios):
            lines.append(charts.Series(sf.name, QColor(palette[i % len(palette)]),
                                       [int(v) / 100 for v in sf.summary.cumulative], width_pt=1.3))
        budget = series.cumulative_budget(d.projection)
        if budget is not None:
            lines.append(charts.Series("Budget to date", QColor(theme.BUDGET_COLOR), list(budget), dashed=True,
                                       width_pt=1.1))

        def draw(p: QPainter, rect: QRectF) -> None:
            charts.line_chart(p, self.cs, rect, x_labels=self._x_labels(), n=len(sm.months), series=lines,
                              y_format=self.fmt.compact, y_title=self.cur_title("to date"))
        self.f.block(185, draw)

    def uncertainty(self) -> None:
        d = self.d
        u, mc = d.uncertainty, d.monte_carlo
        self.h2("Uncertainty")
        n = len(mc.inputs)
        self.f.text(f"The plan gives {n} input{'s' if n != 1 else ''} as ranges. {u.samples:,} Monte Carlo samples "
                    f"({u.distribution.upper()} distributions, seed {u.seed}) put the {len(d.summary.months)}-month "
                    f"total at {self.money(u.total_p50)} (P50), between {self.money(u.total_p10)} (P10) and "
                    f"{self.money(u.total_p90)} (P90). The baseline figures elsewhere in this report use each "
                    "input's likely value.")
        if mc.budget_exceeded is not None:
            months = series.month_labels(d.projection)
            risky = [(months[i], float(x)) for i, x in enumerate(mc.budget_exceeded) if x >= 0.1]
            if risky:
                self.note(f"Budget risk: {self.pct(risky[0][1], 0)} chance of exceeding the monthly budget in "
                          f"{risky[0][0]}, {self.pct(float(mc.budget_exceeded[-1]), 0)} in {months[-1]}.")
            else:
                self.note("Budget risk: under 10% chance of exceeding the monthly budget in any month.")
        sm = d.summary
        band = ([int(v) / 100 for v in u.monthly_p10], [int(v) / 100 for v in u.monthly_p90])
        lines = [charts.Series("Monthly total (likely inputs)", QColor("#1F3A5F"),
                               [int(v) / 100 for v in sm.monthly], width_pt=1.6),
                 charts.Series("P50", QColor("#4E79A7"), [int(v) / 100 for v in u.monthly_p50], dashed=True,
                               width_pt=1.0)]

        def draw(p: QPainter, rect: QRectF) -> None:
            charts.line_chart(p, self.cs, rect, x_labels=self._x_labels(), n=len(sm.months), series=lines,
                              y_format=self.fmt.compact, y_title=self.cur_title("per month"), band=band,
                              band_label="P10–P90 band")
        self.f.block(170, draw)
        t = d.tornado
        bars = t.bars[:12] if t is not None else ()
        if bars:
            self.f.heading("What moves the total", 3)
            self.note("Each input at its low and at its high value, everything else at its likely value; the horizon "
                      "total it gives, widest swing first. Lighter bars: the input has no range in the plan and "
                      "moves ±20%.", keep_with_next=True)
            tb = [charts.TornadoBar(b.input.label, b.total_low, b.total_high,
                                    input_value(b.input.key_path, b.input.low),
                                    input_value(b.input.key_path, b.input.high), not b.input.from_range) for b in bars]

            def draw_t(p: QPainter, rect: QRectF) -> None:
                charts.tornado(p, self.cs, rect, t.baseline_total, tb, x_format=self.fmt.compact,
                               baseline_label=f"baseline {self.fmt.compact(t.baseline_total)}",
                               low_color=QColor(theme.LOW_COLOR), high_color=QColor(theme.HIGH_COLOR),
                               label_width_pt=165)
            self.f.block(50 + 16.5 * len(bars), draw_t)
        rows = [Row([i.label, input_value(i.key_path, i.low), input_value(i.key_path, i.likely),
                     input_value(i.key_path, i.high)]) for i in mc.inputs]
        self.f.heading("Ranges in the plan", 3)
        self.f.table(Table([Col("Input", weight=1, max_lines=2), Col("Low", "r"), Col("Likely", "r"), Col("High", "r")],
                           rows))

    def drivers(self) -> None:
        d = self.d
        sm = d.summary
        self.h2("Cost drivers")
        top = sm.drivers(10)
        bars = [charts.Bar(b.name, b.total / 100, theme.category_color(b.category),
                           f"{self.money(b.total)}  ·  {self.pct(b.share)}") for b in top]
        if bars:
            def draw(p: QPainter, rect: QRectF) -> None:
                charts.hbars(p, self.cs, rect, bars, label_width_pt=170)
            self.f.block(14 + 17 * len(bars), draw)
        self.f.heading("Line items", 3)
        rows = [Row([li.name, li.category.value, self.money(li.first), self.money(li.last), self.money(li.total),
                     self.pct(li.share)]) for li in sm.lines]
        rows.append(Row(["Total", "", self.money(sm.run_rate_first), self.money(sm.run_rate_last), self.money(sm.total),
                         self.pct(1.0 if sm.total else 0.0)], "total"))
        months = series.month_labels(d.projection)
        self.f.table(Table([Col("Line", weight=1, max_lines=2), Col("Category"),
                            Col(f"First month ({months[0]})" if months else "First month", "r"),
                            Col(f"Last month ({months[-1]})" if months else "Last month", "r"),
                            Col("Horizon", "r"), Col("Share", "r")], rows))

    def scenarios(self) -> None:
        d, s = self.d, self.s
        self.h2("Savings scenarios")
        if not d.plan.scenarios:
            self.note("The plan has no savings scenarios (add a scenarios: section; see docs/scenarios.md).")
            return
        sm = d.summary
        rows = [Row(["Baseline (the plan as it is)", self.money(sm.total), "", "", self.money(sm.run_rate_last)])]
        for sf in d.scenarios:
            cents = sf.saving
            rows.append(Row([sf.name, self.money(sf.summary.total), self.money(cents), self.pct(sf.saving_share),
                             self.money(sf.summary.run_rate_last)],
                            colors=[None, None, s.good if cents > 0 else s.bad if cents < 0 else None, None, None]))
        self.f.table(Table([Col("Scenario", weight=1, max_lines=2), Col("Horizon total", "r"), Col("Saving", "r"),
                            Col("Saving share", "r"), Col("Last month", "r")], rows, keep_together=True))
        for name in d.skipped:
            self.note(f"Not evaluated: {name}")
        for sf in d.scenarios:
            saving = sf.saving
            what = f"saves {self.money(saving)}" if saving >= 0 else f"costs {self.money(-saving)} more"
            self.f.heading(f"{sf.name}: {what} ({self.pct(abs(sf.saving_share))})", 3)
            self.f.text("Strategies: " + scenario_text(sf.result.scenario), size_pt=s.small_pt + 0.4, color=s.muted,
                        after_pt=3, keep_with_next=True)
            rows = [Row([st.name, self.money(st.total), self.pct(st.share_of_saving), self.pct(st.share_of_baseline)])
                    for st in sf.strategies]
            rows.append(Row(["Total saving", self.money(saving), self.pct(1.0 if saving else 0.0),
                             self.pct(sf.saving_share)], "total"))
            self.f.table(Table([Col("Strategy", weight=1), Col("Saving over the horizon", "r"),
                                Col("Share of the saving", "r"), Col("Share of the baseline", "r")], rows,
                               keep_together=True))
            r = sf.result
            method = ("Shapley values (each strategy's average contribution over every order)" if r.method == "shapley"
                      else "sequential attribution in canonical order")
            self.note(f"Attribution: {method}." + "".join(f" {n}." for n in r.notes))

    def category_tables(self) -> None:
        sm = self.d.summary
        self.h2("Cost by category")
        fiscal = sm.fiscal_year_start != 1
        years = self.d.fiscal_years().periods
        if len(years) > 1:
            self.f.heading("By fiscal year" if fiscal else "By year", 3)
            if fiscal:
                self.note(f"Fiscal years start in {_dt.date(2000, sm.fiscal_year_start, 1):%B} and are named by the "
                          "calendar year in which they end.")
            self.period_tables(years, with_total=True)
        quarters = self.d.fiscal_quarters().periods
        if len(quarters) > 1:
            self.f.heading("By fiscal quarter" if fiscal else "By quarter", 3)
            self.period_tables(quarters, with_total=len(years) <= 1)
        self.f.heading("By month", 3)
        periods = month_periods(sm.months)
        labels = series.month_labels(self.d.projection)
        self.period_tables(tuple(type(p)(labels[p.start], p.start, p.stop) for p in periods),
                           with_total=len(years) <= 1)

    def period_tables(self, periods: Sequence[Any], with_total: bool) -> None:
        """Categories x periods, split into as many tables as the page width asks (each with its total row)."""
        sm = self.d.summary
        s, f = self.s, self.f
        table = sm.category_table(periods)
        bold = s.font(s.table_pt, bold=True)
        fm = f.fm(bold)
        widest = max([fm.horizontalAdvance(self.money(int(c))) for c in table.column_totals]
                     + [fm.horizontalAdvance(self.money(t)) for t in table.row_totals]
                     + [fm.horizontalAdvance(self.money(table.total))]
                     + [fm.horizontalAdvance(p.label) for p in periods])
        col_w = widest + s.pt(8)
        label_w = max(fm.horizontalAdvance(x) for x in ["Annotation", "Category", "Total"]) + s.pt(8)
        fit = max(1, min(12, int((f.area.width() - label_w - (col_w if with_total else 0)) // col_w)))
        n = len(periods)
        if fit >= n:
            per = n
        elif fit >= 6:  # half years (or whole years) read best; otherwise blocks of even size
            per = 12 if fit >= 12 else 6
        else:  # as few blocks as fit allows, of even size
            n_blocks = -(-n // fit)
            per = -(-n // n_blocks)
        blocks = [list(range(i, min(i + per, n))) for i in range(0, n, per)]
        for b, idx in enumerate(blocks):
            last = b == len(blocks) - 1
            cols = ([Col("Category")] + [Col(periods[i].label, "r") for i in idx]
                    + ([Col("Horizon", "r")] if with_total and last else []))
            rows = []
            for (cat, cells), rt in zip(table.rows, table.row_totals):
                rows.append(Row([cat.value] + [self.money(int(cells[i])) for i in idx]
                                + ([self.money(rt)] if with_total and last else [])))
            rows.append(Row(["Total"] + [self.money(int(table.column_totals[i])) for i in idx]
                            + ([self.money(table.total)] if with_total and last else []), "total"))
            f.table(Table(cols, rows, keep_together=True))

    def notes(self) -> None:
        notes = [(li.name, n) for li in self.d.projection.line_items for n in li.notes]
        proj = self.d.projection
        if proj.plan.commitments:  # how their charges fall in the months (View menu, `--view`)
            notes.insert(0, ("Commitments", f"shown {VIEW_WORDS[proj.view.value]}: every figure of this report"))
        if not notes:
            return
        self.h2("Notes on the figures")
        self.f.table(Table([Col("Line", weight=0.32, max_lines=2), Col("Note", weight=0.68)],
                           [Row([name, n]) for name, n in notes], zebra=True))

    def assumptions(self) -> None:
        d = self.d
        ins = d.inputs
        self.h2("Assumptions: every input of the plan")
        self.note("Values as the plan sets them; “defaults” are the values the model uses where the plan says nothing. "
                  "Ranges are shown as likely (range low – high).", keep_with_next=True)
        self.f.heading("Settings", 3)
        self.f.table(Table([Col("Setting", weight=0.3), Col("Value", weight=0.7)],
                           [Row([v.label or v.key, v.text + (" (default)" if v.is_default else "")],
                                "muted" if v.is_default else "body") for v in ins.settings], keep_together=True))
        by_section: dict[str, list] = {}
        for line in ins.lines:
            by_section.setdefault(line.section, []).append(line)
        for section, lines in by_section.items():
            self.f.heading(f"{SECTION_TITLES.get(section, section)} ({section}, {len(lines)} line"
                           f"{'s' if len(lines) != 1 else ''})", 3)
            rows = []
            for line in lines:
                given = "  ·  ".join(f"{v.label}: {v.text}" for v in line.values if not v.is_default) or "—"
                defaults = "  ·  ".join(f"{v.label}: {v.text}" for v in line.values if v.is_default) or "—"
                rows.append(Row([line.name, given, defaults]))
            self.f.table(Table([Col("Line", weight=0.22), Col("Set in the plan", weight=0.48),
                                Col("Defaults", weight=0.30)], rows))
        if ins.prices:
            self.f.heading("Price overrides", 3)
            self.f.table(Table([Col("Catalog key", weight=0.75), Col("Value (USD)", "r")],
                               [Row([v.key, v.text], "highlight") for v in ins.prices]))
        if ins.scenarios:
            self.f.heading("Scenario definitions", 3)
            self.f.table(Table([Col("Scenario", weight=0.25), Col("Strategies and parameters", weight=0.75)],
                               [Row([v.key, v.text]) for v in ins.scenarios]))

    def prices(self) -> None:
        d, s = self.d, self.s
        self.h2("Prices used")
        self.note("Every price the projection used, with its source, date and confidence. Shaded rows are set by the "
                  "plan (a prices: override, or a price written on a line). " + self.price_dates_text(),
                  keep_with_next=True)
        if not d.prices:
            self.note("The plan uses no prices yet.")
            return
        rows = []
        for pu in d.prices:
            confidence = ("plan override" if pu.confidence == "override" else
                          "set on the line" if pu.confidence == "user" else pu.confidence.replace("_", " "))
            as_of = pu.as_of if pu.dated else ("plan" if pu.overridden else "undated")
            source = pu.source
            if not pu.dated and not pu.overridden and pu.as_of and pu.as_of != "undated":
                source += f" ({pu.as_of})"
            if pu.overridden and pu.notes:
                source += f"; {pu.notes}"
            rows.append(Row([pu.key, pu.value or "—", as_of, confidence, source],
                            "highlight" if pu.overridden else "body"))
        self.f.table(Table([Col("Price", weight=0.22, max_lines=3), Col("Value", weight=0.2, max_lines=3), Col("As of"),
                            Col("Confidence", weight=0.12, max_lines=2), Col("Source", weight=0.46, max_lines=4)],
                           rows, size_pt=s.small_pt + 0.2))

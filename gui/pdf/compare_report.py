"""The comparison report as a PDF: headline figures, overlaid months, cost and input differences."""
from __future__ import annotations

import datetime as _dt
import os
from typing import Any

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter

from pricing import series
from pricing.compare import ratio_text
from pricing.report_model import SECTION_TITLES

from gui.formatting import MoneyFormat
from gui.pdf import charts
from gui.pdf.layout import (_discard, _finish, _open, _render, APP, CancelFn, Col, Flow, ProgressFn, Row, Style, Table,
                            ensure_application)
from gui.pdf.plan_report import _long_date
from gui.workers import Cancelled

# ---------------------------------------------------------------------------------------------
# The comparison report
# ---------------------------------------------------------------------------------------------

ENTRY_COLORS = ("#1F3A5F", "#F28E2B", "#59A14F", "#E15759", "#B07AA1", "#76B7B2", "#EDC948", "#9C755F")
"""One colour per compared entry (A, B, C...), in order."""


def entry_color(i: int) -> QColor:
    """The colour of entry ``i`` (the report's and the Compare window's)."""
    return QColor(ENTRY_COLORS[i % len(ENTRY_COLORS)])


def export_compare_pdf(cmp: Any, path: str | os.PathLike, *, page_size: str = "A4",
                       progress: ProgressFn | None = None, cancel: CancelFn | None = None,
                       generated: _dt.date | None = None) -> None:
    """Write a comparison (``pricing.compare.compare``) as a PDF: figures, overlaid months, cost and input diffs;
    through the one atomic writer (a failure raises ``atomic.AtomicWriteError`` and keeps the previous file)."""
    ensure_application()
    generated = generated or _dt.date.today()
    doc = None
    try:
        doc = _open(path, page_size, "Comparison of cost plans")
        CompareReport(cmp, doc.flow, doc.style, generated).build()
        if progress is not None:
            progress(40, 100)
        if cancel is not None and cancel():
            raise Cancelled()
        labels = " vs ".join(e.label for e in cmp.entries)
        _render(doc, path, labels, f"Comparison · {generated.isoformat()}", progress, cancel, 40)
        _finish(doc, path)
    finally:
        _discard(doc)


class CompareReport:
    """Lays out a comparison into a Flow."""

    def __init__(self, cmp: Any, flow: Flow, style: Style, generated: _dt.date):
        self.c, self.f, self.s, self.generated = cmp, flow, style, generated
        self.fmt = MoneyFormat(cmp.currency)
        self.cs = style.chart()

    def money(self, cents: int | None) -> str:
        return "—" if cents is None else self.fmt.full(int(cents) / 100)

    def delta(self, cents: int | None) -> str:
        if cents is None:
            return ""
        return ("+" if cents > 0 else "−" if cents < 0 else "") + self.fmt.full(abs(int(cents)) / 100)

    def ratio(self, r: float | None) -> str:
        return ratio_text(r).replace("-", "−")

    def color(self, cents: int | None) -> QColor | None:
        return None if not cents else self.s.bad if cents > 0 else self.s.good

    def build(self) -> None:
        c, s, f = self.c, self.s, self.f
        ids = c.ids
        f.text("COMPARISON OF COST PLANS", size_pt=s.small_pt + 0.4, bold=True, color=s.accent, after_pt=2)
        f.heading(" vs ".join(e.plan.name + (f" · {e.scenario}" if e.scenario else "") for e in c.entries), 1)
        f.text(f"Prepared {_long_date(self.generated)} with {APP}; amounts in {c.currency}; differences "
               "against A (higher cost in red, lower in green).", color=s.muted, after_pt=6)
        rows = [Row([i, e.label, e.plan.name, f"{sm.months[0]} – {sm.months[-1]}" if sm.months else "—",
                     str(len(sm.months))], colors=[entry_color(k)])
                for k, (i, e, sm) in enumerate(zip(ids, c.entries, c.summaries))]
        f.table(Table([Col(""), Col("Entry", weight=0.5, max_lines=2), Col("Plan", weight=0.5, max_lines=2),
                       Col("Months"), Col("n", "r")], rows, keep_together=True))
        for n in c.notes:
            f.text("Note: " + n, size_pt=s.small_pt, color=s.muted)
        f.heading("Figures", 2)
        self.figures()
        f.heading("Monthly cost", 2)
        labels = [series.month_label(m) for m in c.months]
        lines = [charts.Series(f"{i}  {e.label}", entry_color(k),
                               [None if v is None else v / 100 for v in row], width_pt=1.5)
                 for k, (i, e, row) in enumerate(zip(ids, c.entries, c.monthly))]

        def draw(p: QPainter, rect: QRectF) -> None:
            charts.line_chart(p, self.cs, rect, x_labels=series.axis_ticks(labels, 12), n=len(c.months), series=lines,
                              y_format=self.fmt.compact, y_title=f"{c.currency} per month")
        f.block(200, draw)
        for j in range(1, len(ids)):
            self.diff(j)

    def figures(self) -> None:
        c = self.c
        ids = c.ids
        if len(ids) <= 3:
            cols = [Col("Figure", weight=1)] + [Col(i, "r") for i in ids]
            for i in ids[1:]:
                cols += [Col(f"{i} − A", "r"), Col("%", "r")]
            rows = []
            for fr in c.figures:
                cells = ([("   " if fr.key.startswith("category.") else "") + fr.label]
                         + [self.money(v) for v in fr.values])
                colors: list[QColor | None] = [None] * (1 + len(ids))
                for d, r in zip(fr.deltas[1:], fr.ratios[1:]):
                    cells += [self.delta(d), self.ratio(r)]
                    colors += [self.color(d), self.color(d)]
                rows.append(Row(cells, colors=colors))
            self.f.table(Table(cols, rows, keep_together=True))
            return
        self.f.table(Table([Col("Figure", weight=1)] + [Col(i, "r") for i in ids],
                           [Row([fr.label] + [self.money(v) for v in fr.values]) for fr in c.figures],
                           keep_together=True))
        cols = [Col("Difference against A", weight=1)] + [Col(f"{i} − A", "r") for i in ids[1:]]
        self.f.table(Table(cols, [Row([fr.label] + [self.delta(d) for d in fr.deltas[1:]],
                                      colors=[None] + [self.color(d) for d in fr.deltas[1:]]) for fr in c.figures],
                           keep_together=True))

    def diff(self, j: int) -> None:
        c, s, f = self.c, self.s, self.f
        ids = c.ids
        e = c.entries[j]
        f.heading(f"{ids[j]} against A: {e.label}", 2)
        changed = c.changed_lines(j)
        diff = c.inputs[j]
        if not changed and (diff is None or diff.empty):
            f.text("No differences: the same lines, inputs, prices and costs.", color=s.muted)
            return
        by_line = {(x.section, x.name): x for x in (diff.lines if diff else ())}
        marks = {"added": "+ added", "removed": "− removed"}
        rows = []
        for lc in changed:
            status = lc.status(j)
            what = marks.get(status) or ("changed" if (lc.section, lc.name) in by_line else "cost moved")
            d1, d2 = lc.last_month_delta(j), lc.horizon_delta(j)
            rows.append(Row([lc.name, SECTION_TITLES.get(lc.section, lc.section), what, self.delta(d1), self.delta(d2)],
                            colors=[None, None, None, self.color(d1), self.color(d2)]))
        t1, t2 = c.total_deltas(j)
        rows.append(Row(["Total", "", "", self.delta(t1), self.delta(t2)], "total",
                        colors=[None, None, None, self.color(t1), self.color(t2)]))
        f.heading("Cost differences by line", 3)
        f.table(Table([Col("Line", weight=0.6, max_lines=2), Col("Section"), Col("Change"), Col("Last month", "r"),
                       Col("Horizon", "r")], rows))
        if diff is None or diff.empty:
            return
        rows = []
        for title, changes in (("Settings", diff.settings), ("Price overrides", diff.prices),
                               ("Scenarios", diff.scenarios)):
            if changes:
                rows.append(Row([title], "group"))
                rows += [Row([ch.label or ch.key, ch.before, ch.after]) for ch in changes]
        changed_lines = [x for x in diff.lines if x.change == "changed"]
        moved = [x for x in diff.lines if x.change != "changed"]
        for lch in changed_lines:
            rows.append(Row([f"{lch.name} ({SECTION_TITLES.get(lch.section, lch.section)})"], "group"))
            rows += [Row([v.label or v.key, v.before, v.after]) for v in lch.values]   # the schema's labels
        if moved:
            rows.append(Row(["Lines added or removed (inputs the plan sets; defaults left out)"], "group"))
        for lch in moved:
            given = "  ·  ".join(lch.given(labels=True))
            title = SECTION_TITLES.get(lch.section, lch.section)
            label = f"{'+' if lch.change == 'added' else '−'} {lch.name} ({title})"
            rows.append(Row([label, "—" if lch.change == "added" else given, given if lch.change == "added" else "—"]))
        f.heading("What changed in the inputs", 3)
        f.table(Table([Col("Input", weight=0.3, max_lines=3), Col("A", weight=0.35), Col(ids[j], weight=0.35)], rows))

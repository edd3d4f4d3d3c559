"""The chart tabs' plots: monthly by category, cumulative, baseline vs scenario, top drivers and the tornado."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from pricing import series
from pricing.plan import Category

from gui import theme

from gui.charts import base as chart_base
from gui.charts.base import BAR_WIDTH, MAX_DRIVERS, Chart, _color, _elide, _set_text

class MonthlyChart(Chart):
    """Monthly costs stacked by category, the budget line and the first month over it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent=parent)
        self.bars: dict[Category, Any] = {}
        for cat in series.CATEGORY_ORDER:
            color = theme.category_color(cat)
            bar = chart_base.pg.BarGraphItem(x=[], height=[], y0=[], width=BAR_WIDTH, brush=color,
                                  pen=chart_base.pg.mkPen(_color(color.darker(125)), width=1))
            bar.setVisible(False)
            self.item.addItem(bar)
            self.bars[cat] = bar
        self.budget = chart_base.pg.InfiniteLine(angle=0, movable=False,
                                      pen=chart_base.pg.mkPen(theme.BUDGET_COLOR, width=2, style=Qt.PenStyle.DashLine))
        # on the left, where the bars of a growing plan are lowest, above the line
        self.budget_label = chart_base.pg.InfLineLabel(self.budget, text="", position=0.02, anchors=[(0, 1), (0, 1)],
                                            color=theme.BUDGET_COLOR, fill=_color(theme.background(self), 200))
        self.item.addItem(self.budget)
        self.over = chart_base.pg.ScatterPlotItem(size=13, symbol="t", brush=chart_base.pg.mkBrush(theme.BUDGET_COLOR),
                                                  pen=None)
        self.over_label = chart_base.pg.TextItem("", color=theme.BUDGET_COLOR, anchor=(0.5, 1.15),
                                      fill=_color(theme.background(self), 200))
        self.item.addItem(self.over)
        self.item.addItem(self.over_label)
        # the Monte Carlo spread: a light fill behind the bars (it shows where the spread reaches past a
        # month's bar), its P10 and P90 edges and the likely total drawn over them
        self.band_low = chart_base.pg.PlotCurveItem()
        self.band_high = chart_base.pg.PlotCurveItem()
        self.band_fill = chart_base.pg.FillBetweenItem(self.band_low, self.band_high,
                                                       brush=_color(theme.BAND_COLOR, 70))
        self.band_fill.setZValue(-5)
        self.likely_line = chart_base.pg.PlotCurveItem(pen=chart_base.pg.mkPen(theme.foreground(self), width=1.6))
        for it in (self.band_fill, self.band_low, self.band_high, self.likely_line):
            it.setVisible(False)
            self.item.addItem(it)
        for it in (self.band_low, self.band_high):
            it.setZValue(5)
        self.likely_line.setZValue(6)
        self.apply_palette()  # the band's pens follow the palette
        self.stacked: series.Stacked | None = None
        self.marker: series.BudgetMarker | None = None
        self.band: series.Band | None = None
        self.band_note = ""
        """Why there is no band, when the plan has ranges ("simulating…", "cancelled")."""
        self._bar_data: dict[Category, tuple[np.ndarray, np.ndarray]] = {}
        """Bottoms and heights each category's bars were last given."""
        self._over_spot: tuple[float, float] | None = (-1.0, -1.0)
        """Where the over-budget marker is drawn (None: it has no point); unknown at first."""
        self.month_names: tuple[str, ...] = ()

    def apply_palette(self) -> None:
        super().apply_palette()
        for label in (getattr(self, "budget_label", None), getattr(self, "over_label", None)):
            if label is not None:  # text boxes over the bars: the chart's background, slightly see-through
                label.fill = chart_base.pg.mkBrush(_color(theme.background(self), 200))
                label.update()
        if getattr(self, "likely_line", None) is not None:
            fg = theme.foreground(self)
            self.likely_line.setPen(chart_base.pg.mkPen(fg, width=1.6))
            edge = chart_base.pg.mkPen(_color(fg, 150), width=1, style=Qt.PenStyle.DashLine)
            self.band_low.setPen(edge)
            self.band_high.setPen(edge)

    def _draw_band(self) -> None:
        b = self.band
        if b is None or self.stacked is None or len(b.p10) != len(self.stacked.months):
            for it in (self.band_fill, self.band_low, self.band_high, self.likely_line):
                it.setVisible(False)
            return
        n = len(b.p10)
        x = np.arange(n, dtype=float)
        lo, hi, likely = b.p10, b.p90, b.likely
        if n == 1:  # one month: a short band across its bar rather than a point
            x, lo, hi, likely = np.array([-0.4, 0.4]), np.repeat(lo, 2), np.repeat(hi, 2), np.repeat(likely, 2)
        self.band_low.setData(x, lo)
        self.band_high.setData(x, hi)
        self.likely_line.setData(x, likely)
        for it in (self.band_fill, self.band_low, self.band_high, self.likely_line):
            it.setVisible(True)

    def set_projection(self, proj: Any, band: series.Band | None = None, band_note: str = "") -> None:
        """Draw ``proj`` with the P10-P90 ``band`` of its Monte Carlo (None: no band; ``band_note`` says why)."""
        self.band, self.band_note = band, band_note
        st = series.stacked_by_category(proj)
        self.stacked = st
        n = len(st.months)
        x = np.arange(n, dtype=float)
        shown = {layer.category: layer for layer in st.layers}
        for cat, bar in self.bars.items():
            layer = shown.get(cat)
            if layer is None:
                bar.setVisible(False)
                self._bar_data.pop(cat, None)
                continue
            values = layer.values
            drawn = self._bar_data.get(cat)
            # an edit usually moves a few categories: the bars of the others are left as drawn
            if drawn is None or not (np.array_equal(drawn[0], layer.bottom) and np.array_equal(drawn[1], values)):
                self._bar_data[cat] = (layer.bottom, values)
                bar.setOpts(x=x, y0=layer.bottom, height=values, width=BAR_WIDTH)
            bar.setVisible(True)
        marker = series.budget_marker(proj)
        self.marker = marker
        band = self.band if self.band is not None and len(self.band.p90) == n else None
        highest = max(float(st.total.max()) if n else 0.0, marker.budget if marker else 0.0,
                      float(band.p90.max()) if band is not None and n else 0.0)
        self.set_span(-0.6, max(n, 1) - 0.4)
        self.set_value_range(highest * 1.06 if marker and marker.first_over is not None else highest,
                             proj.currency)
        if marker is None:
            self.budget.setVisible(False)
            self._no_over()
        else:
            self.budget.setPos(marker.budget)
            self.budget.setVisible(True)
            _set_text(self.budget_label, f"Budget {self.fmt.compact(marker.budget)}/mo")
            if marker.first_over is None:
                self._no_over()
            else:
                i = marker.first_over
                y = float(st.total[i])
                spot = (float(i), y + self.top * 0.03)
                if spot != self._over_spot:
                    self._over_spot = spot
                    self.over.setData([spot[0]], [spot[1]])
                _set_text(self.over_label, f"over budget from {marker.first_over_label}")
                # keep the label inside the plot: left-aligned near the start, right-aligned near the end
                ax = 0.0 if i < n / 4 else (1.0 if i > 3 * n / 4 else 0.5)
                self.over_label.setAnchor((ax, 1.15))
                self.over_label.setPos(float(i) - (0.3 if ax == 0.0 else 0.0) + (0.3 if ax == 1.0 else 0.0),
                                       y + self.top * 0.05)
        self.month_names = st.months
        self.set_month_ticks(st.months)
        self._draw_band()
        legend = "&nbsp;&nbsp;".join(
            f"<span style='color:{theme.CATEGORY_COLORS[layer.category]}'>■</span> {layer.category.value}"
            for layer in st.layers)
        if band is not None:
            legend += (f"&nbsp;&nbsp;&nbsp;<span style='color:{theme.BAND_COLOR}'>▬</span> P10–P90 of the month "
                       f"({band.samples:,} samples of {band.inputs} range{'s' if band.inputs != 1 else ''})")
        elif self.band_note:
            legend += f"&nbsp;&nbsp;&nbsp;<i>{self.band_note}</i>"
        self.caption.setText(f"<b>Monthly cost by category</b> ({proj.currency})&nbsp;&nbsp;&nbsp;{legend}")

    def _no_over(self) -> None:
        """No month over the budget: no marker, no label (left alone when already so)."""
        if self._over_spot is not None:
            self._over_spot = None
            self.over.setData([], [])
        _set_text(self.over_label, "")

    def hover_at(self, x: float, y: float) -> str:
        if self.stacked is None:
            return ""
        h = series.hover(self.stacked, x, y)
        b = self.band
        i = int(round(x))
        in_band = b is not None and 0 <= i < len(b.p10) and abs(x - i) <= 0.45 and 0 <= y <= float(b.p90[i])
        if h is None and not in_band:
            return ""
        if h is None:  # above the bar, inside the band
            text = f"<b>{self.stacked.months[i]}</b><br>Month total: {self.fmt.auto(float(self.stacked.total[i]))}"
        else:
            text = (f"<b>{h.month}</b><br>{h.category.value}: {self.fmt.auto(h.amount)} "
                    f"({self.fmt.percent(h.share)})<br>Month total: {self.fmt.auto(h.month_total)}")
        if in_band:
            text += (f"<br>Likely range (P10–P90): {self.fmt.auto(float(b.p10[i]))} – "
                     f"{self.fmt.auto(float(b.p90[i]))}, P50 {self.fmt.auto(float(b.p50[i]))}")
            if b.over_budget is not None:
                text += f"<br>Chance of exceeding the budget: {self.fmt.percent(float(b.over_budget[i]))}"
        return text


class CumulativeChart(Chart):
    """Cost to date, against the budget to date and the selected scenario."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent=parent)
        base = QColor(theme.CATEGORY_COLORS[Category.COMPUTE])
        self.baseline = self.item.plot([], [], pen=chart_base.pg.mkPen(base, width=2.5), fillLevel=0,
                                       fillBrush=chart_base.pg.mkBrush(_color(base, 50)))
        self.scenario = self.item.plot([], [], pen=chart_base.pg.mkPen(theme.SCENARIO_COLOR, width=2.5,
                                                            style=Qt.PenStyle.DashLine))
        self.budget = self.item.plot([], [], pen=chart_base.pg.mkPen(theme.BUDGET_COLOR, width=1.5,
                                                                     style=Qt.PenStyle.DotLine))
        self.month_names: tuple[str, ...] = ()
        self._values: dict[str, np.ndarray] = {}
        self._scenario_name = ""

    def set_projection(self, proj: Any) -> None:
        self.month_names = series.month_labels(proj)
        x = np.arange(len(self.month_names), dtype=float)
        cum = series.cumulative(proj)
        self.baseline.setData(x, cum)
        budget = series.cumulative_budget(proj)
        if budget is not None:
            self.budget.setData(x, budget)
        else:
            self.budget.setData([], [])
        self._values = {k: v for k, v in self._values.items() if k == "scenario"}
        self._values["plan"] = cum
        if budget is not None:
            self._values["budget"] = budget
        self.set_span(-0.6, max(len(x) - 1, 1) + 0.4)
        self._rescale(proj.currency)
        self.set_month_ticks(self.month_names)
        self._caption()

    def set_scenario(self, name: str | None, comparison: series.Comparison | None) -> None:
        if comparison is None:
            self.scenario.setData([], [])
            self._values.pop("scenario", None)
            self._scenario_name = ""
        else:
            x = np.arange(len(comparison.months), dtype=float)
            self.scenario.setData(x, comparison.scenario_cumulative)
            self._values["scenario"] = comparison.scenario_cumulative
            self._scenario_name = name or ""
        self._rescale(self.fmt.currency)
        self._caption()

    def _rescale(self, currency: str) -> None:
        highest = max((float(v.max()) for v in self._values.values() if len(v)), default=0.0)
        self.set_value_range(highest, currency)

    def _caption(self) -> None:
        base = theme.CATEGORY_COLORS[Category.COMPUTE]
        parts = [f"<span style='color:{base}'>━</span> plan"]
        if "scenario" in self._values:
            parts.append(f"<span style='color:{theme.SCENARIO_COLOR}'>╍</span> {self._scenario_name}")
        if "budget" in self._values:
            parts.append(f"<span style='color:{theme.BUDGET_COLOR}'>┈</span> budget to date")
        self.caption.setText(f"<b>Cumulative cost</b> ({self.fmt.currency})&nbsp;&nbsp;&nbsp;"
                             + "&nbsp;&nbsp;".join(parts))

    def hover_at(self, x: float, y: float) -> str:
        i = int(round(x))
        if not self.month_names or not 0 <= i < len(self.month_names) or "plan" not in self._values:
            return ""
        rows = [f"<b>{self.month_names[i]}</b>", f"Plan to date: {self.fmt.auto(float(self._values['plan'][i]))}"]
        if "scenario" in self._values:
            rows.append(f"{self._scenario_name} to date: {self.fmt.auto(float(self._values['scenario'][i]))}")
        if "budget" in self._values:
            rows.append(f"Budget to date: {self.fmt.auto(float(self._values['budget'][i]))}")
        return "<br>".join(rows)


class ScenarioChart(Chart):
    """The plan's monthly cost against the selected scenario's, the saving shaded between them."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent=parent)
        base = QColor(theme.CATEGORY_COLORS[Category.COMPUTE])
        self.baseline = self.item.plot([], [], pen=chart_base.pg.mkPen(base, width=2.5))
        self.scenario = self.item.plot([], [], pen=chart_base.pg.mkPen(theme.SCENARIO_COLOR, width=2.5))
        self.fill = chart_base.pg.FillBetweenItem(self.baseline, self.scenario,
                                       brush=chart_base.pg.mkBrush(_color(theme.SCENARIO_COLOR, 60)))
        self.item.addItem(self.fill)
        self.message = chart_base.pg.TextItem("", anchor=(0.5, 0.5))
        self.item.addItem(self.message)
        self.comparison: series.Comparison | None = None
        self.month_names: tuple[str, ...] = ()
        self._name = ""

    def set_data(self, proj: Any, name: str | None, comparison: series.Comparison | None, error: str = "") -> None:
        self.comparison = comparison
        self.month_names = series.month_labels(proj)
        x = np.arange(len(self.month_names), dtype=float)
        monthly = proj.monthly
        self.baseline.setData(x, monthly)
        base = theme.CATEGORY_COLORS[Category.COMPUTE]
        highest = float(monthly.max()) if len(monthly) else 0.0
        self.set_span(-0.6, max(len(x) - 1, 1) + 0.4)
        if comparison is None:
            self.scenario.setData(x, monthly)  # the shading collapses to nothing
            self.fill.setVisible(False)
            self.set_value_range(highest, proj.currency)
            self.message.setColor(theme.foreground(self))
            _set_text(self.message, error or "No scenario yet: create one in the Savings panel")
            self.message.setPos((len(x) - 1) / 2 if len(x) else 0, self.top * 0.5)
            self.caption.setText(f"<b>Plan against a scenario</b> ({proj.currency})&nbsp;&nbsp;&nbsp;"
                                 f"<span style='color:{base}'>━</span> plan")
            self._name = ""
        else:
            self.scenario.setData(x, comparison.scenario)
            self.fill.setVisible(True)
            _set_text(self.message, "")
            self._name = name or ""
            highest = max(highest, float(comparison.scenario.max()) if len(comparison.scenario) else 0.0)
            self.set_value_range(highest, proj.currency)
            self.caption.setText(
                f"<b>Plan against “{self._name}”</b> ({proj.currency})&nbsp;&nbsp;&nbsp;"
                f"<span style='color:{base}'>━</span> plan&nbsp;&nbsp;"
                f"<span style='color:{theme.SCENARIO_COLOR}'>━</span> {self._name}&nbsp;&nbsp;"
                f"<span style='color:{theme.SCENARIO_COLOR}'>▒</span> saving")
        self.set_month_ticks(self.month_names)

    def hover_at(self, x: float, y: float) -> str:
        c = self.comparison
        i = int(round(x))
        if c is None or not 0 <= i < len(c.months):
            return ""
        return (f"<b>{c.months[i]}</b><br>Plan: {self.fmt.auto(float(c.baseline[i]))}<br>"
                f"{self._name}: {self.fmt.auto(float(c.scenario[i]))}<br>Saving: {self.fmt.auto(float(c.saving[i]))}")


class DriversChart(Chart):
    """The costliest lines over the horizon, ranked, coloured by category."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(value_axis="bottom", parent=parent)
        # one shared pen (none): pyqtgraph 0.14 fails on an empty ``pens`` list, so bars differ by brush only
        self.bar = chart_base.pg.BarGraphItem(x0=[], y=[], width=[], height=0.66, pen=None, brush=theme.OTHER_COLOR)
        self.item.addItem(self.bar)
        self.labels = [chart_base.pg.TextItem("", anchor=(0, 0.5)) for _ in range(MAX_DRIVERS + 1)]
        for label in self.labels:
            self.item.addItem(label)
        left = self.item.getAxis("left")
        left.setWidth(210)
        left.setStyle(tickLength=0)
        self.drivers: tuple[series.DriverBar, ...] = ()
        self._names: tuple = ()

    def apply_palette(self) -> None:
        super().apply_palette()
        for label in getattr(self, "labels", ()):
            label.setColor(theme.foreground(self))

    def set_projection(self, proj: Any) -> None:
        bars = series.top_drivers(proj, MAX_DRIVERS)
        self.drivers = bars
        n = len(bars)
        y = np.arange(n, dtype=float)[::-1]  # the biggest on top
        totals = np.array([b.total for b in bars], dtype=float)
        colors = [theme.category_color(b.category) for b in bars]
        self.bar.setOpts(x0=np.zeros(n), y=y, width=totals, height=0.66,
                         brushes=[chart_base.pg.mkBrush(c) for c in colors] if n else None)
        self.set_span(-0.6, max(n, 1) - 0.4)
        top = float(totals.max()) if n else 0.0
        self.set_value_range(top * 1.2, proj.currency)  # room for the value labels
        fg = theme.foreground(self)
        for i, label in enumerate(self.labels):
            if i < n:
                label.setText(f"{self.fmt.compact(bars[i].total)}  ({self.fmt.percent(bars[i].share)})")
                label.setColor(fg)
                label.setPos(totals[i] + self.top * 0.01, y[i])
                label.setVisible(True)
            else:
                label.setVisible(False)
        names = tuple((float(y[i]), _elide(b.name, 30)) for i, b in enumerate(bars))
        if names != self._names:
            self._names = names
            self.item.getAxis("left").setTicks([list(names)])
        self.caption.setText(f"<b>Top lines</b> — the costliest lines over {len(proj.months)} months "
                             f"({proj.currency}), coloured by category")

    def hover_at(self, x: float, y: float) -> str:
        n = len(self.drivers)
        rank = n - 1 - int(round(y))
        if not 0 <= rank < n or abs(y - round(y)) > 0.4 or x < 0:
            return ""
        b = self.drivers[rank]
        cat = b.category.value if b.category else "several categories"
        return f"<b>{b.name}</b> ({cat})<br>{self.fmt.auto(b.total)} over the horizon, {self.fmt.percent(b.share, 1)}"


class TornadoChart(Chart):
    """What moves the horizon total: each input at its low and high value, everything else at likely.

    Inputs ranked by swing, widest on top; a bar from the baseline total to the total with the input
    at its low (blue) and at its high (orange). Lighter bars: the plan gives no range, the input moves
    +-20%. The rows come from ``series.tornado_rows``; nothing is computed here.
    """

    MAX_ROWS = 10
    LABEL_WIDTH = 270

    def __init__(self, parent: QWidget | None = None):
        super().__init__(value_axis="bottom", parent=parent)
        self.low_bar = chart_base.pg.BarGraphItem(x0=[], y=[], width=[], height=0.62, pen=None, brush=theme.LOW_COLOR)
        self.high_bar = chart_base.pg.BarGraphItem(x0=[], y=[], width=[], height=0.62, pen=None, brush=theme.HIGH_COLOR)
        self.item.addItem(self.low_bar)
        self.item.addItem(self.high_bar)
        self.baseline = chart_base.pg.InfiniteLine(angle=90, movable=False,
                                                   pen=chart_base.pg.mkPen(theme.foreground(self), width=1.5))
        self.item.addItem(self.baseline)
        self.value_labels = [chart_base.pg.TextItem("", anchor=(0, 0.5)) for _ in range(2 * self.MAX_ROWS)]
        for label in self.value_labels:
            self.item.addItem(label)
        left = self.item.getAxis("left")
        left.setWidth(self.LABEL_WIDTH)
        left.setStyle(tickLength=0, hideOverlappingLabels=False)  # every row keeps its name
        self.message = chart_base.pg.TextItem("", anchor=(0.5, 0.5))
        self.item.addItem(self.message)
        self.rows: tuple[series.TornadoRow, ...] = ()
        self.baseline_total = 0.0
        self.apply_palette()
        self._names: tuple = ()

    def apply_palette(self) -> None:
        super().apply_palette()
        fg = theme.foreground(self)
        for label in getattr(self, "value_labels", ()):
            label.setColor(fg)
        if getattr(self, "baseline", None) is not None:
            self.baseline.setPen(chart_base.pg.mkPen(fg, width=1.5))
            self.message.setColor(theme.muted(self))

    def set_data(self, rows: Sequence[series.TornadoRow], baseline_total: float, currency: str,
                 months: int, note: str = "") -> None:
        """Draw ``rows`` (widest swing first) around ``baseline_total``; ``note`` replaces them when there are
        none yet (computing, cancelled)."""
        rows = tuple(rows)[: self.MAX_ROWS]
        self.rows, self.baseline_total = rows, baseline_total
        n = len(rows)
        self.set_currency(currency)
        y = np.arange(n, dtype=float)[::-1]  # the widest on top
        low = np.array([r.total_low for r in rows], dtype=float)
        high = np.array([r.total_high for r in rows], dtype=float)

        def brushes(color: str) -> list:
            return [chart_base.pg.mkBrush(_color(color, 110 if r.estimated else 255)) for r in rows]
        self.low_bar.setOpts(x0=np.minimum(low, baseline_total), y=y, width=np.abs(low - baseline_total),
                             height=0.62, brushes=brushes(theme.LOW_COLOR) if n else None)
        self.high_bar.setOpts(x0=np.minimum(high, baseline_total), y=y, width=np.abs(high - baseline_total),
                              height=0.62, brushes=brushes(theme.HIGH_COLOR) if n else None)
        self.set_span(-0.7, max(n, 1) - 0.3)
        lo = min(float(low.min()), float(high.min()), baseline_total) if n else baseline_total * 0.9
        hi = max(float(low.max()), float(high.max()), baseline_total) if n else baseline_total * 1.1
        pad = (hi - lo) * 0.22 or abs(baseline_total) * 0.05 or 1.0  # room for the value labels
        ticks = series.nice_ticks(lo - pad, hi + pad, 6)
        self.set_value_ticks(ticks, currency)
        self.baseline.setPos(baseline_total)
        self.baseline.setVisible(n > 0)
        gap = (ticks[-1] - ticks[0]) * 0.006
        for k, label in enumerate(self.value_labels):
            i, side = divmod(k, 2)
            if i >= n:
                label.setVisible(False)
                continue
            r = rows[i]
            total, text = (r.total_low, r.low_text) if side == 0 else (r.total_high, r.high_text)
            left_of = total < baseline_total or (total == baseline_total and side == 0)
            label.setAnchor((1, 0.5) if left_of else (0, 0.5))
            label.setText(text)
            label.setPos(total - gap if left_of else total + gap, y[i])
            label.setVisible(True)
        fm, room = self.fontMetrics(), self.LABEL_WIDTH - 14  # pyqtgraph drops a name wider than its axis
        names = tuple((float(y[i]), fm.elidedText(r.label + (" *" if r.estimated else ""), Qt.TextElideMode.ElideMiddle,
                                                  room)) for i, r in enumerate(rows))
        if names != self._names:
            self._names = names
            self.item.getAxis("left").setTicks([list(names)])
        self.message.setText(note if not n else "")
        self.message.setPos((ticks[0] + ticks[-1]) / 2, (max(n, 1) - 1) / 2)
        legend = (f"<span style='color:{theme.LOW_COLOR}'>■</span> input at its low&nbsp;&nbsp;"
                  f"<span style='color:{theme.HIGH_COLOR}'>■</span> at its high&nbsp;&nbsp;"
                  f"│ likely total {self.fmt.auto(baseline_total)}&nbsp;&nbsp;* no range in the plan: ±20%")
        self.caption.setText(f"<b>What moves the total</b> ({months} months, {currency}): each input at its low "
                             f"and high, the rest at likely&nbsp;&nbsp;&nbsp;{legend}")

    def hover_at(self, x: float, y: float) -> str:
        n = len(self.rows)
        rank = n - 1 - int(round(y))
        if not 0 <= rank < n or abs(y - round(y)) > 0.4:
            return ""
        r = self.rows[rank]
        f, base = self.fmt, self.baseline_total

        def delta(v: float) -> str:
            return ("+" if v >= base else "−") + f.auto(abs(v - base))
        origin = ("its range in the plan" if not r.estimated
                  else "no range in the plan: ±20% of its value (give it a range to pin it down)")
        return (f"<b>{r.label}</b><br>at {r.low_text}: total {f.auto(r.total_low)} ({delta(r.total_low)})<br>"
                f"at {r.high_text}: total {f.auto(r.total_high)} ({delta(r.total_high)})<br>"
                f"swing {f.auto(r.swing)}; {origin}")

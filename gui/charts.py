"""Charts of the document's projection (pyqtgraph): monthly by category, cumulative, baseline vs scenario, drivers.

The series come from ``pricing.series``; the charts keep their plot items and only call ``setData``/``setOpts``.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt, QTimer
from PySide6.QtGui import QColor, QCursor
from PySide6.QtWidgets import QLabel, QTabWidget, QToolTip, QVBoxLayout, QWidget

from pricing import series
from pricing.plan import Category

from gui import theme
from gui.uncertainty_view import Status
from gui.widgets import MoneyFormat

BAR_WIDTH = 0.72
MAX_DRIVERS = 8

pg: Any = None
"""pyqtgraph, imported when the first chart is built (it is a third of the start-up time)."""


def _load_pyqtgraph() -> Any:
    global pg
    if pg is None:
        import pyqtgraph
        pyqtgraph.setConfigOptions(antialias=True)
        pg = pyqtgraph
    return pg


def _color(hex_or_color: Any, alpha: int = 255) -> QColor:
    c = QColor(hex_or_color)
    c.setAlpha(alpha)
    return c


class Chart(QWidget):
    """A plot with a caption line above it (title and legend as rich text), following the palette.

    The value axis ends on a round number and its ticks and grid lines are set here (not by
    pyqtgraph's automatic grid, which costs most of a repaint), and only when the scale changes.
    """

    def __init__(self, value_axis: str = "left", parent: QWidget | None = None, *, left: str | None = None,
                 bottom: str | None = None):
        """``value_axis``: the axis of amounts ("left" or "bottom"); ``left="money"`` / ``bottom="money"``
        say the same (the compare window's spelling)."""
        super().__init__(parent)
        if bottom == "money":
            value_axis = "bottom"
        elif left == "money":
            value_axis = "left"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.setSpacing(2)
        self.caption = QLabel()
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        _load_pyqtgraph()
        self.plot = pg.PlotWidget()
        self.plot.setMouseEnabled(False, False)
        item = self.plot.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.getViewBox().setDefaultPadding(0.0)
        layout.addWidget(self.plot, 1)
        self.value_axis = value_axis
        self.fmt = MoneyFormat()
        # automatic ticks (before set_value_range, or in views that scale the axis themselves) in money too
        axis = item.getAxis(value_axis)
        axis.tickStrings = lambda values, scale, spacing: [self.fmt.compact(v * scale) for v in values]
        # month labels at the ends are drawn even when they reach past the plot's edge
        item.getAxis("bottom").setStyle(hideOverlappingLabels=False)
        self.grid = pg.PlotCurveItem(connect="pairs")
        self.grid.setZValue(-10)
        item.addItem(self.grid)
        self._scale: tuple = ()
        self._ticks: tuple = ()
        self.span = (0.0, 1.0)
        """Extent of the category axis (months or ranks), for the grid lines."""
        self.top = 1.0
        """End of the value axis."""
        self.hover_text = ""
        """What the pointer's tooltip says (tests read it)."""
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.apply_palette()

    @property
    def item(self) -> Any:
        return self.plot.getPlotItem()

    def set_value_range(self, highest: float, currency: str) -> None:
        """Scale the value axis from 0 to a round end above ``highest``; ticks, labels and grid follow."""
        top, step = series.nice_scale(highest * 1.04)
        self.set_value_ticks(np.arange(0.0, top + step / 2, step), currency)

    def set_value_ticks(self, values: Sequence[float], currency: str) -> None:
        """Scale the value axis to the round ``values`` (first to last), with their labels and grid lines."""
        values = np.asarray(values, dtype=float)
        key = (tuple(values), currency, self.span)
        if key == self._scale:
            return
        self._scale = key
        start, top = float(values[0]), float(values[-1])
        self.top = top
        if currency != self.fmt.currency:
            self.fmt = MoneyFormat(currency)
        self.item.getAxis(self.value_axis).setTicks([[(float(v), self.fmt.compact(float(v))) for v in values]])
        lo, hi = self.span
        headroom = top + (top - start) * 0.04  # the top tick's label stays inside the plot
        if self.value_axis == "left":
            self.item.setYRange(start, headroom, padding=0)
            xs = np.repeat([[lo, hi]], len(values), axis=0).ravel()
            self.grid.setData(xs, np.repeat(values, 2))
        else:
            self.item.setXRange(start, headroom, padding=0)
            ys = np.repeat([[lo, hi]], len(values), axis=0).ravel()
            self.grid.setData(np.repeat(values, 2), ys)
        self._settle_view()

    def _settle_view(self) -> None:
        """Apply a new view range to the items now rather than in the next paint.

        pyqtgraph defers the view's transform to the start of a paint; the items then learn of it
        inside that paint and ask for another one. Done here, the first paint draws them right."""
        self.item.getViewBox().updateMatrix()

    def set_currency(self, currency: str) -> None:
        """Amounts in another currency (for views that scale the value axis themselves)."""
        if currency != self.fmt.currency:
            self.fmt = MoneyFormat(currency)
            self._scale = ()
            axis = self.item.getAxis(self.value_axis)
            axis.picture = None
            axis.update()

    def set_span(self, lo: float, hi: float) -> None:
        """The category axis's extent (months -0.6 .. n-0.4, or ranks)."""
        if (lo, hi) != self.span:
            self.span = (lo, hi)
            self._scale = ()
        if self.value_axis == "left":
            self.item.setXRange(lo, hi, padding=0)
        else:
            self.item.setYRange(lo, hi, padding=0)
        self._settle_view()

    def apply_palette(self) -> None:
        fg = theme.foreground(self)
        self.plot.setBackground(theme.background(self))
        for name in ("left", "bottom"):
            axis = self.item.getAxis(name)
            axis.setPen(pg.mkPen(_color(fg, 110)))
            axis.setTextPen(pg.mkPen(fg))
        self.grid.setPen(pg.mkPen(_color(fg, 38), width=1))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - follow light/dark switches
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.apply_palette()

    def set_month_ticks(self, labels: Sequence[str]) -> None:
        width = max(self.plot.width(), 400)
        ticks = tuple(series.axis_ticks(labels, max_ticks=max(4, width // 90)))
        if ticks != self._ticks:  # unchanged on ordinary edits: keep the axis's cached drawing
            self._ticks = ticks
            self.item.getAxis("bottom").setTicks([list(ticks)])

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - more room, more month labels
        super().resizeEvent(event)
        if self._ticks:
            labels = getattr(self, "month_names", ())
            if labels:
                self.set_month_ticks(labels)

    def _on_mouse_moved(self, pos: QPointF) -> None:
        vb = self.item.getViewBox()
        if not vb.sceneBoundingRect().contains(pos):
            QToolTip.hideText()
            return
        p = vb.mapSceneToView(pos)
        text = self.hover_at(p.x(), p.y())
        self.hover_text = text
        if text:
            QToolTip.showText(QCursor.pos(), text, self.plot)
        else:
            QToolTip.hideText()

    def hover_at(self, x: float, y: float) -> str:
        """The tooltip for a point in chart coordinates ('' for none)."""
        return ""


class MonthlyChart(Chart):
    """Monthly costs stacked by category, the budget line and the first month over it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent=parent)
        self.bars: dict[Category, Any] = {}
        for cat in series.CATEGORY_ORDER:
            color = theme.category_color(cat)
            bar = pg.BarGraphItem(x=[], height=[], y0=[], width=BAR_WIDTH, brush=color,
                                  pen=pg.mkPen(_color(color.darker(125)), width=1))
            bar.setVisible(False)
            self.item.addItem(bar)
            self.bars[cat] = bar
        self.budget = pg.InfiniteLine(angle=0, movable=False,
                                      pen=pg.mkPen(theme.BUDGET_COLOR, width=2, style=Qt.PenStyle.DashLine))
        # on the left, where the bars of a growing plan are lowest, above the line
        self.budget_label = pg.InfLineLabel(self.budget, text="", position=0.02, anchors=[(0, 1), (0, 1)],
                                            color=theme.BUDGET_COLOR, fill=_color(theme.background(self), 200))
        self.item.addItem(self.budget)
        self.over = pg.ScatterPlotItem(size=13, symbol="t", brush=pg.mkBrush(theme.BUDGET_COLOR), pen=None)
        self.over_label = pg.TextItem("", color=theme.BUDGET_COLOR, anchor=(0.5, 1.15),
                                      fill=_color(theme.background(self), 200))
        self.item.addItem(self.over)
        self.item.addItem(self.over_label)
        # the Monte Carlo spread: a light fill behind the bars (it shows where the spread reaches past a
        # month's bar), its P10 and P90 edges and the likely total drawn over them
        self.band_low = pg.PlotCurveItem()
        self.band_high = pg.PlotCurveItem()
        self.band_fill = pg.FillBetweenItem(self.band_low, self.band_high, brush=_color(theme.BAND_COLOR, 70))
        self.band_fill.setZValue(-5)
        self.likely_line = pg.PlotCurveItem(pen=pg.mkPen(theme.foreground(self), width=1.6))
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
                label.fill = pg.mkBrush(_color(theme.background(self), 200))
                label.update()
        if getattr(self, "likely_line", None) is not None:
            fg = theme.foreground(self)
            self.likely_line.setPen(pg.mkPen(fg, width=1.6))
            edge = pg.mkPen(_color(fg, 150), width=1, style=Qt.PenStyle.DashLine)
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
            text += (f"<br>Likely range (P10–P90): {self.fmt.auto(float(b.p10[i]))} – {self.fmt.auto(float(b.p90[i]))}, "
                     f"P50 {self.fmt.auto(float(b.p50[i]))}")
            if b.over_budget is not None:
                text += f"<br>Chance of exceeding the budget: {self.fmt.percent(float(b.over_budget[i]))}"
        return text


class CumulativeChart(Chart):
    """Cost to date, against the budget to date and the selected scenario."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent=parent)
        base = QColor(theme.CATEGORY_COLORS[Category.COMPUTE])
        self.baseline = self.item.plot([], [], pen=pg.mkPen(base, width=2.5), fillLevel=0,
                                       fillBrush=pg.mkBrush(_color(base, 50)))
        self.scenario = self.item.plot([], [], pen=pg.mkPen(theme.SCENARIO_COLOR, width=2.5,
                                                            style=Qt.PenStyle.DashLine))
        self.budget = self.item.plot([], [], pen=pg.mkPen(theme.BUDGET_COLOR, width=1.5, style=Qt.PenStyle.DotLine))
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
        self.baseline = self.item.plot([], [], pen=pg.mkPen(base, width=2.5))
        self.scenario = self.item.plot([], [], pen=pg.mkPen(theme.SCENARIO_COLOR, width=2.5))
        self.fill = pg.FillBetweenItem(self.baseline, self.scenario,
                                       brush=pg.mkBrush(_color(theme.SCENARIO_COLOR, 60)))
        self.item.addItem(self.fill)
        self.message = pg.TextItem("", anchor=(0.5, 0.5))
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
        self.bar = pg.BarGraphItem(x0=[], y=[], width=[], height=0.66, pen=None, brush=theme.OTHER_COLOR)
        self.item.addItem(self.bar)
        self.labels = [pg.TextItem("", anchor=(0, 0.5)) for _ in range(MAX_DRIVERS + 1)]
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
                         brushes=[pg.mkBrush(c) for c in colors] if n else None)
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
        self.low_bar = pg.BarGraphItem(x0=[], y=[], width=[], height=0.62, pen=None, brush=theme.LOW_COLOR)
        self.high_bar = pg.BarGraphItem(x0=[], y=[], width=[], height=0.62, pen=None, brush=theme.HIGH_COLOR)
        self.item.addItem(self.low_bar)
        self.item.addItem(self.high_bar)
        self.baseline = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(theme.foreground(self), width=1.5))
        self.item.addItem(self.baseline)
        self.value_labels = [pg.TextItem("", anchor=(0, 0.5)) for _ in range(2 * self.MAX_ROWS)]
        for label in self.value_labels:
            self.item.addItem(label)
        left = self.item.getAxis("left")
        left.setWidth(self.LABEL_WIDTH)
        left.setStyle(tickLength=0, hideOverlappingLabels=False)  # every row keeps its name
        self.message = pg.TextItem("", anchor=(0.5, 0.5))
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
            self.baseline.setPen(pg.mkPen(fg, width=1.5))
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
            return [pg.mkBrush(_color(color, 110 if r.estimated else 255)) for r in rows]
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


def _set_text(item: Any, text: str) -> None:
    """Give a pyqtgraph TextItem (or a line's label) new text only when it differs: setting it lays out
    the text again and invalidates the scene around it."""
    if item.textItem.toPlainText() != text:
        item.setText(text)


def _elide(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


class _Pending(QWidget):
    """Stands in for the charts until the window has been painted once, then asks for them."""

    def __init__(self, build: Any):
        super().__init__()
        self._build = build
        self._asked = False

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        from PySide6.QtGui import QPainter
        p = QPainter(self)
        p.setPen(theme.muted(self))
        p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Drawing the charts…")
        p.end()
        if not self._asked:  # the window is on screen: build the charts right after this paint
            self._asked = True
            QTimer.singleShot(0, self._build)


class ChartsView(QTabWidget):
    """The chart tabs. The visible chart redraws on every change; hidden ones when they are shown.

    The charts themselves (and pyqtgraph) are built just after the window first paints, so the
    window comes up without waiting for them; asking for a chart builds them at once.
    """

    TABS = (("Monthly", "Cost of each month stacked by category, with the monthly budget"),
            ("Cumulative", "Cost to date, against the budget to date and the scenario"),
            ("Scenarios", "The plan against the selected savings scenario"),
            ("Top lines", "The lines that cost the most over the horizon"),
            ("Drivers", "What moves the total: each input at its low and high value, widest swing first"))

    def __init__(self, document: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.setDocumentMode(True)
        self._pages: list[QWidget] = []
        for title, tip in self.TABS:
            page = QWidget()
            layout = QVBoxLayout(page)
            layout.setContentsMargins(0, 0, 0, 0)
            self._pages.append(page)
            self.setTabToolTip(self.addTab(page, title), tip)
        self._pending = _Pending(self._ensure_built)
        self._pages[0].layout().addWidget(self._pending)
        self._charts: list[Chart] | None = None
        self._dirty: set[QWidget] = set()
        self._scenario_dirty: set[QWidget] = set()
        self._shown_scenario: dict[QWidget, tuple] = {}
        self.uncertainty: Any = None
        """The ``gui.uncertainty_view.Uncertainty`` whose band and tornado are drawn (``set_uncertainty``)."""
        self.currentChanged.connect(lambda _i: self._refresh_current())
        document.plan_changed.connect(self._on_plan_changed)
        document.scenario_changed.connect(self._on_scenario_changed)

    def _ensure_built(self) -> list[Chart]:
        if self._charts is None:
            self._charts = [MonthlyChart(), CumulativeChart(), ScenarioChart(), DriversChart(), TornadoChart()]
            self._pending.hide()
            for page, chart in zip(self._pages, self._charts):
                page.layout().addWidget(chart)
            self._dirty = set(self._charts)
            self._scenario_dirty = {self._charts[1], self._charts[2]}
            self._refresh_current()
        return self._charts

    @property
    def monthly(self) -> "MonthlyChart":
        return self._ensure_built()[0]  # type: ignore[return-value]

    @property
    def cumulative(self) -> "CumulativeChart":
        return self._ensure_built()[1]  # type: ignore[return-value]

    @property
    def scenarios(self) -> "ScenarioChart":
        return self._ensure_built()[2]  # type: ignore[return-value]

    @property
    def drivers(self) -> "DriversChart":
        return self._ensure_built()[3]  # type: ignore[return-value]

    @property
    def tornado(self) -> "TornadoChart":
        return self._ensure_built()[4]  # type: ignore[return-value]

    def set_uncertainty(self, model: Any) -> None:
        """Draw ``model``'s P10-P90 band in the monthly chart and its tornado in the Drivers tab."""
        self.uncertainty = model
        model.changed.connect(self._on_uncertainty_changed)
        self._on_uncertainty_changed()

    def _on_uncertainty_changed(self) -> None:
        if self._charts is None:
            return
        self._dirty |= {self.monthly, self.tornado}
        chart = self.current_chart()
        if chart in (self.monthly, self.tornado):
            self._refresh_current(scenario=False)

    def _uncertainty_notes(self) -> tuple[Any, Any, str, str]:
        """(band, tornado, band note, tornado note) for the current plan."""
        m = self.uncertainty
        if m is None:
            return None, None, "", "Not computed in this view"
        if m.current:
            return m.band, m.tornado, "", "" if m.tornado is None or m.tornado.bars else "No input moves the total"
        ranges = m.has_ranges
        if m.status is Status.CANCELLED:
            return None, None, "P10–P90 not computed (cancelled)" if ranges else "", \
                "Not computed (cancelled): press Simulate in the status bar"
        if m.status is Status.FAILED:
            return None, None, "P10–P90 could not be computed" if ranges else "", f"Could not be computed: {m.error}"
        return None, None, "P10–P90: simulating the ranges…" if ranges else "", "Computing…"

    def setCurrentWidget(self, widget: QWidget) -> None:  # noqa: N802 - charts live inside their tab pages
        for i, page in enumerate(self._pages):
            if page is widget or widget.parent() is page:
                self.setCurrentIndex(i)
                return
        super().setCurrentWidget(widget)

    def current_chart(self) -> "Chart | None":
        if self._charts is None:
            return None
        return self._charts[self.currentIndex()] if 0 <= self.currentIndex() < len(self._charts) else None

    def charts(self) -> list[Chart]:
        return list(self._ensure_built())

    def _on_plan_changed(self) -> None:
        if self._charts is None:
            return  # drawn from the current plan when they are built
        self._dirty = set(self._charts)
        self._scenario_dirty |= {self.cumulative, self.scenarios}
        chart = self.current_chart()
        # a chart showing the scenario evaluates it now (the document keeps the result for the other views);
        # otherwise the scenario is evaluated after this chart is drawn (scenario_changed, coalesced)
        self._refresh_current(scenario=chart is self._charts[1] or chart is self._charts[2])
        if chart is not None:
            # mark the chart dirty now (pyqtgraph would via a queued call, after the other views): the
            # window then paints it first, and it is what the user watches while typing
            chart.plot.viewport().update()

    def _on_scenario_changed(self) -> None:
        if self._charts is None:
            return
        shown = (self.document.selected_scenario, self.document.scenario_result, self.document.projection)
        for chart in (self.cumulative, self.scenarios):
            if self._shown_scenario.get(chart) != shown:  # not drawn with this result yet
                self._scenario_dirty.add(chart)
        chart = self.current_chart()
        if chart in self._scenario_dirty:
            self._refresh_current()
            chart.plot.viewport().update()  # painted first in the next pass (see _on_plan_changed)

    def refresh_all(self) -> None:
        """Bring every chart up to date now (screenshots and tests)."""
        for chart in self.charts():
            self._refresh(chart)

    def _refresh_current(self, scenario: bool = True) -> None:
        chart = self.current_chart()
        if chart is not None:
            self._refresh(chart, scenario)

    def _refresh(self, chart: Chart, scenario: bool = True) -> None:
        proj = self.document.projection
        if proj is None:
            for c in self.charts():
                c.caption.setText("<b>The plan can't be priced</b> — see the problems marked in the editor")
            return
        if chart in self._dirty:
            self._dirty.discard(chart)
            if chart is self.monthly or chart is self.tornado:
                band, t, band_note, t_note = self._uncertainty_notes()
                if chart is self.monthly:
                    self.monthly.set_projection(proj, band, band_note)
                else:  # without a tornado yet: centred on the total as shown
                    rows = series.tornado_rows(t, TornadoChart.MAX_ROWS) if t is not None else ()
                    base = t.baseline_total if t is not None else int(series.month_cents(proj).sum()) / 100
                    self.tornado.set_data(rows, base, proj.currency, len(proj.months), t_note)
            elif chart is not self.scenarios:
                chart.set_projection(proj)  # type: ignore[attr-defined]
            else:
                self._scenario_dirty.add(chart)
        if scenario and chart in self._scenario_dirty and chart in (self.cumulative, self.scenarios):
            self._scenario_dirty.discard(chart)
            doc = self.document
            result = doc.scenario_result
            self._shown_scenario[chart] = (doc.selected_scenario, result, proj)
            comparison = series.comparison(proj, result.projection) if result is not None else None
            if chart is self.cumulative:
                self.cumulative.set_scenario(doc.selected_scenario, comparison)
            else:
                err = doc.scenario_error
                self.scenarios.set_data(proj, doc.selected_scenario, comparison,
                                        f"“{doc.selected_scenario}” can't be evaluated: {err.problems[0].message}"
                                        if err else "")

"""The Actuals chart: actual bars by category against the plan line, the re-forecast line and its P10-P90 band."""
from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QWidget

from pricing.plan import Category

from gui import theme
from gui.charts import base as chart_base
from gui.charts.base import BAR_WIDTH, Chart, _color, _set_text

FORECAST_COLOR = "#7F3C8D"
"""The re-forecast line (a purple apart from every category colour, readable on light and dark)."""
ALL = ""
"""``show(category=ALL)``: every category stacked, against the plan's total."""


def category_color(name: str) -> QColor:
    """A category's colour as in the Monthly chart (the unmapped rest in grey)."""
    try:
        return theme.category_color(Category(name))
    except ValueError:
        return QColor(theme.OTHER_COLOR)


class ActualsChart(Chart):
    """Bars: what the bills say per month, stacked by category. Line: the plan. Dashed: the re-forecast."""

    def __init__(self, selector: QWidget | None = None, parent: QWidget | None = None):
        """``selector``: a widget shown at the right of the caption line (the tab's category choice)."""
        super().__init__(parent=parent)
        if selector is not None:  # the caption line holds the selector too: no line of its own
            layout = self.layout()
            layout.removeWidget(self.caption)
            row = QHBoxLayout()
            row.addWidget(self.caption, 1)
            row.addWidget(selector, 0, Qt.AlignmentFlag.AlignTop)
            layout.insertLayout(0, row)
        pg = chart_base.pg
        self.bars: dict[str, Any] = {}
        self.plan_line = pg.PlotDataItem([], [], pen=pg.mkPen(theme.foreground(self), width=2), symbol="o",
                                         symbolSize=6, symbolBrush=theme.foreground(self), symbolPen=None)
        self.plan_line.setZValue(6)
        self.forecast_line = pg.PlotCurveItem(pen=pg.mkPen(FORECAST_COLOR, width=2.2, style=Qt.PenStyle.DashLine),
                                              connect="finite")
        self.forecast_line.setZValue(7)
        self.band_low = pg.PlotCurveItem(connect="finite")
        self.band_high = pg.PlotCurveItem(connect="finite")
        self.band_fill = pg.FillBetweenItem(self.band_low, self.band_high, brush=_color(FORECAST_COLOR, 45))
        self.band_fill.setZValue(-5)
        self.budget = pg.InfiniteLine(angle=0, movable=False,
                                      pen=pg.mkPen(theme.BUDGET_COLOR, width=1.5, style=Qt.PenStyle.DotLine))
        self.budget_label = pg.InfLineLabel(self.budget, text="", position=0.02, anchors=[(0, 1), (0, 1)],
                                            color=theme.BUDGET_COLOR)
        for it in (self.plan_line, self.forecast_line, self.band_low, self.band_high, self.band_fill, self.budget):
            self.item.addItem(it)
        self.series: Any = None
        """The ``pricing.actuals.figures.ChartSeries`` drawn."""
        self.category = ALL
        self.budget_above = False
        self.budget_value: float | None = None
        self.partial = ""
        """What the caption says of a month covered in part (``May 2027: 55% of the month to date``)."""
        self.month_names: tuple[str, ...] = ()
        self.drawn: dict[str, np.ndarray] = {}
        """What each element was given (tests read it): ``actual:<category>`` tops, ``plan``, ``forecast``."""
        self.caption.setText("<b>Actual against plan</b>")

    def apply_palette(self) -> None:
        super().apply_palette()
        if getattr(self, "plan_line", None) is not None:
            fg = theme.foreground(self)
            self.plan_line.setPen(chart_base.pg.mkPen(fg, width=2))
            self.plan_line.setSymbolBrush(fg)

    def show(self, series: Any, currency: str, category: str = ALL) -> None:  # noqa: A003 - a chart shows data
        """Draw ``series`` (None: nothing imported) for every category (``ALL``) or one of them."""
        self.series, self.category = series, category
        self.drawn = {}
        pg = chart_base.pg
        if series is None:
            for bar in self.bars.values():
                bar.setVisible(False)
            for it in (self.plan_line, self.forecast_line, self.band_low, self.band_high):
                it.setData([], [])
            self.budget.setVisible(False)
            self.partial = ""
            self.caption.setText("<b>Actual against plan</b>")
            return
        n = len(series.months)
        x = np.arange(n, dtype=float)
        layers = [ly for ly in series.layers if category in (ALL, ly.category)]
        bottom = np.zeros(n)
        for ly in series.layers:
            if ly.category not in self.bars:
                color = category_color(ly.category)
                bar = pg.BarGraphItem(x=[], height=[], y0=[], width=BAR_WIDTH, brush=color,
                                      pen=pg.mkPen(_color(color.darker(125)), width=1))
                self.item.addItem(bar)
                self.bars[ly.category] = bar
        for name, bar in self.bars.items():
            ly = next((ly for ly in layers if ly.category == name), None)
            if ly is None:
                bar.setVisible(False)
                continue
            values = ly.top - ly.bottom
            y0 = ly.bottom if category == ALL else bottom
            bar.setOpts(x=x, y0=y0, height=values, width=BAR_WIDTH)
            bar.setVisible(True)
            self.drawn[f"actual:{name}"] = y0 + values
        plan = series.plan if category == ALL else next(ly.plan for ly in layers)
        self.plan_line.setData(x, plan)
        self.drawn["plan"] = plan
        with_forecast = category == ALL and series.forecast is not None
        if with_forecast:
            self.forecast_line.setData(x, series.forecast)
            self.band_low.setData(x, series.p10)
            self.band_high.setData(x, series.p90)
            self.drawn["forecast"] = series.forecast
        else:
            for it in (self.forecast_line, self.band_low, self.band_high):
                it.setData([], [])
        self.band_fill.setVisible(with_forecast)
        tops = [float(np.nanmax(v)) for v in (plan, *(ly.top if category == ALL else ly.top - ly.bottom
                                                        for ly in layers)) if len(v)]
        if with_forecast:
            tops.append(float(np.nanmax(series.p90)))
        budget = series.budget if category == ALL else None
        highest = max(tops, default=0.0)
        # a budget far above every bar and line is said in the caption, not drawn: it would flatten them
        self.budget_above = budget is not None and budget > 1.5 * highest > 0
        if budget is not None and not self.budget_above:
            tops.append(budget)
            self.budget.setPos(budget)
        self.budget.setVisible(budget is not None and not self.budget_above)
        self.set_span(-0.6, max(n, 1) - 0.4)
        self.set_value_range(max(tops, default=0.0), currency)
        if budget is not None:  # after the scale: the label is in the currency's format
            _set_text(self.budget_label, f"Budget {self.fmt.compact(budget)}/mo")
        self.budget_value = budget
        partial = [k for k in range(n) if series.observed[k] and series.covered[k] < 1.0]
        # a month the bills cover in part is said in the caption (a label on a bar this narrow hides its neighbours)
        self.partial = (f"{series.months[partial[-1]]}: {series.covered[partial[-1]]:.0%} of the month to date"
                        if partial else "")
        self.month_names = series.months
        self.set_month_ticks(series.months)
        self._caption(layers, with_forecast, currency, budget is not None)

    def _caption(self, layers: list, with_forecast: bool, currency: str, budget: bool) -> None:
        obs = self.series.observed
        legend = [f"<span style='color:{category_color(ly.category).name()}'>■</span> {ly.category}" for ly in layers
                  if np.any((ly.top - ly.bottom)[obs])]  # the categories with bars (a plan-only one has none)
        legend.append("<b>━●</b> plan")
        if with_forecast:
            legend.append(f"<span style='color:{FORECAST_COLOR}'><b>╍</b></span> re-forecast "
                          f"<span style='color:{FORECAST_COLOR}'>▬</span> P10–P90")
        if budget and self.budget_above:
            legend.append(f"<span style='color:{theme.BUDGET_COLOR}'>budget {self.fmt.compact(self.budget_value)}/mo, "
                          "above the chart</span>")
        elif budget:
            legend.append(f"<span style='color:{theme.BUDGET_COLOR}'>┈</span> budget")
        if self.partial:
            legend.append(f"<i>{self.partial}</i>")
        self.caption.setText(f"<b>Actual against plan</b> ({currency})&nbsp;&nbsp;" + "&nbsp;&nbsp;".join(legend))

    def _shown_actual(self) -> np.ndarray | None:
        """The actual per month as drawn: the top of the stack, or the one category's bars."""
        s = self.series
        if s is None:
            return None
        if self.category == ALL:
            return s.actual_total
        return self.drawn.get(f"actual:{self.category}")

    def hover_at(self, x: float, y: float) -> str:
        s = self.series
        i = int(round(x))
        if s is None or not 0 <= i < len(s.months) or abs(x - i) > 0.45:
            return ""
        rows = [f"<b>{s.months[i]}</b>"]
        if s.observed[i]:
            for ly in s.layers:
                if self.category in (ALL, ly.category) and ly.top[i] != ly.bottom[i]:
                    rows.append(f"{ly.category}: {self.fmt.auto(float(ly.top[i] - ly.bottom[i]))}")
            actual = self._shown_actual()
            if actual is not None:
                rows.append(f"Actual: {self.fmt.auto(float(actual[i]))}"
                            + (f" (to date, {s.covered[i]:.0%} of the month)" if s.covered[i] < 1.0 else ""))
        plan = self.drawn.get("plan")
        if plan is not None:
            rows.append(f"Plan: {self.fmt.auto(float(plan[i]))}")
        fc = self.drawn.get("forecast")
        if fc is not None and np.isfinite(fc[i]):
            rows.append(f"Re-forecast: {self.fmt.auto(float(fc[i]))} (P10–P90 {self.fmt.auto(float(s.p10[i]))} – "
                        f"{self.fmt.auto(float(s.p90[i]))})")
        return "<br>".join(rows)

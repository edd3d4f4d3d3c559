"""The chart tabs: the visible chart redraws on every change, hidden ones when shown; built after the first paint."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from pricing import series

from gui import theme
from gui.charts.base import Chart
from gui.charts.plots import CumulativeChart, DriversChart, MonthlyChart, ScenarioChart, TornadoChart
from gui.uncertainty_view import Status


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
        if m.band_current:  # the band is back, the tornado still computing
            return m.band, None, "", "Computing…"
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
        self._refresh_current(scenario=(chart is self._charts[1] or chart is self._charts[2])
                              and not self.document.scenario_pending)
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
        if (scenario and chart in self._scenario_dirty and chart in (self.cumulative, self.scenarios)
                and not self.document.scenario_pending):  # a scenario evaluated on a worker comes with scenario_changed
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

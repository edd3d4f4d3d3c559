"""Charts redraw once per edit, with the engine's numbers: the view range is applied before the paint."""
import dataclasses

import numpy as np
import pytest


def _scale_apis(doc, factor, base=None):
    line = doc.plan.services.apis[0]
    new = dataclasses.replace(line, requests_per_month=(base or line.requests_per_month) * factor)
    doc.apply(doc.plan.with_section("services.apis", (new,) + doc.plan.services.apis[1:]), "Requests",
              merge_key="services.apis[0].requests_per_month")


@pytest.mark.parametrize("tab", ["Monthly", "Scenarios"])
def test_an_edit_that_rescales_the_chart_paints_it_once(qtbot, window, tab, monkeypatch):
    from PySide6.QtCore import QEvent, QObject
    # the scenario evaluated in the UI thread, as a quick one is: the Frugal scenario's three strategies (8
    # subsets to split the saving among) take ~10 ms here, near the 12 ms above which a worker takes over and
    # the chart waits for the edits to pause (test_scenario_worker covers that path)
    monkeypatch.setattr("gui.document.SYNC_SCENARIO_MS", 1e9)
    from PySide6.QtWidgets import QApplication
    charts = window.charts
    charts.setCurrentIndex([t for t, _ in charts.TABS].index(tab))
    chart = charts.charts()[charts.currentIndex()]  # built now if the window has not painted yet
    base = window.document.plan.services.apis[0].requests_per_month
    _scale_apis(window.document, 1.05, base)  # the first edit also changes the window's title and status bar
    for _ in range(4):
        QApplication.processEvents()
    viewport = chart.plot.viewport()

    class Count(QObject):
        paints = 0

        def eventFilter(self, obj, event):  # noqa: N802
            if obj is viewport and event.type() == QEvent.Type.Paint:
                self.paints += 1
            return False

    counter = Count()
    QApplication.instance().installEventFilter(counter)
    try:
        tops = {chart.top}
        for factor in (1.6, 1.0, 1.6, 1.0):  # typing: the value axis moves to another round end and back
            counter.paints = 0
            _scale_apis(window.document, factor, base)
            assert not chart.item.getViewBox()._matrixNeedsUpdate  # applied now, not inside the paint
            for _ in range(4):
                QApplication.processEvents()
            tops.add(chart.top)
            assert counter.paints == 1, factor
    finally:
        QApplication.instance().removeEventFilter(counter)
    assert len(tops) > 1  # the edits did rescale the chart
    proj = window.document.projection
    if tab == "Monthly":
        for layer in chart.stacked.layers:
            bar = chart.bars[layer.category]
            assert np.asarray(bar.opts["height"]) == pytest.approx(layer.values)
            assert np.asarray(bar.opts["y0"]) == pytest.approx(layer.bottom)
    else:
        result = window.document.scenario_result
        _, y = chart.scenario.getData()
        assert y == pytest.approx(result.projection.monthly)
        _, y = chart.baseline.getData()
        assert y == pytest.approx(proj.monthly)


def test_budget_marker_follows_edits_and_goes_away(qtbot, window):
    doc = window.document
    chart = window.charts.monthly
    doc.apply(dataclasses.replace(doc.plan, monthly_budget=10_000.0), "Budget")
    first = doc.projection.first_month_over_budget()
    assert first is not None and list(chart.over.getData()[0]) == [first]
    doc.apply(dataclasses.replace(doc.plan, monthly_budget=1e12), "Budget")
    assert len(chart.over.getData()[0]) == 0 and chart.over_label.textItem.toPlainText() == ""
    doc.apply(dataclasses.replace(doc.plan, monthly_budget=10_000.0), "Budget")
    assert list(chart.over.getData()[0]) == [first]
    assert "over budget from" in chart.over_label.textItem.toPlainText()
    assert chart.budget_label.textItem.toPlainText().startswith("Budget ")

"""Charts of the document's projection (pyqtgraph): monthly by category, cumulative, baseline vs scenario, drivers.

The series come from ``pricing.series``; the charts keep their plot items and only call ``setData``/``setOpts``.
``base`` holds the Chart widget (and loads pyqtgraph on first use), ``plots`` the charts, ``view`` the tabs.
"""
from gui.charts.base import Chart
from gui.charts.plots import CumulativeChart, DriversChart, MonthlyChart, ScenarioChart, TornadoChart
from gui.charts.view import ChartsView

__all__ = ["Chart", "ChartsView", "CumulativeChart", "DriversChart", "MonthlyChart", "ScenarioChart", "TornadoChart"]

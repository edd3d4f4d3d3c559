"""The headline figures across the top: run-rates, horizon total, cost per 1k requests, top driver, savings."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from pricing import series

from gui import theme
from gui.uncertainty_view import Status
from gui.widgets import MoneyFormat


class Figure(QFrame):
    """One headline figure: a caption above a big value, and a detail line below."""

    def __init__(self, caption: str, tip: str, samples: tuple[str, str, str], parent: QWidget | None = None):
        """``samples``: the widest caption, value and detail expected; the figure keeps that size, so a new
        value never re-lays out the window (text that is wider still is elided, the tooltip has it all)."""
        super().__init__(parent)
        self.setToolTip(tip)
        self.setAccessibleDescription(tip)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 4, 12, 4)
        layout.setSpacing(0)
        self.caption = QLabel(caption)
        self.value = QLabel("—")
        self.value.setFont(theme.headline_font(self.font(), 1.55))
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail = QLabel("")
        for w in (self.caption, self.detail):
            w.setForegroundRole(w.foregroundRole())
            font = w.font()
            font.setPointSizeF(max(font.pointSizeF() * 0.88, 7.0))
            w.setFont(font)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)
        labels = (self.caption, self.value, self.detail)
        width = max(w.fontMetrics().horizontalAdvance(t) for w, t in zip(labels, samples)) + 4
        for w in labels:
            w.setFixedSize(width, w.fontMetrics().height() + 2)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._apply_muted()

    def _apply_muted(self) -> None:
        for w in (self.caption,) if getattr(self, "_warned", False) else (self.caption, self.detail):
            pal = w.palette()
            pal.setColor(w.foregroundRole(), theme.muted(self))
            w.setPalette(pal)

    def changeEvent(self, event: Any) -> None:  # noqa: N802 - follow the system palette (light/dark switch)
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self._apply_muted()

    def warn(self, on: bool) -> None:
        """Show the detail line as a warning (e.g. the budget is exceeded)."""
        if on != getattr(self, "_warned", False):
            self._warned = on
            pal = self.detail.palette()
            pal.setColor(self.detail.foregroundRole(), QColor(theme.BUDGET_COLOR) if on else theme.muted(self))
            self.detail.setPalette(pal)

    def set(self, value: str, detail: str = "", caption: str | None = None) -> None:
        for label, text in ((self.value, value), (self.detail, detail), (self.caption, caption)):
            if text is None:
                continue
            shown = label.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, label.width())
            if shown != label.text():
                label.setText(shown)
            label.setToolTip(text if shown != text else "")


class HeadlineBar(QWidget):
    """Reads ``series.headline`` of the document's projection and selected scenario; computes nothing itself."""

    def __init__(self, document: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(0)
        self.now = Figure("Run-rate now", "Cost of the plan's first month: what the project costs a month as it "
                          "starts.", ("Run-rate now", "$888,888/mo", "Sep 2028"))
        self.end = Figure("Run-rate at the horizon", "Cost of the last month of the plan.",
                          ("Run-rate, month 240", "$888,888/mo", "Sep 2028"))
        self.total = Figure("Horizon total", "Everything the plan costs over its months (sum of the monthly costs).",
                            ("240-month total, P50", "$88,888,888", "P10–P90: $88.8M – $88.8M"))
        self.per_1k = Figure("Cost per 1k requests", "The whole bill over the horizon divided by the requests "
                             "served by inference services and API lines, per thousand.",
                             ("Cost per 1k requests", "$888.88", "whole bill / requests served"))
        self.driver = Figure("Top driver", "The line costing the most over the horizon, and its share of the total.",
                             ("Top driver", "Answer generation ser", "88% of the total"))
        self.budget = Figure("Monthly budget", "The plan's monthly budget and the first month the cost exceeds it.",
                             ("Monthly budget", "$888.8k", "exceeded from Sep 2028"))
        self.saving = Figure("Savings", "What the selected scenario (Savings panel) saves over the horizon, and "
                             "its share of the baseline.",
                             ("Self-host answers saves", "88.8%", "$8,888,888 over 24 months"))
        self.figures = [self.now, self.end, self.total, self.per_1k, self.driver, self.budget, self.saving]
        for i, f in enumerate(self.figures):
            if i:
                rule = QFrame()
                rule.setFrameShape(QFrame.Shape.VLine)
                rule.setFrameShadow(QFrame.Shadow.Sunken)
                layout.addWidget(rule)
            layout.addWidget(f)
        layout.addStretch(1)
        # figures that don't fit a narrow window are clipped rather than widening the window
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(200)
        self.data: series.Headline | None = None
        """The figures shown (tests compare them with the engine)."""
        self.band: series.Band | None = None
        """The Monte Carlo spread shown with the total (None without ranges or while computing)."""
        self.uncertainty: Any = None
        document.plan_changed.connect(self._on_plan_changed)
        document.scenario_changed.connect(self._on_scenario_changed)
        self._on_plan_changed()
        self._on_scenario_changed()

    def _on_plan_changed(self) -> None:
        doc = self.document
        proj = doc.projection
        if proj is None:
            self.data = None
            for f in self.figures:
                f.set("—", "")
            n = len(doc.problems)
            self.now.set("—", f"the plan can't be priced: {n} problem{'s' if n != 1 else ''}")
            return
        # the scenario's saving follows in _on_scenario_changed (evaluated after the baseline is drawn)
        if doc.scenario_pending:  # on a worker: the saving shown is the previous plan's until it is back
            self.saving.set(None, "updating…")  # type: ignore[arg-type]
        h = series.headline(proj)
        self.data = h
        fmt = MoneyFormat(proj.currency)
        labels = series.month_labels(proj)
        self.now.set(f"{fmt.auto(h.run_rate_now)}/mo", labels[0] if labels else "")
        self.end.set(f"{fmt.auto(h.run_rate_end)}/mo", labels[-1] if labels else "",
                     caption=f"Run-rate, month {h.months}")
        self._show_total()
        # the plan's unit of work (a ticket, a document) or, without one, 1k requests of every API and serving line
        self.per_1k.set("—" if h.unit_cost is None else fmt.full(h.unit_cost), h.unit_caption, caption=h.unit_label)
        if h.top_driver is None:
            self.driver.set("—", "")
        else:
            self.driver.set(h.top_driver, f"{fmt.percent(h.top_driver_share or 0.0)} of the total")
        if h.budget is None:
            self.budget.set("none", "set one in Plan settings")
        elif h.first_over_budget is None:
            self.budget.set(fmt.compact(h.budget), "never exceeded")
        else:
            self.budget.set(fmt.compact(h.budget), f"exceeded from {h.first_over_budget}")
        self.budget.warn(h.first_over_budget is not None)

    def set_uncertainty(self, model: Any) -> None:
        """Show the total as ``P50 (P10–P90)`` from ``model`` (a ``gui.uncertainty_view.Uncertainty``)."""
        self.uncertainty = model
        model.changed.connect(self._show_total)
        self._show_total()

    def _show_total(self) -> None:
        proj, h = self.document.projection, self.data
        if proj is None or h is None:
            return
        fmt = MoneyFormat(proj.currency)
        m = self.uncertainty
        band = m.band if m is not None and m.band_current else None
        self.band = band
        if band is not None:
            self.total.set(fmt.auto(band.total_p50),
                           f"P10–P90: {fmt.compact(band.total_p10)} – {fmt.compact(band.total_p90)}",
                           caption=f"{h.months}-month total, P50")
            self.total.setToolTip(
                f"Median of {band.samples:,} Monte Carlo samples of the plan's {band.inputs} range"
                f"{'s' if band.inputs != 1 else ''}: {fmt.full(band.total_p50)}. P10–P90: {fmt.full(band.total_p10)} "
                f"to {fmt.full(band.total_p90)} (80% of the samples fall between). With every input at its likely "
                f"value the total is {fmt.full(band.total_likely)}. {h.fx_note}".strip())
            return
        labels = series.month_labels(proj)
        detail = f"{labels[0]} – {labels[-1]}" if labels else ""
        if m is not None and m.has_ranges:
            detail = {Status.CANCELLED: "likely; range not computed", Status.FAILED: "likely; range failed"}.get(
                m.status, "likely; range: simulating…")
        self.total.set(fmt.auto(h.total), detail, caption=f"{h.months}-month total")
        self.total.setToolTip("Everything the plan costs over its months (sum of the monthly costs), every input at "
                              f"its likely value. {h.fx_note}".strip())

    def set_actuals(self, model: Any) -> None:
        """Show the latest month with actuals against the plan (``gui.actuals_model.ActualsModel``), if any."""
        self.actuals = Figure("Actual vs plan", "The latest month of the imported bills against the plan for the same "
                              "days (Actuals tab).", ("Month to date, Sep 2028", "$888,888", "+88.8% vs plan $888,888"))
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.VLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)
        layout = self.layout()
        at = layout.indexOf(self.total) + 1
        layout.insertWidget(at, rule)
        layout.insertWidget(at + 1, self.actuals)
        self._actuals_parts = (rule, self.actuals)
        self._actuals_model = model
        model.changed.connect(self._show_actuals)
        self._show_actuals()

    def _show_actuals(self) -> None:
        f = self._actuals_model.figures
        h = f.headline if f is not None else None
        for w in self._actuals_parts:
            w.setVisible(h is not None)
        if h is None:
            return
        fmt = MoneyFormat(f.currency)
        pct = "" if h.variance_pct is None else f"{h.variance_pct:+.1f}% "
        self.actuals.set(fmt.auto(h.actual), f"{pct}vs plan {fmt.auto(h.plan)}",
                         caption=f"{'Month to date' if h.to_date else 'Last month'}, {h.month}")
        self.actuals.warn(h.variance > 0)
        tip = (f"{h.month}: actual {fmt.full(h.actual)} against the plan's {fmt.full(h.plan)}"
               + (f" for the {h.covered:.0%} of the month the bills cover" if h.to_date else ""))
        if h.previous is not None:
            month, actual, plan, ppct = h.previous
            tip += (f".\n{month}: actual {fmt.full(actual)} against {fmt.full(plan)}"
                    + ("" if ppct is None else f" ({ppct:+.1f}%)"))
        self.actuals.setToolTip(tip + ".")

    def _on_scenario_changed(self) -> None:
        doc = self.document
        proj = doc.projection
        if proj is None:
            return
        if doc.scenario_pending:  # evaluated on a worker: scenario_changed follows
            self.saving.set("…", "computing", caption=f"{doc.selected_scenario} saves")
            return
        h = series.headline(proj, doc.selected_scenario, doc.scenario_result)
        self.data = h
        fmt = MoneyFormat(proj.currency)
        if h.scenario is None:
            err = doc.scenario_error if doc.selected_scenario else None
            self.saving.set("—", "scenario can't be evaluated" if err else "no scenario", caption="Savings")
            self.saving.detail.setToolTip(str(err) if err else "")
        else:
            self.saving.set(f"{fmt.percent(h.scenario_saving_share or 0.0)}",
                            f"{fmt.auto(h.scenario_saving_total or 0.0)} over {h.months} months",
                            caption=f"{h.scenario} saves")


"""The headline figures across the top: run-rates, horizon total, cost per 1k requests, top driver, savings."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFrame, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from pricing import series
from pricing.wording import plural

from gui import theme
from gui.screen_fit import ElidedLabel
from gui.uncertainty_view import Status
from gui.widgets import MoneyFormat


class _Line(ElidedLabel):
    """One line of a figure. Its size never follows its text, so a new value never re-lays out the window: as
    wide as its sample, narrower (down to a share of that) when the bar is short of room; text wider than the
    label is drawn elided, the whole of it in the tooltip (``text()`` is always the whole text)."""

    def __init__(self, text: str = ""):
        super().__init__(text)
        self._hint = QSize(0, 0)

    def fix(self, width: int, height: int, shrink: float) -> None:
        """``width`` x ``height`` as it would like, down to ``shrink`` of the width when room is short."""
        self._hint = QSize(width, height)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(height)
        self.setMinimumWidth(int(width * shrink))
        self.setMaximumWidth(width)
        self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self._hint

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(self.minimumWidth(), self._hint.height())

    def show_text(self, text: str) -> None:
        self.setText(text)


class Figure(QFrame):
    """One headline figure: a caption above a big value, and a detail line below."""

    def __init__(self, caption: str, tip: str, samples: tuple[str, str, str], parent: QWidget | None = None,
                 shrink: float = 1.0):
        """``samples``: the widest caption, value and detail expected; the figure keeps that size, so a new
        value never re-lays out the window (text that is wider still is elided, the tooltip has it all).
        ``shrink``: the share of that width its value may shrink to when the window is narrow (a name: money never
        shrinks)."""
        super().__init__(parent)
        self.setToolTip(tip)
        self.setAccessibleDescription(tip)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.setSpacing(0)
        self.caption = _Line(caption)
        self.value = _Line("—")
        self.value.setFont(theme.headline_font(self.font(), 1.55))
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail = _Line("")
        for w in (self.caption, self.detail):
            w.setForegroundRole(w.foregroundRole())
            font = w.font()
            font.setPointSizeF(max(font.pointSizeF() * 0.88, 7.0))
            w.setFont(font)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)
        self._samples, self._shrink, self.compact = samples, shrink, False
        self._fit()
        # narrower than its samples when the window is (1024 px): the texts are then elided, never overlapped
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._apply_muted()

    def _fit(self) -> None:
        labels = (self.caption, self.value, self.detail)
        width = max(w.fontMetrics().horizontalAdvance(t) for w, t in zip(labels, self._samples)) + 4
        for w in labels:  # the caption and detail lines give way first (elided, the tooltip has them)
            w.fix(width, w.fontMetrics().height() + 2, self._shrink if w is self.value else 0.5)

    def set_compact(self, on: bool) -> None:
        """A smaller value font, for a window too narrow for the figures at their full size."""
        if on != self.compact:
            self.compact = on
            self.value.setFont(theme.headline_font(self.font(), 1.25 if on else 1.55))
            self._fit()

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
            if text is not None:
                label.show_text(text)


class HeadlineBar(QWidget):
    """Reads ``series.headline`` of the document's projection and selected scenario; computes nothing itself."""

    def __init__(self, document: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(0)
        self.now = Figure("Run-rate now", "What the project costs a month as it starts: the first month without "
                          "one-off runs (training runs, labelling batches that do not repeat), which are shown apart.",
                          ("Run-rate now", "$888,888/mo", "Sep 2028 + $888.8k one-off"))
        self.end = Figure("Run-rate at the horizon", "The last month of the plan without one-off runs.",
                          ("Run-rate, month 240", "$888,888/mo", "Sep 2028 + $888.8k one-off"))
        self.total = Figure("Horizon total", "Everything the plan costs over its months (sum of the monthly costs).",
                            ("240-month total, P50", "$88,888,888", "P10–P90: $88.8M – $88.8M"))
        self.per_1k = Figure("Cost per 1k requests", "The whole bill over the horizon divided by the requests "
                             "served by inference services and API lines, per thousand.",
                             ("Cost per 1k requests", "$888.88", "whole bill / requests served"))
        self.driver = Figure("Top driver", "The line costing the most over the horizon, and its share of the total.",
                             ("Top driver", "Answer generation ser", "88% of the total"), shrink=0.5)
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
        self._full_width = layout.sizeHint().width()
        """What the figures take at their full size: narrower, they turn compact (``Figure.set_compact``)."""
        self.data: series.Headline | None = None
        """The figures shown (tests compare them with the engine)."""
        self.band: series.Band | None = None
        """The Monte Carlo spread shown with the total (None without ranges or while computing)."""
        self.uncertainty: Any = None
        document.plan_changed.connect(self._on_plan_changed)
        document.scenario_changed.connect(self._on_scenario_changed)
        self._on_plan_changed()
        self._on_scenario_changed()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - a narrow window: smaller figures, elided texts
        super().resizeEvent(event)
        compact = event.size().width() < self._full_width
        for f in self.figures:
            f.set_compact(compact)

    def _on_plan_changed(self) -> None:
        doc = self.document
        proj = doc.projection
        if proj is None:
            self.data = None
            for f in self.figures:
                f.set("—", "")
            n = len(doc.problems)
            self.now.set("—", f"the plan can't be priced: {plural(n, 'problem')}")
            return
        # the scenario's saving follows in _on_scenario_changed (evaluated after the baseline is drawn)
        if doc.scenario_pending:  # on a worker: the saving shown is the previous plan's until it is back
            self.saving.set(None, "updating…")  # type: ignore[arg-type]
        h = series.headline(proj)
        self.data = h
        fmt = MoneyFormat(proj.currency)
        self._show_run_rate(self.now, h.now, fmt)
        self._show_run_rate(self.end, h.end, fmt, caption=f"Run-rate, month {h.months}")
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

    @staticmethod
    def _show_run_rate(figure: Figure, rate: series.RunRate | None, fmt: MoneyFormat,
                       caption: str | None = None) -> None:
        """The recurring run-rate, with the month's one-off runs apart (``series.run_rate`` split them)."""
        if rate is None:
            figure.set("—", "", caption=caption)
            return
        detail = rate.month + (f" + {fmt.auto(rate.one_off)} one-off" if rate.one_off else "")
        figure.set(f"{fmt.auto(rate.recurring)}/mo", detail, caption=caption)
        tip = figure.accessibleDescription()
        if rate.one_off:
            tip += (f"\n\n{rate.month}: {fmt.full(rate.total)} in all = {fmt.full(rate.recurring)} recurring + "
                    f"{fmt.full(rate.one_off)} one-off ({', '.join(rate.one_off_lines)}).")
        figure.setToolTip(tip)

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
                f"Median of {band.samples:,} Monte Carlo samples of the plan's {plural(band.inputs, 'range')}: "
                f"{fmt.full(band.total_p50)}. P10–P90: {fmt.full(band.total_p10)} "
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
            self.saving.set(f"{fmt.percent(h.scenario_saving_share or 0.0, series.SHARE_DIGITS)}",
                            f"{fmt.auto(h.scenario_saving_total or 0.0)} over {plural(h.months, 'month')}",
                            caption=f"{h.scenario} saves")


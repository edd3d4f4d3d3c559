"""Tools > Commitments…: per GPU pool, the usage with its P10-P90 band, the offers ranked, the chosen offer's cash
flow beside the amortised view, the gaps with their reasons; the planner runs off the UI thread (progress, Cancel).

The figures come from ``pricing.commitments`` (the planner, ``figures``); the models and charts show them as they
are. "Add to plan" puts the chosen offer's commitment in the plan's ``commitments:`` through the document (undo
takes it back).
"""
from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QProgressBar, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget)

from pricing import series
from pricing.commitments.figures import Figures, OfferFigures, PoolFigures
from pricing.plan import Category

from gui import theme, workers
from gui.charts import base as chart_base
from gui.charts.base import BAR_WIDTH, Chart, _color
from gui.formatting import VIEW_WORDS, MoneyFormat

Index = QModelIndex | QPersistentModelIndex

USAGE_COLOR = theme.CATEGORY_COLORS[Category.COMPUTE]   # the pool's usage, in the Compute colour
COMMITTED_COLOR = "#E15759"       # the chosen commitment's GPUs over the usage
HELD_COLOR = "#B07AA1"            # GPUs the plan already commits
CASH_COLOR = "#4E79A7"
AMORTISED_COLOR = "#F28E2B"


def _gpus(n: int) -> str:
    return f"{n:,} GPU{'s' if n != 1 else ''}"


# ---------------------------------------------------------------------------------------------
# The offers table and the gaps table (thin models: the figures as they are)
# ---------------------------------------------------------------------------------------------


class OffersModel(QAbstractTableModel):
    """One row per offer of the pool, ranked by expected saving (the planner's order)."""

    COLUMNS = ("Offer", "Term", "GPUs", "From", "Coverage", "Utilisation", "Break-even", "Expected saving",
               "P10 saving", "Owed past horizon")
    OFFER, TERM, GPUS, FROM, COVERAGE, UTILISATION, BREAK_EVEN, EXPECTED, P10, PAST = range(10)
    _TIPS = {
        OFFER: "The provider's offer (reserved instance, savings plan, CUD) and its source",
        TERM: "Term and payment option",
        GPUS: "GPUs to commit: the best size for this offer (in its steps)",
        FROM: "The month the term should start",
        COVERAGE: "Share of the pool's usage in the term that the commitment covers",
        UTILISATION: "Share of the committed GPU-hours used (likely usage)",
        BREAK_EVEN: "Utilisation below which the commitment costs more than on demand: 1 - discount",
        EXPECTED: "On-demand cost avoided minus the charge over the horizon, less what is still owed after it "
                  "(mean over the usage samples when the plan has ranges)",
        P10: "The saving when usage falls short: the 10th percentile over the samples",
        PAST: "What the term still costs after the plan's last month (counted in the savings)",
    }

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.pool: PoolFigures | None = None
        self.fmt = MoneyFormat()

    def set_pool(self, pool: PoolFigures | None, currency: str) -> None:
        self.beginResetModel()
        self.pool = pool
        self.fmt.set_currency(currency)
        self.endResetModel()

    def offer_at(self, row: int) -> OfferFigures | None:
        if self.pool is None or not 0 <= row < len(self.pool.offers):
            return None
        return self.pool.offers[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() or self.pool is None else len(self.pool.offers)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._TIPS.get(section)
        if role == Qt.ItemDataRole.TextAlignmentRole and section >= self.GPUS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        o = self.offer_at(index.row())
        if o is None or not index.isValid():
            return None
        c = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(o, c)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tip(o, c)
        if role == Qt.ItemDataRole.TextAlignmentRole and c >= self.GPUS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and c in (self.EXPECTED, self.P10):
            value = o.expected_saving if c == self.EXPECTED else o.p10_saving
            return QBrush(QColor(theme.ERROR_COLOR)) if value < 0 else None
        if role == Qt.ItemDataRole.FontRole and self.pool is not None and self.pool.recommended == index.row():
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _text(self, o: OfferFigures, c: int) -> str:
        if c == self.OFFER:
            rec = self.pool is not None and self.pool.offers.index(o) == self.pool.recommended
            return ("★ " if rec else "") + o.name
        if c == self.TERM:
            return o.term
        if c == self.GPUS:
            return f"{o.gpus:,}"
        if c == self.FROM:
            return o.start
        if c == self.COVERAGE:
            return self.fmt.percent(o.coverage)
        if c == self.UTILISATION:
            return self.fmt.percent(o.utilisation)
        if c == self.BREAK_EVEN:
            return self.fmt.percent(o.break_even)
        if c == self.EXPECTED:
            return self.fmt.full(o.expected_saving)
        if c == self.P10:
            return self.fmt.full(o.p10_saving)
        return self.fmt.full(o.obligation_after_horizon) if o.months_after_horizon and o.gpus else "—"

    def _tip(self, o: OfferFigures, c: int) -> str:
        if c == self.OFFER:
            star = "★ the recommendation: the best expected saving\n" if self._text(o, c).startswith("★") else ""
            return f"{star}{o.label}\n{o.key}\n{o.discount:.1%} off on demand\nSource: {o.source} (as of {o.as_of})"
        if c == self.PAST and o.months_after_horizon and o.gpus:
            return (f"The term runs {o.months_after_horizon} months past the horizon; if usage stays at its last "
                    f"month's level it saves {self.fmt.full(o.saving_if_usage_continues)} in all")
        return self._TIPS.get(c, "")


class GapsModel(QAbstractTableModel):
    """Offers without a published rate for the pool, and lines whose usage cannot be committed: with the reason."""

    COLUMNS = ("Gap or line left out", "Why")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: tuple[tuple[str, str, str], ...] = ()

    def set_rows(self, rows: tuple[tuple[str, str, str], ...]) -> None:
        """(name, reason, tooltip) rows."""
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else 2

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        name, why, tip = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return name if index.column() == 0 else why
        if role == Qt.ItemDataRole.ToolTipRole:
            return tip or why
        return None


# ---------------------------------------------------------------------------------------------
# The charts
# ---------------------------------------------------------------------------------------------


class UsageChart(Chart):
    """The pool's GPUs busy on average each month (likely, with the P10-P90 band of the samples), the GPUs the
    plan already commits, and the chosen offer's GPUs over its term."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent=parent)
        pg = chart_base.pg
        self.item.getAxis("left").tickStrings = lambda values, scale, spacing: [f"{v * scale:g}" for v in values]
        self.band_low = pg.PlotCurveItem()
        self.band_high = pg.PlotCurveItem()
        self.band_fill = pg.FillBetweenItem(self.band_low, self.band_high, brush=_color(theme.BAND_COLOR, 70))
        self.usage = pg.PlotCurveItem(pen=pg.mkPen(USAGE_COLOR, width=2.2))
        self.held = pg.PlotCurveItem(pen=pg.mkPen(HELD_COLOR, width=2, style=Qt.PenStyle.DotLine))
        self.chosen = pg.PlotCurveItem(pen=pg.mkPen(COMMITTED_COLOR, width=2,
                                                                       style=Qt.PenStyle.DashLine))
        for it in (self.band_fill, self.band_low, self.band_high, self.usage, self.held, self.chosen):
            self.item.addItem(it)
        self.band_fill.setZValue(-5)
        self.data: dict[str, np.ndarray | None] = {}
        """What is drawn, by curve (tests read it): usage, p10, p90, held, chosen."""
        self.month_names: tuple[str, ...] = ()

    def show_pool(self, pool: PoolFigures | None, offer: OfferFigures | None, months: tuple[str, ...]) -> None:
        if pool is None:
            for it in (self.band_fill, self.band_low, self.band_high, self.usage, self.held, self.chosen):
                it.setVisible(False)
            self.data = {}
            self.caption.setText("<b>GPU usage</b> — no pool")
            return
        n = len(months)
        edges = np.arange(n + 1, dtype=float) - 0.5
        chosen = offer.committed_gpus if offer is not None and offer.gpus else None
        self.data = {"usage": pool.usage_gpus, "p10": pool.band_p10, "p90": pool.band_p90,
                     "held": pool.committed_gpus, "chosen": chosen}
        self.usage.setData(edges, pool.usage_gpus, stepMode="center")
        self.usage.setVisible(True)
        has_band = pool.band_p10 is not None
        if has_band:
            self.band_low.setData(edges, pool.band_p10, stepMode="center")
            self.band_high.setData(edges, pool.band_p90, stepMode="center")
        for it in (self.band_fill, self.band_low, self.band_high):
            it.setVisible(has_band)
        for curve, values in ((self.held, pool.committed_gpus), (self.chosen, chosen)):
            if values is not None:
                curve.setData(edges, values, stepMode="center")
            curve.setVisible(values is not None)
        tops = [pool.usage_gpus.max(initial=0.0)] + [v.max(initial=0.0) for v in (pool.band_p90, pool.committed_gpus,
                                                                                   chosen) if v is not None]
        top, step = series.nice_scale(max(max(tops), 1.0) * 1.08)
        values = np.arange(0.0, top + step / 2, step)
        self.set_span(-0.6, max(n, 1) - 0.4)
        self.item.getAxis("left").setTicks([[(float(v), f"{v:g}") for v in values]])
        self.item.setYRange(0.0, top * 1.04, padding=0)
        self.grid.setData(np.repeat([[-0.6, max(n, 1) - 0.4]], len(values), axis=0).ravel(), np.repeat(values, 2))
        self.month_names = months
        self.set_month_ticks(months)
        legend = [f"<span style='color:{USAGE_COLOR}'>━</span> GPUs busy on average (GPU-hours / 730)"]
        if has_band:
            legend.append(f"<span style='color:{theme.BAND_COLOR}'>▬</span> P10–P90")
        if pool.committed_gpus is not None:
            legend.append(f"<span style='color:{HELD_COLOR}'>┅</span> already committed")
        if chosen is not None:
            legend.append(f"<span style='color:{COMMITTED_COLOR}'>╍</span> {_gpus(offer.gpus)} of the chosen offer")
        self.caption.setText(f"<b>GPU usage: {pool.label}</b>&nbsp;&nbsp;&nbsp;" + "&nbsp;&nbsp;".join(legend))

    def hover_at(self, x: float, y: float) -> str:
        usage = self.data.get("usage")
        i = int(round(x))
        if usage is None or not 0 <= i < len(usage):
            return ""
        text = f"{self.month_names[i]}: {usage[i]:,.2f} GPUs busy on average"
        if self.data.get("p10") is not None:
            text += f" (P10 {self.data['p10'][i]:,.2f}, P90 {self.data['p90'][i]:,.2f})"
        if self.data.get("chosen") is not None:
            text += f"\n{self.data['chosen'][i]:,.0f} GPUs committed by the chosen offer"
        return text


class CashChart(Chart):
    """The chosen offer's charge as cash (bars) beside the amortised view (a line), and the on-demand cost it avoids
    (a dashed line): per month, or (``cumulative``) as running totals, where the avoided cost crossing the cash
    paid is the month the commitment has paid for itself."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent=parent)
        pg = chart_base.pg
        self.cash = pg.BarGraphItem(x=[], height=[], width=BAR_WIDTH, brush=_color(CASH_COLOR, 200),
                                    pen=pg.mkPen(_color(QColor(CASH_COLOR).darker(125)), width=1))
        self.amortised = pg.PlotCurveItem(pen=pg.mkPen(AMORTISED_COLOR, width=2.4))
        self.avoided = pg.PlotCurveItem(pen=pg.mkPen(theme.SCENARIO_COLOR, width=1.6,
                                                                        style=Qt.PenStyle.DashLine))
        self.cash_line = pg.PlotCurveItem(pen=pg.mkPen(CASH_COLOR, width=2.6))  # running totals: a line
        for it in (self.cash, self.cash_line, self.amortised, self.avoided):
            self.item.addItem(it)
        self.data: dict[str, tuple[float, ...] | None] = {}
        """What is drawn (tests read it): cash, amortised, avoided."""
        self.month_names: tuple[str, ...] = ()
        self.cumulative = False

    def show_offer(self, offer: OfferFigures | None, months: tuple[str, ...], currency: str) -> None:
        n = len(months)
        if offer is None or not offer.gpus:
            self.data = {}
            for it in (self.cash, self.cash_line, self.amortised, self.avoided):
                it.setVisible(False)
            self.caption.setText("<b>Cash vs amortised</b> — choose an offer that commits GPUs")
            return
        if self.cumulative:
            self.data = {"cash": offer.cumulative_cash, "amortised": offer.cumulative_amortised,
                         "avoided": offer.cumulative_avoided}
        else:
            self.data = {"cash": offer.cash, "amortised": offer.amortised, "avoided": offer.on_demand_avoided}
        d = self.data
        x = np.arange(n, dtype=float)
        edges = np.arange(n + 1, dtype=float) - 0.5
        if d["cash"] is not None:
            if self.cumulative:
                self.cash_line.setData(edges, np.asarray(d["cash"]), stepMode="center")
            else:
                self.cash.setOpts(x=x, height=np.asarray(d["cash"]), width=BAR_WIDTH)
        self.cash.setVisible(d["cash"] is not None and not self.cumulative)
        self.cash_line.setVisible(d["cash"] is not None and self.cumulative)
        self.amortised.setData(edges, np.asarray(d["amortised"]), stepMode="center")
        self.avoided.setData(edges, np.asarray(d["avoided"]), stepMode="center")
        for it in (self.amortised, self.avoided):
            it.setVisible(True)
        highest = max(max(d["cash"] or (0.0,)), max(d["amortised"] or (0.0,)), max(d["avoided"] or (0.0,)), 1.0)
        self.set_span(-0.6, max(n, 1) - 0.4)
        self.set_value_range(highest, currency)
        self.month_names = months
        self.set_month_ticks(months)
        cash = (f"<span style='color:{CASH_COLOR}'>{'━' if self.cumulative else '■'}</span> cash (upfront in the "
                "month paid)"
                if offer.cash is not None else "<i>cash: the offer's source does not say how much is paid "
                                               "upfront</i>")
        how = "running totals" if self.cumulative else "per month"
        self.caption.setText(
            f"<b>Cash vs amortised, {how}: {_gpus(offer.gpus)}, {offer.term}</b> ({currency})&nbsp;&nbsp;&nbsp;{cash}"
            f"&nbsp;&nbsp;<span style='color:{AMORTISED_COLOR}'>━</span> amortised over the term"
            f"&nbsp;&nbsp;<span style='color:{theme.SCENARIO_COLOR}'>╍</span> on-demand cost avoided")

    def hover_at(self, x: float, y: float) -> str:
        amortised = self.data.get("amortised")
        i = int(round(x))
        if amortised is None or not 0 <= i < len(amortised):
            return ""
        cash = self.data.get("cash")
        cash_text = self.fmt.full(cash[i]) if cash is not None else "unknown"
        return (f"{self.month_names[i]}: cash {cash_text}, amortised {self.fmt.full(amortised[i])}, "
                f"on demand avoided {self.fmt.full(self.data['avoided'][i])}")


# ---------------------------------------------------------------------------------------------
# The view
# ---------------------------------------------------------------------------------------------


class CommitmentsView(QWidget):
    """The commitment planner on the document's plan, re-run (debounced, off the UI thread) after each edit."""

    DEBOUNCE_MS = 400
    finished = Signal()
    """A run's figures are shown (tests wait on it)."""

    def __init__(self, document: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.setWindowTitle("Commitments")
        self.figures: Figures | None = None
        self._worker: workers.Worker | None = None
        self._plan: Any = None
        self._stale = True

        self.title = QLabel()
        self.title.setFont(theme.headline_font(self.font(), 1.25))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(180)
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.run_button = QPushButton("Run again")
        self.run_button.clicked.connect(self.run)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.progress)
        head.addWidget(self.cancel_button)
        head.addWidget(self.run_button)

        self.pool_box = QComboBox()
        self.pool_box.setAccessibleName("GPU pool")
        self.pool_box.setToolTip("A pool is one GPU at one provider: the on-demand usage of the plan's compute "
                                 "lines there")
        self.pool_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.pool_box.currentIndexChanged.connect(self._on_pool_chosen)
        self.cumulative_box = QCheckBox("Running totals")
        self.cumulative_box.setToolTip("Cash paid, amortised charge and on-demand cost avoided added up month by "
                                       "month: where the avoided cost passes the cash paid, the commitment has "
                                       "paid for itself")
        self.cumulative_box.toggled.connect(self._on_cumulative_toggled)
        self.note = QLabel()
        self.note.setWordWrap(True)
        pools = QHBoxLayout()
        pools.addWidget(QLabel("Pool:"))
        pools.addWidget(self.pool_box)
        pools.addWidget(self.note, 1)
        pools.addWidget(self.cumulative_box)

        self.usage_chart = UsageChart()
        self.cash_chart = CashChart()
        charts = QSplitter(Qt.Orientation.Horizontal)
        charts.addWidget(self.usage_chart)
        charts.addWidget(self.cash_chart)
        charts.setChildrenCollapsible(False)

        self.offers = OffersModel(self)
        self.table = QTableView()
        self.table.setModel(self.offers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(OffersModel.OFFER, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(self._on_offer_chosen)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.add_button = QPushButton("Add to plan")
        self.add_button.setToolTip("Put this commitment in the plan's commitments (Edit > Undo takes it back)")
        self.add_button.clicked.connect(self.add_to_plan)
        chosen = QHBoxLayout()
        chosen.addWidget(self.detail, 1)
        chosen.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignTop)
        self.gaps = GapsModel(self)
        self.gaps_table = QTableView()
        self.gaps_table.setModel(self.gaps)
        self.gaps_table.verticalHeader().hide()
        self.gaps_table.setWordWrap(True)
        self.gaps_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.gaps_table.horizontalHeader().setStretchLastSection(True)
        self.gaps_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        lower = QWidget()
        lay = QVBoxLayout(lower)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.table, 3)
        lay.addLayout(chosen)
        lay.addWidget(self.gaps_table, 2)
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(charts)
        body.addWidget(lower)
        body.setSizes([330, 420])
        body.setChildrenCollapsible(False)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 10, 12, 10)
        outer.addLayout(head)
        outer.addLayout(pools)
        outer.addWidget(self.status)
        outer.addWidget(body, 1)
        self.resize(1180, 820)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.DEBOUNCE_MS)
        self._timer.timeout.connect(self.run)
        document.plan_changed.connect(self._on_plan_changed)
        self._set_running(False)
        self.run()

    # -- the planner, off the UI thread ------------------------------------------------------

    def _on_plan_changed(self) -> None:
        self._stop()
        self._stale = True
        if self.isVisible():  # hidden, it plans again when shown
            self._timer.start()
            self.status.setText("The plan changed: planning again…")

    def showEvent(self, event: Any) -> None:  # noqa: N802 - what changed while it was closed
        super().showEvent(event)
        if self._stale and self._worker is None and not self._timer.isActive():
            self.run()

    def run(self) -> None:
        """Plan the commitments of the document's plan now (the status says when it can't be priced)."""
        self._timer.stop()
        self._stop()
        self._stale = False
        doc = self.document
        if doc.projection is None:
            self._show(None, "The plan can't be priced: fix the problems marked in the editor.")
            return
        plan, catalog = doc.plan, doc.catalog
        self._plan = plan

        def task(progress: workers.ProgressCallback, cancelled: workers.CancelCheck) -> Figures:
            from pricing import commitments
            from pricing.commitments.figures import figures
            return figures(commitments.plan_commitments(plan, catalog, progress=progress, cancel=cancelled))

        worker = workers.Worker(task, self)
        worker.progress.connect(self._on_progress)
        worker.finished.connect(lambda result, w=worker: self._on_finished(w, plan, result))
        worker.failed.connect(lambda exc, w=worker: self._on_failed(w, exc))
        worker.cancelled.connect(lambda w=worker: self._on_cancelled(w))
        self._worker = worker
        self.progress.setValue(0)
        self._set_running(True)
        self.status.setText("Planning: every offer, size and start month against the usage curve…")
        worker.start()

    def cancel(self) -> None:
        self._timer.stop()
        if self._worker is not None:
            self._worker.cancel()

    def wait(self, timeout_s: float = 60.0) -> bool:
        """Block until the run in flight is shown (tests, screenshots)."""
        from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QEventLoop
        if self._timer.isActive():
            self.run()
        deadline = QDeadlineTimer(int(timeout_s * 1000))
        while self._worker is not None and not deadline.hasExpired():
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        return self._worker is None

    def _stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()  # its late outcome is ignored: it is no longer ``_worker``
            self._worker = None
        self._set_running(False)

    def _set_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.run_button.setVisible(not running)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(int(total), 1))
        self.progress.setValue(int(done))

    def _on_finished(self, worker: workers.Worker, plan: Any, result: Figures) -> None:
        if worker is not self._worker or plan is not self.document.plan:
            return
        self._worker = None
        self._set_running(False)
        f = result
        how = (f"Usage uncertainty: {f.samples:,} Monte Carlo samples of the plan's ranges (seed {f.seed}); P10 is "
               "the case where usage falls short." if f.samples else
               "The plan has no ranges: expected and P10 savings are the likely case.")
        self._show(f, how + " Within a month a pool's lines are taken to run at the same time, which is what a "
                            "commitment covers least. Savings count what a term still owes past the horizon.")
        self.finished.emit()

    def _on_failed(self, worker: workers.Worker, exc: BaseException) -> None:
        if worker is not self._worker:
            return
        self._worker = None
        self._set_running(False)
        from pricing.errors import PlanError
        if not isinstance(exc, PlanError):
            raise exc  # a bug: the excepthook shows it
        self._show(None, "Can't plan commitments: " + "; ".join(str(p) for p in exc.problems))

    def _on_cancelled(self, worker: workers.Worker) -> None:
        if worker is not self._worker:
            return
        self._worker = None
        self._set_running(False)
        self.status.setText("Cancelled: press Run again to plan the commitments.")

    # -- model -> view -----------------------------------------------------------------------

    def _show(self, figures: Figures | None, status: str) -> None:
        self.figures = figures
        self.status.setText(status)
        self.title.setText(f"Commitments — {figures.name}" if figures else "Commitments")
        with_pools = figures is not None and bool(figures.pools)
        previous = self.pool_box.currentText()
        self.pool_box.blockSignals(True)
        self.pool_box.clear()
        if figures is not None:
            for p in figures.pools:
                self.pool_box.addItem(f"{p.label} — {len(p.lines)} line{'s' if len(p.lines) != 1 else ''}")
            i = self.pool_box.findText(previous)
            self.pool_box.setCurrentIndex(i if i >= 0 else 0)
        self.pool_box.blockSignals(False)
        self.pool_box.setEnabled(with_pools)
        if figures is not None and not figures.pools:
            self.status.setText(status + " No on-demand GPU usage to commit.")
        self._on_pool_chosen()

    @property
    def pool(self) -> PoolFigures | None:
        f = self.figures
        i = self.pool_box.currentIndex()
        return f.pools[i] if f is not None and 0 <= i < len(f.pools) else None

    @property
    def offer(self) -> OfferFigures | None:
        return self.offers.offer_at(self.table.currentIndex().row()) if self.table.currentIndex().isValid() else None

    def _on_pool_chosen(self, *_: Any) -> None:
        pool, f = self.pool, self.figures
        self.offers.set_pool(pool, f.currency if f else "USD")
        rows: list[tuple[str, str, str]] = []
        if pool is not None:
            rows += [(f"gap: {label}", why, f"{key}: no published rate") for key, label, why in pool.gaps]
            self.note.setText(pool.note)
        else:
            self.note.setText("")
        if f is not None:
            rows += [(f"left out: {name}", why, "") for name, why in f.excluded]
        self.gaps.set_rows(tuple(rows))
        self.gaps_table.resizeRowsToContents()
        if pool is not None and pool.offers:
            row = pool.recommended if pool.recommended is not None else 0
            self.table.selectRow(row)
            self.table.setCurrentIndex(self.offers.index(row, 0))
        self._on_offer_chosen()

    def _on_offer_chosen(self, *_: Any) -> None:
        pool, offer, f = self.pool, self.offer, self.figures
        months = f.months if f else ()
        self.usage_chart.show_pool(pool, offer, months)
        self.cash_chart.show_offer(offer, months, f.currency if f else "USD")
        self.detail.setText(self._detail(pool, offer))
        addable = offer is not None and offer.gpus > 0 and offer.cash is not None
        self.add_button.setEnabled(addable)
        if offer is not None and offer.gpus and offer.cash is None:
            self.add_button.setToolTip("Its source does not say how much is paid upfront: add it to the plan's "
                                       "commitments with upfront_share to price its cash view")
        else:
            self.add_button.setToolTip("Put this commitment in the plan's commitments (Edit > Undo takes it back)")

    def _on_cumulative_toggled(self, on: bool) -> None:
        self.cash_chart.cumulative = on
        f = self.figures
        self.cash_chart.show_offer(self.offer, f.months if f else (), f.currency if f else "USD")

    def _detail(self, pool: PoolFigures | None, offer: OfferFigures | None) -> str:
        if pool is None:
            return ""
        if offer is None:
            return "No offer with a published rate for this pool (the gaps below say why)."
        fmt = self.offers.fmt
        if not offer.gpus:
            return (f"<b>{offer.label}</b>: committing nothing is best (the usage is too short, too bursty or too "
                    "uncertain for this offer's terms).")
        rec = "the recommendation" if pool.offers.index(offer) == pool.recommended else "chosen"
        past = (f" Its term runs {offer.months_after_horizon} months past the horizon: "
                f"{fmt.full(offer.obligation_after_horizon)} still owed then, counted as a cost; if usage stays at "
                f"its last month's level it saves {fmt.full(offer.saving_if_usage_continues)}."
                if offer.months_after_horizon else "")
        view = self.document.view.value
        return (f"<b>{_gpus(offer.gpus)} of {offer.label}</b> from {offer.start} ({rec}): covers "
                f"{fmt.percent(offer.coverage)} of the usage in its term at {fmt.percent(offer.utilisation)} "
                f"utilisation (break-even {fmt.percent(offer.break_even)}); saves "
                f"{fmt.full(offer.expected_saving)} expected, {fmt.full(offer.p10_saving)} at P10.{past} "
                f"<i>In the plan it would show {VIEW_WORDS[view]} (View menu).</i>")

    # -- view -> model -----------------------------------------------------------------------

    def add_to_plan(self) -> None:
        """Put the chosen offer's commitment in the plan's ``commitments:`` (one undoable edit)."""
        import dataclasses

        from pricing.commitments.figures import commitment_line
        pool, offer = self.pool, self.offer
        if pool is None or offer is None or not offer.gpus:
            return
        plan = self.document.plan
        line = commitment_line(offer, pool, (c.name for c in plan.commitments))
        self.document.apply(dataclasses.replace(plan, commitments=plan.commitments + (line,)),
                            f"Add commitment {line.name}")

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - stop the run in flight with the window
        self.cancel()
        super().closeEvent(event)

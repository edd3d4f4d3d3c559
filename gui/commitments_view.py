"""Tools > Commitments…: per GPU pool, the usage with its P10-P90 band, the offers ranked, the chosen offer's cash
flow beside the amortised view, the gaps with their reasons; the planner runs off the UI thread (progress, Cancel).

The figures come from ``pricing.commitments`` (the planner, ``figures``); the table models
(``gui.commitments_models``) and the charts (``gui.charts.commitments``) show them as they are. "Add to plan"
puts the chosen offer's commitment in the plan's ``commitments:`` through the document (undo takes it back).
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QProgressBar, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget)

from pricing.commitments.figures import Figures, OfferFigures, PoolFigures

from gui import theme, workers
from gui.charts.commitments import CashChart, UsageChart, gpus_text
from gui.commitments_models import GapsModel, OffersModel
from gui.formatting import VIEW_WORDS


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
        return (f"<b>{gpus_text(offer.gpus)} of {offer.label}</b> from {offer.start} ({rec}): covers "
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

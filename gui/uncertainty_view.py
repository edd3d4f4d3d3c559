"""The plan's uncertainty in the window: Monte Carlo and tornado run off the UI thread after each edit.

``Uncertainty`` follows the document: after an edit settles (``DEBOUNCE_MS``) it runs, on Workers,
``monte_carlo`` when the plan has ranges (the band is published as soon as it is done) and then
``pricing.uncertainty.tornado``, each on the document's projection, and publishes each result for
the plan it was computed from. A newer edit cancels the run in flight (both are cancellable, and
checked often), so the views never show a band or a tornado of another plan and a burst of edits
never queues stale runs. ``UncertaintyStatus`` is its face in the
status bar: progress and Cancel while it runs (shown only when a run lasts long enough to notice),
and a way to run it again after a cancel or a failure.
"""
from __future__ import annotations

from enum import Enum
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from pricing import series, uncertainty

from gui import workers


class Status(Enum):
    NONE = "none"              # nothing to compute (the plan can't be priced)
    PENDING = "pending"        # an edit is settling, or the run is in flight
    READY = "ready"            # ``band`` / ``tornado`` belong to the current plan
    CANCELLED = "cancelled"    # the user stopped it: no band until asked again
    FAILED = "failed"


class Uncertainty(QObject):
    """The Monte Carlo band and tornado of the document's current plan (None while not computed)."""

    DEBOUNCE_MS = 250
    SHOW_PROGRESS_MS = 400
    """A run shows its progress bar only once it has lasted this long (most take well under it)."""

    changed = Signal()
    """``status``, ``band`` or ``tornado`` changed."""
    progress = Signal(object, object)
    """(work done, work in all) of the Monte Carlo in flight, in samples drawn (above its memory budget the
    samples are drawn once per pass: see ``pricing.uncertainty.MEMORY``)."""

    def __init__(self, document: Any, *, samples: int = uncertainty.DEFAULT_SAMPLES,
                 seed: int = uncertainty.DEFAULT_SEED, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.samples = samples
        self.seed = seed
        self.status = Status.NONE
        self.band: series.Band | None = None
        """The P10-P90 band of the current plan (None without ranges, or while not computed)."""
        self.mc: uncertainty.MonteCarlo | None = None
        self.tornado: uncertainty.Tornado | None = None
        self.error = ""
        self._worker: workers.Worker | None = None
        self._plan: Any = None
        """The plan the run in flight (or the last result) was computed for."""
        self._band_plan: Any = None
        """The plan ``band`` belongs to (published before the tornado is done)."""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.DEBOUNCE_MS)
        self._timer.timeout.connect(self.run)
        document.plan_changed.connect(self._on_plan_changed)
        self._on_plan_changed()

    @property
    def has_ranges(self) -> bool:
        return self.document.projection is not None and uncertainty.has_ranges(self.document.plan)

    @property
    def current(self) -> bool:
        """The published band and tornado belong to the document's plan as it is now."""
        return self.status is Status.READY and self._plan is self.document.plan

    @property
    def band_current(self) -> bool:
        """The published band (or its absence, without ranges) belongs to the document's plan as it is now,
        the tornado may still be computing."""
        return self._band_plan is self.document.plan and self.status in (Status.PENDING, Status.READY)

    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.is_running

    def _on_plan_changed(self) -> None:
        self._stop_worker()
        self.band = self.mc = self.tornado = None  # they belong to the previous plan
        self._band_plan = None
        self.error = ""
        if self.document.projection is None:
            self._timer.stop()
            self._set_status(Status.NONE)
            return
        self._set_status(Status.PENDING)
        self._timer.start()

    def run(self) -> None:
        """Compute now for the current plan (after an edit settles, or when the user asks again)."""
        self._timer.stop()
        self._stop_worker()
        doc = self.document
        if doc.projection is None:
            self._set_status(Status.NONE)
            return
        plan, catalog, projection, samples, seed = doc.plan, doc.catalog, doc.projection, self.samples, self.seed
        self._plan = plan
        self._band_plan = None
        self.band = self.mc = self.tornado = None

        def simulate(progress: workers.ProgressCallback, cancelled: workers.CancelCheck) -> Any:
            if not uncertainty.has_ranges(plan):
                return None
            return uncertainty.monte_carlo(plan, catalog, samples=samples, seed=seed, progress=progress,
                                           cancel=cancelled, projection=projection)

        self._start(simulate, lambda mc: self._on_simulated(plan, projection, mc))
        self._set_status(Status.PENDING, force=True)  # the status bar starts its progress from here

    def _start(self, task: workers.Task, done: Any) -> None:
        worker = workers.Worker(task, self)
        worker.progress.connect(self.progress)
        worker.finished.connect(lambda result, w=worker: self._on_finished(w, result, done))
        worker.failed.connect(lambda exc, w=worker: self._on_failed(w, exc))
        worker.cancelled.connect(lambda w=worker: self._on_cancelled(w))
        self._worker = worker
        worker.start()

    def _on_simulated(self, plan: Any, projection: Any, mc: Any) -> None:
        """The band is ready: publish it, then compute the tornado."""
        self.mc = mc
        self.band = series.band(projection, mc) if mc is not None else None
        self._band_plan = plan
        catalog = self.document.catalog

        def drivers(progress: workers.ProgressCallback, cancelled: workers.CancelCheck) -> Any:
            return uncertainty.tornado(plan, catalog, projection=projection, cancel=cancelled)

        self._start(drivers, self._on_drivers)
        self.changed.emit()

    def _on_drivers(self, tornado: Any) -> None:
        self.tornado = tornado
        self._worker = None
        self._set_status(Status.READY, force=True)

    def cancel(self) -> None:
        """Stop the run in flight (the Cancel button); the views show no band until ``run`` again."""
        self._timer.stop()
        if self._worker is not None and self._worker.is_running:
            self._worker.cancel()
        elif self.status is Status.PENDING:
            self._set_status(Status.CANCELLED)

    def shutdown(self, timeout_s: float = 5.0) -> bool:
        """Stop for good (the window closes): cancel the run in flight and wait for its thread to finish."""
        self._timer.stop()
        worker = self._worker
        if worker is None:
            return True
        worker.cancel()
        return worker.wait(timeout_s)

    def wait(self, timeout_s: float = 30.0) -> bool:
        """Run a pending computation now and block until it is published (tests, screenshots, exports)."""
        from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QEventLoop
        if self._timer.isActive():
            self.run()
        deadline = QDeadlineTimer(int(timeout_s * 1000))
        while self.status is Status.PENDING and not deadline.hasExpired():
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        return self.status is not Status.PENDING

    def _stop_worker(self) -> None:
        if self._worker is not None:
            self._worker.cancel()  # its late outcome is ignored: it is no longer ``_worker``
            self._worker = None

    def _on_finished(self, worker: workers.Worker, result: Any, done: Any) -> None:
        if worker is not self._worker or self._plan is not self.document.plan:
            return
        done(result)

    def _on_failed(self, worker: workers.Worker, exc: BaseException) -> None:
        if worker is not self._worker:
            return
        self._worker = None
        self.error = str(exc) or type(exc).__name__
        self._set_status(Status.FAILED, force=True)

    def _on_cancelled(self, worker: workers.Worker) -> None:
        if worker is not self._worker:
            return
        self._worker = None
        self.band = self.mc = self.tornado = None  # stopped: nothing shown until run again
        self._band_plan = None
        self._set_status(Status.CANCELLED, force=True)

    def _set_status(self, status: Status, force: bool = False) -> None:
        if status is not self.status or force:
            self.status = status
            self.changed.emit()


class UncertaintyStatus(QWidget):
    """Status-bar part: "Simulating ranges…" with progress and Cancel, or "Range not computed — Run"."""

    def __init__(self, model: Uncertainty, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 6, 0)
        layout.setSpacing(6)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setFixedWidth(140)
        self.bar.setTextVisible(False)
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Stop the Monte Carlo simulation of the plan's ranges")
        self.cancel_button.clicked.connect(model.cancel)
        self.run_button = QToolButton()
        self.run_button.setText("Simulate")
        self.run_button.setToolTip(f"Sample the plan's ranges ({model.samples:,} samples) and show the P10–P90 "
                                   "band and the drivers")
        self.run_button.clicked.connect(model.run)
        for w in (self.label, self.bar, self.cancel_button, self.run_button):
            layout.addWidget(w)
        self._reveal = QTimer(self)
        self._reveal.setSingleShot(True)
        self._reveal.setInterval(model.SHOW_PROGRESS_MS)
        self._reveal.timeout.connect(self._update)
        model.changed.connect(self._on_changed)
        model.progress.connect(self._on_progress)
        self._on_changed()

    def _on_changed(self) -> None:
        if self.model.running:
            self.bar.setValue(0)
            self._reveal.start()
        self._update()

    def _on_progress(self, done: int, total: int) -> None:
        # the bar counts per mille: Qt's progress bar holds 32-bit ints, and a big run draws billions of values
        self.bar.setMaximum(1000)
        self.bar.setValue(int(1000 * int(done) // max(int(total), 1)))
        self.label.setText(f"Simulating ranges: {100 * int(done) // max(int(total), 1)}%")

    def _update(self) -> None:
        m = self.model
        running = m.running and not self._reveal.isActive()
        self.bar.setVisible(running)
        self.cancel_button.setVisible(running)
        stopped = m.status in (Status.CANCELLED, Status.FAILED)
        self.run_button.setVisible(stopped)
        if running:
            if not self.label.text().startswith("Simulating"):
                self.label.setText("Simulating ranges…")
        elif m.status is Status.CANCELLED:
            self.label.setText("Uncertainty not computed (cancelled)")
        elif m.status is Status.FAILED:
            self.label.setText("Uncertainty could not be computed")
            self.label.setToolTip(m.error)
        else:
            self.label.setText("")
        self.setVisible(running or stopped)

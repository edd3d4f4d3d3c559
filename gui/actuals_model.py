"""The plan's actuals in the window: imports and analyses on a Worker, one at a time, against the store beside the plan.

``ActualsModel`` follows the document. After an edit settles (``DEBOUNCE_MS``) or a plan is opened
it analyses what the store beside the plan (``<plan>.actuals.duckdb``) holds under the plan's
``actuals:`` rules, and publishes the figures (``pricing.actuals.figures``) for the plan they were
computed from. ``import_files`` imports exports into the store with progress and Cancel; a
cancelled import leaves the store as it was (each file is one transaction, rolled back). Only one
task touches the store at a time: a newer analysis cancels an older one; an import is never
cancelled by an edit (the analysis runs again after it).
"""
from __future__ import annotations

import sys
import threading
from enum import Enum
from pathlib import Path
from typing import Any, Sequence

from PySide6.QtCore import QObject, QTimer, Signal

from pricing.actuals_config import store_path_for
from pricing.errors import PlanError, Problem

from gui import workers


class Status(Enum):
    NONE = "none"              # nothing to show: no store beside the plan (or the plan is not saved yet)
    PENDING = "pending"        # an analysis is settling or running
    IMPORTING = "importing"    # exports are being imported
    READY = "ready"            # ``figures`` belong to the current plan
    FAILED = "failed"          # ``problems`` says why (a rule naming no line, a currency without a rate...)
    CANCELLED = "cancelled"    # the user stopped the analysis


EXPORT_SUFFIXES = (".csv", ".gz", ".parquet", ".json", ".jsonl")
"""What the window accepts as a cost export (FOCUS CSV / .csv.gz / Parquet, OpenAI and Anthropic CSV / JSON)."""


def store_path(plan_path: Path | None) -> Path | None:
    return None if plan_path is None else store_path_for(plan_path)


class ActualsModel(QObject):
    """The figures of the document's actuals (None until computed), and the one way to import."""

    DEBOUNCE_MS = 200

    changed = Signal()
    """``status``, ``figures`` or ``problems`` changed."""
    progress = Signal(object, object)
    """(done, total) of the task in flight: bytes while importing, then Monte Carlo samples."""
    imported = Signal(object)
    """A finished import's ``pricing.actuals.tasks.ImportResult``: the files in the store, the one cancelled."""

    def __init__(self, document: Any, *, samples: int = 10_000, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.samples = samples
        self.status = Status.NONE
        self.figures: Any = None
        """``pricing.actuals.figures.ActualsFigures`` of the current plan (None: nothing imported / not yet)."""
        self.problems: tuple[Problem, ...] = ()
        self.cancelled_task = ""
        """What the last cancelled task was doing (``import``: its file left nothing in the store)."""
        self.task = ""
        """What the task in flight does ("import", "analysis", "forget", "copy"), for the status line."""
        self._worker: workers.Worker | None = None
        self._plan: Any = None
        """The plan the figures (or the task in flight) belong to."""
        self._queue: list[tuple[str, Any]] = []
        """Tasks waiting for the one in flight: (kind, argument)."""
        self._path = document.path
        self._closed = False
        self._stop_import = threading.Event()
        """Cancel for an import: read by the task itself, so its result says what was committed (a Worker
        cancelled after the commit would only say "cancelled")."""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh)
        document.plan_changed.connect(self._on_plan_changed)
        document.path_changed.connect(self._on_path_changed)
        self._on_plan_changed()

    # -- state -------------------------------------------------------------------------------

    @property
    def store_path(self) -> Path | None:
        return store_path(self.document.path)

    @property
    def has_store(self) -> bool:
        path = self.store_path
        return path is not None and path.is_file()

    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.is_running

    @property
    def importing(self) -> bool:
        return self.running and self.task == "import"

    @property
    def current(self) -> bool:
        """The published figures belong to the document's plan as it is now."""
        return self.status is Status.READY and self._plan is self.document.plan and self.figures is not None

    # -- model -> here -----------------------------------------------------------------------

    def _on_plan_changed(self) -> None:
        # open, new and recover change the path before the plan: a plan of another file starts afresh
        opened = self.document.path != self._path
        self._path = self.document.path
        if opened:
            self._set(self.status, figures=None)  # the figures of another file must not stay on screen
        if self.document.projection is None:  # no plan figures to compare with: none of the old ones either
            self._timer.stop()
            self._set(Status.FAILED if self.has_store else Status.NONE, figures=None, problems=(Problem(
                "the plan can't be priced: fix the problems marked in the editor to compare it with the actuals"),)
                if self.has_store else ())
            return
        if not self.has_store and not self.importing:
            self._timer.stop()
            self._set(Status.NONE, figures=None)
            return
        if not self.importing:
            self._set(Status.PENDING)
        if opened:
            self.refresh()  # no edit to let settle: read the store now
        else:
            self._timer.start()

    def _on_path_changed(self) -> None:
        """The path changed with the plan unchanged: Save As (open and new change the plan too, first)."""
        old, new = self._path, self.document.path
        self._path = new
        if old is None or new is None or Path(old).resolve() == Path(new).resolve():
            return
        src, dst = store_path(Path(old)), store_path(Path(new))
        if src is not None and dst is not None and src.is_file() and not dst.exists():
            self._enqueue("copy", (src, dst))  # the imported actuals follow the plan to its new file
        else:  # the new file's own store, or none: never the old file's figures
            self._set(self.status, figures=None)
            self.refresh()

    # -- verbs -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Analyse the store again for the current plan (after an edit settles, or when asked)."""
        self._timer.stop()
        if self.document.projection is None or not self.has_store:
            self._on_plan_changed()
            return
        self._enqueue("analysis", None)

    def import_files(self, paths: Sequence[str | Path]) -> bool:
        """Import exports into the store beside the plan; False (and ``problems`` says why) when it can't start."""
        paths = [str(p) for p in paths]
        if not paths:
            return False
        if self.document.path is None:
            self._set(Status.FAILED, problems=(Problem("save the plan first: imported bills are kept beside the "
                                                       "plan file (<plan>.actuals.duckdb)"),))
            return False
        if self.document.projection is None:
            self._set(Status.FAILED, problems=(Problem("the plan can't be priced: fix the problems marked in the "
                                                       "editor before importing bills"),))
            return False
        if self.importing or any(kind == "import" for kind, _ in self._queue):
            return False
        self._enqueue("import", paths)
        return True

    def forget(self, what: str) -> None:
        """Remove one imported file from the store (by the path it was imported from)."""
        self._enqueue("forget", what)

    def cancel(self) -> None:
        """Stop the task in flight (the Cancel button): an import leaves the store as it was."""
        self._timer.stop()
        self._queue.clear()
        if self._worker is not None and self._worker.is_running:
            if self.task == "import":
                self._stop_import.set()
            else:
                self._worker.cancel()

    def shutdown(self, timeout_s: float = 5.0) -> bool:
        """Stop for good (the window closes): cancel the task in flight and wait for its thread."""
        self._closed = True  # nothing starts after this, whatever the task in flight reports
        self._timer.stop()
        self._queue.clear()
        worker = self._worker
        if worker is None:
            return True
        self._stop_import.set()
        worker.cancel()
        return worker.wait(timeout_s)

    def wait(self, timeout_s: float = 60.0) -> bool:
        """Run a pending analysis now and block until nothing is in flight (tests, screenshots)."""
        from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QEventLoop
        if self._timer.isActive():
            self.refresh()
        deadline = QDeadlineTimer(int(timeout_s * 1000))
        while (self.running or self._queue or self._timer.isActive()) and not deadline.hasExpired():
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        return not (self.running or self._queue)

    # -- the one task at a time ---------------------------------------------------------------

    def _enqueue(self, kind: str, arg: Any) -> None:
        if self._closed:
            return
        if kind == "analysis":
            self._queue = [(k, a) for k, a in self._queue if k != "analysis"]  # one is enough: the latest plan
        self._queue.append((kind, arg))
        if self._worker is not None and self._worker.is_running:
            if self.task == "analysis":
                self._worker.cancel()  # its plan is out of date; the queue runs when it has stopped
            return
        self._next()

    def _next(self) -> None:
        if self._closed or not self._queue or (self._worker is not None and self._worker.is_running):
            return
        kind, arg = self._queue.pop(0)
        doc = self.document
        proj, plan, catalog, store = doc.projection, doc.plan, doc.catalog, self.store_path
        if kind in ("analysis", "import") and (proj is None or store is None):
            self._next()
            return
        samples = self.samples
        from pricing.actuals import tasks
        stop = self._stop_import = threading.Event()
        task = {"analysis": lambda p, c: tasks.analyse(store, proj, catalog, samples, p, c),
                "import": lambda p, c: tasks.import_files(store, arg, p, lambda: stop.is_set() or c()),
                "forget": lambda p, c: tasks.forget(store, arg) if store is not None else None,
                "copy": lambda p, c: tasks.copy_store(*arg)}[kind]
        self.task = kind
        self._plan = plan
        worker = workers.Worker(task, self)
        worker.progress.connect(self.progress)
        worker.finished.connect(lambda result, w=worker, k=kind: self._on_finished(w, k, plan, result))
        worker.failed.connect(lambda exc, w=worker: self._on_failed(w, exc))
        worker.cancelled.connect(lambda w=worker: self._on_cancelled(w))
        worker.done.connect(lambda w=worker: self._on_done(w))
        self._worker = worker
        worker.start()
        self._set(Status.IMPORTING if kind == "import" else Status.PENDING, force=True)

    def _on_done(self, worker: workers.Worker) -> None:
        if worker is self._worker:
            self._worker = None
            self.task = ""
        self._next()

    def _on_finished(self, worker: workers.Worker, kind: str, plan: Any, result: Any) -> None:
        if worker is not self._worker:
            return
        if kind == "import":
            self.cancelled_task = "import" if result.cancelled else ""
            self.imported.emit(result)
        if kind in ("import", "forget", "copy"):  # the store changed: what it holds now, for the plan as it is
            self._enqueue("analysis", None)
            return
        if plan is not self.document.plan:  # edited meanwhile: these figures are of an older plan
            self._enqueue("analysis", None)
            return
        self._set(Status.READY if result is not None else Status.NONE, figures=result, problems=(), force=True)

    def _on_failed(self, worker: workers.Worker, exc: BaseException) -> None:
        if worker is not self._worker:
            return
        if not isinstance(exc, PlanError):  # a bug, not the user's input: the excepthook shows it
            sys.excepthook(type(exc), exc, exc.__traceback__)
            self._set(Status.FAILED, figures=None, problems=(Problem(f"unexpected error: {exc}"),), force=True)
            return
        self._set(Status.FAILED, figures=None, problems=tuple(exc.problems), force=True)

    def _on_cancelled(self, worker: workers.Worker) -> None:
        if worker is not self._worker:
            return
        if self._queue and self.task == "analysis":  # stopped to make room for a newer one: no state of its own
            return
        self.cancelled_task = self.task
        self._set(Status.CANCELLED, force=True)
        if self.task != "analysis":  # a forget or copy stopped: show what the store holds now
            self._enqueue("analysis", None)

    def _set(self, status: Status, *, figures: Any = ..., problems: tuple[Problem, ...] | None = None,
             force: bool = False) -> None:
        changed = status is not self.status or force
        self.status = status
        if figures is not ...:
            changed |= figures is not self.figures
            self.figures = figures
        if problems is not None:
            changed |= problems != self.problems
            self.problems = problems
        if changed:
            self.changed.emit()

"""Long work off the UI thread: a Worker runs a callable with progress and Cancel, reporting back in the GUI thread."""
from __future__ import annotations

import atexit
import threading
import time
from enum import Enum
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot

from gui import heap

ProgressCallback = Callable[[int, int], None]
"""``progress(done, total)``: called by the task, from its own thread, as often as it likes."""
CancelCheck = Callable[[], bool]
"""``cancelled()``: True once the user asked to stop; the task should then stop soon."""
Task = Callable[[ProgressCallback, CancelCheck], Any]
"""What a Worker runs: ``task(progress, cancelled) -> result``."""


class Cancelled(Exception):
    """Raised by a task that stops because it was asked to (any exception raised after Cancel counts too)."""


BEAT_MS = 2
"""While a Worker runs, the GUI thread stamps the time every ``BEAT_MS`` (a timer in its event loop)."""
BUSY_S = 0.004
"""A stamp older than this: the GUI thread is busy (a paint, an edit) or waiting for the interpreter lock."""
BLOCKED_S = 0.2
"""A stamp older than this: the GUI thread is blocked (waiting for a worker, say), not working: don't wait."""
SETTLE_MS = 400
"""After the last worker ends, the garbage collector resumes (and collects) this much later."""
_beat = [0.0]


def _gui_is_busy() -> bool:
    age = time.monotonic() - _beat[0]
    return BUSY_S < age < BLOCKED_S


class _Heartbeat(QObject):
    """The GUI thread's heartbeat, running while any Worker runs.

    Python threads share one interpreter lock, and the GUI thread takes it anew for every Python call Qt
    makes (each cell of a table model, each chart item painted): with a worker computing, each of those
    waits for the worker to yield it (the switch interval), so a paint making hundreds of calls stalls
    for hundreds of milliseconds. Tasks poll ``cancelled()`` often; there, a task pauses while the
    heartbeat is late, i.e. while the GUI thread is busy, so the GUI thread gets the lock at once
    (measured in BENCHMARKS.md: longest event-loop turn with a Monte Carlo running).
    """

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(BEAT_MS)
        self.timer.timeout.connect(self.beat)
        self.paused = False
        """The garbage collector is paused for the workers (``heap.pause``)."""
        self.settle = QTimer(self)
        self.settle.setSingleShot(True)
        self.settle.setInterval(SETTLE_MS)
        self.settle.timeout.connect(self._settle)

    @Slot()
    def beat(self) -> None:
        _beat[0] = time.monotonic()

    def follow(self) -> None:
        """Beat while workers run, and keep the garbage collector paused meanwhile and a moment after (GUI
        thread): its young objects are collected once the results are shown, not in the middle of showing them
        (10-30 ms with a 5,000-line plan), nor between two workers that follow each other."""
        if Worker._running:
            self.settle.stop()
            if not self.timer.isActive():
                self.beat()
                self.timer.start()
                if not self.paused:
                    self.paused = True
                    heap.pause()
        elif self.timer.isActive():
            self.timer.stop()
            self.settle.start()

    @Slot()
    def _settle(self) -> None:
        if not Worker._running and self.paused:
            self.paused = False
            heap.resume()


_heart: _Heartbeat | None = None


def _follow_workers() -> None:
    global _heart
    if _heart is None:
        _heart = _Heartbeat()
    _heart.follow()


class State(Enum):
    """Where a Worker is in its one run."""

    READY = "ready"            # created, not started
    RUNNING = "running"        # the task is running (or its outcome not yet delivered)
    FINISHED = "finished"      # the task returned; ``finished`` was emitted
    FAILED = "failed"          # the task raised; ``failed`` was emitted
    CANCELLED = "cancelled"    # Cancel was asked before the outcome was delivered; ``cancelled`` was emitted


class _Runnable(QRunnable):
    """Runs the task on a pool thread."""

    def __init__(self, worker: "Worker") -> None:
        super().__init__()
        self._worker = worker
        self.setAutoDelete(True)

    def run(self) -> None:  # Qt override, on a pool thread
        self._worker._run_in_thread()
        self._worker = None  # type: ignore[assignment]


class Worker(QObject):
    """Runs ``task(progress, cancelled)`` once on a thread pool; every signal is emitted in the GUI thread.

    Exactly one of ``finished(result)``, ``failed(exception)`` or ``cancelled()`` is emitted per run,
    then ``done()``. Once ``cancel()`` has been called, ``finished`` is never emitted, even when the
    task happened to complete: a view that asked to stop is not surprised by a late result.

    ``progress(done, total)`` is coalesced: a task may report thousands of times a second, the GUI
    thread receives the latest value at most once per event-loop turn, and always before the outcome.

    Lifetime: a Worker never takes a Qt parent. A parent deleting it mid-run (a dialog closed while
    counting) would race the pool thread that emits on it; instead the Worker keeps itself alive
    from ``start()`` until its outcome is delivered, and ``parent``'s destruction cancels it. Qt drops
    the connections of receivers that are gone, so nothing reaches a closed view.
    """

    _running: set["Worker"] = set()
    """Started workers whose outcome is not delivered yet (their keep-alive; GUI thread only)."""

    progress = Signal(object, object)
    """(done, total), in the task's units (bytes, samples...); Python ints, so no 32-bit limit."""
    finished = Signal(object)
    """The task's return value."""
    failed = Signal(object)
    """The exception the task raised (its traceback is on ``__traceback__``)."""
    cancelled = Signal()
    done = Signal()
    """After whichever of finished / failed / cancelled, for clean-up that does not care which."""

    _progress_posted = Signal()
    _outcome_posted = Signal(bool, object)

    def __init__(self, task: Task, parent: QObject | None = None, *, pool: QThreadPool | None = None) -> None:
        super().__init__()
        if parent is not None:
            parent.destroyed.connect(self.cancel)
        self._task = task
        self._pool = pool or QThreadPool.globalInstance()
        self._cancel = threading.Event()
        self._ended = threading.Event()
        self._lock = threading.Lock()
        self._latest: tuple[int, int] | None = None
        self._posted = False
        self.state = State.READY
        # Explicitly queued: these are emitted on the pool thread and must run here, in the GUI thread.
        self._progress_posted.connect(self._deliver_progress, Qt.ConnectionType.QueuedConnection)
        self._outcome_posted.connect(self._deliver_outcome, Qt.ConnectionType.QueuedConnection)

    # -- GUI thread ---------------------------------------------------------------------------
    def start(self) -> "Worker":
        """Start the one run (a Worker is not restartable: make a new one)."""
        if self.state is not State.READY:
            raise RuntimeError(f"worker already {self.state.value}")
        self.state = State.RUNNING
        Worker._running.add(self)
        _follow_workers()
        self._pool.start(_Runnable(self))
        return self

    @Slot()
    def cancel(self) -> None:
        """Ask the task to stop; ``cancelled`` follows once it has (at once if it already ended)."""
        self._cancel.set()

    @property
    def is_running(self) -> bool:
        return self.state is State.RUNNING

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until the task's thread is done with it (not for the GUI thread's usual work:
        for shutting down). True when it ended within the timeout."""
        if self.state is State.READY:
            return True
        return self._ended.wait(timeout_s)

    @Slot()
    def _deliver_progress(self) -> None:
        with self._lock:
            latest, self._latest, self._posted = self._latest, None, False
        if latest is not None and self.state is State.RUNNING and not self._cancel.is_set():
            self.progress.emit(*latest)

    @Slot(bool, object)
    def _deliver_outcome(self, ok: bool, value: Any) -> None:
        self._deliver_progress()  # the last progress value, if one is still pending, comes first
        if self._cancel.is_set() or isinstance(value, Cancelled):
            self.state = State.CANCELLED
            self.cancelled.emit()
        elif ok:
            self.state = State.FINISHED
            self.finished.emit(value)
        else:
            self.state = State.FAILED
            self.failed.emit(value)
        self._task = None  # type: ignore[assignment]  # drop references the task closed over
        self.done.emit()
        Worker._running.discard(self)  # freed here, in the GUI thread, once nothing else holds it
        _follow_workers()

    # -- pool thread ------------------------------------------------------------------------------
    def _report(self, done: int, total: int) -> None:
        with self._lock:
            self._latest = (int(done), int(total))
            if self._posted:
                return
            self._posted = True
        self._progress_posted.emit()

    def _cancelled(self) -> bool:
        """The task's ``cancelled()``: True once Cancel was asked; meanwhile it waits while the GUI thread is
        busy (see ``_Heartbeat``), at most ``BLOCKED_S`` at a time."""
        if not self._cancel.is_set() and _gui_is_busy():
            end = time.monotonic() + BLOCKED_S
            while _gui_is_busy() and not self._cancel.is_set() and time.monotonic() < end:
                time.sleep(0.0005)
        return self._cancel.is_set()

    def _run_in_thread(self) -> None:
        try:
            result: Any = self._task(self._report, self._cancelled)
            ok = True
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread as ``failed``, never swallowed
            result, ok = exc, False
        self._outcome_posted.emit(ok, result)
        self._ended.set()


def shutdown_all(timeout_s: float = 10.0) -> bool:
    """Cancel every running Worker and wait until their threads are done with Python; True when all were.

    Called at exit (registered with ``atexit``, and by the app after its event loop ends). A pool
    thread still running Python while the interpreter finalizes either finds its Worker deleted
    under it or blocks for the GIL forever, and Qt's own exit then waits for that thread forever.
    """
    running = list(Worker._running)
    for worker in running:
        worker.cancel()
    return all(worker.wait(timeout_s) for worker in running)  # Event.wait: the GIL is released meanwhile


atexit.register(shutdown_all)  # imported after PySide6, so it runs before PySide6's own clean-up


def run(task: Task, parent: QObject | None = None, *, on_progress: ProgressCallback | None = None,
        on_finished: Callable[[Any], None] | None = None, on_failed: Callable[[BaseException], None] | None = None,
        on_cancelled: Callable[[], None] | None = None, pool: QThreadPool | None = None) -> Worker:
    """Make a Worker, connect the given handlers, and start it (a convenience for one-line call sites)."""
    worker = Worker(task, parent, pool=pool)
    for signal, handler in ((worker.progress, on_progress), (worker.finished, on_finished),
                            (worker.failed, on_failed), (worker.cancelled, on_cancelled)):
        if handler is not None:
            signal.connect(handler)
    return worker.start()

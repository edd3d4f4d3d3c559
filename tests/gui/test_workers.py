"""The background Worker: progress, finished, failed and cancelled, all delivered in the GUI thread."""
from __future__ import annotations

import gc
import threading
import time
import weakref

import pytest
from PySide6.QtCore import QObject, QThread

from gui.workers import Cancelled, State, Worker, run


def _counting(n: int, *, pause: float = 0.0, gate: threading.Event | None = None):
    def task(progress, cancelled):
        for i in range(1, n + 1):
            if gate is not None:
                gate.wait(5)
            if cancelled():
                raise Cancelled()
            if pause:
                time.sleep(pause)
            progress(i, n)
        return f"counted {n}"
    return task


def test_finished_carries_the_result_after_the_last_progress(qtbot):
    seen: list[tuple[int, int]] = []
    threads: set[object] = set()
    worker = Worker(_counting(500))
    worker.progress.connect(lambda d, t: (seen.append((d, t)), threads.add(QThread.currentThread())))
    with qtbot.waitSignal(worker.finished, timeout=5000) as blocker:
        worker.start()
    assert blocker.args == ["counted 500"]
    assert worker.state is State.FINISHED
    assert seen and seen[-1] == (500, 500)           # the final value arrives, before finished
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert len(seen) <= 500                          # coalesced, never more than reported
    assert threads == {QThread.currentThread()}      # delivered in the GUI thread


def test_the_task_runs_off_the_gui_thread(qtbot):
    gui = threading.get_ident()
    worker = Worker(lambda progress, cancelled: threading.get_ident())
    with qtbot.waitSignal(worker.finished, timeout=5000) as blocker:
        worker.start()
    assert blocker.args[0] != gui


def test_failed_carries_the_exception(qtbot):
    def boom(progress, cancelled):
        progress(1, 2)
        raise ValueError("bad input")

    worker = Worker(boom)
    finished: list[object] = []
    worker.finished.connect(finished.append)
    with qtbot.waitSignal(worker.failed, timeout=5000) as blocker:
        worker.start()
    qtbot.waitUntil(lambda: not worker.is_running, timeout=5000)
    assert finished == []
    exc = blocker.args[0]
    assert isinstance(exc, ValueError) and str(exc) == "bad input"
    assert exc.__traceback__ is not None
    assert worker.state is State.FAILED


def test_cancel_stops_the_task_and_emits_cancelled_not_finished(qtbot):
    gate = threading.Event()
    worker = Worker(_counting(10_000, pause=0.001, gate=gate))
    with qtbot.assertNotEmitted(worker.finished), qtbot.assertNotEmitted(worker.failed):
        with qtbot.waitSignal(worker.cancelled, timeout=5000):
            worker.start()
            assert worker.is_running
            worker.cancel()
            gate.set()
        assert worker.wait(5)
        qtbot.wait(20)  # nothing late follows
    assert worker.state is State.CANCELLED
    assert worker.cancel_requested


def test_cancel_after_the_task_returned_still_wins(qtbot):
    """A result that races a Cancel click is dropped: the view asked to stop."""
    worker = Worker(lambda progress, cancelled: 42)
    with qtbot.assertNotEmitted(worker.finished), qtbot.waitSignal(worker.cancelled, timeout=5000):
        worker.start()
        assert worker.wait(5)    # the task is done, its outcome not yet delivered (no event loop ran)
        worker.cancel()


def test_done_follows_every_outcome(qtbot):
    order: list[str] = []
    worker = Worker(lambda progress, cancelled: None)
    worker.finished.connect(lambda _: order.append("finished"))
    worker.done.connect(lambda: order.append("done"))
    with qtbot.waitSignal(worker.done, timeout=5000):
        worker.start()
    assert order == ["finished", "done"]


def test_a_worker_runs_once(qtbot):
    worker = Worker(lambda progress, cancelled: None)
    with qtbot.waitSignal(worker.done, timeout=5000):
        worker.start()
    with pytest.raises(RuntimeError):
        worker.start()


def test_run_connects_handlers_and_starts(qtbot):
    got: dict[str, object] = {}
    worker = run(_counting(3), on_progress=lambda d, t: got.setdefault("progress", []).append(d),
                 on_finished=lambda r: got.update(result=r))
    qtbot.waitUntil(lambda: "result" in got, timeout=5000)
    assert got["result"] == "counted 3" and got["progress"][-1] == 3
    assert worker.state is State.FINISHED


def test_large_totals_are_not_truncated(qtbot):
    big = 10 * 2**40  # 10 TiB of bytes does not fit a 32-bit int
    worker = Worker(lambda progress, cancelled: progress(big, big))
    with qtbot.waitSignal(worker.progress, timeout=5000) as blocker:
        worker.start()
    assert blocker.args == [big, big]
    qtbot.waitUntil(lambda: not worker.is_running, timeout=5000)


def test_a_parent_going_away_mid_run_cancels_the_task(qtbot):
    parent = QObject()
    gate = threading.Event()
    stopped = threading.Event()

    def task(progress, cancelled):
        gate.wait(5)
        while not cancelled():
            time.sleep(0.001)
        stopped.set()
        raise Cancelled()

    worker = Worker(task, parent)
    outcomes: list[str] = []
    worker.cancelled.connect(lambda: outcomes.append("cancelled"))
    worker.finished.connect(lambda _r: outcomes.append("finished"))
    worker.start()
    del parent                       # e.g. the dialog that started it was closed and deleted
    gc.collect()
    gate.set()
    assert stopped.wait(5)           # the task saw the cancel
    qtbot.waitUntil(lambda: outcomes == ["cancelled"], timeout=5000)


def test_a_worker_frees_itself_once_its_outcome_is_delivered(qtbot):
    worker = Worker(lambda progress, cancelled: "ok")
    ref = weakref.ref(worker)
    with qtbot.waitSignal(worker.done, timeout=5000):
        worker.start()
        del worker                   # nobody holds it: it still runs and reports
    qtbot.wait(10)
    gc.collect()
    assert ref() is None

"""The window on a big plan: slow work on workers, cancelled by the next edit, never published for another plan.

Figures are checked against ``pricing`` run directly on the same plan; timings are BENCHMARKS.md's
business (benchmarks/bench_scale.py), not these tests'.
"""
from __future__ import annotations

import dataclasses
import gc
import threading
import time

import numpy as np
import pytest

from pricing import scenarios, series, uncertainty
from tests.plangen import plan_text

from gui import heap, workers
from gui.document import SYNC_SCENARIO_LINES, PlanDocument
from gui.line_table import KEY_ROLE
from gui.uncertainty_view import Status, Uncertainty


@pytest.fixture
def big_document(qtbot, base_catalog, tmp_path):
    """A document on a generated plan with more lines than the window evaluates scenarios for in its own thread."""
    path = tmp_path / "big.yaml"
    path.write_text(plan_text(SYNC_SCENARIO_LINES + 90, 4), encoding="utf-8")
    doc = PlanDocument(base_catalog)
    doc.open(path)
    return doc


def _requests(doc, factor):
    apis = doc.plan.services.apis
    line = dataclasses.replace(apis[0], requests_per_month=apis[0].requests_per_month * factor)
    doc.apply(doc.plan.with_section("services.apis", (line,) + apis[1:]), "Requests",
              merge_key="services.apis[0].requests_per_month")


def test_the_scenario_of_a_big_plan_is_evaluated_on_a_worker(qtbot, big_document, base_catalog):
    doc = big_document
    qtbot.waitUntil(lambda: not doc.scenario_pending, timeout=30_000)
    _requests(doc, 1.5)
    assert doc.scenario_pending                                 # not in this thread: a worker will
    with qtbot.waitSignal(doc.scenario_changed, timeout=30_000):
        pass
    direct = scenarios.evaluate(doc.plan, doc.plan.scenario(doc.selected_scenario), base_catalog)
    result = doc.scenario_result
    assert result.baseline.plan is doc.plan
    assert scenarios.summary_data(result) == scenarios.summary_data(direct)  # the same cents


def test_a_burst_of_edits_publishes_the_last_plans_scenario_only(qtbot, big_document):
    doc = big_document
    qtbot.waitUntil(lambda: not doc.scenario_pending, timeout=30_000)
    published = []
    doc.scenario_changed.connect(lambda: published.append(doc._scenario_result.baseline.plan is doc.plan))
    for factor in (1.1, 1.2, 1.3, 1.4, 1.5):
        _requests(doc, factor)
        qtbot.wait(5)                                          # typing: faster than the pause the worker waits for
    qtbot.waitUntil(lambda: not doc.scenario_pending, timeout=30_000)
    qtbot.wait(50)
    assert published and all(published)                       # never a result of an earlier plan
    assert len(published) == 1                                 # evaluated once, after the typing paused


def test_reading_the_result_while_a_worker_evaluates_it_evaluates_it_now(qtbot, big_document, base_catalog):
    doc = big_document
    _requests(doc, 2.0)
    result = doc.scenario_result                               # an export asks: it gets the current plan's
    assert result is not None and result.baseline.plan is doc.plan and not doc.scenario_pending
    direct = scenarios.evaluate(doc.plan, doc.plan.scenario(doc.selected_scenario), base_catalog)
    assert result.saving_total == pytest.approx(direct.saving_total)


def test_an_edit_cancels_the_uncertainty_run_in_flight_and_the_band_comes_first(qtbot, big_document):
    doc = big_document
    u = Uncertainty(doc, samples=4_000)
    u.run()
    first = u._worker
    _requests(doc, 1.7)                                        # the next edit: the run in flight is stopped
    assert first.cancel_requested and u.status is Status.PENDING and u.band is None
    states = []
    u.changed.connect(lambda: states.append((u.band is not None and u.band_current, u.tornado is not None)))
    u.run()
    assert u.wait(60)
    states = [s for s in states if s != (False, False)]       # (the run starting)
    assert states[0] == (True, False) and states[-1] == (True, True)  # the band, then the tornado
    proj = doc.projection
    mc = uncertainty.monte_carlo(doc.plan, doc.catalog, samples=4_000)
    assert np.array_equal(u.band.p90, series.band(proj, mc).p90)
    t = uncertainty.tornado(doc.plan, doc.catalog)
    assert u.tornado.baseline_total == t.baseline_total and u.tornado.bars == t.bars


def test_the_line_table_of_a_big_plan_shows_what_series_computes(qtbot, window, base_catalog, tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text(plan_text(400, 2), encoding="utf-8")
    window.open_path(path, ask=False)
    model = window.table.model_
    _requests(window.document, 3.0)
    window.table._refresh.flush()
    rows = series.line_rows(window.document.projection)
    assert model.rowCount() == len(rows) == len(window.document.projection.line_items)
    for r in (0, 57, len(rows) - 1):  # cells are made when asked for: any row, the figures of the projection
        index = model.index(r, 4)
        assert index.data() == model.fmt.auto(rows[r].total) and index.data(KEY_ROLE) == rows[r].key_path
    window.table.select_key(rows[57].key_path)
    assert window.table.selectionModel().selectedRows()[0].row() == 57


def test_heap_pauses_nest_and_resume_collects(qtbot):
    qtbot.waitUntil(gc.isenabled, timeout=5_000)  # the workers of earlier tests are done: collection resumed
    heap.pause()
    heap.pause()
    assert not gc.isenabled()
    heap.resume()
    assert not gc.isenabled()
    heap.resume()
    assert gc.isenabled()
    heap.resume()                                              # unmatched: harmless
    assert gc.isenabled()
    gc.unfreeze()


def test_collection_is_paused_while_workers_run_and_resumes_after(qtbot):
    qtbot.waitUntil(gc.isenabled, timeout=5_000)
    gate = threading.Event()
    worker = workers.Worker(lambda progress, cancelled: gate.wait(5))
    worker.start()
    assert not gc.isenabled()                                  # no full collection in the middle of its work
    with qtbot.waitSignal(worker.done, timeout=5_000):
        gate.set()
    assert not gc.isenabled()                                  # not while its results are being shown
    qtbot.waitUntil(gc.isenabled, timeout=5_000)               # a moment later


def test_a_worker_waits_while_the_gui_thread_is_busy(qtbot):
    """While the GUI thread does not come back to its event loop (a long paint, an edit), a task polling
    ``cancelled()`` waits, so the GUI thread has the interpreter to itself; once back, the task goes on."""
    counts = []
    stop = threading.Event()

    def task(progress, cancelled):
        n = 0
        while not stop.is_set() and not cancelled():
            n += 1
            counts.append((time.monotonic(), n))
        return n

    worker = workers.Worker(task)
    worker.start()
    qtbot.wait(100)                                            # the event loop turns: the heart beats
    t0 = time.monotonic()
    time.sleep(0.1)                                            # the GUI thread busy for 100 ms
    t1 = time.monotonic()
    qtbot.wait(100)
    stop.set()
    worker.wait(5)
    qtbot.wait(10)
    during = [n for t, n in counts if t0 + 0.02 < t < t1]      # (after the first stale beat)
    after = [n for t, n in counts if t1 + 0.02 < t < t1 + 0.1]
    assert len(after) > 10 * max(len(during), 1)

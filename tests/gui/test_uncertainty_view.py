"""The window's uncertainty: the P10-P90 band, the Drivers (tornado) view, the P50 headline, progress and Cancel.

Every figure is checked against ``pricing.uncertainty`` run directly on the same plan and seed.
"""
import dataclasses
import os

import numpy as np
import pytest

from pricing import engine, series, uncertainty

from gui.uncertainty_view import Status, Uncertainty, UncertaintyStatus
from gui.widgets import MoneyFormat


def direct(document, samples=uncertainty.DEFAULT_SAMPLES):
    plan, catalog = document.plan, document.catalog
    proj = engine.project(plan, catalog)
    mc = uncertainty.monte_carlo(plan, catalog, samples=samples, seed=uncertainty.DEFAULT_SEED)
    return proj, series.band(proj, mc), uncertainty.tornado(plan, catalog)


def test_band_and_headline_show_the_monte_carlo_of_the_plan(window):
    u = window.uncertainty
    assert u.wait() and u.status is Status.READY
    proj, band, _ = direct(window.document)
    assert band is not None and band.inputs == 3            # the example gives 3 ranges
    window.charts.setCurrentWidget(window.charts.monthly)
    window.charts.refresh_all()
    chart = window.charts.monthly
    assert chart.band.p10 == pytest.approx(band.p10) and chart.band.p90 == pytest.approx(band.p90)
    x, lo = chart.band_low.getData()
    _, hi = chart.band_high.getData()
    _, likely = chart.likely_line.getData()
    assert list(x) == list(range(24))
    assert lo == pytest.approx(band.p10) and hi == pytest.approx(band.p90)
    # the likely line is the month total as the table shows it: the sum of its lines rounded to the cent
    assert likely == pytest.approx(series.rounded_cells(proj).sum(axis=0) / 100)
    assert likely == pytest.approx(proj.monthly, abs=0.005 * len(proj.line_items))
    assert chart.band_fill.isVisible() and "P10–P90" in chart.caption.text()
    assert chart.top >= band.p90.max()                      # the axis reaches the top of the band
    # the headline: P50 as the value, P10-P90 under it
    fmt = MoneyFormat("USD")
    total = window.headline.total
    assert window.headline.band.total_p50 == band.total_p50
    assert total.value.text() == fmt.auto(band.total_p50)
    assert total.caption.text() == "24-month total, P50"
    assert total.detail.text() == f"P10–P90: {fmt.compact(band.total_p10)} – {fmt.compact(band.total_p90)}"
    assert band.total_p10 < band.total_p50 < band.total_p90
    # the month's tooltip gives its range and its chance of exceeding the budget
    i = 20
    text = chart.hover_at(float(i), float(band.p90[i]) * 0.999)
    assert f"{fmt.auto(float(band.p10[i]))} – {fmt.auto(float(band.p90[i]))}" in text
    assert f"Chance of exceeding the budget: {fmt.percent(float(band.over_budget[i]))}" in text


def test_drivers_view_is_the_tornado_of_the_plan(window):
    u = window.uncertainty
    assert u.wait()
    _, _, t = direct(window.document)
    charts = window.charts
    charts.setCurrentWidget(charts.tornado)
    assert charts.tabText(charts.currentIndex()) == "Drivers"
    rows = charts.tornado.rows
    # the widest swings first, as many as the chart's height has room for (a short window shows fewer)
    every = series.tornado_rows(t, charts.tornado.MAX_ROWS)
    assert len(rows) == min(len(every), charts.tornado.rows_that_fit()) >= 3
    assert rows == every[:len(rows)]
    assert [r.swing for r in rows] == sorted((r.swing for r in rows), reverse=True)
    # the example's widest swing is the answer length, a range in the plan
    assert rows[0].label == "Answer generation: Output tokens / request" and not rows[0].estimated   # schema label
    low_x0 = np.asarray(charts.tornado.low_bar.opts["x0"])
    low_w = np.asarray(charts.tornado.low_bar.opts["width"])
    assert low_x0[0] == pytest.approx(min(rows[0].total_low, t.baseline_total))
    assert low_w[0] == pytest.approx(abs(rows[0].total_low - t.baseline_total))
    n = len(rows)
    tip = charts.tornado.hover_at(t.baseline_total, float(n - 1))  # the top row
    assert rows[0].label in tip and MoneyFormat("USD").auto(rows[0].total_high) in tip


def test_an_edit_drops_the_old_band_until_the_new_one_is_computed(window, settle):
    u = window.uncertainty
    assert u.wait()
    doc = window.document
    api = dataclasses.replace(doc.plan.services.apis[0], cached_input_share=0.1)
    doc.apply(doc.plan.with_section("services.apis", (api,) + doc.plan.services.apis[1:]), "edit")
    settle()
    # stale figures are never shown: no band, the headline says the likely total and that the range is coming
    assert u.status is Status.PENDING and u.band is None
    window.charts.refresh_all()
    assert window.charts.monthly.band is None and not window.charts.monthly.band_fill.isVisible()
    assert "simulating" in window.charts.monthly.caption.text()
    assert window.headline.total.detail.text() == "likely; range: simulating…"
    assert window.headline.total.value.text() == MoneyFormat("USD").auto(window.headline.data.total)
    assert u.wait()
    _, band, _ = direct(doc)
    assert u.band.p90 == pytest.approx(band.p90) and u.band.total_p50 == band.total_p50


def test_cancel_leaves_no_band_and_simulate_runs_it_again(window, qtbot):
    u = window.uncertainty
    status = window.findChild(UncertaintyStatus)
    u.run()
    assert u.running
    u.cancel()  # before the outcome is delivered: the worker never reports a result after a cancel
    qtbot.waitUntil(lambda: u.status is Status.CANCELLED, timeout=10_000)
    assert u.band is None and u.tornado is None
    window.charts.refresh_all()
    assert "cancelled" in window.charts.monthly.caption.text()
    assert window.headline.total.detail.text() == "likely; range not computed"
    assert status.run_button.isVisibleTo(status) and "cancelled" in status.label.text()
    status.run_button.click()
    assert u.wait() and u.status is Status.READY and u.band is not None
    assert not status.isVisibleTo(window)


def test_progress_is_reported_up_to_every_sample(qtbot, plan_document):
    u = Uncertainty(plan_document, samples=6_000)
    seen = []
    u.progress.connect(lambda done, total: seen.append((done, total)))
    u.run()
    assert u.wait()
    assert seen and seen[-1] == (6_000, 6_000)
    assert all(total == 6_000 and 0 < done <= 6_000 for done, total in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_status_bar_shows_progress_and_cancel_on_a_long_run(qtbot, plan_document):
    u = Uncertainty(plan_document, samples=400_000)  # a few seconds: long enough to be shown
    status = UncertaintyStatus(u)
    status.show()
    u.run()
    qtbot.waitUntil(lambda: status.bar.isVisible(), timeout=5_000)
    assert status.cancel_button.isVisible() and status.label.text().startswith("Simulating ranges")
    qtbot.waitUntil(lambda: status.bar.value() > 0, timeout=10_000)
    status.cancel_button.click()
    qtbot.waitUntil(lambda: u.status is Status.CANCELLED, timeout=10_000)
    assert not status.bar.isVisible() and status.run_button.isVisible()


def test_a_plan_without_ranges_has_a_tornado_and_no_band(qtbot, base_catalog, example_dir):
    from gui.document import PlanDocument
    text = (example_dir / "support-assistant.yaml").read_text()
    text = text.replace("1.2M ± 30%", "1.2M").replace("{low: 4%, likely: 8%, high: 10%}", "8%") \
        .replace("{low: 250, likely: 350, high: 600}", "350")
    path = example_dir / "no-ranges.yaml"
    path.write_text(text)
    doc = PlanDocument(base_catalog)
    doc.open(path)
    assert not uncertainty.has_ranges(doc.plan)
    u = Uncertainty(doc)
    assert u.wait() and u.status is Status.READY
    assert u.band is None and u.mc is None
    assert u.tornado is not None and all(not b.input.from_range for b in u.tornado.bars)
    assert u.tornado.baseline_total == pytest.approx(engine.project(doc.plan, base_catalog).total)


def test_collapsed_ranges_are_plain_numbers_and_show_no_band(window, base_catalog, example_dir):
    text = (example_dir / "support-assistant.yaml").read_text()
    text = text.replace("1.2M ± 30%", "{low: 1.2M, likely: 1.2M, high: 1.2M}") \
        .replace("{low: 4%, likely: 8%, high: 10%}", "8% ± 0%").replace("{low: 250, likely: 350, high: 600}",
                                                                         "{low: 350, likely: 350, high: 350}")
    path = example_dir / "collapsed.yaml"
    path.write_text(text)
    window.open_path(path, ask=False)
    u = window.uncertainty
    assert u.wait() and u.status is Status.READY
    assert not uncertainty.has_ranges(window.document.plan) and u.band is None
    # the headline shows the one total there is, without a P50 caption
    h = window.headline
    assert h.band is None and h.total.caption.text() == "24-month total"
    assert h.total.value.text() == MoneyFormat("USD").auto(h.data.total)
    assert h.total.detail.text() == "Jan 2027 – Dec 2028"
    window.charts.refresh_all()
    assert not window.charts.monthly.band_fill.isVisible() and "P10" not in window.charts.monthly.caption.text()


def test_a_plan_that_cannot_be_priced_has_nothing_to_simulate(qtbot, plan_document):
    doc = plan_document
    u = Uncertainty(doc)
    assert u.wait() and u.status is Status.READY
    line = dataclasses.replace(doc.plan.compute.exploration[0], gpu="Z900")
    doc.apply(doc.plan.with_section("compute.exploration", (line,)), "Bad GPU")
    assert doc.projection is None
    assert u.status is Status.NONE and u.band is None and u.tornado is None and not u.running
    doc.undo_stack.undo()
    assert u.status is Status.PENDING and u.wait() and u.band is not None


def test_shutdown_stops_a_run_and_waits_for_its_thread(qtbot, plan_document):
    u = Uncertainty(plan_document, samples=2_000_000)  # seconds of work
    u.run()
    worker = u._worker
    qtbot.waitUntil(lambda: worker.is_running, timeout=5_000)
    assert u.shutdown(timeout_s=10)
    assert worker._ended.is_set()          # its thread is done with Python: safe to exit


EXIT_MID_RUN = """
import os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from gui import app as A
catalog = A.load_engine(sys.argv[1])
application = A.create_application()
window = A.build_window(sys.argv[1], catalog)
window.uncertainty.samples = 2_000_000
window.show()
while not window.uncertainty.running:
    application.processEvents()
time.sleep(0.05)
window.document.undo_stack.setClean()
if sys.argv[2] == "close":
    window.close()
print("exiting mid-run", flush=True)
"""


@pytest.mark.parametrize("how", ["close", "exit"])
def test_the_app_exits_cleanly_while_a_simulation_runs(tmp_path, example_dir, how):
    """A pool thread still running Python at exit used to meet a deleted Worker (or hang the exit)."""
    import subprocess
    import sys
    from pathlib import Path
    script = tmp_path / "exit_mid_run.py"
    script.write_text(EXIT_MID_RUN)
    root = Path(__file__).resolve().parent.parent.parent
    env = dict(os.environ, PYTHONPATH=str(root), AICOST_CACHE_DIR=str(tmp_path / "cache"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"))
    out = subprocess.run([sys.executable, str(script), str(example_dir / "support-assistant.yaml"), how],
                         capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "exiting mid-run" in out.stdout
    assert "Traceback" not in out.stderr and "Error" not in out.stderr, out.stderr[-2000:]

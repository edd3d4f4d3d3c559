"""The finance pieces of the window: the Commitments view (planner off the UI thread, ranked offers, charts, Add to
plan), View > Commitments amortised / as cash (the charts' data, remembered), File > Export Excel… (plan's folder,
off the UI thread, atomic, Cancel), and a commitment's form in the plan editor."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from pricing import commitments as cm
from pricing import engine
from pricing.plan import Category

PLAN = """\
format: aicost-plan/1
name: Committed serving
start: 2027-01
months: 6
provider: aws
compute:
  inference:
    - {name: Serving, gpu: L4, requests_per_month: 1000, output_tokens: 10, min_gpus: 2}
  training:
    - {name: Spot run, gpu: H100-80GB, gpus: 8, hours: 50, month: 2, pricing: spot}
commitments:
  - {name: L4 RI, offer: aws.g6.xlarge.ri_standard.1y.all_upfront, gpus: 2, start: 2}
prices:
  gpu.L4.aws.on_demand: 1.0
  gpu.H100-80GB.aws.spot: 2.0
"""
"""2 L4 GPUs serve all 6 months; a 1-year all-upfront RI for both from month 2; a spot run the RI can't cover."""


def _term_charge() -> float:
    """The RI's whole term: 2 GPUs x 730 h x 12 months x the effective rate (1.00 x (1 - its discount))."""
    d = next(o for o in cm.load_offers() if o.key == "aws.g6.xlarge.ri_standard.1y.all_upfront").discount
    return 2 * 730 * 12 * (1 - d)


@pytest.fixture
def plan_path(tmp_path) -> Path:
    folder = tmp_path / "plans"
    folder.mkdir()
    path = folder / "committed.yaml"
    path.write_text(PLAN, encoding="utf-8")
    return path


@pytest.fixture
def doc(qtbot, base_catalog, plan_path):
    from gui.document import PlanDocument
    d = PlanDocument(base_catalog)
    d.open(plan_path)
    return d


@pytest.fixture
def win(qtbot, doc, monkeypatch):
    from gui.errors import ErrorPresenter
    from gui.main_window import MainWindow
    from gui.settings import Settings
    w = MainWindow(doc, Settings(), ErrorPresenter())
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.document.undo_stack.setClean()
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard))
    w.close()
    w.deleteLater()


def menu_action(window, text: str):
    return next(a for m in window.menuBar().actions() for a in m.menu().actions() if a.text().replace("&", "") == text)


# ---------------------------------------------------------------------------------------------
# View > Commitments amortised / as cash
# ---------------------------------------------------------------------------------------------


def test_the_view_menu_moves_an_all_upfront_payment_to_the_month_paid_in_cash_only(qtbot, win, settle):
    chart = win.charts.monthly
    win.charts.setCurrentWidget(chart)
    settle()
    compute = lambda: next(layer for layer in chart.stacked.layers if layer.category is Category.COMPUTE)  # noqa
    # amortised (the default): serving 2 x 730 x 1.00 = 1,460 a month; from month 2 the RI covers it all and
    # charges a twelfth of its term each month; the spot run (8 x 50 h x 2.00 = 800) stays in month 2
    term = _term_charge()
    amortised = compute().values
    assert amortised == pytest.approx([1_460, term / 12 + 800] + [term / 12] * 4)
    assert "commitments amortised over their term" in chart.caption.text()
    assert menu_action(win, "Commitments amortised").isChecked()
    menu_action(win, "Commitments as cash").trigger()
    settle()
    cash = compute().values
    assert win.document.view is engine.View.CASH
    assert cash == pytest.approx([1_460, term + 800, 0, 0, 0, 0])   # the whole term in the month paid
    assert "commitments as cash, upfront in the month paid" in chart.caption.text()
    # ... remembered for the next run, and the document's projection, headline and scenario follow it
    from gui.settings import Settings
    assert Settings().commitment_view() == "cash"
    assert win.document.projection.view is engine.View.CASH


def test_a_new_window_starts_in_the_remembered_view(qtbot, base_catalog, plan_path):
    from gui.document import PlanDocument
    from gui.errors import ErrorPresenter
    from gui.main_window import MainWindow
    from gui.settings import Settings
    Settings().set_commitment_view("cash")
    doc = PlanDocument(base_catalog)
    doc.open(plan_path)
    w = MainWindow(doc, Settings(), ErrorPresenter())
    qtbot.addWidget(w)
    assert doc.view is engine.View.CASH and menu_action(w, "Commitments as cash").isChecked()
    assert doc.projection.monthly[1] == pytest.approx(_term_charge() + 800)


# ---------------------------------------------------------------------------------------------
# File > Export Excel…
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def host(qtbot):
    from gui.errors import ErrorPresenter
    w = QMainWindow()
    w.presenter = ErrorPresenter()
    qtbot.addWidget(w)
    return w


def test_excel_export_starts_in_the_plans_folder_runs_off_the_ui_thread_in_the_windows_view(
        host, doc, plan_path, qtbot, monkeypatch):
    from gui import export_actions
    asked = []

    def fake_dialog(parent, title, start, filters, *rest):
        asked.append(start)
        return str(plan_path.parent / "book"), filters
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake_dialog))
    doc.set_view("cash")
    job = export_actions.export_xlsx(host, doc)
    with qtbot.waitSignal(job.succeeded, timeout=60_000) as blocker:
        pass
    out = plan_path.parent / "book.xlsx"
    assert asked == [str(plan_path.parent / "Committed serving.xlsx")]     # the plan's folder, its name
    assert blocker.args == [(out,)] and "Exported book.xlsx (cash view)" in host.statusBar().currentMessage()
    wb = openpyxl.load_workbook(out)       # the cached results: what a viewer shows without recalculating
    ws = wb["Monthly"]
    total = next(r for r in ws.iter_rows() if r[0].value == "Total")
    cached = openpyxl.load_workbook(out, data_only=True)["Monthly"].cell(total[0].row, 6).value
    assert cached == pytest.approx(doc.projection.monthly[1])            # month 2: the upfront payment is there
    switch = next(r for r in wb["Inputs"].iter_rows() if r[0].value == "view_cash")
    assert switch[3].value == 1
    assert sorted(p.name for p in plan_path.parent.iterdir()) == ["book.xlsx", "committed.yaml"]  # nothing stray


def test_excel_export_cancelled_leaves_no_file(host, doc, tmp_path, qtbot):
    from gui import export_actions
    out = tmp_path / "out"
    out.mkdir()
    job = export_actions.export_xlsx(host, doc, path=out / "book.xlsx")
    job.dialog.canceled.emit()  # what the Cancel button does
    with qtbot.waitSignal(job.done, timeout=60_000):
        pass
    assert job.worker.state.value == "cancelled" and list(out.iterdir()) == []


def test_excel_export_is_in_the_file_menu(win, monkeypatch, tmp_path, qtbot):
    import gui.export_actions as ea
    target = tmp_path / "menu.xlsx"
    monkeypatch.setattr(ea, "ask_xlsx_path", lambda *a, **k: target)
    menu_action(win, "Export Excel…").trigger()
    qtbot.waitUntil(target.exists, timeout=60_000)
    assert target.read_bytes()[:2] == b"PK"


# ---------------------------------------------------------------------------------------------
# Tools > Commitments…
# ---------------------------------------------------------------------------------------------

STEADY = """\
format: aicost-plan/1
name: Steady L4
start: 2027-01
months: 36
provider: aws
compute:
  inference:
    - {name: Serving, gpu: L4, requests_per_month: 1000, output_tokens: 10, min_gpus: {low: 2, likely: 3, high: 3}}
  exploration:
    - {name: Notebooks, gpu: A10G, people: 2, hours_per_week: 10, pricing: spot}
prices:
  gpu.A10G.aws.spot: 0.5
"""


@pytest.fixture
def view(qtbot, base_catalog, tmp_path):
    from gui.commitments_view import CommitmentsView
    from gui.document import PlanDocument
    path = tmp_path / "steady.yaml"
    path.write_text(STEADY, encoding="utf-8")
    d = PlanDocument(base_catalog)
    d.open(path)
    v = CommitmentsView(d)
    qtbot.addWidget(v)
    v.show()
    qtbot.waitExposed(v)
    assert v.wait()
    return v


def click_row(qtbot, table, row: int) -> None:
    rect = table.visualRect(table.model().index(row, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_the_view_ranks_the_offers_of_each_pool_and_charts_the_recommendation(view, base_catalog):
    report = cm.plan_commitments(view.document.plan, base_catalog)   # the planner, as `aicost commitments` runs it
    (pool,) = report.pools
    assert view.pool_box.count() == 1 and view.pool_box.currentText().startswith("L4 at aws")
    model = view.offers
    assert model.rowCount() == len(pool.best)
    assert [model.offer_at(r).key for r in range(model.rowCount())] == [e.commitment.offer.key for e in pool.best]
    rec = pool.recommended
    assert model.data(model.index(0, 0)).startswith("★ ")              # the recommendation, first and starred
    assert view.offer.key == rec.commitment.offer.key                   # and chosen
    assert model.data(model.index(0, model.GPUS)) == str(rec.commitment.gpus)
    # the usage chart: the pool's GPUs busy on average (GPU-hours / 730) with the band of the samples
    assert view.usage_chart.data["usage"] == pytest.approx(pool.pool.usage / 730)
    assert view.usage_chart.data["p10"] == pytest.approx(np.percentile(pool.pool.samples, 10, axis=0) / 730)
    assert view.usage_chart.data["chosen"] == pytest.approx(rec.charges.gpus)
    # cash beside amortised: the same cents as the planner's own output
    assert list(view.cash_chart.data["amortised"]) == cm.cents_series(rec.charges.amortised)
    assert list(view.cash_chart.data["cash"]) == cm.cents_series(rec.charges.cash)
    # gaps and the line left out, with their reasons
    rows = view.gaps.rows
    assert any(name.startswith("gap: ") and "Savings Plans" in why for name, why, _ in rows)
    assert ("left out: Notebooks", next(x.reason for x in report.excluded)) in [(n, w) for n, w, _ in rows]


def test_choosing_another_offer_redraws_the_charts(view, qtbot):
    first = view.offer
    click_row(qtbot, view.table, 3)
    chosen = view.offer
    assert chosen is view.offers.offer_at(3) and chosen.key != first.key
    assert view.cash_chart.data["amortised"] == chosen.amortised
    qtbot.mouseClick(view.cumulative_box, Qt.MouseButton.LeftButton,
                     pos=QPoint(8, view.cumulative_box.height() // 2))
    assert view.cumulative_box.isChecked() and view.cash_chart.cumulative
    assert view.cash_chart.data["amortised"] == chosen.cumulative_amortised
    assert view.cash_chart.data["amortised"][-1] == pytest.approx(sum(chosen.amortised))


def test_add_to_plan_is_one_undoable_edit_and_the_planner_runs_again(view, qtbot):
    doc = view.document
    chosen = view.offer
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    (c,) = doc.plan.commitments
    assert (c.offer, c.gpus, c.gpu, c.provider) == (chosen.key, chosen.gpus, "L4", "aws")
    assert doc.projection.line_items[-1].key_path == "commitments[0]"
    assert view.wait()
    # planned again on what the commitment leaves: nothing more is worth committing
    assert view.pool.committed_gpus is not None and "already commits" in view.note.text()
    assert view.pool.recommended is None
    doc.undo_stack.undo()
    assert doc.plan.commitments == ()


def test_cancel_stops_the_planner(view, qtbot):
    view.run()
    assert view.cancel_button.isVisible()
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Cancelled" in view.status.text(), timeout=30_000)
    assert view.run_button.isVisible() and not view.cancel_button.isVisible()


def test_the_view_opens_from_the_tools_menu_and_says_when_the_plan_cant_be_priced(win, qtbot):
    import dataclasses
    menu_action(win, "Commitments…").trigger()
    from gui.commitments_view import CommitmentsView
    v = win.findChild(CommitmentsView)
    assert v is not None and v.isVisible() and v.wait()
    assert v.pool_box.currentText().startswith("L4 at aws")
    bad = dataclasses.replace(win.document.plan.commitments[0], offer="no.such.offer")
    win.document.apply(dataclasses.replace(win.document.plan, commitments=(bad,)), "break it")
    assert v.wait()
    assert "can't be priced" in v.status.text() and v.pool_box.count() == 0
    v.close()


# ---------------------------------------------------------------------------------------------
# The plan editor
# ---------------------------------------------------------------------------------------------


def test_a_commitment_is_edited_in_its_form(win, qtbot, settle):
    win.tree.select("commitments[0]")
    form = win.editor.current_form()
    assert form is not None and form.key_path == "commitments[0]"
    gpus = form.inputs["gpus"]
    edit = gpus.lineEdit() if hasattr(gpus, "lineEdit") else gpus
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "1")
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    settle()
    assert win.document.plan.commitments[0].gpus == 1
    # 1 GPU of 2 covered from month 2: the other is billed on demand again (730 x 1.00 a month)
    item = next(li for li in win.document.projection.line_items if li.key_path == "commitments[0]")
    assert item.quantity("GPU-hours covered") == pytest.approx([0] + [730.0] * 5)
    win.document.undo_stack.undo()
    assert win.document.plan.commitments[0].gpus == 2


def test_the_savings_panel_edits_the_commit_strategy(win, qtbot, settle):
    """A scenario's commit row: its sections default to all four (the file leaves applies_to out), and an offer picked
    with the keyboard becomes the strategy's offer parameter (one undoable edit)."""
    import dataclasses

    from pricing.plan import Scenario, StrategySpec
    doc = win.document
    doc.apply(dataclasses.replace(doc.plan, scenarios=(Scenario("Commit", (StrategySpec("commit", ()),)),)),
              "Add a commit scenario")
    doc.select_scenario("Commit")
    settle()
    row = win.savings.rows["commit"]
    assert row.check.isChecked()
    assert row.inputs["applies_to"].value() == ("training", "fine_tuning", "inference", "exploration")
    combo = row.inputs["offer"]
    assert combo.currentText() == "default: auto (the planner's pick)"
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    settle()
    picked = dict(doc.plan.scenarios[0].strategies[0].params)["offer"]
    assert picked == combo.currentData() and picked in cm.catalog_offers(doc.catalog)
    doc.undo_stack.undo()
    assert doc.plan.scenarios[0].strategies[0].params == ()

"""The Providers view, the reprice info bar and Tools ▸ Update prices, driven with real clicks."""
from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt

from pricing import engine, planfile, repricing
from pricing.catalog import CATALOG_FILES, Catalog
from pricing.catalog.reader import bundled_directory
from pricing.load import loads_checked

PLAN = """\
format: aicost-plan/1
name: Reprice me
start: 2027-01
months: 2
provider: aws
compute:
  training:
    - {name: Fine-tune, gpu: H100-80GB, gpus: 8, hours: 100, month: 1}
  inference:
    - {name: Serve, gpu: T4, requests_per_month: 1M, output_tokens: 100, tokens_per_second_per_gpu: 500}
people:
  - {name: Ops, hours_per_month: 10, hourly_rate: 100}
"""


def catalog_copy(tmp_path, name, h100=None):
    d = tmp_path / name
    d.mkdir()
    for f in CATALOG_FILES:
        shutil.copy(bundled_directory() / f, d / f)
    if h100 is not None:
        text = (d / "gpus.yaml").read_text(encoding="utf-8")
        (d / "gpus.yaml").write_text(text.replace("value: 6.88\n", f"value: {h100}\n"), encoding="utf-8")
    return Catalog.load(d)


@pytest.fixture
def old_plan_window(qtbot, tmp_path, monkeypatch):
    """The window on a plan saved with the shipped catalog, opened where the H100 at aws costs 10% more."""
    from PySide6.QtWidgets import QMessageBox

    from gui.document import PlanDocument
    from gui.errors import ErrorPresenter
    from gui.main_window import MainWindow
    from gui.settings import Settings
    old = catalog_copy(tmp_path, "old")
    new = catalog_copy(tmp_path, "new", h100=7.568)
    path = tmp_path / "plan.yaml"
    path.write_text(planfile.dumps(repricing.stamped(loads_checked(PLAN, catalog=old), old)), encoding="utf-8")
    doc = PlanDocument(new)
    w = MainWindow(doc, Settings(), ErrorPresenter())
    w.show()
    qtbot.waitExposed(w)
    assert not w.reprice.holder.isVisible()  # a new plan: nothing to compare
    assert w.open_path(path, ask=False)  # as the app opens a file: the window first
    yield w, path, old, new
    w.document.undo_stack.setClean()
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard))
    w.close()
    w.deleteLater()


def test_the_providers_view_shows_each_provider_gaps_as_gaps_and_the_placement(qtbot, window, tmp_path):
    act = next(a for a in window.menuBar().actions() if a.text() == "&Tools").menu().actions()
    next(a for a in act if a.text() == "Compare p&roviders…").trigger()
    view = window._tool_ProvidersView
    qtbot.waitUntil(lambda: view.data is not None)
    m = view.model
    assert m.providers == list(view.comparison.providers)
    shown = {(m.data(m.index(r, 0)), m.providers[c - 1]): m.data(m.index(r, c))
             for r in range(m.rowCount() - 1) for c in range(1, m.columnCount())}
    # every cell is a price or GAP, never a zero standing in for a missing price
    gaps = [(k, v) for k, v in shown.items() if v == "GAP"]
    assert gaps and not any(v in ("$0", "$0.00") for v in shown.values())
    r, c = next((r, c) for r in range(m.rowCount() - 1) for c in range(1, m.columnCount())
                if m.data(m.index(r, c)) == "GAP" and m.cell(r, c)["missing_key"])
    tip = m.data(m.index(r, c), Qt.ItemDataRole.ToolTipRole)
    assert "To fill it: set " + m.cell(r, c)["missing_key"] in tip
    # ★ on each movable line's cheapest provider, as aicost providers computes it
    for lc in view.comparison.lines:
        if lc.cheapest:
            row = [lc2.key_path for lc2 in view.comparison.lines].index(lc.key_path)
            assert m.data(m.index(row, 1 + m.providers.index(lc.cheapest))).endswith("★")
    assert view.placement_model.rowCount() >= len(view.comparison.placement.lines)
    view.grab().save(str(tmp_path / "providers.png"))
    # an edit recomputes the comparison (once the burst of edits settles)
    before = view.data["as_planned_total"]
    doc = window.document
    import dataclasses
    doc.apply(dataclasses.replace(doc.plan, months=doc.plan.months + 12), "Longer")
    qtbot.waitUntil(lambda: view.data["as_planned_total"] != before)


def test_a_plan_saved_with_other_prices_asks_keep_or_reprice(qtbot, old_plan_window, tmp_path):
    w, path, old, new = old_plan_window
    bar = w.reprice
    assert bar.isVisible() and bar.holder.isVisible() and bar.message.isVisible()
    assert "today's prices change the total by +" in bar.message.text()
    qtbot.mouseClick(bar.details_button, Qt.MouseButton.LeftButton)
    assert bar.details.isVisible()
    assert "gpu.H100-80GB.aws.on_demand: 6.88 -&gt; 7.568" in bar.figures.text() or \
        "gpu.H100-80GB.aws.on_demand: 6.88 -> 7.568" in bar.figures.text()
    rows = {bar.model.data(bar.model.index(i, 0)): [bar.model.data(bar.model.index(i, c)) for c in (1, 2, 3)]
            for i in range(bar.model.rowCount())}
    assert rows["Fine-tune"] == ["$5,504.00", "$6,054.40", "+$550.40"]  # 8 x 100 h x 6.88 -> x 7.568
    w.grab().save(str(tmp_path / "reprice-bar.png"))
    doc = w.document
    old_total = engine.project(loads_checked(path.read_text(), catalog=old), old).total
    new_total = doc.projection.total
    assert not doc.stamp_prices  # undecided: a save keeps the record the plan had

    qtbot.mouseClick(bar.keep_button, Qt.MouseButton.LeftButton)
    assert doc.projection.total == pytest.approx(old_total)
    assert dict(doc.plan.prices)["gpu.H100-80GB.aws.on_demand"] == 6.88
    assert not bar.holder.isVisible() and doc.stamp_prices
    doc.undo_stack.undo()  # back to undecided
    assert bar.holder.isVisible() and doc.projection.total == pytest.approx(new_total)

    qtbot.mouseClick(bar.reprice_button, Qt.MouseButton.LeftButton)
    assert not bar.holder.isVisible() and doc.is_modified
    assert doc.projection.total == pytest.approx(new_total)
    doc.save()
    saved = planfile.load(path)
    assert dict(saved.priced_with.figures)["gpu.H100-80GB.aws.on_demand"] == 7.568
    assert repricing.check(saved, new) is None


def test_update_prices_shows_the_changes_and_installs_on_confirm(qtbot, window, tmp_path, monkeypatch):
    from pricing import apiprices
    monkeypatch.setenv("AICOST_DATA_DIR", str(tmp_path / "data"))
    bundle = tmp_path / "bundle"
    catalog_copy(tmp_path, "bundle", h100=7.568)
    act = next(a for a in window.menuBar().actions() if a.text() == "&Tools").menu().actions()
    next(a for a in act if a.text() == "&Update prices…").trigger()
    dlg = window._tool_PriceUpdateDialog
    assert "bundled with the app" in dlg.status.text() and not dlg.fetch_button.isEnabled()  # tests are offline
    dlg.inspect(str(bundle))
    assert "0 added, 0 removed, 1 changed" in dlg.diff.toPlainText()
    assert "gpu.H100-80GB.aws.on_demand: 6.88 -> 7.568 (+10.0%)" in dlg.diff.toPlainText()
    assert dlg.install_button.isEnabled()
    doc = window.document
    dlg.grab().save(str(tmp_path / "update.png"))
    qtbot.mouseClick(dlg.install_button, Qt.MouseButton.LeftButton)
    assert doc.catalog.gpu_price("H100", "aws").value == 7.568 and "installed" in dlg.status.text()
    from PySide6.QtWidgets import QMessageBox
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    qtbot.mouseClick(dlg.reset_button, Qt.MouseButton.LeftButton)
    assert doc.catalog.gpu_price("H100", "aws").value == 6.88
    apiprices.reload()

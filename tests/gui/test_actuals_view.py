"""The Actuals tab driven like a user: import (button, drop), Cancel, the variance table, rules edited and undone.

The plan is tests/data/actuals/plan.yaml (6 months from Jan 2027) and the exports are the hand-made
FOCUS files beside it; every expected amount is written out from the files' rows (see
tests/data/actuals/README.md and tests/pricing/test_actuals_analysis.py).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from gui.actuals_model import Status

pytest_plugins = ["pytester"]  # the suite's own guard is tested by running a small suite

DATA = Path(__file__).resolve().parent.parent / "data" / "actuals"
FILES = ("focus_ai_tokens.csv", "focus_infra.csv")


@pytest.fixture
def folder(tmp_path):
    for f in DATA.iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    return tmp_path


@pytest.fixture
def actuals_window(qtbot, base_catalog, folder, monkeypatch):
    """The main window on the actuals test plan, its Actuals tab showing; closing it never prompts."""
    from gui.document import PlanDocument
    from gui.errors import ErrorPresenter
    from gui.main_window import MainWindow
    from gui.settings import Settings
    doc = PlanDocument(base_catalog)
    doc.open(folder / "plan.yaml")
    w = MainWindow(doc, Settings(), ErrorPresenter())
    w.show()
    qtbot.waitExposed(w)
    w.charts.setCurrentWidget(w.actuals)
    yield w
    w.document.undo_stack.setClean()
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard))
    w.close()
    w.deleteLater()


def settled(qtbot, view) -> None:
    """Wait until the tab's worker has nothing in flight or queued, then let the views follow."""
    qtbot.waitUntil(lambda: not view.model.running and not view.model._queue and not view.model._timer.isActive(),
                    timeout=60_000)
    QApplication.processEvents()


def import_with_button(qtbot, window, folder, monkeypatch, names=FILES) -> None:
    view = window.actuals
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        staticmethod(lambda *a, **k: ([str(folder / n) for n in names], "")))
    qtbot.mouseClick(view.import_button, Qt.MouseButton.LeftButton)
    settled(qtbot, view)
    assert view.model.status is Status.READY, view.model.problems


def column(table, name: str) -> list[str]:
    return table.texts(table.source.COLUMNS.index(name))


def cell(table, line: str, name: str) -> str:
    return column(table, name)[column(table, table.source.COLUMNS[0]).index(line)]


def click_header(qtbot, table, name: str) -> None:
    header = table.horizontalHeader()
    section = table.source.COLUMNS.index(name)
    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def press(qtbot, widget, standard_key) -> None:
    """The key the Edit menu's action has for a standard action (Undo is Ctrl+Z everywhere; Redo is not)."""
    combo = QKeySequence(standard_key)[0]
    qtbot.keyClick(widget, combo.key(), combo.keyboardModifiers())


def select_rule(qtbot, view, text: str) -> None:
    table = view.rules.table
    row = column(table, "Billing rows with").index(text)
    rect = table.visualRect(table.proxy.index(row, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.rules.selected_index() is not None


# -- import ------------------------------------------------------------------------------------


def test_import_with_the_button_shows_every_total_to_the_cent(qtbot, actuals_window, folder, monkeypatch):
    w = actuals_window
    view = w.actuals
    assert view.stack.currentIndex() == 0  # nothing imported yet: the empty page says how
    import_with_button(qtbot, w, folder, monkeypatch)
    # effective cost: AI tokens 25 + 20 + 0.75 + 30 + 25 + 0 (commitment, amortised) + 5 = 105.75,
    # infra 550.40 + 23.00 + 1.04 + 25.30 + 4.96 = 604.70; 710.45 in all
    # mapped: gpt-4o 25 + 20 + 30 + 25 + 5 = 105.00, p5 550.40, storage 23.00 + 25.30 = 48.30 -> 703.70
    # unmapped: tax 4.96 + t3.micro 1.04 + gpt-4o-mini 0.75 + commitment 0.00 = 6.75
    assert "Imported <b>$710.45</b> = mapped $703.70 + unmapped $6.75" in view.summary.text()
    assert "2 rows refused" in view.summary.text()  # the undated row and the cost written 12,50
    t = view.variance
    assert cell(t, "Answer generation", "Actual") == "$105.00"
    assert cell(t, "Raw images", "Actual") == "$48.30"
    assert cell(t, "Fine-tune", "Actual") == "$550.40"
    assert cell(t, "Unmapped", "Actual") == "$6.75"
    assert cell(t, "Summaries", "Actual") == "no bills"  # its bill is the Anthropic export, not imported
    # plan to date (Jan + Feb): Answer generation 10k requests x (1,000 in x $2.50/M + 200 out x $10/M) = $45.00
    # in Jan, x 1.1 growth = $49.50 in Feb: $94.50; variance 105.00 - 94.50 = +$10.50 (+11.1%)
    assert cell(t, "Answer generation", "Plan to date") == "$94.50"
    assert cell(t, "Answer generation", "Variance") == "+$10.50"
    assert cell(t, "Answer generation", "%") == "+11.1%"
    u = view.unmapped
    assert column(u, "Amount") == ["$4.96", "$1.04", "$0.75", "$0.00"]
    assert column(u, "SKU")[1:3] == ["t3.micro-od", "gpt-4o-mini-input"]
    assert Path(str(folder / "plan.yaml") + ".actuals.duckdb").is_file()  # kept beside the plan
    # the headline: February complete, 30 + 25 + 0 + 5 + 25.30 + 4.96 = $90.26 against the plan's
    # 49.50 + 52.50 (Summaries) + 23.00 (storage) = $125.00: -27.8%
    h = w.headline.actuals
    assert h.isVisible()
    assert (h.caption.text(), h.value.text(), h.detail.text()) == ("Last month, Feb 2027", "$90.26",
                                                                   "-27.8% vs plan $125")
    assert not w.isWindowModified()  # importing does not edit the plan


def test_chart_draws_the_actuals_the_plan_and_the_reforecast(qtbot, actuals_window, folder, monkeypatch):
    import numpy as np
    view = actuals_window.actuals
    import_with_button(qtbot, actuals_window, folder, monkeypatch)
    chart = view.ensure_chart()
    f = view.model.figures
    # January: 25 + 20 + 0.75 (tokens) + 550.40 + 23.00 + 1.04 (infra) = 620.19; February 90.26
    assert chart.drawn["actual:Unmapped"][:2] == pytest.approx([620.19, 90.26])  # the top of the stack
    assert np.asarray(chart.bars["Compute"].opts["height"])[:2] == pytest.approx([550.40, 0.0])
    assert chart.drawn["plan"] == pytest.approx(f.chart.plan)
    assert chart.drawn["plan"][1] == pytest.approx(125.0)
    x, y = chart.forecast_line.getData()
    assert np.isnan(y[0]) and y[1:] == pytest.approx(f.chart.forecast[1:])
    # one category against its own plan: Data is storage only, 23.00 then 25.30, planned 23.00 a month
    view.category.setCurrentIndex(view.category.findText("Data"))
    view.category.activated.emit(view.category.currentIndex())
    assert chart.drawn["actual:Data"][:2] == pytest.approx([23.0, 25.3])
    assert chart.drawn["plan"] == pytest.approx([23.0] * 6)
    assert "forecast" not in chart.drawn


def test_dropping_exports_on_the_window_imports_them(qtbot, actuals_window, folder):
    w = actuals_window
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(folder / "focus_infra.csv"))])
    enter = QDragEnterEvent(QPoint(200, 200), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    enter.ignore()
    w.dragEnterEvent(enter)
    assert enter.isAccepted()  # the window takes cost exports as well as plans
    drop = QDropEvent(QPointF(200, 200), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    drop.ignore()
    w.dropEvent(drop)
    assert drop.isAccepted()
    settled(qtbot, w.actuals)
    # infra only: 550.40 + 23.00 + 1.04 + 25.30 + 4.96 = 604.70
    assert "Imported <b>$604.70</b>" in w.actuals.summary.text()
    assert w.actuals.message.text() == "Imported focus_infra.csv: 5 rows."


def test_cancel_mid_import_leaves_nothing_half_imported(qtbot, actuals_window, folder, monkeypatch):
    from pricing.actuals.store import ActualsStore, store_path_for
    w = actuals_window
    view = w.actuals
    import_with_button(qtbot, w, folder, monkeypatch)
    big = folder / "big.csv"
    head = ("ServiceName,ServiceCategory,SkuId,ChargePeriodStart,ChargePeriodEnd,EffectiveCost,BilledCost,"
            "BillingCurrency,ConsumedQuantity,ConsumedUnit,ChargeCategory,ResourceName\n")
    big.write_text(head + "".join(
        f"Svc{i % 7},Compute,sku-{i % 113},2027-01-{1 + i % 28:02d}T00:00:00Z,2027-01-{1 + i % 28:02d}T01:00:00Z,"
        f"0.01,0.01,USD,1,Hours,Usage,res-{i % 997}\n" for i in range(250_000)))
    assert view.import_paths([str(big)])
    # past the file's SHA-256 (the first 15% of its progress): the rows are being read inside the transaction
    qtbot.waitUntil(lambda: view.progress.maximum() > 1 and view.progress.value() >= 0.15 * view.progress.maximum(),
                    timeout=30_000)
    assert view.cancel_button.isVisible() and view.model.importing
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    settled(qtbot, view)
    assert view.message.text() == "Import cancelled: nothing of big.csv was kept."
    assert "Imported <b>$710.45</b>" in view.summary.text()  # as before: 2,500 x 0.01 more would be $3,210.45
    with ActualsStore(store_path_for(folder / "plan.yaml"), read_only=True) as store:
        assert [Path(f.path).name for f in store.files()] == list(FILES)
        assert store.con.execute("SELECT count(*) FROM groups WHERE file_id > 2").fetchone() == (0,)
        assert store.con.execute("SELECT count(*) FROM issues WHERE file_id > 2").fetchone() == (0,)
    assert not view.progress.isVisible() and view.import_button.isEnabled()


def test_reopening_the_plan_shows_its_actuals_without_importing(qtbot, actuals_window, folder, monkeypatch):
    w = actuals_window
    import_with_button(qtbot, w, folder, monkeypatch)
    w.document.new()
    settled(qtbot, w.actuals)
    assert w.actuals.model.figures is None and not w.headline.actuals.isVisible()
    assert w.open_path(folder / "plan.yaml", ask=False)
    settled(qtbot, w.actuals)
    assert "Imported <b>$710.45</b>" in w.actuals.summary.text()


def test_opening_another_plan_shows_none_of_the_first_ones_actuals(qtbot, actuals_window, folder, monkeypatch,
                                                                   example_dir):
    w = actuals_window
    import_with_button(qtbot, w, folder, monkeypatch)
    other = example_dir / "support-assistant.yaml"
    assert w.open_path(other, ask=False)
    assert w.actuals.model.figures is None  # at once, before any worker ran
    settled(qtbot, w.actuals)
    assert w.actuals.model.figures is None and w.actuals.stack.currentIndex() == 0
    assert not w.headline.actuals.isVisible()
    assert not Path(str(other) + ".actuals.duckdb").exists()  # an open is not a Save As: nothing is copied


def test_an_unsaved_plan_is_asked_to_be_saved_first(qtbot, actuals_window, monkeypatch):
    w = actuals_window
    w.document.new()
    called = []
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: called.append(1) or ([], "")))
    qtbot.mouseClick(w.actuals.import_button, Qt.MouseButton.LeftButton)
    assert not called
    assert w.actuals.message.text().startswith("Save the plan first")


def test_save_as_takes_the_actuals_along(qtbot, actuals_window, folder, monkeypatch):
    w = actuals_window
    import_with_button(qtbot, w, folder, monkeypatch)
    moved = folder / "elsewhere" / "copy.yaml"
    moved.parent.mkdir()
    w.document.save(moved)
    settled(qtbot, w.actuals)
    assert Path(str(moved) + ".actuals.duckdb").is_file()
    assert "Imported <b>$710.45</b>" in w.actuals.summary.text()


# -- the variance table ------------------------------------------------------------------------


def test_variance_table_sorts_by_size_and_by_any_column(qtbot, actuals_window, folder, monkeypatch):
    view = actuals_window.actuals
    import_with_button(qtbot, actuals_window, folder, monkeypatch)
    t = view.variance
    # |variance|: Summaries 105.00 (nothing of its Anthropic bill imported), Answer generation 10.50,
    # Unmapped 6.75, Raw images 48.30 - 46.00 = 2.30, Fine-tune 0.00
    assert column(t, "Line") == ["Summaries", "Answer generation", "Unmapped", "Raw images", "Fine-tune"]
    click_header(qtbot, t, "Variance")
    assert column(t, "Line") == ["Fine-tune", "Raw images", "Unmapped", "Answer generation", "Summaries"]
    click_header(qtbot, t, "Line")
    assert column(t, "Line") == ["Answer generation", "Fine-tune", "Raw images", "Summaries", "Unmapped"]
    click_header(qtbot, t, "Actual")
    # Summaries' bill is in the Anthropic export, not imported here: "no bills", not a zero bill (sorted as 0)
    assert column(t, "Actual") in (["no bills", "$6.75", "$48.30", "$105.00", "$550.40"],
                                   ["$550.40", "$105.00", "$48.30", "$6.75", "no bills"])


# -- rules: edit, undo, proposals, reorder -----------------------------------------------------


def test_editing_a_rule_moves_the_mapped_total_and_undo_restores_it(qtbot, actuals_window, folder, monkeypatch):
    w = actuals_window
    view = w.actuals
    import_with_button(qtbot, w, folder, monkeypatch)
    view.tabs.setCurrentWidget(view.rules)
    select_rule(qtbot, view, "model: claude-sonnet-4-5")
    qtbot.mouseClick(view.rules.edit_button, Qt.MouseButton.LeftButton)
    dialog = view.rules.dialog
    assert dialog is not None and dialog.isVisible()
    field = dialog.fields["model"]
    assert field.text() == "claude-sonnet-4-5"
    field.selectAll()
    qtbot.keyClicks(field, "gpt-4o-mini")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert w.document.plan.actuals.rules[1].match == (("model", ("gpt-4o-mini",)),)
    assert w.isWindowModified()
    settled(qtbot, view)
    # the gpt-4o-mini row (0.75) now goes to Summaries: mapped 703.70 + 0.75, unmapped 6.75 - 0.75
    assert "Imported <b>$710.45</b> = mapped $704.45 + unmapped $6.00" in view.summary.text()
    assert cell(view.variance, "Summaries", "Actual") == "$0.75"
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)  # shortcuts go to the active window
    press(qtbot, view.variance, QKeySequence.StandardKey.Undo)  # Edit > Undo
    assert w.document.plan.actuals.rules[1].match == (("model", ("claude-sonnet-4-5",)),)
    assert not w.isWindowModified()
    settled(qtbot, view)
    assert "mapped $703.70 + unmapped $6.75" in view.summary.text()
    press(qtbot, view.variance, QKeySequence.StandardKey.Redo)  # Edit > Redo
    settled(qtbot, view)
    assert "mapped $704.45 + unmapped $6.00" in view.summary.text()


def test_a_new_rule_from_the_form_maps_the_tax_row(qtbot, actuals_window, folder, monkeypatch):
    w = actuals_window
    view = w.actuals
    import_with_button(qtbot, w, folder, monkeypatch)
    view.tabs.setCurrentWidget(view.rules)
    qtbot.mouseClick(view.rules.add_button, Qt.MouseButton.LeftButton)
    dialog = view.rules.dialog
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # an empty form is refused, and says why
    assert dialog.isVisible() and "at least one thing" in dialog.error.text()
    qtbot.keyClicks(dialog.fields["service"], "Tax")
    dialog.line.setCurrentIndex(dialog.line.findData("Raw images"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    rule = w.document.plan.actuals.rules[-1]
    assert (rule.match, rule.line) == ((("service", ("Tax",)),), "Raw images")
    settled(qtbot, view)
    # the 4.96 tax row joins the storage rows: Raw images 48.30 + 4.96 = 53.26; mapped 703.70 + 4.96
    assert "mapped $708.66 + unmapped $1.79" in view.summary.text()
    assert cell(view.variance, "Raw images", "Actual") == "$53.26"


def test_a_proposal_is_added_to_the_plan_with_one_click(qtbot, actuals_window, folder, monkeypatch):
    w = actuals_window
    view = w.actuals
    import_with_button(qtbot, w, folder, monkeypatch)
    view.tabs.setCurrentWidget(view.rules)
    assert column(view.rules.table, "#") == ["1", "2", "", ""]  # the proposals' "#" holds their button
    buttons = view.rules.proposal_buttons()
    assert [b.text() for b in buttons] == ["Add", "Add"]
    proposed = column(view.rules.table, "Billing rows with")[2]
    assert proposed == "model: gpt-4o"
    qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
    assert [r.line for r in w.document.plan.actuals.rules] == ["compute.training[0]", "Summaries",
                                                               "Answer generation"]
    settled(qtbot, view)
    # kept in the plan, it maps what it mapped as a proposal: the totals do not move
    assert column(view.rules.table, "#") == ["1", "2", "3", ""]
    assert "mapped $703.70 + unmapped $6.75" in view.summary.text()
    w.document.undo_stack.undo()
    assert len(w.document.plan.actuals.rules) == 2


def test_rules_are_reordered_and_deleted_as_plan_edits(qtbot, actuals_window, folder, monkeypatch):
    w = actuals_window
    view = w.actuals
    import_with_button(qtbot, w, folder, monkeypatch)
    view.tabs.setCurrentWidget(view.rules)
    select_rule(qtbot, view, "model: claude-sonnet-4-5")
    assert view.rules.up_button.isEnabled() and not view.rules.down_button.isEnabled()
    qtbot.mouseClick(view.rules.up_button, Qt.MouseButton.LeftButton)
    assert [r.line for r in w.document.plan.actuals.rules] == ["Summaries", "compute.training[0]"]
    assert view.rules.selected_index() == 0  # the moved rule stays selected
    qtbot.mouseClick(view.rules.delete_button, Qt.MouseButton.LeftButton)
    assert [r.line for r in w.document.plan.actuals.rules] == ["compute.training[0]"]
    assert w.document.undo_stack.count() == 2
    w.document.undo_stack.undo()
    w.document.undo_stack.undo()
    assert [r.line for r in w.document.plan.actuals.rules] == ["compute.training[0]", "Summaries"]


def test_a_rule_whose_line_is_gone_is_said_not_silently_skipped(qtbot, actuals_window, folder, monkeypatch):
    import dataclasses
    w = actuals_window
    view = w.actuals
    import_with_button(qtbot, w, folder, monkeypatch)
    plan = w.document.plan
    apis = (plan.services.apis[0], dataclasses.replace(plan.services.apis[1], name="Digest"))
    w.document.apply(plan.with_section("services.apis", apis), "Rename")
    settled(qtbot, view)
    assert view.model.status is Status.FAILED
    assert "actuals.rules[1].line: no plan line 'Summaries'" in view.message.text()
    # the tab stays with its Rules showing, the rule at fault in red, so it can be mended there
    assert view.stack.currentIndex() == 1 and view.tabs.currentWidget() is view.rules
    assert view.variance.source.rowCount() == 0 and not w.headline.actuals.isVisible()
    model = view.rules.model
    assert model.rows[1].reason.startswith("no plan line 'Summaries'")
    assert model.index(1, 2).data(Qt.ItemDataRole.ToolTipRole).startswith("no plan line")
    select_rule(qtbot, view, "model: claude-sonnet-4-5")
    qtbot.mouseClick(view.rules.edit_button, Qt.MouseButton.LeftButton)
    dialog = view.rules.dialog
    assert dialog.line.currentText() == "Summaries (no such line in the plan)"
    dialog.line.setCurrentIndex(dialog.line.findData("Digest"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    settled(qtbot, view)
    assert view.model.status is Status.READY and "Imported <b>$710.45</b>" in view.summary.text()


def test_cost_column_and_method_are_plan_edits(qtbot, actuals_window, folder, monkeypatch):
    from pricing.actuals.config import CostColumn
    w = actuals_window
    view = w.actuals
    import_with_button(qtbot, w, folder, monkeypatch)
    view.cost.setCurrentIndex(1)
    view.cost.activated.emit(1)
    assert w.document.plan.actuals.cost is CostColumn.BILLED and w.isWindowModified()
    settled(qtbot, view)
    # billed: AI tokens 218.25 (the commitment's 100.00 and the 12.50 row now count) + infra 604.70
    assert "Imported <b>$822.95</b>" in view.summary.text()
    w.document.undo_stack.undo()
    assert view.cost.currentIndex() == 0
    settled(qtbot, view)
    assert "Imported <b>$710.45</b>" in view.summary.text()


# -- the suite's guard ---------------------------------------------------------------------------


def test_an_exception_in_a_slot_fails_the_test(pytester):
    """tests/gui/conftest.py: a test whose slot raised (Qt only prints it) fails, and says what was raised."""
    pytester.makeconftest((Path(__file__).parent / "conftest.py").read_text())
    pytester.makepyfile(test_slot="""
        from PySide6.QtCore import QTimer

        def test_raises_in_a_timer(qtbot):
            def boom():
                raise ZeroDivisionError("raised in a slot")
            QTimer.singleShot(0, boom)
            qtbot.wait(50)

        def test_hands_it_to_the_hook(qtbot):
            import sys
            try:
                raise KeyError("given to the hook")
            except KeyError:
                sys.excepthook(*sys.exc_info())
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    # each test body ran to its end, then the fixture's teardown failed it: reported as an error, exit 1
    result.assert_outcomes(passed=2, errors=2)
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*ZeroDivisionError: raised in a slot*"])
    result.stdout.fnmatch_lines(["*KeyError: 'given to the hook'*"])


def test_a_plan_that_cannot_be_priced_shows_no_stale_actuals(qtbot, actuals_window, folder, monkeypatch):
    import dataclasses
    w = actuals_window
    view = w.actuals
    import_with_button(qtbot, w, folder, monkeypatch)
    plan = w.document.plan
    broken = plan.with_section("services.apis", (dataclasses.replace(plan.services.apis[0], model="no-such-model"),
                                                 plan.services.apis[1]))
    w.document.apply(broken, "Break")
    assert w.document.projection is None
    assert view.model.figures is None and view.model.status is Status.FAILED
    assert not w.headline.actuals.isVisible()
    assert "can't be priced" in view.message.text()
    w.document.undo_stack.undo()
    settled(qtbot, view)
    assert "Imported <b>$710.45</b>" in view.summary.text() and w.headline.actuals.isVisible()


def test_closing_during_an_import_starts_nothing_after(qtbot, actuals_window, folder):
    view = actuals_window.actuals
    assert view.import_paths([str(folder / n) for n in FILES])
    assert view.model.shutdown(30)
    QApplication.processEvents()
    qtbot.wait(50)
    assert not view.model.running and not view.model._queue

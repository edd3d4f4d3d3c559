"""The main window driven like a user: edits show the engine's numbers, undo/redo, files, prompts, errors."""
import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFileDialog, QMessageBox

from pricing import engine, report, series
from pricing.load import load_checked


def engine_view(window):
    """What the engine says about the window's current plan."""
    proj = engine.project(window.document.plan, window.document.catalog)
    return proj, report.report_data(proj)


def assert_shows_engine_numbers(window):
    from PySide6.QtWidgets import QApplication
    QApplication.processEvents()  # the table and the savings panel follow the chart on the next pass
    proj, data = engine_view(window)
    h = window.headline.data
    assert (h.run_rate_now, h.run_rate_end, h.total) == (data["run_rate_now"], data["run_rate_end"], data["total"])
    window.charts.refresh_all()
    st = window.charts.monthly.stacked
    assert st.total == pytest.approx(proj.monthly)
    for layer in st.layers:
        assert layer.values == pytest.approx(proj.category_totals[layer.category])
        bar = window.charts.monthly.bars[layer.category]
        assert np.asarray(bar.opts["height"]) == pytest.approx(layer.values)
        assert np.asarray(bar.opts["y0"]) == pytest.approx(layer.bottom)
    x, y = window.charts.cumulative.baseline.getData()
    assert y == pytest.approx(np.cumsum(proj.monthly))
    assert [b.name for b in window.charts.drivers.drivers][:3] == [d["name"] for d in data["drivers"][:3]]
    assert window.table.model_.rowCount() == len(proj.line_items)


def form_field(window, key_path, field):
    window.tree.select(key_path)
    form = window.editor.current_form()
    assert form.key_path == key_path
    return form.inputs[field]


def test_opens_with_the_engines_numbers(window):
    assert window.windowTitle().startswith("support-assistant.yaml[*]")
    assert not window.isWindowModified()
    assert_shows_engine_numbers(window)


def test_typing_a_quantity_updates_headline_and_charts_and_undo_restores(qtbot, window, settle):
    from gui.widgets import quantity_text
    before = window.headline.data
    current = window.document.plan.services.apis[0].requests_per_month
    field = form_field(window, "services.apis[0]", "requests_per_month")
    field.selectAll()
    qtbot.keyClicks(field, quantity_text(current * 2))
    settle()
    assert window.document.plan.services.apis[0].requests_per_month == current * 2
    assert window.headline.data.total > before.total
    assert window.isWindowModified()
    assert_shows_engine_numbers(window)
    assert window.document.undo_stack.count() == 1  # one undo step for the whole typing
    window.document.undo_stack.undo()
    settle()
    assert window.headline.data.total == before.total
    assert field.text() == '1.2M ± 30%'  # the example's range, back with undo, shown as a range
    assert_shows_engine_numbers(window)
    assert not window.isWindowModified()
    window.document.undo_stack.redo()
    settle()
    assert field.text() == quantity_text(current * 2) and window.headline.data.total > before.total
    assert_shows_engine_numbers(window)


def test_typed_numbers_and_combo_edits(qtbot, window, settle):
    people = form_field(window, "compute.exploration[0]", "people")   # whole numbers are typed, read by the schema
    people.selectAll()
    qtbot.keyClicks(people, "5")
    assert window.document.plan.compute.exploration[0].people == 5
    assert_shows_engine_numbers(window)
    gpu = form_field(window, "compute.exploration[0]", "gpu")
    gpu.setCurrentIndex(gpu.findData("H100-80GB"))
    gpu.activated.emit(gpu.currentIndex())
    assert window.document.plan.compute.exploration[0].gpu == "H100-80GB"
    assert_shows_engine_numbers(window)
    idle = form_field(window, "compute.exploration[0]", "idle_share")   # shares are typed as 25% (or 0.25)
    idle.selectAll()
    qtbot.keyClicks(idle, "25%")
    assert window.document.plan.compute.exploration[0].idle_share == pytest.approx(0.25)


def test_invalid_text_is_marked_and_not_applied(qtbot, window, settle):
    current = window.document.plan.services.apis[1].requests_per_month
    field = form_field(window, "services.apis[1]", "requests_per_month")
    field.selectAll()
    qtbot.keyClicks(field, "lots")
    assert window.document.plan.services.apis[1].requests_per_month == current
    assert window.document.undo_stack.count() == 0
    assert "expected a number" in field.error
    row = window.editor.current_form().rows["requests_per_month"]
    assert row.message.isVisible() and "2M" in row.message.text()
    field.selectAll()
    qtbot.keyClicks(field, "7M")
    assert field.error is None and not row.message.isVisible()
    assert window.document.plan.services.apis[1].requests_per_month == 7e6


def test_plan_problem_is_marked_on_its_field(qtbot, window, settle, base_catalog):
    # a GPU whose spot price the catalog lacks at this provider: the engine can't price the line
    gpu_form = form_field(window, "compute.exploration[0]", "pricing")
    from pricing.plan import Pricing
    bad = None
    for provider in base_catalog.providers:
        for gpu in base_catalog.gpu_keys():
            import dataclasses
            line = dataclasses.replace(window.document.plan.compute.exploration[0], gpu=gpu, provider=provider,
                                       pricing=Pricing.SPOT)
            plan = window.document.plan.with_section("compute.exploration", (line,))
            from pricing import checks
            if checks.check(plan, base_catalog):
                bad = plan
                break
        if bad:
            break
    assert bad is not None
    window.document.apply(bad, "Unpriceable")
    settle()
    assert window.document.projection is None
    form = window.editor.current_form()
    marked = [k for k, w in form.inputs.items() if getattr(w, "error", None) or form.rows[k].message.isVisible()]
    assert marked or form.message.isVisible()
    assert window.headline.now.value.text() == "—"
    del gpu_form


def test_add_duplicate_remove_lines_are_undoable(qtbot, window, settle):
    doc = window.document
    n = len(doc.plan.compute.training)
    window.tree.select("compute.training")
    window.line_actions.add_action.trigger()
    assert len(doc.plan.compute.training) == n + 1
    assert window.tree.current_key() == f"compute.training[{n}]"
    assert window.editor.current_form().key_path == f"compute.training[{n}]"
    window.line_actions.duplicate_action.trigger()
    assert [t.name for t in doc.plan.compute.training][-2:] == ["Training run", "Training run copy"]
    window.line_actions.remove_action.trigger()
    assert len(doc.plan.compute.training) == n + 1
    assert_shows_engine_numbers(window)
    for _ in range(3):
        doc.undo_stack.undo()
    assert len(doc.plan.compute.training) == n and not doc.is_modified
    assert_shows_engine_numbers(window)


def test_every_section_form_edits_its_line(qtbot, window, settle):
    doc = window.document
    from gui.editors.actions import ADDABLE
    for section in ADDABLE:
        window.line_actions.add(section)
        key = window.tree.current_key()
        form = window.editor.current_form()
        assert form.key_path == key and key.startswith(section)
        name = form.inputs["name"]
        name.selectAll()
        qtbot.keyClicks(name, "Edited")
        assert doc.plan.section(section)[-1].name == "Edited"
        assert window.tree.currentItem().text(0) == "Edited"
        assert doc.projection is not None, doc.problems
    assert_shows_engine_numbers(window)


def test_selecting_a_table_row_opens_its_editor(qtbot, window):
    table = window.table
    row = next(r for r in range(table.proxy.rowCount())
               if table.proxy.index(r, 0).data(Qt.ItemDataRole.UserRole) == "people[0]")
    table.clicked.emit(table.proxy.index(row, 0))
    assert window.tree.current_key() == "people[0]"
    assert window.editor.current_form().title.text() == "On-call and prompt ops"


def test_overridden_price_is_marked(qtbot, window, settle):
    doc = window.document
    import dataclasses
    doc.apply(dataclasses.replace(doc.plan, prices=(("gpu.A10G.aws.on_demand", 1.5),)), "Override")
    window.tree.select("compute.exploration[0]")
    form = window.editor.current_form()
    settle()
    assert form.marker.isVisible() and "overridden" in form.marker.text()
    assert "gpu.A10G.aws.on_demand" in form.marker.text()
    row = next(r for r in window.table.model_.rows if r.key_path == "compute.exploration[0]")
    assert row.overridden
    assert window.table.model_.data(window.table.model_.index(0, 0)).startswith("★")


def test_save_close_reopen_gives_the_same_plan(qtbot, window, tmp_path, monkeypatch, base_catalog):
    field = form_field(window, "people[0]", "hourly_rate")
    field.selectAll()
    qtbot.keyClicks(field, "120")
    target = tmp_path / "out" / "mine.yaml"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    assert window.save_as()
    assert not window.isWindowModified() and window.document.path == target
    saved = window.document.plan
    window.close()
    from gui.document import PlanDocument
    doc = PlanDocument(base_catalog)
    doc.open(target)
    assert doc.plan == saved and doc.plan.people[0].hourly_rate == 120
    # the prompt sample still loads from its new relative place
    assert doc.plan.services.apis[0].sample_input.tokens == saved.services.apis[0].sample_input.tokens


@pytest.mark.parametrize("answer, closes, saved", [
    (QMessageBox.StandardButton.Cancel, False, False),
    (QMessageBox.StandardButton.Discard, True, False),
    (QMessageBox.StandardButton.Save, True, True),
])
def test_unsaved_changes_prompt_on_close(qtbot, window, monkeypatch, answer, closes, saved):
    asked = []

    def warning(parent, title, text, buttons, default):
        asked.append(text)
        return answer
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(warning))
    path = window.document.path
    form_field(window, "people[0]", "hours_per_month").setText("61")
    form_field(window, "people[0]", "hours_per_month").textEdited.emit("61")
    assert window.isWindowModified()
    assert window.close() is closes
    assert asked and "unsaved changes" in asked[0]
    assert (load_checked(path).people[0].hours_per_month == 61) is saved


def test_unsaved_prompt_on_new_and_open(qtbot, window, monkeypatch, example_dir):
    answers = [QMessageBox.StandardButton.Cancel]
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: answers.pop(0)))
    window.document.apply(window.document.plan.with_section("people", ()), "Drop people")
    window.new_plan()
    assert window.document.plan.name == "Support assistant"  # cancelled
    answers.append(QMessageBox.StandardButton.Discard)
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(example_dir / "vision-inhouse.yaml"), "")))
    window.open_plan()
    assert window.document.plan.name == "Defect detection (vision)" and not window.isWindowModified()
    assert window.windowTitle().startswith("vision-inhouse.yaml")
    assert_shows_engine_numbers(window)


def test_broken_file_shows_its_problems_and_keeps_the_plan(qtbot, window, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: aicost-plan/1\nname: Broken\nmonths: 12\ncompute:\n  training:\n"
                      "    - {name: T, gpu: H100-80GB, gpus: many, hours: 10}\n", encoding="utf-8")
    before = window.document.plan
    assert not window.open_path(broken, ask=False)
    dialog = window.presenter.last_dialog
    assert dialog is not None and dialog.isVisible()
    p = dialog.problems[0]
    assert (p.file, p.line, p.key_path) == (str(broken), 6, "compute.training[0].gpus")
    assert "expected a whole number" in p.message or "expected" in p.message
    assert dialog.table.topLevelItem(0).text(0) == f"{broken}:6"
    assert "Traceback" not in dialog.text()
    assert window.document.plan is before and window.document.path != broken
    dialog.close()


def test_recent_files_and_drop(qtbot, window, example_dir):
    vision = example_dir / "vision-inhouse.yaml"
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(vision))])
    event = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    assert window.document.path == vision
    assert window.settings.recent_files()[0] == vision.resolve()
    window._fill_recent()
    texts = [a.text() for a in window.recent_menu.actions()]
    assert texts[0].endswith("vision-inhouse.yaml")


def test_hover_tells_month_category_amount(window):
    chart = window.charts.monthly
    st = chart.stacked
    top_layer = st.layers[-1]
    y = float((top_layer.bottom[3] + top_layer.top[3]) / 2)
    text = chart.hover_at(3, y)
    assert st.months[3] in text and top_layer.category.value in text
    assert chart.fmt.auto(float(top_layer.values[3])) in text
    assert chart.hover_at(3, float(st.total.max()) * 5) == ""


def test_budget_line_and_first_month_over(qtbot, window):
    import dataclasses
    doc = window.document
    doc.apply(dataclasses.replace(doc.plan, monthly_budget=10_000.0), "Budget")
    chart = window.charts.monthly
    proj = doc.projection
    first = proj.first_month_over_budget()
    assert first is not None
    assert chart.budget.isVisible() and chart.budget.value() == 10_000
    xs, ys = chart.over.getData()
    assert list(xs) == [first]
    assert series.month_label(proj.months[first]) in chart.over_label.textItem.toPlainText()
    assert window.headline.data.first_over_budget == series.month_label(proj.months[first])
    doc.apply(dataclasses.replace(doc.plan, monthly_budget=None), "No budget")
    assert not chart.budget.isVisible() and len(chart.over.getData()[0]) == 0


def test_tools_actions_open_the_colleagues_dialogs(qtbot, window):
    for action, module in ((window.token_action, "gui.token_dialog"), (window.catalog_action, "gui.catalog_browser")):
        import importlib.util
        assert action.isEnabled() == (importlib.util.find_spec(module) is not None)
    if window.catalog_action.isEnabled():
        window.catalog_action.trigger()
        dialog = window._tool_CatalogBrowser
        assert dialog.isVisible()
        dialog.close()


def test_shortcuts_are_the_standard_ones(window):
    from PySide6.QtGui import QKeySequence
    shortcuts = {a.text().replace("&", ""): a.shortcut() for m in window.menuBar().actions()
                 for a in m.menu().actions()}
    assert shortcuts["Save"] == QKeySequence(QKeySequence.StandardKey.Save)
    assert shortcuts["Open…"] == QKeySequence(QKeySequence.StandardKey.Open)
    assert any(k.startswith("Undo") for k in shortcuts)


def test_window_state_is_remembered(qtbot, plan_document):
    from gui.errors import ErrorPresenter
    from gui.main_window import MainWindow
    from gui.settings import Settings
    w = MainWindow(plan_document, Settings(), ErrorPresenter())
    qtbot.addWidget(w)
    w.show()
    w.resize(640, 480)  # the offscreen screen is 800x600: restoreGeometry keeps windows on it
    w.savings_dock.hide()
    w.settings.save_window(w)
    w2 = MainWindow(plan_document, Settings(), ErrorPresenter())
    qtbot.addWidget(w2)
    w2.show()
    assert w2.size().width() == 640 and w2.savings_dock.isHidden() and not w2.plan_dock.isHidden()


def test_export_and_compare_actions_are_wired(qtbot, window, monkeypatch, tmp_path):
    actions = {a.text().replace("&", ""): a for m in window.menuBar().actions() for a in m.menu().actions()}
    for name in ("Export PDF…", "Export CSV…", "Compare plans…"):
        assert name in actions
    if actions["Export CSV…"].isEnabled():
        import gui.export_actions as ea
        target = tmp_path / "costs.csv"
        monkeypatch.setattr(ea, "ask_csv_path", lambda *a, **k: target)
        actions["Export CSV…"].trigger()
        qtbot.waitUntil(lambda: any(tmp_path.iterdir()), timeout=10_000)
    if actions["Compare plans…"].isEnabled():
        actions["Compare plans…"].trigger()
        from gui.compare_window import CompareWindow
        shown = [w for w in window.findChildren(CompareWindow)]
        assert shown and shown[0].isVisible()
        shown[0].close()

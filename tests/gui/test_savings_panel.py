"""Savings panel: strategies on/off and their parameters change the savings the engine computes; scenarios
are created, renamed and deleted as undoable plan edits."""
import pytest

from gui.widgets import MoneyFormat
from pricing import scenarios


def expected(doc, name):
    result = scenarios.evaluate(doc.plan, doc.plan.scenario(name), doc.catalog)
    return scenarios.summary_data(result)


def test_shows_the_selected_scenarios_saving_and_attribution(window, settle):
    settle()
    panel, doc = window.savings, window.document
    data = expected(doc, "Frugal")
    assert panel.data["saving_total"] == data["saving_total"]
    assert [a["strategy"] for a in panel.data["attribution"]] == [a["strategy"] for a in data["attribution"]]
    fmt = MoneyFormat(doc.plan.currency)
    for a in data["attribution"]:
        assert panel.rows[a["strategy"]].saving.text() == f"saves {fmt.auto(a['total'])}"
    assert sum(a["total"] for a in panel.data["attribution"]) == pytest.approx(data["saving_total"], abs=0.005)
    assert window.headline.data.scenario_saving_total == data["saving_total"]
    # the scenario's strategies are checked and listed first
    on = [s.name for s in doc.plan.scenario("Frugal").strategies]
    assert sorted(n for n, r in panel.rows.items() if r.check.isChecked()) == sorted(on)
    layout = panel.rows_layout
    assert [layout.itemAt(i).widget().info.name for i in range(len(on))] == [n for n in scenarios.STRATEGIES if n in on]


def test_a_strategy_toggle_changes_the_savings_and_undo_restores(qtbot, window, settle):
    settle()
    panel, doc = window.savings, window.document
    before = panel.data["saving_total"]
    frugal = doc.plan.scenario("Frugal")
    first = frugal.strategies[0].name
    panel.rows[first].check.setChecked(False)
    settle()
    assert first not in [s.name for s in doc.plan.scenario("Frugal").strategies]
    data = expected(doc, "Frugal")
    assert panel.data["saving_total"] == data["saving_total"] != before
    assert window.headline.data.scenario_saving_total == data["saving_total"]
    assert doc.undo_stack.undoText().startswith("Turn off")
    doc.undo_stack.undo()
    settle()
    assert doc.plan.scenario("Frugal") == frugal
    assert panel.data["saving_total"] == before
    assert panel.rows[first].check.isChecked()


def test_turning_on_a_strategy_with_required_parameters(qtbot, window, settle):
    settle()
    panel, doc = window.savings, window.document
    before = panel.data["saving_total"]
    row = panel.rows["auto_shutdown"]  # idle_cut is required; the plan has a notebook pool with idle time
    row.check.setChecked(True)
    settle()
    spec = next(s for s in doc.plan.scenario("Frugal").strategies if s.name == "auto_shutdown")
    assert spec.param("idle_cut") is not None
    assert row.params.isVisible()
    assert panel.data["saving_total"] > before
    assert panel.data["saving_total"] == expected(doc, "Frugal")["saving_total"]
    # its parameter: typing a new share is one merged, undoable edit
    cut = row.inputs["idle_cut"]
    cut.selectAll()
    qtbot.keyClicks(cut, "50%")
    settle()
    spec = next(s for s in doc.plan.scenario("Frugal").strategies if s.name == "auto_shutdown")
    assert spec.param("idle_cut") == "50%"
    assert panel.data["saving_total"] == expected(doc, "Frugal")["saving_total"]
    assert doc.undo_stack.undoText().startswith("Change idle cut")


def test_a_bad_parameter_is_marked_on_its_field(qtbot, window, settle):
    settle()
    panel = window.savings
    field = panel.rows["model_switch"].inputs["model"]
    field.setText("no-such-model-xyz")
    field.editingFinished.emit()
    settle()
    assert window.document.scenario_error is not None
    marked = field.error or panel.rows["model_switch"].message.isVisible()
    assert marked
    assert "can't be evaluated" in panel.summary.text()


def test_create_rename_delete_scenarios(qtbot, window, settle):
    settle()
    panel, doc = window.savings, window.document
    n = len(doc.plan.scenarios)
    panel.new_button.click()
    settle()
    assert len(doc.plan.scenarios) == n + 1 and doc.selected_scenario == f"Scenario {n + 1}"
    assert panel.picker.currentText() == f"Scenario {n + 1}"
    panel.name.selectAll()
    qtbot.keyClicks(panel.name, "Lean")
    settle()
    assert doc.plan.scenarios[-1].name == "Lean" and doc.selected_scenario == "Lean"
    panel.rows["api_cache"].check.setChecked(True)
    settle()
    assert panel.data["saving_total"] == expected(doc, "Lean")["saving_total"] > 0
    # a duplicate name is refused
    panel.name.selectAll()
    qtbot.keyClicks(panel.name, "Frugal")
    assert panel.name.error and doc.plan.scenarios[-1].name != "Frugal"
    panel.delete_button.click()
    settle()
    assert [s.name for s in doc.plan.scenarios] == [s.name for s in doc.plan.scenarios[:n]]
    assert doc.selected_scenario in {s.name for s in doc.plan.scenarios}
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert len(doc.plan.scenarios) == n and not doc.is_modified


def test_picking_another_scenario_updates_headline_and_chart(qtbot, window, settle):
    settle()
    panel, doc = window.savings, window.document
    other = doc.plan.scenarios[1].name
    panel.picker.setCurrentIndex(panel.picker.findData(other))
    panel.picker.activated.emit(panel.picker.currentIndex())
    settle()
    assert doc.selected_scenario == other
    data = expected(doc, other)
    assert window.headline.data.scenario == other
    assert window.headline.data.scenario_saving_total == data["saving_total"]
    window.charts.setCurrentWidget(window.charts.scenarios)
    settle()
    comp = window.charts.scenarios.comparison
    assert comp is not None
    assert comp.scenario.sum() == pytest.approx(doc.scenario_result.projection.monthly.sum())

"""Issue 17 item 8: opening another plan never leaves the previous plan's scenario in the Savings panel."""
from PySide6.QtCore import Qt

NO_SCENARIOS = """\
format: aicost-plan/1
name: Plain
start: 2027-01
months: 3
people:
  - {name: Toil, hours_per_month: 10, hourly_rate: 100}
"""


def picker_items(panel):
    return [panel.picker.itemText(i) for i in range(panel.picker.count())]


def test_a_plan_without_scenarios_shows_none(qtbot, window, settle, tmp_path, example_dir):
    settle()
    panel = window.savings
    assert panel.picker.currentText() == "Frugal"                       # the example's scenario
    plain = tmp_path / "plain.yaml"
    plain.write_text(NO_SCENARIOS)
    assert window.open_path(plain, ask=False)                          # what File > Open does with the chosen file
    settle()
    assert window.document.selected_scenario is None
    assert picker_items(panel) == [] and panel.picker.currentText() == ""   # not "Frugal (not in catalog)"
    assert panel.picker.placeholderText() == "none yet: New creates one"
    assert not panel.name.isEnabled() and not panel.delete_button.isEnabled()
    assert not any(r.check.isChecked() for r in panel.rows.values())
    assert "Frugal" not in panel.summary.text() and panel.data is None
    assert window.headline.saving.detail.text() == "no scenario"
    # New (a click) makes one of this plan's, the only one listed
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    settle()
    assert picker_items(panel) == ["Scenario 1"] and panel.picker.currentText() == "Scenario 1"
    # and back to the example: its own scenario, nothing of the plain plan's
    window.document.undo_stack.setClean()
    assert window.open_path(example_dir / "support-assistant.yaml", ask=False)
    settle()
    assert picker_items(panel) == ["Frugal", "Self-host answers"] and panel.picker.currentText() == "Frugal"


def test_a_plan_with_other_scenarios_lists_only_its_own(qtbot, window, settle, tmp_path):
    settle()
    other = tmp_path / "other.yaml"
    other.write_text(NO_SCENARIOS + "scenarios:\n  - name: Lean\n")
    assert window.open_path(other, ask=False)
    settle()
    panel = window.savings
    assert picker_items(panel) == ["Lean"] and panel.picker.currentText() == "Lean"
    assert window.document.selected_scenario == "Lean"

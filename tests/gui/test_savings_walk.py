"""Every strategy of the registry and every one of its parameters, driven with real clicks and keystrokes, from
every state (a new scenario, the strategy on and off, a plan with no lines, applies_to emptied): nothing may
reach the excepthook (the autouse fixture fails the test), and the panel and the headline always agree with the
engine."""
import re

import pytest
from PySide6.QtCore import QPoint, Qt

from gui.strategy_row import _Flag, _stored
from gui.widgets import ChoiceCombo, ModelPicker, QuantityEdit, SectionChecks, TextEdit
from pricing import scenarios as S
from pricing.fields import Kind

_EXAMPLE = re.compile(r"such as (\[[^\]]*\]|[^\s,;)]+)")


def click_box(qtbot, box):
    """Click a check box on its indicator (a wide box's centre may be past its label)."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def retype(qtbot, edit, text):
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    if text:
        qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def typed_value(p, doc):
    """Something the user would type into parameter ``p``."""
    if p.kind is Kind.NAMES:
        names = [line.name for _, _, line in doc.plan.lines()]
        return names[0] if names else "No such line"
    if p.kind is Kind.RULES:
        return "30 d: infrequent"
    m = _EXAMPLE.search(p.example)
    if p.numeric:
        return m.group(1) if m else "2"
    return m.group(1) if m else "x"


def check_agreement(window, doc, panel):
    """The panel shows what the engine computes for the selected scenario; the headline shows the same."""
    scenario = panel.scenario()
    if scenario is None or doc.projection is None:
        return
    try:
        result = S.evaluate(doc.plan, scenario, doc.catalog)
    except Exception as exc:  # noqa: BLE001 - the panel must then say it can't be evaluated
        assert panel.data is None, f"panel shows a saving the engine refuses: {exc}"
        return
    data = S.summary_data(result)
    if scenario.strategies:
        assert panel.data is not None
        assert panel.data["saving_total"] == data["saving_total"]
        assert window.headline.data.scenario_saving_total == data["saving_total"]


def walk_param(qtbot, settle, window, row, p, w):
    doc, panel = window.document, window.savings
    if isinstance(w, SectionChecks):
        boxes = list(w._boxes.values())
        for box in boxes:  # each one toggled, then back
            click_box(qtbot, box)
            settle()
            click_box(qtbot, box)
            settle()
        for box in boxes:  # applies_to emptied: refused on the field, never a crash
            if box.isChecked():
                click_box(qtbot, box)
                settle()
        if not any(b.isChecked() for b in boxes):
            assert w.property("invalid") or row.message.isVisible() or doc.scenario_error is not None
        click_box(qtbot, boxes[0])
        settle()
    elif isinstance(w, _Flag):
        click_box(qtbot, w)
        settle()
        click_box(qtbot, w)
        settle()
    elif isinstance(w, ChoiceCombo):
        w.setFocus()
        for _ in range(min(w.count(), 4)):
            qtbot.keyClick(w, Qt.Key.Key_Down)
            settle()
        qtbot.keyClick(w, Qt.Key.Key_Home)
        settle()
    elif isinstance(w, ModelPicker):
        retype(qtbot, w, "gpt-4o-mini")
        settle()
    elif isinstance(w, (QuantityEdit, TextEdit)):
        text = typed_value(p, doc)
        retype(qtbot, w, text)
        settle()
        if p.numeric:  # what was typed is what the scenario holds (focus stayed, nothing ate a keystroke)
            spec = next(s for s in panel.scenario().strategies if s.name == row.info.name)
            assert spec.param(p.key) == _stored(p, p.read(text)), (p.key, text)
        check_agreement(window, doc, panel)
        if not p.required and isinstance(w, QuantityEdit):
            retype(qtbot, w, "")  # emptied: the default applies
            settle()
        qtbot.keyClicks(w, "abc")  # half-typed junk is refused, the plan keeps its value
        settle()
        retype(qtbot, w, typed_value(p, doc))
        settle()
    else:
        pytest.fail(f"no walk for {type(w).__name__} ({p.key})")
    check_agreement(window, doc, panel)


def walk_all(qtbot, settle, window):
    panel, doc = window.savings, window.document
    click_box_button = panel.new_button
    qtbot.mouseClick(click_box_button, Qt.MouseButton.LeftButton)
    settle()
    assert panel.scenario() is not None and not panel.scenario().strategies
    for name, info in S.STRATEGIES.items():
        row = panel.rows[name]
        panel.parent().ensureWidgetVisible(row) if hasattr(panel.parent(), "ensureWidgetVisible") else None
        click_box(qtbot, row.check)  # on
        settle()
        assert name in [s.name for s in panel.scenario().strategies], name
        assert row.params.isVisible() == bool(info.params)
        check_agreement(window, doc, panel)
        for p in info.params:
            walk_param(qtbot, settle, window, row, p, row.inputs[p.key])
        click_box(qtbot, row.check)  # off
        settle()
        assert name not in [s.name for s in panel.scenario().strategies]
        click_box(qtbot, row.check)  # on again, from a scenario that had it
        settle()
        check_agreement(window, doc, panel)
        click_box(qtbot, row.check)
        settle()
    assert set(S.STRATEGIES) == set(panel.rows)


def test_every_strategy_and_parameter_on_an_example(qtbot, window, settle):
    settle()
    walk_all(qtbot, settle, window)


def test_every_strategy_and_parameter_on_a_plan_built_from_empty(qtbot, window, settle):
    window.document.new()  # File > New: no lines at all
    settle()
    assert not list(window.document.plan.lines())
    walk_all(qtbot, settle, window)


def test_spot_and_reserved_from_a_new_scenario(qtbot, window, settle):
    """The reported crash: Savings -> New -> tick Spot capacity / Reserved capacity, then type in its fields."""
    settle()
    panel, doc = window.savings, window.document
    for name in ("spot", "reserved"):
        qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
        settle()
        row = panel.rows[name]
        click_box(qtbot, row.check)
        settle()
        applies = row.inputs["applies_to"]
        # the boxes show the default scope (nothing written yet)
        default = S.STRATEGIES[name].params[0].default
        assert applies.value() == tuple(c for c in [c.text for c in S.STRATEGIES[name].params[0].choices]
                                        if c in default)
        check_agreement(window, doc, panel)

"""Typing in the editor as a user does (real key events): units and arithmetic, half-typed text that never reaches
the plan, unusual values that wait for Enter, one undo step per edit, Ctrl+Z where the cursor is, and ranges
(typed, shown, and through the low/likely/high popup) on the example and on a plan built from empty."""
import pytest
from PySide6.QtCore import QPoint, Qt

from pricing.plan import Range

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def field(window, key_path, key):
    window.tree.select(key_path)
    form = window.editor.current_form()
    assert form.key_path == key_path
    return form.inputs[key]


def retype(qtbot, edit, text):
    """Select all the field shows and type ``text`` over it, key by key (focus stays in the field)."""
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(edit, text)


def watch(document, read):
    """Every value ``read(plan)`` takes, change by change."""
    seen = []
    document.plan_changed.connect(lambda: seen.append(read(document.plan)))
    return seen


def storage(plan):
    return plan.data.storage[0].size_tb


def test_a_data_size_typed_with_its_unit_and_never_the_half_typed_one(qtbot, window, settle):
    doc = window.document
    size = field(window, "data.storage[0]", "size_tb")
    assert storage(doc.plan) == 2
    steps = doc.undo_stack.count()
    seen = watch(doc, storage)
    retype(qtbot, size, "100 GB")
    settle()
    # "1", "10", "100" are values (TB); "100 " is still 100; "100 G" is refused (G would be a billion TB); "100 GB"
    # is 100 x 10^9 bytes / 10^12 bytes per TB = 0.1 TB
    assert storage(doc.plan) == pytest.approx(0.1)
    assert max(seen) <= 100 and 1e11 not in seen
    assert doc.undo_stack.count() == steps + 1                      # the whole typing: one undo step
    # Ctrl+Z with the cursor still in the field undoes the plan's edit (not the field's text)
    assert size.hasFocus()
    qtbot.keyClick(size, Qt.Key.Key_Z, CTRL)
    settle()
    assert storage(doc.plan) == 2 and size.text() == "2"
    assert window.headline.data.total == pytest.approx(doc.projection.total)
    qtbot.keyClick(size, Qt.Key.Key_Z, CTRL | SHIFT)                # redo
    settle()
    assert storage(doc.plan) == pytest.approx(0.1)
    qtbot.keyClick(size, Qt.Key.Key_Z, CTRL)
    settle()
    qtbot.keyClick(size, Qt.Key.Key_Y, CTRL)                        # redo, the other way
    settle()
    assert storage(doc.plan) == pytest.approx(0.1)


def test_refused_text_never_reaches_the_plan_nor_the_headline(qtbot, window, settle):
    doc = window.document
    size = field(window, "data.storage[0]", "size_tb")
    total = window.headline.data.total
    steps = doc.undo_stack.count()
    retype(qtbot, size, "abc")                                  # no prefix of it is a value
    settle()
    assert size.error and storage(doc.plan) == 2 and window.headline.data.total == pytest.approx(total)
    assert doc.undo_stack.count() == steps
    retype(qtbot, size, "100 h")
    settle()
    assert storage(doc.plan) == 100                             # the last text that was a value ("100"), not "100 h"
    assert size.error == "found '100 h': h does not convert to TB; type a value in TB"
    assert window.editor.current_form().rows["size_tb"].message.text() == size.error
    qtbot.keyClick(size, Qt.Key.Key_Z, CTRL)                    # with refused text, Ctrl+Z drops it first...
    settle()
    assert size.error is None and not size.pending and size.text() == "100"
    qtbot.keyClick(size, Qt.Key.Key_Z, CTRL)                    # ...then undoes the plan's edit
    settle()
    assert storage(doc.plan) == 2 and size.text() == "2"


def test_arithmetic_and_money_with_its_sign(qtbot, window, settle):
    doc = window.document
    hours = field(window, "people[0]", "hours_per_month")
    retype(qtbot, hours, "2*0.3*160")                           # 2 x 0.3 = 0.6; 0.6 x 160 = 96 hours
    qtbot.keyClick(hours, Qt.Key.Key_Return)
    settle()
    assert doc.plan.people[0].hours_per_month == pytest.approx(96.0)
    assert hours.text() == "96"
    rate = field(window, "people[0]", "hourly_rate")
    retype(qtbot, rate, "$2.5/h")                               # below the typical $10-400/h: waits for Enter
    settle()
    assert rate.warning and doc.plan.people[0].hourly_rate == 95
    qtbot.keyClick(rate, Qt.Key.Key_Return)
    settle()
    assert doc.plan.people[0].hourly_rate == 2.5
    retype(qtbot, rate, "30 EUR/h")                             # the plan is in USD: no silent exchange
    settle()
    assert "this plan is in USD" in rate.error and doc.plan.people[0].hourly_rate == 30  # "30", not "30 EUR/h"


def test_an_unusual_value_waits_for_enter_and_esc_goes_back(qtbot, window, settle):
    doc = window.document
    hours = field(window, "people[0]", "hours_per_month")
    spec = window.editor.current_form().fields
    spec = next(f.spec for f in spec if f.key == "hours_per_month")
    assert spec.unusual(9000) is not None and spec.unusual(900) is None  # typically 1 to 2,000 hours
    retype(qtbot, hours, "9000")
    settle()
    total = doc.projection.total
    # "9", "90" and "900" are plausible and applied as typed; "9000" waits (the headline shows the plan with 900)
    assert doc.plan.people[0].hours_per_month == 900 and window.headline.data.total == pytest.approx(total)
    assert hours.warning and "Press Enter to use it" in hours.warning
    row = window.editor.current_form().rows["hours_per_month"]
    assert row.message.isVisible() and row.message.text() == hours.warning
    qtbot.keyClick(hours, Qt.Key.Key_Escape)
    settle()
    assert hours.text() == "900" and not hours.warning and not row.message.isVisible()
    retype(qtbot, hours, "9000")
    qtbot.keyClick(hours, Qt.Key.Key_Return)
    settle()
    assert doc.plan.people[0].hours_per_month == 9000 and not hours.warning
    assert window.headline.data.total > total


def test_each_edit_of_a_field_is_its_own_undo_step(qtbot, window, settle):
    doc = window.document
    hours = field(window, "people[0]", "hours_per_month")
    steps = doc.undo_stack.count()
    retype(qtbot, hours, "50")
    qtbot.keyClick(hours, Qt.Key.Key_Return)                    # Enter ends the edit
    retype(qtbot, hours, "60")
    settle()
    assert doc.undo_stack.count() == steps + 2
    qtbot.keyClick(hours, Qt.Key.Key_Z, CTRL)
    settle()
    assert doc.plan.people[0].hours_per_month == 50
    qtbot.keyClick(hours, Qt.Key.Key_Z, CTRL)
    settle()
    assert doc.plan.people[0].hours_per_month == 40


def test_ranged_fields_show_their_range_and_take_every_form(qtbot, window, settle):
    doc = window.document
    requests = field(window, "services.apis[0]", "requests_per_month")
    assert requests.text() == "1.2M ± 30%"                      # the example's range, not only 1.2M
    retype(qtbot, requests, "500k +/- 30%")
    qtbot.keyClick(requests, Qt.Key.Key_Return)
    settle()
    line = doc.plan.services.apis[0]
    # 500k x (1 - 0.3) = 350k; 500k x 1.3 = 650k
    assert line.requests_per_month == 500_000
    assert dict(line.ranges)["requests_per_month"] == Range(350_000, 500_000, 650_000, 0.3)
    assert requests.text() == "500k ± 30%"
    retype(qtbot, requests, "1M..2M")
    qtbot.keyClick(requests, Qt.Key.Key_Return)
    settle()
    line = doc.plan.services.apis[0]
    assert line.requests_per_month == 1_500_000                 # halfway
    assert dict(line.ranges)["requests_per_month"] == Range(1e6, 1.5e6, 2e6)
    retype(qtbot, requests, "800k")                             # a plain number: no range any more
    qtbot.keyClick(requests, Qt.Key.Key_Return)
    settle()
    assert "requests_per_month" not in dict(doc.plan.services.apis[0].ranges)


def test_the_range_popup(qtbot, window, settle):
    doc = window.document
    size = field(window, "data.storage[0]", "size_tb")
    qtbot.mouseClick(size.button, Qt.MouseButton.LeftButton)
    popup = size.popup
    qtbot.waitExposed(popup)
    low, likely, high = popup.fields
    assert (low.text(), likely.text(), high.text()) == ("2", "2", "2")
    retype(qtbot, low, "1.5")
    retype(qtbot, high, "4 TB")
    qtbot.mouseClick(popup.apply_button, Qt.MouseButton.LeftButton)
    settle()
    line = doc.plan.data.storage[0]
    assert line.size_tb == 2 and dict(line.ranges)["size_tb"] == Range(1.5, 2, 4)
    assert size.text() == "1.5..2..4"
    # low above likely is refused in the popup, saying why
    qtbot.mouseClick(size.button, Qt.MouseButton.LeftButton)
    popup = size.popup
    retype(qtbot, popup.fields[0], "3")
    assert not popup.apply_button.isEnabled() and "low ≤ likely ≤ high" in popup.message.text()
    qtbot.mouseClick(popup.clear_button, Qt.MouseButton.LeftButton)
    settle()
    assert "size_tb" not in dict(doc.plan.data.storage[0].ranges)


def test_a_plan_built_in_the_window_gets_its_band(qtbot, window, settle):
    doc = window.document
    doc.new()                                                   # File > New
    settle()
    window.tree.select("services.apis")
    window.line_actions.add("services.apis")
    settle()
    assert not window.uncertainty.has_ranges
    requests = field(window, "services.apis[0]", "requests_per_month")
    retype(qtbot, requests, "1M..2M")
    qtbot.keyClick(requests, Qt.Key.Key_Return)
    settle()
    assert window.uncertainty.has_ranges
    qtbot.waitUntil(lambda: window.uncertainty.band is not None, timeout=30_000)
    band = window.uncertainty.band
    # an API line's cost is proportional to its requests: the P10-P90 band lies inside what 1M and 2M cost
    line = doc.projection.total
    assert 0.5 * line < band.total_p10 < line < band.total_p90 < 2 * line / 1.5 * 1.0001
    assert window.headline.data.total == pytest.approx(line)


def test_mouse_focus_then_ctrl_z(qtbot, window, settle):
    """A click into the field, typing, Ctrl+Z: the plan goes back, the field shows the old value."""
    doc = window.document
    items = field(window, "annotation[0]", "items")
    qtbot.mouseClick(items, Qt.MouseButton.LeftButton, pos=QPoint(5, items.height() // 2))
    qtbot.keyClick(items, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(items, "8k")
    settle()
    assert doc.plan.annotation[0].items == 8000
    qtbot.keyClick(items, Qt.Key.Key_Z, CTRL)
    settle()
    assert doc.plan.annotation[0].items == 5000 and items.text() == "5000"

"""The headline's run-rates leave one-off runs apart (typed with real keys into the editor), and a scenario's
saving reads the same share in the headline and in the Savings panel."""
import re

import pytest
from PySide6.QtCore import Qt

from tests.gui.test_typing import field, retype
from tests.pricing.test_series import RUN_RATE_PLAN


@pytest.fixture
def one_offs(qtbot, tmp_path, base_catalog, monkeypatch):
    """The main window on tests.pricing.test_series.RUN_RATE_PLAN (prices pinned: every figure by hand)."""
    from PySide6.QtWidgets import QMessageBox
    from gui.document import PlanDocument
    from gui.errors import ErrorPresenter
    from gui.main_window import MainWindow
    from gui.settings import Settings
    path = tmp_path / "one-offs.yaml"
    path.write_text(RUN_RATE_PLAN)
    doc = PlanDocument(base_catalog)
    doc.open(path)
    w = MainWindow(doc, Settings(), ErrorPresenter())
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.document.undo_stack.setClean()
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard))
    w.close()


def test_run_rate_now_is_recurring_with_the_one_offs_apart(qtbot, one_offs, settle):
    settle()
    now, end = one_offs.headline.now, one_offs.headline.end
    # Jan 2027: $1,175 in all = $1,025 recurring (Refresh $20 + its markup $5 + Toil $1,000) + $150 one-off
    # (Pilot run $80 + its markup $20 + half the Seed labels, $50): see tests.pricing.test_series
    assert now.value.text() == "$1,025/mo"
    assert now.detail.text() == "Jan 2027 + $150 one-off"
    assert "$1,175.00 in all = $1,025.00 recurring + $150.00 one-off (Pilot run, Seed labels)" in now.toolTip()
    # Apr 2027: Refresh again ($20 + $5 markup) + Toil $1,000, nothing one-off
    assert (end.value.text(), end.detail.text()) == ("$1,025/mo", "Apr 2027")
    # the pilot made to repeat every 3 months (typed): it recurs now, and so does its markup;
    # one-off left: the Seed labels' $50; recurring: 1,025 + 80 + 20 = $1,125
    every = field(one_offs, "compute.training[0]", "every")
    retype(qtbot, every, "3")
    qtbot.keyClick(every, Qt.Key.Key_Return)
    settle()
    assert one_offs.document.plan.compute.training[0].every == 3
    assert (now.value.text(), now.detail.text()) == ("$1,125/mo", "Jan 2027 + $50.00 one-off")  # under $100: cents
    # month 4 now has both runs: Pilot $80 + Refresh $20 + markup 25% x $100 + Toil $1,000 = $1,125, recurring
    assert (end.value.text(), end.detail.text()) == ("$1,125/mo", "Apr 2027")


def test_the_saving_share_reads_the_same_in_the_headline_and_the_panel(qtbot, window, settle):
    settle()
    panel = window.savings
    row = next(r for r in panel.rows.values() if not r.check.isChecked() and r.isEnabled())
    for _ in range(2):          # the scenario as opened, then with one more strategy ticked by a click
        share = panel.data["saving_share"]
        shown = window.headline.saving.value.text()
        in_panel = re.search(r"\(<b>([^<]+)</b>\)", panel.summary.text()).group(1)
        # one share (scenario_summary), one rounding (series.SHARE_DIGITS = 1): e.g. 0.18563 -> "18.6%"
        assert shown == in_panel == f"{share * 100:.1f}%"
        qtbot.mouseClick(row.check, Qt.MouseButton.LeftButton)
        settle()

"""The Compare window: plans and scenarios added, removed and reordered; its table, chart and diffs follow pricing."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from pricing import compare as C

from gui.compare_window import CompareWindow
from gui.errors import ErrorPresenter
from gui.widgets import MoneyFormat

@pytest.fixture
def window(qtbot, base_catalog, example_dir):
    w = CompareWindow(base_catalog, [example_dir / "support-assistant.yaml"], presenter=ErrorPresenter())
    qtbot.addWidget(w)
    w.show()
    return w


def cell(w: CompareWindow, row: int, col: int) -> str:
    return w.model.data(w.model.index(row, col))


def test_one_plan_asks_for_another(window):
    assert window.comparison is None
    assert window.model.rowCount() == 0
    assert "two or more" in window.hint.text()
    assert not window.pdf_action.isEnabled()


def test_a_scenario_added_as_a_column(window, example_dir, base_catalog):
    path = example_dir / "support-assistant.yaml"
    assert window.add_scenario(str(path), "Frugal")
    cmp = window.comparison
    assert cmp is not None and [e.label for e in window.entries] == ["Support assistant",
                                                                       "Support assistant#Frugal"]
    expected = C.compare([C.load_entry(str(path), base_catalog), C.load_entry(f"{path}#Frugal", base_catalog)])
    fmt = MoneyFormat("USD")
    total_row = next(i for i, f in enumerate(expected.figures) if f.key == "total")
    assert cell(window, total_row, 0) == "Horizon total"
    assert cell(window, total_row, 1) == fmt.full(expected.figures[total_row].values[0] / 100)
    assert cell(window, total_row, 2) == fmt.full(expected.figures[total_row].values[1] / 100)
    assert cell(window, total_row, 3).startswith("−$")     # Frugal costs less
    assert window.model.data(window.model.index(total_row, 3), Qt.ItemDataRole.ForegroundRole) is not None
    assert window.pdf_action.isEnabled()
    # the chart: one curve per entry, with the monthly figures
    visible = [c for c in window.curves if c.isVisible()]
    assert len(visible) == 2
    assert np.allclose(visible[1].yData, np.array(expected.monthly[1]) / 100)
    # the cost diff and the input diff
    top = window.costs.topLevelItem(0)
    names = [top.child(i).text(0) for i in range(top.childCount())]
    assert "Answer generation" in names and names[-1] == "Total"
    assert top.child(top.childCount() - 1).text(4) == C.signed_money(
        expected.figures[total_row].deltas[1], "USD").replace("-", "−")
    inputs = window.inputs.topLevelItem(0)
    groups = [inputs.child(i).text(0) for i in range(inputs.childCount())]
    assert any(g.startswith("Answer generation") for g in groups)


def test_remove_and_make_reference(window, example_dir):
    path = str(example_dir / "support-assistant.yaml")
    window.add_scenario(path, "Frugal")
    window.add_scenario(path, "Self-host answers")
    assert window.comparison.ids == ("A", "B", "C")
    window.set_reference(2)
    assert window.entries[0].label.endswith("#Self-host answers")
    total = next(f for f in window.comparison.figures if f.key == "total")
    assert total.deltas[1] > 0  # everything else costs more than self-hosting
    window.list.setCurrentRow(1)
    window.remove_selected()
    assert len(window.entries) == 2 and window.comparison is not None
    window.remove(0)
    assert window.comparison is None
    assert sum(c.isVisible() for c in window.curves) == 0


def test_the_same_file_twice_shows_no_differences(window, example_dir):
    window.add_path(example_dir / "support-assistant.yaml")
    assert window.comparison.is_identical()
    assert [e.label for e in window.entries][1] == "Support assistant (support-assistant.yaml)"
    assert window.entries[0].label != window.entries[1].label       # told apart
    top = window.costs.topLevelItem(0)
    assert top.child(0).text(0) == "No differences"
    assert window.inputs.topLevelItem(0).child(0).text(0) == "No input changes"


def test_a_broken_plan_is_reported_and_not_added(window, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: aicost-plan/1\nname: B\nmonths: 0\n")
    assert not window.add_path(bad)
    assert len(window.entries) == 1
    dialog = window.presenter.last_dialog
    assert dialog is not None and "bad.yaml" in dialog.text() and "months" in dialog.text()
    assert not window.add_scenario(str(bad).replace("bad", "missing"), "X")


def test_dropping_plan_files_adds_them(window, tmp_path, qtbot, write_rate_plan):
    a, b = write_rate_plan("a.yaml", "A", 100), write_rate_plan("b.yaml", "B", 120)
    (tmp_path / "notes.txt").write_text("not a plan")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in (a, b, tmp_path / "notes.txt")])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    assert [e.label for e in window.entries] == ["Support assistant", "A", "B"]  # plans' names
    assert len(window.comparison.entries) == 3


def test_reload_reads_the_files_again(window, write_rate_plan):
    a = write_rate_plan("a.yaml", "A", 100)
    window.add_path(a)
    before = next(f for f in window.comparison.figures if f.key == "total").values[1]
    write_rate_plan("a.yaml", "A", 200)
    window.reload()
    after = next(f for f in window.comparison.figures if f.key == "total").values[1]
    assert after - before == 10 * 100 * 3 * 100  # 10 h x $100 more x 3 months, in cents


def test_exports_from_the_window(window, example_dir, tmp_path, qtbot):
    window.add_scenario(str(example_dir / "support-assistant.yaml"), "Frugal")
    from gui.export_actions import export_comparison_csv, export_comparison_pdf
    job = export_comparison_csv(window, window.comparison, path=tmp_path / "cmp.csv", presenter=window.presenter)
    with qtbot.waitSignal(job.succeeded, timeout=20000):
        pass
    assert (tmp_path / "cmp.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    job = export_comparison_pdf(window, window.comparison, path=tmp_path / "cmp.pdf", page_size="A4",
                                presenter=window.presenter)
    with qtbot.waitSignal(job.succeeded, timeout=30000):
        pass
    assert (tmp_path / "cmp.pdf").read_bytes().startswith(b"%PDF")


def test_other_horizons_are_said_and_compared_over_shared_months(qtbot, base_catalog, tmp_path):
    """Short: Jan-Dec 2027, $1,000 a month; Long: Jul 2027-Jun 2029, $1,100 a month (10 h x $100 and x $110)."""
    from tests.pricing.test_compare import HORIZON_A, HORIZON_B
    a, b = tmp_path / "short.yaml", tmp_path / "long.yaml"
    a.write_text(HORIZON_A)
    b.write_text(HORIZON_B)
    w = CompareWindow(base_catalog, [a, b], presenter=ErrorPresenter())
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    assert [w.list.item(i).text() for i in range(2)] == ["A   Short", "B   Long"]
    assert w.notice.isVisible() and "The horizons differ" in w.notice.text()
    rows = {cell(w, r, 0): r for r in range(w.model.rowCount())}
    r = rows["Total, months all cover (2027-07 to 2027-12)"]
    fmt = MoneyFormat("USD")
    # 6 months x $1,000 = $6,000; 6 x $1,100 = $6,600
    assert cell(w, r, 1) == fmt.full(6000.0) and cell(w, r, 2) == fmt.full(6600.0)

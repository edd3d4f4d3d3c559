"""Fiscal years in the window: the plan setting in Plan settings (with undo), the By period table's roll-ups (the
report model's cents), and the PDF's tables by fiscal year and quarter."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from pricing.report_figures import summarize
from pricing.rounding import cents_to_float

from gui.widgets import MoneyFormat


def settings_field(window, key):
    window.tree.select("")
    form = window.editor.current_form()
    assert form.key_path == ""
    return form.inputs[key]


def test_the_fiscal_year_is_a_plan_setting_with_undo(qtbot, window):
    combo = settings_field(window, "fiscal_year_start")
    assert combo.currentText() == "January" and combo.count() == 12
    combo.setFocus()
    for _ in range(3):  # January -> April with the keyboard, as a user would
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == "April"
    assert window.document.plan.fiscal_year_start == 4 and window.isWindowModified()
    window.document.undo_stack.undo()  # the three steps merged into one edit
    assert window.document.plan.fiscal_year_start == 1 and combo.currentText() == "January"


def test_the_by_period_table_reads_the_report_models_roll_ups(qtbot, window):
    doc = window.document
    import dataclasses
    doc.apply(dataclasses.replace(doc.plan, fiscal_year_start=4), "Fiscal year from April")
    window.tables.setCurrentWidget(window.periods)
    periods = window.periods
    qtbot.waitUntil(lambda: periods.model.columnCount() > 0)
    model = periods.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    # 24 months from January 2027, fiscal years from April, named by the year they end
    assert headers == ["FY2027 Q4", "FY2028 Q1", "FY2028 Q2", "FY2028 Q3", "FY2028 Q4", "FY2029 Q1", "FY2029 Q2",
                       "FY2029 Q3", "Horizon"]
    s = summarize(doc.projection)
    table = s.fiscal_quarters()
    fmt = MoneyFormat("USD")
    total_row = model.rowCount() - 1
    assert model.headerData(total_row, Qt.Orientation.Vertical) == "Total"
    for c, cents in enumerate(table.column_totals):
        assert model.index(total_row, c).data() == fmt.full(cents_to_float(int(cents)))
    assert model.index(total_row, len(headers) - 1).data() == fmt.full(s.total / 100)  # the horizon total
    # January-March 2027 is FY2027 Q4: the sum of those three months, to the cent
    assert int(table.column_totals[0]) == int(s.monthly[:3].sum())
    assert "April" in periods.note.text()
    periods.set_view("years")
    years = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert years == ["FY2027 (3 mo)", "FY2028", "FY2029 (9 mo)", "Horizon"]
    assert model.index(model.rowCount() - 1, 1).data() == fmt.full(int(s.monthly[3:15].sum()) / 100)
    periods.set_view("months")
    assert model.columnCount() == 25


def test_the_pdf_rolls_up_by_fiscal_quarter_and_year(qtbot, window, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    import dataclasses
    from gui.pdf import export_pdf
    doc = window.document
    plan = dataclasses.replace(doc.plan, fiscal_year_start=7)
    out = tmp_path / "fy.pdf"
    export_pdf(plan, out, catalog=doc.catalog, samples=200)
    import unicodedata  # NFKC: the PDF's font sets "fi" as a ligature
    text = unicodedata.normalize("NFKC", " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(str(out)).pages)
                                                  .split()))
    assert "By fiscal year" in text and "By fiscal quarter" in text and "Fiscal years start in July" in text
    # July start: January-June 2027 are Q3-Q4 of FY2027, July 2027 opens FY2028
    for label in ("FY2027 Q3", "FY2027 Q4", "FY2028 Q1", "FY2027 (6 mo)", "FY2029 (6 mo)"):
        assert label in text, label

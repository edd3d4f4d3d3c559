"""File > Print through the system dialog onto a printer (a PDF file printer here), and every chart as PNG and SVG."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog

from pricing.report_figures import summarize

from gui import print_actions, theme
from gui.charts import export as chart_export
from gui.pdf.printing import printer_for
from gui.widgets import MoneyFormat

pypdf = pytest.importorskip("pypdf")


def file_printer(path, size="A4") -> QPrinter:
    printer = printer_for(size)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def pdf_text(path) -> str:
    """The PDF's text with its words one space apart (pypdf separates the printer's words with tabs)."""
    return " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages).split())


def test_print_to_a_file_printer(qtbot, window, tmp_path):
    out = tmp_path / "printed.pdf"
    job = print_actions.print_plan(window, window.document, printer=file_printer(out), ask=False)
    with qtbot.waitSignal(job.done, timeout=60000):
        pass
    reader = pypdf.PdfReader(str(out))
    assert job.message == f"Printed {len(reader.pages)} pages to printed.pdf"
    assert window.statusBar().currentMessage() == job.message
    assert len(reader.pages) >= 5
    box = reader.pages[0].mediabox  # A4 in points: 595 x 842
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = pdf_text(out)
    s = summarize(window.document.projection)
    fmt = MoneyFormat("USD")
    assert "Support assistant" in text and "Cost by category" in text and "Prices used" in text
    assert fmt.full(s.total / 100) in text  # the horizon total, to the cent, as the PDF shows it
    assert re.search(r"Page 1 of \d+", text)


def test_ctrl_p_opens_the_print_dialog_and_prints_letter(qtbot, window, tmp_path, monkeypatch):
    out = tmp_path / "letter.pdf"
    asked = []

    def exec_(dialog: QPrintDialog) -> int:  # the user picks a PDF file and Letter paper, then Print
        asked.append(dialog.windowTitle())
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        from PySide6.QtGui import QPageSize
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))
        return QDialog.DialogCode.Accepted
    monkeypatch.setattr(QPrintDialog, "exec", exec_)
    jobs = []
    real = print_actions.PrintJob.start
    monkeypatch.setattr(print_actions.PrintJob, "start", lambda self: (jobs.append(self), real(self))[1])
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert asked == ["Print report"] and jobs
    with qtbot.waitSignal(jobs[0].done, timeout=60000):
        pass
    box = pypdf.PdfReader(str(out)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)  # Letter


def test_cancelling_the_print_dialog_prints_nothing(qtbot, window, monkeypatch):
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert print_actions.print_plan(window, window.document) is None


def test_export_pdf_moved_to_ctrl_shift_e(window):
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    keys = {a.text(): a.shortcut().toString() for a in file_menu.actions()}
    assert keys["&Print…"] == "Ctrl+P" and keys["Export &PDF…"] == "Ctrl+Shift+E"


@pytest.fixture
def monthly(window):
    charts = window.charts
    charts.setCurrentWidget(charts.monthly)
    charts.refresh_all()
    return charts.monthly


def test_png_holds_the_chart_at_twice_its_size(monthly, tmp_path):
    path = chart_export.save_chart(monthly, tmp_path / "monthly.png")
    image = QImage(str(path))
    assert (image.width(), image.height()) == (monthly.width() * 2, monthly.height() * 2)
    colors = {image.pixelColor(x, y).name() for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)}
    # the stacked bars in their category colours (Services and People are the example's biggest)
    for hex_ in ("#f28e2b", "#edc948"):
        assert hex_ in colors, hex_
    assert QColor(theme.background(monthly)).name() in colors  # on the chart's own background


def test_svg_is_a_vector_drawing_with_its_text(monthly, tmp_path):
    path = chart_export.save_chart(monthly, tmp_path / "monthly.svg", "Monthly cost by category")
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    ns = {"s": "http://www.w3.org/2000/svg"}
    texts = " ".join("".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "Monthly cost by category" in texts and "Jan 2027" in texts and "$40k" in texts
    fills = {el.get("fill", "").lower() for el in root.iter()} | {el.get("stroke", "").lower() for el in root.iter()}
    assert "#f28e2b" in fills and "#e15759" in fills  # Services bars and the budget line, as vectors
    assert root.find("s:title", ns).text == "Monthly cost by category"


def test_every_chart_exports(window, tmp_path):
    for chart in window.charts.charts():
        window.charts.setCurrentWidget(chart)
        window.charts.refresh_all()
        title = chart_export.chart_title(chart)
        assert title
        for fmt in ("png", "svg"):
            p = chart_export.save_chart(chart, tmp_path / f"{chart_export.file_stem(title)}.{fmt}", title)
            assert p.stat().st_size > 1000


def test_export_chart_image_starts_in_the_plans_folder(qtbot, window, tmp_path, monkeypatch):
    asked = []

    def dialog(parent, title, start, filters, selected):
        asked.append((start, selected))
        return str(tmp_path / "chart"), chart_export.FILTERS["svg"]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(dialog))
    action = next(a for a in next(a.menu() for a in window.menuBar().actions() if a.text() == "&File").actions()
                  if a.text() == "Export chart &image…")
    action.trigger()
    plan_folder = window.document.path.parent
    assert asked[0][0] == str(plan_folder / "Support assistant - Monthly cost by category.png")
    assert (tmp_path / "chart.svg").is_file()  # the filter chose SVG
    assert "Exported chart.svg" in window.statusBar().currentMessage()
    action.trigger()  # the second time: where this plan's last export went
    assert asked[1][0].startswith(str(tmp_path))


def test_export_chart_image_on_the_actuals_tab_saves_its_chart(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a: (str(tmp_path / "actuals.svg"), chart_export.FILTERS["svg"])))
    window.charts.setCurrentWidget(window.actuals)
    qtbot.waitUntil(lambda: window.actuals.chart is not None)
    assert window.charts.current_chart() is window.actuals.chart
    action = next(a for a in next(a.menu() for a in window.menuBar().actions() if a.text() == "&File").actions()
                  if a.text() == "Export chart &image…")
    action.trigger()
    svg = (tmp_path / "actuals.svg").read_text(encoding="utf-8")
    assert "Actual against plan" in svg and "Monthly cost by category" not in svg


def test_the_chart_context_menu(window, monthly):
    menu = chart_export.context_menu(monthly, monthly.mapToGlobal(monthly.rect().center()))
    assert [a.text() for a in menu.actions() if a.text()] == ["Save chart as PNG…", "Save chart as SVG…",
                                                             "Copy chart image"]
    assert monthly.plot.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu


def test_a_bad_file_name_is_refused(monthly, tmp_path):
    with pytest.raises(ValueError, match="expected a .png or .svg"):
        chart_export.save_chart(monthly, tmp_path / "chart.gif")

"""The plan report on a printer (File > Print): the PDF report's own layout and painting, on a QPrinter."""
from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtPrintSupport import QPrinter

from pricing import fx
from pricing.report_model import Report

from gui.pdf.layout import APP, CancelFn, Flow, ProgressFn, Style, _Doc, _render, ensure_application
from gui.pdf.plan_report import PlanReport


def print_report(report: Report, printer: QPrinter, *, progress: ProgressFn | None = None,
                 cancel: CancelFn | None = None) -> int:
    """Lay ``report`` out on ``printer``'s page (its paper size and resolution) and print it; returns the number
    of pages. The same layout as the PDF export, measured with the printer's own font metrics. Raises
    ``atomic.AtomicWriteError`` when the printer refuses the job, ``Cancelled`` when ``cancel()`` says so."""
    ensure_application()
    printer.setFullPage(True)  # the report keeps its own margins, as in the PDF
    printer.setDocName(f"{report.plan.name} — cost plan report")
    printer.setCreator(APP)
    resolution = printer.resolution()
    page = QRectF(printer.pageLayout().fullRectPixels(resolution))
    style = Style(k=resolution / 72.0)
    flow = Flow(printer, style, QRectF(0, 0, page.width(), page.height()))
    PlanReport(report, flow, style).build()
    if progress is not None:
        progress(50, 100)
    footer = f"{report.plan.name} · cost plan report · {report.generated.isoformat()}" + (
        f" · {fx.rate_text(fx.for_plan(report.plan))}" if report.plan.currency != "USD" else "")
    target = printer.outputFileName() or printer.printerName() or "the printer"
    _render(_Doc(printer, style, flow, None), target, report.plan.name, footer, progress, cancel, 50)  # type: ignore[arg-type]
    return len(flow.pages)


def printer_for(page_size: str = "A4") -> QPrinter:
    """A high-resolution printer set to ``page_size`` (A4 or Letter), portrait."""
    from PySide6.QtGui import QPageLayout, QPageSize
    from gui.pdf.layout import PAGE_SIZES
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(PAGE_SIZES.get(page_size, PAGE_SIZES["A4"])))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    return printer


__all__ = ["print_report", "printer_for"]

"""File > Print (Ctrl+P): the plan's report through the system print dialog, laid out and sent off the UI thread."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog, QWidget

from pricing import report_model

from gui.errors import ErrorPresenter
from gui.export_actions import ExportJob, _cannot_price, _page_size, _presenter

TITLE = "Print report"


class PrintJob(ExportJob):
    """An ExportJob whose result is the number of pages sent to the printer (not files)."""

    def __init__(self, parent: QWidget | None, printer: Any, task: Any, presenter: ErrorPresenter):
        self.printer = printer
        super().__init__(parent, TITLE, "Laying out the report for the printer…", task, presenter,
                         lambda pages: ((), ""))

    def destination(self) -> str:
        out = self.printer.outputFileName()
        return Path(out).name if out else (self.printer.printerName() or "the printer")

    def _on_finished(self, result: Any) -> None:
        self.message = f"Printed {result} page{'s' if result != 1 else ''} to {self.destination()}"
        bar = getattr(self.parent_widget, "statusBar", None)
        if callable(bar):
            bar().showMessage(self.message, 8000)
        self.succeeded.emit(())

    def _on_cancelled(self) -> None:
        self.message = "Printing cancelled; nothing was sent to the printer" if not self._completed else \
            f"Cancel came too late: the report went to {self.destination()}"
        bar = getattr(self.parent_widget, "statusBar", None)
        if callable(bar):
            bar().showMessage(self.message, 5000)
        self.cancelled.emit()


def print_plan(parent: QWidget | None, document: Any, *, printer: Any = None, ask: bool = True,
               presenter: ErrorPresenter | None = None) -> PrintJob | None:
    """File > Print…: ask the system print dialog (unless ``ask`` is False), then gather the report (as the PDF
    export does: scenarios, Monte Carlo when the plan has ranges, inputs and prices) and print it on a worker.

    Returns the running job, or None when the dialog was cancelled or the plan can't be priced."""
    if _cannot_price(parent, document, TITLE, presenter):
        return None
    from PySide6.QtPrintSupport import QPrintDialog
    from gui.pdf.printing import printer_for
    printer = printer or printer_for(_page_size())
    if ask:
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle(TITLE)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
    plan, catalog, projection = document.plan, document.catalog, document.projection

    def task(progress: Any, cancelled: Any) -> int:
        from gui.pdf import gather
        from gui.pdf.printing import print_report
        report = gather(plan, catalog, progress=report_model.scaled(progress, 0, 40), cancel=cancelled,
                        projection=projection)
        return print_report(report, printer, progress=report_model.scaled(progress, 40, 100), cancel=cancelled)

    return PrintJob(parent, printer, task, _presenter(parent, presenter)).start()  # type: ignore[return-value]

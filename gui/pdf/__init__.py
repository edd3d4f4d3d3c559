"""PDF reports of a plan and of a comparison: QPdfWriter + QPainter, vector charts, A4 or Letter.

``layout`` pages and lays out (Flow, tables, typography), ``charts`` draws charts with QPainter,
``plan_report`` and ``compare_report`` decide what each report shows. ``export_pdf(plan, path)``
and ``export_compare_pdf(comparison, path)`` work headless and off the GUI thread.
"""
from gui.pdf.compare_report import ENTRY_COLORS, entry_color, export_compare_pdf
from gui.pdf.layout import PAGE_SIZES, ensure_application
from gui.pdf.plan_report import export_pdf, gather

__all__ = ["ENTRY_COLORS", "PAGE_SIZES", "ensure_application", "entry_color", "export_compare_pdf", "export_pdf",
           "gather"]
